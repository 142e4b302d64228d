/* style: page-setup stage of typesetting.
 * In: front matter (pd_value map) and house defaults. Out: a pd_style with sizes in points. */
#include "style.h"

#include <stdlib.h>
#include <string.h>

/* The house style's spacing and make-up values: name, unit, default, least and most. */
static const struct space_def {
	const char *name, *unit;
	double def, min, max;
} spaces[SP_COUNT] = {
    [SP_BLOCK_GAP] = {"block_gap", "lh", 0.75, 0, 4},
    [SP_HEADING_ABOVE] = {"heading_above", "lh", 1.0, 0, 4},
    [SP_HEADING_BELOW] = {"heading_below", "lh", 0.4, 0, 4},
    [SP_HEADING_RUN] = {"heading_run", "lh", 0.5, 0, 4},
    [SP_HEADING1_SIZE] = {"heading1_size", "em", 1.35, 0.5, 3},
    [SP_HEADING2_SIZE] = {"heading2_size", "em", 1.15, 0.5, 3},
    [SP_HEADING3_SIZE] = {"heading3_size", "em", 1.0, 0.5, 3},
    [SP_LIST_INDENT] = {"list_indent", "em", 1.5, 0, 6},
    [SP_LIST_MARKER_GAP] = {"list_marker_gap", "em", 0.5, 0, 3},
    [SP_TASK_BOX] = {"task_box", "em", 0.62, 0.3, 1.5},
    [SP_LIST_GAP_TIGHT] = {"list_gap_tight", "lh", 0.15, 0, 4},
    [SP_LIST_GAP_LOOSE] = {"list_gap_loose", "lh", 0.5, 0, 4},
    [SP_QUOTE_INDENT] = {"quote_indent", "em", 2, 0, 6},
    [SP_QUOTE_GAP] = {"quote_gap", "lh", 0.5, 0, 4},
    [SP_CODE_SIZE] = {"code_size", "em", 0.9, 0.5, 2},
    [SP_CODE_INDENT] = {"code_indent", "em", 0.5, 0, 6},
    [SP_TABLE_SIZE] = {"table_size", "em", 0.9, 0.5, 2},
    [SP_TABLE_PAD] = {"table_pad", "pt", 4, 0, 36},
    [SP_TABLE_CONTINUED_GAP] = {"table_continued_gap", "lh", 0.5, 0, 4},
    [SP_LETTERHEAD_NAME_SIZE] = {"letterhead_name_size", "em", 1.3, 0.5, 3},
    [SP_LETTERHEAD_LINE_SIZE] = {"letterhead_line_size", "em", 0.85, 0.5, 3},
    [SP_LETTERHEAD_RULE_GAP] = {"letterhead_rule_gap", "lh", 0.3, 0, 4},
    [SP_LETTERHEAD_AFTER] = {"letterhead_after", "lh", 0.7, 0, 4},
    [SP_LOGO_MAX_WIDTH] = {"logo_max_width", "pt", 108, 18, 432},
    [SP_LOGO_MAX_HEIGHT] = {"logo_max_height", "pt", 72, 18, 288},
    [SP_LOGO_GAP] = {"logo_gap", "pt", 12, 0, 72},
    [SP_HEADER_SIZE] = {"header_size", "em", 0.85, 0.5, 2},
    [SP_HEADER_GAP] = {"header_gap", "em", 1.0, 0, 6},
    [SP_HEADER_RULE_GAP] = {"header_rule_gap", "em", 0.5, 0, 6},
    [SP_FOOTER_SIZE] = {"footer_size", "em", 0.8, 0.5, 2},
    [SP_FOOTER_GAP] = {"footer_gap", "em", 0.5, 0, 6},
    [SP_RAGGED_STRETCH] = {"ragged_stretch", "em", 3, 0, 12},
    [SP_LOOSE_MAX] = {"loose_max", "x", 3, 1, 100},
    [SP_STRIKE_RAISE] = {"strike_raise", "em", 0.28, 0, 1},
    [SP_STRIKE_WEIGHT] = {"strike_weight", "em", 0.05, 0.01, 0.5},
    [SP_RULE_THEMATIC] = {"rule_thematic", "pt", 0.5, 0.1, 6},
    [SP_RULE_LETTERHEAD] = {"rule_letterhead", "pt", 0.6, 0.1, 6},
    [SP_RULE_HEADER] = {"rule_header", "pt", 0.4, 0.1, 6},
    [SP_RULE_TABLE_OUTER] = {"rule_table_outer", "pt", 0.8, 0.1, 6},
    [SP_RULE_TABLE_HEAD] = {"rule_table_head", "pt", 0.6, 0.1, 6},
    [SP_RULE_TABLE_ROW] = {"rule_table_row", "pt", 0.3, 0.1, 6},
    [SP_NOTE_SIZE] = {"note_size", "em", 0.83, 0.5, 1.5},
    [SP_NOTE_REF_SIZE] = {"note_ref_size", "x", 0.65, 0.4, 1},
    [SP_NOTE_REF_RISE] = {"note_ref_rise", "x", 0.38, 0, 1},
    [SP_NOTE_GAP] = {"note_gap", "lh", 1.0, 0, 4},
    [SP_NOTE_RULE] = {"note_rule", "x", 0.33, 0, 1},
    [SP_NOTE_CONTINUED_RULE] = {"note_continued_rule", "x", 1, 0, 1},
    [SP_NOTE_MAX] = {"note_max", "x", 0.5, 0.1, 1},
    [SP_IMAGE_DPI] = {"image_dpi", "x", 150, 36, 1200},
    [SP_IMAGE_MAX_HEIGHT] = {"image_max_height", "x", 0.5, 0.1, 1},
    [SP_ORPHAN_LINES] = {"orphan_lines", "lines", 2, 1, 5},
    [SP_WIDOW_LINES] = {"widow_lines", "lines", 2, 1, 5},
    [SP_CLOSING_LINES] = {"closing_lines", "lines", 2, 0, 10},
};

