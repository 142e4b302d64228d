/* merge: PDF files and pixels -> one stamped, bookmarked, labelled PDF, through libqpdf.
 * In: sources opened here, stamp texts, bookmarks, labels. Out: a PDF written atomically. */
#include "merge_impl.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "outfile.h"
#include "stamp.h"
#include "util.h"
#include "xmp.h"

static qpdf_data qpdf_new(void)
{
	qpdf_data q = qpdf_init();
	qpdf_silence_errors(q);
	qpdf_set_suppress_warnings(q, QPDF_TRUE);
	return q;
}

/* Sets stream's data, compressed here by libdeflate so that qpdf writes it as it is: qpdf's
 * zlib, set up again for each small stream, took a tenth of a packet's time. */
static void put_stream(struct pd_merge *m, qpdf_oh stream, const void *data, size_t len)
{
	qpdf_data q = m->q;
	size_t cap = m->z ? libdeflate_zlib_compress_bound(m->z, len) : 0;
	unsigned char *packed = m->z ? xmalloc(cap) : NULL;
	size_t n = m->z ? libdeflate_zlib_compress(m->z, data, len, packed, cap) : 0;
	if (n)
		qpdf_oh_replace_stream_data(q, stream, packed, n, qpdf_oh_new_name(q, "/FlateDecode"),
					    qpdf_oh_new_null(q));
	else
		qpdf_oh_replace_stream_data(q, stream, data, len, qpdf_oh_new_null(q),
					    qpdf_oh_new_null(q));
	free(packed);
}

/* The error of the last call, else the first warning, as one sentence (in buf). */
static const char *problem(qpdf_data q, struct pd_buf *buf)
{
	buf_clear(buf);
	if (qpdf_has_error(q)) {
		qpdf_error e = qpdf_get_error(q);
		buf_puts(buf, qpdf_get_error_message_detail(q, e));
	} else if (qpdf_more_warnings(q)) {
		qpdf_error e = qpdf_next_warning(q);
		buf_puts(buf, qpdf_get_error_message_detail(q, e));
	}
	return buf->s ? buf->s : "unknown error";
}

static bool password_error(qpdf_data q)
{
	return qpdf_has_error(q) && qpdf_get_error_code(q, qpdf_get_error(q)) == qpdf_e_password;
}

/* The source q has read (read_rc: qpdf_read's), checked; NULL after an error at `at`. */
static struct pd_pdfsrc *checked(qpdf_data q, QPDF_ERROR_CODE read_rc, struct pd_loc at,
				 const char *what, struct pd_diags *diags)
{
	struct pd_buf why = {0};
	int pages = -1;
	if (read_rc & QPDF_ERRORS) {
		if (password_error(q))
			diag_error(diags, at, "%s is encrypted (it opens only with a password): "
					      "enclose a copy without a password",
				   what);
		else
			diag_error(diags, at, "%s is damaged or not a PDF: %s", what, problem(q, &why));
	} else if (qpdf_is_encrypted(q)) {
		diag_error(diags, at, "%s is encrypted: enclose a copy without encryption "
				      "(qpdf --decrypt IN OUT, where you may)",
			   what);
	} else if ((pages = qpdf_get_num_pages(q)) < 0 ||
		   (qpdf_push_inherited_attributes_to_page(q) & QPDF_ERRORS)) {
		diag_error(diags, at, "%s is damaged: %s", what, problem(q, &why));
		pages = -1;
	} else if (qpdf_more_warnings(q)) {
		diag_error(diags, at, "%s is damaged (%s): save a repaired copy (qpdf IN OUT) "
				      "and check every page",
			   what, problem(q, &why));
		pages = -1;
	} else if (pages == 0) {
		diag_error(diags, at, "%s has no pages", what);
		pages = -1;
	}
	buf_free(&why);
	if (pages < 0) {
		qpdf_cleanup(&q);
		return NULL;
	}
	struct pd_pdfsrc *src = xcalloc(1, sizeof *src);
	src->q = q;
	src->pages = pages;
	src->claims = tags_src_claims(q, &src->fonts_out);
	return src;
}

