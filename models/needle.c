/* Needle, array and applicator geometry (equations in needle.h). */
#include "needle.h"

#include <math.h>
#include <stddef.h>
#include <string.h>

#include "param_table.h"
#include "rootfind.h"
#include "units.h"

/* Stainless steel (AISI 304/316) Young's modulus 193 GPa [asm_steel]; needle
 * wire is cold drawn, yield strength about 1 GPa (assumption within the
 * 0.9-2 GPa tensile range of drawn stainless wire, [asm_steel]). */
#define STEEL_MODULUS (193.0 * NS_GPA)
#define STEEL_STRENGTH (1.0 * NS_GPA)
/* Cantilever (clamped in the base plate, free tip): K = 2 [timoshenko1961]. */
#define K_FIXED_FREE 2.0

/* Simpson intervals for I_eff and polyline segments for the bevel area. */
#define N_SIMPSON 2000
#define N_POLYLINE 4000
/* Derived tip angle (ns_needle_derive): bisection on (0, pi) to 1e-12 rad,
 * about 42 halvings; the cap leaves room. */
#define NEEDLE_ANGLE_MIN 1e-9   /* [rad] bracket end away from 0 and pi */
#define NEEDLE_ANGLE_TOL 1e-12  /* [rad] bracket width at convergence */
#define NEEDLE_ANGLE_ITER 200   /* [-]   iteration cap */

/* ---- enum names ---------------------------------------------------------------- */

static const char *const shape_names[NS_SHAPE_COUNT] = {"conical", "pyramidal", "bevelled",
                                                        "cylindrical"};
static const char *const layout_names[NS_LAYOUT_COUNT] = {"none", "single", "square",
                                                          "hexagonal", "roller"};
static const char *const mode_names[NS_APPLICATOR_COUNT] = {"press", "impact", "pen", "roller"};

const char *ns_needle_shape_name(ns_needle_shape s)
{
    return (s >= 0 && s < NS_SHAPE_COUNT) ? shape_names[s] : NULL;
}

ns_status ns_needle_shape_parse(const char *s, ns_needle_shape *out)
{
    NS_CHECK(s != NULL && out != NULL, NS_EINVAL, "needle.shape: NULL argument");
    for (int i = 0; i < NS_SHAPE_COUNT; i++)
        if (strcmp(s, shape_names[i]) == 0) {
            *out = (ns_needle_shape)i;
            return NS_OK;
        }
    NS_FAIL(NS_EINVAL, "needle.shape = '%s': unknown; valid: conical, pyramidal, bevelled, "
                       "cylindrical", s);
}

const char *ns_array_layout_name(ns_array_layout l)
{
    return (l >= 0 && l < NS_LAYOUT_COUNT) ? layout_names[l] : NULL;
}

ns_status ns_array_layout_parse(const char *s, ns_array_layout *out)
{
    NS_CHECK(s != NULL && out != NULL, NS_EINVAL, "array.layout: NULL argument");
    for (int i = 0; i < NS_LAYOUT_COUNT; i++)
        if (strcmp(s, layout_names[i]) == 0) {
            *out = (ns_array_layout)i;
            return NS_OK;
        }
    NS_FAIL(NS_EINVAL, "array.layout = '%s': unknown; valid: none, single, square, hexagonal, "
                       "roller", s);
}

const char *ns_applicator_mode_name(ns_applicator_mode m)
{
    return (m >= 0 && m < NS_APPLICATOR_COUNT) ? mode_names[m] : NULL;
}

ns_status ns_applicator_mode_parse(const char *s, ns_applicator_mode *out)
{
    NS_CHECK(s != NULL && out != NULL, NS_EINVAL, "applicator.mode: NULL argument");
    for (int i = 0; i < NS_APPLICATOR_COUNT; i++)
        if (strcmp(s, mode_names[i]) == 0) {
            *out = (ns_applicator_mode)i;
            return NS_OK;
        }
    NS_FAIL(NS_EINVAL, "applicator.mode = '%s': unknown; valid: press, impact, pen, roller", s);
}

