/* Grid and coefficients of the diffusion solver: the depth and radial grids
 * (faces on the layer interfaces, the channel floor and the channel's
 * surface radius or, with numerics.diff_rim_refine > 0, its rim at the SC base;
 * geometric clustering at segment ends in closed form), cell volumes and layer material, and the cell and face
 * coefficients of the finite-volume operator with the cut-cell rules of the
 * channel wall (models/diffusion.h, "Grid" and "Channel (cut cells)"). */
#include <math.h>

#include "../channel.h"
#include "../drug.h"
#include "../needle.h"
#include "../skin.h"
#include "../units.h"
#include "diff_private.h"

/* Channel floors closer than this to a layer interface are moved onto it [m]
 * (avoids a sliver segment that would force tiny cells everywhere). */
#define NS_DIFF_SNAP 2.0e-6
/* Smallest cell of a segment relative to the thinnest clustered segment. */
#define GRID_HMIN_DIVISOR 8.0
/* Minimum cells per z segment (the SC gets >= 4) and per r segment. */
#define GRID_MIN_Z 4
#define GRID_MIN_R 3
/* Channel rim (the SC base where the channel passes it: the edge of the
 * channel outlet, where the flux density is singular): with
 * numerics.diff_rim_refine = f > 0 its cells are f times finer than the other
 * segment ends at GRID_RIM_NR radial and GRID_RIM_NZ depth cells, and shrink
 * as 1/n^2 under refinement (rim_cell). */
#define GRID_RIM_NR 40.0
#define GRID_RIM_NZ 120.0

/* ---- grid ------------------------------------------------------------------ */

typedef struct {
    double a, b;   /* [m] segment ends */
    double ha, hb; /* [m] target cell size at end a / b (0: that end not clustered) */
} grid_seg;

/* Cell-count density of a segment: 1 / h(x), h the target cell size, the
 * smaller of the ramps h_e + g |x - e| from each clustered end e (geometric
 * growth ~ 1 + g per cell away from it); uniform (h = 1) if no end is
 * clustered. Its cumulative count F(x) = int_a^x dx'/h(x') and the inverse
 * are in closed form:
 *   one ramp   F_r(d) = ln(1 + g d / h_e) / g,  d(F) = h_e expm1(g F) / g,
 * two ramps joined where they meet, x* = (a + b)/2 + (h_b - h_a)/(2 g)
 * (clamped to the segment). */
static double ramp_count(double d, double h0)
{
    return log1p(NS_DIFF_GROWTH * d / h0) / NS_DIFF_GROWTH;
}

static double ramp_length(double F, double h0)
{
    return h0 * expm1(NS_DIFF_GROWTH * F) / NS_DIFF_GROWTH;
}

/* Where the two ramps of a segment clustered at both ends meet. */
static double seg_join(const grid_seg *s)
{
    double x = 0.5 * (s->a + s->b) + 0.5 * (s->hb - s->ha) / NS_DIFF_GROWTH;
    return x < s->a ? s->a : (x > s->b ? s->b : x);
}

/* F(b): the cell count density integrated over the whole segment. */
static double seg_count(const grid_seg *s)
{
    double L = s->b - s->a;
    if (s->ha > 0.0 && s->hb > 0.0) {
        double xj = seg_join(s);
        return ramp_count(xj - s->a, s->ha) + ramp_count(s->b - xj, s->hb);
    }
    if (s->ha > 0.0) return ramp_count(L, s->ha);
    if (s->hb > 0.0) return ramp_count(L, s->hb);
    return L;
}

/* The position x in the segment with F(x) = F (0 <= F <= seg_count). */
static double seg_position(const grid_seg *s, double F)
{
    if (s->ha > 0.0 && s->hb > 0.0) {
        double xj = seg_join(s);
        double Fa = ramp_count(xj - s->a, s->ha);
        if (F <= Fa) return s->a + ramp_length(F, s->ha);
        double Fb = ramp_count(s->b - xj, s->hb);
        return s->b - ramp_length(Fa + Fb - F, s->hb);
    }
    if (s->ha > 0.0) return s->a + ramp_length(F, s->ha);
    if (s->hb > 0.0) return s->b - ramp_length(ramp_count(s->b - s->a, s->hb) - F, s->hb);
    return s->a + F;
}

