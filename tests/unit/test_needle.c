/* Unit tests of models/needle: presets, radius profile, tip area, buckling,
 * shaft area, array derivation, needles in contact and every check. */
/* Criterion's assertion macros assign an int to a 1-bit field internally. */
#pragma GCC diagnostic ignored "-Wconversion"
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <float.h>
#include <math.h>
#include <string.h>

#include "../../models/needle.h"
#include "../../models/units.h"

static double rel(double got, double want) { return fabs(got - want) / fabs(want); }

static ns_needle_params preset(const char *name)
{
    ns_needle_params n;
    cr_assert(ns_needle_preset(name, &n) == NS_OK, "%s", name);
    return n;
}

/* A steel cylinder-with-cone needle with "high entropy" dimensions. */
static ns_needle_params test_cylinder(void)
{
    ns_needle_params n = preset("dermaroller");
    n.length = 1.73e-3;
    n.base_diameter = 0.237e-3;
    n.tip_radius = 7.3e-6;
    n.tip_angle = 27.0 * NS_DEG;
    return n;
}

Test(needle, presets_all_valid)
{
    cr_assert(eq(sz, ns_needle_preset_count(), 5));
    for (size_t i = 0; i < ns_needle_preset_count(); i++) {
        const char *name = ns_needle_preset_name(i);
        ns_needle_params n = preset(name);
        cr_assert(strcmp(n.preset, name) == 0);
        cr_assert(ns_needle_check(&n) == NS_OK, "%s: %s", name, ns_status_message());
        const ns_source_note *notes = NULL;
        cr_assert(ns_needle_preset_sources(name, &notes) >= 3 && notes != NULL);
    }
    cr_assert(ns_needle_preset_name(5) == NULL);
    ns_needle_params n;
    ns_status_clear();
    cr_assert(ns_needle_preset("lancet", &n) == NS_EINVAL);
    cr_assert(strstr(ns_status_message(), "hypodermic_30g") != NULL);
    cr_assert(ns_needle_preset(NULL, &n) == NS_EINVAL);
    cr_assert(ns_needle_preset("dermaroller", NULL) == NS_EINVAL);
    cr_assert(ns_needle_preset_sources("lancet", NULL) == 0);
    /* Values quoted in the brief: MF8 0.25 x 1.5 mm; 30 G OD 0.31 mm. */
    n = preset("dermaroller");
    cr_assert(n.base_diameter == 0.25e-3 && n.length == 1.5e-3);
    n = preset("hypodermic_30g");
    cr_assert(n.base_diameter == 0.31e-3 && n.shape == NS_SHAPE_BEVELLED);
}

Test(needle, enum_names_round_trip)
{
    for (int i = 0; i < NS_SHAPE_COUNT; i++) {
        ns_needle_shape s;
        cr_assert(ns_needle_shape_parse(ns_needle_shape_name((ns_needle_shape)i), &s) == NS_OK);
        cr_assert(eq(int, (int)s, i));
    }
    for (int i = 0; i < NS_LAYOUT_COUNT; i++) {
        ns_array_layout l;
        cr_assert(ns_array_layout_parse(ns_array_layout_name((ns_array_layout)i), &l) == NS_OK);
        cr_assert(eq(int, (int)l, i));
    }
    for (int i = 0; i < NS_APPLICATOR_COUNT; i++) {
        ns_applicator_mode m;
        cr_assert(ns_applicator_mode_parse(ns_applicator_mode_name((ns_applicator_mode)i), &m) ==
                  NS_OK);
        cr_assert(eq(int, (int)m, i));
    }
    cr_assert(strcmp(ns_needle_shape_name(NS_SHAPE_BEVELLED), "bevelled") == 0);
    cr_assert(strcmp(ns_array_layout_name(NS_LAYOUT_HEXAGONAL), "hexagonal") == 0);
    cr_assert(strcmp(ns_applicator_mode_name(NS_APPLICATOR_ROLLER), "roller") == 0);
    cr_assert(ns_needle_shape_name(NS_SHAPE_COUNT) == NULL);
    cr_assert(ns_array_layout_name(NS_LAYOUT_COUNT) == NULL);
    cr_assert(ns_applicator_mode_name(NS_APPLICATOR_COUNT) == NULL);
    ns_needle_shape s;
    ns_array_layout l;
    ns_applicator_mode m;
    cr_assert(ns_needle_shape_parse("round", &s) == NS_EINVAL);
    cr_assert(strstr(ns_status_message(), "cylindrical") != NULL);
    cr_assert(ns_array_layout_parse("grid", &l) == NS_EINVAL);
    cr_assert(ns_applicator_mode_parse("stamp", &m) == NS_EINVAL);
    cr_assert(ns_needle_shape_parse(NULL, &s) == NS_EINVAL);
}

