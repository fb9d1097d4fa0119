/* Time stepping of the diffusion solver (models/diffusion.h, "Time"): the
 * stabilizing-correction base step (one implicit Thomas sweep per
 * direction, one banded solve of the cells a channel can cut), its Richardson extrapolation to second order with a
 * positivity limiter, the balance increments (donor, receptor, clearance,
 * needle reservoir), and the error-controlled step.
 *
 * Base step D(dt) from tissue contents c^n = cap u^n (so a closing channel's
 * new capacities keep every cell's content, as the remap of the header), u0
 * = c^n / cap with M, A_1, A_2 at the end of the step (backward Euler
 * evaluates everything there; then a stiff cell that follows its
 * neighbours at once has the same value after D(dt) and D(dt/2)^2, and the
 * estimate below sees the error, not a lag of the coefficients):
 *   (M - dt A_1) u* = V c^n + dt (A_2 u0 + b^n)            (stage 1)
 *   (M - dt A_2) u' = M u* - dt A_2 u0 + dt (b' - b^n)     (stage 2, per column)
 * (Douglas with theta = 1; Hundsdorfer & Verwer 2003, sec. IV.3), A = A_1 +
 * A_2 split by faces. Without a channel A_1 = A_r (radial faces) and A_2 =
 * A_z (axial faces, sink, clearance): one Thomas sweep per row, then per
 * column. Its fixed point solves (A_1 + A_2) u + b = 0, the true steady
 * state, and summed over the cells sum M (u' - u0) = dt (F_top' - F_bot' -
 * R' + released'), each face's flux taken at the stage that holds it: the
 * increments below are exact.
 * Channel block, closure and face events, ring: block.c (the cells a
 * channel can cut keep all their faces in A_1, solved as one banded
 * system; the step lands on the times the closing wall passes a cell
 * centre or face; the block takes BLOCK_RING columns of intact skin).
 *
 * Extrapolated step: u_2 = D(dt/2) D(dt/2) c^n, then u_1 = D(dt) c^n with
 * the coefficients the second half step left (both end at t + dt, so u_1
 * and u_2 refer to the same capacities and a closing channel is refreshed
 * twice per attempt, not three times),
 *   u_E = u_2 + theta (u_2 - u_1),  theta = 1 (second order);
 * theta is lowered only where the vehicle C_v, the cumulative receptor and
 * cleared amounts or the reservoir would leave their ranges. The balance
 * counters are the same combination of the counters of u_1 and u_2, so the
 * mass balance stays exact whatever theta. Positivity limiter: negative
 * cells of u_E (the base step itself is not positivity-preserving at large
 * dt, nor is the extrapolation) are set to 0 and their mass is taken from
 * the positive cells in proportion to their content; that mass enters the
 * error ratio (r_P below), so the limiter only removes what the tolerance
 * allows.
 *
 * Error estimate: e = u_2 - u_1 (the error of u_2; that of u_E is smaller by
 * O(dt)). The largest of these ratios must be <= 1:
 *   r_u = WRMS_V(e) / (diff_rtol u_ref), u_ref the physical scale (C_v at
 *         t = 0, the solubility or the largest initial value), never the
 *         current field, so a growing (diverging) solution cannot loosen its
 *         own test; while a channel is open also the same norm over the
 *         cells it can cut (diff_channel_extent), which carry most of the
 *         transport in a small part of the volume, against CH_TOL
 *         diff_rtol u_ref: without it the permeated amount of a closing
 *         channel was 0.5-0.7 % off at the default tolerance;
 *   r_Q = |dQ_2 - dQ_1| / (diff_rtol Q_ref), the permeated amount of the
 *         step, Q_ref = max(Q(t + dt), REF_ENTERED x amount entered);
 *   r_J = |J_2 - J_1| / (diff_rtol J_ref), the outflow at the step end,
 *         J_ref = max(J_2, peak J, REF_ENTERED x inflow of the step);
 *   r_C = |C_v2 - C_v1| / (diff_rtol u_ref) for a finite dose;
 *   r_P = negative mass of u_E / (diff_rtol REF_ENTERED x amount entered).
 * The step is rejected, whatever the estimate, if the base solutions break
 * their bounds (non-finite; above the largest u at the start or C_v, unless
 * a closing channel or a reservoir may raise u; C_v above its start; more
 * stored than supplied): this cannot happen to a stable step, so it signals
 * divergence, and the step is shrunk. New step dt_new = dt min(2, max(0.2,
 * 0.9 r^(-1/p))), r the largest ratio, p = 2 (local error of u_2 ~ dt^2)
 * unless two rejections of the same step showed r falling more slowly
 * (order_est). Such order reduction was measured with the r/z split step
 * in the channel fluid next to the moving wall, before the channel block
 * (r = 1.13 at dt = 1.4 s, 1.00 at 0.69 s, t = 324 s). */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../channel.h"
