/*
 * test_bi_time.c — the time builtin group: results and OPA's exact error
 * texts, one table line per call (see bi_table.h for the notation).  Lines
 * marked "conf:" mirror OPA's conformance cases under
 * shared/conformance/opa/given/time; the other expected values were taken
 * from Go's time package, whose behaviour OPA inherits (zones from the
 * system tz database, which tzdata provides).
 */
#include "bi_table.h"

#define NY "\"America/New_York\""
#define T1 "1670006453141828752" /* 2022-12-02T18:40:53.141828752Z */

static const bt_case now_cases[] = {
    {"time.now_ns", "[]", "1700000000123456789"}, /* fixed per query */
    {"time.now_ns", "[]", "1700000000123456789"},
};

static const bt_case parse_cases[] = {
    /* conf: time/parse_rfc3339_nanos (and the range ends) */
    {"time.parse_rfc3339_ns", "[\"1677-09-21T00:12:43.145224192-00:00\"]", "-9223372036854775808"},
    {"time.parse_rfc3339_ns", "[\"1970-01-01T00:00:00-00:00\"]", "0"},
    {"time.parse_rfc3339_ns", "[\"2017-06-02T19:00:00-07:00\"]", "1496455200000000000"},
    {"time.parse_rfc3339_ns", "[\"2262-04-11T23:47:16.854775807-00:00\"]", "9223372036854775807"},
    {"time.parse_rfc3339_ns", "[\"1677-09-21T00:12:43.145224191-00:00\"]",
     "!builtin:time.parse_rfc3339_ns: time outside of valid range"},
    {"time.parse_rfc3339_ns", "[\"2262-04-11T23:47:16.854775808-00:00\"]",
     "!builtin:time.parse_rfc3339_ns: time outside of valid range"},
    {"time.parse_rfc3339_ns", "[\"2006-01-02T15:04:05.123456789123+07:00\"]", "1136189045123456789"},
    {"time.parse_rfc3339_ns", "[\"2006-01-02T15:04:05,5Z\"]", "1136214245500000000"},
    {"time.parse_rfc3339_ns", "[\"2006-02-30T15:04:05Z\"]",
     "!builtin:time.parse_rfc3339_ns: parsing time \"2006-02-30T15:04:05Z\": day out of range"},
    {"time.parse_rfc3339_ns", "[\"2006-13-02T15:04:05Z\"]",
     "!builtin:time.parse_rfc3339_ns: parsing time \"2006-13-02T15:04:05Z\": month out of range"},
    {"time.parse_rfc3339_ns", "[\"2006-01-02T25:04:05Z\"]",
     "!builtin:time.parse_rfc3339_ns: parsing time \"2006-01-02T25:04:05Z\": hour out of range"},
    {"time.parse_rfc3339_ns", "[\"2006-01-02T15:04:05Zjunk\"]",
     "!builtin:time.parse_rfc3339_ns: parsing time \"2006-01-02T15:04:05Zjunk\": extra text: \"junk\""},
    {"time.parse_rfc3339_ns", "[\"2006-01-02 15:04:05Z\"]",
     "!builtin:time.parse_rfc3339_ns: parsing time \"2006-01-02 15:04:05Z\" as "
     "\"2006-01-02T15:04:05Z07:00\": cannot parse \" 15:04:05Z\" as \"T\""},
    /* Go reports the element's input as it was before the element */
    {"time.parse_rfc3339_ns", "[\"2006-01-02T15:04:05+1x:00\"]",
     "!builtin:time.parse_rfc3339_ns: parsing time \"2006-01-02T15:04:05+1x:00\" as "
     "\"2006-01-02T15:04:05Z07:00\": cannot parse \"+1x:00\" as \"Z07:00\""},
    {"time.parse_rfc3339_ns", "[\"2006-01-02T15:04:05+25:00\"]",
     "!builtin:time.parse_rfc3339_ns: parsing time \"2006-01-02T15:04:05+25:00\": time zone "
     "offset hour out of range"},
    {"time.parse_rfc3339_ns", "[\"\\xff\\\"\"]",
     "!builtin:time.parse_rfc3339_ns: parsing time \"\\xff\\\"\" as \"2006-01-02T15:04:05Z07:00\": "
     "cannot parse \"\\xff\\\"\" as \"2006\""},
    {"time.parse_rfc3339_ns", "[1]", "!type:time.parse_rfc3339_ns: operand 1 must be string but got number"},
    /* layouts, named or spelled out */
    {"time.parse_ns", "[\"2006-01-02\", \"2022-12-02\"]", "1669939200000000000"},
    {"time.parse_ns", "[\"RFC822Z\", \"02 Dec 22 13:40 -0500\"]", "1670006400000000000"},
    {"time.parse_ns", "[\"RFC1123\", \"Fri, 02 Dec 2022 13:40:53 UTC\"]", "1669988453000000000"},
    {"time.parse_ns", "[\"RFC3339Nano\", \"2022-12-02T18:40:53.141828752Z\"]", T1},
    {"time.parse_ns", "[\"ANSIC\", \"Fri Dec  2 13:40:53 2022\"]", "1669988453000000000"},
    {"time.parse_ns", "[\"Mon Jan _2 15:04:05 MST 2006\", \"fri dec  2 13:40:53 XYZ 2022\"]",
     "1669988453000000000"}, /* names fold case; unknown zones only label */
    {"time.parse_ns", "[\"2006 MST\", \"2020 GMT+3\"]", "1577836800000000000"},
    {"time.parse_ns", "[\"3:04PM\", \"1:40PM\"]", "!builtin:time.parse_ns: time outside of valid range"},
    {"time.parse_ns", "[\"2006 002 15:04:05.000\", \"2020 060 12:00:00.250\"]", "1582977600250000000"},
    {"time.parse_ns", "[\"2006 __2\", \"2021 366\"]",
     "!builtin:time.parse_ns: parsing time \"2021 366\": day-of-year out of range"},
    {"time.parse_ns", "[\"2006-01 002\", \"2020-02 061\"]",
     "!builtin:time.parse_ns: parsing time \"2020-02 061\": day-of-year does not match month"},
    {"time.parse_ns", "[\"06 Jan\", \"69 Feb\"]", "-28857600000000000"},
    {"time.parse_ns", "[\"2006-01-2\", \"2022-12-0\"]",
     "!builtin:time.parse_ns: parsing time \"2022-12-0\": day out of range"},
    {"time.parse_ns", "[\"2006-01-02\", \"2022-12-0\"]",
     "!builtin:time.parse_ns: parsing time \"2022-12-0\" as \"2006-01-02\": cannot parse \"0\" as \"02\""},
    {"time.parse_ns", "[\"RFC3339\", \"x\"]",
     "!builtin:time.parse_ns: parsing time \"x\" as \"2006-01-02T15:04:05Z07:00\": cannot parse "
     "\"x\" as \"2006\""},
    {"time.parse_ns", "[\"15:04:05 .999\", \"10:00:00 .5\"]",
     "!builtin:time.parse_ns: time outside of valid range"}, /* year 0 */
    {"time.parse_ns", "[\"2006 15:04:05 .999\", \"2000 10:00:00 .5\"]", "946720800500000000"},
    {"time.parse_ns", "[1, \"x\"]", "!type:time.parse_ns: operand 1 must be string but got number"},
    {"time.parse_ns", "[\"x\", 1]", "!type:time.parse_ns: operand 2 must be string but got number"},
};

