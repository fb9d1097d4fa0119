/* Tip laws T1-T3 of models/insertion/tiplaw.h: puncture force from the tip
 * geometry, viscoelastic rate factor, shaft contact pressure. */
#include "tiplaw.h"

#include <math.h>

#include "../needle.h"
#include "../units.h"

double ns_tip_crack_length(const ns_tip_geometry *g)
{
    switch (g->kind) {
    case NS_TIP_PYRAMID:
        return 2.0 * sqrt(2.0) * g->r_t;
    case NS_TIP_BEVEL:
        return 2.0 * g->R_b;
    case NS_TIP_FLAT:
        return 2.0 * NS_PI * g->R_b;
    default:
        return 2.0 * g->r_t;
    }
}

double ns_tip_contact_area(const ns_tip_geometry *g)
{
    double r = g->kind == NS_TIP_FLAT ? g->R_b : g->r_t;
    double ri = fmin(fmax(g->r_i, 0.0), r);
    /* a bevel's lancet point is solid: its lumen opens behind the point */
    if (g->kind == NS_TIP_BEVEL) ri = 0.0;
    return NS_PI * (r * r - ri * ri);
}

double ns_tip_relax_factor(const ns_tip_tissue *m, double t)
{
    if (!(t > 0.0) || !(m->g > 0.0) || !(m->tau > 0.0)) return 1.0;
    double z = t / m->tau;
    /* (1 - e^-z)/z, series below 1e-6 (exact to rounding) */
    double q = z < 1e-6 ? 1.0 - 0.5 * z : -expm1(-z) / z;
    return 1.0 - m->g + m->g * q;
}

double ns_tip_puncture_force(const ns_tip_geometry *g, const ns_tip_tissue *m, double kappa,
                             double c_p, double V)
{
    double lv = fmax(g->tip_length, 2.0 * g->r_t);
    double phi = V > 0.0 ? ns_tip_relax_factor(m, lv / V) : 1.0 - m->g;
    double flank = g->kind == NS_TIP_FLAT ? 0.0 : 0.5 * tan(fmin(g->half_angle, 1.5));
    return kappa * m->Gc * ns_tip_crack_length(g) +
           phi * m->Es * (c_p + flank) * ns_tip_contact_area(g);
}

double ns_tip_shaft_pressure(const ns_tip_tissue *m, double f_p, double t)
{
    return 0.5 * f_p * m->Es * ns_tip_relax_factor(m, t);
}

double ns_tip_slit_factor(const ns_tip_tissue *m, double f_p, double r)
{
    /* no shaft or no stiffness: nothing wedged open, the cut law stands */
    if (!(r > 0.0) || !(m->Es > 0.0) || !(m->Gc >= 0.0)) return f_p;
    /* the wedged slit tears on while G = pi E* r^2 / (4 c) > G_c */
    return fmin(f_p, 4.0 * m->Gc / (NS_PI * m->Es * r));
}

double ns_tip_case_puncture_force(const ns_needle_params *nd, const ns_layer *ly,
                                  const ns_insertion_calib *cb, double V)
{
    ns_tip_geometry g;
    g.kind = nd->shape == NS_SHAPE_PYRAMIDAL     ? NS_TIP_PYRAMID
             : nd->shape == NS_SHAPE_BEVELLED    ? NS_TIP_BEVEL
             : nd->shape == NS_SHAPE_CYLINDRICAL ? NS_TIP_FLAT
                                                 : NS_TIP_CONE;
    g.r_t = nd->tip_radius;
    g.R_b = ns_needle_base_radius(nd);
    g.r_i = 0.5 * nd->bore_diameter;
    g.half_angle = nd->shape == NS_SHAPE_BEVELLED ? nd->tip_angle : 0.5 * nd->tip_angle;
    g.tip_length = fmin(ns_needle_tip_length(nd), nd->length);
    ns_tip_tissue m = {ly->youngs_modulus / (1.0 - ly->poisson * ly->poisson), ly->toughness,
                       ly->relaxation_fraction, ly->relaxation_time};
    return ns_tip_puncture_force(&g, &m, cb->puncture_crack_factor, cb->puncture_pressure_factor, V);
}
