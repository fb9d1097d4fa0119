/* Topical drug transport through punctured, layered skin: axisymmetric r-z
 * finite volumes with a second-order ADI time integrator.
 *
 * Equation (unit cell around one needle, r in [0, R], z in [0, H] downward):
 *
 *   d(K u)/dt = (1/r) d/dr( r D K du/dr ) + d/dz( D K du/dz ) - k_cl K u   (1)
 *
 *   u     [kg/m^3]  free (vehicle-equivalent) concentration, continuous across
 *                   layer and channel interfaces
 *   C=K u [kg/m^3]  tissue concentration
 *   K     [-]       partition coefficient tissue/vehicle (1 in the channel)
 *   D     [m^2/s]   diffusivity per layer; in the channel D_free H(a/r_ch)
 *                   with the Renkin hindrance H (ns_drug_renkin_hindrance)
 *   k_cl  [1/s]     first-order capillary clearance (vascular dermis; 0 in
 *                   the channel lumen)
 *
 * Boundary conditions:
 *   z = 0, infinite dose:  u = C_v on the whole surface (SC and channel mouth)
 *   z = 0, finite dose:    well-mixed film, h_f dC_v/dt = -J_top,  u = C_v
 *   z = 0, coated or dissolving dose: zero flux; the drug starts on (or
 *                          in) the needle and enters the channel fluid from
 *                          the needle reservoir below (no channel: no dose)
 *   z = H: sink u = 0 (Franz receptor) or zero flux
 *   r = 0 (axis) and r = R (unit-cell boundary): zero flux
 *
 * Needle reservoir (coated and dissolving doses; models/diffusion/dose.c).
 * The drug m(t) [kg] left on one needle feeds the channel cells, each with
 * the share w_k = phi_k V_k / V_ch of the channel fluid (phi at t = 0), so
 * it sees the channel-fluid mean u_ch = sum w_k u_k:
 *   coating, Noyes-Whitney:  dm/dt = -k A (C_s - u_ch)  while m > 0     (R1)
 *       k A = sum over the wet wall of (j0^2 D_free / (2 r)) 2 pi r dz
 *           = pi j0^2 D_free L_w                                        (R2)
 *     C_s = drug.solubility; k = j0^2 D / (2 r) is the wall-to-mean
 *     mass-transfer coefficient of a stagnant cylinder of fluid (slowest
 *     mode of the channel cross-section, j0 = 2.4048 the first zero of J0;
 *     Crank 1975 sec. 5.3), L_w the channel length with an open wall. The
 *     Noyes-Whitney form with the wetted area A = 2 pi r L_w follows Davidson,
 *     Al-Qallaf & Das 2008. The coating is a thin film of thickness
 *     h_c = m0 / (rho A_w) (result coating_thickness; rho the solute density
 *     of models/drug.h section 3, A_w the channel wall area).
 *   dissolving needle (drug in the polymer), Hixson-Crowell cube-root law
 *   (shape-preserving surface dissolution, Hixson & Crowell 1931):
 *       m(t) = m0 (1 - t / t_d)^3 for t < t_d, 0 after                  (R3)
 *     t_d = drug.dissolution_time (minutes: Lee, Park & Prausnitz 2008).
 *   The release enters each step as a source q_k = w_k (k A (C_s - u_k))
 *   (R1, implicit in u like the clearance) or w_k (m(t) - m(t+dt)) / dt
 *   (R3); a step that would take more than is left releases the remainder
 *   at a constant rate instead, so m >= 0 and the balance stays exact:
 *       donor = m0 - m(t) = receptor + cleared + stored                  (R4)
 *   The run starts with an empty skin; the error scale floor is C_s. There
 *   is no intact-skin baseline for such a dose (sim/case.c): the measures
 *   are delivered_fraction (receptor + cleared) / m0, skin_fraction and
 *   release_t90 (time to 90 % released). Validation: a 1 ug coating of a
 *   freely soluble solute on a 500-700 um needle dissolves within about
 *   20 s (Gill & Prausnitz 2007; tests/verify/verify_dose_coating.c); a
 *   poorly soluble one (caffeine, 21.6 mg/mL) takes minutes, limited by the
 *   diffusion out of the saturated channel.
 *
 * When the vehicle goes on (drug.applied, infinite and finite doses):
 *   applied after needling (default), delay d = drug.applied_delay: the
 *     channels start empty and have been closing for d (sim/case.c passes
 *     the geometry ns_channel_after(ch, d): r0 -> r0 f(z, d), exact for the
 *     exponential closure);
 *   applied before: the vehicle fills each channel as it is made, so the
 *     lumen starts at C_v: u_k += C_v phi_k V_k / M_k, the fill counted as
 *     donor loss (a finite film is thinner by it)                        (R5)
 *
 * Domain: H = transport.depth, or SC+VE+dermis when NaN (the whole membrane
 * for the one-layer preset). R = unit-cell radius 1/sqrt(pi n) for arrays;
 * for a single needle (infinite cell) R = max(NS_DIFF_SINGLE_DEPTHS x channel
 * depth, NS_DIFF_SINGLE_RADII x channel radius): far enough that the lateral
 * spreading from the channel has decayed, so the outer ring is intact skin.
 * Amounts are per unit skin area pi R^2; for a single needle they therefore
 * refer to the modelled disc (multiply by pi R^2 for the amount per needle).
 *
 * Discretisation: cell-centred finite volumes on a non-uniform tensor grid.
 * z faces sit on every layer interface inside [0, H] and on the channel
 * floor; r faces on the surface channel radius, or with
 * numerics.diff_rim_refine = f > 0 on the channel rim radius r_rim =
 * r_ch(h_SC, 0), the channel radius where it leaves the stratum corneum (the
 * surface radius when there is no SC: the one-layer membrane preset). Inside
 * each segment the cell size grows geometrically (ratio <= 1 + NS_DIFF_GROWTH)
 * away from the segment ends, so cells are finest at interfaces, the surface
 * and the channel wall or rim; the SC gets at least 4 cells (cell-count
 * density and its inverse in closed form, grid.c). With f > 0 the rim (the r
 * face r_rim and the z face h_SC, graded towards it on both sides) gets
 * target cells f times finer than the other segment ends at 40 x 120, and
 * they shrink as 1/n^2 under refinement (the others as 1/n): the grid
 * is meant to resolve the edge singularity below ("Spatial order"). Face conductances are the
 * distance-weighted harmonic means of D K of the two cells (exact flux
 * continuity for piecewise-constant coefficients).
 * Channel (cut cells): a cell whose row the channel wall r_ch(z_c, t) crosses
 * has the exact channel volume fraction phi of its annulus: capacity phi +
 * (1 - phi) K, clearance (1 - phi) K k_cl, axial D K the parallel mix
 * phi D_ch + (1 - phi) D K. A radial face whose centre-to-centre span
 * [c0, c1] holds the wall gets the series resistance of its two materials
 * split at the wall (Tikhonov-Samarskii),
 *   g = 2 pi r_f dz / ((c1 - c0) (w / D_ch + (1 - w) / (D K))),
 *   w = ln(r_ch / c0) / ln(c1 / c0),
 * the share of the span inside the wall in the log metric of a steady radial
 * flux; w = 0 at c0 and 1 at c1, where g is that of the uncut faces, so a
 * closing wall moves every coefficient continuously (before, the cut cell's
 * series mix was spread over the whole cell). An axial face is the harmonic
 * mean of its two cells' D K (their parallel mixes). With
 * numerics.diff_cut_faces = 1 the axial face on the SC base of a cut column
 * (annulus [r0, r1], cut fractions phi_a of the SC cell above, phi_b of the
 * cell below, half heights h_a, h_b) is instead the parallel sum of the
 * material paths across it, each the series of its two half cells:
 *   g = A [f_ff S(D_ch,a, D_ch,b) + f_fs S(D_ch,a, DK_b) + f_sf S(DK_a, D_ch,b)
 *          + f_ss S(DK_a, DK_b)],  S(x, y) = 1 / (h_a / x + h_b / y),
 *   f_ff = min(phi_a, phi_b), f_fs = phi_a - f_ff, f_sf = phi_b - f_ff,
 *   f_ss = 1 - max(phi_a, phi_b),
 * so the open part of the SC cell feeds the VE below over its own area and
 * the rest goes through the SC (before: the SC cell's mix phi D_ch + (1 -
 * phi) DK_SC, dominated by the fluid down to a tiny phi, acted over the
 * whole face, as if the outlet reached the next r face: an O(h) error in
 * the outlet radius whose edge, moving with the closing SC wall, carries
 * the singular flux). Measured (verify_diffusion_order_channel, default
 * grid options otherwise, diff_rtol 2e-5, Q(24 h) on 20 x 60, 40 x 120,
 * 80 x 240): closing 2.2509, 2.2293, 2.2183e-3 kg/m2 (order 0.97, 40 x 120
 * 1.0 % off) -> 2.2060, 2.2113, 2.2117e-3 (order 3.7: cancelling terms, not
 * the asymptotic order; 160 x 480 2.2111e-3, 0.03 % below 80 x 240, not
 * monotone), 40 x 120 0.02 % off; occluded 2.2875, 2.2810, 2.2731e-2 (not
 * monotone) -> 2.2504, 2.2646, 2.2663e-2 (order 3.1, 0.09 % off). Default
 * 0: with 1, verify_dose_profile's depth test (Q rising by 1e-5 relative
 * with the channel depth at a fixed mouth on 24 x 192 cells) sees the 632
 * um channel 9.6e-5 below the 497 um one (with the split on every layer
 * interface likewise on 48 x 192, and at diff_rtol 2e-6): not yet
 * understood, so not the default.
 * Spatial order: O(h^2) for smooth data (verify_diffusion_order). The
 * channel's Q(24 h) is limited by the rim where the channel leaves the SC:
 * below the SC, which is ~3e4 times less permeable than the viable
 * epidermis, the VE sees the channel outlet as a disc source in an almost
 * impermeable plane, whose flux density is singular at the rim, ~ d^(-1/2) at
 * distance d (the disc-electrode problem, Newman 1966 J Electrochem Soc
 * 113:501). Measured on the default forearm/caffeine channel open for good
 * (360 um insertion, square array 100 /cm2, the profile with the SC/VE step
 * at the SC base; verify_diffusion_order_channel, the space table of make
 * bench), Q(24 h) at diff_rtol 2e-5 on 20 x 60, 40 x 120, 80 x 240, 160 x 480:
 *   diff_rim_refine 0 (default): 2.7340, 2.7510, 2.7293, 2.7336e-2 kg/m2,
 *     not monotone (no observed order), all within 0.8 % of each other;
 *   diff_rim_refine 15: 2.7059, 2.7221, 2.7281, 2.7300e-2, observed order
 *     1.44 and 1.63 (below the design 2), 40 x 120 0.3 % below the value
 *     extrapolated from the last three, at 1.9x the CPU (0.50 s against 0.27 s
 *     on 40 x 120; 12x on 160 x 480, where the channel block of adi.c grows);
 *   the default closing channel at diff_rtol 2e-4, 40 x 120: 532 step
 *     attempts with the rim faces against 335 (occluded 408 against 289).
 * With the profile before (the SC/VE step smeared over one profile spacing,
 * a sloped SC wall) the rim faces gave order 2.2 (open) and 2.0 (closing) and
 * the default grid was 12 % and 4.7 % off without them.
 *
 * Time: Richardson-extrapolated stabilizing-correction (Douglas, theta = 1)
 * splitting, second order, non-negative (models/diffusion/adi.c):
 *   (M - dt A_1) u* = M u^n + dt (A_2 u^n + b^n)
 *   (M - dt A_2) u^{n+1} = M u* - dt A_2 u^n + dt (b^{n+1} - b^n)
 * is the base step D(dt) (first order; its fixed point is the steady state
 * of the full operator, unlike a plain splitting), A_1 the radial faces and
 * every face of the cells a channel can cut (solved as one banded block
 * with the rows through it), A_2 the other axial faces, sink and clearance.
 * The split step does not damp a mode that is stiff in both directions
 * (amplification -> 1), which the channel fluid is at any useful step; in
 * the block it is backward Euler, which does. The adaptive step also ends
 * wherever a closing wall passes a cell centre (a cut face's conductance
 * falls there from the fluid's to the skin's within seconds). Each step computes
 * u_1 = D(dt) u^n and u_2 = D(dt/2) D(dt/2) u^n and keeps
 *   u^{n+1} = u_2 + theta (u_2 - u_1),  theta = 1 unless limited:
 * amplification 2/(1 - z/2)^2 - 1/(1 - z) -> 0 for z -> -inf, so the stiff
 * modes of a discontinuous start or of a moving channel wall are damped
 * (Crank-Nicolson left them ringing at -1 and drove cells negative, down to
 * -0.54 kg/m^3 for a 10 kg/m^3 vehicle). Positivity: theta is lowered where
 * the vehicle or the reservoir would go negative; any negative cell of the
 * combination is set to 0 and its mass taken from the positive cells in
 * proportion (the step control keeps that mass below diff_rtol times what
 * entered). M = diag(cap V); A_r, A_z the radial and axial (with clearance)
 * operators; b the surface source. Both sweeps are tridiagonal (own Thomas
 * solver, buffers allocated in ns_diff_create, nothing allocated during a
 * step). The finite dose couples every column to C_v: each column is solved
 * for two right-hand sides and C_v^{n+1} from the (exactly conservative)
 * donor balance. Summing the base step over all cells gives
 *   sum M (u^{n+1} - u^n) = dt (F_top^{n+1} - F_bot^{n+1} - R^{n+1}),
 * and the extrapolation and the limiter combine these increments with the
 * same weights as the fields, so donor loss, receptor amount and cleared
 * amount close the mass balance to round-off.
 * Adaptive steps: the error estimate u_2 - u_1 is kept below diff_rtol in
 * three measures: the field (volume-weighted RMS against the dose scale
 * C_v(0), the solubility or the largest initial value, never against the
 * current field, so a diverging solution cannot loosen its own test), the
 * permeated amount of the step (against max(Q, amount entered)) and the
 * outflow at the step end (against max(J, peak J, inflow)). A step whose
 * base solutions break their bounds (non-finite, above the largest value at
 * the start or C_v, the vehicle above its start, more stored than supplied)
 * is rejected and shrunk: a diverging solution is never accepted. The run
 * starts at dt0 = NS_DIFF_DT0_FRACTION x the smallest cell diffusion time
 * and grows by at most NS_DIFF_DT_GROWTH per step. Steps land exactly on
 * output times.
 * Channel closure: each base step sets the radius r_ch(z, t) at its end
 * in the cells the channel can cut (rows above its floor, columns inside its
 * widest radius; the rest is intact skin whose coefficients never change)
 * and starts from the cell contents C = cap u, so closure conserves mass
 * exactly. Once the widest radius is below the solute radius (hindrance 0)
 * the channel is closed for good. A half-life >= 1e30 s means never closing.
 * Measured on the default forearm/caffeine case (square array 100 /cm2, 360
 * um insertion, 40 x 120 grid, 24 h, 50 outputs) against diff_rtol = 1e-7:
 * time error of Q(24 h) at diff_rtol 1e-3 / 5e-4 / 2e-4 / 1e-4 / 1e-5
 * (step attempts at 2e-4), the steps landing where the wall passes a cell
 * centre or face (adi.c, "Face events"): non-occluded 1.3e-4 / 8.9e-5 /
 * 5.6e-5 / 1.6e-5 / 8.4e-6 (425), monotone (verify_diffusion_time checks it
 * on a 20 x 60 grid); occluded 2.2e-3 / 2.0e-3 / 1.46e-3 / 7.8e-4 / 1.2e-4
 * (324), monotone (verify_diffusion_time, within 18 x diff_rtol on 20 x
 * 60) but 7.3 x diff_rtol at the default: not yet within 1e-3 (a steady
 * drift of the entered amount while the SC rows are cut, not a passage;
 * graded fixed steps converge, 4.8e-3 / 1.8e-3 / 5.8e-4 / 1.5e-4 off with
 * 500 / 1000 / 2000 / 4000 steps on 20 x 60). Landing on centres only:
 * non-occluded 7.2e-5 (335), occluded 2.6e-3 (289) at 2e-4. With the r/z split
 * step in every cell before: 2.7e-3 non-occluded (1201 attempts), 3.7e-3
 * occluded (1707) at 2e-4. Intact 1e-8 (measured before the block, which
 * leaves intact skin unchanged). Not re-measured: a
 * channel whose SC barrier never recovers (channel.half_life >= 1e30 s)
 * while its pore closes, 1.3 % at 2e-4 before (2.8 % at 1e-3).
 * (With the single-phase closure law before, Crank-Nicolson with step
 * doubling gave 0.44 % and 0.70 %, this scheme 0.17 % and 0.06 %.)
 * Outputs: Q(t) [kg/m^2] = (receptor + cleared amount) / (pi R^2): drug that
 * has left the skin into the receptor or the circulation; J = dQ/dt evaluated
 * from the current field. Lag time: if the flux approaches its steady value
 * monotonically from below (at no output time below 1 - NS_DIFF_MONOTONE_TOL
 * of an earlier one: a burst through a channel, a closing channel or a
 * depleting dose is not a lag) and is steady over the second half of the run
 * (relative change of J between the first output time >= t_end/2 and t_end
 * below NS_DIFF_STEADY_TOL), the late linear part Q = J (t - t_lag) gives
 * t_lag = t_end - Q(t_end)/J(t_end) (>= 0 for a monotone rise: Crank 1975
 * sec. 4.3.2); otherwise NaN (a negative intercept, -5 to -364 h for 24 h
 * runs before, had no meaning). t90_flux: the first time J reaches
 * NS_DIFF_T90_LEVEL of its largest value over the output times (linear
 * between them). burst_fraction: Q(NS_DIFF_BURST_WINDOW t_end) / Q(t_end),
 * the share of the run's permeated amount that came in its first tenth
 * (a constant flux gives 0.1; a lag less, a burst more).
 *
 * Validity: axisymmetric unit cell (the square/hexagonal cell replaced by the
 * equal-area disc), rigid channel walls, linear (dilute) transport, no
 * binding or metabolism except first-order clearance, isothermal.
 *
 * References: Crank, The Mathematics of Diffusion (1975), sec. 4.3.2 (membrane
 * permeation and lag time); Douglas 1962 Numer Math 4:41 (ADI);
 * Hundsdorfer & Verwer, Numerical Solution of Time-Dependent
 * Advection-Diffusion-Reaction Equations (2003), sec. IV.3 (stabilizing
 * correction schemes) and II.4 (Richardson extrapolation); Potts & Guy
 * 1992 Pharm Res 9:663 (kp); Davidson, Al-Qallaf & Das 2008 Chem Eng Res Des
 * 86:1196 (microneedle transport model); Renkin 1954 J Gen Physiol 38:225.
 */
