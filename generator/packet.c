/* packet: case + level -> the escalation packet: letter, memo laid out until its index of
 * stamp ranges is stable, tab dividers, enclosures; stamped, bookmarked, labelled.
 * In: a pd_doc_request. Out: one PDF written atomically, a pd_doc_result, diagnostics. */
#define _XOPEN_SOURCE 700 /* mkdtemp */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "packet_impl.h"
#include "stamp.h"
#include "xmp.h"

#define MEMO_PASSES 5 /* the memo's page count settles in two; a loop is an error */

struct packet {
	struct pd_session *s;
	const struct pd_doc_request *req;
	struct pd_arena *arena;
	struct packet_style st;
	const struct pd_value *ctx; /* the case's data for the memo (or the letter) */
	struct tab *tabs;
	size_t ntabs;
	char *tmpdir;
	int letter_pages, memo_pages, divider_pages, total;
	struct pd_buf files; /* "PATH\n" of every file read: images, enclosures (fingerprints) */
	/* the narrowest bottom [0] and top [1] margins of pdgen's pages, where they were set */
	double margin[2];
	struct pd_loc margin_at[2];
	bool stamp_top; /* the stamp's place on every page */
	unsigned claims[2]; /* what the letter and the memo conform to (PD_CLAIM_*) */
	const char *prefix, *a_number;
};

/* ------------------------------------------------------------- numbering and stamps */

/* Places the pages after the letter and the memo: each tab's divider, then its pages. */
static void number_pages(struct packet *p)
{
	int page = p->letter_pages + p->memo_pages;
	p->divider_pages = 0;
	for (size_t i = 0; i < p->ntabs; i++) {
		struct tab *t = &p->tabs[i];
		if (!t->pages)
			continue;
		t->divider = p->st.dividers ? ++page : 0;
		p->divider_pages += p->st.dividers;
		t->first = page + 1;
		t->last = page += t->pages;
	}
	p->total = page;
}

static struct pd_value *put(struct pd_arena *a, struct pd_value *m, const char *key,
			    const char *val)
{
	value_set(a, m, key, value_new_str(a, val, (struct pd_loc){0}));
	return m;
}

static const char *stamp_of(struct packet *p, int page, struct pd_diags *diags)
{
	struct pd_arena *a = p->arena;
	struct pd_value *m = value_new(a, PD_MAP, (struct pd_loc){0});
	put(a, m, "prefix", p->prefix);
	put(a, m, "a_number", p->a_number);
	put(a, m, "page", arena_printf(a, "%0*d", p->st.page_digits, page));
	put(a, m, "page_number", arena_printf(a, "%d", page));
	put(a, m, "pages", arena_printf(a, "%d", p->total));
	return packet_text(p->s, a, p->st.stamp, m, diags);
}

/* The tab's own data for its stamps, bookmark and label. */
static struct pd_value *tab_data(struct packet *p, const struct tab *t, int page)
{
	struct pd_arena *a = p->arena;
	struct pd_value *m = value_merge(a, value_new(a, PD_MAP, (struct pd_loc){0}), t->row);
	put(a, m, "tab_page", arena_printf(a, "%d", page - t->first + 1));
	put(a, m, "tab_pages", arena_printf(a, "%d", t->pages));
	return m;
}

/* ------------------------------------------------------------- the memo's index */

/* Adds packet.tabs (each with its stamps) to the data of the memo or the dividers, and the
 * stamps to each enclosure, prior material and communication copy. */
