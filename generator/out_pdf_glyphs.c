/* out_pdf_glyphs: a run's glyphs as the CIDs of its font, in the order they are drawn.
 * In: a run (its text, the glyphs shaping gave it, its direction). Out: the variants a face
 * prints in a document (ligatures, joining forms) and each run's string of CIDs. */
#include <stdlib.h>
#include <string.h>

#include "out_impl.h"

/* A character of a run: where its bytes are, its code point and glyph (pd_run's glyphs). */
struct rch {
	const char *p;
	unsigned n;
	uint32_t cp;
	uint16_t glyph;
};

/* The characters of r into out (capacity cap, or a malloc'd array when more: *heap). */
static size_t run_chars(const struct pd_run *r, struct rch *out, size_t cap, struct rch **heap)
{
	size_t n = r->glyphs || r->rtl ? utf8_count(r->text, r->len) : 0;
	*heap = NULL;
	if (n > cap)
		out = *heap = xmalloc(n * sizeof *out);
	size_t k = 0;
	for (size_t at = 0; at < r->len; k++) {
		struct rch *c = &out[k];
		c->p = r->text + at;
		c->n = (unsigned)utf8_decode(r->text + at, r->len - at, &c->cp);
		c->glyph = r->glyphs ? r->glyphs[k] : PD_GLYPH_OWN;
		unsigned mirror = r->rtl && c->glyph == PD_GLYPH_OWN ? face_rtl_glyph(r->face, c->cp) : 0;
		if (mirror) /* a bracket set right to left: its mirror's glyph, its own text */
			c->glyph = (uint16_t)mirror;
		at += c->n;
	}
	return k;
}

/* The bytes of the text the glyph of character k shows: it and the joined ones after it. */
static size_t shown_len(const struct rch *c, size_t n, size_t k)
{
	size_t e = k + 1;
	while (e < n && c[e].glyph == PD_GLYPH_JOINED)
		e++;
	return (size_t)(c[e - 1].p + c[e - 1].n - c[k].p);
}

static long find_variant(const struct pdf_variants *vars, unsigned gid, const char *text,
			 size_t len, bool rtl)
{
	for (size_t i = 0; i < vars->n; i++) {
		const struct pdf_variant *v = &vars->v[i];
		if (v->gid == gid && v->len == len && v->rtl == rtl && !memcmp(v->text, text, len))
			return (long)i;
	}
	return -1;
}

void pdf_variants_begin(struct pdf_variants *vars, const struct pd_face *face)
{
	vars->n = 0;
	for (unsigned c = 0; c < 128; c++)
		vars->ascii_adv[c] = face_advance(face, c);
}

void pdf_variants_add(struct pdf_variants *vars, const struct pd_run *r)
{
	if (!r->glyphs && !r->rtl)
		return;
	struct rch local[64], *heap;
	size_t n = run_chars(r, local, 64, &heap);
	const struct rch *c = heap ? heap : local;
	for (size_t k = 0; k < n; k++) {
		unsigned g = c[k].glyph;
		if (g == PD_GLYPH_OWN || g == PD_GLYPH_JOINED || vars->n == PDF_VARIANTS_MAX)
			continue;
		size_t len = shown_len(c, n, k);
		if (find_variant(vars, g, c[k].p, len, r->rtl) >= 0)
			continue;
		if (vars->n == vars->cap) {
			vars->cap = vars->cap ? 2 * vars->cap : 32;
			vars->v = xrealloc(vars->v, vars->cap * sizeof *vars->v);
		}
		vars->v[vars->n++] = (struct pdf_variant){g, c[k].p, len, r->rtl};
	}
	free(heap);
}

