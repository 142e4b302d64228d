/* fingerprint: SHA-256 digests of a run's shared inputs and of each document's own.
 * In: directories, a value tree, a case file's bytes. Out: 64 hex digits each. */
#define _DEFAULT_SOURCE /* scandir, alphasort */
#include "fingerprint.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <nettle/sha2.h>

#include "font.h"
#include "hyph.h"
#include "util.h"

/* A field: its length, then its bytes, so that no two sequences of fields hash alike. */
static void put_field(struct sha256_ctx *c, const void *p, size_t n)
{
	char len[24];
	int k = snprintf(len, sizeof len, "%zu:", n);
	sha256_update(c, (size_t)k, (const uint8_t *)len);
	sha256_update(c, n, p);
}

static void put_text(struct sha256_ctx *c, const char *s)
{
	put_field(c, s ? s : "", s ? strlen(s) : 0);
}

static void finish(struct sha256_ctx *c, char hex[65])
{
	unsigned char d[SHA256_DIGEST_SIZE];
	sha256_digest(c, sizeof d, d);
	hex_encode(d, sizeof d, hex);
}

static void put_file(struct sha256_ctx *c, const char *path)
{
	size_t len = 0;
	char *bytes = file_read(path, &len, 0);
	put_field(c, bytes ? bytes : "", bytes ? len : 0);
	free(bytes);
}

/* A large file (a font) by its size and modification time: hashing 2.4 MB of fonts took
 * more than a no-op re-run of a thousand letters; a small one (a template, a data file)
 * by its bytes, so that a copy with other words differs whatever its time. */
static void put_identity_or_bytes(struct sha256_ctx *c, const char *path, const struct stat *st)
{
	if (st->st_size <= 65536) {
		put_file(c, path);
		return;
	}
	char id[64];
	snprintf(id, sizeof id, "%lld:%lld.%09ld", (long long)st->st_size,
		 (long long)st->st_mtim.tv_sec, st->st_mtim.tv_nsec);
	put_text(c, id);
}

/* A file a document may read, named: its identity (or bytes), or that it is not there. */
static void put_named_file(struct sha256_ctx *c, const char *path)
{
	struct stat st;
	put_text(c, path);
	if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
		put_identity_or_bytes(c, path, &st);
	else
		put_text(c, "(none)");
}

/* Every regular file under dir, by name relative to it, in sorted order. */
static void put_tree(struct sha256_ctx *c, const char *dir, const char *rel)
{
	struct dirent **names;
	int n = scandir(dir, &names, NULL, alphasort);
	for (int i = 0; i < n; i++) {
		const char *name = names[i]->d_name;
		struct pd_buf path = {0}, sub = {0};
		buf_printf(&path, "%s/%s", dir, name);
		buf_printf(&sub, "%s%s", rel, name);
		struct stat st;
		if (name[0] != '.' && lstat(path.s, &st) == 0) {
			if (S_ISREG(st.st_mode)) {
				put_text(c, sub.s);
				put_identity_or_bytes(c, path.s, &st);
			} else if (S_ISDIR(st.st_mode)) {
				buf_putc(&sub, '/');
				put_tree(c, path.s, sub.s);
			}
		}
		buf_free(&path);
		buf_free(&sub);
		free(names[i]);
	}
	if (n >= 0)
		free(names);
}

void fp_setup(const char *const *dirs, size_t ndirs, const char *opts, char hex[65])
{
	struct sha256_ctx c;
	sha256_init(&c);
	put_text(&c, "pdgen " PD_VERSION);
	for (size_t i = 0; i < ndirs; i++) {
		put_text(&c, dirs[i]);
		put_tree(&c, dirs[i], "");
	}
	const char *fallback = getenv("PDGEN_FALLBACK_FONTS");
	put_text(&c, fallback);
	for (const char *p = fallback; p && *p;) {
		size_t n = strcspn(p, ":");
		char *one = xstrndup(p, n);
		put_named_file(&c, one);
		free(one);
		p += n + (p[n] == ':');
	}
	for (const char *const *p = fonts_fallback_paths(); *p; p++)
		put_named_file(&c, *p); /* the system's faces (CJK, Arabic), when there */
	put_named_file(&c, hyph_dict_path());
	put_text(&c, opts);
	finish(&c, hex);
}

static void put_value(struct sha256_ctx *c, const struct pd_value *v)
{
	char kind[80];
	snprintf(kind, sizeof kind, "%d/%zu/%d/%.17g", v ? (int)v->kind : -1, v ? v->n : 0,
		 v && v->boolean, v ? v->number : 0);
	put_text(c, kind);
	if (!v)
		return;
	put_field(c, v->str ? v->str : "", v->str ? v->len : 0);
	for (size_t i = 0; i < v->n; i++) {
		if (v->kind == PD_MAP)
			put_text(c, v->keys[i]);
		put_value(c, v->items[i]);
	}
}

void fp_value(const struct pd_value *v, char hex[65])
{
	struct sha256_ctx c;
	sha256_init(&c);
	put_value(&c, v);
	finish(&c, hex);
}

void fp_files(const char *base_hex, const char *paths, char out[65])
{
	if (!paths || !*paths) {
		memmove(out, base_hex, 65);
		return;
	}
	struct sha256_ctx c;
	sha256_init(&c);
	put_text(&c, base_hex);
	for (const char *p = paths; *p;) {
		size_t n = strcspn(p, "\n");
		char *one = xstrndup(p, n);
		put_text(&c, one);
		put_file(&c, one);
		free(one);
		p += n + (p[n] == '\n');
	}
	finish(&c, out);
}

void fp_bytes(const char *bytes, size_t len, char hex[65])
{
	struct sha256_ctx c;
	sha256_init(&c);
	put_field(&c, bytes, len);
	finish(&c, hex);
}

void fp_job(const char *setup_hex, const char *defaults_hex, const char *level,
	    const char *document, const char *case_hex, char hex[65])
{
	struct sha256_ctx c;
	sha256_init(&c);
	put_text(&c, setup_hex);
	put_text(&c, defaults_hex);
	put_text(&c, level);
	put_text(&c, document);
	put_text(&c, case_hex);
	finish(&c, hex);
}
