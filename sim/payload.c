/* Packing a finished case into one MPI message body (see payload.h). */
#include "payload.h"

#include <stdio.h>
#include <string.h>

size_t ns_payload_size(ns_curve_sizes sizes, size_t field_doubles)
{
    size_t n = sizeof(ns_payload_head) + field_doubles * sizeof(double);
    for (size_t c = 0; c < NS_C_COUNT; c++)
        n += ns_curve_length((ns_curve_id)c, sizes) * sizeof(double);
    return n;
}

size_t ns_payload_pack(const ns_case_result *r, int status, const char *error,
                       const ns_case_fields *f, void *payload)
{
    ns_payload_head h;
    memset(&h, 0, sizeof h);
    h.status = status;
    h.has_fields = f != NULL;
    snprintf(h.error, sizeof h.error, "%s", error);
    memcpy(h.scalar, r->scalar, sizeof h.scalar);
    unsigned char *p = payload;
    memcpy(p, &h, sizeof h);
    p += sizeof h;
    for (size_t c = 0; c < NS_C_COUNT; c++) {
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
    memcpy(h, p, sizeof *h);
    p += sizeof *h;
    h->error[sizeof h->error - 1] = '\0';
    memcpy(r->scalar, h->scalar, sizeof h->scalar);
    for (size_t c = 0; c < NS_C_COUNT; c++) {
        size_t n = ns_curve_length((ns_curve_id)c, r->sizes) * sizeof(double);
        memcpy(r->curve[c], p, n);
        p += n;
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
