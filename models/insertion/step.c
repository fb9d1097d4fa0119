/* One time step of the insertion solver: variable-step BDF2 of the coupled
 * tent + needle system with Newton (band Cholesky, Sherman-Morrison for the
 * mean mode, Schur complement for the needle travel of an impact), the
 * energies of a state and the event functions (models/insertion.h,
 * "Discretisation"). */
#include <math.h>
#include <string.h>

#include <gsl/gsl_vector.h>

#include "ins_private.h"

/* ---------------------------------------------------------------- state */

/* ---------------------------------------------------------------- creation */

ns_status ins_state_alloc(ins_state *y, size_t n)
{
    y->w = calloc(NS_INS_STATE_ARRAYS * n, sizeof(double));
    NS_CHECK(y->w != NULL, NS_ENOMEM, "insertion state: out of memory (n = %zu)", n);
    y->v = y->w + n;
    y->a = y->v + n;
    y->hm = y->a + n;
    y->qb = y->hm + n;
    y->qm = y->qb + n;
    return NS_OK;
}

void ins_state_copy(ins_state *dst, const ins_state *src, size_t n)
{
    double *w = dst->w, *v = dst->v, *a = dst->a, *hm = dst->hm, *qb = dst->qb, *qm = dst->qm;
    memcpy(w, src->w, NS_INS_STATE_ARRAYS * n * sizeof(double));
    *dst = *src;
    dst->w = w;
    dst->v = v;
    dst->a = a;
    dst->hm = hm;
    dst->qb = qb;
    dst->qm = qm;
}

/* ---------------------------------------------------------------- contact branch */

/* Tip contact before puncture with its Maxwell branch (header "Sheet
 * viscoelasticity", eq. V4): F = (1 - g_c) C(x) + g_c C(x - x_q). Returns F,
 * its tangent (dz/dx = cz) in *dF and the stored energy in *U. */
static double contact_relaxed(const ns_ins *s, double x, double xq, double cz, double *dF,
                              double *U)
{
    double dFe, Ue, dFz, Uz;
    double Fe = ins_contact_force(s, x, &dFe, &Ue);
    double Fz = ins_contact_force(s, x - xq, &dFz, &Uz);
    double g = s->g_c;
    *dF = (1.0 - g) * dFe + g * cz * dFz;
    *U = (1.0 - g) * Ue + g * Uz;
    return (1.0 - g) * Fe + g * Fz;
}

/* Force exponent p = z C'(z)/C(z) of the contact law at z, in [1, 2] (Hertz
 * 1.5, Sneddon cone up to 2, flat punch towards 1); 1.5 at z <= 0. */
static double contact_exponent(const ns_ins *s, double z)
{
    double dF, U, F = ins_contact_force(s, z, &dF, &U);
    if (!(z > 0.0 && F > 0.0)) return 1.5;
    return fmin(fmax(z * dF / F, 1.0), 2.0);
}

double ins_contact_branch_loss(const ns_ins *s, const ins_state *y)
{
    if (!(s->g_c > 0.0)) return 0.0;
    double x = y->u - y->w[0], dF, Ux, Uz;
    ins_contact_force(s, x, &dF, &Ux);
    ins_contact_force(s, x - y->xq, &dF, &Uz);
    return s->g_c * (Ux - Uz);
}


/* Energy stored at state y (tent, Maxwell branches, kinetic, tip, plate).
 * If fsum is not NULL it receives sum_i |f_i| of the sheet's internal force
 * [N]: times a displacement uncertainty, the uncertainty of the energy. */
