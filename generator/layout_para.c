/* layout_para: paragraph setting in the layout stage.
 * In: inline tokens (struct tok). Out: lines of positioned runs, broken by lb_break. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "hyph.h"
#include "layout_impl.h"

/* Break kinds before a character; BRK_JOIN (a word joiner, a no-break hyphen) forbids one
 * and is never a break itself. */
enum { BRK_NONE, BRK_SOFT, BRK_DASH, BRK_URL, BRK_ZW, BRK_HYPH, BRK_EMERG, BRK_JOIN };
#define LB_FILL 1e5

static enum pd_face_id which_face(int style)
{
	if (style & ST_MONO)
		return PD_MONO;
	return (enum pd_face_id)(style & (ST_BOLD | ST_ITALIC));
}

static const char *utf8_of(uint32_t cp, char *b)
{
	if (cp < 0x80) {
		b[0] = (char)cp, b[1] = 0;
	} else if (cp < 0x800) {
		b[0] = (char)(0xC0 | cp >> 6), b[1] = (char)(0x80 | (cp & 0x3F)), b[2] = 0;
	} else {
		b[0] = (char)(0xE0 | cp >> 12), b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		b[2] = (char)(0x80 | (cp & 0x3F)), b[3] = 0;
	}
	return b;
}

/* Where a character no font has is: its first place from the current block on. */
static struct pd_loc char_loc(const struct lay *L, uint32_t cp)
{
	utf8proc_uint8_t enc[8] = {0};
	utf8proc_ssize_t n = utf8proc_encode_char((utf8proc_int32_t)cp, enc);
	return n > 0 ? lay_text_loc(L, (const char *)enc, (size_t)n) : L->loc;
}

static const struct pd_face *pick_any(struct lay *L, int style, uint32_t cp)
{
	bool private_use = cp >= 0xE000 && cp <= 0xF8FF;
	const struct pd_face *f =
	    private_use ? NULL : fonts_pick(L->in->fonts, L->in->set, which_face(style), cp);
	if (f)
		return f;
	for (size_t i = 0; i < L->nmissing; i++)
		if (L->missing[i] == cp)
			return NULL;
	*VPUSH(missing) = cp;
	char buf[8];
	if (private_use)
		diag_error(L->diags, char_loc(L, cp),
			   "private-use character U+%04X has no agreed meaning and is not printed",
			   (unsigned)cp);
	else if (cp > 0xFFFF)
		diag_error(L->diags, char_loc(L, cp),
			   "character U+%04X cannot be printed: characters beyond U+FFFF are not "
			   "supported by the PDF writer",
			   (unsigned)cp);
	else
		diag_error(L->diags, char_loc(L, cp),
			   "no font has a glyph for U+%04X (%s); add a font that has it "
			   "(see PDGEN_FALLBACK_FONTS in pdgen-template(5))",
			   (unsigned)cp, utf8_of(cp, buf));
	return NULL;
}

/* The face for cp in a style: one a document asks for thousands of times, so ASCII's
 * answers are kept. */
static const struct pd_face *pick(struct lay *L, int style, uint32_t cp)
{
	if (cp >= 128)
		return pick_any(L, style, cp);
	const struct pd_face **kept = &L->ascii_face[which_face(style)][cp];
	if (!*kept)
		*kept = pick_any(L, style, cp);
	return *kept;
}

static bool is_alnum(uint32_t c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= 0xC0 && c < 0x2000 && c != 0xD7 && c != 0xF7);
}

/* The size a token is set at: a footnote reference smaller than its text. */
static double tok_size(const struct lay *L, const struct tok *tk, double size)
{
	return tk->style & ST_SUPER ? size * SP(NOTE_REF_SIZE) : size;
}

static bool breaks_before(const struct wch *w) { return w->brk && w->brk != BRK_JOIN; }

/* Unicode's default-ignorable code points (DerivedCoreProperties.txt): never printed. */
static bool default_ignorable(uint32_t c)
{
	static const uint32_t ranges[][2] = {
	    {0x00AD, 0x00AD}, {0x034F, 0x034F}, {0x061C, 0x061C}, {0x115F, 0x1160},
	    {0x17B4, 0x17B5}, {0x180B, 0x180F}, {0x200B, 0x200F}, {0x202A, 0x202E},
	    {0x2060, 0x206F}, {0x3164, 0x3164}, {0xFE00, 0xFE0F}, {0xFEFF, 0xFEFF},
	    {0xFFA0, 0xFFA0}, {0xFFF0, 0xFFF8}, {0x1BCA0, 0x1BCA3}, {0x1D173, 0x1D17A},
	    {0xE0000, 0xE0FFF}};
	if (c < 0xAD)
		return false;
	for (size_t i = 0; i < sizeof ranges / sizeof ranges[0]; i++)
		if (c >= ranges[i][0] && c <= ranges[i][1])
			return true;
	return false;
}

