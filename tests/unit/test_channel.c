/* Unit tests of models/channel: geometry from an insertion result, closure
 * law, input checks. */
#include <criterion/criterion.h>
#include <float.h>
#include <math.h>
#include <string.h>

#include "../../models/channel.h"
#include "../../models/defaults.h"
#include "../../models/needle.h"
#include "../../models/units.h"

static ns_params params(void)
{
    ns_params p;
    ns_params_default(&p);
    p.array.layout = NS_LAYOUT_SQUARE;
    p.array.density = 100.0 / NS_CM2;
    p.array.pitch = NAN;
    cr_assert(ns_params_derive(&p) == NS_OK, "%s", ns_status_message());
    return p;
}

static ns_ins_result ins_at(double depth)
{
    ns_ins_result ins;
    memset(&ins, 0, sizeof ins);
    ins.punctured = depth > 0.0;
    ins.penetration_depth = depth;
    return ins;
}

Test(channel, no_puncture_no_channel)
{
    ns_params p = params();
    ns_ins_result ins = ins_at(0.0);
    ns_channel_geom g;
    cr_assert(ns_channel_eval(&p, &ins, &g) == NS_OK);
    cr_expect(g.open == 0 && g.depth == 0.0 && g.radius_surface == 0.0);
    cr_expect(g.half_life == NS_CHANNEL_HALF_LIFE_OPEN);
    cr_expect(ns_channel_radius_at(&g, 1e-6, 0.0) == 0.0);
}

/* eq. (1): depth = d - f_rec (d - h_SC); eq. (2): r0(0) = r_n(d) phi_SC. Both
 * exact in arithmetic, compared to a few ulps (1e-14 relative). */
Test(channel, depth_and_surface_radius)
{
    ns_params p = params();
    double d = 412.7e-6;
    ns_ins_result ins = ins_at(d);
    ns_channel_geom g;
    cr_assert(ns_channel_eval(&p, &ins, &g) == NS_OK, "%s", ns_status_message());
    double h_sc = p.skin.layer[0].thickness;
    double want = d - NS_CHANNEL_FLOOR_RECOVERY * (d - h_sc);
    cr_expect(g.open == 1);
    cr_expect(fabs(g.depth - want) <= 1e-14 * want, "depth %.15g vs %.15g", g.depth, want);
    double r_s = ns_needle_radius_at(&p.needle, d) * p.skin.layer[0].open_fraction;
    cr_expect(fabs(g.radius_surface - r_s) <= 1e-14 * r_s, "r0 %.15g vs %.15g", g.radius_surface, r_s);
    cr_expect(g.n == NS_CHANNEL_NPROF && g.z[0] == 0.0 && fabs(g.z[g.n - 1] - g.depth) < 1e-18);
    /* Below the floor and beyond it: zero. */
    cr_expect(ns_channel_radius_at(&g, g.depth * 1.001, 0.0) == 0.0);
    cr_expect(ns_channel_radius_at(&g, -1e-9, 0.0) == 0.0);
    /* Viable layers recoil more than the SC (open fraction smaller). */
    double r_ve = ns_channel_radius_at(&g, h_sc + 5e-6, 0.0);
    cr_expect(r_ve < g.radius_surface);
}

/* eq. (3): r(t) = r0 2^(-t/t_half): one half-life halves, two quarter. */
Test(channel, closure_half_life)
{
    ns_params p = params();
    p.channel.half_life = 3.7 * NS_HOUR;
    ns_ins_result ins = ins_at(300e-6);
    ns_channel_geom g;
    cr_assert(ns_channel_eval(&p, &ins, &g) == NS_OK);
    cr_expect(g.half_life == 3.7 * NS_HOUR);
    double z = 50e-6, r0 = ns_channel_radius_at(&g, z, 0.0);
    cr_expect(fabs(ns_channel_radius_at(&g, z, g.half_life) - 0.5 * r0) < 1e-14 * r0);
    cr_expect(fabs(ns_channel_radius_at(&g, z, 2.0 * g.half_life) - 0.25 * r0) < 1e-14 * r0);
}

