/* out_pdf: output stage, PDF form (with out_pdf_font.c and out_pdf_stream.c, the only files
 * that use libharu). In: laid-out pages, document info. Out: a compressed PDF, written
 * atomically. */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/stat.h>

#include <hpdf.h>
#include <hpdf_doc.h>
#include <hpdf_pages.h>

#include "out.h"
#include "out_impl.h"


struct pd_pdfw {
	struct pd_font_cache *programs; /* font programs kept for the next documents */
	HPDF_Doc pdf;			/* kept between documents (HPDF_NewDoc) */
	struct libdeflate_compressor *deflater; /* every stream's */
	struct pd_buf page;		/* a page's content stream, its room kept for the next */
	unsigned char *used;		/* per face of a document, its code points (a bit each, */
	size_t used_faces;		/* PD_CP_SET_BYTES): all zero between documents */
	unsigned file_mode;		/* of a new file: 0666 less the umask */
	struct pdf_profile srgb;	/* the output intent's, read with the first tagged PDF */
	HPDF_PDFVer version;		/* libharu's own: a tagged PDF sets 1.7 */
	HPDF_STATUS err, detail;
};

static void on_error(HPDF_STATUS e, HPDF_STATUS detail, void *data)
{
	struct pd_pdfw *w = data;
	if (!w->err) {
		w->err = e;
		w->detail = detail;
	}
}

struct pd_pdfw *out_pdf_new(void)
{
	struct pd_pdfw *w = xcalloc(1, sizeof(struct pd_pdfw));
	w->deflater = pdf_deflater_new();
	w->programs = font_cache_new(w->deflater);
	mode_t mask = umask(0); /* read once: pdgen never changes it */
	umask(mask);
	w->file_mode = 0666 & ~(unsigned)mask;
	return w;
}

static void drop_doc(struct pd_pdfw *w)
{
	if (w->pdf)
		HPDF_Free(w->pdf);
	w->pdf = NULL;
}

void out_pdf_free(struct pd_pdfw *w)
{
	if (!w)
		return;
	drop_doc(w);
	font_cache_free(w->programs);
	free(w->srgb.z);
	buf_free(&w->page);
	free(w->used);
	pdf_deflater_free(w->deflater);
	free(w);
}

struct doc {
	struct pd_pdfw *w;
	HPDF_Doc pdf;
	const struct pd_layout *lay;
	HPDF_Font *fonts; /* parallel to lay->faces */
	struct pdf_variants *vars; /* likewise: each face's ligatures and joining forms */
	const char **font_names;   /* likewise: the page's name of each font, NULL until used */
	HPDF_Image *imgs;
	const struct pd_pixels **img_pixels;
	size_t nimgs;
	struct pdf_tags *tags; /* NULL: an untagged PDF */
	bool packed;	       /* written with object streams (a tagged PDF, version 1.7) */
	struct pdf_objects own; /* the structure tree, written by pdgen */
	struct pdf_outline *outline; /* the bookmarks' text, until the document is saved */
};

static size_t face_index(const struct doc *d, const struct pd_face *f)
{
	size_t i = 0;
	while (i < d->lay->nfaces && d->lay->faces[i] != f)
		i++;
	return i;
}

/* The index of run r's face, most often that of the run before it (*last, its index *at). */
static size_t run_face(const struct doc *d, const struct pd_run *r, const struct pd_face **last,
		       size_t *at)
{
	if (r->face != *last) {
		*last = r->face;
		*at = face_index(d, r->face);
	}
	return *at;
}

static void mark(unsigned char *used, unsigned cp)
{
	used[cp >> 3] |= (unsigned char)(1u << (cp & 7));
}

/* What a document marks in a face's set of code points: its ASCII ones gathered in two
 * words (a bit each, put in the set by ascii_used) and the 64-byte lines of the set it
 * marked (a bit each), cleared after the document. */
struct marks {
	uint64_t ascii[2], lines[2];
};

