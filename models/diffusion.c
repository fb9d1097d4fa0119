/* Axisymmetric r-z drug transport: finite volumes + Douglas ADI with
 * step-doubling error control. Equations, grid and scheme: diffusion.h. */
#include "diffusion.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "drug.h"
#include "needle.h"
#include "skin.h"
#include "units.h"

/* Sub-intervals of the table used to place faces by inverting the cumulative
 * cell-count density of a segment (smooth to 1/4096 of the segment). */
#define GRID_TABLE 4096
/* Channel floors closer than this to a layer interface are moved onto it [m]
 * (avoids a sliver segment that would force tiny cells everywhere). */
#define NS_DIFF_SNAP 2.0e-6
/* Smallest cell of a segment relative to the thinnest clustered segment. */
#define GRID_HMIN_DIVISOR 8.0
/* Minimum cells per z segment (the SC gets >= 4) and per r segment. */
#define GRID_MIN_Z 4
#define GRID_MIN_R 3
/* Step below which the adaptive stepper gives up, relative to max(t, 1 s). */
#define DT_FLOOR_REL (64.0 * DBL_EPSILON)
/* Step-size controller: safety factor and smallest shrink factor. */
#define DT_SAFETY 0.9
#define DT_SHRINK_MIN 0.2

struct ns_diff {
    size_t nr, nz, n;
    double R, H, area; /* [m], [m], [m^2] pi R^2 */
    double *rf, *zf;   /* faces, nr + 1 and nz + 1 */
    double *rc, *zc;   /* centres */
    double *vol;       /* [m^3] cell volumes */
    size_t *layer;     /* layer index of each z cell */
    double *Dl, *Kl, *kl; /* per z cell: layer D, K, k_cl */
    /* channel */
    int has_ch, closing, ch_closed;
    double vol_total;  /* [m^3] */
    double r_max;      /* [m] widest channel radius at t = 0 */
    ns_channel_geom ch;
    double ch_depth;   /* [m] snapped onto a z face */
    double a_solute;   /* [m] solute radius */
    double D_free;     /* [m^2/s] */
    /* coefficients at the current coefficient time */
    double *cap;       /* [-] capacity phi + (1 - phi) K */
    double *M;         /* [m^3] cap * vol */
    double *gr;        /* [m^3/s] radial face conductances, j * (nr + 1) + i */
    double *gz;        /* [m^3/s] axial face conductances, i * (nz + 1) + j */
    double *rx;        /* [m^3/s] clearance k_cl (1 - phi) K V */
    int is_ve_dermis_col[NS_LAYER_MAX];
    /* dosing and bottom */
    ns_dose_mode dose;
    ns_bottom_bc bottom;
    double h_f;        /* [m] film thickness (finite dose) */
    double Cv, Cv0;    /* [kg/m^3] vehicle concentration now and at t = 0 */
    double u_scale;    /* [kg/m^3] error scale floor */
    double rtol;
    size_t max_steps;
    /* state */
    double t;
    double *u;
    /* balance [kg] */
    double donor, receptor, cleared, stored_ref;
    double peak_flux;  /* [kg/(m^2 s)] */
    size_t steps, rejected;
    double dt_next;
    double lag_time;
    /* work */
    double *u_save, *cap_save, *u_big, *u_full, *ustar, *az, *ybuf, *Cbuf, *dkr, *dkz;
    double *la, *lb, *lc, *ld, *lx, *lcp; /* line buffers, max(nr, nz) */
};

static inline size_t idx(size_t i, size_t j, size_t nz) { return i * nz + j; }

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

/* ---- grid ------------------------------------------------------------------ */

typedef struct {
    double a, b; /* [m] segment ends */
    int ca, cb;  /* cluster cells towards a / b */
} grid_seg;

/* Target cell size at x: hmin + g d, d the distance to the nearest clustered
 * end (geometric growth ~ 1 + g per cell); uniform if no end is clustered. */
static double seg_size(const grid_seg *s, double x, double hmin)
{
    double d = INFINITY;
    if (s->ca) d = x - s->a;
    if (s->cb && s->b - x < d) d = s->b - x;
    if (!isfinite(d)) return 1.0;
    return hmin + NS_DIFF_GROWTH * d;
}

/* Cumulative cell-count density F(x) = int_a^x dx'/h(x') on GRID_TABLE + 1
 * equally spaced points (midpoint rule). Returns F(b). */
static double seg_table(const grid_seg *s, double hmin, double *F)
{
    double dx = (s->b - s->a) / GRID_TABLE;
    F[0] = 0.0;
    for (size_t k = 0; k < GRID_TABLE; k++)
        F[k + 1] = F[k] + dx / seg_size(s, s->a + ((double)k + 0.5) * dx, hmin);
    return F[GRID_TABLE];
}

