/* Dynamic case scheduler over MPI (see scheduler.h for the protocol). */
#include "scheduler.h"

#include "../models/deadline.h"

#include <math.h>
#include <mpi.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { TAG_REQUEST = 11, TAG_WORK = 12, TAG_RESULT = 13, TAG_BYE = 14 };

/* Header in front of each result payload. */
typedef struct {
    uint64_t case_index;
    double seconds;
} result_header;

static volatile sig_atomic_t stop_signal = 0;

static void on_signal(int sig) { stop_signal = sig; }

/* ---- pure chunk logic ------------------------------------------------------- */

size_t ns_sched_chunk(size_t remaining, size_t workers, double mean_cost, double target)
{
    if (remaining == 0) return 0;
    if (workers == 0) workers = 1;
    if (!(mean_cost > 0.0)) return 1; /* no measurement yet: smallest chunk */
    size_t div = (size_t)NS_SCHED_GUIDED_K * workers;
    size_t guided = (remaining + div - 1) / div;
    double by_cost = floor(target / mean_cost);
    size_t cap = by_cost < 1.0 ? 1 : (by_cost > (double)remaining ? remaining : (size_t)by_cost);
    size_t m = guided < cap ? guided : cap;
    if (m < 1) m = 1;
    return m > remaining ? remaining : m;
}

size_t ns_sched_computing_ranks(int size)
{
    if (size <= 1) return 1;
    return size <= NS_SCHED_SELF_MAX_RANKS ? (size_t)size : (size_t)(size - 1);
}

/* ---- MPI plumbing ------------------------------------------------------------- */

ns_status ns_sched_init(int *argc, char ***argv, int *rank, int *size)
{
    /* Handlers first: a signal during the (slow) MPI start-up also stops cleanly. */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    int inited = 0;
    MPI_Initialized(&inited);
    if (!inited && MPI_Init(argc, argv) != MPI_SUCCESS)
        NS_FAIL(NS_EMPI, "MPI_Init failed");
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    if (MPI_Comm_rank(MPI_COMM_WORLD, rank) != MPI_SUCCESS ||
        MPI_Comm_size(MPI_COMM_WORLD, size) != MPI_SUCCESS)
        NS_FAIL(NS_EMPI, "MPI_Comm_rank/size failed");
    return NS_OK;
}

void ns_sched_finalize(void)
{
    int inited = 0, finalized = 0;
    MPI_Initialized(&inited);
    MPI_Finalized(&finalized);
    if (inited && !finalized) MPI_Finalize();
}

void ns_sched_abort(int code) { MPI_Abort(MPI_COMM_WORLD, code); }

int ns_sched_stop_requested(void) { return stop_signal != 0; }

int ns_sched_agree_signal(void)
{
    int mine = (int)stop_signal, all = mine;
    if (MPI_Allreduce(&mine, &all, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD) != MPI_SUCCESS) return mine;
    return all;
}

int ns_sched_all(int ok)
{
    int in = ok ? 1 : 0, out = 0;
    if (MPI_Allreduce(&in, &out, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD) != MPI_SUCCESS) return 0;
    return out;
}

void ns_sched_bcast_int(int *value) { MPI_Bcast(value, 1, MPI_INT, 0, MPI_COMM_WORLD); }

ns_status ns_sched_bcast_todo(size_t **todo, size_t *n)
{
    int rank = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    uint64_t n64 = rank == 0 ? (uint64_t)*n : 0;
    if (MPI_Bcast(&n64, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD) != MPI_SUCCESS)
        NS_FAIL(NS_EMPI, "broadcast of the pending-case count failed");
    uint64_t *buf = malloc((n64 ? n64 : 1) * sizeof *buf);
    NS_CHECK(buf, NS_ENOMEM, "cannot allocate %llu case indices", (unsigned long long)n64);
    if (rank == 0)
        for (uint64_t k = 0; k < n64; k++) buf[k] = (*todo)[k];
    /* Broadcast in pieces below INT_MAX elements. */
    for (uint64_t k = 0; k < n64; k += (1u << 30)) {
        uint64_t m = n64 - k < (1u << 30) ? n64 - k : (1u << 30);
        if (MPI_Bcast(buf + k, (int)m, MPI_UINT64_T, 0, MPI_COMM_WORLD) != MPI_SUCCESS) {
            free(buf);
            NS_FAIL(NS_EMPI, "broadcast of the pending-case list failed");
        }
    }
    if (rank != 0) {
        size_t *t = malloc((n64 ? n64 : 1) * sizeof *t);
        if (!t) {
            free(buf);
            NS_FAIL(NS_ENOMEM, "cannot allocate %llu case indices", (unsigned long long)n64);
        }
        for (uint64_t k = 0; k < n64; k++) t[k] = (size_t)buf[k];
        *todo = t;
        *n = (size_t)n64;
    }
    free(buf);
    return NS_OK;
}

