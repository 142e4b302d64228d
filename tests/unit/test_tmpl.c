/* test_tmpl: the template stage: Markdown safety (checked through cmark-gfm), strict names,
 * formatters, partial rules, located errors, limits. In: templates and YAML. Out: cmocka results. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm.h>

#include "tmpl.h"
#include "value.h"

struct run {
	struct pd_arena *arena;
	struct pd_tmpl_set *set;
	struct pd_diags diags;
	struct pd_buf out;
	int rc;
};

static void run_free(struct run *r)
{
	diag_clear(&r->diags);
	buf_free(&r->out);
	tmpl_set_free(r->set);
	arena_free(r->arena);
	diag_store_free(r->diags.store);
}

/* Renders template with the YAML data; partials are "name", "text", ..., NULL. */
static struct run *render_with(struct run *r, const char *template, const char *yaml,
			       enum pd_escape esc, bool lenient, ...)
{
	*r = (struct run){0};
	r->arena = arena_new();
	r->diags.store = diag_store_new(); /* the set's too: diagnostics quote the template */
	r->set = tmpl_set_new(NULL, 0, r->diags.store);
	va_list ap;
	va_start(ap, lenient);
	for (const char *name; (name = va_arg(ap, const char *));) {
		const char *text = va_arg(ap, const char *);
		tmpl_set_add_mem(r->set, name, text, strlen(text));
	}
	va_end(ap);
	struct pd_value_opts vo = {0};
	const struct pd_value *data = value_load_mem(r->arena, "case.yaml", yaml, strlen(yaml), &vo,
						     &r->diags);
	assert_non_null(data);
	const struct pd_tmpl *t = tmpl_parse_mem(r->set, "t.md", template, strlen(template), 1,
						 &r->diags);
	struct pd_tmpl_opts opts = {esc, lenient, NULL};
	r->rc = t ? tmpl_eval(r->set, t, data, &opts, &r->out, &r->diags) : 1;
	return r;
}

/* The text of the first diagnostic as diag_print shows it. */
static char *diag_text(const struct pd_diags *d)
{
	char *s = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&s, &n);
	diag_print(d, f);
	fclose(f);
	return s;
}

static void assert_diag(struct run *r, const char *want)
{
	char *text = diag_text(&r->diags);
	if (!strstr(text, want))
		fprintf(stderr, "want: %s\ngot:\n%s", want, text);
	assert_non_null(strstr(text, want));
	free(text);
}

static void assert_output(const char *template, const char *yaml, const char *want)
{
	struct run r;
	render_with(&r, template, yaml, PD_ESC_NONE, false, NULL);
	if (r.rc || strcmp(r.out.s, want)) {
		char *d = diag_text(&r.diags);
		fprintf(stderr, "template %s\nwant \"%s\"\ngot \"%s\"\n%s", template, want, r.out.s, d);
		free(d);
	}
	assert_int_equal(r.rc, 0);
	assert_string_equal(r.out.s, want);
	run_free(&r);
}

/* ------------------------------------------------------------- Markdown safety */

static char *markdown_to_html(const char *md)
{
	cmark_gfm_core_extensions_ensure_registered();
	int opts = CMARK_OPT_SMART;
	cmark_parser *p = cmark_parser_new(opts);
	const char *exts[] = {"table", "strikethrough", "tagfilter"}; /* as md.c */
	for (size_t i = 0; i < sizeof exts / sizeof *exts; i++)
		cmark_parser_attach_syntax_extension(p, cmark_find_syntax_extension(exts[i]));
	cmark_parser_feed(p, md, strlen(md));
	cmark_node *doc = cmark_parser_finish(p);
	char *html = cmark_render_html(doc, opts, cmark_parser_get_syntax_extensions(p));
	cmark_node_free(doc);
	cmark_parser_free(p);
	return html;
}

