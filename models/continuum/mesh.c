/* The graded r-z grid of the continuum model (models/continuum.h,
 * "Discretisation"). Spacing s(x) = h0 inside the fine region x < x_f and
 * s(x) = h0 + gamma (x - x_f) beyond it (cell ratio about 1 + gamma), in r
 * and in depth. Nodes are uniform in the stretched coordinate
 *   zeta(x) = x/h0                                  (x <= x_f)
 *   zeta(x) = x_f/h0 + ln(1 + gamma (x - x_f)/h0)/gamma   (x > x_f),
 * with ceil(refine (zeta(b) - zeta(a))) cells on each interval [a, b]; in
 * depth every layer is such an interval, so interfaces are grid lines.
 * Multiplying `refine` by 2 halves every cell of the smooth map: a true
 * refinement for the observed order of convergence. */
#include <math.h>
#include <stdlib.h>

#include "cont_private.h"

#define CONT_MAX_CELLS 4000 /* [-] per direction: beyond it a request is a mistake */

static double zeta_of(double x, double xf, double h0, double gam)
{
    if (x <= xf || gam <= 0.0) return x / h0;
    return xf / h0 + log1p(gam * (x - xf) / h0) / gam;
}

static double x_of(double ze, double xf, double h0, double gam)
{
    double zf = xf / h0;
    if (ze <= zf || gam <= 0.0) return ze * h0;
    return xf + h0 / gam * expm1(gam * (ze - zf));
}

/* Cells of [a, b] and, when x != NULL, their nodes after x[0] = a. */
static size_t cells_on(double a, double b, double xf, double h0, double gam, double refine,
                       double *x)
{
    double za = zeta_of(a, xf, h0, gam), zb = zeta_of(b, xf, h0, gam);
    double c = ceil(refine * (zb - za) - 1e-9);
    size_t n = c < 1.0 ? 1 : (size_t)c;
    if (x)
        for (size_t k = 1; k <= n; k++)
            x[k] = k == n ? b : x_of(za + (zb - za) * (double)k / (double)n, xf, h0, gam);
    return n;
}

ns_status cont_mesh_build(cont_mesh *m, double R, double r_fine, double h0, double growth,
                          size_t nl, const double *thick, double refine)
{
    m->r = m->z = NULL;
    m->lay = NULL;
    NS_CHECK(R > 0.0 && h0 > 0.0 && h0 < R && refine > 0.0 && growth >= 0.0 && nl >= 1 &&
                 nl <= CONT_MAX_LAYERS,
             NS_EINVAL,
             "continuum grid: R = %.3g m, h0 = %.3g m, growth %.3g, refine %.3g, %zu layers "
             "(need 0 < h0 < R, growth >= 0, refine > 0, 1-4 layers)",
             R, h0, growth, refine, nl);
    size_t cr = cells_on(0.0, R, r_fine, h0, growth, refine, NULL), cz = 0;
    double H = 0.0;
    for (size_t k = 0; k < nl; k++) {
        NS_CHECK(thick[k] > 0.0, NS_EINVAL, "continuum grid: layer %zu thickness %.3g m, need > 0",
                 k, thick[k]);
        cz += cells_on(H, H + thick[k], r_fine, h0, growth, refine, NULL);
        H += thick[k];
    }
    NS_CHECK(cr <= CONT_MAX_CELLS && cz <= CONT_MAX_CELLS, NS_EINVAL,
             "continuum grid: %zu x %zu cells (at most %d per direction): raise h0 = %.3g m",
             cr, cz, CONT_MAX_CELLS, h0);
    m->nr = cr + 1;
    m->nz = cz + 1;
    m->r = malloc(m->nr * sizeof(double));
    m->z = malloc(m->nz * sizeof(double));
    m->lay = malloc(cz * sizeof(int));
    if (!m->r || !m->z || !m->lay) {
        cont_mesh_free(m);
        NS_FAIL(NS_ENOMEM, "continuum grid: out of memory (%zu x %zu nodes)", cr + 1, cz + 1);
    }
    m->r[0] = 0.0;
    cells_on(0.0, R, r_fine, h0, growth, refine, m->r);
    m->z[0] = 0.0;
    size_t j = 0;
    H = 0.0;
    for (size_t k = 0; k < nl; k++) {
        size_t n = cells_on(H, H + thick[k], r_fine, h0, growth, refine, m->z + j);
        for (size_t q = 0; q < n; q++) m->lay[j + q] = (int)k;
        j += n;
        H += thick[k];
    }
    m->ndof = 2 * m->nr * m->nz + 1;
    m->ufree = m->ndof - 1;
    return NS_OK;
}

void cont_mesh_free(cont_mesh *m)
{
    free(m->r);
    free(m->z);
    free(m->lay);
    m->r = m->z = NULL;
    m->lay = NULL;
}
