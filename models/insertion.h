/* Insertion mechanics: tenting, puncture and penetration of a needle (or one
 * needle of an array, in its axisymmetric unit cell) into layered skin.
 *
 * Tenting operator (physics.md 3.1), w(r,t) downward [m], r in [0, R]:
 *   m w_tt + c w_t + B lap(lap w) - (1/r) d/dr(r N(eps) dw/dr)
 *        + (1-g) p(w) + p_L(w) + h = q(r,t),  h_t = -h/tau + g k0 w_t  (T1)
 *   p(w) = k0 w (1 + beta_f w^2/H^2),  N = N0 + G_p + A_m eps (1 + beta_m eps^2),
 *   eps = (dw/dr)^2/2.
 * m = sum rho_i h_i over SC+VE+dermis [kg/m^2]; B = sum E'_i (h_i^3/12 +
 * h_i (z_i - z_n)^2) about the neutral axis z_n [N m], E' = E/(1-nu^2);
 * A_m = sum E'_i h_i [N/m]; beta_m the E'h-weighted layer stiffening;
 * beta_f = hypodermis stiffening + calib foundation_stiffening; (g, tau)
 * relaxation of the hypodermis as a standard-linear-solid Maxwell branch h
 * [Pa]; c = 2 zeta sqrt(m k0) (calib damping_ratio). B and A_m relax with
 * the skin layers' (g, tau): "Sheet and contact viscoelasticity" below.
 * Foundation (two-parameter Pasternak, derived for each stack at create):
 * the fat layer (E_h, nu_h, thickness H) bonded to the backing k_b has the
 * layered-elastic surface stiffness (Hankel transform, load p~ J0(xi r))
 *   S(xi) = 1 / ( 2 (1-nu^2) L(xi H)/(E xi) + 1/k_b ),                 (F1)
 *   L(x) = (2 kap sinh 2x - 4x)/(2 kap cosh 2x + 1 + kap^2 + 4x^2), kap = 3-4nu
 * (Dhaliwal & Rau 1970); k0 [N/m^3] and the shear stiffness G_p [N/m] are
 * the relative least-squares fit S ~ k0 + G_p xi^2 over xi H in [1, 10]
 * (tent wavelengths; longer ones are the patch mean mode below). Forearm:
 * k0 = 2.66e5 N/m^3, G_p = 0.38 N/m (a Winkler k0 = E'/H was 1.88e5); the
 * shear term adds to the membrane tension. Compaction lock-up of the fat:
 *   p_L = k0 H e^2/(1-e)^2,  e = max(w, 0)/H                           (F2)
 * (elastic, not relaxing; C1 at e = 0, unbounded as e -> 1), so no
 * deflection reaches H, less than the stack thickness; Newton updates move a
 * node at most half way to w = H.
 * Array patch, mean mode: the cell-mean deflection wbar = sum A_i w_i / A_cell
 * is the sinking of the whole patch of N needles (radius a_p = R_c sqrt(N)),
 * so it gets the extra energy (k_m/2) A_cell wbar^2 on top of the local k0:
 * k_m = max(k_fat - k0, 0) + k_edge, with the bonded fat block
 * 1/k_fat = H/(E'(1 + 2 S^2)) + H/K + 1/k_b, S = a_p/(2H), K the bulk modulus
 * (Gent & Lindley 1959 shape factor; tends to confined compression for
 * a_p >> H) and the skin membrane outside the patch
 * k_edge = 2 N0 K1(a_p/l) / (a_p l K0(a_p/l)), l = sqrt(N0/k0). Its rank-one
 * Jacobian is applied by Sherman-Morrison around the band Cholesky.
 * Unbounded array (a square or hexagonal layout with array.count <= 1: the
 * periodic cell is all there is, as the continuum's cell): the cell mean is
 * the xi = 0 mode of the layered-elastic solution, the whole stack in
 * uniaxial strain on the backing,
 *   S(0) = 1 / (sum_i h_i/M_i + 1/k_b),  M = E(1-nu)/((1+nu)(1-2nu)),      (F3)
 * (the xi H -> 0 limit of F1, every layer in series), k_m = max(S(0) - k0, 0).
 * Forearm S(0) = 7.5e5 N/m^3 against k0 = 2.7e5: without it such a cell
 * sank 2.8 times too far (fast/continuum force of a 60 um press of an
 * unbounded 100 /cm^2 cell 0.37 forearm, 0.54 face, 0.34 abdomen; with it
 * 0.99-1.02: tests/verify/verify_insertion_tent.c).
 * Boundary: array unit cell R = R_c with zero slope and shear (natural
 * conditions of the discrete energy); single needle R = max(10 lambda, 50 R_b)
 * with w(R) = 0, lambda = max(sqrt(N0/k0), (B/k0)^(1/4)).
 *
 * Discretisation: nodes r = R sinh(beta xi)/sinh(beta) (first spacing about
 * R_b/2), control volumes A_i, face coefficients c_f = 2 pi r_f/h_f; bending
 * energy (B/2) sum A_i (L w)_i^2 with the conservative Laplacian L, membrane
 * energy per face, lumped foundation/mass; force form, so the Newton matrix is
 * SPD pentadiagonal (gsl_linalg_cholesky_band). Second order in space
 * (verified: K0 membrane 1.95, Winkler plate 2.00). Time: variable-step BDF2
 * (backward Euler after each event), Newton per step, error estimate against
 * a second-order Taylor predictor, step ratio in [0.2, 2]; events located by
 * Illinois iteration on the step size: puncture, layer crossing, plate
 * contact, force cap, impact stop, stroke; phase ends are exact time events.
 * Steps (first step 1e-3, largest 5e-2 of U_s at the phase speed), the
 * Newton tolerance (1e-3 rtol of the deflection and travel, floor 1e-3 U_s)
 * and the energy floor scale with the drive's travel scale U_s (min(L,
 * stroke) press; min(L, stroke, sqrt(2 E_k/K_e)) impact; min(L,
 * depth_setting) pen; L roller), not with the needle length alone.
 * Verified order 2 in time (impact, fixed steps).
 *
 * Sheet and contact viscoelasticity (the layers' own relaxation). Every
 * layer relaxes as one Prony term (standard linear solid, models/skin.h),
 *   G(t) = G_inf + (G_0 - G_inf) e^(-t/tau),  g = 1 - G_inf/G_0,
 * the same form and preset (g, tau) as the continuum model. In the fast
 * model each elastic operator of the sheet and the tip contact is split into
 * an equilibrium branch (1 - g) and a Maxwell branch g acting on the elastic
 * part w - q of the deflection, q a viscous deflection per node (a
 * generalised Maxwell element with the operator's own energy):
 *   f_sheet = (1-g_s) f_s(w) + g_s f_s(w - q) + f_N0(w),                 (V1)
 *   U_branch = g_s U_s(w - q),  q_t = (w - q)/(p tau_s),
 *   D = g_s f_s(w - q).(w - q)/(p tau_s) >= 0,                          (V2)
 * separately for the bending (f_s = B K w, linear, p = 1) and the membrane
 * stretching (A_m eps (1 + beta_m eps^2), force ~ (dw)^3, p = 3; q_b and
 * q_m [m] per node): at held deflection the branch force then relaxes as
 * e^(-t/tau_s), the standard-linear-solid law, for the leading power of each
 * operator. The pretension N0 (the in vivo state) and the Pasternak shear do
 * not relax; the foundation keeps its own Maxwell branch h of (T1) with the
 * hypodermis (g, tau) (fat: tau = 700 s). The sheet's parameters are the
 * E'h-weighted means over SC, VE and dermis,
 *   g_s = sum E'_i h_i g_i / sum E'_i h_i,  tau_s = sum E'_i h_i g_i tau_i / sum E'_i h_i g_i,   (V3)
 * exact when the layers share (g, tau), as every preset does. The tip contact
 * before puncture (the Hertz-Sneddon law C of the surface layer) relaxes the
 * same way with the surface layer's (g_c, tau_c):
 *   F = (1-g_c) C(x) + g_c C(x - x_q),  (x_q)_t = (x - x_q)/(p tau_c),      (V4)
 * p = z C'(z)/C(z) in [1, 2] at z = x - x_q at the start of each step (Hertz
 * 1.5, cone 2): for a Hertz probe held at x the force relaxes as G(t)/G_0
 * (Lee & Radok 1960). At puncture the cut starts from the elastic law (tip
 * law T4) and the branch's elastic-energy deficit g_c (U_C(x) - U_C(x - x_q))
 * is taken off the fracture energy that event releases. Time: the internal
 * variables by the same variable-step BDF2 as h, their tangents c = a0/(a0 +
 * 1/(p tau)) in the Newton matrix; the dissipation D is integrated by the
 * trapezoid rule with the rest of the viscous power. Validity: linear
 * viscoelasticity of each operator's branch (quasi-linear in the sense of
 * Fung for the leading power; the stiffening terms relax somewhat faster),
 * one relaxation time per stack part; calibration: Crichton et al. 2013
 * (tests/data/insertion_calibration.md). A press case costs about 14 % more
 * instructions than the elastic sheet (tests/bench/bench_insertion.c).
 *
 * Sheet short-time viscosity (Kelvin-Voigt). The Prony terms above (tau of
 * seconds) do nothing at the kHz of the skin ringing under the tip after a
 * puncture or a stop; soft tissue keeps a loss at high frequency. Each sheet
 * layer (SC, VE, dermis) has in parallel with its elasticity the shear
 * viscosity eta = skin.viscosity [Pa s] (every human preset 3.23 Pa s,
 * forearm skin in vivo by Lamb-wave ultrasound elastography,
 * hfus_lamb_skin; membrane 0), extensional viscosity 3 eta (incompressible),
 * so the sheet's viscous bending and stretching coefficients are the
 * laminate sums of B and A_m ("Skin sheet and foundation") with E'_i
 * replaced by 3 eta / (1 - nu_i^2):
 *   B_v = sum 3 eta/(1-nu_i^2) (h_i^3/12 + h_i dz_i^2) [N m s],
 *   A_v = sum 3 eta h_i/(1-nu_i^2) [N s/m],
 *   f_v = B_v K v + membrane faces c_f N_v dw,  N_v = A_v eps_t = A_v g g_t,   (K1)
 *   D_v = B_v v.K.v + sum_f 2 pi r_f h_f A_v (g g_t)^2 >= 0,               (K2)
 * v = w_t (BDF2 velocity of the step, tangent a0 in the Newton matrix),
 * g = dw/h_f the face slope; D_v is counted with the viscous power in the
 * energy balance. A bending mode of frequency omega gets the damping ratio
 * zeta = omega B_v/(2 B) (less where membrane or foundation carry it): for
 * the clinical roller's 6.0 kHz tent mode (face, 5 N) zeta = 0.60, against
 * 1e-3 from the foundation dashpot. Validity: a Kelvin-Voigt solid, loss
 * tangent omega tau growing with frequency; the source's Voigt fit spans the
 * wave frequencies of the elastography (hundreds of Hz), beyond it an
 * extrapolation; one eta for every sheet layer (measured on the whole
 * epidermis + dermis); the foundation (fat) has only its dashpot and Maxwell
 * branch. Verified: tests/verify/verify_insertion_energy_viscous.c (ring-down
 * log decrement against zeta, energy balance of the clinical roller).
 *
 * Tip and needle (3.2-3.5), x = u - w(0) [m]:
 *  before puncture: F = Hertz (4/3) E* sqrt(r_t) x^1.5 on the tip cap, C1-
 *    joined to Sneddon (2/pi) E* tan(a) (x-x0)^2 on the cone (E* of the SC).
 *  puncture (P0): F = F_c of tip law T1 (models/insertion/tiplaw.h):
 *    F_c = kappa G_c,SC l_c + phi(V) E*_SC (c_p + tan(a)/2) A_c, with the
 *    crack length l_c and contact area A_c of the tip geometry (cone 2 r_t,
 *    pyramid 2 sqrt(2) r_t, bevel the outer diameter 2 R_b; A_c = pi r_t^2
 *    minus an open bore) and the relaxation factor of T2,
 *    phi = 1 - g + g (tau/t)(1 - e^(-t/tau)) at t = tip length / V (1 for an
 *    impact, about 0.8 for a 1 mm/s press of a 600 um cone). kappa, c_p:
 *    calib puncture_crack_factor, puncture_pressure_factor, fitted to Roemgens et al.
 *    2014 and the Davis et al. 2004 regression.
 *  after puncture: elastic-plastic tip, F = C(x - d) (T4: the contact law
 *    above, its contact radius capped at R_b, slope K_e = 2 E* R_b beyond;
 *    K_e (x - d) for a tip pulled back); the cut depth d advances while
 *    F = R(d) with
 *    R(d) = f_cw 2 r(d) G_c(layer at d)                    (P1 cutting)
 *         + sum_k p_sp,k pi [r^2]_k                        (P2 spreading)
 *         + sum_k mu_k p_sh,k S_k                          (P3 friction)
 *    over the layers k the needle crosses (r(s), S(s) from models/needle.h);
 *    p_sp,k = f_sp E*_k phi_k (rate-dependent spreading pressure),
 *    p_sh,k = f_k E*_k psi_k / 2 (T3: the cut, a slit of half-length r / f_k
 *    wedged open to the needle radius, relaxing onto the shaft over the
 *    residence time L/V; f_k = min(f_p, 4 G_c,k / (pi E*_k R_b)): the slit of
 *    a stiff, brittle layer (SC, VE) tears on until its energy release rate
 *    pi E* r^2 / (4 c) falls to G_c and presses with 2 G_c psi / (pi R_b);
 *    calib shaft_pressure_factor f_p; models/insertion/tiplaw.h);
 *    withdrawal slides back against friction only; behind the crack front
 *    d_cut (deepest cut so far) a tip that slid back (skin rebound) or left
 *    its hole re-enters against P2 + P3 only and cuts again beyond d_cut.
 *    f_cw (calib crack_width_factor): effective cutting toughness of a
 *    sharp tip's crack relative to the whole-skin G_c, fitted to impact
 *    insertion depths (value: models/param_table.c; its fit:
 *    tests/data/insertion_calibration.md). At puncture (P4)
 *    the tip cuts at fixed x = u - w(0) to C(x - d) = R(d): the force drops
 *    from F_c to R(d), and U_C(x) - U_C(x - d) >= 0 is fracture energy.
 *  withdrawal: after the hold (also of zero length, for every applicator:
 *    an impact without hold stops, holds for no time and is withdrawn) the
 *    needle returns at the withdrawal speed (pen, roller: along their path),
 *    then retracts straight until the tip has left its hole. A tip out of
 *    its hole (d = 0, x <= 0) stores no tip energy.
 *    Results friction_force (P3 at the deepest tip position),
 *    retraction_force (largest pull; a pull is the shaft friction P3 of a
 *    punctured tip sliding back in its hole, withdrawn or left behind by
 *    the skin rebounding after an impact), excess_pull (largest pull beyond
 *    that friction resistance, or on an unpunctured needle: 0 by
 *    construction, the contact law and the relaxed contact (V4) only push
 *    and the elastic tip T4 pulls at most the friction; the invariant
 *    pull_only_by_friction of sim/invariants.c fails a case where it is not), fracture_margin (needle fracture load
 *    of models/needle.h, oblique for a roller, over the largest tip load:
 *    the needle force less the shaft friction, which the shaft carries).
 *  base plate: penalty max(k_p g + c_p min(g/g_r, 1) g_t, 0) (it only
 *    pushes: a receding skin leaves the damper at zero force) on the gap
 *    g = u - L - w > 0 for R_b <= r <= R_p (array: the cell; single needle:
 *    a hub R_p = 10 R_b); k_p = M/h of the dermis with the confined modulus
 *    M = E(1-nu)/((1+nu)(1-2nu)); the tissue under the plate damps the
 *    contact critically, c_p = 2 sqrt(m k_p), set in over g_r = h/100 so the
 *    force is continuous at touch-down (before, the undamped 1.35e9 N/m^3
 *    plate rang after an impact stopped: energy balance up to 9.6 %).
 *  pen: the cartridge face rests on and holds the skin at the edge of the
 *    needle group, r = a_p (w = 0 there), and u is the needle travel
 *    relative to the held skin (depth_setting = protrusion beyond the face):
 *    the mean mode gets the clamped-membrane stiffness 8 N0/a_p^2 instead of
 *    the free-edge k_edge.
 *  applicators: press u = V t until the stroke or until needle + plate bear
 *    the force cap F/N_contact (hand force shared by the needles), hold,
 *    withdraw at V;
 *    impact (M/N) u_tt = -F - F_plate until it stops or hits the stroke, hold,
 *    withdraw at calib withdraw_speed; pen u = D(1 - cos 2 pi f t)/2 over one
 *    period; roller: the drum first sinks delta into the skin under the hand
 *    force (foundation contact, models/insertion/roller.c eq. D1), then
 *    u = (R_d + L) cos(theta) - R_d + min(delta, x^2/(2 R_d)),
 *    x = (R_d + L) sin(theta), theta = V t/R_d - theta_c (oblique entry, D2),
 *    capped at the hand force per needle in contact (the drum lifts); the
 *    drum holds the skin around each needle, so its tent is solved within
 *    the lift-off radius rho_c = sqrt(F_c/(pi p_f(delta))) with w = 0 there
 *    (roller.c eq. D3; the free domain above when that is smaller).
 * Energy: work in (trapezoid of (F + F_plate) du) = stored (tent, Maxwell,
 * sheet and contact branches (V1, V4), kinetic, tip, plate) + viscous
 * (sheet, Maxwell, branches (V2), Kelvin-Voigt (K2), plate) + fracture +
 * spreading + friction; energy_balance_error = |residual| / (sum of positive
 * work increments). The tip dissipates (F0 + F1)/2 (d1 - d0) per step, split
 * over cutting, spreading and friction by the resistance at mid-step (an
 * unstable advance into a softer layer dissipates what the tip releases).
 * For every applicator the step control also rejects a step whose energy
 * residual exceeds 1e-3 of the energy it moves (plus a floor and the
 * Newton uncertainty of its last correction; models/insertion/solver.c):
 * the BDF2 displacement error alone lets the numerical damping of BDF2 eat
 * the skin's snap-back after a quick cut or a puncture. After loading (hold,
 * withdrawal: the skin ringing down after a stop) the floor shrinks to 0 as
 * the balance so far reaches 3e-3 of the positive work. A hold whose skin
 * rings too long to be followed within numerics.ins_max_steps (after 2000
 * steps of the hold) takes one settling step: backward Euler over 30 m/c,
 * thirty times the decay time of the ringing's energy under the foundation
 * dashpot c (the least damping of any mode), its dissipation the energy the
 * skin releases in it (models/insertion/solver.c, settle_hold). Phases run
 * on their own clock (time since the phase began), so a nanosecond
 * withdrawal after a hold of hours is stepped like one at t = 0. After a located event
 * the next step is sized from the step the error control accepted, and an
 * impact whose needle speed is no longer positive has stopped (also when the
 * sign change fell in a step that ended on an earlier event).
 * Force cap: of several events in one step the earliest is located first,
 * and a state at or beyond the cap holds at once (before, a cap crossed in
 * the step of a plate contact was never seen: 40.5 N under a 10 N press).
 * Backing (the stack bottom, z = H = sum of the layer thicknesses): the
 * stack sits on its backing (cartilage, muscle or bone: skin.h, the preset's
 * k_b), modelled as a rigid stop for the tip: the cut depth is d <= H in
 * the tip law T4 (the root of C(x - d) = R(d) is sought on [0, min(x, L,
 * H)]), and the event EV_BACKING (d = H, located like the layer crossings,
 * or found at the end of a step whose cut reached H at once: at puncture,
 * when the dimple x is deeper than the stack, or by an unstable cut through
 * the fat after another event) ends the loading of a press or an impact,
 * which then holds and withdraws as at the end of its stroke (the impact's
 * remaining kinetic energy stays with the applicator, outside the skin's
 * balance). A pen or roller follows its path in time and cannot stop: the
 * case fails (NS_EPHYSICS, "tip reached the backing at z = ... mm"). Why a
 * stop and not cutting on: the backing is not a modelled layer (no
 * toughness, no channel, no diffusion domain), and every preset's backing
 * (ear cartilage 5 MPa; muscle over bone) is stiffer than the fat above
 * it. Not modelled: the force the needle would then carry into the backing
 * up to the press cap (a press reports the force on arrival) and a tip
 * that cuts into muscle. So penetration_depth <= H by construction (the
 * invariant depth_within_stack); the tent is below the fat thickness by the
 * lock-up (F2). Before: a 30G hypodermic pressed 10 mm into porcine_ear
 * (1.395 mm) reported 9.46 mm (tests/verify/verify_insertion_backing.c).
 * Depths: penetration_depth is the deepest cut depth d, the length of the
 * hole along the needle below the skin surface at the needle, in the
 * material (undeformed) depth of the stack (the layer of the tip is the
 * one at z = d); it is not the tip position below the undeformed surface,
 * which is the travel u = w(0) + d + (x - d): the tent, the cut and the
 * elastic indentation x - d of the tissue ahead of the tip (tip law T4,
 * C(x - d) = F). That last part is the travel not accounted for by the
 * tent and the cut (porcine_ear, 200 um needle pressed 0.8 mm: tent 127 um,
 * cut 286 um, tip indentation 388 um at 51 mN).
 *
 * Validity: small slopes (axisymmetric sheet on a Pasternak foundation), rigid
 * needle, one puncture event (the SC; deeper layers by the cutting law),
 * periodic arrays with the patch edge in two rings (patch.c), one stroke for
 * pen/roller.
 * Calibration: tests/data/insertion_calibration.md. References:
 * shergold2004, shergold2005, davis2004, roemgens2014, okamura2004, barnett2015,
 * mahvash2010, vangerwen2012 (models/REFERENCES.md).
 */
