/* hyph_cache: libhyphen's compiled dictionary kept as one relocatable image on disk.
 * In: a dictionary (store) or a pattern file's path (load). Out: the cached image, checked. */
#define _XOPEN_SOURCE 700 /* mkstemp, mkdir through a path */
#include "hyph_impl.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#include "util.h"

#define IMAGE_MAX (64u << 20)

/* The image: a header, then the dictionaries (the nextlevel chain), their states, their
 * transitions and strings, with every pointer stored as offset + 1 from the image's start
 * (0 for NULL). The header ties it to the pattern file and to libhyphen's struct layout;
 * its checksum keeps a damaged file out, and every offset is checked to lie within the
 * image. (The directory is the user's own: one who can write there can do worse.) */
struct header {
	char magic[8];
	uint32_t layout[4]; /* sizeof HyphenDict, HyphenState, HyphenTrans, void * */
	uint64_t src_size;
	int64_t src_sec, src_nsec;
	uint64_t len; /* of the image after the header */
	uint64_t sum; /* CRC-32 of the image: a damaged file is never used */
};

static uint64_t checksum(const char *p, size_t len)
{
	return crc32(crc32(0, Z_NULL, 0), (const Bytef *)p, (uInt)len);
}

static void header_for(const struct stat *src, struct header *h)
{
	memset(h, 0, sizeof *h);
	memcpy(h->magic, "PDHYPH1", 8);
	h->layout[0] = sizeof(HyphenDict);
	h->layout[1] = sizeof(HyphenState);
	h->layout[2] = sizeof(HyphenTrans);
	h->layout[3] = sizeof(void *);
	h->src_size = (uint64_t)src->st_size;
	h->src_sec = (int64_t)src->st_mtim.tv_sec;
	h->src_nsec = (int64_t)src->st_mtim.tv_nsec;
}

/* <cache dir>/hyph-<file name>.bin, or NULL when there is no cache directory. */
static char *cache_path(const char *path, bool create)
{
	const char *base = strrchr(path, '/');
	char *name = xmalloc(strlen(path) + 10);
	sprintf(name, "hyph-%s.bin", base ? base + 1 : path);
	char *file = cache_file(name, create);
	free(name);
	return file;
}

/* ------------------------------------------------------------------ writing */

static size_t put(struct pd_buf *img, const void *data, size_t len)
{
	while (img->len % 8) /* every piece 8-aligned */
		buf_putc(img, 0);
	size_t at = img->len;
	buf_put(img, data, len);
	return at;
}

static uintptr_t put_string(struct pd_buf *img, const char *s)
{
	return s ? put(img, s, strlen(s) + 1) + 1 : 0;
}

static size_t nohyphen_len(const HyphenDict *d)
{
	size_t len = 0;
	for (int i = 0; i <= d->nohyphenl; i++)
		len += strlen(d->nohyphen + len) + 1;
	return len;
}

/* The state into out (zeroed), its pointers as offsets; field by field, so that no padding
 * byte of libhyphen's memory goes to the file. */
static void state_image(struct pd_buf *img, const HyphenState *st, HyphenState *out)
{
	out->match = (char *)put_string(img, st->match);
	out->repl = (char *)put_string(img, st->repl);
	if (st->repl) { /* libhyphen sets these only with a replacement */
		out->replindex = st->replindex;
		out->replcut = st->replcut;
	}
	out->fallback_state = st->fallback_state;
	out->num_trans = st->num_trans;
	if (st->num_trans > 0) {
		HyphenTrans *t = xcalloc((size_t)st->num_trans, sizeof *t);
		for (int k = 0; k < st->num_trans; k++) {
			t[k].ch = st->trans[k].ch;
			t[k].new_state = st->trans[k].new_state;
		}
		out->trans = (HyphenTrans *)(put(img, t, (size_t)st->num_trans * sizeof *t) + 1);
		free(t);
	}
}

/* Appends one dictionary level (pointer fields as offsets); returns its offset + 1. */
static uintptr_t put_dict(struct pd_buf *img, const HyphenDict *d)
{
	HyphenDict copy;
	memset(&copy, 0, sizeof copy);
	size_t at = put(img, &copy, sizeof copy);
	copy.lhmin = d->lhmin;
	copy.rhmin = d->rhmin;
	copy.clhmin = d->clhmin;
	copy.crhmin = d->crhmin;
	copy.num_states = d->num_states;
	memcpy(copy.cset, d->cset, sizeof copy.cset);
	copy.utf8 = d->utf8;
	HyphenState *states = xcalloc((size_t)d->num_states + 1, sizeof *states);
	for (int i = 0; i < d->num_states; i++)
		state_image(img, &d->states[i], &states[i]);
	copy.states = (HyphenState *)(put(img, states, (size_t)d->num_states * sizeof *states) + 1);
	free(states);
	copy.nohyphenl = d->nohyphenl;
	if (d->nohyphen) /* nohyphenl + 1 strings, one after the other */
		copy.nohyphen = (char *)(put(img, d->nohyphen, nohyphen_len(d)) + 1);
	copy.nextlevel = (HyphenDict *)(d->nextlevel ? put_dict(img, d->nextlevel) : 0);
	memcpy(img->s + at, &copy, sizeof copy);
	return at + 1;
}

