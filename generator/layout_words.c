/* layout_words: the words a process has set, kept by their tokens and what they were set with,
 * so that a word is shaped and broken once. In: a word's tokens, size, measure, hyphenation.
 * Out: its line-breaker items and fragments, as add_word made them the first time. */
#include <stdlib.h>
#include <string.h>

#include "layout_impl.h"

#define WORD_BUCKETS 8192
#define WORD_BUDGET (4u << 20) /* bytes kept before the words are forgotten */
#define WORD_CTXS 64           /* settings words are kept for */

/* What the words of a paragraph are set with: the settings and the faces they pick from. */
struct word_ctx {
	double size, measure;
	int hyph;
	struct pd_fontset set;
	const void *fonts, *dict;
};

/* A token as an entry holds it; its text follows in the entry's pool. */
struct word_tok {
	int style;
	unsigned len;
	bool strike, link;
};

struct word_entry {
	struct word_entry *next;
	uint64_t hash;
	int ctx;
	size_t ntoks, nitems, nfrags;
	struct word_tok *toks;
	struct lb_item *items;
	struct iext *iext;  /* f0 and hyphen from the word's first fragment */
	struct frag *frags; /* texts and glyphs in pool; tok and link set on use */
	unsigned *frag_tok; /* the token of each fragment, from the word's first */
	char *pool;         /* glyphs, fragments' texts, tokens' texts */
	const char *text;   /* the tokens' texts, in pool */
};

struct lay_words {
	struct word_entry *bucket[WORD_BUCKETS];
	struct word_ctx ctx[WORD_CTXS];
	int nctx;
	size_t bytes;
};

struct lay_words *lay_words_new(void)
{
	return xcalloc(1, sizeof(struct lay_words));
}

static void forget(struct lay_words *w)
{
	for (size_t b = 0; b < WORD_BUCKETS; b++)
		while (w->bucket[b]) {
			struct word_entry *e = w->bucket[b];
			w->bucket[b] = e->next;
			free(e->toks);
			free(e->items);
			free(e->iext);
			free(e->frags);
			free(e->frag_tok);
			free(e->pool);
			free(e);
		}
	w->nctx = 0;
	w->bytes = 0;
}

void lay_words_free(struct lay_words *w)
{
	if (w)
		forget(w);
	free(w);
}

void lay_words_trim(struct lay_words *w)
{
	if (w && w->bytes > WORD_BUDGET)
		forget(w);
}

int lay_words_ctx(struct lay *L, double size, double measure, bool hyph)
{
	struct lay_words *w = L->in->memo ? lay_memo_words(L->in->memo) : NULL;
	if (!w)
		return -1;
	struct word_ctx c;
	memset(&c, 0, sizeof c); /* padding too: compared as bytes */
	c.size = size, c.measure = measure, c.hyph = hyph;
	c.set = *L->in->set, c.fonts = L->in->fonts, c.dict = L->in->hyph;
	for (int i = 0; i < w->nctx; i++)
		if (!memcmp(&w->ctx[i], &c, sizeof c))
			return i;
	if (w->nctx == WORD_CTXS)
		return -1;
	w->ctx[w->nctx] = c;
	return w->nctx++;
}

/* Whether the tokens [i, j) may be kept: a footnote reference's number is the document's. */
bool lay_words_keepable(const struct lay *L, size_t i, size_t j)
{
	for (size_t t = i; t < j; t++)
		if (L->toks[t].note || (L->toks[t].style & ST_SUPER))
			return false;
	return true;
}

static struct word_tok wtok_of(const struct tok *t)
{
	return (struct word_tok){t->style, (unsigned)t->len, t->strike, t->link != NULL};
}

static uint64_t word_hash(const struct lay *L, int ctx, size_t i, size_t j)
{
	uint64_t h = lay_mix(14695981039346656037ull, (uint64_t)ctx << 32 | (j - i));
	for (size_t t = i; t < j; t++) {
		struct word_tok k = wtok_of(&L->toks[t]);
		h = lay_mix(h, (uint64_t)(unsigned)k.style << 34 ^ (uint64_t)k.strike << 33 ^
				   (uint64_t)k.link << 32 ^ k.len);
		h = lay_mix_bytes(h, L->toks[t].s, k.len);
	}
	return h;
}

static bool same_word(const struct lay *L, int ctx, size_t i, size_t j,
		      const struct word_entry *e)
{
	if (e->ctx != ctx || e->ntoks != j - i)
		return false;
	const char *p = e->text;
	for (size_t t = i; t < j; t++) {
		struct word_tok c = wtok_of(&L->toks[t]), *k = &e->toks[t - i];
		if (c.style != k->style || c.len != k->len || c.strike != k->strike ||
		    c.link != k->link || memcmp(p, L->toks[t].s, c.len))
			return false;
		p += c.len;
	}
	return true;
}

