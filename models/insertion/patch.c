/* Finite patches: a patch of N needles is not an infinite periodic array.
 * The unit-cell solve of ns_ins_solve carries the patch's mean sinking
 * through the mean-mode stiffness k_m = k_block + k_rim (models/insertion.h,
 * "Array patch"): the fat block under the patch and the skin around it. The
 * skin around the patch holds its edge, so the needles of the edge ring are
 * supported by all of k_rim while the centre needles are not; under a rigid
 * applicator (press plate, impactor) all needles move together and the load
 * goes where the support is stiffer.
 *
 * Rings: radius of the patch a_p = R_c sqrt(N); the edge ring holds the
 * needles within one pitch p of the edge, fraction
 *   f_e = 1 - (1 - p/a_p)^2  (0 < f_e <= 1),  f_c = 1 - f_e.           (R1)
 * Ring mean-mode stiffness: centre k_c = k0 + k_block, edge
 * k_e = k0 + k_block + k_rim / f_e (the rim's force per patch area goes to
 * the edge ring's area). Shares of the load at equal travel (linear
 * stiffnesses of the rings):
 *   phi_j = k_j / (f_c k_c + f_e k_e),   sum_j f_j phi_j = 1,            (R2)
 * so a ring's needle sees the press force cap phi_j F/N or the impact mass
 * phi_j M/N. Each ring is one unit-cell solve with its k_m and share.
 * Statistics over the needles: punctured_fraction = sum_j f_j [ring j
 * punctured]; depth mean sum_j f_j d_j; the q-quantile is the depth of the
 * ring at which the needle fraction, sorted by depth, reaches q.
 *
 * Validity: equal travel of every needle (rigid applicator), load sharing
 * from the linear stiffnesses (the puncture of one ring does not move the
 * load to the other), two rings. Press and impact only: a pen's face holds
 * the skin at the patch edge (no free rim), a roller is a line of needles.
 * A single needle, a pen or a roller gives one ring, the mean solve. */
#include <math.h>
#include <stddef.h>
#include <string.h>

#include "../needle.h"
#include "../units.h"
#include "ins_private.h"

/* Solve the unit cell of one ring: the mean solve's case with the ring's
 * mean-mode stiffness k_j - k0 and load share phi. */
static ns_status ring_solve(const ns_params *p, double k_extra, double phi, ns_ins_result *r)
{
    ns_ins *s = NULL;
    ns_ins_input in;
    ns_ins_input_init(&in, p);
    NS_TRY(ns_ins_create(&in, &s));
    s->T->k_mean = k_extra;
    s->F_cap *= phi;
    s->m_a *= phi;
    ns_status st = ns_ins_solve(s, r);
    ns_ins_destroy(&s);
    return st == NS_OK ? NS_OK : ns_status_trace(st, __FILE__, __LINE__, __func__);
}

/* Quantile q of a two-point distribution (depths d[2], fractions f[2]). */
static double ring_quantile(const double *d, const double *f, double q)
{
    int lo = d[0] <= d[1] ? 0 : 1;
    return f[lo] >= q ? d[lo] : d[1 - lo];
}

ns_status ns_ins_patch_solve(const ns_params *p, const ns_ins_result *mean,
                             ns_ins_patch_result *out)
{
    NS_CHECK(p != NULL && mean != NULL && out != NULL, NS_EINVAL,
             "ns_ins_patch_solve: NULL argument");
    memset(out, 0, sizeof *out);
    const ns_applicator_params *ap = &p->applicator;
    double Rc = ns_array_unit_cell_radius(&p->array);
    double N = p->array.count;
    int patch = (p->array.layout == NS_LAYOUT_SQUARE || p->array.layout == NS_LAYOUT_HEXAGONAL) &&
                isfinite(N) && N > 1.0 && isfinite(Rc) && Rc > 0.0 &&
                (ap->mode == NS_APPLICATOR_PRESS || ap->mode == NS_APPLICATOR_IMPACT);
    out->n_rings = 1;
    out->ring_fraction[0] = 1.0;
    out->ring_share[0] = 1.0;
    out->ring[0] = *mean;
    if (patch) {
        /* the operator of the mean solve gives k0 and N0 (incl. G_p) */
        ns_ins *s = NULL;
        ns_ins_input in;
        ns_ins_input_init(&in, p);
        NS_TRY(ns_ins_create(&in, &s));
        double k0 = s->T->k0, N0 = s->T->N0, kb, kr;
        ins_patch_stiffness(&s->p, k0, N0, Rc, &kb, &kr);
        ns_ins_destroy(&s);
        double a_p = Rc * sqrt(N);
        double pitch = isfinite(p->array.pitch) && p->array.pitch > 0.0 ? p->array.pitch
                                                                       : Rc * sqrt(NS_PI);
        double fe = pitch < a_p ? 1.0 - (1.0 - pitch / a_p) * (1.0 - pitch / a_p) : 1.0;
        if (fe < 1.0 && kr > 0.0) {
            double kc = k0 + kb, ke = k0 + kb + kr / fe, kbar = (1.0 - fe) * kc + fe * ke;
            out->n_rings = 2;
            out->ring_fraction[0] = 1.0 - fe; /* eq. (R1) */
            out->ring_fraction[1] = fe;
            out->ring_share[0] = kc / kbar; /* eq. (R2) */
            out->ring_share[1] = ke / kbar;
            NS_TRY(ring_solve(p, kb, out->ring_share[0], &out->ring[0]));
            NS_TRY(ring_solve(p, kb + kr / fe, out->ring_share[1], &out->ring[1]));
        }
    }
    double d[2] = {0.0, 0.0};
    for (size_t j = 0; j < out->n_rings; j++) {
        const ns_ins_result *r = &out->ring[j];
        d[j] = r->punctured ? r->penetration_depth : 0.0;
        out->punctured_fraction += r->punctured ? out->ring_fraction[j] : 0.0;
        out->depth_mean += out->ring_fraction[j] * d[j];
    }
    if (out->n_rings == 1) {
        out->depth_p10 = out->depth_p90 = d[0];
    } else {
        out->depth_p10 = ring_quantile(d, out->ring_fraction, 0.1);
        out->depth_p90 = ring_quantile(d, out->ring_fraction, 0.9);
    }
    return NS_OK;
}
