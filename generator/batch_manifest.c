/* batch_manifest: OUT/manifest.jsonl kept as a journal: locked against a second batch,
 * compacted at the start, a row appended as each document finishes, synced at the end.
 * In: jobs and their outcomes. Out: the manifest; the previous run's rows for re-runs. */
#define _GNU_SOURCE /* syncfs, flock */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "batch_impl.h"
#include "value.h"

#define MANIFEST "manifest.jsonl"
#define LOCK_FILE ".manifest.lock"

/* ------------------------------------------------------------- a string map */

size_t *map_at(struct map *m, const char *key, bool add)
{
	if (add && 2 * (m->n + 1) > m->cap) {
		struct map big = {xcalloc(m->cap ? 2 * m->cap : 64, sizeof *big.keys), NULL,
				  m->cap ? 2 * m->cap : 64, 0};
		big.vals = xcalloc(big.cap, sizeof *big.vals);
		for (size_t i = 0; i < m->cap; i++)
			if (m->keys[i])
				*map_at(&big, m->keys[i], true) = m->vals[i];
		free(m->keys);
		free(m->vals);
		*m = big;
	}
	if (!m->cap)
		return NULL;
	size_t i = hash_bytes(key, strlen(key)) & (m->cap - 1);
	while (m->keys[i] && strcmp(m->keys[i], key))
		i = (i + 1) & (m->cap - 1);
	if (!m->keys[i] && !add)
		return NULL;
	if (!m->keys[i]) {
		m->keys[i] = key;
		m->n++;
	}
	return &m->vals[i];
}

void map_free(struct map *m)
{
	free(m->keys);
	free(m->vals);
	*m = (struct map){0};
}

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
	struct pd_arena *arena;
	struct pd_diag_store *store; /* the rows' file name, as their places name it */
	struct prev_row *rows;
	size_t nrows;
	struct map by_job; /* "case\nlevel\ndocument" -> row */
};

static const char *job_key(struct pd_arena *a, const char *case_path, const char *level,
			   const char *document)
{
	return arena_printf(a, "%s\n%s\n%s", case_path, level, document);
}

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

/* A previous row from its JSON line (NULL for a damaged line: a run killed mid-write). */
static const struct pd_value *parse_row(struct journal *j, const char *line, size_t len)
{
	struct pd_diags diags = {.store = j->store};
	const struct pd_value *v = value_load_mem(j->arena, MANIFEST, line, len, NULL, &diags);
	diag_store_forget(j->store, MANIFEST); /* the line is not kept */
	diag_clear(&diags);
	return v && v->kind == PD_MAP && value_get(v, "case") ? v : NULL;
}

static void copy_hex(char out[65], const char *s)
{
	snprintf(out, 65, "%s", s ? s : "");
}

/* The row's "files" as "PATH\n" each, in the arena; NULL when none. */
static const char *files_of(struct pd_arena *a, const struct pd_value *files)
{
	struct pd_buf b = {0};
	for (size_t i = 0; files && files->kind == PD_SEQ && i < files->n; i++)
		if (value_str(files->items[i]))
			buf_printf(&b, "%s\n", value_str(files->items[i]));
	const char *s = b.s ? arena_strdup(a, b.s) : NULL;
	buf_free(&b);
	return s;
}

static struct prev_row row_of(struct pd_arena *a, const struct pd_value *v)
{
	struct prev_row r = {.output = value_str(value_get(v, "output")),
			     .client = value_str(value_get(v, "client")),
			     .a_number = value_str(value_get(v, "a_number"))};
	copy_hex(r.inputs, value_str(value_get(v, "inputs")));
	copy_hex(r.name_inputs, value_str(value_get(v, "name_inputs")));
	copy_hex(r.sha256, value_str(value_get(v, "sha256")));
	const char *n = value_str(value_get(v, "bytes"));
	r.bytes = n ? strtoull(n, NULL, 10) : 0;
	n = value_str(value_get(v, "pages"));
	r.pages = n ? atoi(n) : 0;
	n = value_str(value_get(v, "mtime_ns"));
	r.mtime_ns = n ? strtoll(n, NULL, 10) : 0;
	r.files = files_of(a, value_get(v, "files"));
	if (strcmp(value_str(value_get(v, "status")) ? value_str(value_get(v, "status")) : "",
		   "failed") == 0)
		r.output = NULL;
	return r;
}

/* A row is kept when it is its job's latest and names no output or one that is still
 * there as it was written (no later row for the same output). */
