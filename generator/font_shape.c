/* font_shape: a fragment of text as HarfBuzz shapes it in a face, cached per fragment.
 * In: a font file and the code points of one fragment in one face. Out: each character's
 * glyph (its own, a ligature's or a joining form), advance and kerning (1/1000 em). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <hb-ot.h>
#include <hb.h>

#include "font.h"
#include "util.h"

/* The glyph HarfBuzz puts for U+200C and U+200D (which print nothing): told from the face's. */
#define INVISIBLE 0xFFFFFFu
/* Fragments longer than this are shaped each time, not kept. */
#define SHAPE_MAX_CACHED 48
/* The cache keeps at most this many fragments (a batch's vocabulary), then shapes anew. */
#define SHAPE_MAX_ENTRIES (1u << 16)

struct shape_entry {
	uint64_t hash; /* 0: empty slot */
	uint32_t n, off; /* code points at cps[off], their shaping at out[off] */
};

struct pd_shaper {
	hb_font_t *font;
	hb_buffer_t *buf;
	int upem;
	struct shape_entry *slots;
	size_t nslots, nentries;
	uint32_t *cps;
	struct pd_shaped *out;
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
	hb_buffer_set_invisible_glyph(s->buf, INVISIBLE);
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
	free(s->out);
	free(s);
}

/* An advance in 1/1000 em as the face's metrics give it (font.c) and the PDF declares it. */
static int16_t advance(const struct pd_shaper *s, hb_position_t v)
{
	long a = v > 0 ? (long)((unsigned long)v * 1000u / (unsigned)s->upem) : 0;
	return (int16_t)(a > 32767 ? 32767 : a);
}

/* The nominal shaping of cps: each character its own glyph, unkerned. */
static void unshaped(struct pd_shaper *s, const uint32_t *cps, size_t n, struct pd_shaped *out)
{
	for (size_t k = 0; k < n; k++) {
		hb_codepoint_t g = 0;
		hb_font_get_nominal_glyph(s->font, cps[k], &g);
		out[k] = (struct pd_shaped){PD_GLYPH_OWN, 0,
					    advance(s, hb_font_get_glyph_h_advance(s->font, g)), 0, 0};
	}
}

static int16_t to_thousandths(const struct pd_shaper *s, long v)
{
	long a = lround((double)v * 1000 / s->upem);
	return (int16_t)(a < -1000 ? -1000 : a > 1000 ? 1000 : a);
}

/* Each character's part of the glyphs HarfBuzz gave (clusters as characters: a ligature's
 * cluster is its first character's, the others have none). False when a cluster has more
 * than one glyph (decompositions, marks HarfBuzz places as one): such text is set unshaped. */
static bool by_character(struct pd_shaper *s, const uint32_t *cps, size_t n, bool rtl,
			 struct pd_shaped *out)
{
	unsigned len;
	hb_glyph_info_t *info = hb_buffer_get_glyph_infos(s->buf, &len);
	hb_glyph_position_t *pos = hb_buffer_get_glyph_positions(s->buf, NULL);
	for (size_t k = 0; k < n; k++)
		out[k] = (struct pd_shaped){PD_GLYPH_JOINED, 0, 0, 0, 0};
	for (unsigned i = 0; i < len; i++) {
		unsigned c = info[i].cluster;
		if (info[i].codepoint == INVISIBLE)
			continue;
		if (c >= n || out[c].glyph != PD_GLYPH_JOINED)
			return false;
		hb_codepoint_t g = info[i].codepoint, own = 0;
		hb_font_get_nominal_glyph(s->font, cps[c], &own);
		if (rtl && char_mirrored(cps[c])) /* mirrored by the level bidi gives it (UAX #9 L4), */
			g = own;                  /* which a fragment's direction does not tell */
		hb_position_t nominal = hb_font_get_glyph_h_advance(s->font, g);
		out[c].glyph = g == own ? PD_GLYPH_OWN : (uint16_t)g;
		out[c].advance = advance(s, nominal);
		if (!rtl && (pos[i].x_offset || pos[i].y_offset)) { /* a mark, placed by the font */
			out[c].dx = to_thousandths(s, pos[i].x_offset);
			out[c].dy = to_thousandths(s, pos[i].y_offset);
			out[c].advance = advance(s, pos[i].x_advance);
		} else if (!rtl) { /* the kerning after the glyph: after its cluster's last character */
			out[c].kern = to_thousandths(s, pos[i].x_advance - nominal);
		}
	}
	if (out[0].glyph == PD_GLYPH_JOINED)
		return false;
	for (size_t k = n - 1; k > 0 && !rtl; k--) /* kerning moved to a cluster's end */
		if (out[k].glyph == PD_GLYPH_JOINED) {
			size_t start = k;
			while (out[start].glyph == PD_GLYPH_JOINED)
				start--;
			out[k].kern = out[start].kern;
			out[start].kern = 0;
			k = start + 1;
		}
	return true;
}

/* Shapes cps[0, n) with the face's default features (kerning, standard ligatures, the
 * joining forms of Arabic), in the direction of their script. */
static void shape(struct pd_shaper *s, const uint32_t *cps, size_t n, struct pd_shaped *out)
{
	hb_buffer_clear_contents(s->buf);
	for (size_t k = 0; k < n; k++)
		hb_buffer_add(s->buf, cps[k], (unsigned)k);
	hb_buffer_set_content_type(s->buf, HB_BUFFER_CONTENT_TYPE_UNICODE);
	hb_buffer_guess_segment_properties(s->buf);
	hb_buffer_set_cluster_level(s->buf, HB_BUFFER_CLUSTER_LEVEL_MONOTONE_CHARACTERS);
	hb_shape(s->font, s->buf, NULL, 0);
	bool rtl = hb_buffer_get_direction(s->buf) == HB_DIRECTION_RTL;
	if (!by_character(s, cps, n, rtl, out))
		unshaped(s, cps, n, out);
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
		     const struct pd_shaped *out)
{
	if (s->pool + n > s->pool_cap) {
		s->pool_cap = s->pool_cap ? 2 * s->pool_cap : 4096;
		s->cps = xrealloc(s->cps, s->pool_cap * sizeof *s->cps);
		s->out = xrealloc(s->out, s->pool_cap * sizeof *s->out);
	}
	memcpy(s->cps + s->pool, cps, n * sizeof *cps);
	memcpy(s->out + s->pool, out, n * sizeof *out);
	s->slots[at] = (struct shape_entry){h, (uint32_t)n, (uint32_t)s->pool};
	s->pool += n;
	if (++s->nentries * 2 > s->nslots)
		grow_slots(s);
}

void shaper_shape(struct pd_shaper *s, const uint32_t *cps, size_t n, struct pd_shaped *out)
{
	if (n == 0)
		return;
	if (n > SHAPE_MAX_CACHED) {
		shape(s, cps, n, out);
		return;
	}
	uint64_t h = hash_bytes(cps, n * sizeof *cps) | 1;
	size_t at = h & (s->nslots - 1);
	for (; s->slots[at].hash; at = (at + 1) & (s->nslots - 1)) {
		const struct shape_entry *e = &s->slots[at];
		if (e->hash == h && e->n == n && !memcmp(s->cps + e->off, cps, n * sizeof *cps)) {
			memcpy(out, s->out + e->off, n * sizeof *out);
			return;
		}
	}
	shape(s, cps, n, out);
	if (s->nentries < SHAPE_MAX_ENTRIES)
		remember(s, at, h, cps, n, out);
}
