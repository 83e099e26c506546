/*
 * test_bi_jsonschema.c — json.verify_schema and json.match_schema, called
 * the way the evaluator calls them.  Expected results are what OPA returns
 * (its topdown tests, gojsonschema's behaviour and error texts, derived
 * from OPA's internal/gojsonschema); the limit cases check that hostile
 * schemas stop with an error instead of recursing or running for ever.
 *
 * Schemas and documents are Rego term literals (bi_table.h's reader).  A
 * match case expects "" (valid), "!<kind>:<message>" (an error), or the
 * errors one per line as "type|field|desc" (the "error" member is
 * "field: desc").  A verify case expects "ok" or the error text.
 */
#include "bi_table.h"
#include "rego/limits.h"
#include "rego/re2_shim.h"

REGO_BUILTIN_GROUP(jsonschema);

typedef struct {
    const char *doc, *schema, *want;
} mcase;

static const mcase match_cases[] = {
    /* OPA's topdown tests */
    {"\"{}\"", "\"{}\"", ""},
    {"\"{}\"", "\"{ \\\"a\\\": \\\"\"", "!builtin:json.match_schema: invalid JSON string"},
    {"\"{ \\\"a\\\": \\\"\"", "\"{}\"", "!builtin:json.match_schema: invalid JSON string"},
    {"\"{ \\\"id\\\": 5 }\"", "{\"properties\": {\"id\": {\"type\": \"integer\"}}, \"required\": [\"id\"]}", ""},
    {"\"{ \\\"id\\\": 5 }\"", "{\"properties\": {\"id\": {\"type\": \"UNKNOWN\"}}, \"required\": [\"id\"]}",
     "!builtin:json.match_schema: has a primitive type that is NOT VALID -- given: /UNKNOWN/ Expected valid values are:[array boolean integer number null object string]"},
    {"\"{ \\\"id\\\": \\\"test\\\" }\"", "{\"properties\": {\"id\": {\"type\": \"integer\"}}, \"required\": [\"id\"]}",
     "invalid_type|id|Invalid type. Expected: integer, given: string"},
    /* argument types */
    {"1", "{}", "!builtin:json.match_schema: wrong type, expected string or object"},
    {"{}", "true", "!builtin:json.match_schema: wrong type, expected string or object"},
    {"[1, 2]", "{\"type\": \"array\", \"items\": {\"type\": \"integer\"}}", ""},
    {"{}", "[1]", "!builtin:json.match_schema: schema is invalid"},
    {"{}", "\"1\"", "!builtin:json.match_schema: schema is invalid"},
    {"{\"a\": 1}", "\"true\"", ""},
    {"{\"a\": 1}", "\"false\"", "false|(root)|False always fails validation"},

    /* types */
    {"{\"a\": null, \"b\": true, \"c\": 1.5, \"d\": 2, \"e\": [], \"f\": \"s\"}",
     "{\"properties\": {\"a\": {\"type\": \"string\"}, \"b\": {\"type\": \"string\"}, \"c\": {\"type\": \"integer\"}, \"d\": {\"type\": [\"string\", \"null\"]}, \"e\": {\"type\": \"object\"}, \"f\": {\"type\": \"number\"}}}",
     "invalid_type|a|Invalid type. Expected: string, given: null\n"
     "invalid_type|b|Invalid type. Expected: string, given: boolean\n"
     "invalid_type|c|Invalid type. Expected: integer, given: number\n"
     "invalid_type|d|Invalid type. Expected: [string,null], given: integer\n"
     "invalid_type|e|Invalid type. Expected: object, given: array\n"
     "invalid_type|f|Invalid type. Expected: number, given: string"},
    {"[1.0, 1e2, 3]", "{\"items\": {\"type\": \"integer\"}}", ""},
    {"{\"Device\": {\"Color\": true}}",
     "{\"$schema\": \"http://json-schema.org/draft-07/schema#\", \"type\": \"object\", \"properties\": {\"Device\": {\"type\": \"object\", \"additionalProperties\": {\"type\": \"string\"}}}}",
     "invalid_type|Device.Color|Invalid type. Expected: string, given: boolean"},

    /* numbers: exact decimal arithmetic, Go's %v of big.Float in messages */
    {"=0.3", "{\"multipleOf\": 0.1}", ""},
    {"=0.35", "{\"multipleOf\": 0.1}", "multiple_of|(root)|Must be a multiple of 0.1"},
    {"=7", "{\"multipleOf\": 2}", "multiple_of|(root)|Must be a multiple of 2"},
    {"=12", "{\"maximum\": 10.5, \"minimum\": 11, \"exclusiveMaximum\": 12}",
     "number_lte|(root)|Must be less than or equal to 10.5\nnumber_lt|(root)|Must be less than 12"},
    {"=5", "{\"minimum\": 5, \"exclusiveMinimum\": 5}", "number_gt|(root)|Must be greater than 5"},
    {"=5", "{\"$schema\": \"http://json-schema.org/draft-04/schema#\", \"minimum\": 5, \"exclusiveMinimum\": true}",
     "number_gt|(root)|Must be greater than 5"},
    {"=5", "{\"minimum\": 5, \"exclusiveMinimum\": true}", "number_gt|(root)|Must be greater than 5"},
    {"=5", "{\"minimum\": 5, \"exclusiveMinimum\": false}", ""},
    {"=1", "{\"minimum\": 12345678901}", "number_gte|(root)|Must be greater than or equal to 1.23456789e+10"},
    {"=0.3", "{\"minimum\": 0.00001, \"maximum\": 0.5}", ""},
    {"=0", "{\"minimum\": 0.00001}", "number_gte|(root)|Must be greater than or equal to 1e-05"},
    {"=0", "{\"minimum\": 1e21}", "number_gte|(root)|Must be greater than or equal to 1e+21"},
    {"=0", "{\"minimum\": 123456789}", "number_gte|(root)|Must be greater than or equal to 123456789"},
    {"=0", "{\"minimum\": 1234567890}", "number_gte|(root)|Must be greater than or equal to 1234567890"},
    {"=-3", "{\"minimum\": -2.25}", "number_gte|(root)|Must be greater than or equal to -2.25"},
    {"=0", "{\"minimum\": 0.1234567890123}", "number_gte|(root)|Must be greater than or equal to 0.123456789"},
    {"=0", "{\"minimum\": 2.00000000049}", "number_gte|(root)|Must be greater than or equal to 2"},
    {"=0", "{\"minimum\": 99999999999}", "number_gte|(root)|Must be greater than or equal to 1e+11"},
    {"=100000000000000000001", "{\"maximum\": 100000000000000000000}",
     "number_lte|(root)|Must be less than or equal to 1e+20"},

    /* strings */
    {"=\"h\xc3\xa9llo\"", "{\"minLength\": 5, \"maxLength\": 5}", ""},
    {"=\"h\xc3\xa9llo\"", "{\"minLength\": 6, \"maxLength\": 4}",
     "!builtin:json.match_schema: minLength cannot be greater than maxLength"},
    {"=\"abc\"", "{\"minLength\": 4}", "string_gte|(root)|String length must be greater than or equal to 4"},
    {"=\"abc\"", "{\"maxLength\": 2}", "string_lte|(root)|String length must be less than or equal to 2"},
    {"=\"abc\"", "{\"pattern\": \"^b\"}", "pattern|(root)|Does not match pattern '^b'"},
    {"=\"abc\"", "{\"pattern\": \"b\"}", ""},
    {"=5", "{\"pattern\": \"^b\", \"minLength\": 9}", ""},

    /* objects */
    {"{\"a\": 1}", "{\"required\": [\"a\", \"b\", \"c\"]}",
     "required|(root)|b is required\nrequired|(root)|c is required"},
    {"{\"a\": 1, \"b\": 2, \"x-y\": 3}", "{\"properties\": {\"a\": {}}, \"patternProperties\": {\"^x-\": {\"type\": \"string\"}}, \"additionalProperties\": false}",
     "additional_property_not_allowed|(root)|Additional property b is not allowed\n"
     "invalid_type|x-y|Invalid type. Expected: string, given: integer"},
    {"{\"a\": 1, \"b\": 2}", "{\"minProperties\": 3}", "array_min_properties|(root)|Must have at least 3 properties"},
    {"{\"a\": 1, \"b\": 2}", "{\"maxProperties\": 1}", "array_max_properties|(root)|Must have at most 1 properties"},
    {"{\"ab\": 1, \"c\": 2}", "{\"propertyNames\": {\"maxLength\": 1}}",
     "invalid_property_name|(root)|Property name of \"ab\" does not match\n"
     "string_lte|(root)|String length must be less than or equal to 1"},
    {"{\"a\": 1}", "{\"dependencies\": {\"a\": [\"b\", \"c\"], \"z\": [\"a\"]}}",
     "missing_dependency|(root)|Has a dependency on b\nmissing_dependency|(root)|Has a dependency on c"},
    {"{\"a\": 1}", "{\"dependencies\": {\"a\": {\"required\": [\"q\"]}}}", "required|(root)|q is required"},
    {"{\"o\": {\"i\": {\"x\": 1}}}", "{\"properties\": {\"o\": {\"properties\": {\"i\": {\"properties\": {\"x\": {\"const\": 2}}}}}}}",
     "const|o.i.x|o.i.x does not match: 2"},

    /* arrays */
    {"[1, \"a\", true]", "{\"items\": [{\"type\": \"integer\"}, {\"type\": \"integer\"}], \"additionalItems\": false}",
     "invalid_type|1|Invalid type. Expected: integer, given: string\narray_no_additional_items|(root)|No additional items allowed on array"},
    {"[1, 2, 3]", "{\"items\": [{}], \"additionalItems\": {\"maximum\": 2}}", "number_lte|2|Must be less than or equal to 2"},
    {"[1, 2]", "{\"minItems\": 3, \"maxItems\": 1}",
     "array_min_items|(root)|Array must have at least 3 items\narray_max_items|(root)|Array must have at most 1 items"},
    {"[1, 1.0, {\"a\": 1, \"b\": 2}, {\"b\": 2, \"a\": 1}, 1]", "{\"uniqueItems\": true}",
     "unique|(root)|array items[0,1] must be unique\nunique|(root)|array items[2,3] must be unique\nunique|(root)|array items[1,4] must be unique"},
    {"[1, 2]", "{\"contains\": {\"type\": \"string\"}}",
     "contains|(root)|At least one of the items must match\ninvalid_type|0|Invalid type. Expected: string, given: integer"},
    {"[1, \"x\"]", "{\"contains\": {\"type\": \"string\"}}", ""},
    {"[]", "{\"contains\": {}}", "contains|(root)|At least one of the items must match"},
    {"{1, 2}", "{}", "!builtin:json.match_schema: wrong type, expected string or object"},
    {"=1", "{}", ""},
    {"=\"x\"", "{\"type\": \"string\"}", ""},
    {"{\"s\": {3, 1, 2}}", "{\"properties\": {\"s\": {\"items\": [{\"const\": 1}, {\"const\": 2}, {\"const\": 3}]}}}", ""},
    {"{1: \"a\", [1]: \"b\"}", "{\"required\": [\"1\", \"[1]\"]}", ""},

    /* const / enum: values compared as float64 JSON */
    {"{\"a\": 1.0}", "{\"const\": {\"a\": 1}}", ""},
    {"=\"<b>\"", "{\"const\": \"<a>\"}", "const|(root)|(root) does not match: \"\\u003ca\\u003e\""},
    {"=3", "{\"enum\": [1, \"x\", null, {\"k\": [true]}]}",
     "enum|(root)|(root) must be one of the following: 1, \"x\", null, {\"k\":[true]}"},
    {"=3", "{\"enum\": []}", "enum|(root)|(root) must be one of the following: (none)"},
    {"=12345678901234567891", "{\"enum\": [12345678901234567890]}", ""},
    {"=1", "{\"$schema\": \"http://json-schema.org/draft-04/schema#\", \"const\": 2}", ""},

    /* combinators and the closest-branch errors */
    {"{}", "{\"anyOf\": [{\"type\": \"string\"}, {\"type\": \"object\", \"required\": [\"a\", \"b\"]}]}",
     "number_any_of|(root)|Must validate at least one schema (anyOf)\nrequired|(root)|a is required\nrequired|(root)|b is required"},
    {"=3", "{\"oneOf\": [{\"minimum\": 1}, {\"minimum\": 2}]}", "number_one_of|(root)|Must validate one and only one schema (oneOf)"},
    {"=0", "{\"oneOf\": [{\"minimum\": 1, \"maximum\": -1}, {\"minimum\": 2}]}",
     "number_one_of|(root)|Must validate one and only one schema (oneOf)\nnumber_gte|(root)|Must be greater than or equal to 2"},
    {"=0", "{\"allOf\": [{\"minimum\": 1}, {\"maximum\": 5}, {\"type\": \"string\"}]}",
     "number_gte|(root)|Must be greater than or equal to 1\ninvalid_type|(root)|Invalid type. Expected: string, given: integer\nnumber_all_of|(root)|Must validate all the schemas (allOf)"},
    {"=0", "{\"not\": {\"type\": \"integer\"}}", "number_not|(root)|Must not validate the schema (not)"},
    {"=5", "{\"if\": {\"minimum\": 3}, \"then\": {\"multipleOf\": 2}, \"else\": {\"maximum\": 0}}",
     "condition_then|(root)|Must validate \"then\" as \"if\" was valid\nmultiple_of|(root)|Must be a multiple of 2"},
    {"=1", "{\"if\": {\"minimum\": 3}, \"then\": {\"multipleOf\": 2}, \"else\": {\"maximum\": 0}}",
     "condition_else|(root)|Must validate \"else\" as \"if\" was not valid\nnumber_lte|(root)|Must be less than or equal to 0"},
    {"=1", "{\"$schema\": \"http://json-schema.org/draft-06/schema#\", \"if\": {\"minimum\": 3}, \"else\": {\"maximum\": 0}}", ""},
    {"=1", "{\"properties\": {\"a\": false}}", ""},
    {"{\"a\": 1}", "{\"properties\": {\"a\": false}}", "false|a|False always fails validation"},
    {"{\"a\": 1}", "{\"$schema\": \"http://json-schema.org/draft-04/schema#\", \"properties\": {\"a\": false}}",
     "!builtin:json.match_schema: Expected: valid schema, given: Invalid JSON"},

    /* formats */
    {"[\"2021-02-29\", \"2020-02-29\", \"12:00:00\", \"1:02:03\", \"2020-01-01T10:00:00.5+01:00\", \"2020-01-01 10:00:00Z\", \"24:00:00\", \"2020-13-01\"]",
     "{\"items\": {\"format\": \"date-time\"}}",
     "format|0|Does not match format 'date-time'\nformat|5|Does not match format 'date-time'\nformat|6|Does not match format 'date-time'\nformat|7|Does not match format 'date-time'"},
    {"[\"2020-01-01\", \"2020-1-01\", \"+020-01-01\"]", "{\"items\": {\"format\": \"date\"}}",
     "format|1|Does not match format 'date'"},
    {"[\"10:00:00Z\", \"10:00:00+25:00\", \"10:00:00,123-07:30\", \"10:00\"]", "{\"items\": {\"format\": \"time\"}}",
     "format|1|Does not match format 'time'\nformat|3|Does not match format 'time'"},
    {"[\"a@b.c\", \"Name <a@b.c>\", \"a.@b\", \"a@b@c\", \"\\\"q r\\\"@x\", \"a@[127.0.0.1]\", \"a@[1.2.3]\", \"g: a@b, c@d;\", \"g: a@b;\", \"@b\", \"a@b (c)\"]",
     "{\"items\": {\"format\": \"email\"}}",
     "format|2|Does not match format 'email'\nformat|3|Does not match format 'email'\nformat|6|Does not match format 'email'\nformat|7|Does not match format 'email'\nformat|9|Does not match format 'email'"},
    {"[\"1.2.3.4\", \"::ffff:1.2.3.4\", \"01.2.3.4\", \"::1\", \"1.2.3\"]", "{\"items\": {\"format\": \"ipv4\"}}",
     "format|2|Does not match format 'ipv4'\nformat|3|Does not match format 'ipv4'\nformat|4|Does not match format 'ipv4'"},
    {"[\"::1\", \"1.2.3.4\", \"fe80::1%eth0\", \"1:2:3:4:5:6:7:8\"]", "{\"items\": {\"format\": \"ipv6\"}}",
     "format|1|Does not match format 'ipv6'\nformat|2|Does not match format 'ipv6'"},
    {"[\"example.com\", \"a-b.c\", \"-a.com\", \"a..b\", \"a.com.\", \"xn--d1a.b\"]", "{\"items\": {\"format\": \"hostname\"}}",
     "format|2|Does not match format 'hostname'\nformat|3|Does not match format 'hostname'\nformat|4|Does not match format 'hostname'"},
    {"[\"http://x/y\", \"x/y\", \"mailto:a@b\", \"http://a b\", \"c:\\\\x\"]", "{\"items\": {\"format\": \"uri\"}}",
     "format|1|Does not match format 'uri'\nformat|3|Does not match format 'uri'\nformat|4|Does not match format 'uri'"},
    {"[\"x/y\", \"#frag\", \"1a:b\"]", "{\"items\": {\"format\": \"uri-reference\"}}",
     "format|2|Does not match format 'uri-reference'"},
    {"[\"http://x/{a}/{b}\", \"http://x/{a\", \"http://x/a}\"]", "{\"items\": {\"format\": \"uri-template\"}}",
     "format|1|Does not match format 'uri-template'"},
    {"[\"123e4567-E89B-12d3-a456-426614174000\", \"123e4567e89b12d3a456426614174000\"]", "{\"items\": {\"format\": \"uuid\"}}",
     "format|1|Does not match format 'uuid'"},
    {"[\"\", \"^a+$\", \"(\"]", "{\"items\": {\"format\": \"regex\"}}", "format|2|Does not match format 'regex'"},
    {"[\"\", \"/a~1b/0\", \"a\", \"/~2\"]", "{\"items\": {\"format\": \"json-pointer\"}}",
     "format|2|Does not match format 'json-pointer'\nformat|3|Does not match format 'json-pointer'"},
    {"[\"0\", \"1#\", \"10/a\", \"01\", \"#\"]", "{\"items\": {\"format\": \"relative-json-pointer\"}}",
     "format|3|Does not match format 'relative-json-pointer'\nformat|4|Does not match format 'relative-json-pointer'"},
    {"[5, \"anything\"]", "{\"items\": {\"format\": \"made-up\"}}", ""},
    {"=5", "{\"format\": \"email\"}", ""},

    /* references */
    {"{\"games\": [{\"winner\": {\"user\": {\"fullName\": 5}}}]}",
     "{\"type\": \"object\", \"properties\": {\"games\": {\"type\": \"array\", \"items\": {\"$ref\": \"#/definitions/game\"}}}, \"definitions\": {\"game\": {\"type\": \"object\", \"properties\": {\"winner\": {\"$ref\": \"#/definitions/player\"}, \"loser\": {\"$ref\": \"#/definitions/player\"}}}, \"player\": {\"type\": \"object\", \"properties\": {\"user\": {\"$ref\": \"#/definitions/user\"}, \"game\": {\"$ref\": \"#/definitions/game\"}}}, \"user\": {\"type\": \"object\", \"properties\": {\"fullName\": {\"type\": \"string\"}}}}}",
     "invalid_type|games.0.winner.user.fullName|Invalid type. Expected: string, given: integer"},
    {"{}", "{\"definitions\": {\"A\": {\"$id\": \"#foo\"}, \"B\": {\"$id\": \"http://example.com/other.json\", \"definitions\": {\"X\": {\"$id\": \"#bar\", \"allOf\": [false]}, \"Y\": {\"$id\": \"t/inner.json\"}}}, \"C\": {\"$id\": \"#frag\", \"$ref\": \"http://example.com/other.json#bar\"}}, \"$ref\": \"#frag\"}",
     "false|(root)|False always fails validation\nnumber_all_of|(root)|Must validate all the schemas (allOf)"},
    {"{}", "{\"$ref\": \"#/fail\"}", "!builtin:json.match_schema: Object has no key 'fail'"},
    {"{}", "{\"$ref\": \"#/x/3\", \"x\": [1]}",
     "!builtin:json.match_schema: Out of bound array[0,1] index '3'"},
    {"{}", "{\"$ref\": \"#/x/y\", \"x\": [1]}",
     "!builtin:json.match_schema: Invalid array index 'y'"},
    {"{}", "{\"$ref\": \"#/x/0/z\", \"x\": [1]}",
     "!builtin:json.match_schema: Invalid token reference 'z'"},
    {"{}", "{\"$ref\": \"#/x/0\", \"x\": [1]}",
     "!builtin:json.match_schema: valid schema must be of type object"},
    {"{}", "{\"$ref\": \"#/definitions/a~1b\", \"definitions\": {\"a/b\": {\"type\": \"string\"}}}",
     "invalid_type|(root)|Invalid type. Expected: string, given: object"},
    {"{}", "{\"$ref\": \"other.json\"}", "!builtin:json.match_schema: Reference /other.json must be canonical"},
    {"{}", "{\"$ref\": \"http://example.com/s.json#/x\"}",
     "!builtin:json.match_schema: remote reference loading disabled: http://example.com/s.json"},
    {"{}", "{\"$ref\": \"file:///etc/passwd\"}",
     "!builtin:json.match_schema: file reference loading disabled: file:///etc/passwd"},
    /* a fragment that is not a pointer names the whole document: here, itself */
    {"{}", "{\"$ref\": \"#nothing\"}", "!limit:json.match_schema: JSON schema validation depth exceeds the limit of 2000"},
    {"{\"a\": [{\"a\": []}, 3]}", "{\"$ref\": \"#/definitions/n\", \"definitions\": {\"n\": {\"type\": \"object\", \"properties\": {\"a\": {\"type\": \"array\", \"items\": {\"$ref\": \"#/definitions/n\"}}}}}}",
     "invalid_type|a.1|Invalid type. Expected: object, given: integer"},
    {"{\"type\": \"strin\"}", "{\"$ref\": \"http://json-schema.org/draft-07/schema#\"}",
     "number_any_of|type|Must validate at least one schema (anyOf)\n"
     "enum|type|type must be one of the following: \"array\", \"boolean\", \"integer\", \"null\", \"number\", \"object\", \"string\""},
    {"{\"minLength\": -1}", "{\"$ref\": \"http://json-schema.org/draft-04/schema#\"}",
     "number_gte|minLength|Must be greater than or equal to 0\nnumber_all_of|minLength|Must validate all the schemas (allOf)"},
    {"{\"$ref\": {\"$ref\": \"hello.world\"}, \"const\": {\"$ref\": \"hello.world\"}}",
     "{\"$id\": \"http://localhost/schema.json\", \"properties\": {\"$id\": {\"$id\": \"http://localhost/foo.json\"}, \"$ref\": {\"const\": {\"$ref\": \"hello.world\"}}, \"const\": {\"$ref\": \"#/definitions/$ref\"}}, \"definitions\": {\"$ref\": {\"const\": {\"$ref\": \"hello.world\"}}}, \"dependencies\": {\"$ref\": [\"const\"], \"const\": [\"$ref\"]}}",
     ""},
};

