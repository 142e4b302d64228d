/* cmd_check: `pdgen check CASE... [--level LEVEL] [--memo]`: case files -> every diagnostic.
 * In: argv. Out: diagnostics on stderr, no PDF; exit 0, or 1 when any case has an error. */
#include <stdio.h>
#include <string.h>

#include "case.h"
#include "cmd.h"
#include "doc.h"
#include "diag.h"
#include "util.h"

/* What `check` was asked: the level (or NULL), the document, and whether to print the
 * Markdown of each case. */
struct check_args {
	const char *level, *document;
	bool markdown;
	bool json; /* --format=json: diagnostics as JSON lines on stdout */
	struct pd_session *session; /* with a level */
};

/* With a level, the document is made up to its laid-out pages, written nowhere: the
 * problems of its templates, its Markdown and its layout (a character no font has) too. */
static int check_document(const struct check_args *a, const char *path, const char *document)
{
	struct pd_session *s = a->session;
	const char *level = a->level;
	bool markdown = a->markdown;
	struct pd_doc_request req = {.case_path = path, .level = level, .document = document,
				     .check_only = !markdown, .dump = markdown ? PD_DUMP_MD : PD_DUMP_NONE};
	struct pd_doc_result res = {0};
	struct pd_diags diags = {0};
	int rc = doc_make(s, &req, &res, &diags);
	cmd_diag_print(&diags, a->json);
	diag_clear(&diags);
	doc_result_clear(&res);
	return rc == PD_EXIT_OK ? PD_EXIT_OK : PD_EXIT_INPUT;
}

static int check_one(const struct check_args *a, const char *path)
{
	const char *level = a->level;
	const char *document = a->document ? a->document : (level ? "letter" : NULL);
	if (level)
		return check_document(a, path, document);
	char datadir[PATH_MAX];
	struct pd_arena *arena = arena_new();
	struct pd_diags diags = {.store = diag_store_new()}; /* the names it prints live here */
	struct pd_case *c = case_load(arena, doc_input_path(path), cmd_datadir(datadir), &diags);
	if (c)
		case_check(c, level, document, &diags);
	cmd_diag_print(&diags, a->json);
	int rc = !c || diags.errors ? PD_EXIT_INPUT : PD_EXIT_OK;
	diag_clear(&diags);
	arena_free(arena);
	diag_store_free(diags.store);
	return rc;
}

int cmd_check(int argc, char **argv)
{
	struct check_args a = {0};
	int ncases = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--level") && i + 1 < argc)
			a.level = argv[++i];
		else if (!strcmp(argv[i], "--memo"))
			a.document = "memo";
		else if (!strcmp(argv[i], "--letter"))
			a.document = "letter";
		else if (!strcmp(argv[i], "--markdown"))
			a.markdown = true;
		else if (!strncmp(argv[i], "--format=", 9)) {
			if (cmd_format(argv[i] + 9, &a.json))
				return cmd_usage_error("check", "--format is text or json, not '%s'",
						       argv[i] + 9);
		}
		else if (argv[i][0] == '-' && argv[i][1])
			return cmd_usage_error("check", "unknown option '%s'", argv[i]);
		else
			ncases++;
	}
	if (!ncases)
		return cmd_usage_error("check", "no case file");
	if ((a.document || a.markdown) && !a.level)
		return cmd_usage_error("check", "--%s needs --level",
				       a.markdown ? "markdown" : a.document);
	if (a.level) {
		char datadir[PATH_MAX];
		a.session = doc_session_new(cmd_datadir(datadir), NULL);
		if (cmd_level_usage(a.session, "check", a.level)) {
			doc_session_free(a.session);
			return PD_EXIT_USAGE;
		}
	}
	int rc = PD_EXIT_OK;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--level")) {
			i++;
			continue;
		}
		if (argv[i][0] == '-' && argv[i][1])
			continue;
		if (check_one(&a, argv[i]))
			rc = PD_EXIT_INPUT;
	}
	doc_session_free(a.session);
	return rc;
}