/* Faces of a 1-D grid of n cells over segments seg[0..ns-1] (contiguous), each
 * segment getting >= nmin cells, in proportion to its weight F(b) otherwise.
 * faces[n + 1]. */
static ns_status grid_build(const grid_seg *seg, size_t ns, size_t n, size_t nmin, double hmin,
                            double *faces)
{
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
        W[k] = seg_count(&seg[k]);
        if (!(seg[k].ha > 0.0) && !(seg[k].hb > 0.0)) W[k] = (seg[k].b - seg[k].a) / hmin;
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
        double Wk = seg_count(&seg[k]);
        for (size_t m = 1; m < cnt[k]; m++)
            faces[f++] = seg_position(&seg[k], Wk * (double)m / (double)cnt[k]);
        faces[f++] = seg[k].b;
    }
    return NS_OK;
}


/* Target size of the cells at the channel rim [m]: the target h_end of the
 * other segment ends divided by numerics.diff_rim_refine at the reference count
 * n_ref cells, and by n / n_ref more on a grid of n cells (so the rim
 * cells shrink as 1/n^2 under refinement while the others shrink as 1/n;
 * models/diffusion.h, "Discretisation"). */
static double rim_cell(const ns_diff *s, double h_end, size_t n, double n_ref)
{
    return h_end / s->rim_refine * (n_ref / (double)n);
}

/* Depth of the channel rim: the base of the stratum corneum when an open
 * channel passes through it into the viable tissue (NAN: no rim, e.g. the
 * one-layer membrane preset). */
static double rim_depth(const ns_diff *s, const ns_skin_params *sk, const ns_channel_geom *ch)
{
    if (!s->has_ch || sk->n_layers < 2 || !(s->rim_refine > 0.0)) return NAN;
    double zb = ns_skin_layer_top(sk, 1);
    return zb < ch->depth && zb < s->H ? zb : (double)NAN;
}

/* Radius of the channel rim at t = 0: the SC's channel radius at the SC
 * base, the upper point of the profile pair there (models/channel.h, the
 * profile samples both sides of a layer interface; ns_channel_radius_at at
 * the interface gives the lower one); 0 when there is no rim. */
static double rim_radius(const ns_channel_geom *ch)
{
    double zb = ch->z_barrier;
    if (!(zb > 0.0) || !(zb < ch->depth)) return 0.0;
    for (size_t k = 0; k < ch->n; k++)
        if (ch->z[k] == zb) return ch->r0[k];
    return ns_channel_radius_at(ch, zb, 0.0);
}

/* Depth grid: faces on the layer interfaces inside [0, H] and on the channel
 * floor (snapped onto an interface or H within NS_DIFF_SNAP), clustered at
 * every segment end. Sets s->ch and s->ch_depth when a channel is open. */
