# Builtin groups "http" (http.send over libcurl), "jsonschema"
# (json.verify_schema, json.match_schema) and "aws" (providers.aws.sign_req);
# gourl.c is their shared port of Go's net/url.
LIB_SRCS += src/rego/builtins/gourl.c src/rego/builtins/uri.c src/rego/builtins/aws.c src/rego/builtins/jsonschema.c \
            src/rego/builtins/http.c src/rego/curl_dl.c
TESTS    += test_bi_aws test_bi_jsonschema test_bi_http
FUZZERS  += fuzz_jsonschema
