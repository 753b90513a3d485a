/* The trace writer: records -> varint payload -> one zstd frame after a
 * fixed header (docs/trace-format.md). No Linux counterpart.
 *
 * Invariants: prev[kind] is the address of the last reference of that kind
 * written (0 at the start); the header is written last, so a trace whose
 * writer died has an all-zero header and the reader rejects it. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#include "sim/trace_internal.h"

#define TRACE_WBUF (64 * 1024)

struct mmkit_trace_writer {
	FILE *f;
	char *path;
	ZSTD_CCtx *cctx;
	uint8_t buf[TRACE_WBUF];	/* payload not yet compressed */
	size_t len;
	uint8_t *out;			/* compressed bytes for the file */
	size_t out_size;
	uint64_t prev[4];
	uint64_t nr_refs, nr_syscalls, nr_maps, payload, compressed;
	unsigned int arch, flags;
	int failed;
	char err[512];
};

static int werr(struct mmkit_trace_writer *w, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(w->err, sizeof(w->err), "%s: ", w->path);
	va_start(ap, fmt);
	vsnprintf(w->err + n, sizeof(w->err) - n, fmt, ap);
	va_end(ap);
	w->failed = 1;
	return -1;
}

/* Compress what is in buf (and finish the frame when end). */
static int wflush(struct mmkit_trace_writer *w, int end)
{
	ZSTD_inBuffer in = { w->buf, w->len, 0 };
	ZSTD_EndDirective mode = end ? ZSTD_e_end : ZSTD_e_continue;
	size_t left;

	if (w->failed)
		return -1;
	do {
		ZSTD_outBuffer out = { w->out, w->out_size, 0 };

		left = ZSTD_compressStream2(w->cctx, &out, &in, mode);
		if (ZSTD_isError(left))
			return werr(w, "zstd: %s", ZSTD_getErrorName(left));
		if (out.pos && fwrite(w->out, 1, out.pos, w->f) != out.pos)
			return werr(w, "write: %s", strerror(errno));
		w->compressed += out.pos;
	} while (end ? left != 0 : in.pos < in.size);
	w->payload += w->len;
	w->len = 0;
	return 0;
}

static inline int wroom(struct mmkit_trace_writer *w, size_t need)
{
	return w->len + need <= TRACE_WBUF ? 0 : wflush(w, 0);
}

/**
 * mmkit_trace_create() - start writing a trace file (see include/mmkit/trace.h)
 * @path: the file
 * @arch: enum mmkit_trace_arch
 * @flags: header flags
 * @err: reason on failure
 * @errlen: its size
 * Return: the writer or NULL.
 */
struct mmkit_trace_writer *mmkit_trace_create(const char *path, unsigned int arch,
					      unsigned int flags, char *err, size_t errlen)
{
	struct mmkit_trace_writer *w = calloc(1, sizeof(*w));
	uint8_t zero[MMKIT_TRACE_HEADER_SIZE] = { 0 };

	if (!w || !(w->path = strdup(path))) {
		free(w);
		snprintf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	w->arch = arch;
	w->flags = flags;
	w->out_size = ZSTD_CStreamOutSize();
	w->out = malloc(w->out_size);
	w->cctx = ZSTD_createCCtx();
	w->f = fopen(path, "wb");
	if (!w->f || !w->out || !w->cctx ||
	    fwrite(zero, 1, sizeof(zero), w->f) != sizeof(zero)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno ? errno : ENOMEM));
		if (w->f)
			fclose(w->f);
		ZSTD_freeCCtx(w->cctx);
		free(w->out);
		free(w->path);
		free(w);
		return NULL;
	}
	ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_compressionLevel, 3);
	ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_checksumFlag, 1);
	return w;
}

/**
 * mmkit_trace_write_ref() - append one memory reference
 * @w: the writer
 * @kind: MMKIT_TRACE_FETCH..MODIFY
 * @addr: its address
 * @size: bytes (>= 1)
 * Return: 0 or -1 (mmkit_trace_writer_error()).
 */