/* Profile: r(0) = 0, non-decreasing, continuous (no jump larger than the
 * steepest slope times the sample spacing away from the tip cap), equal to the
 * base radius beyond the tip length. Checked for every preset and a pyramid. */
Test(needle, radius_profile_monotone_continuous)
{
    ns_needle_params list[6];
    for (size_t i = 0; i < 5; i++) list[i] = preset(ns_needle_preset_name(i));
    list[5] = preset("microneedle_steel");
    list[5].shape = NS_SHAPE_PYRAMIDAL;
    list[5].tip_angle = 25.0 * NS_DEG;
    for (size_t k = 0; k < 6; k++) {
        ns_needle_params *n = &list[k];
        cr_assert(ns_needle_check(n) == NS_OK, "case %zu: %s", k, ns_status_message());
        cr_assert(ns_needle_radius_at(n, 0.0) == 0.0);
        cr_assert(ns_needle_radius_at(n, -1e-6) == 0.0);
        double lt = ns_needle_tip_length(n);
        double Rb = ns_needle_base_radius(n);
        size_t N = 20000;
        double h = lt / (double)N;
        double prev = 0.0;
        for (size_t i = 1; i <= N + 100; i++) {
            double s = (double)i * h;
            double r = ns_needle_radius_at(n, s);
            cr_assert(r >= prev, "case %zu: r decreases at s = %g m", k, s);
            /* Past the cap (s > tip_radius) the slope is bounded by the bevel or
             * cone slope; a jump would exceed slope x h by far. The bevel's
             * equivalent radius has slope up to about 3 near its start. */
            if (s > 2.0 * n->tip_radius)
                cr_assert(r - prev <= 10.0 * h, "case %zu: jump %g m at s = %g m", k, r - prev,
                          s);
            prev = r;
        }
        cr_assert(rel(ns_needle_radius_at(n, lt * (1.0 + 1e-9)), Rb) < 1e-12, "case %zu", k);
        cr_assert(rel(ns_needle_radius_at(n, n->length), Rb) < 1e-12, "case %zu", k);
        cr_assert(rel(ns_needle_radius_at(n, 2.0 * n->length), Rb) < 1e-12, "case %zu", k);
    }
}

/* Sphero-cone: tangent point s_t = r_t (1 - sin a) with r = r_t cos a, and the
 * slope is continuous there (one-sided differences agree to O(h)). */
Test(needle, sphero_cone_tangency)
{
    ns_needle_params n = test_cylinder();
    double a = 0.5 * n.tip_angle, rt = n.tip_radius;
    double st = rt * (1.0 - sin(a));
    cr_assert(rel(ns_needle_radius_at(&n, st), rt * cos(a)) < 1e-14);
    double h = 1e-4 * rt;
    double left = (ns_needle_radius_at(&n, st) - ns_needle_radius_at(&n, st - h)) / h;
    double right = (ns_needle_radius_at(&n, st + h) - ns_needle_radius_at(&n, st)) / h;
    /* Both equal tan a; the left difference of the circle errs by about
     * r'' h / 2 = h / (2 r_t cos^3 a) = 6e-5: tolerance 1e-3. */
    cr_assert(fabs(right - tan(a)) < 1e-9, "right slope %g vs %g", right, tan(a));
    cr_assert(fabs(left - tan(a)) < 1e-3, "left slope %g vs %g", left, tan(a));
    /* Tip length by hand: s_t + (R_b - r_t cos a) / tan a. */
    double lt = st + (0.5 * n.base_diameter - rt * cos(a)) / tan(a);
    cr_assert(rel(ns_needle_tip_length(&n), lt) < 1e-14);
}