#ifndef NS_DIFFUSION_H
#define NS_DIFFUSION_H

#include <stddef.h>

#include "channel.h"
#include "params.h"
#include "status.h"

#define NS_DIFF_GROWTH 0.15          /* [-] max relative growth of adjacent cells */
#define NS_DIFF_SINGLE_DEPTHS 3.0    /* [-] single needle: R >= 3 channel depths */
#define NS_DIFF_SINGLE_RADII 20.0    /* [-] single needle: R >= 20 channel radii */
#define NS_DIFF_DT0_FRACTION 0.1     /* [-] first step / smallest h^2 cap/(D K) */
#define NS_DIFF_DT_GROWTH 2.0        /* [-] largest step growth factor */
#define NS_DIFF_STEADY_TOL 0.01      /* [-] flux change that counts as steady */
#define NS_DIFF_MONOTONE_TOL 1e-3    /* [-] flux dip that breaks a monotone approach */
#define NS_DIFF_T90_LEVEL 0.9        /* [-] t90_flux: fraction of the peak flux */
#define NS_DIFF_BURST_WINDOW 0.1     /* [-] burst_fraction: early part of the run */

typedef struct ns_diff ns_diff;

typedef struct {
    double permeated_amount;    /* [kg/m^2] Q at the end: receptor + cleared */
    double peak_flux;           /* [kg/(m^2 s)] largest J over the accepted steps */
    double lag_time;            /* [s] late-linear intercept; NaN unless a monotone, steady approach */
    double skin_amount;         /* [kg/m^2] held in VE + dermis (whole membrane for
                                            the one-layer preset) at the end */
    double sc_amount;           /* [kg/m^2] held in the stratum corneum at the end (NaN for
                                            the one-layer preset) */
    double total_skin_amount;   /* [kg/m^2] held in every modelled layer at the end (SC +
                                            VE + dermis, + hypodermis if modelled) */
    double cleared_amount;      /* [kg/m^2] removed by capillary clearance */
    double dose_amount;         /* [kg/m^2] the applied dose: coated or loaded mass per unit
                                            cell, or the finite film C_v0 h_f; NaN for an
                                            infinite dose */
    double delivered_fraction;  /* [-] (receptor + cleared) / dose_amount */
    double skin_fraction;       /* [-] total_skin_amount / dose_amount */
    double release_t90;         /* [s] coated/dissolving dose: time at which 90 % of the
                                       needle reservoir had entered the skin (NaN: not in
                                       the run, or no reservoir) */
    double donor_loss;          /* [kg/m^2] drug that left the donor (vehicle or coating) */
    double mass_balance_error;  /* [-] |stored - stored_0 - (donor - receptor - cleared)|
                                   / max(donor, stored_0, sum |content|) */
    double area;                /* [m^2] the skin area pi R^2 the amounts refer to */
    double delivered_before_closure; /* [kg/m^2] donor loss when the channel closed to the
                                            solute (first accepted step after); NaN if open */
    size_t steps;               /* [-] accepted steps */
    size_t rejected_steps;      /* [-] rejected steps */
} ns_diff_result;

