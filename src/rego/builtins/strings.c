/*
 * strings.c — the builtin group "strings": concat, contains, startswith,
 * endswith, format_int, indexof, indexof_n, lower, upper, replace, split,
 * substring, trim, trim_left, trim_right, trim_prefix, trim_suffix,
 * trim_space, strings.any_prefix_match, strings.any_suffix_match,
 * strings.count, strings.replace_n, strings.reverse, strings.split_n, plus the
 * table entries for sprintf (sprintf.c) and strings.render_template
 * (render_template.c).
 *
 * Behaviour and error texts follow OPA's topdown/strings.go, which hands most
 * of the work to Go's strings and unicode packages; where Go's choices are
 * subtle (invalid UTF-8, empty separators, strings.Replacer priorities) the
 * function comment says which one we copy.  Invalid UTF-8 decodes as U+FFFD
 * one byte at a time, as Go's range-over-string does.
 *
 * Unicode data (const tables below, Unicode 14.0, generated from the UCD as
 * shipped with Perl 5.36): simple case mappings (UnicodeData.txt fields 12
 * and 13) — the same data Go's unicode.ToUpper/ToLower use, so lower() and
 * upper() agree with OPA for every script (Latin, Greek, Cyrillic, Armenian,
 * Georgian, Cherokee, Deseret, Adlam, ...), with one-to-one mappings only
 * ("ß" stays "ß", as in Go) — and White_Space for trim_space.
 *
 * Bounds: every builtin is linear in its input (any_*_match: n log n;
 * replace_n uses an Aho-Corasick automaton, not Go's quadratic trie walk).
 * Results that can outgrow their input (concat, replace, replace_n) are
 * capped at REGO_MAX_STRING_BYTES.  No mutable globals.
 */
#include <gmp.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../builtin.h"
#include "../limits.h"
#include "sprintf.h"

/* ---- Unicode tables -------------------------------------------------------- */

/* One range of code points sharing a case mapping: r maps to r + up / r + down.
 * CASE_ALT marks alternating upper/lower pairs starting with an uppercase
 * letter at lo (U+0100 Ā, U+0101 ā, ...), as Go's unicode.UpperLower. */
#define CASE_ALT INT32_MAX
typedef struct {
    uint32_t lo, hi;
    int32_t up, down;
} case_range;

