/* One case: derived quantities -> insertion -> channel -> diffusion -> results.
 *
 * The models are pure; this file only chains them and maps their result
 * structs onto the registry of sim/case.h. A case with no puncture is a
 * result (penetration_depth = 0, transport through intact skin), not a
 * failure. Intact skin (array.layout = none) skips the insertion.
 *
 * The enhancement ratio needs the same skin and drug without needles: the
 * diffusion is solved a second time with no channel (skipped when no channel
 * is open, where the ratio is exactly 1 by construction). */
#include "case.h"

#include "../models/channel.h"
#include "../models/continuum.h"
#include "../models/deadline.h"
#include "../models/diffusion.h"
#include "../models/drug.h"
#include "../models/insertion.h"
#include "../models/needle.h"
#include "transport_results.h"
#include "patch.h"
#include "procedure.h"
#include "invariants.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Linear interpolation of (x, y) at xq; x ascending, n >= 1. */
static double interp(const double *x, const double *y, size_t n, double xq)
{
    if (n == 1 || xq <= x[0]) return y[0];
    if (xq >= x[n - 1]) return y[n - 1];
    size_t lo = 0, hi = n - 1;
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (x[mid] <= xq)
            lo = mid;
        else
            hi = mid;
    }
    double dx = x[hi] - x[lo];
    double f = dx > 0.0 ? (xq - x[lo]) / dx : 0.0;
    return y[lo] + f * (y[hi] - y[lo]);
}

static void fill_derived(const ns_params *p, ns_case_result *r)
{
    double *s = r->scalar;
    s[NS_R_TIP_AREA] = ns_needle_tip_area(&p->needle);
    s[NS_R_BUCKLING_LOAD] = ns_needle_buckling_load(&p->needle);
    if (p->array.layout != NS_LAYOUT_NONE) {
        double Rc = ns_array_unit_cell_radius(&p->array);
        s[NS_R_UNIT_CELL_RADIUS] = isfinite(Rc) ? Rc : (double)NAN;
        s[NS_R_PITCH] = p->array.pitch;
        s[NS_R_NEEDLE_DENSITY] = p->array.density;
    }
    s[NS_R_INTACT_PERMEABILITY] = ns_drug_intact_kp(&p->drug);
    s[NS_R_POLAR_PERMEABILITY] = ns_drug_polar_kp(&p->drug);
    s[NS_R_SC_PARTITION] = p->skin.layer[0].partition;
    s[NS_R_SC_DIFFUSIVITY] = p->skin.layer[0].diffusivity;
}

/* Resample the insertion history onto n points uniform in time. */
static void fill_insertion_curves(const ns_ins_history *h, ns_case_result *r)
{
    size_t n = r->sizes.n_insertion;
    if (h->n == 0 || n == 0) return;
    double t0 = h->t[0], t1 = h->t[h->n - 1];
    for (size_t k = 0; k < n; k++) {
        double f = n > 1 ? (double)k / (double)(n - 1) : 1.0;
        double t = t0 + f * (t1 - t0);
        r->curve[NS_C_INSERTION_TIME][k] = t - t0;
        r->curve[NS_C_INSERTION_TRAVEL][k] = interp(h->t, h->travel, h->n, t);
        r->curve[NS_C_INSERTION_FORCE][k] = interp(h->t, h->force, h->n, t);
        r->curve[NS_C_TIP_DEPTH][k] = interp(h->t, h->tip_depth, h->n, t);
    }
}

static void fill_insertion(const ns_ins_result *ins, ns_case_result *r)
{
    double *s = r->scalar;
    s[NS_R_PUNCTURED] = ins->punctured ? 1.0 : 0.0;
    s[NS_R_PUNCTURE_FORCE] = ins->puncture_force;
    s[NS_R_PUNCTURE_DISPLACEMENT] = ins->puncture_displacement;
    s[NS_R_MAX_FORCE] = ins->max_force;
    s[NS_R_TOTAL_FORCE] = ins->total_force;
    s[NS_R_INSERTION_ENERGY] = ins->insertion_energy;
    s[NS_R_PENETRATION_DEPTH] = ins->penetration_depth;
    s[NS_R_INSERTED_FRACTION] = ins->inserted_fraction;
    s[NS_R_DEEPEST_LAYER] = (double)ins->deepest_layer;
    s[NS_R_BUCKLING_MARGIN] = ins->buckling_margin;
    s[NS_R_MAX_TENTING] = ins->max_tenting;
    s[NS_R_MAX_TRAVEL] = ins->max_travel;
    s[NS_R_ENERGY_BALANCE_ERROR] = ins->energy_balance_error;
    s[NS_R_FRICTION_FORCE] = ins->friction_force;
    s[NS_R_RETRACTION_FORCE] = ins->retraction_force;
    s[NS_R_EXCESS_PULL] = ins->excess_pull;
    s[NS_R_FRACTURE_MARGIN] = ins->fracture_margin;
}

