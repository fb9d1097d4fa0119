/* Micro-channel geometry and closure (equations in channel.h). */
#include "channel.h"

#include <math.h>
#include <string.h>

#include "needle.h"
#include "param_table.h"
#include "skin.h"
#include "units.h"

/* Age factor of eq. (3) (Kelchen et al. 2016). */
static double age_factor(double age)
{
    return age > NS_CHANNEL_AGE0 ? 1.0 + (age - NS_CHANNEL_AGE0) / NS_CHANNEL_AGE_SPAN : 1.0;
}

/* Barrier and pore radius half-lives of eq. (3) from the covariates. */
static void half_lives_of(const ns_params *p, double *t_b, double *t_p)
{
    const ns_channel_params *c = &p->channel;
    if (isfinite(c->half_life)) {
        *t_b = *t_p = c->half_life;
        return;
    }
    double fa = age_factor(isfinite(p->skin.age) ? p->skin.age / NS_YEAR : NS_CHANNEL_AGE0);
    if (c->occluded) {
        *t_b = *t_p = NS_CHANNEL_HALF_LIFE_OCCLUDED * fa;
        return;
    }
    double L = p->needle.length;
    double fl = isfinite(L) && L > 0.0 ? pow(L / NS_CHANNEL_PORE_LREF, NS_CHANNEL_PORE_LEXP) : 1.0;
    *t_b = (c->species == NS_SPECIES_RAT ? NS_CHANNEL_HALF_LIFE_OPEN_RAT : NS_CHANNEL_HALF_LIFE_OPEN) * fa;
    *t_p = NS_CHANNEL_PORE_HALF_LIFE_OPEN * fl * fa;
    if (*t_p < *t_b) *t_p = *t_b; /* the pore never reseals ahead of the barrier */
}

/* Profile point n of eq. (2) at depth z [m] in layer l; 1 if open (r > 0). */
static int profile_point(const ns_params *p, double d_pen, double z, size_t l, ns_channel_geom *out,
                         size_t n)
{
    double r = ns_needle_radius_at(&p->needle, d_pen - z) * p->skin.layer[l].open_fraction;
    out->z[n] = z;
    out->r0[n] = r;
    return r > 0.0;
}

/* 1 if z is within NS_CHANNEL_ZTOL depth of one of the ni interfaces zi. */
static int near_interface(const double *zi, size_t ni, double z, double depth)
{
    for (size_t q = 0; q < ni; q++)
        if (fabs(z - zi[q]) <= NS_CHANNEL_ZTOL * depth) return 1;
    return 0;
}

ns_status ns_channel_eval(const ns_params *p, const ns_ins_result *ins, ns_channel_geom *out)
{
    NS_CHECK(p != NULL && ins != NULL && out != NULL, NS_EINVAL,
             "NULL argument (p = %p, ins = %p, out = %p)", (const void *)p, (const void *)ins,
             (void *)out);
    memset(out, 0, sizeof *out);

    const ns_channel_params *cp = &p->channel;
    NS_TRY(ns_param_check_value("channel", "half_life", NULL, cp->half_life));
    NS_CHECK((int)cp->species >= 0 && cp->species < NS_SPECIES_COUNT, NS_EINVAL,
             "channel.species = %d: unknown", (int)cp->species);
    half_lives_of(p, &out->half_life, &out->half_life_pore);
    out->z_barrier = p->skin.n_layers > 1 ? p->skin.layer[NS_LAYER_SC].thickness : 0.0;
    NS_TRY(ns_param_check_value("channel", "floor_recovery", NULL, cp->floor_recovery));

    /* Intact skin: no insertion at all, nothing else to check. */
    if (p->array.layout == NS_LAYOUT_NONE || !ins->punctured) return NS_OK;

    double d_pen = ins->penetration_depth;
    NS_CHECK(isfinite(d_pen) && d_pen >= 0.0, NS_EINVAL,
             "insertion penetration_depth = %.6g m: must be finite and >= 0", d_pen);
    if (d_pen <= 0.0) return NS_OK;

    const ns_skin_params *sk = &p->skin;
    NS_CHECK(sk->n_layers >= 1 && sk->n_layers <= NS_LAYER_MAX, NS_EINVAL,
             "skin.n_layers = %zu: must be 1..%d", sk->n_layers, NS_LAYER_MAX);
    for (size_t i = 0; i < sk->n_layers; i++)
        NS_TRY(ns_param_check_value("skin", "open_fraction", ns_skin_layer_name(sk, i),
                                    sk->layer[i].open_fraction));

    /* eq. (1): the SC (layer 0 of a 4-layer stack) does not recover; the
     * part of the cut in the softer layers below recovers by f_rec. */
    double h_sc = sk->n_layers > 1 ? sk->layer[NS_LAYER_SC].thickness : 0.0;
    double soft = d_pen > h_sc ? d_pen - h_sc : 0.0;
    double depth = d_pen - cp->floor_recovery * soft;

    /* eq. (2): needle radius at distance d_pen - z from the tip times the
     * open fraction of the layer at depth z, sampled on both sides of every
     * layer interface inside the channel (the open fraction steps there;
     * channel.h, "Profile table") and at equal depths in between. */
    double zi[NS_LAYER_MAX];
    size_t ni = 0;
    for (size_t l = 1; l < sk->n_layers; l++) {
        double zt = ns_skin_layer_top(sk, l);
        /* (not within NS_CHANNEL_ZTOL of the surface or the floor, which
         * stay profile points of their own) */
        if (zt > NS_CHANNEL_ZTOL * depth && zt < (1.0 - NS_CHANNEL_ZTOL) * depth) zi[ni++] = zt;
    }
    size_t m = NS_CHANNEL_NPROF - 2 * ni, n = 0, q = 0;
    int any_open = 0;
    for (size_t k = 0; k < m; k++) {
        double z = depth * (double)k / (double)(m - 1);
        for (; q < ni && zi[q] <= z; q++) { /* the pair: the layer above, then below */
            size_t l = ns_skin_layer_at(sk, zi[q]);
            any_open |= profile_point(p, d_pen, zi[q], l - 1, out, n++);
            any_open |= profile_point(p, d_pen, zi[q], l, out, n++);
        }
        if (near_interface(zi, ni, z, depth)) continue; /* the pair stands for it */
        size_t l = ns_skin_layer_at(sk, z);
        /* At an interface (z == top of layer l) the upper layer's value is
         * taken for z = depth only, so the floor belongs to the layer cut. */
        if (k == m - 1 && l > 0 && z <= ns_skin_layer_top(sk, l)) l--;
        any_open |= profile_point(p, d_pen, z, l, out, n++);
    }
    out->n = n;
    out->depth = depth;
    out->radius_surface = out->r0[0];
    out->open = any_open;
    if (!any_open) {
        out->depth = 0.0;
        out->radius_surface = 0.0;
        out->n = 0;
    }
    return NS_OK;
}

