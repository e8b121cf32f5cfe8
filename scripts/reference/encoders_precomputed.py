#!/usr/bin/env python3
"""Precomputed-embedding files as other tools write them, for AugLab's precomputed back-end tests.

numpy's own writer (np.save / np.lib.format.write_array) makes the .npy files, including the ones
AugLab must refuse (Fortran order, big-endian, integer dtype, wrong rank), and the safetensors
library writes the safetensors files. Three tiny PNGs stand for the variants; their content hashes
are what the index lists, computed as AugLab documents it:
    hashlib.sha256(np.asarray(Image.open(f).convert("RGB")).tobytes()).hexdigest()

Writes Tests/EncodersTests/References/precomputed/:
  v0.png v1.png v2.png        tiny RGB images (v1 and v2 are looked up by content, v0 by name)
  images_f4.npy images_f8.npy [3, 4] image rows (float32, float64), version 1.0
  images_v2.npy images_v3.npy the same rows in .npy format versions 2.0 and 3.0
  captions.npy                [2, 4] caption rows (float32)
  index.json                  JSON index naming images_f4.npy and captions.npy
  index_f8.json               the same index naming images_f8.npy
  plain.safetensors           image_embeds F32 [3, 4] + text_embeds F16 [2, 4], no metadata
  index_safetensors.json      JSON index naming plain.safetensors
  indexed.safetensors         the same tensors with the index in the metadata (auglab_index)
  fortran.npy big_endian.npy int32.npy rank1.npy rank3.npy   files AugLab must refuse
  expected.json               the rows as JSON numbers, and each image's sha256
Every value is a multiple of 1/8, exact in float16, float32 and float64.
Usage: python3 scripts/reference/encoders_precomputed.py
"""
import hashlib
import json
import os

import numpy as np
from PIL import Image
from safetensors.numpy import save_file

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "Tests", "EncodersTests", "References", "precomputed")


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(77)
    hashes = []
    for k, (w, h) in enumerate([(4, 3), (3, 5), (5, 3)]):
        pixels = rng.integers(0, 256, size=(h, w, 3), dtype=np.uint8)
        path = os.path.join(OUT, f"v{k}.png")
        Image.fromarray(pixels, "RGB").save(path)
        hashes.append(hashlib.sha256(np.asarray(Image.open(path).convert("RGB")).tobytes()).hexdigest())

    images = (np.arange(12, dtype=np.float64).reshape(3, 4) - 5) / 8
    captions = (np.arange(8, dtype=np.float64).reshape(2, 4) * 3 - 7) / 8
    np.save(os.path.join(OUT, "images_f4.npy"), images.astype(np.float32))
    np.save(os.path.join(OUT, "images_f8.npy"), images)
    for version in (2, 3):
        with open(os.path.join(OUT, f"images_v{version}.npy"), "wb") as f:
            np.lib.format.write_array(f, images.astype("<f4"), version=(version, 0))
    np.save(os.path.join(OUT, "captions.npy"), captions.astype(np.float32))

    index = {
        "format": "auglab-embeddings-index/1",
        "name": "reference-embeddings",
        "image_embeddings": "images_f4.npy",
        "text_embeddings": "captions.npy",
        "logit_scale": 4.0,
        # Row order differs from list order on purpose: v0 -> row 2, v1 -> row 0, v2 -> row 1.
        "images": [
            {"file": "sweep/v0.png", "row": 2},
            {"sha256": hashes[1], "row": 0},
            {"sha256": hashes[2], "width": 5, "height": 3, "row": 1},
        ],
        "captions": ["a photo of a cat", {"text": "a photo of a dog", "row": 1}],
    }
    with open(os.path.join(OUT, "index.json"), "w") as f:
        json.dump(index, f, indent=1)
    with open(os.path.join(OUT, "index_f8.json"), "w") as f:
        json.dump({**index, "image_embeddings": "images_f8.npy"}, f, indent=1)

    tensors = {"image_embeds": images.astype(np.float32), "text_embeds": captions.astype(np.float16)}
    save_file(tensors, os.path.join(OUT, "plain.safetensors"))
    safetensors_index = {k: v for k, v in index.items() if k not in ("image_embeddings", "text_embeddings")}
    with open(os.path.join(OUT, "index_safetensors.json"), "w") as f:
        json.dump({**safetensors_index, "image_embeddings": "plain.safetensors"}, f, indent=1)
    save_file(tensors, os.path.join(OUT, "indexed.safetensors"), metadata={"auglab_index": json.dumps(safetensors_index)})

    np.save(os.path.join(OUT, "fortran.npy"), np.asfortranarray(images.astype(np.float32)))
    np.save(os.path.join(OUT, "big_endian.npy"), images.astype(">f4"))
    np.save(os.path.join(OUT, "int32.npy"), np.arange(12, dtype=np.int32).reshape(3, 4))
    np.save(os.path.join(OUT, "rank1.npy"), images.astype(np.float32).ravel())
    np.save(os.path.join(OUT, "rank3.npy"), images.astype(np.float32).reshape(3, 2, 2))
    assert np.load(os.path.join(OUT, "fortran.npy")).flags.f_contiguous

    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump({"images": images.tolist(), "captions": captions.tolist(), "sha256": hashes,
                   "rows": {"v0.png": 2, "v1.png": 0, "v2.png": 1}}, f, indent=1)
    print(f"wrote {OUT}: {sorted(os.listdir(OUT))}")


if __name__ == "__main__":
    main()