double ins_stored_energy(ns_ins *s, const ins_state *y, double *fsum)
{
    ns_tent *T = s->T;
    double *f = s->work;
    memset(f, 0, s->nu * sizeof(double));
    T->qb = y->qb;
    T->qm = y->qm;
    double U = ns_tent_internal(T, y->w, f, 0, 1);
    if (fsum) {
        double a = 0.0;
        for (size_t i = 0; i < s->nu; i++) a += fabs(f[i]);
        *fsum = a;
    }
    double gk = T->g_f * T->k0;
    for (size_t i = 0; i < s->nu; i++) {
        U += 0.5 * T->A[i] * T->m * y->v[i] * y->v[i];
        if (gk > 0.0) U += 0.5 * T->A[i] * y->hm[i] * y->hm[i] / gk;
        double gap = (y->u - s->L) - y->w[i];
        if (i >= s->plate0 && i < s->n_plate && gap > 0.0) U += 0.5 * T->A[i] * s->kp * gap * gap;
    }
    if (!s->punctured && s->g_c > 0.0) {
        double dF, Uc;
        contact_relaxed(s, y->u - y->w[0], y->xq, 1.0, &dF, &Uc);
        U += Uc;
    } else {
        U += ins_tip_energy(s, y->u - y->w[0], y->dp);
    }
    return U;
}

double ins_dissipated_power(const ns_ins *s, const ins_state *y)
{
    const ns_tent *T = s->T;
    double gk = T->g_f * T->k0, P = 0.0;
    for (size_t i = 0; i < s->nu; i++) {
        P += T->A[i] * T->c * y->v[i] * y->v[i];
        double gap = (y->u - s->L) - y->w[i], gd = y->ud - y->v[i];
        if (i >= s->plate0 && i < s->n_plate && gap > 0.0) {
            /* (F_i - k_p gap) gap_t with the unilateral F_i = max(k_p gap +
             * c_p gap_t, 0): c_p gap_t^2 while the plate pushes, -k_p gap
             * gap_t >= 0 while the skin recedes faster than the damper lets
             * the spring relax */
            double kg = s->kp * gap, cg = s->cp * fmin(gap / s->plate_ramp, 1.0) * gd;
            P += T->A[i] * (fmax(kg + cg, 0.0) - kg) * gd;
        }
        if (gk > 0.0) P += T->A[i] * y->hm[i] * y->hm[i] / (gk * T->tau_f);
    }
    P += ns_tent_branch_power(T, y->w, y->qb, y->qm);
    P += ns_tent_viscous_power(T, y->w, y->v);
    if (!s->punctured && s->g_c > 0.0) { /* eq. (V4): g_c C(z) z / (p tau_c) */
        double z = y->u - y->w[0] - y->xq, dF, U;
        double Fz = ins_contact_force(s, z, &dF, &U);
        P += s->g_c * Fz * z / (y->pq * s->tau_c);
    }
    return P;
}

/* Newton tolerance [m] of a step from state c: 1e-3 ins_rtol times the
 * largest deflection or travel (plus the length floor). */
double ins_newton_tol(const ns_ins *s, const ins_state *c)
{
    double scale = 0.0;
    for (size_t i = 0; i < s->nu; i++) scale = fmax(scale, fabs(c->w[i]));
    scale = fmax(scale, fabs(c->u)) + s->len_scale;
    return 1e-3 * s->p.numerics.ins_rtol * scale;
}

/* Solve one BDF2 step of size h with step ratio om = h / h_prev (0: backward
 * Euler) from y1 (and y0) into y2. Returns 0, or 1 if Newton did not converge
 * (recoverable: the caller shrinks h), with the last increment in *inc.
 * One function of about 220 lines on purpose: the assembly (with the relaxing
 * branches of the sheet and the tip contact), the plate contact,
 * the Schur complement of the travel and the state update share the
 * per-iteration values, and split up they would be passed around by pointer
 * in the hottest loop of the solver. */