/* ---- presets ----------------------------------------------------------------------- */

static void needle_make(ns_needle_params *p, const char *name, ns_needle_shape shape, double L,
                        double D, double rt, double angle, double bore, double E, double S)
{
    memset(p, 0, sizeof *p);
    strncpy(p->preset, name, sizeof p->preset - 1);
    p->shape = shape;
    p->length = L;
    p->base_diameter = D;
    p->tip_radius = rt;
    p->tip_angle = angle;
    p->bore_diameter = bore;
    p->youngs_modulus = E;
    p->strength = S;
    p->buckling_k = K_FIXED_FREE;
}

/* Dermaroller MF8: solid steel needles 0.25 mm diameter x 1.5 mm on a drum
 * [schwarz2011]; conical point of 30 deg with a 10 um tip radius (assumption,
 * typical ground needle point). */
static void preset_dermaroller(ns_needle_params *p)
{
    needle_make(p, "dermaroller", NS_SHAPE_CONICAL, 1.5 * NS_MM, 0.25 * NS_MM, 10.0 * NS_UM,
                30.0 * NS_DEG, 0.0, STEEL_MODULUS, STEEL_STRENGTH);
}

/* Microneedling pen cartridge needle: solid steel, 33 G nominal outer diameter
 * 0.21 mm [iso9626]; protrusion up to 2.5 mm, the deepest common depth setting
 * [pen_trade]; 30 deg point, 5 um tip radius (assumption). */
static void preset_pen_cartridge(ns_needle_params *p)
{
    needle_make(p, "pen_cartridge", NS_SHAPE_CONICAL, 2.5 * NS_MM, 0.21 * NS_MM,
                5.0 * NS_UM, 30.0 * NS_DEG, 0.0, STEEL_MODULUS, STEEL_STRENGTH);
}

/* Solid stainless-steel microneedle: 600 um long, 200 um base, in the 500-700 um
 * range of metal microneedles [gill2007]; sharp 5 um tip radius, 20 deg cone
 * (so the cone reaches the base at 543 um on a 57 um pedestal) (assumption). */
static void preset_microneedle_steel(ns_needle_params *p)
{
    needle_make(p, "microneedle_steel", NS_SHAPE_CONICAL, 600.0 * NS_UM, 200.0 * NS_UM,
                5.0 * NS_UM, 20.0 * NS_DEG, 0.0, STEEL_MODULUS, STEEL_STRENGTH);
}

/* Polymer (PLA/PLGA/PVP) microneedle: 600 um long, 300 um base, 10 um tip
 * radius, 30 deg cone; modulus 3 GPa and strength 50 MPa, the order of PLA and
 * dry PVP [park2005] (values rounded; assumption within the few-GPa range). */
static void preset_microneedle_polymer(ns_needle_params *p)
{
    needle_make(p, "microneedle_polymer", NS_SHAPE_CONICAL, 600.0 * NS_UM, 300.0 * NS_UM,
                10.0 * NS_UM, 30.0 * NS_DEG, 0.0, 3.0 * NS_GPA, 50.0 * NS_MPA);
}

/* 30 G hypodermic: outer diameter 0.31 mm (ISO 9626: 0.298-0.320 mm), inner
 * diameter 0.16 mm (regular wall) [iso9626]; 1/2 inch (12.7 mm) length; 12 deg
 * primary bevel and 3 um tip radius (assumption, lancet point). */
static void preset_hypodermic_30g(ns_needle_params *p)
{
    needle_make(p, "hypodermic_30g", NS_SHAPE_BEVELLED, 12.7 * NS_MM, 0.31 * NS_MM, 3.0 * NS_UM,
                12.0 * NS_DEG, 0.16 * NS_MM, STEEL_MODULUS, STEEL_STRENGTH);
}

