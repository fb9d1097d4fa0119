/* The channel block of the diffusion solver's base step (adi.c): the cells
 * a channel can cut, solved as one banded system in stage 1, and the times
 * the step lands on while the channel closes.
 *
 * Channel block: the amplification of the split step for a mode with
 * z_1 = dt lambda_1, z_2 = dt lambda_2 is R = (1 + z_1 z_2) / ((1 - z_1)(1 -
 * z_2)), which tends to 1 when both are stiff (it is A-stable, not
 * L-stable: Hundsdorfer & Verwer 2003, sec. IV.3), and the extrapolation below keeps that limit (2 R^2 - R =
 * 1). In the channel fluid (D_free ~ 1e-9 m^2/s over cells of 2-7 um: 1e-3
 * to 0.1 s) both directions are stiff at any useful step, and the moving
 * wall forces those modes at every step: with the r/z splitting of every
 * cell the permeated amount of the default closing channel converged at
 * order 0.6 under fixed steps (Q(24 h) 5.3e-3, 2.3e-3, 1.65e-3, 1.04e-3 off
 * with 500 to 4000 graded steps) and the controller saw only part of it
 * (2.6e-3 off at diff_rtol 2e-4 in 1115 attempts). So the cells a channel
 * can cut (the block i < bi, j < bj of diff_channel_extent and its ring,
 * below: 11 x 61 of the default 40 x 120 grid) keep all their faces in
 * A_1, radial and axial (and their vehicle faces, unless the finite dose couples those to C_v, which
 * stage 2 solves): stage 1 is then, for the rows through the block, one
 * system, whose line outside the block is eliminated from the outer end of
 * each row (a Thomas sweep that leaves a Schur complement on the block's
 * last column), the block solved as a banded matrix of half-width bi
 * (Gaussian elimination without pivoting, an M-matrix) and the lines
 * substituted back. A stiff mode inside the block has z_2 = 0, so R =
 * 1 / (1 - z_1) -> 0: backward Euler, L-stable. Same fixed point, same
 * exact balance. Cost: the block's elimination, symmetric, on its upper
 * band: about bi^2 bi bj / 2 multiply-adds per base step (4.1e4 for the
 * default grid). Fixed graded steps on the default closing channel:
 * Q(24 h) 5.7e-5, -6.4e-5, -1.0e-5, 2e-6 off with 500 to 4000 steps. Once
 * the channel is closed to the solute the block is dropped (intact skin).
 * Closure events: a cut radial face splits its series resistance at the
 * wall (grid.c), 1/g ~ w / D_ch + (1 - w) / (D K); in the SC, D K / D_ch ~
 * 1e-5, so when the wall passes the outer cell centre (w -> 1) g falls
 * from the fluid's value to the skin's within a few seconds of a
 * closure half-life of hours: a near-jump in time, which a step across it
 * smears without either of u_1, u_2 seeing it (both take coefficients
 * after it). The adaptive step therefore ends at every time the wall of a
 * closing channel passes a cell centre rc[i] (1 <= i < bi, rows j < bj,
 * before the channel closes to the solute; closing_events, at create):
 * 108 such times for the default channel in 24 h (52 occluded), 51 more
 * attempts (335 at diff_rtol 2e-4); Q(24 h) 7.2e-5 off instead of 2.0e-4
 * non-occluded, 2.6e-3 instead of 3.8e-3 occluded.
 * Face events: the step also ends where the wall passes an inner cell face
 * rf[i] (1 <= i < bi), where the cut cell's fluid fraction phi reaches 0
 * and its axial coefficient phi D_ch + (1 - phi) D K (and the vehicle face
 * of the top row) loses its channel part: in the SC, D K / D_ch ~ 1e-5, so
 * the last cell of a closing SC row switches from a fluid path to the
 * barrier's (milder in the VE rows, but with face events in the SC rows
 * alone the occluded case below was still 3.2e-3 off at 2e-4, not 1.8e-3).
 * Seen on the occluded channel (20 x 60 grid, diff_rtol 2e-4):
 * rejections whose error ratio did not fall with the step (1.09 -> 1.20
 * from dt 452 to 324 s at t = 31779 s; r_J 6.9 at 25790 s) bracketed
 * exactly the times the wall passed rf[4] in the SC rows 3, 2, 1 (26328,
 * 29284, 32542 s). With the face events Q(24 h) of the occluded channel at
 * diff_rtol 1e-3 / 5e-4 / 2e-4 / 1e-4 is 5.8e-3 / 3.8e-3 / 1.8e-3 /
 * 1.5e-3 off (20 x 60; was 8.4e-3 / 4.9e-3 / 3.5e-3 / 2.3e-3) in 160 to
 * 384 attempts (149 to 369), and on 40 x 120 1.46e-3 at 2e-4 in 324
 * (2.6e-3 in 289); non-occluded (20 x 60) 4.6e-4 / 2.8e-4 / 1.4e-4 /
 * 3.9e-5 (was 9.8e-4 / 4.4e-4 / 1.7e-4 / 5.4e-5), on 40 x 120 5.6e-5 at
 * 2e-4 in 425 attempts (7.2e-5 in 335: the cost of the extra landings).
 * Ring: the block also takes BLOCK_RING = 2 columns of intact skin past
 * the widest wall (bi = i1 + 2 of diff_channel_extent's i1, 11 x 61 on the
 * default grid). With the block ending at i1 the first tissue column sat
 * on the split boundary: its radial face to the cut cell (the wall's fluid
 * path, stiff) in A_1, its axial faces in A_2, and in the SC rows of an
 * occluded channel (cut for most of the day) the split step lost its
 * order there: the amount permeated from 9e3 to 1.9e4 s (20 x 60) with
 * fixed steps of 1000, 500, 250, 125, 62.5 s was 2.1e-3, 1.4e-3, 7.7e-4,
 * 3.3e-4, 1.1e-4 off (observed order 0.6 to 1.6), and the accepted solution's error sat in
 * those SC cells (4e-3 of C next to the wall at diff_rtol 1e-5, t = 13188 s),
 * which u_2 - u_1 did not see: Q(24 h) drifted 3e-4 off even at diff_rtol
 * 1e-5. Measured, Q(24 h) against diff_rtol 1e-7, occluded channel at
 * diff_rtol 1e-3 / 2e-4 / 1e-4: 40 x 120 ring 0: 2.25e-3 / 1.46e-3 /
 * 7.8e-4 (211 / 324 / 457 attempts); ring 2: 6.4e-4 / 3.6e-4 / 2.5e-4 (211 /
 * 323 / 462); ring 3: 3.8e-4 / 2.1e-4 / 1.6e-4; 20 x 60 ring 0 / 1 / 2 / 3
 * at 2e-4: 1.8e-3 / 1.1e-3 / 4.6e-4 / 1.4e-4; the whole rows implicit
 * (ring nr) 8.6e-4, worse (the split boundary then runs along the floor).
 * The closing channel at 2e-4: 40 x 120 5.6e-5 -> 9e-6, 20 x 60 1.4e-4 ->
 * 4.2e-5. Cost: the block's elimination grows as bi^3: 1.62e9 -> 1.92e9
 * instructions for the default case (424 attempts), ring 3 more; ring 2
 * is the smallest that takes the occluded default below 1e-3 on both grids
 * with the bound of verify_diffusion_time kept. With the band rows filled
 * entry by entry (no memset of the whole band) and the elimination's row
 * updates vectorized (the same operations, bit-identical) the default case
 * takes 1.58e9 with the sweeps of adi.c (scripts/bench_diffusion_cost.sh). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../channel.h"
#include "diff_private.h"

/* Columns of intact skin past the channel's widest radius that the channel
 * block also takes (header, "Ring"): the split step's boundary then lies
 * between tissue cells, not next to the wall's fluid path. */