static void amend(struct pd_arena *a, struct pd_value *ctx, void *arg)
{
	struct packet *p = arg;
	/* the stamps are rendered again, reported, when drawn */
	struct pd_diags ignored = {.store = doc_diag_store(p->s)};
	struct pd_value *pk = value_new(a, PD_MAP, (struct pd_loc){0});
	struct pd_value *list = value_new(a, PD_SEQ, (struct pd_loc){0});
	for (size_t i = 0; i < p->ntabs; i++) {
		const struct tab *t = &p->tabs[i];
		if (!t->pages)
			continue;
		struct pd_value *row = value_merge(a, value_new(a, PD_MAP, (struct pd_loc){0}), t->row);
		put(a, row, "first_stamp", stamp_of(p, t->first, &ignored));
		put(a, row, "last_stamp", stamp_of(p, t->last, &ignored));
		put(a, row, "file_pages", arena_printf(a, "%d", t->pages));
		struct pd_value *first = value_new(a, PD_BOOL, row->loc); /* every row says */
		first->boolean = list->n == 0;
		value_set(a, row, "first", first);
		value_append(a, list, row);
	}
	value_set(a, pk, "tabs", list);
	put(a, pk, "first_stamp", stamp_of(p, 1, &ignored));
	put(a, pk, "last_stamp", stamp_of(p, p->total, &ignored));
	put(a, pk, "pages", arena_printf(a, "%d", p->total));
	put(a, pk, "stamp_at", p->stamp_top ? "head" : "foot");
	value_set(a, ctx, "packet", pk);
	diag_clear(&ignored);
}

/* ------------------------------------------------------------- pdgen's own pages */

static const char *tmp_path(struct packet *p, const char *name)
{
	return arena_printf(p->arena, "%s/%s.pdf", p->tmpdir, name);
}

/* Makes the letter, the memo or the dividers into the scratch directory, or only lays it out
 * (layout_only); *pages gets its page count. Diagnostics go to diags when keep_diags, else
 * only its errors. */
static int own_document(struct packet *p, const char *document, const char *tmpl, int *pages,
			bool layout_only, bool keep_diags, struct pd_diags *diags)
{
	struct pd_doc_request sub = *p->req;
	sub.document = document;
	sub.template_name = tmpl;
	const struct pd_level *lv = levels_find(doc_domain(p->s), p->req->level);
	sub.with_memo = lv && lv->memo; /* the packet holds the memo whenever the level has one */
	sub.out = tmp_path(p, tmpl ? tmpl : document);
	sub.out_dir = NULL; /* a scratch file, not the batch's directory */
	sub.name_check = NULL;
	sub.dump = PD_DUMP_NONE;
	sub.check_only = sub.check_only || layout_only;
	sub.amend = strcmp(document, "letter") || tmpl ? amend : NULL;
	sub.amend_arg = p;
	struct pd_doc_result r = {0};
	struct pd_diags local = {.store = doc_diag_store(p->s)};
	int rc = doc_make(p->s, &sub, &r, keep_diags ? diags : &local);
	if (!keep_diags && local.errors)
		diag_copy(diags, &local);
	diag_clear(&local);
	*pages = r.pages;
	double m[2] = {r.margin_bottom, r.margin_top};
	struct pd_loc at[2] = {r.margin_bottom_at, r.margin_top_at};
	for (int i = 0; i < 2 && !rc && r.out_path && !sub.check_only; i++)
		if (p->margin[i] == 0 || m[i] < p->margin[i])
			p->margin[i] = m[i], p->margin_at[i] = at[i];
	if (r.files_read && !strstr(p->files.s ? p->files.s : "", r.files_read))
		buf_puts(&p->files, r.files_read);
	doc_result_clear(&r);
	return rc;
}

/* The memo is laid out with the stamp ranges of the pages after it until its own page count
 * stops changing (the ranges it prints then hold): the first pass, with a guessed count, only
 * lays it out; the next ones write it, the last written one holding. */
static int memo_passes(struct packet *p, struct pd_diags *diags)
{
	p->memo_pages = 1;
	for (int pass = 0; pass < MEMO_PASSES; pass++) {
		number_pages(p);
		int pages = 0;
		int rc = own_document(p, "memo", NULL, &pages, pass == 0, pass == 0, diags);
		if (rc || p->req->check_only)
			return rc;
		if (pages == p->memo_pages && pass > 0)
			return PD_EXIT_OK;
		p->memo_pages = pages;
	}
	diag_error(diags, (struct pd_loc){0}, "the memo's page count does not settle with its index "
					      "of stamps (%d passes)",
		   MEMO_PASSES);
	return PD_EXIT_INPUT;
}

