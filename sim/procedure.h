/* The procedure layer of a case (models/procedure.h, models/clinical.h): the
 * transport parameters of the achieved channel population and the procedure
 * and clinical results. sim/case.c calls these two functions; without
 * procedure.device they leave the case as it was (same transport, procedure
 * results NaN). */
#ifndef NS_SIM_PROCEDURE_H
#define NS_SIM_PROCEDURE_H

#include "../models/channel.h"
#include "../models/insertion.h"
#include "../models/params.h"
#include "results.h"

/* *q = *p; with a device and an open channel the array of q is the equal-area
 * cell of the distinct channels of the session (procedure.h eq. 8) instead of
 * the device's needle pitch. Exceptions: NS_EINVAL (from ns_proc_eval). */
ns_status ns_case_procedure_transport(const ns_params *p, const ns_ins_result *ins,
                                      const ns_channel_geom *ch, ns_params *q);

/* Fill the procedure and clinical results of r (after the transport, whose
 * permeated and skin amounts give the session dose). A stamp counts the
 * needles that punctured (r's punctured_fraction x array.density), the same
 * population the transport used. No device: nothing.
 * Exceptions: NS_EINVAL (from the models). */
ns_status ns_case_procedure_results(const ns_params *p, const ns_ins_result *ins,
                                    const ns_channel_geom *ch, ns_case_result *r);

#endif
