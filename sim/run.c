/* `needlesim run`: config -> pending cases -> scheduler -> HDF5 (see run.h).
 *
 * Files. For `-o OUT` the run writes OUT.partial and renames it to OUT only
 * when every case has finished (ok or failed), so an interrupted or crashed
 * run never clobbers an existing OUT. OUT.partial is created as
 * OUT.partial.new and renamed once its whole structure is on disk, so
 * OUT.partial, whenever it exists, is a valid file that --resume can continue.
 *
 *   run            OUT.partial exists   -> refuse (exit 2): resume it or delete it
 *                  otherwise            -> new OUT.partial; at the end rename to OUT
 *   run --resume   OUT.partial exists   -> continue it in place (pending cases;
 *                                          with --retry-failed also failed ones)
 *                  only OUT exists      -> nothing pending: say so, exit 0, untouched;
 *                                          else copy to OUT.partial and continue
 *                  neither              -> start a new run (so a batch script can
 *                                          always pass --resume)
 *   A file to resume must have the same config_hash (same cases): else exit 2,
 *   file untouched; an unreadable/corrupted file: exit 1, file untouched
 *   (both are checked read-only before the file is opened for writing).
 *
 * Exit codes: 0 all cases finished (failed cases are data), 1 runtime failure
 * or interrupted (SIGTERM/SIGINT: the message says how to resume), 2 bad input. */
#include "run.h"

#include <errno.h>
#include <limits.h>
#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "case.h"
#include "config.h"
#include "output.h"
#include "progress.h"
#include "scheduler.h"
#include "xdmf.h"

#define PATH_CAP 4200

/* Payload of one case (MPI message body): fixed part, the curves, then for a
 * field case its r, z and C (ns_case_fields layout). */
typedef struct {
    int status;                       /* NS_CASE_OK or NS_CASE_FAILED */
    int has_fields;                   /* 1: r, z, C follow the curves */
    char error[NS_OUTPUT_ERROR_LEN];  /* first line of the failure message */
    double scalar[NS_R_COUNT];
} payload_head;

typedef struct {
    const ns_config *cfg;
    ns_curve_sizes sizes;
    size_t payload_size;
    ns_case_result work;    /* compute buffer (every rank) */
    ns_case_result store;   /* unpack buffer (rank 0) */
    ns_output *out;         /* rank 0 */
    signed char *status;    /* rank 0: current /status of every case */
    size_t n_ok, n_failed;
    ns_progress *progress;
    /* Concentration fields (run.fields): sorted distinct case indices and grids. */
    size_t n_fields;
    size_t *field_case, *field_nr, *field_nz;
} run_ctx;

/* 1 if case i is a field case. */
static int is_field_case(const run_ctx *ctx, size_t i)
{
    size_t lo = 0, hi = ctx->n_fields;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (ctx->field_case[mid] == i) return 1;
        if (ctx->field_case[mid] < i)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return x < y ? -1 : x > y;
}

/* Field cases of the config: sorted, duplicates removed, grid of each. */
static ns_status setup_fields(run_ctx *ctx)
{
    const ns_run_settings *rs = ns_config_run(ctx->cfg);
    if (!rs->fields || rs->n_field_cases == 0) return NS_OK;
    size_t m = rs->n_field_cases;
    ctx->field_case = malloc(m * sizeof(size_t));
    ctx->field_nr = malloc(m * sizeof(size_t));
    ctx->field_nz = malloc(m * sizeof(size_t));
    NS_CHECK(ctx->field_case && ctx->field_nr && ctx->field_nz, NS_ENOMEM,
             "cannot allocate %zu field cases", m);
    memcpy(ctx->field_case, rs->field_cases, m * sizeof(size_t));
    qsort(ctx->field_case, m, sizeof(size_t), cmp_size);
    size_t n = 0;
    for (size_t k = 0; k < m; k++)
        if (n == 0 || ctx->field_case[k] != ctx->field_case[n - 1]) ctx->field_case[n++] = ctx->field_case[k];
    ctx->n_fields = n;
    for (size_t k = 0; k < n; k++) {
        ns_params p;
        NS_TRY(ns_config_case(ctx->cfg, ctx->field_case[k], &p));
        ctx->field_nr[k] = p.numerics.diff_n_r;
        ctx->field_nz[k] = p.numerics.diff_n_z;
    }
    return NS_OK;
}