static const case_range case_ranges[] = {
    {0x0041, 0x005A, 0, 32}, {0x0061, 0x007A, -32, 0}, {0x00B5, 0x00B5, 743, 0},
    {0x00C0, 0x00D6, 0, 32}, {0x00D8, 0x00DE, 0, 32}, {0x00E0, 0x00F6, -32, 0},
    {0x00F8, 0x00FE, -32, 0}, {0x00FF, 0x00FF, 121, 0}, {0x0100, 0x012F, CASE_ALT, 0},
    {0x0130, 0x0130, 0, -199}, {0x0131, 0x0131, -232, 0}, {0x0132, 0x0137, CASE_ALT, 0},
    {0x0139, 0x0148, CASE_ALT, 0}, {0x014A, 0x0177, CASE_ALT, 0}, {0x0178, 0x0178, 0, -121},
    {0x0179, 0x017E, CASE_ALT, 0}, {0x017F, 0x017F, -300, 0}, {0x0180, 0x0180, 195, 0},
    {0x0181, 0x0181, 0, 210}, {0x0182, 0x0185, CASE_ALT, 0}, {0x0186, 0x0186, 0, 206},
    {0x0187, 0x0187, 0, 1}, {0x0188, 0x0188, -1, 0}, {0x0189, 0x018A, 0, 205},
    {0x018B, 0x018B, 0, 1}, {0x018C, 0x018C, -1, 0}, {0x018E, 0x018E, 0, 79},
    {0x018F, 0x018F, 0, 202}, {0x0190, 0x0190, 0, 203}, {0x0191, 0x0191, 0, 1},
    {0x0192, 0x0192, -1, 0}, {0x0193, 0x0193, 0, 205}, {0x0194, 0x0194, 0, 207},
    {0x0195, 0x0195, 97, 0}, {0x0196, 0x0196, 0, 211}, {0x0197, 0x0197, 0, 209},
    {0x0198, 0x0198, 0, 1}, {0x0199, 0x0199, -1, 0}, {0x019A, 0x019A, 163, 0},
    {0x019C, 0x019C, 0, 211}, {0x019D, 0x019D, 0, 213}, {0x019E, 0x019E, 130, 0},
    {0x019F, 0x019F, 0, 214}, {0x01A0, 0x01A5, CASE_ALT, 0}, {0x01A6, 0x01A6, 0, 218},
    {0x01A7, 0x01A7, 0, 1}, {0x01A8, 0x01A8, -1, 0}, {0x01A9, 0x01A9, 0, 218},
    {0x01AC, 0x01AC, 0, 1}, {0x01AD, 0x01AD, -1, 0}, {0x01AE, 0x01AE, 0, 218},
    {0x01AF, 0x01AF, 0, 1}, {0x01B0, 0x01B0, -1, 0}, {0x01B1, 0x01B2, 0, 217},
    {0x01B3, 0x01B6, CASE_ALT, 0}, {0x01B7, 0x01B7, 0, 219}, {0x01B8, 0x01B8, 0, 1},
    {0x01B9, 0x01B9, -1, 0}, {0x01BC, 0x01BC, 0, 1}, {0x01BD, 0x01BD, -1, 0},
    {0x01BF, 0x01BF, 56, 0}, {0x01C4, 0x01C4, 0, 2}, {0x01C5, 0x01C5, -1, 1},
    {0x01C6, 0x01C6, -2, 0}, {0x01C7, 0x01C7, 0, 2}, {0x01C8, 0x01C8, -1, 1},
    {0x01C9, 0x01C9, -2, 0}, {0x01CA, 0x01CA, 0, 2}, {0x01CB, 0x01CB, -1, 1},
    {0x01CC, 0x01CC, -2, 0}, {0x01CD, 0x01DC, CASE_ALT, 0}, {0x01DD, 0x01DD, -79, 0},
    {0x01DE, 0x01EF, CASE_ALT, 0}, {0x01F1, 0x01F1, 0, 2}, {0x01F2, 0x01F2, -1, 1},
    {0x01F3, 0x01F3, -2, 0}, {0x01F4, 0x01F4, 0, 1}, {0x01F5, 0x01F5, -1, 0},
    {0x01F6, 0x01F6, 0, -97}, {0x01F7, 0x01F7, 0, -56}, {0x01F8, 0x021F, CASE_ALT, 0},
    {0x0220, 0x0220, 0, -130}, {0x0222, 0x0233, CASE_ALT, 0}, {0x023A, 0x023A, 0, 10795},
    {0x023B, 0x023B, 0, 1}, {0x023C, 0x023C, -1, 0}, {0x023D, 0x023D, 0, -163},
    {0x023E, 0x023E, 0, 10792}, {0x023F, 0x0240, 10815, 0}, {0x0241, 0x0241, 0, 1},
    {0x0242, 0x0242, -1, 0}, {0x0243, 0x0243, 0, -195}, {0x0244, 0x0244, 0, 69},
    {0x0245, 0x0245, 0, 71}, {0x0246, 0x024F, CASE_ALT, 0}, {0x0250, 0x0250, 10783, 0},
    {0x0251, 0x0251, 10780, 0}, {0x0252, 0x0252, 10782, 0}, {0x0253, 0x0253, -210, 0},
    {0x0254, 0x0254, -206, 0}, {0x0256, 0x0257, -205, 0}, {0x0259, 0x0259, -202, 0},
    {0x025B, 0x025B, -203, 0}, {0x025C, 0x025C, 42319, 0}, {0x0260, 0x0260, -205, 0},
    {0x0261, 0x0261, 42315, 0}, {0x0263, 0x0263, -207, 0}, {0x0265, 0x0265, 42280, 0},
    {0x0266, 0x0266, 42308, 0}, {0x0268, 0x0268, -209, 0}, {0x0269, 0x0269, -211, 0},
    {0x026A, 0x026A, 42308, 0}, {0x026B, 0x026B, 10743, 0}, {0x026C, 0x026C, 42305, 0},
    {0x026F, 0x026F, -211, 0}, {0x0271, 0x0271, 10749, 0}, {0x0272, 0x0272, -213, 0},
    {0x0275, 0x0275, -214, 0}, {0x027D, 0x027D, 10727, 0}, {0x0280, 0x0280, -218, 0},
    {0x0282, 0x0282, 42307, 0}, {0x0283, 0x0283, -218, 0}, {0x0287, 0x0287, 42282, 0},
    {0x0288, 0x0288, -218, 0}, {0x0289, 0x0289, -69, 0}, {0x028A, 0x028B, -217, 0},
    {0x028C, 0x028C, -71, 0}, {0x0292, 0x0292, -219, 0}, {0x029D, 0x029D, 42261, 0},
    {0x029E, 0x029E, 42258, 0}, {0x0345, 0x0345, 84, 0}, {0x0370, 0x0373, CASE_ALT, 0},
    {0x0376, 0x0376, 0, 1}, {0x0377, 0x0377, -1, 0}, {0x037B, 0x037D, 130, 0},
    {0x037F, 0x037F, 0, 116}, {0x0386, 0x0386, 0, 38}, {0x0388, 0x038A, 0, 37},
    {0x038C, 0x038C, 0, 64}, {0x038E, 0x038F, 0, 63}, {0x0391, 0x03A1, 0, 32},
    {0x03A3, 0x03AB, 0, 32}, {0x03AC, 0x03AC, -38, 0}, {0x03AD, 0x03AF, -37, 0},
    {0x03B1, 0x03C1, -32, 0}, {0x03C2, 0x03C2, -31, 0}, {0x03C3, 0x03CB, -32, 0},
    {0x03CC, 0x03CC, -64, 0}, {0x03CD, 0x03CE, -63, 0}, {0x03CF, 0x03CF, 0, 8},
    {0x03D0, 0x03D0, -62, 0}, {0x03D1, 0x03D1, -57, 0}, {0x03D5, 0x03D5, -47, 0},
    {0x03D6, 0x03D6, -54, 0}, {0x03D7, 0x03D7, -8, 0}, {0x03D8, 0x03EF, CASE_ALT, 0},
    {0x03F0, 0x03F0, -86, 0}, {0x03F1, 0x03F1, -80, 0}, {0x03F2, 0x03F2, 7, 0},
    {0x03F3, 0x03F3, -116, 0}, {0x03F4, 0x03F4, 0, -60}, {0x03F5, 0x03F5, -96, 0},
    {0x03F7, 0x03F7, 0, 1}, {0x03F8, 0x03F8, -1, 0}, {0x03F9, 0x03F9, 0, -7},
    {0x03FA, 0x03FA, 0, 1}, {0x03FB, 0x03FB, -1, 0}, {0x03FD, 0x03FF, 0, -130},
    {0x0400, 0x040F, 0, 80}, {0x0410, 0x042F, 0, 32}, {0x0430, 0x044F, -32, 0},
    {0x0450, 0x045F, -80, 0}, {0x0460, 0x0481, CASE_ALT, 0}, {0x048A, 0x04BF, CASE_ALT, 0},
    {0x04C0, 0x04C0, 0, 15}, {0x04C1, 0x04CE, CASE_ALT, 0}, {0x04CF, 0x04CF, -15, 0},
    {0x04D0, 0x052F, CASE_ALT, 0}, {0x0531, 0x0556, 0, 48}, {0x0561, 0x0586, -48, 0},
    {0x10A0, 0x10C5, 0, 7264}, {0x10C7, 0x10C7, 0, 7264}, {0x10CD, 0x10CD, 0, 7264},
    {0x10D0, 0x10FA, 3008, 0}, {0x10FD, 0x10FF, 3008, 0}, {0x13A0, 0x13EF, 0, 38864},
    {0x13F0, 0x13F5, 0, 8}, {0x13F8, 0x13FD, -8, 0}, {0x1C80, 0x1C80, -6254, 0},
    {0x1C81, 0x1C81, -6253, 0}, {0x1C82, 0x1C82, -6244, 0}, {0x1C83, 0x1C84, -6242, 0},
    {0x1C85, 0x1C85, -6243, 0}, {0x1C86, 0x1C86, -6236, 0}, {0x1C87, 0x1C87, -6181, 0},
    {0x1C88, 0x1C88, 35266, 0}, {0x1C90, 0x1CBA, 0, -3008}, {0x1CBD, 0x1CBF, 0, -3008},
    {0x1D79, 0x1D79, 35332, 0}, {0x1D7D, 0x1D7D, 3814, 0}, {0x1D8E, 0x1D8E, 35384, 0},
    {0x1E00, 0x1E95, CASE_ALT, 0}, {0x1E9B, 0x1E9B, -59, 0}, {0x1E9E, 0x1E9E, 0, -7615},
    {0x1EA0, 0x1EFF, CASE_ALT, 0}, {0x1F00, 0x1F07, 8, 0}, {0x1F08, 0x1F0F, 0, -8},
    {0x1F10, 0x1F15, 8, 0}, {0x1F18, 0x1F1D, 0, -8}, {0x1F20, 0x1F27, 8, 0},
    {0x1F28, 0x1F2F, 0, -8}, {0x1F30, 0x1F37, 8, 0}, {0x1F38, 0x1F3F, 0, -8},
    {0x1F40, 0x1F45, 8, 0}, {0x1F48, 0x1F4D, 0, -8}, {0x1F51, 0x1F51, 8, 0},
    {0x1F53, 0x1F53, 8, 0}, {0x1F55, 0x1F55, 8, 0}, {0x1F57, 0x1F57, 8, 0},
    {0x1F59, 0x1F59, 0, -8}, {0x1F5B, 0x1F5B, 0, -8}, {0x1F5D, 0x1F5D, 0, -8},
    {0x1F5F, 0x1F5F, 0, -8}, {0x1F60, 0x1F67, 8, 0}, {0x1F68, 0x1F6F, 0, -8},
    {0x1F70, 0x1F71, 74, 0}, {0x1F72, 0x1F75, 86, 0}, {0x1F76, 0x1F77, 100, 0},
    {0x1F78, 0x1F79, 128, 0}, {0x1F7A, 0x1F7B, 112, 0}, {0x1F7C, 0x1F7D, 126, 0},
    {0x1F80, 0x1F87, 8, 0}, {0x1F88, 0x1F8F, 0, -8}, {0x1F90, 0x1F97, 8, 0},
    {0x1F98, 0x1F9F, 0, -8}, {0x1FA0, 0x1FA7, 8, 0}, {0x1FA8, 0x1FAF, 0, -8},
    {0x1FB0, 0x1FB1, 8, 0}, {0x1FB3, 0x1FB3, 9, 0}, {0x1FB8, 0x1FB9, 0, -8},
    {0x1FBA, 0x1FBB, 0, -74}, {0x1FBC, 0x1FBC, 0, -9}, {0x1FBE, 0x1FBE, -7205, 0},
    {0x1FC3, 0x1FC3, 9, 0}, {0x1FC8, 0x1FCB, 0, -86}, {0x1FCC, 0x1FCC, 0, -9},
    {0x1FD0, 0x1FD1, 8, 0}, {0x1FD8, 0x1FD9, 0, -8}, {0x1FDA, 0x1FDB, 0, -100},
    {0x1FE0, 0x1FE1, 8, 0}, {0x1FE5, 0x1FE5, 7, 0}, {0x1FE8, 0x1FE9, 0, -8},
    {0x1FEA, 0x1FEB, 0, -112}, {0x1FEC, 0x1FEC, 0, -7}, {0x1FF3, 0x1FF3, 9, 0},
    {0x1FF8, 0x1FF9, 0, -128}, {0x1FFA, 0x1FFB, 0, -126}, {0x1FFC, 0x1FFC, 0, -9},
    {0x2126, 0x2126, 0, -7517}, {0x212A, 0x212A, 0, -8383}, {0x212B, 0x212B, 0, -8262},
    {0x2132, 0x2132, 0, 28}, {0x214E, 0x214E, -28, 0}, {0x2160, 0x216F, 0, 16},
    {0x2170, 0x217F, -16, 0}, {0x2183, 0x2183, 0, 1}, {0x2184, 0x2184, -1, 0},
    {0x24B6, 0x24CF, 0, 26}, {0x24D0, 0x24E9, -26, 0}, {0x2C00, 0x2C2F, 0, 48},
    {0x2C30, 0x2C5F, -48, 0}, {0x2C60, 0x2C60, 0, 1}, {0x2C61, 0x2C61, -1, 0},
    {0x2C62, 0x2C62, 0, -10743}, {0x2C63, 0x2C63, 0, -3814}, {0x2C64, 0x2C64, 0, -10727},
    {0x2C65, 0x2C65, -10795, 0}, {0x2C66, 0x2C66, -10792, 0}, {0x2C67, 0x2C6C, CASE_ALT, 0},
    {0x2C6D, 0x2C6D, 0, -10780}, {0x2C6E, 0x2C6E, 0, -10749}, {0x2C6F, 0x2C6F, 0, -10783},
    {0x2C70, 0x2C70, 0, -10782}, {0x2C72, 0x2C72, 0, 1}, {0x2C73, 0x2C73, -1, 0},
    {0x2C75, 0x2C75, 0, 1}, {0x2C76, 0x2C76, -1, 0}, {0x2C7E, 0x2C7F, 0, -10815},
    {0x2C80, 0x2CE3, CASE_ALT, 0}, {0x2CEB, 0x2CEE, CASE_ALT, 0}, {0x2CF2, 0x2CF2, 0, 1},
    {0x2CF3, 0x2CF3, -1, 0}, {0x2D00, 0x2D25, -7264, 0}, {0x2D27, 0x2D27, -7264, 0},
    {0x2D2D, 0x2D2D, -7264, 0}, {0xA640, 0xA66D, CASE_ALT, 0}, {0xA680, 0xA69B, CASE_ALT, 0},
    {0xA722, 0xA72F, CASE_ALT, 0}, {0xA732, 0xA76F, CASE_ALT, 0}, {0xA779, 0xA77C, CASE_ALT, 0},
    {0xA77D, 0xA77D, 0, -35332}, {0xA77E, 0xA787, CASE_ALT, 0}, {0xA78B, 0xA78B, 0, 1},
    {0xA78C, 0xA78C, -1, 0}, {0xA78D, 0xA78D, 0, -42280}, {0xA790, 0xA793, CASE_ALT, 0},
    {0xA794, 0xA794, 48, 0}, {0xA796, 0xA7A9, CASE_ALT, 0}, {0xA7AA, 0xA7AA, 0, -42308},
    {0xA7AB, 0xA7AB, 0, -42319}, {0xA7AC, 0xA7AC, 0, -42315}, {0xA7AD, 0xA7AD, 0, -42305},
    {0xA7AE, 0xA7AE, 0, -42308}, {0xA7B0, 0xA7B0, 0, -42258}, {0xA7B1, 0xA7B1, 0, -42282},
    {0xA7B2, 0xA7B2, 0, -42261}, {0xA7B3, 0xA7B3, 0, 928}, {0xA7B4, 0xA7C3, CASE_ALT, 0},
    {0xA7C4, 0xA7C4, 0, -48}, {0xA7C5, 0xA7C5, 0, -42307}, {0xA7C6, 0xA7C6, 0, -35384},
    {0xA7C7, 0xA7CA, CASE_ALT, 0}, {0xA7D0, 0xA7D0, 0, 1}, {0xA7D1, 0xA7D1, -1, 0},
    {0xA7D6, 0xA7D9, CASE_ALT, 0}, {0xA7F5, 0xA7F5, 0, 1}, {0xA7F6, 0xA7F6, -1, 0},
    {0xAB53, 0xAB53, -928, 0}, {0xAB70, 0xABBF, -38864, 0}, {0xFF21, 0xFF3A, 0, 32},
    {0xFF41, 0xFF5A, -32, 0}, {0x10400, 0x10427, 0, 40}, {0x10428, 0x1044F, -40, 0},
    {0x104B0, 0x104D3, 0, 40}, {0x104D8, 0x104FB, -40, 0}, {0x10570, 0x1057A, 0, 39},
    {0x1057C, 0x1058A, 0, 39}, {0x1058C, 0x10592, 0, 39}, {0x10594, 0x10595, 0, 39},
    {0x10597, 0x105A1, -39, 0}, {0x105A3, 0x105B1, -39, 0}, {0x105B3, 0x105B9, -39, 0},
    {0x105BB, 0x105BC, -39, 0}, {0x10C80, 0x10CB2, 0, 64}, {0x10CC0, 0x10CF2, -64, 0},
    {0x118A0, 0x118BF, 0, 32}, {0x118C0, 0x118DF, -32, 0}, {0x16E40, 0x16E5F, 0, 32},
    {0x16E60, 0x16E7F, -32, 0}, {0x1E900, 0x1E921, 0, 34}, {0x1E922, 0x1E943, -34, 0},
};

