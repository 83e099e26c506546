# The JSON and YAML readers of the Rego engine.
LIB_SRCS += src/rego/json.c
TESTS    += test_json
LIB_SRCS += src/rego/yaml.c
TESTS    += test_yaml
