# SPDX-License-Identifier: GPL-3.0-or-later
# A thin wrapper over CMake: `make demo` and `make test` do all the set-up.
BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc)
CTEST_ARGS ?=

.PHONY: all deps configure build test bench demo clean test-asan fuzz package

all: build

deps:
	bash packaging/debian-deps.sh

configure: deps
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE)

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

# Every test: unit, integration (real Prometheus and VictoriaMetrics started by
# the tests on free loopback ports) and UI (offscreen). Screenshots land in
# $(BUILD_DIR)/screenshots.
test: build
	cd $(BUILD_DIR) && ctest --output-on-failure --timeout 600 $(CTEST_ARGS)

# Every benchmark (tests/bench; not tests: no pass/fail on time), printing
# medians; docs/PERFORMANCE.md has the numbers. VIGIL_BENCH_SHORT=1 make bench
# runs each briefly (CI). Builds only what the benchmarks run.
BENCH_TARGETS = bench-alert-latency bench-series-memory bench-prometheus-parse bench-decimate bench-rules bench-drift bench-gui bench-poll-load bench-soak \
	vigil vigil-demo-fleet
bench: configure
	cmake --build $(BUILD_DIR) -j $(JOBS) --target $(BENCH_TARGETS)
	bash tests/bench/run-all.sh $(BUILD_DIR)

# The Debian package (CPack): $(BUILD_DIR)/vigil_<version>-1_<arch>.deb.
# docs/INSTALL.md says how to install it and run `vigil watch` as a user unit.
package: build
	cmake --build $(BUILD_DIR) --target package

# The live demo: the simulated fleet, a real Prometheus scraping it every
# second, and Vigil on the demo workspace. Ctrl+C stops everything.
demo: build
	bash demo/run-demo.sh $(BUILD_DIR)

# The whole test suite built with AddressSanitizer + UndefinedBehaviorSanitizer
# (g++, its own tree). Any report fails the test that triggered it: UBSan
# aborts instead of printing and carrying on. Suppressions (system libraries
# only, each justified) are in tests/sanitizers/. docs/RELIABILITY.md has the
# wall time.
ASAN_DIR ?= build-asan
SAN_DIR := $(CURDIR)/tests/sanitizers
export ASAN_OPTIONS ?= detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1:check_initialization_order=1:suppressions=$(SAN_DIR)/asan.supp
export UBSAN_OPTIONS ?= halt_on_error=1:print_stacktrace=1:suppressions=$(SAN_DIR)/ubsan.supp
export LSAN_OPTIONS ?= suppressions=$(SAN_DIR)/lsan.supp:print_suppressions=0

# ASAN_TARGETS=... builds only those targets (default: everything), e.g. the
# unit-and-plugin run docs/RELIABILITY.md keeps for a CI that nears its limit.
ASAN_TARGETS ?=
# The packaging tests are left out: they check the .deb, not our memory, and
# packing 1.4 GB of instrumented binaries (strip, shlibdeps, xz) took 11.5 of
# the 15 allowed minutes. The same tests run in `make test`. ASAN_EXCLUDE= runs them.
ASAN_EXCLUDE ?= ^packaging:
test-asan: deps
	cmake -S . -B $(ASAN_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DVIGIL_SANITIZE=ON
	cmake --build $(ASAN_DIR) -j $(JOBS) $(if $(strip $(ASAN_TARGETS)),--target $(ASAN_TARGETS))
	cd $(ASAN_DIR) && ctest --output-on-failure --timeout 900 $(if $(strip $(ASAN_EXCLUDE)),-E '$(ASAN_EXCLUDE)') $(CTEST_ARGS)

# libFuzzer targets (fuzz/), clang in their own tree, each run FUZZ_SECONDS
# one after the other; CI's short mode: make fuzz FUZZ_SECONDS=10. Only the
# fuzzers and the libraries they link are built. FUZZERS=name... picks some.
FUZZ_DIR ?= build-fuzz
FUZZ_SECONDS ?= 60
FUZZERS ?=
fuzz:
	bash packaging/debian-deps.sh --fuzz
	CC=clang CXX=clang++ cmake -S . -B $(FUZZ_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	    -DVIGIL_FUZZ=ON -DVIGIL_BUILD_TESTS=OFF
	cmake --build $(FUZZ_DIR) -j $(JOBS) --target vigil-fuzzers
	bash fuzz/run-fuzzers.sh $(FUZZ_DIR) $(FUZZ_SECONDS) $(FUZZERS)

clean:
	rm -rf $(BUILD_DIR) $(ASAN_DIR) $(FUZZ_DIR)