double ns_channel_closure(const ns_channel_geom *g, double t)
{
    if (!(t > 0.0)) return 1.0;
    return exp2(-t / g->half_life); /* eq. (3), barrier */
}

static double pore_half_life(const ns_channel_geom *g)
{
    return g->half_life_pore > 0.0 ? g->half_life_pore : g->half_life;
}

double ns_channel_closure_at(const ns_channel_geom *g, double z, double t)
{
    if (!(t > 0.0)) return 1.0;
    return exp2(-t / (z < g->z_barrier ? g->half_life : pore_half_life(g))); /* eq. (3) */
}

double ns_channel_closure_max(const ns_channel_geom *g, double t)
{
    if (!(t > 0.0)) return 1.0;
    double th = pore_half_life(g) > g->half_life ? pore_half_life(g) : g->half_life;
    return exp2(-t / th);
}

/* Half-lives at or above this count as "never closes" [s] (the solver's
 * rule for a non-closing channel, models/diffusion/solver.c). */
#define NEVER_CLOSES 1e30

double ns_channel_closed_time(const ns_channel_geom *g, double r_max, double a)
{
    if (g == NULL || !g->open || !(r_max > 0.0) || !(a > 0.0)) return INFINITY;
    double th = pore_half_life(g) > g->half_life ? pore_half_life(g) : g->half_life;
    if (!(th < NEVER_CLOSES)) return INFINITY;
    if (r_max < a) return 0.0;
    double t = th * log2(r_max / a);
    /* The predicate the solver tests, to the last double (a few ulps). */
    for (int i = 0; i < 64 && !(r_max * ns_channel_closure_max(g, t) < a); i++)
        t = nextafter(t, INFINITY);
    return t;
}

double ns_channel_radius_at(const ns_channel_geom *g, double z, double t)
{
    if (g == NULL || !g->open || g->n < 2 || z < 0.0 || z > g->depth) return 0.0;
    double f = ns_channel_closure_at(g, z, t);
    /* Linear interpolation in the tabulated profile (z[] increasing). */
    size_t lo = 0, hi = g->n - 1;
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (g->z[mid] <= z)
            lo = mid;
        else
            hi = mid;
    }
    double dz = g->z[hi] - g->z[lo];
    double w = dz > 0.0 ? (z - g->z[lo]) / dz : 0.0;
    double r0 = g->r0[lo] + w * (g->r0[hi] - g->r0[lo]);
    return r0 * f;
}

double ns_channel_wall_area(const ns_channel_geom *g)
{
    if (g == NULL || !g->open || g->n < 2) return 0.0;
    double A = 0.0;
    for (size_t k = 0; k + 1 < g->n; k++) {
        double dz = g->z[k + 1] - g->z[k], dr = g->r0[k + 1] - g->r0[k];
        if (!(dz > 0.0)) continue; /* the step at an interface pair is no wall */
        A += NS_PI * (g->r0[k] + g->r0[k + 1]) * sqrt(dz * dz + dr * dr); /* frustum */
    }
    return A;
}

const char *ns_species_name(ns_species s)
{
    static const char *const names[NS_SPECIES_COUNT] = {"human", "rat"};
    return (s >= 0 && s < NS_SPECIES_COUNT) ? names[s] : NULL;
}

void ns_channel_after(const ns_channel_geom *g, double t, ns_channel_geom *out)
{
    if (out != g) *out = *g;
    if (!g->open || !(t > 0.0)) return;
    for (size_t k = 0; k < out->n; k++) {
        /* The upper point of an interface pair (and a floor on an interface)
         * belongs to the layer above: its closure is that of z just above. */
        int above = (k + 1 < out->n && out->z[k + 1] == out->z[k]) ||
                    (k + 1 == out->n && out->z[k] == g->z_barrier);
        double z = above ? nextafter(out->z[k], -INFINITY) : out->z[k];
        out->r0[k] *= ns_channel_closure_at(g, z, t);
    }
    out->radius_surface = out->r0[0];
}
