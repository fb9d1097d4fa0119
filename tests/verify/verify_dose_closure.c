/* Validation of the channel closure with covariates (models/channel.h eq. 3)
 * in transport.
 *
 * Source: Wermeling et al. 2008 (PNAS 105:2058): naltrexone from a patch over
 * microneedle-treated skin, occluded, 72 h; what they measured is the plasma
 * concentration: "steady-state plasma concentrations within 2 h of patch
 * application ... maintained for at least 48 h". Case: the default forearm
 * skin and caffeine vehicle (a small hydrophilic drug like their
 * naltrexone), 100 /cm2 channels from a 400 um penetration, occluded, 72 h.
 * The model's flux J(t) into the body becomes a plasma concentration by the
 * one-compartment model dC/dt = J A / V - k_e C with the elimination
 * half-life of naltrexone, about 4 h (REVIA label: naltrexone 4 h,
 * 6-beta-naltrexol 13 h) [revia_label]; A / V only scales C and drops out of
 * the comparison. The paper's statements, read as the plasma level:
 * "maintained for at least 48 h" -> C(48 h) >= C(2 h), the level the paper
 * calls steady at 2 h is still there at 48 h (no threshold of ours); "within
 * 2 h" -> the input side: t90_flux <= 2 h. (Was: J(48 h) >= 0.4 of the peak
 * flux, a mark chosen after seeing 0.48.) Nothing is tuned to this case: the
 * half-lives come from Gupta 2011, Kalluri 2011 and PMC8259462.
 * Contrast: without occlusion the barrier recovers in hours (Gupta 2011), so
 * the plasma level at 48 h falls below the one at 2 h. */
#include <criterion/criterion.h>
#include <math.h>

#include "../../models/drug.h"
#include "diffusion_fixture.h"
#include "dose_fixture.h"

static void occlude(ns_params *p)
{
    p->channel.occluded = 1;
    p->transport.duration = 72.0 * NS_HOUR;
}

static void open_site(ns_params *p) { p->transport.duration = 72.0 * NS_HOUR; }

/* Naltrexone elimination half-life [s] (REVIA label, about 4 h). */
#define NTX_HALF_LIFE (4.0 * NS_HOUR)

/* Plasma concentration (arbitrary scale A / V = 1) at time T of the
 * one-compartment model driven by the flux J (piecewise linear between the
 * output times t, 0 before t[0]): exact integration over each interval,
 * C' = J - k C. */
static double plasma_at(const double *t, const double *J, size_t nt, double T)
{
    double k = log(2.0) / NTX_HALF_LIFE, C = 0.0, t0 = 0.0, J0 = 0.0;
    for (size_t i = 0; i < nt && t0 < T; i++) {
        double t1 = t[i] < T ? t[i] : T;
        double J1 = t[i] <= T ? J[i] : J0 + (J[i] - J0) * (T - t0) / (t[i] - t0);
        double h = t1 - t0, e = exp(-k * h), s = (J1 - J0) / h;
        /* C(t0 + h) for J = J0 + s tau: */
        C = C * e + (J0 - s / k) * (1.0 - e) / k + s * h / k;
        t0 = t1;
        J0 = J1;
    }
    return C;
}

/* Plasma C(48 h) / C(2 h) and t90_flux of the case. */
static double plasma_kept(void (*edit)(ns_params *), double *t90)
{
    ns_params p = dose_default_case(100.0 / NS_CM2, edit);
    ns_channel_geom ch = dose_channel(&p, 400e-6);
    enum { NT = 60 };
    double t[NT], Q[NT], J[NT];
    fx_logspace(p.transport.duration * 1e-4, p.transport.duration, NT, t);
    ns_diff_result res;
    dose_solve(&p, &ch, t, NT, Q, J, &res);
    cr_expect(res.mass_balance_error < 1e-9, "balance %.3e", res.mass_balance_error);
    *t90 = ns_diff_t90_flux(t, J, NT);
    return plasma_at(t, J, NT, 48.0 * NS_HOUR) / plasma_at(t, J, NT, 2.0 * NS_HOUR);
}

/* The plasma model on its own: a constant input from t = 0 gives
 * C = (J / k)(1 - e^{-k T}), a ramp J = s t gives C = s (k T - 1 + e^{-k T}) / k^2. */