static const bt_case duration_cases[] = {
    {"time.parse_duration_ns", "[\"100ms\"]", "100000000"}, /* conf: parse duration nanos */
    {"time.parse_duration_ns", "[\"1h30m\"]", "5400000000000"},
    {"time.parse_duration_ns", "[\"-1.5h\"]", "-5400000000000"},
    {"time.parse_duration_ns", "[\"2h45m0.5s\"]", "9900500000000"},
    {"time.parse_duration_ns", "[\"1.0000000001s\"]", "1000000000"},
    {"time.parse_duration_ns", "[\"9223372036854775807ns\"]", "9223372036854775807"},
    {"time.parse_duration_ns", "[\"-9223372036854775808ns\"]", "-9223372036854775808"},
    {"time.parse_duration_ns", "[\"1\\xc2\\xb5s\"]", "1000"},
    {"time.parse_duration_ns", "[\"1\\xce\\xbcs\"]", "1000"},
    {"time.parse_duration_ns", "[\".5s\"]", "500000000"},
    {"time.parse_duration_ns", "[\"1.s\"]", "1000000000"},
    {"time.parse_duration_ns", "[\"+0\"]", "0"},
    {"time.parse_duration_ns", "[\"9223372036854775808ns\"]",
     "!builtin:time.parse_duration_ns: time: invalid duration \"9223372036854775808ns\""},
    {"time.parse_duration_ns", "[\".s\"]", "!builtin:time.parse_duration_ns: time: invalid duration \".s\""},
    {"time.parse_duration_ns", "[\"\"]", "!builtin:time.parse_duration_ns: time: invalid duration \"\""},
    {"time.parse_duration_ns", "[\"-\"]", "!builtin:time.parse_duration_ns: time: invalid duration \"-\""},
    {"time.parse_duration_ns", "[\"1\"]",
     "!builtin:time.parse_duration_ns: time: missing unit in duration \"1\""},
    {"time.parse_duration_ns", "[\"1e3s\"]",
     "!builtin:time.parse_duration_ns: time: unknown unit \"e\" in duration \"1e3s\""},
    {"time.parse_duration_ns", "[\"3d\\xc3\\xa9\"]",
     "!builtin:time.parse_duration_ns: time: unknown unit \"d\\xc3\\xa9\" in duration \"3d\\xc3\\xa9\""},
    {"time.parse_duration_ns", "[[]]", "!type:time.parse_duration_ns: operand 1 must be string but got array"},
};

