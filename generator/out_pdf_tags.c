/* out_pdf_tags: the structure of a tagged PDF (PDF/UA-1). In: the layout's structure
 * elements and, as the pages are drawn, what each piece of content belongs to. Out: the
 * marked-content operators of the content streams, the structure tree and its parent tree. */
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

struct pdf_tags {
	HPDF_Doc pdf;
	const struct pd_layout *lay;
	HPDF_Encoder utf8;
	HPDF_Dict *dict;	   /* per element */
	HPDF_Array *kids;	   /* per element: its /K */
	HPDF_Page *page_of;	   /* per element: its /Pg, NULL until its first content */
	int *next_sibling, *cursor; /* cursor: its first child not yet in its /K (-1: none) */
	bool *placed;		   /* in its parent's /K */
	HPDF_Array nums;	   /* the parent tree */
	HPDF_Array marks;	   /* the page's MCIDs -> elements */
	HPDF_Page page;
	int mcid, next_key, open;
	bool annotated; /* the page has a link annotation */
};

static HPDF_Dict element(struct pdf_tags *t, const struct pd_elem *e, HPDF_Dict parent)
{
	HPDF_MMgr mm = t->pdf->mmgr;
	HPDF_Dict d = HPDF_Dict_New(mm);
	if (!d || HPDF_Xref_Add(t->pdf->xref, d) != HPDF_OK)
		return NULL;
	HPDF_Dict_AddName(d, "S", tag_names[e->tag]);
	HPDF_Dict_Add(d, "P", parent);
	if (e->tag == PD_TAG_FIGURE)
		HPDF_Dict_Add(d, "Alt", HPDF_String_New(mm, e->text ? e->text : "", t->utf8));
	if (e->lang)
		HPDF_Dict_Add(d, "Lang", HPDF_String_New(mm, e->lang, NULL));
	if (e->tag == PD_TAG_TH || e->tag == PD_TAG_L) {
		HPDF_Dict a = HPDF_Dict_New(mm);
		HPDF_Dict_AddName(a, "O", e->tag == PD_TAG_TH ? "Table" : "List");
		if (e->tag == PD_TAG_TH)
			HPDF_Dict_AddName(a, "Scope", "Column");
		else
			HPDF_Dict_AddName(a, "ListNumbering", e->ordered ? "Decimal" : "Disc");
		HPDF_Dict_Add(d, "A", a);
	}
	return d;
}

/* The structure tree root in the catalog, with an element object for every element. */
struct pdf_tags *pdf_tags_new(HPDF_Doc pdf, const struct pd_layout *lay)
{
	size_t n = lay->nelems;
	struct pdf_tags *t = xcalloc(1, sizeof *t);
	t->pdf = pdf;
	t->lay = lay;
	t->utf8 = HPDF_GetEncoder(pdf, "UTF-8");
	t->open = NOT_OPEN;
	t->dict = xcalloc(n + 1, sizeof *t->dict);
	t->kids = xcalloc(n + 1, sizeof *t->kids);
	t->page_of = xcalloc(n + 1, sizeof *t->page_of);
	t->next_sibling = xmalloc((n + 1) * sizeof *t->next_sibling);
	t->cursor = xmalloc((n + 1) * sizeof *t->cursor);
	t->placed = xcalloc(n + 1, sizeof *t->placed);
	int *last = xmalloc((n + 1) * sizeof *last);
	for (size_t i = 0; i < n; i++)
		t->next_sibling[i] = t->cursor[i] = last[i] = -1;
	HPDF_Dict root = HPDF_Dict_New(pdf->mmgr);
	HPDF_Xref_Add(pdf->xref, root);
	HPDF_Dict_AddName(root, "Type", "StructTreeRoot");
	for (size_t i = 0; i < n; i++) {
		int p = lay->elems[i].parent;
		t->dict[i] = element(t, &lay->elems[i], p >= 0 ? t->dict[p] : root);
		if (!t->dict[i])
			break;
		t->kids[i] = HPDF_Array_New(pdf->mmgr);
		HPDF_Dict_Add(t->dict[i], "K", t->kids[i]);
		if (p >= 0 && last[p] >= 0)
			t->next_sibling[last[p]] = (int)i;
		else if (p >= 0)
			t->cursor[p] = (int)i;
		if (p >= 0)
			last[p] = (int)i;
	}
	free(last);
	if (n)
		HPDF_Dict_Add(root, "K", t->dict[0]);
	HPDF_Dict tree = HPDF_Dict_New(pdf->mmgr);
	t->nums = HPDF_Array_New(pdf->mmgr);
	HPDF_Dict_Add(tree, "Nums", t->nums);
	HPDF_Dict_Add(root, "ParentTree", tree);
	HPDF_Dict_Add(pdf->catalog, "StructTreeRoot", root);
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
			HPDF_Array_Add(t->kids[p], t->dict[c]);
		}
	}
	t->placed[e] = true;
}