/* What the diffusion solver reads, borrowed for the call to ns_diff_create
 * (which copies what it keeps). Nothing else of the case (needle, applicator,
 * insertion calibration) reaches the diffusion.
 *
 * Intact skin in one column (intact_1d): without an open channel the field
 * does not depend on r, so one radial cell gives the same amounts as the
 * numerics.diff_n_r grid (verify_diffusion_balance: intact_2d_equals_1d
 * agrees to 3e-14) at a fraction of the cost. With intact_1d = 1 and no open
 * channel the solver steps that one column and still reports the field on
 * the diff_n_r grid (ns_diff_get_field, ns_diff_get_faces: the column
 * repeated on every radial cell of the grid it would have built), so callers
 * see the grid they asked for. intact_1d = 0 solves the grid as given (the
 * 2-D intact solve of the verification tests). */
typedef struct {
    const ns_skin_params *skin;           /* layers: diffusivity, partition, clearance */
    const ns_drug_params *drug;           /* dose, concentration, film, coating, solute size */
    const ns_array_params *array;         /* unit-cell radius of the domain */
    const ns_channel_geom *channel;       /* NULL or channel->open == 0: intact skin */
    const ns_transport_params *transport; /* depth, bottom boundary */
    const ns_numerics_params *numerics;   /* diff_n_r, diff_n_z, diff_rtol, diff_max_steps */
    int intact_1d;                        /* [-] 1: intact skin solved in one column (above) */
} ns_diff_input;