/* Bevel: at h = R (s = R / tan beta) the segment is a half disc, so
 * r = R / sqrt(2); past the bevel length 2R / tan beta, r = R. */
Test(needle, bevel_equivalent_radius)
{
    ns_needle_params n = preset("hypodermic_30g");
    double R = 0.5 * n.base_diameter, tb = tan(n.tip_angle);
    cr_assert(rel(ns_needle_radius_at(&n, R / tb), R / sqrt(2.0)) < 1e-12);
    cr_assert(rel(ns_needle_tip_length(&n), 2.0 * R / tb) < 1e-14);
    cr_assert(rel(ns_needle_radius_at(&n, 2.0 * R / tb + 1e-9), R) < 1e-12);
    /* Near the tip the rounded cap governs: r(r_t/2) = r_t sqrt(3)/2. */
    double rt = n.tip_radius;
    cr_assert(ns_needle_radius_at(&n, 0.5 * rt) >= 0.5 * sqrt(3.0) * rt * (1.0 - 1e-14));
}

Test(needle, tip_area)
{
    ns_needle_params n = test_cylinder();
    cr_assert(ieee_ulp_eq(dbl, ns_needle_tip_area(&n), NS_PI * 7.3e-6 * 7.3e-6, 4));
}

/* Euler load by hand for a long steel cylinder, D = 0.237 mm, L = 25.3 mm,
 * E = 193 GPa, K = 2: I = pi D^4 / 64 = 1.5487e-16 m^4,
 * P = pi^2 E I / (K L)^2 = 2.9500e-4 / 2.5604e-3 = 0.11522 N.
 * The conical tip (0.46 mm) lowers I_eff by at most
 * 2 (l_t/L) (pi l_t / (2L))^2 = 2.7e-5 (cos^2 weight near the free tip), and
 * Simpson on 2000 intervals adds < 1e-8: tolerance 5e-5. */
Test(needle, buckling_hand_value)
{
    ns_needle_params n = test_cylinder();
    n.length = 25.3e-3;
    double D = n.base_diameter;
    double I_sec = NS_PI * pow(D, 4) / 64.0;
    double want = NS_PI * NS_PI * 193e9 * I_sec / pow(2.0 * n.length, 2);
    double lt = ns_needle_tip_length(&n);
    double bound = 2.0 * (lt / n.length) * pow(NS_PI * lt / (2.0 * n.length), 2);
    cr_assert(bound < 5e-5);
    double got = ns_needle_buckling_load(&n);
    cr_assert(got <= want && rel(got, want) < 5e-5, "P = %.8g N, hand %.8g N", got, want);
    /* The hand number above, to its 5 digits. */
    cr_assert(rel(want, 0.11522) < 1e-4, "hand value %g N", want);
    /* Hollow section: I = pi (D^4 - d^4) / 64. */
    n.bore_diameter = 0.113e-3;
    double Ih = NS_PI * (pow(D, 4) - pow(n.bore_diameter, 4)) / 64.0;
    double wanth = NS_PI * NS_PI * 193e9 * Ih / pow(2.0 * n.length, 2);
    cr_assert(rel(ns_needle_buckling_load(&n), wanth) < 5e-5);
    /* Exact scalings: P ~ E and P ~ 1/K^2. */
    double P2 = ns_needle_buckling_load(&n);
    n.buckling_k = 0.7;
    cr_assert(rel(ns_needle_buckling_load(&n), P2 * (2.0 / 0.7) * (2.0 / 0.7)) < 1e-13);
    n.youngs_modulus *= 0.5;
    cr_assert(rel(ns_needle_buckling_load(&n), 0.5 * P2 * (2.0 / 0.7) * (2.0 / 0.7)) < 1e-13);
}

