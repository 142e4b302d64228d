/* out_text: output stage, text form.
 * In: laid-out pages. Out: their text, line by line, pages separated by form feeds. */
#include <math.h>
#include <stdlib.h>

#include "out.h"

static int by_pos(const void *a, const void *b)
{
	const struct pd_run *x = *(const struct pd_run *const *)a, *y = *(const struct pd_run *const *)b;
	if (fabs(x->y - y->y) > 0.5 * fmin(x->size, y->size))
		return x->y < y->y ? -1 : 1;
	return x->x < y->x ? -1 : x->x > y->x;
}

void out_text(const struct pd_layout *lay, struct pd_buf *out)
{
	for (size_t p = 0; p < lay->npages; p++) {
		const struct pd_page *pg = &lay->pages[p];
		const struct pd_run **v = xmalloc((pg->nruns + 1) * sizeof *v);
		for (size_t i = 0; i < pg->nruns; i++)
			v[i] = &pg->runs[i];
		qsort(v, pg->nruns, sizeof *v, by_pos);
		for (size_t i = 0; i < pg->nruns; i++) {
			const struct pd_run *r = v[i];
			if (i > 0) {
				const struct pd_run *q = v[i - 1];
				if (fabs(q->y - r->y) > 0.5 * fmin(q->size, r->size))
					buf_putc(out, '\n');
				else if (r->x - (q->x + q->w) > 0.1 * r->size)
					buf_putc(out, ' ');
			}
			buf_put(out, r->text, r->len);
		}
		if (pg->nruns)
			buf_putc(out, '\n');
		buf_putc(out, '\f');
		free(v);
	}
}
