/* value_cache: a data file's loaded tree kept as a compiled image in the cache directory, and
 * a case's top-level sections kept as images in memory (the memo). In: bytes and the tree
 * loaded from them. Out: the same tree, read back (arena). */
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
	int line_base; /* added to every line: a section's lines count from its own start */
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
				       (struct pd_loc){r->file, h.line + r->line_base, h.col});
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
			v->key_locs[i] = (struct pd_loc){r->file, k.line + r->line_base, k.col};
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
			struct reader r = {copy, copy + h.body_len, arena, file, opts->max_depth + 1, 0};
			root = get_node(&r);
			if (r.p != r.end)
				root = NULL;
		}
	}
	free(img);
	return root;
}

/* ------------------------------------------------------------------ the memo */

/* A case file is a map whose keys start lines: each key with the lines below it (comments
 * and indented lines) is a section, and the sections a docket's cases share (attorney:,
 * firm:) are parsed once. A text none of whose sections was met before is loaded whole;
 * otherwise a kept section is rebuilt from its image, one met the second time is parsed
 * alone and kept, and each run of the others is parsed alone, together. A text a unit
 * could end inside (a flow list, a quoted value) fails to parse alone, and any failure
 * loads the text whole, so the tree and every message are the whole load's. */
#define MEMO_SLOTS 4096u		/* sections remembered (half of them at most) */
#define MEMO_MAX_BYTES (8u << 20) /* bytes of images kept */
#define MEMO_MAX_SECTIONS 256	/* a text of more sections is loaded whole */

struct memo_entry {
	uint64_t hash; /* of the section's bytes; 0: a free slot */
	size_t len;    /* of the section */
	char *image;   /* its bytes, then its tree's body; NULL until met twice */
	size_t image_len;
	bool met;      /* parsed once: the next time it is kept */
};

struct pd_value_memo {
	struct memo_entry slots[MEMO_SLOTS];
	size_t used, bytes;
	struct pd_value_opts opts; /* of the loads it serves (the first one's) */
	bool opts_set;
	struct pd_diags diags; /* a section's own load reports here, unread */
};

struct section {
	const char *at;
	size_t len;
	int line; /* of its first line, from 0 */
};

struct pd_value_memo *value_memo_new(void)
{
	struct pd_value_memo *m = xcalloc(1, sizeof *m);
	m->diags.store = diag_store_new();
	return m;
}

static void memo_forget_all(struct pd_value_memo *m)
{
	for (size_t i = 0; i < MEMO_SLOTS; i++)
		free(m->slots[i].image);
	memset(m->slots, 0, sizeof m->slots);
	m->used = m->bytes = 0;
}

void value_memo_free(struct pd_value_memo *m)
{
	if (!m)
		return;
	memo_forget_all(m);
	struct pd_diag_store *store = m->diags.store;
	diag_clear(&m->diags);
	diag_store_free(store);
	free(m);
}

static bool same_opts(const struct pd_value_opts *a, const struct pd_value_opts *b)
{
	return a->canonical_numbers == b->canonical_numbers && a->max_depth == b->max_depth &&
	       a->max_items == b->max_items && a->max_string == b->max_string;
}

/* Whether libyaml breaks lines only where a '\n' is: no lone '\r', no NEL, LS or PS (it
 * counts those too), so that a section's first line is the count of '\n' before it. */
static bool breaks_are_newlines(const char *text, size_t len)
{
	static const char starts[] = {'\r', '\xC2', '\xE2'};
	for (size_t k = 0; k < sizeof starts; k++)
		for (const char *p = memchr(text, starts[k], len); p;
		     p = memchr(p + 1, starts[k], len - (size_t)(p + 1 - text))) {
			size_t left = len - (size_t)(p - text);
			if ((k == 0 && (left < 2 || p[1] != '\n')) ||
			    (k == 1 && left >= 2 && p[1] == '\x85') ||
			    (k == 2 && left >= 3 && p[1] == '\x80' && (p[2] == '\xA8' || p[2] == '\xA9')))
				return false;
		}
	return true;
}

static bool starts_key(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_';
}

/* The sections of text (the first one from the top, with the comments above its key), or
 * 0 when a line starts with anything but a key, a space, a comment or its end. */
static size_t split_sections(const char *text, size_t len, struct section *out)
{
	size_t n = 0;
	int line = 0;
	if (len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3))
		return 0; /* libyaml counts a byte order mark as a column */
	for (size_t off = 0; off < len; line++) {
		unsigned char c = (unsigned char)text[off];
		if (starts_key(c)) {
			if (n == MEMO_MAX_SECTIONS)
				return 0;
			if (n)
				out[n - 1].len = (size_t)(text + off - out[n - 1].at);
			out[n] = (struct section){n ? text + off : text, 0, n ? line : 0};
			n++;
		} else if (c != ' ' && c != '#' && c != '\n' && c != '\r') {
			return 0;
		}
		const char *nl = memchr(text + off, '\n', len - off);
		off = nl ? (size_t)(nl - text) + 1 : len;
	}
	if (n)
		out[n - 1].len = (size_t)(text + len - out[n - 1].at);
	return n;
}

static struct memo_entry *memo_slot(struct pd_value_memo *m, uint64_t hash, size_t len)
{
	hash |= 1; /* never 0, the free slot's */
	size_t i = (size_t)(hash % MEMO_SLOTS);
	while (m->slots[i].hash && !(m->slots[i].hash == hash && m->slots[i].len == len))
		i = (i + 1) % MEMO_SLOTS;
	if (!m->slots[i].hash) {
		m->slots[i].hash = hash;
		m->slots[i].len = len;
		m->used++;
	}
	return &m->slots[i];
}

