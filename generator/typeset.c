/* typeset: typesetting entry point, md -> style -> layout -> out in one call.
 * In: a Markdown body and options. Out: a PDF file (atomic) or the pages' text. */
#include "typeset.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "font.h"
#include "hyph.h"
#include "layout.h"
#include "md.h"
#include "out.h"
#include "style.h"

/* The long-lived half of typesetting: its fields are read on first need and kept. */
struct pd_typesetter {
	char *datadir;
	char *style_path; /* the house style found on a search path, or NULL: the shipped one */
	struct pd_fonts *fonts;
	struct pd_hyph *hyph;
	struct pd_layout_memo *memo; /* names faces of fonts: freed before them */
	struct pd_pdfw *writer;
	struct pd_arena *house_arena; /* the house style, read once */
	const struct pd_value *house;
	struct pd_diags house_diags;
};

struct pd_typesetter *typesetter_new(const char *datadir, struct pd_diag_store *store)
{
	struct pd_typesetter *ts = xcalloc(1, sizeof *ts);
	ts->house_diags.store = store;
	ts->datadir = xstrdup(datadir ? datadir : ".");
	ts->hyph = hyph_new();
	ts->memo = layout_memo_new();
	return ts;
}

void typesetter_free(struct pd_typesetter *ts)
{
	if (!ts)
		return;
	hyph_free(ts->hyph);
	layout_memo_free(ts->memo);
	arena_free(ts->house_arena);
	diag_clear(&ts->house_diags);
	fonts_free(ts->fonts);
	out_pdf_free(ts->writer);
	free(ts->style_path);
	free(ts->datadir);
	free(ts);
}

static struct pd_fonts *fonts(struct pd_typesetter *ts)
{
	if (!ts->fonts) {
		char path[4096];
		snprintf(path, sizeof path, "%s/fonts", ts->datadir);
		ts->fonts = fonts_new(path);
	}
	return ts->fonts;
}

/* The house style, DATADIR/templates/style.yaml (optional), read once per process; its
 * errors are repeated for every document, which it would otherwise set wrongly. */
static const struct pd_value *house_style(struct pd_typesetter *ts, struct pd_diags *diags,
					  bool *broken)
{
	if (!ts->house_arena) {
		ts->house_arena = arena_new();
		char *path = ts->style_path
				 ? ts->style_path
				 : arena_printf(ts->house_arena, "%s/templates/style.yaml", ts->datadir);
		if (access(path, R_OK) == 0)
			ts->house = value_load_file(ts->house_arena, path, NULL, &ts->house_diags);
	}
	diag_copy(diags, &ts->house_diags);
	*broken = ts->house_diags.errors > 0;
	return ts->house;
}

void typesetter_use_search(struct pd_typesetter *ts, const struct pd_search *search)
{
	free(ts->style_path);
	ts->style_path = search_find(search, "style.yaml");
}

void typeset_prefetch(struct pd_typesetter *ts) { hyph_prefetch(ts->hyph); }

void typeset_preload(struct pd_typesetter *ts)
{
	struct pd_style st;
	struct pd_fontset set;
	struct pd_diags ignored = {.store = ts->house_diags.store}; /* the first document
								     * reports them */
	style_defaults(&st);
	if (fonts_family(fonts(ts), st.font, st.mono, &set, (struct pd_loc){0}, &ignored) == 0)
		for (int i = 0; i < PD_NSTYLES; i++)
			face_prepare_subsets(set.style[i]);
	diag_clear(&ignored);
	hyph_points(ts->hyph, "preload", 7);
}

struct job {
	struct pd_arena *arena;
	struct md_doc *doc;
	struct pd_style st;
	struct pd_fontset set;
	struct pd_layout lay;
};

static int prepare(struct pd_typesetter *ts, struct job *j, const char *md, size_t len,
		   const struct pd_typeset_opts *o, struct pd_diags *diags)
{
	const char *name = o && o->source_name ? o->source_name : "<input>";
	struct pd_loc loc = {diag_intern(diags, name), 0, 0};
	style_defaults(&j->st);
	bool broken;
	const struct pd_value *house = house_style(ts, diags, &broken);
	if (broken || (house && style_apply(&j->st, house, diags)))
		return PD_EXIT_INPUT;
	const struct pd_value *lh = o && o->own_letterhead ? value_get(house, "letterhead") : NULL;
	if (lh && value_truthy(lh)) {
		diag_error(diags, lh->loc, "a letter's letterhead is the partial letterhead.md (it "
					   "prints firm.logo): take 'letterhead' out of the house style");
		return PD_EXIT_INPUT;
	}
	if (o && o->style) {
		loc = o->style->loc;
		if (style_apply(&j->st, o->style, diags))
			return PD_EXIT_INPUT;
	}
	if (o && o->no_tags)
		j->st.tagged = false;
	if (fonts_family(fonts(ts), j->st.font, j->st.mono, &j->set, loc, diags) < 0)
		return PD_EXIT_INPUT;
	j->doc = md_parse(md, len, name, o && o->first_line > 0 ? o->first_line : 1, diags);
	if (!j->doc)
		return PD_EXIT_INPUT;
	j->arena = arena_new();
	struct pd_layout_in in = {j->doc,	 &j->st, fonts(ts), &j->set, o ? o->base_dir : NULL,
				  o ? o->header_left : NULL, loc, ts->memo, ts->hyph,
				  o ? o->files_read : NULL, o ? o->image_dirs : (struct pd_image_dirs){0}};
	if (layout_doc(&in, j->arena, &j->lay, diags) < 0)
		return PD_EXIT_INPUT;
	return 0;
}

