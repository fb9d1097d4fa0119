/* Bracketed scalar root finder (models/rootfind.h). */
#include "rootfind.h"

#include <math.h>

ns_status ns_root_solve(ns_root_method method, ns_root_fn f, void *params, double epsabs,
                        size_t max_iter, ns_root_bracket *b)
{
    NS_CHECK(b != NULL && f != NULL, NS_EINVAL, "root finder: NULL bracket or function");
    NS_CHECK(b->lo < b->hi, NS_EINVAL, "root finder: bracket [%.17g, %.17g] is empty", b->lo,
             b->hi);
    NS_CHECK(isfinite(epsabs) && epsabs >= 0.0, NS_EINVAL,
             "root finder: epsabs = %g: expected [0, inf)", epsabs);
    NS_CHECK(method == NS_ROOT_BISECTION || method == NS_ROOT_ILLINOIS, NS_EINVAL,
             "root finder: unknown method %d", (int)method);
    double lo = b->lo, hi = b->hi, flo = b->flo, fhi = b->fhi;
    int side = 0; /* +1: lo moved last, -1: hi moved last (Illinois) */
    size_t it = 0;
    for (; it < max_iter && hi - lo > epsabs; it++) {
        double mid = 0.5 * (lo + hi);
        if (!(mid > lo && mid < hi)) break; /* adjacent doubles: as narrow as it gets */
        double x = mid;
        if (method == NS_ROOT_ILLINOIS) {
            x = (lo * fhi - hi * flo) / (fhi - flo);
            if (!(x > lo && x < hi) || !isfinite(x)) x = mid;
        }
        double fx = NAN;
        int rc = f(x, params, &fx);
        if (rc < 0) {
            b->lo = lo;
            b->hi = hi;
            b->iter = it + 1;
            return ns_status_trace((ns_status)(-rc), __FILE__, __LINE__, __func__);
        }
        if (rc > 0) {
            hi = x; /* not evaluable: shrink towards lo, f(hi) kept */
            continue;
        }
        if (fx > 0.0) {
            lo = x;
            flo = fx;
            if (side == 1) fhi *= 0.5;
            side = 1;
        } else {
            hi = x;
            fhi = fx;
            if (side == -1) flo *= 0.5;
            side = -1;
        }
    }
    b->lo = lo;
    b->hi = hi;
    b->flo = flo;
    b->fhi = fhi;
    b->iter = it;
    if (hi - lo > epsabs && 0.5 * (lo + hi) > lo && 0.5 * (lo + hi) < hi)
        NS_FAIL(NS_ECONV,
                "root finder: no convergence after %zu iterations: bracket [%.17g, %.17g], "
                "width %.3g > epsabs %.3g, f(lo) = %.3g, f(hi) = %.3g",
                it, lo, hi, hi - lo, epsabs, flo, fhi);
    return NS_OK;
}
