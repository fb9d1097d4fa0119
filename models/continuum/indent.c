/* Verification entry point of the continuum model: quasi-static indentation
 * of a layered cylinder by a rigid frictionless indenter
 * (models/continuum.h, ns_cont_indent_solve). */
#include <math.h>
#include <string.h>

#include "cont_private.h"

#define CONT_PENALTY 1e3     /* [-] c_pen of eq. (C4) */
#define CONT_TOL 1e-12       /* [-] Newton decrement / energy scale */

static ns_status indent_setup(const ns_cont_indent_case *c, cont_sys *s)
{
    NS_CHECK(c->n_layers >= 1 && c->n_layers <= NS_LAYER_MAX && c->steps >= 1 && c->delta > 0.0,
             NS_EINVAL, "continuum indent: %zu layers, %zu steps, delta %.3g m (need 1-4, >= 1, > 0)",
             c->n_layers, c->steps, c->delta);
    NS_CHECK(!(c->shape == NS_CONT_CONE || c->shape == NS_CONT_NEEDLE) ||
                 (c->half_angle > 0.0 && c->half_angle < M_PI / 2.0),
             NS_EINVAL, "continuum indent: cone half-angle %.4g rad, need (0, pi/2)", c->half_angle);
    memset(s, 0, sizeof *s);
    s->nl = c->n_layers;
    double Emax = 0.0;
    for (size_t k = 0; k < s->nl; k++) {
        NS_CHECK(c->youngs_modulus[k] > 0.0 && c->poisson[k] >= 0.0 && c->poisson[k] < 0.5,
                 NS_EINVAL, "continuum indent: layer %zu E = %.3g Pa, nu = %.4g (need E > 0, 0 <= nu < 0.5)",
                 k, c->youngs_modulus[k], c->poisson[k]);
        cont_mat_init(&s->mat[k], c->youngs_modulus[k], c->poisson[k], c->stiffening[k], 1000.0);
        NS_CHECK(c->relaxation_fraction[k] >= 0.0 && c->relaxation_fraction[k] <= 1.0 &&
                     (c->relaxation_fraction[k] == 0.0 || c->relaxation_time[k] > 0.0) &&
                     c->viscosity[k] >= 0.0,
                 NS_EINVAL, "continuum indent: layer %zu g = %.3g, tau = %.3g s, eta = %.3g Pa s "
                            "(need 0 <= g <= 1, tau > 0 where g > 0, eta >= 0)",
                 k, c->relaxation_fraction[k], c->relaxation_time[k], c->viscosity[k]);
        s->mat[k].g = c->relaxation_fraction[k];
        s->mat[k].tau = c->relaxation_time[k];
        s->mat[k].eta = c->viscosity[k];
        Emax = fmax(Emax, c->youngs_modulus[k]);
    }
    s->kb = c->backing;
    s->sym_outer = c->sym_outer;
    NS_TRY(cont_mesh_build(&s->m, c->R, c->r_fine, c->h0, c->growth, s->nl, c->thickness,
                           c->refine > 0.0 ? c->refine : 1.0));
    NS_TRY(cont_sys_create(s));
    NS_TRY(cont_visco_alloc(s));
    s->fixed[s->m.ufree] = 1; /* displacement control */
    NS_TRY(cont_lin_create(s, &s->lin));
    s->eps_pen = CONT_PENALTY * Emax / c->h0;
    cont_body *b = &s->body[0];
    b->active = 1;
    b->follow = 1;
    b->shape = c->shape;
    b->rho0 = 0.0;
    b->rho1 = c->shape == NS_CONT_FLAT ? c->a + 0.5 * c->h0 : c->R;
    b->a = c->shape == NS_CONT_NEEDLE ? c->Rs * cos(c->half_angle) : c->a;
    b->Rs = c->Rs;
    b->cot_t = (c->shape == NS_CONT_CONE || c->shape == NS_CONT_NEEDLE) ? 1.0 / tan(c->half_angle) : 0.0;
    b->edge = 1e-3 * c->h0;
    return NS_OK;
}

