/* layout_page: page-level parts of the layout stage: letterhead, tables, images,
 * pagination, continuation header and footer. In: blocks. Out: pd_layout pages. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm.h>

#include "layout_impl.h"

/* Moves the runs, rules and links of lines [l0, l1) down by dy. */
static void shift_lines(struct lay *L, const struct para_out *po, double dy)
{
	for (size_t i = 0; i < po->nlines; i++) {
		const struct line *ln = &po->lines[i];
		for (size_t k = ln->run0; k < ln->run0 + ln->nrun; k++)
			L->runs[k].y += dy;
		for (size_t k = ln->rule0; k < ln->rule0 + ln->nrule; k++)
			L->rules[k].y0 += dy, L->rules[k].y1 += dy;
		for (size_t k = ln->link0; k < ln->link0 + ln->nlink; k++)
			L->links[k].y0 += dy, L->links[k].y1 += dy;
		dy += ln->h;
	}
}

static double lines_h(const struct para_out *po)
{
	double h = 0;
	for (size_t i = 0; i < po->nlines; i++)
		h += po->lines[i].h;
	return h;
}

/* Sets plain text at (left, top) within [left, page_w - right]; returns its height. */
static double plain_block(struct lay *L, const char *s, int style, double size, enum align al,
			  double left, double right, double top)
{
	lay_plain(L, s, style);
	struct para_out po;
	lay_set_para(L, size, al, left, right, &po);
	shift_lines(L, &po, top);
	return lines_h(&po);
}

/* ------------------------------------------------------------------ images */

/* The pixels of path, decoded once per document: an image shown twice shares them. */
static const struct pd_pixels *image_pixels(struct lay *L, const char *path, struct pd_loc loc)
{
	for (size_t i = 0; i < L->nimgs; i++)
		if (!strcmp(L->imgs[i].path, path))
			return L->imgs[i].px;
	size_t len;
	unsigned char *bytes = (unsigned char *)file_read(path, &len, PD_IMAGE_MAX_FILE);
	if (!bytes) {
		diag_error(L->diags, loc, "cannot read image '%s': %s", path,
			   errno == EFBIG ? "over 32 MB" : file_strerror(errno));
		return NULL;
	}
	if (L->in->files_read) {
		buf_puts(L->in->files_read, path);
		buf_putc(L->in->files_read, '\n');
	}
	struct pd_pixels *px = arena_alloc(L->arena, sizeof *px);
	char why[256];
	int rc = image_decode(bytes, len, L->arena, px, why, sizeof why);
	free(bytes);
	if (rc < 0) {
		diag_error(L->diags, loc, "image '%s': %s", path, why);
		return NULL;
	}
	return px;
}

static const char *resolve(struct lay *L, const char *url, struct pd_loc at)
{
	if (url[0] == '/')
		return arena_strdup(L->arena, url);
	const struct pd_image_dirs *d = &L->in->image_dirs;
	const char *dir = d->dir ? d->dir(d->ctx, url, at) : NULL;
	if (!dir)
		dir = L->in->base_dir ? L->in->base_dir : ".";
	return arena_printf(L->arena, "%s/%s", dir, url);
}

/* "width=2in" in an image title */
static double title_width(const char *title)
{
	const char *w = title ? strstr(title, "width=") : NULL;
	if (!w)
		return 0;
	char *end;
	double x = strtod(w + 6, &end);
	if (!strncmp(end, "in", 2))
		x *= 72;
	else if (!strncmp(end, "cm", 2))
		x *= 72 / 2.54;
	else if (!strncmp(end, "mm", 2))
		x *= 72 / 25.4;
	return x > 0 ? x : 0;
}

static int image_load(struct lay *L, const char *url, struct pd_loc loc, struct pd_image *im)
{
	if (!url || !*url || strstr(url, "://")) {
		diag_error(L->diags, loc, "image '%s' must be a PNG or JPEG file (remote images are not fetched)",
			   url ? url : "");
		return -1;
	}
	bool escapes = url[0] == '/' || !strncmp(url, "../", 3) || strstr(url, "/../") ||
		       !strcmp(url, "..");
	if (escapes) {
		diag_error(L->diags, loc, "image '%s' must be a file inside %s (no absolute path, no '..')",
			   url, L->in->base_dir ? L->in->base_dir : "the document's directory");
		return -1;
	}
	const char *path = resolve(L, url, loc);
	im->px = image_pixels(L, path, loc);
	im->path = path;
	return im->px ? 0 : -1;
}

void lay_image_block(struct lay *L, const char *url, const char *title)
{
	struct pd_image im = {0};
	if (image_load(L, url, url ? lay_text_loc(L, url, strlen(url)) : L->loc, &im) < 0)
		return;
	const struct pd_pixels *px = im.px;
	double measure = L->st->page_w - L->left - L->right;
	double w = title_width(title);
	if (w <= 0)
		w = px->width * 72.0 / SP(IMAGE_DPI);
	w = fmin(w, measure);
	double h = w * px->height / px->width;
	double maxh = SP(IMAGE_MAX_HEIGHT) * (L->st->page_h - L->st->margin_top - L->st->margin_bottom);
	if (h > maxh) {
		w *= maxh / h;
		h = maxh;
	}
	struct vitem box;
	lay_box_begin(L, &box);
	im.x = L->left;
	im.y = 0;
	im.w = w;
	im.h = h;
	im.elem = L->elem;
	*VPUSH(imgs) = im;
	lay_box_end(L, &box, h);
}

/* ------------------------------------------------------------------ letterhead */

