/* main: the pdgen command line; dispatches to the subcommands of cmd.h.
 * In: argv. Out: the subcommand's exit code, or usage (exit 2). */
#include <ctype.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "diag.h"
#include "doc.h"
#include "util.h"

/* One row a command: its synopsis, its summary and its options, one "FLAGS\tWHAT" line
 * each. `pdgen CMD --help` prints them; tests/t_workbench.sh compares them with pdgen(1). */
#define O_LEVEL "--level LEVEL\tthe level of the chain of command the document goes to\n"
#define O_OUT "-o OUT.pdf|DIR/\tthe output file, or a directory (made if missing) for the default name\n"
#define O_TEMPLATES "--templates DIR\ttemplates and data files in DIR come before the shipped ones\n"
#define O_FORMAT "--format=text|json\tdiagnostics as text, or one JSON object a line on stdout\n"
#define O_VERBOSE "--verbose, -v\twith --templates: name each partial taken from the shipped ones\n"
#define O_TEMPLATE \
	"--template NAME\ta document type of documents.yaml, or the template NAME.md\n" \
	"--defaults FILE\tcase fields (firm, attorney) kept in one file, under the case's own\n"
#define O_NOTAGS "--no-tags\ta plain PDF: no structure tree, no PDF/UA or PDF/A claim\n"
#define O_SUBMISSION \
	O_LEVEL O_OUT O_TEMPLATES O_TEMPLATE \
	"--print-path\tprint the path of the file written\n" O_VERBOSE O_NOTAGS
#define O_DOCUMENT \
	O_SUBMISSION \
	"--dump=STAGE\tprint value, case, md or layout instead of writing the PDF\n"
static const struct pd_command commands[] = {
    {"letter", cmd_letter,
     "letter CASE.yaml --level LEVEL [-o OUT.pdf|DIR/|-] [--templates DIR] [--template NAME] "
     "[--defaults FILE] [--dump=STAGE] [--with-memo] [--print-path] [-v] [--no-tags]",
     "make the request letter for one level of the chain of command",
     O_DOCUMENT "--with-memo\tan escalation letter that goes with its memo points to it\n"},
    {"memo", cmd_memo,
     "memo CASE.yaml --level LEVEL [-o OUT.pdf|DIR/|-] [--templates DIR] [--template NAME] "
     "[--defaults FILE] [--dump=STAGE] [--print-path] [-v] [--no-tags]",
     "make the escalation cover memo (rung 2 and up)", O_DOCUMENT},
    {"packet", cmd_packet,
     "packet CASE.yaml --level LEVEL [-o OUT.pdf|DIR/|-] [--templates DIR] [--template NAME] "
     "[--defaults FILE] [--print-path] [-v] [--no-tags]",
     "merge letter, memo and enclosure files into one stamped, bookmarked PDF", O_SUBMISSION},
    {"email", cmd_email,
     "email CASE.yaml --level LEVEL [-o OUT.eml|DIR/|-] [--templates DIR] [--template NAME] "
     "[--defaults FILE] [--print-path] [-v] [--no-tags]",
     "make the submission e-mail (a draft .eml) with the packet attached", O_SUBMISSION},
    {"batch", cmd_batch,
     "batch DOCKET.yaml [-o DIR] [-j N] [--shard K/N] [--check] [--force] [--quiet|--verbose] "
     "[--stats] [--format=text|json] [--allow-outside] [--templates DIR] [--no-tags]",
     "make every case and document of a docket in worker processes",
     "-o DIR\tthe output directory (default out/)\n"
     "-j N\tworker processes (default: the number of processors)\n"
     "--shard K/N\tmake only the K-th of N equal shares of the docket\n"
     "--check\tcheck every document, write nothing\n"
     "--force\tremake documents newer than their inputs too\n"
     "--quiet, -q\tprint only failures and the summary\n"
     "--verbose, -v\tprint every document made\n"
     "--stats\tprint where the time went\n" O_FORMAT
     "--allow-outside\tcase files may lie outside the docket's directory\n" O_TEMPLATES O_NOTAGS},
    {"render", cmd_render,
     "render TEMPLATE (--data FILE.yaml | --case CASE.yaml --level LEVEL [--memo]) "
     "[--templates DIR] [--escape markdown|html|none] [--lenient]",
     "render a template with YAML data, or a case's letter data, to stdout (proofing templates)",
     "--data FILE.yaml\tthe data the template sees\n"
     "--case CASE.yaml\tthe data a letter gets from the case, checked as for a letter\n"
     O_LEVEL "--memo\twith --case: the data a memo gets\n" O_TEMPLATES
     "--escape markdown|html|none\thow {{x}} escapes a value (default markdown)\n"
     "--lenient\tunknown names render empty, as the Mustache specification says\n"},
    {"check", cmd_check, "check CASE.yaml... [--level LEVEL [--letter|--memo] [--markdown]] [--format=text|json]",
     "report every schema and escalation-rule diagnostic of case files (no PDF)",
     O_LEVEL O_FORMAT "--letter\twith --level: check the letter (the default)\n"
     "--memo\twith --level: check the memo\n"
     "--markdown\twith --level: print the document's Markdown\n"},
    {"next", cmd_next, "next CASE.yaml", "name the next level of the chain of command and why",
     ""},
    {"levels", cmd_levels, "levels [--date YYYY-MM-DD] [--check]",
     "list the levels of both chains of command with addressees and mailboxes; --check validates "
      "the data files",
     "--date YYYY-MM-DD\tmark the mailboxes not valid on that date\n"
     "--check\tvalidate the data files (levels, offices, regimes, labels)\n"},
    {"typeset", cmd_typeset, "typeset DOC.md [-o OUT.pdf] [--text] [--date YYYY-MM-DD] [--repeat N] [--no-tags]",
     "typeset a Markdown file with front matter (proof a layout)",
     "-o OUT.pdf\tthe output file (default DOC.pdf)\n"
     "--text\tprint the pages as text instead of writing a PDF\n"
     "--date YYYY-MM-DD\tthe date the PDF's metadata gives\n"
     "--repeat N\ttypeset N times (for measuring)\n" O_NOTAGS},
    {"explain", cmd_explain, "explain [RULE | --mdoc]",
     "what an escalation rule requires, why, and how to fix a case",
     "--mdoc\tprint the rule list of pdgen-case(5) in mdoc\n"},
    {"watch", cmd_watch,
     "watch CASE.yaml --level LEVEL [--memo] [-o OUT.pdf|DIR/] [--templates DIR] "
     "[--template NAME] [--defaults FILE] [-v]",
     "make a letter (or memo) and make it again each time the case, a template, a data "
     "file or a font changes",
     O_LEVEL "--memo\tthe memo instead of the letter\n" O_OUT O_TEMPLATES O_TEMPLATE O_VERBOSE},
    {"init", cmd_init, "init [--templates DIR]",
     "print a commented case-file skeleton to start a case from", O_TEMPLATES},
    {"templates", cmd_templates, "templates [--templates DIR]",
     "list where each template and data file resolves (an overlay DIR first, then the shipped)",
     O_TEMPLATES},
    {"help", NULL, "help [COMMAND]", "print the commands, or one command's full help", ""},
};
static const size_t ncommands = sizeof commands / sizeof commands[0];