Test(dose_validation, plasma_model_exact)
{
    double k = log(2.0) / NTX_HALF_LIFE, T = 5.0 * NS_HOUR;
    double t[3] = {1.0, 3.0 * NS_HOUR, 10.0 * NS_HOUR}, Jc[3] = {2.0, 2.0, 2.0};
    double c = plasma_at(t, Jc, 3, T), want = 2.0 / k * (1.0 - exp(-k * T));
    /* the first interval ramps from 0 to 2 over 1 s: a shift of about 0.5 s */
    cr_expect(fabs(c - want) < 1e-3 * want, "constant input: %.9g vs %.9g", c, want);
    double Jr[3] = {1e-3 * t[0], 1e-3 * t[1], 1e-3 * t[2]};
    double r = plasma_at(t, Jr, 3, T), wr = 1e-3 * (k * T - 1.0 + exp(-k * T)) / (k * k);
    cr_expect(fabs(r - wr) < 1e-9 * wr, "ramp input: %.12g vs %.12g", r, wr);
}

Test(dose_validation, occluded_delivery_kept_48h, .timeout = 120.0)
{
    double t90o, t90n;
    double kept_occ = plasma_kept(occlude, &t90o);
    double kept_open = plasma_kept(open_site, &t90n);
    cr_log_info("occluded: t90_flux %.3g h, plasma C(48 h)/C(2 h) %.3g; open: t90_flux %.3g h, "
                "C(48 h)/C(2 h) %.3g",
                t90o / NS_HOUR, kept_occ, t90n / NS_HOUR, kept_open);
    cr_expect(t90o <= 2.0 * NS_HOUR, "occluded t90_flux %.3g h: Wermeling 2008 within 2 h",
              t90o / NS_HOUR);
    cr_expect(kept_occ >= 1.0,
              "occluded plasma C(48 h) / C(2 h) = %.3g: Wermeling 2008 maintained for 48 h",
              kept_occ);
    cr_expect(kept_open < 1.0, "an open site recovers its barrier in hours: C(48 h) / C(2 h) %.3g",
              kept_open);
}

static void ha_1m(ns_params *p)
{
    cr_assert(ns_drug_preset("hyaluronic_acid_1m", &p->drug) == NS_OK);
    p->transport.duration = 5.0 * NS_DAY;
}

/* Donor loss [kg/m^2] of intact skin (case p, no channel) at t1 and t2. */
static void intact_donor_loss(const ns_params *p, double t1, double t2, double *l1, double *l2)
{
    ns_diff *s = NULL;
    cr_assert(fx_diff_create_column(p, &s) == NS_OK, "%s", ns_status_message());
    ns_diff_result res;
    cr_assert(ns_diff_solve(s, &t1, 1, NULL, NULL, &res) == NS_OK, "%s", ns_status_message());
    *l1 = res.donor_loss;
    cr_assert(ns_diff_solve(s, &t2, 1, NULL, NULL, &res) == NS_OK, "%s", ns_status_message());
    *l2 = res.donor_loss;
    ns_diff_destroy(&s);
}

/* A 1 MDa hyaluronic acid (R_h 66 nm) enters through the channel only while
 * it is wider than the coil: the channel is closed to it once
 * r_max f_max(t) < R_h, i.e. after t_c = t_p log2(r_max / R_h)
 * (models/channel.h eq. 3, ns_channel_closed_time). delivered_before_closure
 * is the donor loss at t_c. After t_c the skin takes only what the intact SC
 * takes (the floor of kp: about 3e-15 kg/m2 per hour here, 2e-10 of the
 * channel's delivery per hour, so not nothing), at a rate that is steady
 * (the same to 4 digits from 60 h to 120 h when written). So the entry
 * after closure, donor_loss(5 d) - delivered_before_closure, must be that
 * rate times (5 d - t_c); the rate is measured by continuing the same solve
 * for another 10 h. 1 % covers the drift of the rate and the step error of
 * the increments (diff_rtol 2e-4). This fails when the closure is recorded
 * at the end of a step across t_c (the step from 87 h to 115 h: the entry
 * after "closure" was 0.18 of that). The intact skin without a channel
 * takes more over [t_c, 5 d] (the closed channel's drug, spread under the
 * SC, lowers the gradient across it; 1.33 x when written). */