void lay_letterhead(struct lay *L)
{
	const struct pd_style *st = L->st;
	if (!st->lh_name && !st->lh_nlines && !st->lh_logo)
		return;
	struct pd_loc save = L->loc;
	L->loc = L->in->style_loc;
	struct vitem box;
	lay_box_begin(L, &box);
	double left = st->margin_left, logo_h = 0;
	if (st->lh_logo) {
		struct pd_image im = {0};
		if (image_load(L, st->lh_logo, st->lh_logo_loc.file ? st->lh_logo_loc : L->loc,
			       &im) == 0) {
			const struct pd_pixels *px = im.px;
			double w = st->lh_logo_width > 0 ? st->lh_logo_width
							 : fmin(SP(LOGO_MAX_WIDTH), px->width * 72.0 / SP(IMAGE_DPI));
			logo_h = w * px->height / px->width;
			if (logo_h > SP(LOGO_MAX_HEIGHT)) {
				w *= SP(LOGO_MAX_HEIGHT) / logo_h;
				logo_h = SP(LOGO_MAX_HEIGHT);
			}
			im.x = st->margin_left;
			im.y = 0;
			im.w = w;
			im.h = logo_h;
			im.elem = PD_ARTIFACT;
			*VPUSH(imgs) = im;
			left += w + SP(LOGO_GAP);
		}
	}
	double y = 0;
	if (st->lh_name)
		y += plain_block(L, st->lh_name, ST_BOLD, SP_EM(LETTERHEAD_NAME_SIZE), AL_CENTER, left,
				 st->margin_right, y);
	for (size_t i = 0; i < st->lh_nlines; i++)
		y += plain_block(L, st->lh_lines[i], 0, SP_EM(LETTERHEAD_LINE_SIZE), AL_CENTER, left,
				 st->margin_right, y);
	y = fmax(y, logo_h) + SP_LH(LETTERHEAD_RULE_GAP);
	struct pd_rule *r = VPUSH(rules);
	*r = (struct pd_rule){st->margin_left, y, st->page_w - st->margin_right, y, SP(RULE_LETTERHEAD)};
	lay_box_end(L, &box, y + SP_LH(LETTERHEAD_RULE_GAP));
	lay_glue(L, SP_LH(LETTERHEAD_AFTER));
	L->loc = save;
}

/* ------------------------------------------------------------------ tables */

#define TPAD SP(TABLE_PAD)

static bool is_type(cmark_node *n, const char *t)
{
	return !strcmp(cmark_node_get_type_string(n), t);
}

/* The measure's room beyond each column's minimum content width (mn), shared: the columns
 * that need least to reach their maximum (mx: no cell wraps) get it first, each while it
 * asks no more than an equal share of what is left, so that short cells (names, roles,
 * dates) keep on one line and prose columns wrap; the rest share the remainder in
 * proportion to what they lack. */
static void share_widths(int ncols, const double *mn, const double *mx, double room, double *w)
{
	bool *done = xcalloc((size_t)ncols, sizeof *done);
	int left = ncols;
	for (bool more = true; more && left > 0;) {
		more = false;
		int best = -1;
		for (int c = 0; c < ncols; c++)
			if (!done[c] && (best < 0 || mx[c] - mn[c] < mx[best] - mn[best]))
				best = c;
		if (mx[best] - mn[best] <= room / left) {
			w[best] = mx[best];
			room -= mx[best] - mn[best];
			done[best] = true;
			left--;
			more = true;
		}
	}
	double lack = 0;
	for (int c = 0; c < ncols; c++)
		lack += done[c] ? 0 : mx[c] - mn[c];
	for (int c = 0; c < ncols; c++)
		if (!done[c])
			w[c] = mn[c] + (lack > 0 ? room * (mx[c] - mn[c]) / lack : 0);
	free(done);
}

/* Minimum widths that overfill the measure (a long URL or name in a cell): the columns
 * whose minimum fits an equal share of what is left keep it, so short cells never break
 * inside a word; the widest share the rest equally and wrap inside their long words. */
static void cap_widths(int ncols, const double *mn, double measure, double *w)
{
	bool *kept = xcalloc((size_t)ncols, sizeof *kept);
	int left = ncols;
	for (bool more = true; more && left > 0;) {
		more = false;
		for (int c = 0; c < ncols; c++)
			if (!kept[c] && mn[c] <= measure / left) {
				w[c] = mn[c];
				measure -= mn[c];
				kept[c] = true;
				left--;
				more = true;
			}
	}
	for (int c = 0; c < ncols; c++)
		if (!kept[c])
			w[c] = measure / left;
	free(kept);
}

static void col_widths(struct lay *L, cmark_node *table, int ncols, double size, double *w)
{
	double *mn = xcalloc((size_t)ncols, sizeof *mn), *mx = xcalloc((size_t)ncols, sizeof *mx);
	for (cmark_node *row = cmark_node_first_child(table); row; row = cmark_node_next(row)) {
		int c = 0;
		bool head = cmark_gfm_extensions_get_table_row_is_header(row);
		for (cmark_node *cell = cmark_node_first_child(row); cell && c < ncols;
		     cell = cmark_node_next(cell), c++) {
			L->ntoks = 0;
			L->measuring = true;
			lay_inlines(L, cell, head ? ST_BOLD : 0, false, NULL);
			L->measuring = false;
			double a, b;
			lay_measure_toks(L, size, &a, &b);
			mn[c] = fmax(mn[c], a + 2 * TPAD);
			mx[c] = fmax(mx[c], b + 2 * TPAD);
		}
	}
	double measure = L->st->page_w - L->left - L->right, smin = 0, smax = 0;
	for (int c = 0; c < ncols; c++) {
		mx[c] = fmax(mx[c], 2 * TPAD + size);
		mn[c] = fmin(fmax(mn[c], 2 * TPAD + size), mx[c]);
		smin += mn[c];
		smax += mx[c];
	}
	if (smax > measure && smin <= measure)
		share_widths(ncols, mn, mx, measure - smin, w);
	else if (smin > measure)
		cap_widths(ncols, mn, measure, w);
	for (int c = 0; c < ncols && smax <= measure; c++)
		w[c] = mx[c] + (measure - smax) * mx[c] / smax;
	free(mn);
	free(mx);
}

