/* `needlesim run`: config -> pending cases -> scheduler -> HDF5 (see run.h).
 *
 * The working file (OUT.partial: creation, resume, locking, the final rename
 * and the checks of -o) is sim/workfile.c; the message that carries a case
 * from a worker to rank 0 is sim/payload.c; the file format is sim/output.c.
 *
 * Exit codes (the batch contract, README "Exit codes"): 0 every case ok;
 * 3 the run is complete but some cases failed (counted in the closing line);
 * 4 stopped by SIGTERM/SIGINT, resumable with --resume; 1 I/O or runtime
 * failure (a resubmission would fail the same way); 2 bad input, nothing
 * written. */
#include "run.h"

#include <errno.h>
#include <limits.h>
#include <gsl/gsl_errno.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "case.h"
#include "cli.h"
#include "config.h"
#include "output.h"
#include "payload.h"
#include "progress.h"
#include "scheduler.h"
#include "workfile.h"
#include "xdmf.h"


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

/* First line of the recorded message, or the status text. A line longer
 * than cap - 1 bytes (cap >= 8) is cut at a character boundary and ends in
 * "...", so /error shows that it was cut. */
static void first_line(char *dst, size_t cap, ns_status st)
{
    const char *msg = ns_status_message();
    if (!msg[0]) msg = ns_status_str(st);
    size_t n = strcspn(msg, "\n");
    if (n < cap) {
        memcpy(dst, msg, n);
        dst[n] = '\0';
        return;
    }
    n = cap - 4;
    while (n > 0 && ((unsigned char)msg[n] & 0xC0) == 0x80) n--; /* not inside a UTF-8 character */
    memcpy(dst, msg, n);
    memcpy(dst + n, "...", 4);
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
    size_t used =
        ns_payload_pack(&ctx->work, st == NS_OK ? NS_CASE_OK : NS_CASE_FAILED, err, fp, payload);
    ns_case_fields_clear(&f);
    return used;
}

