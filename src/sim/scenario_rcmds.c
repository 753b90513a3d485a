/* Scenario commands for swap, reclaim, the OOM killer and SysV shared
 * memory (cf. mm/swapfile.c, mm/vmscan.c, mm/oom_kill.c, ipc/shm.c through
 * <mmkit/swap.h>, <mmkit/vmscan.h>, <mmkit/shm.h>): mkswap, swapon,
 * swapoff, policy, max_resident, reclaim kswapd|direct, oom_score_adj,
 * oom_kill (sysrq-f), refs (a reference string over the pages of an area,
 * the textbook's page-replacement exercise run on the real fault path),
 * shmget, shmat, shmdt, shmctl.
 *
 * Invariant: a command reports its outcome in r->res and prints only
 * simulated values; reclaim runs only here, between commands, where no
 * lock is held (the safe point kswapd needs). */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <mmkit/mmu.h>
#include <mmkit/shm.h>
#include <mmkit/swap.h>
#include <mmkit/vmscan.h>

#include "internal.h"
#include "mm/internal_vmscan.h"
#include "sim/scenario_internal.h"

/* A result that is a number, not an address: printed in decimal. */
static int num_result(struct scn_run *r, long ret)
{
	scn_errno_result(r, "syscall", ret);
	r->res.decimal = true;
	return 0;
}

/* Success prints nothing; an error prints strace's "= -1 EXXX (...)". */
static int quiet_result(struct scn_run *r, long ret)
{
	return ret < 0 ? scn_errno_result(r, "syscall", ret) : 0;
}

/* ---- swap ---- */

int scn_cmd_mkswap(struct scn_run *r, const struct scn_cmd *c)
{
	uint64_t size = scn_eval(r, &c->arg[1]);
	int ret;

	if (r->failed)
		return -1;
	ret = mmkit_mkswap(r->m, c->arg[0].text, (unsigned long)size);
	if (ret)
		return scn_errno_result(r, "mkswap", ret);
	/* what mkswap(8) says */
	scn_printf(r, "Setting up swapspace version 1, size = %" PRIu64 " KiB (%" PRIu64
		   " bytes)\nno label, UUID=00000000-0000-0000-0000-000000000000\n",
		   (size / 4096 - 1) * 4, (size / 4096 - 1) * 4096);
	return 0;
}

int scn_cmd_swapon(struct scn_run *r, const struct scn_cmd *c)
{
	int flags = 0;

	if (c->nargs > 1) {
		uint64_t prio = scn_eval(r, &c->arg[1]);

		if (r->failed)
			return -1;
		flags = SWAP_FLAG_PREFER | (int)(prio & SWAP_FLAG_PRIO_MASK);
	}
	return quiet_result(r, sys_swapon(r->m, c->arg[0].text, flags));
}

int scn_cmd_swapoff(struct scn_run *r, const struct scn_cmd *c)
{
	return quiet_result(r, sys_swapoff(r->m, c->arg[0].text));
}

/* ---- reclaim ---- */

int scn_cmd_policy(struct scn_run *r, const struct scn_cmd *c)
{
	int ret = mmkit_set_reclaim_policy(r->m, c->arg[0].text);

	if (ret)
		return scn_errno_result(r, "policy", ret);
	scn_printf(r, "reclaim policy: %s\n", reclaim_policy_name(r->m->reclaim.policy));
	return 0;
}

int scn_cmd_max_resident(struct scn_run *r, const struct scn_cmd *c)
{
	uint64_t n = scn_eval(r, &c->arg[0]);
	int ret;

	if (r->failed)
		return -1;
	ret = mmkit_set_max_resident(r->m, (unsigned long)n);
	if (ret)
		return scn_errno_result(r, "max_resident", ret);
	if (n)
		scn_printf(r, "at most %" PRIu64 " evictable user page%s resident\n", n,
			   n == 1 ? "" : "s");
	else
		scn_printf(r, "no resident limit\n");
	return 0;
}

/* The highest zone user pages come from (GFP_HIGHUSER_MOVABLE's). */
static int highest_user_zone(struct machine *m)
{
	for (int z = MAX_NR_ZONES - 1; z > 0; z--)
		if (managed_zone(&m->node.node_zones[z]))
			return z;
	return 0;
}

int scn_cmd_reclaim(struct scn_run *r, const struct scn_cmd *c)
{
	int z = highest_user_zone(r->m);
	unsigned long scan = vm_event(r->m, PGSCAN_KSWAPD) + vm_event(r->m, PGSCAN_DIRECT);
	unsigned long steal;

	if (!strcmp(c->arg[0].text, "direct")) {
		steal = try_to_free_pages(r->m, 0, GFP_HIGHUSER_MOVABLE, z);
		scan = vm_event(r->m, PGSCAN_DIRECT) + vm_event(r->m, PGSCAN_KSWAPD) - scan;
		scn_printf(r, "direct reclaim: scanned %lu, reclaimed %lu page%s\n", scan, steal,
			   steal == 1 ? "" : "s");
		return 0;
	}
	steal = vm_event(r->m, PGSTEAL_KSWAPD);
	wakeup_kswapd(r->m, &r->m->node.node_zones[z], GFP_HIGHUSER_MOVABLE, 0, z);
	if (!kswapd_run_pending(r->m)) {
		scn_printf(r, "kswapd0: node balanced (a zone is above its high watermark), "
			   "not woken\n");
		return 0;
	}
	steal = vm_event(r->m, PGSTEAL_KSWAPD) - steal;
	scan = vm_event(r->m, PGSCAN_DIRECT) + vm_event(r->m, PGSCAN_KSWAPD) - scan;
	scn_printf(r, "kswapd0: scanned %lu, reclaimed %lu page%s\n", scan, steal,
		   steal == 1 ? "" : "s");
	return 0;
}

