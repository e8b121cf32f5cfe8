#!/usr/bin/env python3
"""Inputs of the codec benchmark, made exactly as ../shared/anchors/image-ops.md describes them.

Images/astronaut.png (512x512 RGB) resized with Pillow LANCZOS to 1024x1024, then encoded once
by Pillow as JPEG quality 90 (4:2:0) and as PNG compress_level 6. Nothing is committed: the
benchmark (Benchmarks/CodecBenchmarks) runs this into a temporary folder.

Usage: codecs_benchmark_inputs.py OUTPUT_FOLDER
Writes astronaut_1024_q90.jpg, astronaut_1024_l6.png and astronaut_1024.rgb (raw RGB bytes),
then prints one line per file: name and size in bytes.
"""
import sys
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[2]


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    with Image.open(ROOT / "Images" / "astronaut.png") as im:
        big = im.convert("RGB").resize((1024, 1024), Image.LANCZOS)
    big.save(out / "astronaut_1024_q90.jpg", format="JPEG", quality=90)
    big.save(out / "astronaut_1024_l6.png", format="PNG", compress_level=6)
    (out / "astronaut_1024.rgb").write_bytes(big.tobytes())
    for name in ("astronaut_1024_q90.jpg", "astronaut_1024_l6.png", "astronaut_1024.rgb"):
        print(name, (out / name).stat().st_size)
    return 0


if __name__ == "__main__":
    sys.exit(main())