#define BLOCK_RING 2

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Times at which a closing channel's wall passes a cell centre rc[i] or an
 * inner cell face rf[i] (1 <= i < i1) in a row j < j1, before the channel
 * closes to the solute, ascending, into s->ev (header: the step lands on
 * them). Bisection on the row radius, which falls monotonically in t. */
static ns_status closing_events(ns_diff *s, size_t i1, size_t j1)
{
    s->n_ev = s->ev_next = 0;
    if (!s->closing || i1 < 2) return NS_OK;
    size_t cap = 2 * j1 * (i1 - 1);
    s->ev = malloc(cap * sizeof *s->ev);
    if (!s->ev) NS_FAIL(NS_ENOMEM, "cannot allocate %zu closure events", cap);
    double t_c = ns_channel_closed_time(&s->ch, s->r_max, s->a_solute);
    size_t m = 0;
    for (size_t j = 0; j < j1; j++)
        for (size_t q = 2; q < 2 * i1; q++) {
            /* q = 2 i: the centre rc[i]; q = 2 i + 1: the face rf[i]. */
            size_t i = q / 2;
            double c = (q & 1) ? s->rf[i] : s->rc[i], lo = 0.0, hi = t_c;
            if (!(diff_row_channel_radius(s, j, lo) > c) || !isfinite(hi) ||
                diff_row_channel_radius(s, j, hi) > c)
                continue;
            while (hi - lo > DIFF_EV_REL * hi) {
                double mid = 0.5 * (lo + hi);
                if (diff_row_channel_radius(s, j, mid) > c) lo = mid;
                else hi = mid;
            }
            s->ev[m++] = hi;
        }
    qsort(s->ev, m, sizeof *s->ev, cmp_double);
    s->n_ev = m;
    return NS_OK;
}

