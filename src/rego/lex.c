/*
 * lex.c — the Rego scanner (see lex.h for the behaviour it reproduces).
 *
 * The scanner keeps one character of lookahead (curr), like OPA's: a token
 * ends where the character that does not belong to it starts, and an error
 * found while reading that lookahead character (NUL, invalid UTF-8, a stray
 * byte-order mark) is reported with the token being scanned, as OPA does.
 * ASCII takes the fast path; UTF-8 is decoded only for bytes >= 0x80.
 * Invariant: 0 <= pos <= n, and curr == -1 exactly when pos == n.
 */
#include "lex.h"

#include <string.h>

#include "../base/rp.h"

static void lex_error(rego_lexer *lx, const char *msg)
{
    if (!lx->err)
        lx->err = msg;
}

/* Unicode decimal digits (category Nd) above ASCII: Go's unicode.IsDigit,
 * which OPA's scanner accepts after the first character of an identifier. */
static const uint32_t nd_ranges[][2] = {
    {0x660, 0x669},     {0x6F0, 0x6F9},     {0x7C0, 0x7C9},     {0x966, 0x96F},
    {0x9E6, 0x9EF},     {0xA66, 0xA6F},     {0xAE6, 0xAEF},     {0xB66, 0xB6F},
    {0xBE6, 0xBEF},     {0xC66, 0xC6F},     {0xCE6, 0xCEF},     {0xD66, 0xD6F},
    {0xDE6, 0xDEF},     {0xE50, 0xE59},     {0xED0, 0xED9},     {0xF20, 0xF29},
    {0x1040, 0x1049},   {0x1090, 0x1099},   {0x17E0, 0x17E9},   {0x1810, 0x1819},
    {0x1946, 0x194F},   {0x19D0, 0x19D9},   {0x1A80, 0x1A89},   {0x1A90, 0x1A99},
    {0x1B50, 0x1B59},   {0x1BB0, 0x1BB9},   {0x1C40, 0x1C49},   {0x1C50, 0x1C59},
    {0xA620, 0xA629},   {0xA8D0, 0xA8D9},   {0xA900, 0xA909},   {0xA9D0, 0xA9D9},
    {0xA9F0, 0xA9F9},   {0xAA50, 0xAA59},   {0xABF0, 0xABF9},   {0xFF10, 0xFF19},
    {0x104A0, 0x104A9}, {0x10D30, 0x10D39}, {0x11066, 0x1106F}, {0x110F0, 0x110F9},
    {0x11136, 0x1113F}, {0x111D0, 0x111D9}, {0x112F0, 0x112F9}, {0x11450, 0x11459},
    {0x114D0, 0x114D9}, {0x11650, 0x11659}, {0x116C0, 0x116C9}, {0x11730, 0x11739},
    {0x118E0, 0x118E9}, {0x11950, 0x11959}, {0x11C50, 0x11C59}, {0x11D50, 0x11D59},
    {0x11DA0, 0x11DA9}, {0x11F50, 0x11F59}, {0x16A60, 0x16A69}, {0x16AC0, 0x16AC9},
    {0x16B50, 0x16B59}, {0x1D7CE, 0x1D7FF}, {0x1E140, 0x1E149}, {0x1E2F0, 0x1E2F9},
    {0x1E4F0, 0x1E4F9}, {0x1E950, 0x1E959}, {0x1FBF0, 0x1FBF9},
};

static bool is_unicode_digit(int32_t c)
{
    size_t lo = 0, hi = RP_ARRAY_LEN(nd_ranges);
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if ((uint32_t)c < nd_ranges[mid][0])
            hi = mid;
        else if ((uint32_t)c > nd_ranges[mid][1])
            lo = mid + 1;
        else
            return true;
    }
    return false;
}

