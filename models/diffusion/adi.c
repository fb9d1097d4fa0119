/* Time stepping of the diffusion solver: the Douglas ADI step (one implicit
 * Thomas sweep per direction, theta = 1/2), the balance increments (donor,
 * receptor, clearance), and the step-doubling error control
 * (models/diffusion.h, "Time"). */
#include <float.h>
#include <math.h>
#include <string.h>

#include "../channel.h"
#include "diff_private.h"

/* Step below which the adaptive stepper gives up, relative to max(t, 1 s). */
#define DT_FLOOR_REL (64.0 * DBL_EPSILON)
/* Step-size controller: safety factor and smallest shrink factor. */
#define DT_SAFETY 0.9
#define DT_SHRINK_MIN 0.2

/* ---- tridiagonal (Thomas) solver ---------------------------------------- */

/* Solve a[k] x[k-1] + b[k] x[k] + c[k] x[k+1] = d[k], k = 0..n-1 (a[0], c[n-1]
 * unused). The matrices here are diagonally dominant M-matrices (M > 0 on the
 * diagonal plus non-negative conductances), so no pivoting is needed. */
static void thomas(size_t n, const double *a, const double *b, const double *c, const double *d,
                   double *x, double *cp)
{
    double beta = b[0];
    x[0] = d[0] / beta;
    for (size_t k = 1; k < n; k++) {
        cp[k - 1] = c[k - 1] / beta;
        beta = b[k] - a[k] * cp[k - 1];
        x[k] = (d[k] - a[k] * x[k - 1]) / beta;
    }
    for (size_t k = n - 1; k > 0; k--) x[k - 1] -= cp[k - 1] * x[k];
}

/* ---- balance helpers ------------------------------------------------------------ */

double diff_stored_mass(const ns_diff *s)
{
    double m = 0.0;
    for (size_t k = 0; k < s->n; k++) m += s->M[k] * s->u[k];
    return m;
}

/* Instantaneous outflow [kg/s]: receptor flux + clearance. */
double diff_outflow(const ns_diff *s, const double *u)
{
    double f = 0.0;
    for (size_t i = 0; i < s->nr; i++) f += s->gz[i * (s->nz + 1) + s->nz] * u[idx(i, s->nz - 1, s->nz)];
    for (size_t k = 0; k < s->n; k++) f += s->rx[k] * u[k];
    return f;
}

/* ---- one Douglas ADI step ---------------------------------------------------------- */

/* Coefficients of a closing channel at the step midpoint t_mid (the
 * coefficients are updated every step; contents are kept by the remap).
 * Once the widest radius is below the solute radius (hindrance 0) the
 * channel is closed for good. */
static void refresh_closing(ns_diff *s, double t_mid)
{
    if (s->r_max * ns_channel_closure_max(&s->ch, t_mid) < s->a_solute) {
        s->ch_closed = 1;
        s->closing = 0;
    }
    diff_set_coefficients(s, t_mid, 1);
}

