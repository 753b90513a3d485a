/* STUB: machine description parser, being written. */
#include <mmkit/mmkit.h>
void mmkit_desc_default(struct machine_desc *d) { __builtin_memset(d, 0, sizeof(*d)); }
int mmkit_desc_parse(struct machine_desc *d, const char *text, const char *filename, char *err, size_t errlen) { return -22; }
int mmkit_desc_load(struct machine_desc *d, const char *path, char *err, size_t errlen) { return -22; }
