/* diag: collects located diagnostics from every stage and prints them once.
 * In: severity, place, rule id, message. Out: "FILE:LINE:COL: error: msg", source line, caret. */
#include "diag.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

struct source {
	struct source *next;
	const char *file;
	const char *text;
	size_t len;
	size_t *lines; /* offset of each line's start, built on first use */
	size_t nlines;
};

/* Interned file names (one copy of each, compared by address: a hash set, since a batch
 * interns every case file of its docket) and the texts diagnostics quote. */
struct pd_diag_store {
	struct source *sources;
	char **slot;
	size_t cap, count;
};

struct pd_diag_store *diag_store_new(void)
{
	return xcalloc(1, sizeof(struct pd_diag_store));
}

void diag_store_free(struct pd_diag_store *st)
{
	if (!st)
		return;
	while (st->sources) {
		struct source *s = st->sources;
		st->sources = s->next;
		free(s->lines);
		free(s);
	}
	for (size_t i = 0; i < st->cap; i++)
		free(st->slot[i]);
	free(st->slot);
	free(st);
}

static char **name_slot(const struct pd_diag_store *st, const char *name)
{
	size_t i = (size_t)hash_bytes(name, strlen(name)) & (st->cap - 1);
	while (st->slot[i] && strcmp(st->slot[i], name) != 0)
		i = (i + 1) & (st->cap - 1);
	return &st->slot[i];
}

static void names_grow(struct pd_diag_store *st)
{
	char **old = st->slot;
	size_t old_cap = st->cap;
	st->cap = old_cap ? old_cap * 2 : 64;
	st->slot = xcalloc(st->cap, sizeof *st->slot);
	for (size_t i = 0; i < old_cap; i++)
		if (old[i])
			*name_slot(st, old[i]) = old[i];
	free(old);
}

const char *diag_store_intern(struct pd_diag_store *st, const char *name)
{
	if (!name)
		return NULL;
	if (2 * (st->count + 1) > st->cap)
		names_grow(st);
	char **slot = name_slot(st, name);
	if (!*slot) {
		*slot = xstrdup(name);
		st->count++;
	}
	return *slot;
}

void diag_store_source(struct pd_diag_store *st, const char *file, const char *text, size_t len)
{
	file = diag_store_intern(st, file);
	for (struct source *s = st->sources; s; s = s->next)
		if (s->file == file) {
			s->text = text;
			s->len = len;
			free(s->lines);
			s->lines = NULL;
			s->nlines = 0;
			return;
		}
	struct source *s = xmalloc(sizeof *s);
	*s = (struct source){st->sources, file, text, len, NULL, 0};
	st->sources = s;
}

void diag_store_forget(struct pd_diag_store *st, const char *file)
{
	if (!st || !file)
		return;
	file = diag_store_intern(st, file);
	for (struct source **p = &st->sources; *p; p = &(*p)->next)
		if ((*p)->file == file) {
			struct source *dead = *p;
			*p = dead->next;
			free(dead->lines);
			free(dead);
			return;
		}
}

/* The list's store; a list given none makes its own, freed by diag_clear. */
static struct pd_diag_store *store_of(struct pd_diags *d)
{
	if (!d->store) {
		d->store = diag_store_new();
		d->own_store = true;
	}
	return d->store;
}

const char *diag_intern(struct pd_diags *d, const char *name)
{
	return diag_store_intern(store_of(d), name);
}

void diag_source(struct pd_diags *d, const char *file, const char *text, size_t len)
{
	diag_store_source(store_of(d), file, text, len);
}

void diag_vadd(struct pd_diags *d, enum pd_severity sev, struct pd_loc loc, const char *rule,
	       const char *fmt, va_list ap)
{
	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 8;
		d->v = xrealloc(d->v, d->cap * sizeof *d->v);
	}
	struct pd_buf msg = {0};
	buf_vprintf(&msg, fmt, ap);
	d->v[d->n++] = (struct pd_diag){sev, loc, rule ? xstrdup(rule) : NULL, buf_take(&msg),
					NULL};
	if (sev == PD_ERROR)
		d->errors++;
	else if (sev == PD_WARNING)
		d->warnings++;
}

