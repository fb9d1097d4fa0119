/* Wall-clock limit of one case (numerics.case_timeout).
 *
 * A sweep must not stall on one case: a step cap of 1e9 steps, or a stiff
 * case that creeps at the round-off limit of its step, can run for days
 * while every other rank waits at the end. sim/case starts a deadline of
 * numerics.case_timeout seconds of wall time when a case starts and stops it
 * when the case ends; the time loops of the solvers (insertion, diffusion)
 * call ns_deadline_check once per attempted step, which fails the case with
 * NS_ETIMEOUT once the deadline has passed. The case is then recorded as
 * failed with the message (status 2, /error), like any other failure, and
 * the sweep goes on with the next case.
 *
 * The clock is CLOCK_MONOTONIC (not changed by NTP or the user setting the
 * date). The check reads the clock only (tens of nanoseconds, against
 * microseconds to milliseconds per step), so results are bit-identical with
 * or without a limit for every case that finishes in time. Whether a case
 * near the limit finishes depends on the machine and its load: a timeout is
 * the one failure that is not a pure function of (config, case index); its
 * message says so, and `--resume --retry-failed` with a larger limit
 * recomputes it.
 *
 * The deadline is per thread (one case at a time per thread); without
 * ns_deadline_start (unit tests calling a solver directly) there is no
 * limit.
 *
 * Step hook. Because every step passes through ns_deadline_check, the sweep
 * engine can also ask for a call of its own there: rank 0 of a parallel run
 * answers the other ranks' messages while it computes a case itself
 * (sim/scheduler.h), instead of making them wait until the case ends. The
 * hook runs at most once per `interval` seconds of wall time, reads nothing
 * of the solver and must not change the solver's state or the status
 * message, so results are the same bits with or without it. */
#ifndef NS_DEADLINE_H
#define NS_DEADLINE_H

#include "status.h"

/* Start a limit of `seconds` [s] of wall time from now on this thread;
 * 0, negative, NaN or infinite: no limit. */
void ns_deadline_start(double seconds);

/* Remove the limit of this thread. */
void ns_deadline_stop(void);

/* NS_OK while the limit has not passed (or there is none); otherwise
 * NS_ETIMEOUT with the message "numerics.case_timeout = L s reached in the
 * <where> at t = T s (simulated time)" (user-facing, keyed to
 * numerics.case_timeout). where: "insertion", "diffusion"; t [s] the
 * solver's simulated time. */
ns_status ns_deadline_check(const char *where, double t);

/* Call hook(ctx) from ns_deadline_check at most every interval [s] on this
 * thread; hook NULL removes it. */
void ns_deadline_set_hook(void (*hook)(void *ctx), void *ctx, double interval);

#endif