static const ns_source_note notes_dermaroller[] = {
    {"diameter x length", "0.25 x 1.5 mm", "schwarz2011 (MF8)"},
    {"tip", "30 deg cone, 10 um radius", "assumption"},
    {"material", "stainless steel 193 GPa, 1 GPa", "asm_steel"},
    {"buckling K", "2", "timoshenko1961"},
};
static const ns_source_note notes_pen[] = {
    {"diameter", "0.21 mm (33 G)", "iso9626"},
    {"length", "2.5 mm protrusion (max depth setting)", "pen_trade"},
    {"tip", "30 deg cone, 5 um radius", "assumption"},
    {"material", "stainless steel 193 GPa, 1 GPa", "asm_steel"},
};
static const ns_source_note notes_mn_steel[] = {
    {"length / base", "600 / 200 um", "gill2007 (500-700 um metal microneedles)"},
    {"tip", "20 deg cone, 5 um radius", "assumption"},
    {"material", "stainless steel 193 GPa, 1 GPa", "asm_steel"},
};
static const ns_source_note notes_mn_polymer[] = {
    {"length / base", "600 / 300 um", "park2005 (polymer microneedles)"},
    {"tip", "30 deg cone, 10 um radius", "assumption"},
    {"material", "3 GPa, 50 MPa", "park2005 (PLA/PLGA order; assumption)"},
};
static const ns_source_note notes_hypo[] = {
    {"outer / inner diameter", "0.31 / 0.16 mm (30 G)", "iso9626"},
    {"length", "12.7 mm", "common 1/2 inch needle"},
    {"bevel", "12 deg, 3 um tip radius", "assumption (lancet point)"},
    {"material", "stainless steel 193 GPa, 1 GPa", "asm_steel"},
};

/* The presets: one row each (models/preset.h). */
static const ns_preset presets[] = {
    {"dermaroller", {.needle = preset_dermaroller}, NS_PRESET_NOTES(notes_dermaroller)},
    {"pen_cartridge", {.needle = preset_pen_cartridge}, NS_PRESET_NOTES(notes_pen)},
    {"microneedle_steel", {.needle = preset_microneedle_steel}, NS_PRESET_NOTES(notes_mn_steel)},
    {"microneedle_polymer", {.needle = preset_microneedle_polymer}, NS_PRESET_NOTES(notes_mn_polymer)},
    {"hypodermic_30g", {.needle = preset_hypodermic_30g}, NS_PRESET_NOTES(notes_hypo)},
};
static const ns_preset_table table = NS_PRESET_TABLE("needle.preset", presets);

ns_status ns_needle_preset(const char *name, ns_needle_params *out)
{
    NS_CHECK(out != NULL, NS_EINVAL, "needle preset: output pointer is NULL");
    const ns_preset *row = NULL;
    NS_TRY(ns_preset_lookup(&table, name, &row));
    row->fill.needle(out);
    return NS_OK;
}

size_t ns_needle_preset_count(void) { return table.n; }

const char *ns_needle_preset_name(size_t i) { return ns_preset_name(&table, i); }

size_t ns_needle_preset_sources(const char *name, const ns_source_note **notes)
{
    return ns_preset_sources(&table, name, notes);
}

/* ---- profile --------------------------------------------------------------------- */

/* Equal-area factor of a square: w^2 = pi r^2 -> r = w / sqrt(pi). */
#define SQRT_PI 1.7724538509055160
/* Perimeter of a square over that of the equal-area circle: 4 w / (2 pi r)
 * = 2 / sqrt(pi). */
#define PYRAMID_PERIMETER_FACTOR (2.0 / SQRT_PI)

double ns_needle_base_radius(const ns_needle_params *p)
{
    return p->shape == NS_SHAPE_PYRAMIDAL ? p->base_diameter / SQRT_PI : 0.5 * p->base_diameter;
}

/* Half-angle of the (equivalent) cone of a sphero-cone shape. */
static double cone_half_angle(const ns_needle_params *p)
{
    double a = 0.5 * p->tip_angle;
    if (p->shape == NS_SHAPE_PYRAMIDAL) a = atan(PYRAMID_PERIMETER_FACTOR * tan(a));
    return a;
}

