/* The needle reservoir of a coated or dissolving dose: the drug that is on
 * (coating) or in (drug-in-polymer needle) the needle and enters the channel
 * fluid over time (models/diffusion.h, "Needle reservoir", eqs. R1-R4).
 *
 * The reservoir is coupled to the channel cells only: each cell k gets the
 * share w_k = phi_k V_k / V_ch of the exchange (phi the channel volume
 * fraction at t = 0, V_ch the channel volume), so the release sees the
 * channel-fluid mean concentration u_ch = sum w_k u_k. Per step the hook
 * fills a diagonal exchange conductance qx and a source qs (both constant
 * over the step):
 *   coating (Noyes-Whitney):   qx_k = k A w_k,  qs_k = k A w_k C_s
 *   dissolving (Hixson-Crowell): qx_k = 0,      qs_k = w_k [m(t) - m(t+dt)] / dt
 * and the step moves  released = sum_k dt (qs_k - qx_k ((1-th) u_k^n + th u_k^{n+1}))
 * out of the reservoir. A step that would take more than is left is redone
 * with the remainder released at a constant rate (capped): the reservoir
 * never goes negative and the balance stays exact. */
#include <math.h>
#include <string.h>

#include "../channel.h"
#include "../drug.h"
#include "../param_table.h"
#include "../units.h"
#include "diff_private.h"

/* First zero of the Bessel function J0: the slowest diffusion mode of a
 * cylinder of radius a with a fixed wall value decays at j0^2 D / a^2 (Crank
 * 1975, eq. 5.22 ff.), which sets the wall-to-mean mass-transfer coefficient
 * k = j0^2 D / (2 a) of eq. (R2). */
#define BESSEL_J0_ZERO1 2.404825557695773

/* A remainder below this fraction of the dose counts as fully released. */
#define RES_EMPTY_REL 1e-12

/* Length [m] of the channel profile with an open (r > 0) wall. */
static double open_wall_length(const ns_channel_geom *g)
{
    double L = 0.0;
    for (size_t k = 0; k + 1 < g->n; k++) {
        double dz = g->z[k + 1] - g->z[k];
        int a = g->r0[k] > 0.0, b = g->r0[k + 1] > 0.0;
        L += dz * 0.5 * (double)(a + b);
    }
    return L;
}

/* Channel-fluid weights w_k = phi_k V_k / V_ch at t = 0 into s->wch; returns
 * V_ch [m^3] (0: no channel cell). */
static double channel_weights(ns_diff *s)
{
    size_t nr = s->nr, nz = s->nz;
    double Vch = 0.0;
    for (size_t j = 0; j < nz; j++) {
        double rch = diff_row_channel_radius(s, j, 0.0);
        for (size_t i = 0; i < nr; i++) {
            double r0 = s->rf[i], r1 = s->rf[i + 1];
            double phi = rch > 0.0 ? (rch * rch - r0 * r0) / (r1 * r1 - r0 * r0) : 0.0;
            phi = phi < 0.0 ? 0.0 : (phi > 1.0 ? 1.0 : phi);
            size_t k = idx(i, j, nz);
            s->wch[k] = phi * s->vol[k];
            Vch += s->wch[k];
        }
    }
    if (Vch > 0.0)
        for (size_t k = 0; k < s->n; k++) s->wch[k] /= Vch;
    return Vch;
}

/* Vehicle applied before needling (drug.applied = before): each channel
 * fills with the vehicle as it is made, so the lumen starts at C_v (eq. R5 of
 * models/diffusion.h); that content left the vehicle (donor), and a finite
 * film is thinner by it. */
static void vehicle_fill(ns_diff *s, double Vch)
{
    double fill = s->Cv0 * Vch; /* [kg] */
    for (size_t k = 0; k < s->n; k++) s->u[k] += s->Cv0 * s->wch[k] * Vch / s->M[k];
    s->donor += fill;
    if (s->dose == NS_DOSE_FINITE) {
        s->Cv0 -= fill / (s->h_f * s->area);
        s->Cv = s->Cv0;
    }
}

