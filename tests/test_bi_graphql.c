/*
 * test_bi_graphql.c — the "graphql" builtins called the way the evaluator
 * calls them: the ASTs OPA returns, gqlparser's parse and validation errors
 * with their positions (as OPA reshapes them), schema validation, AST
 * objects as arguments, and the bounds (nesting at and past the limit,
 * input size, validation steps, arena budgets).  Cases cover what OPA's
 * conformance directory graphql/ checks and what the differential runs
 * against gqlparser v2.5.1 turned up.
 *
 * Tables are bi_json.h's, run with BJ_WHOLE: a case gives the builtin, its
 * arguments as a JSON array and either the expected result as JSON (NULL:
 * undefined) or an expected error "T:text" (eval_type_error), "B:text"
 * (eval_builtin_error, the whole message after the builtin's name) or
 * "L:text" (a limit, text being a substring).
 */
#include "bi_json.h"
#include "rego/limits.h"

/* The registry refers to group tables weakly; this pulls the object in. */
REGO_BUILTIN_GROUP(graphql);

/* ---- parse_query: ASTs ----------------------------------------------------------------- */

static const bcase parse_query_cases[] = {
    {"graphql.parse_query", "[\"{hero {name}}\"]",
     "{\"Operations\":[{\"Name\":\"\",\"Operation\":\"query\",\"SelectionSet\":[{\"Alias\":\"hero\",\"Name\":\"hero\","
     "\"SelectionSet\":[{\"Alias\":\"name\",\"Name\":\"name\"}]}]}]}", NULL},
    {"graphql.parse_query", "[\"\"]", "{}", NULL},
    {"graphql.parse_query", "[\"  # only a comment\\n\"]", "{}", NULL},
    /* variables, defaults, directives on variables, list and non-null types */
    {"graphql.parse_query", "[\"query ($a: [Arr!]!, $b: Int = 1 @d) { f }\"]",
     "{\"Operations\":[{\"Name\":\"\",\"Operation\":\"query\",\"SelectionSet\":[{\"Alias\":\"f\",\"Name\":\"f\"}],"
     "\"VariableDefinitions\":[{\"Type\":{\"Elem\":{\"NamedType\":\"Arr\",\"NonNull\":true},\"NamedType\":\"\","
     "\"NonNull\":true},\"Used\":false,\"Variable\":\"a\"},{\"DefaultValue\":{\"Kind\":1,\"Raw\":\"1\"},"
     "\"Directives\":[{\"Location\":\"\",\"Name\":\"d\"}],\"Type\":{\"NamedType\":\"Int\",\"NonNull\":false},"
     "\"Used\":false,\"Variable\":\"b\"}]}]}", NULL},
    /* value kinds 0..9, list elements with "Name": "" */
    {"graphql.parse_query",
     "[\"{ f(a: $v, b: 1, c: 1.5e3, d: \\\"s\\\", e: \\\"\\\"\\\"b\\\"\\\"\\\", f: true, g: null, h: E, i: [1], j: {k: 1}) }\"]",
     "{\"Operations\":[{\"Name\":\"\",\"Operation\":\"query\",\"SelectionSet\":[{\"Alias\":\"f\",\"Arguments\":["
     "{\"Name\":\"a\",\"Value\":{\"Kind\":0,\"Raw\":\"v\"}},{\"Name\":\"b\",\"Value\":{\"Kind\":1,\"Raw\":\"1\"}},"
     "{\"Name\":\"c\",\"Value\":{\"Kind\":2,\"Raw\":\"1.5e3\"}},{\"Name\":\"d\",\"Value\":{\"Kind\":3,\"Raw\":\"s\"}},"
     "{\"Name\":\"e\",\"Value\":{\"Kind\":4,\"Raw\":\"b\"}},{\"Name\":\"f\",\"Value\":{\"Kind\":5,\"Raw\":\"true\"}},"
     "{\"Name\":\"g\",\"Value\":{\"Kind\":6,\"Raw\":\"null\"}},{\"Name\":\"h\",\"Value\":{\"Kind\":7,\"Raw\":\"E\"}},"
     "{\"Name\":\"i\",\"Value\":{\"Children\":[{\"Name\":\"\",\"Value\":{\"Kind\":1,\"Raw\":\"1\"}}],\"Kind\":8,"
     "\"Raw\":\"\"}},{\"Name\":\"j\",\"Value\":{\"Children\":[{\"Name\":\"k\",\"Value\":{\"Kind\":1,\"Raw\":\"1\"}}],"
     "\"Kind\":9,\"Raw\":\"\"}}],\"Name\":\"f\"}]}]}", NULL},
    /* empty list and object values: Children pruned */
    {"graphql.parse_query", "[\"{ f(a: [], b: {}) }\"]",
     "{\"Operations\":[{\"Name\":\"\",\"Operation\":\"query\",\"SelectionSet\":[{\"Alias\":\"f\",\"Arguments\":["
     "{\"Name\":\"a\",\"Value\":{\"Kind\":8,\"Raw\":\"\"}},{\"Name\":\"b\",\"Value\":{\"Kind\":9,\"Raw\":\"\"}}],"
     "\"Name\":\"f\"}]}]}", NULL},
    /* fragments: spreads, inline fragments with and without conditions,
     * fragment variables ("VariableDefinition") */
    {"graphql.parse_query", "[\"{ ...A ... @skip(if: $x) { b } } fragment A($v: Int) on T @d { a }\"]",
     "{\"Fragments\":[{\"Directives\":[{\"Location\":\"\",\"Name\":\"d\"}],\"Name\":\"A\",\"SelectionSet\":[{\"Alias\":"
     "\"a\",\"Name\":\"a\"}],\"TypeCondition\":\"T\",\"VariableDefinition\":[{\"Type\":{\"NamedType\":\"Int\","
     "\"NonNull\":false},\"Used\":false,\"Variable\":\"v\"}]}],\"Operations\":[{\"Name\":\"\",\"Operation\":\"query\","
     "\"SelectionSet\":[{\"Name\":\"A\"},{\"Directives\":[{\"Arguments\":[{\"Name\":\"if\",\"Value\":{\"Kind\":0,"
     "\"Raw\":\"x\"}}],\"Location\":\"\",\"Name\":\"skip\"}],\"SelectionSet\":[{\"Alias\":\"b\",\"Name\":\"b\"}],"
     "\"TypeCondition\":\"\"}]}]}", NULL},
    /* keywords are names */
    {"graphql.parse_query", "[\"query on { ... on on { on } }\"]",
     "{\"Operations\":[{\"Name\":\"on\",\"Operation\":\"query\",\"SelectionSet\":[{\"SelectionSet\":[{\"Alias\":\"on\","
     "\"Name\":\"on\"}],\"TypeCondition\":\"on\"}]}]}", NULL},
    {"graphql.parse_query", "[\"mutation M { m } subscription { s }\"]",
     "{\"Operations\":[{\"Name\":\"M\",\"Operation\":\"mutation\",\"SelectionSet\":[{\"Alias\":\"m\",\"Name\":\"m\"}]},"
     "{\"Name\":\"\",\"Operation\":\"subscription\",\"SelectionSet\":[{\"Alias\":\"s\",\"Name\":\"s\"}]}]}", NULL},
    /* strings: escapes, surrogates become U+FFFD, block strings dedent
     * (gqlparser counts the first line's indentation too) */
    {"graphql.parse_query", "[\"{ f(a: \\\"\\\\u0041\\\\n\\\\ud83d\\\", b: \\\"\\\"\\\"  x\\n   y\\n  \\\"\\\"\\\") }\"]",
     "{\"Operations\":[{\"Name\":\"\",\"Operation\":\"query\",\"SelectionSet\":[{\"Alias\":\"f\",\"Arguments\":["
     "{\"Name\":\"a\",\"Value\":{\"Kind\":3,\"Raw\":\"A\\n\\ufffd\"}},{\"Name\":\"b\",\"Value\":{\"Kind\":4,"
     "\"Raw\":\"  x\\n y\"}}],\"Name\":\"f\"}]}]}", NULL},
    {"graphql.parse_query", "[\"{ f(a: \\\"\\\"\\\"x\\\\\\\"\\\"\\\"y\\\"\\\"\\\") }\"]",
     "{\"Operations\":[{\"Name\":\"\",\"Operation\":\"query\",\"SelectionSet\":[{\"Alias\":\"f\",\"Arguments\":["
     "{\"Name\":\"a\",\"Value\":{\"Kind\":4,\"Raw\":\"x\\\"\\\"\\\"y\"}}],\"Name\":\"f\"}]}]}", NULL},
    {"graphql.parse_query", "[\"\\ufeff{ a }\"]",
     "{\"Operations\":[{\"Name\":\"\",\"Operation\":\"query\",\"SelectionSet\":[{\"Alias\":\"a\",\"Name\":\"a\"}]}]}",
     NULL},
    {"graphql.parse_query", "[1]", NULL, "T:graphql.parse_query: operand 1 must be string but got number"},
};

