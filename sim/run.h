/* `needlesim run`: expand the config into cases, compute them over MPI ranks,
 * write one HDF5 file (schema needlesim-1). */
#ifndef NS_RUN_H
#define NS_RUN_H

#include <stddef.h>

typedef struct {
    const char *config_path;  /* INI file */
    const char *output_path;  /* -o; NULL: [run] output, else outputs/<run.name>.h5 */
    const char *const *sets;  /* --set section.key=value overrides */
    size_t n_sets;
    int resume;               /* --resume: continue an interrupted file */
    int retry_failed;         /* --retry-failed: with resume, rerun failed cases too */
    int overwrite;            /* --overwrite: replace a finished OUT (and an unused OUT.partial) */
    int quiet;                /* --quiet: no progress output */
    const char *cases;        /* --cases START:STOP or K/N; NULL: all (sim/cli.h) */
} ns_run_options;

/* Run a sweep. Initialises and finalises MPI itself (only `run` needs it).
 * Returns the process exit code: 0 every case ok, 3 complete with failed
 * cases, 4 stopped by a signal (resumable), 1 I/O or runtime failure, 2 bad
 * input (nothing written, no file touched). */
int ns_run(const ns_run_options *opt, int *argc, char ***argv);

#endif
