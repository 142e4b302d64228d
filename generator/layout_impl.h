/* layout_impl: what the layout stage's files share (layout.c, layout_para.c,
 * layout_page.c). Not for other stages. Vectors are owned by struct lay. */
#ifndef PD_LAYOUT_IMPL_H
#define PD_LAYOUT_IMPL_H

#include <stdint.h>
#include <string.h>

#include "layout.h"

struct cmark_node;

enum { ST_BOLD = 1, ST_ITALIC = 2, ST_MONO = 4, ST_SUPER = 8 /* a footnote reference */ };
enum tok_kind { TK_TEXT, TK_SPACE, TK_BREAK };
enum align { AL_JUSTIFY, AL_LEFT, AL_CENTER, AL_RIGHT };
enum { VI_BOX, VI_GLUE, VI_PEN };

struct tok {
	enum tok_kind kind;
	const char *s;
	size_t len;
	int style;
	bool strike;
	const char *link;
	int note; /* a footnote reference's number, 0 for other text */
};

/* A piece of a word in one face. */
struct frag {
	const struct pd_face *face;
	double size, w;
	const char *s; /* arena */
	size_t len;
	const uint16_t *glyphs; /* a glyph per character, as pd_run's; NULL: all their own */
	const char *link;
	bool strike;
	double rise; /* raised above the baseline (a footnote reference, a mark) */
	double dx;   /* moved right of where the pen stands (a mark) */
	bool mark;   /* a mark the font places: its rise does not make the line taller */
	int note;    /* the footnote referenced, 0 if none */
	const struct tok *tok; /* the token it is set from */
};

/* What a line-breaker item stands for: boxes hold frags [f0, f0 + nf); a penalty may
 * carry a hyphen frag drawn when the line breaks there, and unkern, the kern the box
 * before it ends with (the pair across the break, inside one word), taken back then. */
struct iext {
	size_t f0, nf;
	long hyphen;
	double unkern;
};

/* A character of a word being built. */
struct wch {
	const char *p;
	int n;
	uint32_t cp;
	const struct tok *tok;
	const struct pd_face *face;
	int advance; /* in thousandths of the size */
	int kern;    /* the font's kerning before the next character of its face, likewise */
	uint16_t glyph; /* as face_shape gives it: PD_GLYPH_OWN, PD_GLYPH_JOINED or a glyph id */
	int16_t dx, dy; /* a mark's place from the pen, likewise (face_shape) */
	bool cut;       /* no ligature or joining across the start of this character */
	uint32_t joiner; /* U+200C or U+200D written before this character, else 0 */
	double w;
	int brk; /* break opportunity before this char: 0 none, else a penalty kind */
};

struct line {
	size_t run0, nrun, rule0, nrule, link0, nlink;
	double h;
	bool hyphen; /* ends in a hyphen (a page may not end here unless it must) */
	int note0, nnote; /* footnotes first referenced on this line: note0 .. note0 + nnote - 1 */
};

/* A footnote's text, set at the foot of the page of its first reference and continued
 * on the next pages when it must split: the items notes_vl[vi0 .. vi0 + nvi) (boxes, glue
 * and the penalties where it may split), of height h. */
struct note {
	size_t vi0, nvi;
	double h;
};

/* A page break after a line ending in a hyphen: taken only when the page has no other. */
#define PEN_PAGE_HYPHEN 100

struct para_out {
	struct line *lines; /* points into lay.lines */
	size_t nlines;
};

struct vitem {
	int type;
	double h;
	int pen;
	size_t run0, nrun, rule0, nrule, img0, nimg, link0, nlink;
	int outline;
	long thead; /* a table row: index of its header box to repeat after a page break */
	int note0, nnote; /* footnotes first referenced in this box (numbers from 1) */
};

/* A spacing or make-up value of the house style (enum pd_space), and one in points: a
 * ratio of the line height (lh) or of the size (em) times it. */
#define SP(name) (L->st->space[SP_##name])
#define SP_LH(name) (SP(name) * L->st->size * L->st->leading)
#define SP_EM(name) (SP(name) * L->st->size)

#define VEC(T, name) T *name; size_t n##name, cap_##name

