/* The README's library example, built and run as a test so it stays true:
 * boot the default machine, take pages, a kmalloc object and a vmalloc
 * area, give everything back, and check the invariants. */
#include <stdio.h>
#include <string.h>

#include <mmkit/mmkit.h>

int main(void)
{
	struct machine_desc d;
	struct machine *m;
	int bad;

	mmkit_desc_default(&d);
	m = mmkit_machine_create(&d);
	if (!m || mmkit_boot(m) != 0) {
		fprintf(stderr, "boot failed\n%s", m ? mmkit_log_text(m, NULL) : "");
		return 1;
	}
	struct page *page = alloc_pages(m, GFP_KERNEL, 3);	/* 8 contiguous frames */
	char *buf = kmalloc(m, 100, GFP_KERNEL);		/* from kmalloc-128 */
	char *big = vmalloc(m, 1 << 20);			/* 256 scattered frames */

	if (!page || !buf || !big)
		return 1;
	memset(big, 0x5a, 1 << 20);	/* a real pointer: the kernel window */
	strcpy(buf, "hello from kmalloc-128");
	printf("pfn %lu, %s, vmalloc area at %p\n", page_to_pfn(m, page), buf, (void *)big);
	vfree(m, big);
	kfree(m, buf);
	__free_pages(m, page, 3);
	bad = mmkit_check(m);
	mmkit_machine_destroy(m);
	return bad ? 1 : 0;
}