void style_defaults(struct pd_style *st)
{
	memset(st, 0, sizeof *st);
	st->page_w = 612;
	st->page_h = 792;
	st->margin_top = st->margin_right = st->margin_bottom = st->margin_left = 72;
	st->font = "Liberation Serif";
	st->mono = "Liberation Mono";
	st->size = 12;
	st->leading = 1.2;
	st->justify = true;
	st->hyphenate = -1;
	st->header = true;
	st->tagged = true;
	st->lang = "en-US";
	for (int i = 0; i < SP_COUNT; i++)
		st->space[i] = spaces[i].def;
}

bool style_hyphenates(const struct pd_style *st)
{
	return st->hyphenate < 0 ? st->justify : st->hyphenate > 0;
}

double style_measure(const struct pd_style *st)
{
	return st->page_w - st->margin_left - st->margin_right;
}

static const char *const known_keys[] = {
    "paper", "margins", "margin", "font", "mono", "size", "leading", "align", "hyphenate",
    "letterhead", "header", "footer", "title", "author", "subject", "spacing", "tagged", "lang",
    NULL};

/* "1in", "2.5cm", "20mm", "72pt", 72 -> points; < 0 on error */
static double length_pt(const struct pd_value *v)
{
	const char *s = value_str(v);
	if (!s || v->kind == PD_SEQ || v->kind == PD_MAP)
		return -1;
	char *end;
	double x = strtod(s, &end);
	if (end == s)
		return -1;
	while (*end == ' ')
		end++;
	double k = 1;
	if (!strcmp(end, "in"))
		k = 72;
	else if (!strcmp(end, "cm"))
		k = 72 / 2.54;
	else if (!strcmp(end, "mm"))
		k = 72 / 25.4;
	else if (*end && strcmp(end, "pt"))
		return -1;
	return x >= 0 ? x * k : -1;
}

static int margins(struct pd_style *st, const struct pd_value *v, struct pd_diags *d)
{
	double *side[4] = {&st->margin_top, &st->margin_right, &st->margin_bottom, &st->margin_left};
	static const char *const names[] = {"top", "right", "bottom", "left", NULL};
	if (v->kind == PD_MAP) {
		int err = 0;
		for (size_t i = 0; i < v->n; i++) {
			int k = -1;
			for (int j = 0; j < 4; j++)
				if (!strcmp(v->keys[i], names[j]))
					k = j;
			double x = length_pt(v->items[i]);
			if (k < 0) {
				diag_error(d, v->key_locs[i], "unknown margin '%s'%s", v->keys[i],
					   diag_did_you_mean(v->keys[i], names, 4, '\'').text);
				err++;
			} else if (x < 0 || x > 288) {
				diag_error(d, v->items[i]->loc, "bad margin '%s': use a length such as 1in, 2.5cm, 20mm or 72pt (at most 4in)",
					   value_str(v->items[i]) ? value_str(v->items[i]) : "");
				err++;
			} else {
				*side[k] = x;
				st->margin_at[k] = v->items[i]->loc;
			}
		}
		return err;
	}
	double x = length_pt(v);
	if (x < 0 || x > 288) {
		diag_error(d, v->loc, "bad margins '%s': use a length such as 1in, 2.5cm, 20mm or 72pt (at most 4in), or a map of top, right, bottom, left",
			   value_str(v) ? value_str(v) : "");
		return 1;
	}
	for (int j = 0; j < 4; j++)
		*side[j] = x, st->margin_at[j] = v->loc;
	return 0;
}

