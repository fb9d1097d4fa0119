/* Parameter structs shared by every model: skin layer stack, needle, array,
 * applicator, drug and dosing, channel, numerics. All fields SI, unit in
 * brackets. sim/config fills them (defaults from presets, then overrides);
 * the models read them. A NaN in a field marked "NaN = derive" means the
 * model derives it (e.g. layer diffusivity from the drug).
 *
 * This header only declares data; the functions live in skin.h, needle.h,
 * drug.h and the solver headers. */
#ifndef NS_PARAMS_H
#define NS_PARAMS_H

#include <stddef.h>

/* ---- skin ---------------------------------------------------------------- */

typedef enum {
    NS_LAYER_SC = 0,     /* stratum corneum */
    NS_LAYER_VE = 1,     /* viable epidermis */
    NS_LAYER_DERMIS = 2, /* dermis */
    NS_LAYER_HYPO = 3,   /* hypodermis (subcutaneous fat) */
    NS_LAYER_MAX = 4
} ns_layer_id;

/* The `membrane` preset has one layer (index 0) named "membrane". */

typedef struct {
    double thickness;           /* [m]      layer thickness */
    double density;             /* [kg/m^3] mass density */
    double youngs_modulus;      /* [Pa]     small-strain Young's modulus */
    double stiffening;          /* [-]      strain-stiffening coefficient beta:
                                            E(eps) = E0 (1 + beta eps^2) */
    double poisson;             /* [-]      Poisson ratio, 0 <= nu < 0.5 */
    double toughness;           /* [J/m^2]  fracture (cutting) toughness G_c */
    double friction;            /* [-]      needle-tissue friction coefficient */
    double relaxation_time;     /* [s]      viscoelastic relaxation time tau */
    double relaxation_fraction; /* [-]      relaxing fraction g of the modulus, 0..1 */
    double diffusivity;         /* [m^2/s]  drug diffusivity; NaN = derive from drug */
    double partition;           /* [-]      layer/vehicle partition; NaN = derive */
    double clearance;           /* [1/s]    first-order capillary clearance k_cl */
    double open_fraction;       /* [-]      channel radius / needle radius left open
                                            after withdrawal in this layer, 0..1 */
} ns_layer;

typedef struct {
    char preset[32];            /* [-]   preset name, e.g. "forearm" */
    int membrane;               /* [-]   1: one homogeneous layer ("membrane") */
    size_t n_layers;            /* [-]   1 (membrane) or 4 */
    ns_layer layer[NS_LAYER_MAX];
    double pretension;          /* [N/m] in-plane skin tension N0 */
    double backing_stiffness;   /* [N/m^3] foundation stiffness of the support
                                           under the hypodermis (bone/muscle or lab) */
    double temperature;         /* [K]   skin temperature */
    double viscosity;           /* [Pa s] Kelvin-Voigt shear viscosity of the skin layers above
                                          the fat (models/insertion.h, eq. K1) */
    double age;                 /* [s]   age of the skin (models/ageing.h); NaN = the
                                         preset's reference (no scaling) */
    int age_applied;            /* [-]   1 once ageing.h eq. (1) scaled the layers (not a key) */
} ns_skin_params;

/* ---- needle, array, applicator -------------------------------------------- */

typedef enum {
    NS_SHAPE_CONICAL = 0,
    NS_SHAPE_PYRAMIDAL,
    NS_SHAPE_BEVELLED,
    NS_SHAPE_CYLINDRICAL, /* flat-ended cylinder (blunt punch) */
    NS_SHAPE_COUNT
} ns_needle_shape;

typedef struct {
    char preset[32];
    ns_needle_shape shape;
    double length;          /* [m]   protrusion length from the base plate to the tip */
    double base_diameter;   /* [m]   diameter (or pyramid base width) at the base */
    double tip_radius;      /* [m]   radius of curvature of the tip */
    double tip_angle;       /* [rad] full included tip angle (bevel angle for bevelled) */
    double bore_diameter;   /* [m]   inner (lumen) diameter, 0 = solid */
    double youngs_modulus;  /* [Pa]  needle material modulus */
    double strength;        /* [Pa]  yield or fracture strength of the material */
    double buckling_k;      /* [-]   Euler effective-length factor K (2: fixed-free) */
} ns_needle_params;

typedef enum {
    NS_LAYOUT_NONE = 0, /* intact skin: no insertion (baseline) */
    NS_LAYOUT_SINGLE,
    NS_LAYOUT_SQUARE,
    NS_LAYOUT_HEXAGONAL,
    NS_LAYOUT_ROLLER,
    NS_LAYOUT_COUNT
} ns_array_layout;

typedef struct {
    ns_array_layout layout;
    double count;   /* [-]     number of needles (double so it can be swept) */
    double density; /* [1/m^2] needles per area; NaN = derive from pitch */
    double pitch;   /* [m]     centre spacing; NaN = derive from density */
} ns_array_params;