typedef struct {
    const char *schema, *want;
} vcase;

static const vcase verify_cases[] = {
    /* OPA's topdown tests */
    {"\"{}\"", "ok"},
    {"\"{ \\\"a\\\": \\\"\"", "jsonschema: invalid JSON string"},
    {"{\"properties\": {\"id\": {\"type\": \"integer\"}}, \"required\": [\"id\"]}", "ok"},
    {"{\"properties\": {\"id\": {\"type\": \"UNKNOWN\"}}, \"required\": [\"id\"]}",
     "jsonschema: has a primitive type that is NOT VALID -- given: /UNKNOWN/ Expected valid values are:[array boolean integer number null object string]"},
    /* loaders */
    {"5", "jsonschema: wrong type, expected string or object"},
    {"\"[]\"", "jsonschema: schema is invalid"},
    {"\"true\"", "ok"},
    {"\"  {} \"", "ok"},
    {"\"{} {}\"", "jsonschema: invalid JSON string"},
    /* gojsonschema's compile errors, keyword by keyword */
    {"{\"$schema\": 5}", "jsonschema: $schema must be of type string"},
    {"{\"$schema\": \"http://a b\"}", "jsonschema: parse \"http://a b\": invalid character \" \" in host name"},
    {"{\"$id\": 5}", "jsonschema: Invalid type. Expected: string, given: $id"},
    {"{\"id\": 5}", "jsonschema: Invalid type. Expected: string, given: id"},
    {"{\"$schema\": \"http://json-schema.org/draft-06/schema#\", \"id\": 5}", "ok"},
    {"{\"$id\": \"%zz\"}", "jsonschema: parse \"%zz\": invalid URL escape \"%zz\""},
    {"{\"definitions\": []}", "jsonschema: Invalid type. Expected: array of schemas, given: definitions"},
    {"{\"definitions\": {\"a\": 1}}", "jsonschema: Invalid type. Expected: array of schemas, given: definitions"},
    {"{\"title\": 1}", "jsonschema: Invalid type. Expected: string, given: title"},
    {"{\"description\": []}", "jsonschema: Invalid type. Expected: string, given: description"},
    {"{\"$ref\": 1}", "jsonschema: Invalid type. Expected: string, given: $ref"},
    {"{\"type\": 1}", "jsonschema: Invalid type. Expected: string/array of strings, given: type"},
    {"{\"type\": [\"string\", 1]}", "jsonschema: Invalid type. Expected: string/array of strings, given: type"},
    {"{\"type\": [\"string\", \"string\"]}", "jsonschema: string type is duplicated"},
    {"{\"properties\": []}", "jsonschema: properties must be of type object"},
    {"{\"properties\": {\"a\": 1}}", "jsonschema: Expected: valid schema, given: Invalid JSON"},
    {"{\"additionalProperties\": 1}", "jsonschema: Invalid type. Expected: boolean/valid schema, given: additionalProperties"},
    {"{\"patternProperties\": 1}", "jsonschema: Invalid type. Expected: valid schema, given: patternProperties"},
    {"{\"patternProperties\": {\"(\": {}}}", "jsonschema: Invalid regex pattern '('"},
    {"{\"propertyNames\": 1}", "jsonschema: Invalid type. Expected: valid schema, given: patternProperties"},
    {"{\"dependencies\": 1}", "jsonschema: dependencies must be of type object"},
    {"{\"dependencies\": {\"a\": [1]}}", "jsonschema: dependency must be of type schema or array of strings"},
    {"{\"dependencies\": {\"a\": 1}}", "jsonschema: dependency must be of type schema or array of strings"},
    {"{\"items\": 1}", "jsonschema: Invalid type. Expected: valid schema/array of schemas, given: items"},
    {"{\"items\": [1]}", "jsonschema: Invalid type. Expected: valid schema/array of schemas, given: items"},
    {"{\"additionalItems\": 1}", "jsonschema: Invalid type. Expected: boolean/valid schema, given: additionalItems"},
    {"{\"multipleOf\": \"1\"}", "jsonschema: Invalid type. Expected: number, given: multipleOf"},
    {"{\"multipleOf\": 0}", "jsonschema: multipleOf must be strictly greater than 0"},
    {"{\"minimum\": \"1\"}", "jsonschema: minimum must be of a number"},
    {"{\"maximum\": null}", "jsonschema: maximum must be of a number"},
    {"{\"exclusiveMinimum\": true}", "jsonschema: exclusiveMinimum cannot be used without minimum"},
    {"{\"exclusiveMaximum\": \"x\"}", "jsonschema: Invalid type. Expected: boolean/number, given: exclusiveMaximum"},
    {"{\"$schema\": \"http://json-schema.org/draft-04/schema#\", \"maximum\": 1, \"exclusiveMaximum\": 1}",
     "jsonschema: Invalid type. Expected: boolean, given: exclusiveMaximum"},
    {"{\"$schema\": \"http://json-schema.org/draft-07/schema#\", \"exclusiveMaximum\": true}",
     "jsonschema: Invalid type. Expected: number, given: exclusiveMaximum"},
    {"{\"minLength\": 1.0}", "jsonschema: minLength must be of an integer"},
    {"{\"minLength\": 1.5}", "jsonschema: minLength must be of an integer"},
    {"{\"maxLength\": -1}", "jsonschema: maxLength must be greater than or equal to 0"},
    {"{\"minLength\": 99999999999999999999}", "jsonschema: minLength must be of an integer"},
    {"{\"pattern\": 1}", "jsonschema: Invalid type. Expected: string, given: pattern"},
    {"{\"pattern\": \"(?<x\"}", "jsonschema: pattern must be a valid regex"},
    {"{\"pattern\": \"a(?!b)\"}", "jsonschema: pattern must be a valid regex"},
    {"{\"format\": 1}", "jsonschema: Invalid type. Expected: string, given: format"},
    {"{\"minProperties\": \"1\"}", "jsonschema: minProperties must be of an integer"},
    {"{\"minProperties\": 2, \"maxProperties\": 1}", "jsonschema: minProperties cannot be greater than maxProperties"},
    {"{\"required\": \"a\"}", "jsonschema: required must be of an array"},
    {"{\"required\": [1]}", "jsonschema: Invalid type. Expected: string, given: required"},
    {"{\"required\": [\"a\", \"a\"]}", "jsonschema: required items must be unique"},
    {"{\"minItems\": -1}", "jsonschema: minItems must be greater than or equal to 0"},
    {"{\"minItems\": 2, \"maxItems\": 1}", "ok"},
    {"{\"uniqueItems\": 1}", "jsonschema: uniqueItems must be of a boolean"},
    {"{\"contains\": 1}", "jsonschema: Expected: valid schema, given: Invalid JSON"},
    {"{\"enum\": 1}", "jsonschema: enum must be of an array"},
    {"{\"enum\": [1, 1.0]}", "jsonschema: enum items must be unique"},
    {"{\"enum\": [{\"a\": 1, \"b\": 2}, {\"b\": 2, \"a\": 1}]}", "jsonschema: enum items must be unique"},
    {"{\"oneOf\": {}}", "jsonschema: oneOf must be of an array"},
    {"{\"anyOf\": [1]}", "jsonschema: Expected: valid schema, given: Invalid JSON"},
    {"{\"allOf\": [true, {}]}", "ok"},
    {"{\"not\": 1}", "jsonschema: not must be of an object"},
    {"{\"if\": 1}", "jsonschema: if must be of an object"},
    {"{\"$schema\": \"http://json-schema.org/draft-06/schema#\", \"if\": 1}", "ok"},
    {"{\"then\": []}", "jsonschema: then must be of an object"},
    {"{\"else\": \"x\"}", "jsonschema: else must be of an object"},
    {"{\"$ref\": \"#/definitions/x\", \"definitions\": {\"x\": {\"type\": 5}}}",
     "jsonschema: Invalid type. Expected: string/array of strings, given: type"},
    /* a known $ref does not end the parse; a new one does */
    {"{\"$ref\": \"#/definitions/d\", \"type\": 5, \"definitions\": {\"d\": {}}}", "ok"},
    {"{\"$ref\": \"#\", \"type\": 5}", "jsonschema: Invalid type. Expected: string/array of strings, given: type"},
    {"{\"properties\": {\"a\": {\"$ref\": \"#\"}, \"b\": {\"$ref\": \"#\", \"type\": 5}}}",
     "jsonschema: Invalid type. Expected: string/array of strings, given: type"},
    {"{\"$ref\": \"#/x\", \"definitions\": {\"x\": {}}}", "jsonschema: Object has no key 'x'"},
};

