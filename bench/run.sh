#!/bin/sh
# Speed and memory of histmark (issue 7): builds the bench programs, makes a
# deterministic corpus in /tmp, measures, and prints a table and one line
# "BENCH {json}". Not part of the test suite. See bench/README.md.
#
#   sh bench/run.sh [-n N] [-s SUBSET] [-c DIR] [-B BUILD] [-o FILE] [-q]
#                   [--no-build] [--no-install] [--no-competitors] [--no-valgrind]
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
n=10000                         # essays in the corpus
subset=100                      # essays for the slow prose checkers
corpus=/tmp/histmark-bench/corpus
build=$root/build-bench
out=
quick=0
do_build=1
do_install=1
do_competitors=1
do_valgrind=1
passes=5                        # in-process passes (the median is reported)
cold_runs=100                   # cold starts of the CLI
batch_runs=3                    # batch runs over the whole corpus
competitor_runs=3               # runs of each prose checker over the subset

usage() {
    sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'
    cat <<'EOF'

  -n N              essays in the corpus (default 10000)
  -s SUBSET         essays given to proselint and write-good (default 100)
  -c DIR            where the corpus goes (default /tmp/histmark-bench/corpus)
  -B BUILD          the CMake build folder (default build-bench at the top)
  -o FILE           also write the report to FILE
  -q                quick: 1,000 essays, fewer runs (a smoke test, not figures)
  --no-build        use BUILD as it is
  --no-install      do not install proselint or write-good when missing
  --no-competitors  skip proselint and write-good
  --no-valgrind     skip callgrind
EOF
}

while [ $# -gt 0 ]; do
    case $1 in
        -n) n=$2; shift 2 ;;
        -s) subset=$2; shift 2 ;;
        -c) corpus=$2; shift 2 ;;
        -B) build=$2; shift 2 ;;
        -o) out=$2; shift 2 ;;
        -q) quick=1; shift ;;
        --no-build) do_build=0; shift ;;
        --no-install) do_install=0; shift ;;
        --no-competitors) do_competitors=0; shift ;;
        --no-valgrind) do_valgrind=0; shift ;;
        -h|--help) usage; exit 0 ;;
        *) usage >&2; exit 2 ;;
    esac
done
if [ "$quick" = 1 ]; then
    n=1000; subset=10; passes=3; cold_runs=50; batch_runs=1; competitor_runs=1
fi
case $n in ''|*[!0-9]*) echo "run.sh: -n needs a number" >&2; exit 2 ;; esac
case $subset in ''|*[!0-9]*) echo "run.sh: -s needs a number" >&2; exit 2 ;; esac
[ "$n" -ge 1000 ] || { echo "run.sh: -n must be at least 1000 (memory is compared at 1,000)" >&2; exit 2; }
if [ "$subset" -lt 1 ] || [ "$subset" -gt "$n" ]; then
    echo "run.sh: -s must be 1..N" >&2
    exit 2
fi

