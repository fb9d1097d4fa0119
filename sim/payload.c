/* Packing a finished case into one MPI message body (see payload.h). */
#include "payload.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#define MASK_WORDS ((NS_R_COUNT + 63) / 64)

_Static_assert(NS_C_COUNT <= 32, "the curve mask of the payload is 32 bits");

typedef struct {
    int32_t status, has_fields;
    uint32_t error_len; /* bytes of the error text, without its NUL */
    uint32_t curve_mask; /* bit c: curve c follows */
    uint64_t scalar_mask[MASK_WORDS]; /* bit k: scalar k follows */
} wire_head;

/* 1 if x has the bits of NAN (the value every result starts as). */
static int is_reset_nan(double x)
{
    static const double reset = NAN;
    return memcmp(&x, &reset, sizeof x) == 0;
}

static int curve_is_reset(const double *v, size_t n)
{
    for (size_t k = 0; k < n; k++)
        if (!is_reset_nan(v[k])) return 0;
    return 1;
}

size_t ns_payload_size(ns_curve_sizes sizes, size_t field_doubles)
{
    size_t n = sizeof(wire_head) + NS_OUTPUT_ERROR_LEN + NS_R_COUNT * sizeof(double) +
               field_doubles * sizeof(double);
    for (size_t c = 0; c < NS_C_COUNT; c++)
        n += ns_curve_length((ns_curve_id)c, sizes) * sizeof(double);
    return n;
}

size_t ns_payload_pack(const ns_case_result *r, int status, const char *error,
                       const ns_case_fields *f, void *payload)
{
    wire_head h;
    memset(&h, 0, sizeof h);
    h.status = status;
    h.has_fields = f != NULL;
    size_t elen = error ? strnlen(error, NS_OUTPUT_ERROR_LEN - 1) : 0;
    h.error_len = (uint32_t)elen;
    for (size_t k = 0; k < NS_R_COUNT; k++)
        if (!is_reset_nan(r->scalar[k])) h.scalar_mask[k / 64] |= (uint64_t)1 << (k % 64);
    for (size_t c = 0; c < NS_C_COUNT; c++)
        if (!curve_is_reset(r->curve[c], ns_curve_length((ns_curve_id)c, r->sizes)))
            h.curve_mask |= (uint32_t)1 << c;
    unsigned char *p = payload;
    memcpy(p, &h, sizeof h);
    p += sizeof h;
    if (elen) memcpy(p, error, elen);
    p += elen;
    for (size_t k = 0; k < NS_R_COUNT; k++)
        if (h.scalar_mask[k / 64] >> (k % 64) & 1u) {
            memcpy(p, &r->scalar[k], sizeof(double));
            p += sizeof(double);
        }
    for (size_t c = 0; c < NS_C_COUNT; c++) {
        if (!(h.curve_mask >> c & 1u)) continue;
        size_t n = ns_curve_length((ns_curve_id)c, r->sizes) * sizeof(double);
        memcpy(p, r->curve[c], n);
        p += n;
    }
    if (f) {
        memcpy(p, f->r, f->nr * sizeof(double));
        p += f->nr * sizeof(double);
        memcpy(p, f->z, f->nz * sizeof(double));
        p += f->nz * sizeof(double);
        size_t nc = f->n_time * f->nz * f->nr * sizeof(double);
        memcpy(p, f->C, nc);
        p += nc;
    }
    return (size_t)(p - (unsigned char *)payload);
}

const unsigned char *ns_payload_unpack(const void *payload, ns_payload_head *h, ns_case_result *r)
{
    const unsigned char *p = payload;
    wire_head w;
    memcpy(&w, p, sizeof w);
    p += sizeof w;
    h->status = w.status;
    h->has_fields = w.has_fields;
    size_t elen = w.error_len < NS_OUTPUT_ERROR_LEN ? w.error_len : NS_OUTPUT_ERROR_LEN - 1;
    memcpy(h->error, p, elen);
    h->error[elen] = '\0';
    p += w.error_len;
    for (size_t k = 0; k < NS_R_COUNT; k++) {
        if (w.scalar_mask[k / 64] >> (k % 64) & 1u) {
            memcpy(&h->scalar[k], p, sizeof(double));
            p += sizeof(double);
        } else {
            h->scalar[k] = (double)NAN;
        }
    }
    memcpy(r->scalar, h->scalar, sizeof h->scalar);
    for (size_t c = 0; c < NS_C_COUNT; c++) {
        size_t n = ns_curve_length((ns_curve_id)c, r->sizes);
        if (w.curve_mask >> c & 1u) {
            memcpy(r->curve[c], p, n * sizeof(double));
            p += n * sizeof(double);
        } else {
            for (size_t k = 0; k < n; k++) r->curve[c][k] = (double)NAN;
        }
    }
    return p;
}

void ns_payload_read_fields(const unsigned char *p, ns_case_fields *f)
{
    memcpy(f->r, p, f->nr * sizeof(double));
    p += f->nr * sizeof(double);
    memcpy(f->z, p, f->nz * sizeof(double));
    p += f->nz * sizeof(double);
    memcpy(f->C, p, f->n_time * f->nz * f->nr * sizeof(double));
}
