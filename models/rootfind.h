/* Bracketed scalar root finding: bisection and the Illinois variant of
 * regula falsi, one loop for every root the models locate.
 *
 * Problem: find x in [lo, hi] with f(x) = 0, where f(lo) > 0 >= f(hi) (the
 * sign convention of every caller: f is positive on the lo side; a value
 * f(x) <= 0, or one that is NaN, moves hi). The bracket [lo, hi] shrinks
 * until hi - lo <= epsabs, or until it cannot shrink in floating point (the
 * midpoint equals an end), or max_iter iterations have run.
 *
 * Methods (one iteration = one evaluation of f):
 *   NS_ROOT_BISECTION  x = (lo + hi) / 2; linear convergence, one bit per
 *                      iteration, f(lo) and f(hi) not needed;
 *   NS_ROOT_ILLINOIS   x = (lo f(hi) - hi f(lo)) / (f(hi) - f(lo)) (the secant
 *                      through the bracket ends), falling back to the
 *                      midpoint when x is not strictly inside or not finite;
 *                      when the same end moves twice in a row the value kept
 *                      at the other end is halved (Dowell & Jarratt 1971), so
 *                      convergence is superlinear (order about 1.44). Needs
 *                      f(lo) and f(hi) in the bracket on entry.
 *
 * The function f returns 0 and sets *fx; > 0 when it cannot be evaluated at x
 * (x then becomes hi with f(hi) unchanged: the caller's "shrink towards lo",
 * e.g. a time step that did not converge); < 0 when fatal, -rc being the
 * ns_status to return (f has recorded its message).
 *
 * The loops this replaces stopped at the same tests in the same order, so
 * each converted caller gives the bit-identical root (tests/unit/test_rootfind.c
 * checks the iteration counts and the roots against closed forms).
 * Ref: Dowell M, Jarratt P (1971) BIT 11:168-174 (Illinois); GSL manual,
 * "One-dimensional root-finding" (bracketing solvers, the max-iterations test). */
#ifndef NS_ROOTFIND_H
#define NS_ROOTFIND_H

#include <stddef.h>

#include "status.h"

typedef enum { NS_ROOT_BISECTION = 0, NS_ROOT_ILLINOIS } ns_root_method;

typedef int (*ns_root_fn)(double x, void *params, double *fx);

/* The bracket: in, the interval (and for Illinois f at its ends); out, the
 * final interval, f at its ends as last known (Illinois: possibly halved) and
 * the iterations used. */
typedef struct {
    double lo, hi;   /* [x] bracket, lo < hi, f(lo) > 0 >= f(hi) */
    double flo, fhi; /* [f] f at lo and hi (Illinois; unused by bisection) */
    size_t iter;     /* [-] evaluations of f made */
} ns_root_bracket;

/* Shrink b until hi - lo <= epsabs (>= 0; 0: to floating-point resolution)
 * within max_iter evaluations of f.
 * Exceptions: NS_EINVAL (lo >= hi, epsabs < 0 or not finite); NS_ECONV when
 * max_iter evaluations leave hi - lo > epsabs (the message gives the width
 * and f at both ends; b holds the bracket reached, still valid); the status
 * -rc of a fatal f. */
ns_status ns_root_solve(ns_root_method method, ns_root_fn f, void *params, double epsabs,
                        size_t max_iter, ns_root_bracket *b);

#endif
