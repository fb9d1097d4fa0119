/* Dynamic case scheduler over MPI ranks. The only file besides main.c that
 * includes mpi.h; MPI_Init and MPI_Finalize happen here (ns_sched_init and
 * ns_sched_finalize, called from ns_run).
 *
 * Design (one code path for 1 and N ranks). The rule: rank 0 never waits for
 * a worker's computation, and a worker never waits for rank 0's.
 *   - Every rank holds the same list of pending case indices `todo` (rank 0
 *     computes it from the file and broadcasts it).
 *   - Rank 0 is the master: it answers work requests with a chunk
 *     [pos, pos + m) of `todo`, receives every finished case row and hands it
 *     to the `store` callback (the single HDF5 writer, see output.h).
 *   - Nothing on rank 0 blocks on a worker. Messages are matched with
 *     MPI_Improbe and received with MPI_Imrecv, completed by MPI_Test: a
 *     result above Open MPI's eager limit (its transfer needs the sender to
 *     enter MPI again, which a computing worker does only after its case)
 *     is simply completed later, while rank 0 goes on. A work reply is 16
 *     bytes (eager: MPI_Send returns at once). Results are stored in the
 *     order they were received.
 *   - Rank 0 also computes cases itself, one at a time, when the job has at
 *     most NS_SCHED_SELF_MAX_RANKS ranks (with 1 rank it is the only worker;
 *     with 2-4 ranks a dedicated master would idle 25-50 % of the machine).
 *     While it computes, the solvers' step loop calls the master's poll
 *     through the step hook of models/deadline.h, at most every
 *     NS_SCHED_HOOK_SECONDS: requests are answered and results received
 *     within about a millisecond, however long rank 0's own case takes
 *     (store(), which writes HDF5 and may set status messages, waits until
 *     the case is done: results received meanwhile are held in memory). The
 *     hook reads nothing of the solver, so results are the same bits. The
 *     continuum insertion model has no step hook: during one of its cases
 *     rank 0 answers only before and after. Above NS_SCHED_SELF_MAX_RANKS
 *     rank 0 is a pure master that polls and sleeps NS_SCHED_POLL_SECONDS
 *     when a poll found nothing (a blocking receive would spin a core in
 *     Open MPI).
 *   - Workers ask for the next chunk before they run out, so the reply (at
 *     most NS_SCHED_HOOK_SECONDS plus one solver step away on an idle
 *     machine, tens of milliseconds on a loaded one) arrives while they
 *     compute, but not so early that a case waits queued on one rank while
 *     another rank is idle at the end of the run (the tail). Cheap cases:
 *     when the cases left of the chunk would take less than
 *     NS_SCHED_PREFETCH_SECONDS at the rank's own mean case cost, or at the
 *     start of the last case when the mean is below
 *     2 NS_SCHED_REPLY_SECONDS (or nothing is measured yet). Costly cases
 *     (late binding): during the last case, the worker's step hook asks
 *     once the case has run for the mean less NS_SCHED_REPLY_SECONDS; a
 *     case that ends sooner asks at its end. (Asking at the start of the
 *     last case kept one case queued: with the main job's 0.1-5 s cases,
 *     the run often ended with rank 0 idle while the worker computed its
 *     queued case.) One request is outstanding at a time.
 *   - A worker never waits for its results to be delivered either: each is
 *     sent from its own buffer (MPI_Isend) and reaped by MPI_Test before
 *     the next case; only with NS_SCHED_SENDS_MAX sends in flight does it
 *     wait for the oldest. (Open MPI's shared-memory transport completes
 *     even a small send only once the receiver has taken the fragment:
 *     with two alternating buffers a worker waited 4 s of a 5 s cheap
 *     sweep on a loaded machine.) Result messages are compact (sim/payload.h:
 *     values still NaN are left out), below the eager limit for intact-skin
 *     cases.
 *   - Rank 0 measures its own cost (ns_sched_stats): the CPU time of its
 *     master work per stored case, which scripts/bench_sweep.sh turns into
 *     the projection to many ranks.
 *   - Chunk size, guided and cost-bounded (ns_sched_chunk):
 *       m = min( ceil(R / (K W)), max(1, floor(t_target / c_mean)) ),  1 <= m <= R
 *     R remaining cases, W computing ranks, K = NS_SCHED_GUIDED_K, c_mean the
 *     measured mean case cost [s], t_target = NS_SCHED_CHUNK_SECONDS. Before
 *     any case has finished, m = 1.
 *   - Case i is computed from (config, i) alone, with no reduction over
 *     ranks, so results do not depend on the rank count or the chunking.
 *   - Stop: SIGTERM/SIGINT set a flag (ns_sched_stop_requested). A worker
 *     finishes its current case, sends it and says goodbye; the master stops
 *     handing out work (replies m = 0), drains the results still in flight,
 *     and returns NS_EINTR. Cases never started stay pending in the file.
 *     A worker that says goodbye while work is left (only that rank got the
 *     signal) stops the master the same way; ns_sched_agree_signal then
 *     gives every rank the signal's number for the message.
 */
#ifndef NS_SCHEDULER_H
#define NS_SCHEDULER_H

#include <stddef.h>

#include "../models/status.h"

