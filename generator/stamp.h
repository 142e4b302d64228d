/* stamp: the one place that draws a packet stamp: a page's box and rotation and the stamp
 * texts -> the bytes of a content stream, marked as a pagination artifact.
 * The caller owns the buffer it passes; nothing else is kept. */
#ifndef PD_STAMP_H
#define PD_STAMP_H

#include <stdbool.h>

#include "diag.h"
#include "util.h"

/* The font resource the stream names; the page must carry it (stamp_font). */
#define STAMP_FONT_KEY "/PdgStamp"

/* The stamp's face: Liberation Mono cut to printable ASCII (every advance 600/1000 em),
 * embedded as a simple TrueType font with WinAnsiEncoding. */
struct pd_stamp_font {
	unsigned char *program; /* the TrueType subset */
	size_t len;
	int bbox[4];            /* in 1/1000 em */
	int ascent, descent;
	const char *name;       /* "PDGSTM+PdgenStampMono" */
};
/* Made from DATADIR/fonts (the cut face when the build made it); NULL after adding an
 * error. The caller owns it (stamp_font_free; the session keeps one). */
struct pd_stamp_font *stamp_font_new(const char *datadir, struct pd_diags *diags);
void stamp_font_free(struct pd_stamp_font *font);

struct pd_stamp_page {
	double x0, y0, x1, y1; /* the page's visible box (CropBox, else MediaBox) */
	int rotate;            /* /Rotate: 0, 90, 180 or 270 */
	bool top;              /* in the top margin, else the bottom one */
};

/* How far from the page's edge (points) the stamp and its ground reach, with the space kept
 * between it and the text: a margin narrower than this cannot take the stamp. */
double stamp_reach(void);

/* Appends to out the operators that draw right (right corner) and left (left corner, may be
 * NULL) in the bottom (or top) margin as the page is seen, each over a white ground so that
 * a scan's edge cannot hide it. Texts are printable ASCII (others print as '?'). */
void stamp_draw(const struct pd_stamp_page *pg, const char *right, const char *left,
		struct pd_buf *out);

/* True when every byte of s is printable ASCII (what the stamp font can show). */
bool stamp_text_ok(const char *s);

#endif
