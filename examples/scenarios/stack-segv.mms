# Stack growth and SIGSEGV (seed 000: an access below the stack's VMA but
# within the stack rlimit grows the stack, VM_GROWSDOWN; an access to an
# address no VMA covers sends SIGSEGV and, without a handler, kills the
# process with "segfault at ..." in the kernel log).
#
# The [stack] VMA starts at 132 KiB. Touching 64 KiB below its start grows
# it (expand_stack). A wild address with a handler installed delivers
# SIGSEGV to the handler (SEGV_MAPERR); without one the process dies.
boot
spawn prog
show /proc/self/maps
touch 0xbffdf000-64K 4K write
show /proc/self/maps
signal-handler prog SEGV on
read 0x1000 4
expect signal SIGSEGV
signal-handler prog SEGV off
write 0x1000 "boom"
expect signal SIGSEGV
show log
check
