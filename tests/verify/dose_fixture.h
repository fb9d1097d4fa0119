/* Shared set-up of the dose verification tests (tests/verify/verify_dose_*.c):
 * the default case (models/defaults.h) on a square array with a coarse grid,
 * the channel a given penetration depth leaves (models/channel.h) and one
 * solve to a list of output times (dose_solve). */
#ifndef NS_DOSE_FIXTURE_H
#define NS_DOSE_FIXTURE_H

#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "../../models/channel.h"
#include "../../models/defaults.h"
#include "../../models/diffusion.h"
#include "../../models/units.h"

/* Default parameters on a square array of density n [1/m^2] (24 x 48
 * cells); `edit` (may be NULL) changes them before ns_params_derive. */
static inline ns_params dose_default_case(double n, void (*edit)(ns_params *))
{
    ns_params p;
    ns_params_default(&p);
    p.array.layout = NS_LAYOUT_SQUARE;
    p.array.count = 50.0;
    p.array.density = n;
    p.array.pitch = NAN;
    p.numerics.diff_n_r = 24;
    p.numerics.diff_n_z = 48;
    if (edit) edit(&p);
    cr_assert(ns_params_derive(&p) == NS_OK, "%s", ns_status_message());
    return p;
}

/* The channel of a puncture to depth d [m] into the dermis. */
static inline ns_channel_geom dose_channel(const ns_params *p, double d)
{
    ns_ins_result ins;
    memset(&ins, 0, sizeof ins);
    ins.punctured = 1;
    ins.penetration_depth = d;
    ins.deepest_layer = 3;
    ns_channel_geom ch;
    cr_assert(ns_channel_eval(p, &ins, &ch) == NS_OK && ch.open, "%s", ns_status_message());
    return ch;
}

/* One diffusion solve of the case p through the channel ch to the output
 * times t[0..nt-1] [s], as a run solves it (ch NULL or closed: intact skin in
 * one column, ns_diff_input.intact_1d): amounts Q and fluxes J at those
 * times (either may be NULL) and the summary *res; asserts that create and
 * solve succeed. */
static inline void dose_solve(const ns_params *p, const ns_channel_geom *ch, const double *t,
                              size_t nt, double *Q, double *J, ns_diff_result *res)
{
    ns_diff_input in;
    ns_diff_input_init(&in, p, ch);
    in.intact_1d = 1;
    ns_diff *s = NULL;
    cr_assert(ns_diff_create(&in, &s) == NS_OK, "%s", ns_status_message());
    cr_assert(ns_diff_solve(s, t, nt, Q, J, res) == NS_OK, "%s", ns_status_message());
    ns_diff_destroy(&s);
}

#endif
