#!/usr/bin/env bash
# `mmkit trace`: usage errors, a missing or corrupt trace, and (when valgrind
# is installed) recording /bin/true and replaying it: the output's shape and
# that the replay is deterministic.
set -u
. "$(dirname "$0")/common.bash"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
check help 0 "$MMKIT" help trace;             has help "mmkit trace record [-o FILE] -- PROGRAM"
has help "--policy"
check no-sub 2 "$MMKIT" trace;                has no-sub "usage: mmkit trace record"
check record-no-prog 2 "$MMKIT" trace record
check replay-missing 1 "$MMKIT" trace replay "$tmp/none.mmtrace"
has replay-missing "mmkit: trace replay: $tmp/none.mmtrace: No such file or directory"
printf 'MMKTRACE\001\000' >"$tmp/short.mmtrace"
check replay-short 1 "$MMKIT" trace replay "$tmp/short.mmtrace"
has replay-short "short.mmtrace: offset 10: truncated header (10 of 56 bytes)"
check record-no-valgrind 1 env PATH=/nonexistent "$MMKIT" trace record -- /bin/true
has record-no-valgrind "trace record needs valgrind"

if ! command -v valgrind >/dev/null; then
	echo "valgrind not installed: skipping the record/replay round trip"
	exit $fail
fi
check record 0 "$MMKIT" trace record -o "$tmp/true.mmtrace" -- /bin/true
has record "references,"; has record "initial mappings"
check replay 0 "$MMKIT" trace replay "$tmp/true.mmtrace"
for f in "references " "page faults    minor " "TLB " "hit rate" "pages touched" \
	 "working set    per window of 100000 references" "MemTotal" "AnonPages"; do
	has replay "$f"
done
has replay "skipped        0 outside every VMA, 0 against the protection"
first=$out
check replay-again 0 "$MMKIT" trace replay "$tmp/true.mmtrace"
[ "$out" = "$first" ] || { echo "FAIL replay-again: output differs between runs"; fail=1; }
check replay-json 0 "$MMKIT" trace replay --json --window 50000 "$tmp/true.mmtrace"
has replay-json '"minflt": '; has replay-json '"windows": [{"pages": '
if command -v python3 >/dev/null; then
	python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["references"] > 100000 and d["minflt"] > 0' <<<"$out" ||
		{ echo "FAIL replay-json: not valid JSON of the expected shape"; fail=1; }
fi
check replay-i386 1 "$MMKIT" trace replay --machine pc-i386-64m "$tmp/true.mmtrace"
has replay-i386 "an x86_64 trace needs an x86_64 machine"
check replay-ram 0 "$MMKIT" trace replay --ram 64M "$tmp/true.mmtrace"
has replay-ram "MemTotal"
exit $fail