/* The code points run r prints into used (a bit each). */
static void mark_used(const struct pd_run *r, unsigned char *used, struct marks *m)
{
	const unsigned char *s = (const unsigned char *)r->text;
	for (size_t at = 0; at < r->len;) {
		uint32_t cp = s[at];
		if (cp < 0x80) {
			m->ascii[cp >> 6] |= (uint64_t)1 << (cp & 63);
			at++;
			continue;
		}
		at += (size_t)utf8_decode(r->text + at, r->len - at, &cp);
		if (cp < 0xFFFF) {
			mark(used, cp);
			m->lines[cp >> 15] |= (uint64_t)1 << (cp >> 9 & 63);
		}
	}
}

static void ascii_used(const struct marks *m, unsigned char *used)
{
	uint64_t printed[2] = {m->ascii[0] & ~(uint64_t)0xFFFFFFFF, m->ascii[1]}; /* no controls */
	for (int w = 0; w < 2; w++)
		for (int k = 0; k < 8; k++)
			used[8 * w + k] |= (unsigned char)(printed[w] >> (8 * k));
}

/* The set of code points as it was before the document: all zero. */
static void unmark(const struct marks *m, unsigned char *used)
{
	memset(used, 0, 64); /* ASCII and the digits added */
	for (unsigned line = 1; line < 128; line++)
		if (m->lines[line >> 6] >> (line & 63) & 1)
			memset(used + 64 * line, 0, 64);
}

/* A-numbers, dates and page numbers change the digits a face prints from one letter to the
 * next: a face that prints one digit embeds all ten, so that its font is the same for many
 * letters and is made once (2.5 glyphs more a letter, a third as many fonts to make). */
static void add_all_digits(const struct pd_face *face, unsigned char *used)
{
	bool any = false;
	for (unsigned cp = '0'; cp <= '9'; cp++)
		any |= (used[cp >> 3] >> (cp & 7)) & 1;
	for (unsigned cp = '0'; cp <= '9' && any; cp++)
		if (face_glyph(face, cp))
			mark(used, cp);
}

/* Each face's font embeds the characters the document prints with it (and all digits):
 * the runs read once, each into its face's set of code points (used, one per face). */
static int load_fonts(struct doc *d)
{
	size_t nf = d->lay->nfaces;
	d->fonts = xcalloc(nf + 1, sizeof *d->fonts);
	d->vars = xcalloc(nf + 1, sizeof *d->vars);
	d->font_names = xcalloc(nf + 1, sizeof *d->font_names);
	if (d->w->used_faces < nf + 1) {
		free(d->w->used);
		d->w->used = xcalloc(nf + 1, PD_CP_SET_BYTES);
		d->w->used_faces = nf + 1;
	}
	unsigned char *used = d->w->used;
	struct marks *marks = xcalloc(nf + 1, sizeof *marks);
	for (size_t i = 0; i < nf; i++)
		pdf_variants_begin(&d->vars[i], d->lay->faces[i]);
	const struct pd_face *last = NULL;
	size_t at = nf;
	for (size_t p = 0; p < d->lay->npages; p++)
		for (size_t k = 0; k < d->lay->pages[p].nruns; k++) {
			const struct pd_run *r = &d->lay->pages[p].runs[k];
			size_t fi = run_face(d, r, &last, &at);
			if (fi == nf)
				continue;
			mark_used(r, used + fi * PD_CP_SET_BYTES, &marks[fi]);
			if (r->glyphs || r->rtl) /* else every character its own glyph */
				pdf_variants_add(&d->vars[fi], r);
		}
	int rc = 0;
	font_cache_begin(d->w->programs);
	for (size_t i = 0; i < nf && !rc; i++) {
		unsigned char *u = used + i * PD_CP_SET_BYTES;
		ascii_used(&marks[i], u);
		add_all_digits(d->lay->faces[i], u);
		d->fonts[i] = pdf_font_new(d->pdf, d->w->programs, d->lay->faces[i], u, &d->vars[i]);
		if (!d->fonts[i])
			rc = -1;
	}
	for (size_t i = 0; i < nf; i++)
		unmark(&marks[i], used + i * PD_CP_SET_BYTES);
	free(marks);
	return rc;
}

