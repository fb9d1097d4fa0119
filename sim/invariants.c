/* The invariants of a finished case (see invariants.h): one table of
 * checks, each with its tolerance and its message. */
#include "invariants.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../models/skin.h"

/* What every check sees: the case and the scales derived from it once. */
typedef struct {
    const ns_params *p;
    const ns_ins_result *ins;
    const ns_diff_result *diff;
    const ns_case_result *r;
    int supply_limited; /* finite vehicle, coated or dissolving dose with a dose_amount */
    double M;           /* [kg/m^2] supply per unit-cell area: the dose_amount result */
    double S;           /* [kg/m^2] dose scale of amounts (M, or B_Q) */
    double B_Q;         /* [kg/m^2] bound of amounts (amounts_bounded, before tol) */
    double B_J;         /* [kg/(m^2 s)] bound of fluxes (flux_bounded, before tol) */
} inv_ctx;

/* A check returns 1 and writes the details into msg when violated. */
typedef int (*inv_fn)(const inv_ctx *c, double tol, char *msg, size_t cap);

typedef struct {
    ns_invariant_info info;
    inv_fn fn;
} inv_row;

static const char *unit_of(ns_result_id id) { return ns_result_table[id].units; }

/* ---- the checks ------------------------------------------------------------------ */

static int chk_finite(const inv_ctx *c, double tol, char *msg, size_t cap)
{
    (void)tol;
    /* From the insertion on; the derived inputs before it may be infinite by
     * definition (pitch of a single needle), so may the buckling margin of a
     * needle that never bore a force. */
    for (size_t i = NS_R_PUNCTURED; i < NS_R_COUNT; i++)
        if (i != NS_R_BUCKLING_MARGIN && isinf(c->r->scalar[i])) {
            snprintf(msg, cap, "%s = %g %s is not finite", ns_result_table[i].name,
                     c->r->scalar[i], ns_result_table[i].units);
            return 1;
        }
    for (size_t k = 0; k < NS_C_COUNT; k++) {
        size_t n = ns_curve_length((ns_curve_id)k, c->r->sizes);
        for (size_t j = 0; j < n; j++)
            if (isinf(c->r->curve[k][j])) {
                snprintf(msg, cap, "curve %s[%zu] = %g %s is not finite", ns_curve_table[k].name,
                         j, c->r->curve[k][j], ns_curve_table[k].units);
                return 1;
            }
    }
    if (c->diff) {
        static const ns_result_id amounts[] = {NS_R_PERMEATED_AMOUNT, NS_R_SKIN_AMOUNT,
                                               NS_R_CLEARED_AMOUNT, NS_R_MASS_BALANCE_ERROR};
        for (size_t i = 0; i < sizeof amounts / sizeof amounts[0]; i++)
            if (!isfinite(c->r->scalar[amounts[i]])) {
                snprintf(msg, cap, "%s = %g after the diffusion run",
                         ns_result_table[amounts[i]].name, c->r->scalar[amounts[i]]);
                return 1;
            }
    }
    return 0;
}

/* The amount results of a diffusion run (NaN ones are skipped). */
static const ns_result_id amount_ids[] = {NS_R_PERMEATED_AMOUNT, NS_R_SKIN_AMOUNT,
                                          NS_R_SC_AMOUNT,        NS_R_TOTAL_SKIN_AMOUNT,
                                          NS_R_CLEARED_AMOUNT,   NS_R_INTACT_PERMEATED_AMOUNT};
#define N_AMOUNTS (sizeof amount_ids / sizeof amount_ids[0])

