/* Unit tests of models/insertion: input validation and robustness over the
 * documented input ranges (Latin hypercube, fixed seed). */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <string.h>

#include "../../models/defaults.h"
#include "../../models/insertion.h"
#include "../../models/needle.h"
#include "../../models/skin.h"

/* Criterion's assertion macros trip -Wconversion on their bit-field flags. */
#pragma GCC diagnostic ignored "-Wconversion"

static ns_params base(void)
{
    ns_params p;
    ns_params_default(&p);
    cr_assert(eq(int, ns_params_derive(&p), NS_OK), "%s", ns_status_message());
    return p;
}

/* ns_ins_create on the parts of the whole case p. */
static ns_status create(const ns_params *p, ns_ins **s)
{
    ns_ins_input in;
    ns_ins_input_init(&in, p);
    return ns_ins_create(&in, s);
}

Test(insertion, rejects_missing_input_part)
{
    ns_params p = base();
    ns_ins_input in;
    ns_ins_input_init(&in, &p);
    in.calibration = NULL;
    ns_ins *s = NULL;
    cr_assert(eq(int, ns_ins_create(&in, &s), NS_EINVAL));
    cr_assert(s == NULL);
    cr_assert(eq(int, ns_ins_create(NULL, &s), NS_EINVAL));
}

Test(insertion, rejects_bad_numerics)
{
    ns_params p = base();
    ns_ins *s = NULL;
    p.numerics.ins_n_r = 3;
    cr_assert(eq(int, create(&p, &s), NS_EINVAL));
    cr_assert(s == NULL);
    cr_assert(strstr(ns_status_message(), "ins_n_r") != NULL);
    p = base();
    p.numerics.ins_rtol = 0.0;
    cr_assert(eq(int, create(&p, &s), NS_EINVAL));
    p = base();
    p.numerics.ins_max_steps = 2;
    cr_assert(eq(int, create(&p, &s), NS_EINVAL));
    p = base();
    p.numerics.ins_max_newton = 1;
    cr_assert(eq(int, create(&p, &s), NS_EINVAL));
}

Test(insertion, rejects_bad_needle_and_applicator)
{
    ns_params p = base();
    ns_ins *s = NULL;
    p.needle.tip_radius = -1e-6;
    cr_assert(eq(int, create(&p, &s), NS_EINVAL));
    p = base();
    p.applicator.speed = 0.0;
    cr_assert(eq(int, create(&p, &s), NS_EINVAL));
    p = base();
    p.array.layout = NS_LAYOUT_NONE;
    cr_assert(eq(int, create(&p, &s), NS_EINVAL));
    p = base();
    p.applicator.stroke = 0.0;
    cr_assert(eq(int, create(&p, &s), NS_EINVAL));
    cr_assert(eq(int, ns_ins_set_fixed_step(NULL, 1e-3), NS_EINVAL));
}

Test(insertion, step_cap_reports_econv)
{
    gsl_set_error_handler_off();
    ns_params p = base();
    p.numerics.ins_max_steps = 12;
    ns_ins *s = NULL;
    ns_ins_result r;
    cr_assert(eq(int, create(&p, &s), NS_OK));
    cr_assert(eq(int, ns_ins_solve(s, &r), NS_ECONV));
    cr_assert(strstr(ns_status_message(), "t =") != NULL, "%s", ns_status_message());
    ns_ins_destroy(&s);
    cr_assert(s == NULL);
    ns_ins_destroy(&s); /* NULL-safe */
}

Test(insertion, history_is_consistent)
{
    gsl_set_error_handler_off();
    ns_params p = base();
    ns_ins *s = NULL;
    ns_ins_result r;
    cr_assert(eq(int, create(&p, &s), NS_OK));
    cr_assert(eq(int, ns_ins_solve(s, &r), NS_OK));
    ns_ins_history h = ns_ins_get_history(s);
    cr_assert(h.n == r.steps + 1, "history %zu samples, %zu steps", h.n, r.steps);
    double fmax_h = 0.0;
    for (size_t i = 1; i < h.n; i++) {
        cr_assert(h.t[i] > h.t[i - 1]);
        fmax_h = fmax(fmax_h, h.force[i]);
    }
    /* the same numbers, so exact */
    cr_assert(fmax_h == r.max_force);
    ns_ins_destroy(&s);
}

/* Latin hypercube over all mechanical inputs (fixed seed 20240611): every
 * case ends NS_OK with finite results or with a non-empty reason. Coarse
 * numerics (30 radial points) keep 2000 cases well under a minute (release);
 * under the sanitizers on two shared cores the run takes 210-250 s, hence
 * the timeout (a guard against stalls, not a speed check). */
