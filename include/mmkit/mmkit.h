/* mmkit: the Linux memory manager in user space.
 *
 * The one header a user includes. It pulls in the Linux-named kernel API
 * (alloc_pages, __free_pages, ...), which the static library exports, and
 * declares the mmkit_* entry points, which both libraries export.
 *
 *	struct machine_desc d;
 *	mmkit_desc_default(&d);			// i386, 128 MiB
 *	struct machine *m = mmkit_machine_create(&d);
 *	if (mmkit_boot(m) == 0) {
 *		struct page *p = alloc_pages(m, GFP_KERNEL, 0);
 *		__free_pages(m, p, 0);
 *	}
 *	mmkit_machine_destroy(m);
 */
#ifndef MMKIT_MMKIT_H
#define MMKIT_MMKIT_H

#include <mmkit/bootmem.h>
#include <mmkit/e820.h>
#include <mmkit/gfp.h>
#include <mmkit/machine.h>
#include <mmkit/mm.h>
#include <mmkit/mmzone.h>
#include <mmkit/page.h>
#include <mmkit/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Fill d with the built-in default machine: i386, 1 CPU, 128 MiB, HIGHMEM. */
void mmkit_desc_default(struct machine_desc *d);

/* Parse a machine description (see docs/machine-format.md) from text.
 * filename names the source in errors. Returns 0, or -EINVAL with
 * "FILE:LINE: reason" written to err (errlen bytes at most). d is
 * left with defaults for what the text does not set. */
int mmkit_desc_parse(struct machine_desc *d, const char *text, const char *filename,
		     char *err, size_t errlen);

/* Read and parse a machine description file; -errno with err set on failure. */
int mmkit_desc_load(struct machine_desc *d, const char *path, char *err, size_t errlen);

/* Allocate a powered-off machine for d. Returns NULL only when the host
 * cannot allocate the machine structure. */
struct machine *mmkit_machine_create(const struct machine_desc *d);

/* Boot: setup_arch (e820, command line, max_pfn, bootmem), zone and mem_map
 * setup, mem_init (free_all_bootmem). Returns 0, or -errno with the reason
 * in the kernel log; a machine that failed to boot may only be destroyed. */
int mmkit_boot(struct machine *m);

/* Release every host resource of m. */
void mmkit_machine_destroy(struct machine *m);

/* Run the calling host thread as simulated CPU cpu (< desc.nr_cpus). */
void mmkit_set_cpu(unsigned int cpu);

/* The kernel log so far (what dmesg shows); *len gets its length. */
const char *mmkit_log_text(const struct machine *m, size_t *len);

/* Run every invariant checker (CONFIG_DEBUG_VM). Returns the number of
 * violations found; each is reported in the kernel log. */
int mmkit_check(struct machine *m);

/* Render the /proc file at path ("/proc/buddyinfo", "/proc/meminfo", ...)
 * into a malloc'ed buffer. Returns 0, or -ENOENT for a file mmkit does not
 * provide. The caller frees *out. */
int mmkit_proc_read(struct machine *m, const char *path, char **out, size_t *len);

/* The /proc files mmkit provides, NULL-terminated. */
const char *const *mmkit_proc_files(void);

#ifdef __cplusplus
}
#endif

#endif
