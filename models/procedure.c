/* The procedure layer (equations in procedure.h). */
#include "procedure.h"

#include <math.h>
#include <string.h>

#include "needle.h"
#include "units.h"

static const char *const device_names[NS_DEVICE_COUNT] = {"none", "stamp", "roller", "pen"};

const char *ns_proc_device_name(ns_device_kind d)
{
    return (d >= 0 && d < NS_DEVICE_COUNT) ? device_names[d] : NULL;
}

ns_status ns_proc_derive(ns_params *p)
{
    NS_CHECK(p != NULL, NS_EINVAL, "procedure: NULL parameters");
    ns_procedure_params *pr = &p->procedure;
    if (isnan(pr->nerve_depth)) {
        const ns_skin_params *s = &p->skin;
        if (s->membrane || s->n_layers < 2)
            pr->nerve_depth = 0.5 * s->layer[0].thickness;
        else
            pr->nerve_depth = s->layer[NS_LAYER_SC].thickness + 0.5 * s->layer[NS_LAYER_VE].thickness;
    }
    return NS_OK;
}

static ns_status fail_pair(const char *key, const char *other, const char *fmt_value,
                           const char *expected)
{
    ns_status_set_keyed(NS_EINVAL, key, "%s = %s: %s", key, fmt_value, expected);
    ns_status_add_key(other);
    return NS_EINVAL;
}

ns_status ns_proc_check(const ns_params *p)
{
    NS_CHECK(p != NULL, NS_EINVAL, "procedure: NULL parameters");
    const ns_procedure_params *pr = &p->procedure;
    if (isfinite(p->drug.effect_threshold) && !(pr->nerve_depth <= p->transport.depth)) {
        ns_status_set_keyed(NS_EINVAL, "procedure.nerve_depth",
                            "procedure.nerve_depth = %g m: expected (0 m, transport.depth = %g m] "
                            "(the probe of time_to_effect lies in the modelled skin)",
                            pr->nerve_depth, p->transport.depth);
        ns_status_add_key("transport.depth");
        return NS_EINVAL;
    }
    if (pr->device == NS_DEVICE_NONE) return NS_OK;
    const char *dev = ns_proc_device_name(pr->device);
    if (p->array.layout == NS_LAYOUT_NONE)
        return fail_pair("procedure.device", "array.layout", dev,
                         "expected none with array.layout = none (intact skin has no procedure)");
    ns_applicator_mode m = p->applicator.mode;
    if (pr->device == NS_DEVICE_ROLLER &&
        (m != NS_APPLICATOR_ROLLER || p->array.layout != NS_LAYOUT_ROLLER))
        return fail_pair("procedure.device", "applicator.mode", dev,
                         "needs applicator.mode = roller and array.layout = roller");
    if (pr->device == NS_DEVICE_PEN && m != NS_APPLICATOR_PEN)
        return fail_pair("procedure.device", "applicator.mode", dev, "needs applicator.mode = pen");
    if (pr->device == NS_DEVICE_STAMP &&
        ((m != NS_APPLICATOR_PRESS && m != NS_APPLICATOR_IMPACT) ||
         (p->array.layout != NS_LAYOUT_SQUARE && p->array.layout != NS_LAYOUT_HEXAGONAL)))
        return fail_pair("procedure.device", "applicator.mode", dev,
                         "needs applicator.mode = press or impact and array.layout = square or "
                         "hexagonal");
    if (pr->device == NS_DEVICE_ROLLER && !(pr->rows <= p->array.count)) {
        ns_status_set_keyed(NS_EINVAL, "procedure.rows",
                            "procedure.rows = %g: expected [1, array.count = %g] (needles on the "
                            "drum)",
                            pr->rows, p->array.count);
        ns_status_add_key("array.count");
        return NS_EINVAL;
    }
    return NS_OK;
}

double ns_proc_spacing_quantile(double n, double q)
{
    if (!(n > 0.0) || !(q > 0.0 && q < 1.0)) return NAN;
    return sqrt(-log1p(-q) / (NS_PI * n)); /* eq. (5) inverted */
}

/* Eq. (6): mean re-hit probability over P passes of density n1 each. */
static double rehit_passes(double P, double n1, double d)
{
    size_t np = (size_t)P;
    double a = n1 * NS_PI * d * d, h = 0.0;
    for (size_t k = 1; k <= np; k++) h += -expm1(-(double)(k - 1) * a);
    return np ? h / (double)np : 0.0;
}

