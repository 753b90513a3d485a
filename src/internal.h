/* Declarations shared between mmkit's subsystems but not part of the public
 * API, sectioned by the file that defines them (as mm/internal.h does).
 * Public API: include/mmkit/. Host seam: src/machine/machine.h. */
#ifndef MMKIT_INTERNAL_H
#define MMKIT_INTERNAL_H

#include <mmkit/mmkit.h>

#include "machine/machine.h"

/* in machine/printk.c */
#define KERN_SOH "\001"
#define KERN_EMERG KERN_SOH "0"
#define KERN_ALERT KERN_SOH "1"
#define KERN_CRIT KERN_SOH "2"
#define KERN_ERR KERN_SOH "3"
#define KERN_WARNING KERN_SOH "4"
#define KERN_NOTICE KERN_SOH "5"
#define KERN_INFO KERN_SOH "6"
#define KERN_DEBUG KERN_SOH "7"
#define KERN_CONT KERN_SOH "c"
/* Append to the kernel log. Each line starts with "[%5lu.%06lu] " from the
 * simulated clock; the level prefix is stripped (dmesg's default view). */
void printk(struct machine *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void vprintk(struct machine *m, const char *fmt, va_list ap);
#define pr_emerg(m, fmt, ...) printk(m, KERN_EMERG fmt, ##__VA_ARGS__)
#define pr_err(m, fmt, ...) printk(m, KERN_ERR fmt, ##__VA_ARGS__)
#define pr_warn(m, fmt, ...) printk(m, KERN_WARNING fmt, ##__VA_ARGS__)
#define pr_notice(m, fmt, ...) printk(m, KERN_NOTICE fmt, ##__VA_ARGS__)
#define pr_info(m, fmt, ...) printk(m, KERN_INFO fmt, ##__VA_ARGS__)
#define pr_debug(m, fmt, ...) printk(m, KERN_DEBUG fmt, ##__VA_ARGS__)
#define pr_cont(m, fmt, ...) printk(m, KERN_CONT fmt, ##__VA_ARGS__)

/* A broken invariant is a bug in mmkit, not a caller's error: report it in
 * the log (and count it) but keep running, as VM_WARN_ON does. */
#define VM_WARN_ON(m, cond)                                                       \
	({                                                                        \
		bool __c = !!(cond);                                              \
		if (unlikely(__c))                                                \
			mmkit_vm_warn(m, __FILE__, __LINE__, #cond);              \
		__c;                                                              \
	})
void mmkit_vm_warn(struct machine *m, const char *file, int line, const char *what);

/* in boot/setup.c */
int setup_arch(struct machine *m);
void arch_layout_init(struct machine *m);

/* in boot/cmdline.c */
int parse_mem_cmdline(struct machine *m);
u64 memparse(const char *ptr, char **retptr);
u64 cmdline_early_mem_limit(struct machine *m);
bool cmdline_find_option(const struct machine *m, const char *key, const char **val);

/* in mm/mm_init.c */
int free_area_init(struct machine *m);
int mem_init(struct machine *m);

/* in mm/page_alloc.c */
void __free_pages_bootmem(struct machine *m, struct page *page, unsigned int order);
void setup_per_zone_wmarks(struct machine *m);
void bad_page(struct machine *m, struct page *page, const char *reason);
int check_page_alloc(struct machine *m);
unsigned long nr_free_pages(struct machine *m);
unsigned long nr_free_zone_pages(struct machine *m, int high_zoneidx);

/* Count delta vm events (/proc/vmstat). Linux keeps them per CPU
 * (vm_event_states); mmkit adds atomically, so any CPU may count. */
static inline void count_vm_events(struct machine *m, enum vm_event_item item, unsigned long delta)
{
	unsigned int cpu = smp_processor_id(m);
	unsigned long *c = &m->vm_event_cpu[cpu < NR_CPUS ? cpu : 0][item];

	/* this CPU's row only: a plain add, no locked instruction (relaxed
	 * atomics so readers summing the rows are not a data race) */
	__atomic_store_n(c, __atomic_load_n(c, __ATOMIC_RELAXED) + delta, __ATOMIC_RELAXED);
}

/* in mm/debug.c: the checkers mmkit_check() runs, one per subsystem. */
typedef int (*mmkit_checker_fn)(struct machine *m);

#endif