int mmkit_trace_write_ref(struct mmkit_trace_writer *w, unsigned int kind, uint64_t addr,
			  uint32_t size)
{
	uint8_t *p;

	if (kind > MMKIT_TRACE_MODIFY || !size)
		return werr(w, "bad reference (kind %u, size %u)", kind, size);
	if (wroom(w, 1 + 2 * TRACE_VARINT_MAX))
		return -1;
	p = w->buf + w->len;
	if (size <= TRACE_TAG_SIZE_MAX) {
		*p++ = (uint8_t)(kind | size << TRACE_TAG_SIZE_SHIFT);
	} else {
		*p++ = (uint8_t)kind;
		p += trace_put_varint(p, size);
	}
	p += trace_put_varint(p, trace_zigzag(addr - w->prev[kind]));
	w->prev[kind] = addr;
	w->len = p - w->buf;
	w->nr_refs++;
	return 0;
}

/**
 * mmkit_trace_write_call() - append a syscall or initial-mapping record
 * @w: the writer
 * @c: the record (kind MMKIT_TRACE_SYSCALL or MMKIT_TRACE_MAP)
 * Return: 0 or -1.
 */
int mmkit_trace_write_call(struct mmkit_trace_writer *w, const struct mmkit_trace_call *c)
{
	uint8_t *p;

	if ((c->kind != MMKIT_TRACE_SYSCALL && c->kind != MMKIT_TRACE_MAP) || c->nargs > 6)
		return werr(w, "bad call record (kind %u, %u args)", c->kind, c->nargs);
	if (wroom(w, 2 + 8 * TRACE_VARINT_MAX))
		return -1;
	p = w->buf + w->len;
	*p++ = (uint8_t)c->kind;
	p += trace_put_varint(p, c->nr);
	*p++ = (uint8_t)c->nargs;
	for (unsigned int i = 0; i < c->nargs; i++)
		p += trace_put_varint(p, c->args[i]);
	p += trace_put_varint(p, trace_zigzag((uint64_t)c->result));
	w->len = p - w->buf;
	if (c->kind == MMKIT_TRACE_SYSCALL)
		w->nr_syscalls++;
	else
		w->nr_maps++;
	return 0;
}

/**
 * mmkit_trace_set_flags() - set the header flags written at the end
 * @w: the writer
 * @flags: MMKIT_TRACE_* flags
 */
void mmkit_trace_set_flags(struct mmkit_trace_writer *w, unsigned int flags)
{
	w->flags = flags;
}

/**
 * mmkit_trace_writer_error() - why the last write failed
 * @w: the writer
 * Return: the message ("" when none).
 */
const char *mmkit_trace_writer_error(const struct mmkit_trace_writer *w)
{
	return w->err;
}

static int write_header(struct mmkit_trace_writer *w)
{
	uint8_t h[MMKIT_TRACE_HEADER_SIZE];

	memcpy(h, MMKIT_TRACE_MAGIC, 8);
	trace_put_le(h + TRACE_HDR_VERSION, MMKIT_TRACE_VERSION, 2);
	trace_put_le(h + TRACE_HDR_ARCH, w->arch, 2);
	trace_put_le(h + TRACE_HDR_FLAGS, w->flags, 4);
	trace_put_le(h + TRACE_HDR_REFS, w->nr_refs, 8);
	trace_put_le(h + TRACE_HDR_SYSCALLS, w->nr_syscalls, 8);
	trace_put_le(h + TRACE_HDR_MAPS, w->nr_maps, 8);
	trace_put_le(h + TRACE_HDR_PAYLOAD, w->payload, 8);
	trace_put_le(h + TRACE_HDR_COMPRESSED, w->compressed, 8);
	if (fseek(w->f, 0, SEEK_SET) || fwrite(h, 1, sizeof(h), w->f) != sizeof(h))
		return werr(w, "writing the header: %s", strerror(errno));
	return 0;
}

/**
 * mmkit_trace_finish() - write the end record and the header, close, free
 * @w: the writer (freed)
 * @err: reason on failure
 * @errlen: its size
 * Return: 0 or -1.
 */
int mmkit_trace_finish(struct mmkit_trace_writer *w, char *err, size_t errlen)
{
	int ret = -1;

	if (!wroom(w, 1 + TRACE_VARINT_MAX)) {
		w->buf[w->len++] = TRACE_TAG_END;
		w->len += trace_put_varint(w->buf + w->len,
					   w->nr_refs + w->nr_syscalls + w->nr_maps);
		if (!wflush(w, 1) && !write_header(w))
			ret = 0;
	}
	if (fclose(w->f) && !ret)
		ret = werr(w, "close: %s", strerror(errno));
	if (ret && err)
		snprintf(err, errlen, "%s", w->err);
	ZSTD_freeCCtx(w->cctx);
	free(w->out);
	free(w->path);
	free(w);
	return ret;
}
