/* The trace format and replay (src/sim/trace_write.c, trace_read.c,
 * trace_replay.c; docs/trace-format.md): round trips of every record kind,
 * the varint/zigzag edge cases, errors (file and offset, never a crash)
 * for corrupt and truncated input, and the fault counts of a replayed
 * synthetic trace. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helpers.h"

#include <mmkit/mman.h>
#include <mmkit/trace.h>

#include "sim/trace_internal.h"

static const char x86_64_text[] =
	"name trace-x86_64\narch x86_64\n"
	"BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable\n"
	"BIOS-e820: [mem 0x0000000000100000-0x0000000007ffffff] usable\n";

static char *tmp_path(void)
{
	char *p = strdup("/tmp/test_trace-XXXXXX");
	int fd = mkstemp(p);

	assert_true(fd >= 0);
	close(fd);
	return p;
}

static unsigned char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf;
	long n;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc(n ? n : 1);
	assert_int_equal(fread(buf, 1, n, f), n);
	fclose(f);
	*len = n;
	return buf;
}

static const struct mmkit_trace_ref sample_refs[] = {
	{ 0x401000, 3, MMKIT_TRACE_FETCH },
	{ 0x401003, 15, MMKIT_TRACE_FETCH },
	{ 0, 1, MMKIT_TRACE_LOAD },
	{ ~0ULL, 8, MMKIT_TRACE_LOAD },		/* delta -1 from 0 */
	{ 0x8000000000000000ULL, 16, MMKIT_TRACE_STORE },
	{ 0x7fffffffffffffffULL, 32, MMKIT_TRACE_STORE },	/* delta -1 */
	{ 0, 1u << 20, MMKIT_TRACE_MODIFY },
	{ 0xffffffffffffff00ULL, 0xffffffffu, MMKIT_TRACE_MODIFY },
	{ 0x1ffefff8d8, 8, MMKIT_TRACE_LOAD },
};

static const struct mmkit_trace_call sample_call = {
	.kind = MMKIT_TRACE_SYSCALL, .nr = MMKIT_NR_MMAP, .nargs = 6,
	.args = { 0, 8192, 3, 34, 4294967295ULL, ~0ULL }, .result = -12,
};

static const struct mmkit_trace_call sample_map = {
	.kind = MMKIT_TRACE_MAP, .nargs = 4, .args = { 0x108000, 0x2000, PROT_READ, MAP_PRIVATE },
};

/* A file with the sample: map, 4 refs, syscall, 5 refs. */
static char *write_sample(void)
{
	char *path = tmp_path(), err[256];
	struct mmkit_trace_writer *w =
		mmkit_trace_create(path, MMKIT_TRACE_ARCH_X86_64, 0, err, sizeof(err));

	assert_non_null(w);
	assert_int_equal(mmkit_trace_write_call(w, &sample_map), 0);
	for (int i = 0; i < 9; i++) {
		const struct mmkit_trace_ref *r = &sample_refs[i];

		assert_int_equal(mmkit_trace_write_ref(w, r->kind, r->addr, r->size), 0);
		if (i == 3)
			assert_int_equal(mmkit_trace_write_call(w, &sample_call), 0);
	}
	assert_int_equal(mmkit_trace_finish(w, err, sizeof(err)), 0);
	return path;
}