/* The buckling load as written before the memo and the hoisted profile:
 * composite Simpson of I(s) cos^2 on 2000 intervals through the public
 * ns_needle_second_moment. ns_needle_buckling_load must give the same bits. */
static double buckling_reference(const ns_needle_params *p)
{
    double L = p->length, hx = L / 2000, sum = 0.0;
    for (int k = 0; k <= 2000; k++) {
        double x = k * hx;
        double c = cos(0.5 * NS_PI * x / L);
        double f = ns_needle_second_moment(p, L - x) * c * c;
        double w = (k == 0 || k == 2000) ? 1.0 : (k % 2 ? 4.0 : 2.0);
        sum += w * f;
    }
    double I_eff = (2.0 / L) * sum * hx / 3.0;
    double KL = p->buckling_k * L;
    return NS_PI * NS_PI * p->youngs_modulus * I_eff / (KL * KL);
}

static int same_bits(double a, double b) { return memcmp(&a, &b, sizeof a) == 0; }

/* Every shape gives the reference's bits, on a first call and on a memo hit. */
Test(needle, buckling_same_bits_as_plain_integral)
{
    const char *names[] = {"dermaroller", "microneedle_steel", "microneedle_polymer",
                           "hypodermic_30g", "pen_cartridge"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        ns_needle_params n = preset(names[i]);
        n.length *= 1.0137; /* not the previous test's geometry: a fresh integral */
        double want = buckling_reference(&n);
        double got = ns_needle_buckling_load(&n), again = ns_needle_buckling_load(&n);
        cr_assert(same_bits(got, want) && same_bits(again, want), "%s: %.17g, %.17g, want %.17g",
                  names[i], got, again, want);
    }
    ns_needle_params n = test_cylinder();
    n.shape = NS_SHAPE_CYLINDRICAL;
    cr_assert(same_bits(ns_needle_buckling_load(&n), buckling_reference(&n)));
    n.shape = NS_SHAPE_PYRAMIDAL;
    cr_assert(same_bits(ns_needle_buckling_load(&n), buckling_reference(&n)));
}

/* The memo is keyed on every geometry field I_eff depends on: a needle that
 * differs from the memoised one in one field gets its own integral (a key
 * missing a field would return the memoised geometry's value here). */
Test(needle, buckling_memo_keys_every_geometry_field)
{
    ns_needle_params base = test_cylinder(); /* sphero-cone: every field shapes I(s) */
    base.length = 0.61e-3;
    base.tip_radius = 23.1e-6;
    base.bore_diameter = 0.071e-3;
    for (int f = 0; f < 6; f++) {
        ns_needle_params q = base;
        if (f == 0) q.length *= 1.21;
        if (f == 1) q.base_diameter *= 1.07;
        if (f == 2) q.tip_radius *= 1.9;
        if (f == 3) q.tip_angle *= 1.3;
        if (f == 4) q.bore_diameter *= 0.61;
        if (f == 5) q.shape = NS_SHAPE_PYRAMIDAL;
        (void)ns_needle_buckling_load(&base); /* memo holds base */
        double got = ns_needle_buckling_load(&q);
        cr_assert(same_bits(got, buckling_reference(&q)) && !same_bits(got, buckling_reference(&base)),
                  "field %d: %.17g, want %.17g (base %.17g)", f, got, buckling_reference(&q),
                  buckling_reference(&base));
    }
}

/* A tapered microneedle is weaker than a cylinder of its base section and
 * stronger than one of its mid-length section. */
