/*
 * test_bi_collections.c — the "collections" builtins: array.*, object.*,
 * json.filter/remove/patch, walk and graph.reachable(_paths), called the way
 * the evaluator calls them.  Cases mirror what OPA's conformance directories
 * check (array, object*, subset, jsonfilter*, jsonremove*, jsonpatch,
 * walkbuiltin, reachable) plus edge cases and the limits.
 *
 * Values are written as JSON; {"$set": [...]} stands for a set and
 * {"$obj": [[k, v], ...]} for an object with non-string keys.
 */
#include "bi_json.h"
#include "rego/limits.h"

REGO_BUILTIN_GROUP(collections); /* its table is walked below */

static const bcase cases[] = {
    /* array.concat */
    {"array.concat", "[[1,2],[3,4]]", "[1,2,3,4]", NULL},
    {"array.concat", "[[],[3]]", "[3]", NULL},
    {"array.concat", "[[1],[]]", "[1]", NULL},
    {"array.concat", "[{\"v1\":\"hello\"},[3,4]]", NULL, "T:array.concat: operand 1 must be array but got object"},
    {"array.concat", "[[1,2],{\"v1\":\"hello\"}]", NULL, "T:array.concat: operand 2 must be array but got object"},
    /* array.slice: clamping */
    {"array.slice", "[[1,2,3],0,0]", "[]", NULL},
    {"array.slice", "[[1,2,3,4,5],-4,-1]", "[]", NULL},
    {"array.slice", "[[1,2,3,4,5],4,1]", "[]", NULL},
    {"array.slice", "[[1,2,3,4,5],-1,2]", "[1,2]", NULL},
    {"array.slice", "[[1,2,3,4,5],3,6]", "[4,5]", NULL},
    {"array.slice", "[[],1000,2000]", "[]", NULL},
    {"array.slice", "[[1,2,3],1000,2000]", "[]", NULL},
    {"array.slice", "[[1,2,3],1,3]", "[2,3]", NULL},
    {"array.slice", "[[1,2,3],\"1\",3]", NULL, "T:array.slice: operand 2 must be number but got string"},
    {"array.slice", "[[1,2,3],1.5,3]", NULL, "T:operand 2 must be integer number but got floating-point number"},
    {"array.slice", "[[1,2,3],1.0,3]", NULL, "T:operand 2 must be integer number"},
    {"array.slice", "[[1,2,3],0,99999999999999999999]", NULL, "T:operand 3 must be integer number"},
    {"array.slice", "[{\"$set\":[1]},0,1]", NULL, "T:operand 1 must be array but got set"},
    /* array.reverse / array.flatten */
    {"array.reverse", "[[1,2,3]]", "[3,2,1]", NULL},
    {"array.reverse", "[[]]", "[]", NULL},
    {"array.reverse", "[\"abc\"]", NULL, "T:array.reverse: operand 1 must be array but got string"},
    {"array.flatten", "[[[1,2],3,[],[[4]],{\"$set\":[5]}]]", "[1,2,3,[4],{\"$set\":[5]}]", NULL},
    {"array.flatten", "[[]]", "[]", NULL},
    {"array.flatten", "[{}]", NULL, "T:operand 1 must be array but got object"},
    /* object.get */
    {"object.get", "[{\"a\":\"b\"},\"c\",\"c\"]", "\"c\"", NULL},
    {"object.get", "[{\"$obj\":[[1,2]]},1,3]", "2", NULL},
    {"object.get", "[{\"a\":{\"b\":\"c\"}},\"a\",true]", "{\"b\":\"c\"}", NULL},
    {"object.get", "[{\"a\":{\"b\":\"c\"}},\"b\",true]", "true", NULL},
    {"object.get", "[{\"a\":1},[],2]", "{\"a\":1}", NULL},
    {"object.get", "[{\"a\":1},[\"a\"],2]", "1", NULL},
    {"object.get", "[{\"a\":{\"b\":1}},[\"a\",\"b\"],2]", "1", NULL},
    {"object.get", "[{\"a\":{\"b\":{\"c\":1}}},[\"a\",\"b\",\"c\"],2]", "1", NULL},
    {"object.get", "[{\"a\":1},[\"b\"],2]", "2", NULL},
    {"object.get", "[{\"a\":{\"b\":1}},[\"b\",\"a\"],2]", "2", NULL},
    {"object.get", "[{\"a\":{\"b\":{\"c\":1}}},[\"a\",\"b\",\"a\"],2]", "2", NULL},
    {"object.get", "[{\"$obj\":[[1,{\"b\":{\"$obj\":[[[1,2,3],1]]}}]]},[1,\"b\",[1,2,3]],2]", "1", NULL},
    {"object.get", "[{\"a\":{\"b\":[1,2,3]}},[\"a\",\"b\",\"a\"],2]", "2", NULL},
    {"object.get", "[{\"a\":{\"b\":[{\"c\":1}]}},[\"a\",\"b\",0,\"c\"],2]", "1", NULL},
    {"object.get", "[{\"a\":[1,2]},[\"a\",1.0],9]", "9", NULL},
    {"object.get", "[{\"a\":[1,2]},[\"a\",-1],9]", "9", NULL},
    {"object.get", "[{\"a\":{\"$set\":[\"x\"]}},[\"a\",\"x\"],9]", "\"x\"", NULL},
    {"object.get", "[{\"a\":\"s\"},[\"a\",0],9]", "9", NULL},
    {"object.get", "[\"object\",[\"a\"],2]", NULL, "T:object.get: operand 1 must be object but got string"},
    /* object.keys */
    {"object.keys", "[{\"b\":1,\"a\":2}]", "{\"$set\":[\"a\",\"b\"]}", NULL},
    {"object.keys", "[{}]", "{\"$set\":[]}", NULL},
    {"object.keys", "[[1]]", NULL, "T:object.keys: operand 1 must be object but got array"},
    /* object.filter */
    {"object.filter", "[{\"a\":1,\"b\":2,\"c\":3,\"e\":9},[\"a\",\"e\"]]", "{\"a\":1,\"e\":9}", NULL},
    {"object.filter", "[{\"a\":1,\"b\":2,\"c\":3,\"e\":9},{\"a\":\"foo\",\"e\":\"\"}]", "{\"a\":1,\"e\":9}", NULL},
    {"object.filter", "[{\"a\":7},{\"$set\":[]}]", "{}", NULL},
    {"object.filter", "[{\"$obj\":[[\"a\",1],[[[7]],2]]},{\"$set\":[[[7]]]}]", "{\"$obj\":[[[[7]],2]]}", NULL},
    {"object.filter", "[[\"a\"],{\"$set\":[\"a\"]}]", NULL, "T:object.filter: operand 1 must be object but got array"},
    {"object.filter", "[123,{\"$set\":[\"a\"]}]", NULL, "T:operand 1 must be object but got number"},
    {"object.filter", "[\"foo\",{\"$set\":[\"a\"]}]", NULL, "T:operand 1 must be object but got string"},
    {"object.filter", "[null,{\"$set\":[\"a\"]}]", NULL, "T:operand 1 must be object but got null"},
    {"object.filter", "[{\"a\":1},true]", NULL, "T:object.filter: operand 2 must be one of {object, set, array} but got boolean"},
    {"object.filter", "[{\"a\":1},22]", NULL, "T:operand 2 must be one of {object, set, array} but got number"},
    /* object.remove */
    {"object.remove", "[{\"a\":1,\"b\":{\"c\":3}},{\"$set\":[\"a\"]}]", "{\"b\":{\"c\":3}}", NULL},
    {"object.remove", "[{\"a\":1,\"b\":{\"c\":3},\"d\":4},{\"$set\":[\"b\",\"d\"]}]", "{\"a\":1}", NULL},
    {"object.remove", "[{\"a\":1,\"b\":{\"c\":3},\"d\":4},[\"d\",\"b\"]]", "{\"a\":1}", NULL},
    {"object.remove", "[{\"a\":1,\"b\":{\"c\":3},\"d\":4},{\"b\":1,\"d\":\"\"}]", "{\"a\":1}", NULL},
    {"object.remove", "[{\"a\":{\"b\":{\"c\":2}},\"x\":123},{\"a\":{\"b\":{\"foo\":\"bar\"}}}]", "{\"x\":123}", NULL},
    {"object.remove", "[{},{\"$set\":[\"a\",\"b\"]}]", "{}", NULL},
    {"object.remove", "[{\"a\":1},{\"$set\":[]}]", "{\"a\":1}", NULL},
    {"object.remove", "[{\"a\":1},[]]", "{\"a\":1}", NULL},
    {"object.remove", "[{\"a\":1},{}]", "{\"a\":1}", NULL},
    {"object.remove", "[{\"a\":1,\"b\":2,\"c\":3},{\"$set\":[\"b\"]}]", "{\"a\":1,\"c\":3}", NULL},
    {"object.remove", "[{\"$obj\":[[\"a\",1],[[[7]],2]]},{\"$set\":[[[7]]]}]", "{\"a\":1}", NULL},
    {"object.remove", "[{\"$obj\":[[1,\"x\"]]},[1.0]]", "{}", NULL},
    {"object.remove", "[[\"a\"],{\"$set\":[\"a\"]}]", NULL, "T:object.remove: operand 1 must be object but got array"},
    {"object.remove", "[false,{\"$set\":[\"a\"]}]", NULL, "T:operand 1 must be object but got boolean"},
    {"object.remove", "[{\"a\":1},\"foo\"]", NULL, "T:object.remove: operand 2 must be one of {object, set, array} but got string"},
    /* object.union */
    {"object.union", "[{},{}]", "{}", NULL},
    {"object.union", "[{},{\"a\":1}]", "{\"a\":1}", NULL},
    {"object.union", "[{\"a\":1},{\"b\":2}]", "{\"a\":1,\"b\":2}", NULL},
    {"object.union", "[{\"a\":{\"b\":{\"c\":1}}},{\"b\":2}]", "{\"a\":{\"b\":{\"c\":1}},\"b\":2}", NULL},
    {"object.union", "[{\"a\":1},{\"a\":2}]", "{\"a\":2}", NULL},
    {"object.union", "[{\"a\":1},{\"a\":{\"b\":{\"c\":1}},\"d\":7}]", "{\"a\":{\"b\":{\"c\":1}},\"d\":7}", NULL},
    {"object.union", "[{\"a\":{\"b\":{\"c\":1}},\"e\":1},{\"a\":{\"b\":\"foo\",\"b1\":\"bar\"},\"d\":7,\"e\":17}]",
     "{\"a\":{\"b\":\"foo\",\"b1\":\"bar\"},\"d\":7,\"e\":17}", NULL},
    {"object.union", "[{\"a\":{\"x\":1,\"y\":{\"p\":1}}},{\"a\":{\"y\":{\"q\":2}}}]", "{\"a\":{\"x\":1,\"y\":{\"p\":1,\"q\":2}}}", NULL},
    {"object.union", "[[1,2,3],{\"b\":2}]", NULL, "T:object.union: operand 1 must be object but got array"},
    {"object.union", "[{\"a\":1},[1,2,3]]", NULL, "T:object.union: operand 2 must be object but got array"},
    /* object.union_n: last wins, merges nested objects, a non-object freezes */
    {"object.union_n", "[[]]", "{}", NULL},
    {"object.union_n", "[[{}]]", "{}", NULL},
    {"object.union_n", "[[{\"foo\":4},{\"baz\":5}]]", "{\"foo\":4,\"baz\":5}", NULL},
    {"object.union_n", "[[{\"a\":{\"b\":2}},{\"a\":4},{\"a\":{\"c\":3}}]]", "{\"a\":{\"c\":3}}", NULL},
    {"object.union_n", "[[{\"a\":{\"b\":2}},{\"a\":{\"c\":3}},{\"a\":{\"d\":4}}]]", "{\"a\":{\"b\":2,\"c\":3,\"d\":4}}", NULL},
    {"object.union_n", "[[{\"a\":{\"b\":{\"x\":1}}},{\"a\":{\"b\":5}},{\"a\":{\"b\":{\"y\":2}}}]]", "{\"a\":{\"b\":{\"y\":2}}}", NULL},
    {"object.union_n", "[[{\"a\":{\"b\":1}},{\"a\":{\"b\":2}}]]", "{\"a\":{\"b\":2}}", NULL},
    {"object.union_n", "[[{\"a\":1},{\"a\":{\"z\":1}}]]", "{\"a\":{\"z\":1}}", NULL},
    {"object.union_n", "[[{},5]]", NULL, "T:object.union_n: operand 1 must be array of objects but got array containing number"},
    {"object.union_n", "[{}]", NULL, "T:object.union_n: operand 1 must be array but got object"},
    /* object.subset */
    {"object.subset", "[{\"a\":5,\"b\":7,\"c\":15},{\"a\":5}]", "true", NULL},
    {"object.subset", "[{\"a\":5},{\"a\":5,\"b\":7,\"c\":15}]", "false", NULL},
    {"object.subset", "[{\"a\":5,\"b\":7,\"c\":15},{\"a\":5,\"b\":10}]", "false", NULL},
    {"object.subset", "[{\"a\":5,\"n\":{\"x\":10,\"y\":15,\"z\":20}},{\"n\":{\"x\":10,\"y\":15}}]", "true", NULL},
    {"object.subset", "[{\"n\":{\"x\":10}},{\"n\":{\"x\":10,\"y\":15}}]", "false", NULL},
    {"object.subset", "[{\"n\":{\"s\":{\"$set\":[1,2,3,4]},\"a\":[6,7,8,9]}},{\"n\":{\"s\":{\"$set\":[4,1]},\"a\":[6,7]}}]", "true", NULL},
    {"object.subset", "[{\"n\":{\"a\":[6,7,8,9]}},{\"n\":{\"a\":[6,8]}}]", "false", NULL},
    {"object.subset", "[{\"n\":[1,2]},{\"n\":{\"$set\":[1]}}]", "false", NULL},
    {"object.subset", "[{\"$set\":[1,2,3]},{\"$set\":[3,2]}]", "true", NULL},
    {"object.subset", "[{\"$set\":[3,2]},{\"$set\":[1,2,3]}]", "false", NULL},
    {"object.subset", "[{\"$set\":[1,2,3,{\"$set\":[\"a\",\"b\",\"c\"]}]},{\"$set\":[3,2,{\"$set\":[\"a\",\"b\",\"c\"]}]}]", "true", NULL},
    {"object.subset", "[{\"$set\":[1,2,3,{\"$set\":[\"a\",\"b\",\"c\"]}]},{\"$set\":[3,2,{\"$set\":[\"a\",\"b\"]}]}]", "false", NULL},
    {"object.subset", "[[1,2,3,4,5,6],[3,4,5]]", "true", NULL},
    {"object.subset", "[[3,4,5],[1,2,3,4,5,6]]", "false", NULL},
    {"object.subset", "[[1,2,3,4,5,6],[1,2,3]]", "true", NULL},
    {"object.subset", "[[1,2,3,4,5,6],[4,5,6]]", "true", NULL},
    {"object.subset", "[[1,2,3,4,5,6],[1,2,3,4,5,6]]", "true", NULL},
    {"object.subset", "[[1,2,3,4,5,6],[2,4]]", "false", NULL},
    {"object.subset", "[[1,1,2,1,1,2,3],[1,1,2,3]]", "true", NULL},
    {"object.subset", "[[1,2],[]]", "true", NULL},
    {"object.subset", "[[1,2,3,4,5,6],{\"$set\":[4,3,2]}]", "true", NULL},
    {"object.subset", "[[1,2,3,4,5,6],{\"$set\":[9,8,7]}]", "false", NULL},
    {"object.subset", "[[1,1],{\"$set\":[1,2]}]", "true", NULL},
    {"object.subset", "[[],{\"$set\":[]}]", "false", NULL},
    {"object.subset", "[[5],{\"$set\":[]}]", "true", NULL},
    {"object.subset", "[{\"$set\":[4,3,2]},[1,2,3,4,5,6]]", NULL,
     "T:object.subset: both arguments object.subset must be of the same type or array and set"},
    {"object.subset", "[1,1]", NULL, "T:both arguments object.subset must be of the same type"},
    /* json.filter */
    {"json.filter", "[{\"a\":{\"b\":{\"c\":7,\"d\":8}},\"e\":9},{\"$set\":[\"a/b/c\"]}]", "{\"a\":{\"b\":{\"c\":7}}}", NULL},
    {"json.filter", "[{\"a\":{\"b\":{\"c\":7,\"d\":8}},\"e\":9},{\"$set\":[\"a/b/c\",\"e\"]}]", "{\"a\":{\"b\":{\"c\":7}},\"e\":9}", NULL},
    {"json.filter", "[{\"a\":{\"b\":{\"c\":7,\"d\":8}},\"e\":9},[\"a/b/c\",\"e\"]]", "{\"a\":{\"b\":{\"c\":7}},\"e\":9}", NULL},
    {"json.filter", "[{\"a\":{\"b\":{\"c\":7,\"d\":8},\"e\":9}},{\"$set\":[\"a/b/c\",\"a/e\"]}]", "{\"a\":{\"b\":{\"c\":7},\"e\":9}}", NULL},
    {"json.filter", "[{\"a\":{\"b\":7}},{\"$set\":[\"a\",\"a/b\"]}]", "{\"a\":{\"b\":7}}", NULL},
    {"json.filter", "[{\"a\":{\"b\":7,\"c\":1}},[\"a/b\",\"a\"]]", "{\"a\":{\"b\":7,\"c\":1}}", NULL},
    {"json.filter", "[{\"a\":7},{\"$set\":[]}]", "{}", NULL},
    {"json.filter", "[{},{\"$set\":[\"a/b\"]}]", "{}", NULL},
    {"json.filter", "[{\"a\":[{\"b\":7,\"c\":8},{\"d\":9}]},{\"$set\":[\"a/0/b\",\"a/1\"]}]", "{\"a\":[{\"b\":7},{\"d\":9}]}", NULL},
    {"json.filter", "[{\"a\":[{\"1\":[\"b\",\"c\",\"d\"]},{\"x\":\"y\"}]},{\"$set\":[\"a/0/1/2\"]}]", "{\"a\":[{\"1\":[\"d\"]}]}", NULL},
    {"json.filter", "[{\"a\":{\"b\":{\"c\":7,\"d\":8}},\"e\":9},{\"$set\":[[\"a\",\"b\",\"c\"],[\"e\"]]}]", "{\"a\":{\"b\":{\"c\":7}},\"e\":9}", NULL},
    {"json.filter", "[{\"a\":{\"b\":{\"c\":7,\"d\":8,\"x\":0}},\"e\":9},{\"$set\":[\"a/b/d\",[\"a\",\"b\",\"c\"]]}]", "{\"a\":{\"b\":{\"c\":7,\"d\":8}}}", NULL},
    {"json.filter", "[{\"a\":[1,2,3]},[[\"a\",0]]]", "{\"a\":[]}", NULL},
    {"json.filter", "[{\"a\":{\"$set\":[1,\"x\",\"y\"]}},[\"a/x\"]]", "{\"a\":{\"$set\":[\"x\"]}}", NULL},
    {"json.filter", "[{\"a/b\":1,\"~c\":2,\"x\":3},[\"a~1b\",\"//~0c\"]]", "{\"a/b\":1,\"~c\":2}", NULL},
    {"json.filter", "[{\"a\":1},[\"\",[]]]", "{}", NULL},
    {"json.filter", "[{\"a\":\"s\"},[\"a/b\"]]", "{\"a\":\"s\"}", NULL},
    {"json.filter", "[[1],[\"a\"]]", NULL, "T:json.filter: operand 1 must be object but got array"},
    {"json.filter", "[{\"a\":1},\"a\"]", NULL, "T:json.filter: operand 2 must be one of {set, array} but got string"},
    {"json.filter", "[{\"a\":1},[1]]", NULL, "T:json.filter: operand 2 must be one of {set, array} containing string paths or array of path segments but got number"},
    /* json.remove */
    {"json.remove", "[{\"a\":{\"b\":{\"c\":7,\"d\":8}},\"e\":9},{\"$set\":[\"a/b/c\",\"e\"]}]", "{\"a\":{\"b\":{\"d\":8}}}", NULL},
    {"json.remove", "[{\"a\":{\"b\":{\"c\":7,\"d\":8}},\"e\":9},[\"a/b/c\",\"e\"]]", "{\"a\":{\"b\":{\"d\":8}}}", NULL},
    {"json.remove", "[{\"a\":{\"b\":{\"c\":7,\"d\":8},\"e\":9}},{\"$set\":[\"a/b/c\",\"a/e\"]}]", "{\"a\":{\"b\":{\"d\":8}}}", NULL},
    {"json.remove", "[{\"a\":{\"b\":7},\"c\":1},{\"$set\":[\"a\",\"a/b\"]}]", "{\"c\":1}", NULL},
    {"json.remove", "[{},{\"$set\":[\"a/b\"]}]", "{}", NULL},
    {"json.remove", "[{\"a\":{\"b\":7},\"c\":1},{\"$set\":[\"a\",\"c\"]}]", "{}", NULL},
    {"json.remove", "[{\"a\":{\"b\":7},\"c\":1},{\"$set\":[\"a/b\",\"c\"]}]", "{\"a\":{}}", NULL},
    {"json.remove", "[{\"a\":[{\"b\":7,\"c\":8},{\"d\":9}]},{\"$set\":[\"a/0/b\",\"a/1\"]}]", "{\"a\":[{\"c\":8}]}", NULL},
    {"json.remove", "[{\"a\":{\"b\":{\"c\":7,\"d\":8}},\"e\":9},{\"$set\":[[\"a\",\"b\",\"c\"],[\"e\"]]}]", "{\"a\":{\"b\":{\"d\":8}}}", NULL},
    {"json.remove", "[{\"a\":{\"b\":{\"c\":7,\"d\":8,\"x\":0}},\"e\":9},{\"$set\":[\"a/b/d\",[\"a\",\"b\",\"c\"]]}]", "{\"a\":{\"b\":{\"x\":0}},\"e\":9}", NULL},
    {"json.remove", "[{\"a\":{\"b\":2,\"c\":3}},{\"$set\":[\"a\"]}]", "{}", NULL},
    {"json.remove", "[{\"a\":{\"$set\":[\"x\",\"y\"]}},[\"a/x\"]]", "{\"a\":{\"$set\":[\"y\"]}}", NULL},
    {"json.remove", "[{\"a\":[1,2]},[[\"a\",0]]]", "{\"a\":[1,2]}", NULL},
    {"json.remove", "[\"foo\",{\"$set\":[\"a/b/c\"]}]", NULL, "T:json.remove: operand 1 must be object but got string"},
    {"json.remove", "[22,{\"$set\":[\"a/b/c\"]}]", NULL, "T:json.remove: operand 1 must be object but got number"},
    {"json.remove", "[true,{\"$set\":[\"a/b/c\"]}]", NULL, "T:operand 1 must be object but got boolean"},
    {"json.remove", "[[\"a\",\"b\",\"c\"],{\"$set\":[\"a/b/c\"]}]", NULL, "T:operand 1 must be object but got array"},
    {"json.remove", "[{\"a\":{\"b\":{\"c\":123}}},{\"y\":123}]", NULL, "T:json.remove: operand 2 must be one of {set, array} but got object"},
    {"json.remove", "[{\"a\":{\"b\":{\"c\":123}}},{\"$set\":[\"a\",{\"x\":1},{\"y\":2}]}]", NULL,
     "T:json.remove: operand 2 must be one of {set, array} containing string paths or array of path segments but got object"},
    {"json.remove", "[{\"a\":{\"b\":{\"c\":123}}},[\"a\",{\"x\":1},{\"y\":2}]]", NULL,
     "T:operand 2 must be one of {set, array} containing string paths or array of path segments but got object"},
    /* json.patch: RFC 6902 as OPA's edit tree does it; failures are undefined */
    {"json.patch", "[[1,2,3],[{\"op\":\"add\",\"path\":\"1.2\",\"value\":\"foo\"}]]", NULL, NULL},
    {"json.patch", "[{\"q\":{\"bar\":2}},[{\"op\":\"add\",\"path\":\"/a/b\",\"value\":1}]]", NULL, NULL},
    {"json.patch", "[{\"foo\":\"bar\"},[{\"op\":\"add\",\"path\":\"/baz\",\"value\":\"qux\"}]]", "{\"baz\":\"qux\",\"foo\":\"bar\"}", NULL},
    {"json.patch", "[{\"foo\":[\"bar\",\"baz\"]},[{\"op\":\"add\",\"path\":\"/foo/1\",\"value\":\"qux\"}]]", "{\"foo\":[\"bar\",\"qux\",\"baz\"]}", NULL},
    {"json.patch", "[{\"baz\":\"qux\",\"foo\":\"bar\"},[{\"op\":\"remove\",\"path\":\"/baz\"}]]", "{\"foo\":\"bar\"}", NULL},
    {"json.patch", "[{\"foo\":[\"bar\",\"qux\",\"baz\"]},[{\"op\":\"remove\",\"path\":\"/foo/1\"}]]", "{\"foo\":[\"bar\",\"baz\"]}", NULL},
    {"json.patch", "[{\"baz\":\"qux\"},[{\"op\":\"replace\",\"path\":\"/baz\",\"value\":\"boo\"}]]", "{\"baz\":\"boo\"}", NULL},
    {"json.patch", "[{\"foo\":{\"bar\":\"baz\",\"waldo\":\"fred\"},\"qux\":{\"corge\":\"grault\"}},[{\"op\":\"move\",\"from\":\"/foo/waldo\",\"path\":\"/qux/thud\"}]]",
     "{\"foo\":{\"bar\":\"baz\"},\"qux\":{\"corge\":\"grault\",\"thud\":\"fred\"}}", NULL},
    {"json.patch", "[{\"foo\":[\"all\",\"grass\",\"cows\",\"eat\"]},[{\"op\":\"move\",\"from\":\"/foo/1\",\"path\":\"/foo/3\"}]]",
     "{\"foo\":[\"all\",\"cows\",\"eat\",\"grass\"]}", NULL},
    {"json.patch", "[{\"baz\":\"qux\",\"foo\":[\"a\",2,\"c\"]},[{\"op\":\"test\",\"path\":\"/baz\",\"value\":\"qux\"},{\"op\":\"test\",\"path\":\"/foo/1\",\"value\":2}]]",
     "{\"baz\":\"qux\",\"foo\":[\"a\",2,\"c\"]}", NULL},
    {"json.patch", "[{\"baz\":\"qux\"},[{\"op\":\"test\",\"path\":\"/baz\",\"value\":\"bar\"}]]", NULL, NULL},
    {"json.patch", "[{\"foo\":\"bar\"},[{\"op\":\"add\",\"path\":\"/baz\",\"value\":\"qux\",\"xyz\":123}]]", "{\"foo\":\"bar\",\"baz\":\"qux\"}", NULL},
    {"json.patch", "[{\"foo\":\"bar\"},[{\"op\":\"add\",\"path\":\"/baz/bat\",\"value\":\"qux\"}]]", NULL, NULL},
    {"json.patch", "[{\"/\":9,\"~1\":10},[{\"op\":\"test\",\"path\":\"/~01\",\"value\":10}]]", "{\"/\":9,\"~1\":10}", NULL},
    {"json.patch", "[{\"/\":9,\"~1\":10},[{\"op\":\"test\",\"path\":\"/~01\",\"value\":\"10\"}]]", NULL, NULL},
    {"json.patch", "[{\"foo\":[\"bar\"]},[{\"op\":\"add\",\"path\":\"/foo/-\",\"value\":[\"abc\",\"def\"]}]]", "{\"foo\":[\"bar\",[\"abc\",\"def\"]]}", NULL},
    {"json.patch", "[{},[]]", "{}", NULL},
    {"json.patch", "[[],[{\"op\":\"add\",\"path\":\"/0\",\"value\":\"foo\"}]]", "[\"foo\"]", NULL},
    {"json.patch", "[{},[{\"op\":\"add\",\"path\":\"\",\"value\":[]}]]", "[]", NULL},
    {"json.patch", "[[],[{\"op\":\"add\",\"path\":\"/-\",\"value\":\"hi\"}]]", "[\"hi\"]", NULL},
    {"json.patch", "[{},[{\"op\":\"add\",\"path\":\"/\",\"value\":1}]]", "{\"\":1}", NULL},
    {"json.patch", "[{\"foo\":{}},[{\"op\":\"add\",\"path\":\"/foo/\",\"value\":1}]]", "{\"foo\":{\"\":1}}", NULL},
    {"json.patch", "[{\"bar\":[1,2]},[{\"op\":\"add\",\"path\":\"/bar/8\",\"value\":\"5\"}]]", NULL, NULL},
    {"json.patch", "[{\"bar\":[1,2]},[{\"op\":\"add\",\"path\":\"/bar/-1\",\"value\":\"5\"}]]", NULL, NULL},
    {"json.patch", "[{\"foo\":1},[{\"op\":\"add\",\"path\":\"/0\",\"value\":\"bar\"}]]", "{\"foo\":1,\"0\":\"bar\"}", NULL},
    {"json.patch", "[[\"foo\",\"sil\"],[{\"op\":\"add\",\"path\":\"/2\",\"value\":\"bar\"}]]", "[\"foo\",\"sil\",\"bar\"]", NULL},
    {"json.patch", "[[\"foo\",\"sil\"],[{\"op\":\"add\",\"path\":\"/3\",\"value\":\"bar\"}]]", NULL, NULL},
    {"json.patch", "[{\"1e0\":\"foo\"},[{\"op\":\"test\",\"path\":\"/1e0\",\"value\":\"foo\"}]]", "{\"1e0\":\"foo\"}", NULL},
    {"json.patch", "[[\"foo\",\"bar\"],[{\"op\":\"test\",\"path\":\"/1e0\",\"value\":\"bar\"}]]", NULL, NULL},
    {"json.patch", "[[\"foo\",\"sil\"],[{\"op\":\"add\",\"path\":\"/bar\",\"value\":42}]]", NULL, NULL},
    {"json.patch", "[[1,2,3,4],[{\"op\":\"remove\",\"path\":\"/1\"},{\"op\":\"remove\",\"path\":\"/2\"}]]", "[1,3]", NULL},
    {"json.patch", "[{\"foo\":\"bar\"},[{\"op\":\"replace\",\"path\":\"\",\"value\":{\"baz\":\"qux\"}}]]", "{\"baz\":\"qux\"}", NULL},
    {"json.patch", "[{\"bar\":\"baz\"},[{\"op\":\"replace\",\"path\":\"/foo/bar\",\"value\":false}]]", NULL, NULL},
    {"json.patch", "[{\"foo\":null},[{\"op\":\"copy\",\"from\":\"/foo\",\"path\":\"/bar\"}]]", "{\"foo\":null,\"bar\":null}", NULL},
    {"json.patch", "[{\"foo\":1},[{\"op\":\"move\",\"from\":\"/foo\",\"path\":\"/foo\"}]]", "{\"foo\":1}", NULL},
    {"json.patch", "[{\"baz\":[{\"qux\":\"hello\"}],\"bar\":1},[{\"op\":\"move\",\"from\":\"/baz/0/qux\",\"path\":\"/baz/1\"}]]", "{\"baz\":[{},\"hello\"],\"bar\":1}", NULL},
    {"json.patch", "[[1,2,[3,[4,5]]],[{\"op\":\"add\",\"path\":\"/2/1/-\",\"value\":{\"foo\":1}}]]", "[1,2,[3,[4,5,{\"foo\":1}]]]", NULL},
    {"json.patch", "[[1,2,3,4],[{\"op\":\"remove\",\"path\":\"/1e0\"}]]", NULL, NULL},
    {"json.patch", "[{},[{\"op\":\"add\",\"value\":\"bar\"}]]", NULL, NULL},
    {"json.patch", "[{},[{\"op\":\"add\",\"path\":null,\"value\":\"bar\"}]]", NULL, NULL},
    {"json.patch", "[{},[{\"op\":\"add\",\"path\":\"foo\",\"value\":\"bar\"}]]", "{\"foo\":\"bar\"}", NULL},
    {"json.patch", "[[1],[{\"op\":\"add\",\"path\":\"/-\"}]]", NULL, NULL},
    {"json.patch", "[[null],[{\"op\":\"test\",\"path\":\"/0\"}]]", NULL, NULL},
    {"json.patch", "[[1],[{\"op\":\"copy\",\"path\":\"/-\"}]]", NULL, NULL},
    {"json.patch", "[{\"foo\":1},[{\"op\":\"copy\",\"from\":\"/bar\",\"path\":\"/foo\"}]]", NULL, NULL},
    {"json.patch", "[{\"foo\":1},[{\"op\":\"spam\",\"path\":\"/foo\",\"value\":1}]]", NULL, NULL},
    {"json.patch", "[[\"foo\",\"bar\"],[{\"op\":\"test\",\"path\":\"/00\",\"value\":\"foo\"}]]", NULL, NULL},
    {"json.patch", "[[\"foo\",\"bar\"],[{\"op\":\"test\",\"path\":\"/01\",\"value\":\"bar\"}]]", NULL, NULL},
    {"json.patch", "[[\"foo\",\"bar\"],[{\"op\":\"test\",\"path\":\"/+1\",\"value\":\"bar\"}]]", "[\"foo\",\"bar\"]", NULL},
    {"json.patch", "[{\"foo\":\"bar\"},[{\"op\":\"remove\",\"path\":\"/baz\"}]]", NULL, NULL},
    {"json.patch", "[[\"foo\",\"bar\"],[{\"op\":\"remove\",\"path\":\"/2\"}]]", NULL, NULL},
    {"json.patch", "[{\"foo\":\"bar\"},[{\"op\":\"add\",\"path\":\"/FOO\",\"value\":\"BAR\"}]]", "{\"foo\":\"bar\",\"FOO\":\"BAR\"}", NULL},
    {"json.patch", "[{\"a\":[1,2]},[{\"op\":\"add\",\"path\":[\"a\",1],\"value\":9}]]", "{\"a\":[1,9,2]}", NULL},
    {"json.patch", "[{\"a\":[1,2]},[{\"op\":\"add\",\"path\":[\"a\",1.0],\"value\":9}]]", NULL, NULL},
    {"json.patch", "[{\"$set\":[1,2]},[{\"op\":\"add\",\"path\":\"/3\",\"value\":\"3\"}]]", "{\"$set\":[1,2,\"3\"]}", NULL},
    {"json.patch", "[{\"$set\":[1,2]},[{\"op\":\"add\",\"path\":[3],\"value\":4}]]", NULL, NULL},
    {"json.patch", "[{\"$set\":[1,2]},[{\"op\":\"remove\",\"path\":[2]}]]", "{\"$set\":[1]}", NULL},
    {"json.patch", "[{\"$set\":[[0],\"a\"]},[{\"op\":\"add\",\"path\":[[0],1],\"value\":1}]]", "{\"$set\":[[0,1],\"a\"]}", NULL},
    {"json.patch", "[{\"a\":1},[{\"op\":\"remove\",\"path\":\"\"}]]", NULL, NULL},
    {"json.patch", "[{\"a\":1},[{\"op\":\"remove\",\"path\":\"\"},{\"op\":\"add\",\"path\":\"\",\"value\":2}]]", "2", NULL},
    {"json.patch", "[\"foo\",[{\"op\":\"replace\",\"path\":\"\",\"value\":\"bar\"}]]", "\"bar\"", NULL},
    {"json.patch", "[{\"a\":1},[5]]", NULL, NULL},
    {"json.patch", "[{\"a\":1},{\"op\":\"add\"}]", NULL, "T:json.patch: operand 2 must be array but got object"},
    /* walk: every [path, value], pre-order */
    {"walk", "[1]", "[[[],1]]", NULL},
    {"walk", "[[1,2,3,4]]", "[[[],[1,2,3,4]],[[0],1],[[1],2],[[2],3],[[3],4]]", NULL},
    {"walk", "[{\"v1\":\"hello\",\"v2\":\"goodbye\"}]", "[[[],{\"v1\":\"hello\",\"v2\":\"goodbye\"}],[[\"v1\"],\"hello\"],[[\"v2\"],\"goodbye\"]]", NULL},
    {"walk", "[{\"$set\":[{\"$set\":[1,2,3]}]}]",
     "[[[],{\"$set\":[{\"$set\":[1,2,3]}]}],[[{\"$set\":[1,2,3]}],{\"$set\":[1,2,3]}],[[{\"$set\":[1,2,3]},1],1],[[{\"$set\":[1,2,3]},2],2],[[{\"$set\":[1,2,3]},3],3]]", NULL},
    {"walk", "[[{\"foo\":1,\"bar\":2}]]", "[[[],[{\"foo\":1,\"bar\":2}]],[[0],{\"foo\":1,\"bar\":2}],[[0,\"bar\"],2],[[0,\"foo\"],1]]", NULL},
    {"walk", "[[[],{}]]", "[[[],[[],{}]],[[0],[]],[[1],{}]]", NULL},
    /* graph.reachable */
    {"graph.reachable", "[{},{\"$set\":[\"a\"]}]", "{\"$set\":[]}", NULL},
    {"graph.reachable", "[{\"a\":{\"$set\":[\"b\"]},\"b\":{\"$set\":[\"c\"]},\"c\":{\"$set\":[\"a\"]}},{\"$set\":[\"a\"]}]", "{\"$set\":[\"a\",\"b\",\"c\"]}", NULL},
    {"graph.reachable", "[{\"a\":{\"$set\":[\"b\",\"c\"]},\"b\":{\"$set\":[\"d\"]},\"c\":{\"$set\":[\"d\"]},\"d\":{\"$set\":[]},\"e\":{\"$set\":[\"f\"]},\"f\":{\"$set\":[\"e\"]},\"x\":{\"$set\":[\"x\"]}},{\"$set\":[\"b\",\"e\"]}]",
     "{\"$set\":[\"b\",\"d\",\"e\",\"f\"]}", NULL},
    {"graph.reachable", "[{\"a\":null},[\"a\"]]", "{\"$set\":[\"a\"]}", NULL},
    {"graph.reachable", "[{\"a\":[\"b\",\"zz\"],\"b\":[]},[\"a\",\"q\"]]", "{\"$set\":[\"a\",\"b\"]}", NULL},
    {"graph.reachable", "[1,[1]]", NULL, "T:graph.reachable: operand 1 must be object but got number"},
    {"graph.reachable", "[{\"a\":[]},\"a\"]", NULL, "T:graph.reachable: operand 2 must be {array, set} but got string"},
    /* graph.reachable_paths */
    {"graph.reachable_paths", "[{},{\"$set\":[\"a\"]}]", "{\"$set\":[]}", NULL},
    {"graph.reachable_paths", "[{\"a\":{\"$set\":[\"b\"]},\"b\":{\"$set\":[\"c\"]},\"c\":{\"$set\":[\"a\"]}},{\"$set\":[\"a\"]}]", "{\"$set\":[[\"a\",\"b\",\"c\"]]}", NULL},
    {"graph.reachable_paths", "[{\"a\":{\"$set\":[\"b\",\"c\"]},\"b\":{\"$set\":[\"d\"]},\"c\":{\"$set\":[\"d\"]},\"d\":{\"$set\":[]},\"e\":{\"$set\":[\"f\"]},\"f\":{\"$set\":[\"e\"]},\"x\":{\"$set\":[\"x\"]}},{\"$set\":[\"b\",\"e\"]}]",
     "{\"$set\":[[\"b\",\"d\"],[\"e\",\"f\"]]}", NULL},
    {"graph.reachable_paths", "[{\"a\":[\"b\"],\"b\":[\"c\"],\"c\":[\"a\"]},[\"a\"]]", "{\"$set\":[[\"a\",\"b\",\"c\"]]}", NULL},
    {"graph.reachable_paths", "[{\"a\":null},[\"a\"]]", "{\"$set\":[[\"a\"]]}", NULL},
    {"graph.reachable_paths", "[{\"a\":[\"b\",\"c\"],\"b\":[\"c\"],\"c\":[]},{\"$set\":[\"a\"]}]", "{\"$set\":[[\"a\",\"b\",\"c\"],[\"a\",\"c\"]]}", NULL},
    {"graph.reachable_paths", "[{\"a\":[\"b\"],\"b\":[\"nonexistent\"]},{\"$set\":[\"a\",\"b\"]}]", "{\"$set\":[[\"a\",\"b\"],[\"b\"]]}", NULL},
    {"graph.reachable_paths", "[{\"x\":[\"x\"]},[\"x\"]]", "{\"$set\":[[\"x\",\"x\"]]}", NULL},
    {"graph.reachable_paths", "[1,[1]]", NULL, "T:graph.reachable_paths: operand 1 must be object but got number"},
    {"graph.reachable_paths", "[{\"a\":[]},\"a\"]", NULL, "T:operand 2 must be {array, set} but got string"},
};