/* ---- parse errors: messages and positions ----------------------------------------------- */

static const bcase parse_error_cases[] = {
    {"graphql.parse_query", "[\"{\"]",
     NULL, "B:Expected Name, found <EOF> in GraphQL string at location 1:2"},
    {"graphql.parse_query", "[\"\\n  { ...MissingOn }\\n  fragment MissingOn Type\\n\"]",
     NULL, "B:Expected \"on\", found Name \"Type\" in GraphQL string at location 3:22"},
    {"graphql.parse_query", "[\"{ field: {} }\"]",
     NULL, "B:Expected Name, found { in GraphQL string at location 1:10"},
    {"graphql.parse_query", "[\"notanoperation Foo { field }\"]",
     NULL, "B:Unexpected Name \"notanoperation\" in GraphQL string at location 1:1"},
    {"graphql.parse_query", "[\"...\"]",
     NULL, "B:Unexpected ... in GraphQL string at location 1:1"},
    {"graphql.parse_query", "[\"query Foo($x: Complex = { a: { b: [ $var ] } }) { field }\"]",
     NULL, "B:Unexpected $ in GraphQL string at location 1:37"},
    {"graphql.parse_query", "[\"fragment on on on { on }\"]",
     NULL, "B:Unexpected Name \"on\" in GraphQL string at location 1:10"},
    {"graphql.parse_query", "[\"{ ...on }\"]",
     NULL, "B:Expected Name, found } in GraphQL string at location 1:9"},
    {"graphql.parse_query", "[\"{__typename{...}}\"]",
     NULL, "B:Expected {, found } in GraphQL string at location 1:16"},
    {"graphql.parse_query", "[\"{...{__typename{...{}}}}\"]",
     NULL, "B:expected at least one definition, found } in GraphQL string at location 1:21"},
    /* lexer errors surface as "<Invalid>" at the lexer's error position */
    {"graphql.parse_query", "[\"{ a(b: 'x') }\"]",
     NULL, "B:Unexpected <Invalid> in GraphQL string at location 1:8"},
    {"graphql.parse_query", "[\"{ a(b: \\\"x) }\"]",
     NULL, "B:Unexpected <Invalid> in GraphQL string at location 1:13"},
    {"graphql.parse_query", "[\"{ a(b: 01) }\"]",
     NULL, "B:Unexpected <Invalid> in GraphQL string at location 1:9"},
    {"graphql.parse_query", "[\"{ a(b: 1.) }\"]",
     NULL, "B:Unexpected <Invalid> in GraphQL string at location 1:10"},
    {"graphql.parse_query", "[\"{ a . }\"]",
     NULL, "B:Expected Name, found <Invalid> in GraphQL string at location 1:5"},
    /* numbers end where digits do; a String token's column is after its quote */
    {"graphql.parse_query", "[\"{ a(b: 123abc) }\"]",
     NULL, "B:Expected :, found ) in GraphQL string at location 1:14"},
    {"graphql.parse_query", "[\"{ a(b: \\\"ਊ\\\"\\\"\\\") }\"]",
     NULL, "B:Expected Name, found String in GraphQL string at location 1:12"},
    /* the LF of a CRLF counts as a column of the next line, as in gqlparser;
     * columns count runes */
    {"graphql.parse_query", "[\"{ a\\r\\n b(x: 1,\\r\\n  y: ~) }\"]",
     NULL, "B:Unexpected <Invalid> in GraphQL string at location 3:7"},
    {"graphql.parse_query", "[\"{ f(a: \\\"éé\\\") ~ }\"]",
     NULL, "B:Expected Name, found <Invalid> in GraphQL string at location 1:14"},
    /* empty variable and argument lists parse in queries, not in SDL */
    {"graphql.parse_query", "[\"query Q() { a }\"]",
     "{\"Operations\": [{\"Name\": \"Q\", \"Operation\": \"query\", \"SelectionSet\": [{\"Alias\": \"a\", "
     "\"Name\": \"a\"}]}]}", NULL},
    {"graphql.parse_query", "[\"{ a(): b }\"]",
     NULL, "B:Expected Name, found : in GraphQL string at location 1:6"},
    {"graphql.parse_query", "[\"\\\"desc\\\" { a }\"]",
     NULL, "B:Unexpected String \"desc\" in GraphQL string at location 1:2"},
    /* SDL */
    {"graphql.parse_schema", "[\"type Hello {}\"]",
     NULL, "B:expected at least one definition, found } in GraphQL string at location 1:13"},
    {"graphql.parse_schema", "[\"extend type Hello\"]",
     NULL, "B:Unexpected <EOF> in GraphQL string at location 1:18"},
    {"graphql.parse_schema", "[\"\\n  \\\"Description\\\"\\n  extend type Hello {\\n    world: String\\n  }\\n\"]",
     NULL, "B:Unexpected String \"Description\" in GraphQL string at location 2:4"},
    {"graphql.parse_schema", "[\"\\n  extend \\\"Description\\\" type Hello {\\n    world: String\\n  }\\n\"]",
     NULL, "B:Unexpected String \"Description\" in GraphQL string at location 2:11"},
    {"graphql.parse_schema", "[\"extend schema\"]",
     NULL, "B:Unexpected <EOF> in GraphQL string at location 1:14"},
    {"graphql.parse_schema", "[\"union Hello = || Wo | Rld\"]",
     NULL, "B:Expected Name, found | in GraphQL string at location 1:16"},
    {"graphql.parse_schema", "[\"union Hello = | Wo | Rld |\"]",
     NULL, "B:Expected Name, found <EOF> in GraphQL string at location 1:27"},
    {"graphql.parse_schema", "[\"\\n  input Hello {\\n    world(foo: Int): String\\n  }\\n\"]",
     NULL, "B:Expected :, found ( in GraphQL string at location 3:10"},
    {"graphql.parse_schema", "[\"directive @foo on FIELD | INCORRECT_LOCATION\"]",
     NULL, "B:Unexpected Name \"INCORRECT_LOCATION\" in GraphQL string at location 1:27"},
    {"graphql.parse_schema", "[\"type o{d(g:[\"]",
     NULL, "B:Expected Name, found <EOF> in GraphQL string at location 1:13"},
    {"graphql.parse_schema", "[\"\\\"\\\"\\\"\\r\"]",
     NULL, "B:Unexpected <Invalid> in GraphQL string at location 2:1"},
    /* extension keywords are matched by value, then expected as names */
    {"graphql.parse_schema", "[\"extend \\\"type\\\" T { a: Int }\"]",
     NULL, "B:Expected \"type\", found String \"type\" in GraphQL string at location 1:9"},
    /* the one place a lexer message reaches the user: an operation type in
     * a schema definition is consumed before it is checked */
    {"graphql.parse_schema", "[\"schema { 'x: Q }\"]",
     NULL, "B:Unexpected single quote character ('), did you mean to use a double quote (\")? in GraphQL string "
     "at location 1:10"},
    {"graphql.parse_schema", "[\"schema { foo: Q }\"]",
     NULL, "B:Unexpected Name \"foo\" in GraphQL string at location 1:10"},
    {"graphql.parse_schema", "[\"schema {}\"]",
     NULL, "B:expected at least one definition, found } in GraphQL string at location 1:9"},
    {"graphql.parse_schema", "[\"type Query { a(): Int }\"]",
     NULL, "B:expected at least one definition, found ) in GraphQL string at location 1:16"},
    {"graphql.parse_schema", "[{}]", NULL, "T:graphql.parse_schema: operand 1 must be string but got object"},
};

