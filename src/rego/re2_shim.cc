/*
 * re2_shim.cc — RE2 behind a C API, made to behave like Go's regexp (see
 * re2_shim.h for the contract).
 *
 * Go compatibility.  RE2's parser is the ancestor of Go's regexp/syntax, so
 * both accept the same language and report the same error classes; the
 * differences we paper over before or after calling RE2 are:
 *   - Go checks UTF-8 first and reports "invalid UTF-8: `<rest>`";
 *   - Go (1.22+) accepts (?<name>re) as well as (?P<name>re): rewritten to
 *     the (?P<...> form for this RE2;
 *   - Go rejects \C (RE2's any-byte escape) as an invalid escape, and group
 *     names with non-ASCII letters (RE2 takes them) as invalid named
 *     captures; such an error is reported unless RE2 finds an error earlier
 *     in the pattern;
 *   - Go rejects parse trees higher than 1000 (REGO_REGEX_MAX_NESTING); we
 *     count nested capturing groups, which every Go parse tree has;
 *   - Go steps through the subject rune by rune, RE2 byte by byte: an empty
 *     \B match inside a multi-byte rune is skipped;
 *   - error texts: RE2's codes are mapped to Go's ErrorCode strings, and the
 *     offending text ("`...`") follows Go where RE2 quotes less (unexpected
 *     ")" and too-large patterns quote the whole expression);
 *   - patterns with more than REGO_REGEX_MAX_OPERATORS operators are "too
 *     large" (Go's ErrLarge) before RE2 sees them: RE2's tree walkers stop
 *     and log past a million nodes.
 * Matching is RE2's: Go's leftmost-first semantics, linear in the subject for
 * a given pattern (pattern x subject at worst, as for Go's own engine).
 * The iteration over successive matches and the $-expansion are written
 * here after Go's regexp.go (allMatches, replaceAll, expand, extract).
 *
 * Global state: the cache below (a hash map plus an LRU list under one
 * mutex) and two immutable RE2 character-class objects built on first use
 * (C++ guarantees thread-safe initialisation of function-local statics).
 * Cache bounds: REGO_REGEX_CACHE_MAX_ENTRIES entries and
 * REGO_REGEX_CACHE_MAX_BYTES of estimated size (key + 32 bytes per program
 * instruction for the forward and reverse programs); entries bigger than a
 * quarter of the byte bound are never cached.  Each RE2 object is capped at
 * REGO_REGEX_MAX_MEM, which also bounds its lazily grown DFA caches.
 * An entry lives while the cache or a caller holds a reference; an evicted
 * entry still in use is freed by its last rp_re_release.
 */
#include "re2_shim.h"

#include <re2/re2.h>

#include <cstring>
#include <list>
#include <memory>
#include <mutex>
#include <new>
#include <string>
#include <unordered_map>
#include <vector>

extern "C" {
#include "limits.h"
}

struct rp_re {
    std::string key;
    RE2 *re = nullptr;
    size_t bytes = 0;
    int refs = 0;           /* references held, the cache's included */
    bool cached = false;    /* linked into the cache */
    std::list<rp_re *>::iterator lru;
    int ngroups = 0;
    std::vector<std::string> names; /* names[i] = name of group i ("" if none) */
    bool mid_rune; /* may match empty inside a UTF-8 sequence (\B) */
};

