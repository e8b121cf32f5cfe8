#!/usr/bin/env python3
"""Reference values for the modality-gap toolkit's tests (numpy, scipy, open_clip's ClipLoss).

Writes scripts/reference/gap_reference.json (tens of kB). Run from the package root:

    python3 scripts/reference/gap_reference.py

Inputs are generated here deterministically (seeded) and stored beside the expected outputs, so
the Swift tests (Tests/AnalysisTests/ModalityGap*Tests.swift, Seriation*, Projection*) read both
from the JSON file. All inputs are rounded to float32 first, exactly as Swift reads them.

Sections:
  planted     n = 24 pairs in d = 16 with a planted gap: images = normalize(1.2·u + cᵢ + noise),
              captions = normalize(1.2·w + cᵢ + noise) with u ⟂ w; expected unit-row centroids,
              Δ, ‖Δ‖, region means, and the shift curve at the default λ grid: signed centroid
              distance (Liang et al.), loss by open_clip.loss.ClipLoss (float64) and top-1 accuracy
              in both directions, at two logit scales (exp 4.6052 ≈ 100, and exp 4 as in the
              tiny CLIP fixtures).
  pca         numpy SVD of the centred joint rows (images then captions): explained variance
              (ddof = 1), ratios, components with the largest-|entry|-positive sign convention,
              scores; the gap direction's variance share.
  seriation   scipy.cluster.hierarchy.linkage(squareform(1 − S), "average") and leaves_list on a
              random similarity matrix of 40 items given as float32.
  seriation_ties  the same on 24 items of a shuffled 1-D grid, S = 1 − |gᵢ − gⱼ|/32 (many exactly
              equal distances: checks that ties are broken as scipy's nearest-neighbour chain does).
"""
import json
import pathlib

import numpy as np
import torch
from open_clip.loss import ClipLoss
from scipy.cluster.hierarchy import leaves_list, linkage
from scipy.spatial.distance import squareform

OUT = pathlib.Path(__file__).resolve().parent / "gap_reference.json"
rng = np.random.default_rng(20261130)


def f32(a):
    return np.asarray(a, dtype=np.float32).astype(np.float64)


def unit_rows(x):
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def lambdas():
    return [k / 10 for k in range(-10, 21)]


def clip_loss(images, texts, scale):
    loss = ClipLoss()
    i = torch.tensor(images, dtype=torch.float64)
    t = torch.tensor(texts, dtype=torch.float64)
    per_image = scale * i @ t.T
    labels = torch.arange(len(images))
    l_it = torch.nn.functional.cross_entropy(per_image, labels).item()
    l_ti = torch.nn.functional.cross_entropy(per_image.T, labels).item()
    total = loss(i, t, torch.tensor(scale, dtype=torch.float64)).item()
    assert abs(total - (l_it + l_ti) / 2) < 1e-12
    logits = images @ texts.T
    acc_it = float(np.mean(np.argmax(logits, axis=1) == np.arange(len(images))))
    acc_ti = float(np.mean(np.argmax(logits, axis=0) == np.arange(len(images))))
    return {"loss": total, "loss_image_to_text": l_it, "loss_text_to_image": l_ti,
            "accuracy_image_to_text": acc_it, "accuracy_text_to_image": acc_ti}


def planted():
    n, d = 24, 16
    basis, _ = np.linalg.qr(rng.normal(size=(d, d)))
    u, w = basis[:, 0], basis[:, 1]
    content = rng.normal(size=(n, d))
    content /= np.linalg.norm(content, axis=1, keepdims=True)
    images = 1.2 * u + content + 0.2 * rng.normal(size=(n, d))
    texts = 1.2 * w + content + 0.2 * rng.normal(size=(n, d))
    images = f32(np.round(images * 3.0, 6))  # raw (not unit) rows: the Swift side normalises
    texts = f32(np.round(texts * 0.5, 6))
    x, y = unit_rows(images), unit_rows(texts)
    ci, ct = x.mean(axis=0), y.mean(axis=0)
    gap = ci - ct
    ii, tt, it = x @ x.T, y @ y.T, x @ y.T
    off = ~np.eye(n, dtype=bool)
    means = {"image_image": float(ii[off].mean()), "text_text": float(tt[off].mean()),
             "matched_pairs": float(np.trace(it) / n), "unmatched_pairs": float(it[off].mean()),
             "cross_modal": float(it.mean())}
    means["in_modal_minus_cross_modal"] = (means["image_image"] + means["text_text"]) / 2 - means["unmatched_pairs"]
    curves = {}
    for name, log_scale in (("scale_100", 4.6052), ("scale_fixture", 4.0)):
        scale = float(np.float32(np.exp(np.float32(log_scale))))
        points = []
        for lam in lambdas():
            xs = unit_rows(x - lam * gap / 2)
            ys = unit_rows(y + lam * gap / 2)
            diff = xs.mean(axis=0) - ys.mean(axis=0)
            distance = float(np.linalg.norm(diff) * (1 if diff @ gap >= 0 else -1))
            points.append({"lambda": lam, "centroid_distance": distance, **clip_loss(xs, ys, scale)})
        curves[name] = {"logit_scale": scale, "points": points}

    joint = np.vstack([x, y])
    centred = joint - joint.mean(axis=0)
    _, s, vt = np.linalg.svd(centred, full_matrices=False)
    k = 5
    components = []
    for row in vt[:k]:
        j = int(np.argmax(np.abs(row)))
        components.append(row * (1 if row[j] > 0 else -1))
    components = np.array(components)
    variance = s ** 2 / (len(joint) - 1)
    direction = gap / np.linalg.norm(gap)
    along = centred @ direction
    return {
        "images": images.tolist(), "texts": texts.tolist(), "planted_image_direction": u.tolist(),
        "planted_text_direction": w.tolist(),
        "image_centroid": ci.tolist(), "text_centroid": ct.tolist(), "gap": gap.tolist(),
        "distance": float(np.linalg.norm(gap)), "mean_cosines": means, "curves": curves,
        "pca": {"components": components.tolist(), "explained_variance": variance[:k].tolist(),
                "explained_variance_ratio": (variance[:k] / variance.sum()).tolist(),
                "total_variance": float(variance.sum()),
                "scores": (centred @ components.T).tolist(),
                "gap_variance_share": float((along ** 2).sum() / (centred ** 2).sum()),
                "gap_alignment": (components @ direction).tolist()},
    }


def seriation():
    m, d = 40, 12
    e = rng.normal(size=(m, d))
    e += 1.5 * rng.normal(size=(5, d))[rng.integers(0, 5, size=m)]
    e = unit_rows(e)
    s = np.float32(e @ e.T)
    s = np.float32((s + s.T) / 2)
    np.fill_diagonal(s, 1)
    return scipy_order(s)


def scipy_order(s):
    dist = 1 - s.astype(np.float64)
    np.fill_diagonal(dist, 0)
    z = linkage(squareform(np.maximum(dist, 0), checks=False), method="average")
    return {"similarities": s.astype(np.float64).tolist(), "linkage": z.tolist(),
            "leaves": [int(v) for v in leaves_list(z)]}


def seriation_ties():
    grid = rng.permutation(np.repeat(np.arange(8), 3))
    s = np.float32(1 - np.abs(grid[:, None] - grid[None, :]) / 32)
    return scipy_order(s)


def main():
    data = {"lambdas": lambdas(), "planted": planted(), "seriation": seriation(),
            "seriation_ties": seriation_ties()}
    OUT.write_text(json.dumps(data, indent=None, separators=(",", ":")) + "\n")
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