/* ---- parse_schema: ASTs ------------------------------------------------------------------ */

static const bcase parse_schema_cases[] = {
    {"graphql.parse_schema", "[\"\\n  \\\"\\\"\\\"\\n  Description\\n  \\\"\\\"\\\"\\n  # comment\\n  type Hello { world: String }\\n\"]",
     "{\"Definitions\":[{\"BuiltIn\":false,\"Description\":\"Description\",\"Fields\":[{\"Description\":\"\",\"Name\":"
     "\"world\",\"Type\":{\"NamedType\":\"String\",\"NonNull\":false}}],\"Kind\":\"OBJECT\",\"Name\":\"Hello\"}]}",
     NULL},
    {"graphql.parse_schema", "[\"type Hello { world(flag: Boolean = true @deprecated): [String!] }\"]",
     "{\"Definitions\":[{\"BuiltIn\":false,\"Description\":\"\",\"Fields\":[{\"Arguments\":[{\"DefaultValue\":{\"Kind\":5,"
     "\"Raw\":\"true\"},\"Description\":\"\",\"Directives\":[{\"Location\":\"\",\"Name\":\"deprecated\"}],\"Name\":"
     "\"flag\",\"Type\":{\"NamedType\":\"Boolean\",\"NonNull\":false}}],\"Description\":\"\",\"Name\":\"world\",\"Type\":"
     "{\"Elem\":{\"NamedType\":\"String\",\"NonNull\":true},\"NamedType\":\"\",\"NonNull\":false}}],\"Kind\":\"OBJECT\","
     "\"Name\":\"Hello\"}]}", NULL},
    {"graphql.parse_schema", "[\"extend type Hello implements Greeting extend type Hello implements & A & B\"]",
     "{\"Extensions\":[{\"BuiltIn\":false,\"Description\":\"\",\"Interfaces\":[\"Greeting\"],\"Kind\":\"OBJECT\","
     "\"Name\":\"Hello\"},{\"BuiltIn\":false,\"Description\":\"\",\"Interfaces\":[\"A\",\"B\"],\"Kind\":\"OBJECT\","
     "\"Name\":\"Hello\"}]}", NULL},
    {"graphql.parse_schema", "[\"schema { query: Query } extend schema @directive\"]",
     "{\"Schema\":[{\"Description\":\"\",\"OperationTypes\":[{\"Operation\":\"query\",\"Type\":\"Query\"}]}],"
     "\"SchemaExtension\":[{\"Description\":\"\",\"Directives\":[{\"Location\":\"\",\"Name\":\"directive\"}]}]}", NULL},
    {"graphql.parse_schema", "[\"\\\"d\\\" directive @foo(a: Int) repeatable on | FIELD | QUERY\"]",
     "{\"Directives\":[{\"Arguments\":[{\"Description\":\"\",\"Name\":\"a\",\"Type\":{\"NamedType\":\"Int\",\"NonNull\":"
     "false}}],\"Description\":\"d\",\"IsRepeatable\":true,\"Locations\":[\"FIELD\",\"QUERY\"],\"Name\":\"foo\"}]}", NULL},
    {"graphql.parse_schema", "[\"union U = | A | B enum E { X \\\"d\\\" Y @deprecated } input I { a: Int = 1 } scalar S\"]",
     "{\"Definitions\":[{\"BuiltIn\":false,\"Description\":\"\",\"Kind\":\"UNION\",\"Name\":\"U\",\"Types\":[\"A\",\"B\"]},"
     "{\"BuiltIn\":false,\"Description\":\"\",\"EnumValues\":[{\"Description\":\"\",\"Name\":\"X\"},{\"Description\":"
     "\"d\",\"Directives\":[{\"Location\":\"\",\"Name\":\"deprecated\"}],\"Name\":\"Y\"}],\"Kind\":\"ENUM\",\"Name\":\"E\"},"
     "{\"BuiltIn\":false,\"Description\":\"\",\"Fields\":[{\"DefaultValue\":{\"Kind\":1,\"Raw\":\"1\"},\"Description\":"
     "\"\",\"Name\":\"a\",\"Type\":{\"NamedType\":\"Int\",\"NonNull\":false}}],\"Kind\":\"INPUT_OBJECT\",\"Name\":\"I\"},"
     "{\"BuiltIn\":false,\"Description\":\"\",\"Kind\":\"SCALAR\",\"Name\":\"S\"}]}", NULL},
    /* an empty description may precede "extend" */
    {"graphql.parse_schema", "[\"\\\"\\\" extend scalar S @d\"]",
     "{\"Extensions\":[{\"BuiltIn\":false,\"Description\":\"\",\"Directives\":[{\"Location\":\"\",\"Name\":\"d\"}],"
     "\"Kind\":\"SCALAR\",\"Name\":\"S\"}]}", NULL},
};

