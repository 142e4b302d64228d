/* layout: layout stage of typesetting (after md and style, before out_*).
 * In: a cmark-gfm tree, a page style and fonts. Out: pages of positioned runs (pd_layout). */
#include "layout.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm.h>

#include "layout_impl.h"

/* ------------------------------------------------------------------ vectors */

void *lay_extend(void **v, size_t *n, size_t *cap, size_t size, size_t count)
{
	if (*n + count > *cap) {
		while (*n + count > *cap)
			*cap = *cap ? *cap * 2 : 32;
		*v = xrealloc(*v, *cap * size);
	}
	char *p = (char *)*v + *n * size;
	*n += count;
	return p;
}

void *lay_push(void **v, size_t *n, size_t *cap, size_t size)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 32;
		*v = xrealloc(*v, *cap * size);
	}
	char *p = (char *)*v + (*n)++ * size;
	memset(p, 0, size);
	return p;
}

/* ------------------------------------------------------------------ structure */

int lay_elem(struct lay *L, enum pd_tag tag)
{
	struct pd_elem *e = VPUSH(elems);
	e->tag = tag;
	e->parent = L->elem >= 0 ? L->elem : 0;
	return (int)L->nelems - 1;
}

/* ------------------------------------------------------------------ places */

/* The place of the first occurrence of text[0..len) from the start of the current block's
 * line (cmark's inline positions are not reliable); the block's own place if none. */
struct pd_loc lay_text_loc(const struct lay *L, const char *text, size_t len)
{
	const struct md_doc *doc = L->in->doc;
	struct pd_loc loc = L->loc;
	const char *line = doc->text, *end = doc->text + doc->len;
	for (int l = doc->first_line; l < loc.line && line; l++) {
		line = memchr(line, '\n', (size_t)(end - line));
		line = line ? line + 1 : NULL;
	}
	const char *at = NULL;
	for (const char *p = line; p && len && !at && p + len <= end; p++)
		if (*p == *text && !memcmp(p, text, len))
			at = p;
	if (!at)
		return loc;
	struct pd_loc in = diag_loc_at(loc.file, line, (size_t)(end - line), (size_t)(at - line));
	return (struct pd_loc){loc.file, loc.line + in.line - 1, in.col};
}

/* ------------------------------------------------------------------ inline tokens */

static bool link_allowed(const char *url)
{
	return !strncasecmp(url, "http://", 7) || !strncasecmp(url, "https://", 8) ||
	       !strncasecmp(url, "mailto:", 7);
}

static void tok_add(struct lay *L, enum tok_kind k, const char *s, size_t len, int style,
		    bool strike, const char *link)
{
	*VEXTEND(toks, 1) = (struct tok){k, s, len, style, strike, link, 0};
}

/* What a character of inline text is to tok_text: a space (space, tab, newline), one the rule
 * for quotes, dashes and ellipses may change (each character special_at in layout_text.c
 * starts at: a rule starting at another must add it here), or neither. */
enum { CH_PLAIN, CH_SPACE, CH_SMART };
static const unsigned char char_kind[256] = {
    [' '] = CH_SPACE, ['\n'] = CH_SPACE, ['\t'] = CH_SPACE, ['\r'] = CH_SPACE,
    ['\''] = CH_SMART, ['"'] = CH_SMART,   ['-'] = CH_SMART,   ['.'] = CH_SMART};

/* Splits text at spaces, tabs and newlines into TEXT and SPACE tokens; a word with no
 * character the rule may change is not looked at again. */
static void tok_text(struct lay *L, const char *s, size_t len, int style, bool strike,
		     const char *link)
{
	size_t i = 0;
	while (i < len) {
		if (char_kind[(unsigned char)s[i]] == CH_SPACE) {
			while (i < len && char_kind[(unsigned char)s[i]] == CH_SPACE)
				i++;
			tok_add(L, TK_SPACE, " ", 1, style, strike, link);
			continue;
		}
		size_t j = i;
		int kinds = 0;
		for (int k; j < len && (k = char_kind[(unsigned char)s[j]]) != CH_SPACE; j++)
			kinds |= k;
		size_t n = j - i;
		bool smart = kinds && !(style & ST_MONO);
		const char *w = smart ? lay_smart_text(L, s + i, &n) : s + i;
		tok_add(L, TK_TEXT, w, n, style, strike, link);
		i = j;
	}
}

