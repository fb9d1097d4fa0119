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
    X(NS_R_INTACT_PERMEABILITY, "intact_permeability", "m/s", "permeability of intact skin: Potts-Guy lipid pathway + polar (aqueous pore) pathway") \
    X(NS_R_SC_PARTITION, "sc_partition", "1", "stratum corneum/vehicle partition coefficient") \
    X(NS_R_SC_DIFFUSIVITY, "sc_diffusivity", "m2/s", "stratum corneum diffusivity")           \
    /* insertion */                                                                            \
    X(NS_R_PUNCTURED, "punctured", "1", "1 if the stratum corneum was breached, else 0")       \
    X(NS_R_PUNCTURE_FORCE, "puncture_force", "N", "needle force at first puncture, per needle") \
    X(NS_R_PUNCTURE_DISPLACEMENT, "puncture_displacement", "m", "needle travel after first contact at puncture") \
    X(NS_R_MAX_FORCE, "max_force", "N", "maximum force per needle during insertion")          \
    X(NS_R_TOTAL_FORCE, "total_force", "N", "maximum force summed over the needles in contact") \
    X(NS_R_INSERTION_ENERGY, "insertion_energy", "J", "work done on the skin per needle")     \
    X(NS_R_PENETRATION_DEPTH, "penetration_depth", "m", "deepest cut depth below the skin surface at the needle, in the undeformed depth of the stack (at most its thickness)") \
    X(NS_R_INSERTED_FRACTION, "inserted_fraction", "1", "penetration depth / needle length") \
    X(NS_R_DEEPEST_LAYER, "deepest_layer", "1", "0 none, 1 stratum corneum, 2 viable epidermis, 3 dermis, 4 hypodermis") \
    X(NS_R_BUCKLING_MARGIN, "buckling_margin", "1", "buckling load / max force per needle")   \
    X(NS_R_MAX_TENTING, "max_tenting", "m", "maximum skin deflection under the needle")       \
    X(NS_R_MAX_TRAVEL, "max_travel", "m", "maximum needle travel after first contact")        \
    X(NS_R_ENERGY_BALANCE_ERROR, "energy_balance_error", "1", "relative energy balance residual of the insertion") \
    X(NS_R_PUNCTURED_FRACTION, "punctured_fraction", "1", "fraction of the needles of the patch that punctured (centre and edge rings)") \
    X(NS_R_PENETRATION_DEPTH_MEAN, "penetration_depth_mean", "m", "mean penetration depth over the needles of the patch (0 for a needle that did not puncture)") \
    X(NS_R_PENETRATION_DEPTH_P10, "penetration_depth_p10", "m", "10th percentile of the penetration depth over the needles of the patch") \
    X(NS_R_PENETRATION_DEPTH_P90, "penetration_depth_p90", "m", "90th percentile of the penetration depth over the needles of the patch") \
    X(NS_R_FRICTION_FORCE, "friction_force", "N", "shaft friction per needle at the deepest tip position") \
    X(NS_R_RETRACTION_FORCE, "retraction_force", "N", "largest pull per needle during withdrawal") \
    X(NS_R_EXCESS_PULL, "excess_pull", "N", "largest pull per needle beyond the shaft friction of its tip sliding back in its hole (0: only friction pulls, and only a punctured needle)") \
    X(NS_R_FRACTURE_MARGIN, "fracture_margin", "1", "needle fracture load / largest tip load (force less shaft friction) per needle") \
    /* channel */                                                                              \
    X(NS_R_CHANNEL_DEPTH, "channel_depth", "m", "depth of the micro-channel after withdrawal") \
    X(NS_R_CHANNEL_DIAMETER, "channel_diameter", "m", "channel diameter at the skin surface") \
    X(NS_R_CHANNEL_HALF_LIFE, "channel_half_life", "s", "radius half-life of the channel mouth (barrier recovery in the stratum corneum)")          \
    /* diffusion */                                                                            \
    X(NS_R_PERMEATED_AMOUNT, "permeated_amount", "kg/m2", "cumulative amount through the skin at the end of the run") \
    X(NS_R_PEAK_FLUX, "peak_flux", "kg/(m2 s)", "largest flux into the receptor/systemic side") \
    X(NS_R_LAG_TIME, "lag_time", "s", "time-axis intercept of the steady part of the permeation curve; NaN unless the flux approaches steady state monotonically") \
    X(NS_R_ENHANCEMENT_RATIO, "enhancement_ratio", "1", "permeated amount / same skin and drug without needles; NaN for coated and dissolving doses (no intact baseline) and for a single needle (use extra_amount_per_needle)") \
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
    X(NS_R_RELEASE_T90, "release_t90", "s", "coated or dissolving dose: time until 90 % of the drug left the needle") \
    /* procedure (models/procedure.h, models/clinical.h; NaN without procedure.device) */    \
    X(NS_R_DEPTH_SETTING, "depth_setting", "m", "nominal depth of the device: pen depth setting, else needle length") \
    X(NS_R_MAX_TISSUE_DEPTH, "max_tissue_depth", "m", "deepest tissue depth reached by a needle of the device (insertion model)") \
    X(NS_R_DEPTH_MEAN, "depth_mean", "m", "mean tissue depth over the needles of the device (procedure.h eq. 11)") \
    X(NS_R_DEPTH_P10, "depth_p10", "m", "10th percentile of the tissue depth over the needles (procedure.h eq. 11)") \
    X(NS_R_DEPTH_P90, "depth_p90", "m", "90th percentile of the tissue depth over the needles (procedure.h eq. 11)") \
    X(NS_R_PUNCTURE_DENSITY_PER_PASS, "puncture_density_per_pass", "1/m2", "punctures per skin area in one pass (procedure.h eqs. 1, 3)") \
    X(NS_R_PUNCTURE_DENSITY, "puncture_density", "1/m2", "punctures per skin area over all passes of a session (procedure.h eq. 4)") \
    X(NS_R_PUNCTURE_RATE, "puncture_rate", "1/s", "pen punctures per second: needles x stroke frequency (procedure.h eq. 2); NaN for other devices") \
    X(NS_R_REHIT_FRACTION, "rehit_fraction", "1", "fraction of punctures that re-enter an earlier wound, random placement (procedure.h eqs. 6-7)") \
    X(NS_R_CHANNEL_DENSITY, "channel_density", "1/m2", "distinct channels per area; the transport cell radius is 1/sqrt(pi n) of it (procedure.h eq. 8)") \
    X(NS_R_COVERAGE, "coverage", "1", "fraction of the skin area opened by channels, Boolean model (procedure.h eq. 9)") \
    X(NS_R_SPACING_MEAN, "puncture_spacing_mean", "m", "mean nearest-neighbour spacing of the punctures, Poisson placement (procedure.h eq. 5); NaN without punctures") \
    X(NS_R_SPACING_P10, "puncture_spacing_p10", "m", "10th percentile of the nearest-neighbour spacing (procedure.h eq. 5)") \
    X(NS_R_SPACING_P90, "puncture_spacing_p90", "m", "90th percentile of the nearest-neighbour spacing (procedure.h eq. 5)") \
    X(NS_R_PUNCTURES, "punctures", "1", "punctures over the treated area in one session") \
    X(NS_R_PROCEDURE_DURATION, "procedure_duration", "s", "time of one session: passes x area / swept area per second (procedure.h eq. 10); NaN for a stamp") \
    X(NS_R_RESIDUAL_OPEN_FRACTION, "residual_open_fraction", "1", "channel radius fraction of the previous session left open when the next starts (channel.h closure); NaN for one session") \
    X(NS_R_EARLY_SESSION, "early_session", "1", "1 if a session starts before the barrier has recovered (residual_open_fraction > 0.1), else 0") \
    X(NS_R_SESSION_DOSE, "session_dose", "kg/m2", "drug delivered into and through the skin per session: permeated + skin amount at the end of the run") \
    X(NS_R_TREATMENT_DOSE, "treatment_dose", "kg/m2", "session_dose x sessions (identical sessions; a lower bound when early_session = 1)") \
    X(NS_R_STRIKE_PROBABILITY, "strike_probability", "1", "chance that one needle cuts a capillary loop: loops 14 /mm2, 15 um, 80 um apart, apex 150 um below the DEJ (Blicharz 2018; clinical.h eqs. 1-2)") \
    X(NS_R_BLEEDING_POINTS, "bleeding_points", "1/m2", "expected pinpoint bleeding points per skin area: strike_probability x channel_density (clinical.h; valid for perpendicular needles)") \
    X(NS_R_PAIN_INDEX, "pain_index", "1", "pain relative to a 26G hypodermic, power law of Gill 2008 in tissue depth and needles at once (clinical.h eq. 3); valid 480-1450 um, 1-50 needles") \
    X(NS_R_PAIN_EXTRAPOLATED, "pain_extrapolated", "1", "1 if pain_index lies outside the depths and needle numbers of Gill 2008, else 0") \
    X(NS_R_OPEN_AREA_TIME, "open_area_time", "s", "integral over time of the open channel area per skin area, non-occluded site (clinical.h eq. 4; exposure to infection)") \
    X(NS_R_OPEN_AREA_TIME_OCCLUDED, "open_area_time_occluded", "s", "open_area_time for an occluded site (clinical.h eq. 4)") \
    X(NS_R_TIME_TO_EFFECT, "time_to_effect", "s", "first time the free drug concentration at procedure.nerve_depth, midway between channels, exceeds drug.effect_threshold (Huang 1996 for lidocaine); NaN if never in the run or no threshold") \
    X(NS_R_INTACT_TIME_TO_EFFECT, "intact_time_to_effect", "s", "time_to_effect on the same skin without needles (baseline)") \
    X(NS_R_POLAR_PERMEABILITY, "polar_permeability", "m/s", "polar (aqueous pore) part of intact_permeability") \
    X(NS_R_INTACT_BELOW_DETECTION, "intact_below_detection", "1", "1 if intact_permeated_amount is below drug.detection_floor (default 1 ng/cm2; enhancement_ratio then compares with an amount no assay would see), else 0") \
    X(NS_R_T90_FLUX, "t90_flux", "s", "first time the flux reaches 90 % of its largest value over the output times") \
    X(NS_R_BURST_FRACTION, "burst_fraction", "1", "share of the permeated amount that came in the first tenth of the run (constant flux: 0.1)") \
    X(NS_R_EXTRA_AMOUNT_PER_NEEDLE, "extra_amount_per_needle", "kg", "extra drug permeated through one needle's channel: (permeated - intact) x unit-cell area; NaN without a baseline") \
    X(NS_R_PORE_HALF_LIFE, "pore_half_life", "s", "radius half-life of the channel below the stratum corneum (pore closure)") \
    X(NS_R_DELIVERED_BEFORE_CLOSURE, "delivered_before_closure", "kg/m2", "drug that entered the skin before the channel closed to the solute (radius below its radius); NaN if it stayed open in the run")

#define NS_CURVE_LIST(X)                                                                       \
    X(NS_C_INSERTION_TIME, "insertion_time", "insertion_point", "s", "time since first contact") \
    X(NS_C_INSERTION_TRAVEL, "insertion_travel", "insertion_point", "m", "needle travel after first contact") \
    X(NS_C_INSERTION_FORCE, "insertion_force", "insertion_point", "N", "force per needle")   \
    X(NS_C_TIP_DEPTH, "tip_depth", "insertion_point", "m", "tip depth below the undeformed skin surface") \
    X(NS_C_PERMEATED_AMOUNT, "permeated_amount", "time", "kg/m2", "cumulative permeated amount") \
    X(NS_C_FLUX, "flux", "time", "kg/(m2 s)", "flux into the receptor/systemic side") \
    X(NS_C_CHANNEL_RADIUS, "channel_radius", "time", "m", "channel radius at the skin surface (barrier closure, models/channel.h eq. 3)") \
    X(NS_C_PORE_RADIUS, "pore_radius", "time", "m", "channel radius at half the channel depth (pore closure when below the stratum corneum)")

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
