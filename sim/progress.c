/* Progress report (see progress.h). */
#include "progress.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct ns_progress {
    FILE *out;
    int tty, quiet;
    size_t total, ok0, failed0, ok, failed;
    double t_start, t_last;
    size_t printed;   /* done count of the last log line; SIZE_MAX before the first */
};

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void format_duration(char *buf, size_t cap, double s)
{
    if (!(s >= 0.0) || s > 1e9) snprintf(buf, cap, "?");
    else if (s < 120.0) snprintf(buf, cap, "%.0f s", s);
    else if (s < 7200.0) snprintf(buf, cap, "%.1f min", s / 60.0);
    else snprintf(buf, cap, "%.1f h", s / 3600.0);
}

void ns_progress_format(char *buf, size_t cap, size_t total, size_t ok, size_t failed,
                        double rate, int bar_width)
{
    size_t done = ok + failed, left = total > done ? total - done : 0;
    char eta[32], bar[128];
    bar[0] = '\0';
    if (bar_width > 0) {
        size_t w = (size_t)bar_width < sizeof bar - 4 ? (size_t)bar_width : sizeof bar - 4;
        size_t fill = total ? (done * w) / total : w;
        bar[0] = '[';
        for (size_t k = 0; k < w; k++) bar[1 + k] = k < fill ? '#' : '.';
        bar[1 + w] = ']';
        bar[2 + w] = ' ';
        bar[3 + w] = '\0';
    }
    if (rate > 0.0) format_duration(eta, sizeof eta, (double)left / rate);
    else snprintf(eta, sizeof eta, "?");
    if (rate > 0.0)
        snprintf(buf, cap, "%s%zu/%zu cases (%zu ok, %zu failed), %zu left, %.3g cases/s, ETA %s",
                 bar, done, total, ok, failed, left, rate, eta);
    else
        snprintf(buf, cap, "%s%zu/%zu cases (%zu ok, %zu failed), %zu left, ETA %s", bar, done,
                 total, ok, failed, left, eta);
}

ns_progress *ns_progress_create(FILE *stream, size_t total, size_t ok0, size_t failed0, int quiet)
{
    ns_progress *p = calloc(1, sizeof *p);
    if (!p) return NULL;
    p->out = stream;
    p->tty = isatty(fileno(stream));
    p->quiet = quiet;
    p->total = total;
    p->ok0 = p->ok = ok0;
    p->failed0 = p->failed = failed0;
    p->t_start = now_seconds();
    p->t_last = -1e30;
    p->printed = SIZE_MAX;
    return p;
}

static void print_line(ns_progress *p, int final)
{
    char line[512];
    double el = now_seconds() - p->t_start;
    size_t session = (p->ok + p->failed) - (p->ok0 + p->failed0);
    double rate = el > 0.0 && session > 0 ? (double)session / el : 0.0;
    ns_progress_format(line, sizeof line, p->total, p->ok, p->failed, rate, p->tty ? 30 : 0);
    if (p->tty) {
        fprintf(p->out, "\r%s\033[K%s", line, final ? "\n" : "");
    } else {
        /* A log line is printed once per state: not again when nothing changed. */
        size_t done = p->ok + p->failed;
        if (done == p->printed) return;
        p->printed = done;
        char utc[32] = "";
        time_t now = time(NULL);
        struct tm tmv;
        if (gmtime_r(&now, &tmv)) strftime(utc, sizeof utc, "%Y-%m-%dT%H:%M:%SZ", &tmv);
        fprintf(p->out, "needlesim: %s %s\n", utc, line);
    }
    fflush(p->out);
}

void ns_progress_update(ns_progress *p, size_t ok, size_t failed)
{
    if (!p) return;
    p->ok = ok;
    p->failed = failed;
    if (p->quiet) return;
    double t = now_seconds();
    if (t - p->t_last < (p->tty ? NS_PROGRESS_TTY_SECONDS : NS_PROGRESS_LOG_SECONDS)) return;
    p->t_last = t;
    print_line(p, 0);
}

void ns_progress_destroy(ns_progress **pp)
{
    if (!pp || !*pp) return;
    ns_progress *p = *pp;
    if (!p->quiet) print_line(p, 1);
    free(p);
    *pp = NULL;
}
