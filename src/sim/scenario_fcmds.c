/* Scenario commands for files and the page cache (cf. fs/open.c,
 * fs/read_write.c, mm/filemap.c, fs/drop_caches.c through <mmkit/fs.h>):
 * open/close, read(2)/write(2) as sysread/syswrite, pread/pwrite, lseek,
 * ftruncate/truncate, fsync/fdatasync, unlink, mkfile (a file that was on
 * the disk before boot), and the writes a shell does to /proc files:
 * `echo 1 > /proc/sys/vm/drop_caches`, `sysctl vm.swappiness=N`,
 * `echo N > /proc/NAME/oom_score_adj`.
 *
 * The syscalls act on the current task of the scenario's CPU; buffers are
 * user addresses of that task (copied through the MMU, so they fault as in
 * Linux). Paths are in the simulated file system (`files DIR` of the
 * machine description; a fresh empty directory by default).
 *
 * Invariant: a command reports its outcome in r->res and prints only
 * simulated values; mkfile never writes behind the page cache's back (a
 * file the kernel has cached is refused). */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <mmkit/fs.h>
#include <mmkit/vmscan.h>

#include "internal.h"
#include "machine/machine.h"
#include "sim/scenario_internal.h"

/* A syscall result that counts bytes or names an fd: printed in decimal. */
static int count_result(struct scn_run *r, long long ret)
{
	scn_errno_result(r, "file", (long)ret);
	r->res.decimal = true;
	return 0;
}

/* Evaluate the expression arguments [0, n) into v (words count as 0). */
static int eval_n(struct scn_run *r, const struct scn_cmd *c, int n, uint64_t *v)
{
	for (int i = 0; i < n; i++) {
		v[i] = i < c->nargs && c->arg[i].kind == SCN_ARG_EXPR ? scn_eval(r, &c->arg[i]) : 0;
		if (r->failed)
			return -1;
	}
	return 0;
}

int scn_cmd_open(struct scn_run *r, const struct scn_cmd *c)
{
	uint64_t mode = 0644;

	if (c->nargs > 2) {
		mode = scn_eval(r, &c->arg[2]);
		if (r->failed)
			return -1;
	}
	return count_result(r, sys_open(r->m, c->arg[0].text, (int)c->arg[1].flags,
					(unsigned int)mode));
}

int scn_cmd_close(struct scn_run *r, const struct scn_cmd *c)
{
	uint64_t v[1];

	if (eval_n(r, c, 1, v))
		return -1;
	return count_result(r, sys_close(r->m, (unsigned int)v[0]));
}

int scn_cmd_sysread(struct scn_run *r, const struct scn_cmd *c)
{
	uint64_t v[3];

	if (eval_n(r, c, 3, v))
		return -1;
	return count_result(r, sys_read(r->m, (unsigned int)v[0], v[1], v[2]));
}

int scn_cmd_syswrite(struct scn_run *r, const struct scn_cmd *c)
{
	uint64_t v[3];

	if (eval_n(r, c, 3, v))
		return -1;
	return count_result(r, sys_write(r->m, (unsigned int)v[0], v[1], v[2]));
}

int scn_cmd_pread(struct scn_run *r, const struct scn_cmd *c)
{
	uint64_t v[4];

	if (eval_n(r, c, 4, v))
		return -1;
	return count_result(r, sys_pread64(r->m, (unsigned int)v[0], v[1], v[2], (long long)v[3]));
}

int scn_cmd_pwrite(struct scn_run *r, const struct scn_cmd *c)
{
	uint64_t v[4];

	if (eval_n(r, c, 4, v))
		return -1;
	return count_result(r, sys_pwrite64(r->m, (unsigned int)v[0], v[1], v[2], (long long)v[3]));
}

int scn_cmd_lseek(struct scn_run *r, const struct scn_cmd *c)
{
	uint64_t v[2];

	if (eval_n(r, c, 2, v))
		return -1;
	return count_result(r, sys_lseek(r->m, (unsigned int)v[0], (long long)v[1],
					 (unsigned int)c->arg[2].flags));
}

int scn_cmd_ftruncate(struct scn_run *r, const struct scn_cmd *c)
{
	uint64_t v[2];

	if (eval_n(r, c, 2, v))
		return -1;
	return count_result(r, sys_ftruncate(r->m, (unsigned int)v[0], (long long)v[1]));
}

int scn_cmd_truncate(struct scn_run *r, const struct scn_cmd *c)
{
	uint64_t len = scn_eval(r, &c->arg[1]);

	if (r->failed)
		return -1;
	return count_result(r, sys_truncate(r->m, c->arg[0].text, (long long)len));
}

