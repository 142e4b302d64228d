/* out_pdf_tags: the structure of a tagged PDF (PDF/UA-1). In: the layout's structure
 * elements and, as the pages are drawn, what each piece of content belongs to. Out: the
 * marked-content operators of the content streams, and the structure tree and its parent
 * tree as the text of objects pdgen writes itself (pdf_pack puts them in the file): libharu
 * made and wrote them at a quarter of a letter's time. */
#include <stdlib.h>
#include <string.h>

#include <hpdf.h>
#include <hpdf_doc.h>
#include <hpdf_objects.h>

#include "out_impl.h"
#include "util.h"

/* The standard structure types, in the order of enum pd_tag. */
static const char *const tag_names[PD_NTAGS] = {
    "Document", "H1", "H2",    "H3",    "H4",   "H5",	"H6",     "P",	       "L",
    "LI",	"Lbl", "LBody", "Table", "TR",   "TH",	"TD",     "Link",       "Figure",
    "BlockQuote", "Note", "Code"};

#define NOT_OPEN (-100) /* no marked content open */

/* An entry of an element's /K: a marked-content reference (page, MCID), a child element,
 * or an annotation (its object, page). */
enum kid_kind { KID_MCID, KID_ELEM, KID_OBJR };
struct kid {
	enum kid_kind kind;
	unsigned a, b;
};
struct kids {
	struct kid *v;
	size_t n, cap;
};
/* A parent-tree entry: a page's MCIDs -> elements, or an annotation's element. */
struct leaf {
	size_t page; /* (size_t)-1: an annotation's, elem */
	int elem;
};

struct pdf_tags {
	HPDF_Doc pdf;
	const struct pd_layout *lay;
	HPDF_Dict root;		    /* stands in the catalog for the text pdgen writes */
	struct kids *kids;	    /* per element */
	unsigned *page_of;	    /* per element: the object number of its /Pg, 0 none */
	int *next_sibling, *cursor; /* cursor: its first child not yet in its /K (-1: none) */
	bool *placed;		    /* in its parent's /K */
	unsigned *pages;	    /* object numbers of the pages begun */
	size_t npages;
	struct kids *marks;	    /* per page: its MCIDs' elements, as KID_ELEM */
	struct leaf *leaves;	    /* the parent tree, by key */
	size_t nleaves, cap_leaves;
	HPDF_Page page;		    /* the page begun last */
	int open;
	bool annotated; /* the page has a link annotation */
};

/* The next key of the parent tree, for a page or an annotation. */
static int leaf_add(struct pdf_tags *t, size_t page, int elem)
{
	if (t->nleaves == t->cap_leaves)
		t->leaves = xrealloc(t->leaves, (t->cap_leaves = t->cap_leaves ? 2 * t->cap_leaves : 8) *
							sizeof *t->leaves);
	t->leaves[t->nleaves] = (struct leaf){page, elem};
	return (int)t->nleaves++;
}

static unsigned object_number(void *obj)
{
	return ((HPDF_Obj_Header *)obj)->obj_id & 0x00FFFFFF;
}

static void kid_add(struct kids *k, enum kid_kind kind, unsigned a, unsigned b)
{
	if (k->n == k->cap)
		k->v = xrealloc(k->v, (k->cap = k->cap ? 2 * k->cap : 4) * sizeof *k->v);
	k->v[k->n++] = (struct kid){kind, a, b};
}

