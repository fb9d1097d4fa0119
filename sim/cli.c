/* Command-line parsing and the check / presets / keys commands (see cli.h). */
#include "cli.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../models/defaults.h"
#include "../models/drug.h"
#include "../models/needle.h"
#include "../models/procedure.h"
#include "../models/skin.h"
#include "config.h"
#include "keys.h"

void ns_cli_usage(FILE *f)
{
    fprintf(f,
            "usage:\n"
            "  needlesim run CONFIG [-o OUT.h5] [--set section.key=value ...] [--resume]\n"
            "                       [--retry-failed] [--overwrite] [--cases START:STOP|K/N]\n"
            "                       [--quiet]\n"
            "  needlesim check CONFIG [--set section.key=value ...]\n"
            "  needlesim merge OUT.h5 SLICE.h5 ... [--overwrite]\n"
            "  needlesim presets [skin|needle|drug|procedure]\n"
            "  needlesim keys [--markdown]\n"
            "  needlesim --help | --version\n"
            "\n"
            "  run      simulate every case of CONFIG (use mpirun -n N for N ranks) into one\n"
            "           HDF5 file (default: [run] output, else outputs/<run.name>.h5)\n"
            "  check    validate CONFIG; print the number of cases and the sweep axes\n"
            "  merge    combine the files of `run --cases` slices into one file\n"
            "  presets  list built-in skin, needle, drug and device presets with sources\n"
            "  keys     list every config key with unit, default, range and description\n"
            "\n"
            "  -o, --output FILE   output file of `run`\n"
            "  --set KEY=VALUE     override a config key, e.g. --set needle.length=600um\n"
            "  --resume            continue an interrupted output file\n"
            "  --retry-failed      with --resume, run failed cases again\n"
            "  --overwrite         replace an existing output file\n"
            "  --cases START:STOP  compute only these cases (or K/N: slice K of N) into OUT;\n"
            "                      combine slices with `needlesim merge`\n"
            "  --quiet             no progress output\n"
            "  --markdown          `keys` as a Markdown table\n"
            "\n"
            "exit codes: 0 ok; 1 I/O or runtime failure; 2 bad input (config or command\n"
            "line); 3 run complete, some cases failed; 4 run stopped, continue with --resume\n");
}

