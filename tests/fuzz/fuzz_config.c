/* libFuzzer target: the config loader (sim/inifile.c, sim/config.c) and the
 * sweep parser (sim/sweep.c) on arbitrary bytes.
 *
 * The input is the config file. If it starts with a line "#set KEY=VALUE",
 * that line (without "#set ") is also passed as one --set override, so the
 * override parser is fuzzed too. A loaded config is expanded: its first cases
 * are built (ns_config_case), as `needlesim check` and `run` do. Any crash,
 * sanitizer report or leak is a bug; a rejected input is the normal outcome.
 * Built and run by `make fuzz` (clang -fsanitize=fuzzer,address,undefined). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <gsl/gsl_errno.h>

#include "../../sim/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int init;
    if (!init) {
        gsl_set_error_handler_off();
        init = 1;
    }
    char set[512] = "";
    const char *sets[1] = {set};
    size_t n_sets = 0;
    if (size > 5 && memcmp(data, "#set ", 5) == 0) {
        const uint8_t *nl = memchr(data, '\n', size);
        size_t n = (size_t)((nl ? nl : data + size) - data) - 5;
        if (n < sizeof set && !memchr(data + 5, '\0', n)) {
            memcpy(set, data + 5, n);
            set[n] = '\0';
            n_sets = 1;
        }
    }
    int fd = memfd_create("fuzz.ini", 0);
    if (fd < 0) return 0;
    if (write(fd, data, size) != (ssize_t)size) {
        close(fd);
        return 0;
    }
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    ns_config *cfg = NULL;
    if (ns_config_load(path, sets, n_sets, &cfg) == NS_OK) {
        size_t n = ns_config_n_cases(cfg);
        ns_params p;
        for (size_t i = 0; i < n && i < 4; i++) (void)ns_config_case(cfg, i, &p);
        (void)ns_config_text(cfg);
        (void)ns_config_hash(cfg);
        ns_config_destroy(&cfg);
    }
    close(fd);
    return 0;
}