static HPDF_Image image_of(struct doc *d, const struct pd_image *im)
{
	for (size_t i = 0; i < d->nimgs; i++)
		if (d->img_pixels[i] == im->px)
			return d->imgs[i];
	HPDF_Image img = pdf_image_new(d->pdf, d->w->deflater, im->px);
	if (!img) {
		if (!d->w->err)
			d->w->err = HPDF_FAILD_TO_ALLOC_MEM; /* the document fails, not the image alone */
		return NULL;
	}
	d->imgs = xrealloc(d->imgs, (d->nimgs + 1) * sizeof *d->imgs);
	d->img_pixels = xrealloc(d->img_pixels, (d->nimgs + 1) * sizeof *d->img_pixels);
	d->imgs[d->nimgs] = img;
	d->img_pixels[d->nimgs++] = im->px;
	return img;
}

/* lround's value (halves away from zero) without its call: exact below 2^52. */
static inline long round_half_away(double v)
{
	double a = v < 0 ? -v : v;
	if (!(a < 4503599627370496.0))
		return lround(v);
	long t = (long)a;
	if (a - (double)t >= 0.5)
		t++;
	return v < 0 ? -t : t;
}

/* The decimal digits of u, a minus sign before them when neg, ending at end. */
static inline char *digits_before(char *end, unsigned long u, bool neg)
{
	char *p = pdf_digits(end, u);
	if (neg)
		*--p = '-';
	return p;
}

/* An integer of a content stream, then a space. */
static void put_int(struct pd_buf *b, long v)
{
	char tmp[24], *end = tmp + sizeof tmp - 1;
	*end = ' ';
	char *p = digits_before(end, (unsigned long)(v < 0 ? -v : v), v < 0);
	buf_put(b, p, (size_t)(end + 1 - p));
}

/* Numbers of a content stream: two decimals at most, no trailing zeros, then a space. */
static void put_num(struct pd_buf *b, double v)
{
	long c = round_half_away(v * 100);
	unsigned long u = (unsigned long)(c < 0 ? -c : c);
	char tmp[32], *end = tmp + sizeof tmp - 4, *q = end;
	if (u % 100) {
		*q++ = '.';
		*q++ = (char)('0' + u / 10 % 10);
		if (u % 10)
			*q++ = (char)('0' + u % 10);
	}
	*q++ = ' ';
	char *p = digits_before(end, u / 100, c < 0);
	buf_put(b, p, (size_t)(q - p));
}

/* Where the text of a page stands as it is written: the start of the current line (what Td
 * moves), the current point along it and its baseline (that of the open TJ array), and
 * whether a TJ array and a string in it are open. */
struct pen {
	double px, py, x, y, size;
	bool in_array, in_string;
};

static void close_array(struct pd_buf *b, struct pen *pen)
{
	if (pen->in_string)
		PDF_PUT_LIT(b, ")");
	if (pen->in_array)
		PDF_PUT_LIT(b, "] TJ\n");
	pen->in_array = pen->in_string = false;
}

/* The words of one line in one font share a TJ array: the space before each is a number in
 * thousandths of the font size, taken from where the text really stands (the widths the
 * font declares), so rounding never accumulates; a run with no space joins the string. A
 * wider jump (a table's next column) is a move of its own, exact to 0.01 pt. */
static void put_run(struct pd_buf *b, struct pen *pen, const struct pd_run *r, double page_h,
		    struct pdf_variants *vars)
{
	double space = r->x - pen->x;
	bool same_line = pen->in_array && r->y == pen->y &&
			 space > -pen->size && space < 2 * pen->size;
	if (!same_line) {
		close_array(b, pen);
		/* relative moves keep the stream short; each from where the last one landed */
		double dx = (double)round_half_away((r->x - pen->px) * 100) / 100;
		double dy = (double)round_half_away((page_h - r->y - pen->py) * 100) / 100;
		put_num(b, dx);
		put_num(b, dy);
		PDF_PUT_LIT(b, "Td [");
		pen->px += dx;
		pen->py += dy;
		pen->x = pen->px;
		pen->y = r->y;
		pen->in_array = true;
	} else {
		long gap = round_half_away(-space * 1000 / pen->size);
		if (gap) {
			if (pen->in_string)
				PDF_PUT_LIT(b, ")");
			put_int(b, gap);
			pen->in_string = false;
			pen->x -= (double)gap * pen->size / 1000;
		}
	}
	if (!pen->in_string)
		PDF_PUT_LIT(b, "(");
	pen->in_string = true;
	pen->x += (double)pdf_put_cids(b, r, vars) * pen->size / 1000;
}

