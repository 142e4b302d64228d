/* Unit tests of the YAML load stage: places, scalar types, caps and located errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <glob.h>
#include <stdlib.h>

#include "value.h"

static struct pd_value *load(struct pd_arena *a, const char *text, struct pd_diags *d,
			     const struct pd_value_opts *o)
{
	return value_load_mem(a, "t.yaml", text, strlen(text), o, d);
}

static void test_places_and_kinds(void **state)
{
	(void)state;
	struct pd_arena *a = arena_new();
	struct pd_diags d = {0};
	const char *text = "client:\n  name: \"José\"\n  n: 12\n  f: 1.50\n  b: true\n"
			   "  no: NO\n  z: ~\n  list: [a, 'b']\n";
	struct pd_value *root = load(a, text, &d, NULL);
	assert_non_null(root);
	assert_int_equal(d.n, 0);
	const struct pd_value *name = value_path(root, "client.name");
	assert_string_equal(name->str, "José");
	assert_int_equal(name->loc.line, 2);
	assert_int_equal(name->loc.col, 9);
	assert_int_equal(value_path(root, "client.n")->kind, PD_INT);
	assert_string_equal(value_path(root, "client.f")->str, "1.50");
	assert_int_equal(value_path(root, "client.b")->kind, PD_BOOL);
	/* YAML 1.1 booleans stay strings: "NO" is Norway */
	assert_int_equal(value_path(root, "client.no")->kind, PD_STR);
	assert_int_equal(value_path(root, "client.z")->kind, PD_NULL);
	assert_string_equal(value_path(root, "client.list.1")->str, "b");
	assert_false(value_truthy(value_path(root, "client.z")));
	arena_free(a);
	diag_clear(&d);
}

static void test_canonical_numbers(void **state)
{
	(void)state;
	struct pd_arena *a = arena_new();
	struct pd_diags d = {0};
	struct pd_value_opts o = {.canonical_numbers = true};
	struct pd_value *root = load(a, "a: 1.210\nb: 1e3\nc: 0.1\n", &d, &o);
	assert_string_equal(value_get(root, "a")->str, "1.21");
	assert_string_equal(value_get(root, "b")->str, "1000");
	assert_string_equal(value_get(root, "c")->str, "0.1");
	arena_free(a);
	diag_clear(&d);
}

static void expect_error(const char *text, int line, int col, const char *fragment,
			 const struct pd_value_opts *o)
{
	struct pd_arena *a = arena_new();
	struct pd_diags d = {0};
	assert_null(load(a, text, &d, o));
	assert_true(d.errors >= 1);
	assert_int_equal(d.v[0].loc.line, line);
	assert_int_equal(d.v[0].loc.col, col);
	if (!strstr(d.v[0].msg, fragment))
		fail_msg("message \"%s\" lacks \"%s\"", d.v[0].msg, fragment);
	arena_free(a);
	diag_clear(&d);
}

static void test_errors(void **state)
{
	(void)state;
	expect_error("a: 1\nb: [1, 2\n", 3, 1, "YAML syntax", NULL);
	expect_error("a: 1\nb: 2\na: 3\n", 3, 1, "duplicate key 'a' (first defined at t.yaml:1:1)",
		     NULL);
	expect_error("a: &x 1\nb: *x\n", 2, 4, "aliases", NULL);
	expect_error("a: ok\nb: caf\xc3\n", 2, 7, "invalid UTF-8", NULL);
	expect_error("a: [[[[1]]]]\n", 1, 6, "nesting deeper than 3", &(struct pd_value_opts){.max_depth = 3});
	expect_error("a: [1, 2, 3]\n", 1, 11, "more than 2 entries", &(struct pd_value_opts){.max_items = 2});
	expect_error("---\na: 1\n---\nb: 2\n", 3, 1, "more than one YAML document", NULL);
}

static void test_nul_byte(void **state)
{
	(void)state;
	static const char text[] = "a: ok\nb: x\0y\n";
	struct pd_arena *a = arena_new();
	struct pd_diags d = {0};
	assert_null(value_load_mem(a, "t.yaml", text, sizeof text - 1, NULL, &d));
	assert_int_equal(d.v[0].loc.line, 2);
	assert_int_equal(d.v[0].loc.col, 5);
	assert_non_null(strstr(d.v[0].msg, "NUL byte"));
	arena_free(a);
	diag_clear(&d);
}

static void test_aliases_allowed(void **state)
{
	(void)state;
	struct pd_arena *a = arena_new();
	struct pd_diags d = {0};
	struct pd_value_opts o = {.allow_aliases = true};
	struct pd_value *root = load(a, "a: &x {k: v}\nb: *x\n", &d, &o);
	assert_non_null(root);
	assert_string_equal(value_path(root, "b.k")->str, "v");
	arena_free(a);
	diag_clear(&d);
}

static void test_merge(void **state)
{
	(void)state;
	struct pd_arena *a = arena_new();
	struct pd_diags d = {0};
	struct pd_value *base = load(a, "firm: {name: A, phone: '1'}\nlist: [1, 2]\nx: 1\n", &d, NULL);
	struct pd_value *over = load(a, "firm: {name: B}\nlist: [3]\n", &d, NULL);
	struct pd_value *m = value_merge(a, base, over);
	assert_string_equal(value_path(m, "firm.name")->str, "B");
	assert_string_equal(value_path(m, "firm.phone")->str, "1");
	assert_int_equal(value_get(m, "list")->n, 1);
	assert_string_equal(value_get(m, "x")->str, "1");
	assert_string_equal(value_path(base, "firm.name")->str, "A");
	arena_free(a);
	diag_clear(&d);
}