static void test_limits(void)
{
    rego_value out;
    rp_error err = {0};
    rego_value args[1];
    /* walk: paths up to REGO_WALK_MAX_DEPTH long are fine, one more is not */
    args[0] = bt_nest_arrays(A, rego_int(1), REGO_WALK_MAX_DEPTH);
    rego_value arr = rego_array_borrow(args, 1);
    T_CHECK(call("walk", arr, &out, &err) == RP_OK && out.n == REGO_WALK_MAX_DEPTH + 1);
    args[0] = bt_nest_arrays(A, rego_int(1), REGO_WALK_MAX_DEPTH + 1);
    rp_error_clear(&err);
    T_CHECK(call("walk", arr, &out, &err) == RP_ERR_LIMIT && strstr(err.msg, "walk depth"));

    /* json.patch / json.filter paths */
    rego_value segs[REGO_WALK_MAX_DEPTH + 1];
    for (size_t i = 0; i <= REGO_WALK_MAX_DEPTH; i++)
        segs[i] = rego_int(0);
    rego_value two[2], op;
    rego_objent *ents = rego_object_alloc(A, 3, &op);
    ents[0] = (rego_objent){rego_cstr(A, "op"), rego_cstr(A, "test")};
    ents[1] = (rego_objent){rego_cstr(A, "path"), rego_array_borrow(segs, REGO_WALK_MAX_DEPTH)};
    ents[2] = (rego_objent){rego_cstr(A, "value"), rego_int(1)};
    op = rego_object_seal(A, op);
    two[0] = bt_nest_arrays(A, rego_int(1), REGO_WALK_MAX_DEPTH);
    two[1] = rego_array_borrow(&op, 1);
    rp_error_clear(&err);
    T_CHECK(call("json.patch", rego_array_borrow(two, 2), &out, &err) == RP_OK &&
            rego_equal(out, two[0]));
    ents = rego_object_alloc(A, 3, &op);
    ents[0] = (rego_objent){rego_cstr(A, "op"), rego_cstr(A, "test")};
    ents[1] = (rego_objent){rego_cstr(A, "path"), rego_array_borrow(segs, REGO_WALK_MAX_DEPTH + 1)};
    ents[2] = (rego_objent){rego_cstr(A, "value"), rego_int(1)};
    op = rego_object_seal(A, op);
    two[1] = rego_array_borrow(&op, 1);
    rp_error_clear(&err);
    T_CHECK(call("json.patch", rego_array_borrow(two, 2), &out, &err) == RP_ERR_LIMIT);

    /* object.union_n over deeply nested objects */
    rego_value deep = bt_nest_objects(A, "k", rego_int(1), REGO_VALUE_MAX_DEPTH + 2);
    rego_value objs[2] = {deep, deep}, arr1[1] = {rego_array_borrow(objs, 2)};
    rp_error_clear(&err);
    T_CHECK(call("object.union_n", rego_array_borrow(arr1, 1), &out, &err) == RP_ERR_LIMIT);

    /* a budget too small for the result is an out-of-memory error */
    rp_arena *small = rp_arena_new(4096);
    struct rego_evalctx ev;
    rego_evalctx_init(&ev, small);
    args[0] = bt_nest_arrays(A, rego_int(1), 200);
    rp_error_clear(&err);
    T_CHECK(bt_invoke(&ev, "walk", args, &out, &err) == RP_ERR_NOMEM);
    rp_arena_free(small);
}