/* "/Name " of font fi in the page's resources (put there at its first use in the page). */
static void put_font_name(struct doc *d, size_t fi, HPDF_Page page, struct pd_buf *b)
{
	const char **name = &d->font_names[fi];
	if (!*name)
		*name = HPDF_Page_GetLocalFontName(page, fi < d->lay->nfaces ? d->fonts[fi] : NULL);
	PDF_PUT_LIT(b, "/");
	if (*name)
		buf_put(b, *name, strlen(*name));
	PDF_PUT_LIT(b, " ");
}

static void put_text(struct doc *d, const struct pd_page *pg, HPDF_Page page, struct pd_buf *b)
{
	struct pen pen = {0};
	HPDF_Font cur = NULL;
	const struct pd_face *last = NULL;
	size_t at = d->lay->nfaces;
	PDF_PUT_LIT(b, "BT\n");
	for (size_t i = 0; i < pg->nruns; i++) {
		const struct pd_run *r = &pg->runs[i];
		size_t fi = run_face(d, r, &last, &at);
		const HPDF_Font f = fi < d->lay->nfaces ? d->fonts[fi] : NULL;
		if (d->tags && (i == 0 || r->elem != pg->runs[i - 1].elem)) {
			close_array(b, &pen);
			pdf_tags_mark(d->tags, b, r->elem);
		}
		if (f != cur || r->size != pen.size) {
			close_array(b, &pen);
			put_font_name(d, fi, page, b);
			put_num(b, r->size);
			PDF_PUT_LIT(b, "Tf\n");
			cur = f;
			pen.size = r->size;
		}
		put_run(b, &pen, r, d->lay->page_h, &d->vars[fi]);
	}
	close_array(b, &pen);
	pdf_tags_close(d->tags, b);
	PDF_PUT_LIT(b, "ET\n");
}

/* The page's content stream, written by pdgen (libharu's drawing calls cost more than the
 * rest of the page), deflated; libharu keeps the resources it names. */
static void draw_page(struct doc *d, const struct pd_page *pg, HPDF_Page page)
{
	double H = d->lay->page_h;
	struct pd_buf *b = &d->w->page;
	b->len = 0;
	memset(d->font_names, 0, (d->lay->nfaces + 1) * sizeof *d->font_names);
	if (pg->nrules)
		pdf_tags_mark(d->tags, b, PD_ARTIFACT); /* table rules, underlines, letterhead */
	for (size_t i = 0; i < pg->nrules; i++) {
		const struct pd_rule *r = &pg->rules[i];
		put_num(b, r->width);
		PDF_PUT_LIT(b, "w ");
		put_num(b, r->x0);
		put_num(b, H - r->y0);
		PDF_PUT_LIT(b, "m ");
		put_num(b, r->x1);
		put_num(b, H - r->y1);
		PDF_PUT_LIT(b, "l S\n");
	}
	for (size_t i = 0; i < pg->nimages; i++) {
		const struct pd_image *im = &pg->images[i];
		HPDF_Image img = image_of(d, im);
		if (!img)
			continue;
		pdf_tags_mark(d->tags, b, im->elem);
		PDF_PUT_LIT(b, "q ");
		double cm[6] = {im->w, 0, 0, im->h, im->x, H - im->y - im->h};
		for (int k = 0; k < 6; k++)
			put_num(b, cm[k]);
		buf_printf(b, "cm /%s Do Q\n", HPDF_Page_GetXObjectName(page, img));
	}
	pdf_tags_close(d->tags, b);
	if (pg->nruns)
		put_text(d, pg, page, b);
	HPDF_Dict contents = ((HPDF_PageAttr)page->attr)->contents;
	size_t zlen;
	unsigned char *z = pdf_deflate(d->w->deflater, b->s ? b->s : "", b->len, &zlen);
	if (!z || pdf_set_deflated(contents, z, zlen, true) < 0)
		d->w->err = d->w->err ? d->w->err : HPDF_FAILD_TO_ALLOC_MEM;
	for (size_t i = 0; i < pg->nlinks; i++) {
		const struct pd_link *l = &pg->links[i];
		if (d->tags && l->elem < 0)
			continue; /* a repeated table header's: the first is the link */
		HPDF_Rect rect = {(HPDF_REAL)l->x0, (HPDF_REAL)(H - l->y1), (HPDF_REAL)l->x1,
				  (HPDF_REAL)(H - l->y0)};
		HPDF_Annotation a = HPDF_Page_CreateURILinkAnnot(page, rect, l->uri);
		if (a)
			HPDF_LinkAnnot_SetBorderStyle(a, 0, 0, 0);
		if (a && d->tags)
			pdf_tags_link(d->tags, a, l->elem);
	}
}

