/* Unit factors: multiply a value in the named unit to get SI.
 * Used only at the edge (sim/config.c, presets written in readable units);
 * everything inside models/ and sim/ is SI (m, s, kg, N, Pa, mol). */
#ifndef NS_UNITS_H
#define NS_UNITS_H

#define NS_PI 3.14159265358979323846

/* length [m] */
#define NS_M 1.0
#define NS_CM 1.0e-2
#define NS_MM 1.0e-3
#define NS_UM 1.0e-6
#define NS_NM 1.0e-9
/* area [m^2] */
#define NS_CM2 1.0e-4
#define NS_MM2 1.0e-6
/* time [s] */
#define NS_S 1.0
#define NS_MS 1.0e-3
#define NS_MIN 60.0
#define NS_HOUR 3600.0
#define NS_DAY 86400.0
/* mass [kg] */
#define NS_KG 1.0
#define NS_G 1.0e-3
#define NS_MG 1.0e-6
#define NS_UG 1.0e-9
/* force [N], pressure [Pa], energy [J] */
#define NS_N 1.0
#define NS_MN 1.0e-3
#define NS_PA 1.0
#define NS_KPA 1.0e3
#define NS_MPA 1.0e6
#define NS_GPA 1.0e9
/* molar mass: g/mol (= Da) in kg/mol */
#define NS_G_PER_MOL 1.0e-3
/* concentration: mg/mL = kg/m^3 */
#define NS_MG_PER_ML 1.0
/* permeability: cm/h in m/s */
#define NS_CM_PER_H (1.0e-2 / 3600.0)
/* diffusivity: cm^2/s in m^2/s */
#define NS_CM2_PER_S 1.0e-4
/* angle: degree in rad */
#define NS_DEG (NS_PI / 180.0)

/* Physical constants (CODATA 2018, exact where defined). */
#define NS_BOLTZMANN 1.380649e-23  /* [J/K] */
#define NS_AVOGADRO 6.02214076e23  /* [1/mol] */
#define NS_BODY_TEMPERATURE 305.15 /* [K] skin surface, 32 C (Franz-cell standard) */

#endif
