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
	pdf_deflater_free(w->deflater);
	free(w);
}

struct doc {
	struct pd_pdfw *w;
	HPDF_Doc pdf;
	const struct pd_layout *lay;
	HPDF_Font *fonts; /* parallel to lay->faces */
	struct pdf_variants *vars; /* likewise: each face's ligatures and joining forms */
	HPDF_Image *imgs;
	const struct pd_pixels **img_pixels;
	size_t nimgs;
	struct pdf_tags *tags; /* NULL: an untagged PDF */
	bool packed;	       /* written with object streams (a tagged PDF, version 1.7) */
	struct pdf_objects own; /* the structure tree, written by pdgen */
};

static size_t face_index(const struct doc *d, const struct pd_face *f)
{
	size_t i = 0;
	while (i < d->lay->nfaces && d->lay->faces[i] != f)
		i++;
	return i;
}

static void mark(unsigned char *used, unsigned cp)
{
	used[cp >> 3] |= (unsigned char)(1u << (cp & 7));
}

static void mark_used(const struct pd_layout *lay, const struct pd_face *face, unsigned char *used)
{
	memset(used, 0, PD_CP_SET_BYTES);
	for (size_t p = 0; p < lay->npages; p++)
		for (size_t k = 0; k < lay->pages[p].nruns; k++) {
			const struct pd_run *r = &lay->pages[p].runs[k];
			if (r->face != face)
				continue;
			for (size_t at = 0; at < r->len;) {
				uint32_t cp;
				at += (size_t)utf8_decode(r->text + at, r->len - at, &cp);
				if (cp >= 0x20 && cp < 0xFFFF)
					mark(used, cp);
			}
		}
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

/* Each face's font embeds the characters the document prints with it (and all digits). */
static int load_fonts(struct doc *d)
{
	d->fonts = xcalloc(d->lay->nfaces + 1, sizeof *d->fonts);
	d->vars = xcalloc(d->lay->nfaces + 1, sizeof *d->vars);
	unsigned char *used = xmalloc(PD_CP_SET_BYTES);
	int rc = 0;
	font_cache_begin(d->w->programs);
	for (size_t i = 0; i < d->lay->nfaces && !rc; i++) {
		mark_used(d->lay, d->lay->faces[i], used);
		add_all_digits(d->lay->faces[i], used);
		pdf_variants_collect(d->lay, d->lay->faces[i], &d->vars[i]);
		d->fonts[i] = pdf_font_new(d->pdf, d->w->programs, d->lay->faces[i], used, &d->vars[i]);
		if (!d->fonts[i])
			rc = -1;
	}
	free(used);
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

/* Numbers of a content stream: two decimals at most, no trailing zeros, then a space. */
static void put_num(struct pd_buf *b, double v)
{
	long c = lround(v * 100);
	char tmp[32], *p = tmp + sizeof tmp;
	*--p = ' ';
	unsigned long u = (unsigned long)(c < 0 ? -c : c);
	if (u % 100) {
		if (u % 10)
			*--p = (char)('0' + u % 10);
		*--p = (char)('0' + u / 10 % 10);
		*--p = '.';
	}
	u /= 100;
	do
		*--p = (char)('0' + u % 10);
	while (u /= 10);
	if (c < 0)
		*--p = '-';
	buf_put(b, p, (size_t)(tmp + sizeof tmp - p));
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
		buf_putc(b, ')');
	if (pen->in_array)
		buf_puts(b, "] TJ\n");
	pen->in_array = pen->in_string = false;
}

/* The words of one line in one font share a TJ array: the space before each is a number in
 * thousandths of the font size, taken from where the text really stands (the widths the
 * font declares), so rounding never accumulates; a run with no space joins the string. A
 * wider jump (a table's next column) is a move of its own, exact to 0.01 pt. */
static void put_run(struct pd_buf *b, struct pen *pen, const struct pd_run *r, double page_h,
		    const struct pdf_variants *vars)
{
	double space = r->x - pen->x;
	bool same_line = pen->in_array && r->y == pen->y &&
			 space > -pen->size && space < 2 * pen->size;
	if (!same_line) {
		close_array(b, pen);
		/* relative moves keep the stream short; each from where the last one landed */
		double dx = round((r->x - pen->px) * 100) / 100;
		double dy = round((page_h - r->y - pen->py) * 100) / 100;
		put_num(b, dx);
		put_num(b, dy);
		buf_puts(b, "Td [");
		pen->px += dx;
		pen->py += dy;
		pen->x = pen->px;
		pen->y = r->y;
		pen->in_array = true;
	} else {
		long gap = lround(-space * 1000 / pen->size);
		if (gap) {
			if (pen->in_string)
				buf_putc(b, ')');
			put_num(b, (double)gap);
			pen->in_string = false;
			pen->x -= (double)gap * pen->size / 1000;
		}
	}
	if (!pen->in_string)
		buf_putc(b, '(');
	pen->in_string = true;
	pen->x += (double)pdf_put_cids(b, r, vars) * pen->size / 1000;
}

static void put_text(struct doc *d, const struct pd_page *pg, HPDF_Page page, struct pd_buf *b)
{
	struct pen pen = {0};
	HPDF_Font cur = NULL;
	buf_puts(b, "BT\n");
	for (size_t i = 0; i < pg->nruns; i++) {
		const struct pd_run *r = &pg->runs[i];
		size_t fi = face_index(d, r->face);
		HPDF_Font f = fi < d->lay->nfaces ? d->fonts[fi] : NULL;
		if (d->tags && (i == 0 || r->elem != pg->runs[i - 1].elem)) {
			close_array(b, &pen);
			pdf_tags_mark(d->tags, b, r->elem);
		}
		if (f != cur || r->size != pen.size) {
			close_array(b, &pen);
			buf_printf(b, "/%s ", HPDF_Page_GetLocalFontName(page, f));
			put_num(b, r->size);
			buf_puts(b, "Tf\n");
			cur = f;
			pen.size = r->size;
		}
		put_run(b, &pen, r, d->lay->page_h, &d->vars[fi]);
	}
	close_array(b, &pen);
	pdf_tags_close(d->tags, b);
	buf_puts(b, "ET\n");
}

/* The page's content stream, written by pdgen (libharu's drawing calls cost more than the
 * rest of the page), deflated; libharu keeps the resources it names. */
static void draw_page(struct doc *d, const struct pd_page *pg, HPDF_Page page)
{
	double H = d->lay->page_h;
	struct pd_buf b = {0};
	if (pg->nrules)
		pdf_tags_mark(d->tags, &b, PD_ARTIFACT); /* table rules, underlines, letterhead */
	for (size_t i = 0; i < pg->nrules; i++) {
		const struct pd_rule *r = &pg->rules[i];
		put_num(&b, r->width);
		buf_puts(&b, "w ");
		put_num(&b, r->x0);
		put_num(&b, H - r->y0);
		buf_puts(&b, "m ");
		put_num(&b, r->x1);
		put_num(&b, H - r->y1);
		buf_puts(&b, "l S\n");
	}
	for (size_t i = 0; i < pg->nimages; i++) {
		const struct pd_image *im = &pg->images[i];
		HPDF_Image img = image_of(d, im);
		if (!img)
			continue;
		pdf_tags_mark(d->tags, &b, im->elem);
		buf_puts(&b, "q ");
		double cm[6] = {im->w, 0, 0, im->h, im->x, H - im->y - im->h};
		for (int k = 0; k < 6; k++)
			put_num(&b, cm[k]);
		buf_printf(&b, "cm /%s Do Q\n", HPDF_Page_GetXObjectName(page, img));
	}
	pdf_tags_close(d->tags, &b);
	if (pg->nruns)
		put_text(d, pg, page, &b);
	HPDF_Dict contents = ((HPDF_PageAttr)page->attr)->contents;
	size_t zlen;
	unsigned char *z = pdf_deflate(d->w->deflater, b.s ? b.s : "", b.len, &zlen);
	if (!z || pdf_set_deflated(contents, z, zlen, true) < 0)
		d->w->err = d->w->err ? d->w->err : HPDF_FAILD_TO_ALLOC_MEM;
	buf_free(&b);
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

static void outlines(struct doc *d, HPDF_Page *pages)
{
	const struct pd_layout *lay = d->lay;
	HPDF_Encoder enc = HPDF_GetEncoder(d->pdf, "UTF-8");
	HPDF_Outline parent[4] = {NULL, NULL, NULL, NULL};
	for (size_t i = 0; i < lay->noutlines; i++) {
		const struct pd_outline *o = &lay->outlines[i];
		int lv = o->level < 1 ? 1 : o->level > 3 ? 3 : o->level;
		HPDF_Outline up = NULL;
		for (int k = lv - 1; k >= 1 && !up; k--)
			up = parent[k];
		HPDF_Outline ol = HPDF_CreateOutline(d->pdf, up, o->title, enc);
		if (!ol)
			return;
		HPDF_Destination dst = HPDF_Page_CreateDestination(pages[o->page]);
		HPDF_Destination_SetFitH(dst, (HPDF_REAL)(lay->page_h - o->y));
		HPDF_Outline_SetDestination(ol, dst);
		HPDF_Outline_SetOpened(ol, HPDF_TRUE);
		parent[lv] = ol;
		for (int k = lv + 1; k < 4; k++)
			parent[k] = NULL;
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
			outlines(&d, pages);
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
	free(d.fonts);
	for (size_t i = 0; d.vars && i < lay->nfaces; i++)
		free(d.vars[i].v);
	free(d.vars);
	free(d.imgs);
	free(d.img_pixels);
	if (rc || w->err)
		drop_doc(w); /* start afresh after any libharu error */
	return rc;
}