/* What an invisible or no-break character does, as Unicode says: U+00AD offers a hyphen
 * break, U+200B a break; U+2060 (word joiner) and U+200C/U+200D (which only shape: a
 * ligature or joining refused or asked for, word_chars) forbid one; every other
 * default-ignorable (U+FE0F, bidi marks...) is dropped. Returns the break kind pending, or -1 for a
 * printing character. */
static int invisible(uint32_t cp)
{
	if (cp == 0xAD)
		return BRK_SOFT;
	if (cp == 0x200B)
		return BRK_ZW;
	if (cp == 0x2060 || cp == 0x200C || cp == 0x200D)
		return BRK_JOIN;
	if (default_ignorable(cp) || cp < 0x20 || (cp >= 0x7F && cp < 0xA0))
		return BRK_NONE;
	return -1;
}

/* L->wch[a, b) shaped together (one face and style, one size): the code points, with the
 * joiners written between them and U+200C where a ligature may not form. */
static void shape_run(struct lay *L, size_t a, size_t b, double size)
{
	uint32_t cps[2 * 64];
	size_t at[64], n = 0;
	if (b <= a)
		return;
	struct pd_shaped out[2 * 64];
	for (size_t k = a; k < b; k++) {
		const struct wch *w = &L->wch[k];
		if (k > a && (w->cut || w->joiner))
			cps[n++] = w->cut ? 0x200C : w->joiner;
		at[k - a] = n;
		cps[n++] = w->cp;
	}
	face_shape(L->wch[a].face, cps, n, out);
	for (size_t k = a; k < b; k++) {
		struct wch *w = &L->wch[k];
		const struct pd_shaped *o = &out[at[k - a]];
		w->glyph = o->glyph;
		w->advance = o->advance;
		w->dx = o->dx;
		w->dy = o->dy;
		w->kern = k + 1 < b ? o->kern : 0;
		w->w = (w->advance + w->kern) * tok_size(L, w->tok, size) / 1000.0;
	}
}

/* Each run of L->wch in one face and style (one size) shaped together. */
static void shape_chars(struct lay *L, double size)
{
	for (size_t a = 0, b; a < L->nwch; a = b) {
		const struct wch *w0 = &L->wch[a];
		for (b = a + 1; b < L->nwch && b - a < 64 && L->wch[b].face == w0->face &&
				L->wch[b].tok->style == w0->tok->style;
		     b++)
			;
		shape_run(L, a, b, size);
	}
}

/* A ligature is one glyph: it may not span a break (a hyphenation point, where the line
 * may end) nor the end of a fragment (another token, a character left out between). Where
 * one does, the characters are shaped again with the ligature refused there. */
static void unjoin_at_breaks(struct lay *L, double size)
{
	for (int pass = 0; pass < 3; pass++) {
		bool again = false;
		for (size_t k = 1; k < L->nwch; k++) {
			struct wch *w = &L->wch[k], *v = &L->wch[k - 1];
			if (w->glyph != PD_GLYPH_JOINED || w->cut)
				continue;
			if (w->brk != BRK_NONE || w->tok != v->tok || w->p != v->p + v->n)
				w->cut = again = true;
		}
		if (!again)
			return;
		shape_chars(L, size);
	}
}

/* Punctuation (Unicode's P categories, and ASCII's symbols), which belongs to no script:
 * set in the face of the letter before it (a comma after a Hebrew word stays in the Hebrew's run, to be ordered
 * and extracted with it), as script itemisation does. */
static bool punctuation(uint32_t cp)
{
	if (cp < 0x80)
		return (cp >= 0x21 && cp <= 0x2F) || (cp >= 0x3A && cp <= 0x40) ||
		       (cp >= 0x5B && cp <= 0x60) || (cp >= 0x7B && cp <= 0x7E);
	utf8proc_category_t c = utf8proc_category((utf8proc_int32_t)cp);
	return c >= UTF8PROC_CATEGORY_PC && c <= UTF8PROC_CATEGORY_PO;
}