/* Go's unicode.ToUpper / ToLower (simple mappings). */
static uint32_t to_case(uint32_t r, bool upper)
{
    if (r < 0x80) {
        if (upper && r >= 'a' && r <= 'z')
            return r - 32;
        if (!upper && r >= 'A' && r <= 'Z')
            return r + 32;
        return r;
    }
    size_t lo = 0, hi = RP_ARRAY_LEN(case_ranges);
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        const case_range *c = &case_ranges[mid];
        if (r < c->lo) {
            hi = mid;
        } else if (r > c->hi) {
            lo = mid + 1;
        } else if (c->up == CASE_ALT) {
            uint32_t even = r - ((r - c->lo) & 1);
            return upper ? even : even + 1;
        } else {
            return (uint32_t)((int64_t)r + (upper ? c->up : c->down));
        }
    }
    return r;
}

/* Go's unicode.IsSpace: the Latin-1 spaces plus the White_Space property. */
static bool is_space(uint32_t r)
{
    switch (r) {
    case '\t': case '\n': case '\v': case '\f': case '\r': case ' ':
    case 0x85: case 0xA0: case 0x1680: case 0x2028: case 0x2029:
    case 0x202F: case 0x205F: case 0x3000:
        return true;
    default:
        return r >= 0x2000 && r <= 0x200A;
    }
}

/* ---- UTF-8 as Go decodes it ------------------------------------------------ */

/* Decodes the rune at s[0..n), n > 0; an invalid sequence is U+FFFD of
 * width 1 (utf8.DecodeRuneInString). */