typedef struct {
    double rt, a, Rb, s_t, r_t_end, s_b;
} sphero_cone;

static sphero_cone sphero_cone_of(const ns_needle_params *p)
{
    sphero_cone c;
    c.rt = p->tip_radius;
    c.a = cone_half_angle(p);
    c.Rb = ns_needle_base_radius(p);
    c.s_t = c.rt * (1.0 - sin(c.a));  /* tangent point of cap and cone */
    c.r_t_end = c.rt * cos(c.a);      /* radius there */
    c.s_b = c.s_t + (c.Rb - c.r_t_end) / tan(c.a);
    return c;
}

static double sphero_cone_radius(const sphero_cone *c, double s)
{
    if (s <= 0.0) return 0.0;
    if (s <= c->s_t) return sqrt(s * (2.0 * c->rt - s));
    if (s <= c->s_b) return fmin(c->r_t_end + (s - c->s_t) * tan(c->a), c->Rb);
    return c->Rb;
}

/* Bevelled tube: bevel length 2 R / tan(beta). */
static double bevel_length(const ns_needle_params *p)
{
    return p->base_diameter / tan(p->tip_angle);
}

/* Area of a circular segment of height h in a circle of radius R. */
static double segment_area(double R, double h)
{
    if (h <= 0.0) return 0.0;
    if (h >= 2.0 * R) return NS_PI * R * R;
    double x = 1.0 - h / R;
    return R * R * acos(x) - (R - h) * sqrt(fmax(2.0 * R * h - h * h, 0.0));
}

static double bevel_radius(const ns_needle_params *p, double s)
{
    if (s <= 0.0) return 0.0;
    double R = 0.5 * p->base_diameter;
    double h = fmin(s * tan(p->tip_angle), 2.0 * R);
    double r_seg = sqrt(segment_area(R, h) / NS_PI);
    double rt = p->tip_radius;
    double cap = s < rt ? sqrt(s * (2.0 * rt - s)) : rt;
    return fmax(r_seg, cap);
}

/* Flat-ended cylinder (section 1): the face of radius R_b - r_e joined to
 * the shaft by an edge of radius r_e = min(r_t, R_b). */
static double flat_radius(const ns_needle_params *p, double s)
{
    double R = 0.5 * p->base_diameter, re = fmin(p->tip_radius, R);
    if (s <= 0.0) return 0.0;
    if (s >= re) return R;
    return R - re + sqrt(s * (2.0 * re - s));
}

double ns_needle_radius_at(const ns_needle_params *p, double s)
{
    if (s <= 0.0) return 0.0;
    if (s > p->length) s = p->length;
    if (p->shape == NS_SHAPE_BEVELLED) return bevel_radius(p, s);
    if (p->shape == NS_SHAPE_CYLINDRICAL) return flat_radius(p, s);
    sphero_cone c = sphero_cone_of(p);
    return sphero_cone_radius(&c, s);
}

double ns_needle_tip_area(const ns_needle_params *p) { return NS_PI * p->tip_radius * p->tip_radius; }

double ns_needle_tip_length(const ns_needle_params *p)
{
    if (p->shape == NS_SHAPE_BEVELLED) return bevel_length(p);
    if (p->shape == NS_SHAPE_CYLINDRICAL) return fmin(p->tip_radius, 0.5 * p->base_diameter);
    return sphero_cone_of(p).s_b;
}

double ns_needle_second_moment(const ns_needle_params *p, double s)
{
    double r = ns_needle_radius_at(p, s);
    double I_out = p->shape == NS_SHAPE_PYRAMIDAL
                       ? pow(SQRT_PI * r, 4) / 12.0 /* square of side w = sqrt(pi) r */
                       : 0.25 * NS_PI * pow(r, 4);
    double ri = fmin(0.5 * p->bore_diameter, r);
    return I_out - 0.25 * NS_PI * pow(ri, 4);
}

