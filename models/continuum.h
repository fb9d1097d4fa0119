/* Continuum reference model of needle insertion (insertion.model = continuum):
 * the layered skin stack as a 2-D axisymmetric r-z solid at finite strain,
 * indented, punctured and penetrated by a rigid needle, with the base plate
 * (or pen face) as a second rigid contact. It is the judge of the fast sheet
 * model of models/insertion.h and returns the same ns_ins_result and
 * ns_ins_history, so the channel, diffusion and output steps are unchanged.
 *
 * Domain: 0 <= r <= R, 0 <= z <= H (z downward from the undeformed surface),
 * H = sum of the layer thicknesses h_k (SC, VE, dermis, hypodermis, or one
 * membrane layer). Displacement (u_r, u_z)(r, z) [m]; axis r = 0: u_r = 0;
 * bottom z = H: u_r = 0 and either u_z = 0 (skin.backing_stiffness too stiff
 * to matter, verification) or the backing spring traction k_b u_z [Pa],
 * k_b = skin.backing_stiffness [N/m^3]; r = R: traction free (single
 * needle, R = max(2 H, 50 R_b)) or u_r = 0 and zero
 * shear (unit cell of a periodic array, R = R_c = 1/sqrt(pi n), the
 * axisymmetric approximation of the hexagonal or square cell).
 *
 * Equilibrium: stationarity of the total energy Pi (quasi-static) or of the
 * Newmark-incremented energy (dynamic), Pi = sum over elements of
 *   int_V0 [ W(F) dV ] + V U(Jb)                                      (C0)
 * Constitutive law of layer k (mu = E/(2(1+nu)), K = E/(3(1-2nu)) [Pa]):
 *   W = C1 (I1b - 3) + C2 (I1b - 3)^2,  I1b = J^(-2/3) tr(F^T F),      (C1)
 *   C1 = mu/2, C2 = mu beta/12 [Pa]: a Yeoh law whose uniaxial tangent
 *   at small strain is E(eps) = E0 (1 + beta eps^2), the presets'
 *   stiffening beta [-] (models/skin.h);
 *   U(J) = (K/4)(J^2 - 1 - 2 ln J) (so U'' (1) = K, U -> inf as J -> 0). (C2)
 * Discretisation: bilinear (Q1) axisymmetric quadrilaterals on a tensor
 * grid graded towards the tip (spacing h0 inside r, z < x_f, then growing
 * linearly by the factor gamma per length: mesh.c), every layer interface a
 * grid line; 2 x 2 Gauss points for W; U of the element's volume-average
 * Jacobian Jb = (1/V) int J dV (mean dilatation: the finite-strain Q1/P0
 * mixed element of Simo, Taylor & Pister 1985 with the pressure condensed
 * per element). Q1/P0 rather than pure Q1 because pure Q1 locks at
 * nu -> 0.5 (the layers have nu 0.45-0.49); rather than Q2/P1 because the
 * tensor Q1 grid keeps the element at 8 dofs and the tangent exact and
 * cheap (the case budget is 1 s). Finite elements rather than finite
 * differences because the energy form gives a symmetric tangent, exact
 * energy bookkeeping and natural traction conditions at the layer
 * interfaces and the free surface. Verified: flat punch, Hertz sphere,
 * Sneddon cone on a half-space, bonded incompressible layer (Hayes et al.
 * 1972, no locking), observed order, energy balance
 * (tests/verify/verify_continuum_*.c).
 * Contacts (C4): rigid axisymmetric bodies with lower face z_s = u_b - f(rho)
 * (needle: spherical cap of the tip radius r_t joined tangentially to the
 * cone of half-angle theta; verification: flat punch, paraboloid, cone),
 * frictionless, enforced on the surface nodes by the penalty energy
 * (eps_i A_i/2) <u_b - f(rho_i) - u_z,i>_+^2 with eps_i = c_pen E_max/h_i
 * [Pa/m], h_i the larger radial spacing beside node i (at least h0):
 * penetration about 1/c_pen of the local spacing, c_pen = 1e3.
 * Viscoelasticity of the layers (C13-C15, models/continuum/element.c):
 *   (C13) Relaxation, Simo 1987's internal-variable form on the isochoric
 *   part only (the volumetric U of C2 stays elastic): the layer's one-term
 *   Prony series of models/skin.h, G(t) = 1 - g (1 - e^(-t/tau)) (g the
 *   relaxing fraction [-], tau [s]; the presets' E is the instantaneous
 *   modulus), as the convolution
 *     S_iso(t) = (1 - g) S0(t) + h(t),  h(t) = int_0^t g e^(-(t-s)/tau) dS0/ds ds,
 *   S0 = 2 dW/dC the isochoric second Piola-Kirchhoff stress of (C1) [Pa],
 *   h the branch stress [Pa]; per Gauss point and step dt, xi = dt/tau,
 *   gamma = (1 - e^-xi)/xi,
 *     h_{n+1} = e^-xi h_n + g gamma (S0_{n+1} - S0_n)
 *   (exact for a strain history linear over the step, unconditionally
 *   stable; second order otherwise, verified 1.7-2.1). The step's stress
 *   S_iso = c S0 + S_hist, c = 1 - g + g gamma, S_hist = e^-xi h_n - g gamma S0_n,
 *   is the gradient of the incremental energy c W + (1/2) S_hist : (C - I),
 *   which replaces W in (C0): the Newton solve, its symmetric tangent and
 *   the line search are unchanged.
 *   (C14) Short-time viscosity: the Kelvin-Voigt shear viscosity eta =
 *   skin.viscosity [Pa s] of the layers above the fat (the fast model's,
 *   models/insertion.h K1-K2), the stress S_v = 2 eta (E - E_n)/dt of the
 *   Green strain E = (C - I)/2 (implicit Euler; the full tensor: at
 *   nu 0.45-0.49 its volumetric part is negligible), from the energy
 *   (eta/dt) |E - E_n|^2 added to the step's; none in a step that takes no
 *   time (the snap at puncture).
 *   (C15) Energy: the elements' work is W_el - A + W_kv, W_el = int W + V U
 *   the elastic energy, A = sum over steps of int (q_n + q_{n+1})/2 : dE dV
 *   the work of the relaxed stress q = g S0 - h (zero when g = 0, so the
 *   elastic case is unchanged), W_kv = sum int (S_v,n + S_v,n+1)/2 : dE dV;
 *   it enters the balance in place of the strain energy. The dissipated
 *   part E_visc = int [g W - |h|^2 / (4 g mu)] dV - A + W_kv, the branch's
 *   stored energy taken as its small-strain |h|^2/(4 g mu) (exact in the
 *   linear limit; the balance itself does not use it), E_stored the rest.
 *   The insertion steps in time: press and withdrawal t = u/V, pen and
 *   roller by time, impact from the speed at the start of the step (the
 *   step's end speed follows from its work); a hold (applicator.hold_time)
 *   at fixed travel in time steps from tau_min/20 growing by 1.3 per step,
 *   the tissue relaxing under the needle (after puncture the cut's loads
 *   stay the tip laws' at the cut depth: the front is not re-sought).
 *   Verified (tests/verify/verify_continuum_relax.c): a small-strain layer
 *   (nu 0.4999) under a ramp and hold against the analytic Prony response
 *   (2.6e-4 of the force), observed order in time at finite strain, the
 *   balance W = U + E_visc, and Crichton et al. 2013's probe (calibration:
 *   35 % relaxed at 1 s, 46 % at 10 s; measured 40 and 50 %).
 * Inertia (C6, available to the body, not yet used by the insertion):
 * Newmark average acceleration with the lumped mass, as the energy
 * (2 m/dt^2)(x - x0 - dt v0 - dt^2 a0/4)^2 added to Pi; after a step
 * a_1 = 4 (x_1 - x0 - dt v0)/dt^2 - a0, v_1 = v0 + dt (a0 + a1)/2
 * (cont_newmark_step), kinetic energy sum m v^2/2 in the balance. Newmark
 * rather than the fast model's BDF2: it conserves the energy of a linear
 * body (no numerical damping, so the balance measures the physics; the
 * layers' own viscosity C14 damps), unconditionally stable, second order.
 * It needs a consistent start, a0 = -M^-1 grad Pi. Verified on the
 * indentation entry point (inertia, release): a confined column released
 * from a quasi-static compression vibrates with the period 4 H / c_p of its
 * plane-wave modes within 0.14 % (20 elements over H, 200 steps per
 * period), energy conserved to 2e-4. Tried in the insertion (impact and
 * pen, tissue Newmark with the needle's travel from its energy equation):
 * the bench impact's depth came to 225 um against the fast model's 216 um
 * (118 um quasi-static), but the withdrawal after the stop took 1000 steps
 * (96 s) with a 32 % balance error, the pen 40 %: not in use yet.
 *
 * The insertion (ns_cont_solve). Travel u of the needle after first
 * contact: press u = V t to the stroke or until needle + plate carry the
 * force cap F/N (hand force shared by the needles), then withdrawal at V;
 * impact: u advances while the work done on the tissue stays below the
 * kinetic energy m_a V^2/2 of the mass per needle, the time from
 * v(u) = sqrt(V^2 - 2 W(u)/m_a) (quasi-static tissue), withdrawal at
 * insertion.withdraw_speed; pen u = D(1 - cos 2 pi f t)/2 over one period,
 * the cartridge face a fixed rigid ring holding the skin at the edge of the
 * needle group; roller: the path of eq. (C18) under the drum face of
 * eq. (C17) (below), cap at the hand force per needle in contact (the
 * needle and hub force; the drum face's force is the drum's). The base
 * plate (single needle: a hub of 10 R_b; array: the
 * cell) is a flat rigid face at u - L with a rounded rim.
 *   Roller drum (C16-C18, models/continuum/drum.c). The drum is a
 *   cylinder, which the axisymmetric body cannot hold; the stand-in is the
 *   drum's effect on the needle's surroundings as a rigid face:
 *   (C16) the drum-skin contact under the hand force first: the drum sinks
 *   delta under F_h - N_c F_c, pressing the skin with p_d = p_f(delta) at
 *   its lowest point (the fast model's solve, models/insertion/roller.c
 *   eqs. D1-D3, of the same case: the same delta, p_d for both models);
 *   (C17) a fixed, frictionless rigid face at the drum-held surface z = 0
 *   for rho >= R_b + h0 (its inner rim rounded over h0, the hub's bore),
 *   in the frame of the skin under the drum (its pre-compression by delta
 *   not modelled, as in the fast model), holding the skin pre-pressed onto
 *   it by p_d: the penalty of (C4) is two-sided, (kA/2) p^2 for p >= p_c,
 *   and continued linearly, kA p_c (p - p_c/2), below the lift-off gap
 *   p_c = -p_d A_i / kA (kA = eps_i A_i): the skin leaves the drum where
 *   the needle pulls it off harder than p_d per area (convex and C1: Newton
 *   and its line search unchanged). The lift-off radius follows from the
 *   solve (the fast model prescribes it, rho_c = sqrt(F_c/(pi p_d)) of D3).
 *   No face at delta = 0 (the needles carry the whole hand force): the free
 *   skin, as before. The face is fixed, so it does no work: its penalty
 *   energy (the work against p_d of the lifted skin included) is stored
 *   energy of the balance. Increments are 4 times finer than the other
 *   applicators' (the balance of a 30 N roller was 8 % with L/30, 1.9 %
 *   with L/120);
 *   (C18) the path of the needle on the rolling drum: at angle theta,
 *   x = (R_d + L) sin(theta), its travel into the held skin
 *     u = (R_d + L) cos(theta) - R_d + min(delta, x^2/(2 R_d))          (D2)
 *   from the root theta_c of u = 0 to theta = 0 and back, theta =
 *   -theta_c + V t / R_d (oblique entry enters as the vertical travel).
 *   Verified (tests/verify/verify_continuum_drum.c): the contact penalty
 *   against Hertz on a two-layer half-space (0.970 of the top layer's
 *   Hertz force in the Richardson limit, observed order 1.84; the softer
 *   lower layer), the hand force changes the roller's travel at puncture
 *   (roller_540 on the face: 265 um at 10 N, 204 um at 30 N) and whether
 *   it punctures (clinical_roller: not at 1 N, 422 um deep at 10 N; before
 *   the face every force gave the free skin's result), balance 1.3-1.9 %.
 *   Validity: that of roller.c (drum contact half-width small against R_d,
 *   quasi-static drum, vertical travel), the penalty's penetration about
 *   1/c_pen of the local spacing (C4), the lift-off pull p_d uniform (the
 *   drum's pressure at its lowest point) over the cell.
 *   Before puncture the tip is the rigid contact of (C4) (a cylindrical
 *   needle: a flat punch of the outer radius R_b), its shoulder at R_b
 *   rounded into the shaft (f += (rho - R_b)^2/(2 h0)) and the hub's bore
 *   rim rounded likewise, so a surface node leaves either contact
 *   continuously (a face cut off at a radius made the energy jump there and
 *   stalled Newton on the default grid). Puncture (C10) when its force
 *   reaches tip law T1 of models/insertion/tiplaw.h (the same law and call,
 *   ns_tip_case_puncture_force, as the fast model):
 *     F_c = kappa G_c l_c + phi(V) E* (c_p A_c + (tan a / 2) A_c)
 *   (crack length l_c and contact area A_c of the tip geometry, E*, G_c of
 *   the surface layer, phi the rate factor T2 at the loading speed V: press
 *   and impact V, pen pi f D, roller V L / R_d), the event located by a
 *   secant on the travel to 1e-3 F_c. (C11) At puncture the
 *   tip contact is replaced by the cut at the same travel; the strain
 *   energy released by the snap is counted as fracture energy.
 *   After puncture (C7-C9, models/continuum/cut.c): the cut of reference
 *   depth d is loaded by the tip laws' resistance (models/insertion.h P1-P3)
 *     F_front = f_cw 2 r(d) G_c(d) + sum_k p_sp,k pi [r^2]_k   at the front,
 *     F_fric  = sum_k mu_k p_sh,k S_k                          along the shaft,
 *   p_sp,k = f_sp E*_k phi_k (T2 over the tip's loading time), p_sh,k the
 *   shaft contact pressure of T3 (the fast model's pressures), as nodal
 *   loads on the needle's section r <= max(r(s), r_1) of each row, each
 *   node's share its tributary area (cutting: the tip section at the front;
 *   spreading: each row by its growth of pi r^2; friction: each row by its
 *   lateral area; a load on the single column at r(s), as before, is a ring
 *   load whose displacement grows without bound under refinement); d follows
 *   from the tip riding the crack front, u = d + u_z(0, d) (C9), found by the
 *   Illinois method around full solves of the body; the cut never heals
 *   (d only grows while loading).
 *   Withdrawal (C12, models/continuum/solver.c, cut.c): at the reversal
 *   (travel u_rev) the tip rests on the front that the tissue, compressed by
 *   the insertion, pushes back: the front keeps a load q F_front(d) with q
 *   in [0, 1] from the same condition u = d + u_z(0, d) at fixed d, so the
 *   tissue unloads through the needle (the needle force falls continuously
 *   from its peak), and q only falls; once q = 0 the tip has left the front
 *   and slides out of the cut (d decreasing, friction only) until it leaves.
 *   The shaft friction sticks, then slips:
 *     F_fric,w = q_f F_fric,  q_f = max(1 - (u_rev - u) / du_s, -1),
 *     du_s = F_fric c_t,  c_t = f_1 . K^-1 f_1 [m/N],
 *   f_1 the friction loads of 1 N, K the tangent at the reversal: the
 *   tissue along the shaft follows the needle (its stiffness 1/c_t) until
 *   the friction has reversed (2 du_s of travel: 18 um for the bench's
 *   press, within one withdrawal step).
 *   Energy: work in = trapezoid of (F + F_plate) du; stored = strain +
 *   contact + backing; fracture = F_front dd + the puncture snap; friction =
 *   the work of the shaft loads on the slip, sum_k f_fric,k (du - dx_k)
 *   (trapezoid; counted directly, no longer the residual of the balance);
 *   energy_balance_error = |work in - stored - fracture - friction| / positive
 *   work in. Results and history as ns_ins_solve (penetration_depth = the
 *   deepest d; max_tenting = the largest u_z at the axis surface node).
 * Grid of the insertion: h0 = R_b/6 inside 2 R_b, growth 0.3 beyond; single
 * needle R = max(2 H, 50 R_b), array R = R_c.
 *
 * Linear algebra: modified Newton on Pi with an Armijo line search: an
 * iteration first solves with the Cholesky factor already in place (the
 * tangent of an earlier iterate or solve) and keeps the step when it cuts
 * the Newton decrement tenfold; otherwise the tangent is assembled and
 * factorised anew (models/continuum/newton.c). The tangent is factorised by
 * CHOLMOD's simplicial LDL' (UMFPACK when not positive definite):
 * SuiteSparse, see models/continuum/linsolve.c for why. The cut depth's
 * bracket grows from the front by the tip's lead (cut.c). Cost of the
 * default grid in tests/bench/bench_continuum.c.
 * Validity: isotropic quasi-linear viscoelastic layers (C13: the relaxation
 * is that of the isochoric stress, the same at every strain; the bulk
 * response elastic), perfectly bonded interfaces,
 * frictionless contacts, rigid needle and plate, axisymmetry (pyramids and
 * bevels enter as the cone of the same taper length), quasi-static tissue.
 * Not yet modelled: tissue inertia in the insertion, the roller drum as a
 * body of its own (C16-C17 stand in for it), the cavity's radial spreading
 * as a displacement (it enters as
 * the energy of P2 only); the tip laws' factors phi, psi still carry g, tau
 * at the tip as well (the body's relaxation is in addition to them).
 * Known limits: a blunt tip (r_t = 10 um on a 600 um cone, T1's force
 * 81 mN) tents the surface through a 0.6 mm (or, 1.5 mm long, a 1.35 mm)
 * press stroke on the default grid without puncturing, but Newton still
 * stagnates under it on the coarse grid (refine 0.5; NS_ECONV), and 9 of
 * bench_agreement's 200 cases fail (Newton stalls before puncture,
 * timeouts); the energy balance
 * of a press, impact, pen or roller cycle is 2-3 % (bench_continuum; it was
 * 8 % while the front load was dropped at the reversal), not the fast
 * model's 1 %: the front's load sits on the tip's section while the
 * kinematic condition (C9) follows the axis node.
 * References: simo1985 (mean dilatation), simo1987 (viscoelastic internal
 * variables), crichton2013, hayes1972, sneddon1965, yeoh1993
 * (models/REFERENCES.md). */
