#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs every fuzzer in BUILD/fuzz for SECONDS each, one after the other (one
# core: the machine is shared). New inputs go to BUILD/fuzz-corpus/<name>/,
# the committed seeds in fuzz/corpus/<name>/ are read only. A crash, timeout
# or leak leaves its input in BUILD/fuzz-artifacts/<name>/ and fails the run.
#   fuzz/run-fuzzers.sh BUILD SECONDS [name...]
set -uo pipefail
build=${1:?build dir}; seconds=${2:?seconds}; shift 2
src=$(cd "$(dirname "$0")" && pwd)

names=("$@")
if [[ ${#names[@]} -eq 0 ]]; then
  for f in "$build"/fuzz/fuzz_*; do [[ -f "$f" && -x "$f" ]] && names+=("$(basename "$f")"); done
fi

# Qt and yaml-cpp are not instrumented: their allocations are still seen by
# LeakSanitizer, so keep the suppressions of the sanitizer run.
export LSAN_OPTIONS="suppressions=$src/../tests/sanitizers/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="print_stacktrace=1:suppressions=$src/../tests/sanitizers/ubsan.supp"

failed=()
for name in "${names[@]}"; do
  corpus="$build/fuzz-corpus/$name"; artifacts="$build/fuzz-artifacts/$name"
  mkdir -p "$corpus" "$artifacts"
  log="$build/fuzz-logs/$name.log"; mkdir -p "$(dirname "$log")"
  echo "fuzz: $name for ${seconds}s"
  # -timeout 10 s per input: far above any parser's real cost, so a hit is a
  # hang. -rss_limit_mb 2048: the runner's default, stated.
  # FUZZ_SEED (CI sets it) makes the mutations repeatable; unset: random.
  # fuzz/dict/<name>.dict: the parser's keys and syntax, so mutations reach
  # past "unknown key" sooner.
  dict=(); [[ -f "$src/dict/$name.dict" ]] && dict=(-dict="$src/dict/$name.dict")
  "$build/fuzz/$name" ${FUZZ_SEED:+-seed="$FUZZ_SEED"} "${dict[@]}" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=16384 \
      -print_final_stats=1 -artifact_prefix="$artifacts/" "$corpus" "$src/corpus/$name" >"$log" 2>&1
  status=$?
  grep -E '^(stat::number_of_executed_units|stat::new_units_added|Done [0-9]+ runs)' "$log" | sed 's/^/  /'
  if [[ $status -ne 0 ]]; then
    echo "fuzz: $name FAILED (exit $status); log: $log; input: $(ls -t "$artifacts" | head -1)"
    grep -m3 -E 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error' "$log" | sed 's/^/  /'
    failed+=("$name")
  fi
done
if [[ ${#failed[@]} -gt 0 ]]; then echo "fuzz: failed: ${failed[*]}"; exit 1; fi
echo "fuzz: ${#names[@]} fuzzers ran ${seconds}s each, no crash"
