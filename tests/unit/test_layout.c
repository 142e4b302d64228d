/* test_layout: the line breaker (Knuth-Plass total fit against first fit), front matter
 * splitting and page markers, NFC, hyphenation and its cache of compiled patterns, and
 * typeset_text on small documents. */
#define _XOPEN_SOURCE 700 /* mkdtemp, truncate */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "hyph.h"
#include "hyph_impl.h"
#include "layout.h"
#include "md.h"
#include "typeset.h"
#include "util.h"
#include "value.h"

/* A paragraph of words of the given widths, spaces of width 3 (stretch 1.5, shrink 1),
 * ending with fill glue and a forced break. */
static size_t para(const double *words, size_t n, struct lb_item *it)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (i)
			it[k++] = (struct lb_item){LB_GLUE, 3, 1.5, 1, 0, false};
		it[k++] = (struct lb_item){LB_BOX, words[i], 0, 0, 0, false};
	}
	it[k++] = (struct lb_item){LB_GLUE, 0, 1e5, 0, 0, false};
	it[k++] = (struct lb_item){LB_PENALTY, 0, 0, 0, -LB_INF, false};
	return k;
}

static double line_width(const struct lb_item *it, size_t from, size_t to)
{
	double w = 0;
	while (from < to && it[from].type != LB_BOX)
		from++;
	for (size_t i = from; i < to; i++)
		if (it[i].type != LB_PENALTY && it[i].stretch < 1e5)
			w += it[i].w;
	return w;
}

static const struct lb_opts opts = {100, 2, 0, 10, 3000, 1000, 0, 0};

static void breaks_fit_measure(void **state)
{
	(void)state;
	double words[40];
	for (int i = 0; i < 40; i++)
		words[i] = 10 + (i * 7) % 23;
	struct lb_item it[100];
	size_t n = para(words, 40, it), br[100];
	size_t k = lb_break(it, n, &opts, br);
	assert_true(k >= 2);
	assert_int_equal(br[k - 1], n - 1); /* ends at the paragraph's end */
	size_t from = 0;
	for (size_t i = 0; i < k; i++) {
		double r = lb_ratio(it, from, br[i], &opts);
		assert_true(r >= -1);                           /* never overfull */
		assert_true(line_width(it, from, br[i]) <= 100 + 1 * 20); /* shrink at most 1/space */
		from = br[i] + 1;
	}
}

/* Total fit never sets a paragraph worse (sum of line badness) than first fit. */
static void total_fit_beats_first_fit(void **state)
{
	(void)state;
	double words[] = {30, 30, 30, 5, 40, 40, 10, 45, 20, 30, 25, 15, 35, 20};
	size_t nw = sizeof words / sizeof words[0];
	struct lb_item it[64];
	size_t n = para(words, nw, it), a[64], b[64];
	size_t ka = lb_break(it, n, &opts, a), kb = lb_greedy(it, n, &opts, b);
	double worst_a = 0, worst_b = 0;
	size_t from = 0;
	for (size_t i = 0; i + 1 < ka; i++) {
		double r = lb_ratio(it, from, a[i], &opts);
		worst_a += r * r * r * (r > 0 ? 1 : -1);
		from = a[i] + 1;
	}
	from = 0;
	for (size_t i = 0; i + 1 < kb; i++) {
		double r = lb_ratio(it, from, b[i], &opts);
		worst_b += r * r * r * (r > 0 ? 1 : -1);
		from = b[i] + 1;
	}
	assert_true(worst_a <= worst_b + 1e-9); /* total badness of the lines */
}

static void forced_breaks_kept(void **state)
{
	(void)state;
	struct lb_item it[16];
	size_t k = 0;
	it[k++] = (struct lb_item){LB_BOX, 20, 0, 0, 0, false};
	it[k++] = (struct lb_item){LB_GLUE, 0, 1e5, 0, 0, false};
	it[k++] = (struct lb_item){LB_PENALTY, 0, 0, 0, -LB_INF, false};
	it[k++] = (struct lb_item){LB_BOX, 20, 0, 0, 0, false};
	it[k++] = (struct lb_item){LB_GLUE, 0, 1e5, 0, 0, false};
	it[k++] = (struct lb_item){LB_PENALTY, 0, 0, 0, -LB_INF, false};
	size_t br[16];
	assert_int_equal(lb_break(it, k, &opts, br), 2);
	assert_int_equal(br[0], 2);
	assert_int_equal(br[1], 5);
}

