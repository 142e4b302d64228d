/* batch_manifest: OUT/manifest.jsonl kept as a journal: locked against a second batch,
 * compacted at the start, a row appended as each document finishes, synced at the end.
 * In: jobs and their outcomes. Out: the manifest; the previous run's rows for re-runs. */
#define _GNU_SOURCE /* syncfs, flock */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "batch_impl.h"

#define MANIFEST "manifest.jsonl"
#define LOCK_FILE ".manifest.lock"

/* ------------------------------------------------------------- rows */

static const char *status_name(const struct record *r)
{
	if (r->status)
		return "failed";
	return r->skipped ? "up-to-date" : "made";
}

void journal_row(struct pd_buf *b, const struct pd_job *job, const struct record *r,
		 const struct pd_diags *diags)
{
	const char *keys[] = {"case", "client", "a_number", "level", "document", "output"};
	const char *vals[] = {job->case_path, r->client, r->a_number, job->level, job->document,
			      r->status ? NULL : r->out_path};
	for (size_t i = 0; i < 6; i++) {
		buf_printf(b, "%s\"%s\":", i ? "," : "{", keys[i]);
		if (vals[i])
			buf_json_string(b, vals[i]);
		else
			buf_puts(b, "null");
	}
	buf_printf(b, ",\"pages\":%d,\"bytes\":%zu,\"sha256\":\"%s\",\"inputs\":\"%s\","
		   "\"name_inputs\":\"%s\","
		   "\"mtime_ns\":\"%lld\",\"status\":\"%s\",\"errors\":%d,\"warnings\":%d,"
		   "\"diagnostics\":",
		   r->pages, r->bytes, r->sha256, r->inputs, r->name_inputs, r->mtime_ns, status_name(r), r->errors,
		   r->warnings);
	diag_json_array(b, diags);
	buf_puts(b, ",\"files\":[");
	for (const char *p = r->files; p && *p;) {
		size_t n = strcspn(p, "\n");
		char *one = xstrndup(p, n);
		if (p != r->files)
			buf_putc(b, ',');
		buf_json_string(b, one);
		free(one);
		p += n + (p[n] == '\n');
	}
	buf_puts(b, "]}\n");
}

/* ------------------------------------------------------------- the journal */

struct journal {
	const char *outdir;
	int dirfd, lockfd, fd;
	uint64_t *index; /* the kept rows: job key's hash (24 bits) << 40 | the row's offset */
	size_t nindex;
	struct pd_buf line, text; /* a row read back, and its strings */
	char *got; /* getline's buffer */
	size_t gotcap;
};

/* The names a killed run leaves: NAME.tmp-XXXXXX (a document) and the manifest's. */
static bool stale_temporary(const char *name)
{
	const char *t = strstr(name, ".tmp-");
	return t && (strlen(t) == 11 || !strncmp(name, MANIFEST ".tmp-", sizeof MANIFEST + 4));
}

static void remove_stale(struct journal *j)
{
	int fd = openat(j->dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		if (fd >= 0)
			close(fd);
		return;
	}
	for (struct dirent *e; (e = readdir(d));)
		if (stale_temporary(e->d_name))
			unlinkat(j->dirfd, e->d_name, 0);
	closedir(d);
}

static int refuse(const char *outdir, const char *what)
{
	diag_line(stderr, "%s: error: %s: %s", outdir, what, strerror(errno));
	return PD_EXIT_SYSTEM;
}

static int lock_dir(struct journal *j)
{
	j->lockfd = openat(j->dirfd, LOCK_FILE, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (j->lockfd < 0)
		return refuse(j->outdir, "cannot open the manifest's lock");
	if (flock(j->lockfd, LOCK_EX | LOCK_NB) == 0)
		return 0;
	if (errno != EWOULDBLOCK)
		return refuse(j->outdir, "cannot lock the manifest");
	diag_line(stderr, "%s: error: another pdgen batch is writing into this directory; wait "
		  "for it to finish, or give another -o", j->outdir);
	return PD_EXIT_SYSTEM;
}

/* ------------------------------------------------------------- reading rows */

/* A manifest row, as its own writer (journal_row) writes it: one JSON object a line. Only
 * the keys a re-run needs are read; strings are decoded into text. */
static const char *skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r'))
		p++;
	return p;
}

