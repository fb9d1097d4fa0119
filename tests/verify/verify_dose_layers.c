/* Amounts per layer and the detection floor (issue 11 items 2 and 3;
 * models/diffusion.h "Outputs", models/drug.h section 7).
 *
 *  - sc_amount: a cream of lidocaine (lipophilic, K_sc = Kow^0.7 = 51) on
 *    intact skin without dermal clearance reaches the steady state of the
 *    three-layer laminate with a sink below, where the free concentration u
 *    is linear in each layer, continuous at the interfaces, u = C_v at the
 *    surface and 0 at the bottom:
 *        J = C_v / sum_i h_i / (D_i K_i),   u_i(top) - u_i(bottom) = J h_i / (D_i K_i),
 *        amount in layer i = K_i h_i (u_i(top) + u_i(bottom)) / 2.
 *    The finite volumes reproduce a piecewise-linear steady profile exactly
 *    (harmonic faces, exact boundary half cells, midpoint sums), so what is
 *    left is the approach to the steady state, after 30 days (the lag times
 *    of the layers are hours), and round-off: measured 2e-14 (SC) and 3e-13
 *    (VE + dermis) relative when written; the tolerance is 1e-10.
 *    sc_amount + skin_amount (VE and dermis) is total_skin_amount (the whole
 *    modelled depth: SC, VE, dermis), a sum of the same cells split in two:
 *    to round-off (1e-12).
 *  - intact_below_detection through the config and the case: insulin (polar,
 *    log Kow -3) permeates 9.4e-12 kg/m2 of intact skin in 3 h, far below
 *    the default floor of 1 ng/cm2 = 1e-8 kg/m2: flagged; lidocaine permeates
 *    1.8e-4 kg/m2: not flagged (values when written). drug.detection_floor moves the mark:
 *    0 ng/cm2 unflags insulin, 1 mg/cm2 flags lidocaine. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "../../models/drug.h"
#include "../../models/skin.h"
#include "../../sim/case.h"
#include "../../sim/config.h"
#include "../unit/config_fixture.h"
#include "diffusion_fixture.h"
#include "dose_fixture.h"

static void lidocaine_cream(ns_params *p)
{
    cr_assert(ns_drug_preset("lidocaine", &p->drug) == NS_OK);
    p->array.layout = NS_LAYOUT_NONE;
    for (size_t l = 0; l < p->skin.n_layers; l++)
        p->skin.layer[l].clearance = 0.0;
}

Test(dose_layers, sc_amount_of_a_cream_at_steady_state, .timeout = 60.0)
{
    ns_params p = dose_default_case(100.0 / NS_CM2, lidocaine_cream);
    const ns_skin_params *sk = &p.skin;
    double H = p.transport.depth, Cv = p.drug.concentration;
    cr_assert(fabs(H - ns_skin_layer_top(sk, NS_LAYER_HYPO)) <= 1e-15,
              "domain is SC, VE and dermis (H %.6g m)", H);
    /* resistances h / (D K) of the three layers, the last one cut at H */
    double h[3], R[3], K[3], Rsum = 0.0;
    for (size_t l = 0; l < 3; l++) {
        h[l] = sk->layer[l].thickness;
        K[l] = sk->layer[l].partition;
        R[l] = h[l] / (sk->layer[l].diffusivity * K[l]);
        Rsum += R[l];
    }
    double J = Cv / Rsum, u = Cv, want[3];
    for (size_t l = 0; l < 3; l++) {
        double u_bot = u - J * R[l];
        want[l] = K[l] * h[l] * 0.5 * (u + u_bot);
        u = u_bot;
    }
    double t = 30.0 * NS_DAY;
    ns_diff_result res;
    dose_solve(&p, NULL, &t, 1, NULL, NULL, &res);
    cr_log_info("lidocaine cream at steady state: sc_amount %.9g kg/m2 (laminate %.9g, rel. "
                "error %.2e), VE + dermis %.9g (%.9g, %.2e), flux %.6g kg/m2/s",
                res.sc_amount, want[0], res.sc_amount / want[0] - 1.0, res.skin_amount,
                want[1] + want[2], res.skin_amount / (want[1] + want[2]) - 1.0, J);
    cr_expect(fabs(res.sc_amount - want[0]) <= 1e-10 * want[0], "sc_amount %.12g vs %.12g",
              res.sc_amount, want[0]);
    cr_expect(fabs(res.skin_amount - (want[1] + want[2])) <= 1e-10 * (want[1] + want[2]),
              "skin_amount %.12g vs %.12g", res.skin_amount, want[1] + want[2]);
    double sum = res.sc_amount + res.skin_amount;
    cr_expect(fabs(sum - res.total_skin_amount) <= 1e-12 * res.total_skin_amount,
              "sc + VE + dermis %.15g vs total %.15g", sum, res.total_skin_amount);
    /* and early, while the SC holds almost all of it */
    double t1 = NS_HOUR;
    dose_solve(&p, NULL, &t1, 1, NULL, NULL, &res);
    sum = res.sc_amount + res.skin_amount;
    cr_expect(res.sc_amount > 0.9 * res.total_skin_amount, "SC share %.3g at 1 h",
              res.sc_amount / res.total_skin_amount);
    cr_expect(fabs(sum - res.total_skin_amount) <= 1e-12 * res.total_skin_amount,
              "1 h: sc + VE + dermis %.15g vs total %.15g", sum, res.total_skin_amount);
}

