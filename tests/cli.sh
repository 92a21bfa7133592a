#!/bin/sh
# CLI tests: exit codes, messages on stderr, formats, atomic output.
# Usage: cli.sh HISTMARK SOURCE_DIR
HM=$1
SRC=$2
. "$(dirname "$0")/lib.sh"
export XDG_CACHE_HOME="$T/cache" # snapshots of user YAML files: not in $HOME
unset HISTMARK_NO_CACHE
expect_status() { # name, wanted status, command...
    name=$1; want=$2; shift 2
    "$@" >"$T/out" 2>"$T/err"; got=$?
    [ "$got" -eq "$want" ]; r=$?
    [ $r -ne 0 ] && echo "  ($name: exit $got, wanted $want; stderr: $(head -c 300 "$T/err"))"
    check "$name" $r
}
stderr_has() { grep -q -- "$2" "$T/err"; check "$1" $?; }
stdout_has() { grep -q -- "$2" "$T/out"; check "$1" $?; }

essay="$SRC/samples/russia-l4-nep.txt"

expect_status "--version" 0 "$HM" --version
stdout_has "version text" "histmark 0."
expect_status "--help" 0 "$HM" --help
stdout_has "help lists exit status" "Exit status"
expect_status "no arguments is a usage error" 2 "$HM"
stderr_has "no arguments says what to do" "no essay given"
expect_status "unknown option" 2 "$HM" --frobnicate "$essay"
expect_status "bad format" 2 "$HM" --format yaml "$essay"
stderr_has "bad format named" "unknown format 'yaml'"

expect_status "one essay" 0 "$HM" "$essay"
stdout_has "text report has a mark" "Mark: [0-9]*/20, Level"
stdout_has "text report has gaps" "What would raise the mark"
expect_status "NO_COLOR and a pipe: no escapes" 0 env NO_COLOR=1 "$HM" "$essay"
! grep -q "$(printf '\033')" "$T/out"; check "no ANSI escapes when piped" $?
expect_status "--color=always" 0 "$HM" --color=always "$essay"
grep -q "$(printf '\033')" "$T/out"; check "ANSI escapes with --color=always" $?

expect_status "json" 0 "$HM" --format json "$essay"
for key in '"file"' '"question"' '"topic"' '"words"' '"paragraphs"' '"mark"' '"out_of":20' '"level"' \
           '"strands"' '"strengths"' '"gaps"' '"warnings"' '"findings"' '"rule"' '"kind"' '"start"' '"line"' '"column"'; do
    stdout_has "json has $key" "$key"
done
[ "$(wc -l <"$T/out")" -eq 1 ]; check "json is one line per essay" $?

expect_status "stdin" 0 sh -c "\"$HM\" --format json - < \"$essay\""
stdout_has "stdin is named -" '"file":"-"'

expect_status "missing file" 1 "$HM" "$T/nope.txt"
stderr_has "missing file message" "histmark: $T/nope.txt: No such file or directory"
mkdir "$T/nothing"
expect_status "a folder with no essays" 1 "$HM" "$T/nothing"
stderr_has "empty folder message" "no essays found"
printf 'PK\003\004\000\000\000binary' >"$T/essay.bin"
expect_status "binary file" 1 "$HM" "$T/essay.bin"
stderr_has "binary message" "not a text file"
printf 'PK\003\004\000\000\000binary' >"$T/essay.docx"
expect_status "broken .docx" 1 "$HM" "$T/essay.docx"
stderr_has "broken .docx message" "essay.docx: not a Word document"
expect_status "batch goes on past a bad file" 1 "$HM" --format json "$T/nope.txt" "$essay"
[ "$(wc -l <"$T/out")" -eq 1 ]; check "the good essay is still reported" $?
if [ "$(id -u)" -ne 0 ]; then
    cp "$essay" "$T/secret.txt"; chmod 000 "$T/secret.txt"
    expect_status "unreadable file" 1 "$HM" "$T/secret.txt"
