/* Time-error control of the diffusion solver (models/diffusion/adi.c): the
 * error the user reads, Q(24 h), against a time-converged run of the same
 * grid, over a decade of numerics.diff_rtol.
 *
 * Case: the default forearm skin and caffeine vehicle (infinite dose, 10
 * mg/mL), square array 100 /cm2, a channel from a 360 um insertion (the
 * default closing channel, not occluded), 24 h, 50 log-spaced output times
 * (as bench_diffusion), on a 20 x 60 grid (a quarter of the default cells,
 * so the reference costs about 2 s). Reference: diff_rtol 1e-7 (14,000
 * steps); 1e-5 is 1.1e-5 from it when written, so the reference is good to
 * well below the errors compared here (>= 5e-5).
 *
 * Claims: the relative error of Q(24 h) falls monotonically as diff_rtol
 * falls from 1e-3 to 1e-4 (1e-3, 5e-4, 2e-4, 1e-4), and stays below
 * ERR_PER_RTOL x diff_rtol. Measured when written: 9.8e-4, 4.4e-4, 1.7e-4,
 * 5.4e-5 (0.98, 0.88, 0.85 and 0.54 x diff_rtol) in 142, 180, 259 and 359
 * step attempts. With the r/z split step in every cell before (the channel
 * fluid undamped, no landing on the wall's passages) this test failed:
 * 7.4e-3, 5.1e-3, 2.6e-3, 1.8e-3 (7.4 to 17.9 x diff_rtol) in 323 to 880
 * attempts; on the default 40 x 120 grid it was not monotone (5.8e-4 at
 * 1e-3, 2.8e-3 at 5e-4, 2.7e-3 at 2e-4). With the steps landing on the
 * wall's passages of cell faces as well as centres (adi.c, "Face events"):
 * 4.6e-4, 2.8e-4, 1.4e-4, 3.9e-5 (0.46 to 0.72 x diff_rtol) in 161 to 378.
 *
 * The occluded channel (channel.occluded = 1, radius half-life 46 h, open
 * all day) on the same grid, reference diff_rtol 1e-7 (15,510 steps):
 * claimed only monotone and below ERR_OCCL_PER_RTOL x diff_rtol. Measured
 * when written: 5.8e-3, 3.8e-3, 1.8e-3, 1.5e-3 (5.8, 7.7, 9.2, 15.5 x
 * diff_rtol) in 160 to 384 attempts; before the face events 8.4e-3,
 * 4.9e-3, 3.5e-3, 2.3e-3 (8.4 to 22.6 x), which fails the bound at 1e-4.
 * The rest grew steadily while the SC rows are cut (the entered amount
 * drifted 3e-5 to 3e-4 from 9,000 to 19,000 s even at diff_rtol 1e-5): the
 * split step's order loss in the first tissue column next to the wall
 * (adi.c, "Ring"). With the channel block two columns wider (reference
 * 12,229 steps): 8.4e-4, 6.4e-4, 4.6e-4, 3.1e-4 (0.84, 1.29, 2.29, 3.07 x
 * diff_rtol) in 156 to 371 attempts; the closing channel 9.6e-5, 4.9e-5,
 * 4.3e-5, 4.0e-5 (reference 11,670 steps).
 *
 * The default: the occluded channel on the default 40 x 120 grid at the
 * default diff_rtol 2e-4 is within 1e-3 of Q(24 h) at diff_rtol 1e-6 (2.3e-6
 * from 1e-7 when written). Measured: 3.6e-4 in 323 attempts; before the
 * wider block 1.46e-3 (fails). */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "../../models/defaults.h"
#include "diffusion_fixture.h"

/* [-] bound of the relative error of Q(24 h) per unit of diff_rtol: twice the
 * largest ratio measured (0.98 at 1e-3). */
#define ERR_PER_RTOL 2.0
/* [-] the same for the occluded channel: the largest ratio measured (3.07 at
 * 1e-4) with 30 % slack; the code before the wider block had 5.8 to 15.5. */
#define ERR_OCCL_PER_RTOL 4.0
/* [-] the relative time error of Q(24 h) the default diff_rtol must reach
 * (issue 12, item 2). */
#define ERR_DEFAULT 1e-3

enum { NT = 50 };