static bool is_letter(int32_t c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_decimal(int32_t c) { return c >= '0' && c <= '9'; }

static bool is_digit(int32_t c) { return is_decimal(c) || (c >= 0x80 && is_unicode_digit(c)); }

/* Advances to the next character and updates line/column. */
static void lex_next(rego_lexer *lx)
{
    lx->pos += lx->width;
    if (lx->pos >= lx->n) {
        lx->pos = lx->n;
        lx->curr = -1;
        lx->width = 0;
        return;
    }
    unsigned char b = (unsigned char)lx->src[lx->pos];
    lx->width = 1;
    if (b < 0x80) {
        lx->curr = b;
        if (b == 0)
            lex_error(lx, "illegal null character");
    } else {
        uint32_t cp;
        size_t w = rp_utf8_decode(lx->src + lx->pos, lx->n - lx->pos, &cp);
        if (w == 0) {
            lx->curr = 0xFFFD;
            lex_error(lx, "illegal utf-8 character");
        } else {
            lx->curr = (int32_t)cp;
            lx->width = (uint8_t)w;
            if (cp == 0xFEFF && lx->pos > 0)
                lex_error(lx, "illegal byte-order mark");
        }
    }
    if (lx->curr == '\n') {
        lx->line++;
        lx->col = 0;
    } else {
        lx->col++;
    }
}

void rego_lex_init(rego_lexer *lx, const char *src, size_t n, unsigned kw)
{
    memset(lx, 0, sizeof(*lx));
    lx->src = src;
    lx->n = (uint32_t)n;
    lx->kw = (uint8_t)kw;
    lx->line = 1;
    lx->curr = -1;
    lex_next(lx);
    if (lx->curr == 0xFEFF)
        lex_next(lx);
}

rego_tok_kind rego_lex_keyword(const char *s, size_t n, unsigned kw)
{
    /* Dispatch on length and first byte: this runs for every identifier. */
    switch (n) {
    case 2:
        if (s[0] == 'a' && s[1] == 's')
            return REGO_TOK_AS;
        if (s[0] == 'i' && s[1] == 'n' && (kw & REGO_KW_IN))
            return REGO_TOK_IN;
        if (s[0] == 'i' && s[1] == 'f' && (kw & REGO_KW_IF))
            return REGO_TOK_IF;
        break;
    case 3:
        if (memcmp(s, "not", 3) == 0)
            return REGO_TOK_NOT;
        break;
    case 4:
        switch (s[0]) {
        case 'e':
            if (memcmp(s, "else", 4) == 0)
                return REGO_TOK_ELSE;
            break;
        case 's':
            if (memcmp(s, "some", 4) == 0)
                return REGO_TOK_SOME;
            break;
        case 'w':
            if (memcmp(s, "with", 4) == 0)
                return REGO_TOK_WITH;
            break;
        case 'n':
            if (memcmp(s, "null", 4) == 0)
                return REGO_TOK_NULL;
            break;
        case 't':
            if (memcmp(s, "true", 4) == 0)
                return REGO_TOK_TRUE;
            break;
        default:
            break;
        }
        break;
    case 5:
        if (memcmp(s, "false", 5) == 0)
            return REGO_TOK_FALSE;
        if (memcmp(s, "every", 5) == 0 && (kw & REGO_KW_EVERY))
            return REGO_TOK_EVERY;
        break;
    case 6:
        if (memcmp(s, "import", 6) == 0)
            return REGO_TOK_IMPORT;
        break;
    case 7:
        if (memcmp(s, "package", 7) == 0)
            return REGO_TOK_PACKAGE;
        if (memcmp(s, "default", 7) == 0)
            return REGO_TOK_DEFAULT;
        break;
    case 8:
        if (memcmp(s, "contains", 8) == 0 && (kw & REGO_KW_CONTAINS))
            return REGO_TOK_CONTAINS;
        break;
    default:
        break;
    }
    return REGO_TOK_IDENT;
}

static void scan_identifier(rego_lexer *lx)
{
    while (is_letter(lx->curr) || is_digit(lx->curr))
        lex_next(lx);
}

/* Integers, decimals and exponents.  Like OPA, letters glued to a number
 * make one bad token ("0a2b"), not a number followed by an identifier. */
static void scan_number(rego_lexer *lx)
{
    while (is_decimal(lx->curr))
        lex_next(lx);
    if (lx->curr == '.') {
        lex_next(lx);
        bool found = false;
        while (is_decimal(lx->curr)) {
            lex_next(lx);
            found = true;
        }
        if (!found)
            lex_error(lx, "expected fraction");
    }
    if (lx->curr == 'e' || lx->curr == 'E') {
        lex_next(lx);
        if (lx->curr == '+' || lx->curr == '-')
            lex_next(lx);
        bool found = false;
        while (is_decimal(lx->curr)) {
            lex_next(lx);
            found = true;
        }
        if (!found)
            lex_error(lx, "expected exponent");
    }
    if (is_letter(lx->curr)) {
        lex_error(lx, "illegal number format");
        while (is_letter(lx->curr) || is_digit(lx->curr))
            lex_next(lx);
    }
}

/* A "..." string; curr is the character after the opening quote.  Escapes
 * are only skipped here (\u and the three characters after it, as OPA's
 * scanner does); the parser decodes and validates them. */
static void scan_string(rego_lexer *lx)
{
    for (;;) {
        int32_t ch = lx->curr;
        if (ch == '\n' || ch < 0) {
            lex_error(lx, "non-terminated string");
            return;
        }
        lex_next(lx);
        if (ch == '"')
            return;
        if (ch != '\\')
            continue;
        switch (lx->curr) {
        case '\\': case '"': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
            lex_next(lx);
            break;
        case 'u':
            for (int i = 0; i < 4; i++)
                lex_next(lx);
            break;
        default:
            lex_error(lx, "illegal escape sequence");
            break;
        }
    }
}

/* A `raw` string: anything up to the next backquote, newlines included. */
static void scan_raw_string(rego_lexer *lx)
{
    for (;;) {
        int32_t ch = lx->curr;
        lex_next(lx);
        if (ch == '`')
            return;
        if (ch < 0) {
            lex_error(lx, "non-terminated string");
            return;
        }
    }
}

/* The text of a template string up to the `{` that opens an expression or
 * the closing quote, as OPA's scanner reads it: the escapes of "..." plus
 * `\{` (a literal brace), no newline.  Like scan_string it only skips
 * escapes; the parser decodes them. */
static rego_tok_kind scan_template_text(rego_lexer *lx)
{
    for (;;) {
        int32_t ch = lx->curr;
        if (ch == '\n' || ch < 0) {
            lex_error(lx, "non-terminated string");
            return REGO_TOK_TEMPLATE_PART;
        }
        lex_next(lx);
        if (ch == '"')
            return REGO_TOK_TEMPLATE_END;
        if (ch == '{')
            return REGO_TOK_TEMPLATE_PART;
        if (ch != '\\')
            continue;
        switch (lx->curr) {
        case '\\': case '"': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
        case '{':
            lex_next(lx);
            break;
        case 'u':
            for (int i = 0; i < 4; i++)
                lex_next(lx);
            break;
        default:
            lex_error(lx, "illegal escape sequence");
            break;
        }
    }
}

/* The raw form: anything, newlines included, up to `{` or the backquote;
 * only `\{` is an escape. */
static rego_tok_kind scan_raw_template_text(rego_lexer *lx)
{
    for (;;) {
        int32_t ch = lx->curr;
        if (ch < 0) {
            lex_error(lx, "non-terminated string");
            return REGO_TOK_RAW_TEMPLATE_PART;
        }
        lex_next(lx);
        if (ch == '`')
            return REGO_TOK_RAW_TEMPLATE_END;
        if (ch == '{')
            return REGO_TOK_RAW_TEMPLATE_PART;
        if (ch == '\\' && lx->curr == '{')
            lex_next(lx);
    }
}

/* Two-character operators: returns two when the next character is '='. */
static rego_tok_kind with_eq(rego_lexer *lx, rego_tok_kind one, rego_tok_kind two)
{
    if (lx->curr != '=')
        return one;
    lex_next(lx);
    return two;
}

static rego_tok_kind scan_punct(rego_lexer *lx, int32_t ch)
{
    switch (ch) {
    case -1: return REGO_TOK_EOF;
    case '[': return REGO_TOK_LBRACK;
    case ']': return REGO_TOK_RBRACK;
    case '{': return REGO_TOK_LBRACE;
    case '}': return REGO_TOK_RBRACE;
    case '(': return REGO_TOK_LPAREN;
    case ')': return REGO_TOK_RPAREN;
    case ',': return REGO_TOK_COMMA;
    case ':': return with_eq(lx, REGO_TOK_COLON, REGO_TOK_ASSIGN);
    case '+': return REGO_TOK_ADD;
    case '-': return REGO_TOK_SUB;
    case '*': return REGO_TOK_MUL;
    case '/': return REGO_TOK_QUO;
    case '%': return REGO_TOK_REM;
    case '&': return REGO_TOK_AND;
    case '|': return REGO_TOK_OR;
    case '=': return with_eq(lx, REGO_TOK_UNIFY, REGO_TOK_EQUAL);
    case '>': return with_eq(lx, REGO_TOK_GT, REGO_TOK_GTE);
    case '<': return with_eq(lx, REGO_TOK_LT, REGO_TOK_LTE);
    case ';': return REGO_TOK_SEMICOLON;
    case '.': return REGO_TOK_DOT;
    case '!':
        if (lx->curr == '=') {
            lex_next(lx);
            return REGO_TOK_NEQ;
        }
        lex_error(lx, "illegal ! character");
        return REGO_TOK_ILLEGAL;
    case '$':
        /* `$"` and `$`` open template strings (handled by the caller). */
        lex_error(lx, "illegal $ character");
        return REGO_TOK_ILLEGAL;
    default:
        /* Any other character (including non-ASCII letters) is a token OPA
         * calls "illegal", without a scanner message. */
        return REGO_TOK_ILLEGAL;
    }
}

void rego_lex_scan(rego_lexer *lx, rego_token *t)
{
    int32_t c = lx->curr;
    t->off = lx->pos;
    t->line = lx->line;
    t->col = lx->col;
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        lex_next(lx);
        t->kind = REGO_TOK_WS;
    } else if (is_letter(c)) {
        scan_identifier(lx);
        t->kind = (uint8_t)rego_lex_keyword(lx->src + t->off, lx->pos - t->off, lx->kw);
    } else if (is_decimal(c)) {
        scan_number(lx);
        t->kind = REGO_TOK_NUMBER;
    } else {
        lex_next(lx);
        switch (c) {
        case '#':
            while (lx->curr != '\n' && lx->curr != -1)
                lex_next(lx);
            t->kind = REGO_TOK_COMMENT;
            t->end = lx->pos;
            /* A comment ends before "\r\n" as well as before "\n". */
            if (t->end > t->off + 1 && lx->src[t->end - 1] == '\r')
                t->end--;
            t->err = lx->err;
            lx->err = NULL;
            return;
        case '"':
            scan_string(lx);
            t->kind = REGO_TOK_STRING;
            break;
        case '`':
            scan_raw_string(lx);
            t->kind = REGO_TOK_STRING;
            break;
        case '$':
            if (lx->curr == '"' || lx->curr == '`') {
                bool raw = lx->curr == '`';
                lex_next(lx);
                t->kind = (uint8_t)(raw ? scan_raw_template_text(lx) : scan_template_text(lx));
                break;
            }
            t->kind = (uint8_t)scan_punct(lx, c);
            break;
        default:
            t->kind = (uint8_t)scan_punct(lx, c);
            break;
        }
    }
    t->end = lx->pos;
    t->err = lx->err;
    lx->err = NULL;
}