static rego_value call2(struct rego_evalctx *ev, const char *fn, rego_value args, rp_status *st,
                        rp_error *err)
{
    const rego_builtin *bi = rego_builtin_find(fn, strlen(fn));
    rego_value v = rego_undef();
    rp_loc loc = {"t.rego", 1, 1};
    *st = rego_builtin_call(bi, ev, loc, args.u.items, &v, err);
    return v;
}

/* The expected [valid, errors] value of a "type|field|desc" list. */
static rego_value expected_errors(rp_arena *a, const char *want)
{
    rego_value items[64], arr, out;
    size_t n = 0;
    for (const char *p = want; *p && n < 64;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        const char *b1 = memchr(p, '|', len), *b2 = b1 ? memchr(b1 + 1, '|', len - (size_t)(b1 + 1 - p)) : NULL;
        if (!b2) {
            fprintf(stderr, "test bug: %s\n", want);
            exit(2);
        }
        rego_value type = rego_str(a, p, (size_t)(b1 - p));
        rego_value field = rego_str(a, b1 + 1, (size_t)(b2 - b1 - 1));
        rego_value desc = rego_str(a, b2 + 1, (size_t)(p + len - b2 - 1));
        char *text = rp_arena_alloc(a, field.n + desc.n + 3);
        sprintf(text, "%s: %s", field.u.s, desc.u.s);
        rego_objent ents[4] = {{rego_cstr(a, "error"), rego_cstr(a, text)},
                               {rego_cstr(a, "type"), type},
                               {rego_cstr(a, "field"), field},
                               {rego_cstr(a, "desc"), desc}};
        items[n++] = rego_object_from(a, ents, 4);
        p += len + (nl ? 1 : 0);
    }
    rego_value *dst = rego_array_alloc(a, n, &arr);
    if (n)
        memcpy(dst, items, n * sizeof(*dst));
    else
        arr = rego_empty_array();
    rego_value *pair = rego_array_alloc(a, 2, &out);
    pair[0] = rego_bool(n == 0);
    pair[1] = arr;
    return out;
}