/* A footnote reference with no definition reaches the text as "[^label]": a warning at it. */
static void undefined_note(struct lay *L, const char *lit)
{
	const char *at = strstr(lit, "[^");
	const char *end = at ? strchr(at, ']') : NULL;
	if (!end || L->measuring || end == at + 2)
		return;
	diag_warn(L->diags, lay_text_loc(L, at, (size_t)(end - at + 1)),
		  "footnote '%.*s' has no definition ('%.*s: ...' on a line of its own); printed as "
		  "text",
		  (int)(end - at + 1), at, (int)(end - at + 1), at);
}

void lay_inlines(struct lay *L, cmark_node *n, int style, bool strike, const char *link)
{
	for (cmark_node *c = cmark_node_first_child(n); c; c = cmark_node_next(c)) {
		const char *lit = cmark_node_get_literal(c);
		switch (cmark_node_get_type(c)) {
		case CMARK_NODE_TEXT:
			undefined_note(L, lit);
			tok_text(L, lit, strlen(lit), style, strike, link);
			break;
		case CMARK_NODE_CODE:
			tok_text(L, lit, strlen(lit), style | ST_MONO, strike, link);
			break;
		case CMARK_NODE_SOFTBREAK:
			tok_add(L, TK_SPACE, " ", 1, style, strike, link);
			break;
		case CMARK_NODE_LINEBREAK:
			tok_add(L, TK_BREAK, "", 0, style, strike, link);
			break;
		case CMARK_NODE_EMPH:
			lay_inlines(L, c, style | ST_ITALIC, strike, link);
			break;
		case CMARK_NODE_STRONG:
			lay_inlines(L, c, style | ST_BOLD, strike, link);
			break;
		case CMARK_NODE_LINK: {
			const char *url = cmark_node_get_url(c);
			const char *use = link;
			if (url && link_allowed(url))
				use = arena_strdup(L->arena, url);
			else
				diag_warn(L->diags, url ? lay_text_loc(L, url, strlen(url)) : L->loc,
					  "link to '%s' is not clickable: only http, https and mailto "
					  "links are allowed",
					  url ? url : "");
			lay_inlines(L, c, style, strike, use);
			break;
		}
		case CMARK_NODE_IMAGE: /* placed only as a paragraph of its own */
			if (!L->measuring) {
				const char *url = cmark_node_get_url(c);
				diag_error(L->diags, url ? lay_text_loc(L, url, strlen(url)) : L->loc,
					   "image '%s' inside a line of text or a table cell is not "
					   "placed: give it a paragraph of its own",
					   url ? url : "");
			}
			break;
		case CMARK_NODE_FOOTNOTE_REFERENCE: /* its literal is the footnote's number */
			tok_add(L, TK_TEXT, lit, strlen(lit), style | ST_SUPER, strike, NULL);
			L->toks[L->ntoks - 1].note = atoi(lit);
			break;
		case CMARK_NODE_HTML_INLINE:
			diag_warn(L->diags, lit ? lay_text_loc(L, lit, strlen(lit)) : L->loc,
				  "raw HTML is not rendered: '%.40s'", lit ? lit : "");
			break;
		default:
			if (!strcmp(cmark_node_get_type_string(c), "strikethrough"))
				lay_inlines(L, c, style, true, link);
			else
				lay_inlines(L, c, style, strike, link);
			break;
		}
	}
}

void lay_plain(struct lay *L, const char *s, int style)
{
	L->ntoks = 0;
	tok_text(L, s, strlen(s), style, false, NULL);
}

/* Plain text of a node's inlines, for bookmarks. */
static void plain_text(cmark_node *n, struct pd_buf *b)
{
	for (cmark_node *c = cmark_node_first_child(n); c; c = cmark_node_next(c)) {
		cmark_node_type t = cmark_node_get_type(c);
		if (t == CMARK_NODE_TEXT || t == CMARK_NODE_CODE)
			buf_puts(b, cmark_node_get_literal(c));
		else if (t == CMARK_NODE_SOFTBREAK || t == CMARK_NODE_LINEBREAK)
			buf_putc(b, ' ');
		else if (t != CMARK_NODE_HTML_INLINE)
			plain_text(c, b);
	}
}

/* ------------------------------------------------------------------ vertical list */

void lay_glue(struct lay *L, double h)
{
	struct vitem *v = VPUSH(vl);
	v->type = VI_GLUE;
	v->h = h;
}