static int letterhead(struct pd_style *st, const struct pd_value *v, struct pd_diags *d)
{
	if (v->kind == PD_NULL || (v->kind == PD_BOOL && !v->boolean)) {
		st->lh_name = NULL;
		st->lh_nlines = 0;
		st->lh_logo = NULL;
		return 0;
	}
	if (v->kind != PD_MAP) {
		diag_error(d, v->loc, "letterhead must be a map of name, lines and logo");
		return 1;
	}
	static const char *const keys[] = {"name", "lines", "logo", "logo_width", NULL};
	int err = 0;
	for (size_t i = 0; i < v->n; i++) {
		const struct pd_value *x = v->items[i];
		const char *k = v->keys[i];
		if (!strcmp(k, "name")) {
			st->lh_name = value_str(x);
		} else if (!strcmp(k, "lines")) {
			st->lh_nlines = 0;
			if (x->kind == PD_SEQ) {
				for (size_t j = 0; j < x->n && st->lh_nlines < PD_STYLE_MAX_LINES; j++)
					if (value_str(x->items[j]) && *value_str(x->items[j]))
						st->lh_lines[st->lh_nlines++] = value_str(x->items[j]);
			} else if (value_str(x) && *value_str(x)) {
				st->lh_lines[st->lh_nlines++] = value_str(x);
			}
		} else if (!strcmp(k, "logo")) {
			st->lh_logo = value_str(x) && *value_str(x) ? value_str(x) : NULL;
			st->lh_logo_loc = x->loc;
		} else if (!strcmp(k, "logo_width")) {
			double w = length_pt(x);
			if (w < 0) {
				diag_error(d, x->loc, "bad logo_width: use a length such as 1.2in");
				err++;
			} else
				st->lh_logo_width = w;
		} else {
			diag_warn(d, v->key_locs[i], "unknown letterhead key '%s'%s", k,
				  diag_did_you_mean(k, keys, 4, '\'').text);
		}
	}
	return err;
}