static const char *show(rego_value v)
{
    static char buf[8192];
    rp_buf b;
    rp_buf_init(&b);
    rego_value_write(&b, v, REGO_FMT_JSON);
    snprintf(buf, sizeof(buf), "%s", rp_buf_cstr(&b));
    rp_buf_free(&b);
    return buf;
}

static void run_match(rp_arena *a, struct rego_evalctx *ev, const mcase *c, size_t i)
{
    char text[16384], docterm[4096];
    if (c->doc[0] == '=') {
        /* "=..." is JSON text, passed as a string (numbers and strings are
         * not documents OPA accepts otherwise) */
        size_t k = 0;
        docterm[k++] = '"';
        for (const char *p = c->doc + 1; *p && k + 3 < sizeof(docterm); p++) {
            if (*p == '"' || *p == '\\')
                docterm[k++] = '\\';
            docterm[k++] = *p;
        }
        docterm[k++] = '"';
        docterm[k] = 0;
    } else {
        snprintf(docterm, sizeof(docterm), "%s", c->doc);
    }
    snprintf(text, sizeof(text), "[%s, %s]", docterm, c->schema);
    if (c->want[0] == '!') {
        static char got[16384];
        bt_call(ev, "json.match_schema", text, got, sizeof(got));
        T_CHECKM(strcmp(got, c->want) == 0, "match %zu\n    got:  %s\n    want: %s", i, got, c->want);
        return;
    }
    rp_status st;
    rp_error err = {0};
    rego_value v = call2(ev, "json.match_schema", bt_term(a, text), &st, &err);
    rego_value want = expected_errors(a, c->want);
    if (st != RP_OK) {
        T_CHECKM(0, "match %zu: error %s", i, err.msg);
        return;
    }
    char got[8192];
    snprintf(got, sizeof(got), "%s", show(v));
    T_CHECKM(rego_equal(v, want), "match %zu: %s %s\n    got:  %s\n    want: %s", i, c->doc,
             c->schema, got, show(want));
}

