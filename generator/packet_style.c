/* packet_style: templates/packet.yaml -> the packet's house style; its texts rendered.
 * In: the data directory, a pattern and its data. Out: a packet_style, strings in the arena. */
#include <stdio.h>
#include <string.h>

#include "packet_impl.h"

static const struct pd_value *pattern_at(struct pd_arena *a, const struct pd_value *root,
					 const char *dotted, struct pd_loc at, struct pd_diags *diags)
{
	const struct pd_value *v = value_path(root, dotted);
	if (v && v->kind == PD_STR)
		return v;
	diag_error(diags, v ? v->loc : at, "packet.yaml: '%s' must be a text", dotted);
	return value_new_str(a, "", at);
}

static const char *text_at(struct pd_arena *a, const struct pd_value *root, const char *dotted,
			   struct pd_loc at, struct pd_diags *diags)
{
	return pattern_at(a, root, dotted, at, diags)->str;
}

static long number_at(const struct pd_value *root, const char *dotted, long lo, long hi,
		      struct pd_loc at, struct pd_diags *diags)
{
	const struct pd_value *v = value_path(root, dotted);
	if (v && v->kind == PD_INT && v->number >= lo && v->number <= hi)
		return (long)v->number;
	diag_error(diags, v ? v->loc : at, "packet.yaml: '%s' must be a whole number from %ld to %ld",
		   dotted, lo, hi);
	return lo;
}

int packet_style_load(struct pd_arena *arena, const char *datadir, struct packet_style *st,
		      struct pd_diags *diags)
{
	int before = diags->errors;
	char *path = arena_printf(arena, "%s/templates/packet.yaml", datadir);
	*st = (struct packet_style){0};
	st->root = value_load_file(arena, path, NULL, diags);
	if (!st->root)
		return diags->errors - before + (diags->errors == before);
	const struct pd_value *r = st->root;
	struct pd_loc at = r->loc;
	st->stamp = pattern_at(arena, r, "stamp", at, diags);
	st->tab_stamp = pattern_at(arena, r, "tab_stamp", at, diags);
	st->divider_stamp = pattern_at(arena, r, "divider_stamp", at, diags);
	st->bm_letter = pattern_at(arena, r, "bookmarks.letter", at, diags);
	st->bm_memo = pattern_at(arena, r, "bookmarks.memo", at, diags);
	st->bm_tab = pattern_at(arena, r, "bookmarks.tab", at, diags);
	st->lb_letter = pattern_at(arena, r, "labels.letter", at, diags);
	st->lb_memo = pattern_at(arena, r, "labels.memo", at, diags);
	st->lb_tab = pattern_at(arena, r, "labels.tab", at, diags);
	st->lb_divider = pattern_at(arena, r, "labels.divider", at, diags);
	st->divider_template = text_at(arena, r, "divider_template", at, diags);
	st->page_digits = (int)number_at(r, "page_digits", 1, 9, at, diags);
	st->max_file_mb = number_at(r, "limits.file_mb", 1, 4096, at, diags);
	st->max_pages = number_at(r, "limits.pages", 1, 100000, at, diags);
	st->max_packet_pages = number_at(r, "limits.packet_pages", 1, 1000000, at, diags);
	st->places = value_get(r, "stamp_places");
	for (size_t i = 0; st->places && i < st->places->n; i++) {
		const char *s = value_str(st->places->items[i]);
		if (!s || (strcmp(s, "bottom") && strcmp(s, "top")))
			diag_error(diags, st->places->items[i]->loc, "packet.yaml: a stamp place is "
				   "bottom or top, not '%s'", s ? s : "(not a text)");
	}
	if (st->places && (st->places->kind != PD_SEQ || !st->places->n))
		diag_error(diags, st->places->loc, "packet.yaml: 'stamp_places' must be a list of "
			   "bottom and top, such as [bottom, top]");
	const struct pd_value *div = value_get(r, "dividers");
	if (div && div->kind != PD_BOOL)
		diag_error(diags, div->loc, "packet.yaml: 'dividers' must be true or false");
	st->dividers = div && div->kind == PD_BOOL && div->boolean;
	return diags->errors - before;
}

const char *packet_text(struct pd_session *s, struct pd_arena *arena,
			const struct pd_value *pattern, const struct pd_value *data,
			struct pd_diags *diags)
{
	return doc_render_text(s, arena, pattern->str, pattern->loc, data, diags);
}
