/*
 * sprintf.c — Go formatting for the "strings" group: sprintf (Go's
 * fmt.Sprintf) and strings.render_template (a subset of Go's text/template).
 *
 * OPA implements sprintf by converting each array element to a Go value and
 * calling fmt.Sprintf: an integer that fits int64 becomes an int, a larger
 * integer a *big.Int, any other number a float64, a string a string, and
 * every other value the string of its Rego text (so true prints "true" and
 * %d of it gives "%!d(string=true)").  A number's Rego text is OPA's literal
 * text; values do not keep it here, so a float prints in Go's shortest form
 * (1.0 prints as "1", 1e3 as "1000") and FLOAT values count as float64s.
 * Everything else — flags, width, precision, argument indexes, %!verb(type=
 * value) and %!(EXTRA ...) diagnostics, %v/%g/%e/%f/%x/%b of floats,
 * strconv.Quote for %q — follows Go's fmt and strconv as of Go 1.22-1.24.
 * Not emulated: %p (an address in Go; here "%!p(...)"), and %w / %p of a
 * *big.Int, whose Go output is a reflection dump.
 *
 * strconv.IsPrint uses the table below (Unicode 14.0 categories L, M, N, P,
 * S plus U+0020, generated from Python's unicodedata); Go tracks a later
 * Unicode, so code points assigned since 14.0 are quoted as \u escapes here.
 *
 * Bounds: output is capped at REGO_SPRINTF_MAX_BYTES (a width or precision
 * larger than that is refused before any work), templates additionally by
 * REGO_TEMPLATE_MAX_STEPS and REGO_TEMPLATE_MAX_DEPTH.  Scratch text lives in
 * malloc'd rp_bufs freed before return; results are copied into the arena.
 * No mutable globals.
 */
#include "sprintf.h"

#include <errno.h>
#include <gmp.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../limits.h"

/* ---- Unicode: strconv.IsPrint ---------------------------------------------- */

static const uint32_t print_ranges[][2] = {
    {0x20, 0x7E}, {0xA1, 0xAC}, {0xAE, 0x377}, {0x37A, 0x37F}, {0x384, 0x38A}, {0x38C, 0x38C},
    {0x38E, 0x3A1}, {0x3A3, 0x52F}, {0x531, 0x556}, {0x559, 0x58A}, {0x58D, 0x58F},
    {0x591, 0x5C7}, {0x5D0, 0x5EA}, {0x5EF, 0x5F4}, {0x606, 0x61B}, {0x61D, 0x6DC},
    {0x6DE, 0x70D}, {0x710, 0x74A}, {0x74D, 0x7B1}, {0x7C0, 0x7FA}, {0x7FD, 0x82D},
    {0x830, 0x83E}, {0x840, 0x85B}, {0x85E, 0x85E}, {0x860, 0x86A}, {0x870, 0x88E},
    {0x898, 0x8E1}, {0x8E3, 0x983}, {0x985, 0x98C}, {0x98F, 0x990}, {0x993, 0x9A8},
    {0x9AA, 0x9B0}, {0x9B2, 0x9B2}, {0x9B6, 0x9B9}, {0x9BC, 0x9C4}, {0x9C7, 0x9C8},
    {0x9CB, 0x9CE}, {0x9D7, 0x9D7}, {0x9DC, 0x9DD}, {0x9DF, 0x9E3}, {0x9E6, 0x9FE},
    {0xA01, 0xA03}, {0xA05, 0xA0A}, {0xA0F, 0xA10}, {0xA13, 0xA28}, {0xA2A, 0xA30},
    {0xA32, 0xA33}, {0xA35, 0xA36}, {0xA38, 0xA39}, {0xA3C, 0xA3C}, {0xA3E, 0xA42},
    {0xA47, 0xA48}, {0xA4B, 0xA4D}, {0xA51, 0xA51}, {0xA59, 0xA5C}, {0xA5E, 0xA5E},
    {0xA66, 0xA76}, {0xA81, 0xA83}, {0xA85, 0xA8D}, {0xA8F, 0xA91}, {0xA93, 0xAA8},
    {0xAAA, 0xAB0}, {0xAB2, 0xAB3}, {0xAB5, 0xAB9}, {0xABC, 0xAC5}, {0xAC7, 0xAC9},
    {0xACB, 0xACD}, {0xAD0, 0xAD0}, {0xAE0, 0xAE3}, {0xAE6, 0xAF1}, {0xAF9, 0xAFF},
    {0xB01, 0xB03}, {0xB05, 0xB0C}, {0xB0F, 0xB10}, {0xB13, 0xB28}, {0xB2A, 0xB30},
    {0xB32, 0xB33}, {0xB35, 0xB39}, {0xB3C, 0xB44}, {0xB47, 0xB48}, {0xB4B, 0xB4D},
    {0xB55, 0xB57}, {0xB5C, 0xB5D}, {0xB5F, 0xB63}, {0xB66, 0xB77}, {0xB82, 0xB83},
    {0xB85, 0xB8A}, {0xB8E, 0xB90}, {0xB92, 0xB95}, {0xB99, 0xB9A}, {0xB9C, 0xB9C},
    {0xB9E, 0xB9F}, {0xBA3, 0xBA4}, {0xBA8, 0xBAA}, {0xBAE, 0xBB9}, {0xBBE, 0xBC2},
    {0xBC6, 0xBC8}, {0xBCA, 0xBCD}, {0xBD0, 0xBD0}, {0xBD7, 0xBD7}, {0xBE6, 0xBFA},
    {0xC00, 0xC0C}, {0xC0E, 0xC10}, {0xC12, 0xC28}, {0xC2A, 0xC39}, {0xC3C, 0xC44},
    {0xC46, 0xC48}, {0xC4A, 0xC4D}, {0xC55, 0xC56}, {0xC58, 0xC5A}, {0xC5D, 0xC5D},
    {0xC60, 0xC63}, {0xC66, 0xC6F}, {0xC77, 0xC8C}, {0xC8E, 0xC90}, {0xC92, 0xCA8},
    {0xCAA, 0xCB3}, {0xCB5, 0xCB9}, {0xCBC, 0xCC4}, {0xCC6, 0xCC8}, {0xCCA, 0xCCD},
    {0xCD5, 0xCD6}, {0xCDD, 0xCDE}, {0xCE0, 0xCE3}, {0xCE6, 0xCEF}, {0xCF1, 0xCF2},
    {0xD00, 0xD0C}, {0xD0E, 0xD10}, {0xD12, 0xD44}, {0xD46, 0xD48}, {0xD4A, 0xD4F},
    {0xD54, 0xD63}, {0xD66, 0xD7F}, {0xD81, 0xD83}, {0xD85, 0xD96}, {0xD9A, 0xDB1},
    {0xDB3, 0xDBB}, {0xDBD, 0xDBD}, {0xDC0, 0xDC6}, {0xDCA, 0xDCA}, {0xDCF, 0xDD4},
    {0xDD6, 0xDD6}, {0xDD8, 0xDDF}, {0xDE6, 0xDEF}, {0xDF2, 0xDF4}, {0xE01, 0xE3A},
    {0xE3F, 0xE5B}, {0xE81, 0xE82}, {0xE84, 0xE84}, {0xE86, 0xE8A}, {0xE8C, 0xEA3},
    {0xEA5, 0xEA5}, {0xEA7, 0xEBD}, {0xEC0, 0xEC4}, {0xEC6, 0xEC6}, {0xEC8, 0xECD},
    {0xED0, 0xED9}, {0xEDC, 0xEDF}, {0xF00, 0xF47}, {0xF49, 0xF6C}, {0xF71, 0xF97},
    {0xF99, 0xFBC}, {0xFBE, 0xFCC}, {0xFCE, 0xFDA}, {0x1000, 0x10C5}, {0x10C7, 0x10C7},
    {0x10CD, 0x10CD}, {0x10D0, 0x1248}, {0x124A, 0x124D}, {0x1250, 0x1256}, {0x1258, 0x1258},
    {0x125A, 0x125D}, {0x1260, 0x1288}, {0x128A, 0x128D}, {0x1290, 0x12B0}, {0x12B2, 0x12B5},
    {0x12B8, 0x12BE}, {0x12C0, 0x12C0}, {0x12C2, 0x12C5}, {0x12C8, 0x12D6}, {0x12D8, 0x1310},
    {0x1312, 0x1315}, {0x1318, 0x135A}, {0x135D, 0x137C}, {0x1380, 0x1399}, {0x13A0, 0x13F5},
    {0x13F8, 0x13FD}, {0x1400, 0x167F}, {0x1681, 0x169C}, {0x16A0, 0x16F8}, {0x1700, 0x1715},
    {0x171F, 0x1736}, {0x1740, 0x1753}, {0x1760, 0x176C}, {0x176E, 0x1770}, {0x1772, 0x1773},
    {0x1780, 0x17DD}, {0x17E0, 0x17E9}, {0x17F0, 0x17F9}, {0x1800, 0x180D}, {0x180F, 0x1819},
    {0x1820, 0x1878}, {0x1880, 0x18AA}, {0x18B0, 0x18F5}, {0x1900, 0x191E}, {0x1920, 0x192B},
    {0x1930, 0x193B}, {0x1940, 0x1940}, {0x1944, 0x196D}, {0x1970, 0x1974}, {0x1980, 0x19AB},
    {0x19B0, 0x19C9}, {0x19D0, 0x19DA}, {0x19DE, 0x1A1B}, {0x1A1E, 0x1A5E}, {0x1A60, 0x1A7C},
    {0x1A7F, 0x1A89}, {0x1A90, 0x1A99}, {0x1AA0, 0x1AAD}, {0x1AB0, 0x1ACE}, {0x1B00, 0x1B4C},
    {0x1B50, 0x1B7E}, {0x1B80, 0x1BF3}, {0x1BFC, 0x1C37}, {0x1C3B, 0x1C49}, {0x1C4D, 0x1C88},
    {0x1C90, 0x1CBA}, {0x1CBD, 0x1CC7}, {0x1CD0, 0x1CFA}, {0x1D00, 0x1F15}, {0x1F18, 0x1F1D},
    {0x1F20, 0x1F45}, {0x1F48, 0x1F4D}, {0x1F50, 0x1F57}, {0x1F59, 0x1F59}, {0x1F5B, 0x1F5B},
    {0x1F5D, 0x1F5D}, {0x1F5F, 0x1F7D}, {0x1F80, 0x1FB4}, {0x1FB6, 0x1FC4}, {0x1FC6, 0x1FD3},
    {0x1FD6, 0x1FDB}, {0x1FDD, 0x1FEF}, {0x1FF2, 0x1FF4}, {0x1FF6, 0x1FFE}, {0x2010, 0x2027},
    {0x2030, 0x205E}, {0x2070, 0x2071}, {0x2074, 0x208E}, {0x2090, 0x209C}, {0x20A0, 0x20C0},
    {0x20D0, 0x20F0}, {0x2100, 0x218B}, {0x2190, 0x2426}, {0x2440, 0x244A}, {0x2460, 0x2B73},
    {0x2B76, 0x2B95}, {0x2B97, 0x2CF3}, {0x2CF9, 0x2D25}, {0x2D27, 0x2D27}, {0x2D2D, 0x2D2D},
    {0x2D30, 0x2D67}, {0x2D6F, 0x2D70}, {0x2D7F, 0x2D96}, {0x2DA0, 0x2DA6}, {0x2DA8, 0x2DAE},
    {0x2DB0, 0x2DB6}, {0x2DB8, 0x2DBE}, {0x2DC0, 0x2DC6}, {0x2DC8, 0x2DCE}, {0x2DD0, 0x2DD6},
    {0x2DD8, 0x2DDE}, {0x2DE0, 0x2E5D}, {0x2E80, 0x2E99}, {0x2E9B, 0x2EF3}, {0x2F00, 0x2FD5},
    {0x2FF0, 0x2FFB}, {0x3001, 0x303F}, {0x3041, 0x3096}, {0x3099, 0x30FF}, {0x3105, 0x312F},
    {0x3131, 0x318E}, {0x3190, 0x31E3}, {0x31F0, 0x321E}, {0x3220, 0xA48C}, {0xA490, 0xA4C6},
    {0xA4D0, 0xA62B}, {0xA640, 0xA6F7}, {0xA700, 0xA7CA}, {0xA7D0, 0xA7D1}, {0xA7D3, 0xA7D3},
    {0xA7D5, 0xA7D9}, {0xA7F2, 0xA82C}, {0xA830, 0xA839}, {0xA840, 0xA877}, {0xA880, 0xA8C5},
    {0xA8CE, 0xA8D9}, {0xA8E0, 0xA953}, {0xA95F, 0xA97C}, {0xA980, 0xA9CD}, {0xA9CF, 0xA9D9},
    {0xA9DE, 0xA9FE}, {0xAA00, 0xAA36}, {0xAA40, 0xAA4D}, {0xAA50, 0xAA59}, {0xAA5C, 0xAAC2},
    {0xAADB, 0xAAF6}, {0xAB01, 0xAB06}, {0xAB09, 0xAB0E}, {0xAB11, 0xAB16}, {0xAB20, 0xAB26},
    {0xAB28, 0xAB2E}, {0xAB30, 0xAB6B}, {0xAB70, 0xABED}, {0xABF0, 0xABF9}, {0xAC00, 0xD7A3},
    {0xD7B0, 0xD7C6}, {0xD7CB, 0xD7FB}, {0xF900, 0xFA6D}, {0xFA70, 0xFAD9}, {0xFB00, 0xFB06},
    {0xFB13, 0xFB17}, {0xFB1D, 0xFB36}, {0xFB38, 0xFB3C}, {0xFB3E, 0xFB3E}, {0xFB40, 0xFB41},
    {0xFB43, 0xFB44}, {0xFB46, 0xFBC2}, {0xFBD3, 0xFD8F}, {0xFD92, 0xFDC7}, {0xFDCF, 0xFDCF},
    {0xFDF0, 0xFE19}, {0xFE20, 0xFE52}, {0xFE54, 0xFE66}, {0xFE68, 0xFE6B}, {0xFE70, 0xFE74},
    {0xFE76, 0xFEFC}, {0xFF01, 0xFFBE}, {0xFFC2, 0xFFC7}, {0xFFCA, 0xFFCF}, {0xFFD2, 0xFFD7},
    {0xFFDA, 0xFFDC}, {0xFFE0, 0xFFE6}, {0xFFE8, 0xFFEE}, {0xFFFC, 0xFFFD}, {0x10000, 0x1000B},
    {0x1000D, 0x10026}, {0x10028, 0x1003A}, {0x1003C, 0x1003D}, {0x1003F, 0x1004D},
    {0x10050, 0x1005D}, {0x10080, 0x100FA}, {0x10100, 0x10102}, {0x10107, 0x10133},
    {0x10137, 0x1018E}, {0x10190, 0x1019C}, {0x101A0, 0x101A0}, {0x101D0, 0x101FD},
    {0x10280, 0x1029C}, {0x102A0, 0x102D0}, {0x102E0, 0x102FB}, {0x10300, 0x10323},
    {0x1032D, 0x1034A}, {0x10350, 0x1037A}, {0x10380, 0x1039D}, {0x1039F, 0x103C3},
    {0x103C8, 0x103D5}, {0x10400, 0x1049D}, {0x104A0, 0x104A9}, {0x104B0, 0x104D3},
    {0x104D8, 0x104FB}, {0x10500, 0x10527}, {0x10530, 0x10563}, {0x1056F, 0x1057A},
    {0x1057C, 0x1058A}, {0x1058C, 0x10592}, {0x10594, 0x10595}, {0x10597, 0x105A1},
    {0x105A3, 0x105B1}, {0x105B3, 0x105B9}, {0x105BB, 0x105BC}, {0x10600, 0x10736},
    {0x10740, 0x10755}, {0x10760, 0x10767}, {0x10780, 0x10785}, {0x10787, 0x107B0},
    {0x107B2, 0x107BA}, {0x10800, 0x10805}, {0x10808, 0x10808}, {0x1080A, 0x10835},
    {0x10837, 0x10838}, {0x1083C, 0x1083C}, {0x1083F, 0x10855}, {0x10857, 0x1089E},
    {0x108A7, 0x108AF}, {0x108E0, 0x108F2}, {0x108F4, 0x108F5}, {0x108FB, 0x1091B},
    {0x1091F, 0x10939}, {0x1093F, 0x1093F}, {0x10980, 0x109B7}, {0x109BC, 0x109CF},
    {0x109D2, 0x10A03}, {0x10A05, 0x10A06}, {0x10A0C, 0x10A13}, {0x10A15, 0x10A17},
    {0x10A19, 0x10A35}, {0x10A38, 0x10A3A}, {0x10A3F, 0x10A48}, {0x10A50, 0x10A58},
    {0x10A60, 0x10A9F}, {0x10AC0, 0x10AE6}, {0x10AEB, 0x10AF6}, {0x10B00, 0x10B35},
    {0x10B39, 0x10B55}, {0x10B58, 0x10B72}, {0x10B78, 0x10B91}, {0x10B99, 0x10B9C},
    {0x10BA9, 0x10BAF}, {0x10C00, 0x10C48}, {0x10C80, 0x10CB2}, {0x10CC0, 0x10CF2},
    {0x10CFA, 0x10D27}, {0x10D30, 0x10D39}, {0x10E60, 0x10E7E}, {0x10E80, 0x10EA9},
    {0x10EAB, 0x10EAD}, {0x10EB0, 0x10EB1}, {0x10F00, 0x10F27}, {0x10F30, 0x10F59},
    {0x10F70, 0x10F89}, {0x10FB0, 0x10FCB}, {0x10FE0, 0x10FF6}, {0x11000, 0x1104D},
    {0x11052, 0x11075}, {0x1107F, 0x110BC}, {0x110BE, 0x110C2}, {0x110D0, 0x110E8},
    {0x110F0, 0x110F9}, {0x11100, 0x11134}, {0x11136, 0x11147}, {0x11150, 0x11176},
    {0x11180, 0x111DF}, {0x111E1, 0x111F4}, {0x11200, 0x11211}, {0x11213, 0x1123E},
    {0x11280, 0x11286}, {0x11288, 0x11288}, {0x1128A, 0x1128D}, {0x1128F, 0x1129D},
    {0x1129F, 0x112A9}, {0x112B0, 0x112EA}, {0x112F0, 0x112F9}, {0x11300, 0x11303},
    {0x11305, 0x1130C}, {0x1130F, 0x11310}, {0x11313, 0x11328}, {0x1132A, 0x11330},
    {0x11332, 0x11333}, {0x11335, 0x11339}, {0x1133B, 0x11344}, {0x11347, 0x11348},
    {0x1134B, 0x1134D}, {0x11350, 0x11350}, {0x11357, 0x11357}, {0x1135D, 0x11363},
    {0x11366, 0x1136C}, {0x11370, 0x11374}, {0x11400, 0x1145B}, {0x1145D, 0x11461},
    {0x11480, 0x114C7}, {0x114D0, 0x114D9}, {0x11580, 0x115B5}, {0x115B8, 0x115DD},
    {0x11600, 0x11644}, {0x11650, 0x11659}, {0x11660, 0x1166C}, {0x11680, 0x116B9},
    {0x116C0, 0x116C9}, {0x11700, 0x1171A}, {0x1171D, 0x1172B}, {0x11730, 0x11746},
    {0x11800, 0x1183B}, {0x118A0, 0x118F2}, {0x118FF, 0x11906}, {0x11909, 0x11909},
    {0x1190C, 0x11913}, {0x11915, 0x11916}, {0x11918, 0x11935}, {0x11937, 0x11938},
    {0x1193B, 0x11946}, {0x11950, 0x11959}, {0x119A0, 0x119A7}, {0x119AA, 0x119D7},
    {0x119DA, 0x119E4}, {0x11A00, 0x11A47}, {0x11A50, 0x11AA2}, {0x11AB0, 0x11AF8},
    {0x11C00, 0x11C08}, {0x11C0A, 0x11C36}, {0x11C38, 0x11C45}, {0x11C50, 0x11C6C},
    {0x11C70, 0x11C8F}, {0x11C92, 0x11CA7}, {0x11CA9, 0x11CB6}, {0x11D00, 0x11D06},
    {0x11D08, 0x11D09}, {0x11D0B, 0x11D36}, {0x11D3A, 0x11D3A}, {0x11D3C, 0x11D3D},
    {0x11D3F, 0x11D47}, {0x11D50, 0x11D59}, {0x11D60, 0x11D65}, {0x11D67, 0x11D68},
    {0x11D6A, 0x11D8E}, {0x11D90, 0x11D91}, {0x11D93, 0x11D98}, {0x11DA0, 0x11DA9},
    {0x11EE0, 0x11EF8}, {0x11FB0, 0x11FB0}, {0x11FC0, 0x11FF1}, {0x11FFF, 0x12399},
    {0x12400, 0x1246E}, {0x12470, 0x12474}, {0x12480, 0x12543}, {0x12F90, 0x12FF2},
    {0x13000, 0x1342E}, {0x14400, 0x14646}, {0x16800, 0x16A38}, {0x16A40, 0x16A5E},
    {0x16A60, 0x16A69}, {0x16A6E, 0x16ABE}, {0x16AC0, 0x16AC9}, {0x16AD0, 0x16AED},
    {0x16AF0, 0x16AF5}, {0x16B00, 0x16B45}, {0x16B50, 0x16B59}, {0x16B5B, 0x16B61},
    {0x16B63, 0x16B77}, {0x16B7D, 0x16B8F}, {0x16E40, 0x16E9A}, {0x16F00, 0x16F4A},
    {0x16F4F, 0x16F87}, {0x16F8F, 0x16F9F}, {0x16FE0, 0x16FE4}, {0x16FF0, 0x16FF1},
    {0x17000, 0x187F7}, {0x18800, 0x18CD5}, {0x18D00, 0x18D08}, {0x1AFF0, 0x1AFF3},
    {0x1AFF5, 0x1AFFB}, {0x1AFFD, 0x1AFFE}, {0x1B000, 0x1B122}, {0x1B150, 0x1B152},
    {0x1B164, 0x1B167}, {0x1B170, 0x1B2FB}, {0x1BC00, 0x1BC6A}, {0x1BC70, 0x1BC7C},
    {0x1BC80, 0x1BC88}, {0x1BC90, 0x1BC99}, {0x1BC9C, 0x1BC9F}, {0x1CF00, 0x1CF2D},
    {0x1CF30, 0x1CF46}, {0x1CF50, 0x1CFC3}, {0x1D000, 0x1D0F5}, {0x1D100, 0x1D126},
    {0x1D129, 0x1D172}, {0x1D17B, 0x1D1EA}, {0x1D200, 0x1D245}, {0x1D2E0, 0x1D2F3},
    {0x1D300, 0x1D356}, {0x1D360, 0x1D378}, {0x1D400, 0x1D454}, {0x1D456, 0x1D49C},
    {0x1D49E, 0x1D49F}, {0x1D4A2, 0x1D4A2}, {0x1D4A5, 0x1D4A6}, {0x1D4A9, 0x1D4AC},
    {0x1D4AE, 0x1D4B9}, {0x1D4BB, 0x1D4BB}, {0x1D4BD, 0x1D4C3}, {0x1D4C5, 0x1D505},
    {0x1D507, 0x1D50A}, {0x1D50D, 0x1D514}, {0x1D516, 0x1D51C}, {0x1D51E, 0x1D539},
    {0x1D53B, 0x1D53E}, {0x1D540, 0x1D544}, {0x1D546, 0x1D546}, {0x1D54A, 0x1D550},
    {0x1D552, 0x1D6A5}, {0x1D6A8, 0x1D7CB}, {0x1D7CE, 0x1DA8B}, {0x1DA9B, 0x1DA9F},
    {0x1DAA1, 0x1DAAF}, {0x1DF00, 0x1DF1E}, {0x1E000, 0x1E006}, {0x1E008, 0x1E018},
    {0x1E01B, 0x1E021}, {0x1E023, 0x1E024}, {0x1E026, 0x1E02A}, {0x1E100, 0x1E12C},
    {0x1E130, 0x1E13D}, {0x1E140, 0x1E149}, {0x1E14E, 0x1E14F}, {0x1E290, 0x1E2AE},
    {0x1E2C0, 0x1E2F9}, {0x1E2FF, 0x1E2FF}, {0x1E7E0, 0x1E7E6}, {0x1E7E8, 0x1E7EB},
    {0x1E7ED, 0x1E7EE}, {0x1E7F0, 0x1E7FE}, {0x1E800, 0x1E8C4}, {0x1E8C7, 0x1E8D6},
    {0x1E900, 0x1E94B}, {0x1E950, 0x1E959}, {0x1E95E, 0x1E95F}, {0x1EC71, 0x1ECB4},
    {0x1ED01, 0x1ED3D}, {0x1EE00, 0x1EE03}, {0x1EE05, 0x1EE1F}, {0x1EE21, 0x1EE22},
    {0x1EE24, 0x1EE24}, {0x1EE27, 0x1EE27}, {0x1EE29, 0x1EE32}, {0x1EE34, 0x1EE37},
    {0x1EE39, 0x1EE39}, {0x1EE3B, 0x1EE3B}, {0x1EE42, 0x1EE42}, {0x1EE47, 0x1EE47},
    {0x1EE49, 0x1EE49}, {0x1EE4B, 0x1EE4B}, {0x1EE4D, 0x1EE4F}, {0x1EE51, 0x1EE52},
    {0x1EE54, 0x1EE54}, {0x1EE57, 0x1EE57}, {0x1EE59, 0x1EE59}, {0x1EE5B, 0x1EE5B},
    {0x1EE5D, 0x1EE5D}, {0x1EE5F, 0x1EE5F}, {0x1EE61, 0x1EE62}, {0x1EE64, 0x1EE64},
    {0x1EE67, 0x1EE6A}, {0x1EE6C, 0x1EE72}, {0x1EE74, 0x1EE77}, {0x1EE79, 0x1EE7C},
    {0x1EE7E, 0x1EE7E}, {0x1EE80, 0x1EE89}, {0x1EE8B, 0x1EE9B}, {0x1EEA1, 0x1EEA3},
    {0x1EEA5, 0x1EEA9}, {0x1EEAB, 0x1EEBB}, {0x1EEF0, 0x1EEF1}, {0x1F000, 0x1F02B},
    {0x1F030, 0x1F093}, {0x1F0A0, 0x1F0AE}, {0x1F0B1, 0x1F0BF}, {0x1F0C1, 0x1F0CF},
    {0x1F0D1, 0x1F0F5}, {0x1F100, 0x1F1AD}, {0x1F1E6, 0x1F202}, {0x1F210, 0x1F23B},
    {0x1F240, 0x1F248}, {0x1F250, 0x1F251}, {0x1F260, 0x1F265}, {0x1F300, 0x1F6D7},
    {0x1F6DD, 0x1F6EC}, {0x1F6F0, 0x1F6FC}, {0x1F700, 0x1F773}, {0x1F780, 0x1F7D8},
    {0x1F7E0, 0x1F7EB}, {0x1F7F0, 0x1F7F0}, {0x1F800, 0x1F80B}, {0x1F810, 0x1F847},
    {0x1F850, 0x1F859}, {0x1F860, 0x1F887}, {0x1F890, 0x1F8AD}, {0x1F8B0, 0x1F8B1},
    {0x1F900, 0x1FA53}, {0x1FA60, 0x1FA6D}, {0x1FA70, 0x1FA74}, {0x1FA78, 0x1FA7C},
    {0x1FA80, 0x1FA86}, {0x1FA90, 0x1FAAC}, {0x1FAB0, 0x1FABA}, {0x1FAC0, 0x1FAC5},
    {0x1FAD0, 0x1FAD9}, {0x1FAE0, 0x1FAE7}, {0x1FAF0, 0x1FAF6}, {0x1FB00, 0x1FB92},
    {0x1FB94, 0x1FBCA}, {0x1FBF0, 0x1FBF9}, {0x20000, 0x2A6DF}, {0x2A700, 0x2B738},
    {0x2B740, 0x2B81D}, {0x2B820, 0x2CEA1}, {0x2CEB0, 0x2EBE0}, {0x2F800, 0x2FA1D},
    {0x30000, 0x3134A}, {0xE0100, 0xE01EF},
};