void ns_cli_usage_command(ns_cli_command cmd, FILE *f)
{
    switch (cmd) {
    case NS_CMD_RUN:
        fprintf(f, "usage: needlesim run CONFIG [-o OUT.h5] [--set section.key=value ...]\n"
                   "                     [--resume [--retry-failed] | --overwrite] [--quiet]\n"
                   "\n"
                   "Simulate every case of CONFIG into one HDF5 file (schema needlesim-1).\n"
                   "Start with mpirun -n N (or srun) for N ranks: results do not depend on N.\n"
                   "The file is written as OUT.partial and renamed to OUT when every case is done.\n"
                   "\n"
                   "  -o, --output FILE   output file (default: run.output, whose default is\n"
                   "                      outputs/<run.name>.h5; ./outputs is created if missing)\n"
                   "  --set KEY=VALUE     override a config key (not a swept one)\n"
                   "  --resume            continue OUT.partial (or a finished OUT with work left)\n"
                   "  --retry-failed      with --resume, compute failed cases again\n"
                   "  --overwrite         replace an existing OUT (and an unused OUT.partial)\n"
                   "  --cases START:STOP  compute only cases START..STOP-1 (or K/N: slice K of N\n"
                   "                      equal slices, for job arrays); the other cases stay\n"
                   "                      pending in OUT; `needlesim merge` combines the slices\n"
                   "  --quiet             no progress output\n"
                   "\n"
                   "exit codes: 0 every case ok; 3 complete, some cases failed; 4 stopped by a\n"
                   "signal, continue with --resume; 1 I/O or runtime failure; 2 bad input\n"
                   "(nothing written)\n");
        break;
    case NS_CMD_CHECK:
        fprintf(f, "usage: needlesim check CONFIG [--set section.key=value ...]\n"
                   "\n"
                   "Validate CONFIG as `run` would (every case) and print the number of cases,\n"
                   "the sweep mode and the axes. Nothing is written.\n"
                   "\n"
                   "exit codes: 0 valid; 2 invalid (the message gives file:line, key, value and\n"
                   "the allowed range)\n");
        break;
    case NS_CMD_PRESETS:
        fprintf(f, "usage: needlesim presets [skin|needle|drug|procedure]\n"
                   "\n"
                   "List the built-in presets with their values and sources.\n"
                   "\n"
                   "exit codes: 0 ok; 2 unknown kind\n");
        break;
    case NS_CMD_MERGE:
        fprintf(f, "usage: needlesim merge OUT.h5 SLICE.h5 ... [--overwrite] [--quiet]\n"
                   "\n"
                   "Combine the files of `run --cases` slices of one config into OUT, equal to\n"
                   "a single run: every case is taken from the first slice that computed it\n"
                   "(status ok or failed). The slices must come from the same config and --set\n"
                   "options (config_hash) and together cover every case; nothing is written\n"
                   "otherwise. OUT is written as a temporary file and renamed; an existing OUT\n"
                   "is replaced only with --overwrite.\n"
                   "\n"
                   "exit codes: 0 every case ok; 3 some cases failed; 1 I/O failure; 2 bad\n"
                   "input (missing cases, other configs, unreadable slices, OUT exists)\n");
        break;
    case NS_CMD_KEYS:
        fprintf(f, "usage: needlesim keys [--markdown]\n"
                   "\n"
                   "List every config key with its unit, default, allowed range and meaning\n"
                   "(--markdown: as the table in README.md).\n"
                   "\n"
                   "exit codes: 0 ok; 2 bad option\n");
        break;
    default:
        ns_cli_usage(f);
        break;
    }
}

void ns_cli_clear(ns_cli *cli)
{
    free(cli->sets);
    memset(cli, 0, sizeof *cli);
}

/* Value of an option "--opt VALUE" or "--opt=VALUE"; advances *i. */
static const char *opt_value(int argc, char *const *argv, int *i, const char *name)
{
    const char *a = argv[*i];
    size_t ln = strlen(name);
    if (strncmp(a, name, ln) == 0 && a[ln] == '=') return a + ln + 1;
    if (*i + 1 >= argc) return NULL;
    return argv[++*i];
}

static int opt_is(const char *a, const char *name)
{
    size_t ln = strlen(name);
    return strncmp(a, name, ln) == 0 && (a[ln] == '\0' || a[ln] == '=');
}

/* The commands that take arguments, by name: one list for parsing, for
 * `needlesim help CMD` and for the error that lists them. */
static const struct {
    const char *name;
    ns_cli_command cmd;
} cli_commands[] = {{"run", NS_CMD_RUN},         {"check", NS_CMD_CHECK}, {"merge", NS_CMD_MERGE},
                    {"presets", NS_CMD_PRESETS}, {"keys", NS_CMD_KEYS}};
#define NS_CLI_N_COMMANDS (sizeof cli_commands / sizeof cli_commands[0])

static ns_cli_command command_named(const char *name)
{
    for (size_t k = 0; k < NS_CLI_N_COMMANDS; k++)
        if (!strcmp(name, cli_commands[k].name)) return cli_commands[k].cmd;
    return NS_CMD_NONE;
}

/* "expected run, check, merge, presets, keys, --help or --version" into buf. */
static const char *expected_commands(char *buf, size_t n)
{
    size_t len = (size_t)snprintf(buf, n, "expected");
    for (size_t k = 0; k < NS_CLI_N_COMMANDS && len < n; k++)
        len += (size_t)snprintf(buf + len, n - len, " %s,", cli_commands[k].name);
    if (len < n) snprintf(buf + len, n - len, " --help or --version");
    return buf;
}

static int is_help(const char *a) { return !strcmp(a, "--help") || !strcmp(a, "-h"); }

