/* The host side of the kernel window (see machine.h): PROT_NONE
 * reservations of host address space, and MAP_FIXED aliases of the RAM
 * memfd inside them. Host code: may use libc. */
#include <errno.h>
#include <sys/mman.h>
#include <unistd.h>

#include "machine/machine.h"

void *machine_window_reserve(struct machine *m, u64 bytes)
{
	void *p;

	(void)m;
	if (bytes == 0 || bytes != (size_t)bytes || (bytes & (PAGE_SIZE - 1)))
		return NULL;
	p = mmap(NULL, (size_t)bytes, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

void machine_window_release(struct machine *m, void *base, u64 bytes)
{
	(void)m;
	if (base)
		munmap(base, (size_t)bytes);
}

int machine_window_map(struct machine *m, void *addr, phys_addr_t phys, u64 len)
{
	void *p;

	if (!len || len > m->ram_bytes || phys > m->ram_bytes - len ||
	    ((phys | len | (uintptr_t)addr) & (PAGE_SIZE - 1)))
		return -EINVAL;
	p = mmap(addr, (size_t)len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED | MAP_POPULATE, m->ram_fd,
		 (off_t)phys);
	return p == MAP_FAILED ? -ENOMEM : 0;
}

int machine_window_unmap(struct machine *m, void *addr, u64 len)
{
	void *p;

	(void)m;
	if (!len || ((len | (uintptr_t)addr) & (PAGE_SIZE - 1)))
		return -EINVAL;
	p = mmap(addr, (size_t)len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE,
		 -1, 0);
	return p == MAP_FAILED ? -ENOMEM : 0;
}

/* Read one byte at addr without faulting: through a pipe, which reports an
 * inaccessible source as EFAULT. */
static int safe_read_byte(int fds[2], const void *addr, unsigned char *out)
{
	if (write(fds[1], addr, 1) != 1)
		return -EFAULT;
	if (read(fds[0], out, 1) != 1)
		return -EIO;
	return 0;
}

int machine_window_probe(struct machine *m, const void *addr, phys_addr_t phys)
{
	volatile unsigned char *ram = m->ram + phys;
	unsigned char orig, seen;
	int fds[2], ret;

	if (phys >= m->ram_bytes || pipe(fds))
		return -EFAULT;
	orig = *ram;
	ret = safe_read_byte(fds, addr, &seen);
	if (!ret) {
		*ram = (unsigned char)~orig;
		ret = safe_read_byte(fds, addr, &seen);
		*ram = orig;
		if (!ret)
			ret = seen == (unsigned char)~orig;
	}
	close(fds[0]);
	close(fds[1]);
	return ret;
}
