/* style: page setup from front matter (a pd_value tree) merged over the house defaults.
 * The pd_style's strings point into the value tree or static storage: the tree's owner
 * keeps them alive while the style is used. */
#ifndef PD_STYLE_H
#define PD_STYLE_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "value.h"

#define PD_STYLE_MAX_LINES 12

struct pd_style {
	double page_w, page_h;                   /* points */
	double margin_top, margin_right, margin_bottom, margin_left;
	const char *font, *mono;                 /* family names */
	double size;                             /* body size in points */
	double leading;                          /* line height / size */
	bool justify;                            /* else ragged right */
	int hyphenate;                           /* 1 yes, 0 no, -1 when justified */
	/* letterhead on page 1 */
	const char *lh_name;
	const char *lh_lines[PD_STYLE_MAX_LINES];
	size_t lh_nlines;
	const char *lh_logo; /* image file, relative to the document's base dir */
	struct pd_loc lh_logo_loc;
	double lh_logo_width; /* points; 0 = natural size capped at 1.5in */
	/* continuation header on pages 2..N: text + "Page N of M" */
	bool header;
	const char *header_text;
	/* footer on every page: {page} and {pages} are replaced */
	const char *footer;
	/* document info */
	const char *title, *author, *subject;
	/* accessible and archival form: tagged PDF/UA-1 and PDF/A-2b (false: the plain PDF) */
	bool tagged;
	const char *lang; /* the document's language, a BCP 47 tag such as en-US */
};

/* The house defaults: US Letter, 1in margins, Liberation Serif 12pt, justified. */
void style_defaults(struct pd_style *st);
/* Applies a front-matter map over st. Unknown keys and bad values are diagnosed at
 * their place (bad values are errors, unknown keys warnings). Returns the number of
 * errors added. */
int style_apply(struct pd_style *st, const struct pd_value *fm, struct pd_diags *diags);
/* Whether body paragraphs are hyphenated. */
bool style_hyphenates(const struct pd_style *st);
/* The body's measure in points. */
double style_measure(const struct pd_style *st);

#endif
