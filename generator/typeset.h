/* typeset: the one-call entry point of typesetting: Markdown body -> PDF file or text.
 * A pd_typesetter holds what is read once per process and kept until typesetter_free:
 * fonts, house style, hyphenation, the paragraph memo and the PDF writer; the caller owns
 * everything it passes and the text buffer it receives. */
#ifndef PD_TYPESET_H
#define PD_TYPESET_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "layout.h"
#include "util.h"
#include "value.h"

struct pd_typeset_opts {
	const char *source_name;      /* for diagnostics: the Markdown's file name */
	int first_line;               /* line of the body's first line in source_name */
	const struct pd_value *style; /* front matter, over the house style
				       * (DATADIR/templates/style.yaml) and the defaults */
	const char *base_dir;         /* images (logo, signature) resolve relative to this */
	struct pd_image_dirs image_dirs; /* or where this says (layout.h) */
	const char *title, *author, *subject; /* PDF document info */
	const char *date_iso;         /* YYYY-MM-DD for the PDF dates; NULL: SOURCE_DATE_EPOCH
				       * or 2000-01-01 */
	const char *header_left;      /* continuation header text; "Page N of M" is added */
	struct pd_buf *files_read; /* see pd_layout_in */
	const int *out_dir; /* a directory descriptor the output's last name part is written
			     * in (a batch's directory, opened once); NULL: the path as is */
	bool no_tags;                 /* the plain PDF, over the front matter's "tagged" */
	bool own_letterhead;          /* a letter: its letterhead is a template's, so the house
				       * style may not set one (one letterhead mechanism) */
};

/* DATADIR holds fonts/ and templates/style.yaml (NULL: "."); nothing is read yet. The
 * house style's names and text go to store (NULL: a store of its errors' own). */
struct pd_typesetter;
struct pd_typesetter *typesetter_new(const char *datadir, struct pd_diag_store *store);
/* The house style is the first style.yaml on search (an overlay before the shipped one);
 * call before the first document. */
void typesetter_use_search(struct pd_typesetter *ts, const struct pd_search *search);
/* Frees everything the typesetter read, in the order they depend on each other. */
void typesetter_free(struct pd_typesetter *ts);

struct pd_pdf_written; /* out.h: pages, bytes and SHA-256 of the file written */

/* Both return 0, 1 (input error: a character no font has, a bad image, bad front
 * matter) or 3 (I/O). On failure no file is left and an existing file is untouched.
 * written (may be NULL) receives what the PDF holds. */
int typeset_pdf(struct pd_typesetter *ts, const char *markdown, size_t len,
		const struct pd_typeset_opts *opts, const char *out_path,
		struct pd_pdf_written *written, struct pd_diags *diags);
int typeset_text(struct pd_typesetter *ts, const char *markdown, size_t len,
		 const struct pd_typeset_opts *opts, struct pd_buf *out, struct pd_diags *diags);
/* Lays the document out, writing nothing: *pages gets its page count (a check; a packet's
 * memo laid out until its index holds). */
int typeset_page_count(struct pd_typesetter *ts, const char *markdown, size_t len,
		       const struct pd_typeset_opts *opts, int *pages, struct pd_diags *diags);
/* The layout itself, as out_layout_dump prints it. */
int typeset_layout_dump(struct pd_typesetter *ts, const char *markdown, size_t len,
			const struct pd_typeset_opts *opts, struct pd_buf *out,
			struct pd_diags *diags);

/* Reads now what the first document would read (the default fonts, the hyphenation
 * patterns): batch calls it before starting its workers, which then share it. */
void typeset_preload(struct pd_typesetter *ts);

/* Starts reading the hyphenation patterns on a thread of their own, for a process that
 * makes one document: its reading and templating run meanwhile. Not before a fork. */
void typeset_prefetch(struct pd_typesetter *ts);

#endif