/* The CID character k is drawn with (its code point or its variant's), -1 for none. */
static long cid_of(const struct rch *c, size_t n, size_t k, const struct pdf_variants *vars,
		   const struct pd_run *r, int *advance)
{
	unsigned g = c[k].glyph;
	if (g == PD_GLYPH_JOINED) {
		*advance = 0;
		return -1;
	}
	if (g != PD_GLYPH_OWN) {
		long v = find_variant(vars, g, c[k].p, shown_len(c, n, k), r->rtl);
		if (v >= 0) {
			*advance = face_glyph_advance(r->face, g);
			return pdf_variant_cid((size_t)v);
		}
	}
	uint32_t cp = c[k].cp > 0xFFFF ? ' ' : c[k].cp; /* never laid out: no font of ours has it */
	*advance = face_advance(r->face, cp);
	return (long)cp;
}

/* The ASCII codes a literal string escapes: ( ) \ and CR (which a reader takes for LF). */
static const bool escapes[256] = {['('] = true, [')'] = true, ['\\'] = true, ['\r'] = true};
static inline bool escaped(unsigned char c) { return escapes[c]; }

/* A CID's two bytes in a literal string, escaped as needed. */
static inline size_t put_cid(char *out, size_t n, unsigned cid)
{
	unsigned char q[2] = {(unsigned char)(cid >> 8), (unsigned char)(cid & 0xFF)};
	for (int k = 0; k < 2; k++) {
		unsigned char c = q[k];
		if (escaped(c)) {
			out[n++] = '\\';
			c = c == '\r' ? 'r' : c;
		}
		out[n++] = (char)c;
	}
	return n;
}

/* The characters of a plain run as their CIDs' bytes at out (at most 4 each), their advances
 * added to *advance; returns the number of bytes. */
static inline size_t plain_cids(const struct pd_run *r, const struct pdf_variants *vars,
				char *out, long *advance)
{
	const unsigned char *s = (const unsigned char *)r->text;
	const int *adv = vars->ascii_adv;
	size_t n = 0, len = r->len;
	long sum = 0;
	for (size_t i = 0; i < len;) {
		unsigned c = s[i];
		if (c < 0x80 && !escapes[c]) { /* most characters */
			i++;
			sum += adv[c];
			out[n] = '\0';
			out[n + 1] = (char)c;
			n += 2;
		} else {
			uint32_t cp;
			i += (size_t)utf8_decode((const char *)s + i, len - i, &cp);
			if (cp > 0xFFFF)
				cp = ' '; /* never laid out: no font of ours has it */
			sum += face_advance(r->face, cp);
			n = put_cid(out, n, cp);
		}
	}
	*advance += sum;
	return n;
}

/* A run whose characters print their own glyphs, left to right: CIDs are code points,
 * written straight into b when it has the room. */
static long put_plain(struct pd_buf *b, const struct pd_run *r, const struct pdf_variants *vars)
{
	long advance = 0;
	if (r->len < b->cap / 4 && b->len + 4 * r->len < b->cap) {
		b->len += plain_cids(r, vars, b->s + b->len, &advance);
		b->s[b->len] = '\0';
	} else {
		char *out = xmalloc(4 * r->len + 1);
		buf_put(b, out, plain_cids(r, vars, out, &advance));
		free(out);
	}
	return advance;
}

long pdf_put_cids(struct pd_buf *b, const struct pd_run *r, const struct pdf_variants *vars)
{
	if (!r->glyphs && !r->rtl)
		return put_plain(b, r, vars);
	struct rch local[64], *heap;
	size_t n = run_chars(r, local, 64, &heap);
	const struct rch *c = heap ? heap : local;
	long advance = 0;
	char out[256];
	size_t len = 0;
	for (size_t i = 0; i < n; i++) {
		size_t k = r->rtl ? n - 1 - i : i;
		int adv;
		long cid = cid_of(c, n, k, vars, r, &adv);
		advance += adv;
		if (cid >= 0)
			len = put_cid(out, len, (unsigned)cid);
		if (len > sizeof out - 8)
			buf_put(b, out, len), len = 0;
	}
	buf_put(b, out, len);
	free(heap);
	return advance;
}