fi
head -c 5000 /dev/zero | tr '\0' 'a' >"$T/big.txt"
expect_status "too large" 1 "$HM" --max-bytes 1000 "$T/big.txt"
stderr_has "too large message" "too large for an essay"
: >"$T/empty.txt"
expect_status "empty file is analysed" 0 "$HM" "$T/empty.txt"
stdout_has "empty file gets mark 0" "Mark: 0/20"
! grep -q "no-question" "$T/out"; check "an empty file is not told its question is missing" $?

printf 'rules:\n  - id: r\n    kind: date\n    message: m\n    patern: x\n' >"$T/bad.yaml"
expect_status "bad rules file" 2 "$HM" --rules "$T/bad.yaml" "$essay"
stderr_has "bad rules file:line:column" "$T/bad.yaml:5:5: unknown key 'patern'"
# A batch with a copy check loads the configuration while it reads the
# essays; a bad configuration is still all that is said, and no report file
# is made.
expect_status "bad rules file, batch" 2 "$HM" --format json -o "$T/never.json" --rules "$T/bad.yaml" \
    "$essay" "$SRC/samples/coldwar-l4-detente.txt" "$T/nope.txt" "$T/nothing"
stderr_has "bad rules file, batch: the error" "$T/bad.yaml:5:5: unknown key 'patern'"
! grep -q "nope.txt\|no essays found" "$T/err"; check "bad rules file, batch: no input errors" $?
[ ! -e "$T/never.json" ]; check "bad rules file, batch: no report file" $?
expect_status "batch with a copy check goes on past a bad file" 1 "$HM" --format json "$T/nope.txt" "$essay" \
    "$SRC/samples/coldwar-l4-detente.txt"
stderr_has "batch with a copy check: the bad file" "nope.txt"
expect_status "unknown topic" 2 "$HM" --topic atlantis "$essay"
# Feedback names the question's words as the question has them, and a
# date that contradicts the pack.
expect_status "a narrative Tudor essay" 0 "$HM" "$SRC/samples/blind17d-tudor-l2-foreignpolicy.txt"
stdout_has "a two-word key term quoted whole" "about the question's 'foreign policy'"
expect_status "a question with a name after its concept word" 0 "$HM" "$essay"
stdout_has "the concept word quoted without the name after it" "about the question's 'solve'"
expect_status "an essay with a date slip" 0 "$HM" "$SRC/samples/blind16d-coldwar-l1-armsrace.txt"
stdout_has "the slip named with the event's date" "Check your dates: paragraph 2 gives 1959 for Sputnik (October 1957)"
stdout_has "a judgement quoted with its clause, not its two words" 'such as "America then made the hydrogen bomb in 1952 which was much more powerfull'
expect_status "an essay praised for judging and for weighing" 0 "$HM" "$SRC/samples/blind17b-usa-l3-sncc.txt"
grep -o 'for example "[^"]*"' "$T/out" >"$T/quotes"
[ "$(wc -l <"$T/quotes")" -ge 2 ] && [ -z "$(sort "$T/quotes" | uniq -d)" ]; check "two strengths quote two different passages" $?
printf 'topic: {id: t, name: T, period: {start: 1945, end: 1991}}\npeople:\n  - {name: "Harry Truman"}\nevents:\n  - {name: NATO, date: "1949", since: "1949"}\n' >"$T/pack.yaml"
expect_status "a pack event with a date and a since" 2 "$HM" --topic "$T/pack.yaml" "$essay"
stderr_has "the event named with its line" "pack.yaml:5:5: 'NATO' has both a date and a 'since'"
expect_status "--test-rules on the shipped rules" 0 "$HM" --test-rules
stdout_has "--test-rules summary" " 0 failed"
printf 'rules:\n  - id: wrong\n    kind: date\n    message: m\n    pattern: "\\\\d{5}"\n    examples: {match: ["in 1928"]}\n' >"$T/wrong.yaml"
expect_status "--test-rules FILE reports a failing example" 1 "$HM" --test-rules "$T/wrong.yaml"
stdout_has "failing example named" "rule 'wrong' does not match its example: in 1928"