/* The structure tree root's stand-in and /MarkInfo in the catalog. */
struct pdf_tags *pdf_tags_new(HPDF_Doc pdf, const struct pd_layout *lay)
{
	size_t n = lay->nelems;
	struct pdf_tags *t = xcalloc(1, sizeof *t);
	t->pdf = pdf;
	t->lay = lay;
	t->open = NOT_OPEN;
	t->kids = xcalloc(n + 1, sizeof *t->kids);
	t->page_of = xcalloc(n + 1, sizeof *t->page_of);
	t->next_sibling = xmalloc((n + 1) * sizeof *t->next_sibling);
	t->cursor = xmalloc((n + 1) * sizeof *t->cursor);
	t->placed = xcalloc(n + 1, sizeof *t->placed);
	t->pages = xcalloc(lay->npages + 1, sizeof *t->pages);
	t->marks = xcalloc(lay->npages + 1, sizeof *t->marks);
	int *last = xmalloc((n + 1) * sizeof *last);
	for (size_t i = 0; i < n; i++)
		t->next_sibling[i] = t->cursor[i] = last[i] = -1;
	for (size_t i = 1; i < n; i++) {
		int p = lay->elems[i].parent;
		if (last[p] >= 0)
			t->next_sibling[last[p]] = (int)i;
		else
			t->cursor[p] = (int)i;
		last[p] = (int)i;
	}
	free(last);
	t->root = HPDF_Dict_New(pdf->mmgr);
	HPDF_Xref_Add(pdf->xref, t->root);
	HPDF_Dict_Add(pdf->catalog, "StructTreeRoot", t->root);
	HPDF_Dict mark_info = HPDF_Dict_New(pdf->mmgr);
	HPDF_Dict_Add(mark_info, "Marked", HPDF_Boolean_New(pdf->mmgr, HPDF_TRUE));
	HPDF_Dict_Add(pdf->catalog, "MarkInfo", mark_info);
	return t;
}

/* Element e goes into its parent's /K after the siblings before it: the order of the
 * structure is the document's, whatever the order the pages draw in. */
static void place(struct pdf_tags *t, int e)
{
	if (t->placed[e])
		return;
	int p = t->lay->elems[e].parent;
	if (p >= 0) {
		place(t, p);
		while (!t->placed[e] && t->cursor[p] >= 0) {
			int c = t->cursor[p];
			t->cursor[p] = t->next_sibling[c];
			t->placed[c] = true;
			kid_add(&t->kids[p], KID_ELEM, (unsigned)c, 0);
		}
	}
	t->placed[e] = true;
}

void pdf_tags_page(struct pdf_tags *t, HPDF_Page page)
{
	t->annotated = false;
	t->page = page;
	t->pages[t->npages] = object_number(page);
	HPDF_Dict_AddNumber(page, "StructParents", leaf_add(t, t->npages, -1));
	t->npages++;
}

static void put_decimal(struct pd_buf *b, unsigned long v)
{
	char tmp[24], *p = pdf_digits(tmp + sizeof tmp, v);
	buf_put(b, p, (size_t)(tmp + sizeof tmp - p));
}

/* The name of a structure type: "/P". */
static void put_tag(struct pd_buf *b, enum pd_tag tag)
{
	PDF_PUT_LIT(b, "/");
	buf_put(b, tag_names[tag], strlen(tag_names[tag]));
}

void pdf_tags_mark(struct pdf_tags *t, struct pd_buf *b, int elem)
{
	if (!t || elem == t->open)
		return;
	if (t->open != NOT_OPEN)
		PDF_PUT_LIT(b, "EMC\n");
	t->open = elem;
	if (elem == PD_ARTIFACT) {
		PDF_PUT_LIT(b, "/Artifact BMC\n");
	} else if (elem == PD_ARTIFACT_PAGE) {
		PDF_PUT_LIT(b, "/Artifact <</Type /Pagination>> BDC\n");
	} else if (elem >= 0) {
		struct kids *marks = &t->marks[t->npages - 1];
		unsigned page = t->pages[t->npages - 1], mcid = (unsigned)marks->n;
		place(t, elem);
		if (!t->page_of[elem])
			t->page_of[elem] = page;
		kid_add(&t->kids[elem], KID_MCID, page, mcid);
		kid_add(marks, KID_ELEM, (unsigned)elem, 0);
		put_tag(b, t->lay->elems[elem].tag);
		PDF_PUT_LIT(b, " <</MCID ");
		put_decimal(b, mcid);
		PDF_PUT_LIT(b, ">> BDC\n");
	}
}

