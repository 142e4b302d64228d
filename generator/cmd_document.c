/* cmd_document: `pdgen letter`, `memo`, `packet` and `email`: one case, one level -> one file.
 * In: argv. Out: a PDF written atomically, diagnostics on stderr, exit 0/1/2/3. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "doc.h"
#include "submit.h"
#include "typeset.h"
#include "watch.h"
#include "util.h"

struct document_args {
	struct pd_doc_request req;
	const char *templates;
	const char *template; /* --template NAME: a document type or a template */
	const char *defaults; /* --defaults FILE: firm, attorney... under the case */
	const char *document; /* watch: the document asked for, before --template chose */
	bool print_path, no_tags;
	bool verbose; /* -v: say which partials came from the shipped templates */
};

static int parse_args(const char *cmd, int argc, char **argv, struct document_args *a)
{
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		bool has_arg = i + 1 < argc;
		if (!strcmp(arg, "--level") && has_arg)
			a->req.level = argv[++i];
		else if (!strncmp(arg, "--level=", 8))
			a->req.level = arg + 8;
		else if (!strcmp(arg, "-o") && has_arg)
			a->req.out = argv[++i];
		else if (!strcmp(arg, "--templates") && has_arg)
			a->templates = argv[++i];
		else if (!strcmp(arg, "--template") && has_arg)
			a->template = argv[++i];
		else if (!strcmp(arg, "--defaults") && has_arg)
			a->defaults = argv[++i];
		else if (!strncmp(arg, "--dump=", 7)) {
			if (!(a->req.dump = doc_dump_named(arg + 7)))
				return cmd_usage_error(cmd, "--dump takes value, case, md or layout, "
							    "not '%s'", arg + 7);
		}
		else if (!strcmp(cmd, "watch") && !strcmp(arg, "--memo"))
			a->req.document = "memo";
		else if (!strcmp(arg, "-v") || !strcmp(arg, "--verbose"))
			a->verbose = true;
		else if (!strcmp(arg, "--print-path"))
			a->print_path = true;
		else if (!strcmp(arg, "--with-memo") && !strcmp(cmd, "letter"))
			a->req.with_memo = true;
		else if (!strcmp(arg, "--no-tags"))
			a->no_tags = true;
		else if (arg[0] == '-' && arg[1])
			return cmd_usage_error(cmd, "unknown option '%s'", arg);
		else if (!a->req.case_path)
			a->req.case_path = arg;
		else
			return cmd_usage_error(cmd, "one case file at a time (batch makes many)");
	}
	if (!a->req.case_path)
		return cmd_usage_error(cmd, "a case file is required");
	if (!a->req.level)
		return cmd_usage_error(cmd, "--level is required");
	return cmd_overlay_usage(cmd, a->templates);
}

/* --template NAME: a type of documents.yaml (its template and subject line), else the
 * template NAME.md made as this command's document. */
static void choose_template(struct pd_session *s, struct document_args *a)
{
	if (!a->template)
		return;
	if (levels_doctype(doc_domain(s), a->template))
		a->req.document = a->template;
	else
		a->req.template_name = a->template;
}

/* --defaults FILE: read as a docket's defaults are, merged under the case. NULL after
 * printing why it cannot be read. */
static const struct pd_value *read_defaults(struct pd_arena *arena, const char *path)
{
	struct pd_diags diags = {0};
	struct pd_value_opts opts = {0};
	const struct pd_value *v = value_load_file(arena, doc_input_path(path), &opts, &diags);
	if (v && v->kind != PD_MAP) {
		diag_error(&diags, v->loc, "--defaults takes a map of case fields (firm:, attorney:, ...)");
		v = NULL;
	}
	diag_print(&diags, stderr);
	diag_clear(&diags);
	return v;
}

/* Makes the document once, with a session of its own (watch makes it again after the
 * templates or data changed); prints its diagnostics and, when told or on a terminal,
 * what it wrote. */
static int make_once(const char *cmd, struct document_args *a, bool tell)
{
	char datadir[PATH_MAX];
	struct pd_session *session = doc_session_new(cmd_datadir(datadir), a->templates);
	if (a->no_tags)
		doc_session_plain(session);
	int rc = cmd_level_usage(session, cmd, a->req.level);
	if (rc) {
		doc_session_free(session);
		return rc;
	}
	choose_template(session, a);
	struct pd_arena *arena = arena_new();
	if (a->defaults && !(a->req.defaults = read_defaults(arena, a->defaults))) {
		arena_free(arena);
		doc_session_free(session);
		return PD_EXIT_INPUT;
	}
	if (!a->req.dump)
		typeset_prefetch(doc_typesetter(session));
	struct pd_doc_result res = {0};
	struct pd_diags diags = {0};
	rc = submission_make(session, &a->req, &res, &diags);
	if (a->verbose)
		doc_note_shipped(session, &diags);
	diag_print(&diags, stderr);
	bool written = rc == PD_EXIT_OK && !a->req.dump;
	if (written && a->print_path)
		printf("%s\n", res.out_path);
	else if (written && (tell || isatty(STDERR_FILENO)) && strcmp(res.out_path, "/dev/stdout"))
		fprintf(stderr, "wrote %s (%d page%s)\n", res.out_path, res.pages,
			res.pages == 1 ? "" : "s");
	diag_clear(&diags);
	doc_result_clear(&res);
	arena_free(arena);
	doc_session_free(session);
	return rc;
}

static int make_document(const char *cmd, int argc, char **argv)
{
	struct document_args a = {.req = {.document = cmd}};
	int rc = parse_args(cmd, argc, argv, &a);
	return rc ? rc : make_once(cmd, &a, false);
}

static int make_again(void *ctx)
{
	struct document_args *a = ctx;
	a->req.template_name = NULL;
	a->req.document = a->document;
	int rc = make_once("watch", a, true);
	if (rc != PD_EXIT_OK)
		fprintf(stderr, "pdgen: watch: not made (exit %d); waiting for the next change\n", rc);
	return rc;
}

/* pdgen watch CASE --level L: the letter (or --memo) made, then made again at every change
 * of the case, the defaults, the templates and data (overlay and shipped) and the fonts. */
int cmd_watch(int argc, char **argv)
{
	struct document_args a = {.req = {.document = "letter"}};
	int rc = parse_args("watch", argc, argv, &a);
	if (rc)
		return rc;
	if (a.req.dump || !strcmp(a.req.case_path, "-") || (a.req.out && !strcmp(a.req.out, "-")))
		return cmd_usage_error("watch", "watch reads a case file and writes a PDF file");
	a.document = a.req.document;
	char datadir[PATH_MAX];
	cmd_datadir(datadir);
	char shipped[PATH_MAX + 16], fonts[PATH_MAX + 16];
	snprintf(shipped, sizeof shipped, "%s/templates", datadir);
	snprintf(fonts, sizeof fonts, "%s/fonts", datadir);
	const char *files[] = {a.req.case_path, a.defaults};
	const char *dirs[] = {a.templates, shipped, fonts};
	struct watch_inputs in = {files, 2, dirs, 3};
	return watch_loop(&in, make_again, &a);
}

int cmd_letter(int argc, char **argv)
{
	return make_document("letter", argc, argv);
}

int cmd_memo(int argc, char **argv)
{
	return make_document("memo", argc, argv);
}

int cmd_packet(int argc, char **argv)
{
	return make_document("packet", argc, argv);
}

int cmd_email(int argc, char **argv)
{
	return make_document("email", argc, argv);
}