/* The insertion by the model insertion.model names (the fast solver or the
 * continuum one: the same input, result and history). */
static ns_status run_insertion(const ns_params *p, ns_ins_result *ins, ns_case_result *r)
{
    int continuum = p->insertion.model == NS_INS_MODEL_CONTINUUM;
    ns_ins *fast = NULL;
    ns_cont *cont = NULL;
    ns_ins_input in;
    ns_ins_input_init(&in, p);
    NS_TRY(continuum ? ns_cont_create(&in, &cont) : ns_ins_create(&in, &fast));
    ns_status st = continuum ? ns_cont_solve(cont, ins) : ns_ins_solve(fast, ins);
    if (st == NS_OK) {
        ns_ins_history h = continuum ? ns_cont_get_history(cont) : ns_ins_get_history(fast);
        fill_insertion_curves(&h, r);
        fill_insertion(ins, r);
    }
    ns_cont_destroy(&cont);
    ns_ins_destroy(&fast);
    if (st != NS_OK) return ns_status_trace(st, __FILE__, __LINE__, __func__);
    return NS_OK;
}

/* One diffusion solve; Q and J may be NULL-free scratch of n_time values.
 * With f, the solver is advanced through t_out one output time at a time
 * and the field captured after each; ns_diff_solve continues from the
 * current state (same adaptive step sequence, same Q, J and peak flux), only
 * its lag time needs all the output times, so it is evaluated here by the
 * rule of models/diffusion.h on the same numbers. */
static ns_status run_diffusion(const ns_params *p, const ns_channel_geom *ch, const double *t_out,
                               size_t n_out, double *Q, double *J, ns_diff_result *res,
                               ns_case_fields *f, double *t_effect)
{
    ns_diff *solver = NULL;
    /* Intact skin is solved in one column and reported on the diff_n_r grid
     * (models/diffusion.h, ns_diff_input.intact_1d). */
    ns_diff_input in;
    ns_diff_input_init(&in, p, ch);
    in.intact_1d = 1;
    NS_TRY(ns_diff_create(&in, &solver));
    /* time_to_effect: a probe at the nerve depth (reads the state only) */
    ns_status st = t_effect ? ns_diff_set_probe(solver, p->procedure.nerve_depth,
                                                p->drug.effect_threshold)
                            : NS_OK;
    if (st == NS_OK && !f) {
        st = ns_diff_solve(solver, t_out, n_out, Q, J, res);
    } else if (st == NS_OK) {
        for (size_t k = 0; k < n_out && st == NS_OK; k++) {
            st = ns_diff_solve(solver, t_out + k, 1, Q + k, J + k, NULL);
            if (st != NS_OK) break;
            const double *rc, *zc, *C;
            size_t nr, nz;
            ns_diff_get_field(solver, &rc, &zc, &C, &nr, &nz);
            if (nr != f->nr || nz != f->nz) {
                st = ns_status_set(NS_EINVAL, __FILE__, __LINE__, __func__,
                                   "diffusion grid %zu x %zu cells differs from the field buffer "
                                   "%zu x %zu", nr, nz, f->nr, f->nz);
                break;
            }
            if (k == 0) {
                memcpy(f->r, rc, nr * sizeof *rc);
                memcpy(f->z, zc, nz * sizeof *zc);
            }
            double *Ck = f->C + k * nz * f->nr;
            for (size_t i = 0; i < f->nr; i++) /* solver order [r][z] -> stored [z][r] */
                for (size_t j = 0; j < nz; j++) Ck[j * f->nr + i] = C[i * nz + j];
        }
        if (st == NS_OK) {
            ns_diff_get_result(solver, res);
            /* Lag time by the solver's own rule (models/diffusion.h). */
            res->lag_time = NAN;
            if (n_out >= 2 && ns_diff_flux_monotone(J, n_out))
                res->lag_time = ns_diff_lag_time(t_out[n_out - 1],
                                                 J[ns_diff_lag_window(t_out, n_out)],
                                                 J[n_out - 1], Q[n_out - 1]);
        }
    }
    if (t_effect) *t_effect = ns_diff_get_probe_time(solver);
    ns_diff_destroy(&solver);
    if (st != NS_OK) return ns_status_trace(st, __FILE__, __LINE__, __func__);
    return NS_OK;
}

