/* needlesim: command line -> config -> run -> exit code (the only exit point).
 * Exit codes: 0 ok, 1 I/O or runtime failure, 2 bad input (config or command
 * line), 3 run complete with failed cases, 4 run stopped by a signal and
 * resumable (sim/run.h). */
#include <stdio.h>
#include <stdlib.h>

#include <gsl/gsl_errno.h>

#include "cli.h"
#include "merge.h"
#include "run.h"

int main(int argc, char **argv)
{
    /* GSL aborts on errors by default; every GSL return value is checked. */
    gsl_set_error_handler_off();
    ns_cli cli;
    if (ns_cli_parse(argc, argv, &cli) != NS_OK) {
        fprintf(stderr, "needlesim: error: %s\n(see needlesim --help)\n", ns_status_message());
        ns_cli_clear(&cli);
        return 2;
    }
    int rc = 0;
    switch (cli.cmd) {
    case NS_CMD_HELP:
        ns_cli_usage_command(cli.help_for, stdout);
        break;
    case NS_CMD_VERSION:
        printf("needlesim %s (commit %s)\n", NS_VERSION, NS_GIT_COMMIT);
        break;
    case NS_CMD_CHECK:
        rc = ns_cli_check(&cli, stdout, stderr);
        break;
    case NS_CMD_PRESETS:
        rc = ns_cli_presets(cli.presets_kind, stdout, stderr);
        break;
    case NS_CMD_KEYS:
        rc = ns_cli_keys(cli.markdown, stdout);
        break;
    case NS_CMD_RUN: {
        ns_run_options opt = {.config_path = cli.config,
                              .output_path = cli.output,
                              .sets = cli.sets,
                              .n_sets = cli.n_sets,
                              .resume = cli.resume,
                              .retry_failed = cli.retry_failed,
                              .overwrite = cli.overwrite,
                              .cases = cli.cases,
                              .quiet = cli.quiet};
        rc = ns_run(&opt, &argc, &argv);
        break;
    }
    case NS_CMD_MERGE:
        rc = ns_merge(cli.merge_out, cli.sets, cli.n_sets, cli.overwrite, cli.quiet);
        break;
    case NS_CMD_NONE:
        ns_cli_usage(stderr);
        rc = 2;
        break;
    }
    ns_cli_clear(&cli);
    return rc;
}
