/* cmd_levels: `pdgen levels [--date YYYY-MM-DD]`: the level table of templates/levels.yaml.
 * In: argv, or a --level. Out: one row per level on stdout, or a usage error for the level. */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "doc.h"
#include "diag.h"
#include "levels.h"
#include "util.h"

static void print_mailboxes(const struct pd_domain *dom, const struct pd_level *lv,
			    const char *date)
{
	for (size_t i = 0; i < dom->nmailboxes; i++) {
		const struct pd_mailbox *m = &dom->mailboxes[i];
		if (!m->level || strcmp(m->level, lv->name) != 0)
			continue;
		printf("%-10s %-5s %-3s %s (from %s%s%s)%s\n", "", "", !strcmp(m->role, "cc") ? "CC" : "To",
		       m->address, m->valid_from ? m->valid_from : "?", m->valid_to ? " to " : "",
		       m->valid_to ? m->valid_to : "",
		       date && !levels_mailbox_valid(m, date) ? " [not valid on that date]" : "");
	}
}

int cmd_level_usage(struct pd_session *s, const char *name, const char *level)
{
	if (doc_level_known(s, level))
		return PD_EXIT_OK;
	struct pd_buf names = {0};
	doc_level_names(s, &names);
	diag_line(stderr, "pdgen: error: unknown level '%s'; the levels are: %s", level,
		names.s ? names.s : "");
	buf_free(&names);
	cmd_usage(name, stderr);
	return PD_EXIT_USAGE;
}

int cmd_levels(int argc, char **argv)
{
	const char *date = NULL;
	bool check = false;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--date") && i + 1 < argc && date_valid(argv[i + 1]))
			date = argv[++i];
		else if (!strcmp(argv[i], "--check"))
			check = true;
		else
			return cmd_usage_error("levels", "unexpected argument '%s'", argv[i]);
	}
	struct pd_arena *arena = arena_new();
	struct pd_diags diags = {0};
	char datadir[PATH_MAX];
	const struct pd_domain *dom = levels_load(arena, cmd_datadir(datadir), &diags);
	if (dom && check) /* every data file under templates/: keys, types, labels */
		levels_validate(arena, dom, &diags);
	diag_print(&diags, stderr);
	int rc = dom && !diags.errors ? PD_EXIT_OK : PD_EXIT_INPUT;
	if (dom && !check) {
		printf("%-10s %-5s %-4s %s\n", "LEVEL", "TRACK", "RUNG", "ADDRESSED TO");
		for (size_t i = 0; i < dom->nlevels; i++) {
			const struct pd_level *lv = &dom->levels[i];
			printf("%-10s %-5s %-4d %s\n", lv->name, lv->track, lv->rung,
			       lv->addressee ? lv->addressee : lv->title ? lv->title : "");
			print_mailboxes(dom, lv, date);
		}
	}
	diag_clear(&diags);
	arena_free(arena);
	return rc;
}
