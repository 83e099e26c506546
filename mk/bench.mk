# Benchmarks (`make bench`), never run by `make test`; `make test` only
# builds their programs (BENCH_BINS), so a change that breaks one is caught
# before it lands.
BENCHES += bench-engine
BENCH_BINS += build/plain/bench/bench_engine

build/plain/bench/bench_engine: build/plain/bench/bench_engine.o $(LIB_plain)
	$(CC) $(OPT_plain) -o $@ $< $(call WHOLE,$(LIB_plain)) $(LIBS)

.PHONY: bench-engine
bench-engine: bin/rampart build/plain/bench/bench_engine
	build/plain/bench/bench_engine
