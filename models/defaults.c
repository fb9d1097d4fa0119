/* Default case, derivation of NaN fields and whole-case validation
 * (see defaults.h). */
#include "defaults.h"

#include <math.h>
#include <string.h>

#include "channel.h"
#include "drug.h"
#include "needle.h"
#include "skin.h"
#include "units.h"

void ns_params_default(ns_params *p)
{
    memset(p, 0, sizeof *p);
    /* Presets by name cannot fail for these built-in names. */
    (void)ns_skin_preset("forearm", &p->skin);
    (void)ns_needle_preset("microneedle_steel", &p->needle);
    (void)ns_drug_preset("caffeine", &p->drug);

    p->array.layout = NS_LAYOUT_SINGLE;
    p->array.count = 1.0;
    p->array.density = NAN;
    p->array.pitch = NAN;

    /* Press: 1 mm/s, quasi-static hand/press-machine speed; 10 N cap, the upper
     * end of measured microneedle insertion forces [davis2004]; 30 mm stroke
     * after contact, so that a hand press is limited by its force, not its
     * travel (the forearm tents by 10-15 mm under a 1 cm^2 patch at 10-20 N
     * in the insertion model); no hold. The fields of the other modes hold valid values
     * so that sweeping applicator.mode alone gives a valid case: impact 5 g
     * (assumption, spring applicator carrier), pen 100 strokes/s and 0.5 mm
     * depth setting [pen_trade], roller drum radius 1 cm (MF8 [schwarz2011]). */
    p->applicator.mode = NS_APPLICATOR_PRESS;
    p->applicator.speed = NAN; /* per mode, see ns_applicator_default_speed() */
    p->applicator.force = 10.0;
    p->applicator.mass = 5.0 * NS_G;
    p->applicator.stroke = 30.0 * NS_MM;
    p->applicator.hold_time = 0.0;
    p->applicator.frequency = 100.0;
    p->applicator.depth_setting = 0.5 * NS_MM;
    p->applicator.drum_radius = 1.0 * NS_CM;

    p->channel.occluded = 0;
    p->channel.half_life = NAN;
    /* Floor recovery 0.1: calibration constant of the channel model (see
     * models/channel.h eq. 1 and its note on Han & Das 2015). */
    p->channel.floor_recovery = NS_CHANNEL_FLOOR_RECOVERY;

    p->transport.duration = 24.0 * NS_HOUR;
    p->transport.output_times = 50;
    p->transport.bottom = NS_BOTTOM_SINK;
    p->transport.depth = NAN;

    p->numerics.ins_n_r = 80;
    p->numerics.ins_rtol = 1e-4;
    p->numerics.ins_max_steps = 20000;
    p->numerics.ins_max_newton = 30;
    p->numerics.diff_n_r = 40;
    p->numerics.diff_n_z = 120;
    /* 2e-4: with a closing channel the permeated amount at 1e-3 differs by up
     * to 3 % from a 1e-5 reference; at 2e-4 by < 0.5 % (models/diffusion.h),
     * for about 1.5x the cost. */
    p->numerics.diff_rtol = 2e-4;
    p->numerics.diff_max_steps = 200000;
    p->numerics.curve_points = 200;

    /* Insertion calibration: owned and documented by models/insertion. */
    /* 0.35: effective cutting toughness 0.35 G_c, fitted to impact insertion
     * depths of 600 um microneedles (tests/data/insertion_calibration.md). */
    p->insertion.crack_width_factor = 0.35;
    p->insertion.spreading_factor = 1.0;
    p->insertion.damping_ratio = 0.05;
    p->insertion.plate_stiffness = NAN;
    /* Puncture law and withdrawal: fitted values, tests/data/insertion_calibration.md. */
    p->insertion.puncture_factor = 60.0;
    p->insertion.blunt_pressure_factor = 40.0;
    p->insertion.withdraw_speed = 1.0e-3;
    p->insertion.foundation_stiffening = 50.0;
    for (size_t i = 0; i < sizeof p->insertion.reserved / sizeof p->insertion.reserved[0]; i++)
        p->insertion.reserved[i] = 0.0;
}