#include "diff_private.h"

/* Step below which the adaptive stepper gives up, relative to max(t, 1 s). */
#define DT_FLOOR_REL (64.0 * DBL_EPSILON)
/* Step-size controller: safety factor and smallest shrink factor. */
#define DT_SAFETY 0.9
#define DT_SHRINK_MIN 0.2
/* Relative slack of the bound checks on the base solutions (round-off of
 * the sums of a step, far below any tolerance). */
#define BOUND_SLACK (1e3 * DBL_EPSILON)
/* Relative slack of the stored mass against what the donor supplied: the
 * base solutions may carry round-off-sized negative values ahead of the
 * front, whose outflow is then negative; a diverging solution exceeds the
 * supply by orders of magnitude. */
#define MASS_SLACK 1e-9
/* Tolerance of the channel-region norm relative to diff_rtol. Measured on
 * the default forearm/caffeine closing channel (24 h, diff_rtol 2e-4, the
 * single-phase closure law of models/channel.h before its pore phase): the
 * whole-cell norm alone leaves Q 5.3e-3 off in 337 step attempts; with the
 * channel norm at 1x diff_rtol 6.2e-4 in 1908, at 3x 1.8e-3 in 1022. With
 * the channel block of the base step (two-phase closure law), at diff_rtol
 * 1e-4: without the channel norm Q 6.9e-5 off non-occluded, 7.8e-4
 * occluded (316 and 294 attempts); with it at 3x 4.7e-5 and 4.9e-4 (378
 * and 391). */
#define CH_TOL 3.0
/* Exponent of the error ratio in dt assumed by the controller (local error
 * of u_2 ~ dt^2) and the smallest one a chain of rejections may show. */
#define ORDER_U2 2.0
#define ORDER_MIN 0.25
/* Weight of the amount that entered the skin in the scale of the permeated
 * amount and the flux (their floors while the drug is still on its way). */
#define REF_ENTERED 1.0

/* ---- tridiagonal (Thomas) solver ---------------------------------------- */

/* Solve c[k-1] x[k-1] + b[k] x[k] + c[k] x[k+1] = d[k], k = 0..n-1 (c[n-1]
 * unused): symmetric, the sub-diagonal is the super-diagonal (every line
 * here couples two cells by one face conductance). The matrices are
 * diagonally dominant M-matrices (M > 0 on the diagonal plus non-negative
 * conductances), so no pivoting is needed, and a non-negative d gives a
 * non-negative x (every update adds non-negative terms: c <= 0, beta > 0). */
