/* The result registry: name, units and description of every scalar result
 * and curve of a case, the single source of the /results and /curves datasets
 * of schema needlesim-1 (sim/output creates exactly these, outputs/README.md
 * documents them), and the buffers that hold one case's values. Extend by
 * adding rows; never rename (scripts depend on the names). */
#ifndef NS_RESULTS_H
#define NS_RESULTS_H

#include <stddef.h>

#include "../models/status.h"

#define NS_RESULT_LIST(X)                                                                      \
    /* derived from the inputs */                                                              \
    X(NS_R_TIP_AREA, "tip_area", "m2", "projected tip contact area pi*tip_radius^2")          \
    X(NS_R_BUCKLING_LOAD, "buckling_load", "N", "Euler buckling load of one needle")          \
    X(NS_R_UNIT_CELL_RADIUS, "unit_cell_radius", "m", "equal-area unit-cell radius 1/sqrt(pi n)") \
    X(NS_R_PITCH, "pitch", "m", "needle centre spacing of the array")                         \
    X(NS_R_NEEDLE_DENSITY, "needle_density", "1/m2", "needles per skin area")                 \
    X(NS_R_INTACT_PERMEABILITY, "intact_permeability", "m/s", "Potts-Guy permeability of intact skin") \
    X(NS_R_SC_PARTITION, "sc_partition", "1", "stratum corneum/vehicle partition coefficient") \
    X(NS_R_SC_DIFFUSIVITY, "sc_diffusivity", "m2/s", "stratum corneum diffusivity")           \
    /* insertion */                                                                            \
    X(NS_R_PUNCTURED, "punctured", "1", "1 if the stratum corneum was breached, else 0")       \
    X(NS_R_PUNCTURE_FORCE, "puncture_force", "N", "needle force at first puncture, per needle") \
    X(NS_R_PUNCTURE_DISPLACEMENT, "puncture_displacement", "m", "needle travel after first contact at puncture") \
    X(NS_R_MAX_FORCE, "max_force", "N", "maximum force per needle during insertion")          \
    X(NS_R_TOTAL_FORCE, "total_force", "N", "maximum force summed over the needles in contact") \
    X(NS_R_INSERTION_ENERGY, "insertion_energy", "J", "work done on the skin per needle")     \
    X(NS_R_PENETRATION_DEPTH, "penetration_depth", "m", "deepest tip position below the skin surface at the needle") \
    X(NS_R_INSERTED_FRACTION, "inserted_fraction", "1", "penetration depth / needle length") \
    X(NS_R_DEEPEST_LAYER, "deepest_layer", "1", "0 none, 1 stratum corneum, 2 viable epidermis, 3 dermis, 4 hypodermis") \
    X(NS_R_BUCKLING_MARGIN, "buckling_margin", "1", "buckling load / max force per needle")   \
    X(NS_R_MAX_TENTING, "max_tenting", "m", "maximum skin deflection under the needle")       \
    X(NS_R_MAX_TRAVEL, "max_travel", "m", "maximum needle travel after first contact")        \
    X(NS_R_ENERGY_BALANCE_ERROR, "energy_balance_error", "1", "relative energy balance residual of the insertion") \
    /* channel */                                                                              \
    X(NS_R_CHANNEL_DEPTH, "channel_depth", "m", "depth of the micro-channel after withdrawal") \
    X(NS_R_CHANNEL_DIAMETER, "channel_diameter", "m", "channel diameter at the skin surface") \
    X(NS_R_CHANNEL_HALF_LIFE, "channel_half_life", "s", "channel closure half-life")          \
    /* diffusion */                                                                            \
    X(NS_R_PERMEATED_AMOUNT, "permeated_amount", "kg/m2", "cumulative amount through the skin at the end of the run") \
    X(NS_R_PEAK_FLUX, "peak_flux", "kg/(m2 s)", "largest flux into the receptor/systemic side") \
    X(NS_R_LAG_TIME, "lag_time", "s", "time-axis intercept of the steady part of the permeation curve") \
    X(NS_R_ENHANCEMENT_RATIO, "enhancement_ratio", "1", "permeated amount / same skin and drug without needles; NaN for coated and dissolving doses (no intact baseline)") \
    X(NS_R_SKIN_AMOUNT, "skin_amount", "kg/m2", "drug held in viable epidermis + dermis at the end") \
    X(NS_R_CLEARED_AMOUNT, "cleared_amount", "kg/m2", "drug removed by dermal capillary clearance") \
    X(NS_R_INTACT_PERMEATED_AMOUNT, "intact_permeated_amount", "kg/m2", "permeated amount through intact skin (baseline); NaN for coated and dissolving doses") \
    X(NS_R_MASS_BALANCE_ERROR, "mass_balance_error", "1", "relative mass balance residual of the diffusion solve") \
    X(NS_R_SC_AMOUNT, "sc_amount", "kg/m2", "drug held in the stratum corneum at the end (NaN for the one-layer membrane)") \
    X(NS_R_TOTAL_SKIN_AMOUNT, "total_skin_amount", "kg/m2", "drug held in all modelled layers at the end: sc_amount + skin_amount (+ hypodermis if modelled)") \
    X(NS_R_DOSE_AMOUNT, "dose_amount", "kg/m2", "applied dose per skin area: coated or loaded mass per unit cell, or the finite film; NaN for an infinite dose") \
    X(NS_R_DELIVERED_FRACTION, "delivered_fraction", "1", "fraction of the dose that reached the receptor or the circulation") \
    X(NS_R_SKIN_FRACTION, "skin_fraction", "1", "fraction of the dose held in the skin at the end") \
    X(NS_R_COATING_THICKNESS, "coating_thickness", "m", "coated dose: coating thickness, mass / (density x wetted needle area)") \
    X(NS_R_RELEASE_T90, "release_t90", "s", "coated or dissolving dose: time until 90 % of the drug left the needle")