ns_status diff_block_init(ns_diff *s)
{
    s->blk_i1 = s->blk_j1 = 0;
    if (!s->has_ch) return NS_OK;
    size_t i1, j1;
    diff_channel_extent(s, &i1, &j1);
    if (i1 == 0 || j1 == 0) return NS_OK;
    /* The block reaches BLOCK_RING columns of intact skin past the widest
     * wall (header, "Ring"). */
    i1 = i1 + BLOCK_RING < s->nr ? i1 + BLOCK_RING : s->nr;
    size_t nb = i1 * j1;
    s->blk = calloc(nb * (DIFF_BLOCK_STRIDE(i1) + 1) + j1 * (s->nr - i1 + 1), sizeof *s->blk);
    if (!s->blk) NS_FAIL(NS_ENOMEM, "cannot allocate the %zu x %zu channel block", i1, j1);
    s->blk_i1 = i1;
    s->blk_j1 = j1;
    return closing_events(s, i1, j1);
}

/* The block part of stage 1 (i < bi, j < bj): (M - dt A_1) restricted to
 * the block, A_1 its faces (and the vehicle faces of its columns when top =
 * 1), plus Ed[j] on the diagonal of the last cell of row j (the face to the
 * rest of the row and its Schur complement). Unknowns numbered b = j bi + i,
 * so the matrix is banded with half-width bi; it is symmetric (conductances)
 * and a diagonally dominant M-matrix, so Gaussian elimination without
 * pivoting keeps it symmetric and only the upper band is stored and
 * updated (U(b, b + d) at s->blk[b S + d], d = 0..bi, S = DIFF_BLOCK_STRIDE(bi)).
 * rhs holds the
 * right-hand side on entry and the solution on return. */
/* y[k] -= f x[k] for k < n, on rows of the band that do not overlap: two
 * and four at a time, which the compiler pairs into vector instructions
 * (the same multiply and subtract per element, so the same values). */
static void band_axpy(size_t n, double f, const double *restrict x, double *restrict y)
{
    size_t k = 0;
    for (; k + 4 <= n; k += 4) {
        y[k] -= f * x[k];
        y[k + 1] -= f * x[k + 1];
        y[k + 2] -= f * x[k + 2];
        y[k + 3] -= f * x[k + 3];
    }
    if (n & 2) {
        y[k] -= f * x[k];
        y[k + 1] -= f * x[k + 1];
        k += 2;
    }
    if (n & 1) y[k] -= f * x[k];
}

/* acc - a[1] y[1] - ... - a[n-1] y[n-1], subtracted in that order (so the
 * same value as one term per pass), two terms per pass. */
static double band_dot_sub(size_t n, double acc, const double *a, const double *y)
{
    size_t k = 1;
    for (; k + 2 <= n; k += 2) {
        acc -= a[k] * y[k];
        acc -= a[k + 1] * y[k + 1];
    }
    if (k < n) acc -= a[k] * y[k];
    return acc;
}

void diff_block_solve(ns_diff *s, size_t bi, size_t bj, int top, double dt, const double *Ed,
                      double *rhs)
{
    size_t nr = s->nr, nz = s->nz, nb = bi * bj, w = bi, W = DIFF_BLOCK_STRIDE(bi);
    double *U = s->blk;
    for (size_t j = 0; j < bj; j++) {
        const double *gr = s->gr + j * (nr + 1);
        for (size_t i = 0; i < bi; i++) {
            size_t k = idx(i, j, nz), b = j * bi + i;
            const double *gz = s->gz + i * (nz + 1);
            double *Ub = U + b * W;
            /* Every entry of the row's band is set (no memset of the whole
             * band, which cost 6.4e4 instructions per solve under callgrind). */
            for (size_t d = 1; d < W; d++) Ub[d] = 0.0;
            double diag = s->M[k] + (i + 1 == bi ? Ed[j] : 0.0);
            if (i > 0) diag += dt * gr[i];
            if (i + 1 < bi) {
                Ub[1] = -dt * gr[i + 1];
                diag += dt * gr[i + 1];
            }
            if (j > 0) diag += dt * gz[j];
            else if (top) diag += dt * gz[0];
            if (j + 1 < bj) {
                Ub[bi] = -dt * gz[j + 1];
                diag += dt * gz[j + 1];
            }
            Ub[0] = diag;
        }
    }
    /* Rows p and q > p of the band are W apart and each W long: the update
     * of row q reads row p only, so the two never overlap (band_axpy). */
    for (size_t p = 0; p < nb; p++) {
        const double *Up = U + p * W;
        size_t last = p + w < nb ? p + w : nb - 1;
        double inv = 1.0 / Up[0], rp = rhs[p];
        for (size_t q = p + 1; q <= last; q++) {
            double f = Up[q - p] * inv; /* = A(q, p) / A(p, p): symmetric */
            band_axpy(last - q + 1, f, Up + (q - p), U + q * W);
            rhs[q] -= f * rp;
        }
    }
    for (size_t p = nb; p-- > 0;) {
        const double *Up = U + p * W;
        size_t last = p + w < nb ? p + w : nb - 1;
        rhs[p] = band_dot_sub(last - p + 1, rhs[p], Up, rhs + p) / Up[0];
    }
}
