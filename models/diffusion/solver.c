/* Diffusion solver: input checks, create / destroy, the dose, the output
 * loop (solve), getters and the lag time. Equations, grid and scheme:
 * models/diffusion.h; method families: diff_private.h. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../deadline.h"
#include "../drug.h"
#include "../needle.h"
#include "../param_table.h"
#include "../skin.h"
#include "../units.h"
#include "diff_private.h"

/* Closure landing: the step ends CLOSE_LAND_REL of the closure time past it
 * (so the end of step, t0 + dt in floating point, is surely past it: the
 * radius is then below the solute by about 1e-11 of it, far above
 * round-off); no landing when the closure is closer than CLOSE_MIN_REL of
 * it (a step that small would be near the round-off floor of the step). */
#define CLOSE_LAND_REL 1e-12
#define CLOSE_MIN_REL  1e-9

/* Depth H of the modelled domain [m] (auto: the skin's default depth). */
static ns_status domain_depth(const ns_diff_input *p, double *H)
{
    double h = p->transport->depth;
    if (isnan(h)) h = ns_skin_default_depth(p->skin);
    NS_TRY(ns_skin_depth_check(p->skin, h));
    *H = h;
    return NS_OK;
}

/* Ranges of the values read here: their rows of the parameter table, where
 * they are written (the same check as `needlesim check`). The one-column
 * solve of intact skin is asked for by ns_diff_input.intact_1d, not by a grid
 * below the table's diff_n_r range. */

static ns_status check_inputs(const ns_diff_input *p, double H)
{
    const ns_numerics_params *nm = p->numerics;
    NS_TRY(ns_param_check_value("numerics", "diff_n_r", NULL, (double)nm->diff_n_r));
    NS_TRY(ns_param_check_value("numerics", "diff_n_z", NULL, (double)nm->diff_n_z));
    NS_TRY(ns_param_check_value("numerics", "diff_rtol", NULL, nm->diff_rtol));
    NS_TRY(ns_param_check_value("numerics", "diff_max_steps", NULL, (double)nm->diff_max_steps));
    NS_TRY(ns_param_check_value("numerics", "diff_rim_refine", NULL, nm->diff_rim_refine));
    NS_TRY(ns_param_check_value("numerics", "diff_cut_faces", NULL, nm->diff_cut_faces));
    const ns_drug_params *d = p->drug;
    NS_CHECK((int)d->dose >= 0 && d->dose < NS_DOSE_COUNT, NS_EINVAL, "drug.dose = %d: unknown mode",
             (int)d->dose);
    NS_CHECK((int)p->transport->bottom >= 0 && p->transport->bottom < NS_BOTTOM_COUNT, NS_EINVAL,
             "transport.bottom = %d: unknown boundary", (int)p->transport->bottom);
    int reservoir = d->dose == NS_DOSE_COATED || d->dose == NS_DOSE_DISSOLVING;
    /* A dose of nothing (concentration or coated mass 0) is a problem the
     * solver can solve: a given initial field with no source, as the
     * verification tests set it (ns_diff_set_field). The table's open lower
     * end is the user rule (a config that applies no drug is a mistake), so
     * the solver's limit is the second fact: finite and >= 0. */
    double dose_value = reservoir ? d->coated_mass : d->concentration;
    NS_CHECK(isfinite(dose_value) && dose_value >= 0.0, NS_EINVAL,
             "drug.%s = %g %s: expected [0, inf) for the solver",
             reservoir ? "coated_mass" : "concentration", dose_value, reservoir ? "kg" : "kg/m3");
    if (d->dose == NS_DOSE_FINITE)
        NS_TRY(ns_param_check_value("drug", "film_thickness", NULL, d->film_thickness));
    const ns_skin_params *sk = p->skin;
    for (size_t i = 0; i < sk->n_layers; i++) {
        if (ns_skin_layer_top(sk, i) >= H) break;
        const ns_layer *l = &sk->layer[i];
        const char *name = ns_skin_layer_name(sk, i);
        /* auto (NaN) is in the table's range: the solver needs the derived value */
        NS_CHECK(!isnan(l->diffusivity) && !isnan(l->partition), NS_EINVAL,
                 "skin.%s.diffusivity or partition = auto: derive them from the drug first "
                 "(ns_params_derive)", name);
        NS_TRY(ns_param_check_value("skin", "diffusivity", name, l->diffusivity));
        NS_TRY(ns_param_check_value("skin", "partition", name, l->partition));
        NS_TRY(ns_param_check_value("skin", "clearance", name, l->clearance));
    }
    return NS_OK;
}

