/* test_image: the guarded decoder against images made here with libpng and libjpeg (every
 * PNG colour type, 16-bit interlaced, alpha over white, gray and RGB JPEG) and against
 * damaged, truncated, CMYK and oversized ones: each decodes exactly or is refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jpeglib.h>
#include <png.h>
#include <zlib.h>

#include "image.h"
#include "util.h"

/* ---- PNG writer into memory ---- */

static void png_to_buf(png_structp png, png_bytep data, size_t n)
{
	buf_put(png_get_io_ptr(png), (const char *)data, n);
}

static void png_no_flush(png_structp png)
{
	(void)png;
}

/* A w x h PNG whose sample (x, y, c) is f(x, y, c) at the given depth and colour type. */
static struct pd_buf make_png(int w, int h, int depth, int ctype, int interlace,
			      unsigned (*f)(int, int, int))
{
	struct pd_buf b = {0};
	png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
	png_infop info = png_create_info_struct(png);
	png_set_write_fn(png, &b, png_to_buf, png_no_flush);
	png_set_IHDR(png, info, (png_uint_32)w, (png_uint_32)h, depth, ctype, interlace,
		     PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	if (ctype == PNG_COLOR_TYPE_PALETTE) {
		png_color pal[4] = {{0, 0, 0}, {255, 0, 0}, {0, 255, 0}, {0, 0, 255}};
		png_set_PLTE(png, info, pal, 4);
	}
	png_write_info(png, info);
	if (depth < 8)
		png_set_packing(png); /* a byte a sample in, packed out */
	int ch = ctype == PNG_COLOR_TYPE_GRAY || ctype == PNG_COLOR_TYPE_PALETTE ? 1
		 : ctype == PNG_COLOR_TYPE_GRAY_ALPHA				 ? 2
		 : ctype == PNG_COLOR_TYPE_RGB					 ? 3
										 : 4;
	size_t bps = depth == 16 ? 2 : 1;
	unsigned char *pix = calloc((size_t)w * h * ch * bps, 1);
	png_bytep *rows = calloc((size_t)h, sizeof *rows);
	for (int y = 0; y < h; y++) {
		rows[y] = pix + (size_t)y * w * ch * bps;
		for (int x = 0; x < w; x++)
			for (int c = 0; c < ch; c++) {
				unsigned v = f(x, y, c);
				unsigned char *p = rows[y] + ((size_t)x * ch + c) * bps;
				if (depth == 16) {
					p[0] = (unsigned char)(v >> 8);
					p[1] = (unsigned char)v;
				} else {
					p[0] = (unsigned char)v;
				}
			}
	}
	png_write_image(png, rows);
	png_write_end(png, NULL);
	png_destroy_write_struct(&png, &info);
	free(rows);
	free(pix);
	return b;
}

static unsigned ramp(int x, int y, int c)
{
	return (unsigned)(x * 7 + y * 3 + c * 50) & 0xFF;
}

static unsigned ramp16(int x, int y, int c)
{
	return ramp(x, y, c) << 8 | 0x7F;
}

static unsigned half_alpha(int x, int y, int c)
{
	(void)x;
	(void)y;
	return c == 3 ? 128 : 0; /* black at half opacity */
}

static unsigned index4(int x, int y, int c)
{
	(void)c;
	return (unsigned)(x + y) % 4;
}

static int decode(const struct pd_buf *b, struct pd_arena *a, struct pd_pixels *px, char *why)
{
	return image_decode((const unsigned char *)b->s, b->len, a, px, why, 256);
}

static void png_rgb_exact(void **state)
{
	(void)state;
	struct pd_arena *a = arena_new();
	struct pd_buf b = make_png(31, 17, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE, ramp);
	struct pd_pixels px;
	char why[256];
	assert_int_equal(decode(&b, a, &px, why), 0);
	assert_int_equal(px.width, 31);
	assert_int_equal(px.height, 17);
	assert_int_equal(px.comps, 3);
	assert_int_equal(px.len, 31 * 17 * 3);
	for (int y = 0; y < 17; y++)
		for (int x = 0; x < 31; x++)
			for (int c = 0; c < 3; c++)
				assert_int_equal(px.data[(y * 31 + x) * 3 + c], ramp(x, y, c));
	buf_free(&b);
	arena_free(a);
}

/* The 16-bit interlaced PNG that made libharu free twice: decoded to the same 8-bit ramp. */
static void png_16bit_interlaced(void **state)
{
	(void)state;
	struct pd_arena *a = arena_new();
	struct pd_buf b = make_png(23, 13, 16, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_ADAM7, ramp16);
	struct pd_pixels px;
	char why[256];
	assert_int_equal(decode(&b, a, &px, why), 0);
	assert_int_equal(px.comps, 3);
	for (int y = 0; y < 13; y++)
		for (int x = 0; x < 23; x++)
			assert_int_equal(px.data[(y * 23 + x) * 3 + 1], ramp(x, y, 1));
	buf_free(&b);
	arena_free(a);
}

static void png_alpha_palette_gray(void **state)
{
	(void)state;
	struct pd_arena *a = arena_new();
	struct pd_pixels px;
	char why[256];
	struct pd_buf b = make_png(5, 4, 8, PNG_COLOR_TYPE_RGB_ALPHA, PNG_INTERLACE_NONE, half_alpha);
	assert_int_equal(decode(&b, a, &px, why), 0);
	assert_int_equal(px.comps, 3);
	assert_int_equal(px.data[0], 127); /* black at 128/255 over white */
	buf_free(&b);
	b = make_png(6, 6, 2, PNG_COLOR_TYPE_PALETTE, PNG_INTERLACE_NONE, index4);
	assert_int_equal(decode(&b, a, &px, why), 0);
	assert_int_equal(px.comps, 3);
	assert_memory_equal(px.data + 3, "\xff\x00\x00", 3); /* index 1 at x = 1 */
	buf_free(&b);
	b = make_png(9, 3, 8, PNG_COLOR_TYPE_GRAY_ALPHA, PNG_INTERLACE_ADAM7, half_alpha);
	assert_int_equal(decode(&b, a, &px, why), 0);
	assert_int_equal(px.comps, 1);
	assert_int_equal(px.data[8], 255); /* alpha 0: white */
	buf_free(&b);
	arena_free(a);
}

/* Every cut of a good PNG and every flipped byte is refused or decoded, never a crash. */
static void png_damaged(void **state)
{
	(void)state;
	struct pd_arena *a = arena_new();
	struct pd_buf b = make_png(20, 20, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_ADAM7, ramp);
	struct pd_pixels px;
	char why[256];
	for (size_t cut = 0; cut < b.len - 12; cut += 7) {
		assert_int_equal(image_decode((unsigned char *)b.s, cut, a, &px, why, sizeof why), -1);
		assert_true(strlen(why) > 0);
	}
	for (size_t i = 8; i < b.len; i++) {
		b.s[i] ^= 0x55;
		(void)image_decode((unsigned char *)b.s, b.len, a, &px, why, sizeof why);
		b.s[i] ^= 0x55;
	}
	buf_free(&b);
	arena_free(a);
}

/* A header's size over the caps is refused before a row is decoded (the 30000 x 30000
 * PNG of 875 KB took 7 GB): these IDATs hold no rows at all. */
static void png_over_caps(void **state)
{
	(void)state;
	struct pd_arena *a = arena_new();
	struct pd_buf b = make_png(2, 2, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE, ramp);
	struct pd_pixels px;
	char why[256];
	static const unsigned sizes[][2] = {{30000, 30000}, {12001, 10}, {10000, 10000}};
	for (size_t i = 0; i < 3; i++) {
		unsigned char *ihdr = (unsigned char *)b.s + 16;
		for (int k = 0; k < 4; k++) {
			ihdr[k] = (unsigned char)(sizes[i][0] >> (24 - 8 * k));
			ihdr[4 + k] = (unsigned char)(sizes[i][1] >> (24 - 8 * k));
		}
		uint32_t crc = (uint32_t)crc32(0, (unsigned char *)b.s + 12, 17);
		for (int k = 0; k < 4; k++)
			b.s[29 + k] = (char)(crc >> (24 - 8 * k));
		assert_int_equal(decode(&b, a, &px, why), -1);
		assert_non_null(strstr(why, "pixels"));
	}
	assert_true(arena_used(a) < 1000);
	buf_free(&b);
	arena_free(a);
}

/* ---- JPEG ---- */

static struct pd_buf make_jpeg(int w, int h, J_COLOR_SPACE cs, int comps)
{
	struct jpeg_compress_struct c;
	struct jpeg_error_mgr err;
	c.err = jpeg_std_error(&err);
	jpeg_create_compress(&c);
	unsigned char *out = NULL;
	unsigned long len = 0;
	jpeg_mem_dest(&c, &out, &len);
	c.image_width = (JDIMENSION)w;
	c.image_height = (JDIMENSION)h;
	c.input_components = comps;
	c.in_color_space = cs;
	jpeg_set_defaults(&c);
	jpeg_set_quality(&c, 95, TRUE);
	jpeg_start_compress(&c, TRUE);
	unsigned char *row = malloc((size_t)w * comps);
	while (c.next_scanline < c.image_height) {
		for (int x = 0; x < w; x++)
			for (int k = 0; k < comps; k++)
				row[x * comps + k] = (unsigned char)(k == 0 ? 200 : 40);
		jpeg_write_scanlines(&c, &row, 1);
	}
	jpeg_finish_compress(&c);
	jpeg_destroy_compress(&c);
	free(row);
	struct pd_buf b = {0};
	buf_put(&b, (const char *)out, len);
	free(out);
	return b;
}

static void jpeg_gray_and_rgb(void **state)
{
	(void)state;
	struct pd_arena *a = arena_new();
	struct pd_pixels px;
	char why[256];
	struct pd_buf b = make_jpeg(40, 24, JCS_RGB, 3);
	assert_int_equal(decode(&b, a, &px, why), 0);
	assert_int_equal(px.comps, 3);
	assert_int_equal(px.width, 40);
	assert_true(abs(px.data[0] - 200) < 6 && abs(px.data[1] - 40) < 6);
	buf_free(&b);
	b = make_jpeg(16, 16, JCS_GRAYSCALE, 1);
	assert_int_equal(decode(&b, a, &px, why), 0);
	assert_int_equal(px.comps, 1);
	assert_true(abs(px.data[0] - 200) < 4);
	buf_free(&b);
	b = make_jpeg(16, 16, JCS_CMYK, 4);
	assert_int_equal(decode(&b, a, &px, why), -1);
	assert_non_null(strstr(why, "CMYK"));
	buf_free(&b);
	arena_free(a);
}

static void jpeg_damaged_and_huge(void **state)
{
	(void)state;
	struct pd_arena *a = arena_new();
	struct pd_pixels px;
	char why[256];
	struct pd_buf b = make_jpeg(64, 64, JCS_RGB, 3);
	for (size_t cut = 0; cut < b.len - 2; cut += 11)
		assert_int_equal(image_decode((unsigned char *)b.s, cut, a, &px, why, sizeof why), -1);
	/* the SOF0's height and width say 20000 x 20000: refused from the header */
	unsigned char *p = (unsigned char *)b.s;
	size_t i = 2;
	while (i + 9 < b.len && !(p[i] == 0xFF && p[i + 1] == 0xC0))
		i += 2 + (size_t)(p[i + 2] << 8 | p[i + 3]);
	assert_true(i + 9 < b.len);
	memcpy(p + i + 5, "\x4e\x20\x4e\x20", 4);
	arena_reset(a);
	assert_int_equal(decode(&b, a, &px, why), -1);
	assert_non_null(strstr(why, "20000 x 20000"));
	assert_true(arena_used(a) < 1000);
	buf_free(&b);
	static const char junk[] = "\xff\xd8\xff\xe0 not a JPEG at all";
	assert_int_equal(image_decode((const unsigned char *)junk, sizeof junk, a, &px, why, 256), -1);
	assert_int_equal(image_decode((const unsigned char *)"GIF89a", 6, a, &px, why, 256), -1);
	assert_non_null(strstr(why, "not a PNG or JPEG"));
	arena_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(png_rgb_exact),	  cmocka_unit_test(png_16bit_interlaced),
	    cmocka_unit_test(png_alpha_palette_gray), cmocka_unit_test(png_damaged),
	    cmocka_unit_test(png_over_caps),	  cmocka_unit_test(jpeg_gray_and_rgb),
	    cmocka_unit_test(jpeg_damaged_and_huge),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
