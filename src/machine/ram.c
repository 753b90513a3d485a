/* The simulated machine's RAM: a host memfd of the machine's size, mapped
 * once whole at m->ram (page frame N at m->ram + N * 4096), reserved with
 * MAP_NORESERVE and backed lazily, so a 64 GiB machine costs host memory
 * only for the pages it touches. Being a file, any frame can also be mapped
 * a second time elsewhere (machine_ram_alias), which is how vmalloc and kmap
 * areas become real, dereferenceable kernel addresses. */
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "machine/machine.h"

int machine_ram_reserve(struct machine *m, u64 bytes)
{
	void *p;
	int fd;

	if (bytes == 0 || bytes != (size_t)bytes || (bytes & (PAGE_SIZE - 1)))
		return -EINVAL;
	fd = memfd_create("mmkit-ram", MFD_CLOEXEC);
	if (fd < 0)
		return -ENOMEM;
	if (ftruncate(fd, (off_t)bytes) < 0)
		goto out_close;
	p = mmap(NULL, (size_t)bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE, fd, 0);
	if (p == MAP_FAILED)
		goto out_close;
	m->ram = p;
	m->ram_bytes = bytes;
	m->ram_fd = fd;
	return 0;
out_close:
	close(fd);
	return -ENOMEM;
}

void machine_ram_release(struct machine *m)
{
	if (m->ram) {
		munmap(m->ram, (size_t)m->ram_bytes);
		close(m->ram_fd);
	}
	m->ram = NULL;
	m->ram_bytes = 0;
	m->ram_fd = -1;
}

void machine_ram_discard(struct machine *m, phys_addr_t phys, u64 len)
{
	if (!m->ram || phys + len > m->ram_bytes || phys + len < phys)
		return;
	/* Punching the hole drops the frames from every alias at once. */
	fallocate(m->ram_fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)phys, (off_t)len);
}
