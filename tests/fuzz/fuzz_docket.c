/* libFuzzer target: arbitrary bytes -> YAML -> docket (cases, defaults, levels, documents)
 * -> every shard of it. The case files it names are not read. Run from the project's top
 * directory (the level table, the only other input of the stage, is read from templates/). */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "docket.h"
#include "levels.h"
#include "value.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct pd_domain *dom; /* the level table, read once */
	static struct pd_arena *dom_arena;
	static struct pd_diag_store *store;
	if (!dom_arena) { /* kept for every input, with the names it points to */
		struct pd_diags ignored = {.store = store = diag_store_new()};
		dom_arena = arena_new();
		dom = levels_load(dom_arena, ".", &ignored);
		diag_clear(&ignored);
	}
	struct pd_arena *arena = arena_new();
	struct pd_diags diags = {0};
	struct pd_value_opts vopts = {.max_items = 1000};
	const struct pd_value *root =
	    value_load_mem(arena, "docket.yaml", (const char *)data, size, &vopts, &diags);
	struct pd_docket d;
	if (root && docket_from_value(arena, "dir/docket.yaml", root, dom, &d, &diags) == 0)
		for (unsigned n = 1; n <= 3; n++)
			for (unsigned k = 1; k <= n; k++) {
				struct pd_docket part = d;
				part.jobs = arena_alloc(arena, (d.njobs + 1) * sizeof *d.jobs);
				memcpy(part.jobs, d.jobs, d.njobs * sizeof *d.jobs);
				docket_shard(&part, k, n);
			}
	diag_clear(&diags);
	arena_free(arena);
	return 0;
}