/* A word wider than the measure with break points inside (as layout adds them) is
 * broken there; no line passes the measure. */
static void long_token_breaks(void **state)
{
	(void)state;
	struct lb_item it[64];
	size_t k = 0;
	it[k++] = (struct lb_item){LB_BOX, 30, 0, 0, 0, false};
	it[k++] = (struct lb_item){LB_GLUE, 3, 1.5, 1, 0, false};
	for (int i = 0; i < 8; i++) { /* a 160-wide address in pieces of 20 */
		if (i)
			it[k++] = (struct lb_item){LB_PENALTY, 0, 0, 0, 100, false};
		it[k++] = (struct lb_item){LB_BOX, 20, 0, 0, 0, false};
	}
	it[k++] = (struct lb_item){LB_GLUE, 0, 1e5, 0, 0, false};
	it[k++] = (struct lb_item){LB_PENALTY, 0, 0, 0, -LB_INF, false};
	size_t br[64], n = lb_break(it, k, &opts, br), from = 0;
	assert_true(n >= 2);
	for (size_t i = 0; i < n; i++) {
		assert_true(line_width(it, from, br[i]) <= 100);
		from = br[i] + 1;
	}
}

/* Hyphen breaks (flagged) everywhere they would help: never more than max_flagged lines
 * in a row end with one, and a hyphen before the last line costs final_demerits. */
static void flagged_in_a_row(void **state)
{
	(void)state;
	struct lb_item it[800];
	size_t k = 0;
	for (int i = 0; i < 60; i++) { /* words of five syllables of 13, hyphens of 3 */
		if (i)
			it[k++] = (struct lb_item){LB_GLUE, 4, 2, 4 / 3.0, 0, false};
		for (int j = 0; j < 5; j++) {
			if (j)
				it[k++] = (struct lb_item){LB_PENALTY, 3, 0, 0, 50, true};
			it[k++] = (struct lb_item){LB_BOX, 13, 0, 0, 0, false};
		}
	}
	it[k++] = (struct lb_item){LB_GLUE, 0, 1e5, 0, 0, false};
	it[k++] = (struct lb_item){LB_PENALTY, 0, 0, 0, -LB_INF, false};
	struct lb_opts o = {100, 2, 0, 10, 0, 0, 2, 0};
	size_t br[800], n = lb_break(it, k, &o, br);
	int run = 0, most = 0, total = 0;
	for (size_t i = 0; i + 1 < n; i++) {
		run = it[br[i]].flagged ? run + 1 : 0;
		total += it[br[i]].flagged;
		most = run > most ? run : most;
	}
	assert_true(total >= 4); /* hyphens help here */
	assert_true(most <= 2);
	o.max_flagged = 0;
	n = lb_break(it, k, &o, br);
	run = most = 0;
	for (size_t i = 0; i + 1 < n; i++) {
		run = it[br[i]].flagged ? run + 1 : 0;
		most = run > most ? run : most;
	}
	assert_true(most > 2); /* the limit is what kept them apart */
}

/* Nodes the breaker tries for a paragraph of n words of 20 to 60 points on a 468-point
 * measure, with a hyphen break inside every third word; tolerance tol. */
static size_t visits_for(size_t n, double tol, size_t *lines)
{
	struct lb_item *it = xcalloc(4 * n + 2, sizeof *it);
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (i)
			it[k++] = (struct lb_item){LB_GLUE, 3, 1.5, 1, 0, false};
		double w = 20 + (double)((i * 7919) % 41);
		if (i % 3 == 0) {
			it[k++] = (struct lb_item){LB_BOX, w / 2, 0, 0, 0, false};
			it[k++] = (struct lb_item){LB_PENALTY, 4, 0, 0, 50, true};
			it[k++] = (struct lb_item){LB_BOX, w / 2, 0, 0, 0, false};
		} else {
			it[k++] = (struct lb_item){LB_BOX, w, 0, 0, 0, false};
		}
	}
	it[k++] = (struct lb_item){LB_GLUE, 0, 1e5, 0, 0, false};
	it[k++] = (struct lb_item){LB_PENALTY, 0, 0, 0, -LB_INF, false};
	struct lb_opts o = {468, tol, 0, 10, 3000, 1000, 0, 5000};
	size_t *br = xcalloc(k, sizeof *br), visits = 0;
	*lines = lb_break_counted(it, k, &o, br, &visits);
	free(br);
	free(it);
	return visits;
}

