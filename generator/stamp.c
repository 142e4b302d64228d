/* stamp: stamp texts and a page's geometry -> PDF content-stream operators.
 * In: a pd_stamp_page and up to two texts. Out: bytes appended to the caller's buffer. */
#include "stamp.h"

#include <stdbool.h>

#define STAMP_SIZE 9.0     /* points */
#define STAMP_ADVANCE 0.6  /* Courier: every glyph is 600/1000 em */
#define STAMP_INSET 36.0   /* from the page's side edges */
#define STAMP_BASELINE 20.0 /* from the page's bottom edge: under a 0.5in bottom margin's text */
#define STAMP_PAD 2.0
#define STAMP_GROUND_LO (STAMP_BASELINE - STAMP_PAD - 2) /* the white ground, from the edge */
#define STAMP_GROUND_HI (STAMP_GROUND_LO + STAMP_SIZE + 2 * STAMP_PAD)
#define STAMP_CLEAR 4.0   /* between the ground and the text area */

double stamp_reach(void)
{
	return STAMP_GROUND_HI + STAMP_CLEAR;
}

bool stamp_text_ok(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7E)
			return false;
	return true;
}

static double text_width(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return (double)n * STAMP_SIZE * STAMP_ADVANCE;
}

/* The text at x on baseline y, over its ground. */
static void put_text(struct pd_buf *out, double x, double y, const char *s)
{
	double w = text_width(s);
	buf_printf(out, "1 g %.2f %.2f %.2f %.2f re f\n", x - STAMP_PAD, y - STAMP_PAD - 2,
		   w + 2 * STAMP_PAD, STAMP_SIZE + 2 * STAMP_PAD);
	buf_printf(out, "0 g BT " STAMP_FONT_KEY " %.0f Tf %.2f %.2f Td (", STAMP_SIZE, x, y);
	for (; *s; s++) {
		char c = (unsigned char)*s < 0x20 || (unsigned char)*s > 0x7E ? '?' : *s;
		if (c == '(' || c == ')' || c == '\\')
			buf_putc(out, '\\');
		buf_putc(out, c);
	}
	buf_puts(out, ") Tj ET\n");
}

void stamp_draw(const struct pd_stamp_page *pg, const char *right, const char *left,
		struct pd_buf *out)
{
	double w = pg->x1 - pg->x0, h = pg->y1 - pg->y0;
	/* the matrix from "the page as seen" (origin bottom left) to its user space */
	double a = 1, b = 0, c = 0, d = 1, e = pg->x0, f = pg->y0, seen_w = w, seen_h = h;
	switch (((pg->rotate % 360) + 360) % 360) {
	case 90:
		a = 0, b = 1, c = -1, d = 0, e = pg->x1, f = pg->y0, seen_w = h, seen_h = w;
		break;
	case 180:
		a = -1, b = 0, c = 0, d = -1, e = pg->x1, f = pg->y1;
		break;
	case 270:
		a = 0, b = -1, c = 1, d = 0, e = pg->x0, f = pg->y1, seen_w = h, seen_h = w;
		break;
	default:
		break;
	}
	buf_puts(out, "/Artifact << /Type /Pagination /Subtype /Footer >> BDC\nq\n");
	buf_printf(out, "%.0f %.0f %.0f %.0f %.2f %.2f cm\n", a, b, c, d, e, f);
	/* at the top: the ground as far from the top edge as it is from the bottom one */
	double y = pg->top ? seen_h - STAMP_GROUND_HI + (STAMP_BASELINE - STAMP_GROUND_LO)
			   : STAMP_BASELINE;
	if (right)
		put_text(out, seen_w - STAMP_INSET - text_width(right), y, right);
	if (left)
		put_text(out, STAMP_INSET, y, left);
	buf_puts(out, "Q\nEMC\n");
}
