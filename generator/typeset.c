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

static struct {
	char *datadir;
	struct pd_fonts *fonts;
	struct pd_pdfw *writer;
	struct pd_arena *house_arena; /* the house style, read once */
	const struct pd_value *house;
	struct pd_diags house_diags;
} G;

void typeset_set_datadir(const char *dir)
{
	if (G.datadir && dir && !strcmp(G.datadir, dir))
		return;
	free(G.datadir);
	G.datadir = dir ? xstrdup(dir) : NULL;
	out_pdf_free(G.writer);
	G.writer = NULL;
	fonts_free(G.fonts);
	G.fonts = NULL;
}

void typeset_shutdown(void)
{
	hyph_shutdown();
	layout_forget();
	arena_free(G.house_arena);
	diag_clear(&G.house_diags);
	fonts_free(G.fonts);
	out_pdf_free(G.writer);
	free(G.datadir);
	memset(&G, 0, sizeof G);
}

static struct pd_fonts *fonts(void)
{
	if (!G.fonts) {
		char path[4096];
		snprintf(path, sizeof path, "%s/fonts", G.datadir ? G.datadir : ".");
		G.fonts = fonts_new(path);
	}
	return G.fonts;
}

/* The house style, DATADIR/templates/style.yaml (optional), read once per process; its
 * errors are repeated for every document, which it would otherwise set wrongly. */
static const struct pd_value *house_style(struct pd_diags *diags, bool *broken)
{
	if (!G.house_arena) {
		G.house_arena = arena_new();
		char *path = arena_printf(G.house_arena, "%s/templates/style.yaml",
					  G.datadir ? G.datadir : ".");
		if (access(path, R_OK) == 0)
			G.house = value_load_file(G.house_arena, path, NULL, &G.house_diags);
	}
	for (size_t i = 0; i < G.house_diags.n; i++) {
		const struct pd_diag *g = &G.house_diags.v[i];
		diag_add(diags, g->sev, g->loc, g->rule, "%s", g->msg);
	}
	*broken = G.house_diags.errors > 0;
	return G.house;
}

void typeset_prefetch(void) { hyph_prefetch(); }

void typeset_preload(void)
{
	struct pd_style st;
	struct pd_fontset set;
	struct pd_diags ignored = {0}; /* the first document reports them */
	style_defaults(&st);
	if (fonts_family(fonts(), st.font, st.mono, &set, (struct pd_loc){0}, &ignored) == 0)
		for (int i = 0; i < PD_NSTYLES; i++)
			face_prepare_subsets(set.style[i]);
	diag_clear(&ignored);
	hyph_points("preload", 7);
}

struct job {
	struct pd_arena *arena;
	struct md_doc *doc;
	struct pd_style st;
	struct pd_fontset set;
	struct pd_layout lay;
};

static int prepare(struct job *j, const char *md, size_t len, const struct pd_typeset_opts *o,
		   struct pd_diags *diags)
{
	const char *name = o && o->source_name ? o->source_name : "<input>";
	struct pd_loc loc = {diag_intern(name), 0, 0};
	style_defaults(&j->st);
	bool broken;
	const struct pd_value *house = house_style(diags, &broken);
	if (broken || (house && style_apply(&j->st, house, diags)))
		return PD_EXIT_INPUT;
	if (o && o->style) {
		loc = o->style->loc;
		if (style_apply(&j->st, o->style, diags))
			return PD_EXIT_INPUT;
	}
	if (fonts_family(fonts(), j->st.font, j->st.mono, &j->set, loc, diags) < 0)
		return PD_EXIT_INPUT;
	j->doc = md_parse(md, len, name, o && o->first_line > 0 ? o->first_line : 1, diags);
	if (!j->doc)
		return PD_EXIT_INPUT;
	j->arena = arena_new();
	struct pd_layout_in in = {j->doc, &j->st, fonts(), &j->set, o ? o->base_dir : NULL,
				  o ? o->header_left : NULL, loc};
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
static void doc_date(const char *iso, struct pd_pdf_info *info)
{
	info->year = 2000;
	info->month = 1;
	info->day = 1;
	int y, m, d;
	if (iso && sscanf(iso, "%4d-%2d-%2d", &y, &m, &d) == 3 && m >= 1 && m <= 12 && d >= 1 &&
	    d <= 31) {
		info->year = y;
		info->month = m;
		info->day = d;
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

int typeset_pdf(const char *markdown, size_t len, const struct pd_typeset_opts *opts,
		const char *out_path, struct pd_pdf_written *written, struct pd_diags *diags)
{
	struct job j = {0};
	int rc = prepare(&j, markdown, len, opts, diags);
	if (!rc) {
		struct pd_pdf_info info = {0};
		info.title = opts && opts->title ? opts->title : j.st.title;
		info.author = opts && opts->author ? opts->author : j.st.author;
		info.subject = opts && opts->subject ? opts->subject : j.st.subject;
		if (!info.title || !*info.title)
			info.title = info.subject; /* a viewer shows the title, else the file name */
		info.creator = "pdgen " PD_VERSION;
		char *smart[3] = {NULL, NULL, NULL}; /* as the pages print them: "O’Connor" */
		const char **field[3] = {&info.title, &info.author, &info.subject};
		for (int i = 0; i < 3; i++)
			if (*field[i])
				*field[i] = smart[i] = layout_smart_text(*field[i]);
		doc_date(opts ? opts->date_iso : NULL, &info);
		if (!G.writer)
			G.writer = out_pdf_new();
		rc = out_pdf_write(G.writer, &j.lay, &info, out_path, written, diags);
		for (int i = 0; i < 3; i++)
			free(smart[i]);
	}
	job_end(&j);
	return rc;
}

int typeset_text(const char *markdown, size_t len, const struct pd_typeset_opts *opts,
		 struct pd_buf *out, struct pd_diags *diags)
{
	struct job j = {0};
	int rc = prepare(&j, markdown, len, opts, diags);
	if (!rc)
		out_text(&j.lay, out);
	job_end(&j);
	return rc;
}
