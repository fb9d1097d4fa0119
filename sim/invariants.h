/* Physical invariants of a finished case, checked before it is stored.
 *
 * A solver that returns NS_OK can still hand back numbers that cannot be
 * physical: a diffusion run whose error control accepted a diverging
 * solution (permeated amount -6e146 kg/m2 with a mass balance of 1e-4), an
 * insertion whose energy does not balance. Such a case must not be stored as
 * ok. sim/case checks every case against the table below after its last
 * solve; the first invariant that fails turns the case into a failure with
 * status NS_EPHYSICS and a message
 *     invariant <name>: <quantity> = <value> <unit> <what is wrong> (<bound>)
 * which the sweep stores in /error like any other failure (outputs/README.md,
 * "Status and error codes", lists the table). Failed cases are data: the
 * sweep goes on.
 *
 * The invariants (names, rules; the tolerances are written once, in the
 * table of invariants.c, and outputs/README.md quotes them):
 *   finite            every result from the insertion on and every curve
 *                     value is finite or NaN (not defined); after a diffusion
 *                     run its amounts are finite.
 *   amounts_nonnegative  every amount result (permeated, skin, SC, total
 *                     skin, cleared, intact) and the permeated-amount and
 *                     flux curves >= -tol x S, S the dose scale: dose_amount
 *                     for a finite, coated or dissolving dose, else B_Q (the
 *                     tolerance admits the undershoots of the non-monotone
 *                     Crank-Nicolson scheme on coarse grids, not runaways).
 *   amounts_within_supply  finite, coated, dissolving dose: every amount and
 *                     permeated + total skin amount <= (1 + tol) dose_amount
 *                     (the film C_v0 h_f, or the needle's mass per unit-cell
 *                     area, set from the inputs when the solver is built, not
 *                     by the time stepping); delivered and skin fraction in
 *                     [-tol, 1 + tol].
 *   amounts_bounded   permeated, total skin and intact amounts <= tol x B_Q,
 *                     B_Q = K_max C_v0 (H + D_max T / L + k_max T H) (coated,
 *                     dissolving: dose_amount).
 *   flux_bounded      peak flux and every flux value <= tol x B_J,
 *                     B_J = K_max C_v0 (D_max / L + k_max H) (coated,
 *                     dissolving: dose_amount (D_max / L^2 + k_max)).
 *   mass_balance      mass_balance_error <= tol (the scheme closes to
 *                     round-off, 1e-15 per step; the verification tests ask
 *                     1e-9; the tolerance leaves room for 1e5-step runs).
 *   energy_balance    energy_balance_error <= tol (the insertion's stated
 *                     accuracy, tests/verify/verify_insertion_dynamics.c).
 *   depth_within_stack  penetration depth, channel depth and max_tenting <=
 *                     (1 + tol) x the skin stack thickness (the tip stops at
 *                     the backing, models/insertion.h "Backing").
 *   force_within_cap  press and roller: total force <= (1 + tol) x
 *                     applicator.force (the force-cap event is located to
 *                     1e-10 of a step; the cap includes the plate's contact
 *                     penalty).
 *
 * The bounds of amounts_bounded and flux_bounded compare the case with the
 * most permeable medium it contains: C_v0 the vehicle concentration (the
 * maximum principle keeps 0 <= u <= C_v0 for an infinite or finite dose),
 * K_max the largest partition coefficient (1 in an open channel), D_max the
 * largest diffusivity (the free diffusivity in an open channel), k_max the
 * largest clearance rate of the layers inside the modelled depth H
 * (models/diffusion.h: transport.depth, or SC + VE + dermis), T the run
 * duration and L the shortest length a flux can cross: the thinnest layer
 * inside H, or the tissue left between the channel floor and H. A
 * homogeneous slab of thickness L with those coefficients permeates at most
 * K C_v0 D T / L and holds at most K C_v0 L; a layered or punctured stack
 * permeates less (series resistances add). The factor 10 makes the bounds
 * safe for the 2-D geometry: they are not estimates, their job is to catch
 * runaway solutions (orders of magnitude), never to judge accuracy.
 */
#ifndef NS_INVARIANTS_H
#define NS_INVARIANTS_H

#include <stddef.h>

#include "../models/diffusion.h"
#include "../models/insertion.h"
#include "../models/params.h"
#include "../models/status.h"

#include "results.h"

typedef struct {
    const char *name; /* "mass_balance" */
    double tol;       /* tolerance (relative, or the bound factor) */
    const char *rule; /* one line: what is checked */
} ns_invariant_info;

/* The table of invariants, in the order they are checked. */
size_t ns_invariant_count(void);
const ns_invariant_info *ns_invariant_at(size_t i); /* NULL past the end */

/* Check the finished case r of parameters p (derived: layer diffusivities
 * and partitions finite). ins: the insertion result, NULL when there was no
 * insertion (intact skin). diff: the diffusion balance of the needle case,
 * NULL when there was no diffusion run. exceptions: NS_EPHYSICS with the
 * message above (no source location: it is meant for the user). */
ns_status ns_invariants_check(const ns_params *p, const ns_ins_result *ins,
                              const ns_diff_result *diff, const ns_case_result *r);

#endif