int scn_cmd_fsync(struct scn_run *r, const struct scn_cmd *c)
{
	uint64_t v[1];

	if (eval_n(r, c, 1, v))
		return -1;
	if (!strcmp(c->op->name, "fdatasync"))
		return count_result(r, sys_fdatasync(r->m, (unsigned int)v[0]));
	return count_result(r, sys_fsync(r->m, (unsigned int)v[0]));
}

int scn_cmd_unlink(struct scn_run *r, const struct scn_cmd *c)
{
	return count_result(r, sys_unlink(r->m, c->arg[0].text));
}

/* splitmix64, the same stream as `write ADDR LEN random SEED` */
static uint64_t mix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Is @path (as the scenario wrote it) an inode the kernel has in memory? */
static bool path_cached(struct scn_run *r, const char *path)
{
	struct inode *inode;
	bool found = false;

	while (*path == '/')
		path++;
	spin_lock(&r->m->fs.inode_lock);
	list_for_each_entry(inode, &r->m->fs.inodes, i_list)
		if (inode->i_nlink && inode->i_path[0] == '/' && !strcmp(inode->i_path + 1, path))
			found = true;
	spin_unlock(&r->m->fs.inode_lock);
	return found;
}

/* Fill @buf (bytes [off, off + n) of the file) as the mkfile option says. */
static void mkfile_bytes(const struct scn_cmd *c, uint8_t *buf, size_t n, uint64_t off,
			 uint64_t *state)
{
	const struct scn_arg *how = c->nargs > 2 ? &c->arg[2] : NULL;

	if (!how || !strcmp(how->text, "zero")) {
		memset(buf, 0, n);
	} else if (!strcmp(how->text, "pattern")) {
		for (size_t i = 0; i < n; i++)
			buf[i] = (uint8_t)c->arg[3].text[(off + i) % c->arg[3].len];
	} else {
		for (size_t i = 0; i < n; i += 8) {
			uint64_t x = mix(state);

			for (size_t j = 0; j < 8 && i + j < n; j++)
				buf[i + j] = (uint8_t)(x >> (8 * j));
		}
	}
}

int scn_cmd_mkfile(struct scn_run *r, const struct scn_cmd *c)
{
	struct machine_file_stat st;
	uint64_t size = scn_eval(r, &c->arg[1]), state = 0, off;
	uint8_t buf[4096];
	int fh, ret = 0;

	if (r->failed)
		return -1;
	if (c->nargs == 4 && !strcmp(c->arg[2].text, "random")) {
		state = scn_eval(r, &c->arg[3]);
		if (r->failed)
			return -1;
	}
	if (size > (1ULL << 30))
		return scn_fail(r, c->arg[1].col, "mkfile makes files up to 1 GiB");
	if (path_cached(r, c->arg[0].text))
		return scn_fail(r, c->arg[0].col, "%s is in the kernel's inode cache: mkfile "
				"writes the disk only before the kernel uses a file", c->arg[0].text);
	fh = machine_file_open(r->m, c->arg[0].text, O_WRONLY | O_CREAT, 0644, &st);
	if (fh < 0)
		return scn_errno_result(r, "mkfile", fh);
	ret = machine_file_truncate(r->m, fh, 0);
	for (off = 0; off < size && !ret; off += sizeof(buf)) {
		size_t n = size - off < sizeof(buf) ? (size_t)(size - off) : sizeof(buf);
		long w;

		mkfile_bytes(c, buf, n, off, &state);
		w = machine_file_pwrite(r->m, fh, buf, n, (long long)off);
		ret = w < 0 ? (int)w : 0;
	}
	machine_file_close(r->m, fh);
	if (ret)
		return scn_errno_result(r, "mkfile", ret);
	scn_printf(r, "%s: %" PRIu64 " bytes on the disk\n", c->arg[0].text, size);
	return 0;
}

/* ---- writes to /proc: drop_caches, sysctls, oom_score_adj ---- */

/* A write's outcome: nothing printed on success, write(2)'s errno else. */
static int write_result(struct scn_run *r, long ret)
{
	return ret < 0 ? scn_errno_result(r, "write", ret) : 0;
}

/* echo 1 > /proc/sys/vm/drop_caches (cf. drop_caches_sysctl_handler,
 * drop_pagecache_sb): every clean, unmapped page-cache page of the files
 * goes. Returns the pages dropped. */
