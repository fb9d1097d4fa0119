/* Unit tests of models/diffusion: input checks (every NS_CHECK of create and
 * solve), grid properties, getters, lifecycle. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "../verify/diffusion_fixture.h"

static ns_status create(const ns_params *p, const ns_channel_geom *ch)
{
    ns_diff *s = NULL;
    ns_status st = fx_diff_create(p, ch, &s);
    if (st != NS_OK) cr_expect(s == NULL, "failed create must leave *out NULL");
    ns_diff_destroy(&s);
    return st;
}

static void expect_einval(const ns_params *p, const ns_channel_geom *ch, const char *word)
{
    cr_expect(create(p, ch) == NS_EINVAL, "expected NS_EINVAL naming %s", word);
    cr_expect(strstr(ns_status_message(), word) != NULL, "message '%s' should name %s",
              ns_status_message(), word);
}

Test(diffusion, rejects_bad_numerics)
{
    ns_params p = fx_skin(0.0);
    p.numerics.diff_n_r = 0;
    expect_einval(&p, NULL, "diff_n_r");
    p = fx_skin(0.0);
    p.numerics.diff_n_z = 4;
    expect_einval(&p, NULL, "diff_n_z");
    p = fx_skin(0.0);
    p.numerics.diff_rtol = 0.5;
    expect_einval(&p, NULL, "diff_rtol");
    p = fx_skin(0.0);
    p.numerics.diff_max_steps = 0;
    expect_einval(&p, NULL, "diff_max_steps");
}

Test(diffusion, rejects_bad_layers_and_dose)
{
    ns_params p = fx_skin(0.0);
    p.skin.layer[1].diffusivity = NAN;
    expect_einval(&p, NULL, "diffusivity");
    p = fx_skin(0.0);
    p.skin.layer[0].partition = -1.0;
    expect_einval(&p, NULL, "partition");
    p = fx_skin(0.0);
    p.skin.layer[2].clearance = -1e-4;
    expect_einval(&p, NULL, "clearance");
    p = fx_skin(0.0);
    p.drug.concentration = -2.0;
    expect_einval(&p, NULL, "concentration");
    p = fx_skin(0.0);
    p.drug.dose = NS_DOSE_FINITE;
    p.drug.film_thickness = 0.0;
    expect_einval(&p, NULL, "film_thickness");
    p = fx_skin(0.0);
    p.drug.dose = NS_DOSE_COATED;
    p.drug.coated_mass = -1e-9;
    expect_einval(&p, NULL, "coated_mass");
    p = fx_skin(0.0);
    p.drug.dose = (ns_dose_mode)7;
    expect_einval(&p, NULL, "dose");
    p = fx_skin(0.0);
    p.transport.bottom = (ns_bottom_bc)9;
    expect_einval(&p, NULL, "bottom");
    p = fx_skin(0.0);
    p.transport.depth = 1.0; /* deeper than the stack */
    expect_einval(&p, NULL, "transport.depth");
    p = fx_skin(0.0);
    p.skin.n_layers = 0;
    expect_einval(&p, NULL, "n_layers");
}

Test(diffusion, rejects_bad_channel)
{
    ns_params p = fx_skin(0.0);
    fx_square_array(&p, 100.0 / NS_CM2);
    ns_channel_geom ch = fx_channel(40e-6, 300e-6, 3600.0);
    ch.n = 1;
    expect_einval(&p, &ch, "profile");
    ch = fx_channel(40e-6, 300e-6, -3.0);
    expect_einval(&p, &ch, "half_life");
    ch = fx_channel(40e-6, 300e-6, 3600.0);
    p.drug.free_diffusivity = 0.0;
    expect_einval(&p, &ch, "free_diffusivity");
    p.drug.free_diffusivity = 6e-10;
    fx_square_array(&p, 1e6 / NS_CM2); /* cell radius 5.6 um < channel radius */
    expect_einval(&p, &ch, "overlap");
    cr_expect(create(&p, NULL) == NS_OK, "intact skin needs no channel room");
}

