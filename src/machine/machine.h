/* The seam between the freestanding core (src/mm, src/boot, src/arch) and
 * the host. The core reaches the host only through what is declared here;
 * an embedding (a hobby kernel) reimplements these and nothing else.
 * Implemented in src/machine/{ram,printk,host}.c. */
#ifndef MMKIT_MACHINE_SEAM_H
#define MMKIT_MACHINE_SEAM_H

#include <stdarg.h>

#include <mmkit/machine.h>

/* Reserve host memory for bytes of simulated RAM, zero-filled and lazily
 * backed (nothing is committed until touched). Precondition: m->ram is NULL.
 * Returns 0, or -ENOMEM when the host cannot reserve the range. */
int machine_ram_reserve(struct machine *m, u64 bytes);

/* Give back the RAM reservation. Safe on a machine without one. */
void machine_ram_release(struct machine *m);

/* Tell the host the pages [phys, phys+len) hold nothing worth keeping:
 * the host may drop their backing (they read back as zero). */
void machine_ram_discard(struct machine *m, phys_addr_t phys, u64 len);

/* Format like vsnprintf: at most size bytes including the NUL. Returns the
 * length the full output would have. Supports the C99 conversions. */
int machine_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int machine_snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Parse an unsigned number like strtoull (base 0: 0x, 0 and decimal). */
unsigned long long machine_strtoull(const char *s, char **end, int base);

/* The simulated CPU this host thread runs as (mmkit_set_cpu()); each host
 * thread is one CPU, 0 unless set. */
extern _Thread_local unsigned int mmkit_current_cpu;
static inline unsigned int smp_processor_id(const struct machine *m)
{
	(void)m;
	return mmkit_current_cpu;
}

/* Byte helpers: compiler builtins, which the host (or a kernel) provides. */
#define mm_memset(d, c, n) __builtin_memset(d, c, n)
#define mm_memcpy(d, s, n) __builtin_memcpy(d, s, n)
#define mm_memcmp(a, b, n) __builtin_memcmp(a, b, n)
#define mm_strlen(s) __builtin_strlen(s)
#define mm_strcmp(a, b) __builtin_strcmp(a, b)
#define mm_strncmp(a, b, n) __builtin_strncmp(a, b, n)

#endif
