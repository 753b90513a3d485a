# brk vs mmap at the 128 KiB threshold (seed 000: malloc below 128K grows
# the heap with brk; above it, malloc calls mmap).
#
# umalloc 1K takes its chunk from the heap, which brk grows (the arena gets
# the request plus M_TOP_PAD, 128 KiB): [heap] appears in maps. umalloc
# 200K is above M_MMAP_THRESHOLD and gets its own anonymous mapping, which
# ufree unmaps again.
boot
spawn app
show /proc/self/maps
$s = umalloc 1K
$b = umalloc 200K
show /proc/self/maps
ufree $b
ufree $s
show /proc/self/maps
check
