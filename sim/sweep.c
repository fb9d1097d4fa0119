/* Sweep axes and design (see sweep.h). */
#include "sweep.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_qrng.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

typedef enum { AXIS_LIST = 0, AXIS_LIN, AXIS_LOG } axis_form;

typedef struct {
    ns_key_ref ref;
    axis_form form;
    double a, b;     /* range ends (SI) */
    size_t n;        /* listed values; 0 for a range without n */
    double *values;  /* n values (SI or enum index) */
    char **labels;   /* n names for enum/preset axes, else NULL */
} axis;

struct ns_sweep {
    axis ax[NS_SWEEP_MAX_AXES];
    size_t n_axes;
    ns_sweep_mode mode;
    size_t n_cases;
    size_t stride[NS_SWEEP_MAX_AXES]; /* grid */
    size_t samples;                   /* lhs/sobol points, saltelli base points N */
    double *design;                   /* lhs/sobol/saltelli: n_cases x n_axes values */
};

static const char *const mode_names[] = {"none", "grid", "zip", "lhs", "sobol", "saltelli"};

const char *ns_sweep_mode_name(ns_sweep_mode m)
{
    return (m >= NS_SWEEP_NONE && m <= NS_SWEEP_SALTELLI) ? mode_names[m] : "?";
}

int ns_sweep_mode_parse(const char *s, ns_sweep_mode *out)
{
    for (size_t i = 1; i < sizeof mode_names / sizeof mode_names[0]; i++)
        if (strcmp(s, mode_names[i]) == 0) return *out = (ns_sweep_mode)i, 0;
    return -1;
}

ns_status ns_sweep_create(ns_sweep **out)
{
    *out = calloc(1, sizeof **out);
    return *out ? NS_OK : ns_status_set_plain(NS_ENOMEM, "out of memory (sweep)");
}

/* Free what an axis holds (NULL-safe members). */
static void axis_clear(axis *a)
{
    if (a->labels)
        for (size_t j = 0; j < a->n; j++) free(a->labels[j]);
    free(a->labels);
    free(a->values);
    a->labels = NULL;
    a->values = NULL;
}

void ns_sweep_destroy(ns_sweep **s)
{
    if (!s || !*s) return;
    for (size_t k = 0; k < (*s)->n_axes; k++) axis_clear(&(*s)->ax[k]);
    free((*s)->design);
    free(*s);
    *s = NULL;
}

static int is_enum_key(const ns_key *k) { return k->kind == NS_KIND_ENUM; }

static int is_numeric_key(const ns_key *k)
{
    return ns_units_dimensional(k->kind) || k->kind == NS_KIND_DIMENSIONLESS ||
           k->kind == NS_KIND_COUNT;
}

/* Split text on commas at depth 0 into at most max trimmed pieces. Returns
 * the count, or (size_t)-1 on an empty piece or too many pieces. */
static size_t split_commas(char *text, char **pieces, size_t max)
{
    size_t n = 0;
    char *start = text;
    for (char *p = text;; p++) {
        if (*p == ',' || *p == '\0') {
            int last = (*p == '\0');
            *p = '\0';
            while (isspace((unsigned char)*start)) start++;
            char *end = start + strlen(start);
            while (end > start && isspace((unsigned char)end[-1])) *--end = '\0';
            if (*start == '\0' || n == max) return (size_t)-1;
            pieces[n++] = start;
            if (last) break;
            start = p + 1;
        }
    }
    return n;
}

/* Maximum entries of one list axis. */
#define MAX_LIST 100000

/* Whether ref may be an axis of s: room, not given twice, sweepable, of a
 * kind with values to sweep. */
static ns_status axis_check_key(const ns_sweep *s, const ns_key_ref *ref, char *err, size_t err_len)
{
    const ns_key *k = ref->key;
    if (s->n_axes == NS_SWEEP_MAX_AXES) {
        snprintf(err, err_len, "too many sweep axes (at most %d)", NS_SWEEP_MAX_AXES);
        return NS_EINVAL;
    }
    for (size_t j = 0; j < s->n_axes; j++) {
        if (strcmp(s->ax[j].ref.name, ref->name) == 0) {
            snprintf(err, err_len, "axis %s is given twice", ref->name);
            return NS_EINVAL;
        }
    }
    if (k->flags & NS_KEY_NOSWEEP) {
        snprintf(err, err_len,
                 "%s cannot be swept (it is shared by all cases of a run); set it in [%s]",
                 ref->name, k->section);
        return NS_EINVAL;
    }
    if (!is_numeric_key(k) && !is_enum_key(k) && k->kind != NS_KIND_BOOL) {
        snprintf(err, err_len, "%s cannot be swept (%s)", ref->name, ns_units_kind_name(k->kind));
        return NS_EINVAL;
    }
    return NS_OK;
}