/* Faces of a 1-D grid of n cells over segments seg[0..ns-1] (contiguous), each
 * segment getting >= nmin cells, in proportion to its weight F(b) otherwise.
 * faces[n + 1]. */
static ns_status grid_build(const grid_seg *seg, size_t ns, size_t n, size_t nmin, double hmin,
                            double *faces)
{
    double F[GRID_TABLE + 1];
    double W[2 * NS_LAYER_MAX + 4];
    size_t cnt[2 * NS_LAYER_MAX + 4];
    NS_CHECK(ns <= 2 * NS_LAYER_MAX + 4, NS_EINVAL, "too many grid segments (%zu)", ns);
    if (nmin * ns > n) nmin = n / ns;
    NS_CHECK(nmin >= 1, NS_EINVAL, "%zu cells cannot cover %zu grid segments", n, ns);
    double Wt = 0.0;
    for (size_t k = 0; k < ns; k++) {
        /* Uniform segments have weight length/hmin_uniform: give them the
         * cell size they would have at the end of a clustered segment's
         * growth, i.e. a weight proportional to their length. */
        W[k] = seg_table(&seg[k], hmin, F);
        if (!seg[k].ca && !seg[k].cb) W[k] = (seg[k].b - seg[k].a) / hmin;
        Wt += W[k];
    }
    size_t sum = 0;
    for (size_t k = 0; k < ns; k++) {
        size_t c = (size_t)floor((double)n * W[k] / Wt);
        cnt[k] = c < nmin ? nmin : c;
        sum += cnt[k];
    }
    while (sum < n) { /* add to the segment with the largest weight per cell */
        size_t best = 0;
        for (size_t k = 1; k < ns; k++)
            if (W[k] / (double)cnt[k] > W[best] / (double)cnt[best]) best = k;
        cnt[best]++;
        sum++;
    }
    while (sum > n) { /* remove from the smallest weight per cell above nmin */
        size_t best = ns;
        for (size_t k = 0; k < ns; k++)
            if (cnt[k] > nmin && (best == ns || W[k] / (double)cnt[k] < W[best] / (double)cnt[best]))
                best = k;
        NS_CHECK(best < ns, NS_EINVAL, "cannot distribute %zu cells over %zu segments", n, ns);
        cnt[best]--;
        sum--;
    }
    size_t f = 0;
    faces[f++] = seg[0].a;
    for (size_t k = 0; k < ns; k++) {
        double Wk = seg_table(&seg[k], hmin, F);
        double dx = (seg[k].b - seg[k].a) / GRID_TABLE;
        size_t q = 0;
        for (size_t m = 1; m < cnt[k]; m++) {
            double target = Wk * (double)m / (double)cnt[k];
            while (q < GRID_TABLE - 1 && F[q + 1] < target) q++;
            double w = (target - F[q]) / (F[q + 1] - F[q]);
            faces[f++] = seg[k].a + ((double)q + w) * dx;
        }
        faces[f++] = seg[k].b;
    }
    return NS_OK;
}

/* ---- coefficients ------------------------------------------------------------ */

/* Channel radius used at cell row j at time t [m] (0 outside the channel). */
static double row_channel_radius(const ns_diff *s, size_t j, double t)
{
    if (!s->has_ch || s->ch_closed || s->zc[j] >= s->ch_depth) return 0.0;
    double z = s->zc[j] < s->ch.depth ? s->zc[j] : s->ch.depth;
    return ns_channel_radius_at(&s->ch, z, t);
}

/* Cell and face coefficients at time t. If remap, keep the cell contents
 * C V = cap u V: u *= cap_old / cap_new (closure conserves mass). */
