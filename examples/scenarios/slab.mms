# Slab lifecycle (seed 000: a kmem_cache keeps full, partial and free
# slabs; objects come from partial slabs first).
#
# kmem_cache_create makes a cache of 256-byte objects with a constructor;
# /proc/slabinfo shows it with no slabs. The first kmem_cache_alloc grows
# a slab (num objects, all constructed once); the per-CPU array takes a
# batch, so active_objs counts what the array holds too, as in Linux's SLAB.
# Freeing puts objects back in the per-CPU array; kmem_cache_destroy with
# live objects fails with EBUSY (Linux warns "Slab cache still has
# objects" and keeps the cache); after
# freeing them it succeeds and the line is gone from slabinfo.
boot
$c = kmem_cache_create scn_demo 256 ctor
show /proc/slabinfo name scn_demo kmalloc-128 kmem_cache
$o1 = kmem_cache_alloc $c
$o2 = kmem_cache_alloc $c
show /proc/slabinfo name scn_demo kmalloc-128 kmem_cache
kmem_cache_destroy $c
expect errno EBUSY
kmem_cache_free $c $o1
kmem_cache_free $c $o2
kmem_cache_destroy $c
show /proc/slabinfo name scn_demo kmalloc-128 kmem_cache
# kmalloc picks a kmalloc-N cache by size (100 -> kmalloc-128); above
# KMALLOC_MAX_CACHE_SIZE (8 KiB) it takes whole pages (9000 -> order 2)
$k = kmalloc 100
$l = kmalloc 9000
show /proc/slabinfo name kmalloc-128
kfree $k
kfree $l
check