/* "spacing:": a map of names from the table above to numbers within their range. */
static int spacing(struct pd_style *st, const struct pd_value *v, struct pd_diags *d)
{
	if (v->kind != PD_MAP) {
		diag_error(d, v->loc, "spacing must be a map of names to numbers (see pdgen-template(5))");
		return 1;
	}
	const char *names[SP_COUNT + 1];
	for (int j = 0; j < SP_COUNT; j++)
		names[j] = spaces[j].name;
	names[SP_COUNT] = NULL;
	int err = 0;
	for (size_t i = 0; i < v->n; i++) {
		int k = -1;
		for (int j = 0; j < SP_COUNT && k < 0; j++)
			if (!strcmp(v->keys[i], names[j]))
				k = j;
		const struct pd_value *x = v->items[i];
		if (k < 0) {
			const char *near = diag_nearest(v->keys[i], names, SP_COUNT);
			diag_error(d, v->key_locs[i], "unknown spacing '%s'%s%s%s", v->keys[i],
				   near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
			err++;
			continue;
		}
		double n = value_str(x) ? strtod(value_str(x), NULL) : -1;
		bool whole = strcmp(spaces[k].unit, "lines") || n == (double)(int)n;
		if ((x->kind != PD_INT && x->kind != PD_FLOAT) || n < spaces[k].min ||
		    n > spaces[k].max || !whole) {
			diag_error(d, x->loc, "bad spacing %s '%s': a number of %s from %g to %g",
				   spaces[k].name, value_str(x) ? value_str(x) : "", spaces[k].unit,
				   spaces[k].min, spaces[k].max);
			err++;
		} else
			st->space[k] = n;
	}
	return err;
}

static int one_key(struct pd_style *st, const char *k, const struct pd_value *v,
		   struct pd_diags *d)
{
	const char *s = value_str(v);
	if (!strcmp(k, "paper")) {
		if (s && !strcmp(s, "letter")) {
			st->page_w = 612;
			st->page_h = 792;
		} else if (s && (!strcmp(s, "a4") || !strcmp(s, "A4"))) {
			st->page_w = 595.276;
			st->page_h = 841.89;
		} else {
			diag_error(d, v->loc, "unknown paper '%s' (known: letter, a4)", s ? s : "");
			return 1;
		}
	} else if (!strcmp(k, "margins") || !strcmp(k, "margin")) {
		return margins(st, v, d);
	} else if (!strcmp(k, "font") || !strcmp(k, "mono")) {
		if (!s || !*s || v->kind == PD_SEQ || v->kind == PD_MAP) {
			diag_error(d, v->loc, "%s must be a family name such as \"Liberation Serif\"", k);
			return 1;
		}
		*(!strcmp(k, "font") ? &st->font : &st->mono) = s;
	} else if (!strcmp(k, "size")) {
		double x = length_pt(v);
		if (x < 6 || x > 24) {
			diag_error(d, v->loc, "bad font size '%s' (6 to 24 points)", s ? s : "");
			return 1;
		}
		st->size = x;
	} else if (!strcmp(k, "leading")) {
		double x = s ? strtod(s, NULL) : 0;
		if (v->kind != PD_INT && v->kind != PD_FLOAT)
			x = 0;
		if (x < 1 || x > 3) {
			diag_error(d, v->loc, "bad leading '%s' (a factor of the font size, 1 to 3)", s ? s : "");
			return 1;
		}
		st->leading = x;
	} else if (!strcmp(k, "align")) {
		if (s && !strcmp(s, "justify"))
			st->justify = true;
		else if (s && (!strcmp(s, "left") || !strcmp(s, "ragged")))
			st->justify = false;
		else {
			diag_error(d, v->loc, "unknown align '%s' (known: justify, left)", s ? s : "");
			return 1;
		}
	} else if (!strcmp(k, "hyphenate")) {
		if (v->kind != PD_BOOL) {
			diag_error(d, v->loc, "hyphenate must be true or false");
			return 1;
		}
		st->hyphenate = v->boolean ? 1 : 0;
	} else if (!strcmp(k, "letterhead")) {
		return letterhead(st, v, d);
	} else if (!strcmp(k, "header")) {
		if (v->kind == PD_BOOL) {
			st->header = v->boolean;
		} else if (v->kind == PD_NULL) {
			st->header = false;
		} else if (s) {
			st->header = true;
			st->header_text = s;
		} else {
			diag_error(d, v->loc, "header must be text, true or false");
			return 1;
		}
	} else if (!strcmp(k, "footer")) {
		if (v->kind == PD_NULL || (v->kind == PD_BOOL && !v->boolean))
			st->footer = NULL;
		else if (s && v->kind != PD_BOOL)
			st->footer = *s ? s : NULL;
		else {
			diag_error(d, v->loc, "footer must be text");
			return 1;
		}
	} else if (!strcmp(k, "spacing")) {
		return spacing(st, v, d);
	} else if (!strcmp(k, "title")) {
		st->title = s;
	} else if (!strcmp(k, "author")) {
		st->author = s;
	} else if (!strcmp(k, "subject")) {
		st->subject = s;
	} else if (!strcmp(k, "tagged")) {
		if (v->kind != PD_BOOL) {
			diag_error(d, v->loc, "tagged must be true (an accessible, archival PDF) or false");
			return 1;
		}
		st->tagged = v->boolean;
	} else if (!strcmp(k, "lang")) {
		if (!lang_tag_valid(s) || v->kind == PD_SEQ || v->kind == PD_MAP) {
			diag_error(d, v->loc, "lang '%s' is not a language tag such as en-US, es or zh-Hans",
				   s ? s : "");
			return 1;
		}
		st->lang = s;
	}
	return 0;
}

int style_apply(struct pd_style *st, const struct pd_value *fm, struct pd_diags *d)
{
	if (!fm || fm->kind == PD_NULL)
		return 0;
	if (fm->kind != PD_MAP) {
		diag_error(d, fm->loc, "front matter must be a map of page-setup keys");
		return 1;
	}
	int err = 0;
	size_t nknown = sizeof known_keys / sizeof known_keys[0] - 1;
	for (size_t i = 0; i < fm->n; i++) {
		const char *k = fm->keys[i];
		bool known = false;
		for (size_t j = 0; j < nknown; j++)
			if (!strcmp(k, known_keys[j]))
				known = true;
		if (!known) {
			diag_warn(d, fm->key_locs[i], "unknown front-matter key '%s'%s", k,
				  diag_did_you_mean(k, known_keys, nknown, '\'').text);
			continue;
		}
		err += one_key(st, k, fm->items[i], d);
	}
	if (style_measure(st) < 144 || st->page_h - st->margin_top - st->margin_bottom < 144) {
		diag_error(d, fm->loc, "margins leave less than 2in for the text");
		err++;
	}
	return err;
}
