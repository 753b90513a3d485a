/* The /proc tree of a simulated machine: a table of paths and the views
 * that render them from live state (cf. fs/proc). A subsystem adds its
 * files to proc_entries[]; per-process files (/proc/PID/NAME, /proc/self/NAME)
 * go in proc_pid_entries[]. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mm/vma.h"
#include "proc/seq.h"

static const struct proc_entry proc_entries[] = {
	{ "/proc/buddyinfo", buddyinfo_show },
	{ "/proc/iomem", iomem_show },
	{ "/proc/meminfo", meminfo_show },
	{ "/proc/slabinfo", slabinfo_show },
	{ "/proc/swaps", swaps_show },
	{ "/proc/sysvipc/shm", sysvipc_shm_show },
	{ "/proc/vmallocinfo", vmallocinfo_show },
	{ "/proc/vmstat", vmstat_show },
	{ "/proc/zoneinfo", zoneinfo_show },
};


static int seq_reserve(struct seq_file *s, size_t more)
{
	size_t want = s->count + more + 1;
	char *nbuf;

	if (s->error)
		return s->error;
	if (want <= s->size)
		return 0;
	if (want < 2 * s->size)
		want = 2 * s->size;
	if (want < 4096)
		want = 4096;
	nbuf = realloc(s->buf, want);
	if (!nbuf)
		return s->error = -ENOMEM;
	s->buf = nbuf;
	s->size = want;
	return 0;
}

void seq_printf(struct seq_file *s, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || seq_reserve(s, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(s->buf + s->count, (size_t)n + 1, fmt, ap);
	va_end(ap);
	s->count += (size_t)n;
}

void seq_puts(struct seq_file *s, const char *str)
{
	size_t n = strlen(str);

	if (seq_reserve(s, n))
		return;
	memcpy(s->buf + s->count, str, n + 1);
	s->count += n;
}

void seq_putc(struct seq_file *s, char c)
{
	if (seq_reserve(s, 1))
		return;
	s->buf[s->count++] = c;
	s->buf[s->count] = '\0';
}

/* Per-process files: /proc/PID/NAME and /proc/self/NAME. */
static const struct proc_pid_entry proc_pid_entries[] = {
	{ "maps", pid_maps_show },
	{ "oom_score", pid_oom_score_show },
	{ "oom_score_adj", pid_oom_score_adj_show },
	{ "smaps", pid_smaps_show },
	{ "smaps_rollup", pid_smaps_rollup_show },
	{ "stat", pid_stat_show },
	{ "statm", pid_statm_show },
	{ "status", pid_status_show },
};

const char *const *mmkit_proc_files(void)
{
	static char pid_paths[ARRAY_SIZE(proc_pid_entries)][32];
	static const char *paths[ARRAY_SIZE(proc_entries) + ARRAY_SIZE(proc_pid_entries) + 1];
	size_t n = 0;

	/* Idempotent: every call writes the same values. */
	for (size_t i = 0; i < ARRAY_SIZE(proc_entries); i++)
		paths[n++] = proc_entries[i].path;
	for (size_t i = 0; i < ARRAY_SIZE(proc_pid_entries); i++) {
		snprintf(pid_paths[i], sizeof(pid_paths[i]), "/proc/PID/%s", proc_pid_entries[i].name);
		paths[n++] = pid_paths[i];
	}
	return paths;
}

/* The entry and task a /proc/PID/NAME path names, or NULL. */
static const struct proc_pid_entry *proc_pid_lookup(struct machine *m, const char *path,
						    struct task_struct **tskp)
{
	const char *p;
	char *end;

	if (strncmp(path, "/proc/", 6) != 0)
		return NULL;
	p = path + 6;
	if (strncmp(p, "self/", 5) == 0) {
		*tskp = get_current(m);
		p += 5;
	} else {
		long pid;

		if (*p < '1' || *p > '9')
			return NULL;
		pid = strtol(p, &end, 10);
		if (*end != '/' || pid > 0x7fffffffL)
			return NULL;
		*tskp = find_task_by_pid(m, (pid_t)pid);
		p = end + 1;
	}
	if (!*tskp)
		return NULL;
	for (size_t i = 0; i < ARRAY_SIZE(proc_pid_entries); i++)
		if (strcmp(p, proc_pid_entries[i].name) == 0)
			return &proc_pid_entries[i];
	return NULL;
}

int mmkit_proc_read(struct machine *m, const char *path, char **out, size_t *len)
{
	const struct proc_entry *entry = NULL;
	const struct proc_pid_entry *pid_entry = NULL;
	struct task_struct *tsk = NULL;
	struct seq_file s = { 0 };
	int ret;

	for (size_t i = 0; i < ARRAY_SIZE(proc_entries); i++)
		if (strcmp(path, proc_entries[i].path) == 0)
			entry = &proc_entries[i];
	if (!entry)
		pid_entry = proc_pid_lookup(m, path, &tsk);
	if (!entry && !pid_entry)
		return -ENOENT;
	if (seq_reserve(&s, 0))
		return -ENOMEM;
	s.buf[0] = '\0';
	ret = entry ? entry->show(&s, m) : pid_entry->show(&s, m, tsk);
	if (!ret)
		ret = s.error;
	if (ret) {
		free(s.buf);
		return ret;
	}
	*out = s.buf;
	if (len)
		*len = s.count;
	return 0;
}