/* What cmark prints for plain text: the value with & < > " as entities, line breaks as spaces. */
static void html_text(const char *s, struct pd_buf *b)
{
	for (; *s; s++) {
		if (*s == '\r' && s[1] == '\n')
			continue;
		switch (*s) {
		case '&': buf_puts(b, "&amp;"); break;
		case '<': buf_puts(b, "&lt;"); break;
		case '>': buf_puts(b, "&gt;"); break;
		case '"': buf_puts(b, "&quot;"); break;
		case '\n':
		case '\r': buf_putc(b, ' '); break;
		default: buf_putc(b, *s);
		}
	}
}

static const char *const nasty[] = {
    "*Star* Ltd_ #1 <b>x</b> [a](b) | c",
    "1. first",
    "2) second",
    "# heading",
    "- item",
    "+ item",
    "> quote",
    "    indented code",
    "\tindented",
    "`code` and ``more``",
    "a\\b\\",
    "\\*not emphasis\\*",
    "<script>alert(1)</script>",
    "&amp; &#65; &copy",
    "http://example.com/x?y=1",
    "www.example.com",
    "mcastillo@example.com",
    "trailing  ",
    "line one\nline two",
    "para\n\npara",
    "\n# after a newline",
    "D'Souza -- \"quoted\" ... 'single'",
    "~~strike~~ ~one~",
    "| a | b |",
    "===",
    "---",
    "***",
    "[ref]: http://example.com",
    "![img](x.png)",
    "_under_ __strong__",
    "<http://example.com>",
    "a <!-- comment --> b",
    "Nguyễn Thị Minh Khai 王小明",
    "   ",
    "{{not a tag}}",
};

static void test_markdown_never_structure(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof nasty / sizeof nasty[0]; i++) {
		struct pd_buf md = {0}, want = {0};
		tmpl_escape(PD_ESC_MARKDOWN, nasty[i], strlen(nasty[i]), &md);
		/* alone, after a paragraph line, and inside sentence text */
		const char *frames[][2] = {{"", ""}, {"Para\n", ""}, {"Name: ", " end"}};
		for (size_t f = 0; f < 3; f++) {
			struct pd_buf doc = {0};
			buf_printf(&doc, "%s%s%s\n", frames[f][0], md.s, frames[f][1]);
			char *html = markdown_to_html(doc.s);
			buf_clear(&want);
			buf_puts(&want, "<p>");
			buf_puts(&want, frames[f][0]);
			html_text(nasty[i], &want);
			buf_puts(&want, frames[f][1]);
			buf_puts(&want, "</p>\n");
			if (strcmp(html, want.s))
				fprintf(stderr, "value \"%s\"\nmarkdown \"%s\"\nhtml \"%s\"\nwant \"%s\"\n",
					nasty[i], doc.s, html, want.s);
			assert_string_equal(html, want.s);
			free(html);
			buf_free(&doc);
		}
		buf_free(&md);
		buf_free(&want);
	}
}

static void test_markdown_table_cell(void **state)
{
	(void)state;
	struct run r;
	render_with(&r, "| Client | A-number |\n|---|---|\n| {{name}} | {{a}} |\n",
		    "name: \"*Star* Ltd_ #1 <b>x</b> [a](b) | c\"\na: \"A 12-345-678\"\n",
		    PD_ESC_MARKDOWN, false, NULL);
	assert_int_equal(r.rc, 0);
	char *html = markdown_to_html(r.out.s);
	assert_non_null(strstr(html, "<td>*Star* Ltd_ #1 &lt;b&gt;x&lt;/b&gt; [a](b) | c</td>\n"
				     "<td>A 12-345-678</td>"));
	free(html);
	run_free(&r);
}

static void test_raw_is_markdown(void **state)
{
	(void)state;
	struct run r;
	render_with(&r, "{{{x}}} {{& x}} {{x}}", "x: \"*a*\"\n", PD_ESC_MARKDOWN, false, NULL);
	assert_string_equal(r.out.s, "*a* *a* \\*a\\*");
	run_free(&r);
	render_with(&r, "{{x}}", "x: \"<a href=\\\"&\\\">\"\n", PD_ESC_HTML, false, NULL);
	assert_string_equal(r.out.s, "&lt;a href=&quot;&amp;&quot;&gt;");
	run_free(&r);
}

