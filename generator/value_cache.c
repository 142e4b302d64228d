/* value_cache: a data file's loaded tree kept as a compiled image in the cache directory.
 * In: the file's bytes and the tree loaded from them. Out: the same tree, read back (arena). */
#include "value.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "outfile.h"

/* The image: this header, the source's bytes (an image serves only the very same bytes,
 * so it is never stale), then the nodes in pre-order, each a record, its text and a NUL;
 * a mapping's items each preceded by their key's record, text and NUL. The checksum keeps
 * a damaged image out; every count and length is checked against what is left. */
struct header {
	char magic[8];
	uint32_t layout; /* sizeof (struct pd_value): a build with another layout writes anew */
	uint32_t flags;  /* the options the tree was loaded with */
	uint64_t limits[4];
	uint64_t text_len, body_len;
	uint64_t sum; /* CRC-32 of the body */
};

struct rec {
	uint8_t kind, quoted, boolean, pad;
	int32_t line, col;
	uint32_t n; /* items of a list or mapping */
	uint64_t len; /* of the text that follows */
	double number;
};

struct key_rec {
	int32_t line, col;
	uint64_t len;
};

static const char magic[8] = "PDVAL01";

static void header_for(struct header *h, const struct pd_value_opts *o, size_t text_len)
{
	memset(h, 0, sizeof *h);
	memcpy(h->magic, magic, sizeof magic);
	h->layout = sizeof(struct pd_value);
	h->flags = (uint32_t)o->allow_aliases | (uint32_t)o->canonical_numbers << 1;
	h->limits[0] = o->max_bytes;
	h->limits[1] = (uint64_t)o->max_depth;
	h->limits[2] = o->max_items;
	h->limits[3] = o->max_string;
	h->text_len = text_len;
}

/* value-<file name>.bin in the cache directory: one image a name, so the directory stays
 * small however many copies of the data are read (another copy's bytes replace it). */
static char *image_path(const char *path, bool create)
{
	const char *base = strrchr(path, '/');
	char name[256];
	snprintf(name, sizeof name, "value-%.200s.bin", base ? base + 1 : path);
	return cache_file(name, create);
}

static uint64_t checksum(const char *p, size_t len)
{
	return crc32(crc32(0, Z_NULL, 0), (const Bytef *)p, (uInt)len);
}

/* ------------------------------------------------------------------ writing */

static void put_text(struct pd_buf *b, const char *s, size_t len)
{
	buf_put(b, s, len);
	buf_putc(b, '\0');
}

/* False when the tree cannot be kept: a node of another file (a merged tree), or an image
 * far larger than its source (aliases shared many times). */
static bool put_node(struct pd_buf *b, const struct pd_value *v, const char *file, size_t cap)
{
	if (v->loc.file != file || b->len > cap)
		return false;
	bool container = v->kind == PD_SEQ || v->kind == PD_MAP;
	struct rec r = {(uint8_t)v->kind, v->quoted, v->boolean, 0, v->loc.line, v->loc.col,
			container ? (uint32_t)v->n : 0, container ? 0 : v->len, v->number};
	buf_put(b, (const char *)&r, sizeof r);
	put_text(b, container ? "" : v->str, r.len);
	for (size_t i = 0; i < r.n; i++) {
		if (v->kind == PD_MAP) {
			struct key_rec k = {v->key_locs[i].line, v->key_locs[i].col, strlen(v->keys[i])};
			buf_put(b, (const char *)&k, sizeof k);
			put_text(b, v->keys[i], k.len);
		}
		if (!put_node(b, v->items[i], file, cap))
			return false;
	}
	return true;
}

void value_cache_store(const struct pd_value *root, const char *path, const char *text,
		       size_t len, const struct pd_value_opts *opts)
{
	struct pd_buf body = {0};
	struct header h;
	header_for(&h, opts, len);
	char *out = NULL;
	if (put_node(&body, root, root->loc.file, 16 * len + (1u << 20)) &&
	    (out = image_path(path, true))) {
		h.body_len = body.len;
		h.sum = checksum(body.s, body.len);
		struct pd_buf img = {0};
		buf_put(&img, (const char *)&h, sizeof h);
		buf_put(&img, text, len);
		buf_put(&img, body.s, body.len);
		outfile_write(out, img.s, img.len, NULL); /* no image: the next load parses */
		buf_free(&img);
	}
	free(out);
	buf_free(&body);
}

/* ------------------------------------------------------------------ reading */

struct reader {
	const char *p, *end;
	struct pd_arena *arena;
	const char *file;
	int depth_left;
};

static bool take(struct reader *r, void *out, size_t n)
{
	if ((size_t)(r->end - r->p) < n)
		return false;
	memcpy(out, r->p, n);
	r->p += n;
	return true;
}

/* The len bytes of text and their NUL, in place (the body lives in the arena). */
static const char *take_text(struct reader *r, uint64_t len)
{
	if ((uint64_t)(r->end - r->p) <= len || r->p[len] != '\0')
		return NULL;
	const char *s = r->p;
	r->p += len + 1;
	return s;
}

static struct pd_value *get_node(struct reader *r)
{
	struct rec h;
	if (r->depth_left-- <= 0 || !take(r, &h, sizeof h) || h.kind > PD_MAP ||
	    h.n > (size_t)(r->end - r->p) / sizeof h)
		return NULL;
	struct pd_value *v = value_new(r->arena, (enum pd_vkind)h.kind,
				       (struct pd_loc){r->file, h.line, h.col});
	v->quoted = h.quoted;
	v->boolean = h.boolean;
	v->number = h.number;
	v->len = h.len;
	if (!(v->str = take_text(r, h.len)))
		return NULL;
	v->n = v->cap = h.n;
	if (h.n) {
		v->items = arena_alloc(r->arena, h.n * sizeof *v->items);
		if (h.kind == PD_MAP) {
			v->keys = arena_alloc(r->arena, h.n * sizeof *v->keys);
			v->key_locs = arena_alloc(r->arena, h.n * sizeof *v->key_locs);
		}
	}
	for (size_t i = 0; i < h.n; i++) {
		struct key_rec k;
		if (h.kind == PD_MAP) {
			if (!take(r, &k, sizeof k) || !(v->keys[i] = take_text(r, k.len)))
				return NULL;
			v->key_locs[i] = (struct pd_loc){r->file, k.line, k.col};
		}
		if (!(v->items[i] = get_node(r)))
			return NULL;
	}
	r->depth_left++;
	return v;
}

struct pd_value *value_cache_load(struct pd_arena *arena, const char *path, const char *file,
				  const char *text, size_t len, const struct pd_value_opts *opts)
{
	char *in = image_path(path, false);
	size_t n = 0;
	char *img = in ? file_read(in, &n, 64u * len + (2u << 20)) : NULL;
	free(in);
	struct header want, h;
	header_for(&want, opts, len);
	struct pd_value *root = NULL;
	if (img && n >= sizeof h) {
		memcpy(&h, img, sizeof h);
		const char *body = img + sizeof h + len;
		want.body_len = h.body_len;
		want.sum = h.sum;
		if (!memcmp(&h, &want, sizeof h) && n - sizeof h >= len &&
		    n - sizeof h - len == h.body_len && !memcmp(img + sizeof h, text, len) && checksum(body, h.body_len) == h.sum) {
			char *copy = arena_strndup(arena, body, h.body_len);
			struct reader r = {copy, copy + h.body_len, arena, file, opts->max_depth + 1};
			root = get_node(&r);
			if (r.p != r.end)
				root = NULL;
		}
	}
	free(img);
	return root;
}
