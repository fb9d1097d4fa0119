/* Conservation and consistency of the r-z diffusion solver.
 *
 * The Douglas scheme summed over all cells gives
 *   sum M (u' - u) = dt/2 (F_top + F_top' - F_bot - F_bot' - R - R'),
 * and the solver accumulates exactly these trapezoidal fluxes, so
 * donor loss = stored + receptor + cleared holds to round-off whatever the
 * step size, grid, closure or dose. Round-off: each step adds O(n eps) of the
 * content; over <= 1e4 steps on 5e3 cells that is ~1e-11, so 1e-9 (the
 * brief's bound) has two orders of margin. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "diffusion_fixture.h"
#include "../../models/diffusion/diff_private.h"

static ns_diff_result run(const ns_params *p, const ns_channel_geom *ch, size_t nt, double t_end,
                          double *Q, double *J)
{
    double t[64];
    cr_assert(nt <= 64);
    fx_logspace(t_end * 1e-4, t_end, nt, t);
    ns_diff *s = NULL;
    cr_assert(fx_diff_create(p, ch, &s) == NS_OK, "%s", ns_status_message());
    ns_diff_result res;
    cr_assert(ns_diff_solve(s, t, nt, Q, J, &res) == NS_OK, "%s", ns_status_message());
    ns_diff_destroy(&s);
    return res;
}

/* Finite dose (10 um film, 12.5 mg/mL), square array 300 /cm2, a straight
 * channel 35 um x 400 um that closes with a 1.5 h half-life, dermal
 * clearance 3e-4 1/s, sink below: every term of the balance is active. */
Test(diffusion_balance, finite_dose_channel_clearance_closure, .timeout = 60.0)
{
    ns_params p = fx_skin(3e-4);
    p.drug.dose = NS_DOSE_FINITE;
    p.drug.concentration = 12.5;
    p.drug.film_thickness = 10e-6;
    fx_square_array(&p, 300.0 / NS_CM2);
    ns_channel_geom ch = fx_channel(35e-6, 400e-6, 1.5 * NS_HOUR);
    double Q[40], J[40];
    ns_diff_result res = run(&p, &ch, 40, 24 * NS_HOUR, Q, J);
    double dose = 12.5 * 10e-6; /* [kg/m^2] */
    cr_log_info("finite: donor loss %.4e of %.4e kg/m2, Q %.4e, cleared %.4e, skin %.4e, "
                "balance %.2e, %zu steps (+%zu)",
                res.donor_loss, dose, res.permeated_amount, res.cleared_amount, res.skin_amount,
                res.mass_balance_error, res.steps, res.rejected_steps);
    cr_expect(res.mass_balance_error < 1e-9, "balance %.3e", res.mass_balance_error);
    /* The donor can only lose what it held, and a finite dose through a
     * channel loses a sizeable part of it in 24 h. */
    cr_expect(res.donor_loss > 0.05 * dose && res.donor_loss <= dose * (1.0 + 1e-12),
              "donor loss %.4e of %.4e", res.donor_loss, dose);
    cr_expect(res.cleared_amount > 0.0 && res.permeated_amount >= res.cleared_amount);
    for (size_t k = 1; k < 40; k++)
        cr_expect(Q[k] >= Q[k - 1], "Q must not decrease: Q[%zu] = %.6e < %.6e", k, Q[k], Q[k - 1]);
}

/* Coated needle: 2 ug per needle dissolving into the channel, top closed,
 * zero flux below: the drug can only stay or be cleared. */
Test(diffusion_balance, coated_dose_noflux, .timeout = 60.0)
{
    ns_params p = fx_skin(3e-4);
    p.drug.dose = NS_DOSE_COATED;
    p.drug.coated_mass = 2e-9;
    p.drug.solubility = 21.6; /* caffeine [kg/m^3] */
    p.transport.bottom = NS_BOTTOM_NOFLUX;
    fx_square_array(&p, 100.0 / NS_CM2);
    ns_channel_geom ch = fx_channel(50e-6, 600e-6, NS_CHANNEL_HALF_LIFE_OPEN);
    double Q[30], J[30];
    ns_diff_result res = run(&p, &ch, 30, 12 * NS_HOUR, Q, J);
    double Rc = 1.0 / sqrt(NS_PI * 100.0 / NS_CM2);
    double dose = 2e-9 / (NS_PI * Rc * Rc);
    cr_log_info("coated: dose %.4e kg/m2, cleared %.4e, skin %.4e, balance %.2e", dose,
                res.cleared_amount, res.skin_amount, res.mass_balance_error);
    cr_expect(fabs(res.donor_loss - dose) <= 1e-12 * dose, "donor %.6e vs dose %.6e",
              res.donor_loss, dose);
    cr_expect(res.mass_balance_error < 1e-9, "balance %.3e", res.mass_balance_error);
    cr_expect(res.cleared_amount > 0.1 * dose, "12 h of clearance at 3e-4 1/s removes much");
}

/* Intact skin: the 2-D solver (40 radial cells) gives the 1-D laminate
 * (one column, fx_diff_create_column) Q(t): an r-independent field stays r-independent exactly in
 * arithmetic (A_r u = 0), so with the same step sequence (fixed, geometric
 * from 0.05 s by 1.05 per step to 24 h) the two agree to round-off;
 * tolerance 1e-9 of Q(end). (The adaptive runs may pick different steps
 * once round-off differs, which is a time-integration difference instead.) */
