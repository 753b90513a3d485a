# Page replacement policies (seed 003: which page to evict when a new one
# is needed; the textbook exercise run on the kernel's own fault and
# reclaim path).
#
# The process locks what it already has (mlockall current: unevictable,
# out of the count), so the resident limit (max_resident N, memory.max-like)
# gives its new area exactly N frames. It then writes the pages of the
# reference string 1,2,3,4,1,2,5,1,2,3,4,5; F marks a page fault (a page
# brought in, from swap when it was evicted before).
# FIFO: 9 faults with 3 frames, 10 with 4 -- Belady's anomaly.
# LRU: 10 with 3 frames, 8 with 4. CLOCK (second chance on the Accessed
# bit): 9 and 10 here. Linux's active/inactive lists for comparison.
boot
mkswap /swapfile 4M
swapon /swapfile
spawn p
mlockall current
policy fifo
$a = mmap 0 32K rw- private,anonymous
max_resident 3
refs $a 1,2,3,4,1,2,5,1,2,3,4,5
max_resident 0
munmap $a 32K
$a = mmap 0 32K rw- private,anonymous
max_resident 4
refs $a 1,2,3,4,1,2,5,1,2,3,4,5
max_resident 0
munmap $a 32K
policy lru
$a = mmap 0 32K rw- private,anonymous
max_resident 3
refs $a 1,2,3,4,1,2,5,1,2,3,4,5
max_resident 0
munmap $a 32K
$a = mmap 0 32K rw- private,anonymous
max_resident 4
refs $a 1,2,3,4,1,2,5,1,2,3,4,5
max_resident 0
munmap $a 32K
policy clock
$a = mmap 0 32K rw- private,anonymous
max_resident 3
refs $a 1,2,3,4,1,2,5,1,2,3,4,5
max_resident 0
munmap $a 32K
$a = mmap 0 32K rw- private,anonymous
max_resident 4
refs $a 1,2,3,4,1,2,5,1,2,3,4,5
max_resident 0
munmap $a 32K
policy linux
$a = mmap 0 32K rw- private,anonymous
max_resident 3
refs $a 1,2,3,4,1,2,5,1,2,3,4,5
max_resident 0
munmap $a 32K
show /proc/vmstat pswpin pswpout pgactivate pgdeactivate
# kswapd and direct reclaim by hand: the node is balanced, so kswapd
# stays asleep; direct reclaim frees what it can (here: nothing evictable)
reclaim kswapd
reclaim direct
check
