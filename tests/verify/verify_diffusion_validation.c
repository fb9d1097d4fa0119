/* Validation of the channel + diffusion models against published behaviour,
 * on the default case (forearm skin, caffeine 10 mg/mL infinite dose, steel
 * microneedle; models/defaults.h) with hand-made insertion results.
 *
 * Sources:
 *  - Potts & Guy 1992, Pharm Res 9:663: log10 kp[cm/h] = -2.72 + 0.71 log Kow
 *    - 0.0061 MW; caffeine (MW 194.19, log Kow -0.07) kp = 1.11e-4 cm/h.
 *  - Davidson, Al-Qallaf & Das 2008, Chem Eng Res Des 86:1196: in their
 *    microneedle transport model the delivered amount rises with the channel
 *    (penetration) depth most, then with the array density (smaller spacing).
 *  - Al-Qallaf & Das 2009 (Ann N Y Acad Sci 1161:83): permeability rises with
 *    needle density.
 *  - Gupta et al. 2011, J Control Release 154:148 and PMC8259462 (2021):
 *    channels reseal within hours without occlusion, in about a day with it,
 *    so occluded sites deliver more. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../../models/defaults.h"
#include "../../models/drug.h"
#include "diffusion_fixture.h"
#include "dose_fixture.h"

static ns_params base(double density_per_cm2, int occluded)
{
    ns_params p;
    ns_params_default(&p);
    if (density_per_cm2 > 0.0) {
        p.array.layout = NS_LAYOUT_SQUARE;
        p.array.count = 100.0;
        p.array.density = density_per_cm2 / NS_CM2;
        p.array.pitch = NAN;
    }
    p.channel.occluded = occluded;
    cr_assert(ns_params_derive(&p) == NS_OK, "%s", ns_status_message());
    return p;
}

/* Run 24 h; returns Q(end) and J(end) [kg/m^2, kg/(m^2 s)]. */
static void run(const ns_params *p, const ns_channel_geom *ch, double *Q, double *J)
{
    enum { NT = 30 };
    double t[NT], Qs[NT], Js[NT];
    fx_logspace(p->transport.duration * 1e-4, p->transport.duration, NT, t);
    ns_diff *s = NULL;
    cr_assert(fx_diff_create(p, ch, &s) == NS_OK, "%s", ns_status_message());
    ns_diff_result res;
    cr_assert(ns_diff_solve(s, t, NT, Qs, Js, &res) == NS_OK, "%s", ns_status_message());
    cr_expect(res.mass_balance_error < 1e-9, "balance %.3e", res.mass_balance_error);
    *Q = Qs[NT - 1];
    *J = Js[NT - 1];
    ns_diff_destroy(&s);
}

static ns_channel_geom channel(const ns_params *p, double depth) { return dose_channel(p, depth); }

/* Intact skin: steady flux / C_v is the permeability of the laminate,
 * 1 / (h_SC/(D_SC K_SC) + h_VE/D_VE + h_D/D_D). The SC carries 99.8 % of the
 * resistance, so kp must match Potts-Guy + polar 1.20e-4 cm/h within 1 % (the viable
 * layers' share, 0.2 %, plus the 10-lag-time transient, e^-20). Run 5 days
 * (SC lag time h^2/(6 D) = 2.5 h). */
Test(diffusion_validation, intact_caffeine_potts_guy, .timeout = 60.0)
{
    ns_params p = base(0.0, 0);
    p.transport.duration = 5 * NS_DAY;
    double Q, J;
    run(&p, NULL, &Q, &J);
    double kp = J / p.drug.concentration / NS_CM_PER_H;
    double kp_pg = pow(10.0, -2.72 + 0.71 * p.drug.log_kow - 0.0061 * p.drug.molecular_weight / NS_G_PER_MOL);
    /* plus the polar pathway in parallel (models/drug.h 1b), 8 % for caffeine */
    kp_pg += ns_drug_polar_kp(&p.drug) / NS_CM_PER_H;
    cr_log_info("intact caffeine: kp = %.4e cm/h, Potts-Guy + polar %.4e cm/h", kp, kp_pg);
    cr_expect(fabs(kp / kp_pg - 1.0) < 0.01, "kp %.4e vs %.4e cm/h", kp, kp_pg);
    cr_expect(kp > 0.5e-4 && kp < 2e-4, "order of magnitude 1e-4 cm/h");
}