ns_status ns_cont_indent_solve(const ns_cont_indent_case *c, ns_cont_indent_result *out,
                               double *F)
{
    NS_CHECK(c != NULL && out != NULL, NS_EINVAL, "ns_cont_indent_solve: NULL argument");
    memset(out, 0, sizeof *out);
    cont_sys s;
    ns_status st = indent_setup(c, &s);
    if (st != NS_OK) {
        cont_sys_free(&s);
        return ns_status_trace(st, __FILE__, __LINE__, __func__);
    }
    double Fp = 0.0, W = 0.0, Pi = 0.0;
    cont_visco_inc vi = {0};
    double T = 0.0, E_nm = 0.0;
    if (F) F[0] = 0.0;
    size_t iu = s.m.ufree;
    for (size_t k = 1; k <= c->steps; k++) {
        double u1 = c->delta * (double)k / (double)c->steps, du = u1 - s.x[iu];
        /* predictor: the last increment's field scaled to this one */
        if (c->inertia && !c->release)
            ; /* x0 is Newmark's committed state: start from it */
        else if (k > 1)
            for (size_t d = 0; d < s.m.ndof; d++) {
                double inc = s.x[d] - s.x0[d];
                s.x0[d] = s.x[d];
                s.x[d] += inc;
            }
        else
            memcpy(s.x0, s.x, s.m.ndof * sizeof(double));
        s.x[iu] = u1;
        s.dt_v = c->ramp_time / (double)c->steps;
        s.dt = c->inertia && !c->release ? s.dt_v : 0.0;
        st = cont_newton(&s, CONT_TOL);
        if (st != NS_OK) break;
        out->newton += s.newton_its;
        W += 0.5 * (Fp + s.Fbody[0]) * du;
        Fp = s.Fbody[0];
        if (F) F[k] = Fp;
        if (s.visco) cont_visco_step(&s, s.x, 1, &vi);
        if (c->inertia) T = cont_newmark_step(&s, s.x, 1, &E_nm);
    }
    if (st == NS_OK && c->inertia && c->release && c->hold_steps > 0) {
        /* released at rest: the consistent start acceleration a0 = -M^-1 grad Pi
         * (Newmark conserves the energy of a linear body only from it) */
        s.body[0].active = 0;
        s.dt = 0.0;
        cont_energy(&s, s.x, &Pi, CONT_E_GRAD);
        for (size_t d = 0; d < s.m.ndof; d++)
            s.a[d] = s.fixed[d] || d == iu || !(s.mass[d] > 0.0) ? 0.0 : -s.g[d] / s.mass[d];
    }
    for (size_t k = 1; st == NS_OK && (s.visco || c->inertia) && k <= c->hold_steps; k++) {
        s.dt_v = c->hold_time / (double)c->hold_steps;
        s.dt = c->inertia ? s.dt_v : 0.0;
        if (c->release) s.body[0].active = 0;
        st = cont_newton(&s, CONT_TOL);
        if (st != NS_OK) break;
        out->newton += s.newton_its;
        Fp = s.Fbody[0];
        if (F) F[c->steps + k] = c->release ? s.x[1] : Fp;
        if (s.visco) cont_visco_step(&s, s.x, 1, &vi);
        if (c->inertia) T = cont_newmark_step(&s, s.x, 1, &E_nm);
    }
    if (st == NS_OK) {
        s.dt = 0.0; /* the energy of the state, without the step's Newmark term */
        cont_energy(&s, s.x, &Pi, 0);
        if (s.visco) /* eq. (C15): elastic energy, less the relaxed stress's work */
            Pi += vi.W_el - cont_strain_energy(&s, s.x) - s.A_rel + s.W_kv;
        Pi += T; /* eq. (C6): the kinetic energy (0 quasi-static) */
        out->T = T;
        out->E_visc = s.visco ? s.D_rel + s.W_kv : 0.0;
        out->F = Fp;
        out->W = W;
        out->U = Pi - out->E_visc;
        out->dofs = s.m.ndof;
        double df, d2f, ub = s.x[iu];
        for (size_t i = 0; i < s.m.nr; i++) {
            double rho = s.m.r[i] + s.x[2 * i];
            if (rho <= s.body[0].rho1 &&
                ub - cont_body_gap(&s.body[0], ub, rho, &df, &d2f) - s.x[2 * i + 1] > 0.0)
                out->contact_radius = rho;
        }
    }
    cont_sys_free(&s);
    if (st != NS_OK) return ns_status_trace(st, __FILE__, __LINE__, __func__);
    return NS_OK;
}
