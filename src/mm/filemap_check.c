/* File mappings' links and the page cache's invariant checker (cf.
 * mm/mmap.c __vma_link_file / __remove_shared_vm_struct, mm/filemap.c
 * generic_file_mmap; CONFIG_DEBUG_VM).
 *
 * Every VMA whose file has a page cache (vm_file->f_mapping) is on that
 * mapping's i_mmap list (vma->shared) from the moment it exists (mmap,
 * split, fork's copy, mremap's copy: vm_area_dup links the copy) until it
 * is freed (vm_area_free unlinks it). i_mmap is what rmap, writeback's
 * mkclean and truncation walk to find the ptes of a file page.
 * i_mmap_writable counts the VM_SHARED VMAs that may write.
 *
 * check_page_cache() (run by mmkit_check) verifies, for every inode: each
 * page in i_pages has ->mapping == the mapping and ->index == its slot,
 * nrpages equals the pages present, a page is uptodate unless locked,
 * _refcount >= 1 + mapcount, nrdirty equals its accounted dirty pages; and
 * machine-wide: NR_FILE_DIRTY is the sum of nrdirty, every file VMA is on
 * its mapping's i_mmap and every VMA on an i_mmap maps that mapping. */
#include "mm/filemap.h"

static bool vma_writable_shared(const struct vm_area_struct *vma)
{
	return (vma->vm_flags & (VM_SHARED | VM_MAYWRITE)) == (VM_SHARED | VM_MAYWRITE);
}

/**
 * vma_link_file() - put a VMA of a page-cache file on its mapping's
 *	i_mmap (cf. __vma_link_file)
 * @m: the machine
 * @vma: the VMA; nothing happens without vm_file->f_mapping or when it
 *	is linked already
 */
void vma_link_file(struct machine *m, struct vm_area_struct *vma)
{
	struct address_space *mapping;

	(void)m;
	if (!vma->vm_file || !(mapping = vma->vm_file->f_mapping) || !list_empty(&vma->shared))
		return;
	spin_lock(&mapping->i_mmap_lock);
	list_add_tail(&vma->shared, &mapping->i_mmap);
	if (vma_writable_shared(vma))
		mapping->i_mmap_writable++;
	spin_unlock(&mapping->i_mmap_lock);
}

/**
 * vma_unlink_file() - take a VMA off its mapping's i_mmap (cf.
 *	__remove_shared_vm_struct)
 * @m: the machine
 * @vma: the VMA (no-op when not linked)
 */
void vma_unlink_file(struct machine *m, struct vm_area_struct *vma)
{
	struct address_space *mapping;

	(void)m;
	if (list_empty(&vma->shared) || !vma->vm_file || !(mapping = vma->vm_file->f_mapping))
		return;
	spin_lock(&mapping->i_mmap_lock);
	list_del_init(&vma->shared);
	if (vma_writable_shared(vma))
		mapping->i_mmap_writable--;
	spin_unlock(&mapping->i_mmap_lock);
}

/**
 * generic_file_mmap() - a file's mmap operation: faults go through the
 *	page cache (cf. generic_file_mmap)
 * @m: the machine
 * @file: the file
 * @vma: the new VMA
 */
int generic_file_mmap(struct machine *m, struct file *file, struct vm_area_struct *vma)
{
	(void)m;
	if (!file->f_mapping || !file->f_mapping->a_ops || !file->f_mapping->a_ops->readpage)
		return -ENOEXEC;
	vma->vm_ops = &generic_file_vm_ops;
	return 0;
}