static void sleep_seconds(double s)
{
    struct timespec ts = {(time_t)s, (long)((s - floor(s)) * 1e9)};
    nanosleep(&ts, NULL);
}

/* ---- worker ------------------------------------------------------------------- */

/* Results sent and not yet known to be delivered: their requests and
 * buffers, oldest first. */
typedef struct {
    MPI_Request req[NS_SCHED_SENDS_MAX];
    unsigned char *buf[NS_SCHED_SENDS_MAX];
    size_t n;
} outbox;

/* Forget the sends that have completed (MPI_Test: no wait); with wait, wait
 * for the oldest first. */
static int outbox_reap(outbox *ob, int wait)
{
    int rc = MPI_SUCCESS;
    if (wait && ob->n) {
        rc |= MPI_Wait(&ob->req[0], MPI_STATUS_IGNORE);
    }
    size_t k = 0;
    for (size_t j = 0; j < ob->n; j++) {
        int done = ob->req[j] == MPI_REQUEST_NULL;
        if (!done) rc |= MPI_Test(&ob->req[j], &done, MPI_STATUS_IGNORE);
        if (done) {
            free(ob->buf[j]);
        } else {
            ob->req[k] = ob->req[j];
            ob->buf[k] = ob->buf[j];
            k++;
        }
    }
    ob->n = k;
    return rc;
}

/* A worker's request state: the reply buffer, its receive, and whether a
 * request is outstanding (one at a time). */
typedef struct {
    MPI_Request recv_req;
    uint64_t reply[2];
    int outstanding;
    int rc;
    double case_t0;  /* [s] MPI_Wtime at the start of the current case */
    double ask_at;   /* [s] case time after which the step hook asks for work;
                        < 0: the hook does not ask */
} worker_req;

static void worker_request(worker_req *w)
{
    uint64_t dummy = 0;
    w->rc |= MPI_Send(&dummy, 1, MPI_UINT64_T, 0, TAG_REQUEST, MPI_COMM_WORLD);
    w->rc |= MPI_Irecv(w->reply, 2, MPI_UINT64_T, 0, TAG_WORK, MPI_COMM_WORLD, &w->recv_req);
    w->outstanding = 1;
}

/* The step hook of a worker's last queued case (models/deadline.h): ask
 * for the next chunk once the case has run for its expected time less
 * NS_SCHED_REPLY_SECONDS (late binding: the reply arrives about when the
 * case ends, and no case waits queued on a rank while another is idle). */
static void worker_hook(void *vw)
{
    worker_req *w = vw;
    if (w->outstanding || w->ask_at < 0.0 || ns_sched_stop_requested()) return;
    if (MPI_Wtime() - w->case_t0 >= w->ask_at) worker_request(w);
}

