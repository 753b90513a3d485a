#!/usr/bin/env bash
# `mmkit trace replay --policy/--frames/--compare-policies`: the textbook
# reference strings, written as lackey logs and converted with `mmkit trace
# convert`, replayed through the kernel's reclaim with N frames give the
# textbook fault counts (FIFO 9/10 with Belady's anomaly, LRU 10/8, OPT 7/6
# for 1,2,3,4,1,2,5,1,2,3,4,5 with 3/4 frames; FIFO 15, LRU 12, OPT 9 for
# Silberschatz's 7,0,1,2,0,3,0,4,2,3,0,3,2,1,2,0,1,7,0,1 with 3), the kernel's
# counts equal the oracle's model of the same policy, and bad options are
# refused with exit 2.
set -u
. "$(dirname "$0")/common.bash"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# A lackey log storing 8 bytes to page P of 0x10000000 for each P given.
refs() { # file, pages...
	local f=$1; shift
	for p in "$@"; do printf ' S %x,8\n' $((0x10000000 + p * 4096)); done >"$f"
}
# The faults (minor + major) of a --json replay in $out.
json_faults() {
	local min maj
	min=$(sed -n 's/.*"minflt": \([0-9]*\).*/\1/p' <<<"$out")
	maj=$(sed -n 's/.*"majflt": \([0-9]*\).*/\1/p' <<<"$out")
	echo $((min + maj))
}
# The row of a --compare-policies table: policy faults ... oracle.
row() { # name, policy, faults, oracle
	local line
	line=$(awk -v p="$2" '$1 == p' <<<"$out")
	set -- "$1" "$2" "$3" "$4" $line
	[ "$6" = "$3" ] || { echo "FAIL $1: $2 faults '$6', want $3"; fail=1; }
	[ "${11}" = "$4" ] || { echo "FAIL $1: $2 oracle '${11}', want $4"; fail=1; }
}

refs "$tmp/belady.log" 1 2 3 4 1 2 5 1 2 3 4 5
refs "$tmp/classic.log" 7 0 1 2 0 3 0 4 2 3 0 3 2 1 2 0 1 7 0 1
check convert 0 "$MMKIT" trace convert "$tmp/belady.log" -o "$tmp/belady.mmtrace"
has convert "12 references"
check convert-default 0 "$MMKIT" trace convert "$tmp/classic.log"
[ -f "$tmp/classic.log.mmtrace" ] || { echo "FAIL convert-default: no classic.log.mmtrace"; fail=1; }

# one policy at a time, through the kernel (JSON)
for spec in fifo:3:9 fifo:4:10 lru:3:10 lru:4:8; do
	IFS=: read -r pol fr want <<<"$spec"
	check "$pol-$fr" 0 "$MMKIT" trace replay --json --policy "$pol" --frames "$fr" "$tmp/belady.mmtrace"
	got=$(json_faults)
	[ "$got" = "$want" ] || { echo "FAIL $pol-$fr: $got faults, want $want"; fail=1; }
	has "$pol-$fr" "\"policy\": \"$pol\", \"frames\": $fr,"
done
check fifo-human 0 "$MMKIT" trace replay --policy fifo --frames 3 "$tmp/belady.mmtrace"
has fifo-human "policy         fifo, 3 frames (resident user pages), 65536 kB swap"
has fifo-human "page faults    minor 5, major 4"
has fifo-human "swap           4 pages in, "
for spec in 3:7 4:6; do
	IFS=: read -r fr want <<<"$spec"
	check "opt-$fr" 0 "$MMKIT" trace replay --policy opt --frames "$fr" "$tmp/belady.mmtrace"
	has "opt-$fr" "policy         opt (Belady's oracle on 12 page references): $want faults with $fr frames"
	check "opt-json-$fr" 0 "$MMKIT" trace replay --json --policy opt --frames "$fr" "$tmp/belady.mmtrace"
	has "opt-json-$fr" "\"opt_faults\": $want,"
done

# every policy side by side with OPT
check compare-3 0 "$MMKIT" trace replay --compare-policies --frames 3 "$tmp/belady.mmtrace"
row compare-3 fifo 9 9; row compare-3 lru 10 10; row compare-3 clock 9 9; row compare-3 opt 7 7
has compare-3 "12 page references"
check compare-4 0 "$MMKIT" trace replay --compare-policies --frames 4 "$tmp/belady.mmtrace"
row compare-4 fifo 10 10; row compare-4 lru 8 8; row compare-4 clock 10 10; row compare-4 opt 6 6
check compare-classic 0 "$MMKIT" trace replay --compare-policies --frames 3 "$tmp/classic.log.mmtrace"
row compare-classic fifo 15 15; row compare-classic lru 12 12; row compare-classic opt 9 9
row compare-classic clock 14 14
check compare-json 0 "$MMKIT" trace replay --json --compare-policies --frames 3 "$tmp/belady.mmtrace"
has compare-json '{"policy": "fifo", "faults": 9,'
has compare-json '{"policy": "opt", "faults": 7, "oracle_faults": 7, "ratio_to_opt": 1.0000}'
if command -v python3 >/dev/null; then
	python3 -c 'import json,sys; d=json.load(sys.stdin); assert [p["policy"] for p in d["policies"]] == ["linux","clock","lru","fifo","opt"]' <<<"$out" ||
		{ echo "FAIL compare-json: not valid JSON of the expected shape"; fail=1; }
fi
# deterministic
first=$out
check compare-again 0 "$MMKIT" trace replay --json --compare-policies --frames 3 "$tmp/belady.mmtrace"
[ "$out" = "$first" ] || { echo "FAIL compare-again: output differs between runs"; fail=1; }

# bad usage
check bad-policy 2 "$MMKIT" trace replay --policy lfu --frames 3 "$tmp/belady.mmtrace"
has bad-policy "unknown policy 'lfu' (linux, clock, lru, fifo or opt)"
check opt-no-frames 2 "$MMKIT" trace replay --policy opt "$tmp/belady.mmtrace"
has opt-no-frames "--policy opt needs --frames N"
check compare-no-frames 2 "$MMKIT" trace replay --compare-policies "$tmp/belady.mmtrace"
has compare-no-frames "--compare-policies needs --frames N"
check bad-frames 2 "$MMKIT" trace replay --frames x "$tmp/belady.mmtrace"
check small-swap 1 "$MMKIT" trace replay --policy lru --frames 3 --swap 8K "$tmp/belady.mmtrace"
has small-swap "cannot add 8192 bytes of swap"
check help 0 "$MMKIT" help trace
has help "--compare-policies"; has help "--frames N"
check help-topic 0 "$MMKIT" help policies
has help-topic "docs/reclaim.md"; has help-topic "--compare-policies"
[ $fail = 0 ] && echo "trace_policy: all passed"
exit $fail
