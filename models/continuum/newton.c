/* Total energy of the discrete continuum body, its gradient and Hessian, and
 * the damped Newton solve of one load or time step (models/continuum.h, eqs.
 * C2-C6):
 *   Pi(x) = sum_e E_e(x)                                 elements (element.c)
 *         + sum_b sum_i (eps A_i / 2) <u_b - f_b(rho_i) - u_z,i>_+^2   contacts (C4)
 *         + sum_i (k_b A_i / 2) u_z,i^2                  backing springs (bottom)
 *         + sum_k (2 m_k / dt^2) (x_k - xp_k)^2          Newmark inertia (C6)
 *         - F_ext u                                      load on the needle dof,
 * rho_i = r_i + u_r,i the current radius of surface node i, A_i its
 * tributary area, xp = x0 + dt v0 + dt^2 a0 / 4 the Newmark predictor.
 * Newton with an Armijo backtracking line search on Pi (a step that inverts
 * an element has Pi = +inf and is halved); converged when the Newton
 * decrement -g.dx falls below tol times the strain energy scale. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cont_private.h"

#define CONT_ARMIJO 1e-4     /* [-] sufficient-decrease constant of the line search */
#define CONT_MAX_HALVINGS 40 /* [-] line-search halvings before giving up */
#define CONT_DX_TOL 1e-8     /* [-] converged: largest increment / largest displacement */
#define CONT_DX_TOL_LATE 1e-6 /* [-] the same after half the Newton cap */
#define CONT_LM_MIN 1e-4      /* [-] first Levenberg-Marquardt shift / diag(K) */
#define CONT_LM_MAX 1e2       /* [-] largest shift tried */
#define CONT_LS_FLOOR 1e-5   /* [-] decrement / energy scale below which Pi is round-off */
#define CONT_MN_RATE 0.1     /* [-] largest decrement ratio of two steps on a reused factor */
#define CONT_MN_MAX_REUSE 12 /* [-] iterations on one factor at most */

ns_status cont_sys_create(cont_sys *s)
{
    size_t n = s->m.ndof;
    s->x = calloc(n, sizeof(double));
    s->x0 = calloc(n, sizeof(double));
    s->v = calloc(n, sizeof(double));
    s->a = calloc(n, sizeof(double));
    s->mass = calloc(n, sizeof(double));
    s->g = calloc(n, sizeof(double));
    s->dx = calloc(n, sizeof(double));
    s->xt = calloc(n, sizeof(double));
    s->fixed = calloc(n, 1);
    NS_CHECK(s->x && s->x0 && s->v && s->a && s->mass && s->g && s->dx && s->xt && s->fixed,
             NS_ENOMEM, "continuum: out of memory (%zu dofs)", n);
    const cont_mesh *m = &s->m;
    for (size_t j = 0; j < m->nz; j++) {
        s->fixed[2 * (j * m->nr)] = 1; /* axis: u_r = 0 */
        if (s->sym_outer) s->fixed[2 * (j * m->nr + m->nr - 1)] = 1;
    }
    for (size_t i = 0; i < m->nr; i++) {
        size_t nb = (m->nz - 1) * m->nr + i;
        s->fixed[2 * nb] = 1; /* bottom bonded tangentially */
        if (s->kb <= 0.0) s->fixed[2 * nb + 1] = 1;
    }
    /* lumped mass: element mass shared equally by its four nodes */
    for (size_t j = 0; j + 1 < m->nz; j++)
        for (size_t i = 0; i + 1 < m->nr; i++) {
            double rm = 0.5 * (m->r[i] + m->r[i + 1]);
            double me = s->mat[m->lay[j]].rho * 2.0 * M_PI * rm * (m->r[i + 1] - m->r[i]) *
                        (m->z[j + 1] - m->z[j]);
            size_t dof[8];
            cont_elem_dofs(m, i, j, dof);
            for (int k = 0; k < 8; k++) s->mass[dof[k]] += me / 4.0;
        }
    if (s->max_newton == 0) s->max_newton = 50;
    return NS_OK;
}

void cont_sys_free(cont_sys *s)
{
    free(s->x);
    free(s->x0);
    free(s->v);
    free(s->a);
    free(s->mass);
    free(s->g);
    free(s->dx);
    free(s->xt);
    free(s->fixed);
    free(s->vs);
    s->vs = NULL;
    cont_lin_destroy(&s->lin);
    cont_mesh_free(&s->m);
    s->x = s->x0 = s->v = s->a = s->mass = s->g = s->dx = s->xt = NULL;
    s->fixed = NULL;
}

