"""The treatment section of the report: the procedure results of a run with a
``[procedure]`` section, as answers to a clinician's questions.

Which setting reaches the dermis (``deepest_layer``, ``max_tissue_depth``
beside ``depth_setting``), how much serum gets in (``session_dose``,
``treatment_dose``), how long the channels stay open (``channel_half_life`` and
the time to close to 10 % of the radius, ``open_area_time``), how many bleeding
points (``bleeding_points``) and how much pain (``pain_index``, relative to a
26G hypodermic). The models and their validity are in models/procedure.h and
models/clinical.h; this module only formats the results of the file.
"""
import math

import numpy as np

# radius fraction at which a channel counts as closed (models/procedure.h,
# NS_PROC_RESEALED_FRACTION): time to close = half-life x log2(1 / 0.1)
CLOSED_FRACTION = 0.1
# needle travel [m] up to which a needle that did not puncture is a short
# needle pressed by hand (verbaan2008: 245-300 um arrays, models/REFERENCES.md)
SHORT_NEEDLE = 0.3e-3


def _param(df, key):
    """Per-case values of a config key: its column if swept, else the constant
    (or case 0's value for a section with a swept key: a key that is not
    itself swept has the value of the file in every case)."""
    if key in df.columns:
        return list(df[key])
    a = df.attrs
    v = a.get("constants", {}).get(key, a.get("case0_values", {}).get(key))
    return [v] * len(df)


def has_procedure(df):
    """True if any case of the run used a procedure device."""
    return any(str(d) not in ("none", "None", "nan", "0", "0.0") for d in _param(df, "procedure.device")) \
        and "puncture_density" in df.columns and np.isfinite(df["puncture_density"]).any()


def _f(v, fmt):
    try:
        x = float(v)
    except (TypeError, ValueError):
        return str(v)
    return "–" if math.isnan(x) else fmt % x


def _label(df, i, dev, setting):
    return "case %d: %s at %s mm" % (df.index[i], dev, _f(setting * 1e3, "%.2f"))