static int chk_nonnegative(const inv_ctx *c, double tol, char *msg, size_t cap)
{
    if (!c->diff) return 0;
    double floor_ = -tol * c->S;
    for (size_t i = 0; i < N_AMOUNTS; i++) {
        double v = c->r->scalar[amount_ids[i]];
        if (v < floor_) {
            snprintf(msg, cap, "%s = %.4g %s is negative (below -%g x %.4g %s, the dose scale)",
                     ns_result_table[amount_ids[i]].name, v, unit_of(amount_ids[i]), tol, c->S,
                     unit_of(amount_ids[i]));
            return 1;
        }
    }
    static const ns_curve_id curves[] = {NS_C_PERMEATED_AMOUNT, NS_C_FLUX};
    for (size_t k = 0; k < 2; k++) {
        double scale = curves[k] == NS_C_FLUX ? c->B_J : c->S;
        size_t n = ns_curve_length(curves[k], c->r->sizes);
        for (size_t j = 0; j < n; j++)
            if (c->r->curve[curves[k]][j] < -tol * scale) {
                snprintf(msg, cap, "curve %s[%zu] = %.4g %s is negative (below -%g x %.4g %s)",
                         ns_curve_table[curves[k]].name, j, c->r->curve[curves[k]][j],
                         ns_curve_table[curves[k]].units, tol, scale,
                         ns_curve_table[curves[k]].units);
                return 1;
            }
    }
    return 0;
}

static int chk_within_supply(const inv_ctx *c, double tol, char *msg, size_t cap)
{
    if (!c->diff || !c->supply_limited) return 0;
    const char *what = c->p->drug.dose == NS_DOSE_FINITE ? "vehicle film" : "needle's dose";
    double lim = (1.0 + tol) * c->M;
    for (size_t i = 0; i < N_AMOUNTS; i++) {
        double v = c->r->scalar[amount_ids[i]];
        if (v > lim) {
            snprintf(msg, cap, "%s = %.4g %s exceeds the %s %.4g %s (tolerance %g)",
                     ns_result_table[amount_ids[i]].name, v, unit_of(amount_ids[i]), what, c->M,
                     unit_of(amount_ids[i]), tol);
            return 1;
        }
    }
    double held = c->r->scalar[NS_R_TOTAL_SKIN_AMOUNT];
    if (isnan(held)) held = c->r->scalar[NS_R_SKIN_AMOUNT];
    double sum = c->r->scalar[NS_R_PERMEATED_AMOUNT] + held;
    if (sum > lim) {
        snprintf(msg, cap, "permeated + skin amount = %.4g kg/m2 exceeds the %s %.4g kg/m2 "
                 "(tolerance %g)", sum, what, c->M, tol);
        return 1;
    }
    static const ns_result_id fractions[] = {NS_R_DELIVERED_FRACTION, NS_R_SKIN_FRACTION};
    for (size_t i = 0; i < 2; i++) {
        double v = c->r->scalar[fractions[i]];
        if (v > 1.0 + tol || v < -tol) {
            snprintf(msg, cap, "%s = %.6g is outside [0, 1] (tolerance %g)",
                     ns_result_table[fractions[i]].name, v, tol);
            return 1;
        }
    }
    return 0;
}

static int chk_bounded(const inv_ctx *c, double tol, char *msg, size_t cap)
{
    if (!c->diff) return 0;
    static const ns_result_id ids[] = {NS_R_PERMEATED_AMOUNT, NS_R_TOTAL_SKIN_AMOUNT,
                                       NS_R_INTACT_PERMEATED_AMOUNT};
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        double v = c->r->scalar[ids[i]];
        if (v > tol * c->B_Q) {
            snprintf(msg, cap, "%s = %.4g %s exceeds %g x %.4g %s, the most the dose can deliver "
                     "through this stack", ns_result_table[ids[i]].name, v, unit_of(ids[i]), tol,
                     c->B_Q, unit_of(ids[i]));
            return 1;
        }
    }
    return 0;
}

static int chk_flux(const inv_ctx *c, double tol, char *msg, size_t cap)
{
    if (!c->diff) return 0;
    double lim = tol * c->B_J;
    double J = c->r->scalar[NS_R_PEAK_FLUX];
    if (J > lim) {
        snprintf(msg, cap, "peak_flux = %.4g kg/(m2 s) exceeds %g x %.4g kg/(m2 s), the most the "
                 "dose can supply through this stack", J, tol, c->B_J);
        return 1;
    }
    size_t n = ns_curve_length(NS_C_FLUX, c->r->sizes);
    for (size_t j = 0; j < n; j++)
        if (c->r->curve[NS_C_FLUX][j] > lim) {
            snprintf(msg, cap, "curve flux[%zu] = %.4g kg/(m2 s) exceeds %g x %.4g kg/(m2 s)", j,
                     c->r->curve[NS_C_FLUX][j], tol, c->B_J);
            return 1;
        }
    return 0;
}