static const bt_case calendar_cases[] = {
    {"time.date", "[1517814000000000000]", "[2018, 2, 5]"},          /* conf: time/date */
    {"time.date", "[[1517832000000000000, \"\"]]", "[2018, 2, 5]"}, /* conf: empty tz */
    {"time.date", "[1582977600000000000]", "[2020, 2, 29]"},         /* conf: leap day */
    {"time.date", "[1582977600000000000000]", "!builtin:time.date: timestamp too big"},
    {"time.clock", "[1517832000000000000]", "[12, 0, 0]"},            /* conf: time/clock */
    {"time.clock", "[[1517832000000000000, " NY "]]", "[7, 0, 0]"},  /* conf: NY tz */
    {"time.clock", "[1582977600000000000000]", "!builtin:time.clock: timestamp too big"},
    {"time.weekday", "[1517918400000000000]", "\"Tuesday\""}, /* conf: time/weekday ... */
    {"time.weekday", "[1518004800000000000]", "\"Wednesday\""},
    {"time.weekday", "[1518091200000000000]", "\"Thursday\""},
    {"time.weekday", "[1518177600000000000]", "\"Friday\""},
    {"time.weekday", "[1518264000000000000]", "\"Saturday\""},
    {"time.weekday", "[1582977600000000000000]", "!builtin:time.weekday: timestamp too big"},
    {"time.date", "[-9223372036854775808]", "[1677, 9, 21]"},
    {"time.date", "[1e3]", "[1970, 1, 1]"}, /* an integral float is a timestamp */
    {"time.date", "[1.5]", "!builtin:time.date: timestamp too big"},
    {"time.date", "[9223372036854775808]", "!builtin:time.date: timestamp too big"},
    {"time.date", "[[0, \"Local\"]]", "[1970, 1, 1]"}, /* the container's zone is UTC */
    {"time.date", "[[0, \"UTC\", \"ignored layout\"]]", "[1970, 1, 1]"},
    /* the footer rule covers times after the last transition */
    {"time.clock", "[[8536104000000000000, " NY "]]", "[8, 0, 0]"},
    {"time.clock", "[[8520379200000000000, " NY "]]", "[7, 0, 0]"},
    {"time.clock", "[[8520379200000000000, \"Australia/Sydney\"]]", "[23, 0, 0]"},
    /* operand errors all name operand 1, as OPA's tzTime does */
    {"time.date", "[\"x\"]",
     "!type:time.date: operand 1 must be either number (ns) or [number (ns), string (tz)] but got string"},
    {"time.date", "[[]]",
     "!type:time.date: operand 1 must be either number (ns) or [number (ns), string (tz)] but got array"},
    {"time.date", "[[\"x\"]]", "!type:time.date: operand 1 must be number but got string"},
    {"time.date", "[[0, 1]]", "!type:time.date: operand 1 must be string but got number"},
    {"time.date", "[[0, \"UTC\", 5]]", "!type:time.date: operand 1 must be string but got number"},
    {"time.date", "[[0, \"Foo/Bar\"]]", "!builtin:time.date: unknown time zone Foo/Bar"},
    {"time.date", "[[0, \"../../etc/passwd\"]]", "!builtin:time.date: time: invalid location name"},
    {"time.date", "[[0, \"/etc/localtime\"]]", "!builtin:time.date: time: invalid location name"},
    {"time.date", "[[0, \"America\"]]", "!builtin:time.date: is a directory"},
    {"time.date", "[[0, \"America/New_York/x\"]]", "!builtin:time.date: not a directory"},
    {"time.date", "[[0, \"zone.tab\"]]", "!builtin:time.date: malformed time zone information"},
    {"time.date", "[[0, \"a\\x00b\"]]", "!builtin:time.date: invalid argument"},
    {"time.date", "[[1.5, \"Foo\"]]", "!builtin:time.date: unknown time zone Foo"},
};

