/*
 * sprintf.c — Go formatting for the "strings" group: sprintf (Go's
 * fmt.Sprintf), and the pieces of Go's strconv and OPA's value text that
 * render_template.c shares through sprintf.h.
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
 * larger than that is refused before any work).  Scratch text lives in
 * malloc'd rp_bufs freed before return; results are copied into the arena.
 * No mutable globals.
 */
#include "sprintf.h"

#include <gmp.h>
#include <math.h>
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

bool rego_go_is_print(uint32_t r)
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
size_t rego_go_decode_rune(const char *s, size_t n, uint32_t *cp, bool *bad)
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

void rego_go_put_rune(rp_buf *b, uint32_t r)
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
    if (ascii_only ? (r < 0x80 && rego_go_is_print(r)) : rego_go_is_print(r)) {
        rego_go_put_rune(b, r);
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
        size_t k = rego_go_decode_rune(s + i, n - i, &r, &bad);
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
        size_t k = rego_go_decode_rune(s + i, n - i, &r, &bad);
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

void rego_go_value_text(rp_buf *b, rego_value v) { rego_text(b, v, 0); }

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
bool rego_go_ftoa(rp_buf *b, double v, char verb, int prec)
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
    if (f->sharp && u <= 0x10FFFF && rego_go_is_print((uint32_t)u)) {
        rp_buf_puts(&t, " '");
        rego_go_put_rune(&t, (uint32_t)u);
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
        i += rego_go_decode_rune(s + i, n - i, &r, &bad);
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
    if (!rego_go_ftoa(&num, v, verb, prec))
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
        rego_go_put_rune(f->b, verb);
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
    rego_go_put_rune(f->b, verb);
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
    p->i += rego_go_decode_rune(p->fmt + p->i, p->end - p->i, &verb, &bad);
    if (verb == '%') {
        rp_buf_putc(f->b, '%'); /* takes no operand, ignores width */
    } else if (!p->good_argnum) {
        rp_buf_puts(f->b, "%!");
        rego_go_put_rune(f->b, verb);
        rp_buf_puts(f->b, "(BADINDEX)");
    } else if (p->argnum >= p->nargs) {
        rp_buf_puts(f->b, "%!");
        rego_go_put_rune(f->b, verb);
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
