/* layout_bidi: the Unicode bidirectional algorithm (UAX #9, by fribidi) in the layout stage.
 * In: a paragraph's tokens; a line's runs in the order written, placed left to right. Out:
 * the paragraph's direction; the runs split where the direction changes, moved to where
 * they are seen, those set right to left marked so (their text stays in logical order). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cmark-gfm.h>
#include <fribidi.h>

#include "layout_impl.h"

/* Whether s may hold a character of a script written right to left (U+0590..U+08FF, the
 * Hebrew and Arabic presentation forms): a lead byte of those blocks. */
static bool maybe_rtl(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c >= 0xD6 && c <= 0xDF) || (c == 0xE0 && i + 1 < len && (unsigned char)s[i + 1] <= 0xA3) ||
		    (c == 0xEF && i + 1 < len && (unsigned char)s[i + 1] >= 0xAC &&
		     (unsigned char)s[i + 1] <= 0xBB))
			return true;
	}
	return false;
}

/* The strong letters of a text counted by direction, and whether the first was right to
 * left (UAX #9's P2). */
struct dir_count {
	long ltr, rtl;
	bool seen, first_rtl;
};

static void count_dirs(const char *s, size_t len, struct dir_count *dc)
{
	for (size_t k = 0; k < len;) {
		uint32_t cp;
		k += (size_t)utf8_decode(s + k, len - k, &cp);
		FriBidiCharType type = fribidi_get_bidi_type(cp);
		if (!FRIBIDI_IS_LETTER(type))
			continue;
		if (!dc->seen)
			dc->first_rtl = FRIBIDI_IS_RTL(type);
		dc->seen = true;
		*(FRIBIDI_IS_RTL(type) ? &dc->rtl : &dc->ltr) += 1;
	}
}

/* A paragraph is set right to left when its first letter is of a right-to-left script (as
 * UAX #9's P2 says) and most of its letters are: a letter in English that opens a
 * paragraph with a client's name in Arabic script stays an English paragraph (the
 * document's own direction, as UAX #9's HL1 lets a protocol say). */
bool lay_para_rtl(const struct lay *L)
{
	bool any = false;
	for (size_t i = 0; i < L->ntoks && !any; i++)
		any = L->toks[i].kind == TK_TEXT && maybe_rtl(L->toks[i].s, L->toks[i].len);
	if (!any)
		return false; /* the common case: no letter of those scripts */
	struct dir_count dc = {0};
	for (size_t i = 0; i < L->ntoks; i++)
		if (L->toks[i].kind == TK_TEXT)
			count_dirs(L->toks[i].s, L->toks[i].len, &dc);
	return dc.first_rtl && dc.rtl > dc.ltr;
}

/* The same rule over the text of a Markdown node and what it holds (a list item: its
 * marker and indent go on the right when it is written right to left). */
static void count_node_dirs(cmark_node *n, struct dir_count *dc, bool *any)
{
	cmark_iter *it = cmark_iter_new(n);
	for (cmark_event_type ev; (ev = cmark_iter_next(it)) != CMARK_EVENT_DONE;) {
		cmark_node *c = cmark_iter_get_node(it);
		const char *text = ev == CMARK_EVENT_ENTER && (cmark_node_get_type(c) == CMARK_NODE_TEXT ||
							      cmark_node_get_type(c) == CMARK_NODE_CODE)
				   ? cmark_node_get_literal(c)
				   : NULL;
		if (text && dc)
			count_dirs(text, strlen(text), dc);
		else if (text)
			*any |= maybe_rtl(text, strlen(text));
	}
	cmark_iter_free(it);
}

bool lay_node_rtl(cmark_node *n)
{
	bool any = false;
	count_node_dirs(n, NULL, &any);
	if (!any)
		return false; /* the common case, as in lay_para_rtl: no letter of those scripts */
	struct dir_count dc = {0};
	count_node_dirs(n, &dc, &any);
	return dc.first_rtl && dc.rtl > dc.ltr;
}

/* A piece of a line: the characters [c0, c1) of a run (bytes [b0, b1) of its text), or the
 * space between two runs (run = -1). */
struct piece {
	long run;
	size_t c0, c1, b0, b1;
	double x, w;
	FriBidiLevel level;
};