static const bt_case add_diff_cases[] = {
    /* conf: time/add_date ... */
    {"time.add_date", "[1585852421593912000, 3, 9, 12]", "1705257221593912000"},
    {"time.add_date", "[0, 2262, 1, 1]", "!builtin:time.add_date: time outside of valid range"},
    {"time.add_date", "[1585852421593912000, -1, -1, -1]", "1551465221593912000"},
    {"time.add_date", "[-9223372036854775808, 0, 0, -1]",
     "!builtin:time.add_date: time outside of valid range"},
    /* Go's normalisation: Jan 31 + 1 month is Mar 3; a DST gap moves on */
    {"time.add_date", "[1612051200000000000, 0, 1, 0]", "1614729600000000000"},
    {"time.add_date", "[[1615620600000000000, " NY "], 0, 0, 1]", "1615703400000000000"},
    {"time.add_date", "[0, 9223372036854775807, 0, 0]",
     "!builtin:time.add_date: time outside of valid range"},
    {"time.add_date", "[0, 0, 0, 9223372036854775807]",
     "!builtin:time.add_date: time outside of valid range"},
    {"time.add_date", "[0, 1.0, 0, 0]",
     "!type:time.add_date: operand 2 must be integer number but got floating-point number"},
    {"time.add_date", "[0, 0, \"1\", 0]", "!type:time.add_date: operand 3 must be number but got string"},
    {"time.add_date", "[0, 0, 0, 99999999999999999999]",
     "!type:time.add_date: operand 4 must be integer number but got floating-point number"},
    {"time.add_date", "[\"x\", 0, 0, 0]",
     "!type:time.add_date: operand 1 must be either number (ns) or [number (ns), string (tz)] but got string"},
    {"time.diff", "[1585852421593912000, 1705257221593912000]", "[3, 9, 12, 0, 0, 0]"},
    {"time.diff", "[1705257221593912000, 1585852421593912000]", "[3, 9, 12, 0, 0, 0]"},
    {"time.diff", "[[1612051200000000000, " NY "], 1614729600000000000]", "[0, 1, 3, 0, 0, 0]"},
    {"time.diff", "[0, 1]", "[0, 0, 0, 0, 0, 0]"},
    {"time.diff", "[0, \"x\"]",
     "!type:time.diff: operand 1 must be either number (ns) or [number (ns), string (tz)] but got string"},
};