void pdf_tags_page(struct pdf_tags *t, HPDF_Page page)
{
	t->page = page;
	t->mcid = 0;
	t->annotated = false;
	t->marks = HPDF_Array_New(t->pdf->mmgr);
	HPDF_Array_AddNumber(t->nums, t->next_key);
	HPDF_Array_Add(t->nums, t->marks);
	HPDF_Dict_AddNumber(page, "StructParents", t->next_key++);
}

/* A marked-content reference from element e to the next MCID of the page. */
static int reference(struct pdf_tags *t, int e)
{
	place(t, e);
	int mcid = t->mcid++;
	if (!t->page_of[e]) {
		t->page_of[e] = t->page;
		HPDF_Dict_Add(t->dict[e], "Pg", t->page);
	}
	if (t->page_of[e] == t->page) {
		HPDF_Array_AddNumber(t->kids[e], mcid);
	} else {
		HPDF_Dict mcr = HPDF_Dict_New(t->pdf->mmgr);
		HPDF_Dict_AddName(mcr, "Type", "MCR");
		HPDF_Dict_Add(mcr, "Pg", t->page);
		HPDF_Dict_AddNumber(mcr, "MCID", mcid);
		HPDF_Array_Add(t->kids[e], mcr);
	}
	HPDF_Array_Add(t->marks, t->dict[e]);
	return mcid;
}

void pdf_tags_mark(struct pdf_tags *t, struct pd_buf *b, int elem)
{
	if (!t || elem == t->open)
		return;
	if (t->open != NOT_OPEN)
		buf_puts(b, "EMC\n");
	t->open = elem;
	if (elem == PD_ARTIFACT)
		buf_puts(b, "/Artifact BMC\n");
	else if (elem == PD_ARTIFACT_PAGE)
		buf_puts(b, "/Artifact <</Type /Pagination>> BDC\n");
	else if (elem >= 0)
		buf_printf(b, "/%s <</MCID %d>> BDC\n", tag_names[t->lay->elems[elem].tag],
			   reference(t, elem));
}

void pdf_tags_close(struct pdf_tags *t, struct pd_buf *b)
{
	if (t && t->open != NOT_OPEN)
		buf_puts(b, "EMC\n");
	if (t)
		t->open = NOT_OPEN;
}

void pdf_tags_link(struct pdf_tags *t, HPDF_Annotation a, int elem)
{
	HPDF_MMgr mm = t->pdf->mmgr;
	HPDF_Dict_AddNumber(a, "F", 4); /* printed (PDF/A) */
	if (elem < 0)
		return;
	const char *uri = t->lay->elems[elem].text ? t->lay->elems[elem].text : "";
	HPDF_Dict_Add(a, "Contents", HPDF_String_New(mm, uri, t->utf8));
	HPDF_Dict_AddNumber(a, "StructParent", t->next_key);
	HPDF_Array_AddNumber(t->nums, t->next_key++);
	HPDF_Array_Add(t->nums, t->dict[elem]);
	place(t, elem);
	HPDF_Dict objr = HPDF_Dict_New(mm);
	HPDF_Dict_AddName(objr, "Type", "OBJR");
	HPDF_Dict_Add(objr, "Obj", a);
	HPDF_Dict_Add(objr, "Pg", t->page);
	HPDF_Array_Add(t->kids[elem], objr);
	if (!t->annotated)
		HPDF_Dict_AddName(t->page, "Tabs", "S"); /* tab order: the structure's */
	t->annotated = true;
}

/* Elements with no content of their own (an empty table cell) take their places; the
 * parent tree's next key is noted. */
void pdf_tags_end(struct pdf_tags *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->lay->nelems && t->dict[i]; i++)
		place(t, (int)i);
	HPDF_Dict root = HPDF_Dict_GetItem(t->pdf->catalog, "StructTreeRoot", HPDF_OCLASS_DICT);
	if (root)
		HPDF_Dict_AddNumber(root, "ParentTreeNextKey", t->next_key);
	free(t->dict);
	free(t->kids);
	free(t->page_of);
	free(t->next_sibling);
	free(t->cursor);
	free(t->placed);
	free(t);
}