static void test_loc_at(void **state)
{
	(void)state;
	const char *t = "ab\ncé d";
	struct pd_loc l = diag_loc_at("f", t, strlen(t), 7);
	assert_int_equal(l.line, 2);
	assert_int_equal(l.col, 4);
}

/* The memo's tree is the whole load's, node for node and place for place. */
static void same_tree(const struct pd_value *a, const struct pd_value *b, const char *what)
{
	if (a->kind != b->kind || a->loc.line != b->loc.line || a->loc.col != b->loc.col ||
	    strcmp(a->loc.file, b->loc.file) || a->len != b->len || strcmp(a->str, b->str) ||
	    a->quoted != b->quoted || a->boolean != b->boolean || a->n != b->n)
		fail_msg("%s: node at %d:%d differs from the whole load's (%d:%d)", what,
			 b->loc.line, b->loc.col, a->loc.line, a->loc.col);
	for (size_t i = 0; i < a->n && (a->kind == PD_MAP || a->kind == PD_SEQ); i++) {
		if (a->kind == PD_MAP && (strcmp(a->keys[i], b->keys[i]) ||
					  a->key_locs[i].line != b->key_locs[i].line ||
					  a->key_locs[i].col != b->key_locs[i].col))
			fail_msg("%s: key '%s' differs", what, a->keys[i]);
		same_tree(a->items[i], b->items[i], what);
	}
}

/* Loads text whole, then three times through memo (met, kept, rebuilt): the same tree, or
 * the same messages. */
static void same_as_whole(struct pd_value_memo *memo, const char *name, const char *text,
			  size_t len)
{
	struct pd_value_opts whole_opts = {.max_items = 1000}, memo_opts = whole_opts;
	memo_opts.memo = memo;
	struct pd_arena *a = arena_new();
	struct pd_diags dw = {0};
	struct pd_value *whole = value_load_mem(a, name, text, len, &whole_opts, &dw);
	for (int round = 0; round < 3; round++) {
		struct pd_diags dm = {.store = dw.store};
		struct pd_value *m = value_load_mem(a, name, text, len, &memo_opts, &dm);
		if (!whole != !m)
			fail_msg("%s: whole %s, memo %s", name, whole ? "loads" : "fails",
				 m ? "loads" : "fails");
		if (whole)
			same_tree(whole, m, name);
		assert_int_equal(dw.n, dm.n);
		for (size_t i = 0; i < dw.n; i++) {
			assert_string_equal(dw.v[i].msg, dm.v[i].msg);
			assert_int_equal(dw.v[i].loc.line, dm.v[i].loc.line);
			assert_int_equal(dw.v[i].loc.col, dm.v[i].loc.col);
		}
		dm.store = NULL;
		diag_clear(&dm);
	}
	diag_clear(&dw);
	arena_free(a);
}

static void test_memo_same_as_whole(void **state)
{
	(void)state;
	static const char *const texts[] = {
	    "# top\n\na: 1\nb:\n  c: 2 # note\n# between\n  d: [x, 'y']\nkey with space: z\n",
	    "a: |+\n  x\n\n\nb: 1\n", "a: >-\n  folded\n\n  more\n# c\nb: [1,\n  2]\n",
	    "a: \"x\nb: y\"\nc: 1\n", "a: [1,\nb]\n", "a: 1\nb: 2\na: 3\n", "a: 1\r\nb: 2\r\n",
	    "a: 1\rb: 2\nc: 3\n", "a: 1 # c\xc2\x85\nb: 2\n", "a: 1 # c\xe2\x80\xa9\nb: 2\n",
	    "a: x\xe2\x80\xa8y\nb: 1\n",
	    "\xEF\xBB\xBF" "a: 1\nb: 2\n", "a: &x 1\nb: *x\n", "a: &x 1\nb: 2\n", "a:\n- 1\n- 2\nb: 3\n",
	    "a: 1\n---\nb: 2\n", "a: plain\ncontinued\nb: 1\n", "2: two\n_x: y\nb: \"\\e\"\n",
	    "a: 'multi\n  line'\nb: 1\n", "a: b: c\nd: 1\n", "a: 1\nb", "a:\nb:\n", "a: {x: [1, {y: 2}]}\n",
	    /* a kept section beside runs of others parsed together */
	    "a: 1\nb: 2\nc: 3\nd: 4\n", "a: 1\nb: 5\nc: 6\nd: 4\n", "a: 1\nb: [1,\nc]\nd: 4\n",
	    "a: 1\nb: x\nb: y\nd: 4\n", "b: 5\nc: 6\na: 1\n"};
	struct pd_value_memo *memo = value_memo_new();
	for (size_t i = 0; i < sizeof texts / sizeof *texts; i++)
		same_as_whole(memo, "t.yaml", texts[i], strlen(texts[i]));
	glob_t g;
	size_t files = 0;
	if (glob("samples/*.yaml", 0, NULL, &g) == 0) {
		glob("tests/regress/*/*.yaml", GLOB_APPEND, NULL, &g);
		for (size_t i = 0; i < g.gl_pathc; i++) {
			size_t len;
			char *text = file_read(g.gl_pathv[i], &len, VALUE_MAX_BYTES);
			if (text)
				same_as_whole(memo, g.gl_pathv[i], text, len), files++;
			free(text);
		}
		globfree(&g);
	}
	assert_true(files >= 20); /* run from the source tree's top */
	value_memo_free(memo);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_places_and_kinds), cmocka_unit_test(test_canonical_numbers),
	    cmocka_unit_test(test_errors), cmocka_unit_test(test_nul_byte),		 cmocka_unit_test(test_aliases_allowed),
	    cmocka_unit_test(test_loc_at), cmocka_unit_test(test_merge),
	    cmocka_unit_test(test_memo_same_as_whole),
	};
	return cmocka_run_group_tests_name("value", tests, NULL, NULL);
}