void diag_add(struct pd_diags *d, enum pd_severity sev, struct pd_loc loc, const char *rule,
	      const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	diag_vadd(d, sev, loc, rule, fmt, ap);
	va_end(ap);
}

void diag_error(struct pd_diags *d, struct pd_loc loc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	diag_vadd(d, PD_ERROR, loc, NULL, fmt, ap);
	va_end(ap);
}

void diag_warn(struct pd_diags *d, struct pd_loc loc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	diag_vadd(d, PD_WARNING, loc, NULL, fmt, ap);
	va_end(ap);
}

void diag_context(struct pd_diags *d, const char *fmt, ...)
{
	if (!d->n)
		return;
	struct pd_diag *last = &d->v[d->n - 1];
	struct pd_buf b = {0};
	if (last->context) {
		buf_puts(&b, last->context);
		buf_putc(&b, '\n');
		free(last->context);
	}
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	last->context = buf_take(&b);
}

void diag_copy_one(struct pd_diags *dst, const struct pd_diag *g)
{
	diag_add(dst, g->sev, g->loc, g->rule, "%s", g->msg);
	if (g->context)
		diag_context(dst, "%s", g->context);
}

void diag_copy(struct pd_diags *dst, const struct pd_diags *src)
{
	for (size_t i = 0; i < src->n; i++)
		diag_copy_one(dst, &src->v[i]);
}

static struct source *source_of(const struct pd_diag_store *st, const char *file)
{
	for (struct source *s = st ? st->sources : NULL; s; s = s->next)
		if (s->file == file || (file && strcmp(s->file, file) == 0))
			return s;
	return NULL;
}

/* The start of line (1-based) in src, or NULL; the line index makes many diagnostics on a
 * large file cost no more than one pass over it. */
static const char *line_start(struct source *src, int line)
{
	if (!src->lines) {
		size_t cap = 64;
		src->lines = xmalloc(cap * sizeof *src->lines);
		src->lines[src->nlines++] = 0;
		for (const char *p = src->text, *end = src->text + src->len;
		     (p = memchr(p, '\n', (size_t)(end - p))) != NULL; p++) {
			if (src->nlines == cap)
				src->lines = xrealloc(src->lines, (cap *= 2) * sizeof *src->lines);
			src->lines[src->nlines++] = (size_t)(p + 1 - src->text);
		}
	}
	if (line < 1 || (size_t)line > src->nlines)
		return NULL;
	const char *p = src->text + src->lines[line - 1];
	if (line == 1 && src->len >= 3 && !memcmp(p, "\xEF\xBB\xBF", 3))
		p += 3; /* a byte order mark is not part of the line */
	return p;
}

#define EXCERPT_MAX 200   /* a line up to this many characters is shown whole */
#define EXCERPT_WIDTH 160 /* else this many characters around the column */

/* Writes text[0..len) with control characters (terminal escapes in hostile input) as '?'. */
/* Writes s[0..len) to the terminal safely: C0 and C1 control characters, DEL and bytes
 * that start no UTF-8 sequence become escapes (\x1B, \u0085) or, in a quoted line that
 * must keep its columns, '?'. Tabs and (when keep_newlines) newlines pass. */
static void put_safe(const char *s, size_t len, bool escape, bool keep_newlines, FILE *f)
{
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		int n = utf8_decode(s + i, len - i, &cp);
		unsigned char c = (unsigned char)s[i];
		bool invalid = cp == 0xFFFD && n == 1;
		bool control = (cp < 0x20 && cp != '\t' && !(cp == '\n' && keep_newlines)) ||
			       cp == 0x7F || (cp >= 0x80 && cp <= 0x9F);
		if (!invalid && !control)
			fwrite(s + i, 1, (size_t)n, f);
		else if (!escape)
			fputc('?', f);
		else if (invalid || cp < 0x80)
			fprintf(f, "\\x%02X", c);
		else
			fprintf(f, "\\u%04X", (unsigned)cp);
		i += (size_t)n;
	}
}