Test(diffusion, rejects_bad_output_times)
{
    ns_params p = fx_skin(0.0);
    ns_diff *s = NULL;
    cr_assert(fx_diff_create(&p, NULL, &s) == NS_OK);
    double t[3] = {10.0, 5.0, 20.0};
    cr_expect(ns_diff_solve(s, t, 3, NULL, NULL, NULL) == NS_EINVAL);
    cr_expect(strstr(ns_status_message(), "t_out[1]") != NULL, "%s", ns_status_message());
    t[1] = NAN;
    cr_expect(ns_diff_solve(s, t, 3, NULL, NULL, NULL) == NS_EINVAL);
    cr_expect(ns_diff_step(s, -1.0) == NS_EINVAL);
    cr_expect(ns_diff_step(s, 0.0) == NS_EINVAL);
    double *C = calloc(p.numerics.diff_n_r * p.numerics.diff_n_z, sizeof(double));
    C[3] = INFINITY;
    cr_expect(ns_diff_set_field(s, C) == NS_EINVAL);
    free(C);
    ns_diff_destroy(&s);
    cr_expect(s == NULL);
    ns_diff_destroy(&s); /* NULL-safe */
    ns_diff_destroy(NULL);
}

/* Step cap reached: NS_ECONV with the time in the message. */
Test(diffusion, step_cap_is_econv)
{
    ns_params p = fx_skin(0.0);
    p.numerics.diff_max_steps = 10;
    ns_diff *s = NULL;
    cr_assert(fx_diff_create(&p, NULL, &s) == NS_OK);
    double t = NS_DAY;
    cr_expect(ns_diff_solve(s, &t, 1, NULL, NULL, NULL) == NS_ECONV);
    cr_expect(strstr(ns_status_message(), "diff_max_steps") != NULL, "%s", ns_status_message());
    ns_diff_destroy(&s);
}

/* Grid: faces increasing, on every layer interface inside the domain and on
 * the channel floor; >= 4 cells across the SC; r faces on the channel radius;
 * adjacent cells grow by at most 1 + NS_DIFF_GROWTH (plus rounding, 5 %). */
Test(diffusion, grid_faces_on_interfaces)
{
    ns_params p = fx_skin(0.0);
    fx_square_array(&p, 100.0 / NS_CM2);
    ns_channel_geom ch = fx_channel(40e-6, 300e-6, 1e30);
    ns_diff *s = NULL;
    cr_assert(fx_diff_create(&p, &ch, &s) == NS_OK, "%s", ns_status_message());
    const double *rf, *zf;
    ns_diff_get_faces(s, &rf, &zf);
    size_t nr = p.numerics.diff_n_r, nz = p.numerics.diff_n_z;
    for (size_t j = 0; j < nz; j++) cr_assert(zf[j + 1] > zf[j]);
    for (size_t i = 0; i < nr; i++) cr_assert(rf[i + 1] > rf[i]);
    const double want[3] = {18.3e-6, 18.3e-6 + 56.6e-6, 300e-6};
    for (size_t w = 0; w < 3; w++) {
        int found = 0;
        for (size_t j = 0; j <= nz; j++)
            if (fabs(zf[j] - want[w]) < 1e-15) found = 1;
        cr_expect(found, "no z face at %.4g m", want[w]);
    }
    size_t n_sc = 0;
    for (size_t j = 0; j < nz; j++)
        if (zf[j + 1] <= 18.3e-6 + 1e-15) n_sc++;
    cr_expect(n_sc >= 4, "%zu cells across the SC", n_sc);
    int found = 0;
    for (size_t i = 0; i <= nr; i++)
        if (fabs(rf[i] - 40e-6) < 1e-15) found = 1;
    cr_expect(found, "no r face at the channel wall");
    for (size_t j = 1; j < nz; j++) {
        double a = zf[j] - zf[j - 1], b = zf[j + 1] - zf[j];
        double g = a > b ? a / b : b / a;
        cr_expect(g < 1.0 + NS_DIFF_GROWTH + 0.05, "z cells %zu/%zu ratio %.3f", j - 1, j, g);
    }
    double R, H;
    ns_diff_get_domain(s, &R, &H);
    cr_expect(fabs(R - 1.0 / sqrt(NS_PI * 100.0 / NS_CM2)) < 1e-15);
    cr_expect(fabs(H - (18.3e-6 + 56.6e-6 + 1.19e-3)) < 1e-15);
    ns_diff_destroy(&s);
}

