# Copy-on-write after fork (seed 002: fork copies the page tables, not the
# pages; both processes map the pages read-only and a write fault gives
# the writer its own copy).
#
# The parent writes 2 pages, forks; both see the pages as Shared_Dirty
# in smaps (mapcount 2). The child writes one page: a COW fault copies it,
# so the child's page is Private_Dirty and the parent's copy of that page
# becomes private again (mapcount 1). Each still reads its own data.
boot
spawn parent
$a = mmap 0 8K rw- private,anonymous
write $a "parent page 0"
write $a+4K "parent page 1"
fork parent child
show /proc/parent/smaps_rollup
switch child
write $a "child"
read $a 13
show /proc/child/smaps_rollup
show /proc/parent/smaps_rollup
switch parent
read $a 13 expect "parent page 0"
exit child 0
wait child
show /proc/parent/status Vm Rss
check
