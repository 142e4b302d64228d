/* merge_tags: the structure trees of merged PDFs -> one tree under one Document element, a Part
 * per part in reading order, parent-tree keys renumbered; the catalog of a tagged document.
 * In: sources and the pages added from them. Out: objects of the merged document (qpdf). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "merge_impl.h"
#include "util.h"
#include "xmp.h"

#define TREE_DEPTH 64        /* deeper structure or number trees are taken as damaged */
#define TREE_NODES 1000000L  /* nodes one walk visits at most (a tree that loops back) */

struct num {
	long long key;
	qpdf_oh val;
};

struct pair {
	qpdf_oh key, val;
};
struct pairs {
	struct pair *v;
	size_t n, cap;
};

struct page_id {
	int id, index;
};

struct src_tags {
	qpdf_oh *top;  /* the elements below its Document (or its root), in reading order */
	int *top_page; /* the source page each begins on */
	size_t ntop;
	struct num *nums; /* its parent tree, flattened and sorted */
	size_t nnums;
	const char *lang; /* its catalog's /Lang, or NULL */
};

/* ------------------------------------------------------------- what a source declares */

/* The digit an XMP property holds (prop="1", prop='1' or <prop>1</prop>), else 0. */
static char xmp_value(const char *x, size_t len, const char *prop)
{
	size_t n = strlen(prop);
	for (size_t at = 0; at + n + 3 <= len; at++) {
		if (memcmp(x + at, prop, n))
			continue;
		const char *v = x + at + n;
		if (v[0] == '=' && (v[1] == '"' || v[1] == '\''))
			return v[2];
		if (v[0] == '>')
			return v[1];
	}
	return 0;
}

static bool rgb_intent(qpdf_data q, qpdf_oh root)
{
	qpdf_oh intents = qpdf_oh_get_key(q, root, "/OutputIntents");
	int n = qpdf_oh_is_array(q, intents) ? qpdf_oh_get_array_n_items(q, intents) : 0;
	for (int i = 0; i < n; i++) {
		qpdf_oh profile = qpdf_oh_get_key(q, qpdf_oh_get_array_item(q, intents, i),
						  "/DestOutputProfile");
		if (qpdf_oh_is_stream(q, profile) &&
		    qpdf_oh_get_int_value_as_int(q, qpdf_oh_get_key(q, qpdf_oh_get_dict(q, profile), "/N")) == 3)
			return true;
	}
	return false;
}

/* A font's program is in the file (FontFile, FontFile2 or FontFile3 of its descriptor; a
 * Type0 font's through its descendant), or it needs none (Type3: its glyphs are procedures). */
static bool font_embedded(qpdf_data q, qpdf_oh font)
{
	qpdf_oh subtype = qpdf_oh_get_key(q, font, "/Subtype");
	const char *kind = qpdf_oh_is_name(q, subtype) ? qpdf_oh_get_name(q, subtype) : "";
	if (!strcmp(kind, "/Type3"))
		return true;
	if (!strcmp(kind, "/Type0"))
		font = qpdf_oh_get_array_item(q, qpdf_oh_get_key(q, font, "/DescendantFonts"), 0);
	qpdf_oh desc = qpdf_oh_get_key(q, font, "/FontDescriptor");
	return qpdf_oh_has_key(q, desc, "/FontFile") || qpdf_oh_has_key(q, desc, "/FontFile2") ||
	       qpdf_oh_has_key(q, desc, "/FontFile3");
}

/* The values of a dictionary, in a list of handles (qpdf's one key iterator is free again
 * when this returns); at most *budget, counted off it. */
static qpdf_oh *dict_values(qpdf_data q, qpdf_oh dict, long *budget, size_t *n)
{
	qpdf_oh *v = NULL;
	size_t cap = 0;
	*n = 0;
	qpdf_oh_begin_dict_key_iter(q, dict);
	while (qpdf_oh_dict_more_keys(q) && --*budget > 0) {
		qpdf_oh item = qpdf_oh_get_key(q, dict, qpdf_oh_dict_next_key(q));
		if (*n == cap)
			v = xrealloc(v, (cap = cap ? 2 * cap : 8) * sizeof *v);
		v[(*n)++] = item;
	}
	return v;
}

