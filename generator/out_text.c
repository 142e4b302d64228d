/* out_text: output stage, text forms.
 * In: laid-out pages. Out: their text, line by line, pages separated by form feeds; or a
 * readable dump of every page's lines, runs, rules, images and links with their positions. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "out.h"

static int by_pos(const void *a, const void *b)
{
	const struct pd_run *x = *(const struct pd_run *const *)a, *y = *(const struct pd_run *const *)b;
	if (fabs(x->y - y->y) > 0.5 * fmin(x->size, y->size))
		return x->y < y->y ? -1 : 1;
	return x->x < y->x ? -1 : x->x > y->x;
}

static bool same_line(const struct pd_run *q, const struct pd_run *r)
{
	return fabs(q->y - r->y) <= 0.5 * fmin(q->size, r->size);
}

static int by_order(const void *a, const void *b)
{
	const struct pd_run *x = *(const struct pd_run *const *)a, *y = *(const struct pd_run *const *)b;
	return x < y ? -1 : x > y;
}

/* The page's runs in reading order (the caller frees the array): lines from the top, each
 * from the left, but a line with text set right to left in the order written (the order
 * of its runs, which the layout keeps), marked in rtl_lines (when not NULL). */
static const struct pd_run **runs_in_order(const struct pd_page *pg, bool *rtl_lines)
{
	const struct pd_run **v = xmalloc((pg->nruns + 1) * sizeof *v);
	for (size_t i = 0; i < pg->nruns; i++)
		v[i] = &pg->runs[i];
	qsort(v, pg->nruns, sizeof *v, by_pos);
	for (size_t a = 0, b; a < pg->nruns; a = b) {
		bool rtl = v[a]->rtl;
		for (b = a + 1; b < pg->nruns && same_line(v[a], v[b]); b++)
			rtl |= v[b]->rtl;
		if (rtl)
			qsort(v + a, b - a, sizeof *v, by_order);
		for (size_t i = a; i < b && rtl_lines; i++)
			rtl_lines[i] = rtl;
	}
	return v;
}

/* Whether a space stands between two runs of a line, q before r: a gap between them, or
 * in a line with text set right to left, one written between them. */
static bool space_between(const struct pd_run *q, const struct pd_run *r, bool rtl_line)
{
	return rtl_line ? r->after_space : (r->x - r->dx) - (q->x - q->dx + q->w) > 0.1 * r->size;
}

void out_text(const struct pd_layout *lay, struct pd_buf *out)
{
	for (size_t p = 0; p < lay->npages; p++) {
		const struct pd_page *pg = &lay->pages[p];
		bool *rtl = xcalloc(pg->nruns + 1, sizeof *rtl);
		const struct pd_run **v = runs_in_order(pg, rtl);
		for (size_t i = 0; i < pg->nruns; i++) {
			const struct pd_run *r = v[i];
			if (i > 0) {
				const struct pd_run *q = v[i - 1];
				if (!same_line(q, r))
					buf_putc(out, '\n');
				else if (space_between(q, r, rtl[i]))
					buf_putc(out, ' ');
			}
			buf_put(out, r->text, r->len);
		}
		if (pg->nruns)
			buf_putc(out, '\n');
		buf_putc(out, '\f');
		free(v);
		free(rtl);
	}
}

/* ------------------------------------------------------------- dump */

static void put_quoted(struct pd_buf *out, const char *s, size_t len)
{
	buf_putc(out, '"');
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '"' || s[i] == '\\')
			buf_putc(out, '\\');
		buf_putc(out, s[i]);
	}
	buf_putc(out, '"');
}

static size_t count_lines(const struct pd_run **v, size_t n)
{
	size_t lines = 0;
	for (size_t i = 0; i < n; i++)
		lines += i == 0 || !same_line(v[i - 1], v[i]);
	return lines;
}

static void dump_runs(const struct pd_page *pg, struct pd_buf *out)
{
	const struct pd_run **v = runs_in_order(pg, NULL);
	size_t line = 0;
	for (size_t i = 0; i < pg->nruns; i++) {
		const struct pd_run *r = v[i];
		if (i == 0 || !same_line(v[i - 1], r))
			buf_printf(out, "  line %zu y %.2f\n", ++line, r->y);
		buf_printf(out, "    run x %.2f w %.2f %.2fpt %s ", r->x, r->w, r->size,
			   face_name(r->face));
		put_quoted(out, r->text, r->len);
		buf_putc(out, '\n');
	}
	free(v);
}

static void dump_page(size_t p, const struct pd_page *pg, struct pd_buf *out)
{
	const struct pd_run **v = runs_in_order(pg, NULL);
	buf_printf(out, "page %zu: %zu lines, %zu runs, %zu rules, %zu images, %zu links\n", p + 1,
		   count_lines(v, pg->nruns), pg->nruns, pg->nrules, pg->nimages, pg->nlinks);
	free(v);
	dump_runs(pg, out);
	for (size_t i = 0; i < pg->nrules; i++) {
		const struct pd_rule *r = &pg->rules[i];
		buf_printf(out, "  rule %.2f,%.2f to %.2f,%.2f width %.2f\n", r->x0, r->y0, r->x1,
			   r->y1, r->width);
	}
	for (size_t i = 0; i < pg->nimages; i++) {
		const struct pd_image *im = &pg->images[i];
		const char *base = strrchr(im->path, '/');
		buf_printf(out, "  image x %.2f y %.2f %.2f x %.2f %dx%d %s %s\n", im->x, im->y, im->w,
			   im->h, im->px->width, im->px->height, im->px->comps == 1 ? "gray" : "rgb",
			   base ? base + 1 : im->path);
	}
	for (size_t i = 0; i < pg->nlinks; i++) {
		const struct pd_link *l = &pg->links[i];
		buf_printf(out, "  link %.2f,%.2f to %.2f,%.2f ", l->x0, l->y0, l->x1, l->y1);
		put_quoted(out, l->uri, strlen(l->uri));
		buf_putc(out, '\n');
	}
}

void out_layout_dump(const struct pd_layout *lay, struct pd_buf *out)
{
	buf_printf(out, "layout %.2f x %.2f points, %zu pages\n", lay->page_w, lay->page_h,
		   lay->npages);
	for (size_t i = 0; i < lay->nfaces; i++)
		buf_printf(out, "face %zu %s\n", i + 1, face_name(lay->faces[i]));
	for (size_t i = 0; i < lay->noutlines; i++) {
		const struct pd_outline *o = &lay->outlines[i];
		buf_printf(out, "outline %d page %zu y %.2f ", o->level, o->page + 1, o->y);
		put_quoted(out, o->title, strlen(o->title));
		buf_putc(out, '\n');
	}
	for (size_t p = 0; p < lay->npages; p++)
		dump_page(p, &lay->pages[p], out);
}
