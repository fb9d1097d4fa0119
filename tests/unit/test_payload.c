/* sim/payload: the message that carries a finished case to rank 0. A round
 * trip must give back the packed bits exactly (memcmp), and a case whose
 * curves were never filled must travel without them. */
/* Criterion's assertion macros assign an int to a 1-bit field internally. */
#pragma GCC diagnostic ignored "-Wconversion"
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../../sim/payload.h"

static const ns_curve_sizes sizes = {37, 11};

static ns_case_result result(void)
{
    ns_case_result r;
    cr_assert(ns_case_result_init(&r, sizes) == NS_OK);
    return r;
}

static void expect_same(const ns_case_result *a, const ns_case_result *b)
{
    cr_assert(memcmp(a->scalar, b->scalar, sizeof a->scalar) == 0, "scalars differ");
    for (size_t c = 0; c < NS_C_COUNT; c++)
        cr_assert(memcmp(a->curve[c], b->curve[c],
                         ns_curve_length((ns_curve_id)c, sizes) * sizeof(double)) == 0,
                  "curve %zu differs", c);
}

/* Every scalar and curve set: the message holds all of them. */
Test(payload, full_case_round_trip)
{
    ns_case_result r = result(), back = result();
    for (size_t k = 0; k < NS_R_COUNT; k++) r.scalar[k] = 1.37e-3 * (double)(k + 1);
    for (size_t c = 0; c < NS_C_COUNT; c++)
        for (size_t k = 0; k < ns_curve_length((ns_curve_id)c, sizes); k++)
            r.curve[c][k] = -2.9e5 + 0.731 * (double)(c * 100 + k);
    unsigned char *buf = malloc(ns_payload_size(sizes, 0));
    size_t used = ns_payload_pack(&r, NS_CASE_OK, "", NULL, buf);
    cr_assert(eq(sz, used, ns_payload_size(sizes, 0) - NS_OUTPUT_ERROR_LEN));
    ns_payload_head h;
    ns_payload_unpack(buf, &h, &back);
    cr_assert(eq(int, h.status, NS_CASE_OK));
    cr_assert(eq(int, h.has_fields, 0));
    cr_assert(h.error[0] == '\0', "error \"%s\"", h.error);
    expect_same(&r, &back);
    free(buf);
    ns_case_result_clear(&r);
    ns_case_result_clear(&back);
}

/* An intact-skin case: insertion curves and most scalars never set. They are
 * left out of the message and come back as NAN; a NaN with other bits (the
 * negative NaN of 0/0) and a -0.0 travel as values. */
Test(payload, reset_values_left_out)
{
    ns_case_result r = result(), back = result();
    size_t T = sizes.n_time;
    for (size_t k = 0; k < T; k++) {
        r.curve[NS_C_PERMEATED_AMOUNT][k] = 4.1e-7 * (double)k;
        r.curve[NS_C_FLUX][k] = 3.3e-9;
    }
    double neg_nan;
    uint64_t bits = 0xfff8000000000000ull;
    memcpy(&neg_nan, &bits, sizeof neg_nan);
    r.scalar[0] = neg_nan;
    r.scalar[3] = -0.0;
    r.scalar[NS_R_COUNT - 1] = 6.02e23;
    /* back starts with junk, so a left-out value must be written as NAN */
    for (size_t k = 0; k < NS_R_COUNT; k++) back.scalar[k] = 7.0;
    for (size_t c = 0; c < NS_C_COUNT; c++)
        for (size_t k = 0; k < ns_curve_length((ns_curve_id)c, sizes); k++) back.curve[c][k] = 7.0;
    unsigned char *buf = malloc(ns_payload_size(sizes, 0));
    const char *msg = "needle.length = 2 m: out of range";
    size_t used = ns_payload_pack(&r, NS_CASE_FAILED, msg, NULL, buf);
    /* 3 scalars, 2 time curves and the text: the rest is the fixed head */
    size_t data = 3 * sizeof(double) + 2 * T * sizeof(double) + strlen(msg);
    size_t head = ns_payload_size(sizes, 0) - NS_OUTPUT_ERROR_LEN - NS_R_COUNT * sizeof(double);
    for (size_t c = 0; c < NS_C_COUNT; c++) head -= ns_curve_length((ns_curve_id)c, sizes) * sizeof(double);
    cr_assert(eq(sz, used, head + data), "used %zu, want %zu + %zu", used, head, data);
    cr_assert(head <= 64, "fixed head %zu bytes", head);
    ns_payload_head h;
    ns_payload_unpack(buf, &h, &back);
    cr_assert(eq(int, h.status, NS_CASE_FAILED));
    cr_assert(strcmp(h.error, msg) == 0, "error \"%s\"", h.error);
    expect_same(&r, &back);
    cr_assert(memcmp(h.scalar, r.scalar, sizeof h.scalar) == 0);
    free(buf);
    ns_case_result_clear(&r);
    ns_case_result_clear(&back);
}

/* An error text longer than /error holds is cut to NS_OUTPUT_ERROR_LEN - 1. */
Test(payload, long_error_cut)
{
    ns_case_result r = result(), back = result();
    char msg[2 * NS_OUTPUT_ERROR_LEN];
    memset(msg, 'x', sizeof msg - 1);
    msg[sizeof msg - 1] = '\0';
    unsigned char *buf = malloc(ns_payload_size(sizes, 0));
    ns_payload_pack(&r, NS_CASE_FAILED, msg, NULL, buf);
    ns_payload_head h;
    ns_payload_unpack(buf, &h, &back);
    cr_assert(eq(sz, strlen(h.error), (size_t)NS_OUTPUT_ERROR_LEN - 1));
    free(buf);
    ns_case_result_clear(&r);
    ns_case_result_clear(&back);
}

/* A field case: r, z and C follow the curves. */
Test(payload, fields_follow)
{
    ns_case_result r = result(), back = result();
    r.scalar[5] = 2.5;
    ns_case_fields f = {3, 2, sizes.n_time, NULL, NULL, NULL}, g = f;
    size_t nc = f.n_time * f.nz * f.nr;
    f.r = malloc(3 * sizeof(double));
    f.z = malloc(2 * sizeof(double));
    f.C = malloc(nc * sizeof(double));
    g.r = calloc(3, sizeof(double));
    g.z = calloc(2, sizeof(double));
    g.C = calloc(nc, sizeof(double));
    for (size_t k = 0; k < 3; k++) f.r[k] = 1.1e-5 * (double)(k + 1);
    for (size_t k = 0; k < 2; k++) f.z[k] = 2.3e-5 * (double)(k + 1);
    for (size_t k = 0; k < nc; k++) f.C[k] = 0.917 * (double)k;
    unsigned char *buf = malloc(ns_payload_size(sizes, 5 + nc));
    ns_payload_pack(&r, NS_CASE_OK, "", &f, buf);
    ns_payload_head h;
    const unsigned char *p = ns_payload_unpack(buf, &h, &back);
    cr_assert(eq(int, h.has_fields, 1));
    ns_payload_read_fields(p, &g);
    cr_assert(memcmp(f.r, g.r, 3 * sizeof(double)) == 0);
    cr_assert(memcmp(f.z, g.z, 2 * sizeof(double)) == 0);
    cr_assert(memcmp(f.C, g.C, nc * sizeof(double)) == 0);
    expect_same(&r, &back);
    free(f.r), free(f.z), free(f.C), free(g.r), free(g.z), free(g.C), free(buf);
    ns_case_result_clear(&r);
    ns_case_result_clear(&back);
}
