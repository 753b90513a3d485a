/* Reading and writing swap slots (cf. mm/page_io.c: swap_writepage,
 * __swap_writepage, swap_read_folio, end_swap_bio_write/read, and the
 * PGPGIN/PGPGOUT counting of block/blk-core.c submit_bio).
 *
 * A slot at offset o of an area is bytes [o * PAGE_SIZE, (o + 1) * PAGE_SIZE)
 * of its file (one extent: the file is contiguous as far as mmkit cares),
 * read and written through the host seam. The page may be highmem, so it
 * is reached through kmap_atomic. I/O is synchronous: a page is under
 * writeback only for the duration of the call.
 *
 * Counting, as Linux: PSWPOUT / PSWPIN one per page; PGPGOUT / PGPGIN in
 * KiB (Linux counts 512-byte sectors in submit_bio and /proc/vmstat shows
 * half of that), so 4 per page. The machine's fail_read_nth knob makes a
 * read fail with -EIO (tests of do_swap_page's SIGBUS path). */
#include "mm/swap.h"

#define KB_PER_PAGE (PAGE_SIZE / 1024)

/**
 * swap_writepage() - write the swap-cache @page to its slot (cf.
 *	swap_writepage, __swap_writepage)
 * @m: the machine
 * @page: a locked swap-cache page, its dirty bit cleared by the caller
 *	(reclaim's pageout) or not
 * @wbc: how (may be NULL; unused: every write is synchronous)
 *
 * A page whose slot no pte names any more is not written: it leaves the
 * swap cache instead (folio_free_swap). The page is unlocked on return, as
 * Linux's writepage does. Returns 0, or -EIO with the page dirty again
 * ("Write-error on swap-device").
 */
int swap_writepage(struct machine *m, struct page *page, struct writeback_control *wbc)
{
	struct swap_info_struct *si = swp_swap_info(m, (swp_entry_t){ page->private });
	swp_entry_t entry = { page->private };
	void *kaddr;
	long done;

	(void)wbc;
	if (VM_WARN_ON(m, !PageSwapCache(page) || !si)) {
		unlock_page(m, page);
		return -EINVAL;
	}
	if (try_to_free_swap(m, page)) {
		unlock_page(m, page);
		return 0;
	}
	ClearPageDirty(page);
	SetPageWriteback(page);
	kaddr = kmap_atomic(m, page);
	done = machine_file_pwrite(m, si->file, kaddr, PAGE_SIZE,
				   (long long)swp_offset(entry) * (long long)PAGE_SIZE);
	kunmap_atomic(m, kaddr);
	ClearPageWriteback(page);
	count_vm_events(m, PSWPOUT, 1);
	count_vm_events(m, PGPGOUT, KB_PER_PAGE);
	if (done != (long)PAGE_SIZE) {
		SetPageDirty(page);
		printk(m, KERN_ALERT "Write-error on swap-device (%u:%u:%llu)\n", 0u, 0u,
			 (unsigned long long)swp_offset(entry) * (PAGE_SIZE >> 9));
		unlock_page(m, page);
		return -EIO;
	}
	si->nr_writes++;
	unlock_page(m, page);
	return 0;
}

/* The fault-injection knob: true when this read must fail. */
static bool swap_read_should_fail(struct machine *m)
{
	unsigned long n = m->swap.fail_read_nth;

	if (!n)
		return false;
	m->swap.fail_read_nth = n - 1;
	return n == 1;
}

/**
 * swap_readpage() - fill the swap-cache @page from its slot (cf.
 *	swap_read_folio, end_swap_bio_read)
 * @m: the machine
 * @page: a locked swap-cache page, not uptodate
 *
 * Sets PG_uptodate and unlocks the page. Returns 0, or -EIO ("Read-error
 * on swap-device") with the page unlocked and not uptodate.
 */
int swap_readpage(struct machine *m, struct page *page)
{
	struct swap_info_struct *si = swp_swap_info(m, (swp_entry_t){ page->private });
	swp_entry_t entry = { page->private };
	void *kaddr;
	long done = -EIO;

	if (VM_WARN_ON(m, !PageSwapCache(page) || !si)) {
		unlock_page(m, page);
		return -EINVAL;
	}
	count_vm_events(m, PSWPIN, 1);
	count_vm_events(m, PGPGIN, KB_PER_PAGE);
	kaddr = kmap_atomic(m, page);
	if (!swap_read_should_fail(m))
		done = machine_file_pread(m, si->file, kaddr, PAGE_SIZE,
					  (long long)swp_offset(entry) * (long long)PAGE_SIZE);
	if (done >= 0 && done < (long)PAGE_SIZE)	/* past EOF: zeros */
		mm_memset((char *)kaddr + done, 0, PAGE_SIZE - (unsigned long)done);
	kunmap_atomic(m, kaddr);
	if (done < 0) {
		printk(m, KERN_ALERT "Read-error on swap-device (%u:%u:%llu)\n", 0u, 0u,
			 (unsigned long long)swp_offset(entry) * (PAGE_SIZE >> 9));
		unlock_page(m, page);
		return -EIO;
	}
	si->nr_reads++;
	SetPageUptodate(page);
	unlock_page(m, page);
	return 0;
}