#ifndef NS_INSERTION_H
#define NS_INSERTION_H

#include "params.h"
#include "status.h"

/* Result of one insertion, per needle where a force or energy. A quantity that
 * is not defined (e.g. puncture_force without puncture) is NaN. */
typedef struct {
    int punctured;                /* [-]   1 if the stratum corneum was breached */
    double puncture_force;        /* [N]   needle force at first puncture (SC) */
    double puncture_displacement; /* [m]   needle travel after first contact at puncture */
    double max_force;             /* [N]   maximum needle force during insertion */
    double insertion_energy;      /* [J]   work done on the skin by one needle */
    double penetration_depth;     /* [m]   deepest cut depth d below the skin surface at
                                           the needle, in the undeformed depth of the
                                           stack, at most its thickness (header
                                           "Backing"; 0 if no puncture) */
    double inserted_fraction;     /* [-]   penetration_depth / needle length */
    int deepest_layer;            /* [-]   0 none, 1 SC, 2 VE, 3 dermis, 4 hypodermis */
    double buckling_load;         /* [N]   Euler buckling load of the needle */
    double buckling_margin;       /* [-]   buckling_load / max_force */
    double energy_balance_error;  /* [-]   |work in - (stored + fracture + friction +
                                           viscous)| / work in */
    double max_tenting;           /* [m]   maximum skin deflection at the needle w(0,t) */
    double total_force;           /* [N]   maximum force summed over the needles in contact */
    double max_travel;            /* [m]   maximum needle travel after first contact */
    double layer_depth[NS_LAYER_MAX]; /* [m] depth reached inside each layer (0 if not entered) */
    double fracture_energy;       /* [J]   energy dissipated by cutting */
    double friction_energy;       /* [J]   energy dissipated by shaft friction */
    double time_end;              /* [s]   end time of the insertion simulation */
    size_t steps;                 /* [-]   accepted time steps */
    size_t rejected_steps;        /* [-]   rejected (retried) steps */
    double work_in;               /* [J]   net work of the needle and plate on the cell */
    double E_stored;              /* [J]   energy stored in the cell at the end */
    double E_visc;                /* [J]   energy dissipated by damping and relaxation */
    double friction_force;        /* [N]   shaft friction part of the resistance at the
                                           deepest tip position (tip law T3) */
    double retraction_force;      /* [N]   largest pull on the needle while it is withdrawn
                                           (0 if the force never turns negative) */
    double excess_pull;           /* [N]   largest pull on the needle beyond the shaft friction
                                           of its tip sliding back in its hole (0: only
                                           friction pulls, and only a punctured needle) */
    double fracture_load;         /* [N]   tip force that breaks the needle
                                           (ns_needle_fracture_load; roller: oblique entry) */
    double fracture_margin;       /* [-]   fracture_load / largest tip load (needle force
                                           less the shaft friction behind the tip) */
} ns_ins_result;