static bool is_print(uint32_t r)
{
    if (r < 0x80)
        return r >= 0x20 && r < 0x7F;
    size_t lo = 0, hi = RP_ARRAY_LEN(print_ranges);
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (r < print_ranges[mid][0])
            hi = mid;
        else if (r > print_ranges[mid][1])
            lo = mid + 1;
        else
            return true;
    }
    return false;
}

/* Rune at s[0..n), n > 0; invalid is U+FFFD of width 1 and *bad is set. */
static size_t go_dec(const char *s, size_t n, uint32_t *cp, bool *bad)
{
    *bad = false;
    if ((unsigned char)s[0] < 0x80) {
        *cp = (unsigned char)s[0];
        return 1;
    }
    size_t k = rp_utf8_decode(s, n, cp);
    if (k)
        return k;
    *bad = true;
    *cp = 0xFFFD;
    return 1;
}

static void put_rune(rp_buf *b, uint32_t r)
{
    char enc[4];
    rp_buf_append(b, enc, rp_utf8_encode(r, enc));
}

/* ---- strconv quoting ------------------------------------------------------- */

static const char lower_hex[] = "0123456789abcdef";
static const char upper_hex[] = "0123456789ABCDEF";

static void put_hex_escape(rp_buf *b, char kind, uint32_t v, int digits)
{
    rp_buf_putc(b, '\\');
    rp_buf_putc(b, kind);
    for (int sh = (digits - 1) * 4; sh >= 0; sh -= 4)
        rp_buf_putc(b, lower_hex[(v >> sh) & 15]);
}

/* strconv's appendEscapedRune. */
static void put_escaped_rune(rp_buf *b, uint32_t r, char quote, bool ascii_only)
{
    if (r == (uint32_t)quote || r == '\\') {
        rp_buf_putc(b, '\\');
        rp_buf_putc(b, (char)r);
        return;
    }
    if (ascii_only ? (r < 0x80 && is_print(r)) : is_print(r)) {
        put_rune(b, r);
        return;
    }
    static const char esc[] = "\aa\bb\ff\nn\rr\tt\vv";
    for (const char *e = esc; *e; e += 2)
        if (r == (unsigned char)e[0]) {
            rp_buf_putc(b, '\\');
            rp_buf_putc(b, e[1]);
            return;
        }
    if (r < ' ' || r == 0x7F)
        put_hex_escape(b, 'x', r, 2);
    else if (r < 0x10000)
        put_hex_escape(b, 'u', r, 4);
    else
        put_hex_escape(b, 'U', r, 8);
}

/* strconv.Quote / QuoteToASCII: invalid bytes become \xNN. */
static void go_quote(rp_buf *b, const char *s, size_t n, bool ascii_only)
{
    rp_buf_putc(b, '"');
    for (size_t i = 0; i < n;) {
        /* Runs of printable ASCII other than quote and backslash are copied
         * as they are: the common case, in one append. */
        size_t run = i;
        while (run < n && (unsigned char)s[run] >= 0x20 && (unsigned char)s[run] < 0x7F &&
               s[run] != '"' && s[run] != '\\')
            run++;
        if (run > i) {
            rp_buf_append(b, s + i, run - i);
            i = run;
            continue;
        }
        uint32_t r;
        bool bad;
        size_t k = go_dec(s + i, n - i, &r, &bad);
        if (bad)
            put_hex_escape(b, 'x', (unsigned char)s[i], 2);
        else
            put_escaped_rune(b, r, '"', ascii_only);
        i += k;
    }
    rp_buf_putc(b, '"');
}

void rego_go_quote(rp_buf *b, const char *s, size_t n) { go_quote(b, s, n, false); }

/* strconv.QuoteRune: anything that is not a valid rune quotes as U+FFFD. */
static void go_quote_rune(rp_buf *b, uint32_t r, bool ascii_only)
{
    if (r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF))
        r = 0xFFFD;
    rp_buf_putc(b, '\'');
    put_escaped_rune(b, r, '\'', ascii_only);
    rp_buf_putc(b, '\'');
}

/* strconv.CanBackquote. */
static bool can_backquote(const char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        uint32_t r;
        bool bad;
        size_t k = go_dec(s + i, n - i, &r, &bad);
        if (bad)
            return false;
        if (k > 1 ? r == 0xFEFF : ((r < ' ' && r != '\t') || r == '`' || r == 0x7F))
            return false;
        i += k;
    }
    return true;
}

/* ---- Rego text (OPA's Value.String) ----------------------------------------- */

/* How OPA spells a non-string, non-number sprintf argument: Rego term
 * syntax, strings quoted by strconv.Quote, sets and objects sorted. */
static void rego_text(rp_buf *b, rego_value v, int depth)
{
    if (depth > REGO_VALUE_MAX_DEPTH) {
        rp_buf_puts(b, "...");
        return;
    }
    switch ((rego_kind)v.kind) {
    case REGO_UNDEF: rp_buf_puts(b, "undefined"); return;
    case REGO_NULL: rp_buf_puts(b, "null"); return;
    case REGO_BOOL: rp_buf_puts(b, v.u.b ? "true" : "false"); return;
    case REGO_NUMBER: rego_num_write(b, v); return;
    case REGO_STRING: go_quote(b, v.u.s, v.n, false); return;
    case REGO_ARRAY:
    case REGO_SET: {
        bool set = v.kind == REGO_SET;
        const rego_value *it = set ? v.u.set->items : v.u.items;
        if (set && v.n == 0) {
            rp_buf_puts(b, "set()");
            return;
        }
        rp_buf_putc(b, set ? '{' : '[');
        for (size_t i = 0; i < v.n; i++) {
            if (i)
                rp_buf_puts(b, ", ");
            rego_text(b, it[i], depth + 1);
        }
        rp_buf_putc(b, set ? '}' : ']');
        return;
    }
    case REGO_OBJECT:
        rp_buf_putc(b, '{');
        for (size_t i = 0; i < v.n; i++) {
            rego_objent e = rego_object_at(v, i);
            if (i)
                rp_buf_puts(b, ", ");
            rego_text(b, e.key, depth + 1);
            rp_buf_puts(b, ": ");
            rego_text(b, e.val, depth + 1);
        }
        rp_buf_putc(b, '}');
        return;
    }
}