Test(diffusion_balance, intact_2d_equals_1d, .timeout = 60.0)
{
    ns_params p = fx_skin(3e-4);
    ns_diff *s2 = NULL, *s1 = NULL;
    cr_assert(fx_diff_create(&p, NULL, &s2) == NS_OK, "%s", ns_status_message());
    cr_assert(fx_diff_create_column(&p, &s1) == NS_OK, "%s", ns_status_message());
    double dt = 0.05, emax = 0.0, Q1 = 0.0, Q2 = 0.0;
    size_t steps = 0;
    while (ns_diff_get_time(s1) < 24 * NS_HOUR) {
        cr_assert(ns_diff_step(s1, dt) == NS_OK && ns_diff_step(s2, dt) == NS_OK, "%s",
                  ns_status_message());
        ns_diff_get_flux(s1, &Q1, NULL);
        ns_diff_get_flux(s2, &Q2, NULL);
        if (fabs(Q2 - Q1) > emax) emax = fabs(Q2 - Q1);
        dt *= 1.05;
        steps++;
    }
    ns_diff_result r1, r2;
    ns_diff_get_result(s1, &r1);
    ns_diff_get_result(s2, &r2);
    cr_log_info("intact 2-D vs 1-D: max |dQ| / Q(end) = %.2e over %zu steps; Q(end) = %.4e kg/m2",
                emax / Q1, steps, Q1);
    cr_expect(emax < 1e-9 * Q1, "2-D and 1-D differ by %.3e of Q(end)", emax / Q1);
    cr_expect(r1.mass_balance_error < 1e-9 && r2.mass_balance_error < 1e-9);
    cr_expect(Q1 > 0.0);
    ns_diff_destroy(&s1);
    ns_diff_destroy(&s2);
}

/* Closure conserves mass: a channel that closes within minutes (half-life
 * 10 min) converts lumen to tissue; the cell contents are kept. */
Test(diffusion_balance, fast_closure_conserves, .timeout = 60.0)
{
    ns_params p = fx_skin(0.0);
    fx_square_array(&p, 200.0 / NS_CM2);
    ns_channel_geom ch = fx_channel(40e-6, 300e-6, 600.0);
    ns_diff_result res = run(&p, &ch, 20, 6 * NS_HOUR, NULL, NULL);
    cr_log_info("fast closure: balance %.2e, %zu steps (+%zu)", res.mass_balance_error, res.steps,
                res.rejected_steps);
    cr_expect(res.mass_balance_error < 1e-9, "balance %.3e", res.mass_balance_error);
}

/* The semi-discrete system of models/diffusion/mol.c (what the PETSc peer of
 * make bench integrates) is the solver's operator: the face conductances
 * enter A symmetrically (A_kl = A_lk, each face once per side), and summed
 * over the cells A u + b is the inflow from the vehicle minus the outflow
 * w . u, for any u, here the field of a closing channel after 20 min. Both
 * are exact up to round-off of the row sums: |sum| <= 1e-12 of the sum of
 * the absolute terms (about n eps = 1e-12 for 4800 cells). */
Test(diffusion_balance, mol_system_conserves, .timeout = 60.0)
{
    ns_params p = fx_skin(3e-4);
    fx_square_array(&p, 300.0 / NS_CM2);
    ns_channel_geom ch = fx_channel(35e-6, 400e-6, 1.5 * NS_HOUR);
    ns_diff *s = NULL;
    cr_assert(fx_diff_create(&p, &ch, &s) == NS_OK, "%s", ns_status_message());
    double t_out = 1200.0;
    cr_assert(ns_diff_solve(s, &t_out, 1, NULL, NULL, NULL) == NS_OK, "%s", ns_status_message());
    size_t n = s->n, nz = s->nz;
    size_t *rp = malloc((n + 1) * sizeof *rp), *col = malloc(5 * n * sizeof *col);
    double *val = malloc(5 * n * sizeof *val), *b = malloc(n * sizeof *b);
    double *M = malloc(n * sizeof *M), *w = malloc(n * sizeof *w);
    cr_assert(rp && col && val && b && M && w);
    cr_assert(diff_mol_system(s, t_out, rp, col, val, b, M, w) == NS_OK, "%s", ns_status_message());
    double sum = 0.0, scale = 0.0, inflow = 0.0;
    for (size_t k = 0; k < n; k++) {
        for (size_t e = rp[k]; e < rp[k + 1]; e++) {
            size_t l = col[e];
            sum += val[e] * s->u[l];
            scale += fabs(val[e] * s->u[l]);
            if (l == k) continue;
            double back = NAN;
            for (size_t f = rp[l]; f < rp[l + 1]; f++)
                if (col[f] == k) back = val[f];
            cr_assert(back == val[e], "A[%zu][%zu] = %.6e but A[%zu][%zu] = %.6e", k, l, val[e], l,
                      k, back);
        }
        sum += b[k] + w[k] * s->u[k];
        scale += fabs(b[k]) + fabs(w[k] * s->u[k]);
        if (k % nz == 0) inflow += b[k] - s->gz[(k / nz) * (nz + 1)] * s->u[k];
    }
    cr_log_info("mol system: sum(A u + b) + w.u = %.3e, inflow %.4e kg/s, scale %.3e", sum, inflow,
                scale);
    cr_expect(fabs(sum - inflow) <= 1e-12 * scale, "sum(A u + b) + w.u = %.6e, inflow %.6e",
              sum, inflow);
    free(rp);
    free(col);
    free(val);
    free(b);
    free(M);
    free(w);
    ns_diff_destroy(&s);
}
