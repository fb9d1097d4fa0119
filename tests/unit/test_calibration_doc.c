/* The calibration record tests/data/insertion_calibration.md states, in its
 * first table, the default of every [insertion] constant next to the fit that
 * chose it. The default itself is written once, in the parameter table
 * (models/param_table.c): this test reads the record's table and requires
 * every numeric default there to be the table's, and every calibration row of
 * the table to be in the record, so the two cannot drift apart. */
#pragma GCC diagnostic ignored "-Wconversion" /* Criterion assertion macros */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../models/param_table.h"

#define NS_CALIB_DOC "tests/data/insertion_calibration.md"

/* Check one "| `key`[, `key`] ... | d1[, d2] | ..." row; returns the keys
 * checked. Defaults that are not plain numbers (a formula, "1 mm/s") are
 * checked for presence only. */
static size_t check_row(char *line, int *seen)
{
    char *cell2 = strchr(line + 1, '|');
    if (!cell2) return 0;
    *cell2++ = '\0';
    char *end2 = strchr(cell2, '|');
    if (!end2) return 0;
    *end2 = '\0';
    double def[4];
    size_t n_def = 0;
    for (char *t = cell2; n_def < 4;) {
        char *stop = NULL;
        double v = strtod(t, &stop);
        if (stop == t) break;
        while (*stop == ' ') stop++;
        if (*stop != ',' && *stop != '\0') break; /* a value with a unit or a formula */
        def[n_def++] = v;
        if (*stop == '\0') break;
        t = stop + 1;
    }
    size_t n_keys = 0;
    for (char *k = strchr(line, '`'); k; k = strchr(k, '`')) {
        char *close = strchr(k + 1, '`');
        if (!close) break;
        *close = '\0';
        const ns_key *row = ns_param_find("insertion", k + 1);
        cr_expect(row != NULL, "%s: `%s` is not an [insertion] key", NS_CALIB_DOC, k + 1);
        if (row) {
            seen[row - ns_param_at(0)] = 1;
            if (n_def > n_keys)
                cr_expect(row->def == def[n_keys], "%s: insertion.%s default %.6g, the table has %.6g",
                          NS_CALIB_DOC, k + 1, def[n_keys], row->def);
        }
        n_keys++;
        k = close + 1;
    }
    return n_keys;
}

Test(calibration_doc, defaults_are_the_tables)
{
    FILE *f = fopen(NS_CALIB_DOC, "r");
    cr_assert(f != NULL, "cannot open %s (run from the repository root)", NS_CALIB_DOC);
    int *seen = calloc(ns_param_count(), sizeof *seen);
    cr_assert(seen != NULL);
    char line[2048];
    int in_table = 0;
    size_t keys = 0;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "| key |", 7) == 0) {
            in_table = 1;
            continue;
        }
        if (!in_table || strncmp(line, "|---", 4) == 0) continue;
        if (line[0] != '|') break; /* the first table ends */
        keys += check_row(line, seen);
    }
    fclose(f);
    cr_assert(gt(sz, keys, 8), "%s: %zu keys in the first table", NS_CALIB_DOC, keys);
    for (size_t i = 0; i < ns_param_count(); i++) {
        const ns_key *k = ns_param_at(i);
        if (strcmp(k->section, "insertion") != 0 || k->kind == NS_KIND_ENUM) continue;
        cr_expect(seen[i], "insertion.%s is missing from the table of %s", k->key, NS_CALIB_DOC);
    }
    free(seen);
}