#define NS_SCHED_GUIDED_K 2             /* [-] guided-chunk divisor */
#define NS_SCHED_CHUNK_SECONDS 1.0      /* [s] target duration of one chunk */
#define NS_SCHED_SELF_MAX_RANKS 4       /* rank 0 also computes up to this many ranks */
#define NS_SCHED_POLL_SECONDS 2.0e-4    /* [s] master sleep between idle polls */
#define NS_SCHED_HOOK_SECONDS 5.0e-4    /* [s] least time between two step-hook polls */
#define NS_SCHED_PREFETCH_SECONDS 0.05  /* [s] a worker asks for more below this much queued work */
#define NS_SCHED_REPLY_SECONDS 0.05   /* [s] a costly case asks for more this long before its expected end */
#define NS_SCHED_SENDS_MAX 64           /* [-] result sends a worker keeps in flight */

/* Size of the next chunk (pure; see the header essay). remaining: R >= 0;
 * workers: W >= 1; mean_cost: measured mean case cost [s], <= 0 or NaN if
 * unknown; target: t_target [s]. Returns 0 only when remaining == 0. */
size_t ns_sched_chunk(size_t remaining, size_t workers, double mean_cost, double target);

/* [s] CPU time of the calling thread (CLOCK_THREAD_CPUTIME_ID; 0 if unavailable). */
double ns_sched_cpu_seconds(void);

/* Number of ranks that compute cases for a job of `size` ranks. */
size_t ns_sched_computing_ranks(int size);

/* Initialise MPI (MPI_Init) and install the SIGTERM/SIGINT handlers.
 * exceptions: NS_EMPI. */
ns_status ns_sched_init(int *argc, char ***argv, int *rank, int *size);

/* MPI_Finalize (if initialised). */
void ns_sched_finalize(void);

/* Abort every rank (fatal error on one rank only). */
void ns_sched_abort(int code);

/* 1 if SIGTERM or SIGINT was received by this process. */
int ns_sched_stop_requested(void);


/* Collective: the largest signal number that stopped any rank (0 if none),
 * so rank 0 can name the signal a worker received. */
int ns_sched_agree_signal(void);

/* Logical AND of `ok` over all ranks (collective). */
int ns_sched_all(int ok);

/* Broadcast an int from rank 0 (collective). */
void ns_sched_bcast_int(int *value);

/* Broadcast the pending-case list from rank 0: on rank 0 *todo and *n are input;
 * on the others *todo is allocated (free() it). exceptions: NS_ENOMEM, NS_EMPI. */
ns_status ns_sched_bcast_todo(size_t **todo, size_t *n);

/* What rank 0 measured during ns_sched_run (filled on rank 0 when
 * job->stats is not NULL). CPU times are of rank 0's thread
 * (CLOCK_THREAD_CPUTIME_ID), so another job on the machine does not inflate
 * them the way it inflates wall times. */
typedef struct {
    size_t stored;         /* results handed to store() */
    size_t own_cases;      /* of those, computed by rank 0 itself */
    double master_cpu;     /* [s] CPU of the master's work: answering requests,
                              receiving results, store() (unpacking, the HDF5
                              rows and commits); polls that found nothing are
                              not counted */
    double own_cpu;        /* [s] CPU of rank 0's own cases, the step hook's
                              master work taken out */
    size_t messages;       /* result messages received from workers */
    double message_bytes;  /* [B] their total size */
    size_t message_max;    /* [B] the largest */
    size_t hook_calls;     /* step-hook calls during rank 0's own cases */
    double wall;           /* [s] wall time of ns_sched_run on rank 0 (the
                              computing phase: no MPI start-up, config or
                              file creation) */
    double rank0_cpu;      /* [s] rank 0's CPU time in that phase (all of it,
                              idle polls included) */
    double worker_cpu_max; /* [s] the largest CPU time of a worker in its
                              phase (sent with its goodbye); 0 with 1 rank */
    double worker_wait_max; /* [s] the longest wall time a worker spent
                              waiting for work replies (sent with its
                              goodbye): work it could have computed */
    double idle_wall;      /* [s] rank 0's wall time from the first moment it
                              had nothing of its own to compute to the end of
                              the phase (waiting for the workers' last cases:
                              the tail of the run; a pure master's whole phase) */
} ns_sched_stats;

/* The work of a sweep. compute() runs on every computing rank, fills
 * payload[0, n) for case i (a failed case is data, not an error) and returns
 * n <= payload_size, the bytes used (messages carry only those, so a few
 * cases may carry large extras such as concentration fields);
 * store() runs on rank 0 only with the payload and the compute wall time [s];
 * a non-NS_OK store() is fatal: the sweep stops and that status is returned.
 * idle() (rank 0, may be NULL) is called between polls and after each store
 * (progress output). */
typedef struct {
    const size_t *todo;
    size_t n_todo;
    size_t payload_size;
    void *ctx;
    size_t (*compute)(void *ctx, size_t i, void *payload);
    ns_status (*store)(void *ctx, size_t i, const void *payload, double seconds);
    void (*idle)(void *ctx);
    ns_sched_stats *stats; /* rank 0: filled by ns_sched_run; may be NULL */
} ns_sched_job;

/* Run the job on all ranks (collective). Returns on every rank: NS_OK when
 * all of todo was computed and stored, NS_EINTR when stopped by a signal,
 * the store() status on a storage failure, NS_EMPI on an MPI failure.
 * The returned status is the same on every rank. */
ns_status ns_sched_run(const ns_sched_job *job);

#endif