static size_t dec(const char *s, size_t n, uint32_t *cp)
{
    if ((unsigned char)s[0] < 0x80) {
        *cp = (unsigned char)s[0];
        return 1;
    }
    size_t k = rp_utf8_decode(s, n, cp);
    return k ? k : 1;
}

/* Decodes the last rune of s[0..n), n > 0 (utf8.DecodeLastRuneInString):
 * back up over at most three continuation bytes, and accept the sequence
 * only if it ends exactly at n. */
static size_t dec_last(const char *s, size_t n, uint32_t *cp)
{
    if ((unsigned char)s[n - 1] < 0x80) {
        *cp = (unsigned char)s[n - 1];
        return 1;
    }
    size_t lim = n >= 4 ? n - 4 : 0, start = n - 1;
    while (start > lim && ((unsigned char)s[start] & 0xC0) == 0x80)
        start--;
    uint32_t r;
    size_t k = rp_utf8_decode(s + start, n - start, &r);
    if (k == 0 || start + k != n) {
        *cp = 0xFFFD;
        return 1;
    }
    *cp = r;
    return k;
}

static bool is_ascii(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] >= 0x80)
            return false;
    return true;
}

/* Decodes s into an arena array of runes (invalid bytes become U+FFFD, as
 * Go's []rune(s)).  NULL when out of memory. */
static uint32_t *to_runes(rp_arena *a, const char *s, size_t n, size_t *count)
{
    uint32_t *r = rp_arena_array(a, n ? n : 1, sizeof(uint32_t));
    size_t k = 0;
    if (!r)
        return NULL;
    for (size_t i = 0; i < n; k++)
        i += dec(s + i, n - i, &r[k]);
    *count = k;
    return r;
}

/* ---- results and arguments ------------------------------------------------- */

/* RP_ERR_LIMIT rather than a builtin error: a result we refuse to build is a
 * resource limit, and must not turn into "undefined" in non-strict mode. */
static rp_status too_big(rego_bctx *ctx)
{
    return rp_error_setk(ctx->err, RP_ERR_LIMIT, RP_EK_EVAL_CANCEL, ctx->loc,
                         "%s: result would exceed %u bytes", ctx->bi->name,
                         (unsigned)REGO_MAX_STRING_BYTES);
}

/* Allocates an n-byte string result; NULL after reporting the error. */
static char *new_str(rego_bctx *ctx, size_t n, rego_value *out, rp_status *st)
{
    if (n > REGO_MAX_STRING_BYTES) {
        *st = too_big(ctx);
        return NULL;
    }
    char *p = rego_str_alloc(ctx->arena, n, out);
    *st = p ? RP_OK : rego_bi_nomem(ctx);
    return p;
}

static rp_status str_out(rego_bctx *ctx, const char *s, size_t n, rego_value *out)
{
    rp_status st;
    char *p = new_str(ctx, n, out, &st);
    if (p && n)
        memcpy(p, s, n);
    return st;
}

static bool arg_str(rego_bctx *ctx, const rego_value *args, int i, const char **s, size_t *n)
{
    return rego_bi_arg_str(ctx, args, i, s, n);
}

/* OPA's builtins.IntOperand: the number's text must parse as a Go int, so a
 * float (even 2.0) and an integer beyond int64 both fail, with the same
 * message. */
static bool arg_int(rego_bctx *ctx, const rego_value *args, int i, int64_t *v)
{
    if (!rego_bi_arg_num(ctx, args, i))
        return false;
    if (args[i].sub != REGO_NUM_INT) {
        rego_bi_type_errorf(ctx, "operand %d must be integer number but got floating-point number",
                            i + 1);
        return false;
    }
    *v = args[i].u.i;
    return true;
}

/* Non-overlapping occurrences of a non-empty needle, left to right. */
static size_t count_matches(const char *s, size_t n, const char *t, size_t tn)
{
    size_t c = 0;
    const char *p = s, *end = s + n;
    while ((size_t)(end - p) >= tn) {
        const char *m = memmem(p, (size_t)(end - p), t, tn);
        if (!m)
            break;
        c++;
        p = m + tn;
    }
    return c;
}

/* ---- contains, startswith, endswith, strings.count ------------------------- */

static rp_status bi_contains(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    const char *s, *t;
    size_t n, tn;
    if (!arg_str(ctx, args, 0, &s, &n) || !arg_str(ctx, args, 1, &t, &tn))
        return RP_ERR_TYPE;
    *out = rego_bool(tn == 0 || memmem(s, n, t, tn) != NULL);
    return RP_OK;
}

static rp_status bi_startswith(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    const char *s, *t;
    size_t n, tn;
    if (!arg_str(ctx, args, 0, &s, &n) || !arg_str(ctx, args, 1, &t, &tn))
        return RP_ERR_TYPE;
    *out = rego_bool(tn <= n && memcmp(s, t, tn) == 0);
    return RP_OK;
}

static rp_status bi_endswith(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    const char *s, *t;
    size_t n, tn;
    if (!arg_str(ctx, args, 0, &s, &n) || !arg_str(ctx, args, 1, &t, &tn))
        return RP_ERR_TYPE;
    *out = rego_bool(tn <= n && memcmp(s + n - tn, t, tn) == 0);
    return RP_OK;
}

/* Go's strings.Count: an empty substring matches before every rune and at
 * the end. */
static rp_status bi_count(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    const char *s, *t;
    size_t n, tn;
    if (!arg_str(ctx, args, 0, &s, &n) || !arg_str(ctx, args, 1, &t, &tn))
        return RP_ERR_TYPE;
    size_t c = tn == 0 ? rp_utf8_count(s, n) + 1 : count_matches(s, n, t, tn);
    *out = rego_int((int64_t)c);
    return RP_OK;
}

/* ---- concat ---------------------------------------------------------------- */

static rp_status bi_concat(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    const char *sep;
    size_t sn;
    if (!arg_str(ctx, args, 0, &sep, &sn))
        return RP_ERR_TYPE;
    rego_value c = args[1];
    if (c.kind != REGO_ARRAY && c.kind != REGO_SET)
        return rego_bi_type_error(ctx, 2, c, "one of {set, array}");
    const rego_value *items = c.kind == REGO_ARRAY ? c.u.items : c.u.set->items;
    size_t k = c.n, total = 0;
    for (size_t i = 0; i < k; i++) {
        if (items[i].kind != REGO_STRING)
            return rego_bi_type_errorf(ctx, "operand 2 must be %s of strings but got %s "
                                            "containing %s", rego_type_name(c),
                                       rego_type_name(c), rego_type_name(items[i]));
        total += items[i].n; /* each < 4 GiB; k < 4 G: no overflow in 64 bits */
    }
    if (k == 0)
        return str_out(ctx, "", 0, out);
    if (k == 1) {
        *out = items[0];
        return RP_OK;
    }
    size_t seps;
    if (__builtin_mul_overflow(sn, k - 1, &seps) || __builtin_add_overflow(total, seps, &total))
        return too_big(ctx);
    rp_status st;
    char *p = new_str(ctx, total, out, &st);
    if (!p)
        return st;
    for (size_t i = 0; i < k; i++) {
        if (i) {
            memcpy(p, sep, sn);
            p += sn;
        }
        memcpy(p, items[i].u.s, items[i].n);
        p += items[i].n;
    }
    return RP_OK;
}

/* ---- format_int ------------------------------------------------------------ */