/* Every font of a resource dictionary embedded, and those of its form XObjects (depth
 * levels down); *budget bounds the fonts and forms looked at. */
static bool resources_embedded(qpdf_data q, qpdf_oh res, int depth, long *budget)
{
	static const char *const kinds[] = {"/Font", "/XObject"};
	bool ok = true;
	for (int k = 0; k < 2 && ok; k++) {
		qpdf_oh dict = qpdf_oh_get_key(q, res, kinds[k]);
		size_t n = 0;
		qpdf_oh *items = qpdf_oh_is_dictionary(q, dict) ? dict_values(q, dict, budget, &n) : NULL;
		for (size_t i = 0; i < n && ok; i++) {
			qpdf_oh form = qpdf_oh_is_stream(q, items[i]) ? qpdf_oh_get_dict(q, items[i]) : 0;
			ok = k == 0 ? font_embedded(q, items[i])
			     : !form || depth <= 0 ||
			           resources_embedded(q, qpdf_oh_get_key(q, form, "/Resources"), depth - 1,
			                              budget);
		}
		free(items);
	}
	return ok && *budget > 0;
}

/* Every font of every page embedded, as PDF/A and PDF/UA-1 (7.21.4.1) require. */
static bool fonts_embedded(qpdf_data q)
{
	long budget = 20000;
	int n = qpdf_get_num_pages(q);
	for (int i = 0; i < n; i++) {
		qpdf_oh page = qpdf_get_page_n(q, (size_t)i);
		if (!resources_embedded(q, qpdf_oh_get_key(q, page, "/Resources"), 3, &budget))
			return false;
	}
	return true;
}

unsigned tags_src_claims(qpdf_data q, bool *fonts_out)
{
	*fonts_out = !fonts_embedded(q);
	qpdf_oh root = qpdf_get_root(q), md = qpdf_oh_get_key(q, root, "/Metadata");
	unsigned char *x = NULL;
	size_t len = 0;
	unsigned claims = 0;
	if (!qpdf_oh_is_stream(q, md) ||
	    (qpdf_oh_get_stream_data(q, md, qpdf_dl_generalized, NULL, &x, &len) & QPDF_ERRORS)) {
		free(x);
		return 0;
	}
	qpdf_oh tree = qpdf_oh_get_key(q, root, "/StructTreeRoot");
	qpdf_oh marked = qpdf_oh_get_key(q, qpdf_oh_get_key(q, root, "/MarkInfo"), "/Marked");
	if (xmp_value((char *)x, len, "pdfuaid:part") == '1' && qpdf_oh_is_dictionary(q, tree) &&
	    qpdf_oh_has_key(q, tree, "/K") && qpdf_oh_is_bool(q, marked) &&
	    qpdf_oh_get_bool_value(q, marked))
		claims |= PD_CLAIM_PDFUA;
	char part = xmp_value((char *)x, len, "pdfaid:part");
	if ((part == '1' || part == '2') && rgb_intent(q, root))
		claims |= PD_CLAIM_PDFA;
	if (*fonts_out || qpdf_is_encrypted(q))
		claims = 0;
	free(x);
	qpdf_oh_release_all(q);
	return claims;
}

/* ------------------------------------------------------------- a source's tree */

static int num_cmp(const void *a, const void *b)
{
	long long x = ((const struct num *)a)->key, y = ((const struct num *)b)->key;
	return (x > y) - (x < y);
}

/* The pairs of a number tree (leaves "/Nums") or a name tree ("/Names"), in tree order. */
static void tree_pairs(qpdf_data q, qpdf_oh node, const char *leaves, int depth, long *budget,
		       struct pairs *out)
{
	if (depth > TREE_DEPTH || --*budget < 0 || !qpdf_oh_is_dictionary(q, node))
		return;
	qpdf_oh arr = qpdf_oh_get_key(q, node, leaves);
	int n = qpdf_oh_is_array(q, arr) ? qpdf_oh_get_array_n_items(q, arr) : 0;
	for (int i = 0; i + 1 < n; i += 2) {
		if (out->n == out->cap)
			out->v = xrealloc(out->v, (out->cap = out->cap ? 2 * out->cap : 16) * sizeof *out->v);
		out->v[out->n++] = (struct pair){qpdf_oh_get_array_item(q, arr, i),
						 qpdf_oh_get_array_item(q, arr, i + 1)};
	}
	qpdf_oh kids = qpdf_oh_get_key(q, node, "/Kids");
	n = qpdf_oh_is_array(q, kids) ? qpdf_oh_get_array_n_items(q, kids) : 0;
	for (int i = 0; i < n; i++)
		tree_pairs(q, qpdf_oh_get_array_item(q, kids, i), leaves, depth + 1, budget, out);
}