static void run_verify(rp_arena *a, struct rego_evalctx *ev, const vcase *c, size_t i)
{
    char text[16384];
    snprintf(text, sizeof(text), "[%s]", c->schema);
    rp_status st;
    rp_error err = {0};
    rego_value v = call2(ev, "json.verify_schema", bt_term(a, text), &st, &err);
    if (st != RP_OK) {
        T_CHECKM(0, "verify %zu: error %s", i, err.msg);
        return;
    }
    bool ok = v.kind == REGO_ARRAY && v.n == 2;
    if (strcmp(c->want, "ok") == 0)
        ok = ok && v.u.items[0].u.b && v.u.items[1].kind == REGO_NULL;
    else
        ok = ok && !v.u.items[0].u.b && v.u.items[1].kind == REGO_STRING &&
             strcmp(v.u.items[1].u.s, c->want) == 0;
    T_CHECKM(ok, "verify %zu: %s\n    got:  %s\n    want: %s", i, c->schema, show(v), c->want);
}

/* Argument errors in bi_table.h's printed form. */
static const bt_case printed_cases[] = {
    {"json.match_schema", "[{}, 7]", "!builtin:json.match_schema: wrong type, expected string or object"},
    {"json.match_schema", "[\"{\", {}]", "!builtin:json.match_schema: invalid JSON string"},
};

