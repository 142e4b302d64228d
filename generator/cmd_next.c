/* cmd_next: `pdgen next CASE`: a case's request history -> the next level and why.
 * In: argv. Out: the level name and its reasons on stdout; exit 0, 1 on case errors. */
#include <stdio.h>
#include <string.h>

#include "case.h"
#include "cmd.h"
#include "diag.h"
#include "util.h"

int cmd_next(int argc, char **argv)
{
	if (argc != 2 || argv[1][0] == '-')
		return cmd_usage_error("next", "one case file is required");
	struct pd_arena *arena = arena_new();
	struct pd_diags diags = {0};
	char datadir[PATH_MAX];
	struct pd_case *c = case_load(arena, argv[1], cmd_datadir(datadir), &diags);
	if (c)
		case_check(c, NULL, NULL, &diags);
	diag_print(&diags, stderr);
	int rc = PD_EXIT_OK;
	if (!c || diags.errors) {
		rc = PD_EXIT_INPUT;
	} else {
		struct pd_buf why = {0};
		const char *next = case_next_level(c, &why);
		printf("next: %s\n", next ? next : "none");
		const char *p = why.s ? why.s : "";
		while (*p) {
			const char *nl = strchr(p, '\n');
			size_t len = nl ? (size_t)(nl - p) : strlen(p);
			printf("  %.*s\n", (int)len, p);
			p += len + (nl != NULL);
		}
		buf_free(&why);
	}
	diag_clear(&diags);
	arena_free(arena);
	return rc;
}
