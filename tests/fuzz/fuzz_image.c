/* libFuzzer target: arbitrary bytes -> the guarded PNG/JPEG decoder (image.c): every input
 * decodes within the caps or is refused with a reason; none aborts, leaks or overruns. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pd_arena *arena = arena_new();
	struct pd_pixels px;
	char why[256] = "";
	if (image_decode(data, size, arena, &px, why, sizeof why) == 0) {
		if (px.len != (size_t)px.width * (size_t)px.height * (size_t)px.comps)
			__builtin_trap();
	} else if (!why[0] || !memchr(why, '\0', sizeof why)) {
		__builtin_trap(); /* a refusal always says why */
	}
	arena_free(arena);
	return 0;
}