ns_status diff_dose_init(ns_diff *s, const ns_drug_params *d)
{
    s->t_res90 = NAN;
    s->m_res = s->m_res0 = 0.0;
    if (s->dose != NS_DOSE_COATED && s->dose != NS_DOSE_DISSOLVING) {
        if (d->applied == NS_APPLIED_BEFORE && s->has_ch) {
            double Vch = channel_weights(s);
            if (Vch > 0.0) vehicle_fill(s, Vch);
        }
        return NS_OK;
    }
    /* The concentration at a dissolving surface is at most C_s: the error
     * scale of a run that starts empty (eq. R1). */
    if (isfinite(d->solubility) && d->solubility > s->u_scale) s->u_scale = d->solubility;
    if (!s->has_ch || !(d->coated_mass > 0.0)) return NS_OK; /* no reservoir in the skin */
    NS_TRY(ns_param_check_value("drug", "solubility", NULL, d->solubility));
    if (s->dose == NS_DOSE_DISSOLVING)
        NS_TRY(ns_param_check_value("drug", "dissolution_time", NULL, d->dissolution_time));
    s->C_s = d->solubility;
    s->t_diss = d->dissolution_time;

    if (!(channel_weights(s) > 0.0)) return NS_OK;
    s->m_res = s->m_res0 = d->coated_mass;
    /* eq. (R2): k A = sum over the wall of (j0^2 D / 2 r) 2 pi r dz. */
    s->kA = NS_PI * BESSEL_J0_ZERO1 * BESSEL_J0_ZERO1 * s->D_free * open_wall_length(&s->ch);
    return NS_OK;
}

/* Hixson-Crowell remainder m(t) = m0 (1 - t / t_d)^3, eq. (R3). */
static double hixson_crowell(double m0, double t, double t_d)
{
    double f = 1.0 - t / t_d;
    return f > 0.0 ? m0 * f * f * f : 0.0;
}

void diff_dose_source(ns_diff *s, double dt, int capped)
{
    if (!(s->m_res > 0.0)) return; /* qx, qs are zero (diff_dose_commit) */
    size_t n = s->n;
    if (capped) {
        double rate = s->m_res / dt;
        for (size_t k = 0; k < n; k++) {
            s->qx[k] = 0.0;
            s->qs[k] = s->wch[k] * rate;
        }
    } else if (s->dose == NS_DOSE_COATED) {
        for (size_t k = 0; k < n; k++) { /* eq. (R1) */
            s->qx[k] = s->kA * s->wch[k];
            s->qs[k] = s->qx[k] * s->C_s;
        }
    } else {
        double rel = hixson_crowell(s->m_res0, s->t, s->t_diss) -
                     hixson_crowell(s->m_res0, s->t + dt, s->t_diss);
        double rate = (rel < s->m_res ? rel : s->m_res) / dt;
        for (size_t k = 0; k < n; k++) {
            s->qx[k] = 0.0;
            s->qs[k] = s->wch[k] * rate;
        }
    }
}

double diff_dose_release(const ns_diff *s, double dt, double theta, const double *u0,
                         const double *u1)
{
    if (!(s->m_res > 0.0)) return 0.0;
    double rel = 0.0;
    for (size_t k = 0; k < s->n; k++)
        if (s->wch[k] > 0.0)
            rel += dt * (s->qs[k] - s->qx[k] * ((1.0 - theta) * u0[k] + theta * u1[k]));
    return rel;
}

void diff_dose_commit(ns_diff *s, double dt, double released)
{
    if (!(s->m_res > 0.0)) return;
    double before = s->m_res;
    double after = before - released;
    if (after <= RES_EMPTY_REL * s->m_res0) after = 0.0;
    s->m_res = after;
    s->donor += released;
    double m90 = 0.1 * s->m_res0; /* 90 % released */
    if (isnan(s->t_res90) && before > m90 && after <= m90)
        s->t_res90 = s->t + dt * (before - m90) / (before - after);
    if (after == 0.0) {
        memset(s->qx, 0, s->n * sizeof(double));
        memset(s->qs, 0, s->n * sizeof(double));
    }
}