/* ---- schema_is_valid ----------------------------------------------------------------------- */

static const bcase schema_valid_cases[] = {
    {"graphql.schema_is_valid", "[\"type Hello { world: String }\"]", "true", NULL},
    {"graphql.schema_is_valid", "[\"extend type User { id: ID! } union _E = User extend type Query { e: _E }\"]", "true",
     NULL},
    {"graphql.schema_is_valid", "[\"type Hello {}\"]", "false", NULL},
    {"graphql.schema_is_valid", "[\"extend type Hello implements Greeting\"]", "false", NULL},
    {"graphql.schema_is_valid", "[\"schema { query: Query }\"]", "false", NULL},
    {"graphql.schema_is_valid", "[\"extend schema @directive\"]", "true", NULL},
    {"graphql.schema_is_valid", "[\"interface IA { id: ID! } interface IIA implements IA { id: ID! } type A implements IIA { id: ID! }\"]",
     "false", NULL},
    {"graphql.schema_is_valid", "[\"union Hello = World\"]", "false", NULL},
    {"graphql.schema_is_valid", "[\"directive @foo repeatable on FIELD\"]", "true", NULL},
    {"graphql.schema_is_valid", "[\"type Q { a: Int } type Q { b: Int }\"]", "false", NULL},
    {"graphql.schema_is_valid", "[\"type String { a: Int }\"]", "false", NULL},
    {"graphql.schema_is_valid", "[\"directive @include(if: Boolean!) on FIELD\"]", "true", NULL},
    {"graphql.schema_is_valid", "[\"directive @d on FIELD directive @d on FIELD\"]", "false", NULL},
    {"graphql.schema_is_valid", "[\"type T { __a: Int }\"]", "false", NULL},
    {"graphql.schema_is_valid", "[\"enum E { true }\"]", "false", NULL},
    {"graphql.schema_is_valid", "[\"type T { a(x: T): Int }\"]", "false", NULL},
    {"graphql.schema_is_valid", "[\"input I { a: T } type T { a: Int }\"]", "false", NULL},
    {"graphql.schema_is_valid", "[\"type T { a: Int a: Int }\"]", "false", NULL},
    {"graphql.schema_is_valid", "[\"type T { a: Int @skip(if: true) }\"]", "false", NULL},
    {"graphql.schema_is_valid", "[\"type T { a: Int @deprecated(reason: 1) }\"]", "true", NULL},
    {"graphql.schema_is_valid", "[1]", "false", NULL},
    {"graphql.schema_is_valid", "[{\"Definitions\": 1}]", "false", NULL},
    {"graphql.schema_is_valid",
     "[{\"Definitions\":[{\"BuiltIn\":false,\"Description\":\"\",\"Fields\":[{\"Description\":\"\",\"Name\":\"a\","
     "\"Type\":{\"NamedType\":\"Int\",\"NonNull\":false}}],\"Kind\":\"OBJECT\",\"Name\":\"Query\"}]}]", "true", NULL},
};

/* ---- is_valid, parse, parse_and_verify: validation ------------------------------------------ */

#define SW \
    "type Query { hero(episode: Episode): Character human(id: ID!): Human search(text: String): [SearchResult] " \
    "pet: Pet dog: Dog echo(s: String, i: Int, e: Episode, nn: Int, obj: In): String } " \
    "enum Episode { NEWHOPE EMPIRE JEDI } " \
    "interface Character { id: ID! name: String! friends: [Character] } " \
    "type Human implements Character { id: ID! name: String! friends: [Character] height: Float } " \
    "type Droid implements Character { id: ID! name: String! friends: [Character] primaryFunction: String } " \
    "union SearchResult = Human | Droid " \
    "interface Pet { name: String } type Dog implements Pet { name: String barkVolume: Int } " \
    "type Cat implements Pet { name: String meowVolume: Int } input In { a: Int! b: String } " \
    "directive @onField on FIELD"

#define Q(query, want) {"graphql.is_valid", "[\"" query "\", \"" SW "\"]", want, NULL}
#define P(query, err) {"graphql.parse", "[\"" query "\", \"" SW "\"]", NULL, "B:" err}