work=$(mktemp -d /tmp/histmark-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT INT TERM
log() { printf '%s\n' "$*" >&2; }

# ---- build ----------------------------------------------------------------
if [ "$do_build" = 1 ]; then
    log "== building in $build (Release)"
    cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DHISTMARK_BENCH=ON >"$work/cmake.log" 2>&1 ||
        { cat "$work/cmake.log" >&2; exit 1; }
    cmake --build "$build" -j2 --target histmark_cli gen_corpus throughput timecmd rule_profile \
        >>"$work/cmake.log" 2>&1 || { tail -40 "$work/cmake.log" >&2; exit 1; }
fi
hm=$build/histmark
bin=$build/bench
for p in "$hm" "$bin/gen_corpus" "$bin/throughput" "$bin/timecmd"; do
    [ -x "$p" ] || { echo "run.sh: $p is missing; build first" >&2; exit 1; }
done

# ---- helpers --------------------------------------------------------------
# val FILE KEY: the value of a "key value" line
val() { awk -v k="$2" '$1 == k { print $2; exit }' "$1"; }
# calc EXPR: floating point through awk
calc() { awk "BEGIN { printf \"%.6g\", $1 }"; }
fmt() { awk -v v="$1" -v f="$2" 'BEGIN { printf f, v }'; }
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
json_str() { printf '"%s"' "$(printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g')"; }

# ---- the machine ----------------------------------------------------------
date_now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
cpus=$(nproc)
cpu_model=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || echo unknown)
mem_kb=$(awk '/^MemTotal/ { print $2 }' /proc/meminfo 2>/dev/null || echo 0)
mem_gib=$(fmt "$(calc "$mem_kb / 1048576")" '%.1f')
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
# a tree exported with `git archive` has no .git: say which commit it was
commit=${HISTMARK_BENCH_COMMIT:-$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)}
dirty=$(git -C "$root" status --porcelain 2>/dev/null | grep -c '^ \{0,1\}M' || true)
log "== $date_now, $cpus CPUs ($cpu_model), $mem_gib GiB, load $load_before, commit $commit"

