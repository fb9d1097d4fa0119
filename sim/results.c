/* The result registry and case-result buffers (see results.h). */
#include "results.h"

#include <math.h>
#include <stdlib.h>

#define NS_RESULT_ROW_(id, name, units, desc) {name, units, desc},
const ns_result_info ns_result_table[NS_R_COUNT] = {NS_RESULT_LIST(NS_RESULT_ROW_)};
#undef NS_RESULT_ROW_

#define NS_CURVE_ROW_(id, name, axis, units, desc) {name, axis, units, desc},
const ns_curve_info ns_curve_table[NS_C_COUNT] = {NS_CURVE_LIST(NS_CURVE_ROW_)};
#undef NS_CURVE_ROW_

size_t ns_curve_length(ns_curve_id c, ns_curve_sizes sizes)
{
    return ns_curve_table[c].axis[0] == 't' ? sizes.n_time : sizes.n_insertion;
}

void ns_case_result_reset(ns_case_result *r)
{
    for (size_t i = 0; i < NS_R_COUNT; i++) r->scalar[i] = (double)NAN;
    for (size_t c = 0; c < NS_C_COUNT; c++) {
        size_t n = ns_curve_length((ns_curve_id)c, r->sizes);
        for (size_t k = 0; k < n; k++) r->curve[c][k] = (double)NAN;
    }
}

ns_status ns_case_result_init(ns_case_result *r, ns_curve_sizes sizes)
{
    r->sizes = sizes;
    for (size_t c = 0; c < NS_C_COUNT; c++) r->curve[c] = NULL;
    for (size_t c = 0; c < NS_C_COUNT; c++) {
        size_t n = ns_curve_length((ns_curve_id)c, sizes);
        r->curve[c] = malloc((n ? n : 1) * sizeof(double));
        if (!r->curve[c]) {
            ns_case_result_clear(r);
            NS_FAIL(NS_ENOMEM, "cannot allocate curve %s of %zu points", ns_curve_table[c].name, n);
        }
    }
    ns_case_result_reset(r);
    return NS_OK;
}

void ns_case_result_clear(ns_case_result *r)
{
    for (size_t c = 0; c < NS_C_COUNT; c++) {
        free(r->curve[c]);
        r->curve[c] = NULL;
    }
}

void ns_case_output_times(double duration, size_t n_time, double *t)
{
    /* Log-spaced from duration * 1e-4 to duration (4 decades). */
    const double decades = 4.0;
    if (n_time == 1) {
        t[0] = duration;
        return;
    }
    for (size_t k = 0; k < n_time; k++) {
        double f = (double)k / (double)(n_time - 1);
        t[k] = duration * pow(10.0, -decades * (1.0 - f));
    }
    t[n_time - 1] = duration;
}