struct lay {
	const struct pd_layout_in *in;
	const struct pd_style *st;
	struct pd_arena *arena;
	struct pd_diags *diags;
	struct pd_loc loc; /* the block being laid out */
	double left, right; /* margins of the current block */
	bool keep;          /* inside a keep-together region: no page breaks */
	bool hyph;          /* paragraphs set now may be hyphenated */
	bool measuring;     /* tokens are only measured (no diagnostics: they are set later) */
	char marker[32];    /* list marker to draw with the next line ("[ ]", "[x]": a box) */
	double marker_x;    /* where the item's text begins: the marker ends there, or, with
			     * marker_rtl (an item written right to left), begins there */
	bool marker_rtl;
	VEC(struct tok, toks);
	VEC(struct vitem, vl);
	VEC(struct pd_run, runs);
	VEC(struct pd_rule, rules);
	VEC(struct pd_image, imgs);
	VEC(struct pd_link, links);
	VEC(struct pd_outline, outl);
	VEC(struct frag, frags);
	VEC(struct lb_item, items);
	VEC(struct iext, iext);
	VEC(struct wch, wch);
	VEC(struct line, lines);
	VEC(struct note, notes);       /* footnote n is notes[n - 1] */
	VEC(struct vitem, notes_vl);   /* the boxes of the footnotes' lines */
	int notes_seen;                /* the highest footnote number referenced so far */
	VEC(uint32_t, missing);
	VEC(struct pd_elem, elems);
	int elem; /* the structure element what is set now belongs to, or an artifact */
	int lbl;  /* the Lbl element of the list marker waiting to be drawn */
	int headings[6]; /* the Markdown levels of the headings open, outermost first */
	int nheadings;
	const char *lang; /* "::: lang": the language of the next block, or NULL */
	double letterhead_h;
	double room; /* body height of a continuation page (0 until lay_room measures it) */
	const struct md_mark *columns; /* "::: columns" widths for the next table, or NULL */
	const struct pd_face *ascii_face[PD_NSTYLES][128]; /* pick's answers, 0 if not asked */
};

/* Every vector of struct lay, for what is done to each (lay_free, the memo's spares). */
#define LAY_VECTORS(X)                                                                             \
	X(toks) X(vl) X(runs) X(rules) X(imgs) X(links) X(outl) X(frags) X(items) X(iext) X(wch)   \
	X(lines) X(notes) X(notes_vl) X(missing) X(elems)
#define LAY_COUNT(v) +1
enum { LAY_NVECTORS = 0 LAY_VECTORS(LAY_COUNT) };

/* A zeroed new element at the end of vector v: in place while it has room (the common
 * case, inline), else through lay_push, which grows it. */