static ns_status run_worker(const ns_sched_job *job)
{
    size_t msg_size = sizeof(result_header) + job->payload_size;
    unsigned char *work = malloc(msg_size);
    outbox ob;
    ob.n = 0;
    worker_req w = {MPI_REQUEST_NULL, {0, 0}, 0, MPI_SUCCESS, 0.0, -1.0};
    size_t cur = 0, have = 0, done_n = 0;
    double done_sum = 0.0; /* [s] this rank's measured case costs */
    double cpu0 = ns_sched_cpu_seconds();
    double waited = 0.0; /* [s] wall time waiting for work replies */
    ns_status st = NS_OK;
    if (!work) {
        ns_sched_abort(1);
        return NS_ENOMEM;
    }

    worker_request(&w);
    for (;;) {
        if (w.rc != MPI_SUCCESS) break;
        if (have == 0) {
            if (!w.outstanding) worker_request(&w); /* the last case ended before its hook asked */
            double w0 = MPI_Wtime();
            w.rc |= MPI_Wait(&w.recv_req, MPI_STATUS_IGNORE);
            waited += MPI_Wtime() - w0;
            w.outstanding = 0;
            if (w.reply[1] == 0 || ns_sched_stop_requested()) break;
            cur = (size_t)w.reply[0];
            have = (size_t)w.reply[1];
        }
        /* Prefetch (see the header): with cases left that take less than
         * NS_SCHED_PREFETCH_SECONDS by this rank's own mean, or at the start
         * of the last one when cases are cheaper than 2 NS_SCHED_REPLY_SECONDS
         * (or not measured yet), ask now; at the start of the last case of
         * costly ones, the step hook asks NS_SCHED_REPLY_SECONDS before its
         * expected end. */
        double mean = done_n ? done_sum / (double)done_n : 0.0;
        double queued = (double)have * mean;
        w.ask_at = -1.0;
        if (!w.outstanding && !ns_sched_stop_requested()) {
            if ((have == 1 && (!done_n || mean < 2.0 * NS_SCHED_REPLY_SECONDS)) ||
                (done_n && have > 1 && queued < NS_SCHED_PREFETCH_SECONDS))
                worker_request(&w);
            else if (have == 1)
                w.ask_at = mean - NS_SCHED_REPLY_SECONDS;
        }
        size_t i = job->todo[cur++];
        have--;
        w.rc |= outbox_reap(&ob, ob.n == NS_SCHED_SENDS_MAX);
        result_header h = {(uint64_t)i, 0.0};
        double t0 = MPI_Wtime();
        w.case_t0 = t0;
        if (w.ask_at >= 0.0) ns_deadline_set_hook(worker_hook, &w, NS_SCHED_HOOK_SECONDS);
        size_t used = job->compute(job->ctx, i, work + sizeof h);
        if (w.ask_at >= 0.0) ns_deadline_set_hook(NULL, NULL, 0.0);
        if (used > job->payload_size) used = job->payload_size;
        h.seconds = MPI_Wtime() - t0;
        done_sum += h.seconds;
        done_n++;
        unsigned char *msg = malloc(sizeof h + used);
        if (!msg) {
            w.rc |= MPI_ERR_NO_MEM;
            break;
        }
        memcpy(msg, &h, sizeof h);
        memcpy(msg + sizeof h, work + sizeof h, used);
        ob.buf[ob.n] = msg;
        w.rc |= MPI_Isend(msg, (int)(sizeof h + used), MPI_BYTE, 0, TAG_RESULT, MPI_COMM_WORLD,
                          &ob.req[ob.n]);
        ob.n++;
        if (ns_sched_stop_requested()) break;
    }
    /* The master answers every request; take the answer before leaving. */
    if (w.outstanding) w.rc |= MPI_Wait(&w.recv_req, MPI_STATUS_IGNORE);
    while (ob.n && w.rc == MPI_SUCCESS) w.rc |= outbox_reap(&ob, 1);
    /* goodbye carries this rank's CPU time and its wait for work */
    double bye[2] = {ns_sched_cpu_seconds() - cpu0, waited};
    w.rc |= MPI_Send(bye, 2, MPI_DOUBLE, 0, TAG_BYE, MPI_COMM_WORLD);
    free(work);
    if (w.rc != MPI_SUCCESS) st = ns_status_set(NS_EMPI, __FILE__, __LINE__, __func__, "MPI communication with rank 0 failed");
    return st;
}

/* ---- master (rank 0) ------------------------------------------------------------ */

/* One result message: being received (req active) or received, waiting for store(). */
typedef struct {
    MPI_Request req;
    unsigned char *buf;
    int count;
} inbox;

typedef struct {
    const ns_sched_job *job;
    ns_sched_stats *stats;
    size_t pos;          /* next unassigned position in todo */
    size_t workers;      /* computing ranks */
    double cost_sum;     /* [s] sum of measured case costs */
    size_t cost_n;
    size_t stored;       /* results handed to store() */
    int stopping;        /* no more work is handed out */
    int left;            /* workers that said goodbye */
    int rc;              /* OR of MPI return codes (MPI_SUCCESS = 0) */
    ns_status fatal;     /* first store() failure */
    /* Results in receipt order: [0, n_ready) received, [n_ready, n_box) in flight. */
    inbox *box;
    size_t n_box, n_ready, cap;
} master;

double ns_sched_cpu_seconds(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0) return 0.0;
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void master_note_cost(master *m, const unsigned char *buf)
{
    result_header h;
    memcpy(&h, buf, sizeof h);
    m->cost_sum += h.seconds;
    m->cost_n++;
}

/* Answer a work request of rank src (never waits: the reply is 16 bytes, eager). */
static void master_answer(master *m, int src)
{
    if (ns_sched_stop_requested()) m->stopping = 1;
    size_t remaining = m->job->n_todo - m->pos;
    double mean = m->cost_n ? m->cost_sum / (double)m->cost_n : 0.0;
    size_t chunk = m->stopping ? 0 : ns_sched_chunk(remaining, m->workers, mean, NS_SCHED_CHUNK_SECONDS);
    uint64_t reply[2] = {(uint64_t)m->pos, (uint64_t)chunk};
    m->pos += chunk;
    m->rc |= MPI_Send(reply, 2, MPI_UINT64_T, src, TAG_WORK, MPI_COMM_WORLD);
}