/* The breaker keeps only the nodes within a line of the break it tries: the nodes it tries
 * grow with the paragraph's length, not its square (counted, not timed), in the first pass
 * and in the emergency pass alike. */
static void breaking_is_linear(void **state)
{
	(void)state;
	for (int pass = 0; pass < 2; pass++) {
		double tol = pass ? 0.001 : 2; /* 0.001: no first-pass solution */
		size_t lines5, lines10;
		size_t v5 = visits_for(5000, tol, &lines5), v10 = visits_for(10000, tol, &lines10);
		assert_true(lines5 > 400 && lines10 > 2 * lines5 - 10);
		assert_true(v5 < 100 * 5000);  /* quadratic: millions */
		assert_true(v10 < 5 * v5 / 2); /* twice the words, about twice the work */
	}
}

static void hyphenation_points(void **state)
{
	(void)state;
	/* im-mi-gra-tion: after letters 1, 3 and 6 */
	struct pd_hyph *h = hyph_new();
	assert_int_equal(hyph_points(h, "immigration", 11), (1u << 1) | (1u << 3) | (1u << 6));
	assert_int_equal(hyph_points(h, "immigration", 11), (1u << 1) | (1u << 3) | (1u << 6));
	assert_int_equal(hyph_points(h, "Immigration", 11), 0); /* names and capitals */
	assert_int_equal(hyph_points(h, "cases", 5), 0);          /* 2 left, 3 right at least */
	assert_int_equal(hyph_points(h, "ta3ble", 6), 0);
	assert_int_equal(hyph_points(h, "na\xc3\xafve", 6), 0);
	hyph_free(h);
	assert_int_equal(hyph_points(NULL, "immigration", 11), 0); /* a layout without one */
	setenv("PDGEN_HYPHEN_DICT", "/nonexistent/hyph.dic", 1);
	h = hyph_new();
	assert_int_equal(hyph_points(h, "immigration", 11), 0); /* no dictionary: no hyphens */
	hyph_free(h);
	unsetenv("PDGEN_HYPHEN_DICT");
	h = hyph_new();
	assert_int_not_equal(hyph_points(h, "immigration", 11), 0);
	hyph_free(h);
}

static const char *const cache_words[] = {
    "immigration", "representation", "prosecutorial", "discretion", "enforcement",
    "consideration", "reconsideration", "hyphenation", "extraordinary", "humanitarian",
    "circumstances", "administrative", "documentation", "establishment", "responsibility",
    "headquarters", "correspondence", "notwithstanding", "substantially", "respectfully"};
#define NWORDS (sizeof cache_words / sizeof *cache_words)

static void hyphenate_all(uint64_t *masks)
{
	struct pd_hyph *h = hyph_new(); /* reads the dictionary afresh */
	for (size_t i = 0; i < NWORDS; i++)
		masks[i] = hyph_points(h, cache_words[i], strlen(cache_words[i]));
	hyph_free(h);
}

static void flip_byte(const char *file, long at)
{
	FILE *f = fopen(file, "r+b");
	assert_non_null(f);
	fseek(f, at, SEEK_SET);
	int c = fgetc(f);
	fseek(f, at, SEEK_SET);
	fputc(c ^ 0x55, f);
	fclose(f);
}

/* The compiled patterns kept in the cache give the answers libhyphen gives; a damaged,
 * truncated or stale cache file is never used. */