/* One argument argv[*i] of out->cmd (an option's value may advance *i). */
static ns_status parse_argument(int argc, char *const *argv, int *i, ns_cli *out)
{
    const char *a = argv[*i], *cmd = argv[1];
    int is_run = out->cmd == NS_CMD_RUN, takes_config = is_run || out->cmd == NS_CMD_CHECK;
    int is_merge = out->cmd == NS_CMD_MERGE;
    if (takes_config && opt_is(a, "--set")) {
        const char *v = opt_value(argc, argv, i, "--set");
        if (!v) return ns_status_set_plain(NS_EINVAL, "--set needs section.key=value");
        out->sets[out->n_sets++] = v;
    } else if (is_run && (!strcmp(a, "-o") || opt_is(a, "--output"))) {
        const char *v = opt_value(argc, argv, i, a[1] == 'o' ? "-o" : "--output");
        if (!v || !v[0]) return ns_status_set_plain(NS_EINVAL, "%s needs a file name", a);
        out->output = v;
    } else if (is_run && !strcmp(a, "--resume")) {
        out->resume = 1;
    } else if (is_run && !strcmp(a, "--retry-failed")) {
        out->retry_failed = 1;
    } else if ((is_run || is_merge) && !strcmp(a, "--overwrite")) {
        out->overwrite = 1;
    } else if (is_run && opt_is(a, "--cases")) {
        const char *v = opt_value(argc, argv, i, "--cases");
        if (!v || !v[0]) return ns_status_set_plain(NS_EINVAL, "--cases needs START:STOP or K/N");
        out->cases = v;
    } else if ((is_run || is_merge) && !strcmp(a, "--quiet")) {
        out->quiet = 1;
    } else if (is_merge && a[0] != '-') {
        if (!out->merge_out)
            out->merge_out = a;
        else
            out->sets[out->n_sets++] = a;
    } else if (out->cmd == NS_CMD_KEYS && !strcmp(a, "--markdown")) {
        out->markdown = 1;
    } else if (a[0] == '-' && a[1] != '\0') {
        return ns_status_set_plain(NS_EINVAL, "unknown option '%s' for '%s'", a, cmd);
    } else if (takes_config && !out->config) {
        out->config = a;
    } else if (out->cmd == NS_CMD_PRESETS && !out->presets_kind) {
        if (strcmp(a, "skin") && strcmp(a, "needle") && strcmp(a, "drug") &&
            strcmp(a, "procedure"))
            return ns_status_set_plain(NS_EINVAL,
                                       "unknown preset kind '%s' (expected skin, needle, drug or "
                                       "procedure)",
                                       a);
        out->presets_kind = a;
    } else {
        return ns_status_set_plain(NS_EINVAL, "unexpected argument '%s' for '%s'", a, cmd);
    }
    return NS_OK;
}

/* The rules between arguments, once all are read. */
static ns_status parse_finish(const ns_cli *out, const char *cmd)
{
    if ((out->cmd == NS_CMD_RUN || out->cmd == NS_CMD_CHECK) && !out->config)
        return ns_status_set_plain(NS_EINVAL, "'%s' needs a CONFIG file", cmd);
    if (out->cmd == NS_CMD_MERGE && out->n_sets == 0)
        return ns_status_set_plain(NS_EINVAL, "merge needs OUT.h5 and at least one slice file");
    if (out->retry_failed && !out->resume)
        return ns_status_set_plain(NS_EINVAL, "--retry-failed needs --resume");
    if (out->overwrite && out->resume)
        return ns_status_set_plain(NS_EINVAL,
                                   "--overwrite and --resume exclude each other (start again, "
                                   "or continue)");
    return NS_OK;
}