void lay_penalty(struct lay *L, int pen)
{
	if (L->keep && pen > -LB_INF)
		return;
	struct vitem *v = VPUSH(vl);
	v->type = VI_PEN;
	v->pen = pen;
}

/* Starts a box: everything added to runs/rules/images/links until lay_box_end. */
void lay_box_begin(struct lay *L, struct vitem *box)
{
	memset(box, 0, sizeof *box);
	box->type = VI_BOX;
	box->run0 = L->nruns;
	box->rule0 = L->nrules;
	box->img0 = L->nimgs;
	box->link0 = L->nlinks;
	box->outline = -1;
	box->thead = -1;
}

size_t lay_box_end(struct lay *L, struct vitem *box, double h)
{
	box->h = h;
	box->nrun = L->nruns - box->run0;
	box->nrule = L->nrules - box->rule0;
	box->nimg = L->nimgs - box->img0;
	box->nlink = L->nlinks - box->link0;
	*VPUSH(vl) = *box;
	return L->nvl - 1;
}

/* Paragraph lines as boxes with page-break penalties: none that would leave fewer than
 * the house style's orphan lines at a page's foot or widow lines at the next page's head,
 * and one that is avoided after a line ending in a hyphen. */
void lay_lines_to_boxes(struct lay *L, struct para_out *po)
{
	size_t orphans = (size_t)SP(ORPHAN_LINES), widows = (size_t)SP(WIDOW_LINES);
	for (size_t i = 0; i < po->nlines; i++) {
		if (i > 0 && i >= orphans && po->nlines - i >= widows)
			lay_penalty(L, po->lines[i - 1].hyphen ? PEN_PAGE_HYPHEN : 0);
		struct vitem box;
		lay_box_begin(L, &box);
		box.run0 = po->lines[i].run0;
		box.rule0 = po->lines[i].rule0;
		box.link0 = po->lines[i].link0;
		box.h = po->lines[i].h;
		box.nrun = po->lines[i].nrun;
		box.nrule = po->lines[i].nrule;
		box.nlink = po->lines[i].nlink;
		box.note0 = po->lines[i].note0;
		box.nnote = po->lines[i].nnote;
		*VPUSH(vl) = box;
	}
}

/* Forbids the page breaks in vl[first..] that would leave fewer than the house style's
 * orphan lines of a block at a page's foot or widow lines at the next page's head (lines of
 * a paragraph, items of a list, rows of a table). */
static void hold_block_ends(struct lay *L, size_t first)
{
	size_t boxes = 0, seen = 0;
	for (size_t i = first; i < L->nvl; i++)
		boxes += L->vl[i].type == VI_BOX;
	for (size_t i = first; i < L->nvl; i++) {
		struct vitem *v = &L->vl[i];
		if (v->type == VI_BOX)
			seen++;
		else if (v->type == VI_PEN && v->pen > -LB_INF &&
			 (seen < (size_t)SP(ORPHAN_LINES) || boxes - seen < (size_t)SP(WIDOW_LINES)))
			v->pen = LB_INF;
	}
}

/* Forbids the page breaks among the last `lines` lines set (a '::: closing' block takes
 * them to its page), back to a forced break at most. */
static void hold_lines_before(struct lay *L, int lines)
{
	int seen = 0;
	for (size_t i = L->nvl; i-- > 0 && seen < lines;) {
		struct vitem *v = &L->vl[i];
		if (v->type == VI_BOX)
			seen++;
		else if (v->type == VI_PEN && v->pen <= -LB_INF)
			break;
		else if (v->type == VI_PEN)
			v->pen = LB_INF;
	}
}

/* ------------------------------------------------------------------ blocks */

static double line_h(const struct lay *L) { return L->st->size * L->st->leading; }

static struct pd_loc node_loc(const struct lay *L, cmark_node *n)
{
	return md_loc(L->in->doc, cmark_node_get_start_line(n), cmark_node_get_start_column(n));
}

static void paragraph(struct lay *L, cmark_node *n, int style, double size, enum align al,
		      int outline_level)
{
	L->ntoks = 0;
	lay_inlines(L, n, style, false, NULL);
	struct para_out po;
	lay_set_para(L, size, al, L->left, L->right, &po);
	size_t first = L->nvl;
	lay_lines_to_boxes(L, &po);
	if (outline_level > 0 && L->nvl > first) {
		struct pd_buf b = {0};
		plain_text(n, &b);
		char *title = layout_smart_text(b.s ? b.s : "");
		struct pd_outline *o = VPUSH(outl);
		o->title = arena_strdup(L->arena, title);
		free(title);
		o->level = outline_level;
		buf_free(&b);
		for (size_t i = first; i < L->nvl; i++)
			if (L->vl[i].type == VI_BOX) {
				L->vl[i].outline = (int)(L->noutl - 1);
				break;
			}
	}
}