# -o replaces the report only when complete
echo "old report" >"$T/report.json"
expect_status "-o writes the report" 0 "$HM" -f json -o "$T/report.json" "$essay"
grep -q '"mark"' "$T/report.json"; check "-o content" $?
echo "old report" >"$T/report.json"
expect_status "-o with a failing input still writes the rest" 1 "$HM" -f json -o "$T/report.json" "$T/nope.txt" "$essay"
if [ -w /dev/full ]; then
    expect_status "write error is reported" 1 sh -c "\"$HM\" \"$essay\" > /dev/full"
    stderr_has "write error message" "writing the report failed"
fi
# -o to a pipe or device writes into it; a rename would have put a plain
# file in its place (as root, -o /dev/null replaced the device). Tested on a
# pipe of our own: a regression must not break the machine's /dev/null.
mkfifo "$T/pipe"
(timeout 20 cat "$T/pipe" >"$T/from-pipe") &
reader=$!
expect_status "-o to a named pipe" 0 timeout 20 "$HM" -f json -o "$T/pipe" "$essay"
wait $reader
[ -p "$T/pipe" ]; check "-o leaves a named pipe a pipe" $?
grep -q '"mark"' "$T/from-pipe"; check "-o to a named pipe: the report comes through it" $?
mkdir -p "$T/ro"; echo keep >"$T/ro/r.txt"
expect_status "-o into a missing folder" 1 "$HM" -o "$T/missing/dir/r.txt" "$essay"
[ "$(ls "$T" | grep -c tmp)" -eq 0 ]; check "no temporary files left behind" $?

# Folders (issue 4): walked in order, a bad file reported and skipped, the
# same output whatever -j, CSV, the summary, copy flags.
mkdir -p "$T/class/b-group" "$T/class/.drafts"
for f in russia-l1-stalin-rise russia-l3-great-terror usa-l4-king-leadership tudor-l2-henry-vii; do
    cp "$SRC/samples/$f.txt" "$T/class/"
done
cp "$SRC/samples/germany-l5-weimar-stability.txt" "$SRC/samples/coldwar-l4-detente.txt" "$T/class/b-group/"
cp "$essay" "$T/class/.drafts/hidden.txt"
printf 'PK\003\004 not really a zip' >"$T/class/broken.docx"
printf 'notes' >"$T/class/ignored.pdf"
expect_status "a folder with a bad file" 1 "$HM" -f json -j 2 "$T/class"
stderr_has "the bad file is named" "histmark: $T/class/broken.docx: not a Word document"
[ "$(wc -l <"$T/out")" -eq 6 ]; check "the six good essays are reported" $?
! grep -q 'hidden.txt\|ignored.pdf' "$T/out"; check "hidden and non-essay files skipped" $?
grep -o '"file":"[^"]*"' "$T/out" | sed "s|$T/class/||" | tr '\n' ' ' >"$T/order"
[ "$(cat "$T/order")" = '"file":"b-group/coldwar-l4-detente.txt" "file":"b-group/germany-l5-weimar-stability.txt" "file":"russia-l1-stalin-rise.txt" "file":"russia-l3-great-terror.txt" "file":"tudor-l2-henry-vii.txt" "file":"usa-l4-king-leadership.txt" ' ]
check "folder order is sorted and depth first ($(cat "$T/order"))" $?
for j in 1 2 3; do
    "$HM" -f json -j $j "$T/class" "$essay" >"$T/j$j.json" 2>/dev/null
    "$HM" -j $j --summary "$T/class" "$essay" >"$T/j$j.txt" 2>/dev/null
done
cmp -s "$T/j1.json" "$T/j2.json" && cmp -s "$T/j1.json" "$T/j3.json"; check "json identical with -j1, -j2, -j3" $?
cmp -s "$T/j1.txt" "$T/j2.txt" && cmp -s "$T/j1.txt" "$T/j3.txt"; check "text and summary identical with -j1, -j2, -j3" $?
expect_status "-j 0 is refused" 2 "$HM" -j 0 "$essay"
expect_status "no progress line when stderr is not a terminal" 0 "$HM" "$essay"
! grep -q "marking" "$T/err"; check "stderr stays empty" $?

