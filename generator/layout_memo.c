/* layout_memo: the paragraphs a process has set, kept by everything they were set from, so
 * that the boilerplate of a template is set once for a whole docket. In: a paragraph's
 * tokens and settings. Out: its lines, runs, rules and links, as set the first time. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "layout_impl.h"

#define MEMO_BUCKETS 4096
#define MEMO_BUDGET (8u << 20) /* bytes kept before the memo starts afresh */

struct memo_entry {
	struct memo_entry *next;
	uint64_t hash;
	char *key;
	size_t key_len;
	struct line *lines;
	struct pd_run *runs;
	struct pd_rule *rules;
	struct pd_link *links;
	size_t nlines, nruns, nrules, nlinks;
	char *pool; /* the texts of the runs and the links' addresses */
};

struct pd_layout_memo {
	struct memo_entry *bucket[MEMO_BUCKETS];
	size_t bytes;
};

struct pd_layout_memo *layout_memo_new(void)
{
	return xcalloc(1, sizeof(struct pd_layout_memo));
}

/* Everything lay_set_para reads, as bytes: the settings, the faces it may pick from, the list
 * marker, every token. */
uint64_t lay_memo_key(const struct lay *L, double size, int al, double left, double right,
		      struct pd_buf *key)
{
	struct {
		double size, left, right, page_w, leading, marker_x, rag, strike[2], marker_gap[2];
		struct pd_fontset set; /* the faces themselves: a set may sit where another was */
		const void *fonts;
		int al, hyph;
		char marker[32];
	} head;
	memset(&head, 0, sizeof head); /* padding too: the key is compared as bytes */
	head.size = size, head.left = left, head.right = right;
	head.page_w = L->st->page_w, head.leading = L->st->leading, head.marker_x = L->marker_x;
	head.rag = SP(RAGGED_STRETCH), head.strike[0] = SP(STRIKE_RAISE);
	head.strike[1] = SP(STRIKE_WEIGHT), head.marker_gap[0] = SP(LIST_MARKER_GAP);
	head.marker_gap[1] = SP(TASK_BOX);
	head.set = *L->in->set, head.fonts = L->in->fonts;
	head.al = al, head.hyph = L->hyph;
	snprintf(head.marker, sizeof head.marker, "%s", L->marker); /* zeros after it */
	buf_put(key, (const char *)&head, sizeof head);
	for (size_t i = 0; i < L->ntoks; i++) {
		const struct tok *t = &L->toks[i];
		struct {
			int kind, style, strike;
			unsigned len, link_len;
		} tk = {(int)t->kind, t->style, t->strike, t->kind == TK_TEXT ? (unsigned)t->len : 0,
			t->link ? (unsigned)strlen(t->link) + 1 : 0};
		buf_put(key, (const char *)&tk, sizeof tk);
		buf_put(key, t->s, tk.len);
		buf_put(key, t->link, tk.link_len);
	}
	return hash_bytes(key->s, key->len);
}

static void *copy_of(const void *p, size_t n)
{
	void *q = xmalloc(n ? n : 1);
	if (n)
		memcpy(q, p, n);
	return q;
}

bool lay_memo_find(struct lay *L, const struct pd_buf *key, uint64_t hash, struct para_out *po)
{
	if (!L->in->memo)
		return false;
	struct memo_entry *e = L->in->memo->bucket[hash % MEMO_BUCKETS];
	while (e &&
	       !(e->hash == hash && e->key_len == key->len && !memcmp(e->key, key->s, key->len)))
		e = e->next;
	if (!e)
		return false;
	size_t run0 = L->nruns, rule0 = L->nrules, link0 = L->nlinks;
	L->nlines = 0;
	struct line *ln = VEXTEND(lines, e->nlines);
	for (size_t i = 0; i < e->nlines; i++) {
		ln[i] = e->lines[i];
		ln[i].run0 += run0, ln[i].rule0 += rule0, ln[i].link0 += link0;
	}
	if (e->nruns)
		memcpy(VEXTEND(runs, e->nruns), e->runs, e->nruns * sizeof *e->runs);
	if (e->nrules)
		memcpy(VEXTEND(rules, e->nrules), e->rules, e->nrules * sizeof *e->rules);
	if (e->nlinks)
		memcpy(VEXTEND(links, e->nlinks), e->links, e->nlinks * sizeof *e->links);
	L->marker[0] = '\0'; /* drawn with the first line, as lay_set_para does */
	po->lines = L->lines;
	po->nlines = L->nlines;
	return true;
}