/* The line's characters, with a space for each gap between runs: code points, the run
 * each belongs to (-1 a gap), its byte offset in the run's text and its index there. */
struct line_text {
	FriBidiChar *cp;
	long *run;
	size_t *byte, *index;
	size_t n;
};

static void text_push(struct line_text *t, FriBidiChar cp, long run, size_t byte, size_t index)
{
	t->cp[t->n] = cp, t->run[t->n] = run, t->byte[t->n] = byte, t->index[t->n] = index;
	t->n++;
}

/* Where the pen stood for a run (a mark is drawn dx from it). */
static double pen_x(const struct pd_run *r) { return r->x - r->dx; }

static bool gap_before(const struct pd_run *r, size_t i)
{
	return i > 0 && pen_x(&r[i]) > pen_x(&r[i - 1]) + r[i - 1].w + 0.01;
}

static void line_text(const struct pd_run *r, size_t n, struct line_text *t)
{
	size_t cap = n;
	for (size_t i = 0; i < n; i++)
		cap += r[i].len;
	t->cp = xmalloc(cap * sizeof *t->cp);
	t->run = xmalloc(cap * sizeof *t->run);
	t->byte = xmalloc(cap * sizeof *t->byte);
	t->index = xmalloc(cap * sizeof *t->index);
	t->n = 0;
	for (size_t i = 0; i < n; i++) {
		if (gap_before(r, i))
			text_push(t, ' ', -1, 0, i);
		size_t k = 0;
		for (size_t at = 0; at < r[i].len; k++) {
			uint32_t cp;
			size_t b = at;
			at += (size_t)utf8_decode(r[i].text + at, r[i].len - at, &cp);
			text_push(t, cp, (long)i, b, k);
		}
	}
}

/* The advance of characters [c0, c1) of a run, in points. */
static double piece_width(const struct pd_run *r, size_t b0, size_t c0, size_t c1)
{
	long adv = 0;
	for (size_t k = c0, at = b0; k < c1; k++) {
		uint32_t cp;
		at += (size_t)utf8_decode(r->text + at, r->len - at, &cp);
		unsigned g = r->glyphs ? r->glyphs[k] : PD_GLYPH_OWN;
		adv += g == PD_GLYPH_OWN ? face_advance(r->face, cp)
		       : g == PD_GLYPH_JOINED ? 0 : face_glyph_advance(r->face, g);
	}
	return (double)adv * r->size / 1000.0;
}

/* The pieces of the line: a new one where the run or the level changes (never inside a
 * ligature: its characters take its first one's level). */
static size_t pieces_of(const struct pd_run *r, const struct line_text *t, FriBidiLevel *lv,
			struct piece *out)
{
	size_t np = 0;
	for (size_t k = 0; k < t->n; k++) {
		long ri = t->run[k];
		if (ri >= 0 && r[ri].glyphs && r[ri].glyphs[t->index[k]] == PD_GLYPH_JOINED && k > 0)
			lv[k] = lv[k - 1];
		struct piece *p = np ? &out[np - 1] : NULL;
		if (p && p->run == ri && ri >= 0 && p->level == lv[k]) {
			p->c1 = t->index[k] + 1;
			continue;
		}
		p = &out[np++];
		*p = (struct piece){ri, t->index[k], t->index[k] + 1, t->byte[k], 0, 0, 0, lv[k]};
		if (ri < 0) /* a gap before run index[k] */
			p->w = pen_x(&r[t->index[k]]) - (pen_x(&r[t->index[k] - 1]) + r[t->index[k] - 1].w);
	}
	for (size_t i = 0; i < np; i++) {
		struct piece *p = &out[i];
		if (p->run < 0)
			continue;
		const struct pd_run *run = &r[p->run];
		bool last = i + 1 == np || out[i + 1].run != p->run;
		p->b1 = last ? run->len : out[i + 1].b0;
		p->w = p->b0 == 0 && last ? run->w : piece_width(run, p->b0, p->c0, p->c1);
	}
	return np;
}

/* UAX #9's L2: from the highest level to the lowest odd one, each run of pieces at that
 * level or higher reversed; order[] is the visual order of the pieces. */