/* The characters of tokens [i, j) into L->wch; U+2011 prints as a hyphen no line breaks at. */
static void word_chars(struct lay *L, size_t i, size_t j, double size)
{
	L->nwch = 0;
	int pending = BRK_NONE;
	uint32_t joiner = 0;
	for (size_t t = i; t < j; t++) {
		const struct tok *tk = &L->toks[t];
		for (size_t k = 0; k < tk->len;) {
			uint32_t cp;
			int n = utf8_decode(tk->s + k, tk->len - k, &cp);
			const char *p = tk->s + k;
			k += (size_t)n;
			int inv = invisible(cp);
			if (inv >= 0) {
				pending = inv > pending ? inv : pending;
				if (cp == 0x200C || cp == 0x200D)
					joiner = cp;
				continue;
			}
			bool nb_hyphen = cp == 0x2011;
			if (nb_hyphen)
				cp = '-', p = "-", n = 1;
			const struct pd_face *f = pick(L, tk->style, cp);
			if (!f)
				continue;
			if (L->nwch && f != L->wch[L->nwch - 1].face && punctuation(cp) &&
			    L->wch[L->nwch - 1].tok->style == tk->style &&
			    face_has(L->wch[L->nwch - 1].face, cp))
				f = L->wch[L->nwch - 1].face;
			struct wch *w = VPUSH(wch);
			w->p = p;
			w->n = n;
			w->cp = cp;
			w->tok = tk;
			w->face = f;
			w->advance = face_advance(f, cp);
			w->w = w->advance * tok_size(L, tk, size) / 1000.0;
			w->brk = L->nwch > 1 ? pending : BRK_NONE;
			w->joiner = joiner;
			pending = nb_hyphen ? BRK_JOIN : BRK_NONE;
			joiner = 0;
			if (nb_hyphen)
				w->brk = BRK_JOIN;
		}
	}
	shape_chars(L, size);
}

static bool urlish(const struct lay *L)
{
	for (size_t k = 0; k < L->nwch; k++) {
		const struct wch *w = &L->wch[k];
		if (w->tok->link || (w->tok->style & ST_MONO) || w->cp == '@')
			return true;
		if (w->cp == ':' && k + 2 < L->nwch && L->wch[k + 1].cp == '/' &&
		    L->wch[k + 2].cp == '/')
			return true;
	}
	return false;
}

static bool upper(uint32_t c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 0xC0 && c <= 0xDE && c != 0xD7);
}

/* Break points at dashes, but not in a number range's hyphen ("2014-2015" keeps) nor between
 * the capitalised parts of a name ("Hernández-López"). An address or link has none here. */
static void break_points(struct lay *L)
{
	size_t n = L->nwch;
	if (urlish(L))
		return;
	for (size_t k = 2; k + 2 <= n; k++) {
		struct wch *w = &L->wch[k];
		uint32_t c = L->wch[k - 1].cp, d = w->cp;
		if (w->brk || !(c == '-' || c == 0x2013 || c == 0x2014) || !is_alnum(d))
			continue;
		uint32_t before = L->wch[k - 2].cp;
		bool digits = c == '-' && before >= '0' && before <= '9' && d >= '0' && d <= '9';
		bool name = c == '-' && upper(d) && upper(L->wch[0].cp);
		if (!digits && !name)
			w->brk = BRK_DASH;
	}
}

/* An address or link wider than the measure breaks after '@' or '/' or before '.', with no
 * hyphen added; one that fits keeps whole on a line. */
static void url_points(struct lay *L, double measure)
{
	double w = 0;
	for (size_t k = 0; k < L->nwch; k++)
		w += L->wch[k].w;
	if (w <= measure || !urlish(L))
		return;
	for (size_t k = 1; k + 1 < L->nwch; k++) {
		uint32_t c = L->wch[k - 1].cp, d = L->wch[k].cp;
		if (!L->wch[k].brk && ((c == '@' || c == '/') ? d != '/' : d == '.'))
			L->wch[k].brk = BRK_URL;
	}
}

/* A piece wider than the measure may break anywhere. */
static void emergency_points(struct lay *L, double measure)
{
	size_t n = L->nwch, start = 0;
	double pw = 0;
	for (size_t k = 0; k <= n; k++) {
		if (k == n || (k > 0 && breaks_before(&L->wch[k]))) {
			if (pw > measure + 1e-6) /* the sums of a table's widths differ in rounding */
				for (size_t m = start + 1; m < k; m++)
					L->wch[m].brk = BRK_EMERG;
			start = k;
			pw = 0;
		}
		if (k < n)
			pw += L->wch[k].w;
	}
}

/* Words that are never hyphenated: addresses, links, code, and words with digits. */
static bool no_hyphens(const struct lay *L)
{
	if (urlish(L))
		return true;
	for (size_t k = 0; k < L->nwch; k++) {
		uint32_t c = L->wch[k].cp;
		if ((c >= '0' && c <= '9') || c == '/' || c == '_' ||
		    (c == '.' && k + 1 < L->nwch && is_alnum(L->wch[k + 1].cp)))
			return true;
	}
	return false;
}

/* Hyphen breaks in the word's runs of letters; hyph_points refuses runs that are not all
 * lowercase, so names (and sentence starts) keep whole. */
static void hyphen_points(struct lay *L)
{
	if (no_hyphens(L))
		return;
	char w[HYPH_MAX_WORD + 1];
	for (size_t a = 0, b; a < L->nwch; a = b + 1) {
		for (b = a; b < L->nwch && is_alnum(L->wch[b].cp); b++)
			if (b - a < HYPH_MAX_WORD)
				w[b - a] = (char)L->wch[b].cp; /* non-ASCII: refused below */
		uint64_t mask = b - a <= HYPH_MAX_WORD ? hyph_points(L->in->hyph, w, b - a) : 0;
		for (size_t i = 0; mask; i++, mask >>= 1)
			if ((mask & 1) && !L->wch[a + i + 1].brk)
				L->wch[a + i + 1].brk = BRK_HYPH;
	}
}

