/* md: Markdown stage: front matter split, NFC normalisation, cmark-gfm parse.
 * The md_doc and its tree are owned by the caller (md_free). */
#ifndef PD_MD_H
#define PD_MD_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"

struct cmark_node;

/* Finds YAML front matter: a first line "---", then lines up to a line "---" or "...".
 * With front matter sets its offset and length (without the fences), the body's offset
 * and the 1-based line number of the body's first line, and returns 1. Without it returns
 * 0, with *fm_len = 0, *body_off = 0, *body_line = 1. A first line "---" that is never
 * closed returns -1 after adding an error at that line of file. */
int md_front_matter(const char *text, size_t len, const char *file, size_t *fm_off,
		    size_t *fm_len, size_t *body_off, int *body_line, struct pd_diags *diags);

/* Markers for template authors, each alone on a line outside code blocks:
 * "::: keep" ... ":::" keeps the blocks between them on one page;
 * "::: closing" ... ":::" as keep, and takes the last lines of text before it along;
 * "::: pagebreak" starts a new page;
 * "::: columns 1 3 2" (or "25% 50% 25%") sets the relative column widths of the table
 * that follows. */
enum md_mark_kind { MD_KEEP_BEGIN, MD_KEEP_END, MD_PAGEBREAK, MD_COLUMNS };
#define MD_MAX_COLUMNS 16
/* '|' on one line: cmark-gfm parses wide tables super-linearly, and the layout sets at
 * most 20 columns anyway. */
#define MD_MAX_PIPES 256
struct md_mark {
	enum md_mark_kind kind;
	int line;                       /* 1-based line in the parsed body */
	bool closing;                   /* MD_KEEP_BEGIN: a '::: closing' block */
	int ncols;                      /* MD_COLUMNS: how many widths */
	double widths[MD_MAX_COLUMNS]; /* MD_COLUMNS: relative widths, each > 0 */
};

struct md_doc {
	struct cmark_node *root;
	char *text; /* the NFC-normalised body that was parsed (malloc) */
	size_t len;
	const char *file; /* interned */
	int first_line;   /* source line of the body's line 1 */
	struct md_mark *marks;
	size_t nmarks;
};

/* Parses a body (no front matter). Returns NULL after adding located errors (invalid
 * UTF-8, unterminated markers, a line of more than MD_MAX_PIPES '|'). first_line maps
 * body lines to file lines. */
struct md_doc *md_parse(const char *text, size_t len, const char *file, int first_line,
			struct pd_diags *diags);
void md_free(struct md_doc *doc);
/* Source place of a body line (1-based) and column. */
struct pd_loc md_loc(const struct md_doc *doc, int line, int col);

#endif