static void hyphenation_cache(void **state)
{
	(void)state;
	char dir[] = "/tmp/pdgen-hyph-XXXXXX", file[256], dic[256];
	assert_non_null(mkdtemp(dir));
	snprintf(dic, sizeof dic, "%s/en.dic", dir);
	snprintf(file, sizeof file, "%s/cache/hyph-en.dic.bin", dir);
	char cmd[600];
	snprintf(cmd, sizeof cmd, "cp %s %s", HYPH_DICT, dic);
	assert_int_equal(system(cmd), 0);
	snprintf(cmd, sizeof cmd, "%s/cache", dir);
	setenv("PDGEN_CACHE_DIR", cmd, 1);
	setenv("PDGEN_HYPHEN_DICT", dic, 1);
	uint64_t compiled[NWORDS], cached[NWORDS];
	hyphenate_all(compiled); /* compiles and stores */
	HyphenDict *d = hyph_cache_load(dic);
	assert_non_null(d);
	hyph_cache_free(d);
	hyphenate_all(cached);
	assert_memory_equal(compiled, cached, sizeof compiled);
	assert_int_not_equal(compiled[0], 0);
	for (long at = 60; at < 800000; at += 99991) { /* damaged anywhere: refused */
		flip_byte(file, at);
		assert_null(hyph_cache_load(dic));
		flip_byte(file, at);
	}
	assert_non_null(d = hyph_cache_load(dic));
	hyph_cache_free(d);
	assert_int_equal(truncate(file, 4000), 0);
	assert_null(hyph_cache_load(dic));
	hyphenate_all(cached); /* recompiled, stored again */
	assert_memory_equal(compiled, cached, sizeof compiled);
	assert_non_null(d = hyph_cache_load(dic));
	hyph_cache_free(d);
	snprintf(cmd, sizeof cmd, "touch -d 2001-01-01 %s", dic);
	assert_int_equal(system(cmd), 0);
	assert_null(hyph_cache_load(dic)); /* the patterns changed since */
	snprintf(cmd, sizeof cmd, "%s/en.dic/sub/cache", dir); /* under a file: no cache */
	setenv("PDGEN_CACHE_DIR", cmd, 1);
	hyphenate_all(cached);
	assert_memory_equal(compiled, cached, sizeof compiled);
	assert_null(hyph_cache_load(dic));
	struct stat st;
	assert_int_equal(stat(dic, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	unsetenv("PDGEN_HYPHEN_DICT");
	unsetenv("PDGEN_CACHE_DIR");
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

/* The typesetter of a test: made on first use, freed at the test's end (test_end). */
static struct pd_typesetter *ts;

static struct pd_typesetter *typesetter(void)
{
	if (!ts)
		ts = typesetter_new(getenv("PDGEN_DATADIR") ? getenv("PDGEN_DATADIR") : ".", NULL);
	return ts;
}

static void test_end(void)
{
	typesetter_free(ts);
	ts = NULL;
}

/* Typesets text with front matter fm; returns the pages' text (free it). */
static char *typeset_with(const char *fm, const char *text)
{
	struct pd_diags d = {0};
	struct pd_arena *a = arena_new();
	struct pd_value *v = value_load_mem(a, "fm.yaml", fm, strlen(fm), NULL, &d);
	assert_non_null(v);
	struct pd_typeset_opts o = {0};
	o.source_name = "t.md";
	o.style = v;
	struct pd_buf b = {0};
	assert_int_equal(typeset_text(typesetter(), text, strlen(text), &o, &b, &d), 0);
	assert_int_equal(d.errors, 0);
	arena_free(a);
	diag_clear(&d);
	return b.s;
}

static int hyphenated_lines(const char *s)
{
	int n = 0;
	for (const char *p = strstr(s, "-\n"); p; p = strstr(p + 1, "-\n"))
		n++;
	return n;
}

/* A narrow measure: justified text is hyphenated, ragged text is not unless asked; names,
 * addresses and code never are. */
static void hyphenation_in_paragraphs(void **state)
{
	(void)state;
	const char *text = "The administrative immigration authorities acknowledged "
			   "the extraordinary documentation and the compelling humanitarian "
			   "considerations presented by counsel on the respondent's behalf.\n";
	char *j = typeset_with("margins: {left: 3in, right: 3in}\n", text);
	assert_true(hyphenated_lines(j) >= 1);
	char *r = typeset_with("margins: {left: 3in, right: 3in}\nalign: left\n", text);
	assert_int_equal(hyphenated_lines(r), 0);
	char *off = typeset_with("margins: {left: 3in, right: 3in}\nhyphenate: false\n", text);
	assert_int_equal(hyphenated_lines(off), 0);
	const char *names = "Constantinopolitanus Hernandezvillalobos Montgomerysmithson "
			    "Alexandropoulosian Wolfeschlegelsteinhausen maria.gonzalezrodriguez@"
			    "example.org `administrativeimmigration` Immigrationauthorities.\n";
	char *n = typeset_with("margins: {left: 3in, right: 3in}\nhyphenate: true\n", names);
	assert_int_equal(hyphenated_lines(n), 0);
	free(j);
	free(r);
	free(off);
	free(n);
	test_end();
}

/* Paragraphs set once are kept for later documents: only for the very same inputs, and never
 * one that drew a diagnostic. */
static void paragraph_memo(void **state)
{
	(void)state;
	const char *text = "The administrative immigration authorities acknowledged "
			   "the extraordinary documentation and the compelling humanitarian "
			   "considerations presented by counsel on the respondent's behalf.\n";
	char *wide = typeset_with("", text), *wide2 = typeset_with("", text);
	char *narrow = typeset_with("margins: {left: 3in, right: 3in}\n", text);
	char *narrow2 = typeset_with("margins: {left: 3in, right: 3in}\n", text);
	assert_string_equal(wide, wide2);
	assert_string_equal(narrow, narrow2);
	assert_string_not_equal(wide, narrow);
	/* the second paragraph drops U+13A0 unreported (reported once, in the first); alone in
	 * the next document it must be reported again */
	const char *cherokee[] = {"Some text and \xE1\x8E\xA0 in it.\n\nMore \xE1\x8E\xA0 here.\n",
				  "More \xE1\x8E\xA0 here.\n", "More \xE1\x8E\xA0 here.\n"};
	for (int i = 0; i < 3; i++) {
		struct pd_diags d = {0};
		struct pd_typeset_opts o = {.source_name = "t.md"};
		struct pd_buf b = {0};
		assert_int_equal(typeset_text(typesetter(), cherokee[i], strlen(cherokee[i]), &o, &b, &d), 1);
		assert_int_equal(d.errors, 1);
		buf_free(&b);
		diag_clear(&d);
	}
	free(wide);
	free(wide2);
	free(narrow);
	free(narrow2);
	test_end();
}

/* The layout dump of markdown set by typesetter t (NULL: a fresh one); free it. */
static char *dump_with(struct pd_typesetter *t, const char *fm, const char *text)
{
	const char *datadir = getenv("PDGEN_DATADIR") ? getenv("PDGEN_DATADIR") : ".";
	struct pd_typesetter *fresh = t ? NULL : typesetter_new(datadir, NULL);
	struct pd_diags d = {0};
	struct pd_arena *a = arena_new();
	struct pd_typeset_opts o = {.source_name = "t.md"};
	o.style = value_load_mem(a, "fm.yaml", fm, strlen(fm), NULL, &d);
	struct pd_buf b = {0};
	assert_int_equal(typeset_layout_dump(t ? t : fresh, text, strlen(text), &o, &b, &d), 0);
	assert_int_equal(d.errors, 0);
	arena_free(a);
	diag_clear(&d);
	typesetter_free(fresh);
	return b.s;
}

/* Words set once are kept for later paragraphs and documents: each the same, to the last
 * position, as set afresh, whatever the same words were set as before (a heading's size, a
 * link, code, struck, bold, a narrower measure that hyphenates them, a list's marker). */
static void word_memo(void **state)
{
	(void)state;
	static const char *const docs[][2] = {
	    {"", "# The considerations presented by counsel on behalf of the respondent\n\n"
		 "The considerations presented by counsel on behalf of the respondent.\n"},
	    {"", "The [considerations presented](https://example.org) by `counsel` on "
		 "~~behalf~~ of **the respondent**.\n"},
	    {"margins: {left: 3in, right: 3in}\n",
	     "The extraordinary considerations presented by counsel on behalf of the "
	     "respondent.\n\n- The considerations presented by counsel\n"},
	    {"align: left\n", "The considerations\xC2\xADpresented by counsel on behalf of "
			      "the respondent.\n"},
	};
	enum { N = sizeof docs / sizeof docs[0] };
	char *text[2][N], *fresh[2][N]; /* each paragraph, and each with a word more at its end */
	for (size_t i = 0; i < N; i++) {
		text[0][i] = xstrdup(docs[i][1]);
		struct pd_buf b = {0};
		for (const char *p = docs[i][1]; *p; p++)
			buf_puts(&b, !strncmp(p, ".\n", 2) ? " again" : ""), buf_putc(&b, *p);
		text[1][i] = buf_take(&b);
		for (int v = 0; v < 2; v++)
			fresh[v][i] = dump_with(NULL, docs[i][0], text[v][i]);
	}
	/* a paragraph that differs from one kept only in a link's address is set again */
	char *a = dump_with(typesetter(), "", "See [the letter](https://a.example/x) here.\n");
	char *b = dump_with(typesetter(), "", "See [the letter](https://a.example/y) here.\n");
	assert_non_null(strstr(a, "a.example/x"));
	assert_non_null(strstr(b, "a.example/y"));
	free(a);
	free(b);
	for (int v = 0; v < 2; v++) /* the paragraphs differ, their words are kept */
		for (size_t i = N; i-- > 0;) {
			char *kept = dump_with(typesetter(), docs[i][0], text[v][i]);
			assert_string_equal(kept, fresh[v][i]);
			free(kept);
		}
	for (size_t i = 0; i < N; i++)
		for (int v = 0; v < 2; v++)
			free(text[v][i]), free(fresh[v][i]);
	test_end();
}

static void front_matter(void **state)
{
	(void)state;
	struct pd_diags d = {0};
	const char *t = "---\npaper: a4\n---\n# Title\n";
	size_t fo, fl, bo;
	int bl;
	assert_int_equal(md_front_matter(t, strlen(t), "f.md", &fo, &fl, &bo, &bl, &d), 1);
	assert_int_equal(fo, 4);
	assert_int_equal(fl, 10);
	assert_string_equal(t + bo, "# Title\n");
	assert_int_equal(bl, 4);
	const char *u = "# No front matter\n---\n";
	assert_int_equal(md_front_matter(u, strlen(u), "f.md", &fo, &fl, &bo, &bl, &d), 0);
	assert_int_equal(bo, 0);
	assert_int_equal(bl, 1);
	assert_int_equal(d.n, 0);
	static const char *const unclosed[] = {"---\nnever closed\n", "---\n", "---"};
	for (size_t i = 0; i < sizeof unclosed / sizeof unclosed[0]; i++) {
		const char *v = unclosed[i];
		assert_int_equal(md_front_matter(v, strlen(v), "f.md", &fo, &fl, &bo, &bl, &d), -1);
		assert_int_equal(d.errors, (int)i + 1);
		assert_int_equal(d.v[i].loc.line, 1);
		assert_non_null(strstr(d.v[i].msg, "never closed"));
	}
	diag_clear(&d);
}

static void markers(void **state)
{
	(void)state;
	struct pd_diags d = {0};
	const char *t = "a\n\n::: keep\nb\n:::\n\n```\n::: keep\n```\n\n::: pagebreak\n";
	struct md_doc *doc = md_parse(t, strlen(t), "m.md", 1, &d);
	assert_non_null(doc);
	assert_int_equal(doc->nmarks, 3); /* the one inside the code block is text */
	assert_int_equal(doc->marks[0].kind, MD_KEEP_BEGIN);
	assert_int_equal(doc->marks[1].kind, MD_KEEP_END);
	assert_int_equal(doc->marks[2].kind, MD_PAGEBREAK);
	assert_int_equal(doc->marks[2].line, 11);
	md_free(doc);
	const char *u = "::: keep\nunclosed\n";
	assert_null(md_parse(u, strlen(u), "m.md", 5, &d));
	assert_int_equal(d.errors, 1);
	assert_int_equal(d.v[0].loc.line, 5);
	diag_clear(&d);
}

static void nfc(void **state)
{
	(void)state;
	struct pd_diags d = {0};
	static const char *const cases[][2] = {
	    {"Nguye\xcc\x82\xcc\x83n Thi\xcc\xa3", "Nguy\xe1\xbb\x85n Th\xe1\xbb\x8b"},
	    {"e\xcc\x81", "\xc3\xa9"},			     /* a mark on the first letter */
	    {"\xcc\x81" "a", "\xcc\x81" "a"},		     /* a mark with no base stays */
	    {"\xe1\x84\x80\xe1\x85\xa1 x", "\xea\xb0\x80 x"}, /* Hangul jamo compose */
	    {"plain ascii", "plain ascii"},
	    {"Jos\xc3\xa9 e\xcc\x81 \xe2\x80\x9cq\xe2\x80\x9d", "Jos\xc3\xa9 \xc3\xa9 \xe2\x80\x9cq\xe2\x80\x9d"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct md_doc *doc = md_parse(cases[i][0], strlen(cases[i][0]), "n.md", 1, &d);
		assert_non_null(doc);
		assert_string_equal(doc->text, cases[i][1]);
		md_free(doc);
	}
	assert_null(md_parse("ok \xc3(", 5, "n.md", 1, &d)); /* bad UTF-8 */
	assert_int_equal(d.errors, 1);
	diag_clear(&d);
}

static void columns_marker(void **state)
{
	(void)state;
	struct pd_diags d = {0};
	const char *t = "::: columns 1 2.5 25%\n| a | b | c |\n|---|---|---|\n";
	struct md_doc *doc = md_parse(t, strlen(t), "c.md", 1, &d);
	assert_non_null(doc);
	assert_int_equal(doc->nmarks, 1);
	assert_int_equal(doc->marks[0].kind, MD_COLUMNS);
	assert_int_equal(doc->marks[0].ncols, 3);
	assert_true(doc->marks[0].widths[1] == 2.5 && doc->marks[0].widths[2] == 25);
	md_free(doc);
	static const char *const bad[] = {"::: columns\n", "::: columns 1 0\n", "::: columns 1 x\n",
					  "::: columns -1 2\n", "::: columns 2%x\n"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_null(md_parse(bad[i], strlen(bad[i]), "c.md", 1, &d));
		assert_int_equal(d.errors, (int)i + 1);
	}
	diag_clear(&d);
	struct pd_buf wide = {0}; /* MD_MAX_PIPES '|' on a line parse; one more is refused */
	for (int i = 0; i < MD_MAX_PIPES; i++)
		buf_puts(&wide, "|a");
	doc = md_parse(wide.s, wide.len, "c.md", 3, &d);
	assert_non_null(doc);
	md_free(doc);
	buf_puts(&wide, "|\n");
	assert_null(md_parse(wide.s, wide.len, "c.md", 3, &d));
	assert_int_equal(d.errors, 1);
	assert_int_equal(d.v[d.n - 1].loc.line, 3);
	assert_int_equal(d.v[d.n - 1].loc.col, 2 * MD_MAX_PIPES + 1);
	buf_free(&wide);
	diag_clear(&d);
	const char *u = "::: columnsx 1\n";
	doc = md_parse(u, strlen(u), "c.md", 1, &d);
	assert_non_null(doc); /* not a marker: a warning, printed as text */
	assert_int_equal(doc->nmarks, 0);
	assert_int_equal(d.errors, 0);
	md_free(doc);
	diag_clear(&d);
}

static void text_oracle(void **state)
{
	(void)state;
	struct pd_diags d = {0};
	struct pd_buf b = {0};
	/* decomposed é (e + U+0301) is set composed */
	const char *t = "# Head\n\nCafe\xcc\x81 *au* **lait**.\n\n- one\n- two\n";
	struct pd_typeset_opts o = {0};
	o.source_name = "t.md";
	assert_int_equal(typeset_text(typesetter(), t, strlen(t), &o, &b, &d), 0);
	assert_non_null(strstr(b.s, "Head\n"));
	assert_non_null(strstr(b.s, "Caf\xc3\xa9 au lait."));
	assert_non_null(strstr(b.s, "\xe2\x80\xa2 one"));
	buf_free(&b);
	diag_clear(&d);
	test_end();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(breaks_fit_measure),   cmocka_unit_test(total_fit_beats_first_fit),
	    cmocka_unit_test(forced_breaks_kept),   cmocka_unit_test(long_token_breaks),
	    cmocka_unit_test(front_matter),         cmocka_unit_test(markers),
	    cmocka_unit_test(columns_marker),       cmocka_unit_test(flagged_in_a_row),
	    cmocka_unit_test(breaking_is_linear),
	    cmocka_unit_test(hyphenation_points),   cmocka_unit_test(hyphenation_in_paragraphs),
	    cmocka_unit_test(paragraph_memo),       cmocka_unit_test(word_memo),
	    cmocka_unit_test(text_oracle),	    cmocka_unit_test(nfc),
	    cmocka_unit_test(hyphenation_cache),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