expect_status "csv" 1 "$HM" -f csv "$T/class"
head -c 3 "$T/out" | od -An -tx1 | grep -q "ef bb bf"; check "csv starts with a UTF-8 BOM" $?
[ "$(grep -c 'file,words,mark,level' "$T/out")" -eq 1 ]; check "csv header once" $?
[ "$(tr -cd '\r' <"$T/out" | wc -c)" -eq 7 ]; check "csv: CRLF on the header and six rows" $?
expect_status "--summary with csv is refused" 2 "$HM" -f csv --summary "$essay"

expect_status "--summary" 1 "$HM" --summary "$T/class"
stdout_has "summary heading" "Class summary: 6 essays marked, 1 could not be read"
stdout_has "summary levels" "Level 1 "
stdout_has "summary gaps" "Most common gaps"
stdout_has "summary needs a look" "very short: .*russia-l1-stalin-rise.txt"
expect_status "--summary as json" 1 "$HM" -f json --summary "$T/class"
tail -n 1 "$T/out" | grep -q '^{"summary":{"essays":6,'; check "json summary is the last line" $?

# Copy flags: a paragraph of one essay planted in another.
{ head -n 6 "$SRC/samples/usa-l3-supreme-court.txt"; sed -n '5,6p' "$SRC/samples/russia-l3-great-terror.txt"; } >"$T/class/copied.txt"
expect_status "copy check" 1 "$HM" -f json --summary "$T/class"
grep '"file":"[^"]*copied.txt"' "$T/out" | grep -q '"code":"possible-copy","message":"[0-9]*% of the shorter essay.s text is also in [^"]*russia-l3-great-terror.txt, such as'
check "possible-copy warning names the other file" $?
grep '"file":"[^"]*russia-l3-great-terror.txt"' "$T/out" | grep -q '"possible-copy"'; check "both essays get the warning" $?
[ "$(grep -c '"possible-copy"' "$T/out")" -eq 3 ]; check "no other essay is flagged (and the summary lists it)" $?
grep '"file":"[^"]*copied.txt"' "$T/out" | grep -q 'great-terror.txt, such as \\"The starting point of the Terror was the murder of Kirov'
check "the warning quotes the copied passage" $?
tail -n 1 "$T/out" | grep -q '"possible_copies":\[{"files":\["[^"]*copied.txt","[^"]*russia-l3-great-terror.txt"\],"share":0\.[0-9]*,"passage":"The starting point of the Terror'
check "the summary lists the pair with the passage" $?
tail -n 1 "$T/out" | grep -q '"unreadable":1,' && tail -n 1 "$T/out" | grep -q '"failures":\[{"file":"[^"]*broken.docx","message":"not a Word document[^"]*"}\]'
check "the summary counts and names the unreadable file" $?
mkdir -p "$T/tmp"
expect_status "copy check with TMPDIR" 1 env TMPDIR="$T/tmp" "$HM" -f json --summary "$T/class"
[ "$(grep -c '"possible-copy"' "$T/out")" -eq 3 ] && [ -z "$(ls -A "$T/tmp")" ]
check "same flags, no temporary file left behind" $?
expect_status "copy check without a temporary folder" 1 env TMPDIR="$T/missing" "$HM" -f json --summary "$T/class"
[ "$(grep -c '"possible-copy"' "$T/out")" -eq 3 ]; check "the index falls back to memory" $?
rm -rf "$T/site"
expect_status "html overview with an unreadable file" 1 "$HM" -q -f html -o "$T/site" "$T/class"
grep -q 'broken.docx: not a Word document' "$T/site/index.html" && grep -q 'copied.txt and russia-l3-great-terror.txt' "$T/site/index.html"
check "the overview lists the unreadable file and the pair" $?
expect_status "copy check in text" 1 "$HM" "$T/class"
stdout_has "text warning line" "! possible-copy: "
expect_status "--copy-threshold 0 turns it off" 1 "$HM" -f json --copy-threshold 0 "$T/class"
! grep -q possible-copy "$T/out"; check "no copy warnings with the check off" $?
expect_status "--copy-threshold out of range" 2 "$HM" --copy-threshold 1.5 "$essay"

