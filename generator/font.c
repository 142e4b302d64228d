/* font: font stage of typesetting, shared by layout (metrics) and the PDF writer (files).
 * In: TrueType files (fonts/ and system fallbacks). Out: per-face glyph maps and widths. */
#include "font.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hb-ot.h>
#include <hb-subset.h>
#include <hb.h>

#include "util.h"

struct pd_face {
	struct pd_face_tables tables; /* first (font.h): gid and adv once the face is read */
	char *path;
	int index;
	uint16_t *gid;  /* code point (BMP) -> glyph id, 0 = none */
	uint16_t *adv;  /* glyph id -> advance in 1/1000 em */
	unsigned nglyphs;
	int ascent, descent;
	struct pd_face_info info;
	bool parsed; /* the tables below are read (face_parse) */
	hb_face_t *hb; /* for subsetting, opened on first need */
	bool prepared; /* hb holds the subsetter's tables of the face (many subsets to make) */
	hb_subset_input_t *input; /* its tables to drop and flags, kept for every subset */
	struct pd_shaper *shaper; /* kerning (font_shape.c), made on first need */
	struct pd_face *next;
};

#define PD_FALLBACK_MAX 8
#define PD_FAMILIES_KEPT 8

/* A family's faces as found for an earlier document: "Stem/MonoStem" and the set. */
struct family_kept {
	char *stems;
	struct pd_fontset set;
};

struct pd_fonts {
	char *dir;
	struct pd_face *faces; /* every face asked for so far (each read on first use) */
	bool fallback_tried;
	struct pd_face *fallback[PD_FALLBACK_MAX];
	int nfallback;
	/* the families found so far: each is ten file names to make and look up */
	struct family_kept families[PD_FAMILIES_KEPT];
	int nfamilies;
};

#define FONT_MAX_BYTES (64u << 20)

static unsigned be16(const unsigned char *p) { return (unsigned)p[0] << 8 | p[1]; }
static unsigned long be32(const unsigned char *p)
{
	return (unsigned long)p[0] << 24 | (unsigned long)p[1] << 16 | (unsigned long)p[2] << 8 | p[3];
}

struct ttf {
	const unsigned char *d;
	size_t len;
	size_t dir; /* offset of the table directory */
};

static const unsigned char *ttf_table(const struct ttf *t, const char *tag, size_t *len)
{
	if (t->dir + 12 > t->len)
		return NULL;
	unsigned n = be16(t->d + t->dir + 4);
	for (unsigned i = 0; i < n; i++) {
		size_t e = t->dir + 12 + 16 * (size_t)i;
		if (e + 16 > t->len)
			return NULL;
		if (memcmp(t->d + e, tag, 4) == 0) {
			unsigned long off = be32(t->d + e + 8), l = be32(t->d + e + 12);
			if (off > t->len || l > t->len - off)
				return NULL;
			*len = l;
			return t->d + off;
		}
	}
	return NULL;
}

/* cmap format 4 (the only one the PDF writer reads), platform 3/1 or Unicode 0/x. */
static int parse_cmap(const struct ttf *t, uint16_t *gid)
{
	size_t len;
	const unsigned char *c = ttf_table(t, "cmap", &len);
	if (!c || len < 4)
		return -1;
	unsigned n = be16(c + 2);
	const unsigned char *sub = NULL;
	size_t sublen = 0;
	for (unsigned i = 0; i < n && 4 + 8 * (size_t)i + 8 <= len; i++) {
		const unsigned char *r = c + 4 + 8 * i;
		unsigned pid = be16(r), eid = be16(r + 2);
		unsigned long off = be32(r + 4);
		if (off + 4 > len || be16(c + off) != 4)
			continue;
		if ((pid == 3 && eid == 1) || (pid == 0 && !sub)) {
			sub = c + off;
			sublen = len - off;
			if (pid == 3)
				break;
		}
	}
	if (!sub || sublen < 14)
		return -1;
	unsigned segx2 = be16(sub + 6);
	if (14 + 4 * (size_t)segx2 + 2 > sublen)
		return -1;
	const unsigned char *ends = sub + 14, *starts = ends + segx2 + 2, *deltas = starts + segx2,
			    *ranges = deltas + segx2;
	for (unsigned s = 0; s < segx2 / 2; s++) {
		unsigned end = be16(ends + 2 * s), start = be16(starts + 2 * s);
		unsigned delta = be16(deltas + 2 * s), ro = be16(ranges + 2 * s);
		for (unsigned cp = start; cp <= end && cp < 0xFFFF; cp++) {
			unsigned g;
			if (ro == 0) {
				g = (cp + delta) & 0xFFFF;
			} else {
				size_t at = (size_t)(ranges + 2 * s - sub) + ro + 2 * (size_t)(cp - start);
				if (at + 2 > sublen)
					break;
				g = be16(sub + at);
				if (g)
					g = (g + delta) & 0xFFFF;
			}
			gid[cp] = (uint16_t)g;
		}
	}
	return 0;
}