/* Eq. (7): continuous deposition up to x = n pi d^2. */
static double rehit_continuous(double x)
{
    if (!(x > 1e-8)) return 0.5 * x; /* series 1 - (1 - e^-x)/x = x/2 - x^2/6 + ... */
    return 1.0 + expm1(-x) / x;
}

ns_status ns_proc_eval(const ns_params *p, double r_wound, double r_channel, ns_proc_result *out)
{
    NS_CHECK(p != NULL && out != NULL, NS_EINVAL, "procedure: NULL argument");
    const ns_procedure_params *pr = &p->procedure;
    NS_CHECK(pr->device != NS_DEVICE_NONE, NS_EINVAL, "procedure.device = none: no procedure");
    NS_CHECK(r_wound >= 0.0 && r_channel >= 0.0, NS_EINVAL,
             "procedure: wound radius %g m and channel radius %g m must be >= 0", r_wound,
             r_channel);
    memset(out, 0, sizeof *out);
    out->rate = NAN;
    out->duration = NAN;
    double P = pr->passes, N = p->array.count, n1 = 0.0;
    switch (pr->device) {
    case NS_DEVICE_ROLLER:
        n1 = N / (2.0 * NS_PI * p->applicator.drum_radius * pr->drum_width); /* eq. (1) */
        out->duration = P * pr->area / (pr->drum_width * p->applicator.speed);
        break;
    case NS_DEVICE_PEN:
        out->rate = N * p->applicator.frequency;                     /* eq. (2) */
        n1 = out->rate / (pr->glide_speed * pr->swath_width);         /* eq. (3) */
        out->duration = P * pr->area / (pr->glide_speed * pr->swath_width);
        break;
    default:
        n1 = p->array.density;
        break;
    }
    double n = P * n1; /* eq. (4) */
    double d = 2.0 * r_wound;
    double h = pr->device == NS_DEVICE_PEN ? rehit_continuous(n * NS_PI * d * d)
                                           : rehit_passes(P, n1, d);
    out->density_per_pass = n1;
    out->density = n;
    out->rehit_fraction = h;
    out->channel_density = n * (1.0 - h);                                   /* eq. (8) */
    out->coverage = -expm1(-out->channel_density * NS_PI * r_channel * r_channel); /* eq. (9) */
    out->spacing_mean = n > 0.0 ? 0.5 / sqrt(n) : (double)NAN; /* no punctures: undefined */
    out->spacing_p10 = ns_proc_spacing_quantile(n, 0.1);
    out->spacing_p90 = ns_proc_spacing_quantile(n, 0.9);
    out->cell_radius = out->channel_density > 0.0 ? 1.0 / sqrt(NS_PI * out->channel_density)
                                                  : (double)INFINITY; /* no channels */
    out->punctures = n * pr->area;
    return NS_OK;
}

void ns_proc_depth_spread(const ns_params *p, double d, double *mean, double *p10, double *p90)
{
    const ns_procedure_params *pr = &p->procedure;
    double W = 0.0;
    if (pr->device == NS_DEVICE_ROLLER)
        W = pr->drum_width;
    else if (pr->device == NS_DEVICE_STAMP && p->array.density > 0.0)
        W = sqrt(p->array.count / p->array.density);
    double dmax = 0.0; /* eq. (11): largest stand-off at the edge */
    if (isfinite(pr->site_radius) && pr->site_radius > 0.0)
        dmax = W * W / (8.0 * pr->site_radius);
    /* depth = max(0, d - dmax u^2), u uniform in [0, 1] */
    double u0 = dmax > d ? sqrt(d / dmax) : 1.0; /* needles beyond u0 miss the skin */
    *mean = dmax > 0.0 ? u0 * (d - dmax * u0 * u0 / 3.0) : d;
    double q10 = 0.9, q90 = 0.1; /* depth quantile q <-> u quantile 1 - q */
    *p10 = fmax(0.0, d - dmax * q10 * q10);
    *p90 = fmax(0.0, d - dmax * q90 * q90);
}

void ns_proc_sessions(const ns_params *p, const ns_channel_geom *ch, double *residual, int *early)
{
    *residual = NAN;
    *early = 0;
    if (!(p->procedure.sessions > 1.0)) return;
    *residual = (ch && ch->open) ? ns_channel_closure(ch, p->procedure.interval) : 0.0;
    *early = *residual > NS_PROC_RESEALED_FRACTION;
}
