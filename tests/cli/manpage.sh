#!/usr/bin/env bash
# docs/mmkit.1: renders without warnings and documents every subcommand
# `mmkit --help` lists.
set -u
MMKIT=$1
SRC=$2
PAGE=$SRC/docs/mmkit.1
fail=0
bad() { echo "FAIL $*"; fail=1; }
[ -f "$PAGE" ] || { echo "FAIL no $PAGE"; exit 1; }
if command -v groff >/dev/null; then
	warn=$(groff -man -Tutf8 -ww -z "$PAGE" 2>&1)
	[ -z "$warn" ] || bad "groff warns: $warn"
	text=$(groff -man -Tutf8 "$PAGE" 2>/dev/null | sed 's/.\x08//g')
elif command -v man >/dev/null; then
	warn=$(MANWIDTH=80 man --warnings -l "$PAGE" 2>&1 >/dev/null)
	[ -z "$warn" ] || bad "man warns: $warn"
	text=$(MANWIDTH=80 man -l "$PAGE" 2>/dev/null)
else
	echo "SKIP rendering: neither groff nor man is installed"
	text=$(cat "$PAGE")
fi
grep -q '^\.TH MMKIT 1 ' "$PAGE" || bad "no .TH MMKIT 1 header"
for sec in NAME SYNOPSIS DESCRIPTION COMMANDS "EXIT STATUS" "SEE ALSO"; do
	grep -q "^$sec" <<<"$text" || bad "no $sec section"
done
for cmd in $("$MMKIT" --help | awk '/^Commands:/ { on = 1; next } on && NF { print $1 } !NF && on { exit }'); do
	grep -q "mmkit $cmd" <<<"$text" || bad "subcommand '$cmd' missing from the synopsis"
done
for cmd in "trace record" "trace replay" "proc export"; do
	grep -q "mmkit $cmd" <<<"$text" || bad "'$cmd' missing from the synopsis"
done
[ $fail = 0 ] && echo "manpage: all passed"
exit $fail