/* Single needle: the disc is wide enough (>= 3 channel depths, >= H). */
Test(diffusion, single_needle_domain)
{
    ns_params p = fx_skin(0.0);
    p.array.layout = NS_LAYOUT_SINGLE;
    ns_channel_geom ch = fx_channel(40e-6, 500e-6, 1e30);
    ns_diff *s = NULL;
    cr_assert(fx_diff_create(&p, &ch, &s) == NS_OK, "%s", ns_status_message());
    double R, H;
    ns_diff_get_domain(s, &R, &H);
    cr_expect(R >= 3.0 * 500e-6 && R >= H);
    ns_diff_destroy(&s);
}

/* Coated dose without a channel delivers nothing; with one, the skin starts
 * empty, the coating dissolves into the channel (nothing has left the needle
 * at t = 0) and after 2 h all of it has entered the skin, balance closed. */
Test(diffusion, coated_dose_reservoir)
{
    ns_params p = fx_skin(0.0);
    p.drug.dose = NS_DOSE_COATED;
    p.drug.coated_mass = 3.3e-9;
    p.drug.solubility = 21.6; /* caffeine [kg/m^3] */
    fx_square_array(&p, 100.0 / NS_CM2);
    ns_diff *s = NULL;
    ns_diff_result r;
    cr_assert(fx_diff_create(&p, NULL, &s) == NS_OK);
    ns_diff_get_result(s, &r);
    cr_expect(r.donor_loss == 0.0);
    ns_diff_destroy(&s);
    ns_channel_geom ch = fx_channel(40e-6, 300e-6, 1e30);
    cr_assert(fx_diff_create(&p, &ch, &s) == NS_OK);
    ns_diff_get_result(s, &r);
    double area = 1.0 / (100.0 / NS_CM2); /* pi R_c^2 = 1/n */
    cr_expect(r.donor_loss == 0.0 && r.total_skin_amount == 0.0, "skin empty at t = 0");
    cr_expect(fabs(r.dose_amount - 3.3e-9 / area) < 1e-12 * r.dose_amount);
    double t = 2.0 * NS_HOUR;
    cr_assert(ns_diff_solve(s, &t, 1, NULL, NULL, &r) == NS_OK, "%s", ns_status_message());
    cr_expect(fabs(r.donor_loss - 3.3e-9 / area) < 1e-12 * r.dose_amount, "all dissolved: %.6e",
              r.donor_loss);
    cr_expect(r.release_t90 > 0.0 && r.release_t90 < t, "t90 = %g s", r.release_t90);
    cr_expect(fabs(r.delivered_fraction + r.skin_fraction - 1.0) < 1e-9, "fractions %.6e + %.6e",
              r.delivered_fraction, r.skin_fraction);
    cr_expect(r.mass_balance_error < 1e-12, "balance %.3e", r.mass_balance_error);
    ns_diff_destroy(&s);
    /* A channel with a coating needs a solubility. */
    p.drug.solubility = 0.0;
    cr_expect(fx_diff_create(&p, &ch, &s) == NS_EINVAL);
    cr_expect(strstr(ns_status_message(), "solubility") != NULL, "%s", ns_status_message());
}

/* Overflow to infinity is reported as NS_ENONFINITE naming the cell, both by
 * a fixed step and by the adaptive solve. */
Test(diffusion, nonfinite_is_reported)
{
    ns_params p = fx_skin(0.0);
    p.numerics.diff_n_r = 4;
    ns_diff *s = NULL;
    cr_assert(fx_diff_create(&p, NULL, &s) == NS_OK);
    size_t n = 4 * p.numerics.diff_n_z;
    double *C = calloc(n, sizeof(double));
    cr_assert(C != NULL);
    C[5] = 1.7e308;
    C[6] = -1.7e308;
    cr_assert(ns_diff_set_field(s, C) == NS_OK);
    ns_status st = ns_diff_step(s, 1e3);
    cr_expect(st == NS_ENONFINITE, "status %d: %s", (int)st, ns_status_message());
    cr_expect(strstr(ns_status_message(), "cell") != NULL, "%s", ns_status_message());
    ns_diff_destroy(&s);
    cr_assert(fx_diff_create(&p, NULL, &s) == NS_OK);
    cr_assert(ns_diff_set_field(s, C) == NS_OK);
    double t = 1e3;
    st = ns_diff_solve(s, &t, 1, NULL, NULL, NULL);
    cr_expect(st == NS_ENONFINITE, "status %d: %s", (int)st, ns_status_message());
    free(C);
    ns_diff_destroy(&s);
}

