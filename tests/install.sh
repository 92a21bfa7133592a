#!/bin/sh
# `cmake --install` gives a usable library: a program built only from the
# installed header and pkg-config file links against libhistmark.so and marks
# an essay; the installed command, man page and YAML files are in place.
BUILD=$1
SRC=$2
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
set -e
cmake --install "$BUILD" --prefix "$T/prefix" >/dev/null
for f in bin/histmark include/histmark.h share/man/man1/histmark.1 share/histmark/rubrics/rules.yaml \
         share/histmark/rubrics/topics/russia-1917-53.yaml; do
    [ -e "$T/prefix/$f" ] || { echo "FAIL: $f not installed"; exit 1; }
done
pc=$(find "$T/prefix" -name histmark.pc)
[ -n "$pc" ] || { echo "FAIL: histmark.pc not installed"; exit 1; }
cat >"$T/consumer.c" <<'C'
#include <histmark.h>
#include <stdio.h>
#include <string.h>
int main(void)
{
    hm_error err = {0};
    hm_config *cfg = hm_config_load(NULL, &err);
    if (!cfg) { fprintf(stderr, "%s\n", err.message); return 1; }
    const char *essay = "How far did the NEP succeed by 1928?\n\nThe NEP of 1921 restored trade, and by 1926 "
                        "output had recovered because peasants could sell their surplus; however, industry lagged.\n";
    hm_result *r = hm_analyze(cfg, essay, strlen(essay), NULL, &err);
    if (!r) return 1;
    printf("mark %d/%d level %d findings %zu\n", hm_result_mark(r), hm_result_out_of(r), hm_result_level(r),
           hm_result_finding_count(r));
    hm_result_free(r);
    hm_config_free(cfg);
    return 0;
}
C
PKG_CONFIG_PATH=$(dirname "$pc") cc -std=c11 "$T/consumer.c" -o "$T/consumer" \
    $(PKG_CONFIG_PATH=$(dirname "$pc") pkg-config --cflags --libs histmark)
out=$(LD_LIBRARY_PATH=$(dirname "$(find "$T/prefix" -name 'libhistmark.so' | head -1)") "$T/consumer")
echo "$out"
echo "$out" | grep -q "^mark [0-9]*/20 level [0-9] findings [1-9]" || { echo "FAIL: consumer output"; exit 1; }
"$T/prefix/bin/histmark" --version | grep -q histmark || { echo "FAIL: installed command"; exit 1; }
echo "1 passed, 0 failed"