static void block(struct lay *L, cmark_node *n, int depth);
static bool keeps_with_next(cmark_node *n);

/* The images of a paragraph with no text are placed as blocks of their own, in order. */
static bool has_text(cmark_node *n)
{
	for (cmark_node *c = cmark_node_first_child(n); c; c = cmark_node_next(c)) {
		cmark_node_type t = cmark_node_get_type(c);
		if (t == CMARK_NODE_IMAGE)
			continue;
		if (t == CMARK_NODE_TEXT) {
			for (const char *s = cmark_node_get_literal(c); *s; s++)
				if (*s != ' ' && *s != '\t' && *s != '\n')
					return true;
			continue;
		}
		if (t == CMARK_NODE_SOFTBREAK || t == CMARK_NODE_LINEBREAK)
			continue;
		return true;
	}
	return false;
}

/* Each image a Figure whose alternate text is the image's description ("![...]"). */
static void images_of(struct lay *L, cmark_node *n)
{
	for (cmark_node *c = cmark_node_first_child(n); c; c = cmark_node_next(c)) {
		if (cmark_node_get_type(c) != CMARK_NODE_IMAGE)
			continue;
		struct pd_buf alt = {0};
		plain_text(c, &alt);
		const char *url = cmark_node_get_url(c);
		if (!alt.len && L->st->tagged)
			diag_error(L->diags, url && *url ? lay_text_loc(L, url, strlen(url)) : L->loc,
				   "image '%s' has no description: write what it shows between the "
				   "brackets, ![...](%s), for a reader who cannot see it",
				   url ? url : "", url ? url : "");
		int save = L->elem;
		L->elem = lay_elem(L, PD_TAG_FIGURE);
		L->elems[L->elem].text = arena_strdup(L->arena, alt.s ? alt.s : "");
		lay_image_block(L, url, cmark_node_get_title(c));
		L->elem = save;
		buf_free(&alt);
	}
}

static void list_block(struct lay *L, cmark_node *n, int depth)
{
	bool ordered = cmark_node_get_list_type(n) == CMARK_ORDERED_LIST;
	bool tight = cmark_node_get_list_tight(n);
	int num = cmark_node_get_list_start(n);
	char delim = cmark_node_get_list_delim(n) == CMARK_PAREN_DELIM ? ')' : '.';
	static const char *const bullets[] = {"\xE2\x80\xA2", "\xE2\x80\x93", "\xE2\x80\xA2"};
	double indent = SP_EM(LIST_INDENT);
	int k = 0;
	for (cmark_node *it = cmark_node_first_child(n); it; it = cmark_node_next(it), k++) {
		if (k > 0)
			lay_glue(L, tight ? SP_LH(LIST_GAP_TIGHT) : SP_LH(LIST_GAP_LOOSE));
		if (k > 0)
			lay_penalty(L, 0);
		char mark[32];
		if (ordered)
			snprintf(mark, sizeof mark, "%d%c", num + k, delim);
		else
			snprintf(mark, sizeof mark, "%s", bullets[depth % 3]);
		double save_left = L->left, save_right = L->right;
		bool rtl = lay_node_rtl(it); /* its indent and marker on the right */
		if (L->st->page_w - L->left - L->right - indent >= 0.5 * style_measure(L->st))
			*(rtl ? &L->right : &L->left) += indent; /* deeper levels stop indenting */
		if (!strcmp(cmark_node_get_type_string(it), "tasklist"))
			snprintf(mark, sizeof mark, "%s",
				 cmark_gfm_extensions_get_tasklist_item_checked(it) ? "[x]" : "[ ]");
		snprintf(L->marker, sizeof L->marker, "%s", mark);
		L->marker_x = rtl ? L->st->page_w - L->right : L->left;
		L->marker_rtl = rtl;
		int list = L->elem, li = lay_elem(L, PD_TAG_LI);
		L->elem = li;
		L->lbl = lay_elem(L, PD_TAG_LBL);
		L->elem = lay_elem(L, PD_TAG_LBODY);
		int j = 0;
		for (cmark_node *c = cmark_node_first_child(it); c; c = cmark_node_next(c), j++) {
			if (j > 0) {
				lay_glue(L, tight ? SP_LH(LIST_GAP_TIGHT) : SP_LH(LIST_GAP_LOOSE));
				if (!keeps_with_next(cmark_node_previous(c)))
					lay_penalty(L, 0);
			}
			block(L, c, depth + 1);
		}
		L->marker[0] = '\0';
		L->marker_rtl = false;
		L->left = save_left;
		L->right = save_right;
		L->elem = list;
	}
}

