# kmap on a highmem machine (seed 001: memory above 896 MiB is ZONE_HIGHMEM
# and has no permanent kernel address; kmap gives it one in the pkmap area).
#
# On a 2 GiB i386 machine a GFP_HIGHUSER page comes from HighMem: kmap
# maps it at a PKMAP_BASE slot, kunmap releases the slot. A lowmem page
# needs no mapping: kmap returns its direct-map address PAGE_OFFSET + phys.
machine pc-i386-2g
boot
$h = alloc_pages 0 GFP_HIGHUSER
$hv = kmap $h
kunmap $h
$hv2 = kmap $h
kunmap $h
free_pages $h 0
$l = alloc_pages 0 GFP_KERNEL
$lv = kmap $l
kunmap $l
free_pages $l 0
check