Test(needle, buckling_tapered_bounds)
{
    ns_needle_params n = preset("microneedle_steel");
    double P = ns_needle_buckling_load(&n);
    double L = n.length, KL = n.buckling_k * L;
    double Pbase = NS_PI * NS_PI * n.youngs_modulus * ns_needle_second_moment(&n, L) / (KL * KL);
    double Pmid =
        NS_PI * NS_PI * n.youngs_modulus * ns_needle_second_moment(&n, 0.5 * L) / (KL * KL);
    cr_assert(P < Pbase && P > Pmid, "P %g, base %g, mid %g", P, Pbase, Pmid);
}

/* Shaft area: closed form against an independent fine polyline of r(s)
 * (error O(h^2): 40000 segments over 1.7 mm -> below 1e-7 relative;
 * tolerance 1e-6). */
static double polyline_area(const ns_needle_params *n, double depth, size_t N)
{
    double S = 0.0, s0 = 0.0, r0 = 0.0;
    for (size_t i = 1; i <= N; i++) {
        double s1 = depth * (double)i / (double)N;
        double r1 = ns_needle_radius_at(n, s1);
        S += NS_PI * (r0 + r1) * hypot(s1 - s0, r1 - r0);
        s0 = s1;
        r0 = r1;
    }
    return S;
}

Test(needle, shaft_area_matches_polyline)
{
    ns_needle_params n = test_cylinder();
    double depths[] = {3.1e-6, 0.21e-3, 1.37e-3};
    for (size_t i = 0; i < 3; i++) {
        double want = polyline_area(&n, depths[i], 40000);
        double got = ns_needle_shaft_area(&n, depths[i]);
        cr_assert(rel(got, want) < 1e-6, "depth %g: %.10g vs %.10g", depths[i], got, want);
    }
    /* Past the tip: the cylinder adds 2 pi R per metre exactly. */
    double R = 0.5 * n.base_diameter;
    double d1 = 1.0e-3, d2 = 1.5e-3;
    cr_assert(rel(ns_needle_shaft_area(&n, d2) - ns_needle_shaft_area(&n, d1),
                  2.0 * NS_PI * R * (d2 - d1)) < 1e-12);
    cr_assert(ns_needle_shaft_area(&n, -1.0) == 0.0);
    cr_assert(ns_needle_shaft_area(&n, 1.0) == ns_needle_shaft_area(&n, n.length));
    /* Pyramid: perimeter factor 2/sqrt(pi) on the equivalent cone. */
    ns_needle_params p = n;
    p.shape = NS_SHAPE_PYRAMIDAL;
    double want_p = polyline_area(&p, 0.9e-3, 40000) * 2.0 / sqrt(NS_PI);
    cr_assert(rel(ns_needle_shaft_area(&p, 0.9e-3), want_p) < 1e-6);
    /* Bevel: own polyline of 4000 segments vs 40000 here: O(h^2) -> 1e-4. */
    ns_needle_params b = preset("hypodermic_30g");
    double db = 2.31e-3;
    cr_assert(rel(ns_needle_shaft_area(&b, db), polyline_area(&b, db, 40000)) < 1e-4);
}

/* R_c = 1/sqrt(pi n): n = 100 /cm^2 = 1e6 /m^2 -> 564.19 um. */
Test(needle, unit_cell_radius)
{
    ns_array_params a = {NS_LAYOUT_SQUARE, 100.0, 100.0 / NS_CM2, NAN};
    ns_needle_params n = preset("microneedle_steel");
    cr_assert(ns_array_derive(&a, &n) == NS_OK, "%s", ns_status_message());
    cr_assert(rel(ns_array_unit_cell_radius(&a), 564.18958e-6) < 1e-7);
    cr_assert(rel(a.pitch, 1.0e-3) < 1e-14); /* square: p = 1/sqrt(n) */
    ns_array_params s = {NS_LAYOUT_SINGLE, NAN, NAN, NAN};
    cr_assert(ns_array_derive(&s, &n) == NS_OK);
    cr_assert(isinf(ns_array_unit_cell_radius(&s)) && isinf(s.pitch) && s.density == 0.0);
    cr_assert(s.count == 1.0);
    ns_array_params z = {NS_LAYOUT_SQUARE, 1.0, 0.0, 1.0};
    cr_assert(isinf(ns_array_unit_cell_radius(&z)));
}