static int chk_mass_balance(const inv_ctx *c, double tol, char *msg, size_t cap)
{
    if (!c->diff) return 0;
    double e = c->r->scalar[NS_R_MASS_BALANCE_ERROR];
    if (e > tol) {
        snprintf(msg, cap, "mass_balance_error = %.3g exceeds %g", e, tol);
        return 1;
    }
    return 0;
}

static int chk_energy_balance(const inv_ctx *c, double tol, char *msg, size_t cap)
{
    if (!c->ins) return 0;
    double e = c->r->scalar[NS_R_ENERGY_BALANCE_ERROR];
    if (e > tol) {
        snprintf(msg, cap, "energy_balance_error = %.3g of the insertion exceeds %g", e, tol);
        return 1;
    }
    return 0;
}

static int chk_depth(const inv_ctx *c, double tol, char *msg, size_t cap)
{
    double stack = ns_skin_total_thickness(&c->p->skin);
    /* the tent too: bounded by the fat's lock-up (models/insertion.h eq. F2) */
    static const ns_result_id ids[] = {NS_R_PENETRATION_DEPTH, NS_R_CHANNEL_DEPTH,
                                       NS_R_MAX_TENTING};
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        double d = c->r->scalar[ids[i]];
        if (d > (1.0 + tol) * stack) {
            snprintf(msg, cap, "%s = %.6g m is beyond the skin stack (%.6g m thick)",
                     ns_result_table[ids[i]].name, d, stack);
            return 1;
        }
    }
    return 0;
}

static int chk_force_cap(const inv_ctx *c, double tol, char *msg, size_t cap)
{
    ns_applicator_mode m = c->p->applicator.mode;
    if (!c->ins || (m != NS_APPLICATOR_PRESS && m != NS_APPLICATOR_ROLLER)) return 0;
    double F = c->r->scalar[NS_R_TOTAL_FORCE], Fcap = c->p->applicator.force;
    if (F > (1.0 + tol) * Fcap) {
        snprintf(msg, cap, "total_force = %.6g N exceeds applicator.force = %.6g N (tolerance %g)",
                 F, Fcap, tol);
        return 1;
    }
    return 0;
}

/* A pull on the needle only by shaft friction of a punctured tip sliding
 * back in its hole: excess_pull (a pull beyond that friction, or on an
 * unpunctured needle) at most tol x max_force. */
static int chk_pull(const inv_ctx *c, double tol, char *msg, size_t cap)
{
    if (!c->ins) return 0;
    double P = c->r->scalar[NS_R_EXCESS_PULL], Fm = c->r->scalar[NS_R_MAX_FORCE];
    if (P > tol * fmax(Fm, 0.0)) {
        snprintf(msg, cap, "excess_pull = %.4g N: the needle was pulled beyond the shaft friction "
                 "of its tip (above %g x max_force = %.4g N)", P, tol, Fm);
        return 1;
    }
    return 0;
}

/* ---- the table: names, tolerances, rules (outputs/README.md quotes it) ------------ */

static const inv_row table[] = {
    {{"finite", 0.0, "results and curves finite or NaN; the amounts of a diffusion run finite"},
     chk_finite},
    /* 0.01: Crank-Nicolson is not monotone; on the coarse grids and loose
     * diff_rtol of the Latin hypercube (8 x 32 cells, rtol up to 0.1) its
     * undershoots reach 0.8 % of the dose scale, runaway solutions 1e6 and more. */
    {{"amounts_nonnegative", 0.01, "amounts and permeation/flux curves >= -tol x the dose scale"},
     chk_nonnegative},
    {{"amounts_within_supply", 1e-3,
      "finite, coated, dissolving dose: amounts, permeated + skin <= (1 + tol) x dose_amount; "
      "delivered and skin fraction in [-tol, 1 + tol]"},
     chk_within_supply},
    {{"amounts_bounded", 10.0, "permeated and skin amounts <= tol x B_Q (sim/invariants.h)"},
     chk_bounded},
    {{"flux_bounded", 10.0, "peak flux and flux curve <= tol x B_J (sim/invariants.h)"}, chk_flux},
    {{"mass_balance", 1e-6, "mass_balance_error <= tol"}, chk_mass_balance},
    {{"energy_balance", 0.01, "energy_balance_error of the insertion <= tol"}, chk_energy_balance},
    {{"depth_within_stack", 1e-9, "penetration depth, channel depth and tent <= (1 + tol) x skin stack"},
     chk_depth},
    {{"force_within_cap", 1e-3, "press, roller: total_force <= (1 + tol) x applicator.force"},
     chk_force_cap},
    /* 1e-3: the contact laws only push (exact 0); the elastic tip pulls at
     * most the friction of its sliding tip, to the Newton tolerance times the
     * tip stiffness (~5e-7 N, 4e-6 of a 0.12 N max_force) and the tolerance
     * of the cut-depth root. */
    {{"pull_only_by_friction", 1e-3,
      "excess_pull (a pull on the needle beyond the shaft friction of a punctured tip "
      "sliding back, or any pull on an unpunctured needle) <= tol x max_force"},
     chk_pull},
};
#define N_ROWS (sizeof table / sizeof table[0])