static void code_block(struct lay *L, cmark_node *n)
{
	const char *lit = cmark_node_get_literal(n);
	double size = SP_EM(CODE_SIZE);
	size_t len = strlen(lit);
	if (len && lit[len - 1] == '\n')
		len--;
	size_t nl = 0, total = 1;
	for (size_t i = 0; i < len; i++)
		total += lit[i] == '\n';
	for (size_t i = 0; i <= len; nl++) {
		size_t e = i;
		while (e < len && lit[e] != '\n')
			e++;
		if (nl > 0 && nl >= (size_t)SP(ORPHAN_LINES) && total - nl >= (size_t)SP(WIDOW_LINES))
			lay_penalty(L, 0);
		L->ntoks = 0;
		/* one word per source line: spaces kept, broken only when too wide */
		if (e > i)
			tok_add(L, TK_TEXT, lit + i, e - i, ST_MONO, false, NULL);
		struct para_out po;
		lay_set_para(L, size, AL_LEFT, L->left + SP_EM(CODE_INDENT), L->right, &po);
		if (po.nlines == 0) {
			struct vitem box;
			lay_box_begin(L, &box);
			lay_box_end(L, &box, size * L->st->leading);
		}
		lay_lines_to_boxes(L, &po);
		i = e + 1;
	}
}

static void thematic(struct lay *L)
{
	struct vitem box;
	lay_box_begin(L, &box);
	double h = line_h(L);
	struct pd_rule *r = VPUSH(rules);
	*r = (struct pd_rule){L->left, h / 2, L->st->page_w - L->right, h / 2, SP(RULE_THEMATIC)};
	lay_box_end(L, &box, h);
}

/* The structure level of a heading: its depth among the headings open above it, so that
 * no level is skipped (a letter's "####" sections are H1 when nothing is above them). */
static enum pd_tag heading_tag(struct lay *L, int level)
{
	while (L->nheadings && L->headings[L->nheadings - 1] >= level)
		L->nheadings--;
	if (L->nheadings < 6)
		L->headings[L->nheadings++] = level;
	return (enum pd_tag)(PD_TAG_H1 + L->nheadings - 1);
}

/* A heading: its lines never part, and body() puts no break between it and what follows. */
static void heading(struct lay *L, cmark_node *n)
{
	int level = cmark_node_get_heading_level(n);
	const double scale[] = {SP(HEADING1_SIZE), SP(HEADING1_SIZE), SP(HEADING2_SIZE),
				SP(HEADING3_SIZE), 1.0};
	int style = level >= 3 ? ST_BOLD | ST_ITALIC : ST_BOLD;
	if (level > 3)
		style = ST_BOLD;
	bool keep = L->keep;
	L->keep = true;
	L->elem = lay_elem(L, heading_tag(L, level));
	paragraph(L, n, style, L->st->size * scale[level > 4 ? 4 : level], AL_LEFT,
		  level <= 3 ? level : 3);
	L->keep = keep;
}

static bool is_table(cmark_node *n)
{
	return n && !strcmp(cmark_node_get_type_string(n), "table");
}