static void put_utf8(struct pd_buf *b, uint32_t cp)
{
	char u[4];
	size_t n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : 3;
	if (n == 1)
		u[0] = (char)cp;
	else if (n == 2)
		u[0] = (char)(0xC0 | cp >> 6), u[1] = (char)(0x80 | (cp & 0x3F));
	else
		u[0] = (char)(0xE0 | cp >> 12), u[1] = (char)(0x80 | (cp >> 6 & 0x3F)),
		u[2] = (char)(0x80 | (cp & 0x3F));
	buf_put(b, u, n);
}

/* A JSON string at p (its opening quote) decoded into b with a NUL; returns the byte after
 * its closing quote, or NULL. */
static const char *json_string(const char *p, const char *end, struct pd_buf *b)
{
	if (p >= end || *p++ != '"')
		return NULL;
	while (p < end && *p != '"') {
		const char *run = p;
		while (p < end && *p != '"' && *p != '\\')
			p++;
		buf_put(b, run, (size_t)(p - run));
		if (p >= end || *p == '"')
			break;
		if (++p >= end)
			return NULL;
		char c = *p++;
		if (c == 'u' && end - p >= 4) {
			char hex[5] = {p[0], p[1], p[2], p[3], 0};
			put_utf8(b, (uint32_t)strtoul(hex, NULL, 16));
			p += 4;
		} else {
			const char *from = "nrtbf", *to = "\n\r\t\b\f";
			const char *k = strchr(from, c);
			buf_putc(b, k && c ? to[k - from] : c);
		}
	}
	buf_putc(b, '\0');
	return p < end ? p + 1 : NULL;
}

/* Skips one JSON value (its strings not decoded); returns the byte after it, or NULL. */
static const char *json_skip(const char *p, const char *end)
{
	int depth = 0;
	do {
		p = skip_ws(p, end);
		if (p >= end)
			return NULL;
		if (*p == '"') {
			for (p++; p < end && *p != '"'; p += *p == '\\' ? 2 : 1)
				;
			if (p++ >= end)
				return NULL;
		} else if (*p == '[' || *p == '{') {
			depth++, p++;
		} else if (*p == ']' || *p == '}') {
			depth--, p++;
		} else {
			while (p < end && !strchr(",]}\n", *p))
				p++;
		}
		p = skip_ws(p, end);
		if (depth > 0 && p < end && (*p == ',' || *p == ':'))
			p++;
	} while (depth > 0 && p);
	return p;
}

enum { F_CASE, F_LEVEL, F_DOCUMENT, F_OUTPUT, F_CLIENT, F_ANUM, F_INPUTS, F_NAMES, F_SHA,
       F_STATUS, F_MTIME, F_BYTES, F_PAGES, F_FILES, NFIELDS };
static const char *const field_names[NFIELDS] = {
    "case",   "level",	"document", "output", "client", "a_number", "inputs",
    "name_inputs", "sha256", "status", "mtime_ns", "bytes", "pages", "files"};

/* The value of a key the row keeps: a string's offset in text (or -1 for null), a number's
 * digits likewise, the files as "PATH\n" each. */
static const char *json_field(const char *p, const char *end, size_t k, struct pd_buf *text,
			      long *at)
{
	if (p < end && *p == '"')
		return *at = (long)text->len, json_string(p, end, text);
	if (k == F_FILES && p < end && *p == '[') {
		*at = (long)text->len;
		for (p = skip_ws(p + 1, end); p && p < end && *p == '"';) {
			p = json_string(p, end, text);
			if (!p)
				return NULL;
			text->s[text->len - 1] = '\n';
			p = skip_ws(p, end);
			p = p < end && *p == ',' ? skip_ws(p + 1, end) : p;
		}
		buf_putc(text, '\0');
		return p && p < end && *p == ']' ? p + 1 : NULL;
	}
	if (p < end && (*p == '-' || (*p >= '0' && *p <= '9'))) {
		size_t n = strspn(p, "-0123456789");
		*at = (long)text->len;
		buf_put(text, p, n);
		buf_putc(text, '\0');
		return p + n;
	}
	return json_skip(p, end);
}