#ifndef NS_CONTINUUM_H
#define NS_CONTINUUM_H

#include <stddef.h>

#include "insertion.h"
#include "params.h"
#include "status.h"

/* Shape of a rigid indenter (profile f(rho) of its lower face). */
typedef enum {
    NS_CONT_FLAT = 0, /* flat punch of radius a (edge rounded by `edge`) */
    NS_CONT_SPHERE,   /* paraboloid rho^2/(2 Rs) (Hertz) */
    NS_CONT_CONE,     /* cone rho cot(theta), theta the half-angle */
    NS_CONT_NEEDLE    /* spherical cap Rs joined tangentially to the cone of half-angle theta */
} ns_cont_profile;

/* Quasi-static indentation of a layered cylinder (verification entry point):
 * layers on a clamped base (or backing springs), rigid frictionless indenter
 * pushed to depth delta in `steps` equal increments. */
typedef struct {
    size_t n_layers;                   /* [-] 1-4 */
    double thickness[NS_LAYER_MAX];    /* [m] */
    double youngs_modulus[NS_LAYER_MAX]; /* [Pa] */
    double poisson[NS_LAYER_MAX];      /* [-] < 0.5 */
    double stiffening[NS_LAYER_MAX];   /* [-] beta of eq. (C1) */
    double R;                          /* [m] domain radius */
    int sym_outer;                     /* [-] 1: u_r = 0 at r = R; 0: free edge */
    double backing;                    /* [N/m^3] backing springs; 0: clamped base */
    ns_cont_profile shape;
    double a;                          /* [m] flat punch radius */
    double Rs;                         /* [m] sphere (or needle cap) radius */
    double half_angle;                 /* [rad] cone half-angle theta */
    double h0;                         /* [m] finest grid spacing */
    double r_fine;                     /* [m] extent of the uniform fine region in r and z */
    double growth;                     /* [-] spacing growth per length beyond r_fine */
    double refine;                     /* [-] cell-count multiplier (1: the base grid) */
    double delta;                      /* [m] final indentation depth */
    size_t steps;                      /* [-] load increments */
    /* viscoelastic layers (eqs. C13-C14; all zero: elastic, no time) */
    double relaxation_fraction[NS_LAYER_MAX]; /* [-] g of the layer's Prony term */
    double relaxation_time[NS_LAYER_MAX];     /* [s] its tau (> 0 where g > 0) */
    double viscosity[NS_LAYER_MAX];           /* [Pa s] Kelvin-Voigt shear viscosity eta */
    double ramp_time;                  /* [s] duration of the indentation ramp (steps equal time steps) */
    double hold_time;                  /* [s] hold at delta after the ramp */
    size_t hold_steps;                 /* [-] equal time steps of the hold */
    int inertia;                       /* [-] 1: Newmark with the lumped mass (eq. C6) over the
                                          ramp's and hold's time steps (density 1000 kg/m^3) */
    int release;                       /* [-] 1: the ramp quasi-static, the indenter removed at
                                          the start of the hold; F[steps + k] then receives the
                                          surface displacement u_z [m] at the axis */
} ns_cont_indent_case;