static unsigned long drop_pagecache(struct machine *m)
{
	struct inode *inode, **held;
	unsigned long n = 0, dropped = 0;

	spin_lock(&m->fs.inode_lock);
	held = calloc(m->fs.nr_inodes + 1, sizeof(*held));
	if (held)
		list_for_each_entry(inode, &m->fs.inodes, i_list)
			if (inode->i_host >= 0 && !(inode->i_state & I_FREEING) &&
			    inode->i_data.nrpages) {
				ihold(inode);
				held[n++] = inode;
			}
	spin_unlock(&m->fs.inode_lock);
	for (unsigned long i = 0; i < n; i++) {
		dropped += invalidate_mapping_pages(m, held[i]->i_mapping, 0, ~0UL);
		iput(m, held[i]);
	}
	free(held);
	return dropped;
}

static int write_drop_caches(struct scn_run *r, const struct scn_arg *a, uint64_t v)
{
	struct task_struct *t = get_current(r->m);

	if (v < 1 || v > 4)
		return write_result(r, -EINVAL);
	if (v & 1) {
		unsigned long n = drop_pagecache(r->m);

		count_vm_events(r->m, DROP_PAGECACHE, 1);
		scn_printf(r, "dropped %lu page-cache page%s\n", n, n == 1 ? "" : "s");
	}
	if (v & 2)
		count_vm_events(r->m, DROP_SLAB, 1);
	if (v & 2)
		scn_printf(r, "(slab shrinkers: mmkit has none to run)\n");
	(void)a;
	/* Linux says it once per boot (the stfu bit 4 silences it) */
	if (!(v & 4) && !r->said_drop_caches) {
		pr_info(r->m, "%s (%d): drop_caches: %d\n", t ? t->comm : "mmkit",
			t ? t->pid : 0, (int)v);
		r->said_drop_caches = true;
	}
	return 0;
}

/**
 * scn_proc_write() - write @value to a /proc file or sysctl, as
 *	`echo VALUE > FILE` or `sysctl NAME=VALUE` would
 * @r: the run
 * @file: the file (/proc/sys/vm/X, /proc/NAME/oom_score_adj) or sysctl name
 * @value: the value as written (a number, or a word for the policy)
 * @col: the column to blame
 *
 * Returns 0 (outcome in r->res) or -1 after scn_fail.
 */
int scn_proc_write(struct scn_run *r, const char *file, const struct scn_arg *value, int col)
{
	char path[256];
	uint64_t v = 0;
	const char *name, *slash;

	snprintf(path, sizeof(path), "%s", file);
	if (strncmp(path, "/proc/", 6)) {	/* sysctl name: vm.swappiness */
		snprintf(path, sizeof(path), "/proc/sys/%s", file);
		for (char *p = path + 10; *p; p++)
			if (*p == '.')
				*p = '/';
	}
	name = path + 6;
	if (!strcmp(name, "sys/vm/mmkit_reclaim_policy")) {
		return write_result(r, mmkit_set_reclaim_policy(r->m, value->text));
	}
	if (value->kind != SCN_ARG_EXPR)
		return scn_fail(r, value->col, "expected a number, got '%s'", value->text);
	v = scn_eval(r, value);
	if (r->failed)
		return -1;
	if (!strcmp(name, "sys/vm/drop_caches"))
		return write_drop_caches(r, value, v);
	if (!strcmp(name, "sys/vm/swappiness")) {
		if (v > 200)
			return write_result(r, -EINVAL);
		r->m->reclaim.sysctl_swappiness = (int)v;
		return 0;
	}
	if (!strcmp(name, "sys/vm/mmkit_max_resident"))
		return write_result(r, mmkit_set_max_resident(r->m, (unsigned long)v));
	slash = strchr(name, '/');
	if (slash && !strcmp(slash, "/oom_score_adj")) {
		char who[64];
		struct task_struct *t;

		snprintf(who, sizeof(who), "%.*s", (int)(slash - name), name);
		t = !strcmp(who, "self") ? get_current(r->m) : scn_find_proc(r, who);
		if (!t && who[0] >= '0' && who[0] <= '9')
			t = find_task_by_pid(r->m, atoi(who));
		if (!t)
			return write_result(r, -ENOENT);
		return write_result(r, mmkit_set_oom_score_adj(r->m, t, (int)(int64_t)v));
	}
	return scn_fail(r, col, "mmkit cannot write %s (drop_caches, swappiness, "
			"mmkit_reclaim_policy, mmkit_max_resident, PID/oom_score_adj)", path);
}

int scn_cmd_sysctl(struct scn_run *r, const struct scn_cmd *c)
{
	struct scn_arg value = c->arg[1];

	return scn_proc_write(r, c->arg[0].text, &value, c->arg[0].col);
}
