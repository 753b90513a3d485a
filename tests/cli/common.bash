# Sourced by the CLI tests (tests/cli/*.sh; this file is not one: CTest
# globs *.sh): the arguments every test gets, and the two checks they share.
#   $1: the mmkit binary   $2: the source tree
# check NAME WANT_EXIT COMMAND...  runs COMMAND, output in $out, exit in $rc
# has NAME NEEDLE                  $out contains NEEDLE
# A failure prints the output's tail and sets fail=1; the test ends with
# `exit $fail`.
MMKIT=$1
SRC=$2
fail=0
check() { # name, expected exit code, command...
	local name=$1 want=$2; shift 2
	out=$("$@" 2>&1); rc=$?
	if [ "$rc" != "$want" ]; then echo "FAIL $name: exit $rc, want $want"; echo "$out" | tail -8; fail=1; fi
}
has() { # name, needle
	if ! grep -qF -- "$2" <<<"$out"; then echo "FAIL $1: output lacks '$2'"; echo "$out" | tail -8; fail=1; fi
}
