/* scan: PNG (libpng's simplified API) and JPEG (libjpeg) bytes -> pixels, under caps.
 * In: a file's bytes. Out: pixels in the caller's arena, or a reason to refuse. */
#include "scan.h"

#include <stdio.h> /* before jpeglib.h */

#include <jpeglib.h>
#include <png.h>
#include <setjmp.h>
#include <stdbool.h>
#include <string.h>

#define SCAN_MAX_SIDE 12000
#define SCAN_MAX_BYTES ((size_t)64 << 20)

const char *scan_kind(const unsigned char *b, size_t len)
{
	if (len >= 8 && !memcmp(b, "\x89PNG\r\n\x1a\n", 8))
		return "PNG";
	if (len >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF)
		return "JPEG";
	return NULL;
}

static int too_big(int w, int h, int comps, char *why, size_t n)
{
	if (w <= 0 || h <= 0 || w > SCAN_MAX_SIDE || h > SCAN_MAX_SIDE ||
	    (size_t)w * (size_t)h * (size_t)comps > SCAN_MAX_BYTES) {
		snprintf(why, n, "its size (%d x %d pixels) is over the limit of %d pixels a side "
				 "and %zu MB decoded",
			 w, h, SCAN_MAX_SIDE, SCAN_MAX_BYTES >> 20);
		return 1;
	}
	return 0;
}

static int decode_png(const unsigned char *b, size_t len, struct pd_arena *a, struct pd_scan *o,
		      char *why, size_t n)
{
	png_image img;
	memset(&img, 0, sizeof img);
	img.version = PNG_IMAGE_VERSION;
	if (!png_image_begin_read_from_memory(&img, b, len)) {
		snprintf(why, n, "damaged PNG (%s)", img.message);
		return -1;
	}
	bool color = img.format & PNG_FORMAT_FLAG_COLOR;
	img.format = color ? PNG_FORMAT_RGB : PNG_FORMAT_GRAY; /* alpha is laid over white */
	int comps = color ? 3 : 1;
	if (too_big((int)img.width, (int)img.height, comps, why, n)) {
		png_image_free(&img);
		return -1;
	}
	unsigned char *px = arena_alloc(a, PNG_IMAGE_SIZE(img));
	png_color white = {255, 255, 255};
	if (!png_image_finish_read(&img, &white, px, 0, NULL)) {
		snprintf(why, n, "damaged PNG (%s)", img.message);
		return -1;
	}
	*o = (struct pd_scan){(int)img.width, (int)img.height, comps, px};
	return 0;
}

struct jerr {
	struct jpeg_error_mgr mgr;
	jmp_buf jump;
	char msg[JMSG_LENGTH_MAX];
	bool warned; /* a corrupt or cut-off stream: libjpeg fills the rest with gray */
};

static void jpeg_fail(j_common_ptr cinfo)
{
	struct jerr *e = (struct jerr *)cinfo->err;
	(*cinfo->err->format_message)(cinfo, e->msg);
	longjmp(e->jump, 1);
}

/* Warnings (level -1) are kept: a scan libjpeg had to patch is refused, not enclosed. */
static void jpeg_quiet(j_common_ptr cinfo, int level)
{
	struct jerr *e = (struct jerr *)cinfo->err;
	if (level < 0 && !e->warned) {
		(*cinfo->err->format_message)(cinfo, e->msg);
		e->warned = true;
	}
}

static int decode_jpeg(const unsigned char *b, size_t len, struct pd_arena *a, struct pd_scan *o,
		       char *why, size_t n)
{
	struct jpeg_decompress_struct ci;
	struct jerr e = {.warned = false};
	ci.err = jpeg_std_error(&e.mgr);
	e.mgr.error_exit = jpeg_fail;
	e.mgr.emit_message = jpeg_quiet;
	if (setjmp(e.jump)) {
		snprintf(why, n, "damaged JPEG (%s)", e.msg);
		jpeg_destroy_decompress(&ci);
		return -1;
	}
	jpeg_create_decompress(&ci);
	jpeg_mem_src(&ci, b, (unsigned long)len);
	jpeg_read_header(&ci, TRUE);
	ci.out_color_space = ci.jpeg_color_space == JCS_GRAYSCALE ? JCS_GRAYSCALE : JCS_RGB;
	int comps = ci.out_color_space == JCS_GRAYSCALE ? 1 : 3;
	if (too_big((int)ci.image_width, (int)ci.image_height, comps, why, n)) {
		jpeg_destroy_decompress(&ci);
		return -1;
	}
	jpeg_start_decompress(&ci);
	size_t stride = (size_t)ci.output_width * (size_t)comps;
	unsigned char *px = arena_alloc(a, stride * ci.output_height);
	while (ci.output_scanline < ci.output_height) {
		JSAMPROW row = px + stride * ci.output_scanline;
		jpeg_read_scanlines(&ci, &row, 1);
	}
	jpeg_finish_decompress(&ci);
	*o = (struct pd_scan){(int)ci.output_width, (int)ci.output_height, comps, px};
	jpeg_destroy_decompress(&ci);
	if (e.warned) {
		snprintf(why, n, "damaged JPEG (%s)", e.msg);
		return -1;
	}
	return 0;
}

int scan_decode(const unsigned char *b, size_t len, struct pd_arena *a, struct pd_scan *o,
		char *why, size_t n)
{
	const char *kind = scan_kind(b, len);
	if (kind && !strcmp(kind, "PNG"))
		return decode_png(b, len, a, o, why, n);
	if (kind)
		return decode_jpeg(b, len, a, o, why, n);
	snprintf(why, n, "not a PNG or JPEG image");
	return -1;
}
