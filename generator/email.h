/* email: one case, one level -> the submission as an e-mail draft (RFC 5322, MIME), made
 * with GMime: From counsel, To/Cc by level and office, subject and body from templates, the
 * packet attached. In: a pd_doc_request (document "email"). Out: an .eml written
 * atomically, a pd_doc_result (the caller's), diagnostics. */
#ifndef PD_EMAIL_H
#define PD_EMAIL_H

#include "diag.h"
#include "doc.h"

/* Returns 0, 1 (rule, template or enclosure error: nothing written) or 3 (I/O). */
int email_make(struct pd_session *s, const struct pd_doc_request *req,
	       struct pd_doc_result *res, struct pd_diags *diags);

#endif
