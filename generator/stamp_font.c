/* stamp_font: Liberation Mono -> its printable-ASCII subset (HarfBuzz), for the stamps.
 * In: the data directory's fonts/. Out: a pd_stamp_font, the caller's. */
#include <hb-subset.h>
#include <hb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "stamp.h"

static int be16(const char *p)
{
	return (int16_t)(((unsigned char)p[0] << 8) | (unsigned char)p[1]);
}

/* The bounding box, ascent and descent from the head and hhea tables, in 1/1000 em. */
static void metrics(hb_face_t *face, struct pd_stamp_font *font)
{
	hb_blob_t *head = hb_face_reference_table(face, HB_TAG('h', 'e', 'a', 'd'));
	hb_blob_t *hhea = hb_face_reference_table(face, HB_TAG('h', 'h', 'e', 'a'));
	unsigned hl = 0, al = 0;
	const char *h = hb_blob_get_data(head, &hl), *a = hb_blob_get_data(hhea, &al);
	int upem = hl >= 54 ? (unsigned short)be16(h + 18) : 0;
	if (upem > 0) {
		for (int i = 0; i < 4; i++)
			font->bbox[i] = be16(h + 36 + 2 * i) * 1000 / upem;
		if (al >= 8)
			font->ascent = be16(a + 4) * 1000 / upem, font->descent = be16(a + 6) * 1000 / upem;
	}
	hb_blob_destroy(head);
	hb_blob_destroy(hhea);
}

static bool subset(hb_face_t *face, struct pd_stamp_font *font)
{
	hb_subset_input_t *in = hb_subset_input_create_or_fail();
	if (!in)
		return false;
	hb_set_add_range(hb_subset_input_unicode_set(in), 0x20, 0x7E);
	hb_subset_input_set_flags(in, HB_SUBSET_FLAGS_NO_HINTING);
	hb_face_t *sub = hb_subset_or_fail(face, in);
	hb_subset_input_destroy(in);
	if (!sub)
		return false;
	hb_blob_t *blob = hb_face_reference_blob(sub);
	unsigned len = 0;
	const char *data = hb_blob_get_data(blob, &len);
	if (data && len) {
		font->program = xmalloc(len);
		memcpy(font->program, data, len);
		font->len = len;
	}
	hb_blob_destroy(blob);
	hb_face_destroy(sub);
	return font->len > 0;
}

struct pd_stamp_font *stamp_font_new(const char *datadir, struct pd_diags *diags)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/fonts/cut/LiberationMono-Regular.ttf", datadir);
	if (access(path, R_OK) != 0)
		snprintf(path, sizeof path, "%s/fonts/LiberationMono-Regular.ttf", datadir);
	struct pd_stamp_font *font = xcalloc(1, sizeof *font);
	hb_blob_t *blob = hb_blob_create_from_file_or_fail(path);
	hb_face_t *face = blob ? hb_face_create(blob, 0) : NULL;
	if (face && hb_face_get_glyph_count(face) > 0 && subset(face, font)) {
		metrics(face, font);
		font->name = "PDGSTM+PdgenStampMono"; /* the OFL reserves "Liberation" */
	} else {
		diag_error(diags, (struct pd_loc){0}, "cannot read the stamp font %s", path);
		stamp_font_free(font);
		font = NULL;
	}
	hb_face_destroy(face);
	hb_blob_destroy(blob);
	return font;
}

void stamp_font_free(struct pd_stamp_font *font)
{
	if (font)
		free(font->program);
	free(font);
}