static void test_round_trip_every_record_kind(void **state)
{
	char *path = write_sample(), err[256];
	struct mmkit_trace_reader *r = mmkit_trace_open(path, err, sizeof(err));
	const struct mmkit_trace_header *h;
	struct mmkit_trace_ref refs[16];
	struct mmkit_trace_call c;
	int ended, got = 0;
	long n;

	assert_non_null(r);
	h = mmkit_trace_get_header(r);
	assert_int_equal(h->version, MMKIT_TRACE_VERSION);
	assert_int_equal(h->arch, MMKIT_TRACE_ARCH_X86_64);
	assert_int_equal(h->nr_refs, 9);
	assert_int_equal(h->nr_syscalls, 1);
	assert_int_equal(h->nr_maps, 1);
	n = mmkit_trace_read(r, refs, 16, &c, &ended);	/* the map first */
	assert_int_equal(n, 0);
	assert_int_equal(ended, 1);
	assert_memory_equal(&c, &sample_map, sizeof(c));
	n = mmkit_trace_read(r, refs, 16, &c, &ended);
	assert_int_equal(n, 4);
	assert_int_equal(ended, 1);
	assert_memory_equal(&c, &sample_call, sizeof(c));
	n = mmkit_trace_read(r, refs + 4, 2, &c, &ended);	/* max respected */
	assert_int_equal(n, 2);
	assert_int_equal(ended, 0);
	n = mmkit_trace_read(r, refs + 6, 16, &c, &ended);
	assert_int_equal(n, 3);
	for (got = 0; got < 9; got++)
		assert_memory_equal(&refs[got], &sample_refs[got], sizeof(refs[0]));
	assert_int_equal(mmkit_trace_read(r, refs, 16, &c, &ended), 0);
	assert_int_equal(ended, 0);
	assert_string_equal(mmkit_trace_error(r), "");
	mmkit_trace_close(r);
	unlink(path);
	free(path);
}

static void test_varint_and_zigzag_edges(void **state)
{
	static const uint64_t deltas[] = { 0, 1, ~0ULL, 0x7fffffffffffffffULL,
					   0x8000000000000000ULL, 63, 64, ~63ULL };
	static const struct { uint64_t v; unsigned int len; } lens[] = {
		{ 0, 1 }, { 127, 1 }, { 128, 2 }, { 16383, 2 }, { 16384, 3 },
		{ 1ULL << 63, 10 }, { ~0ULL, 10 },
	};
	uint8_t buf[TRACE_VARINT_MAX];

	assert_int_equal(trace_zigzag(0), 0);
	assert_int_equal(trace_zigzag(~0ULL), 1);	/* -1 */
	assert_int_equal(trace_zigzag(1), 2);
	assert_int_equal(trace_zigzag(0x8000000000000000ULL), ~0ULL);	/* INT64_MIN */
	for (size_t i = 0; i < sizeof(deltas) / sizeof(deltas[0]); i++)
		assert_int_equal(trace_unzigzag(trace_zigzag(deltas[i])), deltas[i]);
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++)
		assert_int_equal(trace_put_varint(buf, lens[i].v), lens[i].len);
	assert_int_equal(buf[9], 1);	/* ~0: the tenth byte holds bit 63 */
}

/* Open and read everything; return the reader's verdict and its message. */
static int read_all(const unsigned char *buf, size_t len, char *msg, size_t msglen)
{
	struct mmkit_trace_ref refs[64];
	struct mmkit_trace_call c;
	struct mmkit_trace_reader *r = mmkit_trace_open_mem(buf, len, "t.mmt", msg, msglen);
	int ended, ret = 0;
	long n;

	if (!r)
		return -1;
	do {
		n = mmkit_trace_read(r, refs, 64, &c, &ended);
	} while (n > 0 || (n == 0 && ended));
	if (n < 0) {
		snprintf(msg, msglen, "%s", mmkit_trace_error(r));
		ret = -1;
	}
	mmkit_trace_close(r);
	return ret;
}

static void test_truncated_input_fails_at_every_length(void **state)
{
	char *path = write_sample(), msg[600];
	size_t len;
	unsigned char *buf = slurp(path, &len);

	assert_int_equal(read_all(buf, len, msg, sizeof(msg)), 0);
	for (size_t cut = 0; cut < len; cut++) {
		assert_int_equal(read_all(buf, cut, msg, sizeof(msg)), -1);
		assert_non_null(strstr(msg, "t.mmt: offset "));
		assert_true(strstr(msg, "truncated") || strstr(msg, "corrupt"));
	}
	read_all(buf, 3, msg, sizeof(msg));
	assert_string_equal(msg, "t.mmt: offset 3: truncated header (3 of 56 bytes)");
	free(buf);
	unlink(path);
	free(path);
}

