"""Global sensitivity of a result to the swept inputs.

Sobol indices (files of a `saltelli` sweep). With N base points and K axes
the file holds N (K + 2) cases in blocks of N: A, B, AB_1 .. AB_K, AB_k
being A with column k taken from B (sim/sweep.h). For a result f, with
f_A, f_B, f_ABk the values of base point j in each block and
V = Var([f_A, f_B]) (population variance of the 2N values):

    S1_k = mean( f_B (f_ABk - f_A) ) / V            Saltelli et al. (2010), eq. (b)
    ST_k = mean( (f_A - f_ABk)^2 ) / (2 V)          Jansen (1999)

the estimators SALib's `sobol.analyze` uses. Confidence: the N base points
are resampled with replacement `n_boot` times (fixed seed) and the half-width
is z * std of the bootstrap estimates, z the standard normal quantile of
(1 + confidence) / 2 (1.96 for 95 %), as in SALib.

Failed cases (rule): a base point counts only when all K + 2 of its cases
are ok and have a finite value of the result; otherwise the whole base point
is dropped (complete-row deletion: mixing rows would bias the differences
f_ABk - f_A). The number dropped is reported; fewer than 2 usable points is
an error.

Rank correlations (any sampled file, meant for `lhs`): Spearman's rho is
Pearson's correlation of the ranks; the partial rank correlation (PRCC) of
x_k is the correlation of the residuals of rank(x_k) and rank(y) after a
least-squares fit on the ranks of the other inputs (Marino et al. 2008).
Ties get their mean rank. Only numeric swept inputs take part.

References: Saltelli A. et al., Comput. Phys. Commun. 181 (2010) 259-270;
Jansen M.J.W., Comput. Phys. Commun. 117 (1999) 35-43; Ishigami T., Homma T.
(1990), ISUMA; Marino S. et al., J. Theor. Biol. 254 (2008) 178-196.
"""
from statistics import NormalDist

import numpy as np

from .loader import NeedlesimError, check_result, load

N_BOOT = 1000          # bootstrap resamples of the confidence half-widths (SALib default)
CONFIDENCE = 0.95      # confidence level of the half-widths
BOOT_SEED = 20261201   # fixed: the same file gives the same half-widths


def sobol_estimates(fA, fB, fAB):
    """(S1, ST) arrays of length K from f_A, f_B [N] and f_AB [K, N]."""
    fA, fB, fAB = (np.asarray(x, dtype=float) for x in (fA, fB, fAB))
    V = np.var(np.concatenate([fA, fB]))
    if not V > 0.0:
        nan = np.full(fAB.shape[0], np.nan)
        return nan, nan.copy()
    S1 = np.mean(fB * (fAB - fA), axis=1) / V
    ST = 0.5 * np.mean((fA - fAB) ** 2, axis=1) / V
    return S1, ST


def sobol_from_blocks(fA, fB, fAB, n_boot=N_BOOT, confidence=CONFIDENCE, seed=BOOT_SEED):
    """S1, ST and their bootstrap confidence half-widths from the blocks.

    Returns a dict of arrays of length K: S1, ST, S1_conf, ST_conf."""
    fA, fB, fAB = (np.asarray(x, dtype=float) for x in (fA, fB, fAB))
    S1, ST = sobol_estimates(fA, fB, fAB)
    N = fA.shape[0]
    rng = np.random.default_rng(seed)
    b1 = np.empty((n_boot, fAB.shape[0]))
    bT = np.empty_like(b1)
    for r in range(n_boot):
        j = rng.integers(0, N, N)
        b1[r], bT[r] = sobol_estimates(fA[j], fB[j], fAB[:, j])
    z = NormalDist().inv_cdf(0.5 + confidence / 2.0)
    return {"S1": S1, "ST": ST, "S1_conf": z * np.nanstd(b1, axis=0, ddof=1),
            "ST_conf": z * np.nanstd(bT, axis=0, ddof=1)}


def saltelli_layout(df):
    """(N, axes) of a loaded saltelli file, checked against its case count."""
    sw = df.attrs.get("sweep", {})
    mode = df.attrs.get("sweep_mode", sw.get("mode"))
    if mode != "saltelli":
        raise NeedlesimError(
            "needlesim: %s is a '%s' sweep; Sobol indices need a saltelli sweep ([sweep] mode = "
            "saltelli); for lhs files use the rank correlations (rank)"
            % (df.attrs.get("path", "file"), mode))
    axes, N = list(sw.get("axes", [])), int(sw.get("samples", 0))
    n = int(df.attrs.get("n_cases", len(df)))
    if N < 1 or n != N * (len(axes) + 2):
        raise NeedlesimError("needlesim: %s: %d cases do not form a saltelli design of %d base "
                             "points and %d axes" % (df.attrs.get("path", "file"), n, N,
                                                     len(axes)))
    return N, axes


