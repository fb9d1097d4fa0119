/* One finished case as the body of one MPI message (worker -> rank 0):
 *   head (status, first line of the error, the NS_R_COUNT scalars),
 *   the curves in ns_curve_table order (ns_curve_length doubles each),
 *   for a field case its r [nr], z [nz] and C [n_time * nz * nr] doubles.
 * All ranks run the same binary, so the bytes are native (no conversion). */
#ifndef NS_PAYLOAD_H
#define NS_PAYLOAD_H

#include <stddef.h>

#include "case.h"
#include "output.h"

typedef struct {
    int status;                      /* NS_CASE_OK or NS_CASE_FAILED */
    int has_fields;                  /* 1: r, z, C follow the curves */
    char error[NS_OUTPUT_ERROR_LEN]; /* first line of the failure message */
    double scalar[NS_R_COUNT];
} ns_payload_head;

/* Bytes of the largest payload: head, curves and field_doubles doubles. */
size_t ns_payload_size(ns_curve_sizes sizes, size_t field_doubles);

/* Pack case r (status, error, optional field f) into payload; returns the bytes used. */
size_t ns_payload_pack(const ns_case_result *r, int status, const char *error,
                       const ns_case_fields *f, void *payload);

/* Unpack the head into h and the curves into r (r->sizes as packed); returns
 * where the field data starts (read it with ns_payload_read_fields when
 * h->has_fields). h->error is NUL-terminated. */
const unsigned char *ns_payload_unpack(const void *payload, ns_payload_head *h, ns_case_result *r);

/* Field data at p into f (its nr, nz, n_time set by ns_case_fields_init). */
void ns_payload_read_fields(const unsigned char *p, ns_case_fields *f);

#endif