ns_status ns_cli_parse(int argc, char *const *argv, ns_cli *out)
{
    char expected[128];
    memset(out, 0, sizeof *out);
    if (argc < 2)
        return ns_status_set_plain(NS_EINVAL, "no command given (%s)",
                                   expected_commands(expected, sizeof expected));
    const char *cmd = argv[1];
    if (is_help(cmd) || !strcmp(cmd, "help")) {
        /* `needlesim help run` = `needlesim run --help` */
        out->cmd = NS_CMD_HELP;
        out->help_for = command_named(argc > 2 ? argv[2] : "");
        return NS_OK;
    }
    if (!strcmp(cmd, "--version") || !strcmp(cmd, "-V") || !strcmp(cmd, "version")) {
        out->cmd = NS_CMD_VERSION;
        return NS_OK;
    }
    out->cmd = command_named(cmd);
    if (out->cmd == NS_CMD_NONE)
        return ns_status_set_plain(NS_EINVAL, "unknown command '%s' (%s)", cmd,
                                   expected_commands(expected, sizeof expected));
    out->sets = calloc((size_t)argc, sizeof *out->sets);
    if (!out->sets) return ns_status_set_plain(NS_ENOMEM, "out of memory");
    for (int i = 2; i < argc; i++) {
        if (is_help(argv[i])) {
            out->help_for = out->cmd;
            out->cmd = NS_CMD_HELP;
            return NS_OK;
        }
        ns_status st = parse_argument(argc, argv, &i, out);
        if (st != NS_OK) return st;
    }
    return parse_finish(out, cmd);
}

/* Parse a whole non-negative decimal integer; -1 if text is not one. */
static long long parse_index(const char *t, const char *end)
{
    if (t == end || end - t > 15) return -1;
    long long v = 0;
    for (const char *c = t; c < end; c++) {
        if (*c < '0' || *c > '9') return -1;
        v = 10 * v + (*c - '0');
    }
    return v;
}

ns_status ns_cli_case_range(const char *text, size_t n, size_t *lo, size_t *hi)
{
    *lo = 0;
    *hi = n;
    if (!text) return NS_OK;
    const char *colon = strchr(text, ':'), *slash = strchr(text, '/');
    const char *end = text + strlen(text);
    if (colon && !slash) {
        long long a = parse_index(text, colon);
        long long b = colon + 1 == end ? (long long)n : parse_index(colon + 1, end);
        if (a < 0 || b < 0 || a >= b || (size_t)b > n)
            return ns_status_set_plain(NS_EINVAL,
                                       "--cases %s: expected START:STOP with 0 <= START < STOP <= "
                                       "%zu (the config makes %zu cases; STOP is excluded)",
                                       text, n, n);
        *lo = (size_t)a;
        *hi = (size_t)b;
        return NS_OK;
    }
    if (slash && !colon) {
        long long k = parse_index(text, slash), m = parse_index(slash + 1, end);
        if (k < 0 || m < 1 || k >= m || (size_t)m > n)
            return ns_status_set_plain(NS_EINVAL,
                                       "--cases %s: expected K/N, slice K of N, with 0 <= K < N <= "
                                       "%zu (the config makes %zu cases)",
                                       text, n, n);
        *lo = (size_t)((unsigned long long)k * n / (unsigned long long)m);
        *hi = (size_t)((unsigned long long)(k + 1) * n / (unsigned long long)m);
        return NS_OK;
    }
    return ns_status_set_plain(NS_EINVAL,
                               "--cases %s: expected START:STOP (e.g. 0:100) or K/N (slice K of N, "
                               "e.g. 3/16)",
                               text);
}

/* ---- check ------------------------------------------------------------------------- */

