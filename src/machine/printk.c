/* The kernel log (cf. kernel/printk/printk.c): printk formats through the
 * host seam and appends lines, stamped with the simulated clock, to the
 * machine's log buffer. When the buffer is full, further text is counted
 * as dropped rather than overwriting what boot printed. A message is
 * formatted first and appended whole under m->log.lock (cf. logbuf_lock),
 * so messages from several CPUs do not interleave. */
#include "internal.h"

static void log_append(struct machine *m, const char *s, size_t n)
{
	struct mmkit_log *log = &m->log;
	size_t room = sizeof(log->buf) - 1 - log->len;

	if (n > room) {
		log->dropped += n - room;
		n = room;
	}
	mm_memcpy(log->buf + log->len, s, n);
	log->len += n;
	log->buf[log->len] = '\0';
}

void vprintk(struct machine *m, const char *fmt, va_list ap)
{
	char text[1024], stamp[32];
	const char *p = text, *nl;
	bool cont = false;
	int n;

	n = machine_vsnprintf(text, sizeof(text), fmt, ap);
	if (n < 0)
		return;
	if (text[0] == KERN_SOH[0] && text[1]) {
		cont = text[1] == 'c';
		p += 2;
	}
	spin_lock(&m->log.lock);
	if (!cont && m->log.len && !m->log.at_line_start)
		log_append(m, "\n", 1);
	while (*p) {
		if (m->log.len == 0 || m->log.at_line_start) {
			int sn = machine_snprintf(stamp, sizeof(stamp), "[%5lu.%06lu] ",
						  (unsigned long)(m->clock_ns / 1000000000),
						  (unsigned long)(m->clock_ns / 1000 % 1000000));
			log_append(m, stamp, (size_t)sn);
			m->log.at_line_start = false;
		}
		nl = __builtin_strchr(p, '\n');
		if (!nl) {
			log_append(m, p, mm_strlen(p));
			break;
		}
		log_append(m, p, (size_t)(nl - p + 1));
		m->log.at_line_start = true;
		p = nl + 1;
	}
	spin_unlock(&m->log.lock);
}

void printk(struct machine *m, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintk(m, fmt, ap);
	va_end(ap);
}

void mmkit_vm_warn(struct machine *m, const char *file, int line, const char *what)
{
	printk(m, KERN_WARNING "WARNING: CPU: %u at %s:%d: %s\n", smp_processor_id(m),
	       file, line, what);
}