/* res receives the needle case's diffusion balance; *ran = 1 if it was run. */
static ns_status run_transport(const ns_params *p, const ns_channel_geom *ch, ns_case_result *r,
                               ns_case_fields *f, ns_diff_result *res_out, int *ran)
{
    size_t n = r->sizes.n_time;
    double *s = r->scalar;
    if (n == 0 || !(p->transport.duration > 0.0)) return NS_OK;

    ns_status st = NS_OK;
    double *t_out = malloc(n * sizeof(double));
    double *Q0 = malloc(n * sizeof(double));
    double *J0 = malloc(n * sizeof(double));
    if (!t_out || !Q0 || !J0) {
        st = ns_status_set(NS_ENOMEM, __FILE__, __LINE__, __func__,
                           "cannot allocate %zu output times", n);
        goto done;
    }
    ns_case_output_times(p->transport.duration, n, t_out);

    ns_diff_result res;
    memset(&res, 0, sizeof res);
    int probe = isfinite(p->drug.effect_threshold);
    NS_TRY_GOTO(st, run_diffusion(p, ch, t_out, n, r->curve[NS_C_PERMEATED_AMOUNT],
                                  r->curve[NS_C_FLUX], &res, f,
                                  probe ? &s[NS_R_TIME_TO_EFFECT] : NULL),
                done);
    /* Baseline and result rules: sim/transport_results.h. */
    ns_diff_result base;
    memset(&base, 0, sizeof base);
    int need_base = ns_transport_needs_baseline(p, ch);
    if (need_base) {
        NS_TRY_GOTO(st, run_diffusion(p, NULL, t_out, n, Q0, J0, &base, NULL,
                                      probe ? &s[NS_R_INTACT_TIME_TO_EFFECT] : NULL),
                    done);
    } else if (!(ch && ch->open)) {
        s[NS_R_INTACT_TIME_TO_EFFECT] = s[NS_R_TIME_TO_EFFECT];
    }
    ns_transport_fill(p, ch, &res, need_base ? &base : NULL, t_out, n, r);
    *res_out = res;
    *ran = 1;
done:
    free(t_out);
    free(Q0);
    free(J0);
    return st;
}

