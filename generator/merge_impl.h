/* merge_impl: what merge.c and merge_tags.c share: a source PDF and the document being
 * merged, both held by libqpdf (qpdf-c.h). In: nothing (declarations). Out: the structs. */
#ifndef PD_MERGE_IMPL_H
#define PD_MERGE_IMPL_H

#include <libdeflate.h>
#include <qpdf/qpdf-c.h>

#include "merge.h"

struct src_tags; /* merge_tags.c: a source's structure tree, read when first needed */
struct merge_id {
	char *name; /* bytes of the identifier (PDF string, not text) */
	size_t len;
	int elem;   /* object id of its element in the document */
};

struct pd_pdfsrc {
	qpdf_data q;
	int pages;
	unsigned char *bytes; /* the file qpdf reads from, when opened from memory */
	unsigned claims;      /* PD_CLAIM_* (xmp.h) it declares and has the marks of */
	bool fonts_out;       /* a font of its pages is not embedded: it claims nothing */
	struct src_tags *tags;
	bool tags_read;
};

struct mark {
	char *title;
	int page;
};

struct label {
	char *prefix;
	int page;
	bool numbered;
};

struct pd_merge {
	qpdf_data q;
	int font_id, open_q_id; /* the stamp font and the "q" stream shared by every page */
	struct libdeflate_compressor *z; /* one for every stream made here (NULL: stored raw) */
	struct mark *marks;
	size_t nmarks;
	struct label *labels;
	size_t nlabels;
	/* the structure tree (object ids, 0: none): made when the first part is tagged */
	int tree_id, doc_id, part_id, nums_id, maps_id[2], intents_id; /* maps: role, class */
	int next_key;     /* of the parent tree */
	char *part_title; /* of the Part the next tagged content opens */
	char *lang;       /* the document's language: its first tagged part's */
	char *conflict; /* a structure type or class two parts map two ways, or NULL */
	bool decided; /* tagged or plain, by the first part added */
	bool in_parts; /* merge_part was called: elements go in Parts, else in the Document */
	const struct pd_pdfsrc *last_src; /* whose role map and catalog were taken last */
	struct merge_id *ids; /* the ID tree: element identifiers, each once */
	size_t nids, cap_ids;
};

/* merge_tags.c */
/* What src declares (its XMP) and has the marks of: PD_CLAIM_PDFUA for a tagged PDF/UA-1
 * (MarkInfo, a structure tree), PD_CLAIM_PDFA for PDF/A-1 or -2 with an RGB output intent;
 * none when it is encrypted or a font of its pages is not embedded (*fonts_out). */
unsigned tags_src_claims(qpdf_data q, bool *fonts_out);
/* After count pages of src from first were added as the document's pages from at: their
 * parent-tree entries renumbered into the document's, and src's structure elements whose
 * content begins on them placed, in order, in the current Part. Untagged: keys dropped. */
void tags_carry(struct pd_merge *m, struct pd_pdfsrc *src, int first, int count, int at);
void tags_src_free(struct pd_pdfsrc *src);
/* True when the document has a structure tree (its first part was tagged). */
bool tags_on(const struct pd_merge *m);
/* Marks page's image content (ops, appended to out) as a Figure with alt in the structure. */
void tags_figure(struct pd_merge *m, qpdf_oh page, const char *alt, const double bbox[4],
		 struct pd_buf *out, const char *ops);
/* The catalog's structure, language, viewer preferences, XMP metadata (of the Info entries
 * set; claims: PD_CLAIM_* declared) and output intent, when the document has a tree. */
void tags_finish(struct pd_merge *m, qpdf_oh root, unsigned claims);
void tags_free(struct pd_merge *m);

#endif
