/* packet_encl: the enclosures of a case -> tabs whose files are checked and opened: a PDF
 * through qpdf or a JPEG/PNG scan decoded to one page. Errors at the enclosure's line.
 * In: the case's template data (enclosure_list, prior_materials, communications). Out: tabs. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "case.h"
#include "packet_impl.h"

/* The rule ids these findings carry, from the rule table (pdgen explain). */
static const char *rule_id(const char *name)
{
	const struct pd_rule_info *r = case_rule_named(name);
	return r ? r->id : NULL;
}

static const char *str_of(const struct pd_value *m, const char *key)
{
	return value_str(value_get(m, key));
}

static bool listed_by(const struct pd_value *list, const char *key, const char *id)
{
	for (size_t i = 0; list && list->kind == PD_SEQ && i < list->n; i++) {
		const char *v = str_of(list->items[i], key);
		if (v && !strcmp(v, id))
			return true;
	}
	return false;
}

/* What the memo's rules make an escalation enclose (R-package): everything submitted with
 * the earlier requests and the copies of communications; NULL when the tab is optional. */
static const char *required_as(const struct pd_value *ctx, const char *id)
{
	if (!value_truthy(value_path(ctx, "level.is_escalation")))
		return NULL;
	if (listed_by(value_get(ctx, "prior_materials"), "id", id))
		return "it was submitted with an earlier request";
	if (listed_by(value_get(ctx, "communications"), "enclosure", id))
		return "it is the copy of a communication with the local office";
	return NULL;
}

static const char *resolve(struct pd_arena *a, const char *dir, const char *file)
{
	return file[0] == '/' ? file : arena_printf(a, "%s/%s", dir, file);
}

/* Opens the tab's file; false after an error at its line. */
static bool open_file(struct pd_arena *a, struct tab *t, const char *path,
		      const struct packet_style *st, struct pd_diags *diags)
{
	const char *what = arena_printf(a, "enclosure %s (Tab %s): file '%s'", t->id, t->tab,
					str_of(t->row, "file"));
	struct stat sb;
	bool exists = stat(path, &sb) == 0;
	if (!exists || !S_ISREG(sb.st_mode)) {
		diag_add(diags, PD_ERROR, t->at, rule_id("refs"), "%s %s (paths are relative to the case file)",
			 what, exists ? "is not a file" : errno == ENOENT ? "does not exist"
								 : "cannot be read");
		return false;
	}
	if (sb.st_size > (off_t)st->max_file_mb << 20) {
		diag_error(diags, t->at, "%s is %.1f MB, over the limit of %ld MB (packet.yaml "
					 "limits.file_mb): enclose a smaller copy",
			   what, (double)sb.st_size / (1 << 20), st->max_file_mb);
		return false;
	}
	size_t len = 0;
	unsigned char *bytes = (unsigned char *)file_read(path, &len, (size_t)st->max_file_mb << 20);
	if (!bytes) {
		diag_error(diags, t->at, "%s cannot be read: %s", what, strerror(errno));
		return false;
	}
	bool ok = false;
	char why[200];
	if (len >= 5 && !memcmp(bytes, "%PDF-", 5)) {
		t->pdf = merge_open_bytes(path, bytes, len, t->at, what, diags); /* read once */
		bytes = NULL;
		ok = t->pdf != NULL;
		t->pages = ok ? merge_src_pages(t->pdf) : 0;
	} else if (image_kind(bytes, len)) {
		ok = image_decode(bytes, len, a, &t->scan, why, sizeof why) == 0;
		if (!ok)
			diag_error(diags, t->at, "%s cannot be used: %s", what, why);
		else
			t->file = memcpy(arena_alloc(a, len), bytes, t->file_len = len);
		t->pages = 1;
	} else {
		diag_error(diags, t->at, "%s is not a PDF, JPEG or PNG file", what);
	}
	free(bytes);
	if (ok && t->pages > st->max_pages) {
		diag_error(diags, t->at, "%s has %d pages, over the limit of %ld (packet.yaml "
					 "limits.pages)",
			   what, t->pages, st->max_pages);
		ok = false;
	}
	return ok;
}

/* A declared page count that the file does not have: the memo's index would be wrong. */
static void check_pages(const struct tab *t, struct pd_diags *diags)
{
	const struct pd_value *declared = value_get(t->row, "pages");
	if (!declared || declared->kind != PD_INT || (long)declared->number == t->pages)
		return;
	diag_add(diags, PD_WARNING, declared->loc, rule_id("package"),
		 "enclosure %s (Tab %s) declares pages: %ld but its file has %d: the memo's index "
		 "and the letter print the declared count; correct pages:",
		 t->id, t->tab, (long)declared->number, t->pages);
}

static void init_tab(const struct pd_value *row, struct tab *t)
{
	t->row = row;
	t->tab = str_of(row, "tab");
	t->id = str_of(row, "id") ? str_of(row, "id") : "?";
	t->title = str_of(row, "title") ? str_of(row, "title") : "";
	const struct pd_value *file = value_get(row, "file");
	t->at = file && file->kind == PD_STR ? file->loc : row->loc;
}

size_t packet_tabs(struct pd_arena *a, const struct pd_value *ctx, const char *case_dir,
		   const struct packet_style *st, struct tab **tabs, struct pd_diags *diags)
{
	const struct pd_value *list = value_get(ctx, "enclosure_list");
	size_t n = list && list->kind == PD_SEQ ? list->n : 0;
	*tabs = arena_alloc(a, (n + 1) * sizeof **tabs);
	for (size_t i = 0; i < n; i++) {
		struct tab *t = &(*tabs)[i];
		init_tab(list->items[i], t);
		const char *file = str_of(t->row, "file");
		if (!file) {
			const char *why = required_as(ctx, t->id);
			diag_add(diags, why ? PD_ERROR : PD_WARNING, t->at, rule_id("package"),
				 "enclosure %s (Tab %s) has no file%s%s: %s", t->id, t->tab,
				 why ? ", and " : "", why ? why : "",
				 why ? "give file: (a PDF, JPEG or PNG, relative to the case file)"
				     : "the packet leaves it out; give file: to enclose it");
			continue;
		}
		t->path = resolve(a, case_dir, file);
		if (open_file(a, t, t->path, st, diags))
			check_pages(t, diags);
	}
	return n;
}

void packet_tabs_close(struct tab *tabs, size_t n)
{
	for (size_t i = 0; tabs && i < n; i++) {
		merge_close(tabs[i].pdf);
		tabs[i].pdf = NULL;
	}
}