static void reorder(const struct piece *p, size_t n, size_t *order)
{
	FriBidiLevel hi = 0, lo_odd = 255;
	for (size_t i = 0; i < n; i++) {
		order[i] = i;
		hi = p[i].level > hi ? p[i].level : hi;
		if ((p[i].level & 1) && p[i].level < lo_odd)
			lo_odd = p[i].level;
	}
	for (int lv = hi; lv >= lo_odd && lv > 0; lv--)
		for (size_t a = 0, b; a < n; a = b + 1) {
			while (a < n && p[order[a]].level < lv)
				a++;
			for (b = a; b < n && p[order[b]].level >= lv; b++)
				;
			for (size_t i = a, j = b; i + 1 < j; i++, j--) {
				size_t tmp = order[i];
				order[i] = order[j - 1];
				order[j - 1] = tmp;
			}
		}
}

/* Moves the span [*x0, *x1] (a link's box, a strike's rule) over the pieces of the runs it
 * covered: to their extent where they now stand. */
static void move_span(const struct pd_run *r, const struct piece *p, size_t np, double *x0,
		      double *x1)
{
	double lo = 1e9, hi = -1e9;
	for (size_t i = 0; i < np; i++) {
		const struct pd_run *run = p[i].run >= 0 ? &r[p[i].run] : NULL;
		if (!run || pen_x(run) < *x0 - 0.01 || pen_x(run) + run->w > *x1 + 0.01)
			continue;
		lo = fmin(lo, p[i].x);
		hi = fmax(hi, p[i].x + p[i].w);
	}
	if (lo <= hi)
		*x0 = lo, *x1 = hi;
}

static void free_text(struct line_text *t)
{
	free(t->cp);
	free(t->run);
	free(t->byte);
	free(t->index);
}

void lay_bidi_line(struct lay *L, size_t first, size_t link0, size_t rule0, bool rtl)
{
	size_t n = L->nruns - first;
	bool any = rtl;
	for (size_t i = 0; i < n && !any; i++)
		any = maybe_rtl(L->runs[first + i].text, L->runs[first + i].len);
	if (!any || n == 0)
		return;
	struct pd_run *r = xmalloc(n * sizeof *r);
	memcpy(r, L->runs + first, n * sizeof *r);
	struct line_text t;
	line_text(r, n, &t);
	FriBidiCharType *types = xmalloc(t.n * sizeof *types);
	FriBidiBracketType *brackets = xmalloc(t.n * sizeof *brackets);
	FriBidiLevel *lv = xcalloc(t.n, sizeof *lv);
	FriBidiParType base = rtl ? FRIBIDI_PAR_RTL : FRIBIDI_PAR_LTR;
	fribidi_get_bidi_types(t.cp, (FriBidiStrIndex)t.n, types);
	fribidi_get_bracket_types(t.cp, (FriBidiStrIndex)t.n, types, brackets);
	if (!fribidi_get_par_embedding_levels_ex(types, brackets, (FriBidiStrIndex)t.n, &base, lv))
		memset(lv, rtl, t.n * sizeof *lv);
	struct piece *p = xmalloc(t.n * sizeof *p);
	size_t np = pieces_of(r, &t, lv, p), *order = xmalloc(np * sizeof *order);
	reorder(p, np, order);
	double x = pen_x(&r[0]);
	for (size_t i = 0; i < np; i++) {
		p[order[i]].x = x;
		x += p[order[i]].w;
	}
	for (size_t k = link0; k < L->nlinks; k++)
		move_span(r, p, np, &L->links[k].x0, &L->links[k].x1);
	for (size_t k = rule0; k < L->nrules; k++) /* the line's strikes: level */
		if (L->rules[k].y0 == L->rules[k].y1)
			move_span(r, p, np, &L->rules[k].x0, &L->rules[k].x1);
	L->nruns = first;
	for (size_t i = 0; i < np; i++) {
		if (p[i].run < 0)
			continue;
		struct pd_run *out = VPUSH(runs);
		*out = r[p[i].run];
		out->text += p[i].b0;
		out->len = p[i].b1 - p[i].b0;
		out->glyphs = out->glyphs ? out->glyphs + p[i].c0 : NULL;
		out->x = p[i].x + out->dx;
		out->w = p[i].w;
		out->rtl = p[i].level & 1;
		out->after_space = i > 0 && p[i - 1].run < 0;
	}
	free(order);
	free(p);
	free(lv);
	free(brackets);
	free(types);
	free_text(&t);
	free(r);
}