static const bt_case format_cases[] = {
    /* conf: time/format */
    {"time.format", "[" T1 "]", "\"2022-12-02T18:40:53.141828752Z\""},
    {"time.format", "[[" T1 ", \"Asia/Kolkata\"]]", "\"2022-12-03T00:10:53.141828752+05:30\""},
    {"time.format", "[[" T1 ", \"Asia/Kolkata\", \"Mon Jan 02 15:04:05 -0700 2006\"]]",
     "\"Sat Dec 03 00:10:53 +0530 2022\""},
    {"time.format", "[1.5829776e22]", "!builtin:time.format: timestamp too big"}, /* conf: too big */
    {"time.format", "[[" T1 ", " NY ", \"ANSIC\"]]", "\"Fri Dec  2 13:40:53 2022\""},
    {"time.format", "[[" T1 ", " NY ", \"UnixDate\"]]", "\"Fri Dec  2 13:40:53 EST 2022\""},
    {"time.format", "[[" T1 ", " NY ", \"RubyDate\"]]", "\"Fri Dec 02 13:40:53 -0500 2022\""},
    {"time.format", "[[" T1 ", " NY ", \"RFC822\"]]", "\"02 Dec 22 13:40 EST\""},
    {"time.format", "[[" T1 ", " NY ", \"RFC822Z\"]]", "\"02 Dec 22 13:40 -0500\""},
    {"time.format", "[[" T1 ", " NY ", \"RFC850\"]]", "\"Friday, 02-Dec-22 13:40:53 EST\""},
    {"time.format", "[[" T1 ", " NY ", \"RFC1123\"]]", "\"Fri, 02 Dec 2022 13:40:53 EST\""},
    {"time.format", "[[" T1 ", " NY ", \"RFC1123Z\"]]", "\"Fri, 02 Dec 2022 13:40:53 -0500\""},
    {"time.format", "[[" T1 ", " NY ", \"RFC3339\"]]", "\"2022-12-02T13:40:53-05:00\""},
    {"time.format", "[[" T1 ", " NY ", \"\"]]", "\"2022-12-02T13:40:53.141828752-05:00\""},
    {"time.format", "[[" T1 ", " NY ", \"3:04PM\"]]", "\"1:40PM\""}, /* Kitchen is not named */
    {"time.format", "[[" T1 ", " NY ", \"Kitchen\"]]", "\"Kitchen\""},
    {"time.format",
     "[[" T1 ", " NY ", \"Monday January _2 __2 002 3:4:5 pm .000 ,999999 Z07 -07:00:00 06\"]]",
     "\"Friday December  2 336 336 1:40:53 pm .141 ,141828 -05 -05:00:00 22\""},
    {"time.format", "[[" T1 ", \"UTC\", \"Z07:00 MST _2006\"]]", "\"Z UTC _2022\""},
    {"time.format", "[[-9223372036854775808, \"UTC\", \"2006-01-02 15:04:05.000000000\"]]",
     "\"1677-09-21 00:12:43.145224192\""},
    {"time.format", "[[0, \"Etc/GMT+5\", \"MST -0700\"]]", "\"-05 -0500\""},
};

int main(void)
{
    BT_RUN(now_cases, 1700000000123456789LL);
    BT_RUN(parse_cases, 0);
    BT_RUN(duration_cases, 0);
    BT_RUN(calendar_cases, 0);
    BT_RUN(add_diff_cases, 0);
    BT_RUN(format_cases, 0);
    return T_DONE();
}