/* The section's tree from its image, lines counted from the text's top; NULL when the image
 * holds other bytes (two sections of one hash). */
static struct pd_value *memo_rebuild(const struct memo_entry *e, const struct section *s,
				     struct pd_arena *arena, const char *file, int max_depth)
{
	if (memcmp(e->image, s->at, s->len))
		return NULL;
	size_t body_len = e->image_len - s->len;
	char *copy = arena_strndup(arena, e->image + s->len, body_len);
	struct reader r = {copy, copy + body_len, arena, file, max_depth + 1, s->line};
	struct pd_value *v = get_node(&r);
	return v && r.p == r.end ? v : NULL;
}

/* Sets every place of a tree parsed from a section to the text's file and lines. */
static void memo_place(struct pd_value *v, const char *file, int line_base)
{
	v->loc.file = file;
	v->loc.line += line_base;
	bool container = v->kind == PD_SEQ || v->kind == PD_MAP;
	for (size_t i = 0; container && i < v->n; i++) {
		if (v->kind == PD_MAP) {
			v->key_locs[i].file = file;
			v->key_locs[i].line += line_base;
		}
		memo_place(v->items[i], file, line_base);
	}
}

/* The sections from s on, up to s + count, parsed alone as one text: a map of one key a
 * section, the image of a lone section kept in e; NULL when they do not parse so. */
static struct pd_value *memo_parse(struct pd_value_memo *m, struct memo_entry *e,
				   const struct section *s, size_t count, struct pd_arena *arena,
				   const char *file)
{
	struct pd_value_opts o = m->opts;
	o.memo = NULL;
	size_t len = (size_t)(s[count - 1].at + s[count - 1].len - s->at);
	struct pd_value *v = value_load_mem(arena, "section", s->at, len, &o, &m->diags);
	diag_store_forget(m->diags.store, "section");
	bool ok = v && !m->diags.n && v->kind == PD_MAP && v->n == count;
	diag_clear(&m->diags);
	if (!ok)
		return NULL;
	struct pd_buf body = {0};
	if (e && !e->image && put_node(&body, v, v->loc.file, 16 * len + 4096)) {
		e->image = xmalloc(len + body.len);
		memcpy(e->image, s->at, len);
		memcpy(e->image + len, body.s, body.len);
		e->image_len = len + body.len;
		m->bytes += e->image_len;
	}
	buf_free(&body);
	memo_place(v, file, s->line);
	return v;
}

enum use { REBUILD, KEEP, PARSE }; /* an image; met again: parse alone, keep; else parse */

/* How each section is made; false when none is met again (the whole load is as quick). */
static bool memo_plan(struct pd_value_memo *m, const struct section *sec, size_t n,
		      struct memo_entry **ent, enum use *use)
{
	if (2 * (m->used + n) >= MEMO_SLOTS || m->bytes > MEMO_MAX_BYTES)
		memo_forget_all(m);
	bool any = false;
	for (size_t i = 0; i < n; i++) {
		struct memo_entry *e = ent[i] = memo_slot(m, hash_bytes(sec[i].at, sec[i].len),
							  sec[i].len);
		if (e->image)
			use[i] = memcmp(e->image, sec[i].at, sec[i].len) ? PARSE : REBUILD;
		else
			use[i] = e->met ? KEEP : PARSE;
		e->met = true; /* most sections are one client's: only one met again is kept */
		any |= use[i] != PARSE;
	}
	return any;
}

/* The map of the sections from sec on: the first's rebuilt or kept, or the run of those
 * parsed together. *count: how many it holds. */
static struct pd_value *memo_unit(struct pd_value_memo *m, const struct section *sec, size_t n,
				  struct memo_entry *const *ent, const enum use *use,
				  struct pd_arena *arena, const char *file, size_t *count)
{
	*count = 1;
	if (use[0] == REBUILD)
		return memo_rebuild(ent[0], sec, arena, file, m->opts.max_depth);
	if (use[0] == KEEP)
		return memo_parse(m, ent[0], sec, 1, arena, file);
	while (*count < n && use[*count] == PARSE)
		++*count;
	return memo_parse(m, NULL, sec, *count, arena, file);
}

struct pd_value *value_memo_load(struct pd_value_memo *m, struct pd_arena *arena,
				 const char *file, const char *text, size_t len,
				 const struct pd_value_opts *opts)
{
	if (!m->opts_set) {
		m->opts = *opts;
		m->opts_set = true;
	}
	struct section sec[MEMO_MAX_SECTIONS];
	struct memo_entry *ent[MEMO_MAX_SECTIONS];
	enum use use[MEMO_MAX_SECTIONS];
	size_t n = same_opts(opts, &m->opts) && breaks_are_newlines(text, len)
			   ? split_sections(text, len, sec)
			   : 0;
	if (!n || n > opts->max_items || !memo_plan(m, sec, n, ent, use))
		return NULL;
	struct pd_value *root = value_new(arena, PD_MAP, (struct pd_loc){file, 1, 1});
	value_room(arena, root, n);
	for (size_t i = 0, count; i < n; i += count) {
		struct pd_value *one = memo_unit(m, sec + i, n - i, ent + i, use + i, arena, file,
						 &count);
		for (size_t k = 0; one && k < one->n; k++) {
			if (value_get(root, one->keys[k]))
				return NULL; /* the whole load says what is wrong */
			root->keys[root->n] = one->keys[k];
			root->key_locs[root->n] = one->key_locs[k];
			root->items[root->n++] = one->items[k];
		}
		if (!one)
			return NULL;
		if (!i) /* the top map starts where the first section's does */
			root->loc = one->loc;
	}
	return root;
}