/* A fragment of text in one face, w wide. */
static struct frag *frag_new(struct lay *L, const struct pd_face *face, double size,
			     const char *s, size_t len, double w, const struct tok *tk)
{
	struct frag *f = VPUSH(frags);
	f->face = face;
	f->size = size;
	f->s = arena_strndup(L->arena, s, len);
	f->len = len;
	f->w = w;
	f->link = tk ? tk->link : NULL;
	f->strike = tk ? tk->strike : false;
	f->tok = tk;
	return f;
}

static void add_item(struct lay *L, enum lb_type t, double w, double st, double sh, int pen,
		     bool flag)
{
	struct lb_item *it = VPUSH(items);
	it->type = t;
	it->w = w;
	it->stretch = st;
	it->shrink = sh;
	it->penalty = pen;
	it->flagged = flag;
	struct iext *x = VPUSH(iext);
	x->hyphen = -1;
}

/* A mark the font's positioning places: a fragment of its own. */
static bool placed_mark(const struct wch *w) { return w->dx || w->dy; }

/* The glyphs of L->wch[a, b) for a run (pd_run's glyphs): NULL when all are their own. */
static const uint16_t *glyphs_of(struct lay *L, size_t a, size_t b)
{
	size_t k = a;
	while (k < b && L->wch[k].glyph == PD_GLYPH_OWN)
		k++;
	if (k == b)
		return NULL;
	uint16_t *g = arena_alloc(L->arena, (b - a) * sizeof *g);
	for (k = a; k < b; k++)
		g[k - a] = L->wch[k].glyph;
	return g;
}

/* The piece wch[a, b) of a word as a box of fragments; with kern_on, its last character
 * keeps its kern with the next (the word goes on unbroken unless the line breaks there).
 * Returns that kern in points. */
static double add_piece(struct lay *L, size_t a, size_t b, double size, bool kern_on)
{
	size_t f0 = L->nfrags;
	double w = 0, kern = 0;
	for (size_t k = a; k < b;) {
		size_t e = k + 1;
		long advance = L->wch[k].advance;
		while (e < b && !L->wch[e - 1].kern && !placed_mark(&L->wch[e - 1]) &&
		       !placed_mark(&L->wch[e]) && L->wch[e].tok == L->wch[k].tok &&
		       L->wch[e].face == L->wch[k].face &&
		       L->wch[e].p == L->wch[e - 1].p + L->wch[e - 1].n)
			advance += L->wch[e++].advance;
		const struct tok *tk = L->wch[k].tok;
		double fs = tok_size(L, tk, size);
		if (e < b || kern_on) /* kerned before the next character: a fragment ends, moved by the kern */
			advance += L->wch[e - 1].kern;
		if (e == b && kern_on)
			kern = L->wch[e - 1].kern * fs / 1000.0;
		const char *s = L->wch[k].p;
		size_t len = (size_t)(L->wch[e - 1].p + L->wch[e - 1].n - s);
		struct frag *f = frag_new(L, L->wch[k].face, fs, s, len, (double)advance * fs / 1000.0, tk);
		f->glyphs = glyphs_of(L, k, e);
		if (tk->style & ST_SUPER)
			f->rise = SP(NOTE_REF_RISE) * size;
		f->mark = placed_mark(&L->wch[k]); /* then a fragment of its own */
		f->rise += L->wch[k].dy * fs / 1000.0;
		f->dx = L->wch[k].dx * fs / 1000.0;
		f->note = tk->note;
		w += f->w;
		k = e;
	}
	add_item(L, LB_BOX, w, 0, 0, 0, false);
	L->iext[L->nitems - 1].f0 = f0;
	L->iext[L->nitems - 1].nf = L->nfrags - f0;
	return kern;
}

