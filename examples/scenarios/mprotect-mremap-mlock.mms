# mprotect, mremap and mlock (seed 002: a VMA has one protection; changing
# part of it splits the VMA; mremap grows or moves it; mlock pins its pages).
#
# mprotect of the middle page splits one VMA into three; a write there then
# faults with SEGV_ACCERR. mremap grows the mapping in place when the
# space after it is free, and moves it (MREMAP_MAYMOVE) when it is not.
# mlock faults every page in and counts it in Locked/VmLck.
boot
spawn app
$a = mmap 0 12K rw- private,anonymous
mprotect $a+4K 4K r--
show /proc/self/maps
signal-handler app SEGV on
write $a+4K "x"
expect signal SIGSEGV
mprotect $a+4K 4K rw-
show /proc/self/maps
$g = mmap $a+12K 4K r-- private,anonymous,fixed
$b = mremap $a 12K 24K
expect errno ENOMEM
$b = mremap $a 12K 24K maymove
show /proc/self/maps
mlock $b 24K
show /proc/self/status Vm Rss
munlock $b 24K
munmap $b 24K
check