/* I(s) of ns_needle_second_moment with the sphero-cone of the shape computed
 * once by the caller (c; unused for bevelled and cylindrical needles): the
 * same operations in the same order, so the same bits. */
static double second_moment_hoisted(const ns_needle_params *p, const sphero_cone *c, double s)
{
    double r;
    if (s <= 0.0)
        r = 0.0;
    else {
        if (s > p->length) s = p->length;
        if (p->shape == NS_SHAPE_BEVELLED)
            r = bevel_radius(p, s);
        else if (p->shape == NS_SHAPE_CYLINDRICAL)
            r = flat_radius(p, s);
        else
            r = sphero_cone_radius(c, s);
    }
    double I_out = p->shape == NS_SHAPE_PYRAMIDAL
                       ? pow(SQRT_PI * r, 4) / 12.0 /* square of side w = sqrt(pi) r */
                       : 0.25 * NS_PI * pow(r, 4);
    double ri = fmin(0.5 * p->bore_diameter, r);
    return I_out - 0.25 * NS_PI * pow(ri, 4);
}

/* I_eff = (2/L) int_0^L I(x) cos^2(pi x/(2L)) dx, x from the base (s = L - x);
 * composite Simpson (section 3). */
static double effective_moment(const ns_needle_params *p)
{
    double L = p->length;
    double hx = L / N_SIMPSON;
    double sum = 0.0;
    sphero_cone c = sphero_cone_of(p);
    for (int k = 0; k <= N_SIMPSON; k++) {
        double x = k * hx;
        double cx = cos(0.5 * NS_PI * x / L);
        double f = second_moment_hoisted(p, &c, L - x) * cx * cx;
        double w = (k == 0 || k == N_SIMPSON) ? 1.0 : (k % 2 ? 4.0 : 2.0);
        sum += w * f;
    }
    return (2.0 / L) * sum * hx / 3.0;
}

/* The geometry that I_eff depends on, compared bit for bit (a -0.0 against a
 * 0.0 is a miss, never a wrong hit). */
typedef struct {
    int shape;
    double length, base_diameter, tip_radius, tip_angle, bore_diameter;
} moment_key;

static int moment_key_eq(const moment_key *a, const moment_key *b)
{
    return a->shape == b->shape && memcmp(&a->length, &b->length, sizeof a->length) == 0 &&
           memcmp(&a->base_diameter, &b->base_diameter, sizeof a->base_diameter) == 0 &&
           memcmp(&a->tip_radius, &b->tip_radius, sizeof a->tip_radius) == 0 &&
           memcmp(&a->tip_angle, &b->tip_angle, sizeof a->tip_angle) == 0 &&
           memcmp(&a->bore_diameter, &b->bore_diameter, sizeof a->bore_diameter) == 0;
}

double ns_needle_buckling_load(const ns_needle_params *p)
{
    /* One-entry memo per thread of I_eff (see needle.h): the 2001-point
     * integral was 39 % of an intact-skin case and is computed twice per
     * punctured case (the derived result and the insertion's margin). */
    static _Thread_local moment_key memo_key;
    static _Thread_local double memo_I_eff;
    static _Thread_local int memo_valid;
    moment_key key;
    memset(&key, 0, sizeof key);
    key.shape = (int)p->shape;
    key.length = p->length;
    key.base_diameter = p->base_diameter;
    key.tip_radius = p->tip_radius;
    key.tip_angle = p->tip_angle;
    key.bore_diameter = p->bore_diameter;
    if (!memo_valid || !moment_key_eq(&key, &memo_key)) {
        memo_I_eff = effective_moment(p);
        memo_key = key;
        memo_valid = 1;
    }
    double L = p->length;
    double KL = p->buckling_k * L;
    return NS_PI * NS_PI * p->youngs_modulus * memo_I_eff / (KL * KL);
}