static int dividers(struct packet *p, struct pd_diags *diags)
{
	int want = 0, pages = 0;
	for (size_t i = 0; i < p->ntabs; i++)
		want += p->tabs[i].pages > 0;
	if (!p->st.dividers || !want)
		return PD_EXIT_OK;
	int rc = own_document(p, "letter", p->st.divider_template, &pages, false, false, diags);
	if (!rc && !p->req->check_only && pages != want) {
		diag_error(diags, (struct pd_loc){0}, "the divider template '%s' made %d pages for %d "
						      "tabs: each tab's divider must fill one page",
			   p->st.divider_template, pages, want);
		rc = PD_EXIT_INPUT;
	}
	return rc;
}

/* The stamp's place: the first of packet.yaml's stamp_places (bottom, then top, when it
 * names none) whose margin on pdgen's pages takes it, out of the text area and its footer;
 * else an error at the style's margin that is too narrow. */
static int place_stamp(struct packet *p, struct pd_diags *diags)
{
	static const char *const names[2] = {"bottom", "top"};
	const struct pd_value *places = p->st.places;
	size_t n = places && places->kind == PD_SEQ ? places->n : 2;
	double need = stamp_reach();
	struct pd_buf tried = {0};
	for (size_t i = 0; i < n; i++) {
		const char *name = places ? value_str(places->items[i]) : names[i];
		int side = name && !strcmp(name, "top");
		if (p->margin[side] >= need) {
			p->stamp_top = side;
			buf_free(&tried);
			return PD_EXIT_OK;
		}
		buf_printf(&tried, "%sthe %s margin (%.2fin)", i ? (i + 1 == n ? " and " : ", ") : "",
			   names[side], p->margin[side] / 72);
	}
	const char *name0 = places ? value_str(places->items[0]) : NULL;
	int first = name0 && !strcmp(name0, "top");
	struct pd_loc at = p->margin_at[first].file ? p->margin_at[first]
			   : places ? places->loc : p->st.root->loc;
	diag_error(diags, at, "%s of the letter, memo or dividers leave%s no room for the packet "
			      "stamp, which needs %.2fin between the page's edge and the text: widen "
			      "the margin, or give packet.yaml stamp_places a place whose margin is wide "
			      "enough",
		   tried.s, n > 1 ? "" : "s", need / 72);
	buf_free(&tried);
	return PD_EXIT_INPUT;
}

/* The memo and the dividers, made again while the stamp's place they print (the memo says
 * where the stamps are) is not the one their margins leave it. */
static int own_pages(struct packet *p, struct pd_diags *diags)
{
	bool memo = value_truthy(value_path(p->ctx, "level.has_memo"));
	if (!p->req->check_only && (p->margin[0] || p->margin[1]) && place_stamp(p, diags))
		return PD_EXIT_INPUT; /* the letter's own margins take no stamp */
	for (int round = 0; round < 2; round++) {
		bool top = p->stamp_top;
		int rc = memo ? memo_passes(p, diags) : PD_EXIT_OK;
		if (!rc) {
			number_pages(p);
			rc = dividers(p, diags);
		}
		if (rc || p->req->check_only || (rc = place_stamp(p, diags)) || p->stamp_top == top)
			return rc;
	}
	return PD_EXIT_OK; /* margins only narrow: the second place holds */
}

/* ------------------------------------------------------------- the merged document */

static struct pd_pdfsrc *own_pdf(struct packet *p, const char *name, struct pd_diags *diags)
{
	return merge_open(tmp_path(p, name), (struct pd_loc){0}, name, diags);
}

