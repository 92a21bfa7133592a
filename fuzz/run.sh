#!/bin/sh
# Builds the libFuzzer harnesses and runs each for SECONDS (default 60).
#   fuzz/run.sh [SECONDS] [HARNESS...]
# Long runs: fuzz/run.sh 3600 fuzz_analyze  (corpora are kept in build-fuzz/corpus/
# between runs; crashes are written to build-fuzz/crashes/).
set -eu
cd "$(dirname "$0")/.."
secs=${1:-60}
[ $# -gt 0 ] && shift
harnesses=${*:-"fuzz_analyze fuzz_config"}
cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DHISTMARK_FUZZ=ON -DHISTMARK_TESTS=OFF >/dev/null
cmake --build build-fuzz -j2 >/dev/null
mkdir -p build-fuzz/crashes

# Seed corpora from the samples, the shipped YAML and the bad inputs of issue 6.
seed=build-fuzz/corpus
if [ ! -d "$seed/fuzz_analyze" ]; then
    mkdir -p "$seed/fuzz_analyze" "$seed/fuzz_config"
    for f in samples/*.txt; do head -c 4000 "$f" >"$seed/fuzz_analyze/$(basename "$f")"; done
    printf '' >"$seed/fuzz_analyze/empty"
    printf ' \n\t\n' >"$seed/fuzz_analyze/blank"
    printf 'In 1928\000Stalin' >"$seed/fuzz_analyze/nul"
    printf '\377\376I\000n\000 \0001\0009\0002\0008\000' >"$seed/fuzz_analyze/utf16le"
    printf '\223Dizzy\224 \243 5 \351t\351' >"$seed/fuzz_analyze/cp1252"
    printf 'Q?\r\n\r\n- a\r- b\r\n1. c' >"$seed/fuzz_analyze/lists"
    i=0
    for f in rubrics/rules.yaml rubrics/lists.yaml rubrics/a-level-20.yaml rubrics/topics/russia-1917-53.yaml; do
        { printf "\\00$i"; cat "$f"; } >"$seed/fuzz_config/$i-$(basename "$f")"
        i=$((i + 1))
    done
    printf '\000rules: [{id: a, kind: date, message: m, pattern: "(a+)+$"}]' >"$seed/fuzz_config/slow"
    printf '\000a: &a [x]\nb: &b [*a, *a]\nrules: *b' >"$seed/fuzz_config/alias"
fi
status=0
for h in $harnesses; do
    echo "== $h for ${secs}s"
    log=build-fuzz/$h.log
    if ./build-fuzz/fuzz/$h -max_total_time="$secs" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix=build-fuzz/crashes/ -print_final_stats=1 "$seed/$h" >"$log" 2>&1; then
        grep -E "DONE|stat::number_of_executed_units|stat::average_exec_per_sec|stat::peak_rss_mb" "$log" | tail -4
    else
        echo "$h FAILED: see $log"
        grep -E "ERROR|SUMMARY|Test unit written" "$log" | head -5
        status=1
    fi
done
exit $status