static int parse_metrics(const struct ttf *t, struct pd_face *f)
{
	size_t hl, hhl, ml, mpl;
	const unsigned char *head = ttf_table(t, "head", &hl), *hhea = ttf_table(t, "hhea", &hhl),
			    *hmtx = ttf_table(t, "hmtx", &ml), *maxp = ttf_table(t, "maxp", &mpl);
	if (!head || hl < 54 || !hhea || hhl < 36 || !hmtx || !maxp || mpl < 6)
		return -1;
	unsigned upm = be16(head + 18);
	if (upm == 0)
		return -1;
	f->nglyphs = be16(maxp + 4);
	unsigned nh = be16(hhea + 34);
	if (nh == 0 || 4 * (size_t)nh > ml)
		return -1;
	f->ascent = (int)((short)be16(hhea + 4)) * 1000 / (int)upm;
	f->descent = -(int)((short)be16(hhea + 6)) * 1000 / (int)upm;
	f->adv = xcalloc(f->nglyphs + 1, sizeof *f->adv);
	for (unsigned g = 0; g < f->nglyphs; g++) {
		unsigned a = be16(hmtx + 4 * (g < nh ? g : nh - 1));
		f->adv[g] = (uint16_t)(a * 1000u / upm); /* as the PDF writer rounds */
	}
	return 0;
}

/* What a PDF font descriptor says of the face (head, post and OS/2), in 1/1000 em. */
static void parse_info(const struct ttf *t, struct pd_face *f)
{
	size_t hl, pl, ol;
	const unsigned char *head = ttf_table(t, "head", &hl), *post = ttf_table(t, "post", &pl),
			    *os2 = ttf_table(t, "OS/2", &ol);
	struct pd_face_info *in = &f->info;
	int upm = (int)be16(head + 18);
	for (int k = 0; k < 4; k++)
		in->bbox[k] = (int)(short)be16(head + 36 + 2 * k) * 1000 / upm;
	in->flags = 32; /* nonsymbolic */
	if (be16(head + 44) & 2)
		in->flags |= 64; /* italic */
	if (post && pl >= 16) {
		in->italic_angle = (int)(short)be16(post + 4);
		if (be32(post + 12))
			in->flags |= 1; /* fixed pitch */
	}
	unsigned weight = 400;
	in->cap_height = f->ascent * 7 / 10;
	if (os2 && ol >= 32) {
		weight = be16(os2 + 4);
		unsigned family_class = os2[30];
		if ((family_class >= 1 && family_class <= 5) || family_class == 7)
			in->flags |= 2; /* serif */
		if (be16(os2) >= 2 && ol >= 90)
			in->cap_height = (int)(short)be16(os2 + 88) * 1000 / upm;
	}
	/* TrueType has no stem width; the usual estimate from the weight class */
	in->stem_v = 10 + 220 * ((int)(weight > 50 ? weight : 50) - 50) / 900;
}

/* Reads the face's tables. A file that is not a usable font leaves a face with no glyph. */
static void face_parse(struct pd_face *f)
{
	f->parsed = true;
	f->gid = xcalloc(65536, sizeof *f->gid);
	size_t len;
	char *data = file_read(f->path, &len, FONT_MAX_BYTES);
	struct ttf t = {(const unsigned char *)data, data ? len : 0, 0};
	if (data && len >= 16 && memcmp(data, "ttcf", 4) == 0) {
		bool in = (unsigned long)f->index < be32(t.d + 8) && 12 + 4 * (size_t)f->index + 4 <= len;
		t.dir = in ? be32(t.d + 12 + 4 * f->index) : len;
	}
	if (!data || parse_metrics(&t, f) < 0 || parse_cmap(&t, f->gid) < 0) {
		memset(f->gid, 0, 65536 * sizeof *f->gid);
		free(f->adv);
		f->adv = xcalloc(1, sizeof *f->adv);
		f->nglyphs = 0;
	} else {
		parse_info(&t, f);
	}
	free(data);
	for (unsigned cp = 0; cp < 65536; cp++)
		if (f->gid[cp] >= f->nglyphs)
			f->gid[cp] = 0;
	f->tables = (struct pd_face_tables){f->gid, f->adv};
}

