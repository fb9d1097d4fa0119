/* One finished case as the body of one MPI message (worker -> rank 0).
 *
 * Wire format (native bytes: all ranks run the same binary):
 *   wire head   status, has_fields, error length, the mask of the curves
 *               sent, the mask of the scalars sent (one bit each);
 *   error       its bytes without the NUL (the first line of the failure
 *               message; nothing for a case that is ok);
 *   scalars     the NS_R_COUNT scalars that are not NaN, in registry order;
 *   curves      the curves (ns_curve_table order, ns_curve_length doubles
 *               each) that are not NaN everywhere;
 *   fields      for a field case its r [nr], z [nz] and C [n_time nz nr].
 * A value is left out only when its bits are those of the NaN that
 * ns_case_result_reset writes (the C constant NAN), and the receiver writes
 * that same NaN back: the unpacked result has the packed one's bits (a NaN
 * with other bits, e.g. the negative NaN of 0/0, travels as a value).
 *
 * Why: the four insertion curves of an intact-skin case (array.layout =
 * none) are NaN, 6.4 of the 7.6 kB of a message at the default 200 curve
 * points, and most cases leave a third of the scalars undefined. Below Open
 * MPI's shared-memory eager limit (btl_vader_eager_limit, 4 kB) a message is
 * delivered whole by MPI_Isend; above it the transfer needs the sender to
 * enter MPI again after the receiver matched it (rendezvous), which is what
 * made rank 0 wait for workers' computations (issue 12). Sizes measured by
 * scripts/bench_sweep.sh: an intact-skin case of the cheap sweep 368 B (8
 * output times; 7.6 kB before), a main-job case 7.8 kB on average (40
 * output times, 200 curve points: its insertion curves are data; 8.6 kB
 * before); sim/scheduler.c receives without waiting either way. */
#ifndef NS_PAYLOAD_H
#define NS_PAYLOAD_H

#include <stddef.h>

#include "case.h"
#include "output.h"

/* A case as rank 0 reads it back (the unpacked head). */
typedef struct {
    int status;                      /* NS_CASE_OK or NS_CASE_FAILED */
    int has_fields;                  /* 1: r, z, C follow the curves */
    char error[NS_OUTPUT_ERROR_LEN]; /* first line of the failure message */
    double scalar[NS_R_COUNT];
} ns_payload_head;

/* Bytes of the largest payload: head, error, every scalar and curve, and
 * field_doubles doubles. */
size_t ns_payload_size(ns_curve_sizes sizes, size_t field_doubles);

/* Pack case r (status, error, optional field f) into payload (at least
 * ns_payload_size bytes); returns the bytes used. */
size_t ns_payload_pack(const ns_case_result *r, int status, const char *error,
                       const ns_case_fields *f, void *payload);

/* Unpack the head into h and the curves into r (r->sizes as packed; curves
 * and scalars left out become NAN); returns where the field data starts
 * (read it with ns_payload_read_fields when h->has_fields). h->error is
 * NUL-terminated. */
const unsigned char *ns_payload_unpack(const void *payload, ns_payload_head *h, ns_case_result *r);

/* Field data at p into f (its nr, nz, n_time set by ns_case_fields_init). */
void ns_payload_read_fields(const unsigned char *p, ns_case_fields *f);

#endif