/* The parent tree of src: its integer keys, sorted. */
static void src_trees(qpdf_data q, qpdf_oh tree, struct src_tags *t)
{
	long budget = TREE_NODES;
	struct pairs nums = {0};
	tree_pairs(q, qpdf_oh_get_key(q, tree, "/ParentTree"), "/Nums", 0, &budget, &nums);
	t->nums = xcalloc(nums.n + 1, sizeof *t->nums);
	for (size_t i = 0; i < nums.n; i++)
		if (qpdf_oh_is_integer(q, nums.v[i].key))
			t->nums[t->nnums++] = (struct num){qpdf_oh_get_int_value(q, nums.v[i].key), nums.v[i].val};
	qsort(t->nums, t->nnums, sizeof *t->nums, num_cmp);
	free(nums.v);
}


static int page_cmp(const void *a, const void *b)
{
	return ((const struct page_id *)a)->id - ((const struct page_id *)b)->id;
}

/* The source page (0-based) an element's content begins on, -1 when none is found. */
static int first_page(qpdf_data q, qpdf_oh el, const struct page_id *pages, int npages,
		      int depth, long *budget)
{
	if (depth > TREE_DEPTH || --*budget < 0 || !qpdf_oh_is_dictionary(q, el))
		return -1;
	qpdf_oh pg = qpdf_oh_get_key(q, el, "/Pg");
	if (qpdf_oh_is_indirect(q, pg)) {
		struct page_id key = {qpdf_oh_get_object_id(q, pg), 0};
		const struct page_id *hit = bsearch(&key, pages, (size_t)npages, sizeof key, page_cmp);
		if (hit)
			return hit->index;
	}
	qpdf_oh k = qpdf_oh_get_key(q, el, "/K");
	if (!qpdf_oh_is_array(q, k))
		return first_page(q, k, pages, npages, depth + 1, budget);
	for (int i = 0, n = qpdf_oh_get_array_n_items(q, k); i < n; i++) {
		int at = first_page(q, qpdf_oh_get_array_item(q, k, i), pages, npages, depth + 1, budget);
		if (at >= 0)
			return at;
	}
	return -1;
}

/* The elements to carry: the kids of the root's one Document element, else the root's kids;
 * each without its /P, so that copying one brings no more than its own subtree. */
static void top_elements(qpdf_data q, qpdf_oh tree, int npages, struct src_tags *t)
{
	qpdf_oh k = qpdf_oh_get_key(q, tree, "/K");
	if (qpdf_oh_is_dictionary(q, k) && qpdf_oh_is_name_and_equals(q, qpdf_oh_get_key(q, k, "/S"), "/Document")) {
		qpdf_oh kids = qpdf_oh_get_key(q, k, "/K");
		bool elements = qpdf_oh_is_array(q, kids) || qpdf_oh_is_dictionary(q, kids);
		for (int i = 0, n = qpdf_oh_is_array(q, kids) ? qpdf_oh_get_array_n_items(q, kids) : 0; i < n; i++)
			elements = elements && qpdf_oh_is_dictionary(q, qpdf_oh_get_array_item(q, kids, i));
		if (elements)
			k = kids;
		else /* content right below the Document: it goes as a division */
			qpdf_oh_replace_key(q, k, "/S", qpdf_oh_new_name(q, "/Div"));
	}
	int n = qpdf_oh_is_array(q, k) ? qpdf_oh_get_array_n_items(q, k) : qpdf_oh_is_dictionary(q, k);
	struct page_id *pages = xcalloc((size_t)npages + 1, sizeof *pages);
	for (int i = 0; i < npages; i++)
		pages[i] = (struct page_id){qpdf_oh_get_object_id(q, qpdf_get_page_n(q, (size_t)i)), i};
	qsort(pages, (size_t)npages, sizeof *pages, page_cmp);
	t->top = xcalloc((size_t)n + 1, sizeof *t->top);
	t->top_page = xcalloc((size_t)n + 1, sizeof *t->top_page);
	long budget = TREE_NODES;
	for (int i = 0, last = 0; i < n; i++) {
		qpdf_oh el = qpdf_oh_is_array(q, k) ? qpdf_oh_get_array_item(q, k, i) : k;
		if (!qpdf_oh_is_dictionary(q, el) || !qpdf_oh_is_indirect(q, el))
			continue;
		int at = first_page(q, el, pages, npages, 0, &budget);
		last = at >= 0 ? at : last; /* an element with no content stays beside the last */
		qpdf_oh_remove_key(q, el, "/P");
		t->top[t->ntop] = el;
		t->top_page[t->ntop++] = last;
	}
	free(pages);
}