static void test_corrupt_input_is_rejected_with_offset(void **state)
{
	char *path = write_sample(), msg[600];
	size_t len;
	unsigned char *buf = slurp(path, &len), *bad = malloc(len + 1);

	memcpy(bad, buf, len);
	bad[0] = 'X';
	assert_int_equal(read_all(bad, len, msg, sizeof(msg)), -1);
	assert_string_equal(msg, "t.mmt: offset 0: not an mmkit trace (bad magic)");
	memcpy(bad, buf, len);
	bad[TRACE_HDR_VERSION] = 9;
	assert_int_equal(read_all(bad, len, msg, sizeof(msg)), -1);
	assert_non_null(strstr(msg, "offset 8: unsupported trace version 9"));
	memcpy(bad, buf, len);
	bad[TRACE_HDR_REFS] ^= 1;	/* 8 refs claimed, 9 present */
	assert_int_equal(read_all(bad, len, msg, sizeof(msg)), -1);
	assert_non_null(strstr(msg, "header's count"));
	memcpy(bad, buf, len);
	bad[len] = 0;			/* one trailing byte */
	assert_int_equal(read_all(bad, len + 1, msg, sizeof(msg)), -1);
	assert_non_null(strstr(msg, "trailing bytes"));
	/* every single-byte flip of the compressed part: an error, no crash */
	for (size_t i = MMKIT_TRACE_HEADER_SIZE; i < len; i++) {
		memcpy(bad, buf, len);
		bad[i] ^= 0x5a;
		assert_int_equal(read_all(bad, len, msg, sizeof(msg)), -1);
		assert_non_null(strstr(msg, "t.mmt: offset "));
	}
	free(bad);
	free(buf);
	unlink(path);
	free(path);
}

#define BASE 0x10000000UL

/* A trace: 16 rw pages mapped at BASE, a store and a load to each (16
 * faults), loads of 4 pages of an mmap'ed region (4 read faults), one
 * reference after munmap (skipped), one outside everything. */
static char *write_synthetic(void)
{
	char *path = tmp_path(), err[256];
	struct mmkit_trace_writer *w =
		mmkit_trace_create(path, MMKIT_TRACE_ARCH_X86_64, 0, err, sizeof(err));
	struct mmkit_trace_call map = {
		.kind = MMKIT_TRACE_MAP, .nargs = 4,
		.args = { BASE, 16 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE },
	};
	struct mmkit_trace_call mm = {
		.kind = MMKIT_TRACE_SYSCALL, .nr = MMKIT_NR_MMAP, .nargs = 6,
		.args = { 0, 4 * 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1ULL, 0 },
		.result = (int64_t)(BASE + 0x100000),
	};
	struct mmkit_trace_call un = {
		.kind = MMKIT_TRACE_SYSCALL, .nr = MMKIT_NR_MUNMAP, .nargs = 2,
		.args = { BASE + 0x100000, 4 * 4096 },
	};

	assert_non_null(w);
	assert_int_equal(mmkit_trace_write_call(w, &map), 0);
	for (int i = 0; i < 16; i++) {
		mmkit_trace_write_ref(w, MMKIT_TRACE_STORE, BASE + i * 4096 + 8, 8);
		mmkit_trace_write_ref(w, MMKIT_TRACE_LOAD, BASE + i * 4096 + 16, 8);
	}
	mmkit_trace_write_call(w, &mm);
	for (int i = 0; i < 4; i++)
		mmkit_trace_write_ref(w, MMKIT_TRACE_LOAD, BASE + 0x100000 + i * 4096, 4);
	mmkit_trace_write_call(w, &un);
	mmkit_trace_write_ref(w, MMKIT_TRACE_LOAD, BASE + 0x100000, 4);
	mmkit_trace_write_ref(w, MMKIT_TRACE_FETCH, 0x7000000000UL, 3);
	assert_int_equal(mmkit_trace_finish(w, err, sizeof(err)), 0);
	return path;
}

