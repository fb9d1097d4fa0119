/* sim/output: schema needlesim-1 writer and reader, without MPI.
 * Values written and read back are stored as float64 without conversion, so
 * round trips are compared bit for bit (memcmp), not with a tolerance. */
/* Criterion's assertion macros assign an int to a 1-bit field internally. */
#pragma GCC diagnostic ignored "-Wconversion"
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../sim/output.h"

#define N_CASES 5
#define N_INS 7
#define N_TIME 4

static char dir[64];
static char path[128];
static double times[N_TIME] = {3.7e-1, 4.1e1, 9.3e2, 8.64e4};
static double lengths[N_CASES] = {2.5e-4, 5.0e-4, 7.5e-4, 1.0e-3, 1.25e-3};
static const char *modes[N_CASES] = {"press", "impact", "press", "impact", "roller"};
static ns_output_param params[2];
static ns_output_meta meta;

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/ns_test_output_XXXXXX");
    cr_assert(mkdtemp(dir) != NULL);
    snprintf(path, sizeof path, "%s/out.h5", dir);
    params[0] = (ns_output_param){"needle.length", "m", "protrusion length", 0, lengths, NULL};
    params[1] = (ns_output_param){"applicator.mode", "", "applicator", 1, NULL, modes};
    meta = (ns_output_meta){.n_cases = N_CASES,
                            .sizes = {N_INS, N_TIME},
                            .times = times,
                            .config_text = "[run]\nname = t\n",
                            .config_hash = 0xfedcba9876543210ULL,
                            .sweep_mode = "grid",
                            .seed = 4242,
                            .run_name = "t",
                            .n_params = 2,
                            .params = params};
}

static void teardown(void)
{
    unlink(path);
    rmdir(dir);
}

/* High-entropy values distinct per case, scalar and point. */
static void fill_result(ns_case_result *r, size_t i)
{
    for (size_t k = 0; k < NS_R_COUNT; k++) r->scalar[k] = 1.37e-3 * (double)(k + 1) + 0.173 * (double)i;
    for (size_t c = 0; c < NS_C_COUNT; c++)
        for (size_t j = 0; j < ns_curve_length((ns_curve_id)c, r->sizes); j++)
            r->curve[c][j] = sin(0.31 * (double)(j + 1) + 1.7 * (double)c + 0.11 * (double)i);
}

TestSuite(output, .init = setup, .fini = teardown);