/* The integer part of an extended value, exactly. */
static void ext_trunc_to_mpz(long double r, mpz_t z)
{
    int e;
    long double m = frexpl(fabsl(truncl(r)), &e); /* |trunc r| = m * 2^e */
    uint64_t mant = (uint64_t)ldexpl(m, 64);
    mpz_import(z, 1, -1, sizeof(mant), 0, 0, &mant);
    if (e >= 64)
        mpz_mul_2exp(z, z, (mp_bitcnt_t)(e - 64));
    else
        mpz_tdiv_q_2exp(z, z, (mp_bitcnt_t)(64 - e));
    if (r < 0)
        mpz_neg(z, z);
}

static int format_base(rego_value b)
{
    if (b.sub != REGO_NUM_INT)
        return 0; /* OPA compares the number's text: "2.0" is not "2" */
    switch (b.u.i) {
    case 2: case 8: case 10: case 16: return (int)b.u.i;
    default: return 0;
    }
}

static rp_status bi_format_int(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    if (!rego_bi_arg_num(ctx, args, 0) || !rego_bi_arg_num(ctx, args, 1))
        return RP_ERR_TYPE;
    int base = format_base(args[1]);
    if (!base)
        return rego_bi_type_errorf(ctx, "operand 2 must be one of {2, 8, 10, 16}");
    rego_value x = args[0];
    mpz_t z;
    mpz_init(z);
    /* Beyond int64 OPA goes through a 64-bit-mantissa big.Float read from
     * the number's text and truncates: rego_num_to_ext is that reading. */
    if (x.sub == REGO_NUM_INT)
        mpz_set_si(z, (long)x.u.i);
    else
        ext_trunc_to_mpz(rego_num_to_ext(x), z);
    size_t cap = mpz_sizeinbase(z, base) + 2;
    char *buf = malloc(cap);
    rp_status st = RP_OK;
    if (!buf) {
        st = rego_bi_nomem(ctx);
    } else {
        mpz_get_str(buf, base, z);
        st = str_out(ctx, buf, strlen(buf), out);
        free(buf);
    }
    mpz_clear(z);
    return st;
}

/* ---- indexof, indexof_n ---------------------------------------------------- */

/* KMP over runes; calls back with the rune index of every (overlapping)
 * match, stopping when the callback returns false.  OPA compares []rune
 * slices, so invalid bytes match a U+FFFD in the needle. */
typedef bool (*match_fn)(void *ud, size_t at);

static bool kmp_runes(rp_arena *a, const uint32_t *h, size_t hn, const uint32_t *t, size_t tn,
                      match_fn fn, void *ud)
{
    size_t *fail = rp_arena_array(a, tn, sizeof(size_t));
    if (!fail)
        return false;
    fail[0] = 0;
    for (size_t i = 1, k = 0; i < tn; i++) {
        while (k && t[i] != t[k])
            k = fail[k - 1];
        if (t[i] == t[k])
            k++;
        fail[i] = k;
    }
    for (size_t i = 0, k = 0; i < hn; i++) {
        while (k && h[i] != t[k])
            k = fail[k - 1];
        if (h[i] == t[k])
            k++;
        if (k == tn) {
            if (!fn(ud, i + 1 - tn))
                return true;
            k = fail[k - 1];
        }
    }
    return true;
}

typedef struct {
    int64_t first;
    size_t count;
    rego_value *items;
} match_acc;

static bool first_match(void *ud, size_t at)
{
    ((match_acc *)ud)->first = (int64_t)at;
    return false;
}

static bool every_match(void *ud, size_t at)
{
    match_acc *m = ud;
    if (m->items)
        m->items[m->count] = rego_int((int64_t)at);
    m->count++;
    return true;
}

/* Decodes both operands for indexof/indexof_n; false after an error. */
static bool index_args(rego_bctx *ctx, const rego_value *args, uint32_t **h, size_t *hn,
                       uint32_t **t, size_t *tn, rp_status *st)
{
    const char *s, *x;
    size_t n, xn;
    if (!arg_str(ctx, args, 0, &s, &n) || !arg_str(ctx, args, 1, &x, &xn)) {
        *st = RP_ERR_TYPE;
        return false;
    }
    if (xn == 0) {
        *st = rego_bi_errorf(ctx, "empty search character");
        return false;
    }
    *h = to_runes(ctx->arena, s, n, hn);
    *t = to_runes(ctx->arena, x, xn, tn);
    if (!*h || !*t) {
        *st = rego_bi_nomem(ctx);
        return false;
    }
    return true;
}

static rp_status bi_indexof(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    uint32_t *h, *t;
    size_t hn, tn;
    rp_status st;
    if (!index_args(ctx, args, &h, &hn, &t, &tn, &st))
        return st;
    match_acc m = {-1, 0, NULL};
    if (!kmp_runes(ctx->arena, h, hn, t, tn, first_match, &m))
        return rego_bi_nomem(ctx);
    *out = rego_int(m.first);
    return RP_OK;
}

static rp_status bi_indexof_n(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    uint32_t *h, *t;
    size_t hn, tn;
    rp_status st;
    if (!index_args(ctx, args, &h, &hn, &t, &tn, &st))
        return st;
    match_acc m = {-1, 0, NULL};
    if (!kmp_runes(ctx->arena, h, hn, t, tn, every_match, &m))
        return rego_bi_nomem(ctx);
    m.items = rego_array_alloc(ctx->arena, m.count, out);
    if (!m.items)
        return rego_bi_nomem(ctx);
    m.count = 0;
    kmp_runes(ctx->arena, h, hn, t, tn, every_match, &m);
    return rp_arena_failed(ctx->arena) ? rego_bi_nomem(ctx) : RP_OK;
}

/* ---- lower, upper ---------------------------------------------------------- */

/* strings.ToUpper/ToLower: rune by rune through the simple mappings; an
 * invalid byte becomes U+FFFD (strings.Map writes the RuneError it read). */
static rp_status change_case(rego_bctx *ctx, const rego_value *args, rego_value *out, bool upper)
{
    const char *s;
    size_t n;
    if (!arg_str(ctx, args, 0, &s, &n))
        return RP_ERR_TYPE;
    size_t len = 0;
    char enc[4];
    for (size_t i = 0; i < n;) {
        uint32_t r;
        i += dec(s + i, n - i, &r);
        len += rp_utf8_encode(to_case(r, upper), enc);
    }
    rp_status st;
    char *p = new_str(ctx, len, out, &st);
    if (!p)
        return st;
    for (size_t i = 0; i < n;) {
        uint32_t r;
        i += dec(s + i, n - i, &r);
        p += rp_utf8_encode(to_case(r, upper), p);
    }
    return RP_OK;
}

static rp_status bi_lower(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    return change_case(ctx, args, out, false);
}

static rp_status bi_upper(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    return change_case(ctx, args, out, true);
}

/* ---- replace --------------------------------------------------------------- */

/* OPA runs strings.NewReplacer(old, new): a non-empty old is replaced left to
 * right without overlaps; an empty old inserts new before every *byte* and at
 * the end (Go's generic replacer advances bytewise, unlike strings.Replace). */
static rp_status bi_replace(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    const char *s, *o, *nw;
    size_t n, on, nn;
    if (!arg_str(ctx, args, 0, &s, &n) || !arg_str(ctx, args, 1, &o, &on) ||
        !arg_str(ctx, args, 2, &nw, &nn))
        return RP_ERR_TYPE;
    size_t hits = on ? count_matches(s, n, o, on) : n + 1, extra, len;
    if (hits == 0) {
        *out = args[0];
        return RP_OK;
    }
    if (__builtin_mul_overflow(hits, nn, &extra) ||
        __builtin_add_overflow(n - hits * on, extra, &len))
        return too_big(ctx);
    rp_status st;
    char *p = new_str(ctx, len, out, &st);
    if (!p)
        return st;
    if (on == 0) {
        for (size_t i = 0; i <= n; i++) {
            memcpy(p, nw, nn);
            p += nn;
            if (i < n)
                *p++ = s[i];
        }
        return RP_OK;
    }
    const char *q = s, *end = s + n;
    for (size_t h = 0; h < hits; h++) {
        const char *m = memmem(q, (size_t)(end - q), o, on);
        memcpy(p, q, (size_t)(m - q));
        p += m - q;
        memcpy(p, nw, nn);
        p += nn;
        q = m + on;
    }
    memcpy(p, q, (size_t)(end - q));
    return RP_OK;
}

