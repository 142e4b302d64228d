/* image: PNG (libpng) and JPEG (libjpeg) decoded under guard: their errors return here
 * instead of aborting, sizes are capped from the header before any pixel is decoded. */
#include <setjmp.h>
#include <stdio.h>
#include <string.h>

#include <jpeglib.h>
#include <jerror.h>
#include <png.h>

#include "image.h"

const char *image_kind(const unsigned char *b, size_t len)
{
	if (len >= 8 && !memcmp(b, "\x89PNG\r\n\x1a\n", 8))
		return "PNG";
	if (len >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF)
		return "JPEG";
	return NULL;
}

/* The caps, from the header's size and the channels decoding makes (alpha included). */
static int over_caps(unsigned long w, unsigned long h, int channels, char *why, size_t why_len)
{
	if (w == 0 || h == 0) {
		snprintf(why, why_len, "the image has no pixels (%lu x %lu)", w, h);
		return -1;
	}
	if (w > PD_IMAGE_MAX_SIDE || h > PD_IMAGE_MAX_SIDE) {
		snprintf(why, why_len, "the image is %lu x %lu pixels; at most %d on a side is taken "
			 "(scale it down: 150 pixels an inch is enough for print)", w, h,
			 PD_IMAGE_MAX_SIDE);
		return -1;
	}
	if ((size_t)w * h * (size_t)channels > PD_IMAGE_MAX_BYTES) {
		snprintf(why, why_len, "the image is %lu x %lu pixels, %zu MB decoded; at most %zu MB "
			 "is taken (scale it down)", w, h, (size_t)w * h * (size_t)channels >> 20,
			 PD_IMAGE_MAX_BYTES >> 20);
		return -1;
	}
	return 0;
}

/* Lays pixels with alpha (channels 2 or 4) over white, in place, dropping the alpha. */
static void over_white(unsigned char *p, size_t npix, int channels)
{
	int colour = channels - 1;
	unsigned char *out = p;
	for (size_t i = 0; i < npix; i++, p += channels) {
		unsigned a = p[colour];
		for (int c = 0; c < colour; c++)
			*out++ = (unsigned char)((p[c] * a + 255 * (255 - a) + 127) / 255);
	}
}

/* ---------------------------------------------------------------- PNG */

struct png_guard {
	jmp_buf jmp;
	char *why;
	size_t why_len;
	const unsigned char *data;
	size_t len, at;
};

static void png_fail(png_structp png, png_const_charp msg)
{
	struct png_guard *g = png_get_error_ptr(png);
	snprintf(g->why, g->why_len, "damaged PNG data (%s)", msg);
	longjmp(g->jmp, 1);
}

static void png_quiet(png_structp png, png_const_charp msg)
{
	(void)png;
	(void)msg;
}

static void png_from_memory(png_structp png, png_bytep out, size_t n)
{
	struct png_guard *g = png_get_io_ptr(png);
	if (g->len - g->at < n)
		png_error(png, "the file ends early");
	memcpy(out, g->data + g->at, n);
	g->at += n;
}

/* Reads the header and sets the transformations to 8-bit gray, gray+alpha, RGB or RGBA. */
static int png_setup(png_structp png, png_infop info, struct png_guard *g, int *channels)
{
	png_set_read_fn(png, g, png_from_memory);
	png_read_info(png, info);
	png_set_expand(png);
	png_set_strip_16(png);
	png_set_interlace_handling(png);
	png_read_update_info(png, info);
	*channels = png_get_channels(png, info);
	if (png_get_rowbytes(png, info) != (size_t)png_get_image_width(png, info) * *channels) {
		snprintf(g->why, g->why_len, "an unsupported PNG layout");
		return -1;
	}
	return over_caps(png_get_image_width(png, info), png_get_image_height(png, info), *channels,
			 g->why, g->why_len);
}

static int png_decode(const unsigned char *bytes, size_t len, struct pd_arena *arena,
		      struct pd_pixels *px, char *why, size_t why_len)
{
	struct png_guard g = {.why = why, .why_len = why_len, .data = bytes, .len = len};
	png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &g, png_fail, png_quiet);
	png_infop info = png ? png_create_info_struct(png) : NULL;
	if (!info) {
		png_destroy_read_struct(&png, NULL, NULL);
		snprintf(why, why_len, "out of memory");
		return -1;
	}
	if (setjmp(g.jmp)) {
		png_destroy_read_struct(&png, &info, NULL);
		return -1;
	}
	int channels;
	if (png_setup(png, info, &g, &channels) < 0) {
		png_destroy_read_struct(&png, &info, NULL);
		return -1;
	}
	size_t w = png_get_image_width(png, info), h = png_get_image_height(png, info);
	unsigned char *data = arena_alloc(arena, w * h * (size_t)channels);
	png_bytep *rows = arena_alloc(arena, h * sizeof *rows);
	for (size_t y = 0; y < h; y++)
		rows[y] = data + y * w * (size_t)channels;
	png_read_image(png, rows);
	png_read_end(png, NULL);
	png_destroy_read_struct(&png, &info, NULL);
	if (channels == 2 || channels == 4)
		over_white(data, w * h, channels);
	*px = (struct pd_pixels){(int)w, (int)h, channels == 1 || channels == 2 ? 1 : 3, data, 0};
	px->len = w * h * (size_t)px->comps;
	return 0;
}