/* Modelled transport depth: SC + VE + dermis, or the whole membrane. */
static double default_depth(const ns_skin_params *s)
{
    if (s->membrane) return ns_skin_total_thickness(s);
    return ns_skin_layer_top(s, NS_LAYER_HYPO);
}

double ns_applicator_default_speed(ns_applicator_mode mode)
{
    switch (mode) {
    case NS_APPLICATOR_IMPACT:
        /* Spring-loaded impact applicators fire arrays at about 1-10 m/s; 3 m/s
         * sits in the range where insertion becomes reliable [meliga2017]. */
        return 3.0;
    case NS_APPLICATOR_ROLLER:
        /* A dermaroller passed over the skin at about 5 cm/s (15 passes over a
         * few cm in tens of seconds) [schwarz2011] (assumption). */
        return 5.0 * NS_CM;
    case NS_APPLICATOR_PEN:
        /* The pen's needle speed follows from frequency and depth setting; this
         * value is only the approach speed before the first stroke. */
        return 0.1;
    case NS_APPLICATOR_PRESS:
    default:
        /* Quasi-static thumb or press-machine insertion, about 1 mm/s
         * [davis2004 used 1.1 mm/s]. */
        return 1.0 * NS_MM;
    }
}

ns_status ns_params_derive(ns_params *p)
{
    NS_CHECK(p != NULL, NS_EINVAL, "params: NULL");
    if (isnan(p->applicator.speed))
        p->applicator.speed = ns_applicator_default_speed(p->applicator.mode);
    NS_TRY(ns_needle_derive(&p->needle));
    NS_TRY(ns_array_derive(&p->array, &p->needle));
    if (isnan(p->drug.radius)) p->drug.radius = ns_drug_stokes_radius(&p->drug);
    NS_TRY(ns_drug_fill_layers(&p->skin, &p->drug));
    if (isnan(p->transport.depth)) p->transport.depth = default_depth(&p->skin);
    return NS_OK;
}

static int finite_pos(double v) { return isfinite(v) && v > 0.0; }

static ns_status numerics_check(const ns_numerics_params *n)
{
    NS_CHECK(n->ins_n_r >= 10 && n->ins_n_r <= 100000, NS_EINVAL,
             "numerics.ins_n_r = %zu: must be in [10, 100000]", n->ins_n_r);
    NS_CHECK(finite_pos(n->ins_rtol) && n->ins_rtol <= 0.1, NS_EINVAL,
             "numerics.ins_rtol = %g: must be in (0, 0.1]", n->ins_rtol);
    NS_CHECK(n->ins_max_steps >= 10, NS_EINVAL, "numerics.ins_max_steps = %zu: must be >= 10",
             n->ins_max_steps);
    NS_CHECK(n->ins_max_newton >= 1 && n->ins_max_newton <= 1000, NS_EINVAL,
             "numerics.ins_max_newton = %zu: must be in [1, 1000]", n->ins_max_newton);
    NS_CHECK(n->diff_n_r >= 4 && n->diff_n_r <= 100000, NS_EINVAL,
             "numerics.diff_n_r = %zu: must be in [4, 100000]", n->diff_n_r);
    NS_CHECK(n->diff_n_z >= 8 && n->diff_n_z <= 100000, NS_EINVAL,
             "numerics.diff_n_z = %zu: must be in [8, 100000]", n->diff_n_z);
    NS_CHECK(finite_pos(n->diff_rtol) && n->diff_rtol <= 0.1, NS_EINVAL,
             "numerics.diff_rtol = %g: must be in (0, 0.1]", n->diff_rtol);
    NS_CHECK(n->diff_max_steps >= 10, NS_EINVAL, "numerics.diff_max_steps = %zu: must be >= 10",
             n->diff_max_steps);
    NS_CHECK(n->curve_points >= 2 && n->curve_points <= 100000, NS_EINVAL,
             "numerics.curve_points = %zu: must be in [2, 100000]", n->curve_points);
    return NS_OK;
}

