#!/bin/sh
# CLI tests: exit codes, messages on stderr, formats, atomic output.
# Usage: cli.sh HISTMARK SOURCE_DIR
HM=$1
SRC=$2
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0
fail=0

check() { # name, condition result
    if [ "$2" -eq 0 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $1"; fi
}
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
expect_status "directory" 1 "$HM" "$T"
stderr_has "directory message" "is a directory"
printf 'PK\003\004\000\000\000binary' >"$T/essay.docx"
expect_status "binary file" 1 "$HM" "$T/essay.docx"
stderr_has "binary message" "not a text file"
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

printf 'rules:\n  - id: r\n    kind: date\n    message: m\n    patern: x\n' >"$T/bad.yaml"
expect_status "bad rules file" 2 "$HM" --rules "$T/bad.yaml" "$essay"
stderr_has "bad rules file:line:column" "$T/bad.yaml:5:5: unknown key 'patern'"
expect_status "unknown topic" 2 "$HM" --topic atlantis "$essay"
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
mkdir -p "$T/ro"; echo keep >"$T/ro/r.txt"
expect_status "-o into a missing folder" 1 "$HM" -o "$T/missing/dir/r.txt" "$essay"
[ "$(ls "$T" | grep -c tmp)" -eq 0 ]; check "no temporary files left behind" $?

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