/* ------------------------------------------------------------- strict names */

static void test_strict_unknown_field(void **state)
{
	(void)state;
	struct run r;
	render_with(&r, "Dear {{client.name}},\nA-number: {{client.a_numbr}}\n",
		    "client:\n  name: Ana\n  a_number: \"A012345678\"\n", PD_ESC_MARKDOWN, false,
		    NULL);
	assert_int_equal(r.rc, 1);
	assert_int_equal(r.diags.errors, 1);
	assert_diag(&r, "t.md:2:11: error: unknown field \"client.a_numbr\" (did you mean "
			"\"client.a_number\"?)\n  A-number: {{client.a_numbr}}\n            ^\n");
	run_free(&r);
}

static void test_strict_relative_suggestion(void **state)
{
	(void)state;
	struct run r;
	render_with(&r, "{{#equities}}\n- {{txt}}\n{{/equities}}\n",
		    "equities:\n  - {factor: a, text: one}\n  - {factor: b, text: two}\n",
		    PD_ESC_MARKDOWN, false, NULL);
	assert_int_equal(r.rc, 1);
	assert_int_equal(r.diags.errors, 2); /* once per item */
	assert_diag(&r, "t.md:2:3: error: unknown field \"txt\" (did you mean \"text\"?)");
	run_free(&r);
}

static void test_strict_sections_stay_falsy(void **state)
{
	(void)state;
	assert_output("{{#emergency}}EMERGENCY{{/emergency}}{{^emergency}}routine{{/emergency}}",
		      "client: x\n", "routine");
}

static void test_strict_list_interpolation(void **state)
{
	(void)state;
	struct run r;
	render_with(&r, "{{items}}", "items: [a, b]\n", PD_ESC_MARKDOWN, false, NULL);
	assert_int_equal(r.rc, 1);
	assert_diag(&r, "\"items\" is a list, not a text");
	run_free(&r);
	render_with(&r, "[{{items}}{{missing}}]", "items: [a, b]\n", PD_ESC_MARKDOWN, true, NULL);
	assert_int_equal(r.rc, 0);
	assert_string_equal(r.out.s, "[]");
	run_free(&r);
}

/* ------------------------------------------------------------- formatters */

static void test_format_dates(void **state)
{
	(void)state;
	assert_output("{{d | date}}; {{d | date_short}}", "d: 2015-12-30\n",
		      "December 30, 2015; 12/30/2015");
	assert_output("{{d|date}}", "d: 2016-02-29\n", "February 29, 2016");
	const char *bad[] = {"d: 2015-02-29\n", "d: 12/30/2015\n", "d: 2015-13-01\n",
			     "d: \"2015-1-01\"\n", "d: [2015]\n"};
	for (size_t i = 0; i < 5; i++) {
		struct run r;
		render_with(&r, "Date: {{d | date}}", bad[i], PD_ESC_NONE, true, NULL);
		assert_int_equal(r.rc, 1);
		assert_diag(&r, "t.md:1:7: error: formatter \"date\" needs a date written YYYY-MM-DD");
		assert_diag(&r, "the value is at case.yaml:1:4");
		run_free(&r);
	}
}

static void test_format_anumber(void **state)
{
	(void)state;
	const char *ok[] = {"a: \"A012-345-678\"\n", "a: \"A# 12345678\"\n", "a: 12345678\n",
			    "a: \"012 345 678\"\n", "a: \"a12-345-678\"\n"};
	for (size_t i = 0; i < 5; i++)
		assert_output("{{a | anumber}}", ok[i], "A012-345-678");
	assert_output("{{a | anumber}}", "a: \"A 212-345-678\"\n", "A212-345-678");
	const char *bad[] = {"a: \"A1234567\"\n", "a: \"A1234567890\"\n", "a: \"B12345678\"\n",
			     "a: \"A12x345678\"\n"};
	for (size_t i = 0; i < 4; i++) {
		struct run r;
		render_with(&r, "{{a | anumber}}", bad[i], PD_ESC_NONE, false, NULL);
		assert_int_equal(r.rc, 1);
		assert_diag(&r, "needs an A-number of 8 or 9 digits");
		run_free(&r);
	}
}