static const struct pd_command *command_find(const char *name)
{
	for (size_t i = 0; i < ncommands; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

void cmd_usage(const char *name, FILE *f)
{
	const struct pd_command *c = command_find(name);
	if (c)
		fprintf(f, "usage: pdgen %s\n", c->synopsis);
}

int cmd_usage_error(const char *name, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	struct pd_buf msg = {0};
	buf_vprintf(&msg, fmt, ap);
	va_end(ap);
	fputs("pdgen: error: ", stderr);
	diag_put_text(msg.s, stderr);
	buf_free(&msg);
	cmd_usage(name, stderr);
	return PD_EXIT_USAGE;
}

int cmd_overlay_usage(const char *name, const char *dir)
{
	struct stat st;
	if (dir && (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)))
		return cmd_usage_error(name, "--templates %s is not a directory", dir);
	return 0;
}

int cmd_overlay_session(const char *name, int argc, char **argv, struct pd_session **s)
{
	const char *overlay = NULL;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--templates") && i + 1 < argc)
			overlay = argv[++i];
		else
			return cmd_usage_error(name, "unexpected argument '%s'", argv[i]);
	}
	int rc = cmd_overlay_usage(name, overlay);
	char datadir[PATH_MAX];
	if (!rc)
		*s = doc_session_new(cmd_datadir(datadir), overlay);
	return rc;
}

void cmd_diag_print(const struct pd_diags *d, bool json)
{
	if (json)
		diag_print_json(d, stdout);
	else
		diag_print(d, stderr);
}

int cmd_format(const char *name, bool *json)
{
	if (strcmp(name, "text") && strcmp(name, "json"))
		return -1;
	*json = !strcmp(name, "json");
	return 0;
}

static void usage(FILE *f)
{
	fputs("usage: pdgen COMMAND [ARGS]\n"
	      "       pdgen --help | --version | help COMMAND | COMMAND --help\n\ncommands:\n",
	      f);
	for (size_t i = 0; i < ncommands; i++)
		fprintf(f, "  %-9s %s\n", commands[i].name, commands[i].summary);
	fputs("\nSee pdgen(1), pdgen-case(5) and pdgen-template(5).\n", f);
}

