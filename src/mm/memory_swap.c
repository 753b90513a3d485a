/* Faults on swap entries (cf. do_swap_page in mm/memory.c).
 * Placeholder until swap lands: a non-present pte is reported as a bad
 * page map, as print_bad_pte does. */
#include "mm/memory.h"

/**
 * do_swap_page() - bring in the page a swap pte names (cf. do_swap_page)
 * @m: the machine
 * @vmf: the fault; vmf->orig_pte is the swap pte
 */
vm_fault_t do_swap_page(struct machine *m, struct vm_fault *vmf)
{
	printk(m, KERN_ALERT "BUG: Bad page map in process %s  pte:%08llx\n", m->comm,
	       (unsigned long long)pte_val(vmf->orig_pte));
	return VM_FAULT_SIGBUS;
}