static ns_params time_case_grid(ns_channel_geom *ch, int occluded, size_t n_r, size_t n_z)
{
    ns_params p;
    ns_params_default(&p);
    p.array.layout = NS_LAYOUT_SQUARE;
    p.array.count = 100.0;
    p.array.density = 100.0 / NS_CM2;
    p.array.pitch = NAN;
    if (n_r) p.numerics.diff_n_r = n_r; /* 0: the default grid */
    if (n_z) p.numerics.diff_n_z = n_z;
    p.numerics.diff_max_steps = 1000000;
    p.channel.occluded = occluded;
    cr_assert(ns_params_derive(&p) == NS_OK, "%s", ns_status_message());
    ns_ins_result ins;
    memset(&ins, 0, sizeof ins);
    ins.punctured = 1;
    ins.penetration_depth = 360e-6;
    cr_assert(ns_channel_eval(&p, &ins, ch) == NS_OK && ch->open, "%s", ns_status_message());
    return p;
}

static ns_params time_case(ns_channel_geom *ch, int occluded)
{
    return time_case_grid(ch, occluded, 20, 60);
}

/* Q(24 h) [kg/m^2] at diff_rtol; the step attempts in *attempts. */
static double permeated(ns_params p, const ns_channel_geom *ch, double rtol, size_t *attempts)
{
    p.numerics.diff_rtol = rtol;
    double t[NT];
    for (size_t k = 0; k < NT; k++)
        t[k] = p.transport.duration * pow(10.0, -4.0 + 4.0 * (double)k / (NT - 1));
    ns_diff *s = NULL;
    cr_assert(fx_diff_create(&p, ch, &s) == NS_OK, "%s", ns_status_message());
    ns_diff_result res;
    cr_assert(ns_diff_solve(s, t, NT, NULL, NULL, &res) == NS_OK, "%s", ns_status_message());
    ns_diff_destroy(&s);
    cr_assert(res.mass_balance_error < 1e-9, "balance %.3e at diff_rtol %g", res.mass_balance_error,
              rtol);
    *attempts = res.steps + res.rejected_steps;
    return res.permeated_amount;
}

/* Q(24 h) at diff_rtol 1e-3, 5e-4, 2e-4, 1e-4 against diff_rtol 1e-7: the
 * error falls monotonically and stays below bound x diff_rtol. */
static void check_monotone(int occluded, double bound)
{
    ns_channel_geom ch;
    ns_params p = time_case(&ch, occluded);
    size_t n_ref;
    double Q_ref = permeated(p, &ch, 1e-7, &n_ref);
    cr_log_info("%s reference diff_rtol 1e-7: Q(24 h) = %.10e kg/m2 in %zu attempts",
                occluded ? "occluded" : "closing", Q_ref, n_ref);
    const double rtol[4] = {1e-3, 5e-4, 2e-4, 1e-4};
    double prev = INFINITY;
    for (size_t k = 0; k < 4; k++) {
        size_t n;
        double err = fabs(permeated(p, &ch, rtol[k], &n) - Q_ref) / Q_ref;
        cr_log_info("diff_rtol %.0e: error of Q(24 h) %.3e (%.2f x diff_rtol), %zu attempts",
                    rtol[k], err, err / rtol[k], n);
        cr_expect(err < prev, "not monotone: error %.3e at diff_rtol %.0e, %.3e at the looser one",
                  err, rtol[k], prev);
        cr_expect(err <= bound * rtol[k], "error %.3e above %.1f x diff_rtol %.0e", err, bound,
                  rtol[k]);
        prev = err;
    }
}

Test(diffusion_time, error_of_Q_monotone_in_rtol, .timeout = 120.0)
{
    check_monotone(0, ERR_PER_RTOL);
}

Test(diffusion_time, occluded_error_of_Q_monotone_in_rtol, .timeout = 120.0)
{
    check_monotone(1, ERR_OCCL_PER_RTOL);
}

Test(diffusion_time, occluded_default_within_1e_3, .timeout = 120.0)
{
    ns_channel_geom ch;
    ns_params p = time_case_grid(&ch, 1, 0, 0); /* default grid and diff_rtol */
    size_t n_ref, n;
    double Q_ref = permeated(p, &ch, 1e-6, &n_ref);
    double err = fabs(permeated(p, &ch, p.numerics.diff_rtol, &n) - Q_ref) / Q_ref;
    cr_log_info("occluded, %zu x %zu, default diff_rtol %.0e: error of Q(24 h) %.3e against 1e-6 "
                "(%zu attempts; reference %zu)",
                p.numerics.diff_n_r, p.numerics.diff_n_z, p.numerics.diff_rtol, err, n, n_ref);
    cr_expect(err <= ERR_DEFAULT, "error %.3e of Q(24 h) above %.0e at the default diff_rtol", err,
              ERR_DEFAULT);
}
