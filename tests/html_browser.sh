#!/bin/sh
# The HTML reports in a real browser: headless Chromium loads the pages from
# disk (no network), runs their script, and we check what it rendered and
# that a screenshot has something in it. Exits 77 (skipped) without chromium.
# Usage: html_browser.sh HISTMARK SOURCE_DIR
HM=$1
SRC=$2
CHROMIUM=$(command -v chromium || command -v chromium-browser) || { echo "chromium not installed: skipped"; exit 77; }
. "$(dirname "$0")/lib.sh"
browse() { # chromium ARGS... URL: a fresh profile each time, nothing fetched from outside
    HOME=$T timeout 90 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$(mktemp -d "$T/profile.XXXXXX")" --virtual-time-budget=3000 "$@" 2>>"$T/chromium.log"
}

essay="$SRC/samples/russia-l4-nep.txt"
mark=$("$HM" -f json "$essay" | sed 's/.*"mark":\([0-9]*\).*/\1/')

# One essay, one page.
"$HM" -f html -o "$T/one.html" "$essay"; check "one page written" $?
browse --dump-dom "file://$T/one.html" >"$T/one.dom"
grep -q "Mark: $mark/20, Level" "$T/one.dom"; check "the browser shows the mark ($mark/20)" $?
grep -q '<mark class="k-date"[^>]*>1921</mark>' "$T/one.dom"; check "a date is highlighted" $?
grep -q '<mark class="k-person"[^>]*>Lenin</mark>' "$T/one.dom"; check "a person is highlighted" $?
grep -q '<svg' "$T/one.dom"; check "the strand chart is there" $?
[ "$(grep -c '<rect class="bar"' "$T/one.dom")" -eq 4 ]; check "one bar per strand" $?
grep -q 'Kronstadt' "$T/one.dom"; check "the essay text is there" $?
! grep -q '<script src\|<link rel="stylesheet"\|src="http' "$T/one.html"; check "no external assets" $?
browse --screenshot="$T/one.png" --window-size=1200,1600 "file://$T/one.html" >/dev/null
[ -s "$T/one.png" ] && [ "$(head -c 8 "$T/one.png" | od -An -c | tr -d ' ')" = "211PNG\r\n032\n" ]
check "a PNG screenshot" $?
[ "$(wc -c <"$T/one.png")" -gt 40000 ]; check "the screenshot is not blank ($(wc -c <"$T/one.png") bytes)" $?
# On a phone's width the page reflows rather than scrolling sideways.
browse --screenshot="$T/phone.png" --window-size=390,844 "file://$T/one.html" >/dev/null
[ "$(wc -c <"$T/phone.png")" -gt 10000 ]; check "a phone-sized screenshot" $?

# A folder: an overview and a page per essay, sorted by mark in the browser.
mkdir -p "$T/class/group b" "$T/class/.hidden"
for f in russia-l1-stalin-rise russia-l3-great-terror russia-l4-nep russia-l5-trotsky-civil-war; do
    cp "$SRC/samples/$f.txt" "$T/class/"
done
cp "$SRC/samples/germany-l3-nazi-popularity.txt" "$T/class/group b/"
cp "$essay" "$T/class/.hidden/not-read.txt"
# A copied passage: the NEP essay's second paragraph inside another essay.
{ head -n 4 "$SRC/samples/russia-l3-great-terror.txt"; sed -n '3,6p' "$essay"; } >"$T/class/copied.txt"
echo "keep me" >"$T/site-keep.txt"
mkdir -p "$T/site"; cp "$T/site-keep.txt" "$T/site/notes.txt"
"$HM" -q -f html -o "$T/site" "$T/class" >"$T/out"; check "folder of pages written" $?
[ -f "$T/site/index.html" ] && [ "$(ls "$T/site/essays" | wc -l)" -eq 6 ]; check "an overview and six essay pages" $?
cmp -s "$T/site/notes.txt" "$T/site-keep.txt"; check "other files in the folder are left alone" $?
[ -z "$(find "$T/site" -name '*.tmp.*')" ]; check "no temporary files left" $?
browse --dump-dom "file://$T/site/index.html" >"$T/index.dom"
rows=$(grep -o '<tr data-i=' "$T/index.dom" | wc -l)
[ "$rows" -eq 6 ]; check "the table has six rows after load (got $rows)" $?
grep -q '6 essays, highest mark first' "$T/index.dom"; check "the script ran and sorted the table" $?
marks=$(grep -o 'class="n m" data-v="[0-9]*"' "$T/index.dom" | sed 's/.*"\([0-9]*\)"/\1/' | tr '\n' ' ')
[ "$marks" = "$(echo "$marks" | tr ' ' '\n' | grep . | sort -rn | tr '\n' ' ')" ]; check "rows in mark order ($marks)" $?
grep -q 'id="histogram"' "$T/index.dom"; check "the mark histogram" $?
grep -q 'possible copying' "$T/index.dom"; check "the copy flag on the overview" $?
grep -q 'href="essays/group-b-germany-l3-nazi-popularity.html"' "$T/index.dom"; check "a link to an essay's page" $?
browse --dump-dom "file://$T/site/essays/copied.html" >"$T/copied.dom"
grep -q 'possible-copy' "$T/copied.dom"; check "the copy warning on the essay's page" $?
grep -q 'href="../index.html"' "$T/copied.dom"; check "the essay page links back" $?
browse --screenshot="$T/index.png" --window-size=1200,1600 "file://$T/site/index.html" >/dev/null
[ "$(wc -c <"$T/index.png")" -gt 40000 ]; check "the overview screenshot is not blank" $?
[ -n "$KEEP_SCREENSHOTS" ] && cp "$T"/*.png "$KEEP_SCREENSHOTS"/

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