static void adi_step(ns_diff *s, double dt)
{
    size_t nr = s->nr, nz = s->nz;
    /* Douglas with weight theta (1/2: second order, used throughout; the
     * balance increments below are written for any theta). */
    double theta = 0.5;
    if (s->closing) refresh_closing(s, s->t + 0.5 * dt);
    double h = theta * dt, he = dt - h;
    double *u = s->u, *az = s->az, *us = s->ustar;
    double Cv = s->Cv;
    int finite = s->dose == NS_DOSE_FINITE;
    /* Needle reservoir (dose.c): qx joins the clearance on the diagonal, qs
     * the right-hand side; redone once, capped, if it would overdraw. */
    int capped = 0;
retry:
    diff_dose_source(s, dt, capped);

    /* Homogeneous axial operator A_z u^n (conductances, sink, clearance). */
    for (size_t i = 0; i < nr; i++) {
        const double *g = s->gz + i * (nz + 1);
        const double *ui = u + idx(i, 0, nz);
        double *ai = az + idx(i, 0, nz);
        const double *rxi = s->rx + idx(i, 0, nz);
        const double *qxi = s->qx + idx(i, 0, nz);
        for (size_t j = 0; j < nz; j++) {
            double up = j > 0 ? g[j] * (ui[j - 1] - ui[j]) : -g[0] * ui[0];
            double dn = j + 1 < nz ? g[j + 1] * (ui[j + 1] - ui[j]) : -g[nz] * ui[j];
            ai[j] = up + dn - (rxi[j] + qxi[j]) * ui[j];
        }
    }
    /* Step 1: (M - th dt A_r) u* = (M + (1-th) dt A_r) u + dt (A_z u + b), per row. */
    for (size_t j = 0; j < nz; j++) {
        const double *g = s->gr + j * (nr + 1);
        for (size_t i = 0; i < nr; i++) {
            size_t k = idx(i, j, nz);
            double gl = g[i], gR = g[i + 1];
            double ar = (i > 0 ? gl * (u[k - nz] - u[k]) : 0.0) +
                        (i + 1 < nr ? gR * (u[k + nz] - u[k]) : 0.0);
            s->la[i] = -h * gl;
            s->lc[i] = -h * gR;
            s->lb[i] = s->M[k] + h * (gl + gR);
            double src = (j == 0 ? s->gz[i * (nz + 1)] * Cv : 0.0) + s->qs[k];
            s->ld[i] = s->M[k] * u[k] + he * ar + dt * (az[k] + src);
        }
        thomas(nr, s->la, s->lb, s->lc, s->ld, s->lx, s->lcp);
        for (size_t i = 0; i < nr; i++) us[idx(i, j, nz)] = s->lx[i];
    }
    /* Step 2: (M - th dt A_z) u' = M u* - th dt A_z u^n + th dt (b' - b^n), per
     * column; the finite dose solves a second right-hand side for C_v'. */
    double donor_n = 0.0, sum_g0x = 0.0, sum_g0y = 0.0, sum_g0 = 0.0;
    double *un = s->u_big; /* new field (x part) */
    for (size_t i = 0; i < nr; i++) {
        const double *g = s->gz + i * (nz + 1);
        for (size_t j = 0; j < nz; j++) {
            size_t k = idx(i, j, nz);
            s->la[j] = -h * g[j];
            s->lc[j] = -h * g[j + 1];
            s->lb[j] = s->M[k] + h * (g[j] + g[j + 1] + s->rx[k] + s->qx[k]);
            s->ld[j] = s->M[k] * us[k] - h * az[k];
        }
        s->la[0] = 0.0;
        s->lc[nz - 1] = 0.0;
        donor_n += g[0] * (Cv - u[idx(i, 0, nz)]);
        if (finite) s->ld[0] -= h * g[0] * Cv;
        thomas(nz, s->la, s->lb, s->lc, s->ld, un + idx(i, 0, nz), s->lcp);
        if (finite) {
            memset(s->ld, 0, nz * sizeof(double));
            s->ld[0] = h * g[0];
            thomas(nz, s->la, s->lb, s->lc, s->ld, s->ybuf + idx(i, 0, nz), s->lcp);
            sum_g0x += g[0] * un[idx(i, 0, nz)];
            sum_g0y += g[0] * s->ybuf[idx(i, 0, nz)];
            sum_g0 += g[0];
        }
    }
    double Cv_new = Cv;
    if (finite) {
        /* Donor balance h_f A (C_v' - C_v) = -dt ((1-th) F_top^n + th F_top'). */
        double VA = s->h_f * s->area;
        Cv_new = (VA * Cv - he * donor_n + h * sum_g0x) / (VA + h * (sum_g0 - sum_g0y));
        for (size_t k = 0; k < s->n; k++) un[k] += Cv_new * s->ybuf[k];
    }
    double released = diff_dose_release(s, dt, theta, u, un);
    if (!capped && released > s->m_res) {
        capped = 1;
        goto retry;
    }
    /* Balance increments (trapezoidal, exactly those of the scheme). */
    double donor_new = 0.0, rec_n = 0.0, rec_new = 0.0;
    for (size_t i = 0; i < nr; i++) {
        const double *g = s->gz + i * (nz + 1);
        donor_new += g[0] * (Cv_new - un[idx(i, 0, nz)]);
        rec_n += g[nz] * u[idx(i, nz - 1, nz)];
        rec_new += g[nz] * un[idx(i, nz - 1, nz)];
    }
    double clr_n = 0.0, clr_new = 0.0;
    for (size_t k = 0; k < s->n; k++) {
        clr_n += s->rx[k] * u[k];
        clr_new += s->rx[k] * un[k];
    }
    s->donor += he * donor_n + h * donor_new;
    s->receptor += he * rec_n + h * rec_new;
    s->cleared += he * clr_n + h * clr_new;
    diff_dose_commit(s, dt, released);
    memcpy(u, un, s->n * sizeof(double));
    s->Cv = Cv_new;
    s->t += dt;
}

/* First non-finite cell, or n if none. */
static size_t find_nonfinite(const ns_diff *s)
{
    for (size_t k = 0; k < s->n; k++)
        if (!isfinite(s->u[k])) return k;
    return s->n;
}

static ns_status check_finite(const ns_diff *s)
{
    size_t k = find_nonfinite(s);
    if (k == s->n && isfinite(s->Cv)) return NS_OK;
    if (k == s->n)
        NS_FAIL(NS_ENONFINITE, "vehicle concentration C_v = %g kg/m^3 at t = %.6g s", s->Cv, s->t);
    size_t i = k / s->nz, j = k % s->nz;
    NS_FAIL(NS_ENONFINITE, "u = %g kg/m^3 in cell (i = %zu, j = %zu), r = %.4g m, z = %.4g m at t = %.6g s",
            s->u[k], i, j, s->rc[i], s->zc[j], s->t);
}

