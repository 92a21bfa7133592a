#!/bin/sh
# Builds the libFuzzer harnesses and runs each for SECONDS (default 60).
#   fuzz/run.sh [SECONDS] [HARNESS...]
# Long runs: fuzz/run.sh 3600 fuzz_analyze  (corpora are kept in build-fuzz/corpus/
# between runs; crashes are written to build-fuzz/crashes/). FUZZ_SEED=N makes
# the mutations repeatable (CI sets it, so a run that passed here passes there
# unless the code changed); unset, each run explores afresh. Built with
# warnings as errors: clang warns of things gcc does not.
set -eu
cd "$(dirname "$0")/.."
secs=${1:-60}
[ $# -gt 0 ] && shift
harnesses=${*:-"fuzz_analyze fuzz_config fuzz_lsp fuzz_snapshot fuzz_startfilter"}
cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DHISTMARK_FUZZ=ON -DHISTMARK_TESTS=OFF -DHISTMARK_WERROR=ON >/dev/null
cmake --build build-fuzz -j2 >/dev/null
mkdir -p build-fuzz/crashes

# Seed corpora from the samples, the shipped YAML and the bad inputs of issue 6.
seed=build-fuzz/corpus
if [ ! -d "$seed/fuzz_analyze" ]; then
    mkdir -p "$seed/fuzz_analyze" "$seed/fuzz_config" "$seed/fuzz_lsp"
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
if [ ! -d "$seed/fuzz_snapshot" ]; then
    # YAML (first byte 1) and snapshots (first byte 0), the latter from the
    # command's own cache of a user file.
    mkdir -p "$seed/fuzz_snapshot" build-fuzz/snapshot-seeds
    for f in rubrics/rules.yaml rubrics/a-level-20.yaml rubrics/topics/russia-1917-53.yaml; do
        { printf '\001'; cat "$f"; } >"$seed/fuzz_snapshot/yaml-$(basename "$f")"
        XDG_CACHE_HOME="$PWD/build-fuzz/snapshot-seeds" HISTMARK_NO_CACHE= ./build-fuzz/histmark --test-rules="$f" \
            >/dev/null 2>&1 || true
    done
    printf '\001a: &x [1, {b: c}]\nd: *x\ne: !!int "3"\n' >"$seed/fuzz_snapshot/yaml-alias"
    for f in build-fuzz/snapshot-seeds/histmark/*.snap; do
        if [ -e "$f" ]; then { printf '\000'; cat "$f"; } >"$seed/fuzz_snapshot/snap-$(basename "$f" | cut -c1-16)"; fi
    done
fi
if [ ! -d "$seed/fuzz_lsp" ] || [ -z "$(ls "$seed/fuzz_lsp")" ]; then
    mkdir -p "$seed/fuzz_lsp"
    frame() { printf 'Content-Length: %d\r\n\r\n%s' "$(printf '%s' "$1" | wc -c)" "$1"; }
    init='{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{"general":{"positionEncodings":["utf-8","utf-16"]}}}}'
    open='{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":"file:///e.txt","languageId":"plaintext","version":1,"text":"How far?\n\nIn 1928 Trosky lost because Stalin won."}}}'
    hover='{"jsonrpc":"2.0","id":2,"method":"textDocument/hover","params":{"textDocument":{"uri":"file:///e.txt"},"position":{"line":2,"character":9}}}'
    action='{"jsonrpc":"2.0","id":3,"method":"textDocument/codeAction","params":{"textDocument":{"uri":"file:///e.txt"},"range":{"start":{"line":2,"character":8},"end":{"line":2,"character":14}},"context":{"diagnostics":[]}}}'
    { frame "$init"; frame '{"jsonrpc":"2.0","method":"initialized","params":{}}'; frame "$open"; frame "$hover"; frame "$action";
      frame '{"jsonrpc":"2.0","id":4,"method":"shutdown"}'; frame '{"jsonrpc":"2.0","method":"exit"}'; } >"$seed/fuzz_lsp/session"
    { frame "$init"; printf 'Content-Length: 99999999999\r\n\r\n{}'; frame '{bad json'; frame '[1,2]'; } >"$seed/fuzz_lsp/bad"
fi
if [ ! -d "$seed/fuzz_startfilter" ]; then
    # flags, a pattern, NUL, a text: the shapes of the built-in rules
    mkdir -p "$seed/fuzz_startfilter"
    printf '\000\\b\\d{4}\\b\000In 1928 and 1933, 22.8 million' >"$seed/fuzz_startfilter/year"
    printf '\001\\bnot (?:\\w+,? ){1,4}but\\b\000It was not political but biological.' >"$seed/fuzz_startfilter/notbut"
    printf '\002(?!1[0-9]{3}\\b)\\d{3,}(?:,\\d{3})*\\s+(?:men|people)\000In 1928 some 1,500 people' >"$seed/fuzz_startfilter/veto"
    printf '\000(?<=\\s)[\342\200\234"][^"\342\200\235]{3,}["\342\200\235]\000He said \342\200\234no\342\200\235 then' >"$seed/fuzz_startfilter/quote"
    printf '\001(?=\\p{Lu})\\p{Lu}\\p{Ll}+(?:[ \\t]+\\p{Lu}\\p{Ll}+)*\000Then Joseph Stalin and \303\211mile spoke' >"$seed/fuzz_startfilter/names"
fi
# Inputs that once crashed or leaked stay in the corpus.
for f in tests/regressions/analyze-*; do if [ -e "$f" ]; then cp "$f" "$seed/fuzz_analyze/"; fi; done
for f in tests/regressions/config-*; do if [ -e "$f" ]; then cp "$f" "$seed/fuzz_config/"; fi; done
for f in tests/regressions/lsp-*; do if [ -e "$f" ]; then cp "$f" "$seed/fuzz_lsp/"; fi; done
for f in tests/regressions/snapshot-*; do if [ -e "$f" ]; then cp "$f" "$seed/fuzz_snapshot/"; fi; done
for f in tests/regressions/startfilter-*; do if [ -e "$f" ]; then mkdir -p "$seed/fuzz_startfilter"; cp "$f" "$seed/fuzz_startfilter/"; fi; done
status=0
for h in $harnesses; do
    echo "== $h for ${secs}s"
    log=build-fuzz/$h.log
    if ./build-fuzz/fuzz/$h -seed="${FUZZ_SEED:-0}" -max_total_time="$secs" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix=build-fuzz/crashes/ -print_final_stats=1 "$seed/$h" >"$log" 2>&1; then
        grep -E "DONE|stat::number_of_executed_units|stat::average_exec_per_sec|stat::peak_rss_mb" "$log" | tail -4
    else
        echo "$h FAILED: see $log"
        grep -E "ERROR|SUMMARY|Test unit written" "$log" | head -5
        status=1
    fi
done
exit $status