static void put_clean(const char *s, size_t len, FILE *f)
{
	put_safe(s, len, false, false, f);
}

/* Prints the quoted line and a caret under the column (columns count characters). A long
 * line is cut to a window of whole characters around the column, marked with "...". */
static void print_excerpt(const struct pd_diag_store *st, const struct pd_loc *loc, FILE *f)
{
	struct source *src = source_of(st, loc->file);
	const char *p = src ? line_start(src, loc->line) : NULL;
	if (!p)
		return;
	const char *end = src->text + src->len;
	const char *eol = memchr(p, '\n', (size_t)(end - p));
	if (!eol)
		eol = end;
	if (eol > p && eol[-1] == '\r')
		eol--;
	const char *nul = eol > p ? memchr(p, '\0', (size_t)(eol - p)) : NULL;
	if (nul)
		eol = nul;
	int nchars = 0;
	for (const char *q = p; q < eol; q++)
		nchars += ((unsigned char)*q & 0xC0) != 0x80;
	int skip = nchars > EXCERPT_MAX && loc->col > EXCERPT_WIDTH / 2
		       ? loc->col - EXCERPT_WIDTH / 2 : 0;
	const char *from = p;
	for (int c = 0; c < skip && from < eol; c++)
		while (++from < eol && ((unsigned char)*from & 0xC0) == 0x80)
			;
	const char *to = from;
	for (int c = 0; c < EXCERPT_WIDTH && to < eol; c++)
		while (++to < eol && ((unsigned char)*to & 0xC0) == 0x80)
			;
	fputs(from > p ? "  ..." : "  ", f);
	put_clean(from, (size_t)(to - from), f);
	fputs(to < eol ? "...\n  " : "\n  ", f);
	if (from > p)
		fputs("   ", f);
	int col = 1 + skip;
	for (const char *q = from; q < to && col < loc->col; q++) {
		if (((unsigned char)*q & 0xC0) == 0x80)
			continue;
		fputc(*q == '\t' ? '\t' : ' ', f);
		col++;
	}
	fputs("^\n", f);
}

static const char *severity_name(enum pd_severity sev)
{
	return sev == PD_ERROR ? "error" : sev == PD_WARNING ? "warning" : "note";
}

void diag_put_text(const char *s, FILE *f)
{
	put_safe(s, strlen(s), true, true, f);
	fputc('\n', f);
}

void diag_line(FILE *f, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	struct pd_buf b = {0};
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	diag_put_text(b.s, f);
	buf_free(&b);
}

void diag_print(const struct pd_diags *d, FILE *f)
{
	for (size_t i = 0; i < d->n; i++) {
		const struct pd_diag *g = &d->v[i];
		if (g->loc.file)
			put_safe(g->loc.file, strlen(g->loc.file), true, false, f);
		if (g->loc.file && g->loc.line > 0)
			fprintf(f, ":%d:%d: ", g->loc.line, g->loc.col);
		else if (g->loc.file)
			fputs(": ", f);
		else
			fputs("pdgen: ", f);
		fprintf(f, "%s: ", severity_name(g->sev));
		if (g->rule)
			fprintf(f, "[%s] ", g->rule);
		diag_put_text(g->msg, f);
		print_excerpt(d->store, &g->loc, f);
		if (g->context)
			diag_put_text(g->context, f);
	}
}

void diag_clear(struct pd_diags *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->v[i].rule);
		free(d->v[i].msg);
		free(d->v[i].context);
	}
	free(d->v);
	struct pd_diag_store *keep = d->own_store ? NULL : d->store;
	if (d->own_store)
		diag_store_free(d->store);
	*d = (struct pd_diags){.store = keep};
}

