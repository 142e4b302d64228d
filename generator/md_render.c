/* md_render: a parsed Markdown body -> plain text and HTML, through cmark-gfm's renderers.
 * In: an md_doc. Out: malloc'd text (the caller frees). */
#include <cmark-gfm.h>
#include <stdlib.h>
#include <string.h>

#include "md.h"
#include "util.h"

/* cmark allocates with its default allocator (malloc): copied so that the caller frees
 * with free() whatever cmark's allocator is. */
static char *own(char *s)
{
	char *r = xstrdup(s ? s : "");
	cmark_get_default_mem_allocator()->free(s);
	return r;
}

char *md_render_text(const struct md_doc *doc, int width)
{
	return own(cmark_render_plaintext(doc->root, CMARK_OPT_SMART, width));
}

char *md_render_html(const struct md_doc *doc)
{
	return own(cmark_render_html(doc->root, CMARK_OPT_SMART, NULL));
}