static void add_word(struct lay *L, size_t i, size_t j, double size, double measure, bool hyph)
{
	word_chars(L, i, j, size);
	if (L->nwch == 0)
		return;
	break_points(L);
	url_points(L, measure);
	if (hyph)
		hyphen_points(L);
	emergency_points(L, measure);
	unjoin_at_breaks(L, size);
	size_t a = 0;
	for (size_t k = 1; k <= L->nwch; k++) {
		if (k < L->nwch && !breaks_before(&L->wch[k]))
			continue;
		/* a kern pair across a break inside the word holds unless the line breaks there
		 * (not across a zero-width space, which parts the word) */
		bool kern_on = k < L->nwch && L->wch[k].brk != BRK_ZW;
		double kern = add_piece(L, a, k, size, kern_on);
		if (k < L->nwch) {
			int kind = L->wch[k].brk;
			const struct wch *prev = &L->wch[k - 1];
			if (kind == BRK_SOFT || kind == BRK_HYPH) {
				const struct pd_face *hf = pick(L, prev->tok->style, '-');
				long h = -1;
				double hw = 0;
				if (hf) {
					h = (long)L->nfrags;
					hw = (double)face_advance(hf, '-') * size / 1000.0;
					frag_new(L, hf, size, "-", 1, hw, prev->tok);
				}
				add_item(L, LB_PENALTY, hw - kern, 0, 0, 50, true);
				L->iext[L->nitems - 1].hyphen = h;
			} else {
				int pen = kind == BRK_DASH ? 50 : kind == BRK_URL ? 100 : kind == BRK_ZW ? 0 : 1000;
				add_item(L, LB_PENALTY, -kern, 0, 0, pen, kind == BRK_DASH);
			}
			L->iext[L->nitems - 1].unkern = kern;
		}
		a = k;
	}
}

/* The word of tokens [i, j) from the word memo when it was set before with the settings
 * numbered ctx; else set, and kept when no diagnostic came of it and the document has no
 * character that no font has (a word that dropped one unreported is never kept). */
static void add_word_kept(struct lay *L, int ctx, size_t i, size_t j, double size,
			  double measure, bool hyph)
{
	uint64_t hash;
	bool keepable = ctx >= 0 && lay_words_keepable(L, i, j);
	if (keepable && lay_words_find(L, ctx, i, j, &hash))
		return;
	size_t item0 = L->nitems, frag0 = L->nfrags, diags = L->diags->n;
	add_word(L, i, j, size, measure, hyph);
	if (keepable && L->diags->n == diags && L->nmissing == 0)
		lay_words_keep(L, ctx, i, j, hash, item0, frag0);
}

/* Tokens -> line-breaker items. */
static void build_items(struct lay *L, double size, bool ragged, double measure, bool hyph)
{
	L->nitems = L->niext = L->nfrags = 0;
	size_t i = 0, n = L->ntoks;
	bool any = false;
	int ctx = lay_words_ctx(L, size, measure, hyph);
	while (i < n) {
		const struct tok *t = &L->toks[i];
		if (t->kind == TK_TEXT) {
			size_t j = i;
			while (j < n && L->toks[j].kind == TK_TEXT)
				j++;
			add_word_kept(L, ctx, i, j, size, measure, hyph);
			any = true;
			i = j;
		} else if (t->kind == TK_SPACE) {
			bool next_text = i + 1 < n && L->toks[i + 1].kind == TK_TEXT;
			if (any && next_text && L->nitems && L->items[L->nitems - 1].type == LB_BOX) {
				const struct pd_face *f = pick(L, t->style, ' ');
				double w = f ? face_advance(f, ' ') * size / 1000.0 : size / 4;
				if (lay_nobreak_space(L, i))
					add_item(L, LB_PENALTY, 0, 0, 0, LB_INF, false);
				bool fixed = ragged || (t->style & ST_MONO); /* code is never stretched */
				add_item(L, LB_GLUE, w, fixed ? 0 : w / 2, fixed ? 0 : w / 3, 0, false);
			}
			i++;
		} else {
			if (i + 1 < n) {
				add_item(L, LB_GLUE, 0, LB_FILL, 0, 0, false);
				add_item(L, LB_PENALTY, 0, 0, 0, -LB_INF, false);
			}
			i++;
		}
	}
	add_item(L, LB_GLUE, 0, LB_FILL, 0, 0, false);
	add_item(L, LB_PENALTY, 0, 0, 0, -LB_INF, false);
}

/* Widths of the tokens: all on one line (max) and the widest piece between the breaks a
 * line may take (min; a no-break space joins its neighbours, emergency breaks do not count). */
void lay_measure_toks(struct lay *L, double size, double *minw, double *maxw)
{
	build_items(L, size, true, style_measure(L->st), false);
	double mn = 0, mx = 0, cur = 0, piece = 0;
	for (size_t i = 0; i < L->nitems; i++) {
		const struct lb_item *it = &L->items[i];
		bool held = i > 0 && L->items[i - 1].type == LB_PENALTY && L->items[i - 1].penalty >= LB_INF;
		if (it->type == LB_BOX) {
			cur += it->w;
			piece += it->w;
			mn = fmax(mn, piece);
		} else if (it->type == LB_GLUE && it->stretch < LB_FILL) {
			cur += it->w;
			piece = held ? piece + it->w : 0;
		} else if (it->type == LB_PENALTY && it->penalty < 1000) {
			mn = fmax(mn, piece + it->w);
			piece = 0;
			if (it->penalty <= -LB_INF) {
				mx = fmax(mx, cur);
				cur = 0;
			}
		}
	}
	*minw = mn;
	*maxw = fmax(mx, cur);
}

