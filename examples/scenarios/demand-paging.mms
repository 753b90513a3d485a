# Demand paging (seed 000/002: mmap only creates a vm_area_struct; a page
# is allocated when the program first touches it, in the page-fault
# handler).
#
# After mmap of 1 MiB, Rss is 0. Reading 4 pages maps the shared zero
# page (4 faults, still 0 kB Rss: the zero page is not counted). Writing
# them replaces the zero page with private pages (4 more faults: Rss 16
# kB). Writing 4 untouched pages costs one fault each (do_anonymous_page).
# Reads of a zero-page mapping return zeros.
boot
spawn demo
$a = mmap 0 1M rw- private,anonymous
show /proc/self/smaps_rollup
touch $a 16K read
read $a+8K 16 expect zero
show /proc/self/smaps_rollup
touch $a 16K write
show /proc/self/smaps_rollup
touch $a+16K 16K write
show /proc/self/smaps_rollup
show counters pgfault minflt
check