/* ---- strings.replace_n ----------------------------------------------------- *
 * OPA sorts the pattern keys and builds strings.NewReplacer(k1, v1, k2, v2,
 * ...).  At each position Go's replacer takes the matching key that came
 * first; the keys matching at one position are prefixes of each other and a
 * prefix sorts first, so that is the shortest match.  An empty key matches
 * everywhere (but not twice in a row at one position).  We find the shortest
 * key starting at every position with an Aho-Corasick automaton over the
 * reversed keys run over the reversed text: linear, where Go's trie walk is
 * O(text * key length). */

typedef struct {
    uint32_t child, sibling, fail;
    int32_t term;     /* key ending here, -1 if none */
    int32_t shortest; /* shortest key that is a suffix of this node, -1 if none */
    unsigned char c;
} ac_node;

typedef struct {
    ac_node *node;
    uint32_t count;
} ac_trie;

static uint32_t ac_child(const ac_trie *t, uint32_t u, unsigned char c)
{
    for (uint32_t v = t->node[u].child; v; v = t->node[v].sibling)
        if (t->node[v].c == c)
            return v;
    return 0;
}

static void ac_insert_reversed(ac_trie *t, const char *k, size_t kn, int32_t idx)
{
    uint32_t u = 0;
    for (size_t i = kn; i-- > 0;) {
        unsigned char c = (unsigned char)k[i];
        uint32_t v = ac_child(t, u, c);
        if (!v) {
            v = t->count++;
            t->node[v] = (ac_node){0, t->node[u].child, 0, -1, -1, c};
            t->node[u].child = v;
        }
        u = v;
    }
    t->node[u].term = idx;
}

/* Failure links and shortest-suffix keys, breadth first so a node's failure
 * target (shallower) is finished before the node. */
static bool ac_link(rp_arena *a, ac_trie *t)
{
    uint32_t *queue = rp_arena_array(a, t->count, sizeof(uint32_t));
    if (!queue)
        return false;
    uint32_t head = 0, tail = 0;
    queue[tail++] = 0;
    while (head < tail) {
        uint32_t u = queue[head++];
        for (uint32_t v = t->node[u].child; v; v = t->node[v].sibling) {
            uint32_t f = 0;
            if (u != 0) {
                for (uint32_t g = t->node[u].fail;; g = t->node[g].fail) {
                    f = ac_child(t, g, t->node[v].c);
                    if (f || g == 0)
                        break;
                }
            }
            ac_node *n = &t->node[v];
            n->fail = f;
            n->shortest = t->node[f].shortest >= 0 ? t->node[f].shortest : n->term;
            queue[tail++] = v;
        }
    }
    return true;
}

/* best[i] = index of the shortest key starting at s[i], or -1. */
static bool shortest_keys_at(rp_arena *a, const rego_value *keys, size_t nk, const char *s,
                             size_t n, int32_t *best)
{
    size_t total = 1;
    for (size_t k = 0; k < nk; k++)
        total += keys[k].n;
    if (total > UINT32_MAX)
        return false;
    ac_trie t = {rp_arena_array(a, total, sizeof(ac_node)), 1};
    if (!t.node)
        return false;
    t.node[0] = (ac_node){0, 0, 0, -1, -1, 0};
    for (size_t k = 0; k < nk; k++)
        if (keys[k].n)
            ac_insert_reversed(&t, keys[k].u.s, keys[k].n, (int32_t)k);
    if (!ac_link(a, &t))
        return false;
    uint32_t u = 0;
    for (size_t i = n; i-- > 0;) {
        unsigned char c = (unsigned char)s[i];
        uint32_t v;
        while (!(v = ac_child(&t, u, c)) && u != 0)
            u = t.node[u].fail;
        u = v;
        best[i] = t.node[u].shortest;
    }
    return true;
}

/* Runs Go's generic replacer loop; with dst NULL it only measures. */
static size_t replace_pass(const char *s, size_t n, const int32_t *best, const rego_value *keys,
                           const rego_value *vals, int32_t empty, char *dst)
{
    size_t len = 0, last = 0, i = 0;
    bool prev_empty = false;
    while (i <= n) {
        int32_t k = -1;
        if (empty >= 0 && !prev_empty)
            k = empty;
        else if (i < n)
            k = best[i];
        if (k < 0) {
            prev_empty = false;
            i++;
            continue;
        }
        if (dst) {
            memcpy(dst + len, s + last, i - last);
            memcpy(dst + len + (i - last), vals[k].u.s, vals[k].n);
        }
        len += i - last + vals[k].n;
        i += keys[k].n;
        last = i;
        prev_empty = keys[k].n == 0;
    }
    if (dst)
        memcpy(dst + len, s + last, n - last);
    return len + (n - last);
}

/* Splits the pattern object into parallel key/value arrays, checking types
 * in key order as OPA does. */
static rp_status replace_patterns(rego_bctx *ctx, rego_value pat, rego_value **keys,
                                  rego_value **vals, int32_t *empty)
{
    size_t nk = pat.n;
    *keys = rp_arena_array(ctx->arena, nk ? nk : 1, sizeof(rego_value));
    *vals = rp_arena_array(ctx->arena, nk ? nk : 1, sizeof(rego_value));
    if (!*keys || !*vals)
        return rego_bi_nomem(ctx);
    *empty = -1;
    for (size_t k = 0; k < nk; k++) {
        rego_objent e = rego_object_at(pat, k);
        if (e.key.kind != REGO_STRING)
            return rego_bi_type_errorf(ctx, "operand 1 non-string key found in pattern object");
        if (e.val.kind != REGO_STRING)
            return rego_bi_type_errorf(ctx, "operand 1 non-string value found in pattern object");
        (*keys)[k] = e.key;
        (*vals)[k] = e.val;
        if (e.key.n == 0)
            *empty = (int32_t)k;
    }
    return RP_OK;
}

static rp_status bi_replace_n(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    const char *s;
    size_t n;
    if (!rego_bi_arg_kind(ctx, args, 0, REGO_OBJECT) || !arg_str(ctx, args, 1, &s, &n))
        return RP_ERR_TYPE;
    rego_value *keys, *vals;
    int32_t empty = -1;
    rp_status st = replace_patterns(ctx, args[0], &keys, &vals, &empty);
    if (st != RP_OK)
        return st;
    int32_t *best = rp_arena_array(ctx->arena, n ? n : 1, sizeof(int32_t));
    if (!best || !shortest_keys_at(ctx->arena, keys, args[0].n, s, n, best))
        return rego_bi_nomem(ctx);
    /* The measuring pass sums at most (n + 1) values of < 4 GiB each. */
    size_t len = replace_pass(s, n, best, keys, vals, empty, NULL);
    char *p = new_str(ctx, len, out, &st);
    if (p)
        replace_pass(s, n, best, keys, vals, empty, p);
    return st;
}

/* ---- split, strings.split_n ------------------------------------------------ */

/* Go's strings.Split as OPA uses it: no match gives [s]; an empty separator
 * splits into runes (an invalid byte is a piece of its own); "" split by ""
 * is []. */
