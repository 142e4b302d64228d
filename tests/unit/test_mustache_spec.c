/* test_mustache_spec: runs the Mustache spec's YAML files through value_load_file and tmpl_eval.
 * In: tests/mustache-spec, a copy of the official spec (or $PDGEN_MUSTACHE_SPEC). Out: one cmocka test per case. */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "tmpl.h"
#include "value.h"

static const char *const spec_files[] = {
    "comments.yml", "delimiters.yml", "interpolation.yml", "inverted.yml",
    "partials.yml", "sections.yml",   "~inheritance.yml",  "~dynamic-names.yml",
};

static char spec_dir[PATH_MAX * 2];

static bool dir_has_spec(const char *dir)
{
	char path[PATH_MAX * 2 + 32];
	snprintf(path, sizeof path, "%s/sections.yml", dir);
	return access(path, R_OK) == 0;
}

/* $PDGEN_MUSTACHE_SPEC, else tests/mustache-spec from the project root (the working
 * directory, or three levels above this binary). */
static bool find_spec_dir(void)
{
	const char *env = getenv("PDGEN_MUSTACHE_SPEC");
	if (env && *env) {
		snprintf(spec_dir, sizeof spec_dir, "%s", env);
		return dir_has_spec(spec_dir);
	}
	snprintf(spec_dir, sizeof spec_dir, "tests/mustache-spec");
	if (dir_has_spec(spec_dir))
		return true;
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n <= 0)
		return false;
	exe[n] = '\0';
	for (int up = 0; up < 3; up++) {
		char *slash = strrchr(exe, '/');
		if (!slash)
			return false;
		*slash = '\0';
	}
	snprintf(spec_dir, sizeof spec_dir, "%s/tests/mustache-spec", exe);
	return dir_has_spec(spec_dir);
}

static const char *str_of(const struct pd_value *v)
{
	return v && v->kind != PD_SEQ && v->kind != PD_MAP ? (v->str ? v->str : "") : NULL;
}

static void show(const char *label, const char *s)
{
	fprintf(stderr, "%s: \"", label);
	for (; s && *s; s++) {
		if (*s == '\n')
			fputs("\\n", stderr);
		else if (*s == '\r')
			fputs("\\r", stderr);
		else if (*s == '\t')
			fputs("\\t", stderr);
		else
			fputc(*s, stderr);
	}
	fputs("\"\n", stderr);
}

static void run_case(void **state)
{
	const struct pd_value *tc = *state;
	const char *template = str_of(value_get(tc, "template"));
	const char *expected = str_of(value_get(tc, "expected"));
	assert_non_null(template);
	assert_non_null(expected);
	struct pd_tmpl_set *set = tmpl_set_new(NULL, 0, NULL);
	const struct pd_value *partials = value_get(tc, "partials");
	for (size_t i = 0; partials && partials->kind == PD_MAP && i < partials->n; i++) {
		const char *text = str_of(partials->items[i]);
		if (text)
			tmpl_set_add_mem(set, partials->keys[i], text, strlen(text));
	}
	struct pd_diags diags = {0};
	struct pd_buf out = {0};
	struct pd_tmpl_opts opts = {PD_ESC_HTML, true, NULL};
	const struct pd_tmpl *t = tmpl_parse_mem(set, "template", template, strlen(template), 1,
						 &diags);
	int rc = tmpl_eval(set, t, value_get(tc, "data"), &opts, &out, &diags);
	bool same = rc == 0 && out.s && !strcmp(out.s, expected);
	if (!same) {
		show("template", template);
		show("expected", expected);
		show("got     ", out.s);
		diag_print(&diags, stderr);
	}
	diag_clear(&diags);
	buf_free(&out);
	tmpl_set_free(set);
	assert_true(same);
}

static void spec_missing(void **state)
{
	(void)state;
	fprintf(stderr, "the Mustache spec is not at %s: set PDGEN_MUSTACHE_SPEC to its directory\n",
		spec_dir);
	fail();
}

int main(void)
{
	static struct CMUnitTest missing[] = {{"mustache spec directory", spec_missing, NULL, NULL, NULL}};
	if (!find_spec_dir())
		return _cmocka_run_group_tests("mustache-spec", missing, 1, NULL, NULL);
	struct pd_arena *arena = arena_new();
	struct pd_diags diags = {0};
	struct pd_value_opts vopts = {.canonical_numbers = true, .allow_aliases = true};
	struct CMUnitTest *tests = NULL;
	size_t n = 0, cap = 0;
	for (size_t f = 0; f < sizeof spec_files / sizeof spec_files[0]; f++) {
		char path[PATH_MAX * 2 + 64];
		snprintf(path, sizeof path, "%s/%s", spec_dir, spec_files[f]);
		const struct pd_value *root = value_load_file(arena, path, &vopts, &diags);
		const struct pd_value *list = value_get(root, "tests");
		if (!list || list->kind != PD_SEQ) {
			diag_print(&diags, stderr);
			fprintf(stderr, "%s: no tests\n", path);
			return 1;
		}
		for (size_t i = 0; i < list->n; i++) {
			if (n == cap) {
				cap = cap ? cap * 2 : 256;
				tests = xrealloc(tests, cap * sizeof *tests);
			}
			const char *name = str_of(value_get(list->items[i], "name"));
			tests[n++] = (struct CMUnitTest){
			    arena_printf(arena, "%s: %s", spec_files[f], name ? name : "?"), run_case,
			    NULL, NULL, list->items[i]};
		}
	}
	int rc = _cmocka_run_group_tests("mustache-spec", tests, n, NULL, NULL);
	free(tests);
	diag_clear(&diags);
	arena_free(arena);
	return rc;
}