bool lay_words_find(struct lay *L, int ctx, size_t i, size_t j, uint64_t *hash)
{
	struct lay_words *w = lay_memo_words(L->in->memo);
	uint64_t h = *hash = word_hash(L, ctx, i, j);
	const struct word_entry *e = w->bucket[h % WORD_BUCKETS];
	while (e && !(e->hash == h && same_word(L, ctx, i, j, e)))
		e = e->next;
	if (!e)
		return false;
	if (e->nitems == 0)
		return true;
	size_t frag0 = L->nfrags;
	memcpy(VEXTEND(items, e->nitems), e->items, e->nitems * sizeof *e->items);
	struct iext *x = VEXTEND(iext, e->nitems);
	memcpy(x, e->iext, e->nitems * sizeof *x);
	for (size_t k = 0; k < e->nitems; k++) {
		x[k].f0 += frag0;
		x[k].hyphen += x[k].hyphen >= 0 ? (long)frag0 : 0;
	}
	struct frag *f = VEXTEND(frags, e->nfrags);
	memcpy(f, e->frags, e->nfrags * sizeof *f);
	for (size_t k = 0; k < e->nfrags; k++) {
		f[k].tok = &L->toks[i + e->frag_tok[k]];
		f[k].link = f[k].tok->link;
	}
	return true;
}

/* The entry's pool: the fragments' glyphs (two bytes each, aligned as malloc's), their texts,
 * the tokens' texts; the fragments pointed into it. */
static void keep_pool(const struct lay *L, size_t i, size_t j, struct word_entry *e)
{
	struct pd_buf pool = {0};
	for (size_t k = 0; k < e->nfrags; k++)
		if (e->frags[k].glyphs)
			buf_put(&pool, (const char *)e->frags[k].glyphs,
				2 * utf8_count(e->frags[k].s, e->frags[k].len));
	for (size_t k = 0; k < e->nfrags; k++)
		buf_put(&pool, e->frags[k].s, e->frags[k].len + 1);
	for (size_t t = i; t < j; t++)
		buf_put(&pool, L->toks[t].s, L->toks[t].len);
	e->pool = buf_take(&pool);
	const char *p = e->pool;
	for (size_t k = 0; k < e->nfrags; k++)
		if (e->frags[k].glyphs) {
			e->frags[k].glyphs = (const uint16_t *)(const void *)p;
			p += 2 * utf8_count(e->frags[k].s, e->frags[k].len);
		}
	for (size_t k = 0; k < e->nfrags; k++) {
		e->frags[k].s = p;
		p += e->frags[k].len + 1;
	}
	e->text = p;
}

void lay_words_keep(struct lay *L, int ctx, size_t i, size_t j, uint64_t hash, size_t item0,
		    size_t frag0)
{
	struct lay_words *w = lay_memo_words(L->in->memo);
	struct word_entry *e = xcalloc(1, sizeof *e);
	e->hash = hash, e->ctx = ctx;
	e->ntoks = j - i, e->nitems = L->nitems - item0, e->nfrags = L->nfrags - frag0;
	e->toks = xmalloc(e->ntoks * sizeof *e->toks);
	size_t text = 0;
	for (size_t t = i; t < j; t++)
		e->toks[t - i] = wtok_of(&L->toks[t]), text += L->toks[t].len;
	e->items = lay_memdup(L->items + item0, e->nitems * sizeof *e->items);
	e->iext = lay_memdup(L->iext + item0, e->nitems * sizeof *e->iext);
	for (size_t k = 0; k < e->nitems; k++) {
		e->iext[k].f0 -= frag0;
		e->iext[k].hyphen -= e->iext[k].hyphen >= 0 ? (long)frag0 : 0;
	}
	e->frags = lay_memdup(L->frags + frag0, e->nfrags * sizeof *e->frags);
	e->frag_tok = xmalloc((e->nfrags ? e->nfrags : 1) * sizeof *e->frag_tok);
	for (size_t k = 0; k < e->nfrags; k++)
		e->frag_tok[k] = (unsigned)(e->frags[k].tok - &L->toks[i]);
	keep_pool(L, i, j, e);
	w->bytes += sizeof *e + e->ntoks * sizeof *e->toks +
		    e->nitems * (sizeof *e->items + sizeof *e->iext) +
		    e->nfrags * (sizeof *e->frags + sizeof *e->frag_tok) + (size_t)(e->text - e->pool) +
		    text;
	e->next = w->bucket[hash % WORD_BUCKETS];
	w->bucket[hash % WORD_BUCKETS] = e;
}
