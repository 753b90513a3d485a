/* The simulated machine's RAM: one host mapping, reserved with
 * MAP_NORESERVE and backed lazily, so a 64 GiB machine costs host memory
 * only for the pages it touches. Page frame N is at m->ram + N * 4096.
 * Transparent huge pages are requested so first touches are cheap. */
#include <errno.h>
#include <sys/mman.h>

#include "machine/machine.h"

int machine_ram_reserve(struct machine *m, u64 bytes)
{
	void *p;

	if (bytes == 0 || bytes != (size_t)bytes)
		return -EINVAL;
	p = mmap(NULL, (size_t)bytes, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return -ENOMEM;
#ifdef MADV_HUGEPAGE
	madvise(p, (size_t)bytes, MADV_HUGEPAGE);
#endif
	m->ram = p;
	m->ram_bytes = bytes;
	return 0;
}

void machine_ram_release(struct machine *m)
{
	if (m->ram)
		munmap(m->ram, (size_t)m->ram_bytes);
	m->ram = NULL;
	m->ram_bytes = 0;
}

void machine_ram_discard(struct machine *m, phys_addr_t phys, u64 len)
{
	if (!m->ram || phys + len > m->ram_bytes)
		return;
	madvise(m->ram + phys, (size_t)len, MADV_DONTNEED);
}