static size_t first_of_line(const struct lay *L, long prev)
{
	size_t i = (size_t)(prev + 1);
	while (i < L->nitems && L->items[i].type != LB_BOX &&
	       !(L->items[i].type == LB_PENALTY && L->items[i].penalty <= -LB_INF))
		i++;
	return i;
}

struct placed {
	const struct frag *f;
	double x, w; /* w: the frag's width, less a kern taken back at the line's end */
};

/* The left edge of a marker w wide: right-aligned in the gutter before the item's text, or
 * after it when the item is written right to left. */
static double marker_left(const struct lay *L, double size, double w)
{
	double gap = SP(LIST_MARKER_GAP) * size;
	return L->marker_rtl ? L->marker_x + gap : L->marker_x - gap - w;
}

/* A task item's box, in the gutter on the baseline, crossed when done. */
static void draw_task_box(struct lay *L, double size, double base, bool done)
{
	double side = SP(TASK_BOX) * size;
	double x0 = marker_left(L, size, side), x1 = x0 + side, y0 = base - side;
	double wt = SP(RULE_TABLE_HEAD);
	*VPUSH(rules) = (struct pd_rule){x0, y0, x1, y0, wt};
	*VPUSH(rules) = (struct pd_rule){x0, base, x1, base, wt};
	*VPUSH(rules) = (struct pd_rule){x0, y0, x0, base, wt};
	*VPUSH(rules) = (struct pd_rule){x1, y0, x1, base, wt};
	if (done) {
		*VPUSH(rules) = (struct pd_rule){x0, y0, x1, base, wt};
		*VPUSH(rules) = (struct pd_rule){x0, base, x1, y0, wt};
	}
}

/* The list marker in the gutter (marker_left); a task item's "[ ]" or "[x]" is a box. */
static void draw_marker(struct lay *L, double size, double base)
{
	const char *s = L->marker;
	size_t len = strlen(s);
	if (!strcmp(s, "[ ]") || !strcmp(s, "[x]")) {
		draw_task_box(L, size, base, s[1] == 'x');
		L->marker[0] = '\0';
		return;
	}
	double w = 0;
	for (size_t k = 0; k < len;) {
		uint32_t cp;
		int n = utf8_decode(s + k, len - k, &cp);
		const struct pd_face *f = pick(L, 0, cp);
		if (f)
			w += face_advance(f, cp) * size / 1000.0;
		k += (size_t)n;
	}
	double x = marker_left(L, size, w);
	for (size_t k = 0; k < len;) {
		uint32_t cp;
		int n = utf8_decode(s + k, len - k, &cp);
		const struct pd_face *f = pick(L, 0, cp);
		if (f) {
			struct pd_run *r = VPUSH(runs);
			r->x = x;
			r->y = base;
			r->size = size;
			r->face = f;
			r->text = arena_strndup(L->arena, s + k, (size_t)n);
			r->len = (size_t)n;
			r->w = face_advance(f, cp) * size / 1000.0;
			x += r->w;
		}
		k += (size_t)n;
	}
	L->marker[0] = '\0';
}

static void emit_line(struct lay *L, struct placed *pl, size_t np, double size, bool rtl)
{
	double asc = 0, desc = 0, maxsize = 0;
	for (size_t k = 0; k < np; k++) {
		const struct frag *f = pl[k].f;
		asc = fmax(asc, face_ascent(f->face) * f->size / 1000.0 + (f->mark ? 0 : f->rise));
		desc = fmax(desc, face_descent(f->face) * f->size / 1000.0);
		maxsize = fmax(maxsize, f->size);
	}
	if (np == 0) {
		maxsize = size;
		asc = 0.9 * size;
		desc = 0.22 * size;
	}
	double h = fmax(maxsize * L->st->leading, asc + desc);
	double base = (h - (asc + desc)) / 2 + asc;
	struct line *ln = VPUSH(lines);
	ln->run0 = L->nruns;
	ln->rule0 = L->nrules;
	ln->link0 = L->nlinks;
	ln->h = h;
	if (L->marker[0])
		draw_marker(L, size, base);
	size_t text0 = L->nruns;
	const char *link = NULL;
	double lx0 = 0, lx1 = 0;
	for (size_t k = 0; k <= np; k++) {
		const struct frag *f = k < np ? pl[k].f : NULL;
		if (link && (!f || f->link != link)) {
			struct pd_link *lk = VPUSH(links);
			*lk = (struct pd_link){lx0, base - asc, lx1, base + desc, link, 0};
			link = NULL;
		}
		if (!f)
			break;
		if (f->link && !link) {
			link = f->link;
			lx0 = pl[k].x;
		}
		if (link)
			lx1 = pl[k].x + pl[k].w;
		struct pd_run *r = VPUSH(runs);
		r->x = pl[k].x + f->dx;
		r->dx = f->dx;
		r->y = base - f->rise;
		r->w = pl[k].w;
		if (f->note > L->notes_seen) { /* a footnote's first reference */
			ln->note0 = ln->nnote ? ln->note0 : f->note;
			ln->nnote = f->note - ln->note0 + 1;
			L->notes_seen = f->note;
		}
		r->size = f->size;
		r->face = f->face;
		r->text = f->s;
		r->len = f->len;
		r->glyphs = f->glyphs;
		if (f->strike) { /* from the end of a struck word before it on the line: spaces too */
			double y = base - SP(STRIKE_RAISE) * f->size;
			double x0 = k > 0 && pl[k - 1].f->strike ? pl[k - 1].x + pl[k - 1].w : pl[k].x;
			*VPUSH(rules) = (struct pd_rule){x0, y, pl[k].x + pl[k].w, y, SP(STRIKE_WEIGHT) * f->size};
		}
	}
	lay_bidi_line(L, text0, ln->link0, ln->rule0, rtl);
	ln->nrun = L->nruns - ln->run0;
	ln->nrule = L->nrules - ln->rule0;
	ln->nlink = L->nlinks - ln->link0;
}

