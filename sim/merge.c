/* Merging slice files (see merge.h). */
#include "merge.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "output.h"
#include "workfile.h"

typedef struct {
    ns_output **in;      /* [n_slices] open read-only */
    signed char *status; /* [n_slices * n_cases] */
    size_t n_slices, n_cases;
    ns_curve_sizes sizes;
} merge_ctx;

static void merge_clear(merge_ctx *m)
{
    for (size_t k = 0; m->in && k < m->n_slices; k++)
        ns_output_close(&m->in[k]);
    free(m->in);
    free(m->status);
}

/* Checks of OUT and the slices; opens them. Returns 0 or 2 (message printed). */
static int open_slices(merge_ctx *m, const char *out, const char *const *slices, int overwrite)
{
    struct stat so, si;
    int have_out = stat(out, &so) == 0;
    if (have_out && !overwrite) {
        ns_workfile_print_error("%s exists: pass --overwrite to replace it", out);
        return 2;
    }
    m->in = calloc(m->n_slices, sizeof *m->in);
    if (!m->in) {
        ns_workfile_print_error("out of memory");
        return 2;
    }
    for (size_t k = 0; k < m->n_slices; k++) {
        if (have_out && stat(slices[k], &si) == 0 && si.st_dev == so.st_dev &&
            si.st_ino == so.st_ino) {
            ns_workfile_print_error("%s is both the output and a slice; name another output", out);
            return 2;
        }
        if (ns_output_open(slices[k], 0, &m->in[k]) != NS_OK) {
            ns_workfile_print_error("cannot merge %s: %s", slices[k], ns_workfile_user_message());
            return 2;
        }
        ns_output *a = m->in[0], *b = m->in[k];
        ns_curve_sizes sa = ns_output_sizes(a), sb = ns_output_sizes(b);
        if (ns_output_config_hash(a) != ns_output_config_hash(b) ||
            ns_output_n_cases(a) != ns_output_n_cases(b) || sa.n_insertion != sb.n_insertion ||
            sa.n_time != sb.n_time) {
            ns_workfile_print_error(
                "cannot merge %s with %s: they were written for different configurations "
                "(config_hash %016llx and %016llx, %zu and %zu cases)",
                slices[k], slices[0], ns_output_config_hash(b), ns_output_config_hash(a),
                ns_output_n_cases(b), ns_output_n_cases(a));
            return 2;
        }
    }
    m->n_cases = ns_output_n_cases(m->in[0]);
    m->sizes = ns_output_sizes(m->in[0]);
    m->status = malloc(m->n_slices * m->n_cases);
    if (!m->status) {
        ns_workfile_print_error("out of memory for %zu x %zu statuses", m->n_slices, m->n_cases);
        return 2;
    }
    for (size_t k = 0; k < m->n_slices; k++)
        if (ns_output_read_status(m->in[k], m->status + k * m->n_cases) != NS_OK) {
            ns_workfile_print_error("cannot merge %s: %s", slices[k], ns_workfile_user_message());
            return 2;
        }
    return 0;
}

/* The slice each case comes from, or -1 (message printed, exit 2). */
static int pick_sources(const merge_ctx *m, size_t *src)
{
    size_t missing = 0, first = 0;
    for (size_t i = 0; i < m->n_cases; i++) {
        src[i] = m->n_slices;
        for (size_t k = 0; k < m->n_slices && src[i] == m->n_slices; k++) {
            signed char s = m->status[k * m->n_cases + i];
            if (s == NS_CASE_OK || s == NS_CASE_FAILED) src[i] = k;
        }
        if (src[i] == m->n_slices && missing++ == 0) first = i;
    }
    if (missing) {
        ns_workfile_print_error("%zu of %zu cases are in no slice (the first is case %zu): give "
                                "every slice, or finish them with run --resume --cases",
                                missing, m->n_cases, first);
        return -1;
    }
    return 0;
}

/* Fill tmp (a copy of slice 0) with the cases of the other slices. */
static ns_status fill(const merge_ctx *m, const char *tmp, const size_t *src, size_t *n_ok,
                      size_t *n_failed)
{
    ns_output *o = NULL;
    ns_case_result r;
    char error[NS_OUTPUT_ERROR_LEN];
    NS_TRY(ns_case_result_init(&r, m->sizes));
    ns_status st = ns_output_open(tmp, 1, &o);
    for (size_t i = 0; st == NS_OK && i < m->n_cases; i++) {
        int status = 0;
        double seconds = 0.0;
        if (src[i] != 0) {
            ns_output *in = m->in[src[i]];
            st = ns_output_read_case(in, i, &r, &status, error, &seconds);
            if (st == NS_OK) st = ns_output_copy_fields(o, in, i);
            if (st == NS_OK) st = ns_output_write_case(o, i, &r, status, error, seconds);
        } else {
            status = m->status[i];
        }
        *n_ok += status == NS_CASE_OK;
        *n_failed += status == NS_CASE_FAILED;
    }
    ns_status cst = ns_output_close(&o);
    ns_case_result_clear(&r);
    return st != NS_OK ? st : cst;
}

int ns_merge(const char *out, const char *const *slices, size_t n_slices, int overwrite, int quiet)
{
    merge_ctx m = {.n_slices = n_slices};
    size_t *src = NULL, n_ok = 0, n_failed = 0;
    char tmp[NS_WORKFILE_PATH_CAP + 16];
    int fd = -1;
    int code = open_slices(&m, out, slices, overwrite);
    if (code == 0 && !(src = malloc(m.n_cases * sizeof *src))) code = 2;
    if (code == 0 && pick_sources(&m, src) != 0) code = 2;
    if (code != 0) goto done;
    snprintf(tmp, sizeof tmp, "%s.new.XXXXXX", out);
    fd = mkostemp(tmp, 0);
    if (fd < 0) {
        ns_workfile_print_error("cannot create a file next to %s: %s", out, strerror(errno));
        code = errno == ENOENT || errno == ENOTDIR ? 2 : 1;
        goto done;
    }
    mode_t mask = umask(0);
    umask(mask);
    (void)fchmod(fd, 0666 & ~mask);
    if (ns_workfile_copy(slices[0], fd) != 0) {
        ns_workfile_print_error("cannot copy %s to %s: %s", slices[0], tmp, strerror(errno));
        code = 1;
    } else if (fill(&m, tmp, src, &n_ok, &n_failed) != NS_OK) {
        ns_workfile_print_error("%s", ns_workfile_user_message());
        code = 1;
    } else if (fsync(fd) != 0 || ns_workfile_install(tmp, out, !overwrite) != 0) {
        ns_workfile_print_error("cannot write %s: %s", out, strerror(errno));
        code = errno == EEXIST ? 2 : 1;
    }
    if (code != 0) {
        unlink(tmp);
        goto done;
    }
    ns_workfile_sync_dir(out);
    (void)quiet; /* the closing line goes to stdout, like run's */
    printf("%zu cases: %zu ok, %zu failed; file %s (merged from %zu slices)\n", m.n_cases, n_ok,
           n_failed, out, n_slices);
    code = n_failed > 0 ? 3 : 0;
done:
    if (fd >= 0) close(fd);
    free(src);
    merge_clear(&m);
    return code;
}
