/* cmd_render: `pdgen render TEMPLATE --data FILE.yaml`: the template author's proofing tool.
 * In: argv (a template, YAML data, search path, escaping). Out: rendered text on stdout. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "diag.h"
#include "doc.h"
#include "tmpl.h"
#include "util.h"
#include "value.h"

#define MAX_DIRS 16

struct render_args {
	const char *tmpl, *data;
	const char *case_file, *level; /* --case, --level: the data a letter gets */
	bool memo;                     /* --memo: the data a memo gets */
	const char *dirs[MAX_DIRS + 1];
	size_t ndirs;
	struct pd_tmpl_opts opts;
};

/* "--opt VALUE" or "--opt=VALUE"; NULL when argv[*i] is not opt. */
static const char *opt_value(int argc, char **argv, int *i, const char *opt, bool *missing)
{
	size_t n = strlen(opt);
	if (strncmp(argv[*i], opt, n))
		return NULL;
	if (argv[*i][n] == '=')
		return argv[*i] + n + 1;
	if (argv[*i][n])
		return NULL;
	if (*i + 1 >= argc) {
		*missing = true;
		return NULL;
	}
	return argv[++*i];
}

static int parse_escape(const char *s, enum pd_escape *esc)
{
	if (!strcmp(s, "markdown"))
		*esc = PD_ESC_MARKDOWN;
	else if (!strcmp(s, "html"))
		*esc = PD_ESC_HTML;
	else if (!strcmp(s, "none"))
		*esc = PD_ESC_NONE;
	else
		return -1;
	return 0;
}

/* Returns -1 when the arguments are good, else the exit code. */
static int parse_args(int argc, char **argv, struct render_args *a)
{
	for (int i = 1; i < argc; i++) {
		bool missing = false;
		const char *v;
		if (!strcmp(argv[i], "--lenient")) {
			a->opts.lenient = true;
		} else if ((v = opt_value(argc, argv, &i, "--data", &missing))) {
			a->data = v;
		} else if ((v = opt_value(argc, argv, &i, "--case", &missing))) {
			a->case_file = v;
		} else if ((v = opt_value(argc, argv, &i, "--level", &missing))) {
			a->level = v;
		} else if (!strcmp(argv[i], "--memo")) {
			a->memo = true;
		} else if ((v = opt_value(argc, argv, &i, "--templates", &missing))) {
			if (a->ndirs == MAX_DIRS)
				return cmd_usage_error("render", "more than %d --templates", MAX_DIRS);
			a->dirs[a->ndirs++] = v;
		} else if ((v = opt_value(argc, argv, &i, "--escape", &missing))) {
			if (parse_escape(v, &a->opts.escape))
				return cmd_usage_error("render", "--escape takes markdown, html or none, not '%s'", v);
		} else if (missing) {
			return cmd_usage_error("render", "%s needs a value", argv[i]);
		} else if (argv[i][0] == '-' && argv[i][1]) {
			return cmd_usage_error("render", "unknown option '%s'", argv[i]);
		} else if (!a->tmpl) {
			a->tmpl = argv[i];
		} else {
			return cmd_usage_error("render", "more than one template ('%s')", argv[i]);
		}
	}
	if (!a->tmpl)
		return cmd_usage_error("render", "a template file is required");
	if (!a->data == !a->case_file)
		return cmd_usage_error("render", "give --data FILE.yaml or --case CASE.yaml --level LEVEL");
	if (a->case_file && !a->level)
		return cmd_usage_error("render", "--case needs --level (the data depends on it)");
	if ((a->level || a->memo) && !a->case_file)
		return cmd_usage_error("render", "--level and --memo go with --case");
	if (a->case_file && a->ndirs > 1)
		return cmd_usage_error("render", "--case takes one --templates DIR");
	return -1;
}

static int finish(struct pd_diags *diags, int rc)
{
	diag_print(diags, stderr);
	diag_clear(diags);
	return rc;
}

/* --case: the template rendered with exactly the data and checks of a letter (or memo)
 * for the level: its Markdown on stdout. */
static int render_case(const struct render_args *a)
{
	char datadir[PATH_MAX];
	struct pd_session *s = doc_session_new(cmd_datadir(datadir), a->ndirs ? a->dirs[0] : NULL);
	int rc = cmd_level_usage(s, "render", a->level);
	if (!rc) {
		struct pd_doc_request req = {.case_path = a->case_file, .level = a->level,
					     .document = a->memo ? "memo" : "letter",
					     .template_file = a->tmpl, .dump = PD_DUMP_MD};
		struct pd_doc_result res = {0};
		struct pd_diags diags = {0};
		rc = doc_make(s, &req, &res, &diags);
		diag_print(&diags, stderr);
		diag_clear(&diags);
		doc_result_clear(&res);
	}
	doc_session_free(s);
	return rc;
}

int cmd_render(int argc, char **argv)
{
	struct render_args a = {.opts = {PD_ESC_MARKDOWN, false}};
	int rc = parse_args(argc, argv, &a);
	if (rc >= 0)
		return rc;
	if (a.case_file)
		return render_case(&a);
	struct pd_diags diags = {0}; /* its store, made on first need, holds every name */
	size_t len = 0;
	char *text = file_read(a.tmpl, &len, TMPL_MAX_BYTES);
	if (!text) {
		diag_error(&diags, ((struct pd_loc){diag_intern(&diags, a.tmpl), 0, 0}),
			   "cannot read template: %s",
			   errno == EFBIG ? "larger than 4 MiB" : file_strerror(errno));
		return finish(&diags, errno == EFBIG ? PD_EXIT_INPUT : PD_EXIT_SYSTEM);
	}
	diag_intern(&diags, a.tmpl);
	struct pd_buf proj = {0};
	char datadir[PATH_MAX];
	buf_printf(&proj, "%s/templates", cmd_datadir(datadir));
	a.dirs[a.ndirs++] = proj.s;
	struct pd_tmpl_set *set = tmpl_set_new(a.dirs, a.ndirs, diags.store);
	struct pd_arena *arena = arena_new();
	struct pd_value_opts vopts = {0};
	const struct pd_value *data = value_load_file(arena, a.data, &vopts, &diags);
	const struct pd_tmpl *t = tmpl_parse_mem(set, a.tmpl, text, len, 1, &diags);
	struct pd_buf out = {0};
	rc = PD_EXIT_INPUT;
	if (data && t && !diags.errors && tmpl_eval(set, t, data, &a.opts, &out, &diags) == 0 &&
	    !diags.errors) {
		rc = PD_EXIT_OK;
		if (fwrite(out.s, 1, out.len, stdout) != out.len || fflush(stdout) != 0) {
			diag_error(&diags, ((struct pd_loc){0}), "cannot write the output: %s",
				   strerror(errno));
			rc = PD_EXIT_SYSTEM;
		}
	}
	diag_print(&diags, stderr);
	buf_free(&out);
	tmpl_set_free(set);
	arena_free(arena);
	buf_free(&proj);
	free(text);
	diag_clear(&diags); /* last: the names of the set and the data live in its store */
	return rc;
}
