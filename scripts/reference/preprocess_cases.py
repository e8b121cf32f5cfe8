#!/usr/bin/env python3
"""open_clip inference-transform references for configurations the shared fixtures do not cover.

For small synthetic RGB images (landscape, portrait, square, already the target size, upscaled,
one pixel wide, odd sizes whose centre crop lands on .5) and each configuration (resize_mode
shortest / longest / squash, interpolation bicubic / bilinear / nearest, fill_color, custom
mean/std), runs open_clip.image_transform(size, is_train=False, ...) and records the size after the
resize step, the 8-bit image just before ToTensor, and (for one image per configuration) the
final float32 tensor.

open_clip only accepts bicubic and bilinear; the nearest cases use the same transform with the
resize's interpolation switched to InterpolationMode.NEAREST (Pillow's NEAREST), which is what
AugLab's `nearest` means.

Writes Tests/CLIPTests/References/preprocess_cases.json. Usage: python3 scripts/reference/preprocess_cases.py
"""
import base64
import json
import os
import sys

import numpy as np
import open_clip
import PIL
import torch
import torchvision
from PIL import Image
from torchvision.transforms import InterpolationMode

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "Tests", "CLIPTests", "References", "preprocess_cases.json")


def make_image(rng, width, height):
    y, x = np.mgrid[0:height, 0:width]
    image = np.stack([x * 255.0 / max(width - 1, 1), y * 255.0 / max(height - 1, 1), ((x * 3 + y * 5) % 11) * 23.0], -1)
    image += rng.normal(0, 25, size=image.shape)
    image[: max(1, height // 4), : max(1, width // 3)] = (250, 240, 10)
    return np.clip(image, 0, 255).astype(np.uint8)


def b64(array):
    return base64.b64encode(np.ascontiguousarray(array).tobytes()).decode("ascii")


def transform_for(config):
    transform = open_clip.image_transform(
        config["size"], is_train=False, mean=config.get("mean"), std=config.get("std"),
        resize_mode=config["resize_mode"],
        interpolation="bicubic" if config["interpolation"] == "nearest" else config["interpolation"],
        fill_color=config.get("fill_color", 0))
    if config["interpolation"] == "nearest":
        for step in transform.transforms:
            if hasattr(step, "interpolation"):
                step.interpolation = InterpolationMode.NEAREST
    return transform


def main():
    rng = np.random.default_rng(77)
    images = {
        "land23x15": make_image(rng, 23, 15),
        "port15x37": make_image(rng, 15, 37),
        "square16": make_image(rng, 16, 16),
        "tall16x40": make_image(rng, 16, 40),
        "tiny5x3": make_image(rng, 5, 3),
        "thin1x30": make_image(rng, 1, 30),
        "odd31x45": make_image(rng, 31, 45),
    }
    configs = [
        {"size": 16, "resize_mode": "shortest", "interpolation": "bicubic"},
        {"size": 16, "resize_mode": "shortest", "interpolation": "bilinear"},
        {"size": 16, "resize_mode": "shortest", "interpolation": "nearest"},
        {"size": 20, "resize_mode": "shortest", "interpolation": "bicubic"},
        {"size": 16, "resize_mode": "longest", "interpolation": "bicubic", "fill_color": 0},
        {"size": 16, "resize_mode": "longest", "interpolation": "bilinear", "fill_color": 127},
        {"size": 20, "resize_mode": "longest", "interpolation": "nearest", "fill_color": 255},
        {"size": 16, "resize_mode": "squash", "interpolation": "bicubic"},
        {"size": 16, "resize_mode": "squash", "interpolation": "bilinear",
         "mean": [0.5, 0.5, 0.5], "std": [0.5, 0.25, 0.125]},
    ]
    cases = []
    for config in configs:
        transform = transform_for(config)
        steps = transform.transforms
        tensor_at = next(i for i, s in enumerate(steps) if isinstance(s, torchvision.transforms.ToTensor))
        for name, array in images.items():
            pil = Image.fromarray(array, "RGB")
            resized = steps[0](pil)
            before_tensor = pil
            for step in steps[:tensor_at]:
                before_tensor = step(before_tensor)
            u8 = np.asarray(before_tensor.convert("RGB"))
            with torch.inference_mode():
                tensor = transform(pil).numpy().astype(np.float32)
            assert tensor.shape == (3, config["size"], config["size"]), (name, config, tensor.shape)
            assert u8.shape == (config["size"], config["size"], 3)
            case = {"image": name, "config": config, "resized": [resized.size[0], resized.size[1]], "input_u8": b64(u8)}
            if name == "land23x15":  # the tensor follows from input_u8; one per configuration checks mean/std
                case["tensor_f32"] = b64(tensor.astype("<f4"))
            cases.append(case)
    out = {
        "generator": "scripts/reference/preprocess_cases.py",
        "versions": {"python": sys.version.split()[0], "open_clip": open_clip.__version__, "torch": torch.__version__,
                     "torchvision": torchvision.__version__, "pillow": PIL.__version__},
        "images": {name: {"width": a.shape[1], "height": a.shape[0], "pixels": b64(a)} for name, a in images.items()},
        "cases": cases,
    }
    with open(OUT, "w", encoding="ascii") as f:
        json.dump(out, f, separators=(",", ":"))
        f.write("\n")
    print("wrote %s: %d cases, %d bytes" % (os.path.relpath(OUT, ROOT), len(cases), os.path.getsize(OUT)))


if __name__ == "__main__":
    main()