/* Items and breaks of the tokens. As TeX does, a paragraph is hyphenated only when it
 * cannot be set without with every line within the adjustment ratio 1 (badness 100):
 * most paragraphs never look words up, and most documents never load the dictionary. */
static size_t set_breaks(struct lay *L, double size, bool ragged, const struct lb_opts *o,
			 size_t **brk)
{
	build_items(L, size, ragged, o->width, false);
	*brk = xmalloc(L->nitems * sizeof **brk);
	if (L->hyph) {
		struct lb_opts pre = *o;
		pre.tolerance = 1;
		size_t nb = lb_try(L->items, L->nitems, &pre, *brk);
		if (nb)
			return nb;
		build_items(L, size, ragged, o->width, true);
		*brk = xrealloc(*brk, L->nitems * sizeof **brk);
	}
	return lb_break(L->items, L->nitems, o, *brk);
}

static void set_para(struct lay *L, double size, enum align al, double left, double right,
		     struct para_out *po)
{
	double measure = L->st->page_w - left - right;
	bool ragged = al != AL_JUSTIFY, rtl = lay_para_rtl(L);
	if (rtl && al == AL_LEFT) /* a paragraph written right to left is set from the right */
		al = AL_RIGHT;
	L->nlines = 0;
	struct lb_opts o = {measure, 2, ragged ? SP(RAGGED_STRETCH) * size : 0, 10, 3000, 1000, 2,
			    5000};
	size_t *brk;
	size_t nb = set_breaks(L, size, ragged, &o, &brk);
	size_t line0 = L->nlines;
	struct placed *pl = xmalloc((L->nfrags + 1) * sizeof *pl);
	double *ratios = xmalloc((nb + 1) * sizeof *ratios);
	lb_line_ratios(L->items, L->nitems, brk, nb, &o, ratios);
	long prev = -1;
	for (size_t b = 0; b < nb; b++) {
		size_t s = first_of_line(L, prev), e = brk[b];
		double r = ratios[b];
		if (ragged || r > SP(LOOSE_MAX) || r < -1) /* too loose to justify: set ragged */
			r = r < -1 ? -1 : 0;
		double nat = 0;
		for (size_t i = s; i < e; i++)
			nat += L->items[i].type == LB_PENALTY ? 0 : L->items[i].w;
		if (L->items[e].type == LB_PENALTY)
			nat += L->items[e].w;
		double x = left;
		if (al == AL_CENTER)
			x += fmax(0, (measure - nat) / 2);
		else if (al == AL_RIGHT)
			x += fmax(0, measure - nat);
		size_t np = 0;
		for (size_t i = s; i < e; i++) {
			const struct lb_item *it = &L->items[i];
			if (it->type == LB_GLUE) {
				if (it->stretch < LB_FILL)
					x += it->w + (r >= 0 ? r * it->stretch : r * it->shrink);
			} else if (it->type == LB_BOX) {
				const struct iext *xe = &L->iext[i];
				for (size_t f = 0; f < xe->nf; f++) {
					const struct frag *fr = &L->frags[xe->f0 + f];
					pl[np++] = (struct placed){fr, x, fr->w};
					x += fr->w;
				}
			}
		}
		if (L->items[e].type == LB_PENALTY && np > 0) { /* the word broken here */
			pl[np - 1].w -= L->iext[e].unkern;
			x -= L->iext[e].unkern;
		}
		if (L->items[e].type == LB_PENALTY && L->iext[e].hyphen >= 0) {
			const struct frag *hy = &L->frags[L->iext[e].hyphen];
			pl[np++] = (struct placed){hy, x, hy->w};
		}
		for (size_t k = 0; rtl && al == AL_JUSTIFY && k < np; k++) /* a short line: right */
			pl[k].x += fmax(0, left + measure - x);
		emit_line(L, pl, np, size, rtl);
		L->lines[L->nlines - 1].hyphen = L->items[e].type == LB_PENALTY && L->items[e].flagged;
		prev = (long)e;
	}
	free(pl);
	free(ratios);
	free(brk);
	po->lines = L->lines + line0;
	po->nlines = L->nlines - line0;
}

