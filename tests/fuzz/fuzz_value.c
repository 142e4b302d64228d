/* libFuzzer target: arbitrary bytes -> YAML loader (caps, aliases, UTF-8, duplicates). */
#include <stddef.h>
#include <stdint.h>

#include "value.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct pd_value_opts modes[2] = {{0}, {.allow_aliases = true}};
	for (int m = 0; m < 2; m++) {
		struct pd_arena *arena = arena_new();
		struct pd_diags diags = {0};
		struct pd_value *v =
		    value_load_mem(arena, "fuzz.yaml", (const char *)data, size, &modes[m], &diags);
		if (v)
			(void)value_path(v, "client.name.family");
		diag_clear(&diags);
		arena_free(arena);
	}
	return 0;
}