/* Enhancement over intact skin grows with channel depth (Davidson et al.
 * 2008): penetration 200, 350, 500 um at 100 /cm2, occluded. */
Test(diffusion_validation, enhancement_grows_with_depth, .timeout = 60.0)
{
    ns_params p = base(100.0, 1);
    double Q0, J0;
    run(&p, NULL, &Q0, &J0);
    const double d[3] = {200e-6, 350e-6, 500e-6};
    double E[3];
    for (size_t k = 0; k < 3; k++) {
        ns_channel_geom ch = channel(&p, d[k]);
        double Q, J;
        run(&p, &ch, &Q, &J);
        E[k] = Q / Q0;
    }
    cr_log_info("enhancement vs depth 200/350/500 um: %.3g %.3g %.3g", E[0], E[1], E[2]);
    cr_expect(E[0] > 1.0 && E[1] > E[0] && E[2] > E[1], "E = %.4g %.4g %.4g", E[0], E[1], E[2]);
}

/* Enhancement grows with density (Al-Qallaf & Das 2009): 25, 100, 400 /cm2,
 * channel from a 400 um penetration, occluded. */
Test(diffusion_validation, enhancement_grows_with_density, .timeout = 60.0)
{
    const double n[3] = {25.0, 100.0, 400.0};
    double E[3];
    for (size_t k = 0; k < 3; k++) {
        ns_params p = base(n[k], 1);
        double Q0, J0, Q, J;
        run(&p, NULL, &Q0, &J0);
        ns_channel_geom ch = channel(&p, 400e-6);
        run(&p, &ch, &Q, &J);
        E[k] = Q / Q0;
    }
    cr_log_info("enhancement vs density 25/100/400 /cm2: %.3g %.3g %.3g", E[0], E[1], E[2]);
    cr_expect(E[0] > 1.0 && E[1] > E[0] && E[2] > E[1], "E = %.4g %.4g %.4g", E[0], E[1], E[2]);
}

/* Closure lowers the late flux and the amount: non-occluded closure
 * (barrier radius half-life 72 min, models/channel.h eq. 3) against a channel
 * that never closes; and occluded channels (46 h) deliver more than
 * non-occluded ones. */
Test(diffusion_validation, closure_and_occlusion, .timeout = 60.0)
{
    ns_params p = base(100.0, 0);
    ns_channel_geom ch = channel(&p, 400e-6);
    double Qc, Jc, Qo, Jo;
    run(&p, &ch, &Qc, &Jc);
    ns_channel_geom open = ch;
    open.half_life = 1e30;
    run(&p, &open, &Qo, &Jo);
    ns_params po = base(100.0, 1);
    ns_channel_geom cho = channel(&po, 400e-6);
    double Qocc, Jocc;
    run(&po, &cho, &Qocc, &Jocc);
    cr_log_info("24 h: Q closing %.4e, occluded %.4e, never closing %.4e; J(24 h) %.3e / %.3e / %.3e",
                Qc, Qocc, Qo, Jc, Jocc, Jo);
    cr_expect(Jc < Jo && Qc < Qo, "closure must lower flux and amount");
    cr_expect(Qocc > Qc, "occluded %.4e must exceed non-occluded %.4e", Qocc, Qc);
    cr_expect(Qocc < Qo, "occluded channels still close partly in 24 h");
    cr_expect(cho.half_life > ch.half_life);
}