static struct src_tags *src_tags(struct pd_pdfsrc *src)
{
	if (src->tags_read)
		return src->tags;
	src->tags_read = true;
	qpdf_data q = src->q;
	qpdf_oh root = qpdf_get_root(q), tree = qpdf_oh_get_key(q, root, "/StructTreeRoot");
	if (!qpdf_oh_is_dictionary(q, tree))
		return NULL;
	struct src_tags *t = src->tags = xcalloc(1, sizeof *t);
	src_trees(q, tree, t);
	top_elements(q, tree, src->pages, t);
	qpdf_oh lang = qpdf_oh_get_key(q, root, "/Lang");
	t->lang = qpdf_oh_is_string(q, lang) ? qpdf_oh_get_utf8_value(q, lang) : NULL;
	if (t->lang)
		t->lang = xstrdup(t->lang);
	return t;
}

void tags_src_free(struct pd_pdfsrc *src)
{
	if (!src->tags)
		return;
	free(src->tags->top);
	free(src->tags->top_page);
	free(src->tags->nums);
	free((char *)src->tags->lang);
	free(src->tags);
	src->tags = NULL;
}

/* ------------------------------------------------------------- the document's tree */

bool tags_on(const struct pd_merge *m)
{
	return m->tree_id != 0;
}

static qpdf_oh by_id(struct pd_merge *m, int id)
{
	return qpdf_get_object_by_id(m->q, id, 0);
}

static void make_tree(struct pd_merge *m)
{
	qpdf_data q = m->q;
	qpdf_oh tree = qpdf_make_indirect_object(q, qpdf_oh_parse(q, "<< /Type /StructTreeRoot >>"));
	qpdf_oh doc = qpdf_make_indirect_object(q, qpdf_oh_parse(q, "<< /Type /StructElem /S /Document /K [] >>"));
	qpdf_oh nums = qpdf_make_indirect_object(q, qpdf_oh_new_array(q));
	for (int i = 0; i < 2; i++)
		m->maps_id[i] = qpdf_oh_get_object_id(q, qpdf_make_indirect_object(q, qpdf_oh_new_dictionary(q)));
	qpdf_oh_replace_key(q, doc, "/P", tree);
	qpdf_oh_replace_key(q, tree, "/K", doc);
	qpdf_oh parents = qpdf_oh_new_dictionary(q);
	qpdf_oh_replace_key(q, parents, "/Nums", nums);
	qpdf_oh_replace_key(q, tree, "/ParentTree", parents);
	m->tree_id = qpdf_oh_get_object_id(q, tree);
	m->doc_id = qpdf_oh_get_object_id(q, doc);
	m->nums_id = qpdf_oh_get_object_id(q, nums);
}

/* The Part the content added now goes in, made at its first element. */
static qpdf_oh part(struct pd_merge *m)
{
	qpdf_data q = m->q;
	if (m->part_id)
		return by_id(m, m->part_id);
	qpdf_oh doc = by_id(m, m->doc_id);
	if (!m->in_parts)
		return doc;
	qpdf_oh el = qpdf_make_indirect_object(q, qpdf_oh_parse(q, "<< /Type /StructElem /S /Part /K [] >>"));
	qpdf_oh_replace_key(q, el, "/P", doc);
	if (m->part_title)
		qpdf_oh_replace_key(q, el, "/T", qpdf_oh_new_unicode_string(q, m->part_title));
	qpdf_oh_append_item(q, qpdf_oh_get_key(q, doc, "/K"), el);
	m->part_id = qpdf_oh_get_object_id(q, el);
	return el;
}

