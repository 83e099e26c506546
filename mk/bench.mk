# Benchmarks (`make bench`), never part of `make test`.
BENCHES += bench-engine

build/plain/bench/bench_engine: build/plain/bench/bench_engine.o $(LIB_plain)
	$(CC) $(OPT_plain) -o $@ $< $(call WHOLE,$(LIB_plain)) $(LIBS)

.PHONY: bench-engine
bench-engine: bin/rampart build/plain/bench/bench_engine
	build/plain/bench/bench_engine