/* Hexagonal: n = 2/(sqrt 3 p^2); 100 /cm^2 -> p = 1.07457 mm. */
Test(needle, hexagonal_pitch)
{
    ns_needle_params n = preset("microneedle_steel");
    ns_array_params a = {NS_LAYOUT_HEXAGONAL, 37.0, 100.0 / NS_CM2, NAN};
    cr_assert(ns_array_derive(&a, &n) == NS_OK);
    cr_assert(rel(a.pitch, 1.074570e-3) < 1e-6, "pitch %g", a.pitch);
    ns_array_params b = {NS_LAYOUT_HEXAGONAL, 37.0, NAN, 0.613e-3};
    cr_assert(ns_array_derive(&b, &n) == NS_OK);
    cr_assert(rel(b.density, 2.0 / (sqrt(3.0) * 0.613e-3 * 0.613e-3)) < 1e-14);
    /* Both given and consistent: accepted; inconsistent: refused. */
    ns_array_params c = b;
    cr_assert(ns_array_derive(&c, &n) == NS_OK);
    c.density *= 1.01;
    ns_status_clear();
    cr_assert(ns_array_derive(&c, &n) == NS_EINVAL);
    cr_assert(strstr(ns_status_message(), "disagree") != NULL);
}

/* Overlap: pitch must exceed the base diameter (200 um): a square array allows
 * at most 1/(200 um)^2 = 2500 /cm^2. */
Test(needle, array_overlap_refused)
{
    ns_needle_params n = preset("microneedle_steel");
    ns_array_params a = {NS_LAYOUT_SQUARE, 100.0, 3000.0 / NS_CM2, NAN};
    ns_status_clear();
    cr_assert(ns_array_derive(&a, &n) == NS_EINVAL);
    const char *m = ns_status_message();
    cr_assert(strstr(m, "array.density = 3000 /cm2") != NULL, "%s", m);
    cr_assert(strstr(m, "2500 /cm2") != NULL, "%s", m);
    ns_array_params ok = {NS_LAYOUT_SQUARE, 100.0, 2400.0 / NS_CM2, NAN};
    cr_assert(ns_array_derive(&ok, &n) == NS_OK);
}

Test(needle, array_derive_checks)
{
    ns_needle_params n = preset("microneedle_steel");
    ns_array_params a = {NS_LAYOUT_SQUARE, 10.0, NAN, NAN};
    cr_assert(ns_array_derive(&a, &n) == NS_EINVAL);
    cr_assert(strstr(ns_status_message(), "expected one of them") != NULL);
    ns_array_params b = {NS_LAYOUT_SQUARE, 0.5, 1e6, NAN};
    cr_assert(ns_array_derive(&b, &n) == NS_EINVAL);
    cr_assert(strstr(ns_status_message(), "array.count") != NULL);
    ns_array_params c = {NS_LAYOUT_SQUARE, 10.0, NAN, -1e-3};
    cr_assert(ns_array_derive(&c, &n) == NS_EINVAL);
    cr_assert(strstr(ns_status_message(), "array.pitch") != NULL);
    ns_array_params d = {NS_LAYOUT_SQUARE, 10.0, -5.0, NAN};
    cr_assert(ns_array_derive(&d, &n) == NS_EINVAL);
    cr_assert(strstr(ns_status_message(), "array.density") != NULL);
    ns_array_params e = {NS_LAYOUT_SQUARE, 10.0, -5.0, 1e-3};
    cr_assert(ns_array_derive(&e, &n) == NS_EINVAL);
    ns_array_params f = {NS_LAYOUT_COUNT, 10.0, 1e6, NAN};
    cr_assert(ns_array_derive(&f, &n) == NS_EINVAL);
    cr_assert(strstr(ns_status_message(), "array.layout") != NULL);
    cr_assert(ns_array_derive(NULL, &n) == NS_EINVAL);
}

