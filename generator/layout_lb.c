/* layout_lb: the line breaker of the layout stage (Knuth and Plass, "Breaking
 * Paragraphs into Lines", 1981). In: boxes, glue, penalties. Out: break indices. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "layout.h"

#define LB_AWFUL 1e9

struct node {
	long pos;    /* break item, -1 for the start */
	long start;  /* first item of the next line */
	int fitness; /* 0 tight .. 3 very loose */
	double demerits;
	int prev;    /* index in the node pool, -1 */
	int line;
	int flagged; /* hyphen breaks in a row ending here */
	bool active;
};

struct sums {
	double *w, *st, *sh; /* totals of items [0, i) */
};

static bool is_break(const struct lb_item *it, size_t i)
{
	if (it[i].type == LB_PENALTY)
		return it[i].penalty < LB_INF;
	if (it[i].type == LB_GLUE)
		return i > 0 && it[i - 1].type == LB_BOX;
	return false;
}

/* First item of the line after a break at pos: discardable items are dropped. */
static long line_start(const struct lb_item *it, size_t n, long pos)
{
	long i = pos + 1;
	while ((size_t)i < n && it[i].type != LB_BOX &&
	       !(it[i].type == LB_PENALTY && it[i].penalty <= -LB_INF))
		i++;
	return i;
}

static double ratio(const struct lb_item *it, const struct sums *s, long from, size_t to,
		    const struct lb_opts *o)
{
	double w = s->w[to] - s->w[from], st = s->st[to] - s->st[from] + o->rag,
	       sh = s->sh[to] - s->sh[from];
	if (it[to].type == LB_PENALTY)
		w += it[to].w;
	if (w < o->width - 1e-9)
		return st > 0 ? (o->width - w) / st : LB_AWFUL;
	if (w > o->width + 1e-9)
		return sh > 0 ? (o->width - w) / sh : -LB_AWFUL;
	return 0;
}

static void sums_make(const struct lb_item *it, size_t n, struct sums *s)
{
	s->w = xcalloc(3 * (n + 1), sizeof *s->w); /* one block: w, then st, then sh */
	s->st = s->w + n + 1;
	s->sh = s->st + n + 1;
	for (size_t i = 0; i < n; i++) {
		s->w[i + 1] = s->w[i] + (it[i].type == LB_PENALTY ? 0 : it[i].w);
		s->st[i + 1] = s->st[i] + (it[i].type == LB_GLUE ? it[i].stretch : 0);
		s->sh[i + 1] = s->sh[i] + (it[i].type == LB_GLUE ? it[i].shrink : 0);
	}
}

static void sums_free(struct sums *s)
{
	free(s->w);
}

double lb_ratio(const struct lb_item *items, size_t from, size_t to, const struct lb_opts *opts)
{
	struct sums s;
	sums_make(items, to + 1, &s);
	double r = ratio(items, &s, (long)from, to, opts);
	sums_free(&s);
	return r;
}

void lb_line_ratios(const struct lb_item *items, size_t n, const size_t *breaks, size_t nb,
		    const struct lb_opts *opts, double *ratios)
{
	if (nb == 0)
		return;
	struct sums s;
	sums_make(items, breaks[nb - 1] + 1, &s);
	long prev = -1;
	for (size_t b = 0; b < nb; b++) {
		ratios[b] = ratio(items, &s, line_start(items, n, prev), breaks[b], opts);
		prev = (long)breaks[b];
	}
	sums_free(&s);
}

static int fitness_of(double r)
{
	return r < -0.5 ? 0 : r <= 0.5 ? 1 : r <= 1 ? 2 : 3;
}

static size_t trace(const struct node *pool, int best, size_t *breaks)
{
	size_t k = 0;
	for (int i = best; i >= 0 && pool[i].pos >= 0; i = pool[i].prev)
		k++;
	size_t m = k;
	for (int i = best; i >= 0 && pool[i].pos >= 0; i = pool[i].prev)
		breaks[--k] = (size_t)pool[i].pos;
	return m;
}

/* Demerits of a line of adjustment ratio r ending at a break of penalty pen. */
static double demerits(const struct lb_opts *o, double r, double tol, int pen)
{
	/* in the emergency pass looser lines keep costing more (no cap at 10000) */
	double bcap = tol >= LB_AWFUL ? 1e12 : LB_INF;
	double a = fabs(r);
	double bad = r >= LB_AWFUL ? bcap : fmin(100 * a * a * a, bcap);
	double d = (o->line_penalty + bad) * (o->line_penalty + bad);
	if (pen > 0)
		d += (double)pen * pen;
	else if (pen > -LB_INF)
		d -= (double)pen * pen;
	return d;
}

/* The nodes of a pass: every node made (the pool, for tracing back) and, in the order they
 * were made, those still active. A node goes inactive for good once a line from it would be
 * too tight, so the active ones are those within a line of the break being tried: a pass
 * is linear in the paragraph's length. visits counts the active nodes tried. */
#define PASS_INLINE 128 /* nodes a short paragraph's pass holds without allocating */

struct pass {
	struct node *pool;
	size_t npool, cap;
	int *active;
	size_t nactive, cap_active;
	size_t visits;
	struct node pool0[PASS_INLINE];
	int active0[PASS_INLINE];
};

/* Doubles an array that starts in the pass itself (inline) and moves to the heap. */
static void *grow(void *v, const void *inline_v, size_t *cap, size_t size)
{
	void *bigger = xmalloc(2 * *cap * size);
	memcpy(bigger, v, *cap * size);
	if (v != inline_v)
		free(v);
	*cap *= 2;
	return bigger;
}