/* ---- limits ------------------------------------------------------------------ */

/* {"items": {"items": ... {}}} with n "items" levels: its innermost schema
 * sits at nesting depth n + 1. */
static rego_value nested_items(rp_arena *a, size_t n)
{
    rego_value v = rego_empty_object();
    for (size_t i = 0; i < n; i++) {
        rego_objent e = {rego_cstr(a, "items"), v};
        v = rego_object_from(a, &e, 1);
    }
    return v;
}

/* n arrays around 1: the 1 sits at depth n + 1. */
static rego_value nested_arrays(rp_arena *a, size_t n)
{
    rego_value v = rego_int(1);
    for (size_t i = 0; i < n; i++) {
        rego_value arr;
        rego_value *items = rego_array_alloc(a, 1, &arr);
        items[0] = v;
        v = arr;
    }
    return v;
}

static rp_status call_vals(struct rego_evalctx *ev, const char *fn, rego_value *args,
                           rego_value *out, rp_error *err)
{
    const rego_builtin *bi = rego_builtin_find(fn, strlen(fn));
    rp_loc loc = {"t.rego", 1, 1};
    rp_error_clear(err);
    return rego_builtin_call(bi, ev, loc, args, out, err);
}

static rp_status call_str(struct rego_evalctx *ev, const char *fn, const char *doc,
                          const char *schema, rego_value *out, rp_error *err)
{
    const rego_builtin *bi = rego_builtin_find(fn, strlen(fn));
    rego_value args[2];
    int k = 0;
    if (doc)
        args[k++] = rego_str(ev->arena, doc, strlen(doc));
    args[k++] = rego_str(ev->arena, schema, strlen(schema));
    rp_loc loc = {"t.rego", 1, 1};
    return rego_builtin_call(bi, ev, loc, args, out, err);
}