void merge_part(struct pd_merge *m, const char *title)
{
	free(m->part_title);
	m->part_title = title ? xstrdup(title) : NULL;
	m->part_id = 0;
	m->in_parts = true;
}

/* A parent-tree value of src as an object of the document: its elements copied (with their
 * subtrees), arrays rebuilt (direct objects cannot be copied across documents). */
static qpdf_oh copy_value(struct pd_merge *m, qpdf_data from, qpdf_oh v)
{
	qpdf_data q = m->q;
	if (qpdf_oh_is_indirect(from, v))
		return qpdf_oh_copy_foreign_object(q, from, v);
	if (!qpdf_oh_is_array(from, v))
		return qpdf_oh_new_null(q);
	qpdf_oh arr = qpdf_oh_new_array(q);
	for (int i = 0, n = qpdf_oh_get_array_n_items(from, v); i < n; i++) {
		qpdf_oh item = qpdf_oh_get_array_item(from, v, i);
		qpdf_oh_append_item(q, arr, qpdf_oh_is_indirect(from, item)
						? qpdf_oh_copy_foreign_object(q, from, item)
						: qpdf_oh_new_null(q));
	}
	return arr;
}

/* Gives obj (a page or an annotation) a key of the document's parent tree for its entry in
 * src's (key: /StructParents or /StructParent), or drops a key that maps to nothing. */
static void renumber(struct pd_merge *m, struct pd_pdfsrc *src, const struct src_tags *t,
		     qpdf_oh obj, const char *key)
{
	qpdf_data q = m->q;
	qpdf_oh old = qpdf_oh_get_key(q, obj, key);
	if (!qpdf_oh_is_integer(q, old))
		return;
	struct num want = {qpdf_oh_get_int_value(q, old), 0};
	const struct num *hit = t ? bsearch(&want, t->nums, t->nnums, sizeof want, num_cmp) : NULL;
	if (!hit) {
		qpdf_oh_remove_key(q, obj, key);
		return;
	}
	qpdf_oh nums = by_id(m, m->nums_id);
	qpdf_oh_append_item(q, nums, qpdf_oh_new_integer(q, m->next_key));
	qpdf_oh_append_item(q, nums, copy_value(m, src->q, hit->val));
	qpdf_oh_replace_key(q, obj, key, qpdf_oh_new_integer(q, m->next_key++));
}

static const char *const maps[2] = {"/RoleMap", "/ClassMap"};

/* src's role map and class map joined to the document's (each value as it is, its indirect
 * objects taken in); a name mapped two ways is a conflict, the first one kept and named. */
static void take_maps(struct pd_merge *m, struct pd_pdfsrc *src)
{
	qpdf_data q = m->q, f = src->q;
	qpdf_oh tree = qpdf_oh_get_key(f, qpdf_get_root(f), "/StructTreeRoot");
	for (int i = 0; i < 2; i++) {
		qpdf_oh from = qpdf_oh_get_key(f, tree, maps[i]), to = by_id(m, m->maps_id[i]);
		if (!qpdf_oh_is_dictionary(f, from))
			continue;
		qpdf_oh_begin_dict_key_iter(f, from);
		while (qpdf_oh_dict_more_keys(f)) {
			char *key = xstrdup(qpdf_oh_dict_next_key(f));
			char *value = xstrdup(qpdf_oh_unparse_resolved(f, qpdf_oh_get_key(f, from, key)));
			qpdf_oh have = qpdf_oh_get_key(q, to, key);
			if (qpdf_oh_is_null(q, have))
				qpdf_oh_replace_key(q, to, key, qpdf_oh_parse(q, value));
			else if (strcmp(qpdf_oh_unparse_resolved(q, have), value) && !m->conflict)
				m->conflict = key, key = NULL;
			free(key);
			free(value);
		}
	}
}