/* One mapping's pages; returns violations, adds its dirty pages to *dirty. */
static int check_mapping(struct machine *m, struct inode *inode, unsigned long *dirty)
{
	struct address_space *mapping = &inode->i_data;
	unsigned long idx, pages = 0, ndirty = 0;
	void *entry;
	int bad = 0;

	xa_lock(&mapping->i_pages);
	xa_for_each(&mapping->i_pages, idx, entry) {
		struct page *page = entry;

		if (xa_is_value(entry))
			continue;
		pages++;
		if (page->mapping != mapping || page->index != idx) {
			pr_err(m, "BUG: page cache of %s ino %lu: page %lx at index %lu has mapping %p index %lu\n",
			       inode->i_path, inode->i_ino, page_to_pfn(m, page), idx, page->mapping,
			       page->index);
			bad++;
		}
		if (!PageUptodate(page) && !PageLocked(page)) {
			pr_err(m, "BUG: page cache of %s ino %lu: page %lx at index %lu neither uptodate nor locked\n",
			       inode->i_path, inode->i_ino, page_to_pfn(m, page), idx);
			bad++;
		}
		if (page_count(page) < 1 + page_mapcount(page)) {
			pr_err(m, "BUG: page cache of %s ino %lu: page %lx refcount %d < 1 + mapcount %d\n",
			       inode->i_path, inode->i_ino, page_to_pfn(m, page), page_count(page),
			       page_mapcount(page));
			bad++;
		}
		if (PageDirty(page) && page_accounts_dirty(page))
			ndirty++;
	}
	if (pages != mapping->nrpages) {
		pr_err(m, "BUG: page cache of %s ino %lu: nrpages %lu, %lu pages present\n",
		       inode->i_path, inode->i_ino, mapping->nrpages, pages);
		bad++;
	}
	if (ndirty != mapping->nrdirty) {
		pr_err(m, "BUG: page cache of %s ino %lu: nrdirty %lu, %lu dirty pages\n",
		       inode->i_path, inode->i_ino, mapping->nrdirty, ndirty);
		bad++;
	}
	xa_unlock(&mapping->i_pages);
	*dirty += ndirty;
	return bad;
}

/* Every file VMA is on its i_mmap, every i_mmap VMA maps that mapping. */
static int check_i_mmap(struct machine *m)
{
	struct vm_area_struct *vma;
	struct mm_struct *mm;
	int bad = 0;

	spin_lock(&m->vm.mmlist_lock);
	list_for_each_entry(mm, &m->vm.mm_list, mm_list)
		for_each_vma(mm, vma) {
			struct address_space *mapping = vma->vm_file ? vma->vm_file->f_mapping : NULL;

			if (mapping && list_empty(&vma->shared)) {
				pr_err(m, "BUG: VMA %lx-%lx of %s not on its i_mmap\n", vma->vm_start,
				       vma->vm_end, vma->vm_file->f_path);
				bad++;
			}
		}
	spin_unlock(&m->vm.mmlist_lock);
	return bad;
}

/**
 * check_page_cache() - the page cache's invariants (see the top of the file)
 * @m: the machine
 *
 * Returns the number of violations, each printed.
 */
int check_page_cache(struct machine *m)
{
	unsigned long dirty = 0;
	struct inode *inode;
	int bad = 0;

	if (!m->fs.ready)
		return 0;
	spin_lock(&m->fs.inode_lock);
	list_for_each_entry(inode, &m->fs.inodes, i_list) {
		struct vm_area_struct *vma;

		bad += check_mapping(m, inode, &dirty);
		spin_lock(&inode->i_data.i_mmap_lock);
		list_for_each_entry(vma, &inode->i_data.i_mmap, shared)
			if (!vma->vm_file || vma->vm_file->f_mapping != &inode->i_data) {
				pr_err(m, "BUG: i_mmap of %s ino %lu holds VMA %lx-%lx of another file\n",
				       inode->i_path, inode->i_ino, vma->vm_start, vma->vm_end);
				bad++;
			}
		spin_unlock(&inode->i_data.i_mmap_lock);
	}
	spin_unlock(&m->fs.inode_lock);
	if (dirty != node_page_state(&m->node, NR_FILE_DIRTY)) {
		pr_err(m, "BUG: NR_FILE_DIRTY %lu, %lu dirty page-cache pages\n",
		       node_page_state(&m->node, NR_FILE_DIRTY), dirty);
		bad++;
	}
	return bad + check_i_mmap(m);
}
