#!/usr/bin/env bash
# Every examples/scenarios/*.mms runs with `mmkit run` and its output must
# equal tests/scenarios/NAME.expected (golden files, reviewed by hand).
# Then the run's error paths: FILE:LINE:COL messages and exit codes.
# Regenerate a golden file after an intended change with
#   MMKIT_MACHINES=examples/machines mmkit run examples/scenarios/X.mms > tests/scenarios/X.expected
set -u
MMKIT=$1
SRC=$2
export MMKIT_MACHINES=$SRC/examples/machines
fail=0
n=0
cd "$SRC" || exit 1
for f in examples/scenarios/*.mms; do
	name=$(basename "$f" .mms)
	want=tests/scenarios/$name.expected
	n=$((n + 1))
	if [ ! -f "$want" ]; then echo "FAIL $name: no $want"; fail=1; continue; fi
	if ! out=$("$MMKIT" run "$f" 2>&1); then echo "FAIL $name: exit status $?"; fail=1; fi
	if ! diff -u "$want" <(printf '%s\n' "$out") >/tmp/scn_diff.$$; then
		echo "FAIL $name: output differs from $want"; head -40 /tmp/scn_diff.$$; fail=1
	fi
done
rm -f /tmp/scn_diff.$$
tmp=$(mktemp -d)
check() { # name, expected exit, expected text, scenario text
	printf '%s' "$4" >"$tmp/$1.mms"
	out=$("$MMKIT" run "$tmp/$1.mms" 2>&1); rc=$?
	if [ "$rc" != "$2" ]; then echo "FAIL $1: exit $rc, want $2"; echo "$out" | tail -3; fail=1; fi
	if ! grep -qF -- "$3" <<<"$out"; then echo "FAIL $1: output lacks '$3'"; echo "$out" | tail -3; fail=1; fi
}
check unknown 1 "$tmp/unknown.mms:2:1: unknown command 'frob'" $'boot\nfrob 1\n'
check badnum 1 "$tmp/badnum.mms:1:20: bad number '12Q'" $'$a = mmap 0 4K rw- 12Q\n'
check undef 1 "$tmp/undef.mms:1:8: undefined variable \$x" $'munmap $x 4K\n'
check argc 1 "$tmp/argc.mms:1:1: 'munmap' takes 2 arguments, got 1" $'munmap 0\n'
check unexpected 1 "'mmap' failed with errno EINVAL" $'spawn p\nmmap 0 0 rw- private,anonymous\n'
check expected 0 "= -1 EINVAL (Invalid argument)" $'spawn p\nmmap 0 0 rw- private,anonymous\nexpect errno EINVAL\n'
check wrongexpect 1 "expected errno ENOMEM from 'mmap' (line 2), got errno EINVAL" \
	$'spawn p\nmmap 0 0 rw- private,anonymous\nexpect errno ENOMEM\n'
check segv 1 "failed with signal SIGSEGV" $'spawn p\nread 0 4\n'
check nocurrent 1 "needs a current process" $'read 0 4\n'
check json 0 'expect errno EINVAL' $'spawn p\nmmap 0 0 rw- private,anonymous\nexpect errno EINVAL\n'
out=$("$MMKIT" run --json "$tmp/json.mms" 2>&1)
grep -qF '{"line":2,"command":"mmap 0 0 rw- private,anonymous","status":"errno","errno":"EINVAL"' <<<"$out" ||
	{ echo "FAIL json: $out"; fail=1; }
out=$("$MMKIT" run --machine pc-i386-2g "$SRC/examples/scenarios/buddy.mms" 2>&1) ||
	{ echo "FAIL --machine: exit $?"; fail=1; }
grep -qF "booted pc-i386-2g" <<<"$out" || { echo "FAIL --machine: $out" | head -3; fail=1; }
"$MMKIT" run "$tmp/nonexistent.mms" >/dev/null 2>&1 && { echo "FAIL missing file: exit 0"; fail=1; }
"$MMKIT" run >/dev/null 2>&1; [ $? = 2 ] || { echo "FAIL run without file: not a usage error"; fail=1; }
"$MMKIT" help run | grep -qF "usage: mmkit run SCENARIO" || { echo "FAIL help run"; fail=1; }
"$MMKIT" help scenario | grep -qF "mmap ADDR LEN PROT FLAGS" || { echo "FAIL help scenario"; fail=1; }
rm -rf "$tmp"
[ $fail = 0 ] && echo "scenarios: $n examples match their golden files; error cases pass"
exit $fail
