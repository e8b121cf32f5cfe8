#!/usr/bin/env python3
"""Reference values for the Analysis target's tests, computed with numpy / scipy.

Writes scripts/reference/analysis/reference.json (a few kB). Run from the package root:

    python3 scripts/reference/analysis_reference.py

Inputs are generated here deterministically and stored beside the expected outputs, so the
Swift tests read both from the JSON file. Sections:
  t_upper, chi2_upper   scipy.stats.t.sf / chi2.sf
  quantiles             numpy.quantile (linear interpolation)
  harmonics             numpy.fft.rfft of a profile: amplitudes 2|C_k|/N
  cosine                numpy cosine matrix of a few embeddings (no zero rows)
  eigen                 numpy.linalg.eigh of a small symmetric matrix
  fourfold              the documented four-fold spectral test (FourFoldTest) re-implemented here
  axis                  the documented anti-diagonal axis profile and detrended excess
"""
import json
import pathlib

import numpy as np
from scipy import stats

OUT = pathlib.Path(__file__).resolve().parent / "analysis" / "reference.json"
rng = np.random.default_rng(20261129)


def t_upper():
    cases = [(0.0, 3), (1.0, 1), (2.5, 4), (-1.2, 7), (4.6, 3), (10.0, 8), (0.3, 120), (3.0, 1000)]
    return [{"t": t, "df": df, "p": float(stats.t.sf(t, df))} for t, df in cases]


def chi2_upper():
    cases = [(0.5, 2), (3.0, 4), (10.0, 6), (25.0, 10), (1.0, 1), (40.0, 20), (0.01, 3)]
    return [{"x": x, "df": df, "p": float(stats.chi2.sf(x, df))} for x, df in cases]


def quantiles():
    data = [float(v) for v in rng.normal(size=11).round(6)]
    qs = [0.0, 0.025, 0.25, 0.5, 0.9, 0.975, 1.0]
    return {"data": data, "q": qs, "values": [float(np.quantile(data, q)) for q in qs]}


def harmonics():
    n = 40
    theta = 2 * np.pi * np.arange(n) / n
    x = 0.3 + 0.5 * np.cos(theta - 0.4) + 0.2 * np.cos(4 * theta + 1.1) + 0.05 * np.sin(7 * theta) \
        + 0.01 * rng.normal(size=n)
    f = np.fft.rfft(x)
    amps = 2 * np.abs(f) / n
    return {"profile": [float(v) for v in x], "amplitudes": [float(a) for a in amps[: (n - 1) // 2 + 1]]}


def cosine():
    e = rng.normal(size=(5, 7)).round(4)
    e[2] *= 30.0
    u = e / np.linalg.norm(e, axis=1, keepdims=True)
    return {"embeddings": e.tolist(), "cosine": (u @ u.T).tolist()}


def eigen():
    a = rng.normal(size=(6, 6))
    s = (a + a.T) / 2
    w, v = np.linalg.eigh(s)
    order = np.argsort(-w)
    return {"matrix": s.tolist(), "values": [float(w[i]) for i in order],
            "vectors": [[float(x) for x in v[:, i]] for i in order]}


RES = 1e-5
REF = [2, 3, 5, 6, 7, 9, 10, 11]


def fourfold_test(x):
    n = len(x)
    c = np.fft.rfft(np.asarray(x)) * 2 / n
    a = np.abs(c)
    lo, hi = max(12, n // 4), (n - 1) // 2
    med = 0.4549364231195728
    s_re = np.sqrt(np.median(np.real(c[lo:hi + 1]) ** 2) / med)
    s_im = np.sqrt(np.median(np.imag(c[lo:hi + 1]) ** 2) / med)
    sigma = max(max(s_re, s_im), RES)

    def geo(v, k):
        return np.sqrt(v[k - 1] * v[k + 1])

    odd = geo(a, 4)
    d = a.copy()
    d[4] = min(a[4], odd)
    d[8] = min(a[8], geo(a, 8))
    rel = []
    for k in REF:
        lev = geo(d, k)
        if lev > 3 * sigma:
            rel.append(((d[k] - lev) ** 2 - sigma ** 2) / lev ** 2)
    refs = max(1, len(rel))
    c2 = max(0.0, float(np.mean(rel))) if rel else 0.0
    env = max(odd, (a[2] + a[6]) / 2)
    excess = a[4] - env
    spread = np.sqrt(c2 * odd ** 2 + sigma ** 2)
    p = 1.0 if excess <= RES else float(stats.t.sf(excess / spread, refs))
    return {"excess": float(excess), "envelope": float(env), "irregularity": float(np.sqrt(c2)),
            "noise": float(sigma), "references": refs, "p": p}


def fourfold():
    cases = []
    n = 64
    theta = 2 * np.pi * np.arange(n) / n
    smooth = 0.7 * np.exp((np.cos(theta) - 1) / 0.05) + 0.2 + 0.003 * rng.normal(size=n)
    planted = smooth + 0.05 * np.cos(4 * theta)
    for x in (smooth, planted):
        cases.append({"profile": [float(v) for v in x], **fourfold_test(x)})
    return cases


def axis():
    n = 40
    m = rng.normal(size=(n, n)) * 0.02
    s = (m + m.T) / 2 + 0.5
    i = np.arange(n)
    s[i, (n - i) % n] += 0.2
    np.fill_diagonal(s, 1.0)
    d = np.array([s[i, (i + k) % n].mean() for k in range(n)])
    r = s - d[(i[None, :] - i[:, None]) % n]
    prof = []
    for t in range(n):
        j = (t - i) % n
        vals = r[i, j][j != i]
        prof.append(float(np.median(vals)))
    prof = np.array(prof)
    w, W = 2, 4
    offs = np.concatenate([np.arange(-w - W, -w), np.arange(w + 1, w + W + 1)])
    x = np.stack([np.ones(len(offs)), offs, offs ** 2], 1).astype(float)
    pinv = np.linalg.pinv(x)
    exc = [float(prof[t] - pinv[0] @ prof[(t + offs) % n]) for t in range(n)]
    return {"matrix": s.tolist(), "half_width": w, "flank": W, "profile": prof.tolist(), "excess": exc}


def main():
    data = {"t_upper": t_upper(), "chi2_upper": chi2_upper(), "quantiles": quantiles(),
            "harmonics": harmonics(), "cosine": cosine(), "eigen": eigen(), "fourfold": fourfold(),
            "axis": axis()}
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(data) + "\n")
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
