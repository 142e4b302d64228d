/* hyph: hyphenation for the layout stage (paragraph setting).
 * In: a lowercase English word. Out: its hyphenation points (libhyphen), cached. */
#include "hyph.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pthread.h>
#include <signal.h>

#include "hyph_impl.h"
#include "util.h"

#define MIN_LEFT 2
#define MIN_RIGHT 3
#define CACHE_MAX (1u << 16) /* entries; beyond it answers are computed each time */

struct entry {
	uint64_t mask;
	uint32_t off; /* key in pool; len 0: empty slot */
	uint8_t len;
};

struct pd_hyph {
	bool loaded;
	bool loading; /* on the thread hyph_prefetch started */
	pthread_t loader;
	HyphenDict *dict; /* NULL: no dictionary, no hyphenation */
	bool from_cache;  /* dict is an image of hyph_cache.c */
	struct entry *tab;
	size_t cap, n;
	char *pool;
	size_t npool, cap_pool;
};

struct pd_hyph *hyph_new(void)
{
	return xcalloc(1, sizeof(struct pd_hyph));
}

const char *hyph_dict_path(void)
{
	const char *env = getenv("PDGEN_HYPHEN_DICT");
	return env && *env ? env : HYPH_DICT;
}

/* The compiled patterns from the cache, else compiled by libhyphen and cached. */
static HyphenDict *read_dict(struct pd_hyph *h)
{
	const char *path = hyph_dict_path();
	HyphenDict *dict = hyph_cache_load(path);
	h->from_cache = dict != NULL;
	if (dict)
		return dict;
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	dict = hnj_hyphen_load_file(f);
	fclose(f);
	hyph_cache_store(dict, path);
	return dict;
}

static void *read_dict_thread(void *arg)
{
	struct pd_hyph *h = arg;
	h->dict = read_dict(h);
	return NULL;
}

void hyph_prefetch(struct pd_hyph *h)
{
	if (h->loaded || h->loading)
		return;
	/* the thread takes no signal: Ctrl-C is the main thread's to handle or defer */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	h->loading = pthread_create(&h->loader, NULL, read_dict_thread, h) == 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

static void load(struct pd_hyph *h)
{
	if (h->loading)
		pthread_join(h->loader, NULL);
	else
		h->dict = read_dict(h);
	h->loading = false;
	h->loaded = true;
}

static uint64_t compute(const struct pd_hyph *h, const char *word, size_t n)
{
	char hy[HYPH_MAX_WORD + 5];
	char **rep = NULL;
	int *pos = NULL, *cut = NULL;
	uint64_t mask = 0;
	char w[HYPH_MAX_WORD + 1]; /* libhyphen reads the word as a C string (strstr) */
	memcpy(w, word, n);
	w[n] = '\0';
	if (hnj_hyphen_hyphenate3(h->dict, w, (int)n, hy, NULL, &rep, &pos, &cut, MIN_LEFT,
				  MIN_RIGHT, MIN_LEFT, MIN_RIGHT) == 0)
		for (size_t i = MIN_LEFT - 1; i + MIN_RIGHT < n; i++)
			if (hy[i] & 1)
				mask |= (uint64_t)1 << i;
	if (rep) {
		for (size_t i = 0; i < n; i++)
			free(rep[i]);
		free(rep);
	}
	free(pos);
	free(cut);
	return mask;
}

/* The slot of word: its entry, or the empty slot where it belongs. */
static struct entry *slot(struct pd_hyph *h, const char *w, size_t n)
{
	size_t i = (size_t)hash_bytes(w, n) & (h->cap - 1);
	while (h->tab[i].len && (h->tab[i].len != n || memcmp(h->pool + h->tab[i].off, w, n)))
		i = (i + 1) & (h->cap - 1);
	return &h->tab[i];
}

static void grow(struct pd_hyph *h)
{
	struct entry *old = h->tab;
	size_t oldcap = h->cap;
	h->cap = h->cap ? 2 * h->cap : 1024;
	h->tab = xcalloc(h->cap, sizeof *h->tab);
	for (size_t i = 0; i < oldcap; i++)
		if (old[i].len)
			*slot(h, h->pool + old[i].off, old[i].len) = old[i];
	free(old);
}

static void remember(struct pd_hyph *h, struct entry *e, const char *w, size_t n, uint64_t mask)
{
	if (h->npool + n > h->cap_pool) {
		h->cap_pool = h->cap_pool ? 2 * h->cap_pool : 16384;
		h->pool = xrealloc(h->pool, h->cap_pool);
	}
	memcpy(h->pool + h->npool, w, n);
	*e = (struct entry){mask, (uint32_t)h->npool, (uint8_t)n};
	h->npool += n;
	h->n++;
}

static bool lower_ascii(const char *w, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (w[i] < 'a' || w[i] > 'z')
			return false;
	return true;
}

uint64_t hyph_points(struct pd_hyph *h, const char *word, size_t n)
{
	if (!h || n < MIN_LEFT + MIN_RIGHT || n > HYPH_MAX_WORD || !lower_ascii(word, n))
		return 0;
	if (!h->loaded)
		load(h);
	if (!h->dict)
		return 0;
	if (h->n >= CACHE_MAX)
		return compute(h, word, n);
	if (2 * (h->n + 1) > h->cap)
		grow(h);
	struct entry *e = slot(h, word, n);
	if (!e->len)
		remember(h, e, word, n, compute(h, word, n));
	return e->mask;
}

void hyph_free(struct pd_hyph *h)
{
	if (!h)
		return;
	if (h->loading)
		load(h);
	if (h->dict && h->from_cache)
		hyph_cache_free(h->dict);
	else if (h->dict)
		hnj_hyphen_free(h->dict);
	free(h->tab);
	free(h->pool);
	free(h);
}