static void test_format_join_count_words(void **state)
{
	(void)state;
	assert_output("{{l | join}}", "l: [A, B, C]\n", "A, B and C");
	assert_output("{{l | join}}", "l: [A, B]\n", "A and B");
	assert_output("{{l | join}}", "l: [A]\n", "A");
	assert_output("[{{l | join}}]", "l: []\n", "[]");
	assert_output("{{l | count}} {{l | count | words}}", "l: [a, b, c]\n", "3 three");
	assert_output("[{{t | sentence}}]", "t: Final order\n", "[Final order.]");
	assert_output("[{{t | sentence}}]", "t: \"Final order.  \"\n", "[Final order.  ]");
	assert_output("[{{{t | sentence}}}]", "t: \"see (Tab B)\"\n", "[see (Tab B).]");
	assert_output("[{{{t | sentence}}}]", "t: \"He said \u201cyes?\u201d\"\n",
		      "[He said \u201cyes?\u201d]");
	assert_output("[{{{t | sentence}}}]", "t: \"*done*\"\n", "[*done*.]");
	assert_output("[{{t | sentence}}]", "t: \"\"\n", "[]");
	assert_output("[{{{t | sentence}}}]", "t: \"Scan:\\n\\n![scan](a.png)\"\n",
		      "[Scan:\n\n![scan](a.png)]");
	assert_output("[{{{t | sentence}}}]", "t: \"a\\n\\n- one\\n- two\"\n", "[a\n\n- one\n- two]");
	assert_output("[{{{t | sentence}}}]", "t: \"a\\n\\n2. two\"\n", "[a\n\n2. two]");
	assert_output("[{{{t | sentence}}}]", "t: \"In 2015 he paid 1\"\n", "[In 2015 he paid 1.]");
	const char *nums[][2] = {{"0", "zero"},
				 {"12", "twelve"},
				 {"21", "twenty-one"},
				 {"40", "forty"},
				 {"100", "one hundred"},
				 {"105", "one hundred five"},
				 {"999", "nine hundred ninety-nine"},
				 {"1000", "one thousand"},
				 {"21000", "twenty-one thousand"},
				 {"1000001", "one million one"},
				 {"\"7\"", "seven"}};
	for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++) {
		char yaml[64];
		snprintf(yaml, sizeof yaml, "n: %s\n", nums[i][0]);
		assert_output("{{n | words}}", yaml, nums[i][1]);
	}
	struct run r;
	render_with(&r, "{{n | words}}", "n: -1\n", PD_ESC_NONE, false, NULL);
	assert_int_equal(r.rc, 1);
	run_free(&r);
	render_with(&r, "{{l | join}}", "l: [a, {b: c}]\n", PD_ESC_NONE, false, NULL);
	assert_int_equal(r.rc, 1);
	assert_diag(&r, "item 2 is not text");
	run_free(&r);
}

static void test_format_case_and_escape_order(void **state)
{
	(void)state;
	assert_output("{{n | upper}} {{n | lower}}", "n: \"Nguyễn Thị Çağrı\"\n",
		      "NGUYỄN THỊ ÇAĞRI nguyễn thị çağrı");
	struct run r;
	render_with(&r, "{{n | upper}}", "n: \"*a*\"\n", PD_ESC_MARKDOWN, false, NULL);
	assert_string_equal(r.out.s, "\\*A\\*"); /* escaped after formatting */
	run_free(&r);
	render_with(&r, "{{{n | upper}}}/{{& n | lower}}", "n: \"*A*\"\n", PD_ESC_MARKDOWN, false,
		    NULL);
	assert_string_equal(r.out.s, "*A*/*a*");
	run_free(&r);
}

