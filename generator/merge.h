/* merge: PDFs read, merged, stamped, bookmarked and written through libqpdf (the only stage
 * that includes qpdf-c.h). Sources are owned by their opener (merge_close) and must stay
 * open until the merged document is written; a pd_merge is owned by its maker (merge_free). */
#ifndef PD_MERGE_H
#define PD_MERGE_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "out.h"

struct pd_pdfsrc;
struct pd_merge;
struct pd_pixels; /* image.h */

/* Opens a PDF file; NULL after an error at `at` ("WHAT: damaged ...", "encrypted ...").
 * A file qpdf had to repair is refused too: what it would put in the packet is a guess. */
struct pd_pdfsrc *merge_open(const char *path, struct pd_loc at, const char *what,
			     struct pd_diags *diags);
/* The same for a file already read (name: its path, for qpdf's messages): the source takes
 * bytes (malloc'd) and frees them when closed, or at once after an error. */
struct pd_pdfsrc *merge_open_bytes(const char *name, unsigned char *bytes, size_t len,
				   struct pd_loc at, const char *what, struct pd_diags *diags);
int merge_src_pages(const struct pd_pdfsrc *src);
/* What src declares and has the marks of: PD_CLAIM_PDFUA (a tagged PDF/UA-1), PD_CLAIM_PDFA
 * (PDF/A-1 or -2 with an RGB output intent), from xmp.h; none when a font is not embedded. */
unsigned merge_src_claims(const struct pd_pdfsrc *src);
/* Whether a font of src's pages is not embedded (PDF/A and PDF/UA-1 require every one). */
bool merge_src_fonts_out(const struct pd_pdfsrc *src);
void merge_close(struct pd_pdfsrc *src);

struct pd_stamp_font;
/* A new document whose stamps draw in font (stamp.h; NULL: one that is not stamped). */
struct pd_merge *merge_new(const struct pd_stamp_font *font);
void merge_free(struct pd_merge *m);
/* Appends count pages of src from first (0-based); returns the number of pages the
 * document then has, or -1 after an error at `at`. */
int merge_add_pdf(struct pd_merge *m, struct pd_pdfsrc *src, int first, int count,
		  struct pd_loc at, struct pd_diags *diags);
/* Starts a part (the letter, the memo, a tab): the structure of what is added next goes into
 * one Part element titled title, after the parts before it. */
void merge_part(struct pd_merge *m, const char *title);
/* Appends one US Letter page holding an 8-bit gray (comps 1) or RGB (comps 3) image fitted
 * into the page's margins. file: the JPEG or PNG file px was decoded from, or NULL; a JPEG's
 * bytes or a PNG's compressed rows are used as they are where a PDF image takes them. In a
 * tagged document the image is a Figure with alt as its /Alt (NULL: left untagged).
 * Returns as merge_add_pdf. */
int merge_add_image(struct pd_merge *m, const struct pd_pixels *px, const unsigned char *file,
		    size_t file_len, const char *alt, struct pd_loc at, struct pd_diags *diags);
int merge_pages(const struct pd_merge *m);
/* Draws the stamp texts on page (0-based), in its top margin or its bottom one: stamp.h. */
void merge_stamp(struct pd_merge *m, int page, bool top, const char *right, const char *left);
/* A top-level bookmark opening page (0-based), in the order of the calls. */
void merge_bookmark(struct pd_merge *m, const char *title_utf8, int page);
/* A page label range from page on: prefix then (when numbered) 1, 2, ... */
void merge_label(struct pd_merge *m, int page, const char *prefix, bool numbered);
/* Writes the document atomically to path, reproducibly (the ID is a hash of the content);
 * a tagged one with its structure tree, language and XMP metadata declaring claims
 * (PD_CLAIM_*: what every part conforms to). Returns 0 or PD_EXIT_SYSTEM / PD_EXIT_INPUT
 * after adding an error. */
int merge_write(struct pd_merge *m, const char *title, unsigned claims, const char *path,
		struct pd_pdf_written *written, struct pd_diags *diags);

/* Writes count pages of src from first (0-based) as a PDF of their own, atomically, with the
 * structure elements that begin on them (directly under its Document) and claims as
 * merge_write. */
int merge_extract(struct pd_pdfsrc *src, int first, int count, const char *title,
		  unsigned claims, const char *path, struct pd_diags *diags);

#endif