/* Match a result message and start receiving it (MPI_Imrecv: no wait even
 * when the message is above the eager limit and its sender is computing). */
static void master_take_result(master *m, MPI_Message *msg, MPI_Status *status)
{
    int count = 0;
    m->rc |= MPI_Get_count(status, MPI_BYTE, &count);
    size_t max = sizeof(result_header) + m->job->payload_size;
    if (m->n_box == m->cap) {
        size_t cap = m->cap ? 2 * m->cap : 16;
        inbox *b = realloc(m->box, cap * sizeof *b);
        if (!b) {
            m->rc |= MPI_ERR_NO_MEM;
            return;
        }
        m->box = b;
        m->cap = cap;
    }
    inbox *in = &m->box[m->n_box];
    in->buf = count >= (int)sizeof(result_header) && (size_t)count <= max ? malloc((size_t)count) : NULL;
    if (!in->buf) {
        m->rc |= MPI_ERR_COUNT;
        return;
    }
    in->count = count;
    m->rc |= MPI_Imrecv(in->buf, count, MPI_BYTE, msg, &in->req);
    m->n_box++;
    if (m->stats) {
        m->stats->messages++;
        m->stats->message_bytes += (double)count;
        if ((size_t)count > m->stats->message_max) m->stats->message_max = (size_t)count;
    }
}

/* Everything the master does without store(): answer requests, match and
 * complete result messages, note goodbyes. Never waits; safe to call while
 * rank 0 is in the middle of its own case (the step hook). Returns the
 * number of messages handled. */
static size_t master_poll(master *m)
{
    size_t handled = 0;
    for (;;) {
        int flag = 0;
        MPI_Message msg;
        MPI_Status status;
        m->rc |= MPI_Improbe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &msg, &status);
        if (!flag || m->rc != MPI_SUCCESS) break;
        handled++;
        uint64_t dummy = 0;
        if (status.MPI_TAG == TAG_RESULT) {
            master_take_result(m, &msg, &status);
            continue;
        }
        if (status.MPI_TAG == TAG_REQUEST) {
            m->rc |= MPI_Mrecv(&dummy, 1, MPI_UINT64_T, &msg, MPI_STATUS_IGNORE);
            master_answer(m, status.MPI_SOURCE);
        } else if (status.MPI_TAG == TAG_BYE) {
            double bye[2] = {0.0, 0.0};
            m->rc |= MPI_Mrecv(bye, 2, MPI_DOUBLE, &msg, MPI_STATUS_IGNORE);
            if (m->stats && bye[0] > m->stats->worker_cpu_max) m->stats->worker_cpu_max = bye[0];
            if (m->stats && bye[1] > m->stats->worker_wait_max) m->stats->worker_wait_max = bye[1];
            m->left++;
            /* A worker leaves before the work is handed out only when it was
             * stopped (a signal to that rank alone): the whole run stops too,
             * resumable, rather than rank 0 finishing the sweep by itself. */
            if (m->pos < m->job->n_todo) m->stopping = 1;
        } else {
            m->rc |= MPI_Mrecv(&dummy, 1, MPI_UINT64_T, &msg, MPI_STATUS_IGNORE);
            m->rc |= MPI_ERR_TAG;
        }
    }
    /* Complete the receives in flight, keeping receipt order. */
    while (m->n_ready < m->n_box && m->rc == MPI_SUCCESS) {
        int done = 0;
        m->rc |= MPI_Test(&m->box[m->n_ready].req, &done, MPI_STATUS_IGNORE);
        if (!done) break;
        master_note_cost(m, m->box[m->n_ready].buf);
        m->n_ready++;
        handled++;
    }
    return handled;
}

static void master_store(master *m, size_t i, const void *payload, double seconds)
{
    m->stored++;
    if (m->fatal != NS_OK) return; /* drain only */
    ns_status st = m->job->store(m->job->ctx, i, payload, seconds);
    if (st != NS_OK) {
        m->fatal = st;
        m->stopping = 1;
    }
}

/* store() every received result, in receipt order. */
static void master_drain(master *m)
{
    size_t n = m->n_ready;
    for (size_t k = 0; k < n; k++) {
        result_header h;
        memcpy(&h, m->box[k].buf, sizeof h);
        master_store(m, (size_t)h.case_index, m->box[k].buf + sizeof h, h.seconds);
        free(m->box[k].buf);
    }
    memmove(m->box, m->box + n, (m->n_box - n) * sizeof *m->box);
    m->n_box -= n;
    m->n_ready = 0;
    if (n && m->job->idle) m->job->idle(m->job->ctx);
}