/* ---- strconv.AppendFloat ---------------------------------------------------- */

/* A decimal: digits d[0..nd) with no trailing zeros, value 0.d * 10^dp
 * (strconv's decimalSlice); zero is nd == 0, dp == 0. */
typedef struct {
    char *d;
    int nd, dp;
} decimal;

/* Parses the "%.*e" rendering of a non-negative double into a decimal. */
static void decimal_from_e(const char *txt, decimal *x)
{
    int nd = 0;
    const char *p = txt;
    for (; *p && *p != 'e'; p++)
        if (*p != '.')
            x->d[nd++] = *p;
    int exp = atoi(p + 1);
    while (nd > 0 && x->d[nd - 1] == '0')
        nd--;
    x->nd = nd;
    x->dp = nd ? exp + 1 : 0;
}

/* The digits of |v| rounded to sig significant digits (sig >= 1), exactly
 * as Go's decimal rounding (glibc prints exact binary values, ties to
 * even).  x->d must have room for sig + 1 bytes; tmp for sig + 32. */
static void digits_fixed(double v, int sig, decimal *x, char *tmp, size_t tmpn)
{
    snprintf(tmp, tmpn, "%.*e", sig - 1, fabs(v));
    decimal_from_e(tmp, x);
}

/* The shortest digits that read back as v (strconv's shortest mode). */
static void digits_shortest(double v, decimal *x)
{
    double a = fabs(v);
    if (a == 0) {
        x->nd = x->dp = 0;
        return;
    }
    int exp;
    x->nd = (int)rego_double_digits(a, x->d, &exp);
    x->dp = exp + 1;
}