/* Print the distinct values of axis k (up to a few), else its range. */
static void print_axis(const ns_config *c, size_t k, FILE *out)
{
    enum { MAX_SHOWN = 12 };
    const ns_axis_info *a = ns_config_axis(c, k);
    ns_key_ref ref;
    ns_keys_find_dotted(a->key, &ref);
    size_t n = ns_config_n_cases(c);
    double seen[MAX_SHOWN];
    size_t n_seen = 0;
    int many = 0;
    double lo = HUGE_VAL, hi = -HUGE_VAL;
    for (size_t i = 0; i < n; i++) {
        double v = ns_config_axis_value(c, k, i);
        lo = fmin(lo, v);
        hi = fmax(hi, v);
        int known = 0;
        for (size_t j = 0; j < n_seen; j++) known |= (seen[j] == v);
        if (known) continue;
        if (n_seen < MAX_SHOWN)
            seen[n_seen++] = v;
        else
            many = 1;
    }
    fprintf(out, "  %s:", a->key);
    char buf[64];
    if (many) {
        fprintf(out, " %s", ns_units_format(lo, ref.key->kind, buf, sizeof buf));
        fprintf(out, " .. %s (more than %d distinct values)\n",
                ns_units_format(hi, ref.key->kind, buf, sizeof buf), MAX_SHOWN);
        return;
    }
    for (size_t j = 0; j < n_seen; j++) {
        const char *label = NULL;
        for (size_t i = 0; i < n && !label; i++)
            if (ns_config_axis_value(c, k, i) == seen[j]) label = ns_config_axis_label(c, k, i);
        fprintf(out, "%s %s", j ? "," : "",
                label ? label : ns_units_format(seen[j], ref.key->kind, buf, sizeof buf));
    }
    fprintf(out, "  (%zu value%s)\n", n_seen, n_seen == 1 ? "" : "s");
}

int ns_cli_check(const ns_cli *cli, FILE *out, FILE *err)
{
    ns_config *c = NULL;
    ns_status st = ns_config_load(cli->config, cli->sets, cli->n_sets, &c);
    if (st != NS_OK) {
        fprintf(err, "needlesim: error: %s\n", ns_status_message());
        return st == NS_EINVAL ? 2 : 1;
    }
    const ns_run_settings *rs = ns_config_run(c);
    fprintf(out, "config: %s is valid\n", cli->config);
    fprintf(out, "cases: %zu\n", ns_config_n_cases(c));
    fprintf(out, "sweep: %s", rs->sweep_mode);
    if (!strcmp(rs->sweep_mode, "lhs") || !strcmp(rs->sweep_mode, "saltelli"))
        fprintf(out, " (seed %lu)", rs->seed);
    fprintf(out, "\naxes: %zu\n", ns_config_n_axes(c));
    for (size_t k = 0; k < ns_config_n_axes(c); k++) print_axis(c, k, out);
    char buf[64];
    fprintf(out, "duration: %s, output times: %zu, curve points: %zu\n",
            ns_units_format(rs->duration, NS_KIND_TIME, buf, sizeof buf), rs->output_times,
            rs->curve_points);
    fprintf(out, "output: %s\n", rs->output);
    ns_config_destroy(&c);
    return 0;
}

/* ---- presets ---------------------------------------------------------------------- */

typedef struct {
    const char *kind;
    size_t (*count)(void);
    const char *(*name)(size_t);
    size_t (*sources)(const char *, const ns_source_note **);
} preset_family;

static const preset_family families[] = {
    {"skin", ns_skin_preset_count, ns_skin_preset_name, ns_skin_preset_sources},
    {"needle", ns_needle_preset_count, ns_needle_preset_name, ns_needle_preset_sources},
    {"drug", ns_drug_preset_count, ns_drug_preset_name, ns_drug_preset_sources},
    {"procedure", ns_proc_preset_count, ns_proc_preset_name, ns_proc_preset_sources},
};

int ns_cli_presets(const char *kind, FILE *out, FILE *err)
{
    int shown = 0;
    for (size_t f = 0; f < sizeof families / sizeof families[0]; f++) {
        const preset_family *pf = &families[f];
        if (kind && strcmp(kind, pf->kind) != 0) continue;
        shown = 1;
        fprintf(out, "== %s presets (%s.preset = NAME)\n", pf->kind, pf->kind);
        for (size_t i = 0; i < pf->count(); i++) {
            const char *name = pf->name(i);
            fprintf(out, "\n%s\n", name);
            const ns_source_note *notes = NULL;
            size_t n = pf->sources(name, &notes);
            for (size_t j = 0; j < n; j++)
                fprintf(out, "  %-34s %-26s %s\n", notes[j].what, notes[j].value,
                        notes[j].source ? notes[j].source : "");
        }
        fprintf(out, "\n");
    }
    if (!shown) {
        fprintf(err, "needlesim: error: unknown preset kind '%s' (skin, needle, drug, procedure)\n",
                kind);
        return 2;
    }
    return 0;
}

