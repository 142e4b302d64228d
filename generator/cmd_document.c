/* cmd_document: `pdgen letter` and `pdgen memo`: one case, one level -> one PDF.
 * In: argv. Out: a PDF written atomically, diagnostics on stderr, exit 0/1/2/3. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "doc.h"
#include "typeset.h"
#include "util.h"

struct document_args {
	struct pd_doc_request req;
	const char *templates;
	bool print_path;
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
		else if (!strncmp(arg, "--dump=", 7)) {
			if (!(a->req.dump = doc_dump_named(arg + 7)))
				return cmd_usage_error(cmd, "--dump takes value, case, md or layout, "
							    "not '%s'", arg + 7);
		}
		else if (!strcmp(arg, "--print-path"))
			a->print_path = true;
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
	return 0;
}

static int make_document(const char *cmd, int argc, char **argv)
{
	struct document_args a = {.req = {.document = cmd}};
	int rc = parse_args(cmd, argc, argv, &a);
	if (rc)
		return rc;
	char datadir[PATH_MAX];
	struct pd_session *session = doc_session_new(cmd_datadir(datadir), a.templates);
	if ((rc = cmd_level_usage(session, cmd, a.req.level))) {
		doc_session_free(session);
		return rc;
	}
	if (!a.req.dump)
		typeset_prefetch(doc_typesetter(session));
	struct pd_doc_result res = {0};
	struct pd_diags diags = {0};
	rc = doc_make(session, &a.req, &res, &diags);
	diag_print(&diags, stderr);
	if (rc == PD_EXIT_OK && a.print_path && !a.req.dump)
		printf("%s\n", res.out_path);
	else if (rc == PD_EXIT_OK && !a.req.dump && isatty(STDERR_FILENO) &&
		 strcmp(res.out_path, "/dev/stdout"))
		fprintf(stderr, "wrote %s (%d page%s)\n", res.out_path, res.pages,
			res.pages == 1 ? "" : "s");
	diag_clear(&diags);
	doc_result_clear(&res);
	doc_session_free(session);
	return rc;
}

int cmd_letter(int argc, char **argv)
{
	return make_document("letter", argc, argv);
}

int cmd_memo(int argc, char **argv)
{
	return make_document("memo", argc, argv);
}
