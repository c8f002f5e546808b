# SPDX-License-Identifier: GPL-3.0-or-later
# A thin wrapper over CMake: `make demo` and `make test` do all the set-up.
BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc)
CTEST_ARGS ?=

.PHONY: all deps configure build test bench demo clean

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
BENCH_TARGETS = bench-series-memory bench-prometheus-parse bench-decimate bench-rules bench-drift bench-gui \
	vigil vigil-demo-fleet
bench: configure
	cmake --build $(BUILD_DIR) -j $(JOBS) --target $(BENCH_TARGETS)
	bash tests/bench/run-all.sh $(BUILD_DIR)

# The live demo: the simulated fleet, a real Prometheus scraping it every
# second, and Vigil on the demo workspace. Ctrl+C stops everything.
demo: build
	bash demo/run-demo.sh $(BUILD_DIR)

clean:
	rm -rf $(BUILD_DIR)