Test(dose_validation, large_solute_delivered_before_closure, .timeout = 120.0)
{
    ns_params p = dose_default_case(100.0 / NS_CM2, ha_1m);
    ns_channel_geom ch = dose_channel(&p, 400e-6);
    double r_max = 0.0;
    for (size_t k = 0; k < ch.n; k++)
        if (ch.r0[k] > r_max) r_max = ch.r0[k];
    double t_closed = ch.half_life_pore * log2(r_max / p.drug.radius);
    double t_c = ns_channel_closed_time(&ch, r_max, p.drug.radius);
    cr_expect(fabs(t_c - t_closed) <= 1e-12 * t_closed, "closure %.15g vs %.15g s", t_c, t_closed);
    double T = p.transport.duration, T2 = T + 10.0 * NS_HOUR;
    cr_assert(t_closed < T, "closes at %.3g h", t_closed / NS_HOUR);
    enum { NT = 30 };
    double t[NT];
    fx_logspace(T * 1e-4, T, NT, t);
    ns_diff_input in;
    ns_diff_input_init(&in, &p, &ch);
    in.intact_1d = 1;
    ns_diff *s = NULL;
    cr_assert(ns_diff_create(&in, &s) == NS_OK, "%s", ns_status_message());
    ns_diff_result res, res2;
    cr_assert(ns_diff_solve(s, t, NT, NULL, NULL, &res) == NS_OK, "%s", ns_status_message());
    cr_assert(ns_diff_solve(s, &T2, 1, NULL, NULL, &res2) == NS_OK, "%s", ns_status_message());
    ns_diff_destroy(&s);
    double rate = (res2.donor_loss - res.donor_loss) / (T2 - T); /* [kg/m^2/s] */
    double after = res.donor_loss - res.delivered_before_closure, want = rate * (T - t_closed);
    double l1, l2;
    intact_donor_loss(&p, t_closed, T, &l1, &l2);
    cr_log_info("HA 1 MDa: channel closed to the coil after %.4g h; delivered before %.6g "
                "kg/m2; entered after %.4g kg/m2 = %.5g x the late rate %.4g kg/m2/h times "
                "the time left; intact skin %.4g kg/m2",
                t_closed / NS_HOUR, res.delivered_before_closure, after, after / want,
                rate * NS_HOUR, l2 - l1);
    cr_assert(isfinite(res.delivered_before_closure) && res.delivered_before_closure > 0.0);
    cr_assert(rate > 0.0, "late uptake rate %.3e kg/m2/s", rate);
    cr_expect(fabs(after - want) <= 0.01 * want,
              "entry after closure %.6e kg/m2, late rate x time left %.6e kg/m2", after, want);
    cr_expect(after < l2 - l1, "entry after closure %.4e, intact skin %.4e kg/m2", after, l2 - l1);
}

static double applied_delay; /* [s] of edit_applied; < 0: applied before */

static void edit_applied(ns_params *p)
{
    p->drug.applied = applied_delay < 0.0 ? NS_APPLIED_BEFORE : NS_APPLIED_AFTER;
    p->drug.applied_delay = applied_delay < 0.0 ? 0.0 : applied_delay;
}

/* Skin amount at t1 and permeated amount at t2 for one application time. */
static void applied_run(double delay, double t1, double t2, double *skin1, double *Q2)
{
    applied_delay = delay;
    ns_params p = dose_default_case(100.0 / NS_CM2, edit_applied);
    ns_channel_geom ch = dose_channel(&p, 400e-6);
    if (p.drug.applied == NS_APPLIED_AFTER) ns_channel_after(&ch, p.drug.applied_delay, &ch);
    ns_diff *s = NULL;
    cr_assert(fx_diff_create(&p, &ch, &s) == NS_OK, "%s", ns_status_message());
    ns_diff_result res;
    cr_assert(ns_diff_solve(s, &t1, 1, NULL, NULL, &res) == NS_OK, "%s", ns_status_message());
    *skin1 = res.total_skin_amount;
    cr_assert(ns_diff_solve(s, &t2, 1, NULL, NULL, &res) == NS_OK, "%s", ns_status_message());
    *Q2 = res.permeated_amount;
    cr_expect(res.mass_balance_error < 1e-9, "balance %.3e", res.mass_balance_error);
    ns_diff_destroy(&s);
}

/* When the serum goes on (drug.applied): applied before needling it fills the
 * channels as they are made, so at 5 s the skin holds more than when it is
 * applied just after (the channels then fill through their mouths); applied
 * 1 h or 6 h after it meets partly closed channels and delivers less in 24 h
 * (the barrier radius half-life is 72 min). */
Test(dose_validation, applied_before_or_after, .timeout = 120.0)
{
    double sb, qb, s0, q0, s1, q1, s6, q6;
    applied_run(-1.0, 5.0, 24.0 * NS_HOUR, &sb, &qb);
    applied_run(0.0, 5.0, 24.0 * NS_HOUR, &s0, &q0);
    applied_run(1.0 * NS_HOUR, 5.0, 24.0 * NS_HOUR, &s1, &q1);
    applied_run(6.0 * NS_HOUR, 5.0, 24.0 * NS_HOUR, &s6, &q6);
    cr_log_info("skin at 5 s: before %.4g, after %.4g kg/m2; Q(24 h): after 0 / 1 / 6 h %.4g / "
                "%.4g / %.4g kg/m2",
                sb, s0, q0, q1, q6);
    cr_expect(sb > s0, "filled channels: %.4g vs %.4g kg/m2 (1.31x when written)", sb, s0);
    cr_expect(q0 > q1 && q1 > q6, "later application, less delivered: %.4g %.4g %.4g", q0, q1, q6);
}