namespace {

/* ---- the cache ------------------------------------------------------------ */

struct Cache {
    std::mutex mu;
    std::unordered_map<std::string, rp_re *> map;
    std::list<rp_re *> lru; /* front = most recently used */
    size_t bytes = 0;
};

Cache &cache()
{
    static Cache *c = new Cache(); /* never destroyed: outlives every caller */
    return *c;
}

void destroy(rp_re *e)
{
    delete e->re;
    delete e;
}

/* Unlinks e from the cache (lock held); returns true when nobody else holds
 * it, so the caller frees it after unlocking. */
bool unlink_locked(Cache &c, rp_re *e)
{
    c.map.erase(e->key);
    c.lru.erase(e->lru);
    c.bytes -= e->bytes;
    e->cached = false;
    return --e->refs == 0;
}

void evict_locked(Cache &c, std::vector<rp_re *> &dead)
{
    while (!c.lru.empty() &&
           (c.map.size() > REGO_REGEX_CACHE_MAX_ENTRIES || c.bytes > REGO_REGEX_CACHE_MAX_BYTES)) {
        rp_re *victim = c.lru.back();
        if (unlink_locked(c, victim))
            dead.push_back(victim);
    }
}

std::string make_key(rp_re_keykind kind, const char *key, size_t keylen)
{
    std::string k;
    k.reserve(keylen + 1);
    k.push_back(static_cast<char>(kind));
    k.append(key, keylen);
    return k;
}

rp_re *lookup(const std::string &k)
{
    Cache &c = cache();
    std::lock_guard<std::mutex> g(c.mu);
    auto it = c.map.find(k);
    if (it == c.map.end())
        return nullptr;
    rp_re *e = it->second;
    c.lru.splice(c.lru.begin(), c.lru, e->lru);
    e->refs++;
    return e;
}

/* Inserts e (one reference, the caller's) unless an equal key won a race;
 * returns the entry the caller should use, with a reference for it. */
rp_re *insert(rp_re *e)
{
    Cache &c = cache();
    std::vector<rp_re *> dead;
    rp_re *use = e;
    {
        std::lock_guard<std::mutex> g(c.mu);
        auto it = c.map.find(e->key);
        if (it != c.map.end()) {
            use = it->second;
            use->refs++;
            c.lru.splice(c.lru.begin(), c.lru, use->lru);
        } else if (e->bytes <= REGO_REGEX_CACHE_MAX_BYTES / 4) {
            c.map.emplace(e->key, e);
            c.lru.push_front(e);
            e->lru = c.lru.begin();
            e->cached = true;
            e->refs++; /* the cache's own */
            c.bytes += e->bytes;
            evict_locked(c, dead);
        }
    }
    if (use != e)
        destroy(e);
    for (rp_re *d : dead)
        destroy(d);
    return use;
}

/* ---- Go's error texts ----------------------------------------------------- */

const char *go_code_text(RE2::ErrorCode code)
{
    switch (code) {
    case RE2::NoError: return "";
    case RE2::ErrorInternal: return "regexp/syntax: internal error";
    case RE2::ErrorBadEscape: return "invalid escape sequence";
    case RE2::ErrorBadCharClass: return "invalid character class";
    case RE2::ErrorBadCharRange: return "invalid character class range";
    case RE2::ErrorMissingBracket: return "missing closing ]";
    case RE2::ErrorMissingParen: return "missing closing )";
    case RE2::ErrorUnexpectedParen: return "unexpected )";
    case RE2::ErrorTrailingBackslash: return "trailing backslash at end of expression";
    case RE2::ErrorRepeatArgument: return "missing argument to repetition operator";
    case RE2::ErrorRepeatSize: return "invalid repeat count";
    case RE2::ErrorRepeatOp: return "invalid nested repetition operator";
    case RE2::ErrorBadPerlOp: return "invalid or unsupported Perl syntax";
    case RE2::ErrorBadUTF8: return "invalid UTF-8";
    case RE2::ErrorBadNamedCapture: return "invalid named capture";
    case RE2::ErrorPatternTooLarge: return "expression too large";
    }
    return "regexp/syntax: internal error";
}

void set_msg(char *msg, size_t cap, const char *code, const char *arg, size_t argn)
{
    if (!msg || cap == 0)
        return;
    std::string m = "error parsing regexp: ";
    m += code;
    m += ": `";
    m.append(arg, argn);
    m += "`";
    size_t k = m.size() < cap - 1 ? m.size() : cap - 1;
    memcpy(msg, m.data(), k);
    msg[k] = '\0';
}

/* ---- Go-only checks on user patterns -------------------------------------- */

struct Scan {
    std::string rewritten;   /* pattern with (?<name> turned into (?P<name> */
    std::vector<size_t> map; /* rewritten offset -> original offset */
    /* The first error only Go reports: \C, or a group name RE2 takes but
     * Go does not (non-ASCII letters).  go_err = SIZE_MAX when none. */
    size_t go_err = SIZE_MAX, go_err_len = 0;
    const char *go_err_code = nullptr;
    bool has_not_boundary = false; /* \B outside a class */
    int max_capture_depth = 0;
};

void go_error(Scan &sc, size_t at, size_t len, const char *code)
{
    if (at < sc.go_err) {
        sc.go_err = at;
        sc.go_err_len = len;
        sc.go_err_code = code;
    }
}

/* Go takes group names of ASCII letters, digits and '_' only; RE2 also
 * takes other letters.  The group starts at p[open], its name at p[name]. */
void check_name(const char *p, size_t n, size_t open, size_t name, Scan &sc)
{
    const char *gt = static_cast<const char *>(memchr(p + name, '>', n - name));
    if (!gt)
        return; /* RE2 and Go agree: invalid named capture, quoting the rest */
    for (const char *c = p + name; c < gt; c++)
        if (static_cast<unsigned char>(*c) >= 0x80) {
            go_error(sc, open, static_cast<size_t>(gt - p) + 1 - open, "invalid named capture");
            return;
        }
}

/* Walks the pattern the way Go's parser tokenises it, far enough to find
 * group openings, \C escapes and \Q...\E literals; char classes are skipped
 * ([]...] and [^]...] start with a literal ']'). */
void scan_pattern(const char *p, size_t n, Scan &sc)
{
    std::vector<bool> groups; /* capturing? per open group */
    int depth = 0;
    size_t i = 0;
    sc.rewritten.reserve(n + 8);
    sc.map.reserve(n + 9);
    auto emit = [&](size_t from, size_t len) {
        for (size_t k = 0; k < len; k++) {
            sc.rewritten.push_back(p[from + k]);
            sc.map.push_back(from + k);
        }
    };
    while (i < n) {
        char c = p[i];
        if (c == '\\' && i + 1 < n) {
            if (p[i + 1] == 'Q') {
                const char *e = static_cast<const char *>(memmem(p + i + 2, n - i - 2, "\\E", 2));
                size_t end = e ? static_cast<size_t>(e - p) + 2 : n;
                emit(i, end - i);
                i = end;
                continue;
            }
            if (p[i + 1] == 'C')
                go_error(sc, i, 2, "invalid escape sequence");
            if (p[i + 1] == 'B')
                sc.has_not_boundary = true;
            emit(i, 2);
            i += 2;
            continue;
        }
        if (c == '[') {
            size_t j = i + 1;
            if (j < n && p[j] == '^')
                j++;
            if (j < n && p[j] == ']')
                j++;
            while (j < n && p[j] != ']') {
                if (p[j] == '\\' && j + 1 < n) {
                    if (p[j + 1] == 'C')
                        go_error(sc, j, 2, "invalid escape sequence");
                    j += 2;
                } else if (p[j] == '[' && j + 1 < n && p[j + 1] == ':') {
                    const char *e = static_cast<const char *>(memmem(p + j + 2, n - j - 2, ":]", 2));
                    j = e ? static_cast<size_t>(e - p) + 2 : j + 1;
                } else {
                    j++;
                }
            }
            size_t end = j < n ? j + 1 : n;
            emit(i, end - i);
            i = end;
            continue;
        }
        if (c == '(') {
            bool capturing = true;
            if (i + 1 < n && p[i + 1] == '?') {
                capturing = false;
                if (i + 3 < n && p[i + 2] == '<' && p[i + 3] != '=' && p[i + 3] != '!') {
                    capturing = true;
                    check_name(p, n, i, i + 3, sc);
                    emit(i, 2);
                    sc.rewritten.push_back('P');
                    sc.map.push_back(i + 2);
                    i += 2;
                } else if (i + 3 < n && p[i + 2] == 'P' && p[i + 3] == '<') {
                    capturing = true;
                    check_name(p, n, i, i + 4, sc);
                }
            }
            groups.push_back(capturing);
            if (capturing && ++depth > sc.max_capture_depth)
                sc.max_capture_depth = depth;
        } else if (c == ')' && !groups.empty()) {
            if (groups.back())
                depth--;
            groups.pop_back();
        }
        emit(i, 1);
        i++;
    }
    sc.map.push_back(n);
}

/* Go's checkUTF8: the first byte that does not start a valid rune. */
size_t first_invalid_utf8(const char *p, size_t n)
{
    size_t i = 0;
    while (i < n) {
        uint32_t cp;
        size_t k = rp_utf8_decode(p + i, n - i, &cp);
        if (k == 0)
            return i;
        i += k;
    }
    return SIZE_MAX;
}

/* ---- compiling ---------------------------------------------------------------- */

RE2 *new_re2(const char *p, size_t n, int64_t max_mem)
{
    RE2::Options o;
    o.set_log_errors(false);
    o.set_max_mem(max_mem);
    return new RE2(re2::StringPiece(p, n), o);
}

/* Builds a new entry (one reference) for the RE2 pattern re[0..n); on a
 * syntax error fills msg with Go's words, taking the offending text from
 * the original pattern orig (via map) where RE2 quotes a fragment. */
/* Whether RE2's parse tree for re would outgrow its walkers (see limits.h). */
bool too_many_operators(const char *re, size_t n)
{
    size_t ops = 0;
    for (size_t i = 0; i < n; i++)
        if (strchr("*+?{(|[\\", re[i]) && re[i] != '\0' && ++ops > REGO_REGEX_MAX_OPERATORS)
            return true;
    return false;
}

rp_status build(const std::string &key, const char *re, size_t n, const char *orig,
                size_t orign, const std::vector<size_t> *map, bool mid_rune, rp_re **out,
                char *msg, size_t cap)
{
    if (too_many_operators(re, n)) {
        set_msg(msg, cap, go_code_text(RE2::ErrorPatternTooLarge), orig, orign);
        return RP_ERR_SYNTAX;
    }
    RE2 *r = new_re2(re, n, REGO_REGEX_MAX_MEM);
    bool large = false;
    if (r->error_code() == RE2::ErrorPatternTooLarge) {
        delete r;
        r = new_re2(re, n, REGO_REGEX_MAX_MEM_LARGE);
        large = true;
    }
    if (!r->ok()) {
        RE2::ErrorCode code = r->error_code();
        std::string arg = r->error_arg();
        delete r;
        if (code == RE2::ErrorUnexpectedParen || code == RE2::ErrorPatternTooLarge ||
            code == RE2::ErrorMissingParen) {
            set_msg(msg, cap, go_code_text(code), orig, orign);
        } else if (map && !arg.empty()) {
            /* Locate the fragment in the rewritten text and quote the same
             * span of the original (they differ only by inserted 'P's). */
            size_t at = std::string(re, n).find(arg);
            if (at != std::string::npos) {
                size_t lo = (*map)[at], hi = (*map)[at + arg.size()];
                set_msg(msg, cap, go_code_text(code), orig + lo, hi - lo);
            } else {
                set_msg(msg, cap, go_code_text(code), arg.data(), arg.size());
            }
        } else {
            set_msg(msg, cap, go_code_text(code), arg.data(), arg.size());
        }
        return RP_ERR_SYNTAX;
    }
    rp_re *e = new rp_re();
    e->key = key;
    e->re = r;
    e->refs = 1;
    e->mid_rune = mid_rune;
    e->ngroups = r->NumberOfCapturingGroups();
    e->names.assign(static_cast<size_t>(e->ngroups) + 1, std::string());
    for (const auto &kv : r->CapturingGroupNames())
        if (kv.first >= 0 && kv.first <= e->ngroups)
            e->names[static_cast<size_t>(kv.first)] = kv.second;
    e->bytes = key.size() + sizeof(RE2) + 512 + 32 * static_cast<size_t>(r->ProgramSize());
    if (large)
        e->bytes = SIZE_MAX / 2; /* never cached */
    *out = insert(e);
    return RP_OK;
}

rp_status compile_go(const char *pat, size_t n, rp_re **out, char *msg, size_t cap)
{
    std::string key = make_key(RP_RE_KEY_REGEX, pat, n);
    if ((*out = lookup(key)) != nullptr)
        return RP_OK;
    size_t bad = first_invalid_utf8(pat, n);
    if (bad != SIZE_MAX) {
        set_msg(msg, cap, "invalid UTF-8", pat + bad, n - bad);
        return RP_ERR_SYNTAX;
    }
    Scan sc;
    scan_pattern(pat, n, sc);
    if (too_many_operators(sc.rewritten.data(), sc.rewritten.size())) {
        set_msg(msg, cap, go_code_text(RE2::ErrorPatternTooLarge), pat, n);
        return RP_ERR_SYNTAX;
    }
    if (sc.max_capture_depth >= REGO_REGEX_MAX_NESTING) {
        set_msg(msg, cap, "expression nests too deeply", pat, n);
        return RP_ERR_SYNTAX;
    }
    if (sc.go_err != SIZE_MAX) {
        /* Go reports its own error unless it met another one earlier: RE2
         * finds that one in the text before it (an unclosed ( or [ there is
         * only an effect of the cut).  Then the full pattern gives RE2's
         * first error, the same one, with its text. */
        size_t cut = 0;
        while (cut < sc.rewritten.size() && sc.map[cut] < sc.go_err)
            cut++;
        std::unique_ptr<RE2> r(new_re2(sc.rewritten.data(), cut, REGO_REGEX_MAX_MEM_LARGE));
        RE2::ErrorCode code = r->error_code();
        if (r->ok() || code == RE2::ErrorMissingParen || code == RE2::ErrorMissingBracket ||
            code == RE2::ErrorPatternTooLarge) {
            set_msg(msg, cap, sc.go_err_code, pat + sc.go_err, sc.go_err_len);
            return RP_ERR_SYNTAX;
        }
    }
    return build(key, sc.rewritten.data(), sc.rewritten.size(), pat, n, &sc.map,
                 sc.has_not_boundary, out, msg, cap);
}

/* ---- matching --------------------------------------------------------------- */

/* Width of the rune at s[pos..n) as Go's DecodeRuneInString counts it: 0 at
 * the end, 1 for an invalid byte. */
size_t rune_width(const char *s, size_t n, size_t pos)
{
    if (pos >= n)
        return 0;
    uint32_t cp;
    size_t k = rp_utf8_decode(s + pos, n - pos, &cp);
    return k ? k : 1;
}

bool find(const RE2 &re, const char *s, size_t n, size_t pos, re2::StringPiece *sub, int nsub)
{
    return re.Match(re2::StringPiece(s, n), pos, n, RE2::UNANCHORED, sub, nsub);
}

void to_spans(const char *s, const re2::StringPiece *sub, int nsub, rp_re_span *spans)
{
    for (int i = 0; i < nsub; i++) {
        if (sub[i].data() == nullptr) {
            spans[i].lo = spans[i].hi = -1;
        } else {
            spans[i].lo = sub[i].data() - s;
            spans[i].hi = spans[i].lo + static_cast<int64_t>(sub[i].size());
        }
    }
}

/* Go's unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' */
bool is_name_rune(const char *s, size_t k)
{
    static const RE2 *word = new RE2("[\\pL\\p{Nd}_]");
    return RE2::FullMatch(re2::StringPiece(s, k), *word);
}

/* Go's extract(): a leading name or {name} after '$'.  Sets *num to the
 * group number when the name is one, else -1; *used to the bytes taken. */
bool extract(const char *t, size_t n, const char **name, size_t *namelen, long *num, size_t *used)
{
    if (n == 0)
        return false;
    size_t i = 0;
    bool brace = t[0] == '{';
    if (brace)
        i = 1;
    size_t start = i;
    while (i < n) {
        uint32_t cp;
        size_t k = rp_utf8_decode(t + i, n - i, &cp);
        if (k == 0 || !is_name_rune(t + i, k))
            break;
        i += k;
    }
    if (i == start)
        return false;
    *name = t + start;
    *namelen = i - start;
    if (brace) {
        if (i >= n || t[i] != '}')
            return false;
        i++;
    }
    long v = 0;
    for (size_t j = 0; j < *namelen; j++) {
        char c = (*name)[j];
        if (c < '0' || c > '9' || v >= 100000000) {
            v = -1;
            break;
        }
        v = v * 10 + (c - '0');
    }
    if ((*name)[0] == '0' && *namelen > 1)
        v = -1;
    *num = v;
    *used = i;
    return true;
}

void append_group(const rp_re *e, const char *s, const rp_re_span *m, int nm, long g,
                  rp_buf *out)
{
    if (g >= 0 && g < nm && m[g].lo >= 0)
        rp_buf_append(out, s + m[g].lo, static_cast<size_t>(m[g].hi - m[g].lo));
    (void)e;
}

/* Go's Regexp.expand for one match m[0..nm). */
void expand(const rp_re *e, const char *tpl, size_t tn, const char *s, const rp_re_span *m,
            int nm, rp_buf *out)
{
    size_t i = 0;
    while (i < tn) {
        const char *dollar = static_cast<const char *>(memchr(tpl + i, '$', tn - i));
        if (!dollar)
            break;
        size_t d = static_cast<size_t>(dollar - tpl);
        rp_buf_append(out, tpl + i, d - i);
        i = d + 1;
        if (i < tn && tpl[i] == '$') {
            rp_buf_putc(out, '$');
            i++;
            continue;
        }
        const char *name;
        size_t namelen, used;
        long num;
        if (!extract(tpl + i, tn - i, &name, &namelen, &num, &used)) {
            rp_buf_putc(out, '$');
            continue;
        }
        i += used;
        if (num >= 0) {
            append_group(e, s, m, nm, num, out);
        } else {
            for (size_t g = 0; g < e->names.size(); g++)
                if (e->names[g].size() == namelen &&
                    memcmp(e->names[g].data(), name, namelen) == 0 &&
                    static_cast<int>(g) < nm && m[g].lo >= 0) {
                    append_group(e, s, m, nm, static_cast<long>(g), out);
                    break;
                }
        }
    }
    rp_buf_append(out, tpl + i, tn - i);
}

} /* namespace */