def section(df, esc):
    """HTML of the treatment section ('' if the run has no procedure)."""
    if not has_procedure(df):
        return ""
    ok = (df["status"].astype(str) == "ok").to_numpy()
    dev = _param(df, "procedure.device")
    sessions = _param(df, "procedure.sessions")
    rows, answers = [], {}
    g = lambda k: df[k].to_numpy(dtype=float) if k in df.columns else np.full(len(df), np.nan)
    setting, depth, layer = g("depth_setting"), g("max_tissue_depth"), list(df["deepest_layer"].astype(str))
    dose, total, half = g("session_dose"), g("treatment_dose"), g("channel_half_life")
    bleed, pain, extra = g("bleeding_points"), g("pain_index"), g("pain_extrapolated")
    oat, oat_occ, tte, tte0 = g("open_area_time"), g("open_area_time_occluded"), g("time_to_effect"), \
        g("intact_time_to_effect")
    density, early = g("puncture_density"), g("early_session")
    close_h = half * math.log2(1.0 / CLOSED_FRACTION) / 3600.0
    for i in range(len(df)):
        if not ok[i]:
            continue
        lab = _label(df, i, dev[i], setting[i])
        rows.append("<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td>"
                    "<td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>" % (
                        esc(lab), _f(depth[i] * 1e6, "%.0f"), esc(layer[i]),
                        _f(density[i] * 1e-4, "%.0f"), _f(dose[i] * 1e5, "%.3g"),
                        _f(total[i] * 1e5, "%.3g"),
                        _f(close_h[i], "%.1f") if depth[i] > 0 else "no channel",
                        _f(bleed[i] * 1e-4, "%.1f"),
                        _f(pain[i] * 100, "%.1f") + (" *" if extra[i] == 1 else ""),
                        _f(tte[i] / 60, "%.1f") + " / " + _f(tte0[i] / 60, "%.0f")))
    idx = [i for i in range(len(df)) if ok[i]]
    dermis = [i for i in idx if layer[i] in ("dermis", "hypodermis")]
    punct, tent, travel, fmax = g("punctured"), g("max_tenting"), g("max_travel"), g("max_force")
    unpunct = [i for i in idx if punct[i] == 0]
    short = [i for i in unpunct if travel[i] <= SHORT_NEEDLE]
    answers["Which setting reaches the dermis?"] = (
        "The settings that reach the dermis: %s. Shallower: %s.%s" % (
            ", ".join(_label(df, i, dev[i], setting[i]) for i in dermis) or "none",
            ", ".join("%s (%s, %s um)" % (_label(df, i, dev[i], setting[i]), layer[i],
                                          _f(depth[i] * 1e6, "%.0f"))
                      for i in idx if i not in dermis) or "none",
            (" Not punctured at all (punctures per area but no channels, no serum uptake "
             "through channels): %s: the needle indents the skin without breaching the "
             "stratum corneum, its peak force below the puncture force of its tip.%s" % (
                 "; ".join("%s (peak force %s mN, skin deflection %s um of %s um travel)" % (
                     _label(df, i, dev[i], setting[i]), _f(fmax[i] * 1e3, "%.0f"),
                     _f(tent[i] * 1e6, "%.0f"), _f(travel[i] * 1e6, "%.0f")) for i in unpunct),
                 " Needles of at most 0.3 mm pressed by hand often do not pierce: microneedle "
                 "arrays of 245-300 um applied by hand did not pierce human skin (Verbaan et al. "
                 "2008); on a roller the needle is pressed fully in and its tip still needs more "
                 "indentation than the needle is long (models/insertion/roller.c eq. D3)."
                 if short else "") if unpunct else "")))
    best = max(idx, key=lambda i: dose[i] if np.isfinite(dose[i]) else -1) if idx else None
    answers["How much serum gets in?"] = (
        "Per session %s ug/cm2 into the viable skin and beyond (most: %s), over %s sessions "
        "%s ug/cm2 in total. Sessions are identical copies of the first: long-term remodelling "
        "is not modelled." % (
            ", ".join(_f(dose[i] * 1e5, "%.3g") for i in idx),
            _label(df, best, dev[best], setting[best]) if best is not None else "–",
            _f(sessions[0], "%.0f"),
            ", ".join(_f(total[i] * 1e5, "%.3g") for i in idx)))
    answers["How long do the channels stay open?"] = (
        "The channels stay open with a half-life of %s h; they close to 10 %% of their radius in "
        "%s h. Open area x time per skin area: %s s (open site), %s s (occluded).%s" % (
            ", ".join(_f(half[i] / 3600, "%.2f") for i in idx),
            ", ".join(_f(close_h[i], "%.1f") if depth[i] > 0 else "no channel" for i in idx),
            ", ".join(_f(oat[i], "%.3g") for i in idx), ", ".join(_f(oat_occ[i], "%.3g") for i in idx),
            " A session starts before the barrier has recovered in cases %s." % ", ".join(
                str(df.index[i]) for i in idx if early[i] == 1) if any(early[i] == 1 for i in idx) else
            " Every next session starts after the barrier has recovered."))
    answers["How many bleeding points?"] = (
        "Expected bleeding points per cm2 (capillary loops struck, Blicharz et al. 2018): %s." % (
            ", ".join("%s: %s" % (_label(df, i, dev[i], setting[i]), _f(bleed[i] * 1e-4, "%.1f"))
                      for i in idx)))
    answers["How much pain?"] = (
        "Pain relative to a 26G hypodermic needle (Gill et al. 2008 power law; * outside the "
        "tested 480-1450 um and 1-50 needles): %s." % ", ".join(
            "%s: %s %%%s" % (_label(df, i, dev[i], setting[i]), _f(pain[i] * 100, "%.1f"),
                             " *" if extra[i] == 1 else "") for i in idx))
    p = ["<h2 id='treatment'>Treatment</h2>",
         "<p class='note'>Procedure results (models/procedure.h, models/clinical.h): each is a "
         "stated model with its source and validity, not a measurement on the patient.</p>"]
    for q, a in answers.items():
        p.append("<h3>%s</h3><p>%s</p>" % (esc(q), esc(a)))
    p.append("<table class='cases' id='treatment-table'><thead><tr><th>case</th><th>depth (um)"
             "</th><th>deepest layer</th><th>punctures /cm2</th><th>dose per session (ug/cm2)"
             "</th><th>total dose (ug/cm2)</th><th>closed after (h)</th><th>bleeding /cm2</th>"
             "<th>pain (%% of 26G)</th><th>time to effect needled / intact (min)</th></tr></thead>"
             "<tbody>%s</tbody></table>" % "".join(rows))
    return "".join(p)