/* The first tagged part's language and PDF/A output intent become the document's. */
static void take_catalog(struct pd_merge *m, struct pd_pdfsrc *src, const struct src_tags *t)
{
	qpdf_data f = src->q;
	if (!m->lang && t->lang) { /* the first tagged part: its author and dates the document's */
		m->lang = xstrdup(t->lang);
		static const char *const keys[] = {"/Author", "/CreationDate", "/ModDate"};
		qpdf_oh info = qpdf_oh_get_key(f, qpdf_get_trailer(f), "/Info");
		for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
			qpdf_oh v = qpdf_oh_get_key(f, info, keys[i]);
			size_t len = 0;
			const char *bytes = qpdf_oh_is_string(f, v) ? qpdf_oh_get_binary_string_value(f, v, &len) : NULL;
			if (!bytes)
				continue;
			qpdf_set_info_key(m->q, keys[i], ""); /* makes the Info dictionary */
			qpdf_oh_replace_key(m->q, qpdf_oh_get_key(m->q, qpdf_get_trailer(m->q), "/Info"),
					    keys[i], qpdf_oh_new_binary_string(m->q, bytes, len));
		}
	}
	qpdf_oh intents = qpdf_oh_get_key(f, qpdf_get_root(f), "/OutputIntents");
	if (m->intents_id || !rgb_intent(f, qpdf_get_root(f)))
		return;
	if (!qpdf_oh_is_indirect(f, intents))
		intents = qpdf_make_indirect_object(f, intents);
	m->intents_id = qpdf_oh_get_object_id(m->q, qpdf_oh_copy_foreign_object(m->q, f, intents));
}

static bool id_taken(const struct pd_merge *m, const char *name, size_t len)
{
	for (size_t i = 0; i < m->nids; i++)
		if (m->ids[i].len == len && !memcmp(m->ids[i].name, name, len))
			return true;
	return false;
}

/* The identifiers (/ID) of an element carried and of those below it, each made the
 * document's: one another part took made unique ("-2", "-3", ...) on its element. */
static void take_ids(struct pd_merge *m, qpdf_oh el, int depth, long *budget)
{
	qpdf_data q = m->q;
	if (depth > TREE_DEPTH || --*budget < 0 || !qpdf_oh_is_dictionary(q, el) ||
	    !qpdf_oh_has_key(q, el, "/S"))
		return;
	qpdf_oh id = qpdf_oh_get_key(q, el, "/ID");
	if (qpdf_oh_is_string(q, id)) {
		size_t len = 0;
		const char *raw = qpdf_oh_get_binary_string_value(q, id, &len);
		struct pd_buf name = {0};
		buf_put(&name, raw, len);
		buf_putc(&name, '\0'), name.len--; /* a string even when empty */
		for (int n = 2; id_taken(m, name.s, name.len); n++) {
			name.len = len;
			buf_printf(&name, "-%d", n);
		}
		if (name.len != len)
			qpdf_oh_replace_key(q, el, "/ID", qpdf_oh_new_binary_string(q, name.s, name.len));
		if (m->nids == m->cap_ids)
			m->ids = xrealloc(m->ids, (m->cap_ids = m->cap_ids ? 2 * m->cap_ids : 8) * sizeof *m->ids);
		m->ids[m->nids++] = (struct merge_id){name.s, name.len, qpdf_oh_get_object_id(q, el)};
	}
	qpdf_oh k = qpdf_oh_get_key(q, el, "/K");
	if (!qpdf_oh_is_array(q, k))
		take_ids(m, k, depth + 1, budget);
	for (int i = 0, n = qpdf_oh_is_array(q, k) ? qpdf_oh_get_array_n_items(q, k) : 0; i < n; i++)
		take_ids(m, qpdf_oh_get_array_item(q, k, i), depth + 1, budget);
}