Test(output, round_trip_rows_status_errors)
{
    ns_output *o = NULL;
    ns_case_result w, r;
    cr_assert(eq(int, ns_case_result_init(&w, meta.sizes), NS_OK));
    cr_assert(eq(int, ns_case_result_init(&r, meta.sizes), NS_OK));
    cr_assert(eq(int, ns_output_create(path, &meta, &o), NS_OK), "%s", ns_status_message());
    fill_result(&w, 2);
    cr_assert(eq(int, ns_output_write_case(o, 2, &w, NS_CASE_OK, "", 0.125), NS_OK));
    fill_result(&w, 3);
    w.scalar[NS_R_PEAK_FLUX] = NAN;
    cr_assert(eq(int, ns_output_write_case(o, 3, &w, NS_CASE_FAILED, "diffusion: no convergence", 2.5),
                 NS_OK));
    cr_assert(eq(int, ns_output_close(&o), NS_OK));
    cr_assert(o == NULL);

    cr_assert(eq(int, ns_output_open(path, 0, &o), NS_OK), "%s", ns_status_message());
    cr_assert(eq(sz, ns_output_n_cases(o), N_CASES));
    cr_assert(eq(sz, ns_output_sizes(o).n_insertion, N_INS));
    cr_assert(eq(sz, ns_output_sizes(o).n_time, N_TIME));
    cr_assert(eq(u64, ns_output_config_hash(o), 0xfedcba9876543210ULL));
    signed char st[N_CASES];
    cr_assert(eq(int, ns_output_read_status(o, st), NS_OK));
    signed char want[N_CASES] = {0, 0, 1, 2, 0};
    cr_assert(eq(int, memcmp(st, want, sizeof st), 0));

    int status;
    char err[NS_OUTPUT_ERROR_LEN];
    double sec;
    cr_assert(eq(int, ns_output_read_case(o, 2, &r, &status, err, &sec), NS_OK));
    fill_result(&w, 2);
    cr_assert(eq(int, status, 1));
    cr_assert(strcmp(err, "") == 0, "error = \"%s\"", err);
    cr_assert(eq(dbl, sec, 0.125));
    cr_assert(eq(int, memcmp(r.scalar, w.scalar, sizeof r.scalar), 0));
    for (size_t c = 0; c < NS_C_COUNT; c++)
        cr_assert(eq(int,
                     memcmp(r.curve[c], w.curve[c], ns_curve_length((ns_curve_id)c, meta.sizes) * sizeof(double)),
                     0),
                  "curve %s differs", ns_curve_table[c].name);
    cr_assert(eq(int, ns_output_read_case(o, 3, &r, &status, err, &sec), NS_OK));
    cr_assert(eq(int, status, 2));
    cr_assert(strcmp(err, "diffusion: no convergence") == 0, "error = \"%s\"", err);
    cr_assert(isnan(r.scalar[NS_R_PEAK_FLUX]));

    /* pending rows keep the fill values: NaN everywhere, "" and NaN time */
    cr_assert(eq(int, ns_output_read_case(o, 4, &r, &status, err, &sec), NS_OK));
    cr_assert(eq(int, status, 0));
    cr_assert(strcmp(err, "") == 0, "error = \"%s\"", err);
    cr_assert(isnan(sec));
    for (size_t k = 0; k < NS_R_COUNT; k++) cr_assert(isnan(r.scalar[k]), "scalar %zu", k);
    for (size_t c = 0; c < NS_C_COUNT; c++)
        for (size_t j = 0; j < ns_curve_length((ns_curve_id)c, meta.sizes); j++)
            cr_assert(isnan(r.curve[c][j]));
    cr_assert(eq(int, ns_output_close(&o), NS_OK));
    ns_case_result_clear(&w);
    ns_case_result_clear(&r);
}

/* One commit writes a batch that arrived out of case order, with a gap and a
 * case written twice (the later row wins), as one write per dataset: every
 * row and status lands on its own case. */
Test(output, batch_out_of_order_with_repeat)
{
    ns_output *o = NULL;
    ns_case_result w, r;
    cr_assert(eq(int, ns_case_result_init(&w, meta.sizes), NS_OK));
    cr_assert(eq(int, ns_case_result_init(&r, meta.sizes), NS_OK));
    cr_assert(eq(int, ns_output_create(path, &meta, &o), NS_OK), "%s", ns_status_message());
    cr_assert(ns_output_batch_cases(meta.sizes) >= N_CASES); /* one batch below */
    const size_t order[5] = {4, 0, 2, 0, 3};
    for (size_t k = 0; k < 5; k++) {
        size_t i = order[k];
        fill_result(&w, i + 10 * k);
        char msg[32];
        snprintf(msg, sizeof msg, "row %zu", i + 10 * k);
        cr_assert(eq(int, ns_output_write_case(o, i, &w, k % 2 ? NS_CASE_FAILED : NS_CASE_OK, msg,
                                               0.5 + (double)k), NS_OK));
    }
    cr_assert(eq(int, ns_output_close(&o), NS_OK));
    cr_assert(eq(int, ns_output_open(path, 0, &o), NS_OK), "%s", ns_status_message());
    signed char st[N_CASES];
    cr_assert(eq(int, ns_output_read_status(o, st), NS_OK));
    /* case 0 last written at k = 3 (failed), 2 at k = 2, 3 at k = 4, 4 at k = 0 */
    signed char want[N_CASES] = {2, 0, 1, 1, 1};
    cr_assert(eq(int, memcmp(st, want, sizeof st), 0), "%d %d %d %d %d", st[0], st[1], st[2], st[3], st[4]);
    const size_t last_k[N_CASES] = {3, 5, 2, 4, 0};
    for (size_t i = 0; i < N_CASES; i++) {
        int status;
        char err[NS_OUTPUT_ERROR_LEN];
        double sec;
        cr_assert(eq(int, ns_output_read_case(o, i, &r, &status, err, &sec), NS_OK));
        if (last_k[i] == 5) {
            cr_assert(isnan(r.scalar[0]) && isnan(sec) && err[0] == '\0');
            continue;
        }
        fill_result(&w, i + 10 * last_k[i]);
        char msg[32];
        snprintf(msg, sizeof msg, "row %zu", i + 10 * last_k[i]);
        cr_assert(strcmp(err, msg) == 0, "case %zu: error \"%s\", want \"%s\"", i, err, msg);
        cr_assert(eq(dbl, sec, 0.5 + (double)last_k[i]));
        cr_assert(eq(int, memcmp(r.scalar, w.scalar, sizeof r.scalar), 0), "case %zu scalars", i);
        for (size_t c = 0; c < NS_C_COUNT; c++)
            cr_assert(eq(int, memcmp(r.curve[c], w.curve[c],
                                     ns_curve_length((ns_curve_id)c, meta.sizes) * sizeof(double)), 0),
                      "case %zu curve %s", i, ns_curve_table[c].name);
    }
    cr_assert(eq(int, ns_output_close(&o), NS_OK));
    ns_case_result_clear(&w);
    ns_case_result_clear(&r);
}

