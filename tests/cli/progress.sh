#!/usr/bin/env bash
# Progress bars: on stderr only, forced on by MMKIT_PROGRESS=1 or
# --progress, off with --no-progress (which beats MMKIT_PROGRESS) and off by
# default when stderr is not a terminal; the line format
# "\rLABEL: PCT% [BAR] DONE/TOTAL UNIT (RATE UNIT/s)" ending at 100% with a
# newline; at most 10 draws a second; stdout (results, JSON) untouched.
set -u
MMKIT=$1
SRC=$2
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
bad() { echo "FAIL $*"; fail=1; }
# the bar segments of stderr file $1, one a line
segments() { tr '\r' '\n' <"$1" | grep -v '^$'; }
seg_re='^[a-z ()]+: +[0-9]{1,3}% \[[#.]{24}\] [0-9.]+[KMGT]?/[0-9.]+[KMGT]? [a-z]+ \([0-9.]+[KMGT]? [a-z]+/s\) *$'

# a trace of 300000 stores over 64 pages, and a tiny one
awk 'BEGIN { for (i = 0; i < 300000; i++) printf " S %x,8\n", 268435456 + (i % 64) * 4096 }' >"$tmp/big.log"
"$MMKIT" trace convert "$tmp/big.log" -o "$tmp/big.mmtrace" 2>/dev/null || bad "convert big"
printf ' S 10000000,8\n S 10001000,8\n' >"$tmp/small.log"
"$MMKIT" trace convert "$tmp/small.log" -o "$tmp/small.mmtrace" 2>/dev/null || bad "convert small"

# default: stderr is a file here, so no bar at all
"$MMKIT" trace replay "$tmp/big.mmtrace" >"$tmp/out" 2>"$tmp/err" || bad "replay: exit $?"
[ ! -s "$tmp/err" ] || bad "default (stderr not a terminal): wrote '$(head -c 80 "$tmp/err")'"
cp "$tmp/out" "$tmp/plain.out"

# forced: the bar's format, ending at 100% and a newline; stdout unchanged
t0=$(date +%s.%N)
MMKIT_PROGRESS=1 "$MMKIT" trace replay "$tmp/big.mmtrace" >"$tmp/out" 2>"$tmp/err" || bad "forced replay: exit $?"
t1=$(date +%s.%N)
cmp -s "$tmp/out" "$tmp/plain.out" || bad "forced replay: stdout differs from the run without a bar"
segments "$tmp/err" >"$tmp/segs"
[ -s "$tmp/segs" ] || bad "forced replay: no progress on stderr"
while IFS= read -r s; do
	grep -qE "$seg_re" <<<"$s" || bad "bar segment '$s' does not match the format"
done <"$tmp/segs"
last=$(tail -1 "$tmp/segs")
grep -qE '^replaying: 100% \[#{24}\] 300\.0K/300\.0K refs \(' <<<"$last" || bad "last segment '$last'"
[ "$(tail -c 1 "$tmp/err" | od -An -c | tr -d ' ')" = '\n' ] || bad "the bar does not end with a newline"
# throttled: at most 10 draws a second (+1 for the first, +1 for the final)
n=$(wc -l <"$tmp/segs")
max=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%d", (b - a) * 10 + 2 }')
[ "$n" -le "$max" ] || bad "throttle: $n draws in $(awk -v a="$t0" -v b="$t1" 'BEGIN{print b-a}')s"

# tiny trace, forced: just the final line
MMKIT_PROGRESS=1 "$MMKIT" trace replay "$tmp/small.mmtrace" >/dev/null 2>"$tmp/err"
[ "$(segments "$tmp/err")" = "$(printf 'replaying: 100%% [########################] 2/2 refs (')$(segments "$tmp/err" | sed 's/.*(//')" ] ||
	bad "small: '$(segments "$tmp/err")'"

# --no-progress beats MMKIT_PROGRESS=1; --progress forces it on; both are
# global options, accepted before or after the command
MMKIT_PROGRESS=1 "$MMKIT" --no-progress trace replay "$tmp/small.mmtrace" >/dev/null 2>"$tmp/err"
[ ! -s "$tmp/err" ] || bad "--no-progress: wrote '$(head -c 80 "$tmp/err")'"
MMKIT_PROGRESS=0 "$MMKIT" trace replay --progress "$tmp/small.mmtrace" >/dev/null 2>"$tmp/err"
grep -q 'replaying: 100%' "$tmp/err" || bad "--progress: no bar"
# --json and a forced bar: stdout is still exactly the JSON
"$MMKIT" trace replay --progress --json "$tmp/small.mmtrace" >"$tmp/out" 2>"$tmp/err"
grep -q 'replaying: 100%' "$tmp/err" || bad "--progress --json: no bar on stderr"
head -c 1 "$tmp/out" | grep -q '{' || bad "--progress --json: stdout does not start with the JSON"
if command -v python3 >/dev/null; then
	python3 -c 'import json,sys; json.load(sys.stdin)' <"$tmp/out" || bad "--progress --json: stdout is not JSON"
fi
# a policy run labels its bar; report and run count steps and commands
MMKIT_PROGRESS=1 "$MMKIT" trace replay --policy lru --frames 8 "$tmp/small.mmtrace" >/dev/null 2>"$tmp/err"
grep -q 'replaying (lru): 100%' "$tmp/err" || bad "policy label: '$(segments "$tmp/err")'"
sc=$SRC/examples/scenarios/buddy.mms
MMKIT_PROGRESS=1 "$MMKIT" report "$sc" -o "$tmp/r" >/dev/null 2>"$tmp/err" || bad "report: exit $?"
segments "$tmp/err" | tail -1 | grep -qE '^report: 100% \[#{24}\] [0-9]+/[0-9]+ steps' || bad "report bar: '$(segments "$tmp/err" | tail -1)'"
MMKIT_PROGRESS=1 "$MMKIT" run "$sc" >"$tmp/out" 2>"$tmp/err" || bad "run: exit $?"
segments "$tmp/err" | tail -1 | grep -qE '^running: 100% \[#{24}\] [0-9]+/[0-9]+ commands' || bad "run bar: '$(segments "$tmp/err" | tail -1)'"
"$MMKIT" run "$sc" | cmp -s - "$tmp/out" || bad "run: a bar changed stdout"
MMKIT_PROGRESS=1 "$MMKIT" trace convert "$tmp/small.log" -o "$tmp/s2.mmtrace" 2>"$tmp/err" >/dev/null
grep -qE '^converting: 100% \[#{24}\] [0-9]+/[0-9]+ bytes' <(segments "$tmp/err") || bad "convert bar: '$(segments "$tmp/err")'"
[ $fail = 0 ] && echo "progress: all passed"
exit $fail
