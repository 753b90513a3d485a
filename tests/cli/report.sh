#!/usr/bin/env bash
# `mmkit report SCENARIO -o DIR`: writes well-formed SVG plots and an HTML
# page with one sample per scenario command, whose numbers are the machine's:
# buddy free lists, memory by type (with file, shmem and swap), faults per
# step, a line per process's RSS; and the report of a trace replay (working
# set, faults, swap traffic, TLB hit rate per window).
set -u
MMKIT=$1
SRC=$2
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
bad() { echo "FAIL $*"; fail=1; }
sc=$SRC/examples/scenarios/buddy.mms
"$MMKIT" report "$sc" -o "$tmp/r" || bad "report: exit $?"
for f in index.html buddy.svg memory.svg faults.svg rss.svg; do
	[ -s "$tmp/r/$f" ] || { bad "report: no $f"; continue; }
	if command -v xmllint >/dev/null; then
		xmllint --noout "$tmp/r/$f" 2>&1 || bad "$f is not well-formed XML"
	fi
done
[ "$(grep -c '<svg ' "$tmp/r/index.html")" = 4 ] || bad "index.html: want 4 inline SVG plots"
[ "$(grep -c '<polyline' "$tmp/r/buddy.svg")" = 11 ] || bad "buddy.svg: want one line per order (11 on i386)"
legend() { grep -o 'class="legend" x="[0-9]*" y="[0-9]*">[^<]*' "$1" | sed 's/.*>//'; }
[ "$(legend "$tmp/r/memory.svg" | tr '\n' ,)" = "free,anon,file,shmem,slab,page tables,swap," ] ||
	bad "memory.svg: series $(legend "$tmp/r/memory.svg" | tr '\n' ,)"
[ "$(legend "$tmp/r/faults.svg" | tr '\n' ,)" = "minor,major," ] || bad "faults.svg: want minor, major"
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
# swap.mms: one process "big" whose RSS is plotted, swap used and major
# faults (swap-ins) at some step, and the totals are /proc/vmstat's
sw=$SRC/examples/scenarios/swap.mms
"$MMKIT" report "$sw" -o "$tmp/s" || bad "report swap.mms: exit $?"
legend "$tmp/s/rss.svg" | grep -qE '^big \([0-9]+\)$' || bad "rss.svg: no line for process big: $(legend "$tmp/s/rss.svg")"
[ "$(grep -c '<polyline' "$tmp/s/rss.svg")" = "$(legend "$tmp/s/rss.svg" | wc -l)" ] || bad "rss.svg: a polyline per process"
# table columns: step, command, free anon file shmem slab pagetables swap, minor, major
rows() { grep '^<tr><td>' "$1" | sed -E 's#</?code>##g; s#</td><td>#|#g; s#^<tr><td>##; s#</td></tr>$##'; }
maxswap=$(rows "$tmp/s/index.html" | awk -F'|' '$9 > m { m = $9 } END { print m + 0 }')
majsum=$(rows "$tmp/s/index.html" | awk -F'|' '{ s += $11 } END { print s + 0 }')
minsum=$(rows "$tmp/s/index.html" | awk -F'|' '{ s += $10 } END { print s + 0 }')
[ "$maxswap" -gt 0 ] || bad "swap.mms: swap used never above 0 kB"
{ cat "$sw"; echo "show /proc/vmstat"; } >"$tmp/sw.mms"
"$MMKIT" run "$tmp/sw.mms" >"$tmp/sw.out"
vmaj=$(awk '$1 == "pgmajfault" { v = $2 } END { print v }' "$tmp/sw.out")
vflt=$(awk '$1 == "pgfault" { v = $2 } END { print v }' "$tmp/sw.out")
[ "$majsum" = "$vmaj" ] || bad "swap.mms: major faults summed over the steps $majsum, pgmajfault $vmaj"
[ $((minsum + majsum)) = "$vflt" ] || bad "swap.mms: faults summed over the steps $((minsum + majsum)), pgfault $vflt"
[ "$majsum" -gt 0 ] || bad "swap.mms: no major fault plotted"

# a trace replay's report: 400 references cycling over 16 pages with 4
# frames and LRU: every reference faults, and swaps once the 4 are full
awk 'BEGIN { for (i = 0; i < 400; i++) printf " S %x,8\n", 268435456 + (i % 16) * 4096 }' >"$tmp/t.log"
"$MMKIT" trace convert "$tmp/t.log" -o "$tmp/t.mmtrace" 2>/dev/null || bad "convert: exit $?"
out=$("$MMKIT" trace replay "$tmp/t.mmtrace" --policy lru --frames 4 --window 100 --report "$tmp/t") ||
	bad "replay --report: exit $?"
for f in index.html workingset.svg faults.svg swap.svg tlb.svg; do
	[ -s "$tmp/t/$f" ] || { bad "replay report: no $f"; continue; }
	if command -v xmllint >/dev/null; then
		xmllint --noout "$tmp/t/$f" 2>&1 || bad "replay report: $f is not well-formed XML"
	fi
done
[ "$(legend "$tmp/t/swap.svg" | tr '\n' ,)" = "pswpin,pswpout," ] || bad "swap.svg: series"
[ "$(legend "$tmp/t/workingset.svg" | tr '\n' ,)" = "working set (pages touched),resident (RSS pages)," ] ||
	bad "workingset.svg: series"
# windows table: window, references, ws, rss, minor, major, pswpin, pswpout, tlb
[ "$(rows "$tmp/t/index.html" | wc -l)" = 4 ] || bad "replay report: want 4 windows of 100"
rows "$tmp/t/index.html" | awk -F'|' '$3 != 16 || $4 > 4 || $5 + $6 != 100 { exit 1 }' ||
	bad "replay report: want 16 pages touched, RSS <= 4 and 100 faults a window: $(rows "$tmp/t/index.html" | head -2)"
rows "$tmp/t/index.html" | tail -1 | awk -F'|' '$8 < 90 { exit 1 }' || bad "replay report: last window swaps out < 90 pages"
# mmkit report on a trace is the same report
"$MMKIT" report "$tmp/t.mmtrace" -o "$tmp/t2" >/dev/null || bad "report TRACE: exit $?"
[ -s "$tmp/t2/workingset.svg" ] || bad "report TRACE: no workingset.svg"
"$MMKIT" trace replay "$tmp/t.mmtrace" --compare-policies --frames 4 --report "$tmp/t3" 2>/dev/null
[ $? = 2 ] || bad "--report with --compare-policies: want exit 2"

"$MMKIT" report "$sc" 2>/dev/null; [ $? = 2 ] || bad "report without -o: want exit 2"
"$MMKIT" report /nonexistent.mms -o "$tmp/n" 2>/dev/null && bad "report of a missing scenario succeeded"
[ $fail = 0 ] && echo "report: all passed"
exit $fail