static void block(struct lay *L, cmark_node *n, int depth)
{
	struct pd_loc save = L->loc;
	int elem = L->elem;
	L->loc = node_loc(L, n);
	switch (cmark_node_get_type(n)) {
	case CMARK_NODE_PARAGRAPH:
		L->hyph = style_hyphenates(L->st);
		if (has_text(n) && (L->elem = lay_elem(L, PD_TAG_P)) >= 0)
			paragraph(L, n, 0, L->st->size, L->st->justify ? AL_JUSTIFY : AL_LEFT, 0);
		else
			images_of(L, n);
		L->hyph = false;
		break;
	case CMARK_NODE_HEADING:
		heading(L, n);
		break;
	case CMARK_NODE_LIST:
		L->elem = lay_elem(L, PD_TAG_L);
		L->elems[L->elem].ordered = cmark_node_get_list_type(n) == CMARK_ORDERED_LIST;
		list_block(L, n, depth);
		break;
	case CMARK_NODE_BLOCK_QUOTE: {
		L->elem = lay_elem(L, PD_TAG_BLOCKQUOTE);
		double l = L->left, r = L->right;
		double in = SP_EM(QUOTE_INDENT);
		if (L->st->page_w - L->left - L->right - 2 * in >= 0.5 * style_measure(L->st)) {
			L->left += in;
			L->right += in;
		}
		int k = 0;
		for (cmark_node *c = cmark_node_first_child(n); c; c = cmark_node_next(c), k++) {
			if (k) {
				lay_glue(L, SP_LH(QUOTE_GAP));
				if (!keeps_with_next(cmark_node_previous(c)))
					lay_penalty(L, 0);
			}
			block(L, c, depth);
		}
		L->left = l;
		L->right = r;
		break;
	}
	case CMARK_NODE_CODE_BLOCK:
		L->elem = lay_elem(L, PD_TAG_CODE);
		code_block(L, n);
		break;
	case CMARK_NODE_THEMATIC_BREAK:
		thematic(L);
		break;
	case CMARK_NODE_HTML_BLOCK:
		diag_warn(L->diags, L->loc, "raw HTML is not rendered");
		break;
	default:
		if (is_table(n))
			lay_table(L, n);
		break;
	}
	L->loc = save;
	L->elem = elem;
}

/* ------------------------------------------------------------------ top level */

static bool renders(cmark_node *n)
{
	return cmark_node_get_type(n) != CMARK_NODE_HTML_BLOCK;
}

/* Index of the keep region holding line, or -1; *closing tells whether it is a
 * '::: closing' block. */
static int keep_region(const struct md_doc *doc, int line, bool *closing)
{
	int open = -1, region = 0;
	bool is_closing = false;
	*closing = false;
	for (size_t i = 0; i < doc->nmarks; i++) {
		if (doc->marks[i].kind == MD_KEEP_BEGIN) {
			open = doc->marks[i].line;
			is_closing = doc->marks[i].closing;
		} else if (doc->marks[i].kind == MD_KEEP_END) {
			if (open >= 0 && line > open && line < doc->marks[i].line) {
				*closing = is_closing;
				return region;
			}
			open = -1;
			region++;
		}
	}
	return -1;
}

/* The last inline of a block, descending into emphasis and links. */
static cmark_node *last_inline(cmark_node *n)
{
	cmark_node *c = cmark_node_last_child(n);
	while (c && cmark_node_last_child(c) && cmark_node_get_type(c) != CMARK_NODE_IMAGE)
		c = cmark_node_last_child(c);
	return c;
}

/* The last character of a paragraph's text, '\0' if it does not end in text. */
static char last_char_of(cmark_node *n)
{
	cmark_node *c = last_inline(n);
	const char *lit = c && cmark_node_get_type(c) == CMARK_NODE_TEXT ? cmark_node_get_literal(c)
									 : NULL;
	size_t len = lit ? strlen(lit) : 0;
	while (len && lit[len - 1] == ' ')
		len--;
	return len ? lit[len - 1] : '\0';
}

/* Whether block n reads as a letter's closing: one short line of text ending in a comma
 * ("Respectfully submitted,", "Sincerely,"). */
static bool is_closing(cmark_node *n)
{
	cmark_node *c = cmark_node_first_child(n);
	const char *lit = c && cmark_node_get_type(c) == CMARK_NODE_TEXT ? cmark_node_get_literal(c)
									 : NULL;
	return cmark_node_get_type(n) == CMARK_NODE_PARAGRAPH && lit && c == cmark_node_last_child(n) &&
	       strlen(lit) <= 40 && last_char_of(n) == ',';
}

/* Whether no page break may follow block n: a heading; a paragraph ending in a colon that
 * leads into the list or table after it ("Enclosures:"); a closing ("Respectfully
 * submitted,": one short line ending in a comma) or a "/s/" line, which keep with the
 * signature after them. */
static bool keeps_with_next(cmark_node *n)
{
	cmark_node_type t = cmark_node_get_type(n);
	if (t == CMARK_NODE_HEADING)
		return true;
	cmark_node *next = cmark_node_next(n), *first = cmark_node_first_child(n);
	if (t != CMARK_NODE_PARAGRAPH || !next)
		return false;
	char last = last_char_of(n);
	if (last == ':' && (cmark_node_get_type(next) == CMARK_NODE_LIST || is_table(next)))
		return true;
	while (first && cmark_node_first_child(first))
		first = cmark_node_first_child(first);
	const char *lit = first ? cmark_node_get_literal(first) : NULL;
	return (lit && !strncmp(lit, "/s/", 3)) || is_closing(n);
}