static void thomas(size_t n, const double *b, const double *c, const double *d, double *x,
                   double *cp)
{
    double beta = b[0];
    x[0] = d[0] / beta;
    for (size_t k = 1; k < n; k++) {
        cp[k - 1] = c[k - 1] / beta;
        beta = b[k] - c[k - 1] * cp[k - 1];
        x[k] = (d[k] - c[k - 1] * x[k - 1]) / beta;
    }
    /* Back substitution, two cells per pass (the same operations). */
    size_t k = n - 1;
    for (; k > 1; k -= 2) {
        x[k - 1] -= cp[k - 1] * x[k];
        x[k - 2] -= cp[k - 2] * x[k - 1];
    }
    if (k == 1) x[0] -= cp[0] * x[1];
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

/* ---- one locally one-dimensional backward-Euler step ------------------------------- */

/* What a base step moved across the boundaries [kg], and where it left C_v. */
typedef struct {
    double donor, receptor, cleared; /* [kg] increments over the step */
    double released;                 /* [kg] out of the needle reservoir (dose.c) */
    double Cv;                       /* [kg/m^3] vehicle concentration at the end */
    double outflow;                  /* [kg/s] receptor + clearance rate at the end */
} tally;

/* Coefficients of a closing channel at time t (only the cells the channel
 * cuts change). Once the widest radius is below the solute radius (hindrance
 * 0) the channel is closed for good. The field is not remapped here: the
 * base step starts from contents. */
static void refresh_closing(ns_diff *s, double t)
{
    if (s->r_max * ns_channel_closure_max(&s->ch, t) < s->a_solute) {
        s->ch_closed = 1;
        s->closing = 0;
    }
    diff_refresh_channel(s, t);
    s->coef_t = t;
}

/* Reservoir exchange of a base step of dt from s->t with s->m_res left:
 * the hook of dose.c, or nothing once the reservoir is empty. */
static void reservoir_source(ns_diff *s, double dt, int capped)
{
    if (s->m_res > 0.0)
        diff_dose_source(s, dt, capped);
    else if (s->m_res0 > 0.0) {
        memset(s->qx, 0, s->n * sizeof(double));
        memset(s->qs, 0, s->n * sizeof(double));
    }
}

/* D(dt): contents c_in [kg/m^3] and vehicle Cv_in -> u_out (relative to the
 * capacities at t_end, the end of the step, which this sets for a closing
 * channel unless they are already there) and the balance increments. c_in
 * and u_out may not alias. */
static void douglas_step(ns_diff *s, const double *c_in, double Cv_in, double dt, double t_end,
                         double *u_out, tally *tl)
{
    size_t nr = s->nr, nz = s->nz;
    if (s->closing && s->coef_t != t_end) refresh_closing(s, t_end);
    double *us = s->ustar, *az = s->az;
    int finite = s->dose == NS_DOSE_FINITE;
    /* The channel block while the channel is open (header): bi x bj cells,
     * its vehicle faces in A_B unless the finite dose couples them to C_v. */
    int blk = s->blk_i1 > 0 && !s->ch_closed;
    size_t bi = blk ? s->blk_i1 : 0, bj = blk ? s->blk_j1 : 0;
    int top = blk && !finite;
    double *Y1 = blk ? s->blk + bi * bj * DIFF_BLOCK_STRIDE(bi) : NULL;
    /* Needle reservoir (dose.c): qx joins the clearance on the diagonal, qs
     * the right-hand side; redone once, capped, if it would overdraw. */
    int capped = 0;
    double released = 0.0;
retry:
    reservoir_source(s, dt, capped);
    /* A_z' u0 (conductances, sink, clearance; not the faces of A_B), u0 =
     * c_in / cap (held in u_out until the z sweep overwrites it). */
    double *u0 = u_out;
    for (size_t k = 0; k < s->n; k++) u0[k] = c_in[k] / s->cap[k];
    for (size_t i = 0; i < nr; i++) {
        const double *g = s->gz + i * (nz + 1);
        const double *ui = u0 + idx(i, 0, nz);
        const double *rxi = s->rx + idx(i, 0, nz), *qxi = s->qx + idx(i, 0, nz);
        double *ai = az + idx(i, 0, nz);
        size_t jb = i < bi ? bj : 0; /* faces 1..jb-1 of this column are in A_B */
        /* Flux down through face j, once per face: a cell gains the flux of
         * its upper face and loses that of its lower one (g (u_a - u_b) =
         * -(g (u_b - u_a)) exactly, so the same sums as cell by cell). */
        double fu = jb > 0 && top ? 0.0 : -g[0] * ui[0];
        size_t j = 0;
        for (; j + 1 < jb; j++) {
            ai[j] = fu - 0.0 - (rxi[j] + qxi[j]) * ui[j];
            fu = 0.0;
        }
        for (; j + 1 < nz; j++) {
            double fd = g[j + 1] * (ui[j] - ui[j + 1]);
            ai[j] = fu - fd - (rxi[j] + qxi[j]) * ui[j];
            fu = fd;
        }
        ai[j] = fu - g[nz] * ui[j] - (rxi[j] + qxi[j]) * ui[j];
    }
    /* Stage 1: (M - dt A_1) u* = V c_in + dt (A_2 u0 + b^n), A_1 the radial
     * faces and those of the block, per row; the rows through the block are
     * one system: each row's line outside the block is eliminated from its
     * outer end (x_i = f_i - e_i x_{i-1}, f in u*, e in E), which leaves the
     * Schur complement on the block's last column, then the block is solved
     * and the lines substituted back. */
    size_t nc = nr - bi; /* cells of a row's line outside the block */
    double *E = blk ? Y1 + bi * bj : NULL, *Ed = blk ? E + bj * nc : NULL;
    for (size_t j = 0; j < nz; j++) {
        const double *g = s->gr + j * (nr + 1);
        size_t i0 = j < bj ? bi : 0;
        for (size_t i = i0; i < nr; i++) {
            size_t k = idx(i, j, nz);
            s->lc[i] = -dt * g[i + 1];
            s->lb[i] = s->M[k] + dt * (g[i] + g[i + 1]);
            double src = (j == 0 ? s->gz[i * (nz + 1)] * Cv_in : 0.0) + s->qs[k];
            s->ld[i] = s->vol[k] * c_in[k] + dt * (az[k] + src);
        }
        if (i0 == 0) {
            thomas(nr, s->lb, s->lc, s->ld, s->lx, s->lcp);
            for (size_t i = 0; i < nr; i++) us[idx(i, j, nz)] = s->lx[i];
            continue;
        }
        double *e = E + j * nc, e_next = 0.0, f_next = 0.0;
        for (size_t i = nr; i-- > i0;) {
            double beta = s->lb[i] - s->lc[i] * e_next;
            f_next = (s->ld[i] - s->lc[i] * f_next) / beta;
            e_next = -dt * g[i] / beta;
            e[i - bi] = e_next;
            us[idx(i, j, nz)] = f_next;
        }
        /* The block's last cell of this row: its face to the line is in A_1
         * (diagonal) and the line's elimination adds -dt g e and dt g f. */
        double gb = bi < nr ? dt * g[bi] : 0.0;
        Ed[j] = bi < nr ? gb + gb * e[0] : 0.0;
        Y1[j * bi + bi - 1] = bi < nr ? gb * us[idx(bi, j, nz)] : 0.0;
    }
    if (blk) {
        for (size_t j = 0; j < bj; j++)
            for (size_t i = 0; i < bi; i++) {
                size_t k = idx(i, j, nz);
                double src = (j == 0 ? s->gz[i * (nz + 1)] * Cv_in : 0.0) + s->qs[k];
                double extra = i + 1 == bi ? Y1[j * bi + i] : 0.0;
                Y1[j * bi + i] = s->vol[k] * c_in[k] + dt * (az[k] + src) + extra;
            }
        diff_block_solve(s, bi, bj, top, dt, Ed, Y1);
        for (size_t j = 0; j < bj; j++) {
            for (size_t i = 0; i < bi; i++) us[idx(i, j, nz)] = Y1[j * bi + i];
            const double *e = E + j * nc;
            for (size_t i = bi; i < nr; i++)
                us[idx(i, j, nz)] -= e[i - bi] * us[idx(i - 1, j, nz)];
        }
    }
    /* z sweep: (M - dt A_z') u' = M u* - dt A_z' u0 + dt (b' - b^n), per
     * column; the finite dose solves a second right-hand side (unit vehicle)
     * for C_v'. */
    double sum_g0x = 0.0, sum_g0y = 0.0, sum_g0 = 0.0;
    for (size_t i = 0; i < nr; i++) {
        const double *g = s->gz + i * (nz + 1);
        size_t jb = i < bi ? bj : 0;
        /* The faces of A_z' (those of A_B are 0 here), each once: 0 below
         * the cells j + 1 < jb, then the column's own. */
        double gl = jb > 0 && top ? 0.0 : g[0];
        const double *Mi = s->M + idx(i, 0, nz), *rxi = s->rx + idx(i, 0, nz);
        const double *qxi = s->qx + idx(i, 0, nz), *usi = us + idx(i, 0, nz);
        const double *azi = az + idx(i, 0, nz);
        size_t j = 0;
        for (; j + 1 < jb; j++) {
            s->lc[j] = -dt * 0.0;
            s->lb[j] = Mi[j] + dt * (gl + 0.0 + rxi[j] + qxi[j]);
            s->ld[j] = Mi[j] * usi[j] - dt * azi[j];
            gl = 0.0;
        }
        for (; j < nz; j++) {
            double gh = g[j + 1];
            s->lc[j] = -dt * gh;
            s->lb[j] = Mi[j] + dt * (gl + gh + rxi[j] + qxi[j]);
            s->ld[j] = Mi[j] * usi[j] - dt * azi[j];
            gl = gh;
        }
        if (finite) s->ld[0] -= dt * g[0] * Cv_in;
        thomas(nz, s->lb, s->lc, s->ld, u_out + idx(i, 0, nz), s->lcp);
        if (finite && g[0] > 0.0) {
            memset(s->ld, 0, nz * sizeof(double));
            s->ld[0] = dt * g[0];
            thomas(nz, s->lb, s->lc, s->ld, s->ybuf + idx(i, 0, nz), s->lcp);
            sum_g0x += g[0] * u_out[idx(i, 0, nz)];
            sum_g0y += g[0] * s->ybuf[idx(i, 0, nz)];
            sum_g0 += g[0];
        } else if (finite)
            memset(s->ybuf + idx(i, 0, nz), 0, nz * sizeof(double));
    }
    double Cv = Cv_in;
    if (finite) {
        /* Donor balance h_f A (C_v' - C_v) = -dt sum g_top (C_v' - u'_top). */
        double VA = s->h_f * s->area;
        Cv = (VA * Cv_in + dt * sum_g0x) / (VA + dt * (sum_g0 - sum_g0y));
        for (size_t k = 0; k < s->n; k++) u_out[k] += Cv * s->ybuf[k];
    }
    if (s->m_res > 0.0) {
        released = diff_dose_release(s, dt, 1.0, u_out, u_out);
        if (!capped && released > s->m_res) {
            capped = 1;
            goto retry;
        }
    }
    /* Balance increments (exactly those of the scheme: see the header); the
     * vehicle faces of A_B carry Y1. */
    double donor = 0.0, rec = 0.0, clr = 0.0;
    for (size_t i = 0; i < nr; i++) {
        const double *g = s->gz + i * (nz + 1);
        donor += g[0] * (Cv - (top && i < bi ? us[idx(i, 0, nz)] : u_out[idx(i, 0, nz)]));
        rec += g[nz] * u_out[idx(i, nz - 1, nz)];
    }
    for (size_t k = 0; k < s->n; k++) clr += s->rx[k] * u_out[k];
    tl->donor = dt * donor;
    tl->released = released;
    tl->receptor = dt * rec;
    tl->cleared = dt * clr;
    tl->Cv = Cv;
    tl->outflow = rec + clr;
}

/* ---- the extrapolated step ---------------------------------------------------------- */

/* Result of one extrapolated attempt, before acceptance. */
typedef struct {
    tally t1, t2;  /* full step; the two half steps together */
    double theta;  /* [-] limiter weight of the extrapolation */
    double ratio;  /* [-] largest error ratio (> 1: reject) */
    int bounds_ok; /* [-] 0 if a base solution broke its bounds */
    int nonfinite; /* [-] 1 if a base solution is not finite */
} attempt;

/* Contents of the current state into c (cap u); returns max u. */
static double contents(const ns_diff *s, double *c)
{
    double hi = 0.0;
    for (size_t k = 0; k < s->n; k++) {
        c[k] = s->cap[k] * s->u[k];
        if (s->u[k] > hi) hi = s->u[k];
    }
    return hi;
}

/* Largest theta in [0, 1] with lo <= a + theta (a - b) <= hi, for a in [lo, hi]. */
static double limit_theta(double theta, double a, double b, double lo, double hi)
{
    double d = a - b;
    if (d < 0.0 && a + theta * d < lo) theta = (a - lo) / -d;
    else if (d > 0.0 && a + theta * d > hi) theta = (hi - a) / d;
    return theta > 0.0 ? theta : 0.0;
}

/* Negative mass of u_2 + theta (u_2 - u_1) [kg]: what the limiter removes. */
static double negative_mass(const ns_diff *s, double th)
{
    const double *u1 = s->c_full, *u2 = s->u_two;
    double neg = 0.0;
    for (size_t k = 0; k < s->n; k++) {
        double v = u2[k] + th * (u2[k] - u1[k]);
        if (v < 0.0) neg -= s->M[k] * v;
    }
    return neg;
}

/* u_1 = L(dt) c_n into s->c_full, u_2 = L(dt/2)^2 c_n into s->u_two, both
 * relative to the capacities at the end; the limiter weight, error ratio and
 * bound checks against u_hi, the largest u at the start. s->u is untouched. */
static void extrapolated_try(ns_diff *s, double dt, double u_hi, attempt *a)
{
    size_t n = s->n;
    double t0 = s->t;
    const double *c_n = s->c_n;
    tally h1, h2;
    douglas_step(s, c_n, s->Cv, 0.5 * dt, t0 + 0.5 * dt, s->u_two, &h1);
    for (size_t k = 0; k < n; k++) s->c_half[k] = s->cap[k] * s->u_two[k];
    /* The second half step starts at t + dt/2 with what the first left in
     * the needle reservoir; both are restored after. */
    double m_res = s->m_res;
    s->t = t0 + 0.5 * dt;
    s->m_res = m_res - h1.released;
    douglas_step(s, s->c_half, h1.Cv, 0.5 * dt, t0 + dt, s->u_two, &h2);
    s->t = t0;
    s->m_res = m_res;
    /* The full step ends where the second half step ended: the same
     * coefficients (not refreshed again), so u_1 and u_2 are relative to the
     * same capacities. */
    douglas_step(s, c_n, s->Cv, dt, t0 + dt, s->c_full, &a->t1);
    int moved = s->closing || s->ch_closed != s->ch_closed_at_step;
    a->t2 = (tally){h1.donor + h2.donor, h1.receptor + h2.receptor, h1.cleared + h2.cleared,
                    h1.released + h2.released, h2.Cv, h2.outflow};
    const double *u1 = s->c_full, *u2 = s->u_two;

    /* Bounds of the base solutions and the limiter. */
    double hi = 0.0, e2 = 0.0, m2 = 0.0;
    int ok = a->t1.Cv >= 0.0 && a->t2.Cv >= 0.0;
    a->nonfinite = !isfinite(a->t2.Cv);
    for (size_t k = 0; k < n; k++) {
        if (u1[k] > hi) hi = u1[k];
        if (u2[k] > hi) hi = u2[k];
        double e = u2[k] - u1[k];
        e2 += s->vol[k] * e * e;
        m2 += s->M[k] * u2[k];
    }
    /* A non-finite u_1 or u_2 makes e2 non-finite (cell volumes > 0), so
     * the cells are searched only then. */
    if (!isfinite(e2))
        for (size_t k = 0; k < n && !a->nonfinite; k++)
            if (!isfinite(u1[k]) || !isfinite(u2[k])) a->nonfinite = 1;
    double u_in_max = s->Cv > u_hi ? s->Cv : u_hi;
    if (s->closing || moved) u_in_max = INFINITY; /* the remap may raise u (cap falls) */
    if (s->m_res > 0.0) u_in_max = INFINITY;       /* a needle reservoir feeds the channel */
    if (hi > u_in_max * (1.0 + BOUND_SLACK)) ok = 0;
    if (s->dose != NS_DOSE_INFINITE && a->t2.Cv > s->Cv0 * (1.0 + BOUND_SLACK)) ok = 0;
    double supplied = s->stored_ref + s->donor + a->t2.donor + a->t2.released;
    if (m2 > supplied + MASS_SLACK * (fabs(supplied) + m2)) ok = 0;
    double theta = 1.0;
    if (ok) {
        /* C_v and the outflow increments of the extrapolation stay >= 0. */
        theta = limit_theta(theta, a->t2.Cv, a->t1.Cv, 0.0, INFINITY);
        /* The cumulative outflows stay >= 0 (increments below round-off of
         * the content are clamped at acceptance instead). */
        double tiny = BOUND_SLACK * (fabs(supplied) + m2);
        if (fabs(a->t2.receptor - a->t1.receptor) > tiny)
            theta = limit_theta(theta, s->receptor + a->t2.receptor, s->receptor + a->t1.receptor,
                                0.0, INFINITY);
        if (fabs(a->t2.cleared - a->t1.cleared) > tiny)
            theta = limit_theta(theta, s->cleared + a->t2.cleared, s->cleared + a->t1.cleared, 0.0,
                                INFINITY);
        /* The reservoir never gives more than it holds. */
        theta = limit_theta(theta, a->t2.released, a->t1.released, -INFINITY, s->m_res);
    }
    a->theta = theta;
    a->bounds_ok = ok && !a->nonfinite && isfinite(e2);

    /* Error ratios (header of this file). */
    double r_u = e2 > 0.0 ? sqrt(e2 / s->vol_total) / (s->rtol * s->u_scale) : 0.0;
    double dQ1 = a->t1.receptor + a->t1.cleared, dQ2 = a->t2.receptor + a->t2.cleared;
    double Q_end = s->receptor + s->cleared + dQ2;
    double entered = supplied;
    double Q_ref = Q_end > REF_ENTERED * entered ? Q_end : REF_ENTERED * entered;
    double eQ = fabs(dQ2 - dQ1);
    double r_Q = eQ > 0.0 ? eQ / (s->rtol * Q_ref) : 0.0;
    double neg = negative_mass(s, theta);
    double r_pos = neg > 0.0 ? neg / (s->rtol * REF_ENTERED * (entered > 0.0 ? entered : m2)) : 0.0;
    double J_ref = a->t2.outflow > s->peak_flux * s->area ? a->t2.outflow : s->peak_flux * s->area;
    double inflow = (a->t2.donor + a->t2.released) / dt;
    if (REF_ENTERED * inflow > J_ref) J_ref = REF_ENTERED * inflow;
    double r_J = J_ref > 0.0 ? fabs(a->t2.outflow - a->t1.outflow) / (s->rtol * J_ref) : 0.0;
    double ecv = s->dose == NS_DOSE_FINITE && a->t2.Cv != a->t1.Cv ? fabs(a->t2.Cv - a->t1.Cv) / (s->rtol * s->u_scale)
                                           : 0.0;
    double r = r_u;
    if (s->has_ch && !s->ch_closed) {
        /* The channel carries most of the transport in a few cells, which
         * the volume-weighted norm over the whole unit cell dilutes: the same
         * norm over the cells the channel cuts. */
        size_t i1, j1;
        diff_channel_extent(s, &i1, &j1);
        double ec = 0.0, vc = 0.0;
        for (size_t i = 0; i < i1; i++)
            for (size_t j = 0; j < j1; j++) {
                size_t k = idx(i, j, s->nz);
                double e = u2[k] - u1[k];
                ec += s->vol[k] * e * e;
                vc += s->vol[k];
            }
        double r_ch = ec > 0.0 ? sqrt(ec / vc) / (CH_TOL * s->rtol * s->u_scale) : 0.0;
        if (r_ch > r) r = r_ch;
    }
    if (r_Q > r) r = r_Q;
    if (r_J > r) r = r_J;
    if (ecv > r) r = ecv;
    if (r_pos > r) r = r_pos;
    a->ratio = isfinite(r) ? r : (double)INFINITY;
}

/* Make the attempt the new state: u = u_2 + theta (u_2 - u_1), the counters
 * alike, then the positivity limiter: negative cells are set to 0 and the
 * mass this adds is taken from the positive cells in proportion to their
 * content (factor 1 - neg/pos), so the total stays that of the counters and
 * the mass balance exact. The step control keeps neg below diff_rtol times
 * the amount in the skin. Returns 1 if every new u and C_v is finite (the
 * sums neg + pos, M > 0, are finite only then); 0 if one may not be. */
static int extrapolated_accept(ns_diff *s, double dt, const attempt *a)
{
    double th = a->theta;
    const double *u1 = s->c_full, *u2 = s->u_two;
    size_t n = s->n;
    double neg = 0.0, pos = 0.0;
    for (size_t k = 0; k < n; k++) {
        double v = u2[k] + th * (u2[k] - u1[k]);
        s->u[k] = v;
        if (v < 0.0) neg -= s->M[k] * v;
        else pos += s->M[k] * v;
    }
    int finite = isfinite(neg + pos);
    if (neg > 0.0 && finite) {
        double f = pos > neg ? 1.0 - neg / pos : 0.0;
        for (size_t k = 0; k < n; k++) s->u[k] = s->u[k] > 0.0 ? f * s->u[k] : 0.0;
    }
    s->donor += a->t2.donor + th * (a->t2.donor - a->t1.donor);
    s->receptor += a->t2.receptor + th * (a->t2.receptor - a->t1.receptor);
    s->cleared += a->t2.cleared + th * (a->t2.cleared - a->t1.cleared);
    if (s->receptor < 0.0) s->receptor = 0.0; /* round-off sized (extrapolated_try) */
    if (s->cleared < 0.0) s->cleared = 0.0;
    double Cv = a->t2.Cv + th * (a->t2.Cv - a->t1.Cv);
    s->Cv = Cv > 0.0 ? Cv : 0.0;
    double released = a->t2.released + th * (a->t2.released - a->t1.released);
    if (s->m_res > 0.0) diff_dose_commit(s, dt, released);
    s->ch_closed_at_step = s->ch_closed;
    s->t += dt;
    return finite && isfinite(s->Cv);
}

/* Back to the state before a rejected attempt: the coefficients of a closing
 * channel were moved to the attempt's times, so u follows from the kept
 * contents (the next attempt sets its own coefficients). */
static void extrapolated_reject(ns_diff *s, int closing, int ch_closed)
{
    if (closing || ch_closed != s->ch_closed) {
        s->closing = closing;
        s->ch_closed = ch_closed;
        diff_refresh_channel(s, s->t);
        s->coef_t = s->t;
        for (size_t k = 0; k < s->n; k++) s->u[k] = s->c_n[k] / s->cap[k];
    }
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
    double u_hi = contents(s, s->c_n);
    attempt a;
    extrapolated_try(s, dt, u_hi, &a);
    if (!a.bounds_ok) a.theta = 0.0; /* no error control here: keep the positive u_2 */
    int finite = extrapolated_accept(s, dt, &a);
    s->steps++;
    if (!finite) NS_TRY(check_finite(s));
    double J = diff_outflow(s, s->u) / s->area;
    if (J > s->peak_flux) s->peak_flux = J;
    return NS_OK;
}

/* Exponent p of the error ratio r ~ dt^p seen by two rejected attempts of
 * the same step (dt_a, r_a) and (dt_b, r_b), dt_b < dt_a; ORDER_U2 unless
 * both ratios are finite and above 1, clamped to [ORDER_MIN, ORDER_U2]. In
 * the cells of a closing channel the split step's estimate can shrink far
 * more slowly than dt^2 (stiff radial conduction in the channel fluid,
 * while the wall moves), and a controller that assumes dt^2 then shrinks by
 * 10-15 % per attempt through long chains of rejections. */
static double order_est(double dt_a, double r_a, double dt_b, double r_b)
{
    if (!(dt_a > dt_b && dt_b > 0.0 && r_a > 1.0 && r_b > 1.0 && isfinite(r_a) && isfinite(r_b)))
        return ORDER_U2;
    double p = log(r_a / r_b) / log(dt_a / dt_b);
    return p < ORDER_MIN ? ORDER_MIN : (p > ORDER_U2 ? ORDER_U2 : p);
}

/* One error-controlled step of at most dt_max; returns the step taken. */
ns_status diff_adaptive_step(ns_diff *s, double dt_max, double *taken)
{
    /* Land on the next time the wall of a closing channel passes a cell
     * centre (closing_events); one closer than DIFF_EV_REL of the time counts as
     * reached. */
    while (s->ev_next < s->n_ev && s->ev[s->ev_next] - s->t <= DIFF_EV_REL * s->ev[s->ev_next])
        s->ev_next++;
    if (s->ev_next < s->n_ev && s->ev[s->ev_next] - s->t < dt_max) dt_max = s->ev[s->ev_next] - s->t;
    double u_hi = contents(s, s->c_n);
    double order = ORDER_U2, dt_rej = 0.0, r_rej = 0.0; /* the last rejection of this step */
    for (;;) {
        NS_CHECK(s->steps + s->rejected < s->max_steps, NS_ECONV,
                 "numerics.diff_max_steps = %zu reached at t = %.6g s (dt = %.3g s)", s->max_steps,
                 s->t, s->dt_next);
        double dt = s->dt_next < dt_max ? s->dt_next : dt_max;
        double floor_dt = DT_FLOOR_REL * (s->t > 1.0 ? s->t : 1.0);
        NS_CHECK(dt > floor_dt, NS_ECONV,
                 "time step %.3g s fell below the round-off limit %.3g s at t = %.6g s", dt, floor_dt,
                 s->t);
        int closing = s->closing, ch_closed = s->ch_closed;
        attempt a;
        extrapolated_try(s, dt, u_hi, &a);
        if (a.nonfinite) {
            /* The scheme is linear with finite coefficients: a non-finite
             * value is not cured by a smaller step, so report the cell. */
            memcpy(s->u, s->u_two, s->n * sizeof(double));
            NS_TRY(check_finite(s));
        }
        double ratio = a.bounds_ok ? a.ratio : (double)INFINITY;
        /* Local error of u_2 ~ dt^2, unless two rejections of this step
         * showed a weaker dependence (order_est). */
        double fac = ratio > 0.0 ? DT_SAFETY * pow(ratio, -1.0 / order) : NS_DIFF_DT_GROWTH;
        if (!(fac < NS_DIFF_DT_GROWTH)) fac = NS_DIFF_DT_GROWTH;
        if (fac < DT_SHRINK_MIN) fac = DT_SHRINK_MIN;
        if (ratio <= 1.0) {
            if (!extrapolated_accept(s, dt, &a)) NS_TRY(check_finite(s));
            s->steps++;
            /* Keep the proposal when the step was clipped to an output time. */
            if (dt >= s->dt_next || fac < 1.0) s->dt_next = dt * fac;
            *taken = dt;
            return NS_OK;
        }
        extrapolated_reject(s, closing, ch_closed);
        s->rejected++;
        s->dt_next = dt * fac;
        order = order_est(dt_rej, r_rej, dt, ratio);
        dt_rej = dt;
        r_rej = ratio;
    }
}