static bool row_kept(struct journal *j, size_t i, const char *key, struct map *by_out)
{
	if (*map_at(&j->by_job, key, false) != i)
		return false;
	const struct prev_row *r = &j->rows[i];
	if (!r->output)
		return true;
	struct stat st;
	const char *name = strrchr(r->output, '/');
	return *map_at(by_out, r->output, false) == i &&
	       fstatat(j->dirfd, name ? name + 1 : r->output, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	       S_ISREG(st.st_mode) && (size_t)st.st_size == r->bytes;
}

/* Reads the previous manifest into rows and puts the lines worth keeping into kept. */
static void read_previous(struct journal *j, char *text, size_t len, struct pd_buf *kept)
{
	size_t cap = 0;
	const char **lines = NULL, **keys = NULL;
	size_t *lens = NULL;
	struct map by_out = {0};
	for (char *p = text, *end = text + len; p < end;) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		const struct pd_value *v = nl ? parse_row(j, p, n) : NULL; /* a cut last line: lost */
		if (v && j->nrows == cap) {
			cap = cap ? 2 * cap : 256;
			j->rows = xrealloc(j->rows, cap * sizeof *j->rows);
			lines = xrealloc(lines, cap * sizeof *lines);
			lens = xrealloc(lens, cap * sizeof *lens);
			keys = xrealloc(keys, cap * sizeof *keys);
		}
		if (v) {
			size_t i = j->nrows++;
			j->rows[i] = row_of(j->arena, v);
			lines[i] = p, lens[i] = n + 1;
			keys[i] = job_key(j->arena, value_str(value_get(v, "case")),
					  value_str(value_get(v, "level")),
					  value_str(value_get(v, "document")));
			*map_at(&j->by_job, keys[i], true) = i;
			if (j->rows[i].output)
				*map_at(&by_out, j->rows[i].output, true) = i;
		}
		p += n + 1;
	}
	for (size_t i = 0; i < j->nrows; i++) {
		if (row_kept(j, i, keys[i], &by_out))
			buf_put(kept, lines[i], lens[i]);
		else
			j->rows[i].inputs[0] = '\0'; /* never taken as up to date */
	}
	map_free(&by_out);
	free(lines);
	free(lens);
	free(keys);
}

static int rewrite(struct journal *j, const struct pd_buf *kept)
{
	char tmp[64];
	snprintf(tmp, sizeof tmp, MANIFEST ".tmp-%ld", (long)getpid());
	int fd = openat(j->dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return refuse(j->outdir, "cannot write the manifest");
	int rc = fd_write_all(fd, kept->s ? kept->s : "", kept->len);
	rc |= fsync(fd);
	rc |= close(fd);
	if (rc || renameat(j->dirfd, tmp, j->dirfd, MANIFEST)) {
		rc = refuse(j->outdir, "cannot write the manifest");
		unlinkat(j->dirfd, tmp, 0);
	}
	return rc;
}

int journal_open(const char *outdir, struct journal **out)
{
	struct journal *j = xcalloc(1, sizeof *j);
	*j = (struct journal){.outdir = outdir, .lockfd = -1, .fd = -1, .arena = arena_new(),
			      .store = diag_store_new()};
	j->dirfd = open(outdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc = j->dirfd < 0 ? refuse(outdir, "cannot open the output directory") : lock_dir(j);
	char *text = NULL;
	if (!rc) {
		remove_stale(j);
		size_t len = 0;
		char *path = arena_printf(j->arena, "%s/" MANIFEST, outdir);
		struct pd_buf kept = {0};
		text = file_read(path, &len, 0);
		if (text)
			read_previous(j, text, len, &kept);
		rc = rewrite(j, &kept);
		buf_free(&kept);
	}
	if (!rc) {
		j->fd = openat(j->dirfd, MANIFEST, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
		if (j->fd < 0)
			rc = refuse(outdir, "cannot write the manifest");
	}
	free(text); /* the rows' strings are copies in the arena */
	if (rc) {
		journal_close(j, false);
		return rc;
	}
	*out = j;
	return 0;
}

const struct prev_row *journal_previous(const struct journal *j, const char *case_path,
					const char *level, const char *document)
{
	struct pd_buf key = {0};
	buf_printf(&key, "%s\n%s\n%s", case_path, level, document);
	const size_t *i = map_at((struct map *)&j->by_job, key.s, false);
	buf_free(&key);
	return i && j->rows[*i].inputs[0] ? &j->rows[*i] : NULL;
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
	map_free(&j->by_job);
	free(j->rows);
	arena_free(j->arena);
	diag_store_free(j->store);
	free(j);
	return rc;
}