static void test_unknown_formatter(void **state)
{
	(void)state;
	struct run r;
	render_with(&r, "x\n{{d | dat}}", "d: 2015-12-30\n", PD_ESC_NONE, false, NULL);
	assert_int_equal(r.rc, 1);
	assert_diag(&r, "t.md:2:7: error: unknown formatter \"dat\" (did you mean \"date\"?)");
	run_free(&r);
	render_with(&r, "{{#d | date}}x{{/d}}", "d: 1\n", PD_ESC_NONE, false, NULL);
	assert_int_equal(r.rc, 1);
	assert_diag(&r, "formatters (\"| name\") work only in");
	run_free(&r);
}

/* ------------------------------------------------------------- parse errors */

static void expect_parse_error(const char *template, const char *want)
{
	struct run r;
	render_with(&r, template, "a: 1\n", PD_ESC_NONE, true, NULL);
	assert_int_equal(r.rc, 1);
	assert_diag(&r, want);
	run_free(&r);
}

static void test_parse_errors(void **state)
{
	(void)state;
	expect_parse_error("a\n  {{#sec}}\nb\n", "t.md:2:3: error: {{#sec}} is never closed");
	expect_parse_error("{{#a}}{{/b}}", "t.md:1:7: error: closing tag {{/b}} does not match {{#a}}");
	expect_parse_error("x {{/a}}", "t.md:1:3: error: closing tag {{/a}} without an opening tag");
	expect_parse_error("x\n {{=<% %>}}", "t.md:2:2: error: tag is never closed");
	expect_parse_error("{{=<%%>=}}", "t.md:1:1: error: bad delimiter change");
	expect_parse_error("{{= a=b c =}}", "bad delimiter change");
	expect_parse_error("ab {{x", "t.md:1:4: error: tag is never closed (no \"}}\" after it)");
	expect_parse_error("{{{x}}", "tag is never closed (no \"}}}\" after it)");
	expect_parse_error("{{}}", "t.md:1:1: error: empty tag");
	expect_parse_error("{{a b}}", "bad name \"a b\"");
	expect_parse_error("é {{> ../x}}", "t.md:1:3: error: bad template name \"../x\"");
	expect_parse_error("{{> /etc/passwd}}", "bad template name");
	expect_parse_error("{{> a\\b}}", "bad template name");
	expect_parse_error("{{< .hidden}}{{/.hidden}}", "bad template name");
}

static void test_limits(void **state)
{
	(void)state;
	struct pd_buf deep = {0};
	for (int i = 0; i <= TMPL_MAX_NEST; i++)
		buf_puts(&deep, "{{#a}}");
	expect_parse_error(deep.s, "sections nested more than 100 deep");
	buf_free(&deep);
	struct pd_tmpl_set *set = tmpl_set_new(NULL, 0, NULL);
	struct pd_diags d = {0};
	size_t big = TMPL_MAX_BYTES + 1;
	char *text = xcalloc(big, 1);
	memset(text, 'x', big);
	assert_null(tmpl_parse_mem(set, "big.md", text, big, 1, &d));
	assert_int_equal(d.errors, 1);
	free(text);
	diag_clear(&d);
	tmpl_set_free(set);
	/* a combinatorial explosion stops with an error */
	struct pd_buf yaml = {0};
	buf_puts(&yaml, "l: [");
	for (int i = 0; i < 1000; i++)
		buf_printf(&yaml, "%s%d", i ? "," : "", i);
	buf_puts(&yaml, "]\n");
	struct run r;
	render_with(&r, "{{#l}}{{#l}}{{#l}}{{/l}}{{/l}}{{/l}}", yaml.s, PD_ESC_NONE, true, NULL);
	assert_int_equal(r.rc, 1);
	assert_diag(&r, "too much work");
	run_free(&r);
	render_with(&r, "{{#l}}{{#l}}{{#l}}0123456789abcdef{{/l}}{{/l}}{{/l}}", yaml.s, PD_ESC_NONE,
		    true, NULL);
	assert_int_equal(r.rc, 1);
	run_free(&r);
	buf_free(&yaml);
}

/* ------------------------------------------------------------- partials */