/* Height f(rho) of body b above its lowest point, with f' and f''. */
double cont_body_gap(const cont_body *b, double u, double rho, double *df, double *d2f)
{
    (void)u;
    double f = 0.0;
    *df = *d2f = 0.0;
    switch (b->shape) {
    case NS_CONT_FLAT:
        if (rho > b->a && b->edge > 0.0) {
            f = (rho - b->a) * (rho - b->a) / (2.0 * b->edge);
            *df = (rho - b->a) / b->edge;
            *d2f = 1.0 / b->edge;
        } else if (rho < b->a_in && b->edge > 0.0) {
            f = (b->a_in - rho) * (b->a_in - rho) / (2.0 * b->edge);
            *df = -(b->a_in - rho) / b->edge;
            *d2f = 1.0 / b->edge;
        }
        break;
    case NS_CONT_SPHERE: /* paraboloid of Hertz theory */
        f = rho * rho / (2.0 * b->Rs);
        *df = rho / b->Rs;
        *d2f = 1.0 / b->Rs;
        break;
    case NS_CONT_CONE:
        f = fabs(rho) * b->cot_t;
        *df = b->cot_t;
        break;
    case NS_CONT_NEEDLE: /* spherical cap of radius Rs, tangent cone beyond a */
        if (rho <= b->a) {
            double q = sqrt(b->Rs * b->Rs - rho * rho);
            f = b->Rs - q;
            *df = rho / q;
            *d2f = b->Rs * b->Rs / (q * q * q);
        } else {
            double qa = sqrt(b->Rs * b->Rs - b->a * b->a);
            f = b->Rs - qa + (rho - b->a) * b->cot_t;
            *df = b->cot_t;
        }
        if (rho > b->a_in && b->a_in > 0.0 && b->edge > 0.0) {
            /* the shoulder at the base radius, rounded into the shaft:
             * skin wrapping the shoulder leaves contact continuously */
            f += (rho - b->a_in) * (rho - b->a_in) / (2.0 * b->edge);
            *df += (rho - b->a_in) / b->edge;
            *d2f += 1.0 / b->edge;
        }
        break;
    }
    return f;
}

/* Tributary area [m^2] of the nodes of column i on a horizontal plane. */
double cont_node_area(const cont_mesh *m, size_t i)
{
    double lo = i == 0 ? 0.0 : 0.5 * (m->r[i - 1] + m->r[i]);
    double hi = i + 1 == m->nr ? m->r[i] : 0.5 * (m->r[i] + m->r[i + 1]);
    return M_PI * (hi * hi - lo * lo);
}

/* Penalty of surface node i relative to eps_pen: h_min / h_i, h_i the
 * larger of the radial spacings beside it. eps_pen = c_pen E_max / h0 holds
 * a node's penetration at about 1/c_pen of the finest spacing; on the graded
 * grid's coarse outer cells the same eps made the contact some 1e9 times
 * stiffer than the tissue under it, and a node there switching in and out
 * of contact (a wide face, the pen's) stalled Newton. Scaled so, the
 * penetration is about 1/c_pen of the local spacing. */
static double node_penalty_scale(const cont_mesh *m, size_t i)
{
    double h_min = m->r[1] - m->r[0];
    double hl = i > 0 ? m->r[i] - m->r[i - 1] : h_min;
    double hr = i + 1 < m->nr ? m->r[i + 1] - m->r[i] : hl;
    return fmin(h_min / fmax(hl, hr), 1.0);
}

/* One surface node against a pre-pressed face (eq. C17 of models/continuum.h):
 * the penalty energy (kA/2) p^2 for p >= pc (pressed, or pulled less than
 * the hold pressure allows), continued linearly, kA pc (p - pc/2), below pc
 * (the skin has left the face; its pull stays p_hold per area): convex and
 * C1, so Newton's line search is unchanged. */
static void drum_hold_terms(cont_sys *s, const cont_body *b, size_t dr, size_t dz, size_t iu,
                            int inside, double p, double pc, double kA, double df, double d2f,
                            double *Pi, int want, double *Fb)
{
    if (!inside) { /* the structural block, zero: the pattern never changes (linsolve.c) */
        size_t id[3] = {dr, dz, iu};
        for (int a = 0; a < 3 && want == CONT_E_TANGENT; a++)
            for (int c = 0; c < 3; c++) cont_lin_add(s->lin, id[a], id[c], 0.0);
        return;
    }
    int quad = p >= pc;
    double t = quad ? kA * p : kA * pc; /* contact force [N], > 0 pressing */
    *Pi += quad ? 0.5 * kA * p * p : kA * pc * (p - 0.5 * pc);
    *Fb += t;
    if (want == CONT_E_VALUE) return;
    double gp[3] = {-df, -1.0, b->follow ? 1.0 : 0.0};
    size_t id[3] = {dr, dz, iu};
    for (int a = 0; a < 3; a++) s->g[id[a]] += t * gp[a];
    if (want != CONT_E_TANGENT) return;
    for (int a = 0; a < 3; a++)
        for (int c = 0; c < 3; c++) {
            double v = quad ? kA * gp[a] * gp[c] : 0.0;
            if (a == 0 && c == 0) v += t * (-d2f);
            cont_lin_add(s->lin, id[a], id[c], v);
        }
}