/* Reads a row's fields into row (strings in text); false for a damaged line. */
static bool parse_row(const char *p, size_t len, struct pd_buf *text, struct prev_row *row)
{
	const char *end = p + len;
	long at[NFIELDS];
	for (size_t k = 0; k < NFIELDS; k++)
		at[k] = -1;
	buf_clear(text);
	p = skip_ws(p, end);
	if (p >= end || *p++ != '{')
		return false;
	while (p && (p = skip_ws(p, end)) < end && *p == '"') {
		size_t mark = text->len;
		p = json_string(p, end, text);
		size_t k = 0;
		while (p && k < NFIELDS && strcmp(text->s + mark, field_names[k]))
			k++;
		text->len = mark;
		p = p ? skip_ws(p, end) : NULL;
		if (!p || p >= end || *p++ != ':')
			return false;
		p = skip_ws(p, end);
		p = k < NFIELDS ? json_field(p, end, k, text, &at[k]) : json_skip(p, end);
		p = p ? skip_ws(p, end) : NULL;
		if (p && p < end && *p == ',')
			p++;
	}
	if (!p || p >= end || *p != '}' || at[F_CASE] < 0 || at[F_LEVEL] < 0 || at[F_DOCUMENT] < 0)
		return false;
	const char *f[NFIELDS];
	for (size_t k = 0; k < NFIELDS; k++)
		f[k] = at[k] >= 0 ? text->s + at[k] : NULL;
	*row = (struct prev_row){.case_path = f[F_CASE], .level = f[F_LEVEL],
				 .document = f[F_DOCUMENT], .output = f[F_OUTPUT],
				 .client = f[F_CLIENT], .a_number = f[F_ANUM], .files = f[F_FILES]};
	snprintf(row->inputs, sizeof row->inputs, "%s", f[F_INPUTS] ? f[F_INPUTS] : "");
	snprintf(row->name_inputs, sizeof row->name_inputs, "%s", f[F_NAMES] ? f[F_NAMES] : "");
	snprintf(row->sha256, sizeof row->sha256, "%s", f[F_SHA] ? f[F_SHA] : "");
	row->bytes = f[F_BYTES] ? strtoull(f[F_BYTES], NULL, 10) : 0;
	row->pages = f[F_PAGES] ? atoi(f[F_PAGES]) : 0;
	row->mtime_ns = f[F_MTIME] ? strtoll(f[F_MTIME], NULL, 10) : 0;
	if (f[F_STATUS] && !strcmp(f[F_STATUS], "failed"))
		row->output = NULL;
	return true;
}

static uint64_t job_hash(const char *case_path, const char *level, const char *document)
{
	struct pd_buf key = {0};
	buf_printf(&key, "%s\n%s\n%s", case_path, level, document);
	uint64_t h = hash_bytes(key.s, key.len);
	buf_free(&key);
	return h;
}

int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* ------------------------------------------------------------- compaction */

#define ROW_BITS 24 /* rows numbered in the keys of the compaction (16 million) */
#define OFF_BITS 40 /* a kept row's offset in the index (1 TB) */

/* Marks in drop every row but the latest of each group of equal keys (key << ROW_BITS |
 * row, sorted). */
static void drop_older(uint64_t *keys, size_t n, unsigned char *drop)
{
	qsort(keys, n, sizeof *keys, cmp_u64);
	for (size_t i = 0; i + 1 < n; i++)
		if (keys[i] >> ROW_BITS == keys[i + 1] >> ROW_BITS) {
			size_t row = keys[i] & ((1u << ROW_BITS) - 1);
			drop[row / 8] |= (unsigned char)(1u << (row & 7));
		}
}