/* %e: d.ddde±dd with prec digits after the point. */
static void put_fmt_e(rp_buf *b, bool neg, const decimal *x, int prec, char e)
{
    if (neg)
        rp_buf_putc(b, '-');
    rp_buf_putc(b, x->nd ? x->d[0] : '0');
    if (prec > 0) {
        rp_buf_putc(b, '.');
        int have = x->nd - 1 < prec ? x->nd - 1 : prec;
        if (have > 0)
            rp_buf_append(b, x->d + 1, (size_t)have);
        for (int i = have > 0 ? have : 0; i < prec; i++)
            rp_buf_putc(b, '0');
    }
    int exp = x->nd ? x->dp - 1 : 0;
    rp_buf_printf(b, "%c%c%02d", e, exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
}

/* %f: integer digits, then prec fraction digits. */
static void put_fmt_f(rp_buf *b, bool neg, const decimal *x, int prec)
{
    if (neg)
        rp_buf_putc(b, '-');
    if (x->dp > 0) {
        int m = x->nd < x->dp ? x->nd : x->dp;
        rp_buf_append(b, x->d, (size_t)m);
        for (int i = m; i < x->dp; i++)
            rp_buf_putc(b, '0');
    } else {
        rp_buf_putc(b, '0');
    }
    if (prec > 0) {
        rp_buf_putc(b, '.');
        for (int i = 1; i <= prec; i++) {
            int j = x->dp + i - 1;
            rp_buf_putc(b, j >= 0 && j < x->nd ? x->d[j] : '0');
        }
    }
}

/* %g: %e for exponents < -4 or >= the precision (6 in shortest mode), %f
 * otherwise; trailing zeros never printed (strconv's formatDigits). */
static void put_fmt_g(rp_buf *b, bool neg, const decimal *x, int prec, bool shortest, char e)
{
    int eprec = prec;
    if (eprec > x->nd && x->nd >= x->dp)
        eprec = x->nd;
    if (shortest)
        eprec = 6;
    int exp = x->dp - 1;
    if (exp < -4 || exp >= eprec) {
        put_fmt_e(b, neg, x, (prec > x->nd ? x->nd : prec) - 1, e);
        return;
    }
    if (prec > x->dp)
        prec = x->nd;
    put_fmt_f(b, neg, x, prec - x->dp > 0 ? prec - x->dp : 0);
}

/* %x: -0x1.hhhhp±dd, shortest or rounded (ties to even) to prec digits. */
static void put_fmt_x(rp_buf *b, double v, int prec, bool upper)
{
    const char *hex = upper ? upper_hex : lower_hex;
    uint64_t mant = 0;
    int exp = 0;
    if (v != 0) {
        int e;
        double m = frexp(fabs(v), &e);          /* m in [0.5, 1) */
        mant = (uint64_t)ldexp(m, 61);          /* leading 1 at bit 60 */
        exp = e - 1;
    }
    if (prec >= 0 && prec < 15) {
        unsigned shift = (unsigned)prec * 4;
        uint64_t rest = (mant << shift) & ((UINT64_C(1) << 60) - 1);
        mant >>= 60 - shift;
        if ((rest | (mant & 1)) > (UINT64_C(1) << 59))
            mant++;
        mant <<= 60 - shift;
        if (mant & (UINT64_C(1) << 61)) { /* rounded up to 2.0 */
            mant >>= 1;
            exp++;
        }
    }
    if (signbit(v))
        rp_buf_putc(b, '-');
    rp_buf_putc(b, '0');
    rp_buf_putc(b, upper ? 'X' : 'x');
    rp_buf_putc(b, (char)('0' + ((mant >> 60) & 1)));
    mant <<= 4;
    if ((prec < 0 && mant) || prec > 0) {
        rp_buf_putc(b, '.');
        for (int i = 0; prec < 0 ? mant != 0 : i < prec; i++) {
            rp_buf_putc(b, hex[(mant >> 60) & 15]);
            mant <<= 4;
        }
    }
    rp_buf_printf(b, "%c%c%02d", upper ? 'P' : 'p', exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
}

/* %b: decimal mantissa and binary exponent, -4503599627370496p-52. */
static void put_fmt_b(rp_buf *b, double v)
{
    uint64_t bits;
    memcpy(&bits, &v, sizeof(bits));
    int e = (int)((bits >> 52) & 0x7FF);
    uint64_t m = bits & ((UINT64_C(1) << 52) - 1);
    if (e == 0)
        e = 1;
    else
        m |= UINT64_C(1) << 52;
    int exp = e - 1023 - 52;
    rp_buf_printf(b, "%s%llup%s%d", (bits >> 63) ? "-" : "", (unsigned long long)m,
                  exp >= 0 ? "+" : "", exp);
}

/* strconv.AppendFloat(v, verb, prec, 64) for the verbs fmt uses. */
static bool go_ftoa(rp_buf *b, double v, char verb, int prec)
{
    if (verb == 'b') {
        put_fmt_b(b, v);
        return true;
    }
    if (verb == 'x' || verb == 'X') {
        put_fmt_x(b, v, prec, verb == 'X');
        return true;
    }
    bool neg = signbit(v) != 0;
    if (prec >= 0 && (verb == 'e' || verb == 'E' || verb == 'f')) {
        /* glibc prints these exactly as strconv does, sign included. */
        rp_buf_printf(b, verb == 'f' ? "%.*f" : verb == 'e' ? "%.*e" : "%.*E", prec, v);
        return true;
    }
    char small[64];
    decimal x = {small, 0, 0};
    char *heap = NULL;
    bool shortest = prec < 0;
    if (shortest) {
        digits_shortest(v, &x);
        prec = x.nd;
    } else {
        if (prec == 0)
            prec = 1;
        size_t need = (size_t)prec + 40;
        heap = malloc(2 * need);
        if (!heap)
            return false;
        x.d = heap;
        digits_fixed(v, prec, &x, heap + need, need);
    }
    put_fmt_g(b, neg, &x, prec, shortest, verb == 'G' ? 'E' : 'e');
    free(heap);
    return true;
}

/* ---- the printer (Go's pp and fmt) ------------------------------------------ */

typedef enum { GO_INT, GO_BIG, GO_FLOAT, GO_STRING } go_kind;

/* One operand as OPA hands it to fmt.Sprintf. */
typedef struct {
    go_kind kind;
    int64_t i;      /* GO_INT */
    double f;       /* GO_FLOAT */
    const char *s;  /* GO_STRING */
    size_t n;
    rego_value num; /* GO_BIG */
} go_arg;

static const char *go_type(const go_arg *a)
{
    switch (a->kind) {
    case GO_INT: return "int";
    case GO_BIG: return "*big.Int";
    case GO_FLOAT: return "float64";
    case GO_STRING: return "string";
    }
    return "?";
}

typedef struct {
    rp_buf *b;
    int wid, prec;
    bool wid_ok, prec_ok;
    bool minus, plus, sharp, space, zero;
    bool plus_v, sharp_v; /* %+v / %#v: plus/sharp moved aside, as Go does */
    bool nomem;
} gofmt;

static void clear_flags(gofmt *f)
{
    rp_buf *b = f->b;
    bool nomem = f->nomem;
    memset(f, 0, sizeof(*f));
    f->b = b;
    f->nomem = nomem;
}

static void put_repeat(rp_buf *b, char c, long n)
{
    if (n <= 0 || !rp_buf_reserve(b, (size_t)n))
        return;
    memset(b->data + b->len, c, (size_t)n);
    b->len += (size_t)n;
}

/* Zeros only ever pad on the left. */
static void write_padding(gofmt *f, long n)
{
    put_repeat(f->b, f->zero && !f->minus ? '0' : ' ', n);
}

/* Appends s padded to the width, counted in runes. */
static void pad(gofmt *f, const char *s, size_t n)
{
    if (!f->wid_ok || f->wid == 0) {
        rp_buf_append(f->b, s, n);
        return;
    }
    long w = (long)f->wid - (long)rp_utf8_count(s, n);
    if (!f->minus)
        write_padding(f, w);
    rp_buf_append(f->b, s, n);
    if (f->minus)
        write_padding(f, w);
}

/* pad() of a scratch buffer, which it frees. */
static void pad_tmp(gofmt *f, rp_buf *t)
{
    if (t->failed)
        f->nomem = true;
    pad(f, t->data ? t->data : "", t->len);
    rp_buf_free(t);
}

/* fmt.fmtInteger: precision and '0' give leading zeros, then prefixes
 * (#: 0b, 0, 0x; %O: 0o) and the sign; padding is never zeros after that. */
static void fmt_integer(gofmt *f, uint64_t u, int base, bool is_signed, char verb, bool upper)
{
    bool neg = is_signed && (int64_t)u < 0;
    if (neg)
        u = -u;
    long prec = 0;
    if (f->prec_ok) {
        prec = f->prec;
        if (prec == 0 && u == 0) {
            bool z = f->zero;
            f->zero = false;
            write_padding(f, f->wid);
            f->zero = z;
            return;
        }
    } else if (f->zero && !f->minus && f->wid_ok) {
        prec = f->wid;
        if (neg || f->plus || f->space)
            prec--;
    }
    const char *dig = upper ? upper_hex : lower_hex;
    char tmp[64];
    int nd = 0;
    do {
        tmp[63 - nd++] = dig[u % (unsigned)base];
        u /= (unsigned)base;
    } while (u);
    rp_buf t;
    rp_buf_init(&t);
    if (neg)
        rp_buf_putc(&t, '-');
    else if (f->plus)
        rp_buf_putc(&t, '+');
    else if (f->space)
        rp_buf_putc(&t, ' ');
    if (verb == 'O')
        rp_buf_puts(&t, "0o");
    bool zeros = prec > nd;
    if (f->sharp && base == 2)
        rp_buf_puts(&t, "0b");
    else if (f->sharp && base == 16)
        rp_buf_puts(&t, upper ? "0X" : "0x");
    else if (f->sharp && base == 8 && !zeros && tmp[64 - nd] != '0')
        rp_buf_putc(&t, '0');
    for (long i = nd; i < prec; i++)
        rp_buf_putc(&t, '0');
    rp_buf_append(&t, tmp + 64 - nd, (size_t)nd);
    bool z = f->zero;
    f->zero = false;
    pad_tmp(f, &t);
    f->zero = z;
}

/* %U: U+0041, with # also ' A' when printable. */
static void fmt_unicode(gofmt *f, uint64_t u)
{
    long prec = f->prec_ok && f->prec > 4 ? f->prec : 4;
    char tmp[20];
    int nd = 0;
    uint64_t v = u;
    do {
        tmp[19 - nd++] = upper_hex[v & 15];
        v >>= 4;
    } while (v);
    rp_buf t;
    rp_buf_init(&t);
    rp_buf_puts(&t, "U+");
    for (long i = nd; i < prec; i++)
        rp_buf_putc(&t, '0');
    rp_buf_append(&t, tmp + 20 - nd, (size_t)nd);
    if (f->sharp && u <= 0x10FFFF && is_print((uint32_t)u)) {
        rp_buf_puts(&t, " '");
        put_rune(&t, (uint32_t)u);
        rp_buf_putc(&t, '\'');
    }
    bool z = f->zero;
    f->zero = false;
    pad_tmp(f, &t);
    f->zero = z;
}

static void fmt_c(gofmt *f, uint64_t u)
{
    char enc[4];
    pad(f, enc, rp_utf8_encode(u > 0x10FFFF ? 0xFFFD : (uint32_t)u, enc));
}

static void fmt_qc(gofmt *f, uint64_t u)
{
    rp_buf t;
    rp_buf_init(&t);
    go_quote_rune(&t, u > 0x10FFFF ? 0xFFFD : (uint32_t)u, f->plus);
    pad_tmp(f, &t);
}

/* The first prec runes of s when a precision is given. */
static size_t truncate_runes(const gofmt *f, const char *s, size_t n)
{
    if (!f->prec_ok)
        return n;
    size_t i = 0;
    for (long k = 0; i < n && k < f->prec; k++) {
        uint32_t r;
        bool bad;
        i += go_dec(s + i, n - i, &r, &bad);
    }
    return i;
}

static void fmt_s(gofmt *f, const char *s, size_t n)
{
    pad(f, s, truncate_runes(f, s, n));
}

/* %x / %X of a string: hex of its bytes; ' ' separates, # adds 0x. */
static void fmt_sx(gofmt *f, const char *s, size_t n, bool upper)
{
    const char *dig = upper ? upper_hex : lower_hex;
    size_t len = f->prec_ok && (size_t)f->prec < n ? (size_t)f->prec : n;
    size_t width = 2 * len;
    if (width == 0) {
        if (f->wid_ok)
            write_padding(f, f->wid);
        return;
    }
    if (f->space)
        width = (f->sharp ? 2 * width : width) + len - 1;
    else if (f->sharp)
        width += 2;
    if (f->wid_ok && (size_t)f->wid > width && !f->minus)
        write_padding(f, (long)(f->wid - (long)width));
    if (f->sharp)
        rp_buf_puts(f->b, upper ? "0X" : "0x");
    for (size_t i = 0; i < len; i++) {
        if (f->space && i > 0) {
            rp_buf_putc(f->b, ' ');
            if (f->sharp)
                rp_buf_puts(f->b, upper ? "0X" : "0x");
        }
        unsigned char c = (unsigned char)s[i];
        rp_buf_putc(f->b, dig[c >> 4]);
        rp_buf_putc(f->b, dig[c & 15]);
    }
    if (f->wid_ok && (size_t)f->wid > width && f->minus)
        write_padding(f, (long)(f->wid - (long)width));
}

static void fmt_q(gofmt *f, const char *s, size_t n)
{
    n = truncate_runes(f, s, n);
    if (!f->wid_ok && !f->sharp) {
        /* no width: no padding to apply, write straight into the output */
        go_quote(f->b, s, n, f->plus);
        if (f->b->failed)
            f->nomem = true;
        return;
    }
    rp_buf t;
    rp_buf_init(&t);
    if (f->sharp && can_backquote(s, n)) {
        rp_buf_putc(&t, '`');
        rp_buf_append(&t, s, n);
        rp_buf_putc(&t, '`');
    } else {
        go_quote(&t, s, n, f->plus);
    }
    pad_tmp(f, &t);
}

/* Go's '#' on floats: keep a decimal point and pad to prec significant
 * digits (6 when shortest), counting digits as fmt.fmtFloat does. */
static void sharp_float(rp_buf *num, char verb, int prec)
{
    int digits = 0;
    if (verb == 'g' || verb == 'G' || verb == 'x')
        digits = prec < 0 ? 6 : prec;
    char tail[16] = "";
    bool point = false, nonzero = false;
    for (size_t i = 1; i < num->len; i++) {
        char c = num->data[i];
        if (c == '.') {
            point = true;
        } else if (c == 'p' || c == 'P' || ((c == 'e' || c == 'E') && verb != 'x' && verb != 'X')) {
            size_t tn = num->len - i < sizeof(tail) - 1 ? num->len - i : sizeof(tail) - 1;
            memcpy(tail, num->data + i, tn);
            tail[tn] = 0;
            num->len = i;
            break;
        } else {
            if (c != '0')
                nonzero = true;
            if (nonzero)
                digits--;
        }
    }
    if (!point) {
        if (num->len == 2 && num->data[1] == '0')
            digits--;
        rp_buf_putc(num, '.');
    }
    for (; digits > 0; digits--)
        rp_buf_putc(num, '0');
    rp_buf_puts(num, tail);
}

/* fmt.fmtFloat: sign handling, '#', and zero padding after the sign. */
static void fmt_float(gofmt *f, double v, char verb, int prec)
{
    if (f->prec_ok)
        prec = f->prec;
    rp_buf num;
    rp_buf_init(&num);
    if (!signbit(v))
        rp_buf_putc(&num, '+');
    if (!go_ftoa(&num, v, verb, prec))
        num.failed = true;
    if (num.failed) {
        f->nomem = true;
        rp_buf_free(&num);
        return;
    }
    if (f->space && num.data[0] == '+' && !f->plus)
        num.data[0] = ' ';
    if (f->sharp && verb != 'b')
        sharp_float(&num, verb, prec);
    if (num.failed) {
        f->nomem = true;
    } else if (f->plus || num.data[0] != '+') {
        if (f->zero && !f->minus && f->wid_ok && (size_t)f->wid > num.len) {
            rp_buf_putc(f->b, num.data[0]);
            write_padding(f, (long)(f->wid - (long)num.len));
            rp_buf_append(f->b, num.data + 1, num.len - 1);
        } else {
            pad(f, num.data, num.len);
        }
    } else {
        pad(f, num.data + 1, num.len - 1);
    }
    rp_buf_free(&num);
}

/* big.Int's Format method: its own sign, prefix and padding rules, and its
 * own diagnostic for verbs it does not know. */
static void fmt_big(gofmt *f, rego_value num, uint32_t verb)
{
    int base;
    switch (verb) {
    case 'b': base = 2; break;
    case 'o': case 'O': base = 8; break;
    case 'd': case 's': case 'v': base = 10; break;
    case 'x': case 'X': base = 16; break;
    default: base = 0; break;
    }
    mpz_t z;
    mpz_init(z);
    rego_num_to_mpz(num, z);
    size_t cap = mpz_sizeinbase(z, base ? base : 10) + 2;
    char *digits = malloc(cap);
    if (!digits) {
        f->nomem = true;
        mpz_clear(z);
        return;
    }
    if (!base) {
        mpz_get_str(digits, 10, z);
        rp_buf_puts(f->b, "%!");
        put_rune(f->b, verb);
        rp_buf_printf(f->b, "(big.Int=%s)", digits);
        goto out;
    }
    bool plus = f->plus || f->plus_v, sharp = f->sharp || f->sharp_v;
    const char *sign = mpz_sgn(z) < 0 ? "-" : plus ? "+" : f->space ? " " : "";
    const char *prefix = "";
    if (sharp)
        prefix = verb == 'b'   ? "0b"
                 : verb == 'o' ? "0"
                 : verb == 'x' ? "0x"
                 : verb == 'X' ? "0X"
                               : "";
    if (verb == 'O')
        prefix = "0o";
    mpz_abs(z, z);
    mpz_get_str(digits, verb == 'X' ? -16 : base, z);
    size_t nd = strlen(digits);
    long zeros = 0, left = 0, right = 0;
    if (f->prec_ok) {
        if ((long)nd < f->prec)
            zeros = f->prec - (long)nd;
        else if (nd == 1 && digits[0] == '0' && f->prec == 0)
            goto out;
    }
    long length = (long)(strlen(sign) + strlen(prefix) + nd) + zeros;
    if (f->wid_ok && length < f->wid) {
        long d = f->wid - length;
        if (f->minus)
            right = d;
        else if (f->zero && !f->prec_ok)
            zeros += d;
        else
            left = d;
    }
    put_repeat(f->b, ' ', left);
    rp_buf_puts(f->b, sign);
    rp_buf_puts(f->b, prefix);
    put_repeat(f->b, '0', zeros);
    rp_buf_append(f->b, digits, nd);
    put_repeat(f->b, ' ', right);
out:
    free(digits);
    mpz_clear(z);
}

static void print_arg(gofmt *f, const go_arg *a, uint32_t verb);

/* %!verb(type=value): the value printed with %v under the same flags. */
static void bad_verb(gofmt *f, const go_arg *a, uint32_t verb)
{
    rp_buf_puts(f->b, "%!");
    put_rune(f->b, verb);
    rp_buf_putc(f->b, '(');
    rp_buf_puts(f->b, go_type(a));
    rp_buf_putc(f->b, '=');
    if (a->kind == GO_BIG) {
        /* Go dumps the struct by reflection here; the number is more use. */
        f->plus = f->plus_v = false;
        fmt_big(f, a->num, 'd');
    } else {
        print_arg(f, a, 'v');
    }
    rp_buf_putc(f->b, ')');
}

static void print_int(gofmt *f, const go_arg *a, uint32_t verb)
{
    uint64_t u = (uint64_t)a->i;
    switch (verb) {
    case 'v': case 'd': fmt_integer(f, u, 10, true, (char)verb, false); return;
    case 'b': fmt_integer(f, u, 2, true, (char)verb, false); return;
    case 'o': case 'O': fmt_integer(f, u, 8, true, (char)verb, false); return;
    case 'x': fmt_integer(f, u, 16, true, (char)verb, false); return;
    case 'X': fmt_integer(f, u, 16, true, (char)verb, true); return;
    case 'c': fmt_c(f, u); return;
    case 'q': fmt_qc(f, u); return;
    case 'U': fmt_unicode(f, u); return;
    default: bad_verb(f, a, verb); return;
    }
}

static void print_float(gofmt *f, const go_arg *a, uint32_t verb)
{
    switch (verb) {
    case 'v': fmt_float(f, a->f, 'g', -1); return;
    case 'b': case 'g': case 'G': case 'x': case 'X': fmt_float(f, a->f, (char)verb, -1); return;
    case 'f': case 'e': case 'E': fmt_float(f, a->f, (char)verb, 6); return;
    case 'F': fmt_float(f, a->f, 'f', 6); return;
    default: bad_verb(f, a, verb); return;
    }
}

static void print_string(gofmt *f, const go_arg *a, uint32_t verb)
{
    switch (verb) {
    case 'v':
        if (f->sharp_v)
            fmt_q(f, a->s, a->n);
        else
            fmt_s(f, a->s, a->n);
        return;
    case 's': fmt_s(f, a->s, a->n); return;
    case 'x': fmt_sx(f, a->s, a->n, false); return;
    case 'X': fmt_sx(f, a->s, a->n, true); return;
    case 'q': fmt_q(f, a->s, a->n); return;
    default: bad_verb(f, a, verb); return;
    }
}

/* Go's printArg for the four operand types OPA produces. */
static void print_arg(gofmt *f, const go_arg *a, uint32_t verb)
{
    if (verb == 'T') {
        const char *t = go_type(a);
        fmt_s(f, t, strlen(t));
        return;
    }
    if (verb == 'p') {
        bad_verb(f, a, verb);
        return;
    }
    switch (a->kind) {
    case GO_INT: print_int(f, a, verb); return;
    case GO_FLOAT: print_float(f, a, verb); return;
    case GO_STRING: print_string(f, a, verb); return;
    case GO_BIG:
        if (verb == 'w')
            bad_verb(f, a, verb);
        else
            fmt_big(f, a->num, verb);
        return;
    }
}

/* ---- Printf's format loop ----------------------------------------------------- */

typedef struct {
    const char *fmt;
    size_t end, i;
    const go_arg *args;
    size_t nargs, argnum;
    bool reordered, good_argnum;
} printf_state;

/* Go's tooLarge/parsenum: a width or precision above ~10^6 stops parsing
 * the directive (Go then consumes the rest of the format). */
static bool parse_num(printf_state *p, int *num)
{
    bool any = false;
    long v = 0;
    *num = 0;
    while (p->i < p->end && p->fmt[p->i] >= '0' && p->fmt[p->i] <= '9') {
        if (v > 1000000) {
            p->i = p->end;
            return false;
        }
        v = v * 10 + (p->fmt[p->i] - '0');
        any = true;
        p->i++;
    }
    *num = (int)v;
    return any;
}

/* Go's argNumber: a "[n]" operand index at p->i.  *found reports whether
 * the brackets held a number, even one out of range (which only spoils
 * good_argnum); malformed brackets consume "[" alone or up to "]". */
static void arg_number(printf_state *p, bool *found)
{
    *found = false;
    if (p->i >= p->end || p->fmt[p->i] != '[')
        return;
    p->reordered = true;
    const char *s = p->fmt + p->i;
    size_t rest = p->end - p->i, adv = 1, close = 1;
    bool ok = false;
    long v = 0;
    while (rest >= 3 && close < rest && s[close] != ']')
        close++;
    if (rest >= 3 && close < rest) {
        size_t k = 1;
        adv = close + 1;
        for (; k < close && s[k] >= '0' && s[k] <= '9' && v <= 1000000; k++)
            v = v * 10 + (s[k] - '0');
        ok = k == close && close > 1;
    }
    p->i += adv;
    *found = ok;
    if (ok && v >= 1 && (size_t)v <= p->nargs)
        p->argnum = (size_t)v - 1;
    else
        p->good_argnum = false;
}

/* A '*' width or precision: the next operand, which must be a Go int. */
static bool int_from_arg(printf_state *p, int *num)
{
    *num = 0;
    if (p->argnum >= p->nargs)
        return false;
    const go_arg *a = &p->args[p->argnum++];
    if (a->kind != GO_INT || a->i > 1000000 || a->i < -1000000)
        return false;
    *num = (int)a->i;
    return true;
}

static void parse_flags(printf_state *p, gofmt *f)
{
    for (; p->i < p->end; p->i++) {
        switch (p->fmt[p->i]) {
        case '#': f->sharp = true; break;
        case '0': f->zero = !f->minus; break;
        case '+': f->plus = true; break;
        case '-': f->minus = true; f->zero = false; break;
        case ' ': f->space = true; break;
        default: return;
        }
    }
}

static void parse_width(printf_state *p, gofmt *f, bool *after_index)
{
    if (p->i < p->end && p->fmt[p->i] == '*') {
        p->i++;
        f->wid_ok = int_from_arg(p, &f->wid);
        if (!f->wid_ok)
            rp_buf_puts(f->b, "%!(BADWIDTH)");
        if (f->wid < 0) {
            f->wid = -f->wid;
            f->minus = true;
            f->zero = false;
        }
        *after_index = false;
        return;
    }
    f->wid_ok = parse_num(p, &f->wid);
    if (*after_index && f->wid_ok)
        p->good_argnum = false; /* "%[3]2d" */
}

static void parse_precision(printf_state *p, gofmt *f, bool *after_index)
{
    if (!(p->i + 1 < p->end && p->fmt[p->i] == '.'))
        return;
    p->i++;
    if (*after_index)
        p->good_argnum = false; /* "%[3].2d" */
    arg_number(p, after_index);
    if (p->i < p->end && p->fmt[p->i] == '*') {
        p->i++;
        f->prec_ok = int_from_arg(p, &f->prec);
        if (f->prec < 0) {
            f->prec = 0;
            f->prec_ok = false;
        }
        if (!f->prec_ok)
            rp_buf_puts(f->b, "%!(BADPREC)");
        *after_index = false;
        return;
    }
    f->prec_ok = parse_num(p, &f->prec);
    if (!f->prec_ok) {
        f->prec = 0;
        f->prec_ok = true;
    }
}

/* One directive after its '%'; false when the format ended without a verb. */
static bool one_directive(printf_state *p, gofmt *f)
{
    bool after_index;
    clear_flags(f);
    parse_flags(p, f);
    arg_number(p, &after_index);
    parse_width(p, f, &after_index);
    parse_precision(p, f, &after_index);
    if (!after_index)
        arg_number(p, &after_index);
    if (p->i >= p->end) {
        rp_buf_puts(f->b, "%!(NOVERB)");
        return false;
    }
    uint32_t verb;
    bool bad;
    p->i += go_dec(p->fmt + p->i, p->end - p->i, &verb, &bad);
    if (verb == '%') {
        rp_buf_putc(f->b, '%'); /* takes no operand, ignores width */
    } else if (!p->good_argnum) {
        rp_buf_puts(f->b, "%!");
        put_rune(f->b, verb);
        rp_buf_puts(f->b, "(BADINDEX)");
    } else if (p->argnum >= p->nargs) {
        rp_buf_puts(f->b, "%!");
        put_rune(f->b, verb);
        rp_buf_puts(f->b, "(MISSING)");
    } else {
        if (verb == 'v' || verb == 'w') {
            f->sharp_v = f->sharp;
            f->sharp = false;
            f->plus_v = f->plus;
            f->plus = false;
        }
        print_arg(f, &p->args[p->argnum++], verb);
    }
    return true;
}

typedef enum { PRINTF_OK, PRINTF_NOMEM, PRINTF_TOO_BIG } printf_status;

/* fmt.Sprintf(format, args...) into b. */
static printf_status go_sprintf(rp_buf *b, const char *format, size_t n, const go_arg *args,
                                size_t nargs)
{
    printf_state p = {format, n, 0, args, nargs, 0, false, true};
    gofmt f = {.b = b};
    while (p.i < p.end) {
        p.good_argnum = true;
        size_t last = p.i;
        while (p.i < p.end && format[p.i] != '%')
            p.i++;
        rp_buf_append(b, format + last, p.i - last);
        if (p.i >= p.end)
            break;
        p.i++;
        if (!one_directive(&p, &f))
            break;
        /* Go stops parsing widths and precisions past ~10^7, so one
         * directive adds a bounded amount before this check. */
        if (b->len > REGO_SPRINTF_MAX_BYTES)
            return PRINTF_TOO_BIG;
        if (f.nomem || b->failed)
            return PRINTF_NOMEM;
    }
    if (!p.reordered && p.argnum < nargs) {
        clear_flags(&f);
        rp_buf_puts(b, "%!(EXTRA ");
        for (size_t k = p.argnum; k < nargs; k++) {
            if (k > p.argnum)
                rp_buf_puts(b, ", ");
            rp_buf_puts(b, go_type(&args[k]));
            rp_buf_putc(b, '=');
            print_arg(&f, &args[k], 'v');
            if (b->len > REGO_SPRINTF_MAX_BYTES)
                return PRINTF_TOO_BIG;
        }
        rp_buf_putc(b, ')');
    }
    if (b->len > REGO_SPRINTF_MAX_BYTES)
        return PRINTF_TOO_BIG;
    return f.nomem || b->failed ? PRINTF_NOMEM : PRINTF_OK;
}

/* ---- sprintf ------------------------------------------------------------------ */

/* OPA's conversion of one array element to a Go operand.  Composite and
 * other values become their Rego text, rendered into text (kept alive by
 * the caller until formatting is done). */
static void to_go_arg(rego_value v, go_arg *a, rp_buf *text, size_t *off)
{
    memset(a, 0, sizeof(*a));
    size_t tn;
    const char *lit = rego_num_text(v, &tn);
    if (lit) {
        /* OPA: a number that is neither an int64, a big.Int literal nor a
         * float64 (2e308) is passed as its text. */
        a->kind = GO_STRING;
        a->s = lit;
        a->n = tn;
        return;
    }
    if (v.kind == REGO_NUMBER) {
        a->kind = v.sub == REGO_NUM_INT ? GO_INT : v.sub == REGO_NUM_BIG ? GO_BIG : GO_FLOAT;
        a->i = v.u.i;
        a->f = v.sub == REGO_NUM_FLOAT ? v.u.f : 0;
        a->num = v;
        return;
    }
    a->kind = GO_STRING;
    if (v.kind == REGO_STRING) {
        a->s = v.u.s;
        a->n = v.n;
        return;
    }
    *off = text->len;
    rego_text(text, v, 0);
    a->n = text->len - *off;
}

static rp_status sprintf_limit(rego_bctx *ctx)
{
    return rp_error_setk(ctx->err, RP_ERR_LIMIT, RP_EK_EVAL_CANCEL, ctx->loc,
                         "%s: output would exceed %u bytes", ctx->bi->name,
                         (unsigned)REGO_SPRINTF_MAX_BYTES);
}

rp_status rego_bi_sprintf(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    const char *format;
    size_t n;
    if (!rego_bi_arg_str(ctx, args, 0, &format, &n) || !rego_bi_arg_kind(ctx, args, 1, REGO_ARRAY))
        return RP_ERR_TYPE;
    size_t nargs = args[1].n;
    go_arg *ga = rp_arena_array(ctx->arena, nargs ? nargs : 1, sizeof(go_arg));
    size_t *offs = rp_arena_array(ctx->arena, nargs ? nargs : 1, sizeof(size_t));
    if (!ga || !offs)
        return rego_bi_nomem(ctx);
    rp_buf text, b;
    rp_buf_init(&text);
    rp_buf_init(&b);
    for (size_t k = 0; k < nargs; k++) {
        offs[k] = SIZE_MAX;
        to_go_arg(args[1].u.items[k], &ga[k], &text, &offs[k]);
    }
    rp_status st = RP_OK;
    if (text.failed || text.len > REGO_SPRINTF_MAX_BYTES) {
        st = text.failed ? rego_bi_nomem(ctx) : sprintf_limit(ctx);
        goto out;
    }
    for (size_t k = 0; k < nargs; k++)
        if (offs[k] != SIZE_MAX)
            ga[k].s = text.data + offs[k];
    switch (go_sprintf(&b, format, n, ga, nargs)) {
    case PRINTF_OK:
        *out = rego_str(ctx->arena, b.data ? b.data : "", b.len);
        if (out->kind == REGO_UNDEF)
            st = rego_bi_nomem(ctx);
        break;
    case PRINTF_NOMEM: st = rego_bi_nomem(ctx); break;
    case PRINTF_TOO_BIG: st = sprintf_limit(ctx); break;
    }
out:
    rp_buf_free(&text);
    rp_buf_free(&b);
    return st;
}

/* ---- strings.render_template ---------------------------------------------------
 * OPA turns the vars object into Go values by printing it as Rego text and
 * decoding that as JSON (ast.As), so strings, json.Numbers, bools, nils,
 * []interface{} and map[string]interface{} reach text/template, and a set or
 * a non-string key fails with encoding/json's syntax error.  The template is
 * parsed and executed with missingkey=error; errors come back as builtin
 * errors with text/template's wording.
 *
 * Supported: text, comments, trim markers, {{pipeline}}, {{if}}/{{else if}}/
 * {{else}}, {{range}} (arrays, objects in key order, integers) with one or
 * two variables, {{with}}/{{else with}}, {{break}}, {{continue}}, variables
 * ($, $x := ..., $x = ...), field chains, parenthesised pipelines, string/
 * raw/char/number/bool/nil literals and the functions and, or, not, len,
 * index, eq, ne, lt, le, gt, ge, print and println.  {{define}},
 * {{template}}, {{block}} and the functions call, html, js, printf, slice
 * and urlquery are refused with an error naming them. */

/* -- vars: the JSON round trip ---------------------------------------------------- */

/* encoding/json's quoteChar. */
static void json_char(char *out, size_t cap, char c)
{
    if (c == '\'')
        snprintf(out, cap, "'\\''");
    else if (c == '"')
        snprintf(out, cap, "'\"'");
    else
        snprintf(out, cap, "'%c'", c);
}

#define KEY_START "looking for beginning of object key string"

/* A Go-quoted string's first escape that JSON rejects (\a \v \x \U), or 0. */
static char bad_json_escape(const char *s, size_t n)
{
    rp_buf t;
    rp_buf_init(&t);
    go_quote(&t, s, n, false);
    char bad = 0;
    for (size_t i = 1; i + 1 < t.len && !bad; i++) {
        if (t.data[i] != '\\')
            continue;
        char e = t.data[++i];
        if (strchr("abfnrtv\"\\u", e) == NULL || e == 'a' || e == 'v')
            bad = e;
    }
    rp_buf_free(&t);
    return bad;
}

static bool json_compat(rego_value v, char *msg, size_t cap, int depth);

static bool json_compat_string(rego_value s, char *msg, size_t cap)
{
    char e = bad_json_escape(s.u.s, s.n);
    if (!e)
        return true;
    char q[8];
    json_char(q, sizeof(q), e);
    snprintf(msg, cap, "invalid character %s in string escape code", q);
    return false;
}

/* Where decoding v's Rego text as JSON first fails, in Go's words.  Only
 * sets, non-string keys and strings with Go-only escapes can fail. */
static bool json_compat(rego_value v, char *msg, size_t cap, int depth)
{
    char q[8];
    if (depth > REGO_VALUE_MAX_DEPTH)
        return true;
    switch ((rego_kind)v.kind) {
    case REGO_STRING: return json_compat_string(v, msg, cap);
    case REGO_ARRAY:
        for (size_t i = 0; i < v.n; i++)
            if (!json_compat(v.u.items[i], msg, cap, depth + 1))
                return false;
        return true;
    case REGO_OBJECT:
        for (size_t i = 0; i < v.n; i++) {
            rego_objent e = rego_object_at(v, i);
            if (e.key.kind != REGO_STRING) {
                rp_buf t;
                rp_buf_init(&t);
                rego_text(&t, e.key, 0);
                json_char(q, sizeof(q), t.len ? t.data[0] : '?');
                rp_buf_free(&t);
                snprintf(msg, cap, "invalid character %s %s", q, KEY_START);
                return false;
            }
            if (!json_compat_string(e.key, msg, cap) || !json_compat(e.val, msg, cap, depth + 1))
                return false;
        }
        return true;
    case REGO_SET: {
        if (v.n == 0) {
            snprintf(msg, cap, "invalid character 's' looking for beginning of value");
            return false;
        }
        rego_value first = rego_set_at(v, 0);
        if (first.kind != REGO_STRING) {
            rp_buf t;
            rp_buf_init(&t);
            rego_text(&t, first, 0);
            json_char(q, sizeof(q), t.len ? t.data[0] : '?');
            rp_buf_free(&t);
            snprintf(msg, cap, "invalid character %s %s", q, KEY_START);
            return false;
        }
        if (!json_compat_string(first, msg, cap))
            return false;
        json_char(q, sizeof(q), v.n > 1 ? ',' : '}');
        snprintf(msg, cap, "invalid character %s after object key", q);
        return false;
    }
    case REGO_UNDEF:
    case REGO_NULL:
    case REGO_BOOL:
    case REGO_NUMBER: return true;
    }
    return true;
}

/* -- lexing ------------------------------------------------------------------------- */

typedef enum {
    TK_EOF, TK_ERROR, TK_TEXT, TK_LEFT, TK_RIGHT, TK_SPACE, TK_PIPE, TK_LPAREN, TK_RPAREN,
    TK_DECLARE, TK_ASSIGN, TK_CHAR, TK_DOT, TK_FIELD, TK_VAR, TK_IDENT, TK_STRING, TK_RAW,
    TK_CHARCONST, TK_NUMBER, TK_BOOL, TK_NIL,
    TK_KEYWORD, /* keywords follow */
    TK_IF, TK_ELSE, TK_END, TK_RANGE, TK_WITH, TK_BREAK, TK_CONTINUE, TK_DEFINE, TK_TEMPLATE,
    TK_BLOCK,
} tk_kind;

typedef struct {
    tk_kind kind;
    size_t pos, len; /* the token's bytes in the source (TK_ERROR: message) */
    const char *err;
} token;

typedef struct {
    const char *s;
    size_t n, pos;
    bool in_action, trim_next;
    int parens;
    char errbuf[96];
} lexer;

static bool tl_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
static bool tl_alnum(char c)
{
    return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (unsigned char)c >= 0x80;
}

static bool lx_at(const lexer *lx, size_t pos, const char *w)
{
    size_t k = strlen(w);
    return lx->n - pos >= k && memcmp(lx->s + pos, w, k) == 0;
}

/* "}}" or " -}}" at pos; *trim when the latter. */
static bool at_right(const lexer *lx, size_t pos, bool *trim)
{
    *trim = lx->n - pos >= 4 && tl_space(lx->s[pos]) && lx->s[pos + 1] == '-' &&
            lx_at(lx, pos + 2, "}}");
    return *trim || lx_at(lx, pos, "}}");
}

static token lx_error(lexer *lx, const char *msg)
{
    token t = {TK_ERROR, lx->pos, 0, msg};
    lx->pos = lx->n;
    return t;
}

/* "%#U" of the rune at pos, for lexer errors. */
static token lx_error_rune(lexer *lx, const char *what, size_t pos)
{
    uint32_t r;
    bool bad;
    go_dec(lx->s + pos, lx->n - pos, &r, &bad);
    rp_buf t;
    rp_buf_init(&t);
    if (is_print(r)) {
        rp_buf_putc(&t, '\'');
        put_rune(&t, r);
        rp_buf_putc(&t, '\'');
    }
    snprintf(lx->errbuf, sizeof(lx->errbuf), "%s U+%04X%s%s", what, r, t.len ? " " : "",
             t.len ? t.data : "");
    rp_buf_free(&t);
    return lx_error(lx, lx->errbuf);
}

/* Text up to the next "{{" (skipping comments), or the "{{" itself. */
static token lex_text(lexer *lx)
{
    for (;;) {
        size_t start = lx->pos;
        if (lx->trim_next) {
            while (start < lx->n && tl_space(lx->s[start]))
                start++;
            lx->trim_next = false;
            lx->pos = start;
        }
        const char *open = memmem(lx->s + start, lx->n - start, "{{", 2);
        size_t end = open ? (size_t)(open - lx->s) : lx->n;
        bool ltrim = open && lx->n - end >= 4 && lx->s[end + 2] == '-' && tl_space(lx->s[end + 3]);
        size_t tend = end;
        if (ltrim)
            while (tend > start && tl_space(lx->s[tend - 1]))
                tend--;
        if (tend > start) {
            token t = {TK_TEXT, start, tend - start, NULL};
            lx->pos = end;
            return t;
        }
        if (!open) {
            token t = {TK_EOF, lx->n, 0, NULL};
            lx->pos = lx->n;
            return t;
        }
        size_t after = end + 2 + (ltrim ? 2 : 0);
        if (lx_at(lx, after, "/*")) {
            const char *close = memmem(lx->s + after + 2, lx->n - after - 2, "*/", 2);
            if (!close) {
                lx->pos = end;
                return lx_error(lx, "unclosed comment");
            }
            size_t c = (size_t)(close - lx->s) + 2;
            bool rtrim;
            if (!at_right(lx, c, &rtrim)) {
                lx->pos = end;
                return lx_error(lx, "comment ends before closing delimiter");
            }
            lx->pos = c + (rtrim ? 4 : 2);
            lx->trim_next = rtrim;
            continue;
        }
        token t = {TK_LEFT, end, 2, NULL};
        lx->pos = after;
        lx->in_action = true;
        lx->parens = 0;
        return t;
    }
}

static token lex_quoted(lexer *lx, size_t start, char q, tk_kind kind)
{
    size_t i = start + 1;
    while (i < lx->n && lx->s[i] != q) {
        if (q != '`' && lx->s[i] == '\\' && i + 1 < lx->n)
            i++;
        else if (q != '`' && lx->s[i] == '\n')
            break;
        i++;
    }
    if (i >= lx->n || lx->s[i] != q)
        return lx_error(lx, q == '"' ? "unterminated quoted string"
                            : q == '`' ? "unterminated raw quoted string"
                                       : "unterminated character constant");
    token t = {kind, start, i + 1 - start, NULL};
    lx->pos = i + 1;
    return t;
}

static const struct {
    const char *word;
    tk_kind kind;
} keywords[] = {
    {"if", TK_IF}, {"else", TK_ELSE}, {"end", TK_END}, {"range", TK_RANGE}, {"with", TK_WITH},
    {"break", TK_BREAK}, {"continue", TK_CONTINUE}, {"define", TK_DEFINE},
    {"template", TK_TEMPLATE}, {"block", TK_BLOCK}, {"true", TK_BOOL}, {"false", TK_BOOL},
    {"nil", TK_NIL},
};

/* Whether pos ends a word: Go's atTerminator. */
static bool at_terminator(const lexer *lx, size_t pos)
{
    bool trim;
    if (pos >= lx->n || tl_space(lx->s[pos]) || at_right(lx, pos, &trim))
        return true;
    return strchr(".,|:()", lx->s[pos]) != NULL;
}

static token lex_word(lexer *lx, size_t start, size_t from, tk_kind kind)
{
    size_t i = from;
    while (i < lx->n && tl_alnum(lx->s[i]))
        i++;
    if (!at_terminator(lx, i))
        return lx_error_rune(lx, "bad character", i);
    token t = {kind, start, i - start, NULL};
    if (kind == TK_IDENT)
        for (size_t k = 0; k < RP_ARRAY_LEN(keywords); k++)
            if (strlen(keywords[k].word) == t.len &&
                memcmp(keywords[k].word, lx->s + start, t.len) == 0)
                t.kind = keywords[k].kind;
    if (kind == TK_FIELD && t.len == 1)
        t.kind = TK_DOT;
    lx->pos = i;
    return t;
}

static token lex_number(lexer *lx, size_t start)
{
    size_t i = start;
    if (i < lx->n && (lx->s[i] == '+' || lx->s[i] == '-'))
        i++;
    while (i < lx->n && (tl_alnum(lx->s[i]) || lx->s[i] == '.' ||
                         ((lx->s[i] == '+' || lx->s[i] == '-') && strchr("eEpP", lx->s[i - 1]))))
        i++;
    token t = {TK_NUMBER, start, i - start, NULL};
    lx->pos = i;
    return t;
}

static token lex_action(lexer *lx)
{
    bool trim;
    size_t p = lx->pos;
    if (p >= lx->n)
        return lx_error(lx, "unclosed action");
    if (at_right(lx, p, &trim)) {
        if (lx->parens > 0)
            return lx_error(lx, "unclosed left paren");
        token t = {TK_RIGHT, p, trim ? 4 : 2, NULL};
        lx->pos = p + t.len;
        lx->in_action = false;
        lx->trim_next = trim;
        return t;
    }
    char c = lx->s[p];
    if (tl_space(c)) {
        size_t i = p;
        while (i < lx->n && tl_space(lx->s[i]) && !at_right(lx, i, &trim))
            i++;
        token t = {TK_SPACE, p, i - p, NULL};
        lx->pos = i;
        return t;
    }
    token t = {TK_CHAR, p, 1, NULL};
    lx->pos = p + 1;
    switch (c) {
    case '|': t.kind = TK_PIPE; return t;
    case '(': lx->parens++; t.kind = TK_LPAREN; return t;
    case ')':
        if (--lx->parens < 0)
            return lx_error_rune(lx, "unexpected right paren", p);
        t.kind = TK_RPAREN;
        return t;
    case '=': t.kind = TK_ASSIGN; return t;
    case ':':
        if (p + 1 >= lx->n || lx->s[p + 1] != '=')
            return lx_error(lx, "expected :=");
        lx->pos = p + 2;
        t.kind = TK_DECLARE;
        t.len = 2;
        return t;
    case '"': return lex_quoted(lx, p, '"', TK_STRING);
    case '`': return lex_quoted(lx, p, '`', TK_RAW);
    case '\'': return lex_quoted(lx, p, '\'', TK_CHARCONST);
    case '$': return lex_word(lx, p, p + 1, TK_VAR);
    case '.':
        if (p + 1 < lx->n && lx->s[p + 1] >= '0' && lx->s[p + 1] <= '9')
            return lex_number(lx, p);
        return lex_word(lx, p, p + 1, TK_FIELD);
    default: break;
    }
    if (c == '+' || c == '-' || (c >= '0' && c <= '9'))
        return lex_number(lx, p);
    if (tl_alnum(c))
        return lex_word(lx, p, p, TK_IDENT);
    if ((unsigned char)c < 0x80 && c > ' ' && c < 0x7F)
        return t; /* a lone printable character, rejected by the parser */
    return lx_error_rune(lx, "unrecognized character in action:", p);
}

static token lex_next(lexer *lx)
{
    return lx->in_action ? lex_action(lx) : lex_text(lx);
}

/* -- the tree ------------------------------------------------------------------------- */

typedef enum {
    A_DOT, A_FIELD, A_VAR, A_STRING, A_INT, A_FLOAT, A_BOOL, A_NIL, A_PIPE, A_FUNC
} targ_kind;

typedef struct tpipe tpipe;

typedef struct {
    const char *s; /* a name (field, variable without '$', function) or a string's bytes */
    size_t n;
} tstr;

/* One operand: a term and the fields that follow it (".a.b" is A_FIELD with
 * fields a, b; "$x.a" is A_VAR x with field a; "(p).a" is A_PIPE with a). */
typedef struct {
    targ_kind kind;
    size_t pos, len;  /* source text, for error context */
    tstr name;        /* A_VAR, A_FUNC, A_STRING */
    int64_t i;        /* A_INT */
    double f;         /* A_FLOAT */
    bool b;           /* A_BOOL */
    tpipe *pipe;      /* A_PIPE */
    tstr *fields;
    size_t nfields;
} targ;

typedef struct {
    targ *args;
    size_t nargs, pos, len;
} tcmd;

struct tpipe {
    tcmd *cmds;
    size_t ncmds, pos;
    tstr decl[2];
    int ndecl;
    bool assign;
};

typedef enum { N_TEXT, N_ACTION, N_IF, N_RANGE, N_WITH, N_BREAK, N_CONTINUE } tnode_kind;

typedef struct tlist tlist;

typedef struct {
    tnode_kind kind;
    size_t pos, len; /* N_TEXT: the text */
    tpipe *pipe;
    tlist *list, *else_list;
} tnode;

struct tlist {
    tnode *nodes;
    size_t n, cap;
};

/* -- parsing ---------------------------------------------------------------------------- */

typedef struct {
    rp_arena *a;
    lexer lx;
    token tok[3]; /* look-ahead stack, top at [depth - 1] */
    int peeked;
    token last;   /* the token most recently consumed, for error lines */
    tstr *vars;
    size_t nvars, capvars;
    int depth, range_depth;
    bool failed, nomem;
    char msg[256];
} tparser;

static int line_of(const char *s, size_t pos)
{
    int line = 1;
    for (size_t i = 0; i < pos; i++)
        line += s[i] == '\n';
    return line;
}

static void perr(tparser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void perr(tparser *p, const char *fmt, ...)
{
    if (p->failed)
        return;
    char m[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(m, sizeof(m), fmt, ap);
    va_end(ap);
    p->failed = true;
    snprintf(p->msg, sizeof(p->msg), "template: template:%d: %s", line_of(p->lx.s, p->last.pos), m);
}

static token tp_next(tparser *p)
{
    token t = p->peeked ? p->tok[--p->peeked] : lex_next(&p->lx);
    p->last = t;
    if (t.kind == TK_ERROR)
        perr(p, "%s", t.err);
    return t;
}

static void tp_backup(tparser *p, token t)
{
    p->tok[p->peeked++] = t;
}

static token tp_peek(tparser *p)
{
    token t = tp_next(p);
    tp_backup(p, t);
    return t;
}

static token tp_next_nonspace(tparser *p)
{
    token t;
    do
        t = tp_next(p);
    while (t.kind == TK_SPACE);
    return t;
}

static token tp_peek_nonspace(tparser *p)
{
    token t = tp_next_nonspace(p);
    tp_backup(p, t);
    return t;
}

/* Go's item.String() for "unexpected ..." messages. */
static void tok_desc(const tparser *p, token t, char *out, size_t cap)
{
    if (t.kind == TK_EOF)
        snprintf(out, cap, "EOF");
    else if (t.kind > TK_KEYWORD)
        snprintf(out, cap, "<%.*s>", (int)t.len, p->lx.s + t.pos);
    else if (t.kind == TK_RIGHT || t.kind == TK_LEFT)
        snprintf(out, cap, "\"%.*s\"", (int)t.len, p->lx.s + t.pos);
    else if (t.len > 10)
        snprintf(out, cap, "\"%.10s\"...", p->lx.s + t.pos);
    else
        snprintf(out, cap, "\"%.*s\"", (int)t.len, p->lx.s + t.pos);
}

static void unexpected(tparser *p, token t, const char *context)
{
    char d[64];
    tok_desc(p, t, d, sizeof(d));
    perr(p, "unexpected %s in %s", d, context);
}

/* Zeroed arena memory for n elements. */
static void *tp_alloc(tparser *p, size_t n, size_t size)
{
    void *m = rp_arena_array(p->a, n ? n : 1, size);
    if (!m) {
        p->nomem = true;
        perr(p, "out of memory");
        return NULL;
    }
    memset(m, 0, (n ? n : 1) * size);
    return m;
}

/* Appends one element to an arena array that doubles. */
static void *tp_push(tparser *p, void **arr, size_t *n, size_t *cap, size_t size)
{
    if (*n == *cap) {
        size_t nc = *cap ? 2 * *cap : 4;
        void *m = tp_alloc(p, nc, size);
        if (!m)
            return NULL;
        if (*n)
            memcpy(m, *arr, *n * size);
        *arr = m;
        *cap = nc;
    }
    return (char *)*arr + (*n)++ * size;
}

static void declare_var(tparser *p, tstr name)
{
    tstr *slot = tp_push(p, (void **)&p->vars, &p->nvars, &p->capvars, sizeof(tstr));
    if (slot)
        *slot = name;
}

static bool var_known(const tparser *p, tstr name)
{
    for (size_t i = 0; i < p->nvars; i++)
        if (p->vars[i].n == name.n && memcmp(p->vars[i].s, name.s, name.n) == 0)
            return true;
    return false;
}

static tpipe *parse_pipeline(tparser *p, const char *context);

static const char *const known_funcs[] = {"and", "or", "not", "len", "index", "eq", "ne", "lt",
                                          "le", "gt", "ge", "print", "println"};
static const char *const go_only_funcs[] = {"call", "html", "js", "printf", "slice", "urlquery"};

static bool name_in(const char *const *list, size_t n, tstr name)
{
    for (size_t i = 0; i < n; i++)
        if (strlen(list[i]) == name.n && memcmp(list[i], name.s, name.n) == 0)
            return true;
    return false;
}

static int hex_digit(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
         : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* The value of digits hex (or octal) digits at s[i..), or -1. */
static long escape_value(const char *s, size_t i, size_t end, int digits, int base)
{
    long v = 0;
    if (end - i < (size_t)digits)
        return -1;
    for (int k = 0; k < digits; k++) {
        int d = hex_digit(s[i + (size_t)k]);
        if (d < 0 || d >= base)
            return -1;
        v = v * base + d;
    }
    return v;
}

/* strconv.Unquote of a lexed Go string, raw string or character literal;
 * false (after the error) on a bad escape. */
static bool go_unquote(tparser *p, const char *s, size_t n, rp_buf *out)
{
    char q = s[0];
    size_t end = n - 1;
    if (q == '`') {
        for (size_t i = 1; i < end; i++)
            if (s[i] != '\r')
                rp_buf_putc(out, s[i]);
        return true;
    }
    static const char simple[] = "a\ab\bf\fn\nr\rt\tv\v\\\\";
    for (size_t i = 1; i < end;) {
        if (s[i] != '\\') {
            rp_buf_putc(out, s[i++]);
            continue;
        }
        char e = i + 1 < end ? s[i + 1] : 0;
        i += 2;
        const char *m = e ? strchr(simple, e) : NULL;
        long v = -1;
        if (m && (m - simple) % 2 == 0) {
            rp_buf_putc(out, m[1]);
            continue;
        }
        if (e == q) {
            rp_buf_putc(out, e);
            continue;
        }
        if (e == 'x') {
            v = escape_value(s, i, end, 2, 16);
            i += 2;
        } else if (e == 'u' || e == 'U') {
            int d = e == 'u' ? 4 : 8;
            v = escape_value(s, i, end, d, 16);
            i += (size_t)d;
            if (v > 0x10FFFF || (v >= 0xD800 && v < 0xE000))
                v = -1;
            if (v >= 0) {
                put_rune(out, (uint32_t)v);
                continue;
            }
        } else if (e >= '0' && e <= '7') {
            v = escape_value(s, i - 1, end, 3, 8);
            i += 2;
            if (v > 255)
                v = -1;
        }
        if (v < 0) {
            perr(p, "invalid syntax");
            return false;
        }
        rp_buf_putc(out, (char)v);
    }
    return true;
}

/* A character constant: exactly one rune. */
static bool parse_char(tparser *p, token t, targ *a)
{
    const char *s = p->lx.s + t.pos;
    rp_buf u;
    rp_buf_init(&u);
    uint32_t r = 0;
    if (go_unquote(p, s, t.len, &u)) {
        bool bad;
        size_t k = u.len ? go_dec(u.data, u.len, &r, &bad) : 0;
        if (k == 0 || k != u.len)
            perr(p, "malformed character constant: %.*s", (int)t.len, s);
    }
    rp_buf_free(&u);
    a->kind = A_INT;
    a->i = r;
    return !p->failed;
}

/* A number literal as Go's untyped constants resolve without context: an
 * int (decimal, 0x, 0o, 0b or leading-0 octal, '_' separators) or, with a
 * '.', exponent or hex 'p', a float64. */
static bool parse_number(tparser *p, token t, targ *a)
{
    if (t.kind == TK_CHARCONST)
        return parse_char(p, t, a);
    const char *s = p->lx.s + t.pos;
    char buf[80];
    size_t n = 0;
    for (size_t i = 0; i < t.len && n + 1 < sizeof(buf); i++)
        if (s[i] != '_')
            buf[n++] = s[i];
    buf[n] = 0;
    const char *q = buf + (buf[0] == '+' || buf[0] == '-');
    bool hex = q[0] == '0' && (q[1] == 'x' || q[1] == 'X');
    char *end;
    if (n < sizeof(buf) - 1 && !strpbrk(q, hex ? "pP" : ".eEpP")) {
        int base = 10;
        const char *digits = q;
        if (q[0] == '0' && q[1]) {
            char b = q[1];
            base = b == 'x' || b == 'X' ? 16 : b == 'b' || b == 'B' ? 2 : 8;
            digits = q + (base == 8 && b != 'o' && b != 'O' ? 1 : 2);
        }
        errno = 0;
        unsigned long long u = strtoull(digits, &end, base);
        bool neg = buf[0] == '-';
        if (*end == 0 && end != digits && *digits != '-' && *digits != '+') {
            unsigned long long max = (unsigned long long)INT64_MAX + (neg ? 1 : 0);
            if (errno || u > max) {
                perr(p, "%.*s overflows int", (int)t.len, s);
                return false;
            }
            a->kind = A_INT;
            a->i = neg ? (int64_t)(0 - u) : (int64_t)u;
            return true;
        }
    }
    double d = n < sizeof(buf) - 1 ? strtod(buf, &end) : 0;
    if (n >= sizeof(buf) - 1 || *end != 0 || end == buf || !isfinite(d)) {
        perr(p, "bad number syntax: \"%.*s\"", (int)t.len, s);
        return false;
    }
    a->kind = A_FLOAT;
    a->f = d;
    return true;
}

/* term: literal, function name, ., .Field, $x, ( pipeline ).  false when the
 * next token is not a term (it is left unread). */
static bool parse_term(tparser *p, targ *a)
{
    token t = tp_next_nonspace(p);
    memset(a, 0, sizeof(*a));
    a->pos = t.pos;
    a->len = t.len;
    const char *s = p->lx.s + t.pos;
    switch (t.kind) {
    case TK_IDENT:
        a->kind = A_FUNC;
        a->name = (tstr){s, t.len};
        if (name_in(go_only_funcs, RP_ARRAY_LEN(go_only_funcs), a->name))
            perr(p, "function %.*s is not supported by rampart", (int)t.len, s);
        else if (!name_in(known_funcs, RP_ARRAY_LEN(known_funcs), a->name))
            perr(p, "function \"%.*s\" not defined", (int)t.len, s);
        return true;
    case TK_DOT: a->kind = A_DOT; return true;
    case TK_NIL: a->kind = A_NIL; return true;
    case TK_BOOL: a->kind = A_BOOL; a->b = s[0] == 't'; return true;
    case TK_FIELD:
        a->kind = A_FIELD;
        a->fields = tp_alloc(p, 1, sizeof(tstr));
        if (a->fields)
            a->fields[a->nfields++] = (tstr){s + 1, t.len - 1};
        return true;
    case TK_VAR:
        a->kind = A_VAR;
        a->name = (tstr){s, t.len};
        if (!var_known(p, a->name))
            perr(p, "undefined variable \"%.*s\"", (int)t.len, s);
        return true;
    case TK_NUMBER:
    case TK_CHARCONST: parse_number(p, t, a); return true;
    case TK_STRING:
    case TK_RAW: {
        rp_buf u;
        rp_buf_init(&u);
        if (go_unquote(p, s, t.len, &u)) {
            a->kind = A_STRING;
            a->name.s = rp_arena_strndup(p->a, u.data ? u.data : "", u.len);
            a->name.n = u.len;
        }
        rp_buf_free(&u);
        return true;
    }
    case TK_LPAREN: {
        if (++p->depth > REGO_TEMPLATE_MAX_DEPTH) {
            perr(p, "nesting deeper than %d", REGO_TEMPLATE_MAX_DEPTH);
            return true;
        }
        a->kind = A_PIPE;
        a->pipe = parse_pipeline(p, "parenthesized pipeline");
        token r = tp_next(p);
        if (r.kind != TK_RPAREN && !p->failed) {
            char d[64];
            tok_desc(p, r, d, sizeof(d));
            perr(p, "unclosed right paren: unexpected %s", d);
        }
        a->len = r.pos + r.len - a->pos;
        p->depth--;
        return true;
    }
    default:
        tp_backup(p, t);
        return false;
    }
}

/* operand: term .Field* */
static bool parse_operand(tparser *p, targ *a)
{
    if (!parse_term(p, a))
        return false;
    if (tp_peek(p).kind != TK_FIELD)
        return true;
    if (a->kind == A_BOOL || a->kind == A_STRING || a->kind == A_INT || a->kind == A_FLOAT ||
        a->kind == A_NIL || a->kind == A_DOT) {
        perr(p, "unexpected . after term \"%.*s\"", (int)a->len, p->lx.s + a->pos);
        return true;
    }
    size_t cap = a->nfields;
    while (!p->failed && tp_peek(p).kind == TK_FIELD) {
        token f = tp_next(p);
        tstr *slot = tp_push(p, (void **)&a->fields, &a->nfields, &cap, sizeof(tstr));
        if (slot)
            *slot = (tstr){p->lx.s + f.pos + 1, f.len - 1};
        a->len = f.pos + f.len - a->pos;
    }
    return true;
}

/* command: operand (space operand)*, ending at '|', '}}' or ')'. */
static tcmd parse_command(tparser *p)
{
    tcmd c = {0};
    size_t cap = 0;
    c.pos = tp_peek_nonspace(p).pos;
    while (!p->failed) {
        targ a;
        if (parse_operand(p, &a)) {
            targ *slot = tp_push(p, (void **)&c.args, &c.nargs, &cap, sizeof(targ));
            if (slot)
                *slot = a;
            c.len = a.pos + a.len - c.pos;
        }
        token t = tp_next(p);
        if (t.kind == TK_SPACE)
            continue;
        if (t.kind == TK_RIGHT || t.kind == TK_RPAREN) {
            tp_backup(p, t);
        } else if (t.kind != TK_PIPE && !p->failed) {
            char d[64];
            tok_desc(p, t, d, sizeof(d));
            perr(p, "unexpected %s in operand", d);
        }
        break;
    }
    if (c.nargs == 0)
        perr(p, "empty command");
    return c;
}

/* The optional "$x :=", "$x =" or "$i, $e :=" at the start of a pipeline. */
static void parse_decls(tparser *p, tpipe *pipe, const char *context)
{
    for (;;) {
        token v = tp_next_nonspace(p);
        if (v.kind != TK_VAR) {
            tp_backup(p, v);
            return;
        }
        token after = tp_next(p);
        token next = after.kind == TK_SPACE ? tp_next_nonspace(p) : after;
        tstr name = {p->lx.s + v.pos, v.len};
        if (next.kind == TK_DECLARE || next.kind == TK_ASSIGN) {
            pipe->assign = next.kind == TK_ASSIGN;
            pipe->decl[pipe->ndecl++] = name;
            declare_var(p, name);
            return;
        }
        if (next.kind == TK_CHAR && p->lx.s[next.pos] == ',') {
            pipe->decl[pipe->ndecl++] = name;
            declare_var(p, name);
            if (strcmp(context, "range") == 0 && pipe->ndecl < 2) {
                token q = tp_peek_nonspace(p);
                if (q.kind == TK_VAR || q.kind == TK_RIGHT || q.kind == TK_RPAREN)
                    continue;
                perr(p, "range can only initialize variables");
                return;
            }
            perr(p, "too many declarations in %s", context);
            return;
        }
        /* "$x" was an operand after all: push everything back. */
        if (after.kind == TK_SPACE)
            tp_backup(p, next);
        tp_backup(p, after);
        tp_backup(p, v);
        return;
    }
}

static bool literal_kind(targ_kind k)
{
    return k == A_BOOL || k == A_DOT || k == A_NIL || k == A_INT || k == A_FLOAT || k == A_STRING;
}

static tpipe *parse_pipeline(tparser *p, const char *context)
{
    tpipe *pipe = tp_alloc(p, 1, sizeof(tpipe));
    if (!pipe)
        return NULL;
    memset(pipe, 0, sizeof(*pipe));
    pipe->pos = tp_peek_nonspace(p).pos;
    parse_decls(p, pipe, context);
    size_t cap = 0;
    while (!p->failed) {
        token t = tp_next_nonspace(p);
        if (t.kind == TK_RIGHT || t.kind == TK_RPAREN) {
            tp_backup(p, t); /* the caller consumes "}}" or ")" */
            break;
        }
        switch (t.kind) {
        case TK_BOOL: case TK_CHARCONST: case TK_DOT: case TK_FIELD: case TK_IDENT:
        case TK_NUMBER: case TK_NIL: case TK_RAW: case TK_STRING: case TK_VAR: case TK_LPAREN: {
            tp_backup(p, t);
            tcmd c = parse_command(p);
            tcmd *slot = tp_push(p, (void **)&pipe->cmds, &pipe->ncmds, &cap, sizeof(tcmd));
            if (slot)
                *slot = c;
            break;
        }
        default:
            unexpected(p, t, context);
            break;
        }
    }
    if (p->failed)
        return pipe;
    if (pipe->ncmds == 0)
        perr(p, "missing value for %s", context);
    for (size_t i = 1; i < pipe->ncmds && !p->failed; i++)
        if (literal_kind(pipe->cmds[i].args[0].kind))
            perr(p, "non executable command in pipeline stage %zu", i + 1);
    return pipe;
}

static void expect_right(tparser *p, const char *context)
{
    token t = tp_next_nonspace(p);
    if (t.kind != TK_RIGHT && !p->failed)
        unexpected(p, t, context);
}

typedef enum { END_NONE, END_END, END_ELSE } list_end;

static list_end parse_list(tparser *p, tlist *l);

/* {{if}}, {{range}}, {{with}} after the keyword: pipeline, list, else. */
static void parse_control(tparser *p, tnode *n, const char *context)
{
    size_t mark = p->nvars;
    if (++p->depth > REGO_TEMPLATE_MAX_DEPTH) {
        perr(p, "nesting deeper than %d", REGO_TEMPLATE_MAX_DEPTH);
        return;
    }
    n->pipe = parse_pipeline(p, context);
    expect_right(p, context);
    if (n->kind == N_RANGE)
        p->range_depth++;
    n->list = tp_alloc(p, 1, sizeof(tlist));
    list_end e = n->list && !p->failed ? parse_list(p, n->list) : END_NONE;
    if (n->kind == N_RANGE)
        p->range_depth--;
    if (e == END_NONE)
        perr(p, "unexpected EOF");
    if (e == END_ELSE && !p->failed) {
        n->else_list = tp_alloc(p, 1, sizeof(tlist));
        token k = tp_peek_nonspace(p);
        bool chained = (n->kind == N_IF && k.kind == TK_IF) ||
                       (n->kind == N_WITH && k.kind == TK_WITH);
        if (n->else_list && chained) {
            tp_next_nonspace(p);
            tnode *inner = tp_push(p, (void **)&n->else_list->nodes, &n->else_list->n,
                                   &n->else_list->cap, sizeof(tnode));
            if (inner) {
                memset(inner, 0, sizeof(*inner));
                inner->kind = n->kind;
                inner->pos = k.pos;
                parse_control(p, inner, context);
            }
        } else if (n->else_list) {
            /* parse_action consumed the "}}" of a plain {{else}} */
            list_end e2 = p->failed ? END_END : parse_list(p, n->else_list);
            if (e2 == END_NONE)
                perr(p, "unexpected EOF");
            else if (e2 == END_ELSE)
                perr(p, "expected end; found {{else}}");
        }
    }
    p->nvars = mark;
    p->depth--;
}

/* One "{{...}}" after its "{{"; returns END_* for {{end}} and {{else}}. */
static list_end parse_action(tparser *p, tlist *l)
{
    token t = tp_next_nonspace(p);
    tnode n = {0};
    n.pos = t.pos;
    switch (t.kind) {
    case TK_END: expect_right(p, "end"); return END_END;
    case TK_ELSE: {
        token k = tp_peek_nonspace(p);
        if (k.kind != TK_IF && k.kind != TK_WITH)
            expect_right(p, "else");
        return END_ELSE;
    }
    case TK_IF: n.kind = N_IF; parse_control(p, &n, "if"); break;
    case TK_RANGE: n.kind = N_RANGE; parse_control(p, &n, "range"); break;
    case TK_WITH: n.kind = N_WITH; parse_control(p, &n, "with"); break;
    case TK_BREAK:
    case TK_CONTINUE:
        if (p->range_depth == 0) {
            perr(p, "{{%s}} outside {{range}}", t.kind == TK_BREAK ? "break" : "continue");
            return END_NONE;
        }
        n.kind = t.kind == TK_BREAK ? N_BREAK : N_CONTINUE;
        expect_right(p, t.kind == TK_BREAK ? "{{break}}" : "{{continue}}");
        break;
    case TK_DEFINE:
    case TK_TEMPLATE:
    case TK_BLOCK:
        perr(p, "{{%.*s}} is not supported by rampart", (int)t.len, p->lx.s + t.pos);
        return END_NONE;
    default:
        tp_backup(p, t);
        n.kind = N_ACTION;
        n.pipe = parse_pipeline(p, "command");
        expect_right(p, "command");
        break;
    }
    tnode *slot = tp_push(p, (void **)&l->nodes, &l->n, &l->cap, sizeof(tnode));
    if (slot && !p->failed)
        *slot = n;
    return END_NONE;
}

/* Nodes until {{end}} / {{else}} (returned) or EOF (END_NONE). */
static list_end parse_list(tparser *p, tlist *l)
{
    while (!p->failed) {
        token t = tp_next(p);
        if (t.kind == TK_EOF)
            return END_NONE;
        if (t.kind == TK_TEXT) {
            tnode *slot = tp_push(p, (void **)&l->nodes, &l->n, &l->cap, sizeof(tnode));
            if (slot)
                *slot = (tnode){N_TEXT, t.pos, t.len, NULL, NULL, NULL};
            continue;
        }
        if (t.kind != TK_LEFT) {
            unexpected(p, t, "input");
            return END_NONE;
        }
        list_end e = parse_action(p, l);
        if (e != END_NONE)
            return e;
    }
    return END_NONE;
}

/* Parses the whole template into root. */
static void parse_template(tparser *p, tlist *root)
{
    static const tstr dollar = {"$", 1};
    declare_var(p, dollar);
    for (;;) {
        list_end e = parse_list(p, root);
        if (p->failed || e == END_NONE)
            break;
        perr(p, "unexpected {{%s}}", e == END_END ? "end" : "else");
    }
    /* Inside a control structure parse_list stops at EOF too. */
}

/* -- execution ---------------------------------------------------------------------------- */

/* A value during execution.  TV_REGO values come from the vars (and keep
 * the Go type they decode to); iface marks one still boxed in an
 * interface{} (read out of a map or slice), which matters for nil and for
 * type names in errors.  TV_NONE is Go's invalid reflect.Value. */
typedef enum { TV_NONE, TV_REGO, TV_INT, TV_FLOAT, TV_BOOL, TV_STR } tv_kind;

typedef struct {
    tv_kind k;
    bool iface;
    rego_value v; /* TV_REGO */
    int64_t i;    /* TV_INT */
    double f;     /* TV_FLOAT */
    bool b;       /* TV_BOOL */
    tstr s;       /* TV_STR */
} tval;

typedef struct {
    tstr name;
    tval val;
} tvar;

typedef enum { FLOW_NORMAL, FLOW_BREAK, FLOW_CONTINUE } tflow;

typedef struct {
    rego_bctx *ctx;
    const char *src;
    rp_buf *out;
    tvar *vars;
    size_t nvars, capvars;
    uint64_t steps;
    size_t at_pos, at_len; /* the node being evaluated, for error context */
    bool failed, limit;
    char msg[256];
} texec;

static void xerr(texec *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void xerr(texec *x, const char *fmt, ...)
{
    if (x->failed)
        return;
    char m[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(m, sizeof(m), fmt, ap);
    va_end(ap);
    x->failed = true;
    int line = line_of(x->src, x->at_pos);
    size_t nl = x->at_pos;
    while (nl > 0 && x->src[nl - 1] != '\n')
        nl--;
    snprintf(x->msg, sizeof(x->msg),
             "template: template:%d:%zu: executing \"template\" at <%.*s>: %s", line,
             x->at_pos - nl, (int)(x->at_len > 60 ? 60 : x->at_len), x->src + x->at_pos, m);
}

static void xat(texec *x, size_t pos, size_t len)
{
    x->at_pos = pos;
    x->at_len = len;
}

/* Counts one unit of work; false once the budget is spent. */
static bool xstep(texec *x)
{
    if (x->failed)
        return false;
    if (++x->steps > REGO_TEMPLATE_MAX_STEPS || x->out->len > REGO_SPRINTF_MAX_BYTES) {
        x->failed = x->limit = true;
        return false;
    }
    return true;
}

static tval tv_none(void) { tval v = {0}; return v; }
static tval tv_rego(rego_value r, bool iface)
{
    tval v = {0};
    v.k = TV_REGO;
    v.v = r;
    v.iface = iface;
    return v;
}
static tval tv_int(int64_t i) { tval v = {0}; v.k = TV_INT; v.i = i; return v; }
static tval tv_bool(bool b) { tval v = {0}; v.k = TV_BOOL; v.b = b; return v; }

/* evalPipeline's "dig down one level" out of an interface{}. */
static tval dig(tval v)
{
    if (v.k == TV_REGO && v.iface) {
        if (v.v.kind == REGO_NULL)
            return tv_none();
        v.iface = false;
    }
    return v;
}

/* reflect.Type.String() of the concrete Go value. */
static const char *go_type_name(tval v)
{
    if (v.k == TV_REGO && v.iface)
        return "interface {}";
    switch (v.k) {
    case TV_NONE: return "<nil>";
    case TV_INT: return "int";
    case TV_FLOAT: return "float64";
    case TV_BOOL: return "bool";
    case TV_STR: return "string";
    case TV_REGO: break;
    }
    switch ((rego_kind)v.v.kind) {
    case REGO_STRING: return "string";
    case REGO_NUMBER: return "json.Number";
    case REGO_BOOL: return "bool";
    case REGO_ARRAY: return "[]interface {}";
    case REGO_OBJECT: return "map[string]interface {}";
    case REGO_NULL: return "interface {}";
    case REGO_SET:
    case REGO_UNDEF: break;
    }
    return "interface {}";
}

/* fmt's %v of a decoded JSON value: slices as [a b], maps as map[k:v],
 * nil elements as <nil>. */
static void put_go_value(rp_buf *b, rego_value v, int depth)
{
    if (depth > REGO_VALUE_MAX_DEPTH) {
        rp_buf_puts(b, "...");
        return;
    }
    switch ((rego_kind)v.kind) {
    case REGO_NULL: rp_buf_puts(b, "<nil>"); return;
    case REGO_BOOL: rp_buf_puts(b, v.u.b ? "true" : "false"); return;
    case REGO_NUMBER: rego_num_write(b, v); return;
    case REGO_STRING: rp_buf_append(b, v.u.s, v.n); return;
    case REGO_ARRAY:
        rp_buf_putc(b, '[');
        for (size_t i = 0; i < v.n; i++) {
            if (i)
                rp_buf_putc(b, ' ');
            put_go_value(b, v.u.items[i], depth + 1);
        }
        rp_buf_putc(b, ']');
        return;
    case REGO_OBJECT:
        rp_buf_puts(b, "map[");
        for (size_t i = 0; i < v.n; i++) {
            rego_objent e = rego_object_at(v, i);
            if (i)
                rp_buf_putc(b, ' ');
            put_go_value(b, e.key, depth + 1);
            rp_buf_putc(b, ':');
            put_go_value(b, e.val, depth + 1);
        }
        rp_buf_putc(b, ']');
        return;
    case REGO_SET:
    case REGO_UNDEF: return;
    }
}

/* fmt.Fprint of one value. */
static void put_tval(rp_buf *b, tval v)
{
    switch (v.k) {
    case TV_NONE: rp_buf_puts(b, "<nil>"); return;
    case TV_REGO: put_go_value(b, v.v, 0); return;
    case TV_INT: rp_buf_printf(b, "%lld", (long long)v.i); return;
    case TV_FLOAT: {
        rp_buf t;
        rp_buf_init(&t);
        go_ftoa(&t, v.f, 'g', -1);
        rp_buf_append(b, t.data ? t.data : "", t.len);
        rp_buf_free(&t);
        return;
    }
    case TV_BOOL: rp_buf_puts(b, v.b ? "true" : "false"); return;
    case TV_STR: rp_buf_append(b, v.s.s, v.s.n); return;
    }
}

/* text/template's isTrue (after indirectInterface).  A json.Number is a
 * non-empty string, so every number from the vars is true. */
static bool truth(tval v)
{
    v = dig(v);
    switch (v.k) {
    case TV_NONE: return false;
    case TV_INT: return v.i != 0;
    case TV_FLOAT: return v.f != 0;
    case TV_BOOL: return v.b;
    case TV_STR: return v.s.n > 0;
    case TV_REGO: break;
    }
    switch ((rego_kind)v.v.kind) {
    case REGO_BOOL: return v.v.u.b;
    case REGO_NUMBER: return true;
    case REGO_STRING:
    case REGO_ARRAY:
    case REGO_OBJECT:
    case REGO_SET: return v.v.n > 0;
    case REGO_NULL:
    case REGO_UNDEF: return false;
    }
    return false;
}

static tval var_value(texec *x, tstr name)
{
    for (size_t i = x->nvars; i-- > 0;)
        if (x->vars[i].name.n == name.n && memcmp(x->vars[i].name.s, name.s, name.n) == 0)
            return x->vars[i].val;
    xerr(x, "undefined variable: %.*s", (int)name.n, name.s);
    return tv_none();
}

static void push_var(texec *x, tstr name, tval v)
{
    if (x->nvars == x->capvars) {
        size_t nc = x->capvars ? 2 * x->capvars : 8;
        tvar *m = rp_arena_array(x->ctx->arena, nc, sizeof(tvar));
        if (!m) {
            x->failed = true;
            return;
        }
        if (x->nvars)
            memcpy(m, x->vars, x->nvars * sizeof(tvar));
        x->vars = m;
        x->capvars = nc;
    }
    x->vars[x->nvars++] = (tvar){name, v};
}

static void set_var(texec *x, tstr name, tval v)
{
    for (size_t i = x->nvars; i-- > 0;)
        if (x->vars[i].name.n == name.n && memcmp(x->vars[i].name.s, name.s, name.n) == 0) {
            x->vars[i].val = v;
            return;
        }
    xerr(x, "undefined variable: %.*s", (int)name.n, name.s);
}

/* evalField with missingkey=error: a map key, or one of Go's errors. */
static tval eval_field(texec *x, tval recv, tstr name, bool has_args)
{
    if (recv.k == TV_NONE) {
        xerr(x, "nil data; no entry for key \"%.*s\"", (int)name.n, name.s);
        return recv;
    }
    const char *typ = go_type_name(recv);
    if (recv.k == TV_REGO && recv.iface && recv.v.kind == REGO_NULL) {
        xerr(x, "nil pointer evaluating %s.%.*s", typ, (int)name.n, name.s);
        return tv_none();
    }
    if (recv.k == TV_REGO && recv.v.kind == REGO_OBJECT) {
        if (has_args) {
            xerr(x, "%.*s is not a method but has arguments", (int)name.n, name.s);
            return tv_none();
        }
        rego_value r;
        if (!rego_object_get_str(recv.v, name.s, name.n, rego_hash_str(name.s, name.n), &r)) {
            xerr(x, "map has no entry for key \"%.*s\"", (int)name.n, name.s);
            return tv_none();
        }
        return tv_rego(r, true);
    }
    xerr(x, "can't evaluate field %.*s in type %s", (int)name.n, name.s, typ);
    return tv_none();
}

static tval eval_pipeline(texec *x, tval dot, const tpipe *p);
static tval eval_arg(texec *x, tval dot, const targ *a);

static tval eval_chain(texec *x, tval recv, const targ *a, bool has_args)
{
    for (size_t i = 0; i < a->nfields && !x->failed; i++)
        recv = eval_field(x, recv, a->fields[i], has_args && i + 1 == a->nfields);
    return recv;
}

/* -- functions -- */

typedef enum { K_INVALID, K_BOOL, K_INT, K_FLOAT, K_STRING, K_OTHER } basic_kind;

/* Go's basicKind after indirectInterface; a json.Number is a string. */
static basic_kind basic(tval v)
{
    v = dig(v);
    switch (v.k) {
    case TV_NONE: return K_INVALID;
    case TV_INT: return K_INT;
    case TV_FLOAT: return K_FLOAT;
    case TV_BOOL: return K_BOOL;
    case TV_STR: return K_STRING;
    case TV_REGO: break;
    }
    switch ((rego_kind)v.v.kind) {
    case REGO_BOOL: return K_BOOL;
    case REGO_STRING:
    case REGO_NUMBER: return K_STRING;
    default: return K_OTHER;
    }
}

static int tstr_cmp(tstr a, tstr b)
{
    int c = memcmp(a.s, b.s, a.n < b.n ? a.n : b.n);
    return c ? c : (a.n > b.n) - (a.n < b.n);
}

/* The text of a value compared as a string (json.Number's text). */
static tstr str_of(texec *x, tval v)
{
    v = dig(v);
    if (v.k == TV_STR)
        return v.s;
    if (v.v.kind == REGO_STRING)
        return (tstr){v.v.u.s, v.v.n};
    rp_buf t;
    rp_buf_init(&t);
    rego_num_write(&t, v.v);
    tstr s = {rp_arena_strndup(x->ctx->arena, t.data ? t.data : "", t.len), t.len};
    rp_buf_free(&t);
    if (!s.s)
        s = (tstr){"", 0};
    return s;
}

static bool bool_of(tval v)
{
    v = dig(v);
    return v.k == TV_BOOL ? v.b : v.v.u.b;
}

/* <0, 0, >0 for two values of the same ordered basic kind. */
static int cmp_same(texec *x, basic_kind k, tval a, tval b)
{
    a = dig(a);
    b = dig(b);
    switch (k) {
    case K_INT: return (a.i > b.i) - (a.i < b.i);
    case K_FLOAT: return (a.f > b.f) - (a.f < b.f);
    case K_STRING: return tstr_cmp(str_of(x, a), str_of(x, b));
    case K_BOOL: return bool_of(a) != bool_of(b);
    case K_INVALID:
    case K_OTHER: break;
    }
    return 0;
}

/* text/template's eq for one pair: false with an error when the kinds
 * differ and neither is nil. */
static bool go_eq(texec *x, const char *fn, tval a, tval b)
{
    basic_kind ka = basic(a), kb = basic(b);
    if (ka != kb) {
        if (ka != K_INVALID && kb != K_INVALID)
            xerr(x, "error calling %s: incompatible types for comparison", fn);
        return false;
    }
    if (ka == K_INVALID)
        return true;
    if (ka == K_OTHER) {
        xerr(x, "error calling %s: non-comparable types", fn);
        return false;
    }
    return cmp_same(x, ka, a, b) == 0;
}

/* text/template's lt. */
static bool go_lt(texec *x, const char *fn, tval a, tval b)
{
    basic_kind ka = basic(a), kb = basic(b);
    bool unordered = ka == K_INVALID || ka == K_OTHER || kb == K_INVALID || kb == K_OTHER;
    if (unordered || (ka == kb && ka == K_BOOL)) {
        xerr(x, "error calling %s: invalid type for comparison", fn);
        return false;
    }
    if (ka != kb) {
        xerr(x, "error calling %s: incompatible types for comparison", fn);
        return false;
    }
    return cmp_same(x, ka, a, b) < 0;
}

static tval fn_compare(texec *x, const char *fn, const tval *av, size_t n)
{
    bool is_eq = strcmp(fn, "eq") == 0;
    if (is_eq ? n < 2 : n != 2) {
        if (is_eq && n == 1)
            xerr(x, "error calling eq: missing argument for comparison");
        else
            xerr(x, "wrong number of args for %s: want 2 got %zu", fn, n);
        return tv_none();
    }
    if (is_eq) {
        for (size_t i = 1; i < n && !x->failed; i++)
            if (go_eq(x, fn, av[0], av[i]))
                return tv_bool(true);
        return tv_bool(false);
    }
    bool r;
    if (strcmp(fn, "ne") == 0)
        r = !go_eq(x, fn, av[0], av[1]);
    else if (strcmp(fn, "lt") == 0)
        r = go_lt(x, fn, av[0], av[1]);
    else if (strcmp(fn, "ge") == 0)
        r = !go_lt(x, fn, av[0], av[1]);
    else { /* le, gt: lt || eq */
        bool le = go_lt(x, fn, av[0], av[1]) || (!x->failed && go_eq(x, fn, av[0], av[1]));
        r = strcmp(fn, "le") == 0 ? le : !le;
    }
    return tv_bool(r);
}

static tval fn_len(texec *x, tval v)
{
    v = dig(v);
    if (v.k == TV_STR)
        return tv_int((int64_t)v.s.n);
    if (v.k == TV_REGO &&
        (v.v.kind == REGO_STRING || v.v.kind == REGO_ARRAY || v.v.kind == REGO_OBJECT))
        return tv_int((int64_t)v.v.n);
    if (v.k == TV_REGO && v.v.kind == REGO_NUMBER)
        return tv_int((int64_t)str_of(x, v).n);
    if (v.k == TV_NONE)
        xerr(x, "error calling len: len of nil pointer");
    else
        xerr(x, "error calling len: len of type %s", go_type_name(v));
    return tv_none();
}

/* index item k1 k2 ...: maps by string key (a missing key gives the zero
 * value, nil), slices and strings by int. */
static tval fn_index(texec *x, const tval *av, size_t n)
{
    if (n < 1) {
        xerr(x, "wrong number of args for index: want at least 1 got 0");
        return tv_none();
    }
    tval item = dig(av[0]);
    if (item.k == TV_NONE) {
        xerr(x, "error calling index: index of untyped nil");
        return item;
    }
    for (size_t i = 1; i < n && !x->failed; i++) {
        tval k = dig(av[i]);
        item = dig(item);
        if (item.k == TV_REGO && item.v.kind == REGO_OBJECT) {
            if (!(k.k == TV_STR || (k.k == TV_REGO && k.v.kind == REGO_STRING))) {
                xerr(x, "error calling index: value has type %s; should be string",
                     go_type_name(k));
                return tv_none();
            }
            tstr ks = str_of(x, k);
            rego_value r;
            item = rego_object_get_str(item.v, ks.s, ks.n, rego_hash_str(ks.s, ks.n), &r)
                       ? tv_rego(r, true) : tv_rego(rego_null(), true);
            continue;
        }
        bool seq = item.k == TV_STR ||
                   (item.k == TV_REGO && (item.v.kind == REGO_ARRAY || item.v.kind == REGO_STRING));
        if (!seq) {
            xerr(x, "error calling index: can't index item of type %s", go_type_name(item));
            return tv_none();
        }
        if (k.k != TV_INT) {
            xerr(x, "error calling index: cannot index slice/array with type %s", go_type_name(k));
            return tv_none();
        }
        size_t len = item.k == TV_STR ? item.s.n : item.v.n;
        if (k.i < 0 || (uint64_t)k.i >= len) {
            xerr(x, "error calling index: index out of range: %lld", (long long)k.i);
            return tv_none();
        }
        if (item.k == TV_STR)
            item = tv_int((unsigned char)item.s.s[k.i]);
        else if (item.v.kind == REGO_STRING)
            item = tv_int((unsigned char)item.v.u.s[k.i]);
        else
            item = tv_rego(item.v.u.items[k.i], true);
    }
    return item;
}

/* A value of Go kind string: strings and json.Numbers. */
static bool string_kind(tval v)
{
    if (v.k == TV_STR)
        return true;
    return v.k == TV_REGO && (v.v.kind == REGO_STRING || v.v.kind == REGO_NUMBER);
}

/* fmt.Sprint / Sprintln: Sprint puts a space between operands when neither
 * is a string (json.Number counts as one). */
static tval fn_print(texec *x, const tval *av, size_t n, bool ln)
{
    rp_buf b;
    rp_buf_init(&b);
    for (size_t i = 0; i < n; i++) {
        tval v = dig(av[i]);
        bool is_str = string_kind(v), prev_str = i && string_kind(dig(av[i - 1]));
        if (i && (ln || (!is_str && !prev_str)))
            rp_buf_putc(&b, ' ');
        put_tval(&b, v);
    }
    if (ln)
        rp_buf_putc(&b, '\n');
    tval r = {0};
    r.k = TV_STR;
    r.s.s = rp_arena_strndup(x->ctx->arena, b.data ? b.data : "", b.len);
    r.s.n = b.len;
    if (!r.s.s || b.failed)
        x->failed = true;
    rp_buf_free(&b);
    return r;
}

static bool is_fn(tstr name, const char *w)
{
    return strlen(w) == name.n && memcmp(w, name.s, name.n) == 0;
}

/* A function call: arguments are evaluated first, except and/or, which stop
 * at the first false/true operand (Go 1.18). */
static tval eval_function(texec *x, tval dot, const tcmd *c, tval final, bool has_final)
{
    tstr name = c->args[0].name;
    size_t n = c->nargs - 1 + (has_final ? 1 : 0);
    if (is_fn(name, "and") || is_fn(name, "or")) {
        if (n == 0) {
            xerr(x, "wrong number of args for %.*s: want at least 1 got 0", (int)name.n, name.s);
            return tv_none();
        }
        bool want = is_fn(name, "or");
        tval v = tv_none();
        for (size_t i = 0; i < n && !x->failed; i++) {
            v = i + 1 < c->nargs ? eval_arg(x, dot, &c->args[i + 1]) : final;
            if (truth(v) == want)
                return v;
        }
        return v;
    }
    tval *av = rp_arena_array(x->ctx->arena, n ? n : 1, sizeof(tval));
    if (!av) {
        x->failed = true;
        return tv_none();
    }
    for (size_t i = 0; i + 1 < c->nargs && !x->failed; i++)
        av[i] = eval_arg(x, dot, &c->args[i + 1]);
    if (has_final)
        av[n - 1] = final;
    if (x->failed)
        return tv_none();
    xat(x, c->pos, c->len);
    char fn[16];
    snprintf(fn, sizeof(fn), "%.*s", (int)(name.n < 15 ? name.n : 15), name.s);
    bool unary = is_fn(name, "not") || is_fn(name, "len");
    if (unary && n != 1) {
        xerr(x, "wrong number of args for %s: want 1 got %zu", fn, n);
        return tv_none();
    }
    if (is_fn(name, "not"))
        return tv_bool(!truth(av[0]));
    if (is_fn(name, "len"))
        return fn_len(x, av[0]);
    if (is_fn(name, "index"))
        return fn_index(x, av, n);
    if (is_fn(name, "print") || is_fn(name, "println"))
        return fn_print(x, av, n, is_fn(name, "println"));
    return fn_compare(x, fn, av, n);
}

static tval eval_command(texec *x, tval dot, const tcmd *c, tval final, bool has_final)
{
    const targ *a = &c->args[0];
    bool has_args = c->nargs > 1 || has_final;
    xat(x, a->pos, a->len);
    switch (a->kind) {
    case A_FUNC: return eval_function(x, dot, c, final, has_final);
    case A_FIELD: return eval_chain(x, dot, a, has_args);
    case A_VAR: {
        tval v = var_value(x, a->name);
        if (a->nfields == 0 && has_args) {
            xerr(x, "can't give argument to non-function %.*s", (int)a->len, x->src + a->pos);
            return tv_none();
        }
        return eval_chain(x, v, a, has_args);
    }
    case A_PIPE: {
        if (has_args && a->nfields == 0) {
            xerr(x, "can't give argument to non-function %.*s", (int)a->len, x->src + a->pos);
            return tv_none();
        }
        tval v = eval_pipeline(x, dot, a->pipe);
        xat(x, a->pos, a->len);
        return eval_chain(x, v, a, has_args);
    }
    default: break;
    }
    if (has_args) {
        xerr(x, "can't give argument to non-function %.*s", (int)a->len, x->src + a->pos);
        return tv_none();
    }
    if (a->kind == A_NIL)
        xerr(x, "nil is not a command");
    return eval_arg(x, dot, a);
}

/* An argument: literals become Go constants (int, float64, string, bool). */
static tval eval_arg(texec *x, tval dot, const targ *a)
{
    xat(x, a->pos, a->len);
    tval v = {0};
    switch (a->kind) {
    case A_DOT: return dot;
    case A_FIELD: return eval_chain(x, dot, a, false);
    case A_VAR: return eval_chain(x, var_value(x, a->name), a, false);
    case A_PIPE: {
        tval r = eval_pipeline(x, dot, a->pipe);
        xat(x, a->pos, a->len);
        return eval_chain(x, r, a, false);
    }
    case A_FUNC: {
        tcmd c = {(targ *)a, 1, a->pos, a->len};
        return eval_function(x, dot, &c, tv_none(), false);
    }
    case A_STRING: v.k = TV_STR; v.s = a->name; return v;
    case A_INT: return tv_int(a->i);
    case A_FLOAT: v.k = TV_FLOAT; v.f = a->f; return v;
    case A_BOOL: return tv_bool(a->b);
    case A_NIL: return tv_none();
    }
    return v;
}

static tval eval_pipeline(texec *x, tval dot, const tpipe *p)
{
    tval v = tv_none();
    for (size_t i = 0; i < p->ncmds && xstep(x); i++)
        v = dig(eval_command(x, dot, &p->cmds[i], v, i > 0));
    for (int d = 0; d < p->ndecl && !x->failed; d++) {
        if (p->assign)
            set_var(x, p->decl[d], v);
        else
            push_var(x, p->decl[d], v);
    }
    return v;
}

static tflow walk_list(texec *x, tval dot, const tlist *l);

static void print_value(texec *x, tval v)
{
    v = dig(v);
    if (v.k == TV_NONE)
        rp_buf_puts(x->out, "<no value>");
    else
        put_tval(x->out, v);
}

static tflow walk_if_with(texec *x, tval dot, const tnode *n)
{
    size_t mark = x->nvars;
    tval v = eval_pipeline(x, dot, n->pipe);
    tflow f = FLOW_NORMAL;
    if (x->failed)
        return f;
    if (truth(v))
        f = walk_list(x, n->kind == N_WITH ? v : dot, n->list);
    else if (n->else_list)
        f = walk_list(x, dot, n->else_list);
    x->nvars = mark;
    return f;
}

/* One {{range}} iteration: sets the declared variables, walks the body. */
static bool range_one(texec *x, const tnode *n, size_t mark, tval index, tval elem)
{
    if (n->pipe->ndecl > 0)
        x->vars[mark - 1].val = elem;
    if (n->pipe->ndecl > 1)
        x->vars[mark - 2].val = index;
    tflow f = walk_list(x, elem, n->list);
    x->nvars = mark;
    return f != FLOW_BREAK && !x->failed;
}

static void walk_range(texec *x, tval dot, const tnode *n)
{
    size_t outer = x->nvars;
    tval v = dig(eval_pipeline(x, dot, n->pipe));
    size_t mark = x->nvars;
    bool any = false;
    if (x->failed)
        return;
    if (v.k == TV_REGO && v.v.kind == REGO_ARRAY) {
        any = v.v.n > 0;
        for (size_t i = 0; i < v.v.n && xstep(x); i++)
            if (!range_one(x, n, mark, tv_int((int64_t)i), tv_rego(v.v.u.items[i], true)))
                break;
    } else if (v.k == TV_REGO && v.v.kind == REGO_OBJECT) {
        any = v.v.n > 0;
        for (size_t i = 0; i < v.v.n && xstep(x); i++) {
            rego_objent e = rego_object_at(v.v, i);
            tval key = {0};
            key.k = TV_STR;
            key.s = (tstr){e.key.u.s, e.key.n};
            if (!range_one(x, n, mark, key, tv_rego(e.val, true)))
                break;
        }
    } else if (v.k == TV_INT) {
        if (n->pipe->ndecl > 1) {
            xerr(x, "can't use %lld to iterate over more than one variable", (long long)v.i);
            return;
        }
        any = v.i > 0; /* Go 1.22: range over an int counts 0..n-1 */
        for (int64_t i = 0; i < v.i && xstep(x); i++)
            if (!range_one(x, n, mark, tv_int(i), tv_int(i)))
                break;
    } else if (v.k != TV_NONE) {
        rp_buf t;
        rp_buf_init(&t);
        put_tval(&t, v);
        xerr(x, "range can't iterate over %.*s", (int)(t.len > 60 ? 60 : t.len),
             t.data ? t.data : "");
        rp_buf_free(&t);
    }
    if (!any && !x->failed && n->else_list)
        walk_list(x, dot, n->else_list);
    x->nvars = outer;
}

static tflow walk_list(texec *x, tval dot, const tlist *l)
{
    for (size_t i = 0; i < l->n && xstep(x); i++) {
        const tnode *n = &l->nodes[i];
        tflow f = FLOW_NORMAL;
        switch (n->kind) {
        case N_TEXT: rp_buf_append(x->out, x->src + n->pos, n->len); break;
        case N_ACTION: {
            tval v = eval_pipeline(x, dot, n->pipe);
            if (n->pipe->ndecl == 0 && !x->failed)
                print_value(x, v);
            break;
        }
        case N_IF:
        case N_WITH: f = walk_if_with(x, dot, n); break;
        case N_RANGE: walk_range(x, dot, n); break;
        case N_BREAK: return FLOW_BREAK;
        case N_CONTINUE: return FLOW_CONTINUE;
        }
        if (f != FLOW_NORMAL)
            return f;
    }
    return FLOW_NORMAL;
}

rp_status rego_bi_render_template(rego_bctx *ctx, const rego_value *args, rego_value *out)
{
    const char *src;
    size_t n;
    if (!rego_bi_arg_str(ctx, args, 0, &src, &n) || !rego_bi_arg_kind(ctx, args, 1, REGO_OBJECT))
        return RP_ERR_TYPE;
    char msg[200];
    if (!json_compat(args[1], msg, sizeof(msg), 0))
        return rego_bi_errorf(ctx, "%s", msg);
    tparser p = {.a = ctx->arena, .lx = {.s = src, .n = n}};
    tlist root = {0};
    parse_template(&p, &root);
    if (p.nomem)
        return rego_bi_nomem(ctx);
    if (p.failed)
        return rego_bi_errorf(ctx, "%s", p.msg);
    rp_buf b;
    rp_buf_init(&b);
    texec x = {.ctx = ctx, .src = src, .out = &b};
    static const tstr dollar = {"$", 1};
    push_var(&x, dollar, tv_rego(args[1], false));
    walk_list(&x, tv_rego(args[1], false), &root);
    rp_status st = RP_OK;
    if (x.limit)
        st = rp_error_setk(ctx->err, RP_ERR_LIMIT, RP_EK_EVAL_CANCEL, ctx->loc,
                           "%s: template output or work exceeds its limit (%u bytes, %u steps)",
                           ctx->bi->name, (unsigned)REGO_SPRINTF_MAX_BYTES,
                           (unsigned)REGO_TEMPLATE_MAX_STEPS);
    else if (x.failed && x.msg[0])
        st = rego_bi_errorf(ctx, "%s", x.msg);
    else if (x.failed || b.failed)
        st = rego_bi_nomem(ctx);
    else if ((*out = rego_str(ctx->arena, b.data ? b.data : "", b.len)).kind == REGO_UNDEF)
        st = rego_bi_nomem(ctx);
    rp_buf_free(&b);
    return st;
}