void rego_lex_scan_template(rego_lexer *lx, rego_token *t, bool raw)
{
    t->off = lx->pos;
    t->line = lx->line;
    t->col = lx->col;
    t->kind = (uint8_t)(raw ? scan_raw_template_text(lx) : scan_template_text(lx));
    t->end = lx->pos;
    t->err = lx->err;
    lx->err = NULL;
}

static const char *const tok_names[] = {
    [REGO_TOK_ILLEGAL] = "illegal", [REGO_TOK_EOF] = "eof",
    [REGO_TOK_WS] = "whitespace",   [REGO_TOK_IDENT] = "ident",
    [REGO_TOK_COMMENT] = "comment", [REGO_TOK_PACKAGE] = "package",
    [REGO_TOK_IMPORT] = "import",   [REGO_TOK_AS] = "as",
    [REGO_TOK_DEFAULT] = "default", [REGO_TOK_ELSE] = "else",
    [REGO_TOK_NOT] = "not",         [REGO_TOK_SOME] = "some",
    [REGO_TOK_WITH] = "with",       [REGO_TOK_NULL] = "null",
    [REGO_TOK_TRUE] = "true",       [REGO_TOK_FALSE] = "false",
    [REGO_TOK_NUMBER] = "number",   [REGO_TOK_STRING] = "string",
    [REGO_TOK_TEMPLATE_PART] = "template-string-part",
    [REGO_TOK_TEMPLATE_END] = "template-string-end",
    [REGO_TOK_RAW_TEMPLATE_PART] = "raw-template-string-part",
    [REGO_TOK_RAW_TEMPLATE_END] = "raw-template-string-end",
    [REGO_TOK_LBRACK] = "[",        [REGO_TOK_RBRACK] = "]",
    [REGO_TOK_LBRACE] = "{",        [REGO_TOK_RBRACE] = "}",
    [REGO_TOK_LPAREN] = "(",        [REGO_TOK_RPAREN] = ")",
    [REGO_TOK_COMMA] = ",",         [REGO_TOK_COLON] = ":",
    [REGO_TOK_ADD] = "plus",        [REGO_TOK_SUB] = "minus",
    [REGO_TOK_MUL] = "mul",         [REGO_TOK_QUO] = "div",
    [REGO_TOK_REM] = "rem",         [REGO_TOK_AND] = "and",
    [REGO_TOK_OR] = "or",           [REGO_TOK_UNIFY] = "eq",
    [REGO_TOK_EQUAL] = "equal",     [REGO_TOK_ASSIGN] = "assign",
    [REGO_TOK_IN] = "in",           [REGO_TOK_NEQ] = "neq",
    [REGO_TOK_GT] = "gt",           [REGO_TOK_LT] = "lt",
    [REGO_TOK_GTE] = "gte",         [REGO_TOK_LTE] = "lte",
    [REGO_TOK_DOT] = ".",           [REGO_TOK_SEMICOLON] = ";",
    [REGO_TOK_EVERY] = "every",     [REGO_TOK_CONTAINS] = "contains",
    [REGO_TOK_IF] = "if",
};

const char *rego_tok_name(rego_tok_kind k)
{
    if ((size_t)k >= RP_ARRAY_LEN(tok_names) || !tok_names[k])
        return "unknown";
    return tok_names[k];
}

bool rego_tok_is_keyword(rego_tok_kind k)
{
    return (k >= REGO_TOK_PACKAGE && k <= REGO_TOK_FALSE) || k == REGO_TOK_IN ||
           k == REGO_TOK_EVERY || k == REGO_TOK_CONTAINS || k == REGO_TOK_IF;
}