#define VPUSH(v)                                                                                   \
	(L->n##v < L->cap_##v                                                                      \
	     ? (__typeof__(L->v))memset(&L->v[L->n##v++], 0, sizeof *(L->v))                       \
	     : (__typeof__(L->v))lay_push((void **)&(L->v), &L->n##v, &L->cap_##v, sizeof *(L->v)))

void *lay_push(void **v, size_t *n, size_t *cap, size_t size);
/* count new elements at the end of a vector, not zeroed (VEXTEND: in place while it has
 * room; count is evaluated more than once) */
void *lay_extend(void **v, size_t *n, size_t *cap, size_t size, size_t count);
#define VEXTEND(v, count)                                                                          \
	(L->n##v + (count) <= L->cap_##v                                                           \
	     ? &L->v[(L->n##v += (count)) - (count)]                                               \
	     : (__typeof__(L->v))lay_extend((void **)&(L->v), &L->n##v, &L->cap_##v, sizeof *(L->v), \
					    (count)))

/* The paragraph memo (layout_memo.c): lay_set_para looks a paragraph up by everything it
 * is set from (the settings ps, the house style's values it reads, the faces, the list
 * marker, the tokens) and the hash of that, which lay_memo_key returns; it keeps what it
 * set when no diagnostic came of it. lay_memo_find appends the kept lines, runs, rules and
 * links as lay_set_para would; lay_memo_trim, at a document's start, empties the memo
 * once it holds more than its budget. */
struct lay_para_set {
	double size, left, right;
	int al;
};
struct lay_memo_head { /* what the tokens are set with, as lay_memo_key found it */
	double size, left, right, page_w, leading, marker_x, rag, strike[2], marker_gap[2];
	struct pd_fontset set; /* the faces themselves: a set may sit where another was */
	const void *fonts;
	int al, hyph, marker_rtl;
	char marker[32];
};
uint64_t lay_memo_key(const struct lay *L, const struct lay_para_set *ps,
		      struct lay_memo_head *head);
bool lay_memo_find(struct lay *L, const struct lay_memo_head *head, uint64_t hash,
		   struct para_out *po);
void lay_memo_keep(const struct lay *L, const struct lay_memo_head *head, uint64_t hash,
		   size_t run0, size_t rule0, size_t link0);
void lay_memo_trim(struct pd_layout_memo *memo);
struct lay_words *lay_memo_words(struct pd_layout_memo *memo);
void *lay_memdup(const void *p, size_t n); /* malloc'd copy of n bytes (n may be 0) */
/* A document's vectors: lent empty from the memo (the room the last document's left,
 * allocated once a process rather than grown again for each document), given back at its
 * end; freed when there is no memo or one is too big to keep. */
void lay_memo_lend(struct pd_layout_memo *memo, struct lay *L);
void lay_memo_give_back(struct pd_layout_memo *memo, struct lay *L);

/* The word memo (layout_words.c), held by the paragraph memo: a word's line-breaker items
 * and fragments (add_word's) by its tokens and the settings they were set with, which
 * lay_words_ctx numbers (-1: no memo, or too many settings). lay_words_find appends a kept
 * word's items and fragments, or returns false with the hash lay_words_keep then takes;
 * only words lay_words_keepable says may be kept are looked up; lay_words_trim, at a
 * document's start, empties the memo once it holds more than its budget. */
struct lay_words *lay_words_new(void);
void lay_words_free(struct lay_words *w);
void lay_words_trim(struct lay_words *w);
int lay_words_ctx(struct lay *L, double size, double measure, bool hyph);
bool lay_words_keepable(const struct lay *L, size_t i, size_t j);
bool lay_words_find(struct lay *L, int ctx, size_t i, size_t j, uint64_t *hash);
void lay_words_keep(struct lay *L, int ctx, size_t i, size_t j, uint64_t hash, size_t item0,
		    size_t frag0);

/* A 64-bit hash taken eight bytes at a time (the memos' keys). */
static inline uint64_t lay_mix(uint64_t h, uint64_t w)
{
	h = (h ^ w) * 0x9E3779B97F4A7C15ull;
	return h ^ (h >> 29);
}

static inline uint64_t lay_mix_bytes(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;
	uint64_t w;
	for (; n >= 8; b += 8, n -= 8) {
		memcpy(&w, b, 8);
		h = lay_mix(h, w);
	}
	for (w = 0; n; n--)
		w = w << 8 | *b++;
	return lay_mix(h, w);
}
struct pd_loc lay_text_loc(const struct lay *L, const char *text, size_t len);
void lay_inlines(struct lay *L, struct cmark_node *n, int style, bool strike, const char *link);
void lay_glue(struct lay *L, double h);
void lay_penalty(struct lay *L, int pen);
void lay_box_begin(struct lay *L, struct vitem *box);
size_t lay_box_end(struct lay *L, struct vitem *box, double h);
void lay_lines_to_boxes(struct lay *L, struct para_out *po);

/* A new structure element under L->elem (the Document when L->elem is an artifact);
 * returns its index. */
int lay_elem(struct lay *L, enum pd_tag tag);

/* layout_para.c: the tokens in L->toks -> lines (runs with y relative to the line top). */
void lay_set_para(struct lay *L, double size, enum align al, double left, double right,
		  struct para_out *po);
/* Natural width of the tokens (max: all on one line; min: the widest unbreakable piece). */
void lay_measure_toks(struct lay *L, double size, double *minw, double *maxw);
/* Tokens for plain text (front matter, header). */
void lay_plain(struct lay *L, const char *s, int style);

/* layout_bidi.c: whether the paragraph in L->toks is written right to left (its first
 * strong character's direction, UAX #9's P2); the line's runs from first on (in the order
 * written, placed left to right) put in the order seen, by UAX #9 with the paragraph's
 * direction: split where the direction changes, moved, those set right to left marked;
 * its links (from link0) and strikes (rules from rule0) moved with their runs. */
bool lay_para_rtl(const struct lay *L);
bool lay_node_rtl(struct cmark_node *n);
void lay_bidi_line(struct lay *L, size_t first, size_t link0, size_t rule0, bool rtl);

/* layout_text.c: text s[0..*len) with the house rule for quotes, dashes and ellipses (s
 * itself when nothing changes); whether the space token at index t may not break a line. */
const char *lay_smart_text(struct lay *L, const char *s, size_t *len);
bool lay_nobreak_space(const struct lay *L, size_t t);

/* layout_page.c */
void lay_letterhead(struct lay *L);
void lay_table(struct lay *L, struct cmark_node *n);
void lay_image_block(struct lay *L, const char *url, const char *title);
void lay_paginate(struct lay *L, struct pd_layout *out);
/* Body height of a page after the first, without its header and footer. */
double lay_room(struct lay *L);

#endif
