/* Per-thread wall-clock deadline of one case (see deadline.h). */
#include "deadline.h"

#include <math.h>
#include <time.h>

static _Thread_local double limit_s;    /* [s] the limit as given; 0 = none */
static _Thread_local double deadline_s; /* [s] CLOCK_MONOTONIC time at which it passes */

static double now_s(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) return 0.0; /* no clock: never expires */
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void ns_deadline_start(double seconds)
{
    if (!(seconds > 0.0) || !isfinite(seconds)) {
        ns_deadline_stop();
        return;
    }
    limit_s = seconds;
    deadline_s = now_s() + seconds;
}

void ns_deadline_stop(void)
{
    limit_s = 0.0;
    deadline_s = 0.0;
}

static _Thread_local void (*hook_fn)(void *ctx); /* step hook, NULL = none */
static _Thread_local void *hook_ctx;
static _Thread_local double hook_interval, hook_next; /* [s] */

void ns_deadline_set_hook(void (*hook)(void *ctx), void *ctx, double interval)
{
    hook_fn = hook;
    hook_ctx = ctx;
    hook_interval = interval;
    hook_next = 0.0;
}

ns_status ns_deadline_check(const char *where, double t)
{
    if (hook_fn) {
        double now = now_s();
        if (now >= hook_next) {
            hook_next = now + hook_interval;
            hook_fn(hook_ctx);
        }
    }
    if (limit_s <= 0.0 || now_s() < deadline_s) return NS_OK;
    return ns_status_set_keyed(NS_ETIMEOUT, "numerics.case_timeout",
                               "numerics.case_timeout = %g s reached in the %s at t = %.6g s "
                               "(simulated time; wall time depends on the machine and its load)",
                               limit_s, where, t);
}
