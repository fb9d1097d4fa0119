/* Command-line parsing (sim/cli.c, ns_cli_parse): each command takes its own
 * options only, `help CMD` and `CMD --help` ask for the same text, merge
 * takes OUT and its slices, the rules between options hold, and every usage
 * error names what was wrong. */
#pragma GCC diagnostic ignored "-Wconversion" /* Criterion assertion macros */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <string.h>

#include "../../sim/cli.h"

/* argv of `needlesim` followed by the arguments of args, separated by '|'
 * (an argument may hold spaces). ns_cli borrows from argv: one buffer per
 * parsed command line, kept for the test. */
typedef struct {
    char text[512];
    char *argv[32];
    int argc;
} cmdline;

static void split(cmdline *l, const char *args)
{
    snprintf(l->text, sizeof l->text, "needlesim%s%s", args[0] ? "|" : "", args);
    l->argc = 0;
    for (char *t = strtok(l->text, "|"); t && l->argc < 32; t = strtok(NULL, "|")) l->argv[l->argc++] = t;
}

/* Parse args expecting NS_OK. */
static ns_cli parse_ok(cmdline *l, const char *args)
{
    split(l, args);
    ns_cli c;
    cr_assert(eq(int, ns_cli_parse(l->argc, l->argv, &c), NS_OK), "%s: %s", args, ns_status_message());
    return c;
}

/* Parse args expecting NS_EINVAL with `want` in the message. */
static void parse_bad(const char *args, const char *want)
{
    cmdline l;
    split(&l, args);
    ns_cli c;
    cr_assert(eq(int, ns_cli_parse(l.argc, l.argv, &c), NS_EINVAL), "%s accepted", args);
    const char *msg = ns_status_message();
    cr_assert(strstr(msg, want) != NULL, "%s: '%s' lacks '%s'", args, msg, want);
    ns_cli_clear(&c);
}

Test(cli, run_takes_its_options)
{
    cmdline l;
    ns_cli c = parse_ok(&l, "run|a.ini|-o|x.h5|--set|needle.length=600 um|--set=array.count=7|"
                            "--cases=3/8|--resume|--retry-failed|--quiet");
    cr_assert(eq(int, c.cmd, NS_CMD_RUN));
    cr_assert(strcmp(c.config, "a.ini") == 0 && strcmp(c.output, "x.h5") == 0);
    cr_assert(eq(sz, c.n_sets, 2));
    cr_assert(strcmp(c.sets[0], "needle.length=600 um") == 0 && strcmp(c.sets[1], "array.count=7") == 0);
    cr_assert(strcmp(c.cases, "3/8") == 0);
    cr_assert(c.resume == 1 && c.retry_failed == 1 && c.quiet == 1 && c.overwrite == 0);
    ns_cli_clear(&c);
}

Test(cli, help_for_a_command_either_way)
{
    cmdline la, lb, lh;
    ns_cli ca = parse_ok(&la, "help|merge"), cb = parse_ok(&lb, "merge|--help"), ch = parse_ok(&lh, "-h");
    cr_assert(ca.cmd == NS_CMD_HELP && cb.cmd == NS_CMD_HELP && ch.cmd == NS_CMD_HELP);
    cr_assert(ca.help_for == NS_CMD_MERGE && cb.help_for == NS_CMD_MERGE);
    cr_assert(eq(int, ch.help_for, NS_CMD_NONE));
    ns_cli_clear(&ca);
    ns_cli_clear(&cb);
    ns_cli_clear(&ch);
}

Test(cli, merge_out_and_slices)
{
    cmdline l;
    ns_cli c = parse_ok(&l, "merge|out.h5|s0.h5|--overwrite|s1.h5");
    cr_assert(c.cmd == NS_CMD_MERGE && c.overwrite == 1);
    cr_assert(strcmp(c.merge_out, "out.h5") == 0);
    cr_assert(eq(sz, c.n_sets, 2));
    cr_assert(strcmp(c.sets[0], "s0.h5") == 0 && strcmp(c.sets[1], "s1.h5") == 0);
    ns_cli_clear(&c);
}

Test(cli, usage_errors_name_the_argument)
{
    parse_bad("", "no command given (expected run, check, merge, presets, keys, --help or --version)");
    parse_bad("rnu", "unknown command 'rnu' (expected run, check, merge");
    parse_bad("check|a.ini|-o|x.h5", "unknown option '-o' for 'check'");
    parse_bad("run|--quiet", "'run' needs a CONFIG file");
    parse_bad("check|a.ini|--set", "--set needs section.key=value");
    parse_bad("run|a.ini|--output=", "--output= needs a file name");
    parse_bad("run|a.ini|--cases", "--cases needs START:STOP or K/N");
    parse_bad("run|a.ini|--retry-failed", "--retry-failed needs --resume");
    parse_bad("run|a.ini|--resume|--overwrite", "exclude each other");
    parse_bad("merge|out.h5", "at least one slice");
    parse_bad("presets|hair", "unknown preset kind 'hair'");
    parse_bad("keys|more", "unexpected argument 'more' for 'keys'");
}
