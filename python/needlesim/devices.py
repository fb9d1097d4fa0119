"""Devices of a sweep: grouping, aggregation, derived quantities and flags.

A device is one combination of the swept keys of the device sections
(DEVICE_SECTIONS: needle, array, applicator, procedure); the other swept
keys (skin site, drug, tissue properties...) are the conditions a device
meets, and each device's results are aggregated over them as the median
with the 10th and 90th percentiles of its ok cases. With no swept device key
every case belongs to one device.

Derived per case (added as columns by derive()):
  total_dose          [kg]  permeated_amount [kg/m2] x treated area, the area
                            being array.count / needle_density (the patch
                            footprint); undefined for a single needle
                            (needle_density 0) and for intact skin
  channel_open_time   [s]   time until the channel radius is down to 10 %:
                            t_half log2(10), the "resealed" reading of the
                            closure law r = r0 2^(-t/t_half) (models/channel.h)
  reaches_dermis      [-]   1 if the deepest layer reached is the dermis or
                            below it, else 0 (undefined without a dermis)

Flags of a device (flag_table()), over its ok cases:
  dermis       every case reaches the dermis
  punctured    fraction of cases whose needle breached the stratum corneum
               (`punctured`; a result `punctured_fraction` is used when the
               file has one), shown as a number, passed at 1
  buckling>=2  buckling_margin >= MARGIN in every case
  fracture>=2  fracture_margin >= MARGIN in every case (n/a when the file has
               no fracture margin)
  force cap    total_force <= applicator.force (the hand or device force cap)
               in every case, within FORCE_CAP_RTOL (0.1 %: a press stops at
               the cap up to its force control's tolerance, 10.000002 N for 10 N)
Clinical indices: results whose name ends in "_index" (for example a pain
index) are aggregated like the other results when the file has them.
"""
import math

import numpy as np

from .loader import NeedlesimError, check_result

DEVICE_SECTIONS = ("needle", "array", "applicator", "procedure")
MARGIN = 2.0                        # required buckling and fracture safety factor
FORCE_CAP_RTOL = 1e-3               # the press force control settles within 0.1 % of the cap
CLOSED_FRACTION = 0.1               # channel counted as closed at 10 % of its radius
DERMIS = "dermis"
RANK_DEFAULT = ("permeated_amount", "penetration_depth")

# Result columns of the device table, in order; those missing in a file are left out.
TABLE_RESULTS = ["penetration_depth", "reaches_dermis", "max_force", "total_force",
                 "buckling_margin", "fracture_margin", "total_dose", "enhancement_ratio",
                 "channel_open_time"]


def device_keys(df):
    """Swept keys of the device sections, in [sweep] order."""
    order = df.attrs.get("sweep", {}).get("axes") or df.attrs.get("swept", [])
    swept = set(df.attrs.get("swept", []))
    return [k for k in order if k in swept and k.split(".", 1)[0] in DEVICE_SECTIONS]


def condition_keys(df):
    """Swept keys that are not device keys (aggregated over)."""
    dev = set(device_keys(df))
    return [k for k in df.attrs.get("swept", []) if k not in dev]


def value(df, key):
    """Per-case values of a parameter: the column, else the constant (or the
    case-0 value) broadcast; None if the file does not have the key."""
    if key in df.columns:
        return df[key]
    for src in ("constants", "case0_values"):
        if key in df.attrs.get(src, {}):
            return df.index.to_series().map(lambda _c, v=df.attrs[src][key]: v)
    return None


def derive(df):
    """df with total_dose, channel_open_time and reaches_dermis added (see
    the module text); units and descriptions registered in df.attrs."""
    out = df.copy()
    out.attrs = dict(df.attrs)
    units = dict(df.attrs.get("units", {}))
    desc = dict(df.attrs.get("descriptions", {}))
    n = len(out)
    if "permeated_amount" in out and "needle_density" in out:
        count = value(out, "array.count")
        count = count.astype(float).values if count is not None else np.ones(n)
        dens = out["needle_density"].astype(float).values
        with np.errstate(divide="ignore", invalid="ignore"):
            area = np.where((dens > 0) & np.isfinite(dens), count / dens, np.nan)
        out["total_dose"] = out["permeated_amount"].astype(float).values * area
        units["total_dose"] = "kg"
        desc["total_dose"] = "permeated amount x treated area (array.count / needle density)"
    if "channel_half_life" in out:
        out["channel_open_time"] = out["channel_half_life"].astype(float) * math.log2(
            1.0 / CLOSED_FRACTION)
        units["channel_open_time"] = "s"
        desc["channel_open_time"] = "time until the channel radius is down to 10 %"
    if "deepest_layer" in out and out["deepest_layer"].dtype.name == "category":
        cats = list(out["deepest_layer"].cat.categories)
        if DERMIS in cats:
            pos = cats.index(DERMIS)
            codes = out["deepest_layer"].cat.codes.values.astype(float)
            codes[codes < 0] = np.nan
            with np.errstate(invalid="ignore"):
                out["reaches_dermis"] = np.where(np.isfinite(codes),
                                                 (codes >= pos).astype(float), np.nan)
            units["reaches_dermis"] = "1"
            desc["reaches_dermis"] = "1 if the needle reached the dermis or deeper"
    out.attrs["units"], out.attrs["descriptions"] = units, desc
    return out