double ns_needle_section_strength(const ns_needle_params *p, double s, double theta)
{
    double r = ns_needle_radius_at(p, s), rb = fmin(0.5 * p->bore_diameter, r);
    double A = p->shape == NS_SHAPE_PYRAMIDAL ? NS_PI * r * r : NS_PI * (r * r - rb * rb);
    double I = ns_needle_second_moment(p, s);
    if (!(A > 0.0 && I > 0.0)) return (double)INFINITY;
    return p->strength / (cos(theta) / A + sin(fabs(theta)) * s * r / I);
}

double ns_needle_fracture_load(const ns_needle_params *p, double theta)
{
    double L = p->length, s0 = fmin(5.0 * p->tip_radius, L), F = INFINITY;
    for (int k = 0; k <= 400; k++) {
        double xi = k / 400.0;
        F = fmin(F, ns_needle_section_strength(p, s0 + (L - s0) * xi * xi, theta));
    }
    return F;
}

double ns_needle_shaft_area(const ns_needle_params *p, double depth)
{
    double d = fmin(fmax(depth, 0.0), p->length);
    if (d <= 0.0) return 0.0;
    if (p->shape == NS_SHAPE_BEVELLED) {
        /* Polyline over the bevel, cylinder beyond. */
        double Lb = fmin(bevel_length(p), d);
        double S = 0.0, s0 = 0.0, r0 = 0.0;
        for (int k = 1; k <= N_POLYLINE; k++) {
            double s1 = Lb * k / N_POLYLINE;
            double r1 = bevel_radius(p, s1);
            S += NS_PI * (r0 + r1) * hypot(s1 - s0, r1 - r0);
            s0 = s1;
            r0 = r1;
        }
        if (d > Lb) S += 2.0 * NS_PI * 0.5 * p->base_diameter * (d - Lb);
        return S;
    }
    if (p->shape == NS_SHAPE_CYLINDRICAL) {
        /* rounded edge (quarter torus) in closed form, then the shaft */
        double R = 0.5 * p->base_diameter, re = fmin(p->tip_radius, R), de = fmin(d, re);
        double th = acos(fmax(1.0 - de / re, -1.0)); /* edge angle reached, 0..pi/2 */
        double S = 2.0 * NS_PI * re * ((R - re) * th + de);
        if (d > re) S += 2.0 * NS_PI * R * (d - re);
        return S;
    }
    sphero_cone c = sphero_cone_of(p);
    double S = 2.0 * NS_PI * c.rt * fmin(d, c.s_t); /* spherical zone */
    if (d > c.s_t) {
        double s2 = fmin(d, c.s_b);
        double r2 = sphero_cone_radius(&c, s2);
        S += NS_PI * (c.r_t_end + r2) * (s2 - c.s_t) / cos(c.a); /* frustum */
    }
    if (d > c.s_b) S += 2.0 * NS_PI * c.Rb * (d - c.s_b); /* shaft */
    if (p->shape == NS_SHAPE_PYRAMIDAL) S *= PYRAMID_PERIMETER_FACTOR;
    return S;
}

/* ---- derivation ------------------------------------------------------------------- */

/* Root function of the derived tip angle: s_b(alpha) - length, > 0 at small
 * angles; params is a copy of the needle whose tip_angle is varied. */
static int tip_length_excess(double alpha, void *params, double *fx)
{
    ns_needle_params *q = params;
    q->tip_angle = alpha;
    *fx = ns_needle_tip_length(q) - q->length;
    return 0;
}