struct pd_pdfsrc *merge_open(const char *path, struct pd_loc at, const char *what,
			     struct pd_diags *diags)
{
	qpdf_data q = qpdf_new();
	return checked(q, qpdf_read(q, path, ""), at, what, diags);
}

struct pd_pdfsrc *merge_open_bytes(const char *name, unsigned char *bytes, size_t len,
				   struct pd_loc at, const char *what, struct pd_diags *diags)
{
	qpdf_data q = qpdf_new();
	struct pd_pdfsrc *src =
	    checked(q, qpdf_read_memory(q, name, (const char *)bytes, (unsigned long long)len, ""),
		    at, what, diags);
	if (src)
		src->bytes = bytes;
	else
		free(bytes);
	return src;
}

int merge_src_pages(const struct pd_pdfsrc *src)
{
	return src->pages;
}

unsigned merge_src_claims(const struct pd_pdfsrc *src)
{
	return src->claims;
}

bool merge_src_fonts_out(const struct pd_pdfsrc *src)
{
	return src->fonts_out;
}

void merge_close(struct pd_pdfsrc *src)
{
	if (!src)
		return;
	tags_src_free(src);
	qpdf_cleanup(&src->q);
	free(src->bytes);
	free(src);
}

/* The stamp font as a simple TrueType font over its embedded program. */
static qpdf_oh stamp_font_object(struct pd_merge *m, const struct pd_stamp_font *f)
{
	qpdf_data q = m->q;
	struct pd_buf d = {0};
	buf_printf(&d, "<< /Type /FontDescriptor /FontName /%s /Flags 33 /FontBBox [%d %d %d %d] "
		       "/ItalicAngle 0 /Ascent %d /Descent %d /CapHeight %d /StemV 80 >>",
		   f->name, f->bbox[0], f->bbox[1], f->bbox[2], f->bbox[3], f->ascent, f->descent,
		   f->ascent);
	qpdf_oh desc = qpdf_make_indirect_object(q, qpdf_oh_parse(q, d.s));
	qpdf_oh program = qpdf_oh_new_stream(q);
	put_stream(m, program, f->program, f->len);
	qpdf_oh_replace_key(q, qpdf_oh_get_dict(q, program), "/Length1",
			    qpdf_oh_new_integer(q, (long long)f->len));
	qpdf_oh_replace_key(q, desc, "/FontFile2", program);
	buf_clear(&d);
	buf_printf(&d, "<< /Type /Font /Subtype /TrueType /BaseFont /%s /FirstChar 32 /LastChar 126 "
		       "/Encoding /WinAnsiEncoding /Widths [",
		   f->name);
	for (int c = 32; c <= 126; c++)
		buf_puts(&d, c > 32 ? " 600" : "600");
	buf_puts(&d, "] >>");
	qpdf_oh font = qpdf_oh_parse(q, d.s);
	qpdf_oh_replace_key(q, font, "/FontDescriptor", desc);
	/* each code its character, for a reader that copies the stamp (PDF/UA, PDF/A-2u) */
	buf_clear(&d);
	buf_puts(&d, "/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CIDSystemInfo "
		     "<< /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def /CMapName "
		     "/Adobe-Identity-UCS def /CMapType 2 def 1 begincodespacerange <00> <FF> "
		     "endcodespacerange 1 beginbfrange <20> <7E> <0020> endbfrange endcmap CMapName "
		     "currentdict /CMap defineresource pop end end\n");
	qpdf_oh unicode = qpdf_oh_new_stream(q);
	put_stream(m, unicode, d.s, d.len);
	qpdf_oh_replace_key(q, font, "/ToUnicode", unicode);
	buf_free(&d);
	return qpdf_make_indirect_object(q, font);
}

