/* hyph_impl: between the hyphenation stage (hyph.c) and its cache of compiled patterns
 * (hyph_cache.c). In: a pattern file's path. Out: libhyphen's dictionary. */
#ifndef PD_HYPH_IMPL_H
#define PD_HYPH_IMPL_H

#include <hyphen.h>

/* libhyphen compiles hyph_en_US.dic's 11,000 patterns in 24 ms each time a process starts;
 * the compiled dictionary is kept as one image in the user's cache directory
 * ($PDGEN_CACHE_DIR, else $XDG_CACHE_HOME/pdgen, else ~/.cache/pdgen), tied to the pattern
 * file's size and time, and read back in well under a millisecond. */

/* The compiled dictionary of the pattern file at path from the cache, NULL when there is
 * none, it is stale, or it does not hold together. Free it with hyph_cache_free. */
HyphenDict *hyph_cache_load(const char *path);
/* Stores dict (compiled from path) in the cache; silently nothing when it cannot. */
void hyph_cache_store(const HyphenDict *dict, const char *path);
/* Frees a dictionary hyph_cache_load returned. */
void hyph_cache_free(HyphenDict *dict);

#endif