static void job_end(struct job *j)
{
	md_free(j->doc);
	if (j->arena)
		arena_free(j->arena);
}

/* The document date: opts, then SOURCE_DATE_EPOCH, then 2000-01-01. */
static void document_date(const char *iso, struct pd_pdf_info *info)
{
	info->year = 2000;
	info->month = 1;
	info->day = 1;
	if (date_valid(iso)) {
		info->year = atoi(iso);
		info->month = atoi(iso + 5);
		info->day = atoi(iso + 8);
		return;
	}
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	if (sde && *sde) {
		char *end;
		long long t = strtoll(sde, &end, 10);
		if (!*end && t >= 0) {
			time_t tt = (time_t)t;
			struct tm tm;
			if (gmtime_r(&tt, &tm)) {
				info->year = tm.tm_year + 1900;
				info->month = tm.tm_mon + 1;
				info->day = tm.tm_mday;
			}
		}
	}
}

int typeset_pdf(struct pd_typesetter *ts, const char *markdown, size_t len,
		const struct pd_typeset_opts *opts, const char *out_path,
		struct pd_pdf_written *written, struct pd_diags *diags)
{
	struct job j = {0};
	int rc = prepare(ts, &j, markdown, len, opts, diags);
	if (!rc) {
		struct pd_pdf_info info = {0};
		info.title = opts && opts->title ? opts->title : j.st.title;
		info.author = opts && opts->author ? opts->author : j.st.author;
		info.subject = opts && opts->subject ? opts->subject : j.st.subject;
		if (!info.title || !*info.title)
			info.title = info.subject; /* a viewer shows the title, else the file name */
		info.creator = "pdgen " PD_VERSION;
		info.out_dir = opts ? opts->out_dir : NULL;
		char *smart[3] = {NULL, NULL, NULL}; /* as the pages print them: "O’Connor" */
		const char **field[3] = {&info.title, &info.author, &info.subject};
		for (int i = 0; i < 3; i++)
			if (*field[i])
				*field[i] = smart[i] = layout_smart_text(*field[i]);
		info.tagged = j.st.tagged;
		info.lang = j.st.lang;
		if (info.tagged && (!info.title || !*info.title)) /* PDF/UA: every PDF has one */
			info.title = j.lay.noutlines ? j.lay.outlines[0].title
						     : opts && opts->source_name ? opts->source_name
										  : "Document";
		document_date(opts ? opts->date_iso : NULL, &info);
		if (!ts->writer)
			ts->writer = out_pdf_new();
		rc = out_pdf_write(ts->writer, &j.lay, &info, out_path, written, diags);
		if (!rc && written) {
			written->margin_top = j.st.margin_top, written->margin_top_at = j.st.margin_at[0];
			written->margin_bottom = j.st.margin_bottom;
			written->margin_bottom_at = j.st.margin_at[2];
		}
		for (int i = 0; i < 3; i++)
			free(smart[i]);
	}
	job_end(&j);
	return rc;
}

static int typeset_into(struct pd_typesetter *ts, const char *markdown, size_t len,
			const struct pd_typeset_opts *opts, struct pd_buf *out,
			struct pd_diags *diags, void (*emit)(const struct pd_layout *, struct pd_buf *))
{
	struct job j = {0};
	int rc = prepare(ts, &j, markdown, len, opts, diags);
	if (!rc)
		emit(&j.lay, out);
	job_end(&j);
	return rc;
}

int typeset_page_count(struct pd_typesetter *ts, const char *markdown, size_t len,
		       const struct pd_typeset_opts *opts, int *pages, struct pd_diags *diags)
{
	struct job j = {0};
	int rc = prepare(ts, &j, markdown, len, opts, diags);
	*pages = rc ? 0 : (int)j.lay.npages;
	job_end(&j);
	return rc;
}

int typeset_text(struct pd_typesetter *ts, const char *markdown, size_t len,
		 const struct pd_typeset_opts *opts, struct pd_buf *out, struct pd_diags *diags)
{
	return typeset_into(ts, markdown, len, opts, out, diags, out_text);
}

int typeset_layout_dump(struct pd_typesetter *ts, const char *markdown, size_t len,
			const struct pd_typeset_opts *opts, struct pd_buf *out,
			struct pd_diags *diags)
{
	return typeset_into(ts, markdown, len, opts, out, diags, out_layout_dump);
}