ns_status ns_diff_step(ns_diff *s, double dt)
{
    NS_CHECK(s != NULL, NS_EINVAL, "NULL solver");
    NS_CHECK(isfinite(dt) && dt > 0.0, NS_EINVAL, "dt = %g s: must be > 0", dt);
    adi_step(s, dt);
    s->steps++;
    NS_TRY(check_finite(s));
    double J = diff_outflow(s, s->u) / s->area;
    if (J > s->peak_flux) s->peak_flux = J;
    return NS_OK;
}

/* ---- state save / restore for step doubling -------------------------------------- */

typedef struct {
    double t, Cv, donor, receptor, cleared, m_res, t_res90;
    int closing, ch_closed;
} scalars;

static scalars save_state(ns_diff *s)
{
    memcpy(s->u_save, s->u, s->n * sizeof(double));
    if (s->has_ch) memcpy(s->cap_save, s->cap, s->n * sizeof(double));
    scalars c = {s->t,     s->Cv,      s->donor,   s->receptor,   s->cleared,
                 s->m_res, s->t_res90, s->closing, s->ch_closed};
    return c;
}

static void restore_state(ns_diff *s, const scalars *c)
{
    memcpy(s->u, s->u_save, s->n * sizeof(double));
    if (s->has_ch && (s->closing || c->closing)) {
        /* Back to the saved capacity; the conductances are recomputed at the
         * next step's midpoint (a closing channel refreshes every step). */
        memcpy(s->cap, s->cap_save, s->n * sizeof(double));
        for (size_t k = 0; k < s->n; k++) s->M[k] = s->cap[k] * s->vol[k];
    }
    s->closing = c->closing;
    s->ch_closed = c->ch_closed;
    s->t = c->t;
    s->Cv = c->Cv;
    s->donor = c->donor;
    s->receptor = c->receptor;
    s->cleared = c->cleared;
    s->m_res = c->m_res;
    s->t_res90 = c->t_res90;
}

/* One error-controlled step of at most dt_max; returns the step taken. */
ns_status diff_adaptive_step(ns_diff *s, double dt_max, double *taken)
{
    for (;;) {
        NS_CHECK(s->steps + s->rejected < s->max_steps, NS_ECONV,
                 "numerics.diff_max_steps = %zu reached at t = %.6g s (dt = %.3g s)", s->max_steps,
                 s->t, s->dt_next);
        double dt = s->dt_next < dt_max ? s->dt_next : dt_max;
        double floor_dt = DT_FLOOR_REL * (s->t > 1.0 ? s->t : 1.0);
        NS_CHECK(dt > floor_dt, NS_ECONV,
                 "time step %.3g s fell below the round-off limit %.3g s at t = %.6g s", dt, floor_dt,
                 s->t);
        scalars c = save_state(s);
        adi_step(s, dt);
        memcpy(s->u_full, s->u, s->n * sizeof(double));
        double Cv_big = s->Cv;
        restore_state(s, &c);
        adi_step(s, 0.5 * dt);
        adi_step(s, 0.5 * dt);
        /* Volume-weighted RMS of the difference (the amounts that matter are
         * volume integrals; a few tiny cells at the channel wall must not set
         * the step), relative to max(|u|, C_v). */
        double umax = s->u_scale, e2 = 0.0;
        for (size_t k = 0; k < s->n; k++) {
            double a = fabs(s->u[k]);
            if (a > umax) umax = a;
            double e = s->u[k] - s->u_full[k];
            e2 += s->vol[k] * e * e;
        }
        double emax = sqrt(e2 / s->vol_total);
        /* The scheme is linear with finite coefficients: a non-finite value
         * is not cured by a smaller step, so report the cell at once. */
        if (!isfinite(emax)) NS_TRY(check_finite(s));
        if (!isfinite(emax)) emax = INFINITY;
        double ecv = fabs(s->Cv - Cv_big);
        if (ecv > emax) emax = ecv;
        /* Richardson: the error of the two half steps is (u_2 - u_1) / 3;
         * the local error scales as dt^3. */
        double ratio = emax / (3.0 * s->rtol * umax);
        double fac = ratio > 0.0 ? DT_SAFETY * pow(ratio, -1.0 / 3.0) : NS_DIFF_DT_GROWTH;
        if (!(fac < NS_DIFF_DT_GROWTH)) fac = NS_DIFF_DT_GROWTH;
        if (fac < DT_SHRINK_MIN) fac = DT_SHRINK_MIN;
        if (ratio <= 1.0) {
            NS_TRY(check_finite(s));
            s->steps++;
            /* Keep the proposal when the step was clipped to an output time. */
            if (dt >= s->dt_next || fac < 1.0) s->dt_next = dt * fac;
            *taken = dt;
            return NS_OK;
        }
        restore_state(s, &c);
        s->rejected++;
        s->dt_next = dt * fac;
    }
}