ns_status diff_grid_z(ns_diff *s, const ns_skin_params *sk, const ns_channel_geom *ch)
{
    double H = s->H;
    double br[NS_LAYER_MAX + 3];
    size_t nb = 0;
    br[nb++] = 0.0;
    for (size_t i = 1; i < sk->n_layers; i++) {
        double zt = ns_skin_layer_top(sk, i);
        if (zt < H * (1.0 - 1e-12)) br[nb++] = zt;
    }
    double dch = 0.0;
    if (s->has_ch) {
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
    double minlen = INFINITY;
    for (size_t b = 0; b + 1 < nb; b++)
        if (br[b + 1] - br[b] < minlen) minlen = br[b + 1] - br[b];
    double h0 = minlen / GRID_HMIN_DIVISOR;
    double zrim = rim_depth(s, sk, ch);
    double hrim = isfinite(zrim) ? rim_cell(s, h0, s->nz, GRID_RIM_NZ) : h0;
    grid_seg seg[NS_LAYER_MAX + 2];
    for (size_t b = 0; b + 1 < nb; b++) {
        seg[b].a = br[b];
        seg[b].b = br[b + 1];
        seg[b].ha = br[b] == zrim ? hrim : h0;
        seg[b].hb = br[b + 1] == zrim ? hrim : h0;
    }
    NS_TRY(grid_build(seg, nb - 1, s->nz, GRID_MIN_Z, h0, s->zf));
    return NS_OK;
}

/* Radial domain and grid: the unit cell of the array, or for a single needle
 * a disc wide enough to be intact at its rim; clustered at the channel's
 * surface radius, or at its rim (diff_rim_refine > 0).
 * Exceptions: NS_EINVAL (the channel is wider than the unit cell). */
ns_status diff_grid_r(ns_diff *s, const ns_array_params *ar, const ns_channel_geom *ch)
{
    int has_ch = s->has_ch;
    double H = s->H;
    size_t nr = s->nr;
    double Rc = ns_array_unit_cell_radius(ar);
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
    NS_CHECK(!has_ch || rs < R, NS_EINVAL,
             "channel radius %.4g m >= unit-cell radius %.4g m: needles overlap", rs, R);
    s->R = R;
    s->r_max = rs;
    s->area = NS_PI * R * R;
    grid_seg seg[2];
    size_t ns = 0;
    double hmin = R;
    double rr = has_ch && s->rim_refine > 0.0 ? rim_radius(ch) : 0.0;
    if (has_ch && rr > 0.0 && rr < R && nr >= 2 * GRID_MIN_R) {
        /* Faces on the rim, graded towards it from both sides. */
        double h0 = rim_cell(s, rr / GRID_HMIN_DIVISOR, nr, GRID_RIM_NR);
        seg[0] = (grid_seg){0.0, rr, 0.0, h0};
        seg[1] = (grid_seg){rr, R, h0, 0.0};
        ns = 2;
        hmin = h0;
    } else if (has_ch && rs > 0.0 && nr >= 2 * GRID_MIN_R) {
        /* No rim (no SC, or diff_rim_refine = 0): faces on the surface radius. */
        double h0 = rs / GRID_HMIN_DIVISOR;
        seg[0] = (grid_seg){0.0, rs, 0.0, h0};
        seg[1] = (grid_seg){rs, R, h0, 0.0};
        ns = 2;
        hmin = h0;
    } else {
        seg[0] = (grid_seg){0.0, R, 0.0, 0.0};
        ns = 1;
        hmin = R / (double)nr;
    }
    NS_TRY(grid_build(seg, ns, nr, GRID_MIN_R, hmin, s->rf));
    return NS_OK;
}

/* Cell centres and volumes, and the layer material of each depth cell. */
void diff_grid_cells(ns_diff *s, const ns_skin_params *sk)
{
    size_t nr = s->nr, nz = s->nz;
    for (size_t i = 0; i < nr; i++) s->rc[i] = 0.5 * (s->rf[i] + s->rf[i + 1]);
    for (size_t j = 0; j < nz; j++) s->zc[j] = 0.5 * (s->zf[j] + s->zf[j + 1]);
    for (size_t i = 0; i < nr; i++)
        for (size_t j = 0; j < nz; j++)
            s->vol[idx(i, j, nz)] = NS_PI * (s->rf[i + 1] * s->rf[i + 1] - s->rf[i] * s->rf[i]) *
                                    (s->zf[j + 1] - s->zf[j]);
    for (size_t k = 0; k < s->n; k++) s->vol_total += s->vol[k];
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
        s->has_sc = 1;
    }
}

/* ---- coefficients ------------------------------------------------------------ */

/* Channel radius used at cell row j at time t [m] (0 outside the channel). */
double diff_row_channel_radius(const ns_diff *s, size_t j, double t)
{
    if (!s->has_ch || s->ch_closed || s->zc[j] >= s->ch_depth) return 0.0;
    double z = s->zc[j] < s->ch.depth ? s->zc[j] : s->ch.depth;
    return ns_channel_radius_at(&s->ch, z, t);
}

/* Channel volume fraction of the annulus r in [r0, r1] for a wall at rch. */
static double cut_fraction(double rch, double r0, double r1)
{
    if (!(rch > r0)) return 0.0;
    if (rch >= r1) return 1.0;
    return (rch * rch - r0 * r0) / (r1 * r1 - r0 * r0);
}