static void set_coefficients(ns_diff *s, double t, int remap)
{
    size_t nr = s->nr, nz = s->nz;
    double *DKr = s->dkr, *DKz = s->dkz; /* per-cell D K: r (series), z (parallel) */
    for (size_t j = 0; j < nz; j++) {
        double rch = row_channel_radius(s, j, t);
        double Dch = rch > 0.0 ? s->D_free * ns_drug_renkin_hindrance(s->a_solute, rch) : 0.0;
        double DKl = s->Dl[j] * s->Kl[j];
        for (size_t i = 0; i < nr; i++) {
            size_t k = idx(i, j, nz);
            double phi = 0.0;
            if (rch > 0.0) {
                double r0 = s->rf[i], r1 = s->rf[i + 1];
                phi = (rch * rch - r0 * r0) / (r1 * r1 - r0 * r0);
                phi = phi < 0.0 ? 0.0 : (phi > 1.0 ? 1.0 : phi);
            }
            double cap = phi + (1.0 - phi) * s->Kl[j];
            if (remap) s->u[k] *= s->cap[k] / cap;
            s->cap[k] = cap;
            s->M[k] = cap * s->vol[k];
            s->rx[k] = s->kl[j] * (1.0 - phi) * s->Kl[j] * s->vol[k];
            DKz[k] = phi * Dch + (1.0 - phi) * DKl;
            if (phi <= 0.0)
                DKr[k] = DKl;
            else if (phi >= 1.0)
                DKr[k] = Dch;
            else
                DKr[k] = Dch > 0.0 ? 1.0 / (phi / Dch + (1.0 - phi) / DKl) : 0.0;
        }
    }
    /* Radial faces: area 2 pi r_f dz, distance-weighted harmonic mean. */
    for (size_t j = 0; j < nz; j++) {
        double dz = s->zf[j + 1] - s->zf[j];
        double *g = s->gr + j * (nr + 1);
        g[0] = 0.0;
        g[nr] = 0.0;
        for (size_t i = 1; i < nr; i++) {
            double A = 2.0 * NS_PI * s->rf[i] * dz;
            double k0 = DKr[idx(i - 1, j, nz)], k1 = DKr[idx(i, j, nz)];
            g[i] = (k0 > 0.0 && k1 > 0.0)
                       ? A / ((s->rf[i] - s->rc[i - 1]) / k0 + (s->rc[i] - s->rf[i]) / k1)
                       : 0.0;
        }
    }
    /* Axial faces: area pi (r1^2 - r0^2); top and bottom half cells. */
    for (size_t i = 0; i < nr; i++) {
        double A = NS_PI * (s->rf[i + 1] * s->rf[i + 1] - s->rf[i] * s->rf[i]);
        double *g = s->gz + i * (nz + 1);
        const double *dk = DKz + idx(i, 0, nz);
        g[0] = (s->dose != NS_DOSE_COATED && dk[0] > 0.0) ? A * dk[0] / (s->zc[0] - s->zf[0])
                                                            : 0.0;
        g[nz] = (s->bottom == NS_BOTTOM_SINK && dk[nz - 1] > 0.0)
                    ? A * dk[nz - 1] / (s->zf[nz] - s->zc[nz - 1])
                    : 0.0;
        for (size_t j = 1; j < nz; j++)
            g[j] = (dk[j - 1] > 0.0 && dk[j] > 0.0)
                       ? A / ((s->zf[j] - s->zc[j - 1]) / dk[j - 1] + (s->zc[j] - s->zf[j]) / dk[j])
                       : 0.0;
    }
}

/* ---- balance helpers ------------------------------------------------------------ */

static double stored_mass(const ns_diff *s)
{
    double m = 0.0;
    for (size_t k = 0; k < s->n; k++) m += s->M[k] * s->u[k];
    return m;
}

