/* layout: cmark-gfm tree -> pages of positioned runs, rules, images and links.
 * Everything a pd_layout points to lives in the arena given to layout_doc; faces belong
 * to the pd_fonts. Also the line breaker (Knuth-Plass total fit), exposed for tests. */
#ifndef PD_LAYOUT_H
#define PD_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "font.h"
#include "image.h"
#include "md.h"
#include "style.h"
#include "util.h"

/* The document's logical structure, for a tagged PDF: an element per block and per link,
 * in document order, element 0 the Document. What a run, image or link belongs to is an
 * element's index, or one of the artifacts (letterhead, rules, running header and footer,
 * page numbers, a table's header row repeated on a continuation page). */
enum pd_tag {
	PD_TAG_DOCUMENT, PD_TAG_H1, PD_TAG_H2, PD_TAG_H3, PD_TAG_H4, PD_TAG_H5, PD_TAG_H6,
	PD_TAG_P, PD_TAG_L, PD_TAG_LI, PD_TAG_LBL, PD_TAG_LBODY, PD_TAG_TABLE, PD_TAG_TR,
	PD_TAG_TH, PD_TAG_TD, PD_TAG_LINK, PD_TAG_FIGURE, PD_TAG_BLOCKQUOTE, PD_TAG_NOTE,
	PD_TAG_CODE, PD_NTAGS
};
enum { PD_ARTIFACT = -1, PD_ARTIFACT_PAGE = -2 /* pagination: header, footer, repeats */ };
struct pd_elem {
	enum pd_tag tag;
	int parent;       /* index; -1 for the Document */
	const char *text; /* Figure: its alternate text; Link: the address; Note: its /ID */
	const char *lang; /* a language other than the document's, or NULL */
	bool ordered;     /* L: numbered */
};

/* Coordinates are points from the page's top-left corner, y downwards. */
struct pd_run {
	double x, y; /* start of the baseline */
	double w, size;
	const struct pd_face *face;
	const char *text; /* UTF-8, NFC, in the order written */
	size_t len;
	/* NULL when every character prints its own glyph; else one entry per character of
	 * text: PD_GLYPH_OWN, PD_GLYPH_JOINED (shown by the glyph of a character before it) or
	 * the glyph id of the face that shows it (a ligature, a joining form; font.h). */
	const uint16_t *glyphs;
	double dx; /* a mark's: how far it stands from where the pen is (x less dx), the font's */
	bool rtl; /* set right to left: the glyphs are drawn from the last character back */
	bool after_space; /* in a line with text set right to left: a space before it, as written */
	int elem; /* structure element, or PD_ARTIFACT* */
};
struct pd_rule {
	double x0, y0, x1, y1, width;
};
struct pd_image {
	const char *path; /* resolved file name */
	double x, y, w, h; /* y: top edge */
	const struct pd_pixels *px; /* decoded and checked (image.h); shared by equal paths */
	int elem; /* its Figure, or PD_ARTIFACT (a logo) */
};
struct pd_link {
	double x0, y0, x1, y1; /* y0 top, y1 bottom */
	const char *uri;
	int elem; /* its Link element, or PD_ARTIFACT_PAGE (a repeated table header's) */
};
struct pd_page {
	struct pd_run *runs;
	size_t nruns;
	struct pd_rule *rules;
	size_t nrules;
	struct pd_image *images;
	size_t nimages;
	struct pd_link *links;
	size_t nlinks;
};
struct pd_outline {
	const char *title;
	int level; /* 1..3 */
	size_t page;
	double y;
};
struct pd_layout {
	double page_w, page_h;
	struct pd_page *pages;
	size_t npages;
	struct pd_outline *outlines;
	size_t noutlines;
	const struct pd_face **faces; /* every face used, in first-use order */
	size_t nfaces;
	struct pd_elem *elems; /* the structure, elems[0] the Document */
	size_t nelems;
};

/* Where an image resolves: the directory for url named at place at (a place of the
 * Markdown), or NULL for base_dir. A letter's images resolve beside the file that names
 * them: the template (or, missing there, the overlay and the shipped templates), or the
 * case file for a value of the case. */
struct pd_image_dirs {
	const char *(*dir)(void *ctx, const char *url, struct pd_loc at);
	void *ctx;
};