ns_status ns_needle_derive(ns_needle_params *p)
{
    NS_CHECK(p != NULL, NS_EINVAL, "needle: NULL parameters");
    if (!isnan(p->tip_angle)) return NS_OK;
    NS_CHECK(p->shape != NS_SHAPE_BEVELLED, NS_EINVAL,
             "needle.tip_angle is unset: a bevelled needle needs an explicit bevel angle");
    double Rb = ns_needle_base_radius(p);
    NS_CHECK(isfinite(p->length) && p->length > 0.0 && isfinite(Rb) && p->tip_radius > 0.0 &&
                 p->tip_radius < Rb,
             NS_EINVAL,
             "needle.tip_angle is unset and cannot be derived: needs length > 0 (%g m) and "
             "0 < tip_radius (%g m) < base radius (%g m)",
             p->length, p->tip_radius, Rb);
    /* The tip length s_b decreases monotonically with the angle: bisect
     * s_b(alpha) = length on alpha in (0, pi). */
    ns_needle_params q = *p;
    ns_root_bracket b = {NEEDLE_ANGLE_MIN, NS_PI - NEEDLE_ANGLE_MIN, NAN, NAN, 0};
    NS_TRY(ns_root_solve(NS_ROOT_BISECTION, tip_length_excess, &q, NEEDLE_ANGLE_TOL,
                         NEEDLE_ANGLE_ITER, &b));
    p->tip_angle = b.hi; /* the side with s_b <= length */
    return NS_OK;
}

/* ---- validation -------------------------------------------------------------------- */


ns_status ns_needle_check(const ns_needle_params *p)
{
    NS_CHECK(p != NULL, NS_EINVAL, "needle: NULL parameters");
    /* every range: the parameter table; then the rules between fields */
    NS_TRY(ns_param_check_struct(p, offsetof(ns_params, needle), "needle"));
    if (!(p->tip_radius < 0.5 * p->base_diameter)) {
        ns_status_set_keyed(NS_EINVAL, "needle.tip_radius",
                            "needle.tip_radius = %g m: expected (0 m, needle.base_diameter / 2 = "
                            "%g m)",
                            p->tip_radius, 0.5 * p->base_diameter);
        ns_status_add_key("needle.base_diameter");
        return NS_EINVAL;
    }
    if (p->shape == NS_SHAPE_BEVELLED && !(p->tip_angle < 0.5 * NS_PI))
        return ns_status_set_keyed(NS_EINVAL, "needle.tip_angle",
                                   "needle.tip_angle = %g rad (%g deg): expected (0, 90) deg for "
                                   "a bevelled needle",
                                   p->tip_angle, p->tip_angle / NS_DEG);
    if (!(p->bore_diameter < p->base_diameter)) {
        ns_status_set_keyed(NS_EINVAL, "needle.bore_diameter",
                            "needle.bore_diameter = %g m: expected [0 m, needle.base_diameter = %g "
                            "m)",
                            p->bore_diameter, p->base_diameter);
        ns_status_add_key("needle.base_diameter");
        return NS_EINVAL;
    }
    double lt = ns_needle_tip_length(p);
    if (!(lt <= p->length)) {
        ns_status_set_keyed(NS_EINVAL, "needle.tip_angle",
                            "needle.tip_angle = %g deg: the tapered tip (%g m) is longer than "
                            "needle.length = %g m; increase the tip angle or the length, or "
                            "reduce base_diameter",
                            p->tip_angle / NS_DEG, lt, p->length);
        ns_status_add_key("needle.length");
        ns_status_add_key("needle.base_diameter");
        return NS_EINVAL;
    }
    return NS_OK;
}

/* ---- array ----------------------------------------------------------------------- */

/* Density of a lattice of pitch p and its inverse. */
static double density_of_pitch(ns_array_layout l, double p)
{
    return l == NS_LAYOUT_HEXAGONAL ? 2.0 / (sqrt(3.0) * p * p) : 1.0 / (p * p);
}

static double pitch_of_density(ns_array_layout l, double n)
{
    return l == NS_LAYOUT_HEXAGONAL ? sqrt(2.0 / (sqrt(3.0) * n)) : 1.0 / sqrt(n);
}