# ---- the corpus -----------------------------------------------------------
case $corpus in /tmp/*) ;; *) log "note: the corpus is not under /tmp: never commit it" ;; esac
case $corpus in *[[:space:]]*) echo "run.sh: no spaces in the corpus path, please" >&2; exit 2 ;; esac
rm -rf "$corpus"
mkdir -p "$corpus"
log "== corpus: $n essays into $corpus"
"$bin/gen_corpus" -n "$n" "$corpus" >"$work/gen.txt"
cat "$work/gen.txt" >&2
corpus_bytes=$(awk '{ for (i = 1; i < NF; i++) if ($(i + 1) == "bytes") { print $i; exit } }' "$work/gen.txt")
first=$corpus/essay-00000.txt
# the first 1,000 and the first SUBSET essays, as argument lists
find "$corpus" -name 'essay-*.txt' | sort >"$work/all.list"
head -n 1000 "$work/all.list" >"$work/1000.list"
head -n "$subset" "$work/all.list" >"$work/subset.list"

# ---- in-process throughput ------------------------------------------------
log "== in-process throughput: $n essays in memory, $passes passes + 1 warm-up"
"$bin/throughput" -p "$passes" "$corpus" >"$work/tp.txt"
tp_mbs=$(val "$work/tp.txt" mb_per_s)
tp_eps=$(val "$work/tp.txt" essays_per_s)
tp_us=$(val "$work/tp.txt" us_per_essay)
tp_cfg=$(val "$work/tp.txt" config_load_ms)
tp_rss=$(val "$work/tp.txt" maxrss_kb)
# by CPU time too: other work on the machine slows the wall clock, not this
tp_cpu_mbs=$(calc "$(val "$work/tp.txt" bytes) / $(val "$work/tp.txt" cpu_median_s) / 1e6")
log "   $tp_mbs MB/s, $tp_eps essays/s"
render_passes=$passes
[ "$render_passes" -gt 3 ] && render_passes=3
log "== in-process, analysis + JSON rendering: $render_passes passes"
"$bin/throughput" -r -p "$render_passes" "$corpus" >"$work/tpr.txt"
tpr_mbs=$(val "$work/tpr.txt" mb_per_s)
tpr_eps=$(val "$work/tpr.txt" essays_per_s)

# ---- cold start -----------------------------------------------------------
log "== cold start: histmark --format json on one essay, $cold_runs runs alternating with /bin/true"
"$bin/timecmd" -n "$cold_runs" -w 5 -b /bin/true -- "$hm" --format json "$first" >"$work/cold.txt"
cold_ms=$(val "$work/cold.txt" median_ms)
true_ms=$(val "$work/cold.txt" base_median_ms)
cold_over=$(calc "$cold_ms - $true_ms")
cold_user=$(val "$work/cold.txt" user_ms)
cold_cpu=$(calc "$cold_user + $(val "$work/cold.txt" sys_ms)")
true_cpu=$(calc "$(val "$work/cold.txt" base_user_ms) + $(val "$work/cold.txt" base_sys_ms)")
cold_cpu_over=$(calc "$cold_cpu - $true_cpu")
cold_rss=$(val "$work/cold.txt" maxrss_kb)
"$bin/timecmd" -n "$cold_runs" -w 5 -b /bin/true -- "$hm" --version >"$work/ver.txt"
ver_over=$(calc "$(val "$work/ver.txt" median_ms) - $(val "$work/ver.txt" base_median_ms)")

# ---- batch: -j 1 and -j 2 -------------------------------------------------
# What this histmark can do: -j (parallel jobs) and folders are being added.
jobs=0 folders=0
"$hm" --help 2>&1 | grep -q -- '-j' && jobs=1
mkdir "$work/two"
cp "$first" "$corpus/essay-00001.txt" "$work/two/"
if "$hm" --format json "$work/two" >"$work/two.out" 2>/dev/null && [ "$(wc -l <"$work/two.out")" -eq 2 ]; then
    folders=1
fi
# The inputs of a batch: the folder when histmark reads folders, else the
# files named on the command line (their names then add ~50 bytes an essay
# to the process's resident memory: timecmd reports that as argv_kb).
if [ "$folders" = 1 ]; then
    mkdir "$work/c1000"
    while read -r f; do cp "$f" "$work/c1000/"; done <"$work/1000.list"
    batch_all() { "$bin/timecmd" "$@" "$corpus"; }
    batch_1000() { "$bin/timecmd" "$@" "$work/c1000"; }
    inputs="the folder"
else
    batch_all() { "$bin/timecmd" -l "$work/all.list" "$@"; }
    batch_1000() { "$bin/timecmd" -l "$work/1000.list" "$@"; }
    inputs="$n file names"
fi
if [ "$jobs" = 1 ]; then
    log "== batch: histmark --format json -j 1 / -j 2 on $inputs, $batch_runs runs each"
    batch_all -n "$batch_runs" -w 0 -- "$hm" --format json -j 1 >"$work/j1.txt"
    batch_all -n "$batch_runs" -w 0 -- "$hm" --format json -j 2 >"$work/j2.txt"
    j2_how="-j 2"
else
    log "== batch: this histmark has no -j: one process over $inputs (as -j 1), and the files"
    log "   cut in two halves for two processes at once (what -j 2 could reach); $batch_runs runs each"
    batch_all -n "$batch_runs" -w 0 -- "$hm" --format json >"$work/j1.txt"
    "$bin/timecmd" -l "$work/all.list" -n "$batch_runs" -w 0 -P 2 -- "$hm" --format json >"$work/j2.txt"
    j2_how="2 processes"
fi
j1_s=$(calc "$(val "$work/j1.txt" median_ms) / 1000")
j2_s=$(calc "$(val "$work/j2.txt" median_ms) / 1000")
j1_eps=$(calc "$n / $j1_s")
j2_eps=$(calc "$n / $j2_s")
j1_mbs=$(calc "$corpus_bytes / $j1_s / 1e6")
j2_mbs=$(calc "$corpus_bytes / $j2_s / 1e6")
j_speedup=$(calc "$j1_s / $j2_s")
j1_cpu=$(calc "($(val "$work/j1.txt" user_ms) + $(val "$work/j1.txt" sys_ms)) / 1000")
j2_cpu=$(calc "($(val "$work/j2.txt" user_ms) + $(val "$work/j2.txt" sys_ms)) / 1000")

# ---- peak memory ----------------------------------------------------------
log "== peak memory: one process over 1,000 and over $n essays"
batch_1000 -n 1 -w 0 -- "$hm" --format json >"$work/m1000.txt"
rss_1000=$(val "$work/m1000.txt" maxrss_kb)
rss_all=$(val "$work/j1.txt" maxrss_kb)
argv_1000=$(val "$work/m1000.txt" argv_kb)
argv_all=$(val "$work/j1.txt" argv_kb)
# histmark's own memory: less its command line
own_1000=$((rss_1000 - argv_1000))
own_all=$((rss_all - argv_all))
if [ "$jobs" = 1 ]; then
    rss_all_j2=$(val "$work/j2.txt" maxrss_kb)
else
    rss_all_j2=''
fi
rss_growth=$(calc "100 * ($own_all - $own_1000) / $own_1000")
# The summary and the HTML overview keep a row an essay: their growth too.
rss_sum_1000='' rss_sum_all='' rss_html_1000='' rss_html_all=''
if [ "$folders" = 1 ] && "$hm" --help 2>&1 | grep -q -- '--summary'; then
    log "== peak memory with --summary and with --format html, 1,000 and $n essays"
    batch_1000 -n 1 -w 0 -- "$hm" --format json --summary >"$work/s1000.txt"
    batch_all -n 1 -w 0 -- "$hm" --format json --summary >"$work/sall.txt"
    batch_1000 -n 1 -w 0 -- "$hm" --format html -q -o "$work/html1000" >"$work/h1000.txt"
    batch_all -n 1 -w 0 -- "$hm" --format html -q -o "$work/htmlall" >"$work/hall.txt"
    rss_sum_1000=$(val "$work/s1000.txt" maxrss_kb)
    rss_sum_all=$(val "$work/sall.txt" maxrss_kb)
    rss_html_1000=$(val "$work/h1000.txt" maxrss_kb)
    rss_html_all=$(val "$work/hall.txt" maxrss_kb)
fi

# ---- instruction counts ---------------------------------------------------
cg_total='' cg_load='' cg_analyze='' cg_render='' cg_topics='' cg_jitc='' cg_yaml=''
if [ "$do_valgrind" = 1 ] && command -v valgrind >/dev/null 2>&1; then
    log "== callgrind: histmark --format json on one essay (JIT on; JIT code is counted too)"
    (unset HISTMARK_NO_JIT; valgrind --tool=callgrind --callgrind-out-file="$work/cg.out" \
        "$hm" --format json "$first" >/dev/null 2>"$work/cg.log")
    cg_total=$(awk '/Collected :/ { print $NF }' "$work/cg.log")
    callgrind_annotate --inclusive=yes "$work/cg.out" >"$work/cg.txt" 2>/dev/null || true
    cg_fn() { awk -v f="$1" '$0 ~ ":" f " \\[" { gsub(",", "", $1); print $1; exit }' "$work/cg.txt"; }
    cg_load=$(cg_fn hm_config_load)
    cg_analyze=$(cg_fn hm_analyze)
    # the batch renders into its slot (hm_render_json_buf); a single report through hm_render_json
    cg_render=$(cg_fn hm_render_json_buf)
    [ -n "$cg_render" ] || cg_render=$(cg_fn hm_render_json)
    cg_topics=$(cg_fn hm_topic_load)
    cg_jitc=$(cg_fn pcre2_jit_compile_8)
    cg_yaml=$(cg_fn hm_yaml_load)
else
    log "== callgrind skipped"
fi

# ---- where the analysis time goes ----------------------------------------
prof_n=500
[ "$prof_n" -gt "$n" ] && prof_n=$n
if [ -x "$bin/rule_profile" ]; then
    log "== profile: stages and patterns over $prof_n essays"
    "$bin/rule_profile" -n "$prof_n" "$corpus" >"$work/profile.txt"
fi

# ---- other prose checkers -------------------------------------------------
pl_essay_ms='' wg_essay_ms='' pl_ratio='' wg_ratio='' pl_cold_ratio='' wg_cold_ratio=''
pl_version='' wg_version='' hm_sub_ms='' hm_essay_ms=''
wg_bin=$here/node_modules/.bin/write-good
if [ "$do_competitors" = 1 ]; then
    if [ "$do_install" = 1 ] && ! command -v proselint >/dev/null 2>&1; then
        if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
            log "== installing proselint (Debian python3-proselint)"
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-proselint >"$work/apt.log" 2>&1 ||
                { apt-get update -qq >/dev/null 2>&1 &&
                  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-proselint >"$work/apt.log" 2>&1; } ||
                log "   could not install proselint (see apt-get); skipped"
        else
            log "   proselint missing and apt-get unusable (not root?): skipped"
        fi
    fi
    if [ "$do_install" = 1 ] && [ ! -x "$wg_bin" ]; then
        if command -v npm >/dev/null 2>&1; then
            log "== installing write-good into bench/node_modules (npm)"
            npm install --prefix "$here" --no-save --no-package-lock --no-audit --no-fund write-good \
                >"$work/npm.log" 2>&1 || log "   could not install write-good (see npm); skipped"
        else
            log "   write-good missing and npm not found: skipped"
        fi
    fi

    log "== histmark, proselint and write-good on the first $subset essays (one process each)"
    "$bin/timecmd" -l "$work/subset.list" -n 5 -w 1 -- "$hm" --format json >"$work/hm_sub.txt"
    hm_sub_ms=$(val "$work/hm_sub.txt" median_ms)
    hm_essay_ms=$(calc "$hm_sub_ms / $subset")

    if command -v proselint >/dev/null 2>&1; then
        pl_version=$(proselint --version 2>/dev/null | awk '{ print $NF }')
        : >"$work/pl.runs"
        : >"$work/pl1.runs"
        i=0
        while [ "$i" -lt "$competitor_runs" ]; do
            # a fresh cache each run: proselint memoises results per text
            "$bin/timecmd" -l "$work/subset.list" -a -n 1 -w 0 -- \
                env XDG_CACHE_HOME="$work/pl-cache-$i" proselint >"$work/pl.$i.txt"
            "$bin/timecmd" -a -n 1 -w 0 -- env XDG_CACHE_HOME="$work/pl-one-$i" proselint "$first" >"$work/pl1.$i.txt"
            val "$work/pl1.$i.txt" median_ms >>"$work/pl1.runs"
            val "$work/pl.$i.txt" median_ms >>"$work/pl.runs"
            i=$((i + 1))
        done
        pl_ms=$(median <"$work/pl.runs")
        pl_essay_ms=$(calc "$pl_ms / $subset")
        pl_ratio=$(calc "$pl_essay_ms / $hm_essay_ms")
        pl_cold_ms=$(median <"$work/pl1.runs")
        pl_cold_ratio=$(calc "$pl_cold_ms / $cold_ms")
    else
        log "   proselint not installed: skipped"
    fi
    if [ -x "$wg_bin" ]; then
        wg_version=$(sed -n 's/.*"version": *"\([^"]*\)".*/\1/p' "$here/node_modules/write-good/package.json" | head -n 1)
        "$bin/timecmd" -l "$work/subset.list" -a -n "$competitor_runs" -w 1 -- "$wg_bin" >"$work/wg.txt"
        wg_ms=$(val "$work/wg.txt" median_ms)
        wg_essay_ms=$(calc "$wg_ms / $subset")
        wg_ratio=$(calc "$wg_essay_ms / $hm_essay_ms")
        "$bin/timecmd" -a -n 10 -w 1 -- "$wg_bin" "$first" >"$work/wg1.txt"
        wg_cold_ratio=$(calc "$(val "$work/wg1.txt" median_ms) / $cold_ms")
    else
        log "   write-good not installed: skipped"
    fi
