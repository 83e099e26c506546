# OPA conformance: every case of ../shared/conformance/opa/{given,given-v1}.
# The runner is an ordinary test program (so it runs plain and under
# ASan+UBSan); `make conformance` runs it alone with a per-directory table.
TESTS += conformance

.PHONY: conformance
conformance: build/plain/tests/conformance
	build/plain/tests/conformance --verbose | grep -v '^ok '