size_t ns_invariant_count(void) { return N_ROWS; }

const ns_invariant_info *ns_invariant_at(size_t i) { return i < N_ROWS ? &table[i].info : NULL; }

/* ---- scales ---------------------------------------------------------------------- */

/* Modelled depth H by the rule of models/diffusion.h ("Domain"). */
static double model_depth(const ns_skin_params *sk, double depth)
{
    if (!isnan(depth)) return depth;
    size_t top = sk->n_layers == 1 ? 1 : (sk->n_layers < 3 ? sk->n_layers : 3);
    double h = 0.0;
    for (size_t i = 0; i < top; i++) h += sk->layer[i].thickness;
    return h;
}

static void scales(inv_ctx *c)
{
    const ns_params *p = c->p;
    const ns_skin_params *sk = &p->skin;
    double H = model_depth(sk, p->transport.depth);
    double ch_depth = c->r->scalar[NS_R_CHANNEL_DEPTH];
    int channel = ch_depth > 0.0;
    double Kmax = channel ? 1.0 : 0.0, Dmax = channel ? p->drug.free_diffusivity : 0.0;
    double kmax = 0.0, L = H;
    for (size_t i = 0; i < sk->n_layers; i++) {
        double top = ns_skin_layer_top(sk, i);
        if (top >= H) break;
        const ns_layer *l = &sk->layer[i];
        Kmax = fmax(Kmax, l->partition);
        Dmax = fmax(Dmax, l->diffusivity);
        kmax = fmax(kmax, l->clearance);
        L = fmin(L, fmin(l->thickness, H - top));
    }
    if (channel && ch_depth < H) L = fmin(L, H - ch_depth);
    double T = p->transport.duration;
    /* The applied dose per unit-cell area (film, coated or loaded mass): set
     * from the inputs when the solver is built, not by the time stepping. */
    double dose = c->r->scalar[NS_R_DOSE_AMOUNT];
    c->supply_limited = p->drug.dose != NS_DOSE_INFINITE && isfinite(dose);
    c->M = c->supply_limited ? dose : 0.0;
    if (p->drug.dose == NS_DOSE_COATED || p->drug.dose == NS_DOSE_DISSOLVING) {
        c->B_Q = c->M;
        c->B_J = c->M * (Dmax / (L * L) + kmax);
    } else {
        double Cv = p->drug.concentration;
        c->B_Q = Kmax * Cv * (H + Dmax * T / L + kmax * T * H);
        c->B_J = Kmax * Cv * (Dmax / L + kmax * H);
    }
    c->S = c->supply_limited ? c->M : c->B_Q;
}

ns_status ns_invariants_check(const ns_params *p, const ns_ins_result *ins,
                              const ns_diff_result *diff, const ns_case_result *r)
{
    inv_ctx c = {p, ins, diff, r, 0, 0.0, 0.0, 0.0, 0.0};
    scales(&c);
    char msg[200];
    for (size_t i = 0; i < N_ROWS; i++) {
        msg[0] = '\0';
        if (table[i].fn(&c, table[i].info.tol, msg, sizeof msg))
            return ns_status_set_plain(NS_EPHYSICS, "invariant %s: %s", table[i].info.name, msg);
    }
    return NS_OK;
}
