#!/usr/bin/env bash
# --json on every mmkit command: stdout is one JSON document (JSON Lines
# for `mmkit run`: one object per command) of the shape docs/mmkit.1
# documents, with numbers that agree with the human output. Checked with
# python3's json module (or only for validity with jq when python3 is
# missing; skipped when neither is installed).
set -u
MMKIT=$1
SRC=$2
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if command -v python3 >/dev/null; then
	PY=1
elif command -v jq >/dev/null; then
	PY=0
else
	echo "neither python3 nor jq installed: skipping the JSON checks"
	exit 0
fi
# name, python expression over d (the document), command...: exit 0, stdout
# parses, and (with python3) the expression holds.
js() {
	local name=$1 expr=$2; shift 2
	out=$("$@" 2>"$tmp/err"); rc=$?
	if [ "$rc" != 0 ]; then echo "FAIL $name: exit $rc"; tail -3 "$tmp/err"; fail=1; return; fi
	if [ $PY = 1 ]; then
		python3 -c "import json,sys
d=json.loads(sys.stdin.read())
assert $expr, 'shape'" <<<"$out" 2>"$tmp/pyerr" ||
			{ echo "FAIL $name: $(tail -1 "$tmp/pyerr")"; echo "$out" | head -c 400; echo; fail=1; }
	else
		jq -e . >/dev/null <<<"$out" || { echo "FAIL $name: not JSON"; fail=1; }
	fi
}
sc=$SRC/examples/scenarios

js boot 'd["booted"] and d["machine"] == "pc-i386-128m" and d["arch"] == "i386" and d["violations"] is None and d["log"][0].startswith("[    0.000000] Linux version") and d["totalram_kB"] > 100000' \
	"$MMKIT" boot --json
js boot-check 'd["violations"] == 0 and d["arch"] == "x86_64" and d["cmdline"].endswith("mem=512M")' \
	"$MMKIT" boot pc-x86_64-16g --check --cmdline mem=512M --json
# the log lines are the human output's lines
"$MMKIT" boot >"$tmp/boot.txt"
js boot-log "d['log'] == open('$tmp/boot.txt').read().splitlines()" "$MMKIT" boot --json
js machines '[m["name"] for m in d["machines"]] == sorted(m["name"] for m in d["machines"]) and "pc-i386-64m" in [m["name"] for m in d["machines"]] and all(m["e820_usable_kB"] > 0 for m in d["machines"])' \
	"$MMKIT" machines --json
"$MMKIT" cat /proc/meminfo >"$tmp/meminfo.txt"
js cat "d['files']['/proc/meminfo'] == open('$tmp/meminfo.txt').read() and d['errors'] == {}" \
	"$MMKIT" cat --json /proc/meminfo /proc/buddyinfo
out=$("$MMKIT" cat --json /proc/meminfo /proc/nosuch 2>/dev/null); rc=$?
[ $rc = 1 ] || { echo "FAIL cat-missing: exit $rc, want 1"; fail=1; }
[ $PY = 0 ] || python3 -c 'import json,sys; d=json.load(sys.stdin); assert list(d["errors"]) == ["/proc/nosuch"] and "/proc/meminfo" in d["files"]' <<<"$out" ||
	{ echo "FAIL cat-missing: shape"; fail=1; }
# run: one object per command (JSON Lines)
out=$("$MMKIT" run --json "$sc/demand-paging.mms")
n=$(grep -cvE '^\s*(#|$|expect )' "$sc/demand-paging.mms")
[ $PY = 0 ] || python3 -c "import json,sys
ls=[json.loads(l) for l in sys.stdin.read().splitlines()]
assert all(set(['line','command','status']) <= set(o) for o in ls), 'keys'
assert len(ls) >= $n - 1, len(ls)" <<<"$out" || { echo "FAIL run: JSON Lines shape"; fail=1; }
js proc-export 'd["status"] == 0 and d["errors"] == 0 and d["files"] > 10 and d["pids"] and d["scenario"].endswith("cow-fork.mms")' \
	"$MMKIT" proc export "$tmp/proc" --scenario "$sc/cow-fork.mms" --json
js report 'd["steps"] == len(d["samples"]) and d["files"][0] == "index.html" and all(s["free_kB"] > 0 for s in d["samples"]) and d["samples"][0]["step"] == 1' \
	"$MMKIT" report "$sc/buddy.mms" -o "$tmp/report" --json
js help 'len(d["commands"]) >= 8 and "swap" in [t["topic"] for t in d["topics"]] and "run" in [c["command"] for c in d["commands"]]' \
	"$MMKIT" help --json
js help-topic 'd["topic"] == "buddy" and d["doc"] == "docs/page_alloc.md" and d["scenario"] == "examples/scenarios/buddy.mms"' \
	"$MMKIT" help buddy --json
js help-command 'd["command"] == "trace" and "--report DIR" in d["usage"]' "$MMKIT" help trace --json
# trace convert / info / replay on a hand-written reference string
for p in 1 2 3 4 1 2 5 1 2 3 4 5; do printf ' S %x,8\n' $((0x10000000 + p * 4096)); done >"$tmp/b.log"
js convert 'd["references"] == 12 and d["syscalls"] == 0 and d["maps_inferred"] is True' \
	"$MMKIT" trace convert "$tmp/b.log" -o "$tmp/b.mmtrace" --json
js info 'd["references"] == 12 and d["arch"] in ("x86_64", "i386") and d["file_bytes"] > 56' \
	"$MMKIT" trace info "$tmp/b.mmtrace" --json
js replay 'd["references"] == 12 and d["minflt"] + d["majflt"] == 9 and len(d["windows"]) == 1 and d["windows"][0]["faults"] == 9 and d["windows"][0]["pswpout"] > 0' \
	"$MMKIT" trace replay "$tmp/b.mmtrace" --policy fifo --frames 3 --json
js compare '[p["policy"] for p in d["policies"]] == ["linux","clock","lru","fifo","opt"]' \
	"$MMKIT" trace replay "$tmp/b.mmtrace" --compare-policies --frames 3 --json
# --ram and --swap alone: 12000 pages (47 MiB), touched twice, on a 64M
# machine (about 27 MiB free) swap out and fault back in
awk 'BEGIN { for (r = 0; r < 2; r++) for (i = 0; i < 12000; i++) printf " S %x,8\n", 268435456 + i * 4096 }' >"$tmp/big.log"
"$MMKIT" trace convert "$tmp/big.log" -o "$tmp/big.mmtrace" 2>/dev/null
js replay-swap 'd["swap_kB"] == 65536 and d["frames"] == 0 and d["pswpout"] > 5000 and d["majflt"] > 5000 and d["majflt"] == d["pswpin"] and sum(w["pswpout"] for w in d["windows"]) == d["pswpout"] and d["windows"][-1]["major"] > 0' \
	"$MMKIT" trace replay "$tmp/big.mmtrace" --ram 64M --swap 64M --window 4000 --json
"$MMKIT" trace replay "$tmp/big.mmtrace" --ram 32M 2>"$tmp/err" >/dev/null; rc=$?
[ $rc = 1 ] && grep -q "below 56M" "$tmp/err" || { echo "FAIL replay-small-ram: exit $rc, $(cat "$tmp/err")"; fail=1; }
if command -v valgrind >/dev/null; then
	js record 'd["references"] > 1000 and d["initial_mappings"] > 0 and d["output"].endswith("true.mmtrace")' \
		"$MMKIT" trace record --json -o "$tmp/true.mmtrace" -- /bin/true
fi
[ $fail = 0 ] && echo "json: all passed"
exit $fail