/* Time history of the insertion, recorded at every accepted step. Arrays are
 * owned by the solver and valid until it is destroyed. */
typedef struct {
    size_t n;               /* [-] number of samples */
    const double *t;        /* [s] time */
    const double *travel;   /* [m] needle travel after first contact (u) */
    const double *force;    /* [N] needle force */
    const double *tip_depth;/* [m] tip depth below the undeformed surface (0 before puncture) */
} ns_ins_history;

typedef struct ns_ins ns_ins;

/* What the insertion solver reads: the six parts of a case it depends on,
 * borrowed for the call to ns_ins_create (which copies them). Nothing else of
 * the case (drug, channel, transport) reaches the insertion. */
typedef struct {
    const ns_skin_params *skin;              /* layer stack, tension, backing */
    const ns_needle_params *needle;          /* geometry and material */
    const ns_array_params *array;            /* layout, count, pitch (unit cell) */
    const ns_applicator_params *applicator;  /* drive: press, impact, pen, roller */
    const ns_numerics_params *numerics;      /* ins_n_r, ins_rtol, ins_max_steps, ins_max_newton */
    const ns_insertion_calib *calibration;   /* calibration constants ([insertion] keys) */
} ns_ins_input;

/* The insertion input of a whole case p (pointers into p, which must outlive
 * the use of in). */