/* graph.reachable_paths on a long chain: no recursion, linear work. */
static void test_long_chain(void)
{
    enum { N = 20000 };
    rego_value g;
    rego_objent *ents = rego_object_alloc(A, N, &g);
    for (int i = 0; i < N; i++) {
        char k[16], nk[16];
        snprintf(k, sizeof(k), "n%06d", i);
        snprintf(nk, sizeof(nk), "n%06d", i + 1);
        rego_value e;
        rego_value *edge = rego_array_alloc(A, i + 1 < N ? 1 : 0, &e);
        if (i + 1 < N)
            edge[0] = rego_cstr(A, nk);
        else
            e = rego_empty_array();
        ents[i] = (rego_objent){rego_cstr(A, k), e};
    }
    g = rego_object_seal(A, g);
    rego_value start = rego_cstr(A, "n000000");
    rego_value args[2] = {g, rego_array_borrow(&start, 1)};
    rego_value out;
    rp_error err = {0};
    T_CHECK(call("graph.reachable_paths", rego_array_borrow(args, 2), &out, &err) == RP_OK &&
            out.n == 1 && rego_set_at(out, 0).n == N);
    T_CHECK(call("graph.reachable", rego_array_borrow(args, 2), &out, &err) == RP_OK && out.n == N);
}

static void test_table(void)
{
    const rego_builtin *list[512];
    size_t n = rego_builtins_list(list, RP_ARRAY_LEN(list));
    const char *names[] = {"array.concat", "array.slice", "array.reverse", "array.flatten",
                           "object.get", "object.keys", "object.remove", "object.filter",
                           "object.union", "object.union_n", "object.subset", "json.filter",
                           "json.remove", "json.patch", "walk", "graph.reachable",
                           "graph.reachable_paths"};
    for (size_t i = 0; i < RP_ARRAY_LEN(names); i++) {
        const rego_builtin *b = rego_builtin_find(names[i], strlen(names[i]));
        T_CHECKM(b && b->sig && b->fn, "%s registered", names[i]);
    }
    T_CHECK(n > 0);
    T_CHECK(rego_builtin_find("walk", 4)->flags == REGO_BI_RELATION);
}

int main(void)
{
    A = rp_arena_new(0);
    T_CHECK(rego_builtins_collections[0].name != NULL);
    BJ_RUN(cases, BJ_PART);
    test_limits();
    test_long_chain();
    test_table();
    rp_arena_free(A);
    return T_DONE();
}