/* Roller: theta_c = acos(R/(R+L)); MF8 (R = 10 mm, L = 1.5 mm, 192 needles):
 * acos(10/11.5) = 0.516486 rad -> 192 x 0.516486 / pi = 31.565 needles. */
Test(needle, needles_in_contact)
{
    ns_needle_params n = preset("dermaroller");
    ns_array_params a = {NS_LAYOUT_ROLLER, 192.0, NAN, 2.5e-3};
    cr_assert(ns_array_derive(&a, &n) == NS_OK);
    ns_applicator_params ap = {NS_APPLICATOR_ROLLER, 0.05, 10.0, 0.0, 0.0, 0.0, 0.0, 0.0, 10e-3};
    double N = ns_array_needles_in_contact(&a, &ap, &n);
    cr_assert(rel(N, 192.0 * acos(10.0 / 11.5) / NS_PI) < 1e-14);
    cr_assert(fabs(N - 31.565) < 0.001, "N = %g", N);
    ap.mode = NS_APPLICATOR_PRESS;
    cr_assert(ns_array_needles_in_contact(&a, &ap, &n) == 192.0);
    a.layout = NS_LAYOUT_SINGLE;
    cr_assert(ns_array_needles_in_contact(&a, &ap, &n) == 1.0);
    a.layout = NS_LAYOUT_NONE;
    cr_assert(ns_array_needles_in_contact(&a, &ap, &n) == 0.0);
}

/* Every NS_CHECK of ns_needle_check trips, naming its key. */
Test(needle, check_trips_each_field)
{
    const char *keys[] = {"needle.shape",         "needle.length",         "needle.base_diameter",
                          "needle.tip_radius",    "needle.tip_angle",      "needle.bore_diameter",
                          "needle.youngs_modulus", "needle.strength",      "needle.buckling_k",
                          "longer than needle.length", "needle.tip_angle"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        ns_needle_params n = preset("microneedle_steel");
        switch (i) {
        case 0: n.shape = NS_SHAPE_COUNT; break;
        case 1: n.length = -6e-4; break;
        case 2: n.base_diameter = NAN; break;
        case 3: n.tip_radius = 0.5 * n.base_diameter; break; /* = base radius: refused */
        case 4: n.tip_angle = NS_PI; break;
        case 5: n.bore_diameter = n.base_diameter; break;
        case 6: n.youngs_modulus = 0.0; break;
        case 7: n.strength = -1.0; break;
        case 8: n.buckling_k = 0.0; break;
        case 9: n.tip_angle = 5.0 * NS_DEG; break; /* cone of 1.1 mm on a 0.6 mm needle */
        case 10: n = preset("hypodermic_30g"); n.tip_angle = 91.0 * NS_DEG; break;
        default: break;
        }
        ns_status_clear();
        cr_assert(ns_needle_check(&n) == NS_EINVAL, "case %zu (%s) not caught", i, keys[i]);
        cr_assert(strstr(ns_status_message(), keys[i]) != NULL, "case %zu: '%s'", i,
                  ns_status_message());
    }
    cr_assert(ns_needle_check(NULL) == NS_EINVAL);
}

