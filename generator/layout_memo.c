/* layout_memo: the paragraphs a process has set, kept by everything they were set from, so
 * that the boilerplate of a template is set once for a whole docket. In: a paragraph's
 * tokens and settings. Out: its lines, runs, rules and links, as set the first time. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "layout_impl.h"

#define MEMO_BUCKETS 4096
#define MEMO_BUDGET (8u << 20) /* bytes kept before the memo starts afresh */

/* A token as the key holds it; its text and link (with its NUL) follow in the key's pool. */
struct memo_tok {
	int kind, style, strike;
	unsigned len, link_len;
};

struct memo_entry {
	struct memo_entry *next;
	uint64_t hash;
	struct lay_memo_head head;
	struct memo_tok *toks;
	size_t ntoks;
	char *text; /* the tokens' texts and links, in order */
	struct line *lines;
	struct pd_run *runs;
	struct pd_rule *rules;
	struct pd_link *links;
	size_t nlines, nruns, nrules, nlinks;
	char *pool; /* the texts of the runs and the links' addresses */
};

#define SPARE_MAX (4u << 20) /* bytes of a vector worth keeping for the next document */

struct pd_layout_memo {
	struct memo_entry *bucket[MEMO_BUCKETS];
	size_t bytes;
	struct lay_words *words;
	struct spare {
		void *p;
		size_t cap;
	} spare[LAY_NVECTORS]; /* in the order of LAY_VECTORS */
};

struct pd_layout_memo *layout_memo_new(void)
{
	struct pd_layout_memo *memo = xcalloc(1, sizeof(struct pd_layout_memo));
	memo->words = lay_words_new();
	return memo;
}

struct lay_words *lay_memo_words(struct pd_layout_memo *memo) { return memo->words; }

static void head_of(const struct lay *L, const struct lay_para_set *ps,
		    struct lay_memo_head *head)
{
	memset(head, 0, sizeof *head); /* padding too: the head is compared as bytes */
	head->size = ps->size, head->left = ps->left, head->right = ps->right;
	head->page_w = L->st->page_w, head->leading = L->st->leading, head->marker_x = L->marker_x;
	head->rag = SP(RAGGED_STRETCH), head->strike[0] = SP(STRIKE_RAISE);
	head->strike[1] = SP(STRIKE_WEIGHT), head->marker_gap[0] = SP(LIST_MARKER_GAP);
	head->marker_gap[1] = SP(TASK_BOX);
	head->set = *L->in->set, head->fonts = L->in->fonts;
	head->al = ps->al, head->hyph = L->hyph, head->marker_rtl = L->marker_rtl;
	memcpy(head->marker, L->marker, strnlen(L->marker, sizeof head->marker - 1));
}

/* The length of a token's text in the key (a space's is not in it). */
static size_t key_len(const struct tok *t) { return t->kind == TK_TEXT ? t->len : 0; }

static struct memo_tok tok_of(const struct tok *t)
{
	return (struct memo_tok){(int)t->kind, t->style, t->strike, (unsigned)key_len(t),
				 t->link ? (unsigned)strlen(t->link) + 1 : 0};
}

/* Hashes everything lay_set_para reads: the settings, the faces it may pick from, the list
 * marker, every token (kind, style, strike, text, link). */
uint64_t lay_memo_key(const struct lay *L, const struct lay_para_set *ps,
		      struct lay_memo_head *head)
{
	head_of(L, ps, head);
	uint64_t h = lay_mix_bytes(14695981039346656037ull, head, sizeof *head);
	for (size_t i = 0; i < L->ntoks; i++) { /* a link's address is left to same_key */
		const struct tok *t = &L->toks[i];
		size_t len = key_len(t);
		h = lay_mix(h, (uint64_t)len ^ (uint64_t)t->kind << 32 ^ (uint64_t)t->style << 36 ^
				   (uint64_t)t->strike << 60 ^ (uint64_t)(t->link != NULL) << 61);
		h = lay_mix_bytes(h, t->s, len);
	}
	return h;
}

/* Whether the entry was set from the same head and tokens as L's. */
static bool same_key(const struct lay *L, const struct lay_memo_head *head, const struct memo_entry *e)
{
	if (e->ntoks != L->ntoks || memcmp(&e->head, head, sizeof *head))
		return false;
	const char *p = e->text;
	for (size_t i = 0; i < L->ntoks; i++) {
		const struct tok *t = &L->toks[i];
		const struct memo_tok *k = &e->toks[i];
		size_t len = key_len(t);
		if ((int)t->kind != k->kind || t->style != k->style || t->strike != k->strike ||
		    len != k->len || !t->link != !k->link_len || memcmp(p, t->s, len) ||
		    (t->link && strcmp(p + len, t->link)))
			return false;
		p += k->len + k->link_len;
	}
	return true;
}