struct pd_merge *merge_new(const struct pd_stamp_font *font)
{
	struct pd_merge *m = xcalloc(1, sizeof *m);
	m->q = qpdf_new();
	m->z = libdeflate_alloc_compressor(6);
	qpdf_empty_pdf(m->q);
	qpdf_oh open_q = qpdf_oh_new_stream(m->q);
	qpdf_oh_replace_stream_data(m->q, open_q, (const unsigned char *)"q\n", 2,
				    qpdf_oh_new_null(m->q), qpdf_oh_new_null(m->q));
	m->font_id = font ? qpdf_oh_get_object_id(m->q, stamp_font_object(m, font)) : 0;
	m->open_q_id = qpdf_oh_get_object_id(m->q, open_q);
	qpdf_oh_release_all(m->q);
	return m;
}

void merge_free(struct pd_merge *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->nmarks; i++)
		free(m->marks[i].title);
	for (size_t i = 0; i < m->nlabels; i++)
		free(m->labels[i].prefix);
	free(m->marks);
	free(m->labels);
	tags_free(m);
	qpdf_cleanup(&m->q);
	libdeflate_free_compressor(m->z);
	free(m);
}

int merge_pages(const struct pd_merge *m)
{
	return qpdf_get_num_pages(m->q);
}

static int added(struct pd_merge *m, struct pd_loc at, struct pd_diags *diags)
{
	if (!qpdf_has_error(m->q))
		return merge_pages(m);
	struct pd_buf why = {0};
	diag_error(diags, at, "cannot add its pages: %s", problem(m->q, &why));
	buf_free(&why);
	return -1;
}

int merge_add_pdf(struct pd_merge *m, struct pd_pdfsrc *src, int first, int count,
		  struct pd_loc at, struct pd_diags *diags)
{
	int from = merge_pages(m), n = 0;
	for (int i = first; i < first + count && i < src->pages; i++, n++) {
		qpdf_oh page = qpdf_get_page_n(src->q, (size_t)i);
		if (qpdf_add_page(m->q, src->q, page, QPDF_FALSE) & QPDF_ERRORS)
			break;
	}
	if (!qpdf_has_error(m->q))
		tags_carry(m, src, first, n, from);
	return added(m, at, diags);
}

/* The page's image box: 0.5in at the sides and top, 0.75in at the foot for the stamp. */
#define SCAN_X0 36.0
#define SCAN_Y0 54.0
#define SCAN_X1 576.0
#define SCAN_Y1 756.0

static unsigned long be32(const unsigned char *p)
{
	return (unsigned long)p[0] << 24 | (unsigned long)p[1] << 16 | (unsigned long)p[2] << 8 | p[3];
}

/* A PNG's compressed rows (its IDAT chunks joined, in out) where a PDF image takes them as
 * they are: 8-bit gray or RGB as decoded, not interlaced, no transparency. 0: use the pixels. */
static size_t png_rows(const unsigned char *png, size_t len, int width, int height, int comps,
		       struct pd_buf *out)
{
	static const unsigned char signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
	bool header = false;
	for (size_t at = 8; png && len >= 8 && !memcmp(png, signature, 8) && at + 12 <= len;) {
		size_t n = be32(png + at);
		const unsigned char *type = png + at + 4, *data = png + at + 8;
		if (n > len - at - 12 || !memcmp(type, "tRNS", 4))
			break;
		if (!memcmp(type, "IHDR", 4) &&
		    !(header = n == 13 && be32(data) == (unsigned long)width &&
			       be32(data + 4) == (unsigned long)height && data[8] == 8 &&
			       data[9] == (comps == 1 ? 0 : 2) && data[12] == 0))
			break;
		if (!memcmp(type, "IDAT", 4))
			buf_put(out, (const char *)data, n);
		if (!memcmp(type, "IEND", 4))
			return header ? out->len : 0;
		at += 12 + n;
	}
	return 0;
}