static void pass_add(struct pass *p, const struct node *nd)
{
	if (p->npool == p->cap)
		p->pool = grow(p->pool, p->pool0, &p->cap, sizeof *p->pool);
	if (p->nactive == p->cap_active)
		p->active = grow(p->active, p->active0, &p->cap_active, sizeof *p->active);
	p->active[p->nactive++] = (int)p->npool;
	p->pool[p->npool++] = *nd;
}

/* The best line to the break at b from each active node, one per fitness class (best);
 * the nodes the break ends for good leave the active list, which keeps its order. */
static void try_break(struct pass *p, const struct lb_item *it, size_t n, const struct lb_opts *o,
		      const struct sums *s, double tol, size_t b, struct node best[4], bool have[4])
{
	int pen = it[b].type == LB_PENALTY ? it[b].penalty : 0;
	bool forced = pen <= -LB_INF, flag = it[b].type == LB_PENALTY && it[b].flagged;
	size_t kept = 0;
	for (size_t k = 0; k < p->nactive; k++) {
		int a = p->active[k];
		struct node *from = &p->pool[a];
		p->visits++;
		if (from->start > (long)b) {
			p->active[kept++] = a;
			continue;
		}
		double r = ratio(it, s, from->start, b, o);
		if (r < -1 || forced)
			from->active = false;
		else
			p->active[kept++] = a;
		if (r < -1 || r > tol || (flag && o->max_flagged && from->flagged >= o->max_flagged))
			continue;
		double d = demerits(o, r, tol, pen) + from->demerits;
		if (flag && from->flagged)
			d += o->flag_demerits;
		if (b == n - 1 && from->flagged)
			d += o->final_demerits;
		int fc = r >= LB_AWFUL ? 3 : fitness_of(r);
		if (abs(fc - from->fitness) > 1)
			d += o->fit_demerits;
		if (!have[fc] || d < best[fc].demerits) {
			have[fc] = true;
			best[fc] = (struct node){(long)b, line_start(it, n, (long)b), fc, d, a,
						 from->line + 1, flag ? from->flagged + 1 : 0, true};
		}
	}
	p->nactive = kept;
}

/* One pass; returns the number of breaks, 0 when no feasible set exists. */
static size_t kp_pass(const struct lb_item *it, size_t n, const struct lb_opts *o,
		      const struct sums *s, double tol, size_t *breaks, size_t *visits)
{
	struct pass p;
	p.pool = p.pool0, p.active = p.active0, p.cap = p.cap_active = PASS_INLINE;
	p.npool = p.nactive = p.visits = 0;
	pass_add(&p, &(struct node){-1, line_start(it, n, -1), 1, 0, -1, 0, 0, true});
	for (size_t b = 0; b < n && p.nactive > 0; b++) {
		if (!is_break(it, b))
			continue;
		struct node best[4];
		bool have[4] = {false, false, false, false};
		try_break(&p, it, n, o, s, tol, b, best, have);
		for (int fc = 0; fc < 4; fc++)
			if (have[fc])
				pass_add(&p, &best[fc]);
	}
	int win = -1;
	for (size_t i = 0; i < p.npool; i++)
		if (p.pool[i].active && p.pool[i].pos == (long)n - 1 &&
		    (win < 0 || p.pool[i].demerits < p.pool[win].demerits))
			win = (int)i;
	size_t k = win >= 0 ? trace(p.pool, win, breaks) : 0;
	if (visits)
		*visits += p.visits;
	if (p.pool != p.pool0)
		free(p.pool);
	if (p.active != p.active0)
		free(p.active);
	return k;
}

size_t lb_greedy(const struct lb_item *it, size_t n, const struct lb_opts *o, size_t *breaks)
{
	struct sums s;
	sums_make(it, n, &s);
	size_t k = 0;
	long start = line_start(it, n, -1), last = -1;
	for (size_t b = 0; b < n; b++) {
		if (!is_break(it, b))
			continue;
		double r = ratio(it, &s, start, b, o);
		if (r < -1 && last >= 0 && last >= start) {
			breaks[k++] = (size_t)last;
			start = line_start(it, n, last);
			last = -1;
			b = (size_t)start - 1; /* look again from the new line's start */
			continue;
		}
		last = (long)b;
		if (it[b].type == LB_PENALTY && it[b].penalty <= -LB_INF) {
			breaks[k++] = b;
			start = line_start(it, n, (long)b);
			last = -1;
		}
	}
	sums_free(&s);
	return k;
}

size_t lb_try(const struct lb_item *items, size_t n, const struct lb_opts *opts,
	      size_t *breaks)
{
	if (n == 0)
		return 0;
	struct sums s;
	sums_make(items, n, &s);
	size_t k = kp_pass(items, n, opts, &s, opts->tolerance > 0 ? opts->tolerance : 2, breaks,
			   NULL);
	sums_free(&s);
	return k;
}

size_t lb_break_counted(const struct lb_item *items, size_t n, const struct lb_opts *opts,
			size_t *breaks, size_t *visits)
{
	if (n == 0)
		return 0;
	struct sums s;
	sums_make(items, n, &s);
	double tol = opts->tolerance > 0 ? opts->tolerance : 2;
	size_t k = kp_pass(items, n, opts, &s, tol, breaks, visits);
	if (k == 0)
		k = kp_pass(items, n, opts, &s, LB_AWFUL, breaks, visits);
	sums_free(&s);
	if (k == 0)
		k = lb_greedy(items, n, opts, breaks);
	return k;
}

size_t lb_break(const struct lb_item *items, size_t n, const struct lb_opts *opts,
		size_t *breaks)
{
	return lb_break_counted(items, n, opts, breaks, NULL);
}
