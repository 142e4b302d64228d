/* submit: any document a command or docket names (letter, memo, packet, email) -> the stage
 * that makes it. Packet and e-mail live in pdgen-submit.so (libqpdf, GMime), loaded the first
 * time one is asked for and kept for the process. The result is the caller's. */
#ifndef PD_SUBMIT_H
#define PD_SUBMIT_H

#include "diag.h"
#include "doc.h"

/* As doc_make; 3 with an error when the module cannot be loaded. */
int submission_make(struct pd_session *s, const struct pd_doc_request *req,
		    struct pd_doc_result *res, struct pd_diags *diags);

#endif
