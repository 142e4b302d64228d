/* main: the pdgen command line; dispatches to the subcommands of cmd.h.
 * In: argv. Out: the subcommand's exit code, or usage (exit 2). */
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "diag.h"
#include "util.h"

static const struct pd_command commands[] = {
    {"letter", cmd_letter,
     "letter CASE.yaml --level LEVEL [-o OUT.pdf|DIR/] [--templates DIR] [--dump=STAGE]",
     "make the request letter for one level of the chain of command"},
    {"memo", cmd_memo, "memo CASE.yaml --level LEVEL [-o OUT.pdf|DIR/] [--templates DIR] [--dump=STAGE]",
     "make the escalation cover memo (rung 2 and up)"},
    {"batch", cmd_batch,
     "batch DOCKET.yaml [-o DIR] [-j N] [--shard K/N] [--check] [--force] [--quiet|--verbose] "
     "[--allow-outside] [--stats] [--templates DIR]",
     "make every case and document of a docket in worker processes"},
    {"render", cmd_render,
     "render TEMPLATE --data FILE.yaml [--templates DIR] [--escape markdown|html|none] [--lenient]",
     "render a template with YAML data to stdout (proofing templates)"},
    {"check", cmd_check, "check CASE.yaml... [--level LEVEL [--memo] [--markdown]]",
     "report every schema and escalation-rule diagnostic of case files (no PDF)"},
    {"next", cmd_next, "next CASE.yaml", "name the next level of the chain of command and why"},
    {"levels", cmd_levels, "levels [--date YYYY-MM-DD] [--check]",
     "list the levels of both chains of command with addressees and mailboxes; --check validates the data files"},
    {"typeset", cmd_typeset, "typeset DOC.md [-o OUT.pdf] [--text] [--date YYYY-MM-DD]",
     "typeset a Markdown file with front matter (proof a layout)"},
    {"explain", cmd_explain, "explain [RULE | --mdoc]",
     "what an escalation rule requires, why, and how to fix a case"},
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

static void usage(FILE *f)
{
	fputs("usage: pdgen COMMAND [ARGS]\n"
	      "       pdgen --help | --version | help COMMAND\n\ncommands:\n",
	      f);
	for (size_t i = 0; i < ncommands; i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fputs("\nSee pdgen(1), pdgen-case(5) and pdgen-template(5).\n", f);
}

static int help(int argc, char **argv)
{
	if (argc < 2) {
		usage(stdout);
		return PD_EXIT_OK;
	}
	const struct pd_command *c = command_find(argv[1]);
	if (!c) {
		diag_line(stderr, "pdgen: error: unknown command '%s'", argv[1]);
		usage(stderr);
		return PD_EXIT_USAGE;
	}
	printf("usage: pdgen %s\n\n%s.\n", c->synopsis, c->summary);
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
	return c->fn(argc - 1, argv + 1);
}