/* A line of a cell as set: its place in the row and what it drew. */
struct cline {
	double y, h;
	size_t run0, nrun, rule0, nrule, link0, nlink;
};

struct row_lines {
	struct cline *v;
	size_t n, cap;
	size_t *cell0; /* first line of each cell; cell0[ncols] = n */
};

static void keep_lines(struct row_lines *rl, const struct para_out *po, double top)
{
	for (size_t i = 0; i < po->nlines; i++) {
		const struct line *ln = &po->lines[i];
		struct cline *c = lay_push((void **)&rl->v, &rl->n, &rl->cap, sizeof *rl->v);
		*c = (struct cline){top, ln->h, ln->run0, ln->nrun, ln->rule0, ln->nrule, ln->link0,
				    ln->nlink};
		top += ln->h;
	}
}

/* Sets the cells of a row at y = 0; returns the tallest cell's text height. */
static double set_cells(struct lay *L, cmark_node *row, int ncols, const double *w,
			const uint8_t *aligns, double size, bool head, struct row_lines *rl)
{
	double x = L->left, hmax = 0;
	int c = 0, tr = L->elem;
	for (cmark_node *cell = cmark_node_first_child(row); cell && c < ncols;
	     cell = cmark_node_next(cell), c++) {
		L->elem = tr;
		L->elem = lay_elem(L, head ? PD_TAG_TH : PD_TAG_TD);
		L->ntoks = 0;
		lay_inlines(L, cell, head ? ST_BOLD : 0, false, NULL);
		enum align al = AL_LEFT;
		if (aligns && aligns[c] == 'c')
			al = AL_CENTER;
		else if (aligns && aligns[c] == 'r')
			al = AL_RIGHT;
		struct para_out po;
		lay_set_para(L, size, al, x + TPAD, L->st->page_w - (x + w[c] - TPAD), &po);
		shift_lines(L, &po, TPAD);
		rl->cell0[c] = rl->n;
		keep_lines(rl, &po, TPAD);
		hmax = fmax(hmax, lines_h(&po));
		x += w[c];
	}
	for (; c <= ncols; c++)
		rl->cell0[c] = rl->n;
	L->elem = tr;
	return hmax;
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* Where a row may be cut: line bottoms that cut through no line of any cell, in order,
 * ending with the row's height h. Returns how many (at least 1). */
static size_t row_cuts(const struct row_lines *rl, int ncols, double h, double *cuts)
{
	for (size_t i = 0; i < rl->n; i++)
		cuts[i] = rl->v[i].y + rl->v[i].h;
	qsort(cuts, rl->n, sizeof *cuts, by_value);
	size_t *at = xmalloc((size_t)ncols * sizeof *at), k = 0;
	for (int c = 0; c < ncols; c++)
		at[c] = rl->cell0[c];
	for (size_t i = 0; i < rl->n; i++) {
		double y = cuts[i];
		bool ok = y < h - 1e-6 && (k == 0 || y > cuts[k - 1] + 1e-6);
		for (int c = 0; c < ncols && ok; c++) {
			while (at[c] < rl->cell0[c + 1] && rl->v[at[c]].y + rl->v[at[c]].h <= y + 1e-6)
				at[c]++;
			ok = at[c] == rl->cell0[c + 1] || rl->v[at[c]].y >= y - 1e-6;
		}
		if (ok)
			cuts[k++] = y;
	}
	free(at);
	cuts[k++] = h;
	return k;
}

static void copy_line(struct lay *L, const struct cline *c, double dy)
{
	for (size_t k = c->run0; k < c->run0 + c->nrun; k++) {
		struct pd_run r = L->runs[k];
		r.y += dy;
		*VPUSH(runs) = r;
	}
	for (size_t k = c->rule0; k < c->rule0 + c->nrule; k++) {
		struct pd_rule r = L->rules[k];
		r.y0 += dy, r.y1 += dy;
		*VPUSH(rules) = r;
	}
	for (size_t k = c->link0; k < c->link0 + c->nlink; k++) {
		struct pd_link r = L->links[k];
		r.y0 += dy, r.y1 += dy;
		*VPUSH(links) = r;
	}
}

/* A row taller than a page as bands between its cuts, each a box of its own with the
 * table's header to repeat; page breaks between bands as between a paragraph's lines.
 * The row's own rules (from rule0 on) go with the last band. */
static size_t split_row(struct lay *L, const struct row_lines *rl, int ncols, double h,
			size_t rule0, long thead)
{
	size_t nrules = L->nrules;
	double *cuts = xmalloc((rl->n + 1) * sizeof *cuts);
	size_t nc = row_cuts(rl, ncols, h, cuts), first = L->nvl;
	double top = 0;
	for (size_t b = 0; b < nc; b++) {
		if (b >= 2 && nc - b >= 2) {
			struct vitem *pen = VPUSH(vl); /* even inside '::: keep': it cannot fit */
			pen->type = VI_PEN;
		}
		struct vitem box;
		lay_box_begin(L, &box);
		for (size_t i = 0; i < rl->n; i++)
			if (rl->v[i].y >= top - 1e-6 && rl->v[i].y + rl->v[i].h <= cuts[b] + 1e-6)
				copy_line(L, &rl->v[i], -top);
		if (b == nc - 1)
			copy_line(L, &(struct cline){0, 0, 0, 0, rule0, nrules - rule0, 0, 0}, -top);
		box.thead = thead;
		lay_box_end(L, &box, cuts[b] - top);
		top = cuts[b];
	}
	free(cuts);
	return first;
}

/* Widths from "::: columns": shares of the measure, each column at least wide enough for
 * its padding and a character (the others give up the difference in proportion). */
static void set_widths(struct lay *L, const double *share, int ncols, double size, double *w)
{
	double measure = L->st->page_w - L->left - L->right, sum = 0, minw = 2 * TPAD + size;
	for (int c = 0; c < ncols; c++)
		sum += share[c];
	double over = 0, spare = 0;
	for (int c = 0; c < ncols; c++) {
		w[c] = measure * share[c] / sum;
		if (w[c] < minw)
			over += minw - w[c], w[c] = minw;
		else
			spare += w[c] - minw;
	}
	for (int c = 0; c < ncols && over > 0 && spare > 0; c++)
		if (w[c] > minw)
			w[c] -= (w[c] - minw) * fmin(1, over / spare);
}

static size_t table_row(struct lay *L, cmark_node *row, int ncols, const double *w,
			const uint8_t *aligns, double size, bool head, bool last, long thead)
{
	struct vitem box;
	lay_box_begin(L, &box);
	struct row_lines rl = {0};
	rl.cell0 = xmalloc(((size_t)ncols + 1) * sizeof *rl.cell0);
	int seen = L->notes_seen;
	double h = set_cells(L, row, ncols, w, aligns, size, head, &rl) + 2 * TPAD, x1 = L->left;
	for (int k = 0; k < ncols; k++)
		x1 += w[k];
	size_t rule0 = L->nrules;
	if (head) {
		*VPUSH(rules) = (struct pd_rule){L->left, 0, x1, 0, SP(RULE_TABLE_OUTER)};
		*VPUSH(rules) = (struct pd_rule){L->left, h, x1, h, SP(RULE_TABLE_HEAD)};
	} else {
		*VPUSH(rules) = (struct pd_rule){L->left, h, x1, h,
						 last ? SP(RULE_TABLE_OUTER) : SP(RULE_TABLE_ROW)};
	}
	double room = lay_room(L) - (thead >= 0 ? L->vl[thead].h + SP_LH(TABLE_CONTINUED_GAP) : 0);
	size_t i;
	if (!head && h > room) {
		i = split_row(L, &rl, ncols, h, rule0, thead);
	} else {
		i = lay_box_end(L, &box, h);
		L->vl[i].thead = head ? -1 : thead;
	}
	L->vl[i].note0 = seen + 1; /* the footnotes its cells cite first go with the row */
	L->vl[i].nnote = L->notes_seen - seen;
	free(rl.v);
	free(rl.cell0);
	return i;
}

#define LAY_MAX_COLS 20

void lay_table(struct lay *L, cmark_node *n)
{
	int ncols = cmark_gfm_extensions_get_table_columns(n);
	if (ncols <= 0)
		return;
	if (ncols > LAY_MAX_COLS) { /* more would not fit across a page, and cost seconds */
		diag_error(L->diags, L->loc, "a table of %d columns: at most %d fit across a page",
			   ncols, LAY_MAX_COLS);
		return;
	}
	uint8_t *aligns = cmark_gfm_extensions_get_table_alignments(n);
	double size = SP_EM(TABLE_SIZE);
	double *w = xcalloc((size_t)ncols, sizeof *w);
	if (L->columns && L->columns->ncols == ncols)
		set_widths(L, L->columns->widths, ncols, size, w);
	else
		col_widths(L, n, ncols, size, w);
	L->columns = NULL;
	long head = -1;
	int k = 0, elem = L->elem, table = lay_elem(L, PD_TAG_TABLE);
	for (cmark_node *row = cmark_node_first_child(n); row; row = cmark_node_next(row), k++) {
		if (!is_type(row, "table_row") && !is_type(row, "table_header"))
			continue;
		bool is_head = cmark_gfm_extensions_get_table_row_is_header(row);
		bool last = cmark_node_next(row) == NULL;
		if (!is_head && k > 1)
			lay_penalty(L, 0);
		L->elem = table;
		L->elem = lay_elem(L, PD_TAG_TR);
		size_t i = table_row(L, row, ncols, w, aligns, size, is_head, last, head);
		if (is_head)
			head = (long)i;
	}
	L->elem = elem;
	free(w);
}

/* ------------------------------------------------------------------ pages */

struct seg {
	size_t vi;
	double y;
};

static double furniture_h(struct lay *L, const char *text, double size)
{
	if (!text)
		return 0;
	size_t r0 = L->nruns, l0 = L->nrules, k0 = L->nlinks;
	double h = plain_block(L, text, 0, size, AL_LEFT, L->st->margin_left, L->st->margin_right, 0);
	L->nruns = r0; /* measuring only */
	L->nrules = l0;
	L->nlinks = k0;
	return h;
}

static const char *header_text(const struct lay *L)
{
	if (L->in->header_left)
		return L->in->header_left;
	return L->st->header_text ? L->st->header_text : "";
}

static char *subst_pages(struct lay *L, const char *s, size_t page, size_t pages)
{
	struct pd_buf b = {0};
	for (; *s; s++) {
		if (!strncmp(s, "{page}", 6)) {
			buf_printf(&b, "%zu", page);
			s += 5;
		} else if (!strncmp(s, "{pages}", 7)) {
			buf_printf(&b, "%zu", pages);
			s += 6;
		} else
			buf_putc(&b, *s);
	}
	char *r = arena_strdup(L->arena, b.s ? b.s : "");
	buf_free(&b);
	return r;
}

/* ------------------------------------------------------------------ footnotes */

/* The footnotes at the foot of one page: footnote `first` from its item k0 (k0 > 0: the
 * rest of one the page before split), those after it whole, and `last` up to its item
 * `end` (its nvi when it ends here); none when last < first. h: their height with the gap
 * above them. cited: the last footnote cited so far; those after `last` are held back for
 * the next page (cited on a line that could not move on while one before them goes on). */
struct foot {
	int first, last;
	size_t k0, end;
	double h;
	int cited;
	size_t by; /* the item citing `last` (0: cited on a page before) */
};

static const struct vitem *note_item(const struct lay *L, int n, size_t k)
{
	return &L->notes_vl[L->notes[n - 1].vi0 + k];
}

static size_t note_len(const struct lay *L, int n) { return L->notes[n - 1].nvi; }

/* Whether item k of footnote n, after a box of it, is a place it may split (a break in
 * a paragraph of it that leaves its orphan and widow lines, or between its blocks). */
static bool note_break(const struct lay *L, int n, size_t k, bool box)
{
	const struct vitem *v = note_item(L, n, k);
	return box && v->type == VI_PEN && v->pen < LB_INF;
}

/* The height of items [k, e) of footnote n, what comes before its first box left out. */
static double note_span(const struct lay *L, int n, size_t k, size_t e)
{
	double h = 0;
	bool box = false;
	for (; k < e; k++) {
		const struct vitem *v = note_item(L, n, k);
		box = box || v->type == VI_BOX;
		if (box && v->type != VI_PEN)
			h += v->h;
	}
	return h;
}

/* Where the part of footnote n from item k that fits in room ends: the footnote's end, or
 * its last break that fits (after a hyphen only when no other does); k when none fits, or
 * with force its first break. */
static size_t note_fit(const struct lay *L, int n, size_t k, double room, bool force)
{
	size_t nvi = note_len(L, n), best = k, hyphen = k, first = nvi;
	double h = 0;
	bool box = false;
	for (size_t i = k; i < nvi; i++) {
		const struct vitem *v = note_item(L, n, i);
		if (note_break(L, n, i, box)) {
			first = first < nvi ? first : i;
			if (h > room + 0.01)
				break;
			if (v->pen < PEN_PAGE_HYPHEN)
				best = i;
			else
				hyphen = i;
		}
		box = box || v->type == VI_BOX;
		if (box && v->type != VI_PEN)
			h += v->h;
	}
	if (h <= room + 0.01)
		return nvi;
	best = best > k ? best : hyphen;
	return best > k || !force ? best : first;
}

static double foot_h(const struct lay *L, const struct foot *f)
{
	if (f->last < f->first)
		return 0;
	double h = SP_LH(NOTE_GAP);
	for (int n = f->first; n <= f->last; n++)
		h += note_span(L, n, n == f->first ? f->k0 : 0, n == f->last ? f->end : note_len(L, n));
	return h;
}

/* Whether the last footnote of the page goes on past it. */
static bool foot_open(const struct lay *L, const struct foot *f)
{
	return f->last >= f->first && f->end < note_len(L, f->last);
}

/* The last footnote of the page given as much as room (for all of them) takes, at least
 * what it has: the page's room once its text is known. */
static void foot_fill(const struct lay *L, struct foot *f, double room, bool force)
{
	if (!foot_open(L, f))
		return;
	size_t had = f->end, k = f->last == f->first ? f->k0 : 0;
	f->end = k;
	double base = foot_h(L, f);
	f->end = note_fit(L, f->last, k, room - base, force);
	f->end = f->end > had ? f->end : had;
	f->h = foot_h(L, f);
}

/* Footnote m, first cited on the page: the one before it now whole; m whole if room (what
 * the page has left for footnotes) takes it, else as much as room and cap (the house
 * style's share of the page) take, at least its first lines. */
static void foot_add(const struct lay *L, struct foot *f, int m, double room, double cap)
{
	if (f->last < f->first)
		f->first = m, f->k0 = 0;
	f->last = m;
	f->cited = m > f->cited ? m : f->cited;
	f->end = note_len(L, m);
	f->h = foot_h(L, f);
	if (f->h > room + 0.01) {
		f->end = 0;
		foot_fill(L, f, fmin(room, cap), true);
	}
}

/* The page's footnotes given what its text leaves them (room): the last one as much as
 * fits, and those held back for it after it while their first lines fit. */
static void foot_finish(const struct lay *L, struct foot *f, double room)
{
	foot_fill(L, f, room, false);
	for (int m = f->last + 1; m <= f->cited && !foot_open(L, f); m++) {
		struct foot g = *f;
		foot_add(L, &g, m, room, room);
		if (g.h > room + 0.01)
			break;
		*f = g;
	}
}

/* A page's footnotes when it starts: the rest of one the page before split (next, from
 * item k0) and those cited before it that it held back (up to owed), in room (the house
 * style's share of the page while text remains). */
static struct foot foot_start(const struct lay *L, int next, size_t k0, int owed, double room)
{
	struct foot f = {next, next - 1, k0, 0, 0, owed, 0};
	if (k0 > 0) {
		f.last = next;
		f.end = k0;
		foot_fill(L, &f, room, true);
	}
	for (int m = f.last + 1; m <= owed && !foot_open(L, &f); m++)
		foot_add(L, &f, m, room, room);
	return f;
}

/* The height of the text after box i that a page break may not leave behind it. */
static double text_ahead(const struct lay *L, size_t i)
{
	double h = 0;
	for (size_t k = i + 1; k < L->nvl; k++) {
		const struct vitem *v = &L->vl[k];
		if (v->type == VI_PEN && v->pen < LB_INF)
			break;
		if (v->type != VI_PEN)
			h += v->h;
	}
	return h;
}

static bool text_left(const struct lay *L, size_t i)
{
	for (; i < L->nvl; i++)
		if (L->vl[i].type == VI_BOX)
			return true;
	return false;
}

/* A page: its items end before e, its text is h high, f its footnotes. */
struct cut {
	size_t e;
	double h;
	struct foot f;
};

/* The last footnote footnote m cites (cited first there: it follows m), or m. */
static int note_cites(const struct lay *L, int m)
{
	int last = m;
	for (size_t k = 0; k < note_len(L, m); k++) {
		const struct vitem *v = note_item(L, m, k);
		if (v->type == VI_BOX && v->nnote && v->note0 + v->nnote - 1 > last)
			last = v->note0 + v->nnote - 1;
	}
	return last;
}

/* Box v (item i) at cur on a page whose footnotes are *f: the footnotes it cites first
 * added to them (within what the page has left, ahead the text that must follow it). One
 * that does not fit after those before it follows them on the next page when moving the
 * line on would not help: no page break allowed before it (brk, the item after the page's
 * last allowed break, is 0) or since a line citing a footnote the page has. Else it is
 * added, the page overflows and ends before the line. */
static void cite(const struct lay *L, const struct vitem *v, size_t i, double cur, double h,
		 double avail, size_t brk, struct foot *f)
{
	double cap = SP(NOTE_MAX) * avail, room = avail - cur - h - text_ahead(L, i);
	bool stuck = brk == 0 || (f->last >= f->first && f->by >= brk);
	int last = v->note0 + v->nnote - 1;
	for (int m = v->note0; m <= last && m >= 1 && (size_t)m <= L->nnotes; m++) {
		last = last > note_cites(L, m) ? last : note_cites(L, m);
		if (m <= f->cited)
			continue;
		struct foot g = *f;
		foot_add(L, &g, m, room, cap);
		if (f->cited > f->last || (stuck && g.h > room + 0.01)) {
			f->cited = m; /* held back for the next page */
		} else {
			*f = g;
			f->by = i;
		}
	}
}

/* Where the page starting at item i ends: the item after the last break allowed before it
 * overflows (a break after a hyphen only when the page has no other), its footnotes
 * counted; a footnote that does not fit whole splits, its first lines kept with the line
 * that cites it. The page's footnotes begin with footnote next from item k0. */
static struct cut page_end(struct lay *L, size_t i, double avail, bool continued, int next,
			   size_t k0, int owed)
{
	double room = text_left(L, i) ? SP(NOTE_MAX) * avail : avail;
	struct foot f = foot_start(L, next, k0, owed, room);
	double cur = 0;
	bool content = false;
	struct cut best = {0, 0, f}, best_hyphen = best;
	for (; i < L->nvl; i++) {
		const struct vitem *v = &L->vl[i];
		if (v->type == VI_PEN) {
			if (v->pen <= -LB_INF && content)
				return (struct cut){i + 1, cur, f};
			if (v->pen < PEN_PAGE_HYPHEN && content)
				best = (struct cut){i + 1, cur, f};
			else if (v->pen < LB_INF && content)
				best_hyphen = (struct cut){i + 1, cur, f};
			continue;
		}
		if (v->type == VI_GLUE) {
			if (content)
				cur += v->h;
			continue;
		}
		double h = v->h;
		if (!content && v->thead >= 0 && continued)
			h += L->vl[v->thead].h + SP_LH(TABLE_CONTINUED_GAP);
		struct foot g = f;
		cite(L, v, i, cur, h, avail, best.e ? best.e : best_hyphen.e, &g);
		if (cur + h + g.h > avail + 0.01 && content)
			return best.e ? best : best_hyphen.e ? best_hyphen : (struct cut){i, cur, f};
		f = g;
		cur += h;
		content = true;
	}
	return (struct cut){L->nvl, cur, f};
}

/* A page: its first item and its footnotes. */
struct page_cut {
	size_t s;
	struct foot f;
};

/* Breaks the vertical list into pages, and the footnotes with them; returns how many. */
static size_t page_breaks(struct lay *L, double avail1, double availn, struct page_cut **cuts)
{
	size_t cap = 8, np = 0, i = 0, k0 = 0;
	struct page_cut *c = xmalloc(cap * sizeof *c);
	int next = 1, owed = 0;
	while (i < L->nvl || k0 > 0 || next <= owed) {
		if (np == cap)
			c = xrealloc(c, (cap *= 2) * sizeof *c);
		double avail = np == 0 ? avail1 : availn;
		struct cut pc = page_end(L, i, avail, np > 0, next, k0, owed);
		foot_finish(L, &pc.f, avail - pc.h); /* what the text left */
		c[np++] = (struct page_cut){i, pc.f};
		k0 = foot_open(L, &pc.f) ? pc.f.end : 0;
		next = k0 ? pc.f.last : (pc.f.last >= next ? pc.f.last + 1 : next);
		owed = pc.f.cited;
		i = pc.e;
	}
	*cuts = c;
	return np;
}

static void place(struct lay *L, struct pd_page *pg, const struct vitem *v, double dy,
		  struct pd_layout *out, size_t pno)
{
	for (size_t k = 0; k < v->nrun; k++) {
		struct pd_run r = L->runs[v->run0 + k];
		r.y += dy;
		pg->runs[pg->nruns++] = r;
	}
	for (size_t k = 0; k < v->nrule; k++) {
		struct pd_rule r = L->rules[v->rule0 + k];
		r.y0 += dy;
		r.y1 += dy;
		pg->rules[pg->nrules++] = r;
	}
	for (size_t k = 0; k < v->nimg; k++) {
		struct pd_image r = L->imgs[v->img0 + k];
		r.y += dy;
		pg->images[pg->nimages++] = r;
	}
	for (size_t k = 0; k < v->nlink; k++) {
		struct pd_link r = L->links[v->link0 + k];
		r.y0 += dy;
		r.y1 += dy;
		pg->links[pg->nlinks++] = r;
	}
	if (v->outline >= 0) {
		L->outl[v->outline].page = pno;
		L->outl[v->outline].y = dy;
		(void)out;
	}
}

static void page_alloc(struct lay *L, struct pd_page *pg, const struct vitem *v, size_t nv,
		       size_t extra_runs)
{
	size_t nr = extra_runs, nu = 4, ni = 0, nl = 0;
	for (size_t k = 0; k < nv; k++) {
		nr += v[k].nrun;
		nu += v[k].nrule;
		ni += v[k].nimg;
		nl += v[k].nlink;
	}
	pg->runs = arena_alloc(L->arena, (nr + 1) * sizeof *pg->runs);
	pg->rules = arena_alloc(L->arena, (nu + 1) * sizeof *pg->rules);
	pg->images = arena_alloc(L->arena, (ni + 1) * sizeof *pg->images);
	pg->links = arena_alloc(L->arena, (nl + 1) * sizeof *pg->links);
}

/* The continuation header of page pno (1-based) of pages, as a temporary box. */
static struct vitem header_box(struct lay *L, size_t pno, size_t pages, double size, double hh)
{
	struct vitem box;
	lay_box_begin(L, &box);
	const struct pd_style *st = L->st;
	/* the page number once: here, unless the footer prints it */
	bool numbered = !(st->footer && strstr(st->footer, "{page}"));
	char right[64];
	snprintf(right, sizeof right, "Page %zu of %zu", pno, pages);
	double rw = 0;
	for (const char *p = "Page 999 of 999"; numbered && *p; p++)
		rw += face_advance(L->in->set->style[PD_REGULAR], (uint32_t)*p) * size / 1000.0;
	plain_block(L, header_text(L), ST_ITALIC, size, AL_LEFT, st->margin_left,
		    st->margin_right + (numbered ? rw + 12 : 0), 0);
	if (numbered)
		plain_block(L, right, 0, size, AL_RIGHT, st->page_w - st->margin_right - rw - 6,
			    st->margin_right, 0);
	double ry = hh - SP_EM(HEADER_RULE_GAP);
	*VPUSH(rules) = (struct pd_rule){st->margin_left, ry, st->page_w - st->margin_right, ry,
					 SP(RULE_HEADER)};
	box.h = hh;
	box.nrun = L->nruns - box.run0;
	box.nrule = L->nrules - box.rule0;
	box.nimg = 0;
	box.nlink = L->nlinks - box.link0;
	return box;
}

static struct vitem footer_box(struct lay *L, size_t pno, size_t pages, double size)
{
	struct vitem box;
	lay_box_begin(L, &box);
	plain_block(L, subst_pages(L, L->st->footer, pno, pages), 0, size, AL_CENTER,
		    L->st->margin_left, L->st->margin_right, 0);
	box.nrun = L->nruns - box.run0;
	box.nrule = L->nrules - box.rule0;
	box.nimg = 0;
	box.nlink = L->nlinks - box.link0;
	return box;
}

/* Heights of the footer (every page) and of the continuation header (pages 2..N). */
static void furniture(struct lay *L, double *fh, double *hh)
{
	const struct pd_style *st = L->st;
	*fh = st->footer ? furniture_h(L, subst_pages(L, st->footer, 999, 999), SP_EM(FOOTER_SIZE)) +
			       SP_EM(FOOTER_GAP)
			 : 0;
	*hh = st->header ? furniture_h(L, header_text(L), SP_EM(HEADER_SIZE)) + SP_EM(HEADER_GAP) : 0;
}

double lay_room(struct lay *L)
{
	if (L->room <= 0) {
		double fh, hh;
		furniture(L, &fh, &hh);
		L->room = L->st->page_h - L->st->margin_top - L->st->margin_bottom - fh - hh;
	}
	return L->room;
}

/* A table's header row repeated on a continuation page is a pagination artifact: the
 * structure has it once, where the table starts. */
static void repeated(struct pd_page *pg, size_t run0, size_t link0)
{
	for (size_t k = run0; k < pg->nruns; k++)
		pg->runs[k].elem = PD_ARTIFACT_PAGE;
	for (size_t k = link0; k < pg->nlinks; k++)
		pg->links[k].elem = PD_ARTIFACT_PAGE;
}

/* The items of a page's footnotes, in order, from each one's first box: fn(v, ctx) each. */
static void foot_each(const struct lay *L, const struct foot *f,
		      void (*fn)(const struct vitem *v, void *ctx), void *ctx)
{
	for (int n = f->first; n <= f->last; n++) {
		bool box = false;
		size_t e = n == f->last ? f->end : note_len(L, n);
		for (size_t k = n == f->first ? f->k0 : 0; k < e; k++) {
			const struct vitem *v = note_item(L, n, k);
			box = box || v->type == VI_BOX;
			if (box && v->type != VI_PEN)
				fn(v, ctx);
		}
	}
}

struct placing {
	struct lay *L;
	struct pd_page *pg;
	struct pd_layout *out;
	size_t p;
	double y;
};

static void place_note_item(const struct vitem *v, void *ctx)
{
	struct placing *pl = ctx;
	if (v->type == VI_BOX)
		place(pl->L, pl->pg, v, pl->y, pl->out, pl->p);
	pl->y += v->h;
}

/* A page's footnotes at its foot, ending at bottom, under a short rule (a rule of the
 * house style's other length above a footnote continued from the page before). */
static void place_notes(struct lay *L, struct pd_page *pg, const struct foot *f, double bottom,
			struct pd_layout *out, size_t p)
{
	if (f->last < f->first)
		return;
	double gap = SP_LH(NOTE_GAP), y = bottom - f->h;
	struct vitem rule;
	lay_box_begin(L, &rule);
	double share = f->k0 > 0 ? SP(NOTE_CONTINUED_RULE) : SP(NOTE_RULE);
	double x0 = L->st->margin_left, x1 = x0 + share * style_measure(L->st);
	*VPUSH(rules) = (struct pd_rule){x0, gap / 2, x1, gap / 2, SP(RULE_HEADER)};
	rule.nrule = 1;
	place(L, pg, &rule, y, out, p);
	struct placing pl = {L, pg, out, p, y + gap};
	foot_each(L, f, place_note_item, &pl);
}

struct gather {
	struct vitem *v;
	size_t n;
};

static void gather_item(const struct vitem *v, void *ctx)
{
	struct gather *g = ctx;
	g->v[g->n++] = *v;
}

/* Room for the page's items: its boxes, furniture and footnotes. */
static void page_room(struct lay *L, struct pd_page *pg, size_t s, size_t e, long thead,
		      const struct vitem *furn, size_t nfurn, const struct foot *f, size_t extra)
{
	size_t nn = 0;
	for (int n = f->first; n <= f->last; n++)
		nn += note_len(L, n);
	struct gather g = {xmalloc((e - s + nfurn + nn + 2) * sizeof *g.v), 0};
	for (size_t i = s; i < e; i++)
		g.v[g.n++] = L->vl[i];
	if (thead >= 0)
		g.v[g.n++] = L->vl[thead];
	for (size_t i = 0; i < nfurn; i++)
		g.v[g.n++] = furn[i];
	foot_each(L, f, gather_item, &g);
	page_alloc(L, pg, g.v, g.n, extra);
	free(g.v);
}

/* The faces the pages use, in first-use order. */
static void collect_faces(struct lay *L, struct pd_layout *out)
{
	size_t cap = 8;
	out->faces = arena_alloc(L->arena, cap * sizeof *out->faces);
	for (size_t p = 0; p < out->npages; p++)
		for (size_t k = 0; k < out->pages[p].nruns; k++) {
			const struct pd_face *f = out->pages[p].runs[k].face;
			size_t j = 0;
			while (j < out->nfaces && out->faces[j] != f)
				j++;
			if (j < out->nfaces)
				continue;
			if (out->nfaces == cap) {
				const struct pd_face **nf = arena_alloc(L->arena, 2 * cap * sizeof *nf);
				memcpy(nf, out->faces, cap * sizeof *nf);
				out->faces = nf;
				cap *= 2;
			}
			out->faces[out->nfaces++] = f;
		}
}

void lay_paginate(struct lay *L, struct pd_layout *out)
{
	const struct pd_style *st = L->st;
	double body = st->page_h - st->margin_top - st->margin_bottom;
	double fsize = SP_EM(FOOTER_SIZE), hsize = SP_EM(HEADER_SIZE);
	double fh, hh;
	furniture(L, &fh, &hh);
	struct page_cut *cuts;
	size_t np = page_breaks(L, body - fh, body - fh - hh, &cuts);
	if (np == 0) {
		cuts = xrealloc(cuts, sizeof *cuts);
		cuts[0] = (struct page_cut){0, {1, 0, 0, 0, 0, 0, 0}};
		np = 1;
	}
	out->page_w = st->page_w;
	out->page_h = st->page_h;
	out->npages = np;
	out->pages = arena_alloc(L->arena, np * sizeof *out->pages);
	for (size_t p = 0; p < np; p++) {
		size_t s = cuts[p].s, e = p + 1 < np ? cuts[p + 1].s : L->nvl;
		struct vitem fb = {0}, hb = {0};
		size_t extra = 0;
		size_t r0 = L->nruns, u0 = L->nrules, k0 = L->nlinks;
		int elem = L->elem;
		L->elem = PD_ARTIFACT_PAGE;
		if (st->footer)
			fb = footer_box(L, p + 1, np, fsize), extra += fb.nrun;
		if (st->header && p > 0)
			hb = header_box(L, p + 1, np, hsize, hh), extra += hb.nrun;
		L->elem = elem;
		struct pd_page *pg = &out->pages[p];
		/* the header row of a table continued from the last page */
		long thead = -1;
		for (size_t i = s; i < e; i++)
			if (L->vl[i].type == VI_BOX) {
				if (p > 0 && L->vl[i].thead >= 0)
					thead = L->vl[i].thead;
				break;
			}
		struct vitem furn[2];
		size_t nfurn = 0;
		if (st->footer)
			furn[nfurn++] = fb;
		if (st->header && p > 0)
			furn[nfurn++] = hb;
		page_room(L, pg, s, e, thead, furn, nfurn, &cuts[p].f, extra);
		double y = st->margin_top;
		if (st->header && p > 0) {
			place(L, pg, &hb, y, out, p);
			y += hh;
		}
		if (st->footer)
			place(L, pg, &fb, st->page_h - st->margin_bottom - fh + SP_EM(FOOTER_GAP), out, p);
		if (thead >= 0) {
			size_t nr = pg->nruns, nk = pg->nlinks;
			y += SP_LH(TABLE_CONTINUED_GAP);
			place(L, pg, &L->vl[thead], y, out, p);
			repeated(pg, nr, nk);
			y += L->vl[thead].h;
		}
		bool content = false;
		for (size_t i = s; i < e; i++) {
			const struct vitem *v = &L->vl[i];
			if (v->type == VI_GLUE && content)
				y += v->h;
			else if (v->type == VI_BOX) {
				place(L, pg, v, y, out, p);
				y += v->h;
				content = true;
			}
		}
		place_notes(L, pg, &cuts[p].f, st->page_h - st->margin_bottom - fh, out, p);
		L->nruns = r0;
		L->nrules = u0;
		L->nlinks = k0;
	}
	free(cuts);
	out->noutlines = L->noutl;
	out->outlines = arena_alloc(L->arena, (L->noutl + 1) * sizeof *out->outlines);
	if (L->noutl)
		memcpy(out->outlines, L->outl, L->noutl * sizeof *out->outlines);
	collect_faces(L, out);
}