/* ---- C API ---------------------------------------------------------------------- */

extern "C" {

rp_status rp_re_compile(const char *pat, size_t n, rp_re **out, char *msg, size_t cap)
{
    *out = nullptr;
    try {
        return compile_go(pat, n, out, msg, cap);
    } catch (...) {
        return RP_ERR_NOMEM;
    }
}

rp_re *rp_re_lookup(rp_re_keykind kind, const char *key, size_t keylen)
{
    try {
        return lookup(make_key(kind, key, keylen));
    } catch (...) {
        return nullptr;
    }
}

rp_status rp_re_compile_keyed(rp_re_keykind kind, const char *key, size_t keylen,
                              const char *re, size_t n, rp_re **out, char *msg, size_t cap)
{
    *out = nullptr;
    try {
        std::string k = make_key(kind, key, keylen);
        if ((*out = lookup(k)) != nullptr)
            return RP_OK;
        return build(k, re, n, re, n, nullptr, false, out, msg, cap);
    } catch (...) {
        return RP_ERR_NOMEM;
    }
}

void rp_re_release(rp_re *re)
{
    if (!re)
        return;
    bool dead;
    {
        std::lock_guard<std::mutex> g(cache().mu);
        dead = --re->refs == 0;
    }
    if (dead)
        destroy(re);
}

size_t rp_re_program_size(const rp_re *re)
{
    return static_cast<size_t>(re->re->ProgramSize());
}

int rp_re_num_groups(const rp_re *re)
{
    return re->ngroups;
}

int rp_re_group_index(const rp_re *re, const char *name, size_t n)
{
    for (size_t g = 1; g < re->names.size(); g++)
        if (re->names[g].size() == n && memcmp(re->names[g].data(), name, n) == 0)
            return static_cast<int>(g);
    return -1;
}

bool rp_re_match(const rp_re *re, const char *s, size_t n)
{
    if (re->mid_rune) {
        rp_re_span whole;
        return rp_re_find_at(re, s, n, 0, &whole, 1);
    }
    return find(*re->re, s, n, 0, nullptr, 0);
}

bool rp_re_full_match(const rp_re *re, const char *s, size_t n)
{
    return re->re->Match(re2::StringPiece(s, n), 0, n, RE2::ANCHOR_BOTH, nullptr, 0);
}

bool rp_re_find_at(const rp_re *re, const char *s, size_t n, size_t pos, rp_re_span *spans,
                   int nspans)
{
    if (pos > n)
        return false;
    int nsub = nspans < 1 ? 1 : nspans;
    if (nsub > re->ngroups + 1)
        nsub = re->ngroups + 1;
    re2::StringPiece small[8];
    std::vector<re2::StringPiece> big;
    re2::StringPiece *sub = small;
    if (nsub > 8) {
        try {
            big.resize(static_cast<size_t>(nsub));
        } catch (...) {
            return false;
        }
        sub = big.data();
    }
    /* Go steps through the subject rune by rune from pos; RE2 steps byte by
     * byte, so an empty \B match may land inside a rune.  Such a match does
     * not exist for Go: search again from the next rune. */
    size_t from = pos, cursor = pos;
    for (;;) {
        if (!find(*re->re, s, n, from, sub, nsub))
            return false;
        size_t lo = static_cast<size_t>(sub[0].data() - s);
        if (!re->mid_rune || sub[0].size() != 0)
            break;
        while (cursor < lo)
            cursor += rune_width(s, n, cursor);
        if (cursor == lo)
            break;
        from = cursor;
    }
    to_spans(s, sub, nsub, spans);
    for (int i = nsub; i < nspans; i++)
        spans[i].lo = spans[i].hi = -1;
    return true;
}

bool rp_re_find_all(const rp_re *re, const char *s, size_t n, int64_t limit, int nspans,
                    rp_re_each_fn fn, void *ud)
{
    int nsub = nspans < 1 ? 1 : nspans;
    if (nsub > re->ngroups + 1)
        nsub = re->ngroups + 1;
    std::vector<rp_re_span> spans;
    try {
        spans.resize(static_cast<size_t>(nsub));
    } catch (...) {
        return false;
    }
    if (limit < 0)
        limit = INT64_MAX;
    int64_t prev_end = -1, found = 0;
    size_t pos = 0;
    while (found < limit && pos <= n) {
        if (!rp_re_find_at(re, s, n, pos, spans.data(), nsub))
            break;
        bool accept = true;
        if (spans[0].hi == static_cast<int64_t>(pos)) {
            /* An empty match: never right after the previous match; step
             * over one rune so the search makes progress. */
            if (spans[0].lo == prev_end)
                accept = false;
            size_t w = rune_width(s, n, pos);
            pos = w ? pos + w : n + 1;
        } else {
            pos = static_cast<size_t>(spans[0].hi);
        }
        prev_end = spans[0].hi;
        if (accept) {
            found++;
            if (!fn(ud, spans.data(), nsub))
                return false;
        }
    }
    return true;
}

void rp_re_replace_all(const rp_re *re, const char *s, size_t n, const char *repl, size_t rn,
                       size_t max, rp_buf *out)
{
    /* Go computes submatches only when the template mentions '$'. */
    int nsub = memchr(repl, '$', rn) ? re->ngroups + 1 : 1;
    std::vector<rp_re_span> m;
    try {
        m.resize(static_cast<size_t>(nsub));
    } catch (...) {
        out->failed = true;
        return;
    }
    size_t last_end = 0, pos = 0;
    while (pos <= n && !out->failed) {
        if (!rp_re_find_at(re, s, n, pos, m.data(), nsub))
            break;
        size_t lo = static_cast<size_t>(m[0].lo), hi = static_cast<size_t>(m[0].hi);
        rp_buf_append(out, s + last_end, lo - last_end);
        /* No replacement for an empty match right after a match. */
        if (hi > last_end || lo == 0)
            expand(re, repl, rn, s, m.data(), nsub, out);
        last_end = hi;
        if (out->len > max)
            out->failed = true;
        size_t w = rune_width(s, n, pos);
        if (pos + w > hi)
            pos += w;
        else if (pos + 1 > hi)
            pos++;
        else
            pos = hi;
    }
    rp_buf_append(out, s + last_end, n - last_end);
    if (out->len > max)
        out->failed = true;
}

bool rp_re_unicode_is_print(uint32_t cp)
{
    static const RE2 *print = new RE2("[\\pL\\pM\\pN\\pP\\pS ]");
    char buf[4];
    size_t k = rp_utf8_encode(cp, buf);
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return false;
    return RE2::FullMatch(re2::StringPiece(buf, k), *print);
}

void rp_re_cache_stats(size_t *entries, size_t *bytes)
{
    Cache &c = cache();
    std::lock_guard<std::mutex> g(c.mu);
    *entries = c.map.size();
    *bytes = c.bytes;
}

void rp_re_cache_clear(void)
{
    Cache &c = cache();
    std::vector<rp_re *> dead;
    {
        std::lock_guard<std::mutex> g(c.mu);
        while (!c.lru.empty()) {
            rp_re *e = c.lru.back();
            if (unlink_locked(c, e))
                dead.push_back(e);
        }
    }
    for (rp_re *d : dead)
        destroy(d);
}

} /* extern "C" */