/* Share of the centre-to-centre resistance between c0 and c1 that lies inside
 * a wall at rch (c0 < rch < c1), in the log metric of a steady radial flux:
 * ln(rch / c0) / ln(c1 / c0) (0 at c0, 1 at c1: the conductance moves
 * continuously as the wall crosses a cell centre). */
static double cut_share(double rch, double c0, double c1)
{
    return log(rch / c0) / log(c1 / c0);
}

/* Coefficients of row j at time t in columns i < i1 and radial faces
 * 1..f1-1: capacity, M, clearance, the axial D K (parallel mix over the
 * annulus) and the radial face conductances. A radial face whose centre span
 * [c0, c1] holds the wall gets the series resistance of its two materials
 * split at the wall (models/diffusion.h, "Channel (cut cells)"). If remap, keep the
 * contents (u *= cap_old / cap_new). */
static void row_coefficients(ns_diff *s, double t, size_t j, size_t i1, size_t f1, int remap)
{
    size_t nr = s->nr, nz = s->nz;
    double rch = diff_row_channel_radius(s, j, t);
    double Dch = rch > 0.0 ? s->D_free * ns_drug_renkin_hindrance(s->a_solute, rch) : 0.0;
    double DKl = s->Dl[j] * s->Kl[j];
    for (size_t i = 0; i < i1; i++) {
        size_t k = idx(i, j, nz);
        double phi = cut_fraction(rch, s->rf[i], s->rf[i + 1]);
        double cap = phi + (1.0 - phi) * s->Kl[j];
        if (remap) s->u[k] *= s->cap[k] / cap;
        s->cap[k] = cap;
        s->M[k] = cap * s->vol[k];
        s->rx[k] = s->kl[j] * (1.0 - phi) * s->Kl[j] * s->vol[k];
        s->dkz[k] = phi * Dch + (1.0 - phi) * DKl;
    }
    double dz = s->zf[j + 1] - s->zf[j];
    double *g = s->gr + j * (nr + 1);
    g[0] = 0.0;
    g[nr] = 0.0;
    for (size_t i = 1; i < f1; i++) {
        double A = 2.0 * NS_PI * s->rf[i] * dz;
        double c0 = s->rc[i - 1], c1 = s->rc[i];
        double k0 = rch > c0 ? Dch : DKl, k1 = rch >= c1 ? Dch : DKl;
        if (rch > c0 && rch < c1) { /* the wall between the centres */
            double w = cut_share(rch, c0, c1);
            g[i] = Dch > 0.0 ? A / ((c1 - c0) * (w / Dch + (1.0 - w) / DKl)) : 0.0;
        } else
            g[i] = (k0 > 0.0 && k1 > 0.0) ? A / ((s->rf[i] - c0) / k0 + (c1 - s->rf[i]) / k1) : 0.0;
    }
}

/* Conductance per area of two half cells in series [m/s]: 1 / (h_a / D_a + h_b / D_b)
 * (0 when either D is 0). */
static double series_dk(double ha, double Da, double hb, double Db)
{
    return (Da > 0.0 && Db > 0.0) ? 1.0 / (ha / Da + hb / Db) : 0.0;
}

/* Axial faces 0..f1 of columns i < i1 (f1 <= nz) at time t: area pi (r1^2 -
 * r0^2); top and bottom half cells; inner faces the harmonic mean of the two
 * cells' D K (parallel mixes). With numerics.diff_cut_faces the face on the
 * SC base of a cut column splits into the parallel paths of the materials
 * its two half cells have over it: channel fluid over r < r_ch of each row,
 * skin outside (area fractions from the two cut fractions), each path the
 * series of its two half cells (models/diffusion.h, "Channel (cut cells)").
 * The line buffers lx / lcp hold the rows' channel radius and D_ch (free
 * outside a line solve). */