typedef enum {
    NS_APPLICATOR_PRESS = 0,
    NS_APPLICATOR_IMPACT,
    NS_APPLICATOR_PEN,
    NS_APPLICATOR_ROLLER,
    NS_APPLICATOR_COUNT
} ns_applicator_mode;

typedef struct {
    ns_applicator_mode mode;
    double speed;         /* [m/s] press speed, impact speed or rolling speed */
    double force;         /* [N]   force cap of a press / hand force on a roller */
    double mass;          /* [kg]  moving mass of an impact applicator */
    double stroke;        /* [m]   maximum travel of a press after first contact */
    double hold_time;     /* [s]   hold at the force cap or stroke before withdrawal */
    double frequency;     /* [Hz]  pen stroke frequency */
    double depth_setting; /* [m]   pen needle protrusion setting (not tissue depth) */
    double drum_radius;   /* [m]   roller drum radius */
} ns_applicator_params;

/* ---- drug and dosing -------------------------------------------------------- */

typedef enum {
    NS_DOSE_INFINITE = 0, /* constant vehicle concentration on the surface */
    NS_DOSE_FINITE,       /* well-mixed vehicle film that depletes */
    NS_DOSE_COATED,       /* drug coated on the needle, dissolving into the channel fluid */
    NS_DOSE_DISSOLVING,   /* drug loaded in a dissolving (drug-in-polymer) needle */
    NS_DOSE_COUNT
} ns_dose_mode;

typedef enum {
    NS_APPLIED_AFTER = 0, /* vehicle applied after needling (channels start empty) */
    NS_APPLIED_BEFORE,    /* applied before: the vehicle fills each channel as it is made */
    NS_APPLIED_COUNT
} ns_applied_mode;

typedef struct {
    char preset[32];
    double molecular_weight; /* [kg/mol] molar mass */
    double log_kow;          /* [-]      log10 octanol/water partition coefficient */
    double free_diffusivity; /* [m^2/s]  diffusivity in water at skin temperature */
    double radius;           /* [m]      hydrodynamic (Stokes) radius; NaN = derive */
    double concentration;    /* [kg/m^3] vehicle concentration (infinite/finite dose) */
    ns_dose_mode dose;
    double film_thickness;   /* [m]      vehicle film thickness (finite dose) */
    double coated_mass;      /* [kg]     drug mass per needle (coated and dissolving dose) */
    double solubility;       /* [kg/m^3] aqueous solubility at skin temperature (coating
                                         dissolution, models/diffusion.h) */
    double dissolution_time; /* [s]      dissolving needle: time to dissolve completely */
    ns_applied_mode applied; /* [-]      vehicle applied before or after needling */
    double applied_delay;    /* [s]      applied after: time from withdrawal to application */
    double effect_threshold; /* [kg/m^3] free concentration at the nerve depth that gives
                                         the effect (time_to_effect); NaN = none */
    double detection_floor;  /* [kg/m^2] smallest permeated amount an assay quantifies
                                         (intact_below_detection; models/drug.h sec. 7) */
} ns_drug_params;

/* ---- channel ------------------------------------------------------------------- */

typedef enum {
    NS_SPECIES_HUMAN = 0, /* human skin (closure data: Gupta 2011, PMC8259462) */
    NS_SPECIES_RAT,       /* hairless rat (closure data: Kalluri 2011) */
    NS_SPECIES_COUNT
} ns_species;

typedef struct {
    int occluded;        /* [-] 1: occluded site (closure slower) */
    double half_life;    /* [s] channel closure half-life (barrier and pore alike);
                            NaN = from the covariates (models/channel.h eq. 3) */
    ns_species species;  /* [-] species of the closure data (age: skin.age) */
    double floor_recovery; /* [-] part of the cut below the SC that closes again at the
                              channel floor on withdrawal, 0..1 (models/channel.h eq. 1) */
} ns_channel_params;

/* ---- diffusion set-up ---------------------------------------------------------- */

typedef enum {
    NS_BOTTOM_SINK = 0, /* perfect sink (receptor, Franz cell) at z = H */
    NS_BOTTOM_NOFLUX,   /* zero flux at z = H */
    NS_BOTTOM_COUNT
} ns_bottom_bc;

typedef struct {
    double duration;        /* [s] simulated time of the diffusion run */
    size_t output_times;    /* [-] number of log-spaced output times */
    ns_bottom_bc bottom;    /* receptor boundary */
    double depth;           /* [m] modelled depth H; NaN = SC+VE+dermis */
} ns_transport_params;

/* ---- numerics -------------------------------------------------------------------- */