static void mark_tab(struct packet *p, struct pd_merge *m, const struct tab *t,
		     const char *bookmark, struct pd_diags *diags)
{
	struct pd_value *data = tab_data(p, t, t->first);
	int opens = (t->divider ? t->divider : t->first) - 1;
	merge_bookmark(m, bookmark, opens);
	if (t->divider)
		merge_label(m, t->divider - 1, packet_text(p->s, p->arena, p->st.lb_divider, data, diags),
			    false);
	merge_label(m, t->first - 1, packet_text(p->s, p->arena, p->st.lb_tab, data, diags), true);
}

/* A scan's alternate text: its description, else (the packet then claims no PDF/UA) its title. */
static const char *scan_alt(struct packet *p, const struct tab *t)
{
	const char *desc = value_str(value_get(t->row, "description"));
	return desc && *desc ? arena_printf(p->arena, "%s: %s", t->title, desc) : t->title;
}

static void add_tab(struct packet *p, struct pd_merge *m, const struct tab *t,
		    struct pd_pdfsrc *divs, int *div_index, struct pd_diags *diags)
{
	const char *bookmark = packet_text(p->s, p->arena, p->st.bm_tab, tab_data(p, t, t->first), diags);
	merge_part(m, bookmark);
	if (t->divider && merge_add_pdf(m, divs, (*div_index)++, 1, t->at, diags) < 0)
		return;
	if (t->pdf)
		merge_add_pdf(m, t->pdf, 0, t->pages, t->at, diags);
	else
		merge_add_image(m, &t->scan, t->file, t->file_len, scan_alt(p, t), t->at, diags);
	mark_tab(p, m, t, bookmark, diags);
}

/* What an enclosure PDF that stops a claim is told, by the claims it stops (PD_CLAIM_*). */
static const char *const lost_claim[4] = {
    [PD_CLAIM_PDFUA] = "is not a tagged PDF/UA-1 file: the packet is not declared PDF/UA-1 "
		       "(pdgen's own pages stay tagged); enclose a copy saved as tagged PDF/UA-1 "
		       "to have it declared",
    [PD_CLAIM_PDFA] = "is not a PDF/A-1 or PDF/A-2 file with an RGB output intent: the packet "
		      "is not declared PDF/A-2b; enclose a copy saved as PDF/A-2b to have it "
		      "declared",
    [PD_CLAIM_PDFA | PD_CLAIM_PDFUA] = "is neither a tagged PDF/UA-1 file nor a PDF/A-1 or "
		       "PDF/A-2 one: the packet declares neither PDF/UA-1 nor PDF/A-2b (pdgen's own "
		       "pages stay tagged); enclose a copy saved as tagged PDF/UA-1 and PDF/A-2b to "
		       "have them declared",
};

/* What the packet declares: PDF/UA-1 and PDF/A-2b where every part conforms (pdgen's own pages,
 * each enclosure file, each scan described); a note at each enclosure that stops one. Each
 * part's own (for its PDF when the office takes the documents separately) is kept. */