static void test_partial_missing_and_chain(void **state)
{
	(void)state;
	struct run r;
	render_with(&r, "a\n  {{> nowhere}}\n", "x: 1\n", PD_ESC_NONE, false, NULL);
	assert_int_equal(r.rc, 1);
	assert_diag(&r, "t.md:2:3: error: no partial \"nowhere\"");
	run_free(&r);
	render_with(&r, "a\n  {{> nowhere}}\n", "x: 1\n", PD_ESC_NONE, true, NULL);
	assert_int_equal(r.rc, 0);
	assert_string_equal(r.out.s, "a\n");
	run_free(&r);
	render_with(&r, "top\n{{> outer}}\n", "x: 1\n", PD_ESC_NONE, false, "outer",
		    "o\n {{> inner}}\n", "inner", "i {{x}} {{y}}", NULL);
	assert_int_equal(r.rc, 1);
	assert_diag(&r, "inner:1:9: error: unknown field \"y\"");
	assert_diag(&r, "in partial \"inner\" included at outer:2:2\n"
			"in partial \"outer\" included at t.md:2:1\n");
	run_free(&r);
	render_with(&r, "{{> p}}{{> p}}", "x: 1\n", PD_ESC_NONE, false, "p", "{{#x}}", NULL);
	assert_int_equal(r.rc, 1);
	assert_int_equal(r.diags.errors, 2); /* reported at each use */
	assert_diag(&r, "p:1:1: error: {{#x}} is never closed");
	assert_diag(&r, "in partial \"p\" included at t.md:1:8");
	run_free(&r);
}

static void test_include_depth(void **state)
{
	(void)state;
	struct run r;
	render_with(&r, "{{> a}}", "x: 1\n", PD_ESC_NONE, true, "a", "{{> b}}", "b", "{{> a}}", NULL);
	assert_int_equal(r.rc, 1);
	assert_int_equal(r.diags.errors, 1);
	assert_diag(&r, "partials nested more than 32 deep");
	assert_diag(&r, "in partial \"a\" included at t.md:1:1\n");
	run_free(&r);
	render_with(&r, "{{<a}}{{$b}}{{$b}}x{{/b}}{{/b}}{{/a}}", "x: 1\n", PD_ESC_NONE, true, "a",
		    "{{$b}}{{/b}}", NULL);
	assert_int_equal(r.rc, 1);
	assert_diag(&r, "blocks nested more than");
	run_free(&r);
}

static void test_dynamic_names(void **state)
{
	(void)state;
	struct run r;
	render_with(&r, "{{>*which}}", "which: \"../etc/passwd\"\n", PD_ESC_NONE, true, NULL);
	assert_int_equal(r.rc, 1);
	assert_diag(&r, "bad template name \"../etc/passwd\" from \"which\"");
	run_free(&r);
	render_with(&r, "{{>*which}}", "x: 1\n", PD_ESC_NONE, false, NULL);
	assert_int_equal(r.rc, 1);
	assert_diag(&r, "the partial name \"which\" is not in the data");
	run_free(&r);
	render_with(&r, "[{{>*which}}]", "which: p\nv: 1\n", PD_ESC_NONE, false, "p", "<{{v}}>",
		    NULL);
	assert_string_equal(r.out.s, "[<1>]");
	run_free(&r);
}

