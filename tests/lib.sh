# Shared by the shell tests: a scratch folder removed on exit, pass and
# fail counters, and check NAME STATUS, which counts STATUS 0 as a pass and
# prints the name of a failure. Source it after any "skipped" exit.
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0
fail=0
check() { # name, condition result
    if [ "$2" -eq 0 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $1"; fi
}