Test(channel, occlusion_slows_closure)
{
    ns_params p = params();
    ns_ins_result ins = ins_at(300e-6);
    ns_channel_geom g0, g1;
    cr_assert(ns_channel_eval(&p, &ins, &g0) == NS_OK);
    p.channel.occluded = 1;
    cr_assert(ns_channel_eval(&p, &ins, &g1) == NS_OK);
    cr_expect(g0.half_life == NS_CHANNEL_HALF_LIFE_OPEN);
    cr_expect(g1.half_life == NS_CHANNEL_HALF_LIFE_OCCLUDED);
    cr_expect(g1.half_life > 10.0 * g0.half_life);
}

/* A deeper insertion leaves a deeper channel. */
Test(channel, deeper_insertion_deeper_channel)
{
    ns_params p = params();
    ns_ins_result a = ins_at(200e-6), b = ins_at(450e-6);
    ns_channel_geom ga, gb;
    cr_assert(ns_channel_eval(&p, &a, &ga) == NS_OK && ns_channel_eval(&p, &b, &gb) == NS_OK);
    cr_expect(gb.depth > ga.depth);
}

Test(channel, rejects_bad_input)
{
    ns_params p = params();
    ns_ins_result ins = ins_at(300e-6);
    ns_channel_geom g;
    cr_expect(ns_channel_eval(NULL, &ins, &g) == NS_EINVAL);
    ins.penetration_depth = -1e-6;
    cr_expect(ns_channel_eval(&p, &ins, &g) == NS_EINVAL);
    cr_expect(strstr(ns_status_message(), "penetration_depth") != NULL, "%s", ns_status_message());
    ins.penetration_depth = 300e-6;
    p.channel.half_life = -5.0;
    cr_expect(ns_channel_eval(&p, &ins, &g) == NS_EINVAL);
    cr_expect(strstr(ns_status_message(), "half_life") != NULL);
    p.channel.half_life = NAN;
    p.skin.layer[1].open_fraction = 1.4;
    cr_expect(ns_channel_eval(&p, &ins, &g) == NS_EINVAL);
    cr_expect(strstr(ns_status_message(), "open_fraction") != NULL, "%s", ns_status_message());
    p.skin.layer[1].open_fraction = 0.3;
    p.skin.n_layers = 0;
    cr_expect(ns_channel_eval(&p, &ins, &g) == NS_EINVAL);
}

/* Intact layout: no channel even with a (stale) punctured result. */
Test(channel, intact_layout_no_channel)
{
    ns_params p = params();
    p.array.layout = NS_LAYOUT_NONE;
    ns_ins_result ins = ins_at(300e-6);
    ns_channel_geom g;
    cr_assert(ns_channel_eval(&p, &ins, &g) == NS_OK);
    cr_expect(g.open == 0);
}

/* channel.floor_recovery is a calibration key: it sets the channel depth
 * (eq. 1) and is range-checked. */
Test(channel, floor_recovery_sets_depth_and_is_checked)
{
    ns_params p;
    ns_params_default(&p);
    cr_assert(ns_params_derive(&p) == NS_OK, "%s", ns_status_message());
    p.array.layout = NS_LAYOUT_SQUARE;
    p.array.density = 1.0e6;
    ns_ins_result ins;
    memset(&ins, 0, sizeof ins);
    ins.punctured = 1;
    ins.penetration_depth = 3.37e-4;
    ns_channel_geom g;
    p.channel.floor_recovery = 0.0;
    cr_assert(ns_channel_eval(&p, &ins, &g) == NS_OK, "%s", ns_status_message());
    cr_assert(fabs(g.depth - 3.37e-4) <= 4.0 * DBL_EPSILON * 3.37e-4, "depth %g", g.depth);
    p.channel.floor_recovery = 0.5;
    cr_assert(ns_channel_eval(&p, &ins, &g) == NS_OK);
    double h_sc = p.skin.layer[0].thickness;
    double want = 3.37e-4 - 0.5 * (3.37e-4 - h_sc);
    cr_assert(fabs(g.depth - want) <= 4.0 * DBL_EPSILON * want, "depth %g want %g", g.depth, want);
    p.channel.floor_recovery = 1.2;
    cr_assert(ns_channel_eval(&p, &ins, &g) == NS_EINVAL);
    cr_assert(strstr(ns_status_message(), "channel.floor_recovery") != NULL);
}

