/* Clinical indices (equations in clinical.h). */
#include "clinical.h"

#include <math.h>

#include "needle.h"
#include "units.h"

double ns_clin_strike_probability(const ns_params *p, double d)
{
    const ns_skin_params *s = &p->skin;
    if (s->membrane || s->n_layers < 3) return NAN;
    double zL = s->layer[NS_LAYER_SC].thickness + s->layer[NS_LAYER_VE].thickness +
                NS_CLIN_LOOP_DEPTH;
    if (!(d > zL)) return 0.0;
    double ra = ns_needle_radius_at(&p->needle, d - zL);
    double re = ra + 0.5 * NS_CLIN_LOOP_DIAMETER;
    double E = NS_CLIN_LOOP_DENSITY * NS_PI * re * re;
    if (re <= 0.5 * NS_CLIN_LOOP_SPACING) return E; /* eq. (1): hard core, exact */
    return -expm1(-E);                                /* eq. (2) */
}

double ns_clin_pain_index(double L, double N, int *extrapolated)
{
    *extrapolated = 0;
    if (!(L > 0.0) || !(N >= 1.0)) return 0.0;
    double a = log(NS_CLIN_PAIN_LENGTH_RATIO) / log(3.0);
    double b = log10(NS_CLIN_PAIN_NUMBER_RATIO);
    *extrapolated = L < NS_CLIN_PAIN_L0 || L > NS_CLIN_PAIN_L1 || N > NS_CLIN_PAIN_N1;
    return NS_CLIN_PAIN_ANCHOR * pow(L / NS_CLIN_PAIN_L0, a) * pow(N, b); /* eq. (3), N_0 = 1 */
}

double ns_clin_needles_at_once(const ns_params *p, double d)
{
    const ns_procedure_params *pr = &p->procedure;
    if (pr->device == NS_DEVICE_NONE) return p->array.count;
    if (pr->device != NS_DEVICE_ROLLER) return p->array.count;
    double R = p->applicator.drum_radius;
    double psi = d > 0.0 ? acos(R / (R + d)) : 0.0;
    double rows_in = fmax(1.0, 2.0 * psi * pr->rows / (2.0 * NS_PI));
    return p->array.count / pr->rows * rows_in;
}

double ns_clin_open_time(const ns_channel_geom *ch)
{
    if (!ch || !ch->open) return 0.0;
    /* Upper limit: double until f^2 falls below the closed level. */
    double T = 60.0;
    while (T < NS_CLIN_EXPOSURE_CAP) {
        double f = ns_channel_closure(ch, T);
        if (f * f < NS_CLIN_CLOSED_AREA) break;
        T *= 2.0;
    }
    if (T > NS_CLIN_EXPOSURE_CAP) T = NS_CLIN_EXPOSURE_CAP;
    /* Composite Simpson on 4096 intervals over [0, T]; for the exponential
     * closure of models/channel.h T is 14-27 half-lives and the relative
     * error below 1e-7 (tests/unit/test_procedure.c: open_time_exponential). */
    const size_t n = 4096;
    double h = T / (double)n, sum = 0.0;
    for (size_t k = 0; k <= n; k++) {
        double f = ns_channel_closure(ch, (double)k * h);
        double w = (k == 0 || k == n) ? 1.0 : (k % 2 ? 4.0 : 2.0);
        sum += w * f * f;
    }
    return sum * h / 3.0;
}
