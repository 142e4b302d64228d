/* libFuzzer target: arbitrary bytes -> YAML -> case model -> rules for every level and
 * document -> template data. Run from the project's top directory (templates/ is read). */
#include <stddef.h>
#include <stdint.h>

#include "case.h"
#include "levels.h"
#include "value.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const levels[] = {"ero", "afod", "fod", "ero-hq", "occ-sub",
				     "occ", "dcc", "cc", "opla-hq", "nonsense", NULL};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pd_arena *arena = arena_new();
	struct pd_diags diags = {0};
	struct pd_value_opts vopts = {.max_items = 1000};
	struct pd_value *root =
	    value_load_mem(arena, "case.yaml", (const char *)data, size, &vopts, &diags);
	struct pd_case *c = root ? case_from_value(arena, root, "case.yaml", ".", &diags) : NULL;
	if (c) {
		/* template data only for a case with no schema errors, as the commands do */
		bool clean = !diags.errors;
		struct pd_buf why = {0};
		(void)case_next_level(c, &why);
		buf_free(&why);
		(void)case_header_text(arena, c);
		(void)case_check(c, NULL, NULL, &diags);
		for (int i = 0; levels[i]; i++)
			for (int doc = 0; doc < 2; doc++) {
				const char *document = doc ? "memo" : "letter";
				struct pd_diags d = {0};
				if (!case_check(c, levels[i], document, &d) && clean &&
				    levels_find(case_domain(c), levels[i])) {
					(void)case_context(arena, c, levels[i], document);
					(void)case_template_name(c, levels[i], document);
					(void)case_output_name(arena, c, levels[i], document);
				}
				diag_clear(&d);
			}
	}
	diag_clear(&diags);
	arena_free(arena);
	return 0;
}