/* Contact of every body with the surface nodes; adds to *Pi and, with
 * want = CONT_E_GRAD or CONT_E_TANGENT, to g (and the matrix). Records each
 * body's force. */
static void contact_terms(cont_sys *s, const double *x, double *Pi, int want)
{
    const cont_mesh *m = &s->m;
    size_t iu = m->ufree;
    for (int k = 0; k < CONT_MAX_CONTACTS; k++) {
        const cont_body *b = &s->body[k];
        s->Fbody[k] = 0.0;
        if (!b->active) continue;
        double ub = b->follow ? x[iu] - b->offset : b->offset;
        for (size_t i = 0; i < m->nr; i++) {
            size_t dr = 2 * i, dz = 2 * i + 1;
            double rho = m->r[i] + x[dr];
            double df = 0.0, d2f = 0.0;
            int inside = rho >= b->rho0 && rho <= b->rho1;
            double p = inside ? ub - cont_body_gap(b, ub, rho, &df, &d2f) - x[dz] : 0.0;
            double kA = s->eps_pen * cont_node_area(m, i) * node_penalty_scale(m, i);
            if (b->p_hold > 0.0) { /* eq. (C17): pre-pressed, two-sided up to the pull p_hold */
                double pc = -b->p_hold * cont_node_area(m, i) / kA; /* gap of lift-off [m] */
                drum_hold_terms(s, b, dr, dz, iu, inside, p, pc, kA, df, d2f, Pi, want,
                                &s->Fbody[k]);
                continue;
            }
            if (want != CONT_E_VALUE) { /* the full structural block, zero when inactive */
                double gp[3] = {-df, -1.0, b->follow ? 1.0 : 0.0};
                size_t id[3] = {dr, dz, iu};
                int on = inside && p > 0.0;
                if (!inside) gp[0] = 0.0;
                for (int a = 0; a < 3 && want == CONT_E_TANGENT; a++)
                    for (int c = 0; c < 3; c++) {
                        double v = on ? kA * gp[a] * gp[c] : 0.0;
                        if (on && a == 0 && c == 0) v += kA * p * (-d2f);
                        cont_lin_add(s->lin, id[a], id[c], v);
                    }
                if (on)
                    for (int a = 0; a < 3; a++) s->g[id[a]] += kA * p * gp[a];
            }
            if (!(inside && p > 0.0)) continue;
            *Pi += 0.5 * kA * p * p;
            s->Fbody[k] += kA * p;
        }
    }
}

int cont_energy(cont_sys *s, const double *x, double *Pi, int want)
{
    int grad = want != CONT_E_VALUE, tang = want == CONT_E_TANGENT;
    const cont_mesh *m = &s->m;
    double E = 0.0, ge[8], Ke[64];
    if (grad) memset(s->g, 0, m->ndof * sizeof(double));
    if (tang) cont_lin_zero(s->lin);
    for (size_t j = 0; j + 1 < m->nz; j++)
        for (size_t i = 0; i + 1 < m->nr; i++) {
            if (cont_elem_eval(s, i, j, x, &E, grad ? ge : NULL, tang ? Ke : NULL)) return 1;
            if (!grad) continue;
            size_t dof[8];
            cont_elem_dofs(m, i, j, dof);
            for (int a = 0; a < 8; a++) {
                s->g[dof[a]] += ge[a];
                for (int b = 0; b < 8 && tang; b++)
                    cont_lin_add(s->lin, dof[a], dof[b], Ke[a * 8 + b]);
            }
        }
    if (s->kb > 0.0)
        for (size_t i = 0; i < m->nr; i++) {
            size_t d = 2 * ((m->nz - 1) * m->nr + i) + 1;
            double k = s->kb * cont_node_area(m, i);
            E += 0.5 * k * x[d] * x[d];
            if (grad) s->g[d] += k * x[d];
            if (tang) cont_lin_add(s->lin, d, d, k);
        }
    if (s->dt > 0.0) {
        double c = 2.0 / (s->dt * s->dt);
        for (size_t d = 0; d < m->ndof; d++) {
            double mk = d == m->ufree ? s->m_u : s->mass[d];
            double xp = s->x0[d] + s->dt * s->v[d] + 0.25 * s->dt * s->dt * s->a[d];
            E += c * mk * (x[d] - xp) * (x[d] - xp);
            if (grad) s->g[d] += 2.0 * c * mk * (x[d] - xp);
            if (tang) cont_lin_add(s->lin, d, d, 2.0 * c * mk);
        }
    }
    if (s->fext)
        for (size_t d = 0; d < m->ndof; d++) {
            E -= s->fext[d] * x[d];
            if (grad) s->g[d] -= s->fext[d];
        }
    E -= s->F_ext * x[m->ufree];
    if (grad) s->g[m->ufree] -= s->F_ext;
    if (tang) cont_lin_add(s->lin, m->ufree, m->ufree, 0.0);
    contact_terms(s, x, &E, want);
    *Pi = E;
    return isfinite(E) ? 0 : 1;
}