/* ---------------------------------------------------------------- JPEG */

/* Most scans a progressive JPEG may have (thousands of tiny scans cost minutes). */
#define JPEG_MAX_SCANS 500

struct jpeg_guard {
	struct jpeg_error_mgr pub; /* first: libjpeg's err pointer is this struct */
	struct jpeg_progress_mgr progress;
	jmp_buf jmp;
	char *why;
	size_t why_len;
};

static void jpeg_fail(j_common_ptr c)
{
	struct jpeg_guard *g = (struct jpeg_guard *)(void *)c->err;
	char msg[JMSG_LENGTH_MAX];
	c->err->format_message(c, msg);
	snprintf(g->why, g->why_len, "damaged JPEG data (%s)", msg);
	longjmp(g->jmp, 1);
}

/* A warning is corrupt data (a gray band where the picture should be): refused, except
 * stray bytes between markers, which many cameras write. Trace messages are dropped. */
static void jpeg_note(j_common_ptr c, int level)
{
	if (level < 0 && c->err->msg_code != JWRN_EXTRANEOUS_DATA)
		jpeg_fail(c);
}

static void jpeg_scans(j_common_ptr c)
{
	j_decompress_ptr d = (j_decompress_ptr)c;
	if (d->input_scan_number > JPEG_MAX_SCANS) {
		struct jpeg_guard *g = (struct jpeg_guard *)(void *)c->err;
		snprintf(g->why, g->why_len, "a JPEG of more than %d scans", JPEG_MAX_SCANS);
		longjmp(g->jmp, 1);
	}
}

/* Reads the header and chooses gray or RGB output; -1 for CMYK or over the caps. */
static int jpeg_setup(struct jpeg_decompress_struct *cinfo, struct jpeg_guard *g)
{
	jpeg_read_header(cinfo, TRUE);
	J_COLOR_SPACE cs = cinfo->jpeg_color_space;
	if (cs == JCS_CMYK || cs == JCS_YCCK) {
		snprintf(g->why, g->why_len, "a CMYK JPEG (save it as RGB)");
		return -1;
	}
	cinfo->out_color_space = cs == JCS_GRAYSCALE ? JCS_GRAYSCALE : JCS_RGB;
	return over_caps(cinfo->image_width, cinfo->image_height, cs == JCS_GRAYSCALE ? 1 : 3,
			 g->why, g->why_len);
}

static int jpeg_decode(const unsigned char *bytes, size_t len, struct pd_arena *arena,
		       struct pd_pixels *px, char *why, size_t why_len)
{
	struct jpeg_decompress_struct cinfo;
	struct jpeg_guard g = {.why = why, .why_len = why_len};
	cinfo.err = jpeg_std_error(&g.pub);
	g.pub.error_exit = jpeg_fail;
	g.pub.emit_message = jpeg_note;
	g.progress.progress_monitor = jpeg_scans;
	if (setjmp(g.jmp)) {
		jpeg_destroy_decompress(&cinfo);
		return -1;
	}
	jpeg_create_decompress(&cinfo);
	cinfo.mem->max_memory_to_use = 2 * PD_IMAGE_MAX_BYTES;
	cinfo.progress = &g.progress;
	jpeg_mem_src(&cinfo, bytes, (unsigned long)len);
	if (jpeg_setup(&cinfo, &g) < 0) {
		jpeg_destroy_decompress(&cinfo);
		return -1;
	}
	jpeg_start_decompress(&cinfo);
	size_t w = cinfo.output_width, h = cinfo.output_height;
	int comps = cinfo.output_components;
	unsigned char *data = arena_alloc(arena, w * h * (size_t)comps);
	while (cinfo.output_scanline < h) {
		JSAMPROW row = data + (size_t)cinfo.output_scanline * w * (size_t)comps;
		jpeg_read_scanlines(&cinfo, &row, 1);
	}
	jpeg_finish_decompress(&cinfo);
	jpeg_destroy_decompress(&cinfo);
	*px = (struct pd_pixels){(int)w, (int)h, comps, data, w * h * (size_t)comps};
	return 0;
}

int image_decode(const unsigned char *bytes, size_t len, struct pd_arena *arena,
		 struct pd_pixels *px, char *why, size_t why_len)
{
	const char *kind = image_kind(bytes, len);
	if (len > PD_IMAGE_MAX_FILE) {
		snprintf(why, why_len, "the file is over %zu MB", PD_IMAGE_MAX_FILE >> 20);
		return -1;
	}
	if (!kind) {
		snprintf(why, why_len, "not a PNG or JPEG file");
		return -1;
	}
	return kind[0] == 'P' ? png_decode(bytes, len, arena, px, why, why_len)
			      : jpeg_decode(bytes, len, arena, px, why, why_len);
}
