/* font: the faces a document is set in: metrics, glyph coverage and the fallback chain.
 * The pd_fonts object and every face it returns are owned by it (fonts_free). */
#ifndef PD_FONT_H
#define PD_FONT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"

enum pd_face_id {
	PD_REGULAR,
	PD_BOLD,
	PD_ITALIC,
	PD_BOLDITALIC,
	PD_MONO,
	PD_NSTYLES
};

/* One font file (a TrueType font or one font of a collection), parsed once. */
struct pd_face;

/* The faces of one document: the five styles, then the fallback faces. */
struct pd_fontset {
	const struct pd_face *style[PD_NSTYLES];
	/* When style[] holds the cut of a family (fonts/cut/, made at build time with only the
	 * scripts letters need: small, fast to embed), full[] holds the shipped face, used for
	 * the characters the cut lacks; otherwise NULL. */
	const struct pd_face *full[PD_NSTYLES];
};

/* A long-lived cache of parsed faces, shared by every document of a process. dir holds
 * the shipped fonts (fonts/). */
struct pd_fonts *fonts_new(const char *dir);
void fonts_free(struct pd_fonts *fonts);

/* Resolves a family ("Liberation Serif") to its files in the fonts directory
 * (LiberationSerif-Regular.ttf, -Bold, -Italic, -BoldItalic; mono from mono_family).
 * A missing style falls back to the regular face; a missing regular face is an error
 * at loc. Returns 0, or -1 after adding a diagnostic. */
int fonts_family(struct pd_fonts *fonts, const char *family, const char *mono_family,
		 struct pd_fontset *set, struct pd_loc loc, struct pd_diags *diags);

/* The face that prints cp for a text in style: the style's face when it has the glyph,
 * else its full face, else the regular face (cut, then full), else the system fallback fonts (CJK), which are loaded on first
 * need. NULL when no font has the character. Code points above U+FFFF are never
 * printable (the PDF writer maps them to a space). */
const struct pd_face *fonts_pick(struct pd_fonts *fonts, const struct pd_fontset *set,
				 enum pd_face_id style, uint32_t cp);

bool face_has(const struct pd_face *face, uint32_t cp);
/* The glyph index of cp in the face's cmap (0: none). */
unsigned face_glyph(const struct pd_face *face, uint32_t cp);
/* The glyph cp shows in text set right to left: its mirror's ("(" for ")", Unicode's
 * Bidi_Mirroring_Glyph) when it has one in the face; 0 when it is shown as itself. */
unsigned face_rtl_glyph(const struct pd_face *face, uint32_t cp);
/* Whether cp has a mirror for right-to-left text (a bracket, a less-than sign). */
bool char_mirrored(uint32_t cp);
/* Advance width of cp in 1/1000 em (as the PDF writer computes it). Layout asks it of
 * every character it measures, so it is answered inline from the tables every face begins
 * with (both NULL until the face is read, which face_advance_unread does first). */
struct pd_face_tables {
	const uint16_t *gid; /* code point (BMP) -> glyph id, 0 = none */
	const uint16_t *adv; /* glyph id -> advance in 1/1000 em */
};
int face_advance_unread(const struct pd_face *face, uint32_t cp);
static inline int face_advance(const struct pd_face *face, uint32_t cp)
{
	const struct pd_face_tables *t = (const struct pd_face_tables *)(const void *)face;
	return t->adv ? t->adv[cp < 0xFFFF ? t->gid[cp] : 0] : face_advance_unread(face, cp);
}
/* How HarfBuzz sets a fragment of text in a face (its default features: kerning, standard
 * ligatures, the joining forms of Arabic, marks placed on their letters), character by
 * character in the order written:
 * glyph is PD_GLYPH_OWN for the character's own glyph (its cmap's), PD_GLYPH_JOINED for a
 * character that the glyph of one before it also shows (a ligature: "fi", lam-alef), else
 * the glyph id that shows it (a ligature, a joining form); advance is that glyph's advance
 * (0 when joined), kern what the font's kerning adds after it (at the last character the
 * glyph shows; 0 in text set right to left), both in 1/1000 em. U+200C in cps keeps the
 * characters around it from forming a ligature or joining, U+200D joins them; their own
 * entries are to be ignored. A glyph the font's positioning moves (a mark over or under
 * its letter) in text set left to right has dx, dy (1/1000 em, y up) from where the pen
 * stands, its advance the one HarfBuzz gives (0 for a mark) and no kern; in text set
 * right to left marks stand where the pen is (text extraction takes marks moved there
 * for separate lines). A fragment whose glyphs do not map onto its
 * characters (a decomposition) is set with each character's own glyph. Each fragment is
 * shaped once a process. */
#define PD_GLYPH_OWN 0
#define PD_GLYPH_JOINED 0xFFFFu
struct pd_shaped {
	uint16_t glyph;
	int16_t kern, advance, dx, dy;
};
void face_shape(const struct pd_face *face, const uint32_t *cps, size_t n, struct pd_shaped *out);
/* The advance of glyph id g in 1/1000 em. */
int face_glyph_advance(const struct pd_face *face, unsigned g);
/* Ascent and descent (positive) in 1/1000 em. */
/* The face's file name without its directory ("LiberationSerif-Regular.ttf"), for dumps. */
const char *face_name(const struct pd_face *face);
int face_ascent(const struct pd_face *face);
int face_descent(const struct pd_face *face);

/* What a PDF font descriptor tells of a face, in 1/1000 em (flags as the PDF reference
 * numbers them: 1 fixed pitch, 2 serif, 32 nonsymbolic, 64 italic). */
struct pd_face_info {
	int bbox[4]; /* xmin, ymin, xmax, ymax */
	int italic_angle, cap_height, stem_v;
	unsigned flags;
};
const struct pd_face_info *face_info(const struct pd_face *face);

/* A set of code points of the Basic Multilingual Plane: a bit each, cp >> 3 its byte. */
#define PD_CP_SET_BYTES 8192

/* The font program a PDF embeds for a face: only the glyphs of the code points marked in
 * used (a bit per code point of the Basic Multilingual Plane), the glyph ids gids[0, ngids)
 * (ligatures, joining forms) and the glyphs they are made of, without hinting or layout tables, renumbered in the order of the face's glyph ids
 * (HarfBuzz's subsetter). new_gid maps each glyph id of the face to the subset's, 0 for a
 * glyph left out. */
struct pd_font_program {
	unsigned char *data;
	size_t len;
	uint16_t *new_gid; /* an entry for every glyph of the face */
	char ps_name[64];  /* the face's PostScript name, only letters, digits and '-' */
};
int face_subset(const struct pd_face *face, const unsigned char *used, const unsigned *gids,
		size_t ngids, struct pd_font_program *out);
void font_program_clear(struct pd_font_program *p);
/* Reads a face and readies it for many subsets, each then made in half the time (for
 * 6 ms once): before a fork, the workers share it. */
void face_prepare_subsets(const struct pd_face *face);

/* Where the fallback fonts are looked for, in order: $PDGEN_FALLBACK_FONTS (a colon
 * separated list of files), then the Debian locations of WenQuanYi and Noto CJK, then
 * DejaVu Sans (Arabic, joined by shaping) and Noto Naskh Arabic (fonts-noto-core). */
const char *const *fonts_fallback_paths(void);

/* font_shape.c: a face's shaper (NULL: the file cannot be read) and its cached shaping. */
struct pd_shaper;
struct pd_shaper *shaper_new(const char *path, int index);
void shaper_free(struct pd_shaper *s);
void shaper_shape(struct pd_shaper *s, const uint32_t *cps, size_t n, struct pd_shaped *out);

#endif
