# The OOM killer (seed 003: when reclaim cannot free memory, the kernel
# kills the process whose death frees the most: oom_badness is rss +
# swap entries + page tables, plus oom_score_adj thousandths of RAM).
#
# A 12 MiB machine without swap. "guard" holds 6 MiB, the most of anyone,
# but runs with oom_score_adj -1000 (root may lower it; oom_score 0: never
# chosen). "hog" then touches 8 MiB: reclaim finds nothing to free (anon
# pages, no swap), the allocation fails, and the OOM killer picks hog (the
# largest killable task) and prints Linux's report: the invoking task and
# gfp mask, Mem-Info, the task table, the constraint line and "Out of
# memory: Killed process ...". hog dies of SIGKILL, its memory is freed
# (oom_reaper line), oom_kill counts 1, and guard and small still run.
boot mem=16M
spawn small
$s = mmap 0 1M rw- private,anonymous
touch $s 1M
spawn guard root
$g = mmap 0 6M rw- private,anonymous
write $g 6M random 2
echo -1000 > /proc/guard/oom_score_adj
show /proc/guard/oom_score_adj
show /proc/guard/oom_score
show /proc/small/oom_score
spawn hog
$h = mmap 0 8M rw- private,anonymous
touch $h 8M
expect signal SIGKILL
show log
show /proc/vmstat oom_kill
show /proc/meminfo ^MemFree ^AnonPages
switch guard
read $g 6M expect random 2
switch small
read $s 4
check