static unsigned packet_claims(struct packet *p, struct pd_pdfsrc *const own[3],
			      struct pd_diags *diags)
{
	unsigned all = PD_CLAIM_PDFA | PD_CLAIM_PDFUA, divs = own[2] ? merge_src_claims(own[2]) : all;
	p->claims[0] = merge_src_claims(own[0]);
	p->claims[1] = own[1] ? merge_src_claims(own[1]) : all;
	unsigned claims = p->claims[0] & p->claims[1] & divs;
	for (size_t i = 0; i < p->ntabs; i++) {
		struct tab *t = &p->tabs[i];
		if (!t->pages)
			continue;
		const char *desc = t->pdf ? NULL : value_str(value_get(t->row, "description"));
		unsigned has = t->pdf ? merge_src_claims(t->pdf)
				      : PD_CLAIM_PDFA | (desc && *desc ? PD_CLAIM_PDFUA : 0);
		t->claims = has & (t->divider ? divs : all);
		unsigned lost = claims & ~has;
		claims &= has;
		if (!lost)
			continue;
		if (t->pdf && merge_src_fonts_out(t->pdf))
			diag_add(diags, PD_NOTE, t->at, NULL, "enclosure %s (Tab %s) has a font that is "
				 "not embedded: the packet is declared neither PDF/UA-1 nor PDF/A-2b "
				 "(pdgen's own pages stay tagged); enclose a copy with every font embedded "
				 "(saved as PDF/A-2b, or printed to PDF again)", t->id, t->tab);
		else if (t->pdf)
			diag_add(diags, PD_NOTE, t->at, NULL, "enclosure %s (Tab %s) %s",
				 t->id, t->tab, lost_claim[lost]);
		else
			diag_add(diags, PD_NOTE, t->at, NULL, "enclosure %s (Tab %s) is a scan with no "
				 "description: the packet is not declared PDF/UA-1 (pdgen's own pages "
				 "stay tagged); give the enclosure a description: of what the scan shows",
				 t->id, t->tab);
	}
	return claims;
}

/* The tab a page (1-based) belongs to, its divider included; NULL for the letter and memo. */
static const struct tab *tab_of(const struct packet *p, int page)
{
	for (size_t i = 0; i < p->ntabs; i++) {
		const struct tab *t = &p->tabs[i];
		if (t->pages && page >= (t->divider ? t->divider : t->first) && page <= t->last)
			return t;
	}
	return NULL;
}

static int stamp_all(struct packet *p, struct pd_merge *m, struct pd_diags *diags)
{
	for (int page = 1; page <= p->total; page++) {
		const char *right = stamp_of(p, page, diags), *left = NULL;
		const struct tab *t = tab_of(p, page);
		if (t)
			left = packet_text(p->s, p->arena, page == t->divider ? p->st.divider_stamp
									: p->st.tab_stamp,
					   tab_data(p, t, page), diags);
		if (!stamp_text_ok(right) || (left && !stamp_text_ok(left))) {
			diag_error(diags, p->st.stamp->loc, "packet.yaml: the stamp '%s%s%s' holds a "
							   "character other than printable ASCII",
				   right, left ? "' or '" : "", left ? left : "");
			return PD_EXIT_INPUT;
		}
		if (diags->errors) /* a bad pattern: once, not once a page */
			return PD_EXIT_INPUT;
		merge_stamp(m, page - 1, p->stamp_top, right, left);
	}
	return diags->errors ? PD_EXIT_INPUT : PD_EXIT_OK;
}

static int assemble(struct packet *p, struct pd_doc_result *res, struct pd_diags *diags)
{
	const struct pd_stamp_font *font = doc_stamp_font(p->s, diags);
	if (!font)
		return PD_EXIT_INPUT;
	struct pd_merge *m = merge_new(font);
	struct pd_pdfsrc *letter = own_pdf(p, "letter", diags);
	struct pd_pdfsrc *memo = p->memo_pages ? own_pdf(p, "memo", diags) : NULL;
	struct pd_pdfsrc *divs = p->divider_pages ? own_pdf(p, p->st.divider_template, diags) : NULL;
	int rc = PD_EXIT_INPUT, div_index = 0;
	if (!letter || (p->memo_pages && !memo) || (p->divider_pages && !divs))
		goto done;
	const char *bm = packet_text(p->s, p->arena, p->st.bm_letter, p->ctx, diags);
	merge_part(m, bm);
	merge_add_pdf(m, letter, 0, p->letter_pages, (struct pd_loc){0}, diags);
	merge_bookmark(m, bm, 0);
	merge_label(m, 0, packet_text(p->s, p->arena, p->st.lb_letter, p->ctx, diags), true);
	if (memo) {
		bm = packet_text(p->s, p->arena, p->st.bm_memo, p->ctx, diags);
		merge_part(m, bm);
		merge_add_pdf(m, memo, 0, p->memo_pages, (struct pd_loc){0}, diags);
		merge_bookmark(m, bm, p->letter_pages);
		merge_label(m, p->letter_pages, packet_text(p->s, p->arena, p->st.lb_memo, p->ctx, diags), true);
	}
	for (size_t i = 0; i < p->ntabs && !diags->errors; i++)
		if (p->tabs[i].pages)
			add_tab(p, m, &p->tabs[i], divs, &div_index, diags);
	if (!diags->errors && merge_pages(m) != p->total)
		diag_error(diags, (struct pd_loc){0}, "the packet has %d pages, not the %d its index "
						      "counted",
			   merge_pages(m), p->total);
	if (diags->errors)
		goto done;
	if ((rc = stamp_all(p, m, diags)))
		goto done;
	struct pd_pdf_written w = {0};
	const char *title = value_str(value_path(p->ctx, "document.subject"));
	struct pd_pdfsrc *own[3] = {letter, memo, divs};
	rc = merge_write(m, title, packet_claims(p, own, diags), res->out_path, &w, diags);
	res->pages = w.pages;
	res->bytes = w.bytes;
	memcpy(res->sha256, w.sha256, sizeof res->sha256);
done:
	merge_free(m); /* before its sources: it reads their streams until written */
	merge_close(letter);
	merge_close(memo);
	merge_close(divs);
	return rc;
}