#define NS_CURVE_LIST(X)                                                                       \
    X(NS_C_INSERTION_TIME, "insertion_time", "insertion_point", "s", "time since first contact") \
    X(NS_C_INSERTION_TRAVEL, "insertion_travel", "insertion_point", "m", "needle travel after first contact") \
    X(NS_C_INSERTION_FORCE, "insertion_force", "insertion_point", "N", "force per needle")   \
    X(NS_C_TIP_DEPTH, "tip_depth", "insertion_point", "m", "tip depth below the undeformed skin surface") \
    X(NS_C_PERMEATED_AMOUNT, "permeated_amount", "time", "kg/m2", "cumulative permeated amount") \
    X(NS_C_FLUX, "flux", "time", "kg/(m2 s)", "flux into the receptor/systemic side")

#define NS_ENUM1_(id, ...) id,
typedef enum { NS_RESULT_LIST(NS_ENUM1_) NS_R_COUNT } ns_result_id;
typedef enum { NS_CURVE_LIST(NS_ENUM1_) NS_C_COUNT } ns_curve_id;
#undef NS_ENUM1_

typedef struct {
    const char *name;        /* dataset name under /results */
    const char *units;       /* UDUNITS-style unit string */
    const char *description;
} ns_result_info;

typedef struct {
    const char *name;        /* dataset name under /curves */
    const char *axis;        /* "insertion_point" or "time": its dimension scale */
    const char *units;
    const char *description;
} ns_curve_info;

extern const ns_result_info ns_result_table[NS_R_COUNT];
extern const ns_curve_info ns_curve_table[NS_C_COUNT];

/* Sizes of the curve axes, fixed for a whole sweep. */
typedef struct {
    size_t n_insertion; /* [-] points of the insertion curves */
    size_t n_time;      /* [-] log-spaced output times of the diffusion curves */
} ns_curve_sizes;

typedef struct {
    double scalar[NS_R_COUNT];     /* NaN where not defined */
    double *curve[NS_C_COUNT];     /* curve[c] has n_insertion or n_time entries */
    ns_curve_sizes sizes;
} ns_case_result;

/* Allocate the curve buffers; scalars and curves start as NaN. */
ns_status ns_case_result_init(ns_case_result *r, ns_curve_sizes sizes);
void ns_case_result_clear(ns_case_result *r);
/* Set every scalar and curve value to NaN. */
void ns_case_result_reset(ns_case_result *r);

/* Length of curve c for these sizes. */
size_t ns_curve_length(ns_curve_id c, ns_curve_sizes sizes);

/* The output times [s] of the diffusion curves: log-spaced between
 * duration * 1e-4 and duration, n_time values. Same for every case. */
void ns_case_output_times(double duration, size_t n_time, double *t);

#endif
