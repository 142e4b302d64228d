/* libFuzzer target: arbitrary bytes -> template parse and render against a fixed data tree,
 * in every escape mode, strict and lenient, with in-memory partials (one of them the input). */
#include <stddef.h>
#include <stdint.h>

#include "tmpl.h"
#include "value.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char data_yaml[] =
    "client: {name: {given: \"José\", family: \"*Star* Ltd_\"}, a_number: \"A 012-345-678\",\n"
    "         dob: 1980-04-17}\n"
    "letter: {date: 2015-12-30}\n"
    "items: [a, b, {x: 1, y: [2, 3]}]\n"
    "empty: []\n"
    "flag: true\n"
    "off: false\n"
    "n: 12\n"
    "html: \"<b>&\\\"'</b>\"\n"
    "nested: {a: {b: {c: deep}}}\n";

static const struct pd_value *fixed_data(void)
{
	static struct pd_arena *arena;
	static struct pd_value *root;
	if (!arena) {
		struct pd_diags d = {0};
		arena = arena_new();
		root = value_load_mem(arena, "data.yaml", data_yaml, sizeof data_yaml - 1, NULL, &d);
		diag_clear(&d);
	}
	return root;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char part[] = "[{{client.name.given}}{{#items}}<{{.}}>{{/items}}{{$blk}}d{{/blk}}]";
	static const char parent[] = "P{{$body}}default{{/body}}{{> part}}";
	const struct pd_value *root = fixed_data();
	for (int mode = 0; mode < 6; mode++) {
		struct pd_tmpl_set *set = tmpl_set_new(NULL, 0, NULL);
		tmpl_set_add_mem(set, "part", part, sizeof part - 1);
		tmpl_set_add_mem(set, "parent", parent, sizeof parent - 1);
		tmpl_set_add_mem(set, "self", (const char *)data, size);
		struct pd_diags diags = {0};
		struct pd_tmpl_opts opts = {(enum pd_escape)(mode % 3), mode >= 3, NULL};
		const struct pd_tmpl *t = tmpl_get(set, "self", &diags);
		struct pd_buf out = {0};
		if (t)
			(void)tmpl_eval(set, t, root, &opts, &out, &diags);
		if (mode == 0) {
			struct pd_loc at = {"fm.yaml", 3, 8};
			(void)tmpl_render_string(set, (const char *)data, size, at, root, &opts, &out,
						 &diags);
		}
		buf_free(&out);
		diag_clear(&diags);
		tmpl_set_free(set);
	}
	return 0;
}