/* The batch holds at most NS_OUTPUT_BATCH_CASES rows and at most
 * NS_OUTPUT_BATCH_BYTES of them (long curves), never fewer than one. */
Test(output, batch_size_bounds)
{
    cr_assert(eq(sz, ns_output_batch_cases((ns_curve_sizes){7, 4}), NS_OUTPUT_BATCH_CASES));
    size_t n = ns_output_batch_cases((ns_curve_sizes){20000, 50});
    cr_assert(n >= 1 && n < NS_OUTPUT_BATCH_CASES, "%zu", n);
    cr_assert(n * 8 * 4 * 20000 <= NS_OUTPUT_BATCH_BYTES);
    cr_assert(eq(sz, ns_output_batch_cases((ns_curve_sizes){100000, 100000}), 1));
}

Test(output, rewrite_in_place_and_null_result_writes_nan)
{
    ns_output *o = NULL;
    ns_case_result w;
    cr_assert(eq(int, ns_case_result_init(&w, meta.sizes), NS_OK));
    cr_assert(eq(int, ns_output_create(path, &meta, &o), NS_OK));
    fill_result(&w, 1);
    cr_assert(eq(int, ns_output_write_case(o, 1, &w, NS_CASE_OK, "", 1.0), NS_OK));
    cr_assert(eq(int, ns_output_close(&o), NS_OK));
    /* reopen writable (resume) and overwrite case 1 as failed with no data */
    cr_assert(eq(int, ns_output_open(path, 1, &o), NS_OK), "%s", ns_status_message());
    cr_assert(eq(int, ns_output_write_case(o, 1, NULL, NS_CASE_FAILED, "x", 0.5), NS_OK));
    int status;
    char err[NS_OUTPUT_ERROR_LEN];
    double sec;
    cr_assert(eq(int, ns_output_read_case(o, 1, &w, &status, err, &sec), NS_OK));
    cr_assert(eq(int, status, 2));
    cr_assert(isnan(w.scalar[0]) && isnan(w.curve[0][0]));
    cr_assert(eq(int, ns_output_close(&o), NS_OK));
    ns_case_result_clear(&w);
}