/* ---- the OOM killer ---- */

int scn_cmd_oom_score_adj(struct scn_run *r, const struct scn_cmd *c)
{
	struct task_struct *t = scn_find_proc(r, c->arg[0].text);
	uint64_t v = scn_eval(r, &c->arg[1]);
	int ret;

	if (r->failed)
		return -1;
	if (!t)
		return scn_fail(r, c->arg[0].col, "no process '%s'", c->arg[0].text);
	ret = mmkit_set_oom_score_adj(r->m, t, (int)(int64_t)v);
	if (ret)
		return scn_errno_result(r, "oom_score_adj", ret);
	scn_printf(r, "%s (pid %d): oom_score_adj %d, oom_score %lu\n", c->arg[0].text, t->pid,
		   t->oom_score_adj, oom_score(r->m, t));
	return 0;
}

int scn_cmd_oom_kill(struct scn_run *r, const struct scn_cmd *c)
{
	(void)c;
	if (!mmkit_oom_kill(r->m))
		scn_printf(r, "no task could be killed\n");
	else
		scn_printf(r, "sysrq: Manual OOM execution: a victim was killed\n");
	return 0;
}

/* refs ADDR LIST [read|write]: access page N of the area at ADDR for each
 * N of the list, one access each, and mark which took a page fault. */
int scn_cmd_refs(struct scn_run *r, const struct scn_cmd *c)
{
	bool write = c->nargs < 3 || !strcmp(c->arg[2].text, "write");
	uint64_t base = scn_eval(r, &c->arg[0]);
	unsigned long fatal = scn_nr_fatal(r), handled = r->sig_handled, total = 0;
	const char *s = c->arg[1].text;
	char marks[SCN_MAX_LINE];
	size_t ml = 0;

	if (r->failed)
		return -1;
	scn_printf(r, "page  ");
	while (*s) {
		char *end;
		unsigned long n = strtoul(s, &end, 0), before = vm_event(r->m, PGFAULT);
		uint8_t byte = (uint8_t)(n + 1);
		int ret, w = (int)(end - s);

		ret = write ? mmkit_write(r->m, base + n * 4096, &byte, 1) :
			      mmkit_read(r->m, base + n * 4096, &byte, 1);
		if (ret) {
			scn_printf(r, "\n");
			return scn_user_access(r, "refs", ret, fatal, handled);
		}
		before = vm_event(r->m, PGFAULT) - before;
		total += before;
		scn_printf(r, " %.*s", w, s);
		ml += (size_t)snprintf(marks + ml, sizeof(marks) - ml, " %*s", w, before ? "F" : ".");
		s = *end ? end + 1 : end;
		if (ml >= sizeof(marks) - 16)
			break;
	}
	scn_printf(r, "\nfault %s\n%lu page fault%s\n", marks, total, total == 1 ? "" : "s");
	return 0;
}

/* ---- SysV shared memory ---- */

int scn_cmd_shmget(struct scn_run *r, const struct scn_cmd *c)
{
	uint64_t key = 0, size = scn_eval(r, &c->arg[1]), mode = 0;
	unsigned long flags = c->nargs > 2 ? c->arg[2].flags : 0;

	if (r->failed)
		return -1;
	if (c->arg[0].kind == SCN_ARG_EXPR) {
		key = scn_eval(r, &c->arg[0]);
		if (r->failed)
			return -1;
	}
	if (c->nargs > 3) {
		mode = scn_eval(r, &c->arg[3]);
		if (r->failed)
			return -1;
	}
	return num_result(r, sys_shmget(r->m, (s32)key, size, (int)(flags | (mode & 0777))));
}

int scn_cmd_shmat(struct scn_run *r, const struct scn_cmd *c)
{
	uint64_t id = scn_eval(r, &c->arg[0]), addr = 0;

	if (r->failed)
		return -1;
	if (c->nargs > 1) {
		addr = scn_eval(r, &c->arg[1]);
		if (r->failed)
			return -1;
	}
	return scn_errno_result(r, "shmat", sys_shmat(r->m, (int)id, addr,
						      c->nargs > 2 ? (int)c->arg[2].flags : 0));
}

int scn_cmd_shmdt(struct scn_run *r, const struct scn_cmd *c)
{
	uint64_t addr = scn_eval(r, &c->arg[0]);

	if (r->failed)
		return -1;
	return num_result(r, sys_shmdt(r->m, addr));
}

int scn_cmd_shmctl(struct scn_run *r, const struct scn_cmd *c)
{
	uint64_t id = scn_eval(r, &c->arg[0]);
	int cmd = (int)c->arg[1].flags;
	struct mmkit_shmid_ds ds;
	long ret;

	if (r->failed)
		return -1;
	if (cmd == IPC_SET || cmd == IPC_INFO || cmd == SHM_INFO)
		return scn_fail(r, c->arg[1].col, "shmctl takes IPC_STAT, SHM_STAT, IPC_RMID, "
				"SHM_LOCK or SHM_UNLOCK here");
	memset(&ds, 0, sizeof(ds));
	ret = sys_shmctl(r->m, (int)id, cmd, &ds);
	if (ret >= 0 && (cmd == IPC_STAT || cmd == SHM_STAT || cmd == SHM_STAT_ANY))
		scn_printf(r, "key %d, size %lu, mode %o, nattch %lu, cpid %d, lpid %d\n",
			   ds.shm_perm.key, ds.shm_segsz, ds.shm_perm.mode, ds.shm_nattch,
			   ds.shm_cpid, ds.shm_lpid);
	return num_result(r, ret);
}
