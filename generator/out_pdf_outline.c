/* out_pdf_outline: the document outline (bookmarks). In: the layout's outline entries and the
 * pages drawn. Out: libharu's objects for them, in its order and numbering, each entry's
 * dictionary but its title written by pdgen: the bytes HPDF_CreateOutline's make, at a
 * fraction of the work of building and writing libharu's dictionaries. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <hpdf.h>
#include <hpdf_doc.h>
#include <hpdf_objects.h>

#include "out_impl.h"

/* The keys of an outline dictionary after its /Title, each written once. */
enum okey { K_TYPE, K_PREV, K_PARENT, K_DEST, K_NEXT, K_FIRST, K_LAST, K_COUNT, NKEYS };

/* The root (node 0) or an entry: its dictionary and the entries it links to (-1: none), its
 * keys in the order libharu adds them (the order it writes them in). */
struct node {
	HPDF_Dict dict;
	unsigned num, dest; /* object numbers: its own, its destination's */
	int parent, prev, next, first, last;
	unsigned count; /* entries below it (all open) */
	unsigned char keys[NKEYS], nkeys;
	const struct pdf_outline *in;
	size_t from, to; /* its keys' text in in->text */
};

struct pdf_outline {
	struct node *nodes;
	size_t n;
	struct pd_buf text;
};

static unsigned number_of(void *obj)
{
	return ((HPDF_Obj_Header *)obj)->obj_id & 0x00FFFFFF;
}

static void key_add(struct node *nd, enum okey k)
{
	for (unsigned i = 0; i < nd->nkeys; i++)
		if (nd->keys[i] == k)
			return; /* libharu replaces the value in place */
	nd->keys[nd->nkeys++] = (unsigned char)k;
}

/* libharu's AddChild: item k becomes the last child of p. */
static void add_child(struct node *nodes, int p, int k)
{
	struct node *parent = &nodes[p], *item = &nodes[k];
	if (parent->first < 0) {
		parent->first = k;
		key_add(parent, K_FIRST);
	}
	if (parent->last >= 0) {
		nodes[parent->last].next = k;
		key_add(&nodes[parent->last], K_NEXT);
		item->prev = parent->last;
		key_add(item, K_PREV);
	}
	parent->last = k;
	key_add(parent, K_LAST);
	item->parent = p;
	key_add(item, K_PARENT);
}

/* An empty dictionary numbered next; NULL on failure (libharu's error handler told). */
static HPDF_Dict new_indirect(HPDF_Doc pdf)
{
	HPDF_Dict d = HPDF_Dict_New(pdf->mmgr);
	return d && HPDF_Xref_Add(pdf->xref, d) == HPDF_OK ? d : NULL;
}

static void put_ref(struct pd_buf *b, const char *key, size_t keylen, unsigned num)
{
	char tmp[48], *end = tmp + sizeof tmp - 5, *p = pdf_digits(end, num);
	memcpy(end, " 0 R\n", 5);
	buf_put(b, key, keylen);
	buf_put(b, p, (size_t)(end + 5 - p));
}

/* A node's keys as libharu's Dict_Write writes them ("/Key value" and a line feed each). */
static void put_keys(struct pd_buf *b, const struct node *nodes, const struct node *nd)
{
	for (unsigned i = 0; i < nd->nkeys; i++) {
		switch ((enum okey)nd->keys[i]) {
		case K_TYPE: PDF_PUT_LIT(b, "/Type /Outlines\n"); break;
		case K_PREV: put_ref(b, "/Prev ", 6, nodes[nd->prev].num); break;
		case K_PARENT: put_ref(b, "/Parent ", 8, nodes[nd->parent].num); break;
		case K_DEST: put_ref(b, "/Dest ", 6, nd->dest); break;
		case K_NEXT: put_ref(b, "/Next ", 6, nodes[nd->next].num); break;
		case K_FIRST: put_ref(b, "/First ", 7, nodes[nd->first].num); break;
		case K_LAST: put_ref(b, "/Last ", 6, nodes[nd->last].num); break;
		case K_COUNT: {
			char tmp[24], *p = pdf_digits(tmp + sizeof tmp - 1, nd->count);
			tmp[sizeof tmp - 1] = '\n';
			PDF_PUT_LIT(b, "/Count ");
			buf_put(b, p, (size_t)(tmp + sizeof tmp - p));
			break;
		}
		case NKEYS: break;
		}
	}
}

