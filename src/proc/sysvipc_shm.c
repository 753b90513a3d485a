/* /proc/sysvipc/shm: one line per SysV shm segment in index order, as
 * Linux 6.18 prints it (cf. ipc/shm.c shm_init's header and
 * sysvipc_shm_proc_show). The size, rss and swap columns are %10lu on a
 * 32-bit kernel (i386, PAE) and %21lu on a 64-bit one, with the header
 * widened to match; rss and swap are bytes. */
#include <stdio.h>

#include "mm/shmem_fs.h"
#include "proc/seq.h"

static const char shm_header_32[] =
	"       key      shmid perms       size  cpid  lpid nattch   uid   gid  cuid  cgid"
	"      atime      dtime      ctime        rss       swap\n";
static const char shm_header_64[] =
	"       key      shmid perms                  size  cpid  lpid nattch   uid   gid  cuid"
	"  cgid      atime      dtime      ctime                   rss                  swap\n";

int sysvipc_shm_show(struct seq_file *s, struct machine *m)
{
	bool wide = m->desc.arch == MMKIT_ARCH_X86_64;
	int w = wide ? 21 : 10;
	struct shm_proc_info e;

	seq_puts(s, wide ? shm_header_64 : shm_header_32);
	for (int pos = 0; shm_proc_entry(m, pos, &e) == 0; pos++) {
		const struct mmkit_shmid_ds *ds = &e.ds;

		seq_printf(s,
			   "%10d %10d  %4o %*lu %5u %5u  %5lu %5u %5u %5u %5u %10llu %10llu %10llu "
			   "%*lu %*lu\n",
			   ds->shm_perm.key, e.id, ds->shm_perm.mode, w, ds->shm_segsz,
			   (unsigned int)ds->shm_cpid, (unsigned int)ds->shm_lpid, ds->shm_nattch,
			   ds->shm_perm.uid, ds->shm_perm.gid, ds->shm_perm.cuid, ds->shm_perm.cgid,
			   (unsigned long long)ds->shm_atime, (unsigned long long)ds->shm_dtime,
			   (unsigned long long)ds->shm_ctime, w, e.rss * PAGE_SIZE, w,
			   e.swap * PAGE_SIZE);
	}
	return s->error;
}