expect_status "html to stdout" 0 "$HM" -f html "$essay"
stdout_has "html page" '<meta name="viewport"'
expect_status "html for a folder needs -o" 2 "$HM" -f html "$T/class"
stderr_has "html -o DIR message" "name it with -o DIR"

# Editors (issue 5): --stdin-filename names '-' in every format; --format gcc
expect_status "--stdin-filename in json" 0 sh -c "\"$HM\" -f json --stdin-filename notes/my-essay.txt - < \"$essay\""
stdout_has "json names stdin" '"file":"notes/my-essay.txt"'
expect_status "--stdin-filename in text" 0 sh -c "\"$HM\" --stdin-filename notes/my-essay.txt - < \"$essay\""
head -n 1 "$T/out" | grep -qx 'notes/my-essay.txt'; check "text report names stdin" $?
expect_status "--stdin-filename in gcc" 0 sh -c "\"$HM\" -f gcc --stdin-filename notes/my-essay.txt - < \"$essay\""
! grep -v '^notes/my-essay.txt:[0-9]*:[0-9]*: \(warning\|note\): .* \[[a-z0-9-]*\]$' "$T/out" | grep -q .
check "every gcc line is FILE:LINE:COLUMN: severity: message [rule]" $?
expect_status "--stdin-filename leaves named files alone" 0 "$HM" -f gcc --stdin-filename x.txt "$essay"
! grep -q '^x.txt:' "$T/out"; check "a named file keeps its own name" $?
grep -q "^$essay:1:1: note: Mark: [0-9]*/20" "$T/out"; check "gcc: the mark first, at 1:1" $?
grep -q ': warning: .* \[gap-[a-z]*\]$' "$T/out"; check "gcc: gaps are warnings" $?
grep -q '^[^:]*:[0-9]*:[0-9]*: note: A year: "[0-9]*" \[date-year\]$' "$T/out"; check "gcc: findings are notes" $?
! grep -q ': error: ' "$T/out"; check "gcc: nothing is an error" $?
printf 'How far was Stalin\342\200\231s rise due to luck?\n\nIn 1922 Stalin became General Secretary.\n' >"$T/col.txt"
expect_status "gcc columns" 0 "$HM" -f gcc "$T/col.txt"
grep -q "^$T/col.txt:3:4: note: A year: \"1922\" \[date-year\]$" "$T/out"; check "gcc: line and column of a finding" $?

# Hostile inputs (issue 6): each gets its documented outcome quickly.
printf '  \n\t\n\n   \n' >"$T/blank.txt"
expect_status "whitespace-only file is analysed" 0 "$HM" "$T/blank.txt"
stdout_has "whitespace-only file gets mark 0" "Mark: 0/20"
mkfifo "$T/pipe.txt"
expect_status "a FIFO is refused, not waited on" 1 timeout 10 "$HM" "$T/pipe.txt"
stderr_has "FIFO message" "not a regular file"
awk 'BEGIN { for (i = 0; i < 100000; i++) printf "Word%d\n\n", i % 7 }' >"$T/paras.txt"
start=$(date +%s)
expect_status "100,000 one-word paragraphs" 0 "$HM" --format json "$T/paras.txt"
[ $(( $(date +%s) - start )) -lt 30 ]; check "100,000 paragraphs in under 30 s" $?
awk 'BEGIN { for (i = 0; i < 120000; i++) printf "Stalin met Trotsky in 1928 and "; printf "\n" }' >"$T/line.txt"
expect_status "a single 3.5 MB line is analysed" 0 "$HM" --format json "$T/line.txt"
head -c 52428800 /dev/zero | tr '\0' 'a' >"$T/huge.txt"
expect_status "a 50 MB file is too large" 1 "$HM" "$T/huge.txt"
stderr_has "50 MB message names the limit" "huge.txt: too large for an essay"
expect_status "the limit can be raised" 0 "$HM" --max-bytes 60000000 --format json "$T/line.txt"
{ printf 'rules:\n'; i=0; while [ $i -lt 3000 ]; do printf '['; i=$((i + 1)); done; } >"$T/deep.yaml"
expect_status "deeply nested YAML is refused" 2 "$HM" --rules "$T/deep.yaml" "$essay"
stderr_has "deep YAML names the file" "deep.yaml"