void pdf_tags_close(struct pdf_tags *t, struct pd_buf *b)
{
	if (t && t->open != NOT_OPEN)
		PDF_PUT_LIT(b, "EMC\n");
	if (t)
		t->open = NOT_OPEN;
}

void pdf_tags_link(struct pdf_tags *t, HPDF_Annotation a, int elem)
{
	HPDF_Dict_AddNumber(a, "F", 4); /* printed (PDF/A) */
	if (elem < 0)
		return;
	const char *uri = t->lay->elems[elem].text ? t->lay->elems[elem].text : "";
	HPDF_Dict_Add(a, "Contents", HPDF_String_New(t->pdf->mmgr, uri, HPDF_GetEncoder(t->pdf, "UTF-8")));
	HPDF_Dict_AddNumber(a, "StructParent", leaf_add(t, (size_t)-1, elem));
	place(t, elem);
	kid_add(&t->kids[elem], KID_OBJR, object_number(a), t->pages[t->npages - 1]);
	if (!t->annotated)
		HPDF_Dict_AddName(t->page, "Tabs", "S"); /* tab order: the structure's */
	t->annotated = true;
}

static void put_ref(struct pd_buf *b, unsigned long n)
{
	char tmp[32], *end = tmp + sizeof tmp - 4, *p = pdf_digits(end, n);
	memcpy(end, " 0 R", 4);
	buf_put(b, p, (size_t)(end + 4 - p));
}

/* A PDF text string: literal when plain ASCII, else UTF-16BE in hex with its mark. */
static void put_text_string(struct pd_buf *b, const char *s)
{
	bool plain = true;
	for (const char *p = s; *p && plain; p++)
		plain = *p >= ' ' && *p <= '~' && *p != '(' && *p != ')' && *p != '\\';
	if (plain) {
		PDF_PUT_LIT(b, "(");
		buf_puts(b, s);
		PDF_PUT_LIT(b, ")");
		return;
	}
	PDF_PUT_LIT(b, "<FEFF");
	for (size_t at = 0, len = strlen(s); at < len;) {
		uint32_t cp;
		at += (size_t)utf8_decode(s + at, len - at, &cp);
		if (cp > 0xFFFF)
			buf_printf(b, "%04X%04X", 0xD800 + ((cp - 0x10000) >> 10),
				   0xDC00 + ((cp - 0x10000) & 0x3FF));
		else
			buf_printf(b, "%04X", cp);
	}
	PDF_PUT_LIT(b, ">");
}

static void put_kids(struct pd_buf *b, const struct kids *k, unsigned page, unsigned first)
{
	PDF_PUT_LIT(b, "/K[");
	for (size_t i = 0; i < k->n; i++) {
		const struct kid *c = &k->v[i];
		if (i)
			PDF_PUT_LIT(b, " ");
		if (c->kind == KID_ELEM) {
			put_ref(b, first + c->a);
		} else if (c->kind == KID_MCID && c->a == page) {
			put_decimal(b, c->b);
		} else if (c->kind == KID_MCID) {
			PDF_PUT_LIT(b, "<</Type/MCR/Pg ");
			put_ref(b, c->a);
			PDF_PUT_LIT(b, "/MCID ");
			put_decimal(b, c->b);
			PDF_PUT_LIT(b, ">>");
		} else {
			PDF_PUT_LIT(b, "<</Type/OBJR/Obj ");
			put_ref(b, c->a);
			PDF_PUT_LIT(b, "/Pg ");
			put_ref(b, c->b);
			PDF_PUT_LIT(b, ">>");
		}
	}
	PDF_PUT_LIT(b, "]");
}