static void set_info(HPDF_Doc pdf, const struct pd_pdf_info *info)
{
	if (info->title && *info->title)
		HPDF_SetInfoAttr(pdf, HPDF_INFO_TITLE, info->title);
	if (info->author && *info->author)
		HPDF_SetInfoAttr(pdf, HPDF_INFO_AUTHOR, info->author);
	if (info->subject && *info->subject)
		HPDF_SetInfoAttr(pdf, HPDF_INFO_SUBJECT, info->subject);
	if (info->creator)
		HPDF_SetInfoAttr(pdf, HPDF_INFO_CREATOR, info->creator);
	/* noon UTC: the letter's own date in every zone from UTC-11 to UTC+11 */
	HPDF_Date date = {info->year, info->month, info->day, 12, 0, 0, 'Z', 0, 0};
	HPDF_SetInfoDateAttr(pdf, HPDF_INFO_CREATION_DATE, date);
	HPDF_SetInfoDateAttr(pdf, HPDF_INFO_MOD_DATE, date);
}

/* The trailer's /ID from what the document says: its information and every run's text. */
static int set_id(HPDF_Doc pdf, const struct pd_layout *lay, const struct pd_pdf_info *info)
{
	struct pd_buf seed = {0};
	buf_printf(&seed, "%s\n%s\n%s\n%04d-%02d-%02d\n%zu\n", info->title ? info->title : "",
		   info->author ? info->author : "", info->subject ? info->subject : "", info->year,
		   info->month, info->day, lay->npages);
	uint64_t h = hash_bytes(seed.s, seed.len), id[2];
	for (size_t p = 0; p < lay->npages; p++)
		for (size_t i = 0; i < lay->pages[p].nruns; i++)
			h = h * 1099511628211u ^ hash_bytes(lay->pages[p].runs[i].text, lay->pages[p].runs[i].len);
	id[0] = h;
	id[1] = hash_bytes(&h, sizeof h) ^ hash_bytes(seed.s, seed.len / 2);
	buf_free(&seed);
	return pdf_set_id(pdf, (const unsigned char *)id);
}

/* Saves the document to path, noting what was written. */
static int save(struct doc *d, const int *dir, const char *path, struct pd_pdf_written *written,
		struct pd_diags *diags)
{
	struct pd_loc none = {0};
	struct pd_pdf_written w = {.pages = (int)d->lay->npages};
	int rc = pdf_save(d->pdf, dir, path, d->w->file_mode, &w.bytes, w.sha256,
			  d->packed ? d->w->deflater : NULL, d->packed ? &d->own : NULL);
	if (rc == -1)
		diag_error(diags, none, "cannot write '%s': %s", path, strerror(errno));
	else if (rc < 0 || d->w->err)
		diag_error(diags, none, "cannot make the PDF for '%s' (libharu error 0x%04X)", path,
			   (unsigned)d->w->err);
	else if (written)
		*written = w;
	return rc == 0 && !d->w->err ? 0 : PD_EXIT_SYSTEM;
}

/* The sRGB profile, read and deflated once per writer; NULL z when it cannot be read. */
static const struct pdf_profile *srgb(struct pd_pdfw *w)
{
	if (!w->srgb.z) {
		size_t len;
		char *icc = file_read(PD_SRGB_PROFILE, &len, 1u << 20);
		if (icc)
			w->srgb.z = pdf_deflate(w->deflater, icc, len, &w->srgb.zlen);
		free(icc);
	}
	return &w->srgb;
}

/* A tagged PDF's catalog entries and structure tree, before its pages are drawn (the
 * Info dictionary set). Returns 0, or an exit code after adding an error. */