/* Faces are read on first use: a family's five styles and their full fonts are ten files,
 * of which a letter mostly needs three. */
static inline const struct pd_face *ready(const struct pd_face *face)
{
	if (!face->parsed)
		face_parse((struct pd_face *)face);
	return face;
}

const struct pd_face_info *face_info(const struct pd_face *face) { return &ready(face)->info; }

/* The face of a readable file (read when first used), NULL if there is no such file. */
static struct pd_face *face_load(struct pd_fonts *fonts, const char *path, int index)
{
	for (struct pd_face *f = fonts->faces; f; f = f->next)
		if (f->index == index && strcmp(f->path, path) == 0)
			return f;
	if (access(path, R_OK) != 0)
		return NULL;
	struct pd_face *f = xcalloc(1, sizeof *f);
	f->path = xstrdup(path);
	f->index = index;
	f->next = fonts->faces;
	fonts->faces = f;
	return f;
}

struct pd_fonts *fonts_new(const char *dir)
{
	struct pd_fonts *fonts = xcalloc(1, sizeof *fonts);
	fonts->dir = xstrdup(dir ? dir : "fonts");
	return fonts;
}

void fonts_free(struct pd_fonts *fonts)
{
	if (!fonts)
		return;
	for (struct pd_face *f = fonts->faces, *next; f; f = next) {
		next = f->next;
		free(f->path);
		free(f->gid);
		free(f->adv);
		hb_face_destroy(f->hb);
		hb_subset_input_destroy(f->input);
		shaper_free(f->shaper);
		free(f);
	}
	for (int i = 0; i < fonts->nfamilies; i++)
		free(fonts->families[i].stems);
	free(fonts->dir);
	free(fonts);
}

/* "Liberation Serif" -> "LiberationSerif" */
static void family_stem(const char *family, char *out, size_t cap)
{
	size_t n = 0;
	for (; *family && n + 1 < cap; family++)
		if (*family != ' ' && *family != '/')
			out[n++] = *family;
	out[n] = '\0';
}

/* STEM-SUFFIX.{ttf,otf,ttc} in the fonts directory, or in its cut/ subdirectory. */
static struct pd_face *face_of_style(struct pd_fonts *fonts, bool cut, const char *stem,
				  const char *suffix)
{
	char path[4096];
	static const char *const ext[] = {"ttf", "otf", "ttc"};
	for (size_t i = 0; i < 3; i++) {
		snprintf(path, sizeof path, "%s%s/%s-%s.%s", fonts->dir, cut ? "/cut" : "", stem,
			 suffix, ext[i]);
		struct pd_face *f = face_load(fonts, path, 0);
		if (f)
			return f;
	}
	return NULL;
}

int fonts_family(struct pd_fonts *fonts, const char *family, const char *mono_family,
		 struct pd_fontset *set, struct pd_loc loc, struct pd_diags *diags)
{
	static const char *const suffix[PD_NSTYLES] = {"Regular", "Bold", "Italic", "BoldItalic",
						       "Regular"};
	char stem[256], mstem[256], stems[520];
	family_stem(family && *family ? family : "Liberation Serif", stem, sizeof stem);
	family_stem(mono_family && *mono_family ? mono_family : "Liberation Mono", mstem,
		    sizeof mstem);
	snprintf(stems, sizeof stems, "%s/%s", stem, mstem);
	for (int i = 0; i < fonts->nfamilies; i++)
		if (strcmp(fonts->families[i].stems, stems) == 0) {
			*set = fonts->families[i].set;
			return 0;
		}
	memset(set, 0, sizeof *set);
	for (int s = PD_REGULAR; s < PD_NSTYLES; s++) {
		const char *st = s == PD_MONO ? mstem : stem;
		const struct pd_face *full = face_of_style(fonts, false, st, suffix[s]);
		const struct pd_face *cut = full ? face_of_style(fonts, true, st, suffix[s]) : NULL;
		set->style[s] = cut ? cut : full;
		set->full[s] = cut ? full : NULL;
		if (s == PD_REGULAR && !full) {
			diag_error(diags, loc,
				   "font family '%s' not found: no readable %s/%s-Regular.ttf",
				   family, fonts->dir, stem);
			return -1;
		}
		if (!set->style[s]) {
			set->style[s] = set->style[PD_REGULAR];
			set->full[s] = set->full[PD_REGULAR];
		}
	}
	if (fonts->nfamilies < PD_FAMILIES_KEPT)
		fonts->families[fonts->nfamilies++] = (struct family_kept){xstrdup(stems), *set};
	return 0;
}

