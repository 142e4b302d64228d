/* cmd: the subcommands of pdgen, one file each (cmd_<name>.c), and what they share.
 * In: argc/argv after the subcommand name. Out: an exit code (0, 1 input, 2 usage, 3 I/O). */
#ifndef PD_CMD_H
#define PD_CMD_H

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>

struct pd_command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *synopsis; /* "letter CASE.yaml --level LEVEL [-o OUT.pdf]" */
	const char *summary;  /* one line */
	const char *options;  /* "FLAGS\tWHAT\n" a line, one an option ("" for none) */
};

int cmd_letter(int argc, char **argv);
int cmd_memo(int argc, char **argv);
int cmd_packet(int argc, char **argv);
int cmd_email(int argc, char **argv);
int cmd_batch(int argc, char **argv);
int cmd_render(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_next(int argc, char **argv);
int cmd_levels(int argc, char **argv);
int cmd_typeset(int argc, char **argv);
int cmd_explain(int argc, char **argv);
int cmd_templates(int argc, char **argv);
int cmd_watch(int argc, char **argv);
int cmd_init(int argc, char **argv);

/* Prints "usage: pdgen SYNOPSIS" of the named command to f. */
void cmd_usage(const char *name, FILE *f);
/* Prints "pdgen: error: msg" and the usage of the command; returns 2. */
int cmd_usage_error(const char *name, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
struct pd_diags;
struct pd_session;
/* --templates DIR: 0 when dir is NULL or a directory, else a usage error (2). */
int cmd_overlay_usage(const char *name, const char *dir);
/* For a command whose one option is --templates DIR: a session with that overlay in *s
 * (0), or a usage error (2). */
int cmd_overlay_session(const char *name, int argc, char **argv, struct pd_session **s);
/* Prints diagnostics: as text on stderr, or (json) one JSON object a line on stdout. */
void cmd_diag_print(const struct pd_diags *d, bool json);
/* --format=NAME: "text" or "json" sets *json; -1 for another name. */
int cmd_format(const char *name, bool *json);
struct pd_session;
/* With a readable level table that does not name level: prints the levels and the
 * command's usage and returns 2 (a broken table passes: the command reports it); else 0.
 * The level table is the session's. */
int cmd_level_usage(struct pd_session *s, const char *name, const char *level);
/* Directory of the project's data (templates/, fonts/): PDGEN_DATADIR, else the first of
 * the running binary's directory and those above it that holds templates/ (or whose
 * share/pdgen does), else the PD_DATADIR it was built for. Written to dir; returns dir. */
const char *cmd_datadir(char dir[PATH_MAX]);

#endif