/* The step hook of rank 0's own cases (models/deadline.h): serve, measure. */
static void master_hook(void *vm)
{
    master *m = vm;
    double c0 = m->stats ? ns_sched_cpu_seconds() : 0.0;
    size_t handled = master_poll(m);
    if (m->stats) {
        m->stats->hook_calls++;
        if (handled) m->stats->master_cpu += ns_sched_cpu_seconds() - c0;
    }
}

static ns_status run_master(const ns_sched_job *job, int size)
{
    master m;
    memset(&m, 0, sizeof m);
    m.job = job;
    m.stats = job->stats;
    m.workers = ns_sched_computing_ranks(size);
    m.fatal = NS_OK;
    ns_sched_stats *sx = job->stats;
    if (sx) memset(sx, 0, sizeof *sx);
    double wall0 = MPI_Wtime(), cpu0 = ns_sched_cpu_seconds();
    int self = size <= NS_SCHED_SELF_MAX_RANKS, active = size - 1;
    double idle0 = -1.0; /* [s] when rank 0 first had nothing of its own to compute */
    void *own = malloc(job->payload_size ? job->payload_size : 1);
    if (!own) {
        ns_sched_abort(1);
        return NS_ENOMEM;
    }
    for (;;) {
        double c0 = sx ? ns_sched_cpu_seconds() : 0.0;
        size_t handled = master_poll(&m);
        if (m.n_ready) {
            handled++;
            master_drain(&m);
        }
        if (sx && handled) sx->master_cpu += ns_sched_cpu_seconds() - c0;
        active = size - 1 - m.left;
        if (m.rc != MPI_SUCCESS) break;
        if (ns_sched_stop_requested()) m.stopping = 1;
        int own_work = self && !m.stopping && m.pos < job->n_todo;
        if (!own_work && active == 0 && m.n_box == 0) {
            if (sx && idle0 >= 0.0) sx->idle_wall = MPI_Wtime() - idle0;
            break;
        }
        if (own_work) {
            size_t i = job->todo[m.pos++];
            double t0 = MPI_Wtime(), c1 = sx ? ns_sched_cpu_seconds() : 0.0;
            double hook0 = sx ? sx->master_cpu : 0.0;
            if (size > 1) ns_deadline_set_hook(master_hook, &m, NS_SCHED_HOOK_SECONDS);
            job->compute(job->ctx, i, own);
            ns_deadline_set_hook(NULL, NULL, 0.0);
            double sec = MPI_Wtime() - t0, c2 = sx ? ns_sched_cpu_seconds() : 0.0;
            m.cost_sum += sec;
            m.cost_n++;
            master_store(&m, i, own, sec);
            if (job->idle) job->idle(job->ctx);
            if (sx) {
                sx->own_cases++;
                sx->own_cpu += (c2 - c1) - (sx->master_cpu - hook0); /* the hook's share is master work */
                sx->master_cpu += ns_sched_cpu_seconds() - c2;
            }
        } else {
            if (idle0 < 0.0) idle0 = MPI_Wtime();
            if (!handled) {
                if (job->idle) job->idle(job->ctx);
                sleep_seconds(NS_SCHED_POLL_SECONDS);
            }
        }
    }
    /* Only after an MPI failure can receives still be in flight: their
     * buffers are left to the process's end (MPI may still write into them). */
    for (size_t k = 0; k < m.n_ready; k++) free(m.box[k].buf);
    if (m.n_box == m.n_ready) free(m.box);
    free(own);
    if (sx) {
        sx->stored = m.stored;
        sx->wall = MPI_Wtime() - wall0;
        sx->rank0_cpu = ns_sched_cpu_seconds() - cpu0;
    }
    if (m.rc != MPI_SUCCESS)
        return ns_status_set(NS_EMPI, __FILE__, __LINE__, __func__,
                             "MPI communication failed on rank 0 (error code %d)", m.rc);
    if (m.fatal != NS_OK) return m.fatal;
    if (m.stored < job->n_todo) return NS_EINTR; /* stopped before every case came back */
    return NS_OK;
}

ns_status ns_sched_run(const ns_sched_job *job)
{
    int rank = 0, size = 1;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    ns_status st = rank == 0 ? run_master(job, size) : run_worker(job);
    /* Everyone learns rank 0's verdict (a worker-side MPI failure is kept). */
    int code = (int)st;
    if (MPI_Bcast(&code, 1, MPI_INT, 0, MPI_COMM_WORLD) != MPI_SUCCESS) return NS_EMPI;
    if (rank != 0 && st != NS_OK) return st;
    return (ns_status)code;
}
