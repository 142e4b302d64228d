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

/* The house style's named spacing and page make-up values, each overridable under
 * "spacing:" in templates/style.yaml or a document's front matter. Units: "lh" a ratio of
 * the body's line height, "em" of the body size, "pt" points, "lines" a count, "x" a plain
 * factor. Their names, defaults and ranges are the table in style.c. */
enum pd_space {
	SP_BLOCK_GAP,         /* between blocks of the body */
	SP_HEADING_ABOVE,     /* above a heading (more than below it) */
	SP_HEADING_BELOW,     /* between a heading and its text */
	SP_HEADING_RUN,       /* between a heading and a sub-heading right after it */
	SP_HEADING1_SIZE,
	SP_HEADING2_SIZE,
	SP_HEADING3_SIZE,
	SP_LIST_INDENT,
	SP_LIST_MARKER_GAP,   /* between a list marker and its text */
	SP_TASK_BOX,          /* a task item's box */
	SP_LIST_GAP_TIGHT,
	SP_LIST_GAP_LOOSE,
	SP_QUOTE_INDENT,
	SP_QUOTE_GAP,
	SP_CODE_SIZE,
	SP_CODE_INDENT,
	SP_TABLE_SIZE,
	SP_TABLE_PAD,
	SP_TABLE_CONTINUED_GAP, /* between the continuation header and a repeated table head */
	SP_LETTERHEAD_NAME_SIZE,
	SP_LETTERHEAD_LINE_SIZE,
	SP_LETTERHEAD_RULE_GAP,
	SP_LETTERHEAD_AFTER,
	SP_LOGO_MAX_WIDTH,
	SP_LOGO_MAX_HEIGHT,
	SP_LOGO_GAP,          /* between the logo and the letterhead's text */
	SP_HEADER_SIZE,
	SP_HEADER_GAP,
	SP_HEADER_RULE_GAP,
	SP_FOOTER_SIZE,
	SP_FOOTER_GAP,
	SP_RAGGED_STRETCH,
	SP_LOOSE_MAX,         /* a justified line looser than this stretch ratio is set ragged */
	SP_STRIKE_RAISE,
	SP_STRIKE_WEIGHT,
	SP_RULE_THEMATIC,
	SP_RULE_LETTERHEAD,
	SP_RULE_HEADER,
	SP_RULE_TABLE_OUTER,
	SP_RULE_TABLE_HEAD,
	SP_RULE_TABLE_ROW,
	SP_NOTE_SIZE,         /* a footnote's text */
	SP_NOTE_REF_SIZE,     /* a footnote reference, as a share of its text's size */
	SP_NOTE_REF_RISE,     /* a footnote reference above the baseline, as a share too */
	SP_NOTE_GAP,          /* between the text of a page and its footnotes */
	SP_NOTE_RULE,         /* the rule above a page's footnotes, as a share of the measure */
	SP_NOTE_CONTINUED_RULE, /* the same above a footnote continued from the page before */
	SP_NOTE_MAX,          /* share of a page's body a footnote that must split takes first */
	SP_IMAGE_DPI,
	SP_IMAGE_MAX_HEIGHT,  /* share of the page's body height */
	SP_ORPHAN_LINES,      /* a paragraph's first lines kept together at a page foot */
	SP_WIDOW_LINES,       /* a paragraph's last lines kept together at a page head */
	SP_CLOSING_LINES,     /* body lines kept on the page of a '::: closing' block */
	SP_COUNT
};

struct pd_style {
	double page_w, page_h;                   /* points */
	double margin_top, margin_right, margin_bottom, margin_left;
	struct pd_loc margin_at[4]; /* where top, right, bottom, left were set ({0}: default) */
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
	double space[SP_COUNT]; /* see enum pd_space */
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