# The snapshot cache of user YAML files (src/yamlcache.h): the same output
# from a cold cache, a warm one, a damaged one and none; an edit takes
# effect; errors keep their file, line and column.
export XDG_CACHE_HOME="$T/cache-check"
cp "$SRC/rubrics/a-level-20.yaml" "$T/rubric.yaml"
HISTMARK_NO_CACHE=1 "$HM" --format json --rubric "$T/rubric.yaml" "$essay" >"$T/nocache.json" 2>&1
ls "$XDG_CACHE_HOME"/histmark/yaml-*.snap >/dev/null 2>&1; check "HISTMARK_NO_CACHE=1 writes no cache" $((! $?))
expect_status "rubric copy, cold cache" 0 "$HM" --format json --rubric "$T/rubric.yaml" "$essay"
cmp -s "$T/out" "$T/nocache.json"; check "cold cache: same report" $?
ls "$XDG_CACHE_HOME"/histmark/yaml-*.snap >/dev/null 2>&1; check "a cache entry is written" $?
expect_status "rubric copy, warm cache" 0 "$HM" --format json --rubric "$T/rubric.yaml" "$essay"
cmp -s "$T/out" "$T/nocache.json"; check "warm cache: same report" $?
[ ! -s "$T/err" ]; check "warm cache: nothing on stderr" $?
for f in "$XDG_CACHE_HOME"/histmark/yaml-*.snap; do printf 'XXXX' | dd of="$f" bs=1 seek=300 conv=notrunc 2>/dev/null; done
expect_status "rubric copy, damaged cache" 0 "$HM" --format json --rubric "$T/rubric.yaml" "$essay"
cmp -s "$T/out" "$T/nocache.json"; check "damaged cache: same report" $?
[ ! -s "$T/err" ]; check "damaged cache: nothing on stderr" $?
sed 's/^  min_words: 40 /  min_words: 4000 /' "$T/rubric.yaml" >"$T/rubric2.yaml" && mv "$T/rubric2.yaml" "$T/rubric.yaml"
expect_status "edited rubric copy" 0 "$HM" --format json --rubric "$T/rubric.yaml" "$essay"
stdout_has "the edit takes effect" '"mark":0,'
sed 's/^  min_words: 4000 /  min_words: [4000 /' "$T/rubric.yaml" >"$T/rubric2.yaml" && mv "$T/rubric2.yaml" "$T/rubric.yaml"
expect_status "broken rubric copy" 2 "$HM" --rubric "$T/rubric.yaml" "$essay"
HISTMARK_NO_CACHE=1 "$HM" --rubric "$T/rubric.yaml" "$essay" 2>"$T/err2"
cmp -s "$T/err" "$T/err2"; check "broken rubric: the same error with and without the cache" $?
stderr_has "broken rubric: FILE:LINE:COLUMN" "rubric.yaml:[0-9]*:[0-9]*: invalid YAML"
sed 's/^caps:$/caps:\n  - {when: [], max_level: 1, message: "always {value}"}/' "$SRC/rubrics/a-level-20.yaml" >"$T/rubric3.yaml"
expect_status "a cap with no condition" 2 "$HM" --rubric "$T/rubric3.yaml" "$essay"
stderr_has "a cap with no condition: named with its line" "rubric3.yaml:[0-9]*:[0-9]*: .*'when' needs at least one condition"
expect_status "cache folder unusable" 0 env XDG_CACHE_HOME=/dev/null "$HM" --format json --rubric "$SRC/rubrics/a-level-20.yaml" "$essay"
[ ! -s "$T/err" ]; check "unusable cache folder: nothing on stderr" $?

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