int ins_step_solve(ns_ins *s, double h, double om, double *inc, ns_status *err)
{
    ns_tent *T = s->T;
    size_t nu = s->nu;
    const ins_state *c = &s->y1, *p = &s->y0;
    ins_state *y = &s->y2;
    double a0 = (1.0 + 2.0 * om) / ((1.0 + om) * h);
    double c1 = (1.0 + om) / h, c2 = om * om / ((1.0 + om) * h);
    double gk = T->g_f * T->k0, itau = 1.0 / T->tau_f;
    double dh = gk > 0.0 ? gk * a0 / (a0 + itau) : 0.0;
    /* sheet branches, eq. (V2) in BDF2: q = (b_q + w/(p tau_s))/(a0 + 1/(p tau_s)),
     * p = 1 (bending), 3 (stretching) */
    const int ve = T->g_s > 0.0;
    const double itb = ve ? 1.0 / T->tau_s : 0.0, iqb = 1.0 / (a0 + itb);
    const double itm = ve ? 1.0 / (3.0 * T->tau_s) : 0.0, iqm = 1.0 / (a0 + itm);
    T->czb = a0 * iqb;
    T->czm = a0 * iqm;
    T->qb = y->qb;
    T->qm = y->qm;
    /* contact branch, eq. (V4): x_q = (b_xq + x/(p tau_c))/(a0 + 1/(p tau_c)),
     * with the force exponent p of the law at the start of the step */
    const int vc = !s->punctured && s->g_c > 0.0;
    const double pq = vc ? contact_exponent(s, c->u - c->w[0] - c->xq) : 1.0;
    const double itc = vc ? 1.0 / (pq * s->tau_c) : 0.0, iqc = 1.0 / (a0 + itc);
    const double bxq = c1 * c->xq - c2 * p->xq;
    int dyn = s->dynamic;
    double u, ud;
    y->t = c->t + h;
    y->tp = c->tp + h;
    if (dyn) {
        u = c->u + h * c->ud + 0.5 * h * h * c->ua;
        ud = 0.0;
    } else {
        ins_prescribed(s, y->tp, &u, &ud);
    }
    /* predictor; the foundation locks up at w = H_f (eq. F2), so a predictor
     * beyond the lock restarts from the last accepted deflection */
    double w_lock = T->H_f;
    int beyond = 0;
    for (size_t i = 0; i < nu; i++) {
        y->w[i] = c->w[i] + h * c->v[i] + 0.5 * h * h * c->a[i];
        beyond |= !(y->w[i] < w_lock);
    }
    /* a settling step of a hold (many damping times long) starts from the
     * deflection at its start: the ringing's velocity says nothing of where
     * the skin comes to rest */
    if (beyond || s->settle) memcpy(y->w, c->w, nu * sizeof(double));
    double bu = c1 * c->u - c2 * p->u, bud = c1 * c->ud - c2 * p->ud;
    double tol = ins_newton_tol(s, c);
    int converged = 0;
    double *f = s->f;
    double *hbw = s->bw, *hbv = s->bv, *hbh = s->bh, *hbqb = s->bqb, *hbqm = s->bqm;
    for (size_t i = 0; i < nu; i++) {
        hbw[i] = c1 * c->w[i] - c2 * p->w[i];
        hbv[i] = c1 * c->v[i] - c2 * p->v[i];
        hbh[i] = c1 * c->hm[i] - c2 * p->hm[i];
    }
    if (ve)
        for (size_t i = 0; i < nu; i++) {
            hbqb[i] = c1 * c->qb[i] - c2 * p->qb[i];
            hbqm[i] = c1 * c->qm[i] - c2 * p->qm[i];
        }
    /* resistance at the start-of-step plastic depth, as resist_fw / resist_back
     * give it (one evaluation per step instead of one per Newton iteration) */
    double Ff0 = 0.0, Fb0 = 0.0;
    if (s->punctured) {
        double c3[3];
        double R0 = ins_resist(s, c->dp, c3);
        Ff0 = c->dp < s->d_cut ? R0 - c3[0] : R0;
        Fb0 = c3[2];
    }
    gsl_vector *cv = T->x1;
    *inc = INFINITY;
    for (size_t it = 0; it <= s->p.numerics.ins_max_newton; it++) {
        /* the pass after convergence (and the last one allowed) only updates
         * the state (v, a, h, F): no residual is read after it, so the
         * internal forces are not evaluated and no Newton matrix is assembled
         * or factorised for it (f keeps stale values that nothing reads) */
        int asm_J = !converged && it < s->p.numerics.ins_max_newton;
        if (ve)
            for (size_t i = 0; i < nu; i++) {
                y->qb[i] = (hbqb[i] + itb * y->w[i]) * iqb;
                y->qm[i] = (hbqm[i] + itm * y->w[i]) * iqm;
            }
        if (asm_J) {
            ns_tent_zero(T);
            memset(f, 0, nu * sizeof(double));
            ns_tent_internal(T, y->w, f, 1, 0);
            ns_tent_viscous(T, y->w, hbw, a0, f, 1);
        }
        if (asm_J) gsl_vector_set_zero(cv);
        for (size_t i = 0; i < nu; i++) {
            double bw = hbw[i], bv = hbv[i], bh = hbh[i];
            double v = a0 * y->w[i] - bw, acc = a0 * v - bv;
            double hm = gk > 0.0 ? (gk * v + bh) / (a0 + itau) : 0.0;
            y->v[i] = v;
            y->a[i] = acc;
            y->hm[i] = hm;
            f[i] += T->A[i] * (T->m * acc + T->c * v + hm);
            if (asm_J) ns_tent_add_diag(T, i, T->A[i] * (T->m * a0 * a0 + T->c * a0 + dh));
        }
        double dFdx, dp;
        double F;
        if (vc) {
            double x = u - y->w[0], Uc;
            y->xq = (bxq + itc * x) * iqc;
            y->pq = pq;
            dp = 0.0;
            F = contact_relaxed(s, x, y->xq, a0 * iqc, &dFdx, &Uc);
        } else {
            y->xq = c->xq;
            y->pq = c->pq;
            F = ins_needle_force(s, u - y->w[0], c->dp, Ff0, Fb0, &dFdx, &dp);
            if (isnan(F)) { /* the cut-depth root finder's cap (tip.c, tip_root) */
                *err = ns_status_trace(NS_ECONV, __FILE__, __LINE__, __func__);
                return -1;
            }
        }
        f[0] -= F;
        if (asm_J) {
            ns_tent_add_diag(T, 0, dFdx);
            cv->data[0] = -dFdx;
        }
        /* base plate: penalty k_p gap plus the viscous term c_p gap_t of the
         * tissue under it (header "base plate"), per contact area; the plate
         * only pushes (a receding skin, e.g. creeping under a held press,
         * leaves the damper at zero force, never pulled) */
        double base = u - s->L, Fpl = 0.0, Kpl = 0.0;
        double udc = dyn ? a0 * u - bu : ud;
        for (size_t i = s->plate0; i < s->n_plate; i++) {
            double gap = base - y->w[i];
            if (gap > 0.0) {
                double kA = T->A[i] * s->kp, ramp = fmin(gap / s->plate_ramp, 1.0);
                double cA = T->A[i] * s->cp * ramp, gd = udc - y->v[i];
                double Fi = kA * gap + cA * gd, Ki = kA + cA * a0;
                if (ramp < 1.0) Ki += fmax(T->A[i] * s->cp * gd / s->plate_ramp, 0.0);
                if (Fi < 0.0) Fi = Ki = 0.0;
                f[i] -= Fi;
                Fpl += Fi;
                Kpl += Ki;
                if (asm_J) {
                    ns_tent_add_diag(T, i, Ki);
                    cv->data[i * cv->stride] -= Ki;
                }
            }
        }
        y->u = u;
        y->F = F;
        y->dFdx = dFdx;
        y->dp = dp;
        y->Fpl = Fpl;
        if (dyn) {
            y->ud = a0 * u - bu;
            y->ua = a0 * y->ud - bud;
        } else {
            y->ud = ud;
            y->ua = a0 * ud - bud;
        }
        if (converged) return 0;
        if (it == s->p.numerics.ins_max_newton) break;
        if (ns_tent_chol(T)) return 1;
        if (ns_tent_lr_prepare(T) != NS_OK) return 1;
        ns_tent_chol_svx(T, f, 1);
        ns_tent_lr_apply(T, f);
        double du = 0.0;
        if (dyn) {
            double ru = s->m_a * (a0 * (a0 * u - bu) - bud) + F + Fpl;
            double Juu = s->m_a * a0 * a0 + dFdx + Kpl;
            ns_tent_chol_svx(T, cv->data, cv->stride); /* cv <- J^-1 c */
            ns_tent_lr_apply(T, cv->data);
            /* c.x1 and c.x2 need the original coupling c: rebuild it */
            const double *z = cv->data;
            size_t zs = cv->stride;
            double cx1 = -dFdx * f[0], cx2 = -dFdx * z[0];
            for (size_t i = s->plate0; i < s->n_plate; i++) {
                double gap = base - y->w[i];
                double cpr = s->cp * fmin(gap / s->plate_ramp, 1.0);
                if (gap > 0.0 && s->kp * gap + cpr * (udc - y->v[i]) >= 0.0) {
                    double ci = -T->A[i] * (s->kp + cpr * a0);
                    cx1 += ci * f[i];
                    cx2 += ci * z[i * zs];
                }
            }
            double schur = Juu - cx2;
            if (!(schur > 0.0)) return 1;
            du = (ru - cx1) / schur;
        }
        /* fraction to the lock-up boundary: the Newton update is shortened
         * so that no node moves more than NS_INS_LOCK_FRACTION of its
         * remaining distance to w = H_f (the foundation force is singular
         * there) */
        double alpha = 1.0;
        for (size_t i = 0; i < nu; i++) {
            double dw = f[i] - (dyn ? cv->data[i * cv->stride] * du : 0.0);
            if (y->w[i] - dw > y->w[i] + NS_INS_LOCK_FRACTION * (w_lock - y->w[i]))
                alpha = fmin(alpha, NS_INS_LOCK_FRACTION * (w_lock - y->w[i]) / (-dw));
        }
        double du0 = du;
        du *= alpha;
        double m = fabs(du);
        for (size_t i = 0; i < nu; i++) {
            double dw = alpha * (f[i] - (dyn ? cv->data[i * cv->stride] * du0 : 0.0));
            y->w[i] -= dw;
            double adw = fabs(dw);
            if (!(adw <= m)) m = adw; /* a NaN increment makes m NaN: caught below */
        }
        if (isnan(du)) m = du; /* a NaN travel increment is not lost to the max */
        u -= du;
        *inc = m;
        if (!isfinite(m)) {
            for (size_t i = 0; i < nu; i++)
                if (!isfinite(y->w[i])) {
                    *err = ns_status_set(NS_ENONFINITE, __FILE__, __LINE__, __func__,
                                         "non-finite deflection at node %zu (r = %.3g m), t = %.6g s, h = %.3g s",
                                         i, T->r[i], y->t, h);
                    return -1;
                }
            return 1;
        }
        if (m <= tol) converged = 1;
    }
    return 1;
}