static bool dropped(const unsigned char *drop, size_t r)
{
	return drop[r / 8] & 1u << (r & 7);
}

/* Each line of f in turn (with its newline): false at the end, or at a cut last line (a
 * run killed mid-write), which is dropped. */
static bool next_line(struct journal *j, FILE *f)
{
	ssize_t n = getline(&j->got, &j->gotcap, f);
	buf_clear(&j->line);
	if (n <= 0 || j->got[n - 1] != '\n')
		return false;
	buf_put(&j->line, j->got, (size_t)n);
	return true;
}

static bool output_there(const struct journal *j, const struct prev_row *r)
{
	struct stat st;
	const char *name = strrchr(r->output, '/');
	return fstatat(j->dirfd, name ? name + 1 : r->output, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	       S_ISREG(st.st_mode) && (size_t)st.st_size == r->bytes;
}

/* The lines of f (a cut last one too), counted before the keys are made: each array of
 * keys is allocated once, at its size. */
static size_t count_lines(FILE *f)
{
	char chunk[65536];
	size_t n = 0, got;
	while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
		for (const char *p = chunk; (p = memchr(p, '\n', got - (size_t)(p - chunk))); p++)
			n++;
	rewind(f);
	return n + 1;
}

/* The rows of the previous manifest to keep: the latest of each job, and that only when it
 * names no output or the latest row of that output whose file is there. A pass over the
 * file with two keys (8 bytes each) a row; then the kept rows' index (8 bytes a row). */
static void mark_kept(struct journal *j, FILE *f, unsigned char **drop, size_t *nrows)
{
	size_t cap = count_lines(f), n = 0, nout = 0;
	cap = cap < (1u << ROW_BITS) ? cap : (1u << ROW_BITS);
	uint64_t *jobs = xmalloc(cap * sizeof *jobs), *outs = xmalloc(cap * sizeof *outs);
	struct prev_row row;
	for (; n < cap && next_line(j, f); n++) {
		uint64_t h = ~(uint64_t)0; /* a damaged row: its own group, dropped below */
		if (parse_row(j->line.s, j->line.len, &j->text, &row)) {
			h = job_hash(row.case_path, row.level, row.document);
			if (row.output)
				outs[nout++] = hash_bytes(row.output, strlen(row.output)) >> ROW_BITS << ROW_BITS | n;
		}
		jobs[n] = h >> ROW_BITS << ROW_BITS | n;
	}
	*drop = xcalloc(n / 8 + 1, 1);
	drop_older(jobs, n, *drop);
	drop_older(outs, nout, *drop);
	free(jobs);
	free(outs);
	*nrows = n;
}

/* Reads the previous manifest, writes the rows worth keeping into out (at its start) and
 * indexes them. */
static void read_previous(struct journal *j, int in, int out)
{
	FILE *f = fdopen(in, "r");
	if (!f) {
		close(in);
		return;
	}
	unsigned char *drop;
	size_t nrows;
	mark_kept(j, f, &drop, &nrows);
	rewind(f);
	j->index = xmalloc((nrows + 1) * sizeof *j->index);
	uint64_t off = 0;
	struct prev_row row;
	for (size_t r = 0; r < nrows && next_line(j, f); r++) {
		if (dropped(drop, r) || !parse_row(j->line.s, j->line.len, &j->text, &row) ||
		    (row.output && !output_there(j, &row)))
			continue;
		if (fd_write_all(out, j->line.s, j->line.len) < 0)
			break;
		j->index[j->nindex++] = job_hash(row.case_path, row.level, row.document) >> OFF_BITS << OFF_BITS | off;
		off += j->line.len;
	}
	qsort(j->index, j->nindex, sizeof *j->index, cmp_u64);
	free(drop);
	fclose(f);
}

/* The manifest rewritten with the previous rows worth keeping, then opened for appending
 * (and reading back the kept rows). */
static int rewrite(struct journal *j)
{
	char tmp[64];
	snprintf(tmp, sizeof tmp, MANIFEST ".tmp-%ld", (long)getpid());
	int fd = openat(j->dirfd, tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return refuse(j->outdir, "cannot write the manifest");
	int in = openat(j->dirfd, MANIFEST, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	struct stat st;
	if (in >= 0 && fstat(in, &st) == 0 && S_ISREG(st.st_mode))
		read_previous(j, in, fd);
	else if (in >= 0)
		close(in);
	int rc = fsync(fd);
	if (rc || renameat(j->dirfd, tmp, j->dirfd, MANIFEST)) {
		rc = refuse(j->outdir, "cannot write the manifest");
		unlinkat(j->dirfd, tmp, 0);
		close(fd);
		return rc;
	}
	j->fd = fd;
	return lseek(fd, 0, SEEK_END) < 0 || fcntl(fd, F_SETFL, O_APPEND)
		       ? refuse(j->outdir, "cannot write the manifest") : 0;
}

int journal_open(const char *outdir, struct journal **out)
{
	struct journal *j = xcalloc(1, sizeof *j);
	*j = (struct journal){.outdir = outdir, .lockfd = -1, .fd = -1};
	j->dirfd = open(outdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc = j->dirfd < 0 ? refuse(outdir, "cannot open the output directory") : lock_dir(j);
	if (!rc) {
		remove_stale(j);
		rc = rewrite(j);
	}
	if (rc) {
		journal_close(j, false);
		return rc;
	}
	*out = j;
	return 0;
}

/* The row at off in the manifest, read back into j->line. */
static bool read_row(struct journal *j, uint64_t off)
{
	buf_clear(&j->line);
	char chunk[4096];
	for (;;) {
		ssize_t n = pread(j->fd, chunk, sizeof chunk, (off_t)(off + j->line.len));
		if (n <= 0)
			return false;
		const char *nl = memchr(chunk, '\n', (size_t)n);
		buf_put(&j->line, chunk, nl ? (size_t)(nl - chunk + 1) : (size_t)n);
		if (nl)
			return true;
	}
}

bool journal_previous(struct journal *j, const struct pd_job *job, struct prev_row *row)
{
	if (!j || !j->nindex)
		return false;
	uint64_t key = job_hash(job->case_path, job->level, job->document) >> OFF_BITS;
	size_t lo = 0, hi = j->nindex;
	while (lo < hi) { /* the first entry of the key */
		size_t mid = lo + (hi - lo) / 2;
		if (j->index[mid] >> OFF_BITS < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < j->nindex && j->index[lo] >> OFF_BITS == key; lo++)
		if (read_row(j, j->index[lo] & (((uint64_t)1 << OFF_BITS) - 1)) &&
		    parse_row(j->line.s, j->line.len, &j->text, row) &&
		    !strcmp(row->case_path, job->case_path) && !strcmp(row->level, job->level) &&
		    !strcmp(row->document, job->document))
			return true;
	return false;
}

const int *journal_dir(const struct journal *j)
{
	return j ? &j->dirfd : NULL;
}

int journal_fd(const struct journal *j)
{
	return j ? j->fd : -1;
}

int journal_close(struct journal *j, bool wrote)
{
	if (!j)
		return 0;
	int rc = 0;
	if (wrote && syncfs(j->dirfd) != 0)
		rc = refuse(j->outdir, "cannot make the documents durable");
	if (j->fd >= 0 && (fsync(j->fd) | close(j->fd)) && !rc)
		rc = refuse(j->outdir, "cannot write the manifest");
	if (j->lockfd >= 0)
		close(j->lockfd);
	if (j->dirfd >= 0)
		close(j->dirfd);
	free(j->index);
	buf_free(&j->line);
	buf_free(&j->text);
	free(j->got);
	free(j);
	return rc;
}