/* The space between block prev and block n, from the house style. */
static double gap_between(const struct lay *L, cmark_node *prev, cmark_node *n)
{
	bool h0 = cmark_node_get_type(prev) == CMARK_NODE_HEADING,
	     h1 = cmark_node_get_type(n) == CMARK_NODE_HEADING;
	if (h0)
		return h1 ? SP_LH(HEADING_RUN) : SP_LH(HEADING_BELOW);
	return h1 ? SP_LH(HEADING_ABOVE) : SP_LH(BLOCK_GAP);
}

/* A "::: columns" marker before block n (NULL: the end): kept for n's table, else a
 * warning. */
static void columns_mark(struct lay *L, const struct md_mark *m, cmark_node *n)
{
	struct pd_loc loc = md_loc(L->in->doc, m->line, 1);
	if (!is_table(n)) {
		diag_warn(L->diags, loc, "'::: columns' applies to the table right after it, "
					 "and none follows; ignored");
		return;
	}
	int ncols = cmark_gfm_extensions_get_table_columns(n);
	if (ncols != m->ncols) {
		diag_warn(L->diags, loc,
			  "'::: columns' gives %d widths for a table of %d columns; the widths "
			  "come from the content",
			  m->ncols, ncols);
		return;
	}
	L->columns = m;
}

/* Applies the markers before source line `line` (INT_MAX: all) to block n; returns
 * whether one of them is a page break. */
static bool marks_before(struct lay *L, size_t *mark, int line, cmark_node *n)
{
	const struct md_doc *doc = L->in->doc;
	bool brk = false;
	for (; *mark < doc->nmarks && doc->marks[*mark].line < line; (*mark)++) {
		const struct md_mark *m = &doc->marks[*mark];
		if (m->kind == MD_PAGEBREAK)
			brk = true;
		else if (m->kind == MD_COLUMNS)
			columns_mark(L, m, n);
		else if (m->kind == MD_LANG && n)
			L->lang = arena_strdup(L->arena, m->lang);
		else if (m->kind == MD_LANG)
			diag_warn(L->diags, md_loc(doc, m->line, 1), "'::: lang' applies to the block "
				  "right after it, and none follows; ignored");
	}
	return brk;
}

/* The tallest part of footnote n that cannot split (between two places where it may). */
static double note_piece(const struct lay *L, const struct note *nt)
{
	double h = 0, most = 0;
	for (size_t k = 0; k < nt->nvi; k++) {
		const struct vitem *v = &L->notes_vl[nt->vi0 + k];
		if (v->type == VI_PEN && v->pen < LB_INF)
			h = 0;
		else if (v->type != VI_PEN)
			most = fmax(most, h += v->h);
	}
	return most;
}

/* A footnote definition (cmark-gfm puts them after the text, in the order of their first
 * references): its blocks set at the footnote size, its number raised before its first
 * line, its items (with the places it may split) moved from the page's list to the
 * footnotes'. */