/* ------------------------------------------------------------- parts */

static int write_part(struct packet *p, struct pd_pdfsrc *whole, int *n, const char *name,
		      int first, int last, const char *title, unsigned claims, struct pd_diags *diags)
{
	const char *path = arena_printf(p->arena, "%s/%02d-%s.pdf", p->req->parts_dir, ++*n, name);
	return merge_extract(whole, first - 1, last - first + 1, title, claims, path, diags);
}

/* Each document and tab of the written packet, stamped as it is, as a PDF of its own (for
 * an office that takes the documents separately). */
static int write_parts(struct packet *p, const char *packet_path, struct pd_diags *diags)
{
	struct pd_pdfsrc *whole = merge_open(packet_path, (struct pd_loc){0}, "the packet", diags);
	int rc = whole ? PD_EXIT_OK : PD_EXIT_SYSTEM, n = 0, memo = p->letter_pages + 1;
	const char *title = value_str(value_path(p->ctx, "document.subject"));
	if (!rc)
		rc = write_part(p, whole, &n, "letter", 1, p->letter_pages, title, p->claims[0], diags);
	if (!rc && p->memo_pages)
		rc = write_part(p, whole, &n, "memo", memo, memo + p->memo_pages - 1,
				packet_text(p->s, p->arena, p->st.bm_memo, p->ctx, diags), p->claims[1],
				diags);
	for (size_t i = 0; !rc && i < p->ntabs; i++) {
		const struct tab *t = &p->tabs[i];
		if (t->pages)
			rc = write_part(p, whole, &n, arena_printf(p->arena, "tab-%s", t->tab),
					t->divider ? t->divider : t->first, t->last, t->title, t->claims,
					diags);
	}
	merge_close(whole);
	return rc;
}

/* ------------------------------------------------------------- the command */

/* The stamp pattern tried once before the memo prints it: its errors once, not once a page. */
static int check_stamp(struct packet *p, struct pd_diags *diags)
{
	int before = diags->errors;
	const char *first = stamp_of(p, 1, diags);
	if (diags->errors == before && !stamp_text_ok(first))
		diag_error(diags, p->st.stamp->loc, "packet.yaml: the stamp '%s' holds a character "
						    "other than printable ASCII",
			   first);
	return diags->errors > before ? PD_EXIT_INPUT : PD_EXIT_OK;
}