static int tags_begin(struct doc *d, const struct pd_pdf_info *info, struct pd_diags *diags)
{
	struct pd_loc none = {0};
	if (!srgb(d->w)->z) {
		diag_error(diags, none, "cannot read the sRGB colour profile '%s' an archival PDF "
					"declares (install icc-profiles-free, or make a plain PDF "
					"with --no-tags)", PD_SRGB_PROFILE);
		return PD_EXIT_SYSTEM;
	}
	if (pdf_archival(d->pdf, info->lang, &d->w->srgb) < 0)
		d->w->err = d->w->err ? d->w->err : HPDF_FAILD_TO_ALLOC_MEM;
	d->tags = pdf_tags_new(d->pdf, d->lay);
	d->packed = true;
	return 0;
}

int out_pdf_write(struct pd_pdfw *w, const struct pd_layout *lay, const struct pd_pdf_info *info,
		  const char *path, struct pd_pdf_written *written, struct pd_diags *diags)
{
	struct pd_loc none = {0};
	w->err = 0;
	if (w->pdf) {
		HPDF_NewDoc(w->pdf);
		w->pdf->pdf_version = w->version; /* as new, whatever the last document set */
	} else {
		w->pdf = HPDF_New(on_error, w);
		if (!w->pdf) {
			diag_error(diags, none, "cannot start a PDF (out of memory)");
			return PD_EXIT_SYSTEM;
		}
		HPDF_UseUTFEncodings(w->pdf);
		w->version = w->pdf->pdf_version;
	}
	HPDF_Doc pdf = w->pdf;
	struct doc d = {.w = w, .pdf = pdf, .lay = lay};
	HPDF_SetCurrentEncoder(pdf, "UTF-8");
	HPDF_SetCompressionMode(pdf, HPDF_COMP_ALL);
	int rc = 0;
	if (load_fonts(&d) < 0 || w->err) {
		diag_error(diags, none, "cannot load the fonts (libharu error 0x%04X)", (unsigned)w->err);
		rc = PD_EXIT_SYSTEM;
	}
	if (!rc) {
		set_info(pdf, info);
		if (info->tagged)
			rc = tags_begin(&d, info, diags);
	}
	if (!rc) {
		HPDF_Page *pages = xcalloc(lay->npages + 1, sizeof *pages);
		for (size_t p = 0; p < lay->npages && !w->err; p++) {
			pages[p] = HPDF_AddPage(pdf);
			HPDF_Page_SetWidth(pages[p], (HPDF_REAL)lay->page_w);
			HPDF_Page_SetHeight(pages[p], (HPDF_REAL)lay->page_h);
			if (d.tags)
				pdf_tags_page(d.tags, pages[p]);
			draw_page(&d, &lay->pages[p], pages[p]);
		}
		if (!w->err && lay->noutlines) {
			d.outline = pdf_outline_new(pdf, lay, pages);
			if (!d.outline && !w->err)
				w->err = HPDF_FAILD_TO_ALLOC_MEM;
			HPDF_SetPageMode(pdf, HPDF_PAGE_MODE_USE_OUTLINE); /* the bookmarks open */
		}
		if (!w->err && set_id(pdf, lay, info) < 0)
			w->err = HPDF_FAILD_TO_ALLOC_MEM;
		pdf_tags_end(d.tags, &d.own); /* once the document has all its objects */
		d.tags = NULL;
		free(pages);
		if (w->err) {
			diag_error(diags, none, "cannot draw the PDF (libharu error 0x%04X, detail %u)",
				   (unsigned)w->err, (unsigned)w->detail);
			rc = PD_EXIT_SYSTEM;
		}
	}
	if (!rc)
		rc = save(&d, info->out_dir, path, written, diags);
	pdf_tags_end(d.tags, NULL); /* when drawing stopped early */
	pdf_objects_free(&d.own);
	pdf_outline_free(d.outline);
	free(d.fonts);
	free(d.font_names);
	for (size_t i = 0; d.vars && i < lay->nfaces; i++)
		free(d.vars[i].v);
	free(d.vars);
	free(d.imgs);
	free(d.img_pixels);
	if (rc || w->err)
		drop_doc(w); /* start afresh after any libharu error */
	return rc;
}