/* intact_below_detection and intact_permeated_amount of one intact case of
 * `drug`, 3 h, with `floor` the drug.detection_floor line (NULL: default). */
static double flag_of(const char *drug, const char *floor, double *Q0)
{
    char text[512];
    snprintf(text, sizeof text,
             "[run]\nduration = 3 h\noutput_times = 8\n[skin]\npreset = forearm\n"
             "[array]\nlayout = none\n[drug]\npreset = %s\n%s\n"
             "[numerics]\ndiff_n_r = 4\ndiff_n_z = 48\ncurve_points = 16\n",
             drug, floor ? floor : "");
    ns_config *c = fx_config_load(text, NULL, 0);
    ns_params p;
    cr_assert(ns_config_case(c, 0, &p) == NS_OK, "%s", ns_status_message());
    ns_case_result r;
    cr_assert(ns_case_result_init(&r, (ns_curve_sizes){16, 8}) == NS_OK);
    cr_assert(ns_case_run(&p, &r) == NS_OK, "%s", ns_status_message());
    double flag = r.scalar[NS_R_INTACT_BELOW_DETECTION];
    *Q0 = r.scalar[NS_R_INTACT_PERMEATED_AMOUNT];
    ns_case_result_clear(&r);
    ns_config_destroy(&c);
    return flag;
}

Test(dose_layers, intact_below_detection_flag, .timeout = 60.0)
{
    double Qi, Ql, q;
    double fi = flag_of("insulin", NULL, &Qi), fl = flag_of("lidocaine", NULL, &Ql);
    cr_log_info("3 h intact: insulin %.4g kg/m2 (flag %g), lidocaine %.4g kg/m2 (flag %g); "
                "floor %.3g kg/m2",
                Qi, fi, Ql, fl, NS_DRUG_DETECTION_FLOOR);
    cr_expect(Qi >= 0.0 && Qi < 0.1 * NS_DRUG_DETECTION_FLOOR, "insulin Q0 %.4g", Qi);
    cr_expect(fi == 1.0, "insulin below the floor: flag %g", fi);
    cr_expect(Ql > 10.0 * NS_DRUG_DETECTION_FLOOR, "lidocaine Q0 %.4g", Ql);
    cr_expect(fl == 0.0, "lidocaine above the floor: flag %g", fl);
    cr_expect(flag_of("insulin", "detection_floor = 0 ng/cm2", &q) == 0.0, "no floor, no flag");
    cr_expect(flag_of("lidocaine", "detection_floor = 1 mg/cm2", &q) == 1.0,
              "a floor of 1 mg/cm2 is above lidocaine's %.4g kg/m2", q);
}
