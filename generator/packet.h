/* packet: one case, one level -> the escalation packet: the letter, the memo (where the
 * level has one) and every enclosure file in tab order, merged into one stamped,
 * bookmarked PDF; the memo's index gives each tab's stamp range.
 * In: a pd_doc_request (document "packet"). Out: a PDF written atomically, a pd_doc_result
 * (owned by the caller: doc_result_clear), diagnostics. */
#ifndef PD_PACKET_H
#define PD_PACKET_H

#include "diag.h"
#include "doc.h"

/* Returns 0, 1 (a rule, template or enclosure error: nothing written) or 3 (I/O). */
int packet_make(struct pd_session *s, const struct pd_doc_request *req,
		struct pd_doc_result *res, struct pd_diags *diags);

#endif
