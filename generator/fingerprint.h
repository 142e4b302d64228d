/* fingerprint: what made a document, as one SHA-256: pdgen's version, the template
 * directories (templates, partials, data files), the fonts, the options, the docket's
 * defaults, the level and document, and the case file's bytes. In: those. Out: hex digests. */
#ifndef PD_FINGERPRINT_H
#define PD_FINGERPRINT_H

#include <stddef.h>

#include "value.h"

/* The inputs every document of a run shares: the version, every regular file under each
 * directory (names and bytes in sorted order; a file over 64 KB, a font, by its size and
 * modification time), the fallback fonts (named in the environment, and the system ones
 * fonts_fallback_paths lists: CJK, Arabic), the hyphenation dictionary, and opts (a text
 * of the options that change output). */
void fp_setup(const char *const *dirs, size_t ndirs, const char *opts, char hex[65]);

/* A value tree (the docket's defaults) as a digest; NULL gives the digest of nothing. */
void fp_value(const struct pd_value *v, char hex[65]);

/* The digest of a case file's bytes: taken once a job, shared by its two fingerprints. */
void fp_bytes(const char *bytes, size_t len, char hex[65]);

/* One document's fingerprint from the shared digests, its level and document and the
 * digest of the case file's bytes (fp_bytes). */
void fp_job(const char *setup_hex, const char *defaults_hex, const char *level,
	    const char *document, const char *case_hex, char hex[65]);

/* A fingerprint extended by the files a document read as it was made (its images): paths
 * is "PATH\n" for each; NULL or "" leaves base as it is. out may be base. */
void fp_files(const char *base_hex, const char *paths, char out[65]);

#endif
