/* libFuzzer target: arbitrary bytes -> a docket read as a stream (cases, defaults, levels,
 * documents) -> every job of every shard of it. The case files it names are not read. Run
 * from the project's top directory (the level table, the only other input of the stage, is
 * read from templates/). */
#define _DEFAULT_SOURCE /* fmemopen */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

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
	for (unsigned n = 1; n <= 3; n++)
		for (unsigned k = 1; k <= n; k++) {
			FILE *f = size ? fmemopen((void *)data, size, "r") : NULL;
			if (!f)
				return 0;
			struct pd_arena *arena = arena_new();
			struct pd_diags diags = {0};
			struct pd_docket d;
			if (docket_open_stream(arena, "dir/docket.yaml", f, dom, k, n, &d, &diags) == 0) {
				struct pd_job job;
				size_t jobs = 0;
				while (docket_next(&d, &job))
					jobs++;
				if (jobs != d.njobs)
					__builtin_trap(); /* the two passes must agree */
			}
			docket_close(&d);
			diag_clear(&diags);
			arena_free(arena);
		}
	return 0;
}