/* ---- keys ------------------------------------------------------------------------- */

int ns_cli_keys(int markdown, FILE *out)
{
    ns_params p;
    ns_params_default(&p);
    (void)ns_params_derive(&p);
    ns_run_settings rs;
    memset(&rs, 0, sizeof rs);
    snprintf(rs.name, sizeof rs.name, "<config name>");
    snprintf(rs.output, sizeof rs.output, "outputs/<name>.h5");
    rs.n_field_cases = 1;
    if (markdown)
        fprintf(out, "| key | unit | default | allowed | description |\n|---|---|---|---|---|\n");
    const char *prev = "";
    for (size_t i = 0; i < ns_keys_count(); i++) {
        const ns_key *k = ns_keys_at(i);
        ns_key_ref r = {.key = k, .layer = -1};
        char name[96], unit[64], def[160], range[256];
        if (k->target == NS_TARGET_LAYER) {
            r.layer = NS_LAYER_DERMIS;
            snprintf(name, sizeof name, "%s.<layer>.%s", k->section, k->key);
        } else {
            snprintf(name, sizeof name, "%s.%s", k->section, k->key);
        }
        if (ns_units_dimensional(k->kind))
            snprintf(unit, sizeof unit, "%s", ns_units_accepted(k->kind));
        else
            snprintf(unit, sizeof unit, "%s", k->kind == NS_KIND_DIMENSIONLESS ? "-" : "");
        ns_keys_format(&r, &p, &rs, 1, def, sizeof def);
        if (k->target == NS_TARGET_LAYER) {
            char tmp[200];
            snprintf(tmp, sizeof tmp, "from skin.preset (dermis: %.100s)", def);
            snprintf(def, sizeof def, "%.150s", tmp);
        }
        if (k->kind == NS_KIND_ENUM)
            ns_keys_enum_list(k, range, sizeof range);
        else if (k->kind == NS_KIND_BOOL)
            snprintf(range, sizeof range, "true, false");
        else if (k->kind == NS_KIND_STRING || k->kind == NS_KIND_INDEX_LIST)
            snprintf(range, sizeof range, "%s", ns_units_kind_name(k->kind));
        else
            ns_keys_range_text(k, range, sizeof range);
        const char *note = (k->flags & NS_KEY_NOSWEEP) ? " (not sweepable)" : "";
        if (markdown) {
            fprintf(out, "| `%s` | %s | %s | %s | %s%s |\n", name, unit, def, range,
                    k->description, note);
        } else {
            if (strcmp(prev, k->section) != 0) fprintf(out, "\n[%s]\n", k->section);
            prev = k->section;
            fprintf(out, "  %-34s %s%s\n", name, k->description, note);
            fprintf(out, "  %-34s default %s; allowed %s%s%s\n", "", def, range,
                    unit[0] && strcmp(unit, "-") ? "; units " : "", strcmp(unit, "-") ? unit : "");
        }
    }
    const char *layers = "<layer> = stratum_corneum, viable_epidermis, dermis, hypodermis "
                         "(membrane with skin.preset = membrane)";
    const char *sweep =
        "[sweep] mode = grid|zip|lhs|sobol|saltelli (default grid), samples = N (lhs, sobol; "
        "saltelli: N base points, N (K + 2) cases for K axes), seed = N (lhs, saltelli); axes: "
        "section.key = v1, v2, ... | lin(a, b, n) | log(a, b, n)";
    if (markdown)
        fprintf(out, "\n%s.\n\n%s.\n", layers, sweep);
    else
        fprintf(out, "\n%s\n%s\n", layers, sweep);
    return 0;
}