typedef struct {
    double F;        /* [N] indenter force at delta */
    double W;        /* [J] work of the indenter force (trapezoid over the increments) */
    double U;        /* [J] energy at the end: strain + contact + branches' + kinetic T */
    double E_visc;   /* [J] viscous dissipation (eq. C15; 0 when elastic) */
    double T;        /* [J] kinetic energy at the end (inertia; 0 quasi-static) */
    double contact_radius; /* [m] outermost surface node in contact */
    size_t dofs;     /* [-] degrees of freedom */
    size_t newton;   /* [-] Newton iterations in total */
} ns_cont_indent_result;

/* Solve it. F (length steps + hold_steps + 1, may be NULL) receives the
 * force after each increment and hold step (F[0] = 0). Exceptions:
 * NS_EINVAL, NS_ENOMEM, NS_ECONV. */
ns_status ns_cont_indent_solve(const ns_cont_indent_case *c, ns_cont_indent_result *out,
                               double *F);

/* ---- the insertion (insertion.model = continuum) ---------------------- */

typedef struct ns_cont ns_cont;

/* Create the continuum insertion of input in (the same input and checks as
 * ns_ins_create: ns_ins_input_init fills it from a case); refine multiplies
 * the cell counts of the default grid (error-versus-cost studies;
 * ns_cont_create uses 1). Exceptions: NS_EINVAL, NS_ENOMEM. */
ns_status ns_cont_create(const ns_ins_input *in, ns_cont **out);
ns_status ns_cont_create_refined(const ns_ins_input *in, double refine, ns_cont **out);
/* Run the insertion; res as ns_ins_solve. Exceptions: NS_ECONV, NS_ENONFINITE, NS_ENOMEM. */
ns_status ns_cont_solve(ns_cont *c, ns_ins_result *res);
/* Force-travel history of the last solve (valid until destroy). */
ns_ins_history ns_cont_get_history(const ns_cont *c);
/* Degrees of freedom of the grid [-]. */
size_t ns_cont_dofs(const ns_cont *c);
void ns_cont_destroy(ns_cont **c);

#endif
