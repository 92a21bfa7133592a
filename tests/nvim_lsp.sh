#!/bin/sh
# Neovim as a real client of `histmark lsp`: tests/nvim/init.lua opens an
# essay, waits for the diagnostics, hovers and applies the quick fix; this
# script checks what Neovim saw. Exits 77 (skipped) when nvim is missing.
# Usage: nvim_lsp.sh HISTMARK SOURCE_DIR
HM=$1
SRC=$2
command -v nvim >/dev/null 2>&1 || { echo "nvim not installed: skipped"; exit 77; }
. "$(dirname "$0")/lib.sh"
has() { grep -qF -- "$2" "$T/out.json"; check "$1" $?; }

cp "$SRC/tests/nvim/essay.txt" "$T/essay.txt"
# Neovim keeps its LSP log and state under XDG folders: keep them in $T.
HISTMARK="$HM" ESSAY="$T/essay.txt" OUT="$T/out.json" XDG_CONFIG_HOME="$T" XDG_CACHE_HOME="$T" \
    XDG_STATE_HOME="$T" XDG_DATA_HOME="$T" \
    timeout 50 nvim --headless -n -i NONE --noplugin -u "$SRC/tests/nvim/init.lua" >"$T/nvim.log" 2>&1
[ -s "$T/out.json" ]; check "Neovim wrote the diagnostics it received" $?
if [ -s "$T/out.json.err" ] || [ ! -s "$T/out.json" ]; then
    echo "nvim: $(cat "$T/out.json.err" "$T/nvim.log" 2>/dev/null | head -c 600)"
    echo "$pass passed, $fail failed"
    exit 1
fi

# Columns are Neovim's byte columns: "1922" follows a 3-byte apostrophe.
has "the date at its byte column (line 3)" '{"lnum":2,"col":98,"end_lnum":2,"end_col":102,"severity":4,"code":"date-year"'
has "the misspelt name, as information" '{"lnum":4,"col":0,"end_lnum":4,"end_col":6,"severity":3,"code":"person-name"'
has "a gap as a warning" '"severity":2,"code":"gap-'
has "the very-short warning on line 1" '{"lnum":0,"col":0,"end_lnum":0,"end_col":78,"severity":2,"code":"very-short"'
has "source is histmark" '"source":"histmark"'
grep -q '"hover":".*Trotsky' "$T/out.json"; check "hover names the correction" $?
grep -q '"fixed":"Trotsky was the most famous Bolshevik' "$T/out.json"; check "the quick fix corrected the name" $?

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
