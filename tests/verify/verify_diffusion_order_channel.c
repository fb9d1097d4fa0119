/* Spatial order of the channel's permeated amount: the default forearm/
 * caffeine case (square array 100 /cm2, a channel from a 360 um insertion,
 * models/diffusion.h "Discretisation") with faces on the channel rim
 * (numerics.diff_rim_refine = NS_TEST_RIM_REFINE) on the grid family n_r x
 * n_z = 20 x 60 refined twice by 2 in both directions (40 x 120: the default).
 * The rim cells (the SC base where the channel leaves it) shrink as 1/n^2,
 * the others as 1/n.
 *
 * Reference: Richardson extrapolation of the three grids n, 2n, 4n,
 *   p = log2((Q_n - Q_2n) / (Q_2n - Q_4n)),  Q_inf = Q_4n - (Q_2n - Q_4n) / (2^p - 1),
 * logging p and asserting a monotone sequence and the default grid within
 * NS_TEST_DEFAULT_TOL of Q_inf. The time tolerance is
 * tight enough that the time error of Q (bench_diffusion's accuracy table)
 * stays below a tenth of the finest grid difference; the observed orders and
 * errors measured when written are in each test's comment. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "../../models/channel.h"
#include "../../models/defaults.h"
#include "diffusion_fixture.h"

#define NS_TEST_DEFAULT_TOL 0.01 /* [-] issue 12: default grid within 1 % */
#define NS_TEST_RIM_REFINE  15.0 /* [-] the setting models/param_table.c names for order 2 */

enum { NT = 50 };

/* The default case (bench_diffusion's): occluded or not; a channel closing
 * by its closure law, or (open_for_good) never closing. */
static void default_case(int occluded, int open_for_good, double hours, ns_params *p,
                         ns_channel_geom *ch)
{
    ns_params_default(p);
    p->array.layout = NS_LAYOUT_SQUARE;
    p->array.count = 100.0;
    p->array.density = 100.0 / NS_CM2;
    p->array.pitch = NAN;
    p->channel.occluded = occluded;
    p->transport.duration = hours * NS_HOUR;
    p->numerics.diff_rim_refine = NS_TEST_RIM_REFINE;
    cr_assert(ns_params_derive(p) == NS_OK, "%s", ns_status_message());
    ns_ins_result ins;
    memset(&ins, 0, sizeof ins);
    ins.punctured = 1;
    ins.penetration_depth = 360e-6;
    cr_assert(ns_channel_eval(p, &ins, ch) == NS_OK, "%s", ns_status_message());
    if (open_for_good) ch->half_life = ch->half_life_pore = 1e30;
}

/* Q(t_end) [kg/m^2] on an nr x nz grid at diff_rtol rtol (50 output times,
 * four decades up to t_end, as bench_diffusion); checks the mass balance. */
static double solve_Q(const ns_params *p0, const ns_channel_geom *ch, size_t nr, size_t nz,
                      double rtol)
{
    ns_params p = *p0;
    p.numerics.diff_n_r = nr;
    p.numerics.diff_n_z = nz;
    p.numerics.diff_rtol = rtol;
    p.numerics.diff_max_steps = 10000000;
    double t[NT];
    fx_logspace(p.transport.duration * 1e-4, p.transport.duration, NT, t);
    ns_diff *s = NULL;
    cr_assert(fx_diff_create(&p, ch, &s) == NS_OK, "%s", ns_status_message());
    ns_diff_result res;
    cr_assert(ns_diff_solve(s, t, NT, NULL, NULL, &res) == NS_OK, "%s", ns_status_message());
    ns_diff_destroy(&s);
    cr_expect(res.mass_balance_error < 1e-9, "%zu x %zu: balance %.3e", nr, nz,
              res.mass_balance_error);
    cr_log_info("%zu x %zu: Q = %.10e kg/m2, %zu steps + %zu rejected", nr, nz,
                res.permeated_amount, res.steps, res.rejected_steps);
    return res.permeated_amount;
}

/* Grids n0 x 3 n0, 2 n0 x 6 n0, 4 n0 x 12 n0: observed order, Richardson
 * value, and the relative error of the 40 x 120 grid against it. */
static void order_check(const char *name, const ns_params *p, const ns_channel_geom *ch, size_t n0,
                        double rtol)
{
    double Q[3];
    for (size_t m = 0; m < 3; m++) {
        size_t nr = n0 << m;
        Q[m] = solve_Q(p, ch, nr, 3 * nr, rtol);
    }
    double d1 = Q[0] - Q[1], d2 = Q[1] - Q[2];
    cr_assert(d1 * d2 > 0.0, "%s: not monotone: Q = %.10e %.10e %.10e", name, Q[0], Q[1], Q[2]);
    double order = log2(d1 / d2);
    double Qinf = Q[2] - d2 / (exp2(order) - 1.0);
    double Qdef = n0 == 40 ? Q[0] : (n0 == 20 ? Q[1] : solve_Q(p, ch, 40, 120, rtol));
    double e_def = fabs(Qdef - Qinf) / Qinf;
    cr_log_info("%s: Q %.6e %.6e %.6e, observed order %.3f, Q_inf %.6e, default 40 x 120 "
                "off by %.3f %%",
                name, Q[0], Q[1], Q[2], order, Qinf, 100.0 * e_def);
    cr_expect(e_def <= NS_TEST_DEFAULT_TOL, "%s: default grid %.3f %% off", name, 100.0 * e_def);
}

/* Channel open for good (24 h), grids 20, 40, 80 (x 3 in depth; 160 x 480
 * takes 160 s of CPU with the rim faces). Measured when written (diff_rtol
 * 2e-5, channel profile with the SC/VE step at the SC base): Q = 2.70585e-2,
 * 2.72210e-2, 2.72810e-2 kg/m2, order 1.44 (1.63 from 40-80-160, 160 x 480:
 * 2.73004e-2), default 40 x 120 0.3 % off. Not yet the design order 2 (issue
 * 12 asks for >= 1.8): the order is recorded and the convergence must stay
 * monotone with the default grid within 1 %. */
Test(diffusion_order_channel, open_channel, .timeout = 600.0)
{
    ns_params p;
    ns_channel_geom ch;
    default_case(0, 1, 24.0, &p, &ch);
    order_check("open", &p, &ch, 20, 2e-5);
}

/* numerics.diff_rim_refine is checked against its table range at create. */
Test(diffusion_order_channel, rejects_negative_rim_refine)
{
    ns_params p;
    ns_channel_geom ch;
    default_case(0, 0, 24.0, &p, &ch);
    p.numerics.diff_rim_refine = -2.7;
    ns_diff *s = NULL;
    ns_status_clear();
    cr_assert(fx_diff_create(&p, &ch, &s) == NS_EINVAL && s == NULL);
    cr_assert(strstr(ns_status_message(), "diff_rim_refine") != NULL, "'%s'", ns_status_message());
}