/* The full help of one command: usage, summary and each option on a line. */
static void command_help(const struct pd_command *c, FILE *f)
{
	fprintf(f, "usage: pdgen %s\n\n%c%s.\n\noptions:\n", c->synopsis,
		toupper((unsigned char)c->summary[0]), c->summary + 1);
	for (const char *line = c->options; *line;) {
		const char *tab = strchr(line, '\t'), *end = strchr(line, '\n');
		fprintf(f, "  %-30.*s %.*s\n", (int)(tab - line), line, (int)(end - tab - 1), tab + 1);
		line = end + 1;
	}
	fprintf(f, "  %-30s %s\n", "-h, --help", "this help");
}

/* CMD --help or -h anywhere among its arguments. */
static bool asks_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return true;
	return false;
}

/* help --complete [CMD | --level]: for shell completion, one word a line: the commands,
 * a command's options, or the level names. */
static int complete_words(int argc, char **argv)
{
	if (argc < 3) {
		for (size_t i = 0; i < ncommands; i++)
			puts(commands[i].name);
		return PD_EXIT_OK;
	}
	if (!strcmp(argv[2], "--level")) {
		char datadir[PATH_MAX];
		struct pd_session *s = doc_session_new(cmd_datadir(datadir), NULL);
		struct pd_buf names = {0};
		doc_level_names(s, &names);
		for (char *w = strtok(names.s ? names.s : (char *)"", ", "); w; w = strtok(NULL, ", "))
			puts(w);
		buf_free(&names);
		doc_session_free(s);
		return PD_EXIT_OK;
	}
	const struct pd_command *c = command_find(argv[2]);
	for (const char *line = c ? c->options : ""; *line; line = strchr(line, '\n') + 1) {
		const char *end = line + strcspn(line, "\t");
		for (const char *w = line; w < end;) { /* "--quiet, -q", "--dump=STAGE", "-j N" */
			size_t k = strcspn(w, " ,=\t");
			printf("%.*s%s\n", (int)k, w, w[k] == '=' ? "=" : "");
			const char *next = strstr(w, ", ");
			w = next && next < end ? next + 2 : end;
		}
	}
	puts("--help");
	return PD_EXIT_OK;
}

static int help(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "--complete"))
		return complete_words(argc, argv);
	if (argc < 2) {
		usage(stdout);
		return PD_EXIT_OK;
	}
	const char *name = asks_help(argc, argv) ? "help" : argv[1]; /* help --help */
	const struct pd_command *c = command_find(name);
	if (!c) {
		diag_line(stderr, "pdgen: error: unknown command '%s'", name);
		usage(stderr);
		return PD_EXIT_USAGE;
	}
	command_help(c, stdout);
	return PD_EXIT_OK;
}

static int dir_has_templates(const char *dir)
{
	char path[PATH_MAX + 16];
	snprintf(path, sizeof path, "%s/templates", dir);
	return access(path, R_OK) == 0;
}

const char *cmd_datadir(char dir[PATH_MAX])
{
	const char *env = getenv("PDGEN_DATADIR");
	if (env && *env) {
		snprintf(dir, PATH_MAX, "%s", env);
		return dir;
	}
	ssize_t n = readlink("/proc/self/exe", dir, PATH_MAX - 1);
	/* the binary's directory, then each one above it (build dirs), each also with
	 * share/pdgen below it (an installation moved or made with another PREFIX) */
	for (; n > 0;) {
		dir[n] = '\0';
		char *slash = strrchr(dir, '/');
		if (!slash)
			break;
		*slash = '\0';
		if (dir_has_templates(dir))
			return dir;
		n = (ssize_t)(slash - dir);
		if ((size_t)n + sizeof "/share/pdgen" < PATH_MAX) {
			memcpy(dir + n, "/share/pdgen", sizeof "/share/pdgen");
			if (dir_has_templates(dir))
				return dir;
			dir[n] = '\0';
		}
		if (n == 0)
			break;
	}
	snprintf(dir, PATH_MAX, "%s", PD_DATADIR);
	return dir;
}

int main(int argc, char **argv)
{
	/* over a file size limit (ulimit -f, quotas) a write fails with EFBIG and the output
	 * code cleans up, instead of the process dying with a half-written temporary file */
	signal(SIGXFSZ, SIG_IGN);
	if (argc < 2) {
		usage(stderr);
		return PD_EXIT_USAGE;
	}
	const char *name = argv[1];
	if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0 || strcmp(name, "help") == 0)
		return help(argc - 1, argv + 1);
	if (strcmp(name, "--version") == 0 || strcmp(name, "version") == 0) {
		printf("pdgen %s\n", PD_VERSION);
		return PD_EXIT_OK;
	}
	const struct pd_command *c = command_find(name);
	if (!c) {
		diag_line(stderr, "pdgen: error: unknown command '%s'", name);
		usage(stderr);
		return PD_EXIT_USAGE;
	}
	if (asks_help(argc - 1, argv + 1)) {
		command_help(c, stdout);
		return PD_EXIT_OK;
	}
	return c->fn(argc - 1, argv + 1);
}
