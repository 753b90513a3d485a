# System V shared memory (seed 002/004: a segment is a shmem object; every
# process that attaches it maps the same pages, found through the object's
# page cache like a file's).
#
# writer creates a segment and writes into it; reader attaches the same
# id and reads the bytes (one physical page: reader's fault finds it in
# the object, Rss counts it as RssShmem). /proc/sysvipc/shm shows nattch
# and rss; IPC_RMID marks the segment for destruction, which happens at
# the last detach (the key becomes IPC_PRIVATE meanwhile). Shmem in
# /proc/meminfo follows the object's pages.
boot
spawn writer
$id = shmget 0x1234 64K IPC_CREAT 0600
$p = shmat $id
write $p "shared hello"
show /proc/sysvipc/shm
show /proc/meminfo ^Shmem:
spawn reader
$q = shmat $id
read $q 12 expect "shared hello"
show /proc/reader/status RssShmem
show /proc/sysvipc/shm
shmctl $id IPC_STAT
shmctl $id IPC_RMID
show /proc/sysvipc/shm
switch writer
shmdt $p
switch reader
read $q 12 expect "shared hello"
shmdt $q
show /proc/sysvipc/shm
show /proc/meminfo ^Shmem:
