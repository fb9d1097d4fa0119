/* models/deadline: the step hook that the sweep engine uses to serve MPI
 * messages while rank 0 computes a case (sim/scheduler.h). */
/* Criterion's assertion macros assign an int to a 1-bit field internally. */
#pragma GCC diagnostic ignored "-Wconversion"
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include "../../models/deadline.h"

static void count_call(void *ctx) { ++*(int *)ctx; }

/* Interval 0: every check calls the hook; the check still says NS_OK. */
Test(deadline, hook_every_check_at_zero_interval)
{
    int calls = 0;
    ns_deadline_set_hook(count_call, &calls, 0.0);
    for (int k = 0; k < 17; k++) cr_assert(eq(int, ns_deadline_check("diffusion", 0.37 * k), NS_OK));
    ns_deadline_set_hook(NULL, NULL, 0.0);
    cr_assert(eq(int, calls, 17));
}

/* A long interval: the first check after setting the hook calls it, the
 * rest wait for the interval (1e9 s: never within this test); setting the
 * hook again starts over; NULL removes it. */
Test(deadline, hook_throttled_and_removed)
{
    int calls = 0;
    ns_deadline_set_hook(count_call, &calls, 1e9);
    for (int k = 0; k < 9; k++) ns_deadline_check("insertion", 1e-3 * k);
    cr_assert(eq(int, calls, 1));
    ns_deadline_set_hook(count_call, &calls, 1e9);
    ns_deadline_check("insertion", 0.0);
    cr_assert(eq(int, calls, 2));
    ns_deadline_set_hook(NULL, NULL, 0.0);
    for (int k = 0; k < 9; k++) ns_deadline_check("insertion", 1e-3 * k);
    cr_assert(eq(int, calls, 2));
}

/* The hook does not hide an expired limit. */
Test(deadline, hook_keeps_the_limit)
{
    int calls = 0;
    ns_deadline_start(1e-300); /* positive and finite: expires at once */
    ns_deadline_set_hook(count_call, &calls, 0.0);
    cr_assert(eq(int, ns_deadline_check("diffusion", 2.5), NS_ETIMEOUT));
    ns_deadline_set_hook(NULL, NULL, 0.0);
    ns_deadline_stop();
    cr_assert(eq(int, calls, 1));
}