void ns_ins_input_init(ns_ins_input *in, const ns_params *p);

/* Check the input (every range of the parameter table for the sections read,
 * plus the insertion's own preconditions), copy it and allocate every buffer.
 * Exceptions: NS_EINVAL (the message names the key; ns_status_key carries
 * it), NS_ENOMEM. On failure *out = NULL. */
ns_status ns_ins_create(const ns_ins_input *in, ns_ins **out);
ns_status ns_ins_solve(ns_ins *s, ns_ins_result *res);
ns_ins_history ns_ins_get_history(const ns_ins *s);
void ns_ins_destroy(ns_ins **s);

/* Use a fixed time step dt [s] instead of the adaptive control (0 = adaptive;
 * events are still located by root finding). For convergence studies.
 * Exceptions: NS_EINVAL (dt < 0 or not finite). */
ns_status ns_ins_set_fixed_step(ns_ins *s, double dt);

/* Finite patch (models/insertion/patch.c, eqs. R1-R2): the needles of a
 * press or impact patch in a centre and an edge ring, each ring a unit-cell
 * solve with its own mean-mode support and share of the load. */
typedef struct {
    size_t n_rings;             /* [-] 1 (single needle, pen, roller, small patch) or 2 */
    double ring_fraction[2];    /* [-] fraction of the needles in ring j (centre, edge) */
    double ring_share[2];       /* [-] load share of a needle of ring j (mean 1) */
    ns_ins_result ring[2];      /* result of ring j (ring[0] = the mean solve for 1 ring) */
    double punctured_fraction;  /* [-] fraction of the needles that punctured */
    double depth_mean;          /* [m] mean penetration depth over the needles (0 if not punctured) */
    double depth_p10;           /* [m] 10th percentile of the penetration depth */
    double depth_p90;           /* [m] 90th percentile of the penetration depth */
} ns_ins_patch_result;