static void carry_elements(struct pd_merge *m, struct pd_pdfsrc *src, const struct src_tags *t,
			   int first, int count)
{
	qpdf_data q = m->q;
	bool foreign_lang = t->lang && m->lang && strcmp(t->lang, m->lang);
	for (size_t i = 0; i < t->ntop; i++) {
		if (t->top_page[i] < first || t->top_page[i] >= first + count)
			continue;
		qpdf_oh el = qpdf_oh_copy_foreign_object(q, src->q, t->top[i]);
		qpdf_oh in = part(m);
		qpdf_oh_replace_key(q, el, "/P", in);
		if (foreign_lang && !qpdf_oh_has_key(q, el, "/Lang"))
			qpdf_oh_replace_key(q, el, "/Lang", qpdf_oh_new_unicode_string(q, t->lang));
		qpdf_oh_append_item(q, qpdf_oh_get_key(q, in, "/K"), el);
		long budget = TREE_NODES;
		take_ids(m, el, 0, &budget);
	}
}

static int id_cmp(const void *a, const void *b)
{
	const struct merge_id *x = a, *y = b;
	int c = memcmp(x->name, y->name, x->len < y->len ? x->len : y->len);
	return c ? c : (x->len > y->len) - (x->len < y->len);
}

/* The document's ID tree, its names in byte order as a name tree must have them. */
static void write_ids(struct pd_merge *m, qpdf_oh tree)
{
	qpdf_data q = m->q;
	if (!m->nids)
		return;
	qsort(m->ids, m->nids, sizeof *m->ids, id_cmp);
	qpdf_oh names = qpdf_oh_new_array(q);
	for (size_t i = 0; i < m->nids; i++) {
		qpdf_oh_append_item(q, names, qpdf_oh_new_binary_string(q, m->ids[i].name, m->ids[i].len));
		qpdf_oh_append_item(q, names, by_id(m, m->ids[i].elem));
	}
	qpdf_oh id_tree = qpdf_oh_new_dictionary(q);
	qpdf_oh_replace_key(q, id_tree, "/Names", names);
	qpdf_oh_replace_key(q, tree, "/IDTree", id_tree);
}

void tags_carry(struct pd_merge *m, struct pd_pdfsrc *src, int first, int count, int at)
{
	qpdf_data q = m->q;
	struct src_tags *t = src_tags(src);
	if (!m->decided) { /* the first part's form is the document's: tagged, or plain */
		m->decided = true;
		if (t)
			make_tree(m);
	}
	if (t && m->tree_id && m->last_src != src) { /* a source's pages may come in turns */
		m->last_src = src;
		take_maps(m, src);
		take_catalog(m, src, t);
	}
	if (!m->tree_id)
		t = NULL; /* a plain document: the keys go */
	if (t) /* each subtree copied whole, before the parent tree's entries name its elements */
		carry_elements(m, src, t, first, count);
	for (int i = 0; i < count; i++) {
		qpdf_oh page = qpdf_get_page_n(q, (size_t)(at + i));
		renumber(m, src, t, page, "/StructParents");
		qpdf_oh annots = qpdf_oh_get_key(q, page, "/Annots");
		for (int k = 0, n = qpdf_oh_is_array(q, annots) ? qpdf_oh_get_array_n_items(q, annots) : 0; k < n; k++) {
			qpdf_oh a = qpdf_oh_get_array_item(q, annots, k);
			if (qpdf_oh_is_dictionary(q, a))
				renumber(m, src, t, a, "/StructParent");
		}
	}
	qpdf_oh_release_all(q);
}

void tags_figure(struct pd_merge *m, qpdf_oh page, const char *alt, const double bbox[4],
		 struct pd_buf *out, const char *ops)
{
	qpdf_data q = m->q;
	if (!m->tree_id || !alt) {
		buf_puts(out, ops);
		return;
	}
	buf_printf(out, "/Figure <</MCID 0>> BDC\n%sEMC\n", ops);
	char spec[200];
	snprintf(spec, sizeof spec, "<< /Type /StructElem /S /Figure /K 0 /A << /O /Layout /BBox "
		 "[%.2f %.2f %.2f %.2f] >> >>", bbox[0], bbox[1], bbox[2], bbox[3]);
	qpdf_oh fig = qpdf_make_indirect_object(q, qpdf_oh_parse(q, spec));
	qpdf_oh in = part(m);
	qpdf_oh_replace_key(q, fig, "/P", in);
	qpdf_oh_replace_key(q, fig, "/Pg", page);
	qpdf_oh_replace_key(q, fig, "/Alt", qpdf_oh_new_unicode_string(q, alt));
	qpdf_oh_append_item(q, qpdf_oh_get_key(q, in, "/K"), fig);
	qpdf_oh marks = qpdf_oh_new_array(q);
	qpdf_oh_append_item(q, marks, fig);
	qpdf_oh nums = by_id(m, m->nums_id);
	qpdf_oh_append_item(q, nums, qpdf_oh_new_integer(q, m->next_key));
	qpdf_oh_append_item(q, nums, marks);
	qpdf_oh_replace_key(q, page, "/StructParents", qpdf_oh_new_integer(q, m->next_key++));
}