/* The diffusion input of a whole case p and channel ch (may be NULL):
 * pointers into p and ch, intact_1d = 0. */
void ns_diff_input_init(ns_diff_input *in, const ns_params *p, const ns_channel_geom *ch);

/* Build the grid and coefficients; allocate every buffer.
 * Uses skin layers (diffusivity and partition must be finite: run
 * ns_params_derive first), drug (free_diffusivity, radius, concentration,
 * dose, film_thickness, coated_mass), channel, transport, numerics (diff_n_r,
 * diff_n_z, diff_rtol, diff_max_steps: each checked against its range in the
 * parameter table, models/param_table.c, as `needlesim check` checks it) and
 * array. The 1-D laminate (exact for intact skin) is intact_1d = 1 without an
 * open channel, not a grid of one radial cell.
 * exceptions: NS_EINVAL (message names the parameter, value and range),
 * NS_ENOMEM. On failure *out = NULL. */
ns_status ns_diff_create(const ns_diff_input *in, ns_diff **out);

/* Advance adaptively to each of the n_out increasing times t_out [s] and
 * store Q_out [kg/m^2] and J_out [kg/(m^2 s)] there (either may be NULL);
 * fill res (may be NULL). Times must be > the current time and increasing.
 * exceptions: NS_EINVAL (bad times), NS_ECONV (diff_max_steps reached or the
 * step fell below the round-off limit), NS_ENONFINITE (names the cell). */