Test(output, long_error_is_truncated_not_overflowed)
{
    ns_output *o = NULL;
    char big[3 * NS_OUTPUT_ERROR_LEN];
    memset(big, 'e', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    cr_assert(eq(int, ns_output_create(path, &meta, &o), NS_OK));
    cr_assert(eq(int, ns_output_write_case(o, 0, NULL, NS_CASE_FAILED, big, 0.0), NS_OK));
    ns_case_result r;
    cr_assert(eq(int, ns_case_result_init(&r, meta.sizes), NS_OK));
    int status;
    char err[NS_OUTPUT_ERROR_LEN];
    double sec;
    cr_assert(eq(int, ns_output_read_case(o, 0, &r, &status, err, &sec), NS_OK));
    cr_assert(eq(sz, strlen(err), NS_OUTPUT_ERROR_LEN - 1));
    ns_case_result_clear(&r);
    ns_output_close(&o);
}

Test(output, write_checks_trip)
{
    ns_output *o = NULL;
    ns_case_result w;
    cr_assert(eq(int, ns_output_create(path, &meta, &o), NS_OK));
    cr_assert(eq(int, ns_output_write_case(o, N_CASES, NULL, NS_CASE_OK, "", 0.0), NS_EINVAL));
    cr_assert(strstr(ns_status_message(), "out of range") != NULL);
    cr_assert(eq(int, ns_output_write_case(o, 0, NULL, 3, "", 0.0), NS_EINVAL));
    cr_assert(eq(int, ns_case_result_init(&w, (ns_curve_sizes){N_INS + 1, N_TIME}), NS_OK));
    cr_assert(eq(int, ns_output_write_case(o, 0, &w, NS_CASE_OK, "", 0.0), NS_EINVAL));
    cr_assert(strstr(ns_status_message(), "curve sizes") != NULL);
    ns_case_result_clear(&w);
    ns_output_close(&o);
}

Test(output, create_checks_trip)
{
    ns_output *o = NULL;
    ns_output_meta m = meta;
    m.n_cases = 0;
    cr_assert(eq(int, ns_output_create(path, &m, &o), NS_EINVAL));
    cr_assert(o == NULL);
    m = meta;
    m.sizes.n_time = 0;
    cr_assert(eq(int, ns_output_create(path, &m, &o), NS_EINVAL));
    ns_output_param bad = {"drug.preset", "", "drug", 1, NULL, NULL};
    m = meta;
    m.n_params = 1;
    m.params = &bad;
    cr_assert(eq(int, ns_output_create(path, &m, &o), NS_EINVAL));
    cr_assert(strstr(ns_status_message(), "drug.preset") != NULL);
    cr_assert(eq(int, ns_output_create("", &meta, &o), NS_EINVAL));
    char nodir[160];
    snprintf(nodir, sizeof nodir, "%s/missing/dir/out.h5", dir);
    cr_assert(eq(int, ns_output_create(nodir, &meta, &o), NS_EIO));
    cr_assert(o == NULL);
}

Test(output, open_rejects_missing_garbage_and_truncated)
{
    ns_output *o = NULL;
    cr_assert(eq(int, ns_output_open(path, 0, &o), NS_EIO));
    cr_assert(strstr(ns_status_message(), "cannot open") != NULL);

    FILE *f = fopen(path, "wb");
    cr_assert(f != NULL);
    for (int k = 0; k < 4096; k++) fputc((k * 37) & 0xff, f);
    fclose(f);
    cr_assert(eq(int, ns_output_open(path, 0, &o), NS_EIO));
    cr_assert(strstr(ns_status_message(), "not a readable HDF5") != NULL, "%s", ns_status_message());
    cr_assert(o == NULL);

    /* a valid file cut in half: superblock intact, datasets missing */
    cr_assert(eq(int, ns_output_create(path, &meta, &o), NS_OK));
    cr_assert(eq(int, ns_output_close(&o), NS_OK));
    f = fopen(path, "rb+");
    cr_assert(f != NULL);
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fclose(f);
    cr_assert(eq(int, truncate(path, size / 2), 0));
    cr_assert(eq(int, ns_output_open(path, 0, &o), NS_EIO));
    cr_assert(o == NULL);
}
