/* Hand-built parameter sets for the diffusion and channel tests (no presets,
 * so each test states every value it depends on). Header-only, static. */
#ifndef NS_TEST_DIFFUSION_FIXTURE_H
#define NS_TEST_DIFFUSION_FIXTURE_H

#include <math.h>
#include <string.h>

#include "../../models/channel.h"
#include "../../models/diffusion.h"
#include "../../models/params.h"
#include "../../models/units.h"

/* ns_diff_create on the whole case p and channel ch (may be NULL), solving
 * the grid as given (intact_1d = 0). */
static inline ns_status fx_diff_create(const ns_params *p, const ns_channel_geom *ch,
                                       ns_diff **out)
{
    ns_diff_input in;
    ns_diff_input_init(&in, p, ch);
    return ns_diff_create(&in, out);
}

/* The same with intact skin solved in one column (intact_1d = 1, as a run
 * does without an open channel): the 1-D laminate, reported on the
 * diff_n_r grid. */
static inline ns_status fx_diff_create_column(const ns_params *p, ns_diff **out)
{
    ns_diff_input in;
    ns_diff_input_init(&in, p, NULL);
    in.intact_1d = 1;
    return ns_diff_create(&in, out);
}

/* One homogeneous membrane of thickness L [m], diffusivity D [m^2/s],
 * partition K [-]; infinite dose C_v [kg/m^3]; sink; no needles. */
static inline ns_params fx_membrane(double L, double D, double K, double Cv)
{
    ns_params p;
    memset(&p, 0, sizeof p);
    strcpy(p.skin.preset, "membrane");
    p.skin.membrane = 1;
    p.skin.n_layers = 1;
    p.skin.layer[0].thickness = L;
    p.skin.layer[0].diffusivity = D;
    p.skin.layer[0].partition = K;
    p.skin.layer[0].clearance = 0.0;
    p.skin.layer[0].open_fraction = 1.0;
    p.skin.temperature = NS_BODY_TEMPERATURE;
    p.array.layout = NS_LAYOUT_NONE;
    p.array.count = 1.0;
    p.array.density = 0.0;
    p.array.pitch = INFINITY;
    p.drug.molecular_weight = 194.19 * NS_G_PER_MOL;
    p.drug.free_diffusivity = 6.3e-10;
    p.drug.radius = 0.38e-9;
    p.drug.concentration = Cv;
    p.drug.dose = NS_DOSE_INFINITE;
    p.drug.film_thickness = 10e-6;
    p.channel.occluded = 0;
    p.channel.half_life = NAN;
    p.transport.duration = 24.0 * NS_HOUR;
    p.transport.output_times = 50;
    p.transport.bottom = NS_BOTTOM_SINK;
    p.transport.depth = NAN;
    p.numerics.diff_n_r = 40;
    p.numerics.diff_n_z = 120;
    p.numerics.diff_rtol = 1e-3;
    p.numerics.diff_max_steps = 200000;
    return p;
}

/* Four-layer human-forearm-like stack with explicit transport values
 * (thicknesses: Sandby-Moller et al. 2003 forearm SC 18.3 um, VE 56.6 um;
 * dermis 1.19 mm volar forearm ultrasound, parameters.md). Caffeine-like
 * solute: SC from Potts-Guy kp = 1.11e-4 cm/h = 3.08e-10 m/s split with
 * K_sc = Kow^0.7 = 0.89 (log Kow = -0.07) -> D_sc = kp h / K = 6.3e-15 m^2/s;
 * VE and dermis D = D_aq / 4 = 1.6e-10 m^2/s, K = 1 (models/drug.h sec. 5);
 * dermal clearance k_cl [1/s] as given. */
static inline ns_params fx_skin(double k_cl)
{
    ns_params p = fx_membrane(1.0, 1.0, 1.0, 10.0);
    strcpy(p.skin.preset, "forearm");
    p.skin.membrane = 0;
    p.skin.n_layers = 4;
    const double h[4] = {18.3e-6, 56.6e-6, 1.19e-3, 4e-3};
    const double Kl[4] = {0.89, 1.0, 1.0, 1.0};
    const double kp = 1.11e-4 * NS_CM_PER_H;
    const double D_sc = kp * h[0] / Kl[0];
    const double Dl[4] = {D_sc, 1.6e-10, 1.6e-10, 1.6e-10};
    const double fo[4] = {1.0, 0.5, 0.5, 0.5};
    for (size_t i = 0; i < 4; i++) {
        p.skin.layer[i].thickness = h[i];
        p.skin.layer[i].diffusivity = Dl[i];
        p.skin.layer[i].partition = Kl[i];
        p.skin.layer[i].clearance = i == NS_LAYER_DERMIS ? k_cl : 0.0;
        p.skin.layer[i].open_fraction = fo[i];
    }
    return p;
}

/* A straight (cylindrical) channel of radius r [m] and depth d [m], closure
 * half-life t_half [s] (use a huge value for a channel that stays open). */
static inline ns_channel_geom fx_channel(double r, double d, double t_half)
{
    ns_channel_geom g;
    memset(&g, 0, sizeof g);
    g.open = 1;
    g.depth = d;
    g.radius_surface = r;
    g.half_life = t_half;
    g.n = 2;
    g.z[0] = 0.0;
    g.z[1] = d;
    g.r0[0] = r;
    g.r0[1] = r;
    return g;
}

/* Square array of density n [1/m^2]. */
static inline void fx_square_array(ns_params *p, double n)
{
    p->array.layout = NS_LAYOUT_SQUARE;
    p->array.count = 100.0;
    p->array.density = n;
    p->array.pitch = 1.0 / sqrt(n);
}

/* Log-spaced times from t0 to t1 [s], n values. */
static inline void fx_logspace(double t0, double t1, size_t n, double *t)
{
    for (size_t k = 0; k < n; k++)
        t[k] = t0 * pow(t1 / t0, n > 1 ? (double)k / (double)(n - 1) : 1.0);
}

#endif
