#!/usr/bin/env bash
# `mmkit help TOPIC` for each mechanism: exits 0, names a docs file and an
# example scenario that exist; an unknown topic exits 1.
set -u
MMKIT=$1
SRC=$2
fail=0
bad() { echo "FAIL $*"; fail=1; }
for t in buddy slab vmalloc kmap paging cow stack brk mmu vma shm pagecache swap oom replacement; do
	out=$("$MMKIT" help "$t" 2>&1) || { bad "help $t: exit $?"; continue; }
	doc=$(awk '$1 == "Read:" { print $2 }' <<<"$out")
	sc=$(awk '$1 == "Run:" { print $4 }' <<<"$out")
	[ -n "$doc" ] && [ -f "$SRC/$doc" ] || bad "help $t: docs file '$doc' does not exist"
	[ -n "$sc" ] && [ -f "$SRC/$sc" ] || bad "help $t: scenario '$sc' does not exist"
	grep -q "^$t: " <<<"$out" || bad "help $t: does not start with the topic"
done
"$MMKIT" help nosuchtopic >/dev/null 2>&1; [ $? = 1 ] || bad "help nosuchtopic: want exit 1"
out=$("$MMKIT" help proc) || bad "help proc: exit $?"
grep -q "/proc/vmstat" <<<"$out" || bad "help proc: no /proc/vmstat"
grep -q "/proc/swaps" <<<"$out" || bad "help proc: no /proc/swaps"
[ $fail = 0 ] && echo "help_topics: all passed"
exit $fail