/* A paragraph set before with the same inputs (a template's boilerplate, in the letters of a
 * docket) comes from the memo; one set now is kept there if it drew no diagnostic and its
 * document has no character that no font has. */
/* The Link element of the paragraph's link k: a link broken over lines is one element, as
 * it is one in the text. */
static int link_elem(struct lay *L, size_t k, size_t line_link0, bool joins)
{
	struct pd_link *lk = &L->links[k];
	if (k == line_link0 && k > 0 && joins && L->links[k - 1].elem > 0 &&
	    !strcmp(L->links[k - 1].uri, lk->uri))
		return L->links[k - 1].elem;
	int e = lay_elem(L, PD_TAG_LINK);
	L->elems[e].text = lk->uri;
	return e;
}

static bool in_link(const struct pd_run *r, const struct pd_link *lk)
{
	return r->x >= lk->x0 - 0.01 && r->x + r->w <= lk->x1 + 0.01;
}

/* Is the run set in the monospaced face of an inline code span (not inside a code block,
 * which is a Code element as a whole)? */
static bool inline_code(const struct lay *L, const struct pd_run *run)
{
	const struct pd_fontset *set = L->in->set;
	return L->elem >= 0 && L->elems[L->elem].tag != PD_TAG_CODE &&
	       (run->face == set->style[PD_MONO] ||
		(set->full[PD_MONO] && run->face == set->full[PD_MONO]));
}

/* What a line's runs and links belong to: the list marker to its Lbl, a link's words to a
 * Link element under the current one, a code span's words to a Code element under it, the
 * rest to the current one. The memo's runs are tagged again for each document. */
static void tag_line(struct lay *L, const struct line *ln, int lbl, double left, bool *after_link)
{
	int code = -1; /* the Code element of the span being tagged on this line */
	size_t r = ln->run0, r1 = ln->run0 + ln->nrun, k = ln->link0, k1 = ln->link0 + ln->nlink;
	for (size_t j = k; j < k1; j++)
		L->links[j].elem = L->elem < 0 ? L->elem : 0;
	for (; lbl >= 0 && r < r1 && L->runs[r].x < left - 0.01; r++)
		L->runs[r].elem = lbl;
	for (; r < r1; r++) {
		struct pd_run *run = &L->runs[r];
		size_t in = k; /* the link it is in: the last one's, or any (runs set right to left) */
		if (in >= k1 || !in_link(run, &L->links[in]))
			for (in = ln->link0; in < k1 && !in_link(run, &L->links[in]); in++)
				;
		k = in < k1 ? in : k;
		bool linked = in < k1 && L->elem >= 0;
		if (linked && L->links[k].elem == 0)
			L->links[k].elem = link_elem(L, k, ln->link0, *after_link);
		bool mono = !linked && inline_code(L, run);
		if (mono && code < 0)
			code = lay_elem(L, PD_TAG_CODE);
		else if (!mono)
			code = -1;
		run->elem = linked ? L->links[k].elem : mono ? code : L->elem;
		*after_link = linked;
	}
	for (k = ln->link0; k < k1; k++) /* a link with no run: its annotation still needs one */
		if (L->links[k].elem == 0)
			L->links[k].elem = link_elem(L, k, ln->link0, false);
}

void lay_set_para(struct lay *L, double size, enum align al, double left, double right,
		  struct para_out *po)
{
	int lbl = L->marker[0] ? L->lbl : -1;
	bool notes = false; /* a footnote's number depends on the document: never kept */
	for (size_t i = 0; i < L->ntoks && !notes; i++)
		notes = L->toks[i].note != 0;
	struct lay_para_set ps = {size, left, right, (int)al};
	struct lay_memo_head head;
	uint64_t hash = lay_memo_key(L, &ps, &head);
	if (notes || !lay_memo_find(L, &head, hash, po)) {
		size_t diags = L->diags->n;
		size_t run0 = L->nruns, rule0 = L->nrules, link0 = L->nlinks;
		set_para(L, size, al, left, right, po);
		/* a character no font has is reported once per document: a paragraph that
		 * dropped one unreported is never kept */
		if (L->diags->n == diags && L->nmissing == 0 && !notes)
			lay_memo_keep(L, &head, hash, run0, rule0, link0);
	}
	bool after_link = false;
	for (size_t i = 0; i < po->nlines; i++)
		tag_line(L, &po->lines[i], i ? -1 : lbl, left, &after_link);
}