static void free_fields(run_ctx *ctx)
{
    free(ctx->field_case);
    free(ctx->field_nr);
    free(ctx->field_nz);
    ctx->field_case = ctx->field_nr = ctx->field_nz = NULL;
    ctx->n_fields = 0;
}

static int file_exists(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0;
}

static void print_error(const char *what)
{
    fprintf(stderr, "needlesim: error: %s\n", what);
}

#if defined(__GNUC__)
__attribute__((format(printf, 1, 2)))
#endif
static void print_errorf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("needlesim: error: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

/* First line of the recorded message, or the status text. */
static void first_line(char *dst, size_t cap, ns_status st)
{
    const char *msg = ns_status_message();
    if (!msg[0]) msg = ns_status_str(st);
    size_t n = strcspn(msg, "\n");
    if (n >= cap) n = cap - 1;
    memcpy(dst, msg, n);
    dst[n] = '\0';
}

/* Pack the case into payload; returns the bytes used. */
static size_t pack(const ns_case_result *r, int status, const char *error,
                   const ns_case_fields *f, void *payload)
{
    payload_head h;
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

static size_t compute(void *vctx, size_t i, void *payload)
{
    run_ctx *ctx = vctx;
    ns_params params;
    ns_case_fields f, *fp = NULL;
    memset(&f, 0, sizeof f);
    char err[NS_OUTPUT_ERROR_LEN] = "";
    ns_case_result_reset(&ctx->work);
    ns_status_clear();
    ns_status st = ns_config_case(ctx->cfg, i, &params);
    if (st == NS_OK && is_field_case(ctx, i)) {
        st = ns_case_fields_init(&f, &params, ctx->sizes.n_time);
        if (st == NS_OK) fp = &f;
    }
    if (st == NS_OK) {
        ns_status_clear();
        st = fp ? ns_case_run_fields(&params, &ctx->work, fp) : ns_case_run(&params, &ctx->work);
    }
    if (st != NS_OK) first_line(err, sizeof err, st);
    size_t used = pack(&ctx->work, st == NS_OK ? NS_CASE_OK : NS_CASE_FAILED, err, fp, payload);
    ns_case_fields_clear(&f);
    return used;
}

static ns_status store(void *vctx, size_t i, const void *payload, double seconds)
{
    run_ctx *ctx = vctx;
    payload_head h;
    const unsigned char *p = payload;
    memcpy(&h, p, sizeof h);
    p += sizeof h;
    memcpy(ctx->store.scalar, h.scalar, sizeof h.scalar);
    for (size_t c = 0; c < NS_C_COUNT; c++) {
        size_t n = ns_curve_length((ns_curve_id)c, ctx->sizes) * sizeof(double);
        memcpy(ctx->store.curve[c], p, n);
        p += n;
    }
    h.error[sizeof h.error - 1] = '\0';
    if (h.has_fields) {
        /* The grid of this case (same config on every rank). */
        ns_params params;
        ns_case_fields f;
        NS_TRY(ns_config_case(ctx->cfg, i, &params));
        NS_TRY(ns_case_fields_init(&f, &params, ctx->sizes.n_time));
        memcpy(f.r, p, f.nr * sizeof(double));
        p += f.nr * sizeof(double);
        memcpy(f.z, p, f.nz * sizeof(double));
        p += f.nz * sizeof(double);
        memcpy(f.C, p, f.n_time * f.nz * f.nr * sizeof(double));
        ns_status fst = ns_output_write_fields(ctx->out, i, &f);
        ns_case_fields_clear(&f);
        NS_TRY(fst);
    }
    NS_TRY(ns_output_write_case(ctx->out, i, &ctx->store, h.status, h.error, seconds));
    if (ctx->status[i] == NS_CASE_OK) ctx->n_ok--;
    if (ctx->status[i] == NS_CASE_FAILED) ctx->n_failed--;
    ctx->status[i] = (signed char)h.status;
    if (h.status == NS_CASE_OK) ctx->n_ok++;
    else ctx->n_failed++;
    ns_progress_update(ctx->progress, ctx->n_ok, ctx->n_failed);
    return NS_OK;
}

static void idle(void *vctx)
{
    run_ctx *ctx = vctx;
    ns_progress_update(ctx->progress, ctx->n_ok, ctx->n_failed);
}

static ns_status copy_file(const char *src, const char *dst)
{
    FILE *in = fopen(src, "rb");
    NS_CHECK(in, NS_EIO, "%s: cannot open for reading: %s", src, strerror(errno));
    FILE *out = fopen(dst, "wb");
    if (!out) {
        fclose(in);
        NS_FAIL(NS_EIO, "%s: cannot create: %s", dst, strerror(errno));
    }
    char buf[1 << 16];
    size_t n;
    int bad = 0;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        if (fwrite(buf, 1, n, out) != n) bad = 1;
    if (ferror(in)) bad = 1;
    fclose(in);
    if (fclose(out) != 0) bad = 1;
    if (bad) {
        remove(dst);
        NS_FAIL(NS_EIO, "cannot copy %s to %s", src, dst);
    }
    return NS_OK;
}

/* Swept parameters of every case, for /params. */
static ns_status build_params(const ns_config *cfg, ns_output_param **out, double **vals,
                              const char ***labs)
{
    size_t na = ns_config_n_axes(cfg), n = ns_config_n_cases(cfg);
    *out = calloc(na ? na : 1, sizeof **out);
    size_t nv = na * n > 0 ? na * n : 1;
    *vals = calloc(nv, sizeof **vals);
    *labs = calloc(nv, sizeof **labs);
    NS_CHECK(*out && *vals && *labs, NS_ENOMEM, "cannot allocate /params for %zu axes x %zu cases",
             na, n);
    for (size_t k = 0; k < na; k++) {
        const ns_axis_info *a = ns_config_axis(cfg, k);
        ns_output_param *p = &(*out)[k];
        p->key = a->key;
        p->units = a->units;
        p->description = a->description;
        p->is_enum = a->is_enum;
        for (size_t i = 0; i < n; i++) {
            (*vals)[k * n + i] = ns_config_axis_value(cfg, k, i);
            if (a->is_enum) (*labs)[k * n + i] = ns_config_axis_label(cfg, k, i);
        }
        p->values = *vals + k * n;
        p->labels = *labs + k * n;
    }
    return NS_OK;
}

/* Create path.new with the full structure, close, rename to path. */
static ns_status create_file(const run_ctx *ctx, const char *path, ns_curve_sizes sizes)
{
    const ns_config *cfg = ctx->cfg;
    const ns_run_settings *rs = ns_config_run(cfg);
    ns_output_param *params = NULL;
    double *vals = NULL, *times = NULL;
    const char **labs = NULL;
    ns_output *o = NULL;
    ns_status st = NS_OK;
    char tmp[PATH_CAP];
    snprintf(tmp, sizeof tmp, "%s.new", path);
    times = malloc(sizes.n_time * sizeof *times);
    if (!times) {
        st = ns_status_set(NS_ENOMEM, __FILE__, __LINE__, __func__, "cannot allocate output times");
        goto done;
    }
    ns_case_output_times(rs->duration, sizes.n_time, times);
    NS_TRY_GOTO(st, build_params(cfg, &params, &vals, &labs), done);
    ns_output_meta m = {.n_cases = ns_config_n_cases(cfg),
                        .sizes = sizes,
                        .times = times,
                        .config_text = ns_config_text(cfg),
                        .config_hash = ns_config_hash(cfg),
                        .sweep_mode = rs->sweep_mode,
                        .seed = rs->seed,
                        .run_name = rs->name,
                        .n_params = ns_config_n_axes(cfg),
                        .params = params,
                        .n_fields = ctx->n_fields,
                        .field_case = ctx->field_case,
                        .field_nr = ctx->field_nr,
                        .field_nz = ctx->field_nz};
    NS_TRY_GOTO(st, ns_output_create(tmp, &m, &o), done);
    NS_TRY_GOTO(st, ns_output_close(&o), done);
    if (rename(tmp, path) != 0)
        st = ns_status_set(NS_EIO, __FILE__, __LINE__, __func__, "cannot rename %s to %s: %s", tmp,
                           path, strerror(errno));
done:
    ns_output_close(&o);
    if (st != NS_OK) remove(tmp);
    free(params);
    free(vals);
    free(labs);
    free(times);
    return st;
}

/* Check a file to resume, read-only. Returns 0 ok, else the exit code (message printed). */
static int check_resumable(const ns_config *cfg, const char *path, ns_curve_sizes sizes)
{
    ns_output *o = NULL;
    char msg[PATH_CAP + 512];
    if (ns_output_open(path, 0, &o) != NS_OK) {
        print_errorf("cannot resume %s: %s", path, ns_status_message());
        return 1;
    }
    int code = 0;
    unsigned long long want = ns_config_hash(cfg), got = ns_output_config_hash(o);
    if (got != want) {
        snprintf(msg, sizeof msg,
                 "cannot resume %s: it was written for a different configuration "
                 "(config_hash %016llx in the file, %016llx for this config and --set options); "
                 "use the same config, or another -o",
                 path, got, want);
        code = 2;
    } else if (ns_output_n_cases(o) != ns_config_n_cases(cfg) ||
               ns_output_sizes(o).n_insertion != sizes.n_insertion ||
               ns_output_sizes(o).n_time != sizes.n_time) {
        snprintf(msg, sizeof msg,
                 "cannot resume %s: it holds %zu cases x (%zu, %zu) curve points, this config "
                 "makes %zu x (%zu, %zu)",
                 path, ns_output_n_cases(o), ns_output_sizes(o).n_insertion,
                 ns_output_sizes(o).n_time, ns_config_n_cases(cfg), sizes.n_insertion, sizes.n_time);
        code = 2;
    }
    ns_output_close(&o);
    if (code) print_error(msg);
    return code;
}

/* Rank 0: choose/prepare the working file and open it. Returns an exit code
 * (0 = go on, -1 = nothing to do, exit 0), message printed. */
static int prepare(const ns_run_options *opt, const ns_config *cfg, const char *out,
                   const char *partial, ns_curve_sizes sizes, run_ctx *ctx)
{
    size_t n = ns_config_n_cases(cfg);
    int continued = 0; /* 1: an existing file is continued (resumed_utc) */
    if (opt->resume) {
        if (file_exists(partial)) {
            int code = check_resumable(cfg, partial, sizes);
            if (code) return code;
            continued = 1;
        } else if (file_exists(out)) {
            int code = check_resumable(cfg, out, sizes);
            if (code) return code;
            ns_output *o = NULL;
            signed char *s = malloc(n);
            if (!s || ns_output_open(out, 0, &o) != NS_OK || ns_output_read_status(o, s) != NS_OK) {
                print_errorf("cannot read %s: %s", out, ns_status_message());
                ns_output_close(&o);
                free(s);
                return 1;
            }
            ns_output_close(&o);
            size_t work = 0;
            for (size_t i = 0; i < n; i++)
                work += s[i] == NS_CASE_PENDING || (opt->retry_failed && s[i] == NS_CASE_FAILED);
            free(s);
            if (work == 0) {
                fprintf(stderr, "needlesim: %s is complete: nothing to resume%s\n", out,
                        opt->retry_failed ? "" : " (rerun failed cases with --retry-failed)");
                return -1;
            }
            if (copy_file(out, partial) != NS_OK) {
                print_error(ns_status_message());
                return 1;
            }
            continued = 1;
        } else {
            if (!opt->quiet)
                fprintf(stderr, "needlesim: neither %s nor %s exists: starting a new run\n",
                        partial, out);
            if (create_file(ctx, partial, sizes) != NS_OK) {
                print_error(ns_status_message());
                return 1;
            }
        }
    } else {
        if (file_exists(partial)) {
            print_errorf("%s exists from an interrupted run: continue it with --resume "
                         "(same config and -o), or delete it to start again",
                         partial);
            return 2;
        }
        if (create_file(ctx, partial, sizes) != NS_OK) {
            print_error(ns_status_message());
            return 1;
        }
    }
    if (ns_output_open(partial, 1, &ctx->out) != NS_OK) {
        print_errorf("cannot open %s for writing: %s", partial, ns_status_message());
        return 1;
    }
    if (continued && ns_output_mark_resumed(ctx->out) != NS_OK) {
        print_errorf("cannot record the resume in %s: %s", partial, ns_status_message());
        return 1;
    }
    ctx->status = malloc(n);
    if (!ctx->status || ns_output_read_status(ctx->out, ctx->status) != NS_OK) {
        print_error(ctx->status ? ns_status_message() : "out of memory");
        return 1;
    }
    return 0;
}

int ns_run(const ns_run_options *opt, int *argc, char ***argv)
{
    int rank = 0, size = 1, code = 0;
    ns_config *cfg = NULL;
    run_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    size_t *todo = NULL, n_todo = 0;
    char out[PATH_CAP], partial[PATH_CAP];

    gsl_set_error_handler_off();
    if (ns_sched_init(argc, argv, &rank, &size) != NS_OK) {
        print_error(ns_status_message());
        return 1;
    }

    /* 1. Config: every rank loads it (same file, same result); all agree. */
    ns_status st = ns_config_load(opt->config_path, opt->sets, opt->n_sets, &cfg);
    if (!ns_sched_all(st == NS_OK)) {
        if (rank == 0) print_error(st != NS_OK ? ns_status_message() : "config failed to load on another rank");
        code = 2;
        goto finish;
    }
    const ns_run_settings *rs = ns_config_run(cfg);
    if (opt->output_path && opt->output_path[0])
        snprintf(out, sizeof out, "%s", opt->output_path);
    else if (rs->output[0])
        snprintf(out, sizeof out, "%s", rs->output);
    else
        snprintf(out, sizeof out, "outputs/%s.h5", rs->name);
    if (strlen(out) > PATH_CAP - 32) {
        if (rank == 0) print_errorf("output path longer than %d bytes", PATH_CAP - 32);
        code = 2;
        goto finish;
    }
    int n_partial = snprintf(partial, sizeof partial, "%s.partial", out);
    if (n_partial < 0 || (size_t)n_partial >= sizeof partial) {
        if (rank == 0) print_errorf("output path longer than %d bytes", PATH_CAP - 32);
        code = 2;
        goto finish;
    }
    ctx.cfg = cfg;
    ctx.sizes = (ns_curve_sizes){rs->curve_points, rs->output_times};
    ctx.payload_size = sizeof(payload_head);
    for (size_t c = 0; c < NS_C_COUNT; c++)
        ctx.payload_size += ns_curve_length((ns_curve_id)c, ctx.sizes) * sizeof(double);
    if (setup_fields(&ctx) != NS_OK) {
        if (rank == 0) print_error(ns_status_message());
        code = 2;
        goto finish;
    }
    {
        size_t fmax = 0;
        for (size_t k = 0; k < ctx.n_fields; k++) {
            size_t nr = ctx.field_nr[k], nz = ctx.field_nz[k];
            size_t len = (nr + nz + ctx.sizes.n_time * nz * nr) * sizeof(double);
            if (len > fmax) fmax = len;
        }
        /* One MPI message (int count) carries a case with its field. */
        if (fmax > (size_t)INT_MAX / 2) {
            if (rank == 0)
                print_errorf("run.fields: a field of %zu bytes per case is too large for one "
                             "message (at most %d): reduce numerics.diff_n_r, diff_n_z or "
                             "run.output_times",
                             fmax, INT_MAX / 2);
            code = 2;
            goto finish;
        }
        ctx.payload_size += fmax;
    }
    size_t n = ns_config_n_cases(cfg);

    /* 2. Working file (rank 0) and the pending-case list. */
    if (rank == 0) {
        code = prepare(opt, cfg, out, partial, ctx.sizes, &ctx);
        if (code == 0) {
            todo = malloc(n * sizeof *todo);
            if (!todo) {
                print_error("out of memory for the case list");
                code = 1;
            }
        }
        if (code == 0) {
            for (size_t i = 0; i < n; i++) {
                signed char s = ctx.status[i];
                if (s == NS_CASE_OK) ctx.n_ok++;
                else if (s == NS_CASE_FAILED && !opt->retry_failed) ctx.n_failed++;
                if (s == NS_CASE_PENDING || (s == NS_CASE_FAILED && opt->retry_failed) ||
                    (s != NS_CASE_OK && s != NS_CASE_FAILED)) {
                    todo[n_todo++] = i;
                    ctx.status[i] = NS_CASE_PENDING; /* not counted until stored again */
                }
            }
        }
    }
    ns_sched_bcast_int(&code);
    if (code != 0) {
        if (code < 0) code = 0; /* nothing to do */
        goto finish;
    }
    if (ns_sched_bcast_todo(&todo, &n_todo) != NS_OK ||
        ns_case_result_init(&ctx.work, ctx.sizes) != NS_OK ||
        (rank == 0 && ns_case_result_init(&ctx.store, ctx.sizes) != NS_OK)) {
        print_error(ns_status_message());
        ns_sched_abort(1);
    }
    if (rank == 0) {
        if (!opt->quiet)
            fprintf(stderr, "needlesim: %zu cases on %d rank%s, %zu to compute (%zu ok, %zu failed "
                            "already), writing %s\n",
                    n, size, size == 1 ? "" : "s", n_todo, ctx.n_ok, ctx.n_failed, partial);
        ctx.progress = ns_progress_create(stderr, n, ctx.n_ok, ctx.n_failed, opt->quiet);
    }

    /* 3. Compute. */
    ns_sched_job job = {todo, n_todo, ctx.payload_size, &ctx, compute, rank == 0 ? store : NULL, idle};
    st = ns_sched_run(&job);

    /* 4. Close, rename, summary (rank 0). */
    if (rank == 0) {
        ns_progress_destroy(&ctx.progress);
        char reason[NS_OUTPUT_ERROR_LEN * 2];
        snprintf(reason, sizeof reason, "%s", ns_status_message());
        ns_status cst = ns_output_close(&ctx.out);
        if (st == NS_OK && cst != NS_OK) {
            st = cst;
            snprintf(reason, sizeof reason, "%s", ns_status_message());
        }
        if (st == NS_OK) {
            if (rename(partial, out) != 0) {
                print_errorf("cannot rename %s to %s: %s (the results are complete in %s)", partial,
                             out, strerror(errno), partial);
                code = 1;
            } else if (ns_xdmf_write(out, &(ns_xdmf_fields){ctx.n_fields, ctx.field_case,
                                                            ctx.field_nr, ctx.field_nz,
                                                            rs->duration, ctx.sizes.n_time})
                       != NS_OK) {
                print_errorf("%s (the results are complete in %s)", ns_status_message(), out);
                code = 1;
            } else {
                printf("%zu cases: %zu ok, %zu failed; file %s\n", n, ctx.n_ok, ctx.n_failed, out);
                fflush(stdout);
                code = 0;
            }
        } else if (st == NS_EINTR) {
            size_t done = ctx.n_ok + ctx.n_failed;
            fprintf(stderr,
                    "needlesim: interrupted by signal %d: %zu of %zu cases done (%zu ok, %zu failed), "
                    "saved in %s\nneedlesim: continue with: needlesim run %s -o %s --resume\n",
                    ns_sched_stop_signal(), done, n, ctx.n_ok, ctx.n_failed, partial,
                    opt->config_path, out);
            code = 1;
        } else {
            print_errorf("%s (partial results kept in %s; continue with --resume)", reason, partial);
            code = 1;
        }
    }
    ns_sched_bcast_int(&code);

finish:
    ns_case_result_clear(&ctx.work);
    ns_case_result_clear(&ctx.store);
    ns_output_close(&ctx.out);
    free(ctx.status);
    free_fields(&ctx);
    free(todo);
    ns_config_destroy(&cfg);
    ns_sched_finalize();
    return code;
}