static const bcase validation_cases[] = {
    Q("{ hero { name friends { name } } }", "true"),
    Q("{ hero { name ... on Human { height } } }", "true"),
    Q("", "true"),
    Q("{ __typename __schema { types { name } } __type(name: \\\"x\\\") { name } }", "true"),
    Q("query Q($e: Episode = JEDI) { hero(episode: $e) { name } }", "true"),
    Q("query Foo($flag: Boolean!) { ...Bar } fragment Bar on Query { hero @include(if: $flag) { name } }", "true"),
    Q("{ hero { nam } }", "false"),
    P("{ hero { nam } }",
      "Cannot query field \"nam\" on type \"Character\". Did you mean \"name\"?\n in GraphQL query string at location 1:10"),
    P("{ hero { height } }",
      "Cannot query field \"height\" on type \"Character\". Did you mean to use an inline fragment on \"Human\"?\n in GraphQL query string at location 1:10"),
    P("{ search(text: \\\"x\\\") { name } }",
      "Cannot query field \"name\" on type \"SearchResult\". Did you mean to use an inline fragment on \"Character\", \"Droid\", or \"Human\"?\n in GraphQL query string at location 1:23"),
    P("{ hero }",
      "Field \"hero\" of type \"Character\" must have a selection of subfields. Did you mean \"hero { ... }\"?\n in GraphQL query string at location 1:3"),
    P("{ human { name } }",
      "Field \"human\" argument \"id\" of type \"ID!\" is required, but it was not provided in GraphQL query string at location 1:3"),
    P("{ echo(x: 1) }",
      "Unknown argument \"x\" on field \"Query.echo\". Did you mean \"s\", \"i\", or \"e\"?\n in GraphQL query string at location 1:3"),
    P("{ echo(ii: 1) }",
      "Unknown argument \"ii\" on field \"Query.echo\". Did you mean \"i\"?\n in GraphQL query string at location 1:3"),
    P("{ echo(i: 1, i: 2) }",
      "There can be only one argument named \"i\" in GraphQL query string at location 1:14"),
    P("{ echo(e: WRONG) }",
      "Value \"WRONG\" does not exist in \"Episode\" enum in GraphQL query string at location 1:11"),
    P("{ echo(e: \\\"JEDI\\\") }",
      "Enum \"Episode\" cannot represent non-enum value: \"JEDI\". Did you mean the enum value \"JEDI\"?\n in GraphQL query string at location 1:12"),
    P("{ echo(i: \\\"x\\\") }",
      "Int cannot represent non-integer value: \"x\"\n in GraphQL query string at location 1:12"),
    P("{ echo(i: 99999999999999999999) }",
      "Int cannot represent non 32-bit signed integer value: 99999999999999999999\n in GraphQL query string at location 1:11"),
    P("{ echo(s: [1]) }",
      "String cannot represent a non string value: [1]\n in GraphQL query string at location 1:11"),
    P("{ echo(obj: {b: \\\"x\\\", c: 1}) }",
      "Field \"In.a\" of required type \"Int!\" was not provided.\ninput:1:22: Field \"c\" is not defined by type \"In\". Did you mean \"a\" or \"b\"?\n in GraphQL query string at location 1:13"),
    P("query Q($x: Int) { echo(s: $x) }",
      "Variable \"$x\" of type \"Int\" used in position expecting type \"String\" in GraphQL query string at location 1:28"),
    P("query Q { echo(i: $y) }",
      "Variable \"$y\" is not defined by operation \"Q\" in GraphQL query string at location 1:19"),
    P("query ($u: Int) { hero { name } }",
      "Variable \"$u\" is never used in GraphQL query string at location 1:8"),
    P("query Q($u: Int, $u: Int) { echo(i: $u) }",
      "Variable \"$u\" is never used in operation \"Q\".\ninput:1:18: There can be only one variable named \"$u\" in GraphQL query string at location 1:18"),
    P("query Q($u: Nope) { hero { name } }",
      "Unknown type \"Nope\".\ninput:1:9: Variable \"$u\" is never used in operation \"Q\" in GraphQL query string at location 1:9"),
    P("query Q($u: Human) { echo(i: 1) }",
      "Variable \"$u\" is never used in operation \"Q\".\ninput:1:9: Variable \"$u\" cannot be non-input type \"Human\" in GraphQL query string at location 1:9"),
    P("query A { hero { name } } query A { hero { id } }",
      "There can be only one operation named \"A\" in GraphQL query string at location 1:27"),
    P("{ hero { name } } query A { hero { id } }",
      "This anonymous operation must be the only defined operation in GraphQL query string at location 1:1"),
    P("mutation { x }",
      "Schema does not support operation type \"mutation\"\n in GraphQL query string at location 1:1"),
    P("{ hero { name: id name } }",
      "Fields \"name\" conflict because \"id\" and \"name\" are different fields. Use different aliases on the fields to fetch both if this was intentional in GraphQL query string at location 1:19"),
    P("{ hero { ...F } } fragment F on Character { ...G } fragment G on Character { ...F }",
      "Cannot spread fragment \"F\" within itself via \"G\" in GraphQL query string at location 1:81"),
    P("{ hero { name } } fragment F on Character { name }",
      "Fragment \"F\" is never used in GraphQL query string at location 1:19"),
    P("{ hero { ...F } }",
      "Unknown fragment \"F\" in GraphQL query string at location 1:13"),
    P("{ dog { ... on Cat { name } } }",
      "Fragment cannot be spread here as objects of type \"Dog\" can never be of type \"Cat\" in GraphQL query string at location 1:13"),
    P("{ hero { ... on Episode { name } } }",
      "Cannot query field \"name\" on type \"Episode\".\ninput:1:14: Fragment cannot condition on non composite type \"Episode\" in GraphQL query string at location 1:27"),
    P("{ hero @skip(if: true) @skip(if: false) { name } }",
      "The directive \"@skip\" can only be used once at this location in GraphQL query string at location 1:25"),
    P("{ hero @nope { name } }",
      "Unknown directive \"@nope\" in GraphQL query string at location 1:9"),
    P("query @onField { hero { name } }",
      "Directive \"@onField\" may not be used on QUERY in GraphQL query string at location 1:8"),
    P("{ hero @skip { name } }",
      "Directive \"@skip\" argument \"if\" of type \"Boolean!\" is required, but it was not provided in GraphQL query string at location 1:9"),
    P("fragment F on Nope { a } { ...F }",
      "Unknown type \"Nope\" in GraphQL query string at location 1:1"),
};

