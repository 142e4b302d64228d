/* stamp: the one place that draws a packet stamp: a page's box and rotation and the stamp
 * texts -> the bytes of a content stream, marked as a pagination artifact.
 * The caller owns the buffer it passes; nothing else is kept. */
#ifndef PD_STAMP_H
#define PD_STAMP_H

#include <stdbool.h>

#include "util.h"

/* The font resource the stream names (a standard Courier; the page must carry it). */
#define STAMP_FONT_KEY "/PdgStamp"
#define STAMP_FONT_DICT "<< /Type /Font /Subtype /Type1 /BaseFont /Courier /Encoding /WinAnsiEncoding >>"

struct pd_stamp_page {
	double x0, y0, x1, y1; /* the page's visible box (CropBox, else MediaBox) */
	int rotate;            /* /Rotate: 0, 90, 180 or 270 */
};

/* Appends to out the operators that draw right (bottom right corner) and left (bottom left,
 * may be NULL) in the bottom margin as the page is seen, each over a white ground so that a
 * scan's edge cannot hide it. Texts are printable ASCII (others print as '?'). */
void stamp_draw(const struct pd_stamp_page *pg, const char *right, const char *left,
		struct pd_buf *out);

/* True when every byte of s is printable ASCII (what the stamp font can show). */
bool stamp_text_ok(const char *s);

#endif