static ns_status out_of_memory(char *err, size_t err_len)
{
    snprintf(err, err_len, "out of memory");
    return NS_ENOMEM;
}

/* One end of a range (`which` is "start" or "end") into *x (SI); auto is refused. */
static ns_status range_end(const ns_key_ref *ref, const char *piece, const char *which,
                           ns_key_value *v, double *x, char *err, size_t err_len)
{
    char why[512];
    if (ns_keys_parse(ref, piece, v, why, sizeof why) != NS_OK || isnan(v->x)) {
        snprintf(err, err_len, "range %s '%s': %s", which, piece,
                 isnan(v->x) ? "auto is not a number" : why);
        return NS_EINVAL;
    }
    *x = v->x;
    return NS_OK;
}

/* The n values of a range with a count: evenly spaced (lin) or in equal
 * ratios (log), counts rounded, the end exact. */
static ns_status range_fill(axis *a, char *err, size_t err_len)
{
    a->values = malloc(a->n * sizeof *a->values);
    if (!a->values) return out_of_memory(err, err_len);
    for (size_t j = 0; j < a->n; j++) {
        double f = a->n > 1 ? (double)j / (double)(a->n - 1) : 0.0;
        a->values[j] = (a->form == AXIS_LIN) ? a->a + (a->b - a->a) * f : a->a * pow(a->b / a->a, f);
        if (a->ref.key->kind == NS_KIND_COUNT) a->values[j] = round(a->values[j]);
    }
    /* Exact end points (pow and the sum can round). */
    a->values[a->n - 1] = a->n > 1 ? a->b : a->a;
    return NS_OK;
}

/* "lin(a, b[, n])" or "log(a, b[, n])": t is the trimmed text, tend its end. */
static ns_status parse_range(axis *a, char *t, char *tend, char **pieces, ns_key_value *v,
                             char *err, size_t err_len)
{
    const ns_key_ref *ref = &a->ref;
    a->form = (t[1] == 'i') ? AXIS_LIN : AXIS_LOG;
    char *open = t + 3;
    while (isspace((unsigned char)*open)) open++;
    if (*open != '(' || tend[-1] != ')') {
        snprintf(err, err_len, "invalid range '%s'; expected lin(a, b, n) or log(a, b, n)", t);
        return NS_EINVAL;
    }
    tend[-1] = '\0';
    size_t np = split_commas(open + 1, pieces, 4);
    if (np == (size_t)-1 || np < 2 || np > 3) {
        snprintf(err, err_len, "invalid range '%s)'; expected lin(a, b, n) or log(a, b, n)", t);
        return NS_EINVAL;
    }
    if (!is_numeric_key(ref->key)) {
        snprintf(err, err_len, "%s takes a list of names, not a range", ref->name);
        return NS_EINVAL;
    }
    ns_status st = range_end(ref, pieces[0], "start", v, &a->a, err, err_len);
    if (st == NS_OK) st = range_end(ref, pieces[1], "end", v, &a->b, err, err_len);
    if (st != NS_OK) return st;
    if (a->form == AXIS_LOG && !(a->a > 0.0 && a->b > 0.0)) {
        snprintf(err, err_len, "log range needs positive ends, got '%s' and '%s'", pieces[0],
                 pieces[1]);
        return NS_EINVAL;
    }
    if (np < 3) return NS_OK; /* a range without n: sampled modes only */
    double n = 0.0;
    if (ns_units_number(pieces[2], &n) != 0 || n < 1.0 || n != floor(n) || n > (double)MAX_LIST) {
        snprintf(err, err_len, "range count '%s' is not an integer in [1, %d]", pieces[2], MAX_LIST);
        return NS_EINVAL;
    }
    a->n = (size_t)n;
    return range_fill(a, err, err_len);
}

