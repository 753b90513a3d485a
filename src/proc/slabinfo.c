/* /proc/slabinfo (cf. mm/slab_common.c slab_show, version 2.1): one line
 * per cache, newest first, with the SLAB tunables (per-CPU array limit and
 * batchcount, shared-array factor) that are real here. Byte-compatible with
 * the kernel's format:
 *   %-17s %6lu %6lu %6u %4u %4d : tunables %4u %4u %4u : slabdata %6lu %6lu %6lu */
#include "proc/seq.h"

int slabinfo_show(struct seq_file *s, struct machine *m)
{
	struct kmem_cache *c;

	seq_puts(s, "slabinfo - version: 2.1\n");
	seq_puts(s, "# name            <active_objs> <num_objs> <objsize> <objperslab> "
		    "<pagesperslab> : tunables <limit> <batchcount> <sharedfactor> : "
		    "slabdata <active_slabs> <num_slabs> <sharedavail>\n");
	if (m->slab.state == SLAB_DOWN)
		return 0;
	spin_lock(&m->slab.slab_mutex);
	list_for_each_entry(c, &m->slab.slab_caches, list) {
		struct slabinfo si;

		get_slabinfo(m, c, &si);
		seq_printf(s, "%-17s %6lu %6lu %6u %4u %4d", c->name, si.active_objs, si.num_objs,
			   c->size, si.objects_per_slab, 1 << si.cache_order);
		seq_printf(s, " : tunables %4u %4u %4u", si.limit, si.batchcount, si.shared);
		seq_printf(s, " : slabdata %6lu %6lu %6lu", si.active_slabs, si.num_slabs,
			   si.shared_avail);
		seq_putc(s, '\n');
	}
	spin_unlock(&m->slab.slab_mutex);
	return 0;
}