ns_status ns_array_derive(ns_array_params *a, const ns_needle_params *n)
{
    NS_CHECK(a != NULL && n != NULL, NS_EINVAL, "array: NULL argument");
    NS_CHECK(a->layout >= 0 && a->layout < NS_LAYOUT_COUNT, NS_EINVAL,
             "array.layout = %d: must be none, single, square, hexagonal or roller",
             (int)a->layout);
    if (isnan(a->count)) a->count = 1.0;
    const ns_key *kc = ns_param_find("array", "count");
    if (!ns_param_in_range(kc, a->count)) return ns_param_fail_range(kc, NULL, a->count);
    if (a->layout == NS_LAYOUT_NONE || a->layout == NS_LAYOUT_SINGLE) {
        a->density = 0.0;
        a->pitch = INFINITY;
        return NS_OK;
    }
    const char *lname = ns_array_layout_name(a->layout);
    if (isnan(a->density) && isnan(a->pitch))
        return ns_status_set_keyed(NS_EINVAL, "array.density",
                                   "array.density = auto, array.pitch = auto: expected one of "
                                   "them for a %s array",
                                   lname);
    const ns_key *kd = ns_param_find("array", "density"), *kp = ns_param_find("array", "pitch");
    if (!isnan(a->pitch) && !ns_param_in_range(kp, a->pitch))
        return ns_param_fail_range(kp, NULL, a->pitch);
    if (!isnan(a->density) && !ns_param_in_range(kd, a->density))
        return ns_param_fail_range(kd, NULL, a->density);
    if (isnan(a->density)) {
        a->density = density_of_pitch(a->layout, a->pitch);
    } else if (isnan(a->pitch)) {
        a->pitch = pitch_of_density(a->layout, a->density);
    } else {
        double n_p = density_of_pitch(a->layout, a->pitch);
        if (!(fabs(n_p - a->density) <= 1e-9 * a->density)) {
            ns_status_set_keyed(NS_EINVAL, "array.density",
                                "array.density = %g /cm2 and array.pitch = %g m disagree (pitch "
                                "gives %g /cm2 for a %s array): give only one",
                                a->density * NS_CM2, a->pitch, n_p * NS_CM2, lname);
            ns_status_add_key("array.pitch");
            return NS_EINVAL;
        }
    }
    double D = n->base_diameter;
    double n_max = density_of_pitch(a->layout, D);
    if (!(a->pitch > D)) {
        ns_status_set_keyed(NS_EINVAL, "array.density",
                            "array.density = %g /cm2: expected below %g /cm2 for a %s array "
                            "(pitch %g um <= needle.base_diameter %g um: needles overlap)",
                            a->density * NS_CM2, n_max * NS_CM2, lname, a->pitch / NS_UM,
                            D / NS_UM);
        ns_status_add_key("array.pitch");
        ns_status_add_key("needle.base_diameter");
        return NS_EINVAL;
    }
    return NS_OK;
}

double ns_array_unit_cell_radius(const ns_array_params *a)
{
    if (a->layout == NS_LAYOUT_NONE || a->layout == NS_LAYOUT_SINGLE) return INFINITY;
    if (!(a->density > 0.0)) return INFINITY;
    return 1.0 / sqrt(NS_PI * a->density);
}

double ns_array_needles_in_contact(const ns_array_params *a, const ns_applicator_params *ap,
                                   const ns_needle_params *n)
{
    if (a->layout == NS_LAYOUT_NONE) return 0.0;
    if (a->layout == NS_LAYOUT_SINGLE) return 1.0;
    if (ap->mode == NS_APPLICATOR_ROLLER) {
        double R = ap->drum_radius;
        double theta_c = acos(R / (R + n->length)); /* tips below the surface */
        return a->count * theta_c / NS_PI;
    }
    return a->count;
}

/* ---- applicator -------------------------------------------------------------------- */

ns_status ns_applicator_check(const ns_applicator_params *ap)
{
    NS_CHECK(ap != NULL, NS_EINVAL, "applicator: NULL parameters");
    /* every range, for every mode: the parameter table */
    return ns_param_check_struct(ap, offsetof(ns_params, applicator), "applicator");
}
