/* hyph: hyphenation points of English words for the layout stage (libhyphen with
 * hyph_en_US.dic). Results are plain values; the dictionary and a cache of answers
 * belong to a pd_hyph (one per process, in the typesetter) until hyph_free; only
 * hyph_prefetch starts a thread. */
#ifndef PD_HYPH_H
#define PD_HYPH_H

#include <stddef.h>
#include <stdint.h>

#define HYPH_DICT "/usr/share/hyphen/hyph_en_US.dic"
#define HYPH_MAX_WORD 63

/* Where a word of n lowercase ASCII letters may be hyphenated: bit i set means a hyphen
 * may follow letter i (0-based), with at least 2 letters before it and 3 after. 0 for
 * any other word, one longer than HYPH_MAX_WORD, or when the dictionary (HYPH_DICT, or
 * the file named by PDGEN_HYPHEN_DICT) cannot be read: then nothing is hyphenated. */
struct pd_hyph;
const char *hyph_dict_path(void); /* the dictionary read: PDGEN_HYPHEN_DICT, else HYPH_DICT */
struct pd_hyph *hyph_new(void); /* reads nothing until the first word or hyph_prefetch */
uint64_t hyph_points(struct pd_hyph *h, const char *word, size_t n); /* h NULL: 0 */

/* Starts reading the dictionary on a thread of its own (under 1 ms from the cache of
 * compiled patterns, 24 ms when libhyphen must compile them), so that a single document's
 * work before its first hyphenation runs meanwhile; hyph_points waits for it. Never call
 * it in a process that will fork before the dictionary is used. */
void hyph_prefetch(struct pd_hyph *h);

/* Frees the dictionary and the cache (waiting for a prefetch under way). */
void hyph_free(struct pd_hyph *h);

#endif
