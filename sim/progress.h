/* Progress report of a sweep on rank 0 (stderr).
 *
 * Shows cases ok, failed, remaining, the rate of this session [cases/s] and
 * the ETA = remaining / rate. When stderr is a terminal a one-line bar is
 * redrawn (at most NS_PROGRESS_TTY_SECONDS apart); otherwise (batch logs) a
 * plain line is printed every NS_PROGRESS_LOG_SECONDS, starting with the UTC
 * time (ISO 8601) and only when the count changed since the last line, so a
 * batch log has each state once, in order. Counts include the
 * cases already in the file when a run is resumed, so they stay right across
 * interruptions; the rate only counts cases computed in this session. */
#ifndef NS_PROGRESS_H
#define NS_PROGRESS_H

#include <stddef.h>
#include <stdio.h>

#define NS_PROGRESS_TTY_SECONDS 0.2 /* [s] redraw interval of the terminal bar */
#define NS_PROGRESS_LOG_SECONDS 5.0 /* [s] interval of plain log lines */

typedef struct ns_progress ns_progress;

/* total: cases in the sweep; ok0/failed0: already finished before this
 * session; quiet: print nothing. stream: usually stderr. NULL on ENOMEM
 * (progress is then silently off: every function is NULL-safe). */
ns_progress *ns_progress_create(FILE *stream, size_t total, size_t ok0, size_t failed0, int quiet);

/* New totals (ok, failed over the whole sweep); prints if it is time. */
void ns_progress_update(ns_progress *p, size_t ok, size_t failed);

/* Print the final state (if not quiet) and free. NULL-safe. */
void ns_progress_destroy(ns_progress **p);

/* Format one status line into buf (pure; exposed for tests):
 * "[####....] 40/100 cases (38 ok, 2 failed), 60 left, 3.1 cases/s, ETA 19 s".
 * bar_width 0 omits the bar. rate [cases/s], <= 0 if unknown. */
void ns_progress_format(char *buf, size_t cap, size_t total, size_t ok, size_t failed,
                        double rate, int bar_width);

#endif