/* Intact skin in one column (ns_diff_input.intact_1d): the amounts do not
 * depend on the reported grid, bit for bit (one cell is stepped whatever
 * diff_n_r; the 2-D grid agrees to round-off, verify_diffusion_balance),
 * the field is reported
 * on the diff_n_r grid with the faces the 2-D solver builds (same grid code,
 * compared exactly) and the column repeated on every radial cell; with an
 * open channel the flag changes nothing. */
Test(diffusion, intact_1d_reports_the_full_grid)
{
    ns_params p = fx_skin(1.3e-4);
    fx_square_array(&p, 100.0 / NS_CM2);
    p.numerics.diff_n_r = 7;
    ns_diff_input in;
    ns_diff_input_init(&in, &p, NULL);
    in.intact_1d = 1;
    ns_diff *col = NULL, *full = NULL, *one = NULL;
    cr_assert(ns_diff_create(&in, &col) == NS_OK, "%s", ns_status_message());
    cr_assert(fx_diff_create(&p, NULL, &full) == NS_OK, "%s", ns_status_message());
    ns_params q = p;
    q.numerics.diff_n_r = 4; /* another reported grid, the same one-cell column */
    cr_assert(fx_diff_create_column(&q, &one) == NS_OK, "%s", ns_status_message());
    const double *rf_col, *rf_full;
    ns_diff_get_faces(col, &rf_col, NULL);
    ns_diff_get_faces(full, &rf_full, NULL);
    for (size_t i = 0; i <= 7; i++)
        cr_expect(rf_col[i] == rf_full[i], "face %zu: %.17g vs %.17g", i, rf_col[i], rf_full[i]);
    double t[2] = {3.7e3, 2.9e4}, Qc[2], Qo[2], Jc[2], Jo[2];
    cr_assert(ns_diff_solve(col, t, 2, Qc, Jc, NULL) == NS_OK, "%s", ns_status_message());
    cr_assert(ns_diff_solve(one, t, 2, Qo, Jo, NULL) == NS_OK, "%s", ns_status_message());
    for (size_t k = 0; k < 2; k++) {
        cr_expect(Qc[k] == Qo[k] && Jc[k] == Jo[k], "t = %g s: Q %.17g vs %.17g", t[k], Qc[k],
                  Qo[k]);
    }
    const double *rc, *C, *C1;
    size_t nr, nz, nr1;
    ns_diff_get_field(col, &rc, NULL, &C, &nr, &nz);
    ns_diff_get_field(one, NULL, NULL, &C1, &nr1, NULL);
    cr_assert(nr == 7 && nr1 == 4, "reported %zu and %zu radial cells", nr, nr1);
    for (size_t i = 0; i < nr; i++) {
        cr_expect(rc[i] == 0.5 * (rf_full[i] + rf_full[i + 1]), "centre %zu", i);
        for (size_t j = 0; j < nz; j++)
            cr_expect(C[i * nz + j] == C1[j], "cell (%zu, %zu): %.17g vs %.17g", i, j,
                      C[i * nz + j], C1[j]);
    }
    ns_diff_destroy(&col);
    ns_diff_destroy(&full);
    ns_diff_destroy(&one);
    /* an open channel: the 2-D grid as given */
    ns_channel_geom ch = fx_channel(40e-6, 300e-6, 1e30);
    ns_diff_input_init(&in, &p, &ch);
    in.intact_1d = 1;
    cr_assert(ns_diff_create(&in, &col) == NS_OK, "%s", ns_status_message());
    ns_diff_get_field(col, NULL, NULL, NULL, &nr, NULL);
    cr_expect(nr == 7, "channel case reports %zu radial cells", nr);
    ns_diff_destroy(&col);
}