struct pd_layout_in {
	const struct md_doc *doc;
	const struct pd_style *style;
	struct pd_fonts *fonts;
	const struct pd_fontset *set;
	const char *base_dir;    /* images resolve relative to this ("." when NULL) */
	const char *header_left; /* continuation header text, or NULL for the style's */
	struct pd_loc style_loc; /* where front-matter text came from, for diagnostics */
	struct pd_layout_memo *memo; /* paragraphs kept across documents; NULL: none kept */
	struct pd_hyph *hyph;        /* hyphenation points; NULL: no hyphenation */
	struct pd_buf *files_read; /* gains each image file's path and a newline; or NULL */
	struct pd_image_dirs image_dirs; /* {NULL}: every image beside base_dir */
};

/* Lays the document out. Returns 0, or -1 after adding errors (a character no font has,
 * a missing image...). Warnings (raw HTML, refused links) are added either way. */
int layout_doc(const struct pd_layout_in *in, struct pd_arena *arena, struct pd_layout *out,
	       struct pd_diags *diags);

/* Text with the layout's rule for quotes, dashes and ellipses (for the document's
 * information and bookmarks, as its pages print them); malloc'd. */
char *layout_smart_text(const char *s);

/* Paragraphs set for one document are kept for the next ones (a docket's letters share
 * their template's boilerplate) in a memo of the process; layout_memo_free frees them,
 * before the fonts they name. */
struct pd_layout_memo;
struct pd_layout_memo *layout_memo_new(void);
void layout_memo_free(struct pd_layout_memo *memo);

/* The line breaker. A paragraph is a list of boxes, glue and penalties (as in TeX). */
enum lb_type { LB_BOX, LB_GLUE, LB_PENALTY };
#define LB_INF 10000
struct lb_item {
	enum lb_type type;
	double w, stretch, shrink; /* points */
	int penalty;               /* LB_PENALTY: <= -LB_INF forces a break, >= LB_INF forbids */
	bool flagged;              /* a hyphen break */
};
struct lb_opts {
	double width;      /* the measure */
	double tolerance;  /* largest adjustment ratio accepted in the first pass (e.g. 2) */
	double rag;        /* extra stretch per line for ragged-right setting (0: justified) */
	int line_penalty;  /* added to each line's badness (10) */
	int flag_demerits; /* two hyphen breaks in a row (3000) */
	int fit_demerits;  /* adjacent lines of very different tightness (1000) */
	int max_flagged;   /* most hyphen breaks in a row (0: no limit) */
	int final_demerits; /* a hyphen break before the paragraph's last line (5000) */
};
/* Chooses breaks for items[0..n) (which must end with a forced break) minimising total
 * demerits; no line is wider than the measure when every box fits in it. Writes the
 * indices of the break items into breaks (capacity n) and returns how many. */
size_t lb_break(const struct lb_item *items, size_t n, const struct lb_opts *opts,
		size_t *breaks);
/* The same, adding to *visits the feasible-break nodes it tried (each pass keeps only the
 * nodes within a line of the break being tried: linear in n, which a test checks). */
size_t lb_break_counted(const struct lb_item *items, size_t n, const struct lb_opts *opts,
			size_t *breaks, size_t *visits);
/* Only the first pass of lb_break, at opts->tolerance: 0 when no set of breaks keeps
 * every line within it (as TeX tries a paragraph before hyphenating it). */
size_t lb_try(const struct lb_item *items, size_t n, const struct lb_opts *opts,
	      size_t *breaks);
/* The same with first fit (greedy), for comparison and as a fallback. */
size_t lb_greedy(const struct lb_item *items, size_t n, const struct lb_opts *opts,
		 size_t *breaks);
/* Adjustment ratio of the line items[from..to) (to is the break item). */
double lb_ratio(const struct lb_item *items, size_t from, size_t to, const struct lb_opts *opts);
/* The same for each line of a paragraph broken at breaks[0..nb) (each line starting where
 * the line breaker starts it after the break before), into ratios[0..nb); the sums made once. */
void lb_line_ratios(const struct lb_item *items, size_t n, const size_t *breaks, size_t nb,
		    const struct lb_opts *opts, double *ratios);

#endif
