/* Shared set-up of the unit tests that load a config from text
 * (tests/unit/test_{config,fields,invariants,keywalk}.c): the text is written
 * to a new temporary .ini file (mkstemps) and read by ns_config_load exactly
 * as `needlesim check` and `run` read a file. Header-only, static inline;
 * include after <criterion/criterion.h>. */
#ifndef NS_TEST_CONFIG_FIXTURE_H
#define NS_TEST_CONFIG_FIXTURE_H

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "../../sim/config.h"

/* Criterion's assertion macros trip -Wconversion on their bit-field flags. */
#pragma GCC diagnostic ignored "-Wconversion"

/* Write text to a new file /tmp/ns_test_XXXXXX.ini; path (n >= 32 bytes)
 * receives its name. The caller removes it (unlink). */
static inline void fx_config_write(const char *text, char *path, size_t n)
{
    cr_assert(n >= 32, "path buffer of %zu bytes", n);
    snprintf(path, n, "/tmp/ns_test_XXXXXX.ini");
    int fd = mkstemps(path, 4);
    cr_assert(fd >= 0, "mkstemps %s failed", path);
    FILE *f = fdopen(fd, "w");
    cr_assert(f != NULL);
    cr_assert(fputs(text, f) >= 0 && fclose(f) == 0, "writing %s failed", path);
}

/* Load text with the `--set` strings sets[0..n_sets-1], asserting NS_OK;
 * path (n >= 32 bytes) keeps the name the file had (it is removed again). */
static inline ns_config *fx_config_load_path(const char *text, const char *const *sets,
                                             size_t n_sets, char *path, size_t n)
{
    fx_config_write(text, path, n);
    ns_config *c = NULL;
    ns_status st = ns_config_load(path, sets, n_sets, &c);
    unlink(path);
    cr_assert(eq(int, st, NS_OK), "load failed: %s", ns_status_message());
    return c;
}

/* The same without the file name. */
static inline ns_config *fx_config_load(const char *text, const char *const *sets, size_t n_sets)
{
    char path[64];
    return fx_config_load_path(text, sets, n_sets, path, sizeof path);
}

/* Case `icase` of the config text into *p, asserting that both the load and
 * the case succeed. */
static inline void fx_config_case(const char *text, size_t icase, ns_params *p)
{
    ns_config *c = fx_config_load(text, NULL, 0);
    cr_assert(eq(int, ns_config_case(c, icase, p), NS_OK), "case %zu: %s", icase, ns_status_message());
    ns_config_destroy(&c);
}

#endif