#define N_LHS 2000
#define N_DIM 12
Test(insertion, latin_hypercube_robustness, .timeout = 600.0)
{
    gsl_set_error_handler_off();
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 20240611UL);
    static size_t perm[N_DIM][N_LHS];
    for (size_t d = 0; d < N_DIM; d++) {
        for (size_t i = 0; i < N_LHS; i++) perm[d][i] = i;
        for (size_t i = N_LHS - 1; i > 0; i--) {
            size_t j = gsl_rng_uniform_int(rng, i + 1), t = perm[d][i];
            perm[d][i] = perm[d][j];
            perm[d][j] = t;
        }
    }
    const char *skins[] = {"forearm", "face", "abdomen", "back", "porcine_ear", "rat", "membrane"};
    size_t ok = 0, failed = 0, punct = 0;
    for (size_t c = 0; c < N_LHS; c++) {
        double x[N_DIM];
        for (size_t d = 0; d < N_DIM; d++)
            x[d] = ((double)perm[d][c] + gsl_rng_uniform(rng)) / (double)N_LHS;
        ns_params p;
        ns_params_default(&p);
        cr_assert(eq(int, ns_skin_preset(skins[(size_t)(x[0] * 7.0)], &p.skin), NS_OK));
        p.needle.shape = (ns_needle_shape)(int)(x[1] * (double)NS_SHAPE_COUNT);
        p.needle.length = 0.15e-3 * pow(100.0, x[2]);            /* 0.15-15 mm */
        p.needle.base_diameter = 0.1e-3 + 0.4e-3 * x[3];         /* 0.1-0.5 mm */
        p.needle.tip_radius = 1.0e-6 + 0.24 * p.needle.base_diameter * x[4];
        p.needle.tip_angle = (10.0 + 60.0 * x[5]) * M_PI / 180.0;
        p.applicator.mode = (ns_applicator_mode)(int)(x[6] * (double)NS_APPLICATOR_COUNT);
        int layout = 1 + (int)(x[7] * 3.0); /* single, square, hexagonal */
        p.array.layout = p.applicator.mode == NS_APPLICATOR_ROLLER ? NS_LAYOUT_ROLLER
                                                                   : (ns_array_layout)layout;
        p.array.count = p.array.layout == NS_LAYOUT_SINGLE ? 1.0 : 10.0 + 190.0 * x[8];
        p.array.density = 1.0e5 * pow(100.0, x[8]); /* 10-1000 /cm2 */
        p.array.pitch = NAN;
        double sp = x[9];
        switch (p.applicator.mode) {
        case NS_APPLICATOR_PRESS: p.applicator.speed = 1e-4 * pow(100.0, sp); break;
        case NS_APPLICATOR_IMPACT: p.applicator.speed = 0.5 + 5.5 * sp; break;
        case NS_APPLICATOR_PEN: p.applicator.frequency = 50.0 + 100.0 * sp; break;
        default: p.applicator.speed = 5e-3 + 0.1 * sp; break;
        }
        p.applicator.force = 0.5 * pow(100.0, x[10]); /* 0.5-50 N */
        p.applicator.mass = 1e-3 * pow(100.0, x[11]); /* 1-100 g */
        p.applicator.depth_setting = 0.25e-3 + 2.0e-3 * x[11];
        p.applicator.drum_radius = 5e-3 + 10e-3 * x[10];
        p.numerics.ins_n_r = 30;
        ns_status_clear();
        ns_status st = ns_params_derive(&p);
        if (st == NS_OK) st = ns_params_check(&p);
        if (st == NS_OK) {
            ns_ins *s = NULL;
            ns_ins_result r;
            st = create(&p, &s);
            if (st == NS_OK) st = ns_ins_solve(s, &r);
            if (st == NS_OK) {
                cr_assert(isfinite(r.max_force) && isfinite(r.penetration_depth) &&
                              isfinite(r.max_tenting) && isfinite(r.insertion_energy) &&
                              isfinite(r.energy_balance_error),
                          "case %zu: non-finite result", c);
                cr_assert(r.penetration_depth >= 0.0 && r.penetration_depth <= p.needle.length * (1 + 1e-12));
                cr_assert(r.deepest_layer >= 0 && r.deepest_layer <= 4);
                if (r.punctured) {
                    punct++;
                    cr_assert(isfinite(r.puncture_force));
                }
            }
            ns_ins_destroy(&s);
        }
        if (st == NS_OK)
            ok++;
        else {
            failed++;
            cr_assert(strlen(ns_status_message()) > 0, "case %zu failed (%d) without a reason", c, (int)st);
        }
    }
    cr_log_info("LHS: %zu ok (%zu punctured), %zu rejected/failed with a reason", ok, punct, failed);
    /* most of the hypercube is valid input: at least half must run */
    cr_assert(ok > N_LHS / 2, "only %zu of %d cases ran", ok, N_LHS);
    gsl_rng_free(rng);
}