const char *const *fonts_fallback_paths(void)
{
	static const char *const paths[] = {
	    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
	    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
	    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
	    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
	    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", /* Arabic, Hebrew, symbols */
	    "/usr/share/fonts/truetype/noto/NotoNaskhArabic-Regular.ttf", /* Urdu's letters too */
	    NULL};
	return paths;
}

static void fallback_load(struct pd_fonts *fonts)
{
	fonts->fallback_tried = true;
	const char *env = getenv("PDGEN_FALLBACK_FONTS");
	if (env && *env) {
		char *copy = xstrdup(env), *save = NULL;
		for (char *p = strtok_r(copy, ":", &save); p && fonts->nfallback < PD_FALLBACK_MAX;
		     p = strtok_r(NULL, ":", &save)) {
			struct pd_face *f = face_load(fonts, p, 0);
			if (f)
				fonts->fallback[fonts->nfallback++] = f;
		}
		free(copy);
	}
	for (const char *const *p = fonts_fallback_paths(); *p && fonts->nfallback < PD_FALLBACK_MAX; p++) {
		struct pd_face *f = face_load(fonts, *p, 0);
		if (f)
			fonts->fallback[fonts->nfallback++] = f;
	}
}

bool face_has(const struct pd_face *face, uint32_t cp)
{
	return cp < 0xFFFF && ready(face)->gid[cp] != 0;
}

unsigned face_glyph(const struct pd_face *face, uint32_t cp)
{
	return cp < 0xFFFF ? ready(face)->gid[cp] : 0;
}

bool char_mirrored(uint32_t cp)
{
	return hb_unicode_mirroring(hb_unicode_funcs_get_default(), cp) != cp;
}

unsigned face_rtl_glyph(const struct pd_face *face, uint32_t cp)
{
	uint32_t mirror = hb_unicode_mirroring(hb_unicode_funcs_get_default(), cp);
	return mirror != cp ? face_glyph(face, mirror) : 0;
}

const struct pd_face *fonts_pick(struct pd_fonts *fonts, const struct pd_fontset *set,
				 enum pd_face_id style, uint32_t cp)
{
	if (cp >= 0xFFFF)
		return NULL;
	const enum pd_face_id order[2] = {style, PD_REGULAR};
	for (int i = 0; i < 2; i++) {
		if (face_has(set->style[order[i]], cp))
			return set->style[order[i]];
		if (set->full[order[i]] && face_has(set->full[order[i]], cp))
			return set->full[order[i]];
	}
	if (!fonts->fallback_tried)
		fallback_load(fonts);
	for (int i = 0; i < fonts->nfallback; i++)
		if (face_has(fonts->fallback[i], cp))
			return fonts->fallback[i];
	return NULL;
}

int face_advance_unread(const struct pd_face *face, uint32_t cp)
{
	ready(face);
	return face_advance(face, cp);
}

const char *face_name(const struct pd_face *face)
{
	const char *slash = strrchr(face->path, '/');
	return slash ? slash + 1 : face->path;
}

void face_shape(const struct pd_face *face, const uint32_t *cps, size_t n, struct pd_shaped *out)
{
	struct pd_face *f = (struct pd_face *)ready(face);
	if (n == 1 && cps[0] < 0x0590) { /* below the scripts that join: as the cmap says */
		out[0] = (struct pd_shaped){PD_GLYPH_OWN, 0, (int16_t)face_advance(f, cps[0]), 0, 0};
		return;
	}
	if (!f->shaper)
		f->shaper = shaper_new(f->path, f->index);
	if (f->shaper) {
		shaper_shape(f->shaper, cps, n, out);
		return;
	}
	for (size_t k = 0; k < n; k++)
		out[k] = (struct pd_shaped){PD_GLYPH_OWN, 0, (int16_t)face_advance(f, cps[k]), 0, 0};
}

int face_glyph_advance(const struct pd_face *face, unsigned g)
{
	return g < ready(face)->nglyphs ? face->adv[g] : 0;
}