/* "A" and the nine-digit A-number; without one the family name in ASCII capitals. */
static void stamp_prefix(struct packet *p)
{
	const char *digits = value_str(value_path(p->ctx, "client.a_number_digits"));
	p->a_number = digits ? digits : "";
	if (digits) {
		p->prefix = arena_printf(p->arena, "A%s", digits);
		return;
	}
	const char *family = value_str(value_path(p->ctx, "client.name.family"));
	struct pd_buf b = {0};
	for (const char *s = family ? family : ""; *s; s++)
		if (isalnum((unsigned char)*s) && !((unsigned char)*s & 0x80))
			buf_putc(&b, (char)toupper((unsigned char)*s));
	p->prefix = arena_strdup(p->arena, b.len ? b.s : "CLIENT");
	buf_free(&b);
}

static bool make_tmpdir(struct packet *p, struct pd_diags *diags)
{
	const char *base = getenv("TMPDIR");
	char *dir = arena_printf(p->arena, "%s/pdgen-packet-XXXXXX", base && *base ? base : "/tmp");
	if (!mkdtemp(dir)) {
		diag_error(diags, (struct pd_loc){0}, "cannot make a scratch directory in %s: %s",
			   base && *base ? base : "/tmp", strerror(errno));
		return false;
	}
	p->tmpdir = dir;
	return true;
}

static void remove_tmpdir(struct packet *p)
{
	if (!p->tmpdir)
		return;
	const char *names[] = {"letter", "memo", p->st.divider_template};
	for (size_t i = 0; i < sizeof names / sizeof *names; i++)
		if (names[i])
			unlink(tmp_path(p, names[i]));
	rmdir(p->tmpdir);
}

static int case_and_tabs(struct packet *p, struct pd_doc_result *res, struct pd_diags *diags)
{
	/* the letter reported the case's diagnostics */
	struct pd_diags again = {.store = doc_diag_store(p->s)};
	p->ctx = doc_context(p->s, p->req, p->arena, res, &again);
	if (!p->ctx)
		diag_copy(diags, &again);
	diag_clear(&again);
	if (!p->ctx)
		return PD_EXIT_INPUT;
	stamp_prefix(p);
	p->ntabs = packet_tabs(p->arena, p->ctx, doc_case_dir(p->arena, p->req->case_path), &p->st,
			       &p->tabs, diags);
	for (size_t i = 0; i < p->ntabs; i++)
		if (p->tabs[i].path)
			buf_printf(&p->files, "%s\n", p->tabs[i].path);
	return diags->errors ? PD_EXIT_INPUT : PD_EXIT_OK;
}

int packet_make(struct pd_session *s, const struct pd_doc_request *req,
		struct pd_doc_result *res, struct pd_diags *diags)
{
	struct packet p = {.s = s, .req = req, .arena = arena_new()};
	int rc = PD_EXIT_INPUT;
	if (packet_style_load(p.arena, doc_datadir(s), &p.st, diags))
		goto done;
	if (!make_tmpdir(&p, diags)) {
		rc = PD_EXIT_SYSTEM;
		goto done;
	}
	if ((rc = own_document(&p, "letter", NULL, &p.letter_pages, false, true, diags)) ||
	    (rc = case_and_tabs(&p, res, diags)))
		goto done;
	if ((rc = check_stamp(&p, diags)))
		goto done;
	if ((rc = own_pages(&p, diags)))
		goto done;
	rc = PD_EXIT_INPUT;
	if (p.total > p.st.max_packet_pages)
		diag_error(diags, (struct pd_loc){0}, "the packet would have %d pages, over the limit "
						      "of %ld (packet.yaml limits.packet_pages)",
			   p.total, p.st.max_packet_pages);
	else
		rc = assemble(&p, res, diags);
	if (!rc && req->parts_dir)
		rc = write_parts(&p, res->out_path, diags);
done:
	free(res->files_read);
	res->files_read = p.files.len ? buf_take(&p.files) : NULL;
	buf_free(&p.files);
	packet_tabs_close(p.tabs, p.ntabs);
	remove_tmpdir(&p);
	arena_free(p.arena);
	return rc;
}