static rp_status split_all(rego_bctx *ctx, const char *s, size_t n, const char *d, size_t dn,
                           rego_value **parts, size_t *np)
{
    size_t k = dn ? count_matches(s, n, d, dn) + 1 : rp_utf8_count(s, n);
    rego_value arr;
    rego_value *p = rego_array_alloc(ctx->arena, k, &arr);
    if (!p)
        return rego_bi_nomem(ctx);
    const char *q = s, *end = s + n;
    for (size_t i = 0; i < k; i++) {
        size_t len;
        if (!dn) {
            uint32_t r;
            len = dec(q, (size_t)(end - q), &r);
        } else if (i + 1 < k) {
            len = (size_t)((const char *)memmem(q, (size_t)(end - q), d, dn) - q);
        } else {
            len = (size_t)(end - q);
        }
        p[i] = rego_str(ctx->arena, q, len);
        q += len + (dn && i + 1 < k ? dn : 0);
    }
    if (rp_arena_failed(ctx->arena))
        return rego_bi_nomem(ctx);
    *parts = p;
    *np = k;
    return RP_OK;
}

static rp_status bi_split(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    const char *s, *d;
    size_t n, dn;
    if (!arg_str(ctx, args, 0, &s, &n) || !arg_str(ctx, args, 1, &d, &dn))
        return RP_ERR_TYPE;
    rego_value *parts;
    size_t k;
    rp_status st = split_all(ctx, s, n, d, dn, &parts, &k);
    if (st == RP_OK)
        *out = rego_array_borrow(parts, k);
    return st;
}

/* strings.split_n(x, delimiter, n) (OPA 1.19): the first n pieces of split(),
 * or the last -n when n is negative; all of them when |n| is larger. */
static rp_status bi_split_n(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    const char *s, *d;
    size_t n, dn;
    int64_t lim;
    if (!arg_str(ctx, args, 0, &s, &n) || !arg_str(ctx, args, 1, &d, &dn) ||
        !arg_int(ctx, args, 2, &lim))
        return RP_ERR_TYPE;
    rego_value *parts;
    size_t k;
    rp_status st = split_all(ctx, s, n, d, dn, &parts, &k);
    if (st != RP_OK)
        return st;
    if (lim >= 0) {
        *out = rego_array_borrow(parts, (uint64_t)lim < k ? (size_t)lim : k);
        return RP_OK;
    }
    uint64_t want = (uint64_t)(-(lim + 1)) + 1; /* |lim| without overflow */
    size_t take = want < k ? (size_t)want : k;
    *out = rego_array_borrow(parts + (k - take), take);
    return RP_OK;
}

/* ---- substring ------------------------------------------------------------- */

/* OPA: offsets count runes; a negative length means "to the end"; an offset
 * past the end gives "".  On the non-ASCII path OPA slices []rune(s), so
 * invalid bytes come back as U+FFFD, except when the whole string is
 * returned unchanged. */
static rp_status bi_substring(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    const char *s;
    size_t n;
    int64_t start, len;
    if (!arg_str(ctx, args, 0, &s, &n) || !arg_int(ctx, args, 1, &start) ||
        !arg_int(ctx, args, 2, &len))
        return RP_ERR_TYPE;
    if (start < 0)
        return rego_bi_errorf(ctx, "negative offset");
    if (is_ascii(s, n)) {
        if ((uint64_t)start >= n)
            return str_out(ctx, "", 0, out);
        size_t rest = n - (size_t)start;
        size_t take = len < 0 || (uint64_t)len >= rest ? rest : (size_t)len;
        return str_out(ctx, s + start, take, out);
    }
    size_t count = rp_utf8_count(s, n);
    if (start == 0 && len >= 0 && (uint64_t)len >= count) {
        *out = args[0];
        return RP_OK;
    }
    size_t rn;
    uint32_t *r = to_runes(ctx->arena, s, n, &rn);
    if (!r)
        return rego_bi_nomem(ctx);
    if ((uint64_t)start >= rn)
        return str_out(ctx, "", 0, out);
    size_t rest = rn - (size_t)start;
    size_t take = len < 0 || (uint64_t)len >= rest ? rest : (size_t)len, bytes = 0;
    char enc[4];
    for (size_t i = 0; i < take; i++)
        bytes += rp_utf8_encode(r[start + (int64_t)i], enc);
    rp_status st;
    char *p = new_str(ctx, bytes, out, &st);
    for (size_t i = 0; p && i < take; i++)
        p += rp_utf8_encode(r[start + (int64_t)i], p);
    return st;
}

/* ---- trim family ----------------------------------------------------------- */

/* The runes of a cutset, sorted for binary search (invalid bytes are
 * U+FFFD: Go's IndexRune(cutset, RuneError) finds them). */
typedef struct {
    uint32_t *r;
    size_t n;
} cutset;

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

static bool cutset_make(rp_arena *a, const char *c, size_t cn, cutset *cs)
{
    cs->r = to_runes(a, c, cn, &cs->n);
    if (!cs->r)
        return false;
    qsort(cs->r, cs->n, sizeof(uint32_t), cmp_u32);
    return true;
}

static bool cutset_has(const cutset *cs, uint32_t r)
{
    return bsearch(&r, cs->r, cs->n, sizeof(uint32_t), cmp_u32) != NULL;
}

/* Go's strings.Trim/TrimLeft/TrimRight; *b..*e is what remains. */
static void trim_cut(const char *s, size_t n, const cutset *cs, bool left, bool right, size_t *b,
                     size_t *e)
{
    size_t i = 0, j = n;
    while (left && i < j) {
        uint32_t r;
        size_t k = dec(s + i, j - i, &r);
        if (!cutset_has(cs, r))
            break;
        i += k;
    }
    while (right && j > i) {
        uint32_t r;
        size_t k = dec_last(s + i, j - i, &r);
        if (!cutset_has(cs, r))
            break;
        j -= k;
    }
    *b = i;
    *e = j;
}

static rp_status trim_common(rego_bctx *ctx, const rego_value *args, rego_value *out, bool left,
                             bool right)
{
    const char *s, *c;
    size_t n, cn;
    if (!arg_str(ctx, args, 0, &s, &n) || !arg_str(ctx, args, 1, &c, &cn))
        return RP_ERR_TYPE;
    if (n == 0 || cn == 0) {
        *out = args[0];
        return RP_OK;
    }
    cutset cs;
    if (!cutset_make(ctx->arena, c, cn, &cs))
        return rego_bi_nomem(ctx);
    size_t b, e;
    trim_cut(s, n, &cs, left, right, &b, &e);
    return str_out(ctx, s + b, e - b, out);
}

static rp_status bi_trim(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    return trim_common(ctx, args, out, true, true);
}

static rp_status bi_trim_left(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    return trim_common(ctx, args, out, true, false);
}

static rp_status bi_trim_right(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    return trim_common(ctx, args, out, false, true);
}

static rp_status bi_trim_prefix(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    const char *s, *p;
    size_t n, pn;
    if (!arg_str(ctx, args, 0, &s, &n) || !arg_str(ctx, args, 1, &p, &pn))
        return RP_ERR_TYPE;
    if (pn == 0 || pn > n || memcmp(s, p, pn) != 0) {
        *out = args[0];
        return RP_OK;
    }
    return str_out(ctx, s + pn, n - pn, out);
}

static rp_status bi_trim_suffix(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    const char *s, *p;
    size_t n, pn;
    if (!arg_str(ctx, args, 0, &s, &n) || !arg_str(ctx, args, 1, &p, &pn))
        return RP_ERR_TYPE;
    if (pn == 0 || pn > n || memcmp(s + n - pn, p, pn) != 0) {
        *out = args[0];
        return RP_OK;
    }
    return str_out(ctx, s, n - pn, out);
}