struct pd_loc diag_loc_at(const char *file, const char *text, size_t len, size_t offset)
{
	struct pd_loc loc = {file, 1, 1};
	if (offset > len)
		offset = len;
	size_t start = len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3) && offset >= 3 ? 3 : 0;
	for (size_t i = start; i < offset; i++) {
		unsigned char c = (unsigned char)text[i];
		if (c == '\n') {
			loc.line++;
			loc.col = 1;
		} else if ((c & 0xC0) != 0x80) {
			loc.col++;
		}
	}
	return loc;
}

static size_t min3(size_t x, size_t y, size_t z)
{
	size_t m = x < y ? x : y;
	return m < z ? m : z;
}

/* Optimal string alignment: insertions, deletions, substitutions and swaps of two
 * neighbouring letters ("fdo" for "fod") each count one. Three rows of the table. */
size_t diag_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t *rows = xcalloc(3 * (lb + 1), sizeof *rows);
	size_t *two_up = rows, *up = rows + lb + 1, *cur = rows + 2 * (lb + 1);
	for (size_t j = 0; j <= lb; j++)
		up[j] = j;
	for (size_t i = 1; i <= la; i++) {
		cur[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
			cur[j] = min3(up[j] + 1, cur[j - 1] + 1, up[j - 1] + cost);
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    two_up[j - 2] + 1 < cur[j])
				cur[j] = two_up[j - 2] + 1;
		}
		size_t *t = two_up;
		two_up = up;
		up = cur;
		cur = t;
	}
	size_t result = up[lb];
	free(rows);
	return result;
}

const char *diag_nearest(const char *name, const char *const *candidates, size_t n)
{
	const char *best = NULL;
	size_t best_d = (size_t)-1;
	size_t len = strlen(name);
	/* two edits turn a name of one or two letters into most short names ("zz" into "cc"):
	   there only one edit counts, so a candidate is at most one letter longer */
	size_t limit = len <= 2 ? 1 : len / 3 + 2;
	for (size_t i = 0; i < n; i++) {
		if (!candidates[i])
			continue;
		size_t dist = diag_distance(name, candidates[i]);
		if (dist < best_d) {
			best_d = dist;
			best = candidates[i];
		}
	}
	return best_d <= limit ? best : NULL;
}

struct pd_suggestion diag_did_you_mean(const char *name, const char *const *candidates,
				       size_t n, char quote)
{
	struct pd_suggestion s = {""};
	const char *near = diag_nearest(name, candidates, n);
	if (near)
		snprintf(s.text, sizeof s.text, " (did you mean %c%s%c?)", quote, near, quote);
	return s;
}

static void diag_json(struct pd_buf *b, const struct pd_diag *g)
{
	buf_puts(b, "{\"file\":");
	buf_json_string(b, g->loc.file);
	buf_printf(b, ",\"line\":%d,\"column\":%d,\"severity\":\"%s\",\"rule\":", g->loc.line,
		   g->loc.col, severity_name(g->sev));
	if (g->rule)
		buf_json_string(b, g->rule);
	else
		buf_puts(b, "null");
	buf_puts(b, ",\"message\":");
	buf_json_string(b, g->msg);
	buf_putc(b, '}');
}

void diag_json_array(struct pd_buf *b, const struct pd_diags *d)
{
	buf_putc(b, '[');
	for (size_t i = 0; d && i < d->n; i++) {
		if (i)
			buf_putc(b, ',');
		diag_json(b, &d->v[i]);
	}
	buf_putc(b, ']');
}

void diag_print_json(const struct pd_diags *d, FILE *f)
{
	struct pd_buf b = {0};
	for (size_t i = 0; i < d->n; i++) {
		diag_json(&b, &d->v[i]);
		buf_putc(&b, '\n');
	}
	if (b.len)
		fwrite(b.s, 1, b.len, f);
	buf_free(&b);
}