/* Solve the rings of the patch of case p, given the mean solve's result.
 * Exceptions: NS_EINVAL, and those of ns_ins_create / ns_ins_solve. */
ns_status ns_ins_patch_solve(const ns_params *p, const ns_ins_result *mean,
                             ns_ins_patch_result *out);

/* Static, linear tenting problem on the insertion grid (verification entry
 * point of the tenting operator):
 *   B lap(lap w) - N0 lap w + k w = q + F delta(r)/(2 pi r)
 * on [0, R] with w(R) = 0 (symmetric = 0) or zero slope and shear at R
 * (symmetric = 1). */
typedef struct {
    size_t n;      /* [-]     grid points (>= 5) */
    double R;      /* [m]     domain radius */
    double h0;     /* [m]     target first spacing (stretching towards r = 0) */
    int symmetric; /* [-]     1: unit cell (zero slope/shear at R), 0: w(R) = 0 */
    double B;      /* [N m]   bending stiffness, >= 0 */
    double N0;     /* [N/m]   membrane tension, >= 0 */
    double k;      /* [N/m^3] foundation stiffness, > 0 */
    double q;      /* [Pa]    uniform pressure */
    double F;      /* [N]     point force at r = 0 */
} ns_ins_tent_case;

/* Solve it; r and w (length n) receive the nodes and deflections (w = 0 at a
 * Dirichlet edge). Exceptions: NS_EINVAL, NS_ENOMEM, NS_ECONV. */
ns_status ns_ins_tent_solve(const ns_ins_tent_case *c, double *r, double *w);

#endif
