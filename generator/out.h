/* out: output stage: laid-out pages -> PDF (out_pdf.c) or plain text (out_text.c).
 * The pd_pdfw writer is long-lived and owned by its creator (out_pdf_free); text goes to
 * the caller's buffer. */
#ifndef PD_OUT_H
#define PD_OUT_H

#include "diag.h"
#include "layout.h"
#include "util.h"

struct pd_pdf_info {
	const char *title, *author, *subject;
	const char *creator; /* "pdgen VERSION" */
	int year, month, day; /* creation and modification date (written at noon UTC) */
	const int *out_dir; /* see pd_typeset_opts */
	bool tagged;	      /* PDF/UA-1 and PDF/A-2b; else the plain PDF */
	const char *lang;     /* the document's language (tagged) */
};

/* A PDF writer that keeps the font programs it has made for the documents that follow,
 * each for an exact set of characters, so that a document's bytes never depend on the
 * documents made before it. */
struct pd_pdfw;
struct pd_pdfw *out_pdf_new(void);
void out_pdf_free(struct pd_pdfw *w);

/* What a written PDF holds, for the batch manifest: taken from the bytes as they went out,
 * so the file is never read back. */
struct pd_pdf_written {
	int pages;
	size_t bytes;
	char sha256[65]; /* hex */
	/* the text area's distance from the page's top and bottom edges (the style's margins:
	 * a footer prints inside them) and where the style set each ({0}: the default) */
	double margin_top, margin_bottom;
	struct pd_loc margin_top_at, margin_bottom_at;
};

/* The sRGB profile of a tagged PDF's output intent (icc-profiles-free). */
#define PD_SRGB_PROFILE "/usr/share/color/icc/sRGB.icc"

/* Draws the pages and writes them to path atomically (a temporary file in the same
 * directory, then rename): on failure nothing is left and an existing file is untouched.
 * Returns 0 and fills written (if not NULL), or PD_EXIT_SYSTEM after adding an error. */
int out_pdf_write(struct pd_pdfw *w, const struct pd_layout *lay, const struct pd_pdf_info *info,
		  const char *path, struct pd_pdf_written *written, struct pd_diags *diags);

/* The text of the pages, line by line in reading order, pages separated by form feeds
 * (as pdftotext prints them): a test oracle. */
void out_text(const struct pd_layout *lay, struct pd_buf *out);

/* Every page's lines (by baseline), runs (position, width, size, face, text), rules,
 * images and links, and the outline, in a readable text form (`--dump=layout`). */
void out_layout_dump(const struct pd_layout *lay, struct pd_buf *out);

#endif