/* ---------------------------------------------------------------- events */

void ins_event_funcs(const ns_ins *s, const ins_state *y, double *g)
{
    for (int e = 0; e < EV_COUNT; e++) g[e] = -INFINITY;
    if (!s->punctured && isfinite(s->F_c)) g[EV_PUNCTURE] = y->F - s->F_c;
    if (s->punctured) {
        int k = ins_layer_at(s, s->y1.dp);
        if (k + 1 < s->nl) g[EV_LAYER] = y->dp - s->ztop[k + 1];
        /* the tip reaches the backing: no cut goes deeper than the stack */
        if (s->phase == PH_LOAD) g[EV_BACKING] = y->dp - s->ztop[s->nl];
    }
    if (!s->plate_contact) {
        double m = -INFINITY;
        for (size_t i = s->plate0; i < s->n_plate; i++) m = fmax(m, y->u - s->L - y->w[i]);
        g[EV_PLATE] = m;
    }
    if (s->phase == PH_LOAD && isfinite(s->F_cap)) g[EV_CAP] = y->F + y->Fpl - s->F_cap;
    if (s->phase == PH_LOAD && s->dynamic) {
        g[EV_STOP] = -y->ud;
        g[EV_STROKE] = y->u - s->p.applicator.stroke;
    }
}

/* The event that comes first inside the step: of the event functions that
 * change sign, the one whose linear crossing gc/(gc - gy) is earliest (two
 * events in one step are located one after the other, so the force cap is
 * not lost behind a plate contact or a layer crossing located first). */
int ins_first_event(const double *gc, const double *gy)
{
    int first = -1;
    double th_min = INFINITY;
    for (int e = 0; e < EV_COUNT; e++)
        if (gc[e] < 0.0 && gy[e] >= 0.0) {
            double th = isfinite(gy[e]) ? gc[e] / (gc[e] - gy[e]) : 0.0;
            if (th < th_min) {
                th_min = th;
                first = e;
            }
        }
    return first;
}