/* parse_and_verify and parse results with both documents */
static const bcase verify_cases[] = {
    {"graphql.parse_and_verify", "[\"{ a }\", \"type Query { a: Int }\"]",
     "[true, {\"Operations\":[{\"Name\":\"\",\"Operation\":\"query\",\"SelectionSet\":[{\"Alias\":\"a\",\"Name\":\"a\"}]}]},"
     "{\"Definitions\":[{\"BuiltIn\":false,\"Description\":\"\",\"Fields\":[{\"Description\":\"\",\"Name\":\"a\",\"Type\":"
     "{\"NamedType\":\"Int\",\"NonNull\":false}}],\"Kind\":\"OBJECT\",\"Name\":\"Query\"}]}]", NULL},
    {"graphql.parse_and_verify", "[\"{ b }\", \"type Query { a: Int }\"]", "[false, {}, {}]", NULL},
    {"graphql.parse_and_verify", "[\"{\", \"type Query { a: Int }\"]", "[false, {}, {}]", NULL},
    {"graphql.parse_and_verify", "[1, \"type Query { a: Int }\"]", "[false, {}, {}]", NULL},
    {"graphql.parse_and_verify", "[\"\", \"type T { a: Int }\"]",
     "[true, {}, {\"Definitions\":[{\"BuiltIn\":false,\"Description\":\"\",\"Fields\":[{\"Description\":\"\",\"Name\":"
     "\"a\",\"Type\":{\"NamedType\":\"Int\",\"NonNull\":false}}],\"Kind\":\"OBJECT\",\"Name\":\"T\"}]}]", NULL},
    {"graphql.parse", "[\"{ a }\", \"type Query { a: Int }\"]",
     "[{\"Operations\":[{\"Name\":\"\",\"Operation\":\"query\",\"SelectionSet\":[{\"Alias\":\"a\",\"Name\":\"a\"}]}]},"
     "{\"Definitions\":[{\"BuiltIn\":false,\"Description\":\"\",\"Fields\":[{\"Description\":\"\",\"Name\":\"a\",\"Type\":"
     "{\"NamedType\":\"Int\",\"NonNull\":false}}],\"Kind\":\"OBJECT\",\"Name\":\"Query\"}]}]", NULL},
    {"graphql.parse", "[\"{ a }\", \"union U = X\"]", NULL,
     "B:Error in gqlparser SchemaDocument to Schema conversion: input:1:7: Undefined type \"X\"."},
    {"graphql.parse", "[\"{ a\", \"union U = X\"]", NULL, "B:Expected Name, found <EOF> in GraphQL string at location 1:4"},
    {"graphql.parse", "[\"{ a }\", \"union U = \"]", NULL, "B:Expected Name, found <EOF> in GraphQL string at location 1:11"},
    {"graphql.parse", "[1, 2]", NULL, "T:graphql.parse: operand 1 must be one of {string, object} but got number"},
    {"graphql.parse", "[\"{\", 2]", NULL, "B:Expected Name, found <EOF> in GraphQL string at location 1:2"},
    {"graphql.parse", "[\"{ a }\", true]", NULL, "T:graphql.parse: operand 2 must be one of {string, object} but got boolean"},
    {"graphql.is_valid", "[1, \"type Query { a: Int }\"]", "false", NULL},
    {"graphql.is_valid", "[\"{ a }\", null]", "false", NULL},
    {"graphql.is_valid", "[\"{ a }\", \"\"]", "false", NULL},
    {"graphql.is_valid", "[\"\", \"\"]", "true", NULL},
};

/* ---- AST objects as arguments -------------------------------------------------------------- */

static const bcase object_cases[] = {
    /* every selection of an AST object reads as a Field, as gqlparser's
     * decoder does: a spread becomes a field named like the fragment */
    {"graphql.parse",
     "[{\"Operations\":[{\"Operation\":\"query\",\"SelectionSet\":[{\"Name\":\"F\"},{\"TypeCondition\":\"T\","
     "\"SelectionSet\":[{\"Name\":\"a\"}]}]}]}, \"type Query { a: Int F: Int }\"]", NULL,
     "B:input: Cannot query field \"\" on type \"Query\". Did you mean \"a\" or \"F\"?\n in GraphQL query string"},
    {"graphql.parse",
     "[{\"Operations\":[{\"Operation\":\"query\",\"Name\":\"\",\"SelectionSet\":[{\"Alias\":\"a\",\"Name\":\"a\"}]}],"
     "\"Fragments\":null}, \"type Query { a: Int }\"]",
     "[{\"Operations\":[{\"Name\":\"\",\"Operation\":\"query\",\"SelectionSet\":[{\"Alias\":\"a\",\"Name\":\"a\"}]}]},"
     "{\"Definitions\":[{\"BuiltIn\":false,\"Description\":\"\",\"Fields\":[{\"Description\":\"\",\"Name\":\"a\",\"Type\":"
     "{\"NamedType\":\"Int\",\"NonNull\":false}}],\"Kind\":\"OBJECT\",\"Name\":\"Query\"}]}]", NULL},
    /* plain structs match keys case-insensitively; custom decoders do not */
    {"graphql.parse",
     "[{\"operations\":[{\"operation\":\"query\",\"SelectionSet\":[{\"Alias\":\"a\",\"Name\":\"a\"}]}]}, "
     "{\"definitions\":[{\"kind\":\"OBJECT\",\"NAME\":\"Query\",\"fields\":[{\"name\":\"a\",\"type\":{\"namedtype\":"
     "\"Int\"}}]}]}]",
     "[{\"Operations\":[{\"Name\":\"\",\"Operation\":\"\",\"SelectionSet\":[{\"Alias\":\"a\",\"Name\":\"a\"}]}]},"
     "{\"Definitions\":[{\"BuiltIn\":false,\"Description\":\"\",\"Fields\":[{\"Description\":\"\",\"Name\":\"a\",\"Type\":"
     "{\"NamedType\":\"Int\",\"NonNull\":false}}],\"Kind\":\"OBJECT\",\"Name\":\"Query\"}]}]", NULL},
    /* Go's decoding errors */
    {"graphql.parse", "[{\"Operations\":\"x\"}, \"type Query { a: Int }\"]", NULL,
     "B:json: cannot unmarshal string into Go struct field QueryDocument.Operations of type ast.OperationList"},
    {"graphql.parse", "[{\"Operations\":[{\"Name\":1}]}, \"type Query { a: Int }\"]", NULL,
     "B:json: cannot unmarshal number into Go struct field QueryDocument.Operations of type string"},
    {"graphql.parse", "[{\"Operations\":[{\"SelectionSet\":{}}]}, \"type Query { a: Int }\"]", NULL,
     "B:json: cannot unmarshal object into Go struct field QueryDocument.Operations of type []json.RawMessage"},
    {"graphql.parse", "[{}, {\"Definitions\":[{\"Fields\":[{\"Type\":{\"NonNull\":\"yes\"}}]}]}]", NULL,
     "B:json: cannot unmarshal string into Go struct field Type.Definitions.Fields.Type.NonNull of type bool"},
    {"graphql.parse", "[{}, {\"Definitions\":[{\"Fields\":[{\"DefaultValue\":{\"Kind\":1.5}}]}]}]", NULL,
     "B:json: cannot unmarshal number 1.5 into Go struct field Value.Definitions.Fields.DefaultValue.Kind of type "
     "ast.ValueKind"},
    {"graphql.parse", "[{}, {\"Definitions\":[{\"Interfaces\":[1]}]}]", NULL,
     "B:json: cannot unmarshal number into Go struct field Definition.Definitions.Interfaces of type string"},
    {"graphql.parse", "[{}, {\"Definitions\":[{\"Position\":{\"Line\":\"1\"}}]}]", NULL,
     "B:json: cannot unmarshal string into Go struct field Position.Definitions.Position.Line of type int"},
    {"graphql.is_valid", "[{\"Operations\":\"x\"}, \"type Query { a: Int }\"]", "false", NULL},
    /* OPA round trip: parse_and_verify returns the AST objects it was given */
    {"graphql.parse_and_verify",
     "[{\"Operations\":[{\"Name\":\"\",\"Operation\":\"query\",\"SelectionSet\":[{\"Alias\":\"e\",\"Arguments\":[{\"Name\":"
     "\"id\",\"Value\":{\"Kind\":3,\"Raw\":\"alice\"}}],\"Name\":\"e\",\"SelectionSet\":[{\"Alias\":\"s\",\"Name\":\"s\"}]}]}]},"
     "{\"Definitions\":[{\"BuiltIn\":false,\"Description\":\"\",\"Fields\":[{\"Description\":\"\",\"Name\":\"s\",\"Type\":"
     "{\"NamedType\":\"Int\",\"NonNull\":true}}],\"Kind\":\"OBJECT\",\"Name\":\"E\"},{\"BuiltIn\":false,\"Description\":"
     "\"\",\"Fields\":[{\"Arguments\":[{\"Description\":\"\",\"Name\":\"id\",\"Type\":{\"NamedType\":\"String\",\"NonNull\":"
     "false}}],\"Description\":\"\",\"Name\":\"e\",\"Type\":{\"NamedType\":\"E\",\"NonNull\":false}}],\"Kind\":\"OBJECT\","
     "\"Name\":\"Query\"}]}]",
     "[true, {\"Operations\":[{\"Name\":\"\",\"Operation\":\"query\",\"SelectionSet\":[{\"Alias\":\"e\",\"Arguments\":[{\"Name\":"
     "\"id\",\"Value\":{\"Kind\":3,\"Raw\":\"alice\"}}],\"Name\":\"e\",\"SelectionSet\":[{\"Alias\":\"s\",\"Name\":\"s\"}]}]}]},"
     "{\"Definitions\":[{\"BuiltIn\":false,\"Description\":\"\",\"Fields\":[{\"Description\":\"\",\"Name\":\"s\",\"Type\":"
     "{\"NamedType\":\"Int\",\"NonNull\":true}}],\"Kind\":\"OBJECT\",\"Name\":\"E\"},{\"BuiltIn\":false,\"Description\":"
     "\"\",\"Fields\":[{\"Arguments\":[{\"Description\":\"\",\"Name\":\"id\",\"Type\":{\"NamedType\":\"String\",\"NonNull\":"
     "false}}],\"Description\":\"\",\"Name\":\"e\",\"Type\":{\"NamedType\":\"E\",\"NonNull\":false}}],\"Kind\":\"OBJECT\","
     "\"Name\":\"Query\"}]}]", NULL},
};