static void axial_faces(ns_diff *s, double t, size_t i1, size_t f1)
{
    size_t nz = s->nz;
    size_t jf = f1 < nz ? f1 + 1 : nz;
    double *rch = s->lx, *Dch = s->lcp;
    if (s->cut_faces)
        for (size_t j = 0; j < jf; j++) {
            rch[j] = diff_row_channel_radius(s, j, t);
            Dch[j] = rch[j] > 0.0 ? s->D_free * ns_drug_renkin_hindrance(s->a_solute, rch[j]) : 0.0;
        }
    for (size_t i = 0; i < i1; i++) {
        double r0 = s->rf[i], r1 = s->rf[i + 1];
        double A = NS_PI * (r1 * r1 - r0 * r0);
        double *g = s->gz + i * (nz + 1);
        const double *dk = s->dkz + idx(i, 0, nz);
        int vehicle = s->dose == NS_DOSE_INFINITE || s->dose == NS_DOSE_FINITE;
        g[0] = (vehicle && dk[0] > 0.0) ? A * dk[0] / (s->zc[0] - s->zf[0]) : 0.0;
        if (f1 == nz)
            g[nz] = (s->bottom == NS_BOTTOM_SINK && dk[nz - 1] > 0.0)
                        ? A * dk[nz - 1] / (s->zf[nz] - s->zc[nz - 1])
                        : 0.0;
        for (size_t j = 1; j < jf; j++) {
            double ha = s->zf[j] - s->zc[j - 1], hb = s->zc[j] - s->zf[j];
            int sc_base = s->cut_faces && s->has_sc && s->layer[j - 1] == NS_LAYER_SC &&
                          s->layer[j] != NS_LAYER_SC;
            double pa = sc_base ? cut_fraction(rch[j - 1], r0, r1) : 0.0;
            double pb = sc_base ? cut_fraction(rch[j], r0, r1) : 0.0;
            if (!sc_base || (pa == pb && (pa == 0.0 || pa == 1.0))) {
                /* not the SC base, or uncut: harmonic mean of the parallel mixes */
                g[j] = (dk[j - 1] > 0.0 && dk[j] > 0.0) ? A / (ha / dk[j - 1] + hb / dk[j]) : 0.0;
                continue;
            }
            double Ka = s->Dl[j - 1] * s->Kl[j - 1], Kb = s->Dl[j] * s->Kl[j];
            double ff = pa < pb ? pa : pb, ss = 1.0 - (pa > pb ? pa : pb);
            g[j] = A * (ff * series_dk(ha, Dch[j - 1], hb, Dch[j]) +
                        (pa - ff) * series_dk(ha, Dch[j - 1], hb, Kb) +
                        (pb - ff) * series_dk(ha, Ka, hb, Dch[j]) + ss * series_dk(ha, Ka, hb, Kb));
        }
    }
}

/* Cell and face coefficients at time t. If remap, keep the cell contents
 * C V = cap u V: u *= cap_old / cap_new (closure conserves mass). */
void diff_set_coefficients(ns_diff *s, double t, int remap)
{
    for (size_t j = 0; j < s->nz; j++) row_coefficients(s, t, j, s->nr, s->nr, remap);
    axial_faces(s, t, s->nr, s->nz);
}

/* Columns i < *i1 and rows j < *j1 a channel can cut: rows above its floor,
 * columns whose inner face is inside its widest radius (0, 0 without one). */
void diff_channel_extent(const ns_diff *s, size_t *i1, size_t *j1)
{
    *i1 = *j1 = 0;
    if (!s->has_ch) return;
    while (*j1 < s->nz && s->zc[*j1] < s->ch_depth) (*j1)++;
    while (*i1 < s->nr && s->rf[*i1] < s->r_max) (*i1)++;
}

/* Coefficients of the cells a closing channel can cut (rows above its floor,
 * columns inside its widest radius) and of their faces, at time t; the rest
 * of the grid is intact skin whose coefficients never change. No remap. */
void diff_refresh_channel(ns_diff *s, double t)
{
    if (!s->has_ch) return;
    size_t i1, j1;
    diff_channel_extent(s, &i1, &j1);
    for (size_t j = 0; j < j1; j++) row_coefficients(s, t, j, i1, i1 < s->nr ? i1 + 1 : s->nr, 0);
    axial_faces(s, t, i1, j1);
}
