/* font_shape: a face's kerning as HarfBuzz shapes a fragment of text, cached per fragment.
 * In: a font file and the code points of one fragment in one face. Out: each character's
 * advance change (1/1000 em). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <hb-ot.h>
#include <hb.h>

#include "font.h"
#include "util.h"

/* Fragments longer than this are shaped each time, not kept. */
#define SHAPE_MAX_CACHED 48
/* The cache keeps at most this many fragments (a batch's vocabulary), then shapes anew. */
#define SHAPE_MAX_ENTRIES (1u << 16)

struct shape_entry {
	uint64_t hash; /* 0: empty slot */
	uint32_t n, off; /* code points at cps[off], adjustments at adj[off] */
};

struct pd_shaper {
	hb_font_t *font;
	hb_buffer_t *buf;
	int upem;
	struct shape_entry *slots;
	size_t nslots, nentries;
	uint32_t *cps;
	int16_t *adj;
	size_t pool, pool_cap;
};

struct pd_shaper *shaper_new(const char *path, int index)
{
	hb_blob_t *blob = hb_blob_create_from_file_or_fail(path);
	if (!blob)
		return NULL;
	hb_face_t *face = hb_face_create(blob, (unsigned)index);
	hb_blob_destroy(blob);
	struct pd_shaper *s = xcalloc(1, sizeof *s);
	s->font = hb_font_create(face);
	s->upem = (int)hb_face_get_upem(face);
	hb_face_destroy(face);
	s->buf = hb_buffer_create();
	s->nslots = 1024;
	s->slots = xcalloc(s->nslots, sizeof *s->slots);
	return s;
}

void shaper_free(struct pd_shaper *s)
{
	if (!s)
		return;
	hb_font_destroy(s->font);
	hb_buffer_destroy(s->buf);
	free(s->slots);
	free(s->cps);
	free(s->adj);
	free(s);
}

/* Kerning only: ligatures would merge characters the layout counts one by one. */
static const hb_feature_t kern_features[] = {
	{HB_TAG('k', 'e', 'r', 'n'), 1, 0, (unsigned)-1},
	{HB_TAG('l', 'i', 'g', 'a'), 0, 0, (unsigned)-1},
	{HB_TAG('c', 'l', 'i', 'g'), 0, 0, (unsigned)-1},
	{HB_TAG('c', 'a', 'l', 't'), 0, 0, (unsigned)-1},
};

/* Shapes cps[0, n) left to right; adj[k] is the change HarfBuzz made to character k's
 * advance. All zero when the glyphs do not map one to one onto the characters (a script
 * set right to left, marks, decompositions): such text is set unkerned. */
static void shape(struct pd_shaper *s, const uint32_t *cps, size_t n, int16_t *adj)
{
	memset(adj, 0, n * sizeof *adj);
	hb_buffer_clear_contents(s->buf);
	hb_buffer_add_utf32(s->buf, cps, (int)n, 0, (int)n);
	hb_buffer_guess_segment_properties(s->buf);
	if (hb_buffer_get_direction(s->buf) != HB_DIRECTION_LTR)
		return;
	hb_buffer_set_cluster_level(s->buf, HB_BUFFER_CLUSTER_LEVEL_CHARACTERS);
	hb_shape(s->font, s->buf, kern_features, sizeof kern_features / sizeof *kern_features);
	unsigned len;
	hb_glyph_info_t *info = hb_buffer_get_glyph_infos(s->buf, &len);
	hb_glyph_position_t *pos = hb_buffer_get_glyph_positions(s->buf, NULL);
	if (len != n)
		return;
	for (unsigned k = 0; k < len; k++)
		if (info[k].cluster != k || pos[k].x_offset || pos[k].y_offset)
			return;
	for (unsigned k = 0; k < len; k++) {
		int delta = pos[k].x_advance - hb_font_get_glyph_h_advance(s->font, info[k].codepoint);
		long a = lround((double)delta * 1000 / s->upem);
		adj[k] = (int16_t)(a < -1000 ? -1000 : a > 1000 ? 1000 : a);
	}
}

static void grow_slots(struct pd_shaper *s)
{
	size_t old = s->nslots;
	struct shape_entry *was = s->slots;
	s->nslots *= 2;
	s->slots = xcalloc(s->nslots, sizeof *s->slots);
	for (size_t i = 0; i < old; i++) {
		if (!was[i].hash)
			continue;
		size_t at = was[i].hash & (s->nslots - 1);
		while (s->slots[at].hash)
			at = (at + 1) & (s->nslots - 1);
		s->slots[at] = was[i];
	}
	free(was);
}

static void remember(struct pd_shaper *s, size_t at, uint64_t h, const uint32_t *cps, size_t n,
		     const int16_t *adj)
{
	if (s->pool + n > s->pool_cap) {
		s->pool_cap = s->pool_cap ? 2 * s->pool_cap : 4096;
		s->cps = xrealloc(s->cps, s->pool_cap * sizeof *s->cps);
		s->adj = xrealloc(s->adj, s->pool_cap * sizeof *s->adj);
	}
	memcpy(s->cps + s->pool, cps, n * sizeof *cps);
	memcpy(s->adj + s->pool, adj, n * sizeof *adj);
	s->slots[at] = (struct shape_entry){h, (uint32_t)n, (uint32_t)s->pool};
	s->pool += n;
	if (++s->nentries * 2 > s->nslots)
		grow_slots(s);
}

void shaper_kern(struct pd_shaper *s, const uint32_t *cps, size_t n, int16_t *adj)
{
	if (n < 2 || n > SHAPE_MAX_CACHED) {
		if (n < 2)
			memset(adj, 0, n * sizeof *adj);
		else
			shape(s, cps, n, adj);
		return;
	}
	uint64_t h = hash_bytes(cps, n * sizeof *cps) | 1;
	size_t at = h & (s->nslots - 1);
	for (; s->slots[at].hash; at = (at + 1) & (s->nslots - 1)) {
		const struct shape_entry *e = &s->slots[at];
		if (e->hash == h && e->n == n && !memcmp(s->cps + e->off, cps, n * sizeof *cps)) {
			memcpy(adj, s->adj + e->off, n * sizeof *adj);
			return;
		}
	}
	shape(s, cps, n, adj);
	if (s->nentries < SHAPE_MAX_ENTRIES)
		remember(s, at, h, cps, n, adj);
}
