/* Unit tests of util's buffers: buf_printf writes what snprintf writes, for the formats
 * it writes itself (texts, integers) and for those it leaves to vsnprintf. */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "util.h"

/* buf_printf appended after "x" equals "x" and snprintf's text. */
#define SAME(...)                                                                        \
	do {                                                                               \
		char want[256];                                                            \
		int n = snprintf(want, sizeof want, __VA_ARGS__);                          \
		struct pd_buf b = {0};                                                     \
		buf_putc(&b, 'x');                                                         \
		buf_printf(&b, __VA_ARGS__);                                               \
		assert_int_equal(b.len, (size_t)n + 1);                                   \
		assert_memory_equal(b.s + 1, want, (size_t)n);                             \
		assert_int_equal(b.s[b.len], '\0');                                        \
		buf_free(&b);                                                              \
	} while (0)

static void test_integers(void **state)
{
	(void)state;
	static const long long values[] = {0, 1, -1, 9, 10, -10, 42, -42, 255, 4096, 65535,
					   INT_MAX, INT_MIN, 1234567890123LL, LLONG_MAX, LLONG_MIN};
	for (size_t i = 0; i < sizeof values / sizeof *values; i++) {
		long long v = values[i];
		int iv = (int)v;
		SAME("%d|%i|%u|%x|%X", iv, iv, (unsigned)iv, (unsigned)iv, (unsigned)iv);
		SAME("%04d|%2d|%7d|%02u|%04X|%08x|%3x", iv, iv, iv, (unsigned)iv, (unsigned)iv,
		     (unsigned)iv, (unsigned)iv);
		SAME("%ld|%lu|%lx|%lld|%llu|%llX|%020lld", (long)v, (unsigned long)v,
		     (unsigned long)v, v, (unsigned long long)v, (unsigned long long)v, v);
		SAME("%zu|%zx|%05zu", (size_t)v, (size_t)v, (size_t)v);
	}
}

static void test_texts_and_the_rest(void **state)
{
	(void)state;
	SAME("plain text, no conversion");
	SAME("%s and %s", "José", "");
	SAME("%c%c%%%s%%", 'a', '\n', "b");
	SAME("<%04X> <%04X>\n", 0x20u, 0xFFFDu);
	SAME("%s\"%s\":", "{", "key");
	/* left to vsnprintf: precision, flags, floats, widths of texts */
	SAME("%.2f %g %e", 3.14159, 0.5, 1e10);
	SAME("%-5s|%5s|%.*s|%.3s", "ab", "cd", 2, "efgh", "ijklm");
	SAME("%+d % d %#x %-4d|", 5, 5, 255, 7);
	SAME("%40d|%*d", 1, 6, 2);
	char big[200];
	memset(big, 'z', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	SAME("%s%s", big, "!"); /* longer than the free room the buffer starts with */
}

/* arena_printf writes what buf_printf and snprintf write. */
static void test_arena_printf(void **state)
{
	(void)state;
	struct pd_arena *a = arena_new();
	char want[64];
	snprintf(want, sizeof want, "%s.%s|%04d|%zu|%.1f", "a", "b", -7, (size_t)12, 2.25);
	assert_string_equal(arena_printf(a, "%s.%s|%04d|%zu|%.1f", "a", "b", -7, (size_t)12, 2.25),
			    want);
	assert_string_equal(arena_printf(a, "%s.%s|%04d|%zu", "a", "b", -7, (size_t)12),
			    "a.b|-007|12");
	arena_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_integers),
	    cmocka_unit_test(test_texts_and_the_rest),
	    cmocka_unit_test(test_arena_printf),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