/* Every array of the solver, zeroed. Exceptions: NS_ENOMEM. */
static ns_status alloc_arrays(ns_diff *s)
{
    size_t nr = s->nr, nz = s->nz, n = s->n;
    size_t nl = nr > nz ? nr : nz;
#define ALLOC(ptr, count)                                                                         \
    do {                                                                                          \
        (ptr) = calloc((count), sizeof *(ptr));                                                   \
        if (!(ptr)) {                                                                             \
            NS_FAIL(NS_ENOMEM, "cannot allocate %zu values for a %zu x %zu grid", (size_t)(count), \
                    nr, nz);                                                                      \
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
    ALLOC(s->c_n, n);
    ALLOC(s->c_full, n);
    ALLOC(s->c_half, n);
    ALLOC(s->u_two, n);
    ALLOC(s->dkz, n);
    ALLOC(s->ustar, n);
    ALLOC(s->az, n);
    ALLOC(s->ybuf, n);
    ALLOC(s->Cbuf, s->nr_out * nz);
    ALLOC(s->wch, n);
    ALLOC(s->qx, n);
    ALLOC(s->qs, n);
    ALLOC(s->la, nl);
    ALLOC(s->lb, nl);
    ALLOC(s->lc, nl);
    ALLOC(s->ld, nl);
    ALLOC(s->lx, nl);
    ALLOC(s->lcp, nl);
#undef ALLOC
    return NS_OK;
}

/* Vehicle concentration, film thickness and the error-scale floor; a coated
 * or dissolving dose starts with an empty skin and the drug on the needle
 * (the reservoir of dose.c). */
static ns_status dose_init(ns_diff *s, const ns_drug_params *drug)
{
    int reservoir = s->dose == NS_DOSE_COATED || s->dose == NS_DOSE_DISSOLVING;
    s->Cv0 = reservoir ? 0.0 : drug->concentration;
    s->Cv = s->Cv0;
    s->h_f = drug->film_thickness;
    s->u_scale = s->Cv0;
    NS_TRY(diff_dose_init(s, drug));
    return NS_OK;
}

/* First step: a fraction of the fastest cell diffusion time M / sum(g). */
static double first_step(const ns_diff *s)
{
    size_t nr = s->nr, nz = s->nz;
    double tau = INFINITY;
    for (size_t i = 0; i < nr; i++)
        for (size_t j = 0; j < nz; j++) {
            size_t k = idx(i, j, nz);
            double gsum = s->gz[i * (nz + 1) + j] + s->gz[i * (nz + 1) + j + 1] +
                          s->gr[j * (nr + 1) + i] + s->gr[j * (nr + 1) + i + 1];
            if (gsum > 0.0 && s->M[k] / gsum < tau) tau = s->M[k] / gsum;
        }
    return isfinite(tau) ? NS_DIFF_DT0_FRACTION * tau : 1.0;
}

/* The reported radial grid of a column solve (ns_diff_input.intact_1d): the
 * faces and centres diff_grid_r builds for nr_out cells without a channel,
 * built here on the solver's own r arrays before they are sized for the one
 * stepped column (so they are the faces a full 2-D solve would use).
 * Exceptions: NS_ENOMEM, NS_EINVAL (from the grid). */
static ns_status reported_grid(ns_diff *s, const ns_array_params *ar)
{
    size_t nr = s->nr_out;
    s->rf_out = calloc(nr + 1, sizeof *s->rf_out);
    s->rc_out = calloc(nr, sizeof *s->rc_out);
    if (!s->rf_out || !s->rc_out)
        NS_FAIL(NS_ENOMEM, "cannot allocate the reported radial grid of %zu cells", nr);
    size_t nr_solved = s->nr;
    double *rf_solved = s->rf;
    s->nr = nr;
    s->rf = s->rf_out;
    ns_status st = diff_grid_r(s, ar, NULL);
    s->nr = nr_solved;
    s->rf = rf_solved;
    if (st != NS_OK) return ns_status_trace(st, __FILE__, __LINE__, __func__);
    for (size_t i = 0; i < nr; i++) s->rc_out[i] = 0.5 * (s->rf_out[i] + s->rf_out[i + 1]);
    return NS_OK;
}

void ns_diff_input_init(ns_diff_input *in, const ns_params *p, const ns_channel_geom *ch)
{
    in->skin = &p->skin;
    in->drug = &p->drug;
    in->array = &p->array;
    in->channel = ch;
    in->transport = &p->transport;
    in->numerics = &p->numerics;
    in->intact_1d = 0;
}

ns_status ns_diff_create(const ns_diff_input *in, ns_diff **out)
{
    NS_CHECK(out != NULL, NS_EINVAL, "NULL output pointer");
    *out = NULL;
    NS_CHECK(in != NULL && in->skin && in->drug && in->array && in->transport && in->numerics,
             NS_EINVAL, "NULL input or input part");
    const ns_channel_geom *ch = in->channel;
    const ns_drug_params *drug = in->drug;
    NS_CHECK(in->skin->n_layers >= 1 && in->skin->n_layers <= NS_LAYER_MAX, NS_EINVAL,
             "skin.n_layers = %zu: must be 1..%d", in->skin->n_layers, NS_LAYER_MAX);
    double H = 0.0;
    NS_TRY(domain_depth(in, &H));
    NS_TRY(check_inputs(in, H));
    int has_ch = ch != NULL && ch->open;
    if (has_ch) {
        NS_CHECK(ch->n >= 2 && ch->n <= NS_CHANNEL_NPROF && isfinite(ch->depth) && ch->depth > 0.0,
                 NS_EINVAL, "channel geometry: depth = %g m with %zu profile points (need > 0, 2..64)",
                 ch->depth, ch->n);
        NS_CHECK(isfinite(ch->half_life) && ch->half_life > 0.0, NS_EINVAL,
                 "channel half_life = %g s: must be > 0", ch->half_life);
        NS_TRY(ns_param_check_value("drug", "free_diffusivity", NULL, drug->free_diffusivity));
    }

    ns_status st = NS_OK;
    ns_diff *s = calloc(1, sizeof *s);
    if (!s) NS_FAIL(NS_ENOMEM, "cannot allocate the diffusion solver");
    int column = in->intact_1d && !has_ch && in->numerics->diff_n_r > 1;
    s->nr_out = in->numerics->diff_n_r;
    s->nr = column ? 1 : s->nr_out;
    s->nz = in->numerics->diff_n_z;
    s->n = s->nr * s->nz;
    s->H = H;
    s->has_ch = has_ch;
    s->dose = drug->dose;
    s->bottom = in->transport->bottom;
    s->rtol = in->numerics->diff_rtol;
    s->max_steps = in->numerics->diff_max_steps;
    s->rim_refine = in->numerics->diff_rim_refine;
    s->cut_faces = in->numerics->diff_cut_faces > 0.5;
    s->lag_time = NAN;
    s->donor_closed = NAN;

    NS_TRY_GOTO(st, alloc_arrays(s), fail);
    if (column) NS_TRY_GOTO(st, reported_grid(s, in->array), fail);
    const ns_skin_params *sk = in->skin;
    NS_TRY_GOTO(st, diff_grid_z(s, sk, ch), fail);
    NS_TRY_GOTO(st, diff_grid_r(s, in->array, ch), fail);
    diff_grid_cells(s, sk);
    /* channel material */
    if (has_ch) {
        s->D_free = drug->free_diffusivity;
        s->a_solute = isfinite(drug->radius) ? drug->radius : ns_drug_stokes_radius(drug);
        s->closing = isfinite(ch->half_life) && (ch->half_life < 1e30 || (ch->half_life_pore > 0.0 && ch->half_life_pore < 1e30));
    }
    diff_set_coefficients(s, 0.0, 0);
    NS_TRY_GOTO(st, diff_block_init(s), fail);
    NS_TRY_GOTO(st, dose_init(s, drug), fail);
    s->stored_ref = 0.0;
    s->dt_next = first_step(s);
    *out = s;
    return NS_OK;
fail:
    ns_diff_destroy(&s);
    return st;
}


/* ---- public API ----------------------------------------------------------------- */

double ns_diff_get_time(const ns_diff *s) { return s->t; }

void ns_diff_get_flux(const ns_diff *s, double *Q, double *J)
{
    if (Q) *Q = (s->receptor + s->cleared) / s->area;
    if (J) *J = diff_outflow(s, s->u) / s->area;
}

void ns_diff_get_domain(const ns_diff *s, double *R, double *H)
{
    if (R) *R = s->R;
    if (H) *H = s->H;
}

void ns_diff_get_result(const ns_diff *s, ns_diff_result *res)
{
    double stored = diff_stored_mass(s);
    double absolute = 0.0; /* scale for the balance: total |content| */
    for (size_t k = 0; k < s->n; k++) absolute += s->M[k] * fabs(s->u[k]);
    double skin = 0.0, sc = 0.0;
    for (size_t i = 0; i < s->nr; i++)
        for (size_t j = 0; j < s->nz; j++) {
            double m = s->M[idx(i, j, s->nz)] * s->u[idx(i, j, s->nz)];
            if (s->is_ve_dermis_col[s->layer[j]]) skin += m;
            if (s->has_sc && s->layer[j] == NS_LAYER_SC) sc += m;
        }
    double resid = stored - s->stored_ref - (s->donor - s->receptor - s->cleared);
    double ref = fabs(s->donor);
    if (s->stored_ref > ref) ref = s->stored_ref;
    if (absolute > ref) ref = absolute;
    res->permeated_amount = (s->receptor + s->cleared) / s->area;
    res->peak_flux = s->peak_flux;
    res->lag_time = s->lag_time;
    res->skin_amount = skin / s->area;
    res->sc_amount = s->has_sc ? sc / s->area : (double)NAN;
    res->total_skin_amount = stored / s->area;
    res->cleared_amount = s->cleared / s->area;
    double dose = NAN; /* [kg] the applied dose in the unit cell */
    if (s->dose == NS_DOSE_COATED || s->dose == NS_DOSE_DISSOLVING)
        dose = s->m_res0;
    else if (s->dose == NS_DOSE_FINITE)
        dose = s->Cv0 * s->h_f * s->area;
    res->dose_amount = dose / s->area;
    res->delivered_fraction = dose > 0.0 ? (s->receptor + s->cleared) / dose : (double)NAN;
    res->skin_fraction = dose > 0.0 ? stored / dose : (double)NAN;
    res->release_t90 = s->t_res90;
    res->donor_loss = s->donor / s->area;
    res->mass_balance_error = ref > 0.0 ? fabs(resid) / ref : 0.0;
    res->area = s->area;
    res->delivered_before_closure = s->donor_closed / s->area;
    res->steps = s->steps;
    res->rejected_steps = s->rejected;
}

/* Free concentration u of the probe: the outer cell (r next to R) of its
 * depth row, the point at that depth farthest from the channel. */
static double probe_value(const ns_diff *s) { return s->u[idx(s->nr - 1, s->probe_j, s->nz)]; }

/* After an accepted step: record the first crossing of the threshold,
 * linear in time between the previous sample and this one. Reads the state
 * only (the solution does not depend on a probe). */
static void probe_sample(ns_diff *s)
{
    double u = probe_value(s);
    if (isnan(s->probe_cross) && u >= s->probe_thr) {
        double du = u - s->probe_u;
        double f = du > 0.0 ? (s->probe_thr - s->probe_u) / du : 1.0;
        s->probe_cross = s->probe_t + f * (s->t - s->probe_t);
    }
    s->probe_t = s->t;
    s->probe_u = u;
}

ns_status ns_diff_set_probe(ns_diff *s, double z, double threshold)
{
    NS_CHECK(s != NULL, NS_EINVAL, "probe: NULL solver");
    NS_CHECK(z >= 0.0 && z <= s->H, NS_EINVAL, "probe depth %g m: expected [0 m, %g m] (the domain)",
             z, s->H);
    NS_CHECK(threshold > 0.0 && isfinite(threshold), NS_EINVAL,
             "probe threshold %g kg/m3: expected > 0", threshold);
    size_t j = 0;
    while (j + 1 < s->nz && s->zf[j + 1] < z) j++;
    s->probe_on = 1;
    s->probe_j = j;
    s->probe_thr = threshold;
    s->probe_t = s->t;
    s->probe_u = probe_value(s);
    s->probe_cross = s->probe_u >= threshold ? s->t : (double)NAN;
    return NS_OK;
}

double ns_diff_get_probe_time(const ns_diff *s)
{
    return (s && s->probe_on) ? s->probe_cross : (double)NAN;
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
    double J_mid = NAN, J_end = NAN, Q_end = NAN, J_max = -INFINITY;
    int monotone = 1;
    {
        double J0 = diff_outflow(s, s->u) / s->area;
        if (J0 > s->peak_flux) s->peak_flux = J0;
    }
    for (size_t k = 0; k < n_out; k++) {
        while (s->t < t_out[k]) {
            double remain = t_out[k] - s->t;
            double taken = 0.0;
            /* A step ends just after the channel closes to the solute
             * (ns_channel_closed_time), so delivered_before_closure is the
             * donor loss at that time, not at the end of a longer step
             * across it (up to a day later at 100 h) that adds the intact
             * skin's uptake meanwhile. */
            if (s->closing) {
                double tc = ns_channel_closed_time(&s->ch, s->r_max, s->a_solute);
                double to_close = tc * (1.0 + CLOSE_LAND_REL) - s->t;
                if (to_close > CLOSE_MIN_REL * tc && to_close < remain) remain = to_close;
            }
            NS_TRY(ns_deadline_check("diffusion", s->t)); /* numerics.case_timeout */
            /* Land exactly: a remainder below 1e-12 of the time is absorbed. */
            NS_TRY(diff_adaptive_step(s, remain, &taken));
            if (t_out[k] - s->t <= 1e-12 * t_out[k]) s->t = t_out[k];
            double J = diff_outflow(s, s->u) / s->area;
            if (J > s->peak_flux) s->peak_flux = J;
            if (s->probe_on) probe_sample(s);
            if (s->ch_closed && isnan(s->donor_closed)) s->donor_closed = s->donor;
        }
        double Q, J;
        ns_diff_get_flux(s, &Q, &J);
        if (Q_out) Q_out[k] = Q;
        if (J_out) J_out[k] = J;
        if (k == k_mid) J_mid = J;
        if (ns_diff_flux_dips(J, J_max)) monotone = 0;
        if (J > J_max) J_max = J;
        if (k == n_out - 1) {
            J_end = J;
            Q_end = Q;
        }
    }
    /* Lag time from the late linear part of a monotone approach (diffusion.h). */
    s->lag_time = n_out >= 2 && monotone ? ns_diff_lag_time(t_end, J_mid, J_end, Q_end) : (double)NAN;
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

int ns_diff_flux_dips(double J, double J_max)
{
    return J_max > 0.0 && J < (1.0 - NS_DIFF_MONOTONE_TOL) * J_max;
}

int ns_diff_flux_monotone(const double *J, size_t n)
{
    double J_max = -INFINITY;
    for (size_t k = 0; k < n; k++) {
        if (ns_diff_flux_dips(J[k], J_max)) return 0;
        if (J[k] > J_max) J_max = J[k];
    }
    return 1;
}

/* Linear interpolation of y over increasing x at xq (clamped). */
static double lerp_at(const double *x, const double *y, size_t n, double xq)
{
    if (xq <= x[0]) return y[0];
    for (size_t k = 1; k < n; k++)
        if (x[k] >= xq) {
            double f = (xq - x[k - 1]) / (x[k] - x[k - 1]);
            return y[k - 1] + f * (y[k] - y[k - 1]);
        }
    return y[n - 1];
}

double ns_diff_t90_flux(const double *t, const double *J, size_t n)
{
    double J_pk = 0.0;
    for (size_t k = 0; k < n; k++)
        if (J[k] > J_pk) J_pk = J[k];
    if (!(J_pk > 0.0)) return NAN;
    double J90 = NS_DIFF_T90_LEVEL * J_pk;
    if (J[0] >= J90) return t[0];
    for (size_t k = 1; k < n; k++)
        if (J[k] >= J90) return t[k - 1] + (J90 - J[k - 1]) / (J[k] - J[k - 1]) * (t[k] - t[k - 1]);
    return NAN;
}

double ns_diff_burst_fraction(const double *t, const double *Q, size_t n)
{
    if (n < 2 || !(Q[n - 1] > 0.0)) return NAN;
    return lerp_at(t, Q, n, NS_DIFF_BURST_WINDOW * t[n - 1]) / Q[n - 1];
}

void ns_diff_get_field(ns_diff *s, const double **r, const double **z, const double **C,
                       size_t *nr, size_t *nz)
{
    /* a repeated column (intact_1d): every reported radial cell shows cell 0 */
    size_t nz_ = s->nz;
    for (size_t i = 0; i < s->nr_out; i++)
        for (size_t j = 0; j < nz_; j++) {
            size_t k = idx(s->nr == s->nr_out ? i : 0, j, nz_);
            s->Cbuf[idx(i, j, nz_)] = s->cap[k] * s->u[k];
        }
    if (r) *r = s->rc_out ? s->rc_out : s->rc;
    if (z) *z = s->zc;
    if (C) *C = s->Cbuf;
    if (nr) *nr = s->nr_out;
    if (nz) *nz = s->nz;
}

void ns_diff_get_faces(const ns_diff *s, const double **rf, const double **zf)
{
    if (rf) *rf = s->rf_out ? s->rf_out : s->rf;
    if (zf) *zf = s->zf;
}

ns_status ns_diff_set_field(ns_diff *s, const double *C)
{
    NS_CHECK(s != NULL && C != NULL, NS_EINVAL, "NULL argument");
    for (size_t k = 0; k < s->n; k++)
        NS_CHECK(isfinite(C[k]), NS_EINVAL, "C[%zu] = %g kg/m^3: must be finite", k, C[k]);
    for (size_t k = 0; k < s->n; k++) s->u[k] = C[k] / s->cap[k];
    s->donor = s->receptor = s->cleared = 0.0;
    s->stored_ref = diff_stored_mass(s);
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
                      s->c_n, s->c_full, s->c_half, s->u_two, s->ustar, s->az, s->ybuf, s->Cbuf,
                      s->dkz, s->wch, s->qx, s->qs, s->rf_out, s->rc_out, s->blk, s->ev,
                      s->la,  s->lb,     s->lc,    s->ld,    s->lx,    s->lcp};
    for (size_t k = 0; k < sizeof bufs / sizeof bufs[0]; k++) free(bufs[k]);
    free(s->layer);
    free(s);
    *sp = NULL;
}