/* Subtle gqlparser behaviours the differential runs pinned down. */
static const bcase quirk_cases[] = {
    /* a possible type that is an interface is suggested once per route */
    {"graphql.parse",
     "[\"{ i { c } }\", \"interface IA { a: Int } interface IIA implements IA { a: Int c: Int } "
     "type A implements IIA & IA { a: Int c: Int } type B implements IA { a: Int c: Int } type Query { i: IA }\"]",
     NULL,
     "B:Cannot query field \"c\" on type \"IA\". Did you mean to use an inline fragment on \"IIA\", \"IIA\", "
     "\"A\", or \"B\"?\n in GraphQL query string at location 1:7"},
    /* suggestions are within floor(0.4 * len) + 1 edits of what was typed */
    {"graphql.parse", "[\"{ dog { doesKnowCommand(dogCmd: SIT) } }\", \"type Query { dog: Dog } type Dog { "
                      "doesKnowCommand(dogCommand: Int): Int }\"]",
     NULL, "B:Unknown argument \"dogCmd\" on field \"Dog.doesKnowCommand\" in GraphQL query string at location 1:9"},
    /* a block string's token reports the line it ends on, and a column
     * counted from that line's start (here negative) */
    {"graphql.parse_query", "[\"\\\"\\\"\\\"ab\\ncdefgh\\ncd\\\"\\\"\\\"\"]", NULL,
     "B:Unexpected BlockString \"ab\\ncdefgh\\ncd\" in GraphQL string at location 3:-9"},
    /* names of the kinds' lists in Value.String() */
    {"graphql.parse", "[\"{ f(a: [1, \\\"s\\\"]) }\", \"type Query { f(a: Int): Int }\"]", NULL,
     "B:Int cannot represent non-integer value: [1,\"s\"]\n in GraphQL query string at location 1:8"},
    /* a default value makes a non-null position accept a nullable variable */
    {"graphql.is_valid", "[\"query ($x: Int = 1) { f(a: $x) }\", \"type Query { f(a: Int!): Int }\"]", "true", NULL},
    {"graphql.is_valid", "[\"query ($x: Int = null) { f(a: $x) }\", \"type Query { f(a: Int!): Int }\"]", "false",
     NULL},
    /* only a directive literally named "repeatable" may repeat */
    {"graphql.is_valid", "[\"{ f @r @r }\", \"type Query { f: Int } directive @r repeatable on FIELD\"]", "false", NULL},
    /* a later definition of a built-in directive replaces the prelude's */
    {"graphql.is_valid", "[\"{ f @skip }\", \"type Query { f: Int } directive @skip on FIELD\"]", "true", NULL},
};

/* ---- bounds ------------------------------------------------------------------------------------ */

static rego_value str_arg(const char *s, size_t n)
{
    rego_value out;
    rego_value *a = rego_array_alloc(A, 1, &out);
    a[0] = rego_str(A, s, n);
    return out;
}

static rego_value two_args(const char *q, const char *s)
{
    rego_value out;
    rego_value *a = rego_array_alloc(A, 2, &out);
    a[0] = rego_str(A, q, strlen(q));
    a[1] = rego_str(A, s, strlen(s));
    return out;
}

/* "{ a" nested depth times, closed again */
static char *nested_query(int depth)
{
    size_t n = (size_t)depth * 6 + 16;
    char *q = malloc(n), *p = q;
    for (int i = 0; i < depth; i++)
        p += sprintf(p, "{ a ");
    for (int i = 0; i < depth; i++)
        *p++ = '}';
    *p = 0;
    return q;
}

static void test_depth_limit(void)
{
    /* parse_query nests selections: the operation's set is level 1 */
    char *ok = nested_query(REGO_GRAPHQL_MAX_DEPTH);
    char *deep = nested_query(REGO_GRAPHQL_MAX_DEPTH + 1);
    rego_value out;
    rp_error err = {0};
    rego_value args = str_arg(ok, strlen(ok));
    T_CHECK(call("graphql.parse_query", args, &out, &err) == RP_OK);
    memset(&err, 0, sizeof(err));
    args = str_arg(deep, strlen(deep));
    rp_status st = call("graphql.parse_query", args, &out, &err);
    T_CHECKM(st == RP_ERR_LIMIT && err.kind == RP_EK_EVAL_CANCEL && strstr(err.msg, "nesting deeper than"),
             "depth limit+1: status %d msg %s", st, err.msg);
    /* the same bound applies to is_valid (an error, not "false") */
    memset(&err, 0, sizeof(err));
    rego_value two = two_args(deep, "type Query { a: Query }");
    st = call("graphql.is_valid", two, &out, &err);
    T_CHECKM(st == RP_ERR_LIMIT, "is_valid depth: status %d msg %s", st, err.msg);
    /* values and list types nest too */
    rp_buf b;
    rp_buf_init(&b);
    rp_buf_puts(&b, "{ f(a: ");
    for (int i = 0; i < REGO_GRAPHQL_MAX_DEPTH + 1; i++)
        rp_buf_putc(&b, '[');
    memset(&err, 0, sizeof(err));
    args = str_arg(rp_buf_cstr(&b), b.len);
    st = call("graphql.parse_query", args, &out, &err);
    T_CHECKM(st == RP_ERR_LIMIT, "value depth: status %d msg %s", st, err.msg);
    rp_buf_free(&b);
    free(ok);
    free(deep);
}