static void test_replay_counts_faults_of_synthetic_trace(void **state)
{
	struct machine *m = test_boot_text(x86_64_text);
	char *path = write_synthetic(), err[600];
	struct mmkit_trace_reader *r = mmkit_trace_open(path, err, sizeof(err));
	struct mmkit_replay_opts o = { .window = 16 };
	struct mmkit_replay_stats st;

	assert_non_null(r);
	assert_int_equal(mmkit_replay(m, r, &o, &st, err, sizeof(err)), 0);
	assert_int_equal(st.refs, 38);
	assert_int_equal(st.by_kind[MMKIT_TRACE_STORE], 16);
	assert_int_equal(st.by_kind[MMKIT_TRACE_LOAD], 21);
	assert_int_equal(st.maps, 1);
	assert_int_equal(st.maps_failed, 0);
	assert_int_equal(st.syscalls, 2);
	assert_int_equal(st.syscalls_differ, 0);
	assert_int_equal(st.syscalls_failed, 0);
	/* a first write faults once per page; a first read of anonymous
	 * memory once (the zero page) */
	assert_int_equal(st.minflt, 16 + 4);
	assert_int_equal(st.majflt, 0);
	assert_int_equal(st.unmapped, 2);
	assert_int_equal(st.pages_touched, 16 + 4 + 1);
	assert_int_equal(st.nr_windows, 3);	/* 16 + 16 + 6 references */
	assert_int_equal(st.windows[0].pages, 8);
	assert_int_equal(st.windows[0].faults, 8);
	assert_int_equal(st.windows[2].pages, 4 + 1);	/* the region, the stray fetch */
	assert_true(st.tlb_hits >= 16);	/* the load after each store hits */
	assert_non_null(strstr(st.meminfo, "MemTotal:"));
	mmkit_replay_free(&st);
	mmkit_trace_close(r);
	assert_clean(m);
	mmkit_machine_destroy(m);
	unlink(path);
	free(path);
}

/* Regression (fuzz_trace, CI): a reference the fault handler answers with
 * SIGSEGV killed the replayed process, and the next reference used its
 * freed mm. The replay process now handles SIGSEGV/SIGBUS and counts the
 * reference as denied; the machine stays consistent. */
static void test_replay_survives_a_segv_in_the_trace(void **state)
{
	char err[600];
	struct mmkit_trace_reader *r = mmkit_trace_open(
		MMKIT_SOURCE_DIR "/tests/fuzz/corpus/trace/regress-segv-kills-replay.mmtrace", err,
		sizeof(err));
	struct machine *m = test_boot_text(x86_64_text);
	struct mmkit_replay_stats st;

	(void)state;
	assert_non_null(r);
	/* the fuzzed input ends in a truncated stream: the replay runs to there */
	assert_int_equal(mmkit_replay(m, r, NULL, &st, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "truncated"));
	assert_true(st.denied > 0);
	mmkit_replay_free(&st);
	assert_int_equal(mmkit_check(m), 0);
	mmkit_trace_close(r);
	mmkit_machine_destroy(m);
}

static void test_replay_refuses_trace_of_other_arch(void **state)
{
	struct machine *m = test_boot_default();	/* i386 */
	char *path = write_synthetic(), err[600];
	struct mmkit_trace_reader *r = mmkit_trace_open(path, err, sizeof(err));
	struct mmkit_replay_stats st;

	assert_int_equal(mmkit_replay(m, r, NULL, &st, err, sizeof(err)), -1);
	assert_string_equal(err, "replay: an x86_64 trace needs an x86_64 machine");
	mmkit_trace_close(r);
	mmkit_machine_destroy(m);
	unlink(path);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip_every_record_kind),
		cmocka_unit_test(test_varint_and_zigzag_edges),
		cmocka_unit_test(test_truncated_input_fails_at_every_length),
		cmocka_unit_test(test_corrupt_input_is_rejected_with_offset),
		cmocka_unit_test(test_replay_counts_faults_of_synthetic_trace),
		cmocka_unit_test(test_replay_survives_a_segv_in_the_trace),
		cmocka_unit_test(test_replay_refuses_trace_of_other_arch),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