/* "v1, v2, ...": values of the key's kind, names kept for enum axes. */
static ns_status parse_list(axis *a, char *t, char **pieces, ns_key_value *v, char *err,
                            size_t err_len)
{
    const ns_key_ref *ref = &a->ref;
    size_t np = split_commas(t, pieces, MAX_LIST);
    if (np == (size_t)-1) {
        snprintf(err, err_len, "invalid list '%s' (empty entry or more than %d values)", t, MAX_LIST);
        return NS_EINVAL;
    }
    a->form = AXIS_LIST;
    a->n = np;
    a->values = malloc(np * sizeof *a->values);
    if (is_enum_key(ref->key)) a->labels = calloc(np, sizeof *a->labels);
    if (!a->values || (is_enum_key(ref->key) && !a->labels)) return out_of_memory(err, err_len);
    for (size_t j = 0; j < np; j++) {
        char why[512];
        if (ns_keys_parse(ref, pieces[j], v, why, sizeof why) != NS_OK) {
            snprintf(err, err_len, "value %zu '%s': %s", j + 1, pieces[j], why);
            return NS_EINVAL;
        }
        a->values[j] = v->x;
        if (a->labels && !(a->labels[j] = strdup(v->text))) return out_of_memory(err, err_len);
    }
    return NS_OK;
}

ns_status ns_sweep_add_axis(ns_sweep *s, const ns_key_ref *ref, const char *text, char *err,
                            size_t err_len)
{
    ns_status st = axis_check_key(s, ref, err, err_len);
    if (st != NS_OK) return st;
    axis a;
    memset(&a, 0, sizeof a);
    a.ref = *ref;
    size_t len = strlen(text);
    char *buf = malloc(len + 1);
    char **pieces = malloc(MAX_LIST * sizeof *pieces);
    ns_key_value *v = malloc(sizeof *v);
    if (!buf || !pieces || !v) {
        st = out_of_memory(err, err_len);
        goto done;
    }
    memcpy(buf, text, len + 1);
    char *t = buf;
    while (isspace((unsigned char)*t)) t++;
    char *tend = t + strlen(t);
    while (tend > t && isspace((unsigned char)tend[-1])) *--tend = '\0';
    if (*t == '\0') {
        snprintf(err, err_len, "no values given");
        st = NS_EINVAL;
        goto done;
    }
    int is_range = (strncmp(t, "lin", 3) == 0 || strncmp(t, "log", 3) == 0) && strchr(t, '(') != NULL;
    st = is_range ? parse_range(&a, t, tend, pieces, v, err, err_len)
                  : parse_list(&a, t, pieces, v, err, err_len);
    if (st == NS_OK) {
        s->ax[s->n_axes++] = a;
        memset(&a, 0, sizeof a);
    }
done:
    axis_clear(&a);
    free(v);
    free(pieces);
    free(buf);
    return st;
}

/* Map u in [0,1) to axis k's value. */
static double map_unit(const axis *a, double u)
{
    if (a->form == AXIS_LIST) {
        size_t j = (size_t)floor(u * (double)a->n);
        if (j >= a->n) j = a->n - 1;
        return a->values[j];
    }
    double x = (a->form == AXIS_LIN) ? a->a + (a->b - a->a) * u : a->a * pow(a->b / a->a, u);
    if (a->ref.key->kind == NS_KIND_COUNT) x = round(x);
    /* Guard the ends against rounding outside [a, b]. */
    double lo = fmin(a->a, a->b), hi = fmax(a->a, a->b);
    return fmin(fmax(x, lo), hi);
}

/* Latin hypercube of N points into s->design (see sweep.h). */
static ns_status design_lhs(ns_sweep *s, size_t N, unsigned long seed, char *err, size_t err_len)
{
    size_t K = s->n_axes;
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    size_t *perm = malloc(N * sizeof *perm);
    if (!rng || !perm) {
        gsl_rng_free(rng);
        free(perm);
        snprintf(err, err_len, "out of memory for the Latin hypercube");
        return NS_ENOMEM;
    }
    gsl_rng_set(rng, seed);
    for (size_t k = 0; k < K; k++) {
        for (size_t i = 0; i < N; i++) perm[i] = i;
        gsl_ran_shuffle(rng, perm, N, sizeof *perm);
        for (size_t i = 0; i < N; i++) {
            double u = ((double)perm[i] + gsl_rng_uniform(rng)) / (double)N;
            s->design[i * K + k] = map_unit(&s->ax[k], u);
        }
    }
    free(perm);
    gsl_rng_free(rng);
    return NS_OK;
}