static void test_size_limit(void)
{
    size_t n = (size_t)REGO_GRAPHQL_MAX_INPUT_BYTES + 1;
    char *big = malloc(n);
    memset(big, ' ', n);
    rego_value out, args = str_arg(big, n);
    rp_error err = {0};
    rp_status st = call("graphql.parse_schema", args, &out, &err);
    T_CHECKM(st == RP_ERR_LIMIT && strstr(err.msg, "exceeds the limit"), "size: status %d msg %s", st, err.msg);
    /* at the limit it parses (to an empty document) */
    memset(&err, 0, sizeof(err));
    args = str_arg(big, n - 1);
    T_CHECK(call("graphql.parse_schema", args, &out, &err) == RP_OK);
    free(big);
}

/* gqlparser's overlapping-fields rule compares every pair of same-named
 * fields and recurses into their selections: two copies per level make the
 * work 4^depth for a 2^depth document.  The step and memory budgets turn
 * that into an error. */
static void pairs_of(rp_buf *b, int depth)
{
    if (depth == 0) {
        rp_buf_puts(b, "b");
        return;
    }
    for (int k = 0; k < 2; k++) {
        rp_buf_puts(b, k ? " a { " : "a { ");
        pairs_of(b, depth - 1);
        rp_buf_puts(b, " }");
    }
}

static void test_step_limit(void)
{
    rp_buf b;
    rp_buf_init(&b);
    rp_buf_puts(&b, "{ ");
    pairs_of(&b, 14);
    rp_buf_puts(&b, " }");
    rego_value out, args = two_args(rp_buf_cstr(&b), "type Query { a: Query b: Int }");
    rp_error err = {0};
    rp_status st = call("graphql.is_valid", args, &out, &err);
    T_CHECKM(st == RP_ERR_LIMIT && err.kind == RP_EK_EVAL_CANCEL && strstr(err.msg, "exceeds a limit"),
             "steps: status %d msg %s", st, err.msg);
    rp_buf_free(&b);
    /* the same shape, smaller, is valid */
    rp_buf_init(&b);
    rp_buf_puts(&b, "{ ");
    pairs_of(&b, 6);
    rp_buf_puts(&b, " }");
    args = two_args(rp_buf_cstr(&b), "type Query { a: Query b: Int }");
    memset(&err, 0, sizeof(err));
    T_CHECK(call("graphql.is_valid", args, &out, &err) == RP_OK && out.kind == REGO_BOOL &&
            out.u.b);
    rp_buf_free(&b);
}

/* Cyclic fragments send gqlparser's overlapping-fields search into endless
 * recursion (Go dies of a stack overflow); here it is a clean limit. */
static void test_cycle_recursion(void)
{
    const char *q = "{ a { ...F } } fragment F on Query { a { b ...G } } fragment G on Query { a { b: c ...F } }";
    rego_value out, args = two_args(q, "type Query { a: Query b: Int c: Int }");
    rp_error err = {0};
    rp_status st = call("graphql.is_valid", args, &out, &err);
    T_CHECKM(st == RP_ERR_LIMIT || (st == RP_OK && out.kind == REGO_BOOL && !out.u.b),
             "cycles: status %d msg %s", st, err.msg);
}

/* Every arena budget from tiny to enough: a clean out-of-memory error or the
 * right answer, never a crash or a leak (run under ASan). */
static void test_budgets(void)
{
    const char *q = "query Q($e: Episode = JEDI) { hero(episode: $e) { name ... on Human { height } } }";
    rego_value args[2];
    bool reached = false;
    for (size_t budget = 1024; budget < (size_t)4 << 20 && !reached; budget = budget * 5 / 4) {
        rp_arena *a = rp_arena_new(budget);
        args[0] = rego_str(A, q, strlen(q));
        args[1] = rego_str(A, SW, strlen(SW));
        struct rego_evalctx ev;
        rego_evalctx_init(&ev, a);
        rego_value out;
        rp_error err = {0};
        rp_status st = bt_invoke(&ev, "graphql.parse", args, &out, &err);
        if (st == RP_OK)
            reached = true;
        else
            T_CHECKM(st == RP_ERR_NOMEM, "budget %zu: status %d msg %s", budget, st, err.msg);
        rp_arena_free(a);
    }
    T_CHECK(reached);
}

/* Long messages are cut where rego_bi_errorf cuts them, but on a rune
 * boundary: the kept text stays valid UTF-8. */
static void test_truncation(void)
{
    rp_buf b;
    rp_buf_init(&b);
    rp_buf_puts(&b, "\"x");
    for (int i = 0; i < 150; i++)
        rp_buf_puts(&b, "\xc3\xa9");
    rp_buf_puts(&b, "\" { a }");
    rego_value out, args = str_arg(rp_buf_cstr(&b), b.len);
    rp_error err = {0};
    rp_status st = call("graphql.parse_query", args, &out, &err);
    T_CHECKM(st == RP_ERR_EVAL && strstr(err.msg, "Unexpected String \"x\xc3\xa9") && rp_utf8_valid(err.msg, strlen(err.msg)),
             "truncation: %s", err.msg);
    rp_buf_free(&b);
}

int main(void)
{
    A = rp_arena_new(0);
    BJ_RUN(parse_query_cases, BJ_WHOLE);
    BJ_RUN(parse_error_cases, BJ_WHOLE);
    BJ_RUN(parse_schema_cases, BJ_WHOLE);
    BJ_RUN(schema_valid_cases, BJ_WHOLE);
    BJ_RUN(validation_cases, BJ_WHOLE);
    BJ_RUN(verify_cases, BJ_WHOLE);
    BJ_RUN(object_cases, BJ_WHOLE);
    BJ_RUN(quirk_cases, BJ_WHOLE);
    test_truncation();
    test_depth_limit();
    test_size_limit();
    test_step_limit();
    test_cycle_recursion();
    test_budgets();
    rp_arena_free(A);
    return T_DONE();
}