int face_ascent(const struct pd_face *face) { return ready(face)->ascent; }
int face_descent(const struct pd_face *face) { return ready(face)->descent; }

/* The table tags a PDF's TrueType font program carries; the subset drops every other. */
static const char keep_tables[][5] = {"head", "hhea", "maxp", "loca", "glyf", "hmtx",
				      "cmap", "post", "name", "OS/2"};

/* The tables only shaping reads, never embedded. */
static const char shaping_tables[][5] = {"GSUB", "GPOS", "GDEF", "kern"};

static hb_face_t *face_hb(struct pd_face *f)
{
	if (!f->hb) {
		hb_blob_t *blob = hb_blob_create_from_file_or_fail(f->path);
		if (!blob)
			return NULL;
		f->hb = hb_face_create(blob, (unsigned)f->index);
		hb_blob_destroy(blob);
	}
	return f->hb;
}

/* The face's subset input without code points or glyphs: the tables to drop and the flags,
 * made on the first subset (a tenth of a Latin subset's cost) and kept for the next. */
static hb_subset_input_t *empty_input(hb_face_t *face, struct pd_face *f)
{
	if (f->input) {
		hb_set_clear(hb_subset_input_unicode_set(f->input));
		hb_set_clear(hb_subset_input_glyph_set(f->input));
		return f->input;
	}
	hb_subset_input_t *in = hb_subset_input_create_or_fail();
	if (!in)
		return NULL;
	hb_set_t *drop = hb_subset_input_set(in, HB_SUBSET_SETS_DROP_TABLE_TAG);
	hb_tag_t tags[64];
	unsigned n = 64;
	hb_face_get_table_tags(face, 0, &n, tags);
	for (unsigned i = 0; i < n; i++) {
		bool keep = false;
		for (size_t k = 0; k < sizeof keep_tables / sizeof *keep_tables; k++)
			keep |= tags[i] == hb_tag_from_string(keep_tables[k], 4);
		if (!keep)
			hb_set_add(drop, tags[i]);
	}
	/* a face readied for many subsets lists no tags: its shaping tables are named here */
	for (size_t k = 0; k < sizeof shaping_tables / sizeof *shaping_tables; k++)
		hb_set_add(drop, hb_tag_from_string(shaping_tables[k], 4));
	hb_subset_input_set_flags(in, HB_SUBSET_FLAGS_NO_HINTING);
	return f->input = in;
}

static hb_subset_input_t *subset_input(hb_face_t *face, struct pd_face *f,
				       const unsigned char *used, const unsigned *gids, size_t ngids,
				       bool by_glyph)
{
	hb_subset_input_t *in = empty_input(face, f);
	if (!in)
		return NULL;
	hb_set_t *unicodes = hb_subset_input_unicode_set(in), *glyphs = hb_subset_input_glyph_set(in);
	/* the code points alone (their glyphs follow) unless by_glyph: glyphs asked for by id
	 * send hb-subset through the face's whole cmap, 0.3 million instructions a subset of a
	 * Latin face and 25 million of a CJK one; the variants' glyphs have no code point */
	for (unsigned byte = 0; byte < PD_CP_SET_BYTES; byte++) {
		uint64_t word;
		if (byte % 8 == 0 && (memcpy(&word, used + byte, 8), word == 0)) {
			byte += 7; /* eight bytes of zeros at a time: the set is sparse */
			continue;
		}
		for (unsigned bit = 0; used[byte] >> bit; bit++) { /* none for a byte of zeros */
			unsigned cp = byte << 3 | bit;
			if ((used[byte] & (1u << bit)) && f->gid[cp]) {
				hb_set_add(unicodes, cp);
				if (by_glyph)
					hb_set_add(glyphs, f->gid[cp]);
			}
		}
	}
	for (size_t i = 0; i < ngids; i++)
		if (gids[i] < f->nglyphs)
			hb_set_add(glyphs, gids[i]);
	return in;
}

static int subset_output(hb_subset_plan_t *plan, unsigned nglyphs, struct pd_font_program *out)
{
	hb_face_t *sub = hb_subset_plan_execute_or_fail(plan);
	if (!sub)
		return -1;
	hb_blob_t *blob = hb_face_reference_blob(sub);
	unsigned len;
	const char *data = hb_blob_get_data(blob, &len);
	int rc = -1;
	if (data && len) {
		out->data = xmalloc(len);
		memcpy(out->data, data, len);
		out->len = len;
		out->new_gid = xcalloc(nglyphs + 1, sizeof *out->new_gid);
		/* the subset's glyphs only: a CJK face has 30,000 */
		const hb_map_t *map = hb_subset_plan_new_to_old_glyph_mapping(plan);
		for (unsigned n = 0, count = hb_map_get_population(map); n < count; n++) {
			hb_codepoint_t g = hb_map_get(map, n);
			if (g < nglyphs)
				out->new_gid[g] = (uint16_t)n;
		}
		rc = 0;
	}
	hb_blob_destroy(blob);
	hb_face_destroy(sub);
	return rc;
}

