# Buddy allocator: split and merge (seed 000: the 11 free_area lists of
# 1, 2, ..., 2^10 pages managed by the buddy algorithm).
#
# An order-4 request (16 pages) finds the order-4 and order-5 lists of
# ZONE_NORMAL empty, so __rmqueue_smallest takes an order-6 block and
# expand() splits it: one order-5 half and one order-4 quarter go back on
# the free lists, the other order-4 quarter is returned. Freeing it finds
# its buddy (pfn ^ 16) free, merges to order 5, finds that buddy free too
# and merges back to order 6: /proc/buddyinfo is as before.
# (Orders 0-3 would come from the per-CPU lists and hide the split.)
boot
show /proc/buddyinfo
$p = alloc_pages 4
show /proc/buddyinfo
free_pages $p 4
show /proc/buddyinfo
check