/* Instantaneous outflow [kg/s]: receptor flux + clearance. */
static double outflow(const ns_diff *s, const double *u)
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
    if (s->r_max * ns_channel_closure(&s->ch, t_mid) < s->a_solute) {
        s->ch_closed = 1;
        s->closing = 0;
    }
    set_coefficients(s, t_mid, 1);
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

    /* Homogeneous axial operator A_z u^n (conductances, sink, clearance). */
    for (size_t i = 0; i < nr; i++) {
        const double *g = s->gz + i * (nz + 1);
        const double *ui = u + idx(i, 0, nz);
        double *ai = az + idx(i, 0, nz);
        const double *rxi = s->rx + idx(i, 0, nz);
        for (size_t j = 0; j < nz; j++) {
            double up = j > 0 ? g[j] * (ui[j - 1] - ui[j]) : -g[0] * ui[0];
            double dn = j + 1 < nz ? g[j + 1] * (ui[j + 1] - ui[j]) : -g[nz] * ui[j];
            ai[j] = up + dn - rxi[j] * ui[j];
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
            double src = j == 0 ? s->gz[i * (nz + 1)] * Cv : 0.0;
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
            s->lb[j] = s->M[k] + h * (g[j] + g[j + 1] + s->rx[k]);
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
    double J = outflow(s, s->u) / s->area;
    if (J > s->peak_flux) s->peak_flux = J;
    return NS_OK;
}

/* ---- state save / restore for step doubling -------------------------------------- */

typedef struct {
    double t, Cv, donor, receptor, cleared;
    int closing, ch_closed;
} scalars;

static scalars save_state(ns_diff *s)
{
    memcpy(s->u_save, s->u, s->n * sizeof(double));
    if (s->has_ch) memcpy(s->cap_save, s->cap, s->n * sizeof(double));
    scalars c = {s->t, s->Cv, s->donor, s->receptor, s->cleared, s->closing, s->ch_closed};
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
}

/* One error-controlled step of at most dt_max; returns the step taken. */
static ns_status adaptive_step(ns_diff *s, double dt_max, double *taken)
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

/* ---- public API ----------------------------------------------------------------- */

double ns_diff_get_time(const ns_diff *s) { return s->t; }

void ns_diff_get_flux(const ns_diff *s, double *Q, double *J)
{
    if (Q) *Q = (s->receptor + s->cleared) / s->area;
    if (J) *J = outflow(s, s->u) / s->area;
}

void ns_diff_get_domain(const ns_diff *s, double *R, double *H)
{
    if (R) *R = s->R;
    if (H) *H = s->H;
}

void ns_diff_get_result(const ns_diff *s, ns_diff_result *res)
{
    double stored = stored_mass(s);
    double absolute = 0.0; /* scale for the balance: total |content| */
    for (size_t k = 0; k < s->n; k++) absolute += s->M[k] * fabs(s->u[k]);
    double skin = 0.0;
    for (size_t i = 0; i < s->nr; i++)
        for (size_t j = 0; j < s->nz; j++)
            if (s->is_ve_dermis_col[s->layer[j]]) skin += s->M[idx(i, j, s->nz)] * s->u[idx(i, j, s->nz)];
    double resid = stored - s->stored_ref - (s->donor - s->receptor - s->cleared);
    double ref = fabs(s->donor);
    if (s->stored_ref > ref) ref = s->stored_ref;
    if (absolute > ref) ref = absolute;
    res->permeated_amount = (s->receptor + s->cleared) / s->area;
    res->peak_flux = s->peak_flux;
    res->lag_time = s->lag_time;
    res->skin_amount = skin / s->area;
    res->cleared_amount = s->cleared / s->area;
    res->donor_loss = s->donor / s->area;
    res->mass_balance_error = ref > 0.0 ? fabs(resid) / ref : 0.0;
    res->steps = s->steps;
    res->rejected_steps = s->rejected;
}

ns_status ns_diff_solve(ns_diff *s, const double *t_out, size_t n_out, double *Q_out,
                        double *J_out, ns_diff_result *res)
{
    NS_CHECK(s != NULL && (t_out != NULL || n_out == 0), NS_EINVAL, "NULL solver or output times");
    for (size_t k = 0; k < n_out; k++) {
        double prev = k > 0 ? t_out[k - 1] : s->t;
        NS_CHECK(isfinite(t_out[k]) && t_out[k] > prev, NS_EINVAL,
                 "output time t_out[%zu] = %.6g s: must be finite and > %.6g s", k, t_out[k], prev);
    }
    double t_end = n_out ? t_out[n_out - 1] : s->t;
    size_t k_mid = ns_diff_lag_window(t_out, n_out);
    double J_mid = NAN, J_end = NAN, Q_end = NAN;
    {
        double J0 = outflow(s, s->u) / s->area;
        if (J0 > s->peak_flux) s->peak_flux = J0;
    }
    for (size_t k = 0; k < n_out; k++) {
        while (s->t < t_out[k]) {
            double remain = t_out[k] - s->t;
            double taken = 0.0;
            /* Land exactly: a remainder below 1e-12 of the time is absorbed. */
            NS_TRY(adaptive_step(s, remain, &taken));
            if (t_out[k] - s->t <= 1e-12 * t_out[k]) s->t = t_out[k];
            double J = outflow(s, s->u) / s->area;
            if (J > s->peak_flux) s->peak_flux = J;
        }
        double Q, J;
        ns_diff_get_flux(s, &Q, &J);
        if (Q_out) Q_out[k] = Q;
        if (J_out) J_out[k] = J;
        if (k == k_mid) J_mid = J;
        if (k == n_out - 1) {
            J_end = J;
            Q_end = Q;
        }
    }
    /* Lag time from the late linear part (diffusion.h). */
    s->lag_time = n_out >= 2 ? ns_diff_lag_time(t_end, J_mid, J_end, Q_end) : (double)NAN;
    if (res) ns_diff_get_result(s, res);
    return NS_OK;
}

size_t ns_diff_lag_window(const double *t_out, size_t n_out)
{
    double t_end = n_out ? t_out[n_out - 1] : 0.0;
    size_t k_mid = n_out;
    for (size_t k = 0; k < n_out; k++)
        if (t_out[k] >= 0.5 * t_end) {
            k_mid = k;
            break;
        }
    if (n_out >= 2 && k_mid == n_out - 1) k_mid = n_out - 2;
    return k_mid;
}

double ns_diff_lag_time(double t_end, double J_mid, double J_end, double Q_end)
{
    if (J_end > 0.0 && fabs(J_end - J_mid) <= NS_DIFF_STEADY_TOL * J_end)
        return t_end - Q_end / J_end;
    return NAN;
}

void ns_diff_get_field(ns_diff *s, const double **r, const double **z, const double **C,
                       size_t *nr, size_t *nz)
{
    for (size_t k = 0; k < s->n; k++) s->Cbuf[k] = s->cap[k] * s->u[k];
    if (r) *r = s->rc;
    if (z) *z = s->zc;
    if (C) *C = s->Cbuf;
    if (nr) *nr = s->nr;
    if (nz) *nz = s->nz;
}

void ns_diff_get_faces(const ns_diff *s, const double **rf, const double **zf)
{
    if (rf) *rf = s->rf;
    if (zf) *zf = s->zf;
}

ns_status ns_diff_set_field(ns_diff *s, const double *C)
{
    NS_CHECK(s != NULL && C != NULL, NS_EINVAL, "NULL argument");
    for (size_t k = 0; k < s->n; k++)
        NS_CHECK(isfinite(C[k]), NS_EINVAL, "C[%zu] = %g kg/m^3: must be finite", k, C[k]);
    for (size_t k = 0; k < s->n; k++) s->u[k] = C[k] / s->cap[k];
    s->donor = s->receptor = s->cleared = 0.0;
    s->stored_ref = stored_mass(s);
    double umax = 0.0;
    for (size_t k = 0; k < s->n; k++)
        if (fabs(s->u[k]) > umax) umax = fabs(s->u[k]);
    if (umax > s->u_scale) s->u_scale = umax;
    return NS_OK;
}

void ns_diff_destroy(ns_diff **sp)
{
    if (sp == NULL || *sp == NULL) return;
    ns_diff *s = *sp;
    double *bufs[] = {s->rf,  s->zf,     s->rc,    s->zc,    s->vol,   s->Dl,    s->Kl,
                      s->kl,  s->cap,    s->M,     s->gr,    s->gz,    s->rx,    s->u,
                      s->u_save, s->cap_save, s->u_big, s->u_full, s->ustar, s->az, s->ybuf, s->Cbuf,
                      s->dkr, s->dkz,
                      s->la,  s->lb,     s->lc,    s->ld,    s->lx,    s->lcp};
    for (size_t k = 0; k < sizeof bufs / sizeof bufs[0]; k++) free(bufs[k]);
    free(s->layer);
    free(s);
    *sp = NULL;
}

/* Depth H of the modelled domain [m]. */
static ns_status domain_depth(const ns_params *p, double *H)
{
    const ns_skin_params *sk = &p->skin;
    double total = ns_skin_total_thickness(sk);
    double h = p->transport.depth;
    if (isnan(h)) {
        h = 0.0;
        size_t top = sk->n_layers == 1 ? 1 : (sk->n_layers < 3 ? sk->n_layers : 3);
        for (size_t i = 0; i < top; i++) h += sk->layer[i].thickness;
    }
    NS_CHECK(isfinite(h) && h > 0.0 && h <= total * (1.0 + 1e-12), NS_EINVAL,
             "transport.depth = %.6g m: must be in (0, %.6g] m (the skin stack)", h, total);
    *H = h;
    return NS_OK;
}

static ns_status check_inputs(const ns_params *p, double H)
{
    const ns_numerics_params *nm = &p->numerics;
    NS_CHECK(nm->diff_n_r >= 1 && nm->diff_n_r <= 100000, NS_EINVAL,
             "numerics.diff_n_r = %zu: must be in [1, 100000]", nm->diff_n_r);
    NS_CHECK(nm->diff_n_z >= 8 && nm->diff_n_z <= 100000, NS_EINVAL,
             "numerics.diff_n_z = %zu: must be in [8, 100000]", nm->diff_n_z);
    NS_CHECK(nm->diff_rtol > 0.0 && nm->diff_rtol <= 0.1, NS_EINVAL,
             "numerics.diff_rtol = %g: must be in (0, 0.1]", nm->diff_rtol);
    NS_CHECK(nm->diff_max_steps >= 1, NS_EINVAL, "numerics.diff_max_steps = %zu: must be >= 1",
             nm->diff_max_steps);
    const ns_drug_params *d = &p->drug;
    NS_CHECK((int)d->dose >= 0 && d->dose < NS_DOSE_COUNT, NS_EINVAL, "drug.dose = %d: unknown mode",
             (int)d->dose);
    NS_CHECK((int)p->transport.bottom >= 0 && p->transport.bottom < NS_BOTTOM_COUNT, NS_EINVAL,
             "transport.bottom = %d: unknown boundary", (int)p->transport.bottom);
    if (d->dose != NS_DOSE_COATED)
        NS_CHECK(isfinite(d->concentration) && d->concentration >= 0.0, NS_EINVAL,
                 "drug.concentration = %g kg/m^3: must be >= 0", d->concentration);
    if (d->dose == NS_DOSE_FINITE)
        NS_CHECK(isfinite(d->film_thickness) && d->film_thickness > 0.0, NS_EINVAL,
                 "drug.film_thickness = %g m: must be > 0 for a finite dose", d->film_thickness);
    if (d->dose == NS_DOSE_COATED)
        NS_CHECK(isfinite(d->coated_mass) && d->coated_mass >= 0.0, NS_EINVAL,
                 "drug.coated_mass = %g kg: must be >= 0", d->coated_mass);
    const ns_skin_params *sk = &p->skin;
    for (size_t i = 0; i < sk->n_layers; i++) {
        if (ns_skin_layer_top(sk, i) >= H) break;
        const ns_layer *l = &sk->layer[i];
        const char *name = ns_skin_layer_name(sk, i);
        NS_CHECK(isfinite(l->diffusivity) && l->diffusivity > 0.0, NS_EINVAL,
                 "skin.%s.diffusivity = %g m^2/s: must be > 0 (derive it from the drug first)",
                 name, l->diffusivity);
        NS_CHECK(isfinite(l->partition) && l->partition > 0.0, NS_EINVAL,
                 "skin.%s.partition = %g: must be > 0", name, l->partition);
        NS_CHECK(isfinite(l->clearance) && l->clearance >= 0.0, NS_EINVAL,
                 "skin.%s.clearance = %g 1/s: must be >= 0", name, l->clearance);
    }
    return NS_OK;
}

ns_status ns_diff_create(const ns_params *p, const ns_channel_geom *ch, ns_diff **out)
{
    NS_CHECK(out != NULL, NS_EINVAL, "NULL output pointer");
    *out = NULL;
    NS_CHECK(p != NULL, NS_EINVAL, "NULL parameters");
    NS_CHECK(p->skin.n_layers >= 1 && p->skin.n_layers <= NS_LAYER_MAX, NS_EINVAL,
             "skin.n_layers = %zu: must be 1..%d", p->skin.n_layers, NS_LAYER_MAX);
    double H = 0.0;
    NS_TRY(domain_depth(p, &H));
    NS_TRY(check_inputs(p, H));
    int has_ch = ch != NULL && ch->open;
    if (has_ch) {
        NS_CHECK(ch->n >= 2 && ch->n <= NS_CHANNEL_NPROF && isfinite(ch->depth) && ch->depth > 0.0,
                 NS_EINVAL, "channel geometry: depth = %g m with %zu profile points (need > 0, 2..64)",
                 ch->depth, ch->n);
        NS_CHECK(isfinite(ch->half_life) && ch->half_life > 0.0, NS_EINVAL,
                 "channel half_life = %g s: must be > 0", ch->half_life);
        NS_CHECK(isfinite(p->drug.free_diffusivity) && p->drug.free_diffusivity > 0.0, NS_EINVAL,
                 "drug.free_diffusivity = %g m^2/s: must be > 0", p->drug.free_diffusivity);
    }

    ns_status st = NS_OK;
    ns_diff *s = calloc(1, sizeof *s);
    if (!s) NS_FAIL(NS_ENOMEM, "cannot allocate the diffusion solver");
    size_t nr = p->numerics.diff_n_r, nz = p->numerics.diff_n_z, n = nr * nz;
    size_t nl = nr > nz ? nr : nz;
    s->nr = nr;
    s->nz = nz;
    s->n = n;
    s->H = H;
    s->has_ch = has_ch;
    s->dose = p->drug.dose;
    s->bottom = p->transport.bottom;
    s->rtol = p->numerics.diff_rtol;
    s->max_steps = p->numerics.diff_max_steps;
    s->lag_time = NAN;

#define ALLOC(ptr, count)                                                                         \
    do {                                                                                          \
        (ptr) = calloc((count), sizeof *(ptr));                                                   \
        if (!(ptr)) {                                                                             \
            st = ns_status_set(NS_ENOMEM, __FILE__, __LINE__, __func__,                           \
                               "cannot allocate %zu values for a %zu x %zu grid", (size_t)(count), \
                               nr, nz);                                                           \
            goto fail;                                                                            \
        }                                                                                         \
    } while (0)
    ALLOC(s->rf, nr + 1);
    ALLOC(s->zf, nz + 1);
    ALLOC(s->rc, nr);
    ALLOC(s->zc, nz);
    ALLOC(s->vol, n);
    ALLOC(s->layer, nz);
    ALLOC(s->Dl, nz);
    ALLOC(s->Kl, nz);
    ALLOC(s->kl, nz);
    ALLOC(s->cap, n);
    ALLOC(s->M, n);
    ALLOC(s->gr, nz * (nr + 1));
    ALLOC(s->gz, nr * (nz + 1));
    ALLOC(s->rx, n);
    ALLOC(s->u, n);
    ALLOC(s->u_save, n);
    ALLOC(s->cap_save, n);
    ALLOC(s->u_big, n);
    ALLOC(s->u_full, n);
    ALLOC(s->dkr, n);
    ALLOC(s->dkz, n);
    ALLOC(s->ustar, n);
    ALLOC(s->az, n);
    ALLOC(s->ybuf, n);
    ALLOC(s->Cbuf, n);
    ALLOC(s->la, nl);
    ALLOC(s->lb, nl);
    ALLOC(s->lc, nl);
    ALLOC(s->ld, nl);
    ALLOC(s->lx, nl);
    ALLOC(s->lcp, nl);
#undef ALLOC

    const ns_skin_params *sk = &p->skin;
    /* ---- z grid: faces on the layer interfaces and the channel floor ---- */
    {
        double br[NS_LAYER_MAX + 3];
        size_t nb = 0;
        br[nb++] = 0.0;
        for (size_t i = 1; i < sk->n_layers; i++) {
            double zt = ns_skin_layer_top(sk, i);
            if (zt < H * (1.0 - 1e-12)) br[nb++] = zt;
        }
        double dch = 0.0;
        if (has_ch) {
            s->ch = *ch;
            dch = ch->depth < H ? ch->depth : H;
            size_t near = nb;
            for (size_t b = 0; b < nb; b++)
                if (fabs(br[b] - dch) < NS_DIFF_SNAP) near = b;
            if (fabs(H - dch) < NS_DIFF_SNAP) dch = H;
            else if (near < nb && br[near] > 0.0) dch = br[near];
            else if (near == nb) {
                /* insert in order */
                size_t q = nb;
                while (q > 0 && br[q - 1] > dch) {
                    br[q] = br[q - 1];
                    q--;
                }
                br[q] = dch;
                nb++;
            }
            s->ch_depth = dch;
        }
        br[nb++] = H;
        grid_seg seg[NS_LAYER_MAX + 2];
        double minlen = INFINITY;
        for (size_t b = 0; b + 1 < nb; b++) {
            seg[b].a = br[b];
            seg[b].b = br[b + 1];
            seg[b].ca = 1;
            seg[b].cb = 1;
            if (br[b + 1] - br[b] < minlen) minlen = br[b + 1] - br[b];
        }
        NS_TRY_GOTO(st, grid_build(seg, nb - 1, nz, GRID_MIN_Z, minlen / GRID_HMIN_DIVISOR, s->zf),
                    fail);
    }
    /* ---- radial domain and grid ---- */
    {
        double Rc = ns_array_unit_cell_radius(&p->array);
        double rs = 0.0;
        if (has_ch)
            for (size_t k = 0; k < ch->n; k++)
                if (ch->r0[k] > rs) rs = ch->r0[k];
        double R;
        if (isfinite(Rc) && Rc > 0.0)
            R = Rc;
        else if (has_ch) {
            /* Single needle: a disc wide enough to be intact at its rim. */
            R = NS_DIFF_SINGLE_DEPTHS * ch->depth;
            if (NS_DIFF_SINGLE_RADII * rs > R) R = NS_DIFF_SINGLE_RADII * rs;
            if (H > R) R = H;
        } else
            R = H; /* intact skin: any radius; the solution is independent of r */
        if (has_ch && !(rs < R)) {
            st = ns_status_set(NS_EINVAL, __FILE__, __LINE__, __func__,
                               "channel radius %.4g m >= unit-cell radius %.4g m: needles overlap",
                               rs, R);
            goto fail;
        }
        s->R = R;
        s->r_max = rs;
        s->area = NS_PI * R * R;
        grid_seg seg[2];
        size_t ns = 0;
        double hmin = R;
        if (has_ch && rs > 0.0 && nr >= 2 * GRID_MIN_R) {
            seg[0] = (grid_seg){0.0, rs, 0, 1};
            seg[1] = (grid_seg){rs, R, 1, 0};
            ns = 2;
            hmin = rs / GRID_HMIN_DIVISOR;
        } else {
            seg[0] = (grid_seg){0.0, R, 0, 0};
            ns = 1;
            hmin = R / (double)nr;
        }
        NS_TRY_GOTO(st, grid_build(seg, ns, nr, GRID_MIN_R, hmin, s->rf), fail);
    }
    for (size_t i = 0; i < nr; i++) s->rc[i] = 0.5 * (s->rf[i] + s->rf[i + 1]);
    for (size_t j = 0; j < nz; j++) s->zc[j] = 0.5 * (s->zf[j] + s->zf[j + 1]);
    for (size_t i = 0; i < nr; i++)
        for (size_t j = 0; j < nz; j++)
            s->vol[idx(i, j, nz)] = NS_PI * (s->rf[i + 1] * s->rf[i + 1] - s->rf[i] * s->rf[i]) *
                                    (s->zf[j + 1] - s->zf[j]);
    for (size_t k = 0; k < n; k++) s->vol_total += s->vol[k];
    for (size_t j = 0; j < nz; j++) {
        size_t l = ns_skin_layer_at(sk, s->zc[j]);
        s->layer[j] = l;
        s->Dl[j] = sk->layer[l].diffusivity;
        s->Kl[j] = sk->layer[l].partition;
        s->kl[j] = sk->layer[l].clearance;
    }
    if (sk->n_layers == 1)
        s->is_ve_dermis_col[0] = 1;
    else {
        s->is_ve_dermis_col[NS_LAYER_VE] = 1;
        s->is_ve_dermis_col[NS_LAYER_DERMIS] = 1;
    }

    /* ---- channel material ---- */
    if (has_ch) {
        s->D_free = p->drug.free_diffusivity;
        s->a_solute = isfinite(p->drug.radius) ? p->drug.radius : ns_drug_stokes_radius(&p->drug);
        s->closing = isfinite(ch->half_life) && ch->half_life < 1e30;
    }
    set_coefficients(s, 0.0, 0);

    /* ---- dose ---- */
    s->Cv0 = s->dose == NS_DOSE_COATED ? 0.0 : p->drug.concentration;
    s->Cv = s->Cv0;
    s->h_f = p->drug.film_thickness;
    s->u_scale = s->Cv0;
    if (s->dose == NS_DOSE_COATED && has_ch) {
        double Vch = 0.0;
        /* Channel volume fraction per cell. */
        for (size_t j = 0; j < nz; j++) {
            double rch = row_channel_radius(s, j, 0.0);
            for (size_t i = 0; i < nr; i++) {
                double r0 = s->rf[i], r1 = s->rf[i + 1];
                double phi = rch > 0.0 ? (rch * rch - r0 * r0) / (r1 * r1 - r0 * r0) : 0.0;
                phi = phi < 0.0 ? 0.0 : (phi > 1.0 ? 1.0 : phi);
                s->ybuf[idx(i, j, nz)] = phi;
                Vch += phi * s->vol[idx(i, j, nz)];
            }
        }
        double m = p->drug.coated_mass;
        if (Vch > 0.0 && m > 0.0) {
            for (size_t k = 0; k < n; k++) s->u[k] = m * s->ybuf[k] / (Vch * s->cap[k]);
            s->donor = m;
            for (size_t k = 0; k < n; k++)
                if (s->u[k] > s->u_scale) s->u_scale = s->u[k];
        }
    }
    s->stored_ref = 0.0;

    /* ---- first step: a fraction of the fastest cell diffusion time ---- */
    {
        double tau = INFINITY;
        for (size_t i = 0; i < nr; i++)
            for (size_t j = 0; j < nz; j++) {
                size_t k = idx(i, j, nz);
                double gsum = s->gz[i * (nz + 1) + j] + s->gz[i * (nz + 1) + j + 1] +
                              s->gr[j * (nr + 1) + i] + s->gr[j * (nr + 1) + i + 1];
                if (gsum > 0.0 && s->M[k] / gsum < tau) tau = s->M[k] / gsum;
            }
        s->dt_next = isfinite(tau) ? NS_DIFF_DT0_FRACTION * tau : 1.0;
    }
    *out = s;
    return NS_OK;
fail:
    ns_diff_destroy(&s);
    return st;
}