/* The PostScript name (name id 6), kept to what a PDF name may hold; "Font" if none. */
static void ps_name(hb_face_t *hb, char *out, size_t cap)
{
	char name[64];
	unsigned len = sizeof name;
	if (!hb_ot_name_get_utf8(hb, HB_OT_NAME_ID_POSTSCRIPT_NAME, HB_LANGUAGE_INVALID, &len, name))
		name[0] = 0;
	size_t n = 0;
	for (const char *p = name; *p && n + 1 < cap; p++)
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		    *p == '-')
			out[n++] = *p;
	out[n] = 0;
	if (!n)
		snprintf(out, cap, "Font");
}

/* The face with only the tables a subset keeps (keep_tables): readied for subsets without
 * them, it is readied without going through its layout tables, which every subset drops. */
static hb_face_t *kept_tables(hb_face_t *plain)
{
	hb_face_t *b = hb_face_builder_create();
	for (size_t k = 0; k < sizeof keep_tables / sizeof *keep_tables; k++) {
		hb_tag_t tag = hb_tag_from_string(keep_tables[k], 4);
		hb_blob_t *table = hb_face_reference_table(plain, tag);
		if (hb_blob_get_length(table))
			hb_face_builder_add_table(b, tag, table);
		hb_blob_destroy(table);
	}
	return b;
}

void face_prepare_subsets(const struct pd_face *face)
{
	struct pd_face *f = (struct pd_face *)ready(face);
	hb_face_t *plain = face_hb(f);
	if (!plain || f->prepared)
		return;
	hb_face_t *kept = kept_tables(plain);
	f->hb = hb_subset_preprocess(kept);
	f->prepared = true;
	hb_face_destroy(kept);
	hb_face_destroy(plain);
}

static int subset_once(struct pd_face *face, hb_face_t *hb, const unsigned char *used,
		       const unsigned *gids, size_t ngids, bool by_glyph, struct pd_font_program *out)
{
	hb_subset_input_t *in = subset_input(hb, face, used, gids, ngids, by_glyph);
	if (!in)
		return -1;
	hb_subset_plan_t *plan = hb_subset_plan_create_or_fail(hb, in);
	if (!plan)
		return -1;
	int rc = subset_output(plan, face->nglyphs, out);
	hb_subset_plan_destroy(plan);
	return rc;
}

/* Whether the subset holds the glyph of every code point in used that the face has (the
 * glyph HarfBuzz finds in the cmap for it and ours, read by face_parse, are one). */
static bool holds_all(const struct pd_face *f, const unsigned char *used,
		      const struct pd_font_program *p)
{
	for (unsigned byte = 0; byte < PD_CP_SET_BYTES; byte += 8) {
		uint64_t word;
		memcpy(&word, used + byte, 8);
		for (; word; word &= word - 1) { /* each bit set, lowest first */
			unsigned cp = byte << 3 | (unsigned)__builtin_ctzll(word);
			if (f->gid[cp] && !p->new_gid[f->gid[cp]])
				return false;
		}
	}
	return true;
}

int face_subset(const struct pd_face *face, const unsigned char *used, const unsigned *gids,
		size_t ngids, struct pd_font_program *out)
{
	memset(out, 0, sizeof *out);
	struct pd_face *f = (struct pd_face *)ready(face);
	hb_face_t *hb = face_hb(f);
	if (!hb)
		return -1;
	int rc = subset_once(f, hb, used, gids, ngids, false, out);
	if (rc == 0 && !holds_all(f, used, out)) { /* a face whose cmaps disagree */
		font_program_clear(out);
		rc = subset_once(f, hb, used, gids, ngids, true, out);
	}
	if (rc == 0)
		ps_name(hb, out->ps_name, sizeof out->ps_name);
	return rc;
}

void font_program_clear(struct pd_font_program *p)
{
	free(p->data);
	free(p->new_gid);
	memset(p, 0, sizeof *p);
}