static ns_status store(void *vctx, size_t i, const void *payload, double seconds)
{
    run_ctx *ctx = vctx;
    ns_payload_head h;
    const unsigned char *p = ns_payload_unpack(payload, &h, &ctx->store);
    if (h.has_fields) {
        /* The grid of this case (same config on every rank). */
        ns_params params;
        ns_case_fields f;
        NS_TRY(ns_config_case(ctx->cfg, i, &params));
        NS_TRY(ns_case_fields_init(&f, &params, ctx->sizes.n_time));
        ns_payload_read_fields(p, &f);
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

/* Create the complete structure in path (workfile's create callback). */
static ns_status create_file(void *vctx, const char *path)
{
    const run_ctx *ctx = vctx;
    const ns_config *cfg = ctx->cfg;
    const ns_run_settings *rs = ns_config_run(cfg);
    ns_curve_sizes sizes = ctx->sizes;
    ns_output_param *params = NULL;
    double *vals = NULL, *times = NULL;
    const char **labs = NULL;
    ns_output *o = NULL;
    ns_status st = NS_OK;
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
    NS_TRY_GOTO(st, ns_output_create(path, &m, &o), done);
    NS_TRY_GOTO(st, ns_output_close(&o), done);
done:
    ns_output_close(&o);
    free(params);
    free(vals);
    free(labs);
    free(times);
    return st;
}

/* Output path: -o, else run.output (whose default is outputs/<run.name>.h5,
 * set by the config). *is_default: the default directory ./outputs is made
 * when missing (sim/workfile.h). Returns 0 or 2. */
static int resolve_output(const ns_run_options *opt, const ns_run_settings *rs, char *out,
                          size_t cap, int *is_default)
{
    const char *path = opt->output_path && opt->output_path[0] ? opt->output_path : rs->output;
    int n = snprintf(out, cap, "%s", path);
    *is_default = path == rs->output && strncmp(path, "outputs/", 8) == 0 && !strchr(path + 8, '/');
    if (n < 0 || (size_t)n > cap - 32) {
        ns_workfile_print_error("output path longer than %zu bytes", cap - 32);
        return 2;
    }
    return 0;
}

/* Largest payload (one MPI message carries a case with its field). Returns 0 or 2. */
static int setup_payload(run_ctx *ctx, int rank)
{
    size_t fmax = 0;
    for (size_t k = 0; k < ctx->n_fields; k++) {
        size_t nr = ctx->field_nr[k], nz = ctx->field_nz[k];
        size_t len = nr + nz + ctx->sizes.n_time * nz * nr;
        if (len > fmax) fmax = len;
    }
    if (fmax * sizeof(double) > (size_t)INT_MAX / 2) {
        if (rank == 0)
            ns_workfile_print_error("run.fields: a field of %zu bytes per case is too large for "
                                    "one message (at most %d): reduce numerics.diff_n_r, "
                                    "diff_n_z or run.output_times",
                                    fmax * sizeof(double), INT_MAX / 2);
        return 2;
    }
    ctx->payload_size = ns_payload_size(ctx->sizes, fmax);
    return 0;
}

/* Rank 0: the working file ready and open, statuses read, the pending list
 * made. Returns 0 (compute), -1 (nothing to do), or an exit code. */
static int start_file(const ns_run_options *opt, run_ctx *ctx, ns_workfile *wf,
                      const ns_workfile_params *wp, size_t **todo, size_t *n_todo)
{
    size_t n = ns_config_n_cases(ctx->cfg), n_failed = 0;
    (void)opt;
    int code = ns_workfile_check(wp);
    if (code == 0) code = ns_workfile_prepare(wf, wp, &n_failed);
    if (code == -1) {
        ctx->n_failed = n_failed;
        return -1;
    }
    if (code != 0) return code;
    if (ns_output_open(wf->partial, 1, &ctx->out) != NS_OK) {
        ns_workfile_print_error("cannot open %s for writing: %s", wf->partial,
                                ns_workfile_user_message());
        return 1;
    }
    ctx->status = malloc(n);
    *todo = malloc(n * sizeof **todo);
    if (!ctx->status || !*todo) {
        ns_workfile_print_error("out of memory for the list of %zu cases", n);
        return 1;
    }
    if (ns_output_read_status(ctx->out, ctx->status) != NS_OK) {
        ns_workfile_print_error("%s", ns_workfile_user_message());
        return 1;
    }
    for (size_t i = wp->case_lo; i < wp->case_hi; i++) {
        signed char s = ctx->status[i];
        if (s == NS_CASE_OK) ctx->n_ok++;
        else if (s == NS_CASE_FAILED && !opt->retry_failed) ctx->n_failed++;
        if (s == NS_CASE_PENDING || (s == NS_CASE_FAILED && opt->retry_failed) ||
            (s != NS_CASE_OK && s != NS_CASE_FAILED)) {
            (*todo)[(*n_todo)++] = i;
            ctx->status[i] = NS_CASE_PENDING; /* not counted until stored again */
        }
    }
    return 0;
}

/* Rank 0 after the compute: close, rename, summary. Returns the exit code. */
/* The sweep engine's own cost on rank 0 (stderr, one line): CPU time per
 * stored case of scheduling and output, and the result message sizes. The
 * benchmark (scripts/bench_sweep.sh) reads this line. */
static void print_engine_stats(const ns_sched_stats *sx, size_t commits)
{
    if (sx->stored == 0) return;
    fprintf(stderr,
            "needlesim: sweep engine: rank 0 master CPU %.3e s per case (%zu cases stored, %zu "
            "by rank 0 at %.3e s CPU each, %zu batch commits)",
            sx->master_cpu / (double)sx->stored, sx->stored, sx->own_cases,
            sx->own_cases ? sx->own_cpu / (double)sx->own_cases : 0.0, commits);
    fprintf(stderr, "; computing phase %.4f s wall, CPU rank 0 %.4f s, busiest worker %.4f s",
            sx->wall, sx->rank0_cpu, sx->worker_cpu_max);
    fprintf(stderr, "; rank 0 tail %.4f s, longest worker wait for work %.4f s", sx->idle_wall,
            sx->worker_wait_max);
    if (sx->messages)
        fprintf(stderr, "; result messages %zu, mean %.0f B, max %zu B", sx->messages,
                sx->message_bytes / (double)sx->messages, sx->message_max);
    fputc('\n', stderr);
}

static int finish_file(const ns_run_options *opt, run_ctx *ctx, ns_workfile *wf, ns_status st,
                       int signal, ns_sched_stats *sx)
{
    const ns_run_settings *rs = ns_config_run(ctx->cfg);
    size_t n = ns_config_n_cases(ctx->cfg);
    char reason[NS_OUTPUT_ERROR_LEN * 2];
    snprintf(reason, sizeof reason, "%s", ns_workfile_user_message());
    /* commits so far, and the one the close makes when rows are still held */
    size_t commits = ctx->out ? ns_output_commits(ctx->out) + (ns_output_pending(ctx->out) > 0) : 0;
    ns_status cst = ns_output_close(&ctx->out); /* a per-run cost: not in the per-case figure */
    if (!opt->quiet) print_engine_stats(sx, commits);
    if (st == NS_OK && cst != NS_OK) {
        st = cst;
        snprintf(reason, sizeof reason, "%s", ns_workfile_user_message());
    }
    if (st == NS_EINTR) {
        size_t done = ctx->n_ok + ctx->n_failed;
        fprintf(stderr,
                "needlesim: stopped by SIG%s (signal %d): %zu of %zu cases done (%zu ok, %zu "
                "failed), saved in %s\nneedlesim: continue with: needlesim run %s -o %s --resume\n",
                sigabbrev_np(signal) ? sigabbrev_np(signal) : "?", signal, done, n, ctx->n_ok,
                ctx->n_failed, wf->partial, opt->config_path, wf->out);
        return 4;
    }
    if (st != NS_OK) {
        ns_workfile_print_error("%s (the finished cases are kept in %s)", reason, wf->partial);
        return 1;
    }
    if (ns_workfile_finish(wf) != NS_OK) {
        ns_workfile_print_error("%s", ns_workfile_user_message());
        return 1;
    }
    if (ns_xdmf_write(wf->out, &(ns_xdmf_fields){ctx->n_fields, ctx->field_case, ctx->field_nr,
                                                 ctx->field_nz, rs->duration, ctx->sizes.n_time}) !=
        NS_OK) {
        ns_workfile_print_error("%s (the results are complete in %s)", ns_workfile_user_message(),
                                wf->out);
        return 1;
    }
    if (wf->p.case_lo > 0 || wf->p.case_hi < n)
        printf("cases %zu:%zu (%zu of %zu): %zu ok, %zu failed; file %s\n", wf->p.case_lo,
               wf->p.case_hi, wf->p.case_hi - wf->p.case_lo, n, ctx->n_ok, ctx->n_failed, wf->out);
    else
        printf("%zu cases: %zu ok, %zu failed; file %s\n", n, ctx->n_ok, ctx->n_failed, wf->out);
    fflush(stdout);
    return ctx->n_failed > 0 ? 3 : 0;
}

/* Rank 0: the working file for cases range = {n, lo, hi} of ctx->cfg and
 * the list of cases still to compute. Returns the exit code so far; *stop is
 * 1 when the run ends here (an error, or nothing left to do). */
static int open_working_file(const ns_run_options *opt, run_ctx *ctx, ns_workfile *wf,
                             const char *out, int out_is_default, const size_t range[3],
                             size_t **todo, size_t *n_todo, int *stop)
{
    ns_workfile_params wp = {.config_path = opt->config_path,
                             .out = out,
                             .out_is_default = out_is_default,
                             .resume = opt->resume,
                             .retry_failed = opt->retry_failed,
                             .overwrite = opt->overwrite,
                             .quiet = opt->quiet,
                             .config_hash = ns_config_hash(ctx->cfg),
                             .n_cases = range[0],
                             .sizes = ctx->sizes,
                             .case_lo = range[1],
                             .case_hi = range[2],
                             .create = create_file,
                             .ctx = ctx};
    int code = start_file(opt, ctx, wf, &wp, todo, n_todo);
    if (code == -1) { /* nothing to do */
        *stop = 1;
        code = ctx->n_failed > 0 ? 3 : 0;
    }
    *stop |= code != 0;
    return code;
}

int ns_run(const ns_run_options *opt, int *argc, char ***argv)
{
    int rank = 0, size = 1, code = 0, stop = 0;
    ns_config *cfg = NULL;
    run_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    ns_workfile wf;
    memset(&wf, 0, sizeof wf);
    wf.lock_fd = -1;
    size_t *todo = NULL, n_todo = 0;
    char out[NS_WORKFILE_PATH_CAP - 16];

    gsl_set_error_handler_off();
    if (ns_sched_init(argc, argv, &rank, &size) != NS_OK) {
        ns_workfile_print_error("%s", ns_workfile_user_message());
        return 1;
    }

    /* 1. Config: every rank loads it (same file, same result); all agree. */
    ns_status st = ns_config_load(opt->config_path, opt->sets, opt->n_sets, &cfg);
    if (!ns_sched_all(st == NS_OK)) {
        if (rank == 0)
            ns_workfile_print_error("%s", st != NS_OK ? ns_workfile_user_message()
                                                      : "config failed to load on another rank");
        code = 2;
        goto finish;
    }
    const ns_run_settings *rs = ns_config_run(cfg);
    ctx.cfg = cfg;
    ctx.sizes = (ns_curve_sizes){rs->curve_points, rs->output_times};
    int out_is_default = 0;
    code = resolve_output(opt, rs, out, sizeof out, &out_is_default);
    if (code == 0 && setup_fields(&ctx) != NS_OK) {
        if (rank == 0) ns_workfile_print_error("%s", ns_workfile_user_message());
        code = 2;
    }
    if (code == 0) code = setup_payload(&ctx, rank);
    if (code != 0) goto finish;
    size_t n = ns_config_n_cases(cfg), lo = 0, hi = n;
    if (ns_cli_case_range(opt->cases, n, &lo, &hi) != NS_OK) {
        if (rank == 0) ns_workfile_print_error("%s", ns_workfile_user_message());
        code = 2;
        goto finish;
    }

    /* 2. Working file (rank 0) and the pending-case list. */
    if (rank == 0) {
        size_t range[3] = {n, lo, hi};
        code = open_working_file(opt, &ctx, &wf, out, out_is_default, range, &todo, &n_todo, &stop);
    }
    ns_sched_bcast_int(&code);
    ns_sched_bcast_int(&stop);
    if (stop) goto finish;
    if (ns_sched_bcast_todo(&todo, &n_todo) != NS_OK ||
        ns_case_result_init(&ctx.work, ctx.sizes) != NS_OK ||
        (rank == 0 && ns_case_result_init(&ctx.store, ctx.sizes) != NS_OK)) {
        ns_workfile_print_error("%s", ns_workfile_user_message());
        ns_sched_abort(1);
    }
    if (rank == 0) {
        if (!opt->quiet)
            fprintf(stderr, "needlesim: %zu cases%s on %d rank%s, %zu to compute (%zu ok, %zu "
                            "failed already), writing %s\n",
                    hi - lo, hi - lo < n ? " of the slice" : "", size, size == 1 ? "" : "s", n_todo,
                    ctx.n_ok, ctx.n_failed, wf.partial);
        ctx.progress = ns_progress_create(stderr, hi - lo, ctx.n_ok, ctx.n_failed, opt->quiet);
    }

    /* 3. Compute. */
    ns_sched_stats stats;
    memset(&stats, 0, sizeof stats);
    ns_sched_job job = {todo,    n_todo,
                        ctx.payload_size, &ctx,
                        compute, rank == 0 ? store : NULL,
                        idle,    rank == 0 ? &stats : NULL};
    st = ns_sched_run(&job);
    int signal = ns_sched_agree_signal(); /* the signal any rank received */

    /* 4. Close, rename, summary (rank 0). */
    if (rank == 0) {
        ns_progress_destroy(&ctx.progress);
        code = finish_file(opt, &ctx, &wf, st, signal, &stats);
    }
    ns_sched_bcast_int(&code);

finish:
    ns_case_result_clear(&ctx.work);
    ns_case_result_clear(&ctx.store);
    ns_output_close(&ctx.out);
    ns_workfile_clear(&wf);
    free(ctx.status);
    free_fields(&ctx);
    free(todo);
    ns_config_destroy(&cfg);
    ns_sched_finalize();
    return code;
}