def rank_result(df, rank_by=None):
    """The result to rank devices by: rank_by if given (checked), else the
    first of RANK_DEFAULT in the file."""
    if rank_by:
        return check_result(df, rank_by, "result to rank by")
    for r in RANK_DEFAULT:
        if r in df.columns:
            return r
    raise NeedlesimError("needlesim: nothing to rank by (no %s)" % " or ".join(RANK_DEFAULT))


def clinical_results(df):
    return [r for r in df.attrs.get("results", []) if r.endswith("_index") and r in df]


def _quantiles(x):
    x = np.asarray(x, dtype=float)
    x = x[np.isfinite(x)]
    if not x.size:
        return (np.nan, np.nan, np.nan)
    return tuple(float(v) for v in np.percentile(x, [50, 10, 90]))


def _all_ge(x, limit):
    x = np.asarray(x, dtype=float)
    if not x.size or not np.all(np.isfinite(x)):
        return None
    return bool(np.all(x >= limit))


def summarise(df, rank_by=None, ascending=False):
    """One row per device, best first by the median of rank_by.

    Returns (table, keys, results): table is a DataFrame indexed by device
    label with columns "cases", "ok", "rank", for each result r the columns
    r, r+"|p10", r+"|p90", and the flag columns "flag:dermis",
    "flag:punctured", "flag:buckling", "flag:fracture", "flag:force_cap"
    (True / False / None = not applicable). df must come from derive()."""
    pd = __import__("pandas")
    keys = device_keys(df)
    rank_by = rank_result(df, rank_by)
    results = [r for r in TABLE_RESULTS if r in df.columns]
    results += [r for r in clinical_results(df) if r not in results]
    if rank_by not in results:
        results.insert(0, rank_by)
    grouped = df.groupby(keys, dropna=False, sort=False) if keys else [((), df)]
    cap = value(df, "applicator.force")
    rows, labels = [], []
    for key, g in grouped:
        key = key if isinstance(key, tuple) else (key,)
        ok = g[g["status"].astype(str) == "ok"]
        row = {"cases": len(g), "ok": len(ok)}
        for k, v in zip(keys, key):
            row["key:" + k] = v
        for r in results:
            row[r], row[r + "|p10"], row[r + "|p90"] = _quantiles(ok[r].values) if len(ok) else \
                (np.nan,) * 3
        row["flag:dermis"] = (None if "reaches_dermis" not in ok or not len(ok) else
                              _all_ge(ok["reaches_dermis"].values, 1.0))
        pf = "punctured_fraction" if "punctured_fraction" in ok else "punctured"
        row["punctured"] = float(np.nanmean(ok[pf].astype(float))) if pf in ok and len(ok) \
            else np.nan
        row["flag:punctured"] = None if not np.isfinite(row["punctured"]) else \
            row["punctured"] >= 1.0
        row["flag:buckling"] = (_all_ge(ok["buckling_margin"].values, MARGIN)
                                if "buckling_margin" in ok and len(ok) else None)
        row["flag:fracture"] = (_all_ge(ok["fracture_margin"].values, MARGIN)
                                if "fracture_margin" in ok and len(ok) else None)
        if cap is not None and "total_force" in ok and len(ok):
            c = cap.loc[ok.index].astype(float).values
            f = ok["total_force"].astype(float).values
            row["flag:force_cap"] = bool(np.all(f <= c * (1 + FORCE_CAP_RTOL))) if np.all(
                np.isfinite(f) & np.isfinite(c)) else None
        else:
            row["flag:force_cap"] = None
        rows.append(row)
        labels.append(device_label(df, keys, key))
    table = pd.DataFrame(rows, index=pd.Index(labels, name="device"))
    order = table[rank_by].astype(float)
    order = order.fillna(np.inf if ascending else -np.inf)
    table = table.loc[order.sort_values(ascending=ascending, kind="mergesort").index]
    table.insert(0, "rank", np.arange(1, len(table) + 1))
    table.attrs.update({"keys": keys, "rank_by": rank_by, "ascending": ascending,
                        "conditions": condition_keys(df), "results": results,
                        "units": df.attrs.get("units", {}),
                        "descriptions": df.attrs.get("descriptions", {})})
    return table, keys, results


def device_label(df, keys, key, names=True):
    """"needle.length 500 µm, applicator.mode press" in display units
    (names=False: "500 µm, press")."""
    from .units import display_unit
    if not keys:
        return "all cases"
    parts = []
    for k, v in zip(keys, key):
        prefix = (k + " ") if names else ""
        if isinstance(v, str):
            parts.append(prefix + v)
        else:
            f, u = display_unit(df.attrs["units"].get(k, ""), df[k].values, k)
            parts.append("%s%.4g%s" % (prefix, v / f, "" if u in ("", "-") else " " + u))
    return ", ".join(parts)


def short_label(df, table, label):
    """Values only of a summarise() row: "500 µm, 200 1/cm², press"."""
    keys = table.attrs["keys"]
    return device_label(df, keys, tuple(table.at[label, "key:" + k] for k in keys), names=False)


def members(df, table):
    """{device label: case index list} of a summarise() table."""
    keys = table.attrs["keys"]
    out = {}
    for label, row in table.iterrows():
        m = np.ones(len(df), dtype=bool)
        for k in keys:
            v = row["key:" + k]
            m &= (df[k].values == v)
        out[label] = list(df.index[m])
    return out