/* The dictionary's write_fn: its keys after those libharu holds (the title). */
static HPDF_STATUS write_keys(HPDF_Dict dict, HPDF_Stream stream)
{
	const struct node *nd = dict->attr;
	return HPDF_Stream_Write(stream, (const HPDF_BYTE *)nd->in->text.s + nd->from,
				 (HPDF_UINT)(nd->to - nd->from));
}

/* Entry i's node under its parent (the nearest entry before it of a higher level, else the
 * root; levels taken as 1 to 3), its title and destination; -1 on failure. */
static int add_entry(HPDF_Doc pdf, HPDF_Encoder enc, struct pdf_outline *o,
		     const struct pd_layout *lay, const HPDF_Page *pages, size_t i, int parent_at[4])
{
	const struct pd_outline *e = &lay->outlines[i];
	int k = (int)i + 1, lv = e->level < 1 ? 1 : e->level > 3 ? 3 : e->level, up = 0;
	for (int l = lv - 1; l >= 1 && !up; l--)
		up = parent_at[l];
	struct node *nd = &o->nodes[k];
	nd->dict = new_indirect(pdf);
	HPDF_String title = nd->dict ? HPDF_String_New(pdf->mmgr, e->title, enc) : NULL;
	if (!title || HPDF_Dict_Add(nd->dict, "Title", title) != HPDF_OK)
		return -1;
	key_add(nd, K_TYPE);
	add_child(o->nodes, up, k);
	HPDF_Destination dst = HPDF_Page_CreateDestination(pages[e->page]);
	if (!dst || HPDF_Destination_SetFitH(dst, (HPDF_REAL)(lay->page_h - e->y)) != HPDF_OK)
		return -1;
	nd->dest = number_of(dst);
	key_add(nd, K_DEST);
	parent_at[lv] = k;
	for (int l = lv + 1; l < 4; l++)
		parent_at[l] = 0;
	return 0;
}

struct pdf_outline *pdf_outline_new(HPDF_Doc pdf, const struct pd_layout *lay,
				    const HPDF_Page *pages)
{
	struct pdf_outline *o = xcalloc(1, sizeof *o);
	o->n = lay->noutlines + 1;
	o->nodes = xcalloc(o->n, sizeof *o->nodes);
	for (size_t k = 0; k < o->n; k++) {
		struct node *nd = &o->nodes[k];
		nd->parent = nd->prev = nd->next = nd->first = nd->last = -1;
		nd->in = o;
	}
	HPDF_Encoder enc = HPDF_GetEncoder(pdf, "UTF-8");
	o->nodes[0].dict = new_indirect(pdf); /* the root, /Outlines in the catalog */
	bool ok = o->nodes[0].dict &&
		  HPDF_Dict_Add(pdf->catalog, "Outlines", o->nodes[0].dict) == HPDF_OK;
	key_add(&o->nodes[0], K_TYPE);
	int parent_at[4] = {0, 0, 0, 0};
	for (size_t i = 0; i < lay->noutlines && ok; i++)
		ok = add_entry(pdf, enc, o, lay, pages, i, parent_at) == 0;
	if (!ok) {
		pdf_outline_free(o);
		return NULL;
	}
	for (size_t k = o->n - 1; k >= 1; k--) /* entries come after their parents */
		o->nodes[o->nodes[k].parent].count += 1 + o->nodes[k].count;
	for (size_t k = 0; k < o->n; k++) {
		struct node *nd = &o->nodes[k];
		if (nd->count)
			key_add(nd, K_COUNT); /* libharu adds it as it writes */
		nd->num = number_of(nd->dict);
	}
	for (size_t k = 0; k < o->n; k++) {
		struct node *nd = &o->nodes[k];
		nd->from = o->text.len;
		put_keys(&o->text, o->nodes, nd);
		nd->to = o->text.len;
		nd->dict->attr = nd;
		nd->dict->write_fn = write_keys;
	}
	return o;
}

void pdf_outline_free(struct pdf_outline *o)
{
	if (!o)
		return;
	buf_free(&o->text);
	free(o->nodes);
	free(o);
}