/* First N points of the K-dimensional Sobol sequence into s->design. */
static ns_status design_sobol(ns_sweep *s, size_t N, char *err, size_t err_len)
{
    size_t K = s->n_axes;
    gsl_qrng *q = gsl_qrng_alloc(gsl_qrng_sobol, (unsigned int)K);
    if (!q) {
        snprintf(err, err_len, "cannot create a %zu-dimensional Sobol generator", K);
        return NS_EINVAL;
    }
    double u[NS_SWEEP_MAX_AXES];
    for (size_t i = 0; i < N; i++) {
        gsl_qrng_get(q, u);
        for (size_t k = 0; k < K; k++) s->design[i * K + k] = map_unit(&s->ax[k], u[k]);
    }
    gsl_qrng_free(q);
    return NS_OK;
}

/* Bits of a GSL Sobol coordinate: every point is a multiple of 2^-30, so
 * u 2^30 is an exact integer. */
#define SOBOL_BITS 30

/* Saltelli's A, B and AB_k blocks (see sweep.h) into s->design. */
static ns_status design_saltelli(ns_sweep *s, size_t N, unsigned long seed, char *err,
                                 size_t err_len)
{
    size_t K = s->n_axes, D = 2 * K;
    gsl_qrng *q = gsl_qrng_alloc(gsl_qrng_sobol, (unsigned int)D);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (!q || !rng) {
        gsl_qrng_free(q);
        gsl_rng_free(rng);
        snprintf(err, err_len, "cannot create a %zu-dimensional Sobol generator", D);
        return NS_EINVAL;
    }
    gsl_rng_set(rng, seed);
    const double scale = ldexp(1.0, SOBOL_BITS);
    const unsigned long mask = (1UL << SOBOL_BITS) - 1UL;
    unsigned long shift[2 * NS_SWEEP_SALTELLI_MAX_AXES];
    for (size_t m = 0; m < D; m++) shift[m] = gsl_rng_get(rng) & mask;
    double u[2 * NS_SWEEP_SALTELLI_MAX_AXES];
    for (size_t i = 0; i < N; i++) {
        /* Point 0 is the sequence's origin, which GSL leaves out. */
        if (i == 0)
            memset(u, 0, sizeof u);
        else
            gsl_qrng_get(q, u);
        for (size_t m = 0; m < D; m++) {
            unsigned long x = (unsigned long)(u[m] * scale);
            u[m] = (double)(x ^ shift[m]) / scale;
        }
        double *A = s->design + i * K, *B = s->design + (N + i) * K;
        for (size_t k = 0; k < K; k++) {
            A[k] = map_unit(&s->ax[k], u[k]);
            B[k] = map_unit(&s->ax[k], u[K + k]);
        }
        for (size_t j = 0; j < K; j++) {
            double *AB = s->design + ((2 + j) * N + i) * K;
            memcpy(AB, A, K * sizeof *AB);
            AB[j] = B[j];
        }
    }
    gsl_qrng_free(q);
    gsl_rng_free(rng);
    return NS_OK;
}

