#!/usr/bin/env bash
# `mmkit proc export DIR`: the exported tree matches the library's views,
# and the real procps tools (free, vmstat, slabtop, pmap, ps) read it
# unchanged when it is bind-mounted over /proc in a private mount
# namespace, showing the simulated machine's numbers.
set -u
MMKIT=$1
SRC=$2
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
bad() { echo "FAIL $*"; fail=1; }
field() { awk -v k="$1:" '$1 == k { print $2 }' "$2"; }

# 1. A booted machine: every file exists and equals `mmkit cat`.
"$MMKIT" proc export "$tmp/boot" || bad "export-boot: exit $?"
for f in meminfo vmstat buddyinfo zoneinfo slabinfo vmallocinfo iomem swaps sysvipc/shm; do
	[ -f "$tmp/boot/$f" ] || { bad "export-boot: no $f"; continue; }
	cmp -s "$tmp/boot/$f" <("$MMKIT" cat /proc/$f) || bad "export-boot: $f differs from mmkit cat"
done
for f in stat uptime loadavg cpuinfo sys/kernel/pid_max; do
	[ -s "$tmp/boot/$f" ] || bad "export-boot: no $f"
done
[ "$(cat "$tmp/boot/sys/kernel/pid_max")" = 32768 ] || bad "pid_max: not Linux's default 32768"
[ "$(head -1 "$tmp/boot/swaps")" = "$(printf 'Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority')" ] ||
	bad "swaps: header is not Linux's"
grep -qx 'pgfault [0-9]*' "$tmp/boot/vmstat" || bad "vmstat: no pgfault line"
ls -d "$tmp/boot"/[0-9]* >/dev/null 2>&1 && bad "export-boot: PID directories without processes"

# 2. After a scenario: the processes it leaves have PID directories.
sc=$SRC/examples/scenarios/cow-fork.mms
"$MMKIT" proc export "$tmp/sc" --scenario "$sc" || bad "export-scenario: exit $?"
pid=$(readlink "$tmp/sc/self")
[ -n "$pid" ] && [ -d "$tmp/sc/$pid" ] || bad "export-scenario: /proc/self does not name a PID directory"
for f in maps smaps smaps_rollup status stat statm cmdline comm environ; do
	[ -f "$tmp/sc/$pid/$f" ] || bad "export-scenario: no $pid/$f"
done
[ "$(cat "$tmp/sc/$pid/comm")" = "$(field Name "$tmp/sc/$pid/status")" ] || bad "comm != status Name"
"$MMKIT" proc export "$tmp/x" --scenario /nonexistent.mms 2>/dev/null && bad "export of a missing scenario succeeded"
"$MMKIT" proc export 2>/dev/null; [ $? = 2 ] || bad "export without DIR: want exit 2"

# 3. procps over the export, in a private mount namespace.
if [ "$(id -u)" = 0 ] && unshare -m --propagation private true 2>/dev/null; then
	NS=(unshare -m --propagation private)
elif unshare -Urm true 2>/dev/null; then
	NS=(unshare -Urm)
else
	echo "SKIP procps part: no private mount namespace (need root or user namespaces)"
	[ $fail = 0 ] && echo "proc_export: all passed"
	exit $fail
fi
inproc() { # DIR, command...: run command with DIR over /proc
	local dir=$1; shift
	"${NS[@]}" bash -c 'mount --bind "$1" /proc || exit 99; shift; exec "$@"' _ "$dir" "$@"
}
D=$tmp/sc
memtotal=$(field MemTotal "$D/meminfo"); memfree=$(field MemFree "$D/meminfo")
if command -v free >/dev/null; then
	out=$(inproc "$D" free -k) || bad "free: exit $?"
	read -r t f <<<"$(awk '$1 == "Mem:" { print $2, $4 }' <<<"$out")"
	[ "$t" = "$memtotal" ] || bad "free: total $t, exported MemTotal $memtotal"
	[ "$f" = "$memfree" ] || bad "free: free $f, exported MemFree $memfree"
	[ "$memtotal" != "$(field MemTotal /proc/meminfo)" ] || bad "free: simulated MemTotal equals the host's"
fi
if command -v vmstat >/dev/null; then
	out=$(inproc "$D" vmstat) || bad "vmstat: exit $?"
	f=$(tail -1 <<<"$out" | awk '{ print $4 }')
	[ "$f" = "$memfree" ] || bad "vmstat: free $f, exported MemFree $memfree"
fi
if command -v slabtop >/dev/null; then
	out=$(inproc "$D" slabtop -o) || bad "slabtop: exit $?"
	caches=$(($(wc -l <"$D/slabinfo") - 2))
	grep -q "Active / Total Caches (% used) *: [0-9]* / $caches " <<<"$out" ||
		bad "slabtop: cache total is not the $caches caches of the exported slabinfo"
	grep -q " kmem_cache *$" <<<"$out" || bad "slabtop: no kmem_cache line"
fi
if command -v pmap >/dev/null; then
	out=$(inproc "$D" pmap "$pid") || bad "pmap: exit $?"
	kb=0
	while read -r range _; do
		s=${range%-*}; e=${range#*-}; kb=$((kb + (16#$e - 16#$s) / 1024))
	done <"$D/$pid/maps"
	grep -q "^$pid: *$(cat "$D/$pid/comm")" <<<"$out" || bad "pmap: header is not '$pid: comm'"
	grep -q "total *${kb}K" <<<"$out" || bad "pmap: total is not the ${kb}K of the exported maps"
	[ "$(grep -c '^[0-9a-f]\{16\} ' <<<"$out")" = "$(wc -l <"$D/$pid/maps")" ] ||
		bad "pmap: not one line per exported VMA"
fi
# ps finds itself as /proc/<getpid()>: in a new PID namespace it is pid 1,
# which is the simulated machine's first process too.
if command -v ps >/dev/null && [ -d "$D/1" ] && "${NS[@]}" -pf true 2>/dev/null; then
	out=$("${NS[@]}" -pf bash -c 'mount --bind "$1" /proc || exit 99; exec ps -e -o pid=,comm=' _ "$D") ||
		bad "ps: exit $?"
	want=$(for d in "$D"/[0-9]*; do printf '%s %s\n' "${d##*/}" "$(cat "$d/comm")"; done | sort -n)
	[ "$(awk '{ print $1, $2 }' <<<"$out" | sort -n)" = "$want" ] || bad "ps -e: not the exported processes: $out"
fi
[ $fail = 0 ] && echo "proc_export: all passed"
exit $fail
