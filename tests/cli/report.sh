#!/usr/bin/env bash
# `mmkit report SCENARIO -o DIR`: writes well-formed SVG plots and an HTML
# page with one sample per scenario command, whose numbers are the machine's.
set -u
MMKIT=$1
SRC=$2
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
bad() { echo "FAIL $*"; fail=1; }
sc=$SRC/examples/scenarios/buddy.mms
"$MMKIT" report "$sc" -o "$tmp/r" || bad "report: exit $?"
for f in index.html buddy.svg memory.svg; do
	[ -s "$tmp/r/$f" ] || { bad "report: no $f"; continue; }
	if command -v xmllint >/dev/null; then
		xmllint --noout "$tmp/r/$f" 2>&1 || bad "$f is not well-formed XML"
	fi
done
[ "$(grep -c '<svg ' "$tmp/r/index.html")" = 2 ] || bad "index.html: want 2 inline SVG plots"
[ "$(grep -c '<polyline' "$tmp/r/buddy.svg")" = 11 ] || bad "buddy.svg: want one line per order (11 on i386)"
[ "$(grep -c '<polyline' "$tmp/r/memory.svg")" = 4 ] || bad "memory.svg: want free, anon, slab, page tables"
# One table row per command that ran on the booted machine (not the
# `machine` line nor `expect` lines), and the last row's free memory is what
# `mmkit run` shows in /proc/meminfo at the end.
cmds=$(grep -cvE '^\s*(#|$|machine |expect )' "$sc")
rows=$(grep -c '^<tr><td>' "$tmp/r/index.html")
[ "$rows" = "$cmds" ] || bad "index.html: $rows steps, scenario has $cmds commands"
{ cat "$sc"; echo "show /proc/meminfo"; } >"$tmp/sc.mms"
memfree=$("$MMKIT" run "$tmp/sc.mms" | awk '$1 == "MemFree:" { v = $2 } END { print v }')
last=$(grep '^<tr><td>' "$tmp/r/index.html" | tail -1 | sed -E 's#^<tr><td>[0-9]+</td><td><code>.*</code></td><td>([0-9]+)</td>.*#\1#')
[ "$last" = "$memfree" ] || bad "last step's free kB $last, MemFree at the end $memfree"
"$MMKIT" report "$sc" 2>/dev/null; [ $? = 2 ] || bad "report without -o: want exit 2"
"$MMKIT" report /nonexistent.mms -o "$tmp/n" 2>/dev/null && bad "report of a missing scenario succeeded"
[ $fail = 0 ] && echo "report: all passed"
exit $fail
