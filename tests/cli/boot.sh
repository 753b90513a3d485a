#!/usr/bin/env bash
# The mmkit command as a user runs it: boot, cat, machines, help, errors.
set -u
. "$(dirname "$0")/common.bash"
check help 0 "$MMKIT" --help;              has help "boot       Boot a machine"
check help-boot 0 "$MMKIT" help boot;      has help-boot "usage: mmkit boot [MACHINE]"
check boot-help 0 "$MMKIT" boot --help;    has boot-help "--cmdline ARGS"
check help-proc 0 "$MMKIT" help proc;   has help-proc "/proc/slabinfo"; has help-proc "/proc/PID/maps"
check unknown 2 "$MMKIT" frobnicate;       has unknown "'frobnicate' is not an mmkit command"
check no-args 2 "$MMKIT"
check machines 0 "$MMKIT" machines;        has machines pc-i386-2g
check boot-default 0 "$MMKIT" boot;        has boot-default "BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable"
has boot-default "Memory: "
for m in pc-i386-64m pc-i386-2g pc-i386-pae-8g pc-x86_64-16g pc-i386-legacy; do
	check "boot-$m" 0 "$MMKIT" boot --check "$m"
done
check boot-file 0 "$MMKIT" boot "$SRC/examples/machines/pc-i386-64m.machine"
check boot-missing 1 "$MMKIT" boot nosuch;  has boot-missing "no machine 'nosuch'"
tmp=$(mktemp); printf 'arch i386\ncpus 0\n' >"$tmp"
check boot-bad-file 1 "$MMKIT" boot "$tmp"; has boot-bad-file "$tmp:2:5: cpus must be a number from 1 to 64"
rm -f "$tmp"
check boot-bad-cmdline 1 "$MMKIT" boot --cmdline "mem=foo"
check cat-buddyinfo 0 "$MMKIT" cat /proc/buddyinfo; has cat-buddyinfo "Node 0, zone      DMA"
check cat-missing 1 "$MMKIT" cat /proc/nonexistent; has cat-missing "/proc/nonexistent: No such file"
check cat-noargs 2 "$MMKIT" cat
[ $fail = 0 ] && echo "cli: all passed"
exit $fail
