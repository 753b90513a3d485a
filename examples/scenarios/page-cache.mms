# The page cache and file mappings (seed 004: a file mapping is a VMA
# whose faults read the file into the page cache, found by inode and
# offset; every process mapping the file shares those pages).
#
# read(2) fills the page cache: Cached grows by the read-ahead window
# (an 8 KiB first read reads 4 pages ahead, as get_init_ra_size sizes it).
# Two processes map the file MAP_SHARED: the second one's faults find the
# same pages (smaps: Shared_Clean, Pss is half of Rss). A MAP_PRIVATE
# write copies the page (COW) into an anonymous page: the file does not
# change. A MAP_SHARED write dirties the cache page (Dirty), msync(MS_SYNC)
# writes it back; after drop_caches, read(2) brings the new bytes back
# from the disk. ftruncate unmaps the pages past the new end: touching
# them is SIGBUS.
boot
mkfile /data 64K pattern "0123456789abcdef"
spawn reader
$buf = mmap 0 64K rw- private,anonymous
show /proc/meminfo ^Cached ^Dirty ^Mapped
$fd = open /data rdwr
sysread $fd $buf 8K
read $buf 16 expect "0123456789abcdef"
show /proc/meminfo ^Cached ^Dirty ^Mapped
# two processes share the cached pages
$m = mmap 0 16K r-- shared $fd 0
touch $m 16K read
fork reader other
switch other
touch $m 16K read
show /proc/other/smaps_rollup Rss Pss Shared_Clean
show /proc/meminfo ^Mapped
# MAP_PRIVATE: a write copies the page, the file keeps its bytes
$p = mmap 0 4K rw- private $fd 0
write $p "PRIVATE"
read $p 16
read $m 16 expect "0123456789abcdef"
show /proc/other/smaps_rollup Anonymous
exit other 0
switch reader
wait other
# MAP_SHARED writes reach the file at msync
$w = mmap 0 16K rw- shared $fd 0
write $w+4K "written through a shared mapping"
show /proc/meminfo ^Dirty
msync $w 16K sync
show /proc/meminfo ^Dirty
show /proc/vmstat nr_dirtied nr_written
munmap $m 16K
munmap $w 16K
echo 1 > /proc/sys/vm/drop_caches
show /proc/meminfo ^Cached
pread $fd $buf 32 4K
read $buf 32 expect "written through a shared mapping"
# truncate: pages past the end go, a fault there is SIGBUS
$t = mmap 0 16K r-- shared $fd 0
touch $t 16K read
ftruncate $fd 4K
read $t+8K 4
expect signal SIGBUS
show log