/* Barrier recovery and pore closure apart (eq. 3): above the SC base the
 * radius follows t_b, below it t_p; not occluded, human, a 770 um needle:
 * t_b = 2 (2 h / log2 10) = 4334.83 s (Gupta 2011), t_p = 2 (18 h / log2 10)
 * = 39013.5 s (Kalluri 2011); the mouth factor is the barrier's. */
Test(channel, barrier_and_pore_apart)
{
    ns_params p = params();
    p.needle.length = 770e-6;
    ns_ins_result i400 = ins_at(400e-6);
    ns_channel_geom g;
    cr_assert(ns_channel_eval(&p, &i400, &g) == NS_OK, "%s", ns_status_message());
    cr_assert(fabs(g.half_life - 4334.8319) < 1e-3, "t_b %.8g s", g.half_life);
    cr_assert(fabs(g.half_life_pore - 39013.487) < 1e-2, "t_p %.8g s", g.half_life_pore);
    double h_sc = p.skin.layer[NS_LAYER_SC].thickness;
    double t = 3.7 * NS_HOUR;
    cr_assert(fabs(ns_channel_closure_at(&g, 0.5 * h_sc, t) - exp2(-t / g.half_life)) < 1e-15);
    cr_assert(fabs(ns_channel_closure_at(&g, 2.0 * h_sc, t) - exp2(-t / g.half_life_pore)) < 1e-15);
    cr_assert(ns_channel_closure(&g, t) == ns_channel_closure_at(&g, 0.0, t));
    cr_assert(ns_channel_closure_max(&g, t) == exp2(-t / g.half_life_pore));
    /* The mouth area is down to 10 % at 2 h (Gupta: resealed within 2 h). */
    double f = ns_channel_closure(&g, 2.0 * NS_HOUR);
    cr_assert(fabs(f * f - 0.1) < 1e-12, "area fraction %.6g at 2 h", f * f);
    /* Radius at depth follows its own factor. */
    double z = 0.6 * g.depth;
    cr_assert(fabs(ns_channel_radius_at(&g, z, t) - ns_channel_radius_at(&g, z, 0.0) *
                                                        exp2(-t / g.half_life_pore)) < 1e-18);
}

/* Covariates: a 370 um needle closes its pore (370/770)^0.553 times faster
 * (Kalluri: closed by 12 h against 18 h, to 1 %); the rat barrier recovers in
 * 4.5 h instead of 2 h; age 77 doubles both; occlusion gives 2 x 23 h to
 * both; an explicit half_life overrides all. */
Test(channel, closure_covariates)
{
    ns_params p = params();
    p.needle.length = 770e-6;
    ns_ins_result i300 = ins_at(300e-6);
    ns_channel_geom g0, g;
    cr_assert(ns_channel_eval(&p, &i300, &g0) == NS_OK);
    p.needle.length = 370e-6;
    cr_assert(ns_channel_eval(&p, &i300, &g) == NS_OK);
    double r = g.half_life_pore / g0.half_life_pore;
    cr_assert(fabs(r - pow(370.0 / 770.0, 0.553)) < 1e-12 && fabs(r - 12.0 / 18.0) < 0.01,
              "pore ratio %.6g", r);
    cr_assert(g.half_life == g0.half_life, "barrier independent of the length");
    p.needle.length = 770e-6;
    p.channel.species = NS_SPECIES_RAT;
    cr_assert(ns_channel_eval(&p, &i300, &g) == NS_OK);
    cr_assert(fabs(g.half_life / g0.half_life - 4.5 / 2.0) < 1e-12);
    p.channel.species = NS_SPECIES_HUMAN;
    p.skin.age = 77.0 * 365.25 * NS_DAY;
    cr_assert(ns_channel_eval(&p, &i300, &g) == NS_OK);
    cr_assert(fabs(g.half_life / g0.half_life - 2.0) < 1e-12);
    cr_assert(fabs(g.half_life_pore / g0.half_life_pore - 2.0) < 1e-12);
    p.skin.age = NAN;
    p.channel.occluded = 1;
    cr_assert(ns_channel_eval(&p, &i300, &g) == NS_OK);
    cr_assert(g.half_life == 2.0 * 23.0 * NS_HOUR && g.half_life_pore == g.half_life);
    p.channel.half_life = 1234.5;
    cr_assert(ns_channel_eval(&p, &i300, &g) == NS_OK);
    cr_assert(g.half_life == 1234.5 && g.half_life_pore == 1234.5);
    p.channel.half_life = NAN;
    p.channel.species = NS_SPECIES_COUNT;
    cr_assert(ns_channel_eval(&p, &i300, &g) == NS_EINVAL);
    cr_assert(strstr(ns_status_message(), "channel.species") != NULL, "%s", ns_status_message());
}

