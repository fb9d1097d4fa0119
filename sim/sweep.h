/* Sweep axes and the case design.
 *
 * An axis is one config key and its values, written in [sweep] as
 *     needle.length     = 250 um, 500 um, 1 mm       list
 *     applicator.speed  = lin(0.5 mm/s, 3 m/s, 8)    a + (b - a) j/(n - 1), j = 0..n-1
 *     array.density     = log(10 /cm2, 1000 /cm2, 5) a (b/a)^(j/(n - 1))
 *     applicator.mode   = press, impact               enum or preset names
 * Modes:
 *   grid   Cartesian product, first axis slowest: case i has index
 *          j_k = (i / s_k) mod n_k with s_k = prod_{m > k} n_m.
 *   zip    axes of equal length n, case i takes value i of each axis.
 *   lhs    Latin hypercube of N = samples points. Per axis a random
 *          permutation pi_k of 0..N-1 and u_ik = (pi_k(i) + U_ik) / N with
 *          U uniform in [0,1) (gsl_rng_mt19937 seeded with `seed`, draws in
 *          a fixed order: axis by axis, permutation then offsets), so each
 *          of the N strata [j/N, (j+1)/N) is hit exactly once per axis.
 *   sobol  the first N points of the Sobol sequence (gsl_qrng_sobol, at
 *          most 40 axes). GSL's generator already leaves out the origin
 *          (which would put every axis at its lower bound): the first point
 *          is the centre (1/2, ..., 1/2); nothing further is skipped.
 *          `seed` is not used.
 *   saltelli  Saltelli's design for variance-based (Sobol) sensitivity
 *          indices with N = samples base points and K axes: N (K + 2)
 *          cases in blocks of N,
 *              cases [0, N)                 A
 *              cases [N, 2N)                B
 *              cases [(2 + k) N, (3 + k) N) AB_k: A with column k from B
 *          (Saltelli 2010, Jansen 1999). Row i of A and B is point i of
 *          the 2K-dimensional Sobol sequence (GSL, so K <= 20), A from
 *          dimensions 0..K-1 and B from K..2K-1, with a random digital
 *          shift: every 30-bit coordinate is XORed with a per-dimension
 *          word d_m drawn from gsl_rng_mt19937 seeded with `seed`. The
 *          sequence starts at its origin (point 0, which GSL's generator
 *          leaves out, followed by GSL's points), so for N = 2^m each
 *          column of A and B hits each of the N strata [j/N, (j+1)/N)
 *          once; the shift keeps that stratification and moves the origin
 *          off the lower bounds. A new seed gives a new, equally balanced
 *          design for a replicate study. Use N a power of 2.
 * lhs/sobol/saltelli map u in [0,1) to a range as a + (b - a) u (lin) or
 * a (b/a)^u (log, i.e. uniform in log space); ranges may then omit n
 * ("lin(a, b)"). Lists (numbers or names) are sampled as stratified
 * indices j = floor(u n). Count keys are rounded to the nearest integer.
 * The whole design is computed at load time from (axes, mode, samples,
 * seed) only: case i is a pure function of the config and i, whatever the
 * number of ranks.
 */
#ifndef NS_SWEEP_H
#define NS_SWEEP_H

#include <stddef.h>

#include "keys.h"

typedef enum {
    NS_SWEEP_NONE = 0,
    NS_SWEEP_GRID,
    NS_SWEEP_ZIP,
    NS_SWEEP_LHS,
    NS_SWEEP_SOBOL,
    NS_SWEEP_SALTELLI
} ns_sweep_mode;

/* The mode names a config may give, for messages and help. */
#define NS_SWEEP_MODE_LIST "grid, zip, lhs, sobol, saltelli"
/* The modes that draw `samples` points. */
#define NS_SWEEP_SAMPLED_MODES "lhs, sobol and saltelli"
/* Largest number of axes of a saltelli design (2K Sobol dimensions <= 40). */
#define NS_SWEEP_SALTELLI_MAX_AXES 20

/* "none", "grid", "zip", "lhs", "sobol", "saltelli". */
const char *ns_sweep_mode_name(ns_sweep_mode m);
/* 0 ok, -1 unknown name. */
int ns_sweep_mode_parse(const char *s, ns_sweep_mode *out);

typedef struct ns_sweep ns_sweep;

/* Largest number of axes (the Sobol generator of GSL supports 40). */
#define NS_SWEEP_MAX_AXES 40

ns_status ns_sweep_create(ns_sweep **out);
void ns_sweep_destroy(ns_sweep **s);

/* Add an axis for the key from its value text. On a syntax or value error
 * returns NS_EINVAL with the reason in err (no location). */
ns_status ns_sweep_add_axis(ns_sweep *s, const ns_key_ref *ref, const char *text, char *err,
                            size_t err_len);

/* Fix the mode and build the design. samples: lhs/sobol point count, or
 * the saltelli base sample count N (0 = not given); max_cases: cap on the
 * case count (N (K + 2) for saltelli). NS_EINVAL with the reason in err on
 * mismatched zip lengths, missing samples, ranges without n in grid/zip,
 * too many cases or axes (saltelli: more than NS_SWEEP_SALTELLI_MAX_AXES). */
ns_status ns_sweep_build(ns_sweep *s, ns_sweep_mode mode, size_t samples, unsigned long seed,
                         unsigned long long max_cases, char *err, size_t err_len);

size_t ns_sweep_n_cases(const ns_sweep *s);
size_t ns_sweep_n_axes(const ns_sweep *s);
const ns_key_ref *ns_sweep_axis_key(const ns_sweep *s, size_t k);
/* Saltelli block of case i: 0 for A, 1 for B, 2 + k for AB_k; -1 in other
 * modes. The base point of case i is i mod samples. */
int ns_sweep_saltelli_block(const ns_sweep *s, size_t i);

/* Value of axis k for case i: SI number, or enum/preset index. */
double ns_sweep_value(const ns_sweep *s, size_t k, size_t i);
/* Name for enum/preset axes, NULL for numeric axes. */
const char *ns_sweep_label(const ns_sweep *s, size_t k, size_t i);
/* The key value to apply for axis k in case i. */
void ns_sweep_key_value(const ns_sweep *s, size_t k, size_t i, ns_key_value *v);

#endif