static bool storable(const HyphenDict *d)
{
	for (; d; d = d->nextlevel)
		if (d->num_states < 0 || d->nohyphenl < 0)
			return false;
	return true;
}

void hyph_cache_store(const HyphenDict *dict, const char *path)
{
	struct stat src;
	char *out = dict && storable(dict) && stat(path, &src) == 0 ? cache_path(path, true) : NULL;
	if (!out)
		return;
	struct pd_buf img = {0};
	put_dict(&img, dict);
	struct header h;
	header_for(&src, &h);
	h.len = img.len;
	h.sum = checksum(img.s, img.len);
	size_t n = strlen(out);
	char *tmp = xmalloc(n + 12);
	memcpy(tmp, out, n);
	memcpy(tmp + n, ".XXXXXX", 8);
	int fd = mkstemp(tmp);
	if (fd >= 0) {
		bool ok = write(fd, &h, sizeof h) == (ssize_t)sizeof h &&
			  write(fd, img.s, img.len) == (ssize_t)img.len;
		ok = close(fd) == 0 && ok && rename(tmp, out) == 0;
		if (!ok)
			unlink(tmp);
	}
	free(tmp);
	free(out);
	buf_free(&img);
}

/* ------------------------------------------------------------------ reading */

struct image {
	char *base;
	size_t len;
};

/* Turns a stored offset + 1 of an object of size n into a pointer; false when it does not
 * lie within the image (a NULL stays NULL). */
static bool relocate(const struct image *im, void **p, size_t n)
{
	uintptr_t off = (uintptr_t)*p;
	if (!off)
		return true;
	if (off - 1 > im->len || n > im->len - (off - 1) || (off - 1) % 8)
		return false;
	*p = im->base + off - 1;
	return true;
}

static bool relocate_string(const struct image *im, char **s)
{
	if (!relocate(im, (void **)s, 1))
		return false;
	return !*s || memchr(*s, '\0', (size_t)(im->base + im->len - *s));
}

static bool state_ok(const struct image *im, HyphenState *st, int num_states)
{
	if (!relocate_string(im, &st->match) || !relocate_string(im, &st->repl) ||
	    st->num_trans < 0 || (size_t)st->num_trans > im->len / sizeof(HyphenTrans) ||
	    !relocate(im, (void **)&st->trans, (size_t)st->num_trans * sizeof(HyphenTrans)) ||
	    (st->num_trans && !st->trans) || st->fallback_state < -1 ||
	    st->fallback_state >= num_states)
		return false;
	for (int t = 0; t < st->num_trans; t++)
		if (st->trans[t].new_state < 0 || st->trans[t].new_state >= num_states)
			return false;
	return true;
}

/* nohyphen: nohyphenl + 1 strings within the image. */
static bool nohyphen_ok(const struct image *im, HyphenDict *d)
{
	if (!relocate_string(im, &d->nohyphen))
		return false;
	if (!d->nohyphen)
		return true;
	if (d->nohyphenl < 0 || (size_t)d->nohyphenl >= im->len)
		return false;
	const char *p = d->nohyphen, *end = im->base + im->len;
	for (int i = 0; i <= d->nohyphenl; i++) {
		const char *nul = memchr(p, '\0', (size_t)(end - p));
		if (!nul || nul + 1 > end || (i < d->nohyphenl && nul + 1 == end))
			return false;
		p = nul + 1;
	}
	return true;
}

static bool dict_ok(const struct image *im, HyphenDict *d, int depth)
{
	if (depth > 4 || !nohyphen_ok(im, d) || d->num_states <= 0 ||
	    (size_t)d->num_states > im->len / sizeof(HyphenState) ||
	    !relocate(im, (void **)&d->states, (size_t)d->num_states * sizeof(HyphenState)) ||
	    !d->states || !relocate(im, (void **)&d->nextlevel, sizeof(HyphenDict)))
		return false;
	for (int i = 0; i < d->num_states; i++)
		if (!state_ok(im, &d->states[i], d->num_states))
			return false;
	return !d->nextlevel || dict_ok(im, d->nextlevel, depth + 1);
}

HyphenDict *hyph_cache_load(const char *path)
{
	struct stat src;
	char *file = stat(path, &src) == 0 ? cache_path(path, false) : NULL;
	FILE *f = file ? fopen(file, "rb") : NULL;
	free(file);
	if (!f)
		return NULL;
	struct header want, got;
	header_for(&src, &want);
	struct image im = {NULL, 0};
	if (fread(&got, sizeof got, 1, f) == 1 && got.len >= sizeof(HyphenDict) &&
	    got.len <= IMAGE_MAX) {
		want.len = got.len;
		want.sum = got.sum;
		if (!memcmp(&want, &got, sizeof want)) {
			im.len = (size_t)got.len;
			im.base = xmalloc(im.len);
			if (fread(im.base, 1, im.len, f) != im.len || checksum(im.base, im.len) != got.sum)
				im.len = 0;
		}
	}
	fclose(f);
	HyphenDict *d = (HyphenDict *)im.base;
	if (d && (!im.len || !dict_ok(&im, d, 0))) {
		free(im.base);
		return NULL;
	}
	return d;
}

void hyph_cache_free(HyphenDict *dict) { free(dict); }
