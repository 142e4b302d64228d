/* Unit tests of the YAML load stage: places, scalar types, caps and located errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

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

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_places_and_kinds), cmocka_unit_test(test_canonical_numbers),
	    cmocka_unit_test(test_errors), cmocka_unit_test(test_nul_byte),		 cmocka_unit_test(test_aliases_allowed),
	    cmocka_unit_test(test_loc_at), cmocka_unit_test(test_merge),
	};
	return cmocka_run_group_tests_name("value", tests, NULL, NULL);
}