static void footnote(struct lay *L, cmark_node *n)
{
	size_t first = L->nvl;
	int seen = L->notes_seen; /* a reference inside a footnote cites nothing new on a page */
	char num[16];
	snprintf(num, sizeof num, "%zu", L->nnotes + 1);
	int elem = L->elem;
	L->elem = lay_elem(L, PD_TAG_NOTE);
	L->elems[L->elem].text = arena_printf(L->arena, "note-%s", num); /* its /ID */
	L->keep = false;
	int k = 0;
	for (cmark_node *c = cmark_node_first_child(n); c; c = cmark_node_next(c), k++) {
		if (k) {
			if (!keeps_with_next(cmark_node_previous(c)))
				lay_penalty(L, 0);
			lay_glue(L, 0.25 * SP_LH(BLOCK_GAP));
		}
		size_t b0 = L->nvl;
		if (cmark_node_get_type(c) != CMARK_NODE_PARAGRAPH || (k > 0 && !has_text(c))) {
			block(L, c, 0);
			hold_block_ends(L, b0);
			continue;
		}
		L->ntoks = 0;
		if (k == 0) {
			tok_add(L, TK_TEXT, arena_strdup(L->arena, num), strlen(num), ST_SUPER, false, NULL);
			tok_add(L, TK_SPACE, " ", 1, 0, false, NULL);
		}
		lay_inlines(L, c, 0, false, NULL);
		struct para_out po;
		lay_set_para(L, SP_EM(NOTE_SIZE), L->st->justify ? AL_JUSTIFY : AL_LEFT, L->left,
			     L->right, &po);
		lay_lines_to_boxes(L, &po);
	}
	struct note *nt = VPUSH(notes);
	nt->vi0 = L->nnotes_vl;
	for (size_t i = first; i < L->nvl; i++) {
		*VPUSH(notes_vl) = L->vl[i];
		nt->h += L->vl[i].type == VI_PEN ? 0 : L->vl[i].h;
	}
	nt->nvi = L->nnotes_vl - nt->vi0;
	L->nvl = first;
	L->notes_seen = seen;
	double room = lay_room(L) - SP_LH(NOTE_GAP) - 2 * L->st->size * L->st->leading;
	double piece = note_piece(L, nt);
	if (piece > room) /* it could not share a page with the line citing it */
		diag_error(L->diags, node_loc(L, n),
			   "footnote %zu has a part %.0f lines long that cannot split (an image, or a "
			   "paragraph too short to split), more than fits on a page beside the line that "
			   "cites it; make that part smaller or move it into the text",
			   L->nnotes, piece / (SP(NOTE_SIZE) * L->st->size * L->st->leading));
	L->elem = elem;
}

/* The blocks of the document with the page breaks allowed between them: none inside a
 * keep region, none after a block that keeps with the next, and a '::: closing' block
 * takes the last lines before it along. */
static void body(struct lay *L)
{
	const struct md_doc *doc = L->in->doc;
	size_t mark = 0;
	int prev_keep = -1;
	cmark_node *prev = NULL;
	for (cmark_node *n = cmark_node_first_child(doc->root); n; n = cmark_node_next(n)) {
		int line = cmark_node_get_start_line(n);
		L->columns = NULL;
		bool brk = marks_before(L, &mark, line, n), closing;
		if (!renders(n)) {
			block(L, n, 0);
			continue;
		}
		if (cmark_node_get_type(n) == CMARK_NODE_FOOTNOTE_DEFINITION) {
			footnote(L, n);
			continue;
		}
		int keep = keep_region(doc, line, &closing);
		bool starts = keep < 0 || keep != prev_keep;
		L->keep = false;
		if (brk)
			lay_penalty(L, -LB_INF);
		else if (prev && starts && (closing || (keep < 0 && is_closing(n))))
			hold_lines_before(L, (int)SP(CLOSING_LINES));
		else if (prev && starts && !keeps_with_next(prev))
			lay_penalty(L, 0);
		if (prev)
			lay_glue(L, gap_between(L, prev, n));
		L->keep = keep >= 0;
		size_t elem0 = L->nelems, first = L->nvl;
		block(L, n, 0);
		hold_block_ends(L, first);
		for (size_t e = elem0; e < L->nelems && L->lang; e++)
			if (L->elems[e].parent == 0)
				L->elems[e].lang = L->lang;
		L->lang = NULL;
		prev_keep = keep;
		prev = n;
	}
	marks_before(L, &mark, INT_MAX, NULL);
	L->columns = NULL;
	L->lang = NULL;
	L->keep = false;
}

int layout_doc(const struct pd_layout_in *in, struct pd_arena *arena, struct pd_layout *out,
	       struct pd_diags *diags)
{
	lay_memo_trim(in->memo);
	struct lay L = {0};
	lay_memo_lend(in->memo, &L);
	L.in = in;
	L.st = in->style;
	L.arena = arena;
	L.diags = diags;
	L.left = in->style->margin_left;
	L.right = in->style->margin_right;
	int errors = diags->errors;
	memset(out, 0, sizeof *out);
	L.elem = PD_ARTIFACT;
	lay_letterhead(&L);
	L.elem = lay_elem(&L, PD_TAG_DOCUMENT);
	L.elems[0].parent = -1;
	body(&L);
	if (diags->errors == errors) {
		lay_paginate(&L, out);
		out->nelems = L.nelems;
		out->elems = arena_alloc(arena, L.nelems * sizeof *out->elems);
		memcpy(out->elems, L.elems, L.nelems * sizeof *out->elems);
	}
	lay_memo_give_back(in->memo, &L);
	return diags->errors == errors ? 0 : -1;
}