/* A vehicle applied a delay after needling (ns_channel_after): the delayed
 * geometry at time t is the original at t + delay, at every depth, to
 * round-off (eq. 3 is exponential). */
Test(channel, after_delay_is_a_time_shift)
{
    ns_params p = params();
    ns_ins_result ins = ins_at(450e-6);
    ns_channel_geom g, a;
    cr_assert(ns_channel_eval(&p, &ins, &g) == NS_OK && g.open);
    const double d = 2.7 * NS_HOUR;
    ns_channel_after(&g, d, &a);
    /* z just above the SC base: between the last equal depth and the upper
     * point of the interface pair, which closes with the barrier. */
    double h_sc = p.skin.layer[NS_LAYER_SC].thickness;
    const double zs[4] = {0.3 * h_sc, h_sc * (1.0 - 1e-9), 0.4 * g.depth, 0.9 * g.depth};
    const double ts[3] = {0.0, 613.0, 5.2 * NS_HOUR};
    for (size_t i = 0; i < 4; i++)
        for (size_t k = 0; k < 3; k++) {
            double want = ns_channel_radius_at(&g, zs[i], ts[k] + d);
            double got = ns_channel_radius_at(&a, zs[i], ts[k]);
            cr_assert(fabs(got - want) <= 1e-13 * want, "z %.3g t %.3g: %.15g vs %.15g", zs[i],
                      ts[k], got, want);
        }
    ns_channel_after(&g, 0.0, &a);
    cr_assert(memcmp(&a, &g, sizeof g) == 0, "no delay, no change");
}

/* ns_channel_closed_time: the first double t with r_max f_max(t) < a
 * (eq. 3), t_max log2(r_max / a) to a few ulps; 0 for a solute wider than
 * the channel, INFINITY for a channel that never closes or is not open. */
Test(channel, closed_time_is_the_first_closed_double)
{
    ns_params p = params();
    ns_ins_result ins = ins_at(437e-6);
    ns_channel_geom g;
    cr_assert(ns_channel_eval(&p, &ins, &g) == NS_OK && g.open);
    double r = 4.31e-5, a = 6.7e-8;
    double th = g.half_life_pore > g.half_life ? g.half_life_pore : g.half_life;
    double t = ns_channel_closed_time(&g, r, a), want = th * log2(r / a);
    cr_expect(fabs(t - want) <= 8.0 * DBL_EPSILON * want, "t %.17g vs %.17g s", t, want);
    cr_expect(r * ns_channel_closure_max(&g, t) < a);
    cr_expect(!(r * ns_channel_closure_max(&g, nextafter(t, 0.0)) < a));
    cr_expect(ns_channel_closed_time(&g, a * 0.99, a) == 0.0);
    ns_channel_geom never = g;
    never.half_life = never.half_life_pore = 1e30;
    cr_expect(isinf(ns_channel_closed_time(&never, r, a)));
    ns_channel_geom shut = g;
    shut.open = 0;
    cr_expect(isinf(ns_channel_closed_time(&shut, r, a)));
}