static ns_status case_run(const ns_params *p, ns_case_result *r, ns_case_fields *f)
{
    ns_case_result_reset(r);
    fill_derived(p, r);

    ns_ins_result ins;
    memset(&ins, 0, sizeof ins);
    ns_params pt = *p; /* the punctured needles of a patch make the channels (sim/patch.h) */
    if (p->array.layout != NS_LAYOUT_NONE) {
        NS_TRY(run_insertion(p, &ins, r));
        if (p->insertion.model == NS_INS_MODEL_CONTINUUM) {
            /* the continuum model solves one needle (its unit cell): no rings */
            r->scalar[NS_R_PUNCTURED_FRACTION] = ins.punctured ? 1.0 : 0.0;
            r->scalar[NS_R_PENETRATION_DEPTH_MEAN] = r->scalar[NS_R_PENETRATION_DEPTH_P10] =
                r->scalar[NS_R_PENETRATION_DEPTH_P90] = ins.penetration_depth;
        } else {
            NS_TRY(ns_case_patch(p, &ins, r, &pt));
        }
    } else {
        /* Intact skin: nothing inserted. */
        r->scalar[NS_R_PUNCTURED] = 0.0;
        r->scalar[NS_R_PENETRATION_DEPTH] = 0.0;
        r->scalar[NS_R_INSERTED_FRACTION] = 0.0;
        r->scalar[NS_R_DEEPEST_LAYER] = 0.0;
    }

    ns_channel_geom ch;
    memset(&ch, 0, sizeof ch);
    NS_TRY(ns_channel_eval(p, &ins, &ch));
    if (ch.open) {
        r->scalar[NS_R_CHANNEL_DEPTH] = ch.depth;
        r->scalar[NS_R_CHANNEL_DIAMETER] = 2.0 * ch.radius_surface;
        r->scalar[NS_R_CHANNEL_HALF_LIFE] = ch.half_life;
        r->scalar[NS_R_PORE_HALF_LIFE] = ch.half_life_pore;
    } else {
        r->scalar[NS_R_CHANNEL_DEPTH] = 0.0;
        r->scalar[NS_R_CHANNEL_DIAMETER] = 0.0;
    }

    ns_params q; /* the transport sees the channel population of the procedure */
    NS_TRY(ns_case_procedure_transport(&pt, &ins, &ch, &q));
    /* A vehicle applied a delay after needling meets partly closed channels. */
    ns_channel_geom cht = ch;
    if (ch.open && p->drug.applied == NS_APPLIED_AFTER) ns_channel_after(&ch, p->drug.applied_delay, &cht);
    ns_diff_result dres;
    int diffused = 0;
    NS_TRY(run_transport(&q, ch.open ? &cht : NULL, r, f, &dres, &diffused));
    NS_TRY(ns_case_procedure_results(p, &ins, &ch, r));
    /* Nothing unphysical is stored as ok (sim/invariants.h). */
    return ns_invariants_check(&q, p->array.layout != NS_LAYOUT_NONE ? &ins : NULL,
                               diffused ? &dres : NULL, r);
}

/* case_run under the case's wall-clock limit (models/deadline.h). */
static ns_status case_run_timed(const ns_params *p, ns_case_result *r, ns_case_fields *f)
{
    ns_deadline_start(p->numerics.case_timeout);
    ns_status st = case_run(p, r, f);
    ns_deadline_stop();
    return st;
}

ns_status ns_case_run(const ns_params *p, ns_case_result *r) { return case_run_timed(p, r, NULL); }

static void fill_nan(double *x, size_t n)
{
    for (size_t k = 0; k < n; k++) x[k] = NAN;
}

ns_status ns_case_fields_init(ns_case_fields *f, const ns_params *p, size_t n_time)
{
    memset(f, 0, sizeof *f);
    f->nr = p->numerics.diff_n_r;
    f->nz = p->numerics.diff_n_z;
    f->n_time = n_time;
    size_t nc = n_time * f->nz * f->nr;
    f->r = malloc((f->nr ? f->nr : 1) * sizeof *f->r);
    f->z = malloc((f->nz ? f->nz : 1) * sizeof *f->z);
    f->C = malloc((nc ? nc : 1) * sizeof *f->C);
    if (!f->r || !f->z || !f->C) {
        ns_case_fields_clear(f);
        NS_FAIL(NS_ENOMEM, "cannot allocate a concentration field of %zu x %zu cells x %zu times",
                p->numerics.diff_n_r, p->numerics.diff_n_z, n_time);
    }
    fill_nan(f->r, f->nr);
    fill_nan(f->z, f->nz);
    fill_nan(f->C, nc);
    return NS_OK;
}

void ns_case_fields_clear(ns_case_fields *f)
{
    free(f->r);
    free(f->z);
    free(f->C);
    memset(f, 0, sizeof *f);
}

ns_status ns_case_run_fields(const ns_params *p, ns_case_result *r, ns_case_fields *f)
{
    NS_CHECK(f && f->r && f->z && f->C, NS_EINVAL, "field buffer not initialised");
    NS_CHECK(f->nr == p->numerics.diff_n_r && f->nz == p->numerics.diff_n_z &&
                 f->n_time == r->sizes.n_time,
             NS_EINVAL,
             "field buffer %zu x %zu cells x %zu times does not match numerics.diff_n_r = %zu, "
             "diff_n_z = %zu and %zu output times",
             f->nr, f->nz, f->n_time, p->numerics.diff_n_r, p->numerics.diff_n_z, r->sizes.n_time);
    fill_nan(f->r, f->nr);
    fill_nan(f->z, f->nz);
    fill_nan(f->C, f->n_time * f->nz * f->nr);
    return case_run_timed(p, r, f);
}