static unsigned be16(const unsigned char *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

/* True when a JPEG's own bytes are a DCTDecode stream every PDF reader takes: baseline or
 * progressive Huffman (SOF0, SOF1, SOF2), 8 bits, the size and components decoded. */
static bool jpeg_passes(const unsigned char *jpg, size_t len, const struct pd_pixels *px)
{
	if (!jpg || len < 4 || jpg[0] != 0xFF || jpg[1] != 0xD8)
		return false;
	for (size_t at = 2; at + 4 <= len;) {
		if (jpg[at] != 0xFF)
			return false;
		unsigned marker = jpg[at + 1];
		if (marker == 0xFF) { /* fill */
			at++;
			continue;
		}
		size_t n = be16(jpg + at + 2);
		if (marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC)
			return marker <= 0xC2 && n >= 8 && at + 2 + n <= len && jpg[at + 4] == 8 &&
			       (int)be16(jpg + at + 5) == px->height && (int)be16(jpg + at + 7) == px->width &&
			       jpg[at + 9] == px->comps;
		if (marker == 0xD9 || marker == 0xDA || n < 2)
			return false;
		at += 2 + n;
	}
	return false;
}

/* The scan's image: a JPEG's bytes as they are (DCTDecode), a PNG's rows as they are (PNG
 * predictors), else its pixels compressed. file: the file px was decoded from, or NULL. */
static qpdf_oh scan_image(struct pd_merge *m, const struct pd_pixels *px,
			  const unsigned char *file, size_t file_len)
{
	qpdf_data q = m->q;
	qpdf_oh img = qpdf_oh_new_stream(q);
	struct pd_buf rows = {0};
	char spec[240];
	int n = snprintf(spec, sizeof spec,
			 "<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace %s "
			 "/BitsPerComponent 8 >>",
			 px->width, px->height, px->comps == 1 ? "/DeviceGray" : "/DeviceRGB");
	if (jpeg_passes(file, file_len, px)) {
		qpdf_oh_replace_stream_data(q, img, file, file_len, qpdf_oh_new_name(q, "/DCTDecode"),
					    qpdf_oh_new_null(q));
	} else if (png_rows(file, file_len, px->width, px->height, px->comps, &rows)) {
		snprintf(spec + n - 2, sizeof spec - (size_t)n + 2, "/DecodeParms << /Predictor 15 "
			 "/Colors %d /BitsPerComponent 8 /Columns %d >> >>", px->comps, px->width);
		qpdf_oh_replace_stream_data(q, img, (const unsigned char *)rows.s, rows.len,
					    qpdf_oh_new_name(q, "/FlateDecode"),
					    qpdf_oh_get_key(q, qpdf_oh_parse(q, spec), "/DecodeParms"));
	} else {
		put_stream(m, img, px->data, (size_t)px->width * (size_t)px->height * (size_t)px->comps);
	}
	buf_free(&rows);
	qpdf_oh dict = qpdf_oh_get_dict(q, img), spec_oh = qpdf_oh_parse(q, spec);
	static const char *const keys[] = {"/Type", "/Subtype", "/Width", "/Height", "/ColorSpace",
					   "/BitsPerComponent"};
	for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
		qpdf_oh_replace_key(q, dict, keys[i], qpdf_oh_get_key(q, spec_oh, keys[i]));
	return img;
}

int merge_add_image(struct pd_merge *m, const struct pd_pixels *px, const unsigned char *file,
		    size_t file_len, const char *alt, struct pd_loc at, struct pd_diags *diags)
{
	qpdf_data q = m->q;
	int width = px->width, height = px->height;
	qpdf_oh img = scan_image(m, px, file, file_len);
	double s = (SCAN_X1 - SCAN_X0) / width;
	if ((SCAN_Y1 - SCAN_Y0) / height < s)
		s = (SCAN_Y1 - SCAN_Y0) / height;
	double w = s * width, h = s * height, x = SCAN_X0 + (SCAN_X1 - SCAN_X0 - w) / 2;
	double box[4] = {x, SCAN_Y1 - h, x + w, SCAN_Y1};
	qpdf_oh page = qpdf_make_indirect_object(q, qpdf_oh_parse(q, "<< /Type /Page /MediaBox "
						 "[0 0 612 792] /Resources << /XObject << >> >> >>"));
	char draw[120];
	snprintf(draw, sizeof draw, "q %.4f 0 0 %.4f %.2f %.2f cm /Im0 Do Q\n", w, h, box[0], box[1]);
	struct pd_buf ops = {0};
	tags_figure(m, page, alt, box, &ops, draw);
	qpdf_oh content = qpdf_oh_new_stream(q);
	put_stream(m, content, ops.s, ops.len);
	buf_free(&ops);
	qpdf_oh_replace_key(q, qpdf_oh_get_key(q, qpdf_oh_get_key(q, page, "/Resources"), "/XObject"),
			    "/Im0", img);
	qpdf_oh_replace_key(q, page, "/Contents", content);
	qpdf_add_page(q, q, page, QPDF_FALSE);
	return added(m, at, diags);
}

/* ------------------------------------------------------------- stamps */

static double number_at(qpdf_data q, qpdf_oh arr, int i)
{
	return qpdf_oh_get_numeric_value(q, qpdf_oh_get_array_item(q, arr, i));
}

static struct pd_stamp_page page_geometry(qpdf_data q, qpdf_oh page)
{
	struct pd_stamp_page g = {0, 0, 612, 792, 0, false};
	qpdf_oh box = qpdf_oh_get_key(q, page, "/CropBox");
	if (!qpdf_oh_is_array(q, box) || qpdf_oh_get_array_n_items(q, box) != 4)
		box = qpdf_oh_get_key(q, page, "/MediaBox");
	if (qpdf_oh_is_array(q, box) && qpdf_oh_get_array_n_items(q, box) == 4) {
		double a = number_at(q, box, 0), b = number_at(q, box, 1);
		double c = number_at(q, box, 2), d = number_at(q, box, 3);
		g.x0 = a < c ? a : c, g.x1 = a < c ? c : a;
		g.y0 = b < d ? b : d, g.y1 = b < d ? d : b;
	}
	qpdf_oh rot = qpdf_oh_get_key(q, page, "/Rotate");
	if (qpdf_oh_is_integer(q, rot))
		g.rotate = qpdf_oh_get_int_value_as_int(q, rot);
	return g;
}

/* The page's /Resources /Font dictionary, made where it is missing. */
static qpdf_oh page_fonts(qpdf_data q, qpdf_oh page)
{
	qpdf_oh res = qpdf_oh_get_key(q, page, "/Resources");
	if (!qpdf_oh_is_dictionary(q, res)) {
		res = qpdf_oh_new_dictionary(q);
		qpdf_oh_replace_key(q, page, "/Resources", res);
	}
	qpdf_oh fonts = qpdf_oh_get_key(q, res, "/Font");
	if (!qpdf_oh_is_dictionary(q, fonts)) {
		fonts = qpdf_oh_new_dictionary(q);
		qpdf_oh_replace_key(q, res, "/Font", fonts);
	}
	return fonts;
}

void merge_stamp(struct pd_merge *m, int page_index, bool top, const char *right,
		 const char *left)
{
	qpdf_data q = m->q;
	qpdf_oh page = qpdf_get_page_n(q, (size_t)page_index);
	struct pd_stamp_page g = page_geometry(q, page);
	g.top = top;
	qpdf_oh_replace_key(q, page_fonts(q, page), STAMP_FONT_KEY,
			    qpdf_get_object_by_id(q, m->font_id, 0));
	struct pd_buf ops = {0};
	buf_puts(&ops, "Q\n"); /* the page's own drawing ends in the state it began in */
	stamp_draw(&g, right, left, &ops);
	qpdf_oh stamp = qpdf_oh_new_stream(q);
	put_stream(m, stamp, ops.s, ops.len);
	buf_free(&ops);
	qpdf_oh old = qpdf_oh_get_key(q, page, "/Contents");
	qpdf_oh list = qpdf_oh_new_array(q);
	qpdf_oh_append_item(q, list, qpdf_get_object_by_id(q, m->open_q_id, 0));
	if (qpdf_oh_is_array(q, old))
		for (int i = 0, n = qpdf_oh_get_array_n_items(q, old); i < n; i++)
			qpdf_oh_append_item(q, list, qpdf_oh_get_array_item(q, old, i));
	else if (qpdf_oh_is_stream(q, old))
		qpdf_oh_append_item(q, list, old);
	qpdf_oh_append_item(q, list, stamp);
	qpdf_oh_replace_key(q, page, "/Contents", list);
	qpdf_oh_release_all(q); /* a handle is kept until released: a long packet makes thousands */
}

/* ------------------------------------------------------------- bookmarks, labels, output */

void merge_bookmark(struct pd_merge *m, const char *title_utf8, int page)
{
	m->marks = xrealloc(m->marks, (m->nmarks + 1) * sizeof *m->marks);
	m->marks[m->nmarks++] = (struct mark){xstrdup(title_utf8), page};
}

void merge_label(struct pd_merge *m, int page, const char *prefix, bool numbered)
{
	m->labels = xrealloc(m->labels, (m->nlabels + 1) * sizeof *m->labels);
	m->labels[m->nlabels++] = (struct label){xstrdup(prefix), page, numbered};
}

static void write_outlines(struct pd_merge *m, qpdf_oh root)
{
	qpdf_data q = m->q;
	if (!m->nmarks)
		return;
	qpdf_oh outlines = qpdf_make_indirect_object(q, qpdf_oh_parse(q, "<< /Type /Outlines >>"));
	qpdf_oh *items = xcalloc(m->nmarks, sizeof *items);
	for (size_t i = 0; i < m->nmarks; i++) {
		items[i] = qpdf_make_indirect_object(q, qpdf_oh_new_dictionary(q));
		qpdf_oh_replace_key(q, items[i], "/Title", qpdf_oh_new_unicode_string(q, m->marks[i].title));
		qpdf_oh_replace_key(q, items[i], "/Parent", outlines);
		qpdf_oh dest = qpdf_oh_new_array(q);
		qpdf_oh_append_item(q, dest, qpdf_get_page_n(q, (size_t)m->marks[i].page));
		qpdf_oh_append_item(q, dest, qpdf_oh_new_name(q, "/Fit"));
		qpdf_oh_replace_key(q, items[i], "/Dest", dest);
		if (i) {
			qpdf_oh_replace_key(q, items[i], "/Prev", items[i - 1]);
			qpdf_oh_replace_key(q, items[i - 1], "/Next", items[i]);
		}
	}
	qpdf_oh_replace_key(q, outlines, "/First", items[0]);
	qpdf_oh_replace_key(q, outlines, "/Last", items[m->nmarks - 1]);
	qpdf_oh_replace_key(q, outlines, "/Count", qpdf_oh_new_integer(q, (long long)m->nmarks));
	qpdf_oh_replace_key(q, root, "/Outlines", outlines);
	qpdf_oh_replace_key(q, root, "/PageMode", qpdf_oh_new_name(q, "/UseOutlines"));
	free(items);
}

static void write_labels(struct pd_merge *m, qpdf_oh root)
{
	qpdf_data q = m->q;
	if (!m->nlabels)
		return;
	qpdf_oh nums = qpdf_oh_new_array(q);
	for (size_t i = 0; i < m->nlabels; i++) {
		qpdf_oh_append_item(q, nums, qpdf_oh_new_integer(q, m->labels[i].page));
		qpdf_oh range = qpdf_oh_new_dictionary(q);
		qpdf_oh_replace_key(q, range, "/P", qpdf_oh_new_unicode_string(q, m->labels[i].prefix));
		if (m->labels[i].numbered)
			qpdf_oh_replace_key(q, range, "/S", qpdf_oh_new_name(q, "/D"));
		qpdf_oh_append_item(q, nums, range);
	}
	qpdf_oh tree = qpdf_oh_new_dictionary(q);
	qpdf_oh_replace_key(q, tree, "/Nums", nums);
	qpdf_oh_replace_key(q, root, "/PageLabels", tree);
}

/* The Info dictionary's title (UTF-8, written as a text string) and creator. */
static void set_title(qpdf_data q, const char *title)
{
	qpdf_set_info_key(q, "/Creator", "pdgen " PD_VERSION);
	if (title)
		qpdf_oh_replace_key(q, qpdf_oh_get_key(q, qpdf_get_trailer(q), "/Info"), "/Title",
				    qpdf_oh_new_unicode_string(q, title));
}

/* Writes q to path atomically and reproducibly (the ID a hash of the content). */
static int write_pdf(qpdf_data q, bool tagged, const char *path, struct pd_pdf_written *written,
		     struct pd_diags *diags)
{
	struct pd_buf why = {0};
	int rc = PD_EXIT_OK;
	if ((qpdf_init_write_memory(q) & QPDF_ERRORS) ||
	    (qpdf_set_minimum_pdf_version(q, tagged ? "1.7" : "1.3"), /* tagged as PDF/UA-1 asks */
	     qpdf_set_deterministic_ID(q, QPDF_TRUE), qpdf_set_object_stream_mode(q, qpdf_o_generate),
	     qpdf_set_decode_level(q, qpdf_dl_none), /* compressed streams pass through as they are */
	     qpdf_set_compress_streams(q, QPDF_FALSE), /* and the others: made here compressed */
	     qpdf_write(q) & QPDF_ERRORS)) {
		diag_error(diags, (struct pd_loc){0}, "cannot make '%s': %s", path, problem(q, &why));
		rc = PD_EXIT_INPUT;
	} else {
		size_t len = qpdf_get_buffer_length(q);
		const unsigned char *bytes = qpdf_get_buffer(q);
		struct pd_pdf_written w = {.pages = qpdf_get_num_pages(q), .bytes = len};
		if (outfile_write(path, bytes, len, w.sha256) != 0) {
			diag_error(diags, (struct pd_loc){0}, "cannot write '%s': %s", path,
				   strerror(errno));
			rc = PD_EXIT_SYSTEM;
		} else if (written) {
			*written = w;
		}
	}
	buf_free(&why);
	return rc;
}

int merge_write(struct pd_merge *m, const char *title, unsigned claims, const char *path,
		struct pd_pdf_written *written, struct pd_diags *diags)
{
	qpdf_data q = m->q;
	qpdf_oh root = qpdf_get_root(q);
	write_outlines(m, root);
	write_labels(m, root);
	set_title(q, title);
	if (m->conflict && (claims & PD_CLAIM_PDFUA))
		diag_add(diags, PD_NOTE, (struct pd_loc){0}, NULL, "two enclosures map the structure "
			 "type or class '%s' two ways: the packet is not declared PDF/UA-1 (its "
			 "structure keeps the first)", m->conflict + 1);
	tags_finish(m, root, claims);
	return write_pdf(q, tags_on(m), path, written, diags);
}

int merge_extract(struct pd_pdfsrc *src, int first, int count, const char *title,
		  unsigned claims, const char *path, struct pd_diags *diags)
{
	struct pd_merge *m = merge_new(NULL);
	int rc = merge_add_pdf(m, src, first, count, (struct pd_loc){0}, diags) < 0
		     ? PD_EXIT_INPUT
		     : merge_write(m, title, claims, path, NULL, diags);
	merge_free(m);
	return rc;
}