/* The paragraph just set (its runs, rules and links from run0, rule0 and link0 on). */
void lay_memo_keep(const struct lay *L, const struct pd_buf *key, uint64_t hash, size_t run0,
		   size_t rule0, size_t link0)
{
	struct pd_layout_memo *memo = L->in->memo;
	if (!memo)
		return;
	struct memo_entry *e = xcalloc(1, sizeof *e);
	e->hash = hash;
	e->key_len = key->len;
	e->key = copy_of(key->s, key->len);
	e->nlines = L->nlines, e->nruns = L->nruns - run0;
	e->nrules = L->nrules - rule0, e->nlinks = L->nlinks - link0;
	e->lines = copy_of(L->lines, e->nlines * sizeof *e->lines);
	e->runs = copy_of(L->runs + run0, e->nruns * sizeof *e->runs);
	e->rules = copy_of(L->rules + rule0, e->nrules * sizeof *e->rules);
	e->links = copy_of(L->links + link0, e->nlinks * sizeof *e->links);
	for (size_t i = 0; i < e->nlines; i++)
		e->lines[i].run0 -= run0, e->lines[i].rule0 -= rule0, e->lines[i].link0 -= link0;
	struct pd_buf pool = {0}; /* glyphs first: two bytes each, aligned as malloc's */
	for (size_t i = 0; i < e->nruns; i++) {
		const struct pd_run *r = &e->runs[i];
		if (r->glyphs)
			buf_put(&pool, (const char *)r->glyphs, 2 * utf8_count(r->text, r->len));
	}
	for (size_t i = 0; i < e->nruns; i++)
		buf_put(&pool, e->runs[i].text, e->runs[i].len);
	for (size_t i = 0; i < e->nlinks; i++)
		buf_put(&pool, e->links[i].uri, strlen(e->links[i].uri) + 1);
	e->pool = buf_take(&pool);
	const char *p = e->pool;
	for (size_t i = 0; i < e->nruns; i++)
		if (e->runs[i].glyphs) {
			e->runs[i].glyphs = (const uint16_t *)(const void *)p;
			p += 2 * utf8_count(e->runs[i].text, e->runs[i].len);
		}
	for (size_t i = 0; i < e->nruns; i++) {
		e->runs[i].text = p;
		p += e->runs[i].len;
	}
	for (size_t i = 0; i < e->nlinks; i++) {
		e->links[i].uri = p;
		p += strlen(p) + 1;
	}
	memo->bytes += sizeof *e + e->key_len + e->nlines * sizeof *e->lines +
		      e->nruns * sizeof *e->runs + e->nrules * sizeof *e->rules +
		      e->nlinks * sizeof *e->links + (size_t)(p - e->pool);
	e->next = memo->bucket[e->hash % MEMO_BUCKETS];
	memo->bucket[e->hash % MEMO_BUCKETS] = e;
}

static void forget(struct pd_layout_memo *memo)
{
	for (size_t b = 0; b < MEMO_BUCKETS; b++)
		while (memo->bucket[b]) {
			struct memo_entry *e = memo->bucket[b];
			memo->bucket[b] = e->next;
			free(e->key);
			free(e->lines);
			free(e->runs);
			free(e->rules);
			free(e->links);
			free(e->pool);
			free(e);
		}
	memo->bytes = 0;
}

void layout_memo_free(struct pd_layout_memo *memo)
{
	if (!memo)
		return;
	forget(memo);
	free(memo);
}

void lay_memo_trim(struct pd_layout_memo *memo)
{
	if (memo && memo->bytes > MEMO_BUDGET)
		forget(memo);
}