/* Strain energy of the elements alone [J] (energy balance). */
double cont_strain_energy(const cont_sys *s, const double *x)
{
    double E = 0.0;
    for (size_t j = 0; j + 1 < s->m.nz; j++)
        for (size_t i = 0; i + 1 < s->m.nr; i++)
            if (cont_elem_eval(s, i, j, x, &E, NULL, NULL)) return NAN;
    return E;
}

/* Backtracking line search along dx from x (energy Pi, decrement dec), at
 * most `halvings` trials: 0 when a step was found (in xt). */
static int line_search(cont_sys *s, double Pi, double dec, double scale, int halvings)
{
    size_t n = s->m.ndof;
    double alpha = 1.0, Pt;
    /* below CONT_LS_FLOOR of the energy scale the energy differences are
     * round-off: the full Newton step is taken unless it inverts an element */
    int trust = fabs(dec) <= CONT_LS_FLOOR * scale;
    for (int h = 0; h < halvings; h++) {
        for (size_t k = 0; k < n; k++) s->xt[k] = s->x[k] + alpha * s->dx[k];
        int bad = cont_energy(s, s->xt, &Pt, CONT_E_VALUE);
        if (!bad && (trust || Pt <= Pi - CONT_ARMIJO * alpha * fabs(dec))) return 0;
        alpha *= 0.5;
    }
    return 1;
}

/* Newton decrement -g.dx of the step in s->dx (s->g holds -grad), with the
 * largest increment and the largest displacement. */
static double decrement(const cont_sys *s, double *dxm, double *xm)
{
    double dec = 0.0;
    *dxm = *xm = 0.0;
    for (size_t k = 0; k < s->m.ndof; k++) {
        dec += s->g[k] * s->dx[k];
        *dxm = fmax(*dxm, fabs(s->dx[k]));
        *xm = fmax(*xm, fabs(s->x[k]));
    }
    return dec;
}

/* Modified Newton: an iteration first solves with the factor already in
 * place (the tangent of an earlier iterate, of this solve or of the
 * previous one: the load and time steps are small, so the tangent changes
 * little), which needs only the gradient and two triangular solves. The
 * step is kept when the full step passes the Armijo test and its decrement
 * is at most CONT_MN_RATE of the previous one (a contraction close to
 * Newton's); otherwise the tangent is assembled and factorised at the same
 * iterate, with the Levenberg-Marquardt fallback as before. The converged
 * state is the same to the tolerance: the test is on the decrement or the
 * increment of whichever factor was used. */