/* The entry's copy of L's tokens. */
static void keep_toks(const struct lay *L, struct memo_entry *e)
{
	size_t bytes = 0;
	e->ntoks = L->ntoks;
	e->toks = xmalloc((L->ntoks ? L->ntoks : 1) * sizeof *e->toks);
	for (size_t i = 0; i < L->ntoks; i++) {
		e->toks[i] = tok_of(&L->toks[i]);
		bytes += e->toks[i].len + e->toks[i].link_len;
	}
	char *p = e->text = xmalloc(bytes ? bytes : 1);
	for (size_t i = 0; i < L->ntoks; i++) {
		memcpy(p, L->toks[i].s, e->toks[i].len);
		p += e->toks[i].len;
		if (e->toks[i].link_len)
			memcpy(p, L->toks[i].link, e->toks[i].link_len);
		p += e->toks[i].link_len;
	}
}

void *lay_memdup(const void *p, size_t n)
{
	void *q = xmalloc(n ? n : 1);
	if (n)
		memcpy(q, p, n);
	return q;
}

bool lay_memo_find(struct lay *L, const struct lay_memo_head *head, uint64_t hash,
		   struct para_out *po)
{
	if (!L->in->memo)
		return false;
	struct memo_entry *e = L->in->memo->bucket[hash % MEMO_BUCKETS];
	while (e && !(e->hash == hash && same_key(L, head, e)))
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
void lay_memo_keep(const struct lay *L, const struct lay_memo_head *head, uint64_t hash,
		   size_t run0, size_t rule0, size_t link0)
{
	struct pd_layout_memo *memo = L->in->memo;
	if (!memo)
		return;
	struct memo_entry *e = xcalloc(1, sizeof *e);
	e->hash = hash;
	e->head = *head;
	keep_toks(L, e);
	const char *text_end = e->text;
	for (size_t i = 0; i < e->ntoks; i++)
		text_end += e->toks[i].len + e->toks[i].link_len;
	e->nlines = L->nlines, e->nruns = L->nruns - run0;
	e->nrules = L->nrules - rule0, e->nlinks = L->nlinks - link0;
	e->lines = lay_memdup(L->lines, e->nlines * sizeof *e->lines);
	e->runs = lay_memdup(L->runs + run0, e->nruns * sizeof *e->runs);
	e->rules = lay_memdup(L->rules + rule0, e->nrules * sizeof *e->rules);
	e->links = lay_memdup(L->links + link0, e->nlinks * sizeof *e->links);
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
	memo->bytes += sizeof *e + e->ntoks * sizeof *e->toks + (size_t)(text_end - e->text) +
		       e->nlines * sizeof *e->lines +
		      e->nruns * sizeof *e->runs + e->nrules * sizeof *e->rules +
		      e->nlinks * sizeof *e->links + (size_t)(p - e->pool);
	e->next = memo->bucket[e->hash % MEMO_BUCKETS];
	memo->bucket[e->hash % MEMO_BUCKETS] = e;
}

void lay_memo_lend(struct pd_layout_memo *memo, struct lay *L)
{
	if (!memo)
		return;
	struct spare *sp = memo->spare;
#define LEND(v) L->v = sp->p, L->n##v = 0, L->cap_##v = sp->cap, *sp++ = (struct spare){0};
	LAY_VECTORS(LEND)
#undef LEND
}

void lay_memo_give_back(struct pd_layout_memo *memo, struct lay *L)
{
	struct spare *sp = memo ? memo->spare : NULL;
#define GIVE(v)                                                                                    \
	if (sp && L->cap_##v * sizeof *L->v <= SPARE_MAX)                                          \
		free(sp->p), *sp = (struct spare){L->v, L->cap_##v};                               \
	else                                                                                       \
		free(L->v);                                                                        \
	sp += sp != NULL;
	LAY_VECTORS(GIVE)
#undef GIVE
}

static void forget(struct pd_layout_memo *memo)
{
	for (size_t b = 0; b < MEMO_BUCKETS; b++)
		while (memo->bucket[b]) {
			struct memo_entry *e = memo->bucket[b];
			memo->bucket[b] = e->next;
			free(e->toks);
			free(e->text);
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
	lay_words_free(memo->words);
	for (size_t i = 0; i < LAY_NVECTORS; i++)
		free(memo->spare[i].p);
	free(memo);
}

void lay_memo_trim(struct pd_layout_memo *memo)
{
	if (memo && memo->bytes > MEMO_BUDGET)
		forget(memo);
	if (memo)
		lay_words_trim(memo->words);
}