fi
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- targets --------------------------------------------------------------
verdict() { if [ "$(awk "BEGIN { print ($1) ? 1 : 0 }")" = 1 ]; then echo met; else echo MISSED; fi; }
t_cold=$(verdict "$cold_over <= 3")
t_tp=$(verdict "$tp_mbs >= 50")
t_j2=$(verdict "$j_speedup >= 1.8")
t_mem=$(verdict "$rss_all <= 65536 && $own_all <= 1.1 * $own_1000")
t_pl=n/a t_wg=n/a
[ -n "$pl_ratio" ] && t_pl=$(verdict "$pl_ratio >= 100")
[ -n "$wg_ratio" ] && t_wg=$(verdict "$wg_ratio >= 100")

# ---- report ---------------------------------------------------------------
report() {
    echo "histmark benchmark, $date_now"
    echo "machine: $cpus CPUs, $cpu_model, $mem_gib GiB; load average $load_before before, $load_after after"
    echo "build: $build (Release), commit $commit$( [ "$dirty" -gt 0 ] && echo " + $dirty modified files")"
    echo "corpus: $n essays, $corpus_bytes bytes (gen_corpus, seed 20261124)"
    echo
    printf '%-52s %18s  %s\n' "measure" "value" "target"
    printf '%-52s %18s  %s\n' "in-process analysis, one core (median of $passes)" \
        "$(fmt "$tp_mbs" '%.2f') MB/s" ">= 50 MB/s: $t_tp"
    printf '%-52s %18s\n' "  essays per second" "$(fmt "$tp_eps" '%.0f')"
    printf '%-52s %18s\n' "  by CPU time (process CPU clock)" "$(fmt "$tp_cpu_mbs" '%.2f') MB/s"
    printf '%-52s %18s\n' "  per essay" "$(fmt "$tp_us" '%.0f') us"
    printf '%-52s %18s\n' "  analysis + JSON rendering (median of $render_passes)" \
        "$(fmt "$tpr_mbs" '%.2f') MB/s, $(fmt "$tpr_eps" '%.0f')/s"
    printf '%-52s %18s\n' "  configuration load, in process" "$(fmt "$tp_cfg" '%.1f') ms"
    printf '%-52s %18s\n' "cold start, --format json, one essay (median)" "$(fmt "$cold_ms" '%.2f') ms"
    printf '%-52s %18s\n' "  /bin/true in the same run (median)" "$(fmt "$true_ms" '%.2f') ms"
    printf '%-52s %18s  %s\n' "  above the floor" "$(fmt "$cold_over" '%.2f') ms" "<= 3 ms: $t_cold"
    printf '%-52s %18s\n' "  --version above the floor (no configuration)" "$(fmt "$ver_over" '%.2f') ms"
    printf '%-52s %18s\n' "  CPU (user + system, median) above /bin/true's" "$(fmt "$cold_cpu_over" '%.2f') ms"
    printf '%-52s %18s\n' "batch, -j 1$( [ "$jobs" = 0 ] && echo ' (no -j: one process, sequential)')" \
        "$(fmt "$j1_s" '%.2f') s"
    printf '%-52s %18s\n' "  throughput" "$(fmt "$j1_eps" '%.0f')/s, $(fmt "$j1_mbs" '%.2f') MB/s"
    printf '%-52s %18s\n' "  CPU time (user + system)" "$(fmt "$j1_cpu" '%.2f') s"
    printf '%-52s %18s\n' "batch, $j2_how$( [ "$jobs" = 0 ] && echo ' (emulated: halves of the files)')" \
        "$(fmt "$j2_s" '%.2f') s"
    printf '%-52s %18s\n' "  throughput" "$(fmt "$j2_eps" '%.0f')/s, $(fmt "$j2_mbs" '%.2f') MB/s"
    printf '%-52s %18s\n' "  CPU time (user + system, both processes)" "$(fmt "$j2_cpu" '%.2f') s"
    printf '%-52s %18s  %s\n' "  speed-up over -j 1" "$(fmt "$j_speedup" '%.2f')x" "close to 2x (>= 1.8): $t_j2"
    printf '%-52s %18s\n' "peak resident memory, 1,000 essays" "$(fmt "$(calc "$rss_1000 / 1024")" '%.2f') MiB"
    printf '%-52s %18s  %s\n' "peak resident memory, $n essays" "$(fmt "$(calc "$rss_all / 1024")" '%.2f') MiB" \
        "<= 64 MiB: $(verdict "$rss_all <= 65536")"
    if [ "$folders" = 0 ]; then
        printf '%-52s %18s\n' "  of which the $n file names (argv, environment)" \
            "$(fmt "$(calc "$argv_all / 1024")" '%.2f') MiB"
        printf '%-52s %18s\n' "  histmark's own, 1,000 / $n essays" \
            "$(fmt "$(calc "$own_1000 / 1024")" '%.2f') / $(fmt "$(calc "$own_all / 1024")" '%.2f') MiB"
    fi
    printf '%-52s %18s  %s\n' "  growth from 1,000 to $n essays" "$(fmt "$rss_growth" '%.1f')%" "within 10%: $t_mem"
    [ -n "$rss_all_j2" ] && printf '%-52s %18s\n' "  with -j 2" "$(fmt "$(calc "$rss_all_j2 / 1024")" '%.2f') MiB"
    if [ -n "$rss_sum_all" ]; then
        printf '%-52s %18s\n' "  --summary, 1,000 / $n essays" \
            "$(fmt "$(calc "$rss_sum_1000 / 1024")" '%.2f') / $(fmt "$(calc "$rss_sum_all / 1024")" '%.2f') MiB"
        printf '%-52s %18s\n' "  --format html -o DIR, 1,000 / $n essays" \
            "$(fmt "$(calc "$rss_html_1000 / 1024")" '%.2f') / $(fmt "$(calc "$rss_html_all / 1024")" '%.2f') MiB"
    fi
    printf '%-52s %18s\n' "  cold start, one essay" "$(fmt "$(calc "$cold_rss / 1024")" '%.1f') MiB"
    printf '%-52s %18s\n' "  in process, $n essays held in memory" "$(fmt "$(calc "$tp_rss / 1024")" '%.1f') MiB"
    if [ -n "$cg_total" ]; then
        printf '%-52s %18s\n' "callgrind, one essay: instructions (Ir)" "$cg_total"
        printf '%-52s %18s\n' "  hm_config_load (inclusive)" "$cg_load ($(fmt "$(calc "100 * $cg_load / $cg_total")" '%.0f')%)"
        printf '%-52s %18s\n' "    hm_topic_load" "${cg_topics:-not called}"
        printf '%-52s %18s\n' "    pcre2_jit_compile" "${cg_jitc:-not called}"
        printf '%-52s %18s\n' "    hm_yaml_load" "${cg_yaml:-not called}"
        printf '%-52s %18s\n' "  hm_analyze (inclusive, JIT code counted)" "$cg_analyze ($(fmt "$(calc "100 * $cg_analyze / $cg_total")" '%.0f')%)"
        printf '%-52s %18s\n' "  hm_render_json (inclusive)" "${cg_render:-not called}"
    fi
    if [ -n "$hm_sub_ms" ]; then
        printf '%-52s %18s\n' "histmark per essay, $subset essays in one process" "$(fmt "$hm_essay_ms" '%.2f') ms"
        if [ -n "$pl_ratio" ]; then
            printf '%-52s %18s\n' "proselint $pl_version per essay (median of $competitor_runs, cold cache)" \
                "$(fmt "$pl_essay_ms" '%.1f') ms"
            printf '%-52s %18s  %s\n' "  histmark is faster by" "$(fmt "$pl_ratio" '%.0f')x" ">= 100x: $t_pl"
            printf '%-52s %18s\n' "  one essay, cold start vs cold start" "$(fmt "$pl_cold_ratio" '%.0f')x"
        fi
        if [ -n "$wg_ratio" ]; then
            printf '%-52s %18s\n' "write-good $wg_version per essay (median of $competitor_runs)" \
                "$(fmt "$wg_essay_ms" '%.1f') ms"
            printf '%-52s %18s  %s\n' "  histmark is faster by" "$(fmt "$wg_ratio" '%.0f')x" ">= 100x: $t_wg"
            printf '%-52s %18s\n' "  one essay, cold start vs cold start" "$(fmt "$wg_cold_ratio" '%.0f')x"
        fi
    fi
    if [ -s "$work/profile.txt" ]; then
        echo
        echo "Where the analysis time goes (bench/rule_profile, $prof_n essays):"
        sed -n '3,16p' "$work/profile.txt"
        sed -n '17,32p' "$work/profile.txt"
    fi
    echo
    num() { if [ -n "$1" ]; then printf '%s' "$1"; else printf null; fi; }
    printf 'BENCH {"date":%s,"commit":%s,"nproc":%s,"cpu":%s,"mem_kb":%s,"load_before":%s,"load_after":%s,' \
        "$(json_str "$date_now")" "$(json_str "$commit")" "$cpus" "$(json_str "$cpu_model")" "$mem_kb" \
        "$(json_str "$load_before")" "$(json_str "$load_after")"
    printf '"essays":%s,"corpus_bytes":%s,' "$n" "$corpus_bytes"
    printf '"inprocess_mb_s":%s,"inprocess_cpu_mb_s":%s,"inprocess_essays_s":%s,"inprocess_render_mb_s":%s,"config_load_ms":%s,' \
        "$tp_mbs" "$tp_cpu_mbs" "$tp_eps" "$tpr_mbs" "$tp_cfg"
    printf '"cold_ms":%s,"true_ms":%s,"cold_over_floor_ms":%s,"cold_cpu_over_floor_ms":%s,' \
        "$cold_ms" "$true_ms" "$cold_over" "$cold_cpu_over"
    printf '"jobs_supported":%s,"j1_s":%s,"j2_s":%s,"j2_speedup":%s,"j1_cpu_s":%s,"j2_cpu_s":%s,' \
        "$( [ "$jobs" = 1 ] && echo true || echo false)" "$j1_s" "$j2_s" "$j_speedup" "$j1_cpu" "$j2_cpu"
    printf '"folders_supported":%s,"rss_1000_kb":%s,"rss_all_kb":%s,"argv_all_kb":%s,' \
        "$( [ "$folders" = 1 ] && echo true || echo false)" "$rss_1000" "$rss_all" "$argv_all"
    printf '"rss_summary_1000_kb":%s,"rss_summary_all_kb":%s,"rss_html_1000_kb":%s,"rss_html_all_kb":%s,' \
        "$(num "$rss_sum_1000")" "$(num "$rss_sum_all")" "$(num "$rss_html_1000")" "$(num "$rss_html_all")"
    printf '"callgrind_ir":%s,"callgrind_config_ir":%s,"callgrind_analyze_ir":%s,' \
        "$(num "$cg_total")" "$(num "$cg_load")" "$(num "$cg_analyze")"
    printf '"subset":%s,"histmark_essay_ms":%s,"proselint_essay_ms":%s,"writegood_essay_ms":%s,' \
        "$subset" "$(num "${hm_essay_ms:-}")" "$(num "$pl_essay_ms")" "$(num "$wg_essay_ms")"
    printf '"ratio_proselint":%s,"ratio_writegood":%s,' "$(num "$pl_ratio")" "$(num "$wg_ratio")"
    printf '"targets":{"cold_start":"%s","inprocess":"%s","j2":"%s","memory":"%s","proselint":"%s","writegood":"%s"}}\n' \
        "$t_cold" "$t_tp" "$t_j2" "$t_mem" "$t_pl" "$t_wg"
}
if [ -n "$out" ]; then
    report | tee "$out"
else
    report
fi
