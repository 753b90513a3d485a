/* Address-space objects: creating and dropping mm_structs, and the slab
 * caches behind mm_struct, vm_area_struct and task_struct (cf.
 * kernel/fork.c mm_alloc, mmput, mmdrop, proc_caches_init).
 *
 * An mm has two counts: mm_users (tasks using it; threads share one) and
 * mm_count (references to the struct; all users together hold one). The
 * last mmput() tears the mappings down (exit_mmap); the last mmdrop()
 * frees the page global directory and the struct.
 *
 * Invariant: every live mm is on m->vm.mm_list (mmlist_lock) exactly once. Fork (copying
 * VMAs, COW) is a later issue. */
#include "mm/vma.h"

/**
 * proc_caches_init() - create the "mm_struct", "vm_area_struct" and
 *	"task_struct" slab caches (once)
 * @m: the machine; its slab allocator must be up
 */
void proc_caches_init(struct machine *m)
{
	const slab_flags_t flags = SLAB_HWCACHE_ALIGN | SLAB_PANIC | SLAB_ACCOUNT;

	if (!m->vm.mm_cachep)
		m->vm.mm_cachep = kmem_cache_create(m, "mm_struct", sizeof(struct mm_struct),
						    L1_CACHE_BYTES, flags, NULL);
	if (!m->vm.vm_area_cachep)
		m->vm.vm_area_cachep = kmem_cache_create(m, "vm_area_struct",
							 sizeof(struct vm_area_struct), 0, flags,
							 NULL);
	if (!m->vm.task_struct_cachep)
		m->vm.task_struct_cachep = kmem_cache_create(m, "task_struct",
							     sizeof(struct task_struct),
							     L1_CACHE_BYTES, flags, NULL);
}

/**
 * mm_alloc() - a new, empty address space (cf. mm_alloc, mm_init)
 * @m: the machine
 *
 * Its page global directory is allocated (pgd_alloc); the layout is the
 * caller's (exec). Returns NULL without memory.
 */
struct mm_struct *mm_alloc(struct machine *m)
{
	struct mm_struct *mm;

	if (!m->vm.mm_cachep)
		return NULL;
	mm = kmem_cache_zalloc(m, m->vm.mm_cachep, GFP_KERNEL);
	if (!mm)
		return NULL;
	mm->mm_users = 1;
	mm->mm_count = 1;
	init_rwsem(&mm->mmap_lock);
	spin_lock_init(&mm->page_table_lock);
	mm->task_size = arch_task_size(m);
	if (pgd_alloc_user(m, mm)) {
		kmem_cache_free(m, m->vm.mm_cachep, mm);
		return NULL;
	}
	spin_lock(&m->vm.mmlist_lock);
	list_add_tail(&mm->mm_list, &m->vm.mm_list);
	spin_unlock(&m->vm.mmlist_lock);
	return mm;
}

/**
 * mmdrop() - drop a reference to the struct; the last frees it
 * @m: the machine
 * @mm: the address space
 */
void mmdrop(struct machine *m, struct mm_struct *mm)
{
	VM_WARN_ON(m, mm->mm_count <= 0);
	if (--mm->mm_count)
		return;
	VM_WARN_ON(m, mm->map_count || mm->mmap);
	pgd_free_user(m, mm);
	spin_lock(&m->vm.mmlist_lock);
	list_del(&mm->mm_list);
	spin_unlock(&m->vm.mmlist_lock);
	kmem_cache_free(m, m->vm.mm_cachep, mm);
}

/**
 * mmput() - a task stops using @mm; the last user tears its mappings down
 * @m: the machine
 * @mm: the address space
 */
void mmput(struct machine *m, struct mm_struct *mm)
{
	VM_WARN_ON(m, mm->mm_users <= 0);
	if (--mm->mm_users)
		return;
	exit_mmap(m, mm);
	mmdrop(m, mm);
}
