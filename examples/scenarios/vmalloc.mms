# vmalloc: virtually contiguous kernel memory from scattered pages (seed
# 001: the vmalloc area between VMALLOC_START and VMALLOC_END above the
# direct map, each area followed by a guard page).
#
# A 3-page request becomes a 16 KiB area (3 pages + the guard page) in
# /proc/vmallocinfo with pages=3; a 20000-byte request is rounded up to 5
# pages. vfree removes the areas; the Vmalloc lines of meminfo follow.
boot
show /proc/vmallocinfo
$v = vmalloc 12K
$w = vmalloc 20000
show /proc/vmallocinfo
vfree $v
show /proc/vmallocinfo
vfree $w
check