ns_status ns_sweep_build(ns_sweep *s, ns_sweep_mode mode, size_t samples, unsigned long seed,
                         unsigned long long max_cases, char *err, size_t err_len)
{
    s->mode = mode;
    free(s->design);
    s->design = NULL;
    size_t K = s->n_axes;
    if (K == 0) {
        s->mode = NS_SWEEP_NONE;
        s->n_cases = 1;
        return NS_OK;
    }
    if (mode == NS_SWEEP_NONE) mode = s->mode = NS_SWEEP_GRID;
    if (mode == NS_SWEEP_GRID || mode == NS_SWEEP_ZIP) {
        if (samples) {
            snprintf(err, err_len, "samples is only used by " NS_SWEEP_SAMPLED_MODES ", not %s",
                     ns_sweep_mode_name(mode));
            return NS_EINVAL;
        }
        for (size_t k = 0; k < K; k++) {
            if (s->ax[k].n == 0) {
                snprintf(err, err_len,
                         "axis %s: a range needs a count in %s mode: lin(a, b, n) or log(a, b, n)",
                         s->ax[k].ref.name, ns_sweep_mode_name(mode));
                return NS_EINVAL;
            }
        }
    }
    if (mode == NS_SWEEP_GRID) {
        unsigned long long total = 1;
        for (size_t k = K; k-- > 0;) {
            s->stride[k] = (size_t)total;
            total *= s->ax[k].n;
            if (total > max_cases) {
                snprintf(err, err_len, "grid sweep has more than %llu cases (the cap)", max_cases);
                return NS_EINVAL;
            }
        }
        s->n_cases = (size_t)total;
        return NS_OK;
    }
    if (mode == NS_SWEEP_ZIP) {
        for (size_t k = 1; k < K; k++) {
            if (s->ax[k].n != s->ax[0].n) {
                snprintf(err, err_len,
                         "zip axes must have the same length: %s has %zu values, %s has %zu",
                         s->ax[0].ref.name, s->ax[0].n, s->ax[k].ref.name, s->ax[k].n);
                return NS_EINVAL;
            }
        }
        s->n_cases = s->ax[0].n;
        return NS_OK;
    }
    /* lhs / sobol / saltelli */
    if (samples == 0) {
        snprintf(err, err_len, "%s sweep needs 'samples = N' in [sweep]",
                 ns_sweep_mode_name(mode));
        return NS_EINVAL;
    }
    size_t N = samples, blocks = (mode == NS_SWEEP_SALTELLI) ? K + 2 : 1;
    if (mode == NS_SWEEP_SALTELLI && K > NS_SWEEP_SALTELLI_MAX_AXES) {
        snprintf(err, err_len, "saltelli sweep has %zu axes; at most %d (2K Sobol dimensions)", K,
                 NS_SWEEP_SALTELLI_MAX_AXES);
        return NS_EINVAL;
    }
    if ((unsigned long long)samples > max_cases / blocks) {
        if (blocks > 1)
            snprintf(err, err_len,
                     "samples = %zu gives %zu x (%zu axes + 2) cases, more than the cap of %llu",
                     samples, samples, K, max_cases);
        else
            snprintf(err, err_len, "samples = %zu exceeds the cap of %llu cases", samples,
                     max_cases);
        return NS_EINVAL;
    }
    s->samples = N;
    s->design = malloc(N * blocks * K * sizeof *s->design);
    if (!s->design) {
        snprintf(err, err_len, "out of memory for %zu x %zu design", N * blocks, K);
        return NS_ENOMEM;
    }
    ns_status st = (mode == NS_SWEEP_LHS)    ? design_lhs(s, N, seed, err, err_len)
                   : (mode == NS_SWEEP_SOBOL) ? design_sobol(s, N, err, err_len)
                                              : design_saltelli(s, N, seed, err, err_len);
    if (st != NS_OK) return st;
    s->n_cases = N * blocks;
    return NS_OK;
}

size_t ns_sweep_n_cases(const ns_sweep *s) { return s->n_cases; }
size_t ns_sweep_n_axes(const ns_sweep *s) { return s->n_axes; }
const ns_key_ref *ns_sweep_axis_key(const ns_sweep *s, size_t k) { return &s->ax[k].ref; }

int ns_sweep_saltelli_block(const ns_sweep *s, size_t i)
{
    if (s->mode != NS_SWEEP_SALTELLI || i >= s->n_cases) return -1;
    return (int)(i / s->samples);
}

double ns_sweep_value(const ns_sweep *s, size_t k, size_t i)
{
    const axis *a = &s->ax[k];
    switch (s->mode) {
    case NS_SWEEP_GRID:
        return a->values[(i / s->stride[k]) % a->n];
    case NS_SWEEP_ZIP:
        return a->values[i];
    case NS_SWEEP_LHS:
    case NS_SWEEP_SOBOL:
    case NS_SWEEP_SALTELLI:
        return s->design[i * s->n_axes + k];
    case NS_SWEEP_NONE:
        break;
    }
    return NAN;
}

const char *ns_sweep_label(const ns_sweep *s, size_t k, size_t i)
{
    const axis *a = &s->ax[k];
    if (!a->labels) return NULL;
    double x = ns_sweep_value(s, k, i);
    for (size_t j = 0; j < a->n; j++)
        if (a->values[j] == x) return a->labels[j];
    return NULL;
}

void ns_sweep_key_value(const ns_sweep *s, size_t k, size_t i, ns_key_value *v)
{
    v->x = ns_sweep_value(s, k, i);
    v->n_list = 0;
    const char *label = ns_sweep_label(s, k, i);
    snprintf(v->text, sizeof v->text, "%s", label ? label : "");
}