static void test_search_path_and_cache(void **state)
{
	(void)state;
	char dir1[] = "/tmp/pdgen-tmpl-XXXXXX", dir2[] = "/tmp/pdgen-tmpl-XXXXXX";
	assert_non_null(mkdtemp(dir1));
	assert_non_null(mkdtemp(dir2));
	char path[128];
	snprintf(path, sizeof path, "%s/greet.md", dir2);
	FILE *f = fopen(path, "w");
	fputs("Hello {{name}}{{> sig}}", f);
	fclose(f);
	snprintf(path, sizeof path, "%s/sig.md", dir1);
	f = fopen(path, "w");
	fputs(" -- user", f);
	fclose(f);
	snprintf(path, sizeof path, "%s/sig.md", dir2);
	f = fopen(path, "w");
	fputs(" -- project", f);
	fclose(f);
	const char *dirs[] = {dir1, dir2};
	struct pd_tmpl_set *set = tmpl_set_new(dirs, 2, NULL);
	struct pd_diags d = {0};
	const struct pd_tmpl *t = tmpl_get(set, "greet", &d);
	assert_non_null(t);
	assert_ptr_equal(t, tmpl_get(set, "greet", &d)); /* parsed once */
	char *p = tmpl_set_path(set, "greet");
	assert_non_null(strstr(p, dir2));
	free(p);
	assert_null(tmpl_set_path(set, "../greet"));
	struct pd_arena *a = arena_new();
	struct pd_value *data = value_new(a, PD_MAP, (struct pd_loc){0});
	value_set(a, data, "name", value_new_str(a, "Ana", (struct pd_loc){0}));
	struct pd_tmpl_opts opts = {PD_ESC_NONE, false, NULL, NULL};
	for (int i = 0; i < 3; i++) {
		struct pd_buf out = {0};
		assert_int_equal(tmpl_eval(set, t, data, &opts, &out, &d), 0);
		assert_string_equal(out.s, "Hello Ana -- user");
		buf_free(&out);
	}
	/* the cached partial stays even when its file goes away */
	remove(path);
	snprintf(path, sizeof path, "%s/sig.md", dir1);
	remove(path);
	struct pd_buf out = {0};
	assert_int_equal(tmpl_eval(set, t, data, &opts, &out, &d), 0);
	assert_string_equal(out.s, "Hello Ana -- user");
	buf_free(&out);
	assert_null(tmpl_get(set, "nothere", &d));
	assert_int_equal(d.errors, 1);
	snprintf(path, sizeof path, "%s/greet.md", dir2);
	remove(path);
	rmdir(dir1);
	rmdir(dir2);
	diag_clear(&d);
	arena_free(a);
	tmpl_set_free(set);
}

static void test_places(void **state)
{
	(void)state;
	struct pd_tmpl_set *set = tmpl_set_new(NULL, 0, NULL);
	struct pd_diags d = {0};
	struct pd_arena *a = arena_new();
	struct pd_value *data = value_new(a, PD_MAP, (struct pd_loc){0});
	value_set(a, data, "name", value_new_str(a, "Ana", (struct pd_loc){0}));
	struct pd_tmpl_opts opts = {PD_ESC_NONE, false, NULL, NULL};
	struct pd_buf out = {0};
	/* a front-matter string at line 3, column 10 */
	assert_int_equal(tmpl_render_string(set, "Re: {{name}} {{nme}}", 20,
					    (struct pd_loc){"letter.md", 3, 10}, data, &opts, &out,
					    &d),
			 1);
	assert_string_equal(out.s, "Re: Ana ");
	assert_int_equal(d.n, 1);
	assert_int_equal(d.v[0].loc.line, 3);
	assert_int_equal(d.v[0].loc.col, 23);
	assert_non_null(strstr(d.v[0].msg, "did you mean \"name\""));
	diag_clear(&d);
	/* a body after front matter keeps true line numbers */
	assert_null(tmpl_parse_mem(set, "body.md", "ok\n{{#x}}", 9, 5, &d));
	assert_int_equal(d.v[0].loc.line, 6);
	assert_int_equal(d.v[0].loc.col, 1);
	diag_clear(&d);
	buf_free(&out);
	arena_free(a);
	tmpl_set_free(set);
}

/* Random tag soup never crashes (run under ASan by `make asan`). */
static void test_garbage(void **state)
{
	(void)state;
	static const char *const bits[] = {"{{", "}}", "{{{", "}}}", "#", "^", "/", ">", "<", "$",
					   "=", "!", "&", "*", "a", "b", ".", "|", " date", "\n",
					   "  ", "\r\n", "x", "{{=| |=}}", "|", "{{$a}}", "{{/a}}",
					   "{{#a}}", "{{>p}}", "{{<p}}", "{{/p}}", "\xc3", "\xa9"};
	size_t nb = sizeof bits / sizeof bits[0];
	unsigned seed = 12345;
	for (int round = 0; round < 3000; round++) {
		struct pd_buf t = {0};
		int parts = 1 + (int)((seed >> 3) % 24);
		for (int i = 0; i < parts; i++) {
			seed = seed * 1103515245u + 12345u;
			buf_puts(&t, bits[(seed >> 16) % nb]);
		}
		struct run r;
		render_with(&r, t.s, "a: [1, {b: 2}]\nb: true\np: \"{{p}}\"\n", PD_ESC_MARKDOWN,
			    round % 2, "p", t.s, NULL);
		run_free(&r);
		buf_free(&t);
	}
}