/* Every NS_CHECK of ns_applicator_check trips, naming its key. */
Test(needle, applicator_check_trips_each_field)
{
    const ns_applicator_params good = {NS_APPLICATOR_PRESS, 1e-3, 10.0, 5e-3, 2e-3,
                                       0.0,                 100.0, 0.5e-3, 10e-3};
    cr_assert(ns_applicator_check(&good) == NS_OK);
    struct {
        ns_applicator_mode mode;
        const char *key;
    } cases[] = {
        {NS_APPLICATOR_COUNT, "applicator.mode"},      {NS_APPLICATOR_PRESS, "applicator.speed"},
        {NS_APPLICATOR_PRESS, "applicator.force"},     {NS_APPLICATOR_PRESS, "applicator.stroke"},
        {NS_APPLICATOR_PRESS, "applicator.hold_time"}, {NS_APPLICATOR_IMPACT, "applicator.mass"},
        {NS_APPLICATOR_IMPACT, "applicator.stroke"},   {NS_APPLICATOR_PEN, "applicator.frequency"},
        {NS_APPLICATOR_PEN, "applicator.depth_setting"},
        {NS_APPLICATOR_ROLLER, "applicator.drum_radius"},
        {NS_APPLICATOR_ROLLER, "applicator.force"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ns_applicator_params ap = good;
        ap.mode = cases[i].mode;
        cr_assert(i == 0 || ns_applicator_check(&ap) == NS_OK, "case %zu valid base", i);
        const char *k = cases[i].key + strlen("applicator.");
        if (strcmp(k, "speed") == 0) ap.speed = 0.0;
        if (strcmp(k, "force") == 0) ap.force = -2.0;
        if (strcmp(k, "stroke") == 0) ap.stroke = NAN;
        if (strcmp(k, "hold_time") == 0) ap.hold_time = -1.0;
        if (strcmp(k, "mass") == 0) ap.mass = 0.0;
        if (strcmp(k, "frequency") == 0) ap.frequency = 0.0;
        if (strcmp(k, "depth_setting") == 0) ap.depth_setting = -1e-3;
        if (strcmp(k, "drum_radius") == 0) ap.drum_radius = 0.0;
        ns_status_clear();
        cr_assert(ns_applicator_check(&ap) == NS_EINVAL, "case %zu (%s) not caught", i,
                  cases[i].key);
        cr_assert(strstr(ns_status_message(), cases[i].key) != NULL, "case %zu: '%s'", i,
                  ns_status_message());
    }
    cr_assert(ns_applicator_check(NULL) == NS_EINVAL);
}

/* Unset tip angle: the derived cone reaches the base radius at s = length
 * (bisection to 1e-12 rad; the tip length then matches to about
 * 1e-12 x ds_b/dalpha ~ 1e-15 m: tolerance 1e-9 relative). */
Test(needle, derive_full_cone)
{
    double lengths[] = {0.2513e-3, 0.6e-3, 1.37e-3};
    for (size_t i = 0; i < 3; i++) {
        ns_needle_params n = preset("microneedle_steel");
        n.length = lengths[i];
        n.tip_angle = NAN;
        cr_assert(ns_needle_derive(&n) == NS_OK, "%s", ns_status_message());
        cr_assert(ns_needle_check(&n) == NS_OK, "%s", ns_status_message());
        cr_assert(rel(ns_needle_tip_length(&n), n.length) < 1e-9, "L %g: tip %g", n.length,
                  ns_needle_tip_length(&n));
        cr_assert(n.tip_angle > 0.0 && n.tip_angle < NS_PI);
    }
    /* Pyramid: the same through the equivalent cone. */
    ns_needle_params p = preset("microneedle_steel");
    p.shape = NS_SHAPE_PYRAMIDAL;
    p.tip_angle = NAN;
    cr_assert(ns_needle_derive(&p) == NS_OK);
    cr_assert(rel(ns_needle_tip_length(&p), p.length) < 1e-9);
    /* Explicit angles are kept; a bevel needs one; impossible geometry refused. */
    ns_needle_params e = preset("microneedle_steel");
    double a = e.tip_angle;
    cr_assert(ns_needle_derive(&e) == NS_OK && e.tip_angle == a);
    ns_needle_params b = preset("hypodermic_30g");
    b.tip_angle = NAN;
    ns_status_clear();
    cr_assert(ns_needle_derive(&b) == NS_EINVAL);
    cr_assert(strstr(ns_status_message(), "needle.tip_angle") != NULL);
    ns_needle_params c = preset("microneedle_steel");
    c.tip_angle = NAN;
    c.tip_radius = 0.2e-3;
    cr_assert(ns_needle_derive(&c) == NS_EINVAL);
    cr_assert(ns_needle_derive(NULL) == NS_EINVAL);
}