typedef struct {
    /* insertion */
    size_t ins_n_r;         /* [-] radial grid points of the tenting solver */
    double ins_rtol;        /* [-] relative tolerance of the adaptive time stepping */
    size_t ins_max_steps;   /* [-] step cap */
    size_t ins_max_newton;  /* [-] Newton iteration cap per step */
    int ins_cut_warm_start; /* [-] 1: cut-depth root warm-started from the last Newton iterate */
    /* diffusion */
    size_t diff_n_r;        /* [-] radial cells */
    size_t diff_n_z;        /* [-] axial cells */
    double diff_rtol;       /* [-] relative tolerance of adaptive steps */
    size_t diff_max_steps;  /* [-] step cap */
    double diff_rim_refine; /* [-] channel-rim grid refinement (models/diffusion.h); 0: none */
    double diff_cut_faces;  /* [-] 1: SC-base faces of cut cells split into material paths; 0: mixes */
    /* output */
    size_t curve_points;    /* [-] points of each resampled curve */
    /* limits */
    double case_timeout;    /* [s] wall-clock limit of one case (models/deadline.h); 0 = none */
} ns_numerics_params;

/* ---- insertion calibration -------------------------------------------------- */
/* Calibration constants of the insertion model; each is a config key in
 * [insertion] and its source or fit is documented in models/insertion.h and
 * tests/. Owned by models/insertion. */
typedef struct {
    double crack_width_factor; /* [-] crack width / needle diameter during cutting */
    double spreading_factor;   /* [-] scale of the elastic crack-spreading pressure */
    double damping_ratio;      /* [-] extra numerical/physical damping ratio */
    double plate_stiffness;    /* [N/m^3] base-plate contact penalty stiffness; NaN = derive */
    double puncture_factor;    /* [-] former puncture law (kappa pi sqrt(E* G_c) r_t^1.5): read by
                                          no model since both use tip law T1; kept for old configs */
    double withdraw_speed;     /* [m/s] withdrawal speed after an impact; 0 or NaN = 1 mm/s */
    double foundation_stiffening; /* [-] compression stiffening of the foundation added to the
                                            hypodermis law: k(w) = k0 (1 + beta w^2 / H^2);
                                            NaN = calibrated default (models/insertion.h) */
    double blunt_pressure_factor; /* [-] former puncture law (c_p E* pi r_t^2): read by no model
                                            since both use tip law T1; kept for old configs */
    int model;                 /* [-] ns_ins_model: fast sheet model or continuum reference */
    double shaft_pressure_factor; /* [-] f_p of the shaft contact pressure p_s = f_p E* psi / 2
                                            of the crack relaxing onto the needle (tip law T3) */
    double puncture_crack_factor;    /* [-] kappa of tip law T1 (crack term kappa G_c l_c) */
    double puncture_pressure_factor; /* [-] c_p of tip law T1 (pressure term c_p phi E* A_c) */
    double reserved[1];        /* room for further constants without ABI churn */
} ns_insertion_calib;

/* ---- procedure (models/procedure.h) ------------------------------------------- */

typedef enum {
    NS_DEVICE_NONE = 0, /* no procedure: one stroke of one needle (the case as before) */
    NS_DEVICE_STAMP,    /* stamp or patch pressed `passes` times at random offsets */
    NS_DEVICE_ROLLER,   /* needle drum rolled `passes` times over the area */
    NS_DEVICE_PEN,      /* motorised pen glided `passes` times over the area */
    NS_DEVICE_COUNT
} ns_device_kind;

typedef struct {
    char preset[32];     /* device preset (models/procedure.h); "" = none */
    ns_device_kind device;
    double passes;       /* [-]   passes over the treated area (double so it can be swept) */
    double rows;         /* [-]   roller: needle rows around the drum circumference */
    double drum_width;   /* [m]   roller: drum width (the radius is applicator.drum_radius) */
    double glide_speed;  /* [m/s] pen: speed of the pen over the skin */
    double swath_width;  /* [m]   pen: width of the track of one pass */
    double area;         /* [m^2] treated area */
    double site_radius;  /* [m]   radius of curvature of the site across the device;
                                  NaN = flat */
    double sessions;     /* [-]   treatment sessions */
    double interval;     /* [s]   time between the starts of two sessions */
    double nerve_depth;  /* [m]   depth of the nerve terminals for time_to_effect;
                                  NaN = middle of the viable epidermis */
} ns_procedure_params;

/* Skin-response model of the insertion (key insertion.model). */
typedef enum {
    NS_INS_MODEL_FAST = 0,      /* sheet on a foundation, models/insertion.h (sweeps) */
    NS_INS_MODEL_CONTINUUM,     /* axisymmetric finite-strain solid, models/continuum.h */
    NS_INS_MODEL_COUNT
} ns_ins_model;

/* ---- the whole case -------------------------------------------------------------- */

typedef struct {
    ns_skin_params skin;
    ns_needle_params needle;
    ns_array_params array;
    ns_applicator_params applicator;
    ns_drug_params drug;
    ns_channel_params channel;
    ns_transport_params transport;
    ns_numerics_params numerics;
    ns_insertion_calib insertion;
    ns_procedure_params procedure;
} ns_params;

#endif
