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

static struct {
	bool loaded;
	bool loading; /* on the thread hyph_prefetch started */
	pthread_t loader;
	HyphenDict *dict; /* NULL: no dictionary, no hyphenation */
	bool from_cache;  /* dict is an image of hyph_cache.c */
	struct entry *tab;
	size_t cap, n;
	char *pool;
	size_t npool, cap_pool;
} H;

/* The compiled patterns from the cache, else compiled by libhyphen and cached. */
static HyphenDict *read_dict(void)
{
	const char *env = getenv("PDGEN_HYPHEN_DICT"), *path = env && *env ? env : HYPH_DICT;
	HyphenDict *dict = hyph_cache_load(path);
	H.from_cache = dict != NULL;
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

static void *read_dict_thread(void *unused)
{
	(void)unused;
	H.dict = read_dict();
	return NULL;
}

void hyph_prefetch(void)
{
	if (H.loaded || H.loading)
		return;
	/* the thread takes no signal: Ctrl-C is the main thread's to handle or defer */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	H.loading = pthread_create(&H.loader, NULL, read_dict_thread, NULL) == 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

static void load(void)
{
	if (H.loading)
		pthread_join(H.loader, NULL);
	else
		H.dict = read_dict();
	H.loading = false;
	H.loaded = true;
}

static uint64_t compute(const char *word, size_t n)
{
	char hy[HYPH_MAX_WORD + 5];
	char **rep = NULL;
	int *pos = NULL, *cut = NULL;
	uint64_t mask = 0;
	char w[HYPH_MAX_WORD + 1]; /* libhyphen reads the word as a C string (strstr) */
	memcpy(w, word, n);
	w[n] = '\0';
	if (hnj_hyphen_hyphenate3(H.dict, w, (int)n, hy, NULL, &rep, &pos, &cut, MIN_LEFT,
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
static struct entry *slot(const char *w, size_t n)
{
	size_t i = (size_t)hash_bytes(w, n) & (H.cap - 1);
	while (H.tab[i].len && (H.tab[i].len != n || memcmp(H.pool + H.tab[i].off, w, n)))
		i = (i + 1) & (H.cap - 1);
	return &H.tab[i];
}

static void grow(void)
{
	struct entry *old = H.tab;
	size_t oldcap = H.cap;
	H.cap = H.cap ? 2 * H.cap : 1024;
	H.tab = xcalloc(H.cap, sizeof *H.tab);
	for (size_t i = 0; i < oldcap; i++)
		if (old[i].len)
			*slot(H.pool + old[i].off, old[i].len) = old[i];
	free(old);
}

static void remember(struct entry *e, const char *w, size_t n, uint64_t mask)
{
	if (H.npool + n > H.cap_pool) {
		H.cap_pool = H.cap_pool ? 2 * H.cap_pool : 16384;
		H.pool = xrealloc(H.pool, H.cap_pool);
	}
	memcpy(H.pool + H.npool, w, n);
	*e = (struct entry){mask, (uint32_t)H.npool, (uint8_t)n};
	H.npool += n;
	H.n++;
}

static bool lower_ascii(const char *w, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (w[i] < 'a' || w[i] > 'z')
			return false;
	return true;
}

uint64_t hyph_points(const char *word, size_t n)
{
	if (n < MIN_LEFT + MIN_RIGHT || n > HYPH_MAX_WORD || !lower_ascii(word, n))
		return 0;
	if (!H.loaded)
		load();
	if (!H.dict)
		return 0;
	if (H.n >= CACHE_MAX)
		return compute(word, n);
	if (2 * (H.n + 1) > H.cap)
		grow();
	struct entry *e = slot(word, n);
	if (!e->len)
		remember(e, word, n, compute(word, n));
	return e->mask;
}

void hyph_shutdown(void)
{
	if (H.loading)
		load();
	if (H.dict && H.from_cache)
		hyph_cache_free(H.dict);
	else if (H.dict)
		hnj_hyphen_free(H.dict);
	free(H.tab);
	free(H.pool);
	memset(&H, 0, sizeof H);
}
