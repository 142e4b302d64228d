/* libFuzzer target: arbitrary bytes -> front matter (style) and Markdown -> cmark-gfm tree
 * -> pages -> PDF (fonts subset and embedded) written to /dev/null. Run from the top. */
#include <stddef.h>
#include <stdint.h>

#include "layout.h"
#include "md.h"
#include "out.h"
#include "style.h"
#include "value.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct pd_fonts *fonts;
	static struct pd_pdfw *writer;
	if (!fonts) {
		fonts = fonts_new("fonts");
		writer = out_pdf_new();
	}
	const char *text = (const char *)data;
	struct pd_arena *arena = arena_new();
	struct pd_diags diags = {0};
	struct pd_style st;
	style_defaults(&st);
	size_t fm_off, fm_len, body_off = 0;
	int body_line = 1;
	int has_fm = md_front_matter(text, size, "doc.md", &fm_off, &fm_len, &body_off, &body_line,
				     &diags);
	if (has_fm > 0) {
		struct pd_value *fm =
		    value_load_mem(arena, "fm.yaml", text + fm_off, fm_len, NULL, &diags);
		if (fm)
			(void)style_apply(&st, fm, &diags);
	}
	struct md_doc *doc =
	    md_parse(text + body_off, size - body_off, "doc.md", body_line, &diags);
	struct pd_fontset set;
	if (doc && fonts_family(fonts, st.font, st.mono, &set, (struct pd_loc){0}, &diags) == 0) {
		struct pd_layout_in in = {doc, &st, fonts, &set, "/nonexistent", NULL, {0}, NULL, NULL};
		struct pd_layout lay;
		struct pd_pdf_info info = {"t", "a", "s", "pdgen fuzz", 2015, 12, 30};
		if (layout_doc(&in, arena, &lay, &diags) == 0)
			(void)out_pdf_write(writer, &lay, &info, "/dev/null", NULL, &diags);
	}
	if (doc)
		md_free(doc);
	diag_clear(&diags);
	arena_free(arena);
	return 0;
}
