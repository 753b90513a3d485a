/* Host services for the core: formatting and number parsing (libc behind
 * the seam), and the machine object's own allocation. */
#include <stdio.h>
#include <stdlib.h>

#include "internal.h"

#include "arch/x86/pgtable.h"

_Thread_local unsigned int mmkit_current_cpu;

void mmkit_set_cpu(unsigned int cpu)
{
	mmkit_current_cpu = cpu;
}

int machine_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	return vsnprintf(buf, size, fmt, ap);
}

int machine_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

unsigned long long machine_strtoull(const char *s, char **end, int base)
{
	return strtoull(s, end, base);
}

struct machine *mmkit_machine_create(const struct machine_desc *d)
{
	struct machine *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->desc = *d;
	m->log.at_line_start = true;
	m->ram_fd = -1;
	m->debug_vm = getenv("MMKIT_DEBUG_VM") ? atoi(getenv("MMKIT_DEBUG_VM")) : 0;
	snprintf(m->comm, sizeof(m->comm), "swapper/0");
	return m;
}

void mmkit_machine_destroy(struct machine *m)
{
	if (!m)
		return;
	fs_shutdown(m);	/* dirty page-cache pages reach their host files */
	kwindow_release(m);	/* the vmalloc/kmap window aliases ram: drop it first */
	machine_ram_release(m);
	free(m);
}

const char *mmkit_log_text(const struct machine *m, size_t *len)
{
	if (len)
		*len = m->log.len;
	return m->log.buf;
}
