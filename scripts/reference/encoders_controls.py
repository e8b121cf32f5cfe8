#!/usr/bin/env python3
"""Reference embeddings of AugLab's control encoders (pixels, pixels-mirror, histogram).

The controls are AugLab's own definitions (Sources/Encoders/ControlEncoder.swift); this script
computes them independently, in float64 with exact rational overlap weights, and cross-checks the
32x32 area average by supersampling (and against Pillow's BOX resize where the ratio is an integer):

- grey = 0.299 R + 0.587 G + 0.114 B on [0, 1] intensities;
- pixels: cell (i, j) of a 32x32 grid averages the source over [i W/32, (i+1) W/32) x [j H/32, (j+1) H/32),
  each pixel weighted by its overlap area with the cell; then the grid's mean is subtracted;
- pixels-mirror: (grid + grid mirrored left-right) / 2, then the mean subtracted;
- histogram: 8x8x8 joint RGB bins (level // 32), index 64 r + 8 g + b, counts / pixel count.

Images: the two CLIP fixture PNGs, and small seeded random images of awkward sizes (narrower than
the grid, odd sizes, one pixel wide), stored in the output so the Swift test sees the same pixels.

Writes Tests/EncodersTests/References/controls.safetensors:
  <case>.image         U8  [H, W, 3]  (random cases only; png_a / png_b are the shared fixture files)
  <case>.pixels        F32 [1024]     (float64 results rounded once)
  <case>.pixels_mirror F32 [1024]
  <case>.histogram     F32 [512]
Usage: python3 scripts/reference/encoders_controls.py
"""
import os
from fractions import Fraction

import numpy as np
from PIL import Image
from safetensors.numpy import save_file

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHARED = os.environ.get("AUGLAB_SHARED", os.path.join(os.path.dirname(ROOT), "shared"))
OUT = os.path.join(ROOT, "Tests", "EncodersTests", "References", "controls.safetensors")
GRID = 32


def overlap_weights(length):
    """[GRID, length] exact overlap of pixel [x, x+1) with cell [i L/32, (i+1) L/32), divided by the cell length."""
    weights = np.zeros((GRID, length))
    for i in range(GRID):
        lo, hi = Fraction(i * length, GRID), Fraction((i + 1) * length, GRID)
        for x in range(length):
            overlap = min(Fraction(x + 1), hi) - max(Fraction(x), lo)
            if overlap > 0:
                weights[i, x] = float(overlap / (hi - lo))
    return weights


def grey_grid(rgb):
    grey = (0.299 * rgb[..., 0] + 0.587 * rgb[..., 1] + 0.114 * rgb[..., 2]) / 255.0
    h, w = grey.shape
    return overlap_weights(h) @ grey @ overlap_weights(w).T


def supersampled_grid(grey):
    """The same area average by another route: repeat every pixel 32 times along an axis, then average blocks."""
    h, w = grey.shape
    columns = np.repeat(grey, GRID, axis=1).reshape(h, GRID, w).mean(axis=2)  # [h, 32]
    return np.repeat(columns, GRID, axis=0).reshape(GRID, h, GRID).mean(axis=1)  # [32, 32]


def controls(rgb):
    rgb = rgb.astype(np.float64)
    grid = grey_grid(rgb)
    grey = (0.299 * rgb[..., 0] + 0.587 * rgb[..., 1] + 0.114 * rgb[..., 2]) / 255.0
    assert np.abs(supersampled_grid(grey) - grid).max() < 1e-12
    h, w = grey.shape
    if h % GRID == 0 and w % GRID == 0:
        # Pillow's BOX filter weights pixels by whether their centre lies in the cell, which is the
        # area average when the ratio is an integer (float32 image, so ~1e-6 agreement).
        box = np.asarray(Image.fromarray(grey.astype(np.float32), mode="F").resize((GRID, GRID), Image.BOX), dtype=np.float64)
        assert np.abs(box - grid).max() < 1e-5, np.abs(box - grid).max()
    pixels = grid - grid.mean()
    mirrored = (grid + grid[:, ::-1]) / 2
    mirror = mirrored - mirrored.mean()
    rgb = rgb.astype(np.uint8)
    bins = (rgb[..., 0] // 32).astype(int) * 64 + (rgb[..., 1] // 32).astype(int) * 8 + (rgb[..., 2] // 32).astype(int)
    histogram = np.bincount(bins.ravel(), minlength=512) / bins.size
    return pixels.ravel(), mirror.ravel(), histogram


def main():
    images = {
        "png_a": np.asarray(Image.open(os.path.join(SHARED, "fixtures/clip/png_a_97x61.png")).convert("RGB")),
        "png_b": np.asarray(Image.open(os.path.join(SHARED, "fixtures/clip/png_b_200x300.png")).convert("RGB")),
    }
    rng = np.random.default_rng(4242)
    for name, (w, h) in {"random_5x3": (5, 3), "random_33x47": (33, 47), "random_1x40": (1, 40), "random_70x9": (70, 9), "random_64x96": (64, 96)}.items():
        images[name] = rng.integers(0, 256, size=(h, w, 3), dtype=np.uint8)
    tensors = {}
    for name, rgb in images.items():
        pixels, mirror, histogram = controls(rgb)
        if name.startswith("random"):
            tensors[f"{name}.image"] = np.ascontiguousarray(rgb, dtype=np.uint8)
        tensors[f"{name}.pixels"] = pixels.astype(np.float32)
        tensors[f"{name}.pixels_mirror"] = mirror.astype(np.float32)
        tensors[f"{name}.histogram"] = histogram.astype(np.float32)
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    save_file(tensors, OUT, metadata={"generator": "scripts/reference/encoders_controls.py"})
    print(f"wrote {OUT} ({os.path.getsize(OUT)} bytes)")


if __name__ == "__main__":
    main()
