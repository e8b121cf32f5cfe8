#!/usr/bin/env python3
"""Speed anchor for AugLab's tokenizer and preprocessing benchmark (Benchmarks/PreprocessBenchmark):
the same work done by open_clip / Pillow / torchvision on this machine, timed the same way
(warm-up, then the median of repeated runs), written as JSON for the Swift benchmark to divide by.

Work (identical inputs on both sides):
  - tokenizer: load the vocabulary; tokenize 1000 generated captions with an empty word cache and
    again with a warm one (open_clip's SimpleTokenizer keeps its cache across calls);
  - preprocess: open_clip image_transform(224, is_train=False) on RGB images of 640x480,
    1024x1024 and 2048x1536 (PIL image in, normalised tensor out);
  - resize: Pillow Image.resize to 224x224 BICUBIC from 1024x1024, and 512x512 -> 1024x1024 BICUBIC.

Usage: python3 scripts/reference/preprocess_speed_anchor.py OUT.json
"""
import json
import statistics
import sys
import time

import numpy as np
import open_clip
import open_clip.tokenizer as oc_tokenizer
import PIL
import torch
from PIL import Image

torch.set_num_threads(1)

ADJECTIVES = ["small", "large", "red", "blue", "shiny", "old", "wooden", "striped", "blurry", "bright", "dark",
              "tiny", "fluffy", "rusty", "modern"]
NOUNS = ["dog", "cat", "car", "bicycle", "teapot", "astronaut", "rocket", "coffee cup", "camera", "tree",
         "building", "bird", "horse", "boat", "guitar", "lamp", "clock"]
PLACES = ["on the grass", "in a city street at night", "next to a window", "under a bridge", "in the snow",
          "on a wooden table", "in front of a mountain", "at the beach", "inside a museum", "near a lake"]


def captions(count=1000):
    return ["a photo of a %s %s %s, number %d." % (ADJECTIVES[i % len(ADJECTIVES)], NOUNS[(i * 7) % len(NOUNS)],
                                                    PLACES[(i * 13) % len(PLACES)], i) for i in range(count)]


def image(width, height):
    y, x = np.mgrid[0:height, 0:width]
    array = np.stack([(x * 255 // max(width - 1, 1)), (y * 255 // max(height - 1, 1)), ((x ^ y) & 255)], -1)
    return Image.fromarray(array.astype(np.uint8), "RGB")


def measure(body, warm_up=2, min_runs=7, min_seconds=0.6, max_runs=60):
    for _ in range(warm_up):
        body()
    samples = []
    start = time.perf_counter()
    while len(samples) < min_runs or (time.perf_counter() - start < min_seconds and len(samples) < max_runs):
        t0 = time.perf_counter()
        body()
        samples.append((time.perf_counter() - t0) * 1000)
    return {"median_ms": statistics.median(samples), "min_ms": min(samples), "runs": len(samples)}


def main():
    out_path = sys.argv[1] if len(sys.argv) > 1 else "preprocess_speed_anchor.json"
    results = {}
    results["tokenizer.load"] = measure(lambda: oc_tokenizer.SimpleTokenizer(), warm_up=1, min_runs=3, min_seconds=0)
    tok = oc_tokenizer.SimpleTokenizer()
    texts = captions()

    def cold():
        tok.cache = {t: t for t in ["<start_of_text>", "<end_of_text>"]}
        tok(texts)
    results["tokenizer.1000.cold"] = measure(cold, min_runs=5)
    results["tokenizer.1000.warm"] = measure(lambda: tok(texts), min_runs=5)

    transform = open_clip.image_transform(224, is_train=False)
    for (w, h) in [(640, 480), (1024, 1024), (2048, 1536)]:
        img = image(w, h)
        with torch.inference_mode():
            results["preprocess.%dx%d" % (w, h)] = measure(lambda: transform(img))
    big = image(1024, 1024)
    results["resize.1024to224.bicubic"] = measure(lambda: big.resize((224, 224), Image.BICUBIC))
    small = image(512, 512)
    results["resize.512to1024.bicubic"] = measure(lambda: small.resize((1024, 1024), Image.BICUBIC))
    out = {"versions": {"python": sys.version.split()[0], "open_clip": open_clip.__version__, "pillow": PIL.__version__,
                        "torch": torch.__version__},
           "results": results}
    with open(out_path, "w") as f:
        json.dump(out, f, indent=1)
    for name, r in results.items():
        print("%-28s median %9.3f ms  min %9.3f ms  (%d runs)" % (name, r["median_ms"], r["min_ms"], r["runs"]))


if __name__ == "__main__":
    main()
