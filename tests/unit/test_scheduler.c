/* sim/scheduler: the pure chunking logic (no MPI inside Criterion; the MPI
 * protocol is exercised by tests/mpi/check_mpi.sh). Chunk sizes are integers,
 * so every comparison is exact. */
/* Criterion's assertion macros assign an int to a 1-bit field internally. */
#pragma GCC diagnostic ignored "-Wconversion"
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <math.h>
#include <stdlib.h>

#include "../../sim/scheduler.h"

Test(scheduler, zero_only_when_nothing_remains)
{
    cr_assert(eq(sz, ns_sched_chunk(0, 3, 0.37, 1.0), 0));
    cr_assert(eq(sz, ns_sched_chunk(0, 1, 0.0, 1.0), 0));
    for (size_t r = 1; r < 50; r++)
        for (size_t w = 1; w < 9; w++) cr_assert(ge(sz, ns_sched_chunk(r, w, 1.3e-3, 1.0), 1));
}

Test(scheduler, unknown_cost_gives_single_cases)
{
    cr_assert(eq(sz, ns_sched_chunk(1000, 2, 0.0, 1.0), 1));
    cr_assert(eq(sz, ns_sched_chunk(1000, 2, NAN, 1.0), 1));
    cr_assert(eq(sz, ns_sched_chunk(1000, 2, -1.0, 1.0), 1));
}

Test(scheduler, guided_for_cheap_cases)
{
    /* cap = floor(1 / 1.7e-4) = 5882 > guided ceil(1000 / (2*4)) = 125 */
    cr_assert(eq(sz, ns_sched_chunk(1000, 4, 1.7e-4, 1.0), 125));
    /* ceil(1001 / 8) = 126 */
    cr_assert(eq(sz, ns_sched_chunk(1001, 4, 1.7e-4, 1.0), 126));
}

Test(scheduler, cost_bound_for_expensive_cases)
{
    /* cap = floor(1.0 / 0.13) = 7 < guided ceil(1000/2) = 500 */
    cr_assert(eq(sz, ns_sched_chunk(1000, 1, 0.13, 1.0), 7));
    /* a case costs more than the target: one at a time */
    cr_assert(eq(sz, ns_sched_chunk(1000, 1, 2.7, 1.0), 1));
    /* never more than what remains */
    cr_assert(eq(sz, ns_sched_chunk(3, 1, 1e-9, 1.0), 2));
    cr_assert(eq(sz, ns_sched_chunk(1, 1, 1e-9, 1.0), 1));
}

Test(scheduler, workers_zero_treated_as_one)
{
    cr_assert(eq(sz, ns_sched_chunk(100, 0, 1e-3, 1.0), ns_sched_chunk(100, 1, 1e-3, 1.0)));
}

/* Serving requests round-robin until exhausted must hand out every position
 * exactly once, in order, with non-increasing chunk sizes once the cost is
 * known, and with a number of chunks that grows like K W log(n), not n. */
Test(scheduler, chunks_tile_the_case_list)
{
    const size_t n = 100003, W = 7;
    unsigned char *seen = calloc(n, 1);
    cr_assert(seen != NULL);
    size_t pos = 0, chunks = 0, prev = (size_t)-1;
    int prev_known = 0;
    double mean = 0.0;
    while (pos < n) {
        size_t m = ns_sched_chunk(n - pos, W, mean, 1.0);
        cr_assert(ge(sz, m, 1));
        cr_assert(le(sz, m, n - pos));
        if (prev_known) cr_assert(le(sz, m, prev), "chunk grew from %zu to %zu", prev, m);
        prev_known = mean > 0.0;
        for (size_t k = pos; k < pos + m; k++) seen[k]++;
        pos += m;
        prev = m;
        chunks++;
        mean = 2.3e-5; /* measured after the first chunk */
    }
    for (size_t k = 0; k < n; k++) cr_assert(eq(u8, seen[k], 1), "position %zu", k);
    /* guided: R shrinks by factor (1 - 1/(K W)) per chunk, so about
     * K W ln(n) = 14 * 11.5 = 161 chunks plus the tail of size-1 chunks
     * (at most K W); 400 leaves room and is far below n. */
    cr_assert(le(sz, chunks, 400), "%zu chunks", chunks);
    free(seen);
}

Test(scheduler, computing_ranks)
{
    cr_assert(eq(sz, ns_sched_computing_ranks(1), 1));
    cr_assert(eq(sz, ns_sched_computing_ranks(2), 2));
    cr_assert(eq(sz, ns_sched_computing_ranks(NS_SCHED_SELF_MAX_RANKS), NS_SCHED_SELF_MAX_RANKS));
    cr_assert(eq(sz, ns_sched_computing_ranks(NS_SCHED_SELF_MAX_RANKS + 1), NS_SCHED_SELF_MAX_RANKS));
    cr_assert(eq(sz, ns_sched_computing_ranks(1024), 1023));
}