/* Element i's dictionary; the elements are objects first, first + 1, ... */
static void put_element(struct pd_buf *b, const struct pdf_tags *t, size_t i, unsigned first,
			unsigned root)
{
	const struct pd_elem *e = &t->lay->elems[i];
	PDF_PUT_LIT(b, "<</S");
	put_tag(b, e->tag);
	PDF_PUT_LIT(b, "/P ");
	put_ref(b, e->parent >= 0 ? first + (unsigned)e->parent : root);
	if (t->page_of[i]) {
		PDF_PUT_LIT(b, "/Pg ");
		put_ref(b, t->page_of[i]);
	}
	put_kids(b, &t->kids[i], t->page_of[i], first);
	if (e->tag == PD_TAG_FIGURE) {
		PDF_PUT_LIT(b, "/Alt");
		put_text_string(b, e->text ? e->text : "");
	}
	if (e->lang) {
		PDF_PUT_LIT(b, "/Lang");
		put_text_string(b, e->lang);
	}
	if (e->tag == PD_TAG_NOTE) {
		PDF_PUT_LIT(b, "/ID");
		put_text_string(b, e->text ? e->text : "note");
	}
	if (e->tag == PD_TAG_TH)
		PDF_PUT_LIT(b, "/A<</O/Table/Scope/Column>>");
	if (e->tag == PD_TAG_L)
		buf_puts(b, e->ordered ? "/A<</O/List/ListNumbering/Decimal>>"
				       : "/A<</O/List/ListNumbering/Disc>>");
	PDF_PUT_LIT(b, ">>");
}

static void put_root(struct pd_buf *b, const struct pdf_tags *t, unsigned first)
{
	PDF_PUT_LIT(b, "<</Type/StructTreeRoot/K ");
	put_ref(b, first);
	PDF_PUT_LIT(b, "/ParentTree<</Nums[");
	for (size_t i = 0; i < t->nleaves; i++) {
		const struct leaf *l = &t->leaves[i];
		put_decimal(b, i);
		PDF_PUT_LIT(b, " ");
		if (l->page == (size_t)-1) {
			put_ref(b, first + (unsigned)l->elem);
		} else {
			const struct kids *m = &t->marks[l->page];
			PDF_PUT_LIT(b, "[");
			for (size_t k = 0; k < m->n; k++) {
				if (k)
					PDF_PUT_LIT(b, " ");
				put_ref(b, first + m->v[k].a);
			}
			PDF_PUT_LIT(b, "]");
		}
		PDF_PUT_LIT(b, " ");
	}
	PDF_PUT_LIT(b, "]>>/ParentTreeNextKey ");
	put_decimal(b, t->nleaves);
	PDF_PUT_LIT(b, ">>");
}

int pdf_tags_end(struct pdf_tags *t, struct pdf_objects *out)
{
	if (!t)
		return 0;
	size_t n = t->lay->nelems;
	for (size_t i = 0; i < n; i++)
		place(t, (int)i);
	if (out) {
		out->stand_in = object_number(t->root);
		out->first = (unsigned)t->pdf->xref->entries->count;
		out->ends = xmalloc((n + 1) * sizeof *out->ends);
		out->n = n;
		for (size_t i = 0; i < n; i++) {
			put_element(&out->bodies, t, i, out->first, out->stand_in);
			out->ends[i] = out->bodies.len;
		}
		put_root(&out->root, t, out->first);
	}
	for (size_t i = 0; i < n; i++)
		free(t->kids[i].v);
	for (size_t p = 0; p < t->lay->npages; p++)
		free(t->marks[p].v);
	free(t->kids);
	free(t->marks);
	free(t->page_of);
	free(t->next_sibling);
	free(t->cursor);
	free(t->placed);
	free(t->pages);
	free(t->leaves);
	free(t);
	return 0;
}

void pdf_objects_free(struct pdf_objects *o)
{
	buf_free(&o->root);
	buf_free(&o->bodies);
	free(o->ends);
	memset(o, 0, sizeof *o);
}