def sobol(path_or_df, result, n_boot=N_BOOT, confidence=CONFIDENCE, seed=BOOT_SEED):
    """Sobol indices of `result` from a saltelli file (path or load() frame).

    Returns a pandas DataFrame indexed by key with columns S1, ST, S1_conf,
    ST_conf; attrs: result, n_base (N), n_used (base points used),
    dropped (base points dropped by the failed-case rule), confidence, n_boot."""
    pd = __import__("pandas")
    df = load(path_or_df) if isinstance(path_or_df, str) else path_or_df
    N, axes = saltelli_layout(df)
    check_result(df, result)
    K = len(axes)
    y = np.full(N * (K + 2), np.nan)
    ok = (df["status"].astype(str) == "ok").values
    vals = pd.to_numeric(df[result], errors="coerce").values.astype(float)
    ids = df.index.values.astype(int)
    y[ids[ok]] = vals[ok]
    blocks = y.reshape(K + 2, N)
    usable = np.all(np.isfinite(blocks), axis=0)
    n_used = int(usable.sum())
    if n_used < 2:
        raise NeedlesimError("needlesim: %s: only %d of %d base points have all %d cases ok with "
                             "a finite %s; Sobol indices need at least 2"
                             % (df.attrs.get("path", "file"), n_used, N, K + 2, result))
    b = blocks[:, usable]
    est = sobol_from_blocks(b[0], b[1], b[2:], n_boot=n_boot, confidence=confidence, seed=seed)
    out = pd.DataFrame(est, index=pd.Index(axes, name="key"))[["S1", "ST", "S1_conf", "ST_conf"]]
    out.attrs.update({"result": result, "n_base": N, "n_used": n_used, "dropped": N - n_used,
                      "confidence": confidence, "n_boot": n_boot})
    return out


def _ranks(x):
    """Ranks 1..n with ties at their mean rank."""
    x = np.asarray(x, dtype=float)
    order = np.argsort(x, kind="mergesort")
    r = np.empty(len(x))
    r[order] = np.arange(1, len(x) + 1)
    _, inv, counts = np.unique(x, return_inverse=True, return_counts=True)
    sums = np.bincount(inv, weights=r)
    return (sums / counts)[inv]


def _corr(a, b):
    a, b = a - a.mean(), b - b.mean()
    d = np.sqrt((a * a).sum() * (b * b).sum())
    return float((a * b).sum() / d) if d > 0 else float("nan")


def rank_correlations(path_or_df, result):
    """Spearman rho and PRCC of `result` with each numeric swept input.

    Cases that failed or have a non-finite result are left out. Returns a
    DataFrame indexed by key (columns spearman, prcc); attrs: result, n."""
    pd = __import__("pandas")
    df = load(path_or_df) if isinstance(path_or_df, str) else path_or_df
    check_result(df, result)
    keys = [k for k in df.attrs.get("swept", []) if df[k].dtype != object]
    if not keys:
        raise NeedlesimError("needlesim: %s has no numeric swept input"
                             % df.attrs.get("path", "file"))
    y = pd.to_numeric(df[result], errors="coerce").values.astype(float)
    keep = (df["status"].astype(str) == "ok").values & np.isfinite(y)
    n = int(keep.sum())
    if n < len(keys) + 3:
        raise NeedlesimError("needlesim: %d usable cases for %d inputs: too few for partial "
                             "rank correlations" % (n, len(keys)))
    R = np.column_stack([_ranks(df[k].values[keep]) for k in keys])
    ry = _ranks(y[keep])
    rho, prcc = [], []
    for k in range(len(keys)):
        rho.append(_corr(R[:, k], ry))
        Z = np.column_stack([np.ones(n), np.delete(R, k, axis=1)])
        rx = R[:, k] - Z @ np.linalg.lstsq(Z, R[:, k], rcond=None)[0]
        rr = ry - Z @ np.linalg.lstsq(Z, ry, rcond=None)[0]
        prcc.append(_corr(rx, rr))
    out = pd.DataFrame({"spearman": rho, "prcc": prcc}, index=pd.Index(keys, name="key"))
    out.attrs.update({"result": result, "n": n})
    return out


# ---- Ishigami test function (verification) -----------------------------------------

ISHIGAMI_A, ISHIGAMI_B = 7.0, 0.1


def ishigami(x1, x2, x3, a=ISHIGAMI_A, b=ISHIGAMI_B):
    """f = sin x1 + a sin^2 x2 + b x3^4 sin x1, inputs uniform on [-pi, pi]."""
    return np.sin(x1) + a * np.sin(x2) ** 2 + b * x3 ** 4 * np.sin(x1)


def ishigami_indices(a=ISHIGAMI_A, b=ISHIGAMI_B):
    """Analytic (S1, ST) of the Ishigami function (Saltelli et al. 2008, sec. 4.4)."""
    pi = np.pi
    V1 = 0.5 * (1.0 + b * pi ** 4 / 5.0) ** 2
    V2 = a * a / 8.0
    V13 = b * b * pi ** 8 * (1.0 / 18.0 - 1.0 / 50.0)
    V = V1 + V2 + V13
    return np.array([V1, V2, 0.0]) / V, np.array([V1 + V13, V2, V13]) / V