ns_status ns_diff_solve(ns_diff *s, const double *t_out, size_t n_out, double *Q_out,
                        double *J_out, ns_diff_result *res);

/* One extrapolated step of fixed size dt [s] (no error control; limited to
 * the non-negative first-order u_2 if the bounds fail); updates the balance
 * counters. exceptions: NS_EINVAL (dt <= 0), NS_ENONFINITE. */
ns_status ns_diff_step(ns_diff *s, double dt);

/* Current time [s]. */
double ns_diff_get_time(const ns_diff *s);

/* Grid centres r[nr], z[nz] [m] and the tissue concentration C = K u
 * [kg/m^3] at the current time, C[i * nz + j] for r-cell i and z-cell j.
 * Pointers valid until the next step or destroy. */
void ns_diff_get_field(ns_diff *s, const double **r, const double **z, const double **C,
                       size_t *nr, size_t *nz);

/* Cell faces rf[nr + 1], zf[nz + 1] [m]. */
void ns_diff_get_faces(const ns_diff *s, const double **rf, const double **zf);

/* Replace the field by tissue concentrations C[i * nz + j] [kg/m^3] (used by
 * verification for prescribed initial data); the balance counters restart
 * from this state. exceptions: NS_EINVAL (non-finite value). */
ns_status ns_diff_set_field(ns_diff *s, const double *C);