ns_status ns_params_check(const ns_params *p)
{
    NS_CHECK(p != NULL, NS_EINVAL, "params: NULL");
    NS_CHECK(!isnan(p->applicator.speed), NS_EINVAL,
             "applicator.speed is unset: call ns_params_derive first (it picks the mode's "
             "typical speed)");
    NS_TRY(ns_skin_check(&p->skin));
    NS_TRY(ns_needle_check(&p->needle));
    NS_TRY(ns_applicator_check(&p->applicator));
    NS_TRY(ns_drug_check(&p->drug));

    /* Array: derived fields present, then consistency and overlap via a copy. */
    if (p->array.layout != NS_LAYOUT_NONE && p->array.layout != NS_LAYOUT_SINGLE)
        NS_CHECK(!isnan(p->array.density) && !isnan(p->array.pitch), NS_EINVAL,
                 "array.density / array.pitch not derived (density %g, pitch %g): call "
                 "ns_params_derive first",
                 p->array.density, p->array.pitch);
    ns_array_params a = p->array;
    NS_TRY(ns_array_derive(&a, &p->needle));

    /* Derived transport fields present. */
    NS_CHECK(!isnan(p->drug.radius), NS_EINVAL,
             "drug.radius is unset: call ns_params_derive first");
    for (size_t i = 0; i < p->skin.n_layers; i++)
        NS_CHECK(!isnan(p->skin.layer[i].diffusivity) && !isnan(p->skin.layer[i].partition),
                 NS_EINVAL, "skin.%s.diffusivity / partition unset: call ns_params_derive first",
                 ns_skin_layer_name(&p->skin, i));

    /* Cross-field checks. */
    if (p->applicator.mode == NS_APPLICATOR_PEN)
        NS_CHECK(p->applicator.depth_setting <= p->needle.length, NS_EINVAL,
                 "applicator.depth_setting = %g mm: must be <= needle.length = %g mm (the pen "
                 "cannot protrude the needle further than its length)",
                 p->applicator.depth_setting / NS_MM, p->needle.length / NS_MM);

    NS_CHECK(p->channel.floor_recovery >= 0.0 && p->channel.floor_recovery <= 1.0, NS_EINVAL,
             "channel.floor_recovery = %g: must be in [0, 1]", p->channel.floor_recovery);
    NS_CHECK(isnan(p->channel.half_life) || finite_pos(p->channel.half_life), NS_EINVAL,
             "channel.half_life = %g s: must be > 0 or unset (from occlusion)",
             p->channel.half_life);

    const ns_transport_params *t = &p->transport;
    NS_CHECK(finite_pos(t->duration) && t->duration <= 365.0 * NS_DAY, NS_EINVAL,
             "run.duration = %g s: must be in (0, 365 d]", t->duration);
    NS_CHECK(t->output_times >= 2 && t->output_times <= 100000, NS_EINVAL,
             "run.output_times = %zu: must be in [2, 100000]", t->output_times);
    NS_CHECK(t->bottom >= 0 && t->bottom < NS_BOTTOM_COUNT, NS_EINVAL,
             "transport bottom boundary = %d: must be sink or noflux", (int)t->bottom);
    double H = ns_skin_total_thickness(&p->skin);
    /* Relative slack of 1e-12 lets depth = total thickness through rounding. */
    NS_CHECK(finite_pos(t->depth) && t->depth <= H * (1.0 + 1e-12), NS_EINVAL,
             "transport.depth = %g m: must be in (0, %g m] (the skin thickness)", t->depth, H);

    NS_TRY(numerics_check(&p->numerics));
    return NS_OK;
}