/* ------------------------------------------------------------- the catalog */

/* An Info entry in UTF-8 (the caller's), or NULL. */
static const char *info_copy(qpdf_data q, const char *key)
{
	qpdf_oh v = qpdf_oh_get_key(q, qpdf_oh_get_key(q, qpdf_get_trailer(q), "/Info"), key);
	return qpdf_oh_is_string(q, v) ? xstrdup(qpdf_oh_get_utf8_value(q, v)) : NULL;
}

/* The XMP of the Info dictionary as set. */
static void metadata(struct pd_merge *m, qpdf_oh root, unsigned claims)
{
	qpdf_data q = m->q;
	struct pd_xmp x = {.title = info_copy(q, "/Title"), .claims = claims};
	x.author = info_copy(q, "/Author");
	x.creator = info_copy(q, "/Creator");
	x.created = info_copy(q, "/CreationDate");
	x.modified = info_copy(q, "/ModDate");
	struct pd_buf b = {0};
	xmp_packet(&b, &x);
	qpdf_oh md = qpdf_oh_new_stream(q);
	qpdf_oh_replace_stream_data(q, md, (const unsigned char *)b.s, b.len, qpdf_oh_new_null(q),
				    qpdf_oh_new_null(q)); /* not compressed (PDF/A) */
	qpdf_oh dict = qpdf_oh_get_dict(q, md);
	qpdf_oh_replace_key(q, dict, "/Type", qpdf_oh_new_name(q, "/Metadata"));
	qpdf_oh_replace_key(q, dict, "/Subtype", qpdf_oh_new_name(q, "/XML"));
	qpdf_oh_replace_key(q, root, "/Metadata", md);
	buf_free(&b);
	free((char *)x.title), free((char *)x.author), free((char *)x.creator);
	free((char *)x.created), free((char *)x.modified);
}

void tags_finish(struct pd_merge *m, qpdf_oh root, unsigned claims)
{
	qpdf_data q = m->q;
	if (!m->tree_id)
		return;
	qpdf_oh tree = by_id(m, m->tree_id);
	qpdf_oh_replace_key(q, tree, "/ParentTreeNextKey", qpdf_oh_new_integer(q, m->next_key));
	for (int i = 0; i < 2; i++) {
		qpdf_oh map = by_id(m, m->maps_id[i]);
		qpdf_oh_begin_dict_key_iter(q, map);
		if (qpdf_oh_dict_more_keys(q))
			qpdf_oh_replace_key(q, tree, maps[i], map);
	}
	write_ids(m, tree);
	qpdf_oh_replace_key(q, root, "/StructTreeRoot", tree);
	qpdf_oh_replace_key(q, root, "/MarkInfo", qpdf_oh_parse(q, "<< /Marked true >>"));
	qpdf_oh_replace_key(q, root, "/ViewerPreferences", qpdf_oh_parse(q, "<< /DisplayDocTitle true >>"));
	qpdf_oh_replace_key(q, root, "/Lang", qpdf_oh_new_unicode_string(q, m->lang ? m->lang : "en-US"));
	if (m->conflict)
		claims &= ~(unsigned)PD_CLAIM_PDFUA;
	if (!m->intents_id)
		claims &= ~(unsigned)PD_CLAIM_PDFA;
	else /* kept whatever is declared: a part taken out of the document may declare it */
		qpdf_oh_replace_key(q, root, "/OutputIntents", by_id(m, m->intents_id));
	metadata(m, root, claims);
}

void tags_free(struct pd_merge *m)
{
	free(m->conflict);
	for (size_t i = 0; i < m->nids; i++)
		free(m->ids[i].name);
	free(m->ids);
	free(m->part_title);
	free(m->lang);
}
