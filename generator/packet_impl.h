/* packet_impl: what packet.c, packet_style.c and packet_encl.c share: the house style of
 * packets and the tabs. In: nothing (declarations). Out: structs living in the packet's arena. */
#ifndef PD_PACKET_IMPL_H
#define PD_PACKET_IMPL_H

#include <stdbool.h>

#include "merge.h"
#include "packet.h"
#include "image.h"
#include "tmpl.h"
#include "util.h"
#include "value.h"

/* templates/packet.yaml */
struct packet_style {
	const struct pd_value *root;
	/* Mustache texts, kept as values for their place in packet.yaml */
	const struct pd_value *stamp, *tab_stamp, *divider_stamp;
	const struct pd_value *bm_letter, *bm_memo, *bm_tab;
	const struct pd_value *lb_letter, *lb_memo, *lb_tab, *lb_divider;
	const struct pd_value *places; /* stamp_places: "bottom" and "top", in the order tried */
	int page_digits;
	bool dividers;
	const char *divider_template;
	long max_file_mb, max_pages, max_packet_pages;
};

/* One tab: an enclosure of the case, in tab order. */
struct tab {
	const struct pd_value *row; /* enclosure_list row: tab, id, title, date, pages, file */
	const char *tab, *id, *title;
	struct pd_loc at;     /* the enclosure's line: its file, else the entry */
	struct pd_pdfsrc *pdf; /* a PDF enclosure, or */
	struct pd_pixels scan; /* a scanned page (scan.data set) */
	const unsigned char *file; /* a scan's file, whose bytes the merge may take as they are */
	size_t file_len;
	const char *path;      /* the file, for the batch's fingerprint */
	int pages;
	int divider;       /* packet page of its divider (1-based), 0: none */
	int first, last;   /* packet pages of the enclosure (1-based) */
	unsigned claims;   /* what it conforms to, its divider included (PD_CLAIM_*) */
};

/* Reads DATADIR/templates/packet.yaml into st (in arena). Returns the errors added. */
int packet_style_load(struct pd_arena *arena, const char *datadir, struct packet_style *st,
		      struct pd_diags *diags);
/* Renders a packet.yaml text with data (no escaping) into a string in arena; its errors
 * point into packet.yaml. */
const char *packet_text(struct pd_session *s, struct pd_arena *arena,
			const struct pd_value *pattern, const struct pd_value *data,
			struct pd_diags *diags);

/* The tabs of ctx's enclosure_list, each file checked and opened (PDF) or decoded (image).
 * Errors at each enclosure's line; returns the number of tabs (*tabs in arena). */
size_t packet_tabs(struct pd_arena *arena, const struct pd_value *ctx, const char *case_dir,
		   const struct packet_style *st, struct tab **tabs, struct pd_diags *diags);
void packet_tabs_close(struct tab *tabs, size_t n);

#endif