/* Go's strings.TrimSpace: unicode.IsSpace at both ends. */
static rp_status bi_trim_space(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    const char *s;
    size_t n;
    if (!arg_str(ctx, args, 0, &s, &n))
        return RP_ERR_TYPE;
    size_t i = 0, j = n;
    while (i < j) {
        uint32_t r;
        size_t k = dec(s + i, j - i, &r);
        if (!is_space(r))
            break;
        i += k;
    }
    while (j > i) {
        uint32_t r;
        size_t k = dec_last(s + i, j - i, &r);
        if (!is_space(r))
            break;
        j -= k;
    }
    if (i == 0 && j == n) {
        *out = args[0];
        return RP_OK;
    }
    return str_out(ctx, s + i, j - i, out);
}

/* ---- strings.reverse ------------------------------------------------------- */

/* Reverses runes; an invalid byte moves as one unit (OPA's reverseString
 * would write U+FFFD over its neighbours or panic there). */
static rp_status bi_reverse(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    const char *s;
    size_t n;
    if (!arg_str(ctx, args, 0, &s, &n))
        return RP_ERR_TYPE;
    rp_status st;
    char *p = new_str(ctx, n, out, &st);
    if (!p)
        return st;
    for (size_t i = 0; i < n;) {
        uint32_t r;
        size_t k = dec(s + i, n - i, &r);
        memcpy(p + n - i - k, s + i, k);
        i += k;
    }
    return RP_OK;
}

/* ---- strings.any_prefix_match, strings.any_suffix_match --------------------- */

typedef struct {
    const char *s;
    size_t n;
} slice;

static int cmp_slice(const void *a, const void *b)
{
    const slice *x = a, *y = b;
    int c = memcmp(x->s, y->s, x->n < y->n ? x->n : y->n);
    return c ? c : (x->n > y->n) - (x->n < y->n);
}

/* A string, or an array/set of strings (OPA's StringSliceOperand), as byte
 * slices; reversed copies when suffix matching.  false after an error. */
static bool string_list(rego_bctx *ctx, const rego_value *args, int i, bool reverse,
                        slice **out, size_t *n, rp_status *st)
{
    rego_value v = args[i];
    const rego_value *items = &args[i];
    size_t k = 1;
    if (v.kind == REGO_ARRAY || v.kind == REGO_SET) {
        items = v.kind == REGO_ARRAY ? v.u.items : v.u.set->items;
        k = v.n;
    } else if (v.kind != REGO_STRING) {
        *st = rego_bi_type_error(ctx, i + 1, v, "one of {string, set, array}");
        return false;
    }
    slice *sl = rp_arena_array(ctx->arena, k ? k : 1, sizeof(slice));
    if (!sl) {
        *st = rego_bi_nomem(ctx);
        return false;
    }
    for (size_t j = 0; j < k; j++) {
        if (items[j].kind != REGO_STRING) {
            *st = rego_bi_type_errorf(ctx, "operand %d must be %s of strings but got %s "
                                           "containing %s", i + 1, rego_type_name(v),
                                      rego_type_name(v), rego_type_name(items[j]));
            return false;
        }
        sl[j] = (slice){items[j].u.s, items[j].n};
        if (reverse) {
            char *r = rp_arena_alloc(ctx->arena, sl[j].n ? sl[j].n : 1);
            if (!r) {
                *st = rego_bi_nomem(ctx);
                return false;
            }
            for (size_t b = 0; b < sl[j].n; b++)
                r[b] = sl[j].s[sl[j].n - 1 - b];
            sl[j].s = r;
        }
    }
    *out = sl;
    *n = k;
    return true;
}

/* Whether some string has some prefix: after sorting the strings, the first
 * one not below a prefix is the only candidate that can start with it. */
static bool any_has_prefix(slice *strs, size_t ns, const slice *pre, size_t np)
{
    qsort(strs, ns, sizeof(slice), cmp_slice);
    for (size_t p = 0; p < np; p++) {
        size_t lo = 0, hi = ns;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (cmp_slice(&strs[mid], &pre[p]) < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo < ns && strs[lo].n >= pre[p].n && memcmp(strs[lo].s, pre[p].s, pre[p].n) == 0)
            return true;
    }
    return false;
}

static rp_status any_match(rego_bctx *ctx, const rego_value *args, rego_value *out, bool suffix)
{
    slice *strs, *pre;
    size_t ns, np;
    rp_status st;
    if (!string_list(ctx, args, 0, suffix, &strs, &ns, &st) ||
        !string_list(ctx, args, 1, suffix, &pre, &np, &st))
        return st;
    *out = rego_bool(any_has_prefix(strs, ns, pre, np));
    return RP_OK;
}

static rp_status bi_any_prefix_match(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    return any_match(ctx, args, out, false);
}

static rp_status bi_any_suffix_match(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    return any_match(ctx, args, out, true);
}

/* ---- table ----------------------------------------------------------------- */

#define S1 "(string) => string"
#define S2 "(string, string) => string"
#define SB "(string, string) => boolean"
#define STRS "string|array[string]|set[string]"

const rego_builtin rego_builtins_strings[] = {
    {"concat", NULL, "(string, array[string]|set[string]) => string", 2, 0, bi_concat},
    {"contains", NULL, SB, 2, 0, bi_contains},
    {"startswith", NULL, SB, 2, 0, bi_startswith},
    {"endswith", NULL, SB, 2, 0, bi_endswith},
    {"format_int", NULL, "(number, number) => string", 2, 0, bi_format_int},
    {"indexof", NULL, "(string, string) => number", 2, 0, bi_indexof},
    {"indexof_n", NULL, "(string, string) => array[number]", 2, 0, bi_indexof_n},
    {"lower", NULL, S1, 1, 0, bi_lower},
    {"upper", NULL, S1, 1, 0, bi_upper},
    {"replace", NULL, "(string, string, string) => string", 3, 0, bi_replace},
    {"split", NULL, "(string, string) => array[string]", 2, 0, bi_split},
    {"substring", NULL, "(string, number, number) => string", 3, 0, bi_substring},
    {"trim", NULL, S2, 2, 0, bi_trim},
    {"trim_left", NULL, S2, 2, 0, bi_trim_left},
    {"trim_right", NULL, S2, 2, 0, bi_trim_right},
    {"trim_prefix", NULL, S2, 2, 0, bi_trim_prefix},
    {"trim_suffix", NULL, S2, 2, 0, bi_trim_suffix},
    {"trim_space", NULL, S1, 1, 0, bi_trim_space},
    {"sprintf", NULL, "(string, array[any]) => string", 2, 0, rego_bi_sprintf},
    {"strings.any_prefix_match", NULL, "(" STRS ", " STRS ") => boolean", 2, 0,
     bi_any_prefix_match},
    {"strings.any_suffix_match", NULL, "(" STRS ", " STRS ") => boolean", 2, 0,
     bi_any_suffix_match},
    {"strings.count", NULL, "(string, string) => number", 2, 0, bi_count},
    {"strings.render_template", NULL, "(string, object[string: any]) => string", 2, 0,
     rego_bi_render_template},
    {"strings.replace_n", NULL, "(object[string: string], string) => string", 2, 0,
     bi_replace_n},
    {"strings.reverse", NULL, S1, 1, 0, bi_reverse},
    {"strings.split_n", NULL, "(string, string, number) => array[string]", 3, 0, bi_split_n},
    {0},
};
