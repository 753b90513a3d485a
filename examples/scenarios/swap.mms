# Swap (seed 003: when RAM runs out, anonymous pages are written to a
# swap area and their page table entries point at the swap slot; a later
# access is a major fault that reads the page back).
#
# A 12 MiB machine (mem=16M) with a 32 MiB swap file runs a process that
# writes 24 MiB: kswapd (woken below the low watermark) swaps pages out
# (pswpout, pgsteal_kswapd, SwapFree falls; /proc/swaps shows Used).
# Reading everything back takes major faults (pgmajfault, pswpin) and
# every byte is what was written. swapoff with the process still that big
# fails with ENOMEM; after munmap of 16 MiB it brings the rest back in.
boot mem=16M
mkswap /swapfile 32M
swapon /swapfile
show /proc/swaps
show /proc/meminfo ^MemTotal ^MemFree ^Swap
spawn big
$a = mmap 0 24M rw- private,anonymous
write $a 24M random 1
show /proc/meminfo ^MemFree ^AnonPages ^Swap
show /proc/swaps
show /proc/vmstat pswp pgscan_kswapd pgsteal_kswapd pgscan_direct pgsteal_direct pgmajfault
show counters minflt majflt
read $a 24M expect random 1
show counters minflt majflt
show /proc/vmstat pswp pgmajfault
show /proc/big/status VmRSS RssAnon VmSwap
swapoff /swapfile
expect errno ENOMEM
munmap $a 16M
swapoff /swapfile
show /proc/swaps
show /proc/big/status VmRSS VmSwap
read $a+16M 8M
check
