# OPA conformance: every case of ../shared/conformance/opa/{given,given-v1}.
# The runner is an ordinary test program (so it runs plain and under
# ASan+UBSan); `make conformance` runs it alone with a per-directory table.
TESTS += conformance

.PHONY: conformance
conformance: build/plain/tests/conformance
	build/plain/tests/conformance --verbose | grep -v '^ok '

# Rewrites the list of known failures from a run of this tree (keeping the
# file's leading # comment block).  Run it on a clean checkout: the list must
# describe what CI builds.
.PHONY: conformance-known
conformance-known: build/plain/tests/conformance
	@build/plain/tests/conformance --write-known build/conformance-failures.txt > /dev/null || true
	@{ sed -n '/^#/p;/^[^#]/q' tests/conformance-known-failures.txt; cat build/conformance-failures.txt; } \
	  > build/conformance-known.tmp && mv build/conformance-known.tmp tests/conformance-known-failures.txt
	@echo "tests/conformance-known-failures.txt: $$(grep -vc '^#' tests/conformance-known-failures.txt) known failures"
