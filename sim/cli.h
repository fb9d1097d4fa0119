/* Command line of needlesim (the stable interface, see `needlesim --help`):
 *   needlesim run CONFIG [-o OUT.h5] [--set section.key=value ...] [--resume]
 *                        [--retry-failed] [--overwrite] [--cases START:STOP|K/N] [--quiet]
 *   needlesim merge OUT.h5 SLICE.h5 ... [--overwrite]
 *   needlesim check CONFIG [--set ...]
 *   needlesim presets [skin|needle|drug]
 *   needlesim keys [--markdown]
 *   needlesim --help | --version
 * Exit codes: 0 ok, 1 I/O or runtime failure, 2 bad input (config or command
 * line), 3 run complete but some cases failed, 4 run stopped, resumable.
 */
#ifndef NS_CLI_H
#define NS_CLI_H

#include <stddef.h>
#include <stdio.h>

#include "../models/status.h"

typedef enum {
    NS_CMD_NONE = 0,
    NS_CMD_RUN,
    NS_CMD_CHECK,
    NS_CMD_PRESETS,
    NS_CMD_KEYS,
    NS_CMD_MERGE,
    NS_CMD_HELP,
    NS_CMD_VERSION
} ns_cli_command;

typedef struct {
    ns_cli_command cmd;
    const char *config;       /* run, check */
    const char *output;       /* -o, run only */
    const char **sets;        /* --set values (borrowed from argv), heap array */
    size_t n_sets;
    int resume, retry_failed, overwrite, quiet; /* run */
    const char *merge_out;    /* merge: OUT; the slices are sets[0..n_sets) */
    const char *cases;        /* run --cases START:STOP or K/N (resolved by ns_cli_case_range) */
    int markdown;             /* keys */
    const char *presets_kind; /* presets: NULL (all), "skin", "needle", "drug" */
    ns_cli_command help_for;  /* NS_CMD_HELP: the command asked about (`run --help`), or NONE */
} ns_cli;

/* Parse argv (argv[0] is the program). NS_EINVAL with the message in
 * ns_status_message() on a usage error. Free with ns_cli_clear. */
ns_status ns_cli_parse(int argc, char *const *argv, ns_cli *out);
void ns_cli_clear(ns_cli *cli);

/* Resolve --cases for n cases: "START:STOP" (0-based, STOP excluded; "START:"
 * to the end) or "K/N" (slice K of N equal slices, 0 <= K < N: cases
 * floor(K n / N) to floor((K + 1) n / N), so N array tasks cover the sweep
 * exactly once). NULL text: all cases. exceptions: NS_EINVAL (message names
 * --cases, the text and the allowed range). */
ns_status ns_cli_case_range(const char *text, size_t n, size_t *lo, size_t *hi);

/* Usage text: of every command (cmd NS_CMD_NONE) or of one (`needlesim run --help`). */
void ns_cli_usage(FILE *f);
void ns_cli_usage_command(ns_cli_command cmd, FILE *f);

/* `check`: load the config and print the case count, sweep mode and axes.
 * Returns the exit code (0, or 2 with the error printed to err). */
int ns_cli_check(const ns_cli *cli, FILE *out, FILE *err);

/* `presets`: list presets with values and sources. Returns the exit code. */
int ns_cli_presets(const char *kind, FILE *out, FILE *err);

/* `keys`: the config reference (plain text or a Markdown table). Returns 0. */
int ns_cli_keys(int markdown, FILE *out);

#endif
