#!/usr/bin/env python3
"""Pillow 13 `Image.resize` references for AugLab's resampler (Sources/Imaging/Resize).

Makes four small RGB source images (seeded noise with gradients and hard edges, so the
filters' negative lobes clip) and resizes them with every Pillow filter AugLab implements
(NEAREST, BOX, BILINEAR, HAMMING, BICUBIC, LANCZOS) to random sizes: up and down on each
axis, one axis unchanged, shrinking enough that Pillow runs the vertical pass first, extreme
reductions to 1 pixel, and a few fractional source boxes.

Writes Tests/ImagingTests/References/resize_cases.json: sources and outputs as base64 RGB bytes.
Usage: python3 scripts/reference/preprocess_resize_cases.py
"""
import base64
import json
import os
import random
import sys

import numpy as np
import PIL
from PIL import Image

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "Tests", "ImagingTests", "References", "resize_cases.json")

FILTERS = {
    "nearest": Image.Resampling.NEAREST,
    "box": Image.Resampling.BOX,
    "bilinear": Image.Resampling.BILINEAR,
    "hamming": Image.Resampling.HAMMING,
    "bicubic": Image.Resampling.BICUBIC,
    "lanczos": Image.Resampling.LANCZOS,
}


def make_source(rng, width, height):
    y, x = np.mgrid[0:height, 0:width]
    base = np.stack([x * 255.0 / max(width - 1, 1), y * 255.0 / max(height - 1, 1),
                     ((x + y) % 7) * 40.0], axis=-1)
    noise = rng.normal(0, 60, size=(height, width, 3))
    image = np.clip(base + noise, 0, 255)
    # Hard black/white blocks: the bicubic and Lanczos lobes overshoot there.
    image[: height // 3, : width // 2] = 255
    image[height // 2:, width // 2: width // 2 + max(1, width // 6)] = 0
    return image.astype(np.uint8)


def b64(array):
    return base64.b64encode(np.ascontiguousarray(array, dtype=np.uint8).tobytes()).decode("ascii")


def main():
    rng = np.random.default_rng(4242)
    pick = random.Random(4242)
    sources = {
        "s27x19": make_source(rng, 27, 19),
        "s8x64": make_source(rng, 8, 64),
        "s1x9": make_source(rng, 1, 9),
        "s23x35": make_source(rng, 23, 35),
    }
    cases = []

    def add(source, filter_name, size, box=None):
        image = Image.fromarray(sources[source], "RGB")
        out = image.resize(size, FILTERS[filter_name], box=box)
        assert out.mode == "RGB" and out.size == tuple(size)
        h, w = sources[source].shape[:2]
        cases.append({
            "source": source, "filter": filter_name, "width": size[0], "height": size[1],
            "box": list(box) if box is not None else None,
            "vertical_first": size[1] < h and (h - size[1]) > 2 * (w - size[0]),
            "pixels": b64(np.asarray(out)),
        })

    for filter_name in FILTERS:
        for source, array in sources.items():
            h, w = array.shape[:2]
            sizes = [
                (pick.randint(w + 1, w + 12), pick.randint(h + 1, h + 12)),              # up, up
                (pick.randint(1, max(1, w - 1)), pick.randint(1, max(1, h - 1))),        # down, down
                (pick.randint(w + 1, w + 12), pick.randint(1, max(1, h - 1))),           # up, down
                (pick.randint(1, max(1, w - 1)), pick.randint(h + 1, h + 12)),           # down, up
                (w, pick.randint(1, h + 9)),                                              # width kept
                (pick.randint(1, w + 9), h),                                              # height kept
                (1, 1),
            ]
            if h > 8:
                sizes.append((max(1, w - 1), max(1, h // 3)))                             # vertical first
            for size in sizes:
                if size == (w, h):
                    continue
                add(source, filter_name, size)
        boxes = [("s27x19", (2.5, 1.25, 20.75, 17.0), (13, 9)),
                 ("s23x35", (0.0, 10.0, 23.0, 30.5), (15, 7)),
                 ("s23x35", (3.0, 4.0, 18.0, 24.0), (15, 20)),      # integral box of the output's size: a crop
                 ("s8x64", (1.5, 0.5, 7.0, 63.0), (11, 70))]
        for source, box, size in boxes:
            add(source, filter_name, size, box)

    assert any(c["vertical_first"] for c in cases) and any(not c["vertical_first"] for c in cases)
    out = {
        "generator": "scripts/reference/preprocess_resize_cases.py",
        "versions": {"python": sys.version.split()[0], "pillow": PIL.__version__, "numpy": np.__version__},
        "sources": {name: {"width": a.shape[1], "height": a.shape[0], "pixels": b64(a)} for name, a in sources.items()},
        "cases": cases,
    }
    with open(OUT, "w", encoding="ascii") as f:
        json.dump(out, f, separators=(",", ":"))
        f.write("\n")
    print("wrote %s: %d cases, %d bytes" % (os.path.relpath(OUT, ROOT), len(cases), os.path.getsize(OUT)))


if __name__ == "__main__":
    main()
