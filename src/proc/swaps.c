/* /proc/swaps (cf. swap_show(), swap_start()/swap_next() in mm/swapfile.c,
 * Linux 6.18): a header, then one line per area in use, by type: the path
 * (seq_file_path: space, tab, newline and backslash escaped as \ooo)
 * padded to 40 columns, "file\t", the size and the used space in KiB (a
 * further tab after each when it is below 10000000) and the priority. An
 * area being swapped off is still listed, as Linux lists it. */
#include "mm/swap.h"
#include "proc/seq.h"

#define K(pages) ((unsigned long)(pages) << (PAGE_SHIFT - 10))

/* Write @path with the characters of @esc as \ooo; returns its length
 * (cf. seq_file_path / mangle_path). */
static int seq_path_escaped(struct seq_file *s, const char *path, const char *esc)
{
	int len = 0;

	for (const char *p = path; *p; p++) {
		bool escape = false;

		for (const char *e = esc; *e; e++)
			escape |= *p == *e;
		if (escape) {
			seq_printf(s, "\\%03o", (unsigned char)*p);
			len += 4;
		} else {
			seq_putc(s, *p);
			len++;
		}
	}
	return len;
}

/**
 * swaps_show() - render /proc/swaps
 * @s: the buffer
 * @m: the machine
 *
 * Returns 0.
 */
int swaps_show(struct seq_file *s, struct machine *m)
{
	seq_puts(s, "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n");
	spin_lock(&m->swap.swap_lock);
	for (int t = 0; t < m->swap.nr_swapfiles; t++) {
		struct swap_info_struct *si = m->swap.swap_info[t];
		unsigned long bytes, inuse;
		int len;

		if (!si || !(si->flags & SWP_USED) || !si->swap_map)
			continue;
		bytes = K(si->pages);
		inuse = K(si->inuse_pages);
		len = seq_path_escaped(s, si->path, " \t\n\\");
		seq_printf(s, "%*s%s\t%lu\t%s%lu\t%s%d\n", len < 40 ? 40 - len : 1, " ",
			   (si->flags & SWP_BLKDEV) ? "partition" : "file\t",
			   bytes, bytes < 10000000 ? "\t" : "", inuse, inuse < 10000000 ? "\t" : "",
			   si->prio);
	}
	spin_unlock(&m->swap.swap_lock);
	return 0;
}