/* Balance summary at the current time (same fields as ns_diff_solve fills;
 * peak_flux and lag_time refer to what ns_diff_solve has seen). */
void ns_diff_get_result(const ns_diff *s, ns_diff_result *res);

/* Cumulative permeated amount Q [kg/m^2] and instantaneous flux J
 * [kg/(m^2 s)] at the current time. */
void ns_diff_get_flux(const ns_diff *s, double *Q, double *J);

/* Domain radius R and depth H [m]. */
void ns_diff_get_domain(const ns_diff *s, double *R, double *H);

/* Concentration probe at depth z [m] (0 <= z <= H): after every accepted
 * step of ns_diff_solve the free concentration u [kg/m^3] of the cell at the
 * unit-cell boundary (the outermost radial cell) of the depth row holding z
 * -- the point at that depth farthest from the channel, the last one the
 * drug reaches -- is compared with `threshold` [kg/m^3]; the first time it reaches it is kept,
 * interpolated linearly in time between the two steps around the crossing
 * (error O(dt) of the step there). The probe only reads the state: the
 * solution, the steps and every result are the same with and without it.
 * exceptions: NS_EINVAL (z outside the domain, threshold not > 0). */
ns_status ns_diff_set_probe(ns_diff *s, double z, double threshold);

/* First crossing time [s] of the probe; NaN if not reached yet or no probe. */
double ns_diff_get_probe_time(const ns_diff *s);