/* Every byte of the rendered text knows where it came from: template text byte for byte
 * (through partials, at their own lines), a value at its YAML scalar. */
static void test_origins(void **state)
{
	(void)state;
	struct pd_arena *arena = arena_new();
	struct pd_diags diags = {0};
	struct pd_tmpl_set *set = tmpl_set_new(NULL, 0, NULL);
	const char *p = "From {{firm}}, done.\n";
	tmpl_set_add_mem(set, "sig", p, strlen(p));
	const char *yaml = "name: Bob\nfirm: Acme & Co\n";
	const struct pd_value *data = value_load_mem(arena, "d.yaml", yaml, strlen(yaml), NULL, &diags);
	const char *text = "Hi {{name}}!\n  Line two.\n{{> sig}}";
	const struct pd_tmpl *t = tmpl_parse_mem(set, "o.md", text, strlen(text), 1, &diags);
	struct pd_origins o = {0};
	struct pd_tmpl_opts opts = {PD_ESC_NONE, false, &o, NULL};
	struct pd_buf out = {0};
	assert_int_equal(tmpl_eval(set, t, data, &opts, &out, &diags), 0);
	assert_string_equal(out.s, "Hi Bob!\n  Line two.\nFrom Acme & Co, done.\n");
	static const struct {
		const char *at, *file;
		int line, col;
	} want[] = {{"Hi", "o.md", 1, 1},   {"Bob", "d.yaml", 1, 7}, {"!", "o.md", 1, 12},
		    {"two", "o.md", 2, 8},  {"From", "sig", 1, 1},   {"& Co", "d.yaml", 2, 7},
		    {"done", "sig", 1, 16}};
	for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
		size_t off = (size_t)(strstr(out.s, want[i].at) - out.s);
		struct pd_loc loc = tmpl_origin(&o, out.s, out.len, off);
		assert_non_null(loc.file);
		assert_string_equal(loc.file, want[i].file);
		assert_int_equal(loc.line, want[i].line);
		assert_int_equal(loc.col, want[i].col);
	}
	tmpl_origins_free(&o);
	buf_free(&out);
	diag_clear(&diags);
	tmpl_set_free(set);
	arena_free(arena);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_markdown_never_structure),
	    cmocka_unit_test(test_markdown_table_cell),
	    cmocka_unit_test(test_raw_is_markdown),
	    cmocka_unit_test(test_strict_unknown_field),
	    cmocka_unit_test(test_strict_relative_suggestion),
	    cmocka_unit_test(test_strict_sections_stay_falsy),
	    cmocka_unit_test(test_strict_list_interpolation),
	    cmocka_unit_test(test_format_dates),
	    cmocka_unit_test(test_format_anumber),
	    cmocka_unit_test(test_format_join_count_words),
	    cmocka_unit_test(test_format_case_and_escape_order),
	    cmocka_unit_test(test_unknown_formatter),
	    cmocka_unit_test(test_parse_errors),
	    cmocka_unit_test(test_limits),
	    cmocka_unit_test(test_partial_missing_and_chain),
	    cmocka_unit_test(test_include_depth),
	    cmocka_unit_test(test_dynamic_names),
	    cmocka_unit_test(test_search_path_and_cache),
	    cmocka_unit_test(test_places),
	    cmocka_unit_test(test_garbage),
	    cmocka_unit_test(test_origins),
	};
	return cmocka_run_group_tests_name("tmpl", tests, NULL, NULL);
}