static void test_limits(struct rego_evalctx *ev)
{
    rego_value out, args[2];
    rp_error err = {0};
    rp_arena *a = ev->arena;
    const size_t max = REGO_JSONSCHEMA_MAX_DEPTH;

    /* schema and document nesting: exactly at the limit, then one past it */
    args[0] = nested_items(a, max - 1);
    T_CHECK(call_vals(ev, "json.verify_schema", args, &out, &err) == RP_OK && out.u.items[0].u.b);
    args[0] = nested_items(a, max);
    rp_status st = call_vals(ev, "json.verify_schema", args, &out, &err);
    T_CHECKM(st == RP_ERR_LIMIT && strstr(err.msg, "JSON schema nesting exceeds the limit of 1000"),
             "schema depth+1: %d %s", st, err.msg);
    args[0] = nested_arrays(a, max - 1);
    args[1] = nested_items(a, max - 1);
    st = call_vals(ev, "json.match_schema", args, &out, &err);
    T_CHECKM(st == RP_OK && out.u.items[0].u.b, "document depth: %d %s", st, err.msg);
    args[0] = nested_arrays(a, max);
    st = call_vals(ev, "json.match_schema", args, &out, &err);
    T_CHECKM(st == RP_ERR_LIMIT, "document depth+1: %d %s", st, err.msg);

    /* a schema that refers to itself (OPA overflows its stack) */
    rp_error_clear(&err);
    st = call_str(ev, "json.match_schema", "{}", "{\"$ref\": \"#\"}", &out, &err);
    T_CHECKM(st == RP_ERR_LIMIT && err.kind == RP_EK_EVAL_CANCEL &&
                 strstr(err.msg, "json.match_schema: JSON schema validation depth exceeds the limit"),
             "self ref: %d %s", st, err.msg);
    rp_error_clear(&err);
    st = call_str(ev, "json.match_schema", "{}",
                  "{\"definitions\": {\"a\": {\"$ref\": \"#/definitions/b\"}, \"b\": {\"$ref\": \"#/definitions/a\"}}, \"$ref\": \"#/definitions/a\"}",
                  &out, &err);
    T_CHECKM(st == RP_ERR_LIMIT, "ref cycle: %d %s", st, err.msg);

    /* anyOf nested over a $ref cycle: exponential in gojsonschema */
    char doc[128];
    memset(doc, '[', 30);
    doc[30] = '1';
    memset(doc + 31, ']', 30);
    doc[61] = 0;
    rp_error_clear(&err);
    st = call_str(ev, "json.match_schema", doc,
                  "{\"anyOf\": [{\"type\": \"array\", \"items\": {\"$ref\": \"#\"}}, {\"type\": \"array\", \"items\": {\"$ref\": \"#\"}}, {\"type\": \"array\", \"items\": {\"$ref\": \"#\"}}, {\"type\": \"string\"}]}",
                  &out, &err);
    T_CHECKM(st == RP_ERR_LIMIT && strstr(err.msg, "schema work exceeds the limit"),
             "exponential: %d %s", st, err.msg);
}

/* Argument errors in bi_table.h's printed form. */
int main(void)
{
    rp_arena *a = rp_arena_new(0);
    struct rego_evalctx ev;
    rego_evalctx_init(&ev, a);
    T_CHECK(rego_builtins_jsonschema[0].name != NULL);
    for (size_t i = 0; i < RP_ARRAY_LEN(match_cases); i++)
        run_match(a, &ev, &match_cases[i], i);
    for (size_t i = 0; i < RP_ARRAY_LEN(verify_cases); i++)
        run_verify(a, &ev, &verify_cases[i], i);
    test_limits(&ev);
    BT_RUN(printed_cases, 0);
    rp_arena_free(a);
    rp_re_cache_clear();
    return T_DONE();
}