void ns_diff_destroy(ns_diff **s);

/* Lag-time rule of the header ("Outputs"): the index of the first output time
 * >= t_end/2 (kept below the last one), where the steadiness window starts. */
size_t ns_diff_lag_window(const double *t_out, size_t n_out);

/* t_end - Q_end/J_end [s] if the flux changed by at most NS_DIFF_STEADY_TOL
 * between the window start (J_mid) and the end (J_end); NaN otherwise. */
double ns_diff_lag_time(double t_end, double J_mid, double J_end, double Q_end);

/* 1 if the flux J at one output time dips below (1 - NS_DIFF_MONOTONE_TOL)
 * J_max, the largest flux at the earlier output times (-inf: none). */
int ns_diff_flux_dips(double J, double J_max);

/* 1 if J[0..n-1] (output times) never dips (ns_diff_flux_dips): the
 * condition for a lag time. */
int ns_diff_flux_monotone(const double *J, size_t n);

/* t90_flux [s] from the output curve t[n], J[n] (header, "Outputs"); NaN if
 * the flux is never positive. */
double ns_diff_t90_flux(const double *t, const double *J, size_t n);

/* burst_fraction [-] from the output curve t[n], Q[n] (header, "Outputs");
 * NaN if nothing permeated. */
double ns_diff_burst_fraction(const double *t, const double *Q, size_t n);

#endif