ns_status cont_newton(cont_sys *s, double tol)
{
    size_t n = s->m.ndof;
    double Pi, scale = 0.0, dec_prev = INFINITY;
    size_t reuse = 0;
    s->newton_tangents = 0;
    for (size_t it = 0; it < s->max_newton; it++) {
        int stale = cont_lin_ready(s->lin) && reuse < CONT_MN_MAX_REUSE;
        if (cont_energy(s, s->x, &Pi, stale ? CONT_E_GRAD : CONT_E_TANGENT))
            NS_FAIL(NS_ECONV, "continuum: inverted element at the start of Newton iteration %zu", it);
        for (size_t k = 0; k < n; k++) s->g[k] = s->fixed[k] ? 0.0 : -s->g[k];
        if (it == 0) scale = fabs(cont_strain_energy(s, s->x));
        scale = fmax(scale, fmax(fabs(Pi), s->E_floor));
        s->newton_its = it + 1;
        /* late in the iteration a contact node may cycle at zero gap (the
         * kink of the penalty energy): accept a negligible cycle */
        double dtol = it < s->max_newton / 2 ? CONT_DX_TOL : CONT_DX_TOL_LATE;
        double dxm, xm, dec;
        if (stale) {
            NS_TRY(cont_lin_solve(s->lin, s->g, s->dx, 0));
            dec = decrement(s, &dxm, &xm);
            if (dec > 0.0 && (dec <= tol * scale || dxm <= dtol * xm)) return NS_OK;
            if (dec > 0.0 && dec <= CONT_MN_RATE * dec_prev &&
                line_search(s, Pi, dec, scale, 1) == 0) {
                dec_prev = dec;
                reuse++;
                memcpy(s->x, s->xt, n * sizeof(double));
                continue;
            }
            /* the factor in place does not contract: the tangent of this iterate */
            if (cont_energy(s, s->x, &Pi, CONT_E_TANGENT))
                NS_FAIL(NS_ECONV, "continuum: inverted element at Newton iteration %zu", it);
            for (size_t k = 0; k < n; k++) s->g[k] = s->fixed[k] ? 0.0 : -s->g[k];
        }
        reuse = 0;
        s->newton_tangents++;
        /* Newton step (lambda = 0); where the tangent is indefinite (no
         * descent direction) or the line search finds no decrease (a kink of
         * the contact energy), Levenberg-Marquardt: K + lambda diag(K) with
         * lambda growing tenfold */
        int found = 0;
        for (double lam = 0.0; lam <= CONT_LM_MAX && !found;
             lam = lam > 0.0 ? 10.0 * lam : CONT_LM_MIN) {
            cont_lin_shift(s->lin, lam);
            NS_TRY(cont_lin_solve(s->lin, s->g, s->dx, 1));
            dec = decrement(s, &dxm, &xm);
            if (!(dec > 0.0)) continue;
            if (lam == 0.0 && (dec <= tol * scale || dxm <= dtol * xm)) {
                cont_lin_shift(s->lin, 0.0);
                return NS_OK;
            }
            found = line_search(s, Pi, dec, scale, CONT_MAX_HALVINGS) == 0;
            dec_prev = dec;
        }
        cont_lin_shift(s->lin, 0.0);
        if (!found)
            NS_FAIL(NS_ECONV, "continuum: no descent step at Newton iteration %zu (energy scale %.3g J, "
                              "shifts up to %.0e diag(K) tried)", it, scale, CONT_LM_MAX);
        memcpy(s->x, s->xt, n * sizeof(double));
    }
    NS_FAIL(NS_ECONV, "continuum: Newton did not converge in %zu iterations", s->max_newton);
}

/* Newmark average acceleration (eq. C6) at the solved x of a step of s->dt
 * from the committed (x0, v, a):
 *   a_1 = 4 (x - x0 - dt v0) / dt^2 - a0,  v_1 = v0 + dt (a0 + a1) / 2;
 * *E_nm receives the inertia energy the step's Pi holds, sum (2 m / dt^2)
 * (x - xp)^2, and the return value is the kinetic energy sum m v_1^2 / 2
 * [J] of the body (the needle dof excluded: its energy is the drive's).
 * With commit = 1 the state becomes (x, v_1, a_1). dt = 0: nothing moves in
 * time (the snap at puncture): the velocities stay, x0 becomes x. */
double cont_newmark_step(cont_sys *s, const double *x, int commit, double *E_nm)
{
    const cont_mesh *m = &s->m;
    double dt = s->dt, T = 0.0;
    *E_nm = 0.0;
    for (size_t d = 0; d < m->ndof; d++) {
        if (d == m->ufree || s->fixed[d]) {
            if (commit) s->x0[d] = x[d];
            continue;
        }
        double mk = s->mass[d], v1 = s->v[d], a1 = s->a[d];
        if (dt > 0.0) {
            double xp = s->x0[d] + dt * s->v[d] + 0.25 * dt * dt * s->a[d];
            *E_nm += 2.0 / (dt * dt) * mk * (x[d] - xp) * (x[d] - xp);
            a1 = 4.0 * (x[d] - s->x0[d] - dt * s->v[d]) / (dt * dt) - s->a[d];
            v1 = s->v[d] + 0.5 * dt * (s->a[d] + a1);
        }
        T += 0.5 * mk * v1 * v1;
        if (commit) {
            s->x0[d] = x[d];
            s->v[d] = v1;
            s->a[d] = a1;
        }
    }
    return T;
}
