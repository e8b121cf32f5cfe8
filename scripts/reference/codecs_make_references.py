#!/usr/bin/env python3
"""Reference data for AugLab's codec and exact-transform tests (Tests/ImagingTests/Codec*, ExactTransform*).

Writes into Tests/ImagingTests/Resources/codecs/:
  - small test images made with Pillow (and one YCCK JPEG made with libjpeg through a tiny C
    helper, since Pillow cannot write YCCK): JPEG baseline 4:2:0/4:2:2/4:4:4, progressive,
    optimised Huffman, restart markers, greyscale, RGB (Adobe), CMYK (Adobe), YCCK (Adobe), and
    the 8 EXIF orientations in both TIFF byte orders;
  - references.json: for every file the tests decode (those images, the package's Images/,
    and every file of ../shared/corpora) the expected outcome and, for images, the size and the
    SHA-256 of the RGB bytes Pillow produces with Image.open(f).convert("RGB").

Reference rules (see ../shared/corpora/README.md):
  - 16-bit greyscale PNG: the high byte of each sample (Pillow clamps those to 255 instead).
  - crashers/: refused, except empty_ancillary_chunks.png, which libpng decodes (its broken
    ancillary chunks are warnings). Pillow refuses that file over a truncated cHRM chunk, so
    its reference is Pillow's decode of the same file with those empty ancillary chunks removed.
  - monkey12.jpg (12-bit samples): refused as unsupported.
  - EXIF: "stored" = convert("RGB"), "upright" = ImageOps.exif_transpose(im).convert("RGB").
  - Encoder: Pillow's save(quality=q, subsampling=s) bytes and their decoded pixels.
  - Exact transforms: numpy (np.fliplr, np.flipud, np.rot90, transpose) on a small seeded
    random uint8 image and a float32 image; SHA-256 of the result's bytes (float32 little-endian).

Run from anywhere: python3 scripts/reference/codecs_make_references.py
Needs Pillow 13, numpy and a C compiler with libjpeg-dev (for the YCCK file).
"""
import hashlib
import io
import json
import os
import struct
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

import numpy as np
import PIL
from PIL import Image, ImageOps

ROOT = Path(__file__).resolve().parents[2]


def find_shared() -> Path:
    """$AUGLAB_SHARED, else the first "shared" folder beside the package or one of its parents."""
    if os.environ.get("AUGLAB_SHARED"):
        return Path(os.environ["AUGLAB_SHARED"]).resolve()
    for parent in ROOT.parents:
        if (parent / "shared" / "corpora").is_dir():
            return parent / "shared"
    return ROOT.parent / "shared"


SHARED = find_shared()
CORPORA = SHARED / "corpora"
OUT = ROOT / "Tests" / "ImagingTests" / "Resources" / "codecs"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def png_ihdr(data: bytes):
    """(bit depth, colour type) of a PNG, or None."""
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        return None
    return data[24], data[25]


def rgb_of(im: Image.Image, high_byte_grey16: bool) -> np.ndarray:
    """Pillow's convert("RGB"), except 16-bit greyscale: the high byte of each sample."""
    if high_byte_grey16:
        grey = (np.asarray(im).astype(np.uint32) >> 8).astype(np.uint8)
        return np.repeat(grey[:, :, None], 3, axis=2)
    return np.asarray(im.convert("RGB"))


def reference(rgb: np.ndarray) -> dict:
    rgb = np.ascontiguousarray(rgb, dtype=np.uint8)
    return {"width": int(rgb.shape[1]), "height": int(rgb.shape[0]), "sha256": sha256(rgb.tobytes())}


def decode_reference(data: bytes) -> dict:
    ihdr = png_ihdr(data)
    grey16 = ihdr is not None and ihdr == (16, 0)
    with Image.open(io.BytesIO(data)) as im:
        entry = reference(rgb_of(im, grey16))
    if grey16:
        entry["note"] = "16-bit greyscale: high byte of each sample (Pillow clamps to 255)"
    return entry


def without_empty_ancillary_chunks(data: bytes) -> bytes:
    """The PNG with every zero-length ancillary chunk removed."""
    out, pos = bytearray(data[:8]), 8
    while pos + 12 <= len(data):
        length = struct.unpack(">I", data[pos:pos + 4])[0]
        kind = data[pos + 4:pos + 8]
        chunk = data[pos:pos + 12 + length]
        if not (length == 0 and kind[0:1].islower()):
            out += chunk
        pos += 12 + length
    return bytes(out)


# --------------------------------------------------------------------------------------------
# Test images

def small_image(width: int, height: int) -> Image.Image:
    with Image.open(ROOT / "Images" / "astronaut.png") as im:
        return im.convert("RGB").resize((width, height), Image.LANCZOS)


YCCK_HELPER = r"""
#include <stdio.h>
#include <stdlib.h>
#include <jpeglib.h>
/* usage: helper input.cmyk width height output.jpg : writes an Adobe YCCK JPEG, quality 90 */
int main(int argc, char **argv) {
    if (argc != 5) return 2;
    int w = atoi(argv[2]), h = atoi(argv[3]);
    unsigned char *cmyk = malloc((size_t)w * h * 4);
    FILE *in = fopen(argv[1], "rb");
    if (!in || fread(cmyk, 1, (size_t)w * h * 4, in) != (size_t)w * h * 4) return 3;
    fclose(in);
    FILE *out = fopen(argv[4], "wb");
    struct jpeg_compress_struct c;
    struct jpeg_error_mgr e;
    c.err = jpeg_std_error(&e);
    jpeg_create_compress(&c);
    jpeg_stdio_dest(&c, out);
    c.image_width = w; c.image_height = h; c.input_components = 4; c.in_color_space = JCS_CMYK;
    jpeg_set_defaults(&c);
    jpeg_set_colorspace(&c, JCS_YCCK);   /* also turns on the Adobe marker */
    jpeg_set_quality(&c, 90, TRUE);
    jpeg_start_compress(&c, TRUE);
    while (c.next_scanline < c.image_height) {
        JSAMPROW row = cmyk + (size_t)c.next_scanline * w * 4;
        jpeg_write_scanlines(&c, &row, 1);
    }
    jpeg_finish_compress(&c);
    jpeg_destroy_compress(&c);
    fclose(out);
    return 0;
}
"""


def cmyk_pixels(rgb: Image.Image) -> np.ndarray:
    """A CMYK array with all four channels varying (plain RGB→CMYK conversion leaves K at 0)."""
    a = np.asarray(rgb).astype(np.int32)
    k = 255 - a.max(axis=2)
    cmy = 255 - a - k[:, :, None]
    return np.concatenate([cmy, k[:, :, None]], axis=2).clip(0, 255).astype(np.uint8)


def write_ycck(path: Path, cmyk: np.ndarray) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        source, helper, raw = Path(tmp) / "ycck.c", Path(tmp) / "ycck", Path(tmp) / "in.cmyk"
        source.write_text(YCCK_HELPER)
        subprocess.run(["cc", "-O1", str(source), "-ljpeg", "-o", str(helper)], check=True)
        # Adobe polarity: stored samples are inverted, as Pillow writes CMYK ("CMYK;I").
        raw.write_bytes((255 - cmyk).tobytes())
        subprocess.run([str(helper), str(raw), str(cmyk.shape[1]), str(cmyk.shape[0]), str(path)], check=True)


def exif_block_big_endian(orientation: int) -> bytes:
    """An APP1 Exif payload in Motorola byte order: IFD0 with a Make string and the orientation."""
    make = b"AugLab\x00\x00"
    entries = 2
    ifd_size = 2 + 12 * entries + 4
    make_offset = 8 + ifd_size
    tiff = b"MM\x00\x2a" + struct.pack(">I", 8) + struct.pack(">H", entries)
    tiff += struct.pack(">HHI", 0x010F, 2, len(make)) + struct.pack(">I", make_offset)
    tiff += struct.pack(">HHI", 0x0112, 3, 1) + struct.pack(">HH", orientation, 0)
    tiff += struct.pack(">I", 0) + make
    return b"Exif\x00\x00" + tiff


def exif_block_little_endian(orientation: int) -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "AugLab"          # Make: an entry before the orientation, with out-of-line data
    exif[0x0112] = orientation
    exif[0x0131] = "codecs test"     # Software: an entry after it
    return exif.tobytes()


def make_test_images() -> list:
    """Writes the test images; returns [(file name, what it tests)]."""
    OUT.mkdir(parents=True, exist_ok=True)
    made = []
    base = small_image(37, 29)      # odd size: partial MCUs on both edges

    def save(name, im, what, **kw):
        im.save(OUT / name, **kw)
        made.append((name, what))

    save("encode_source.png", base, "lossless source of the encoder tests", format="PNG")
    save("jpeg_baseline_420.jpg", base, "baseline, 4:2:0", format="JPEG", quality=90)
    save("jpeg_baseline_422.jpg", base, "baseline, 4:2:2", format="JPEG", quality=90, subsampling=1)
    save("jpeg_baseline_444.jpg", base, "baseline, 4:4:4", format="JPEG", quality=90, subsampling=0)
    save("jpeg_progressive.jpg", base, "progressive", format="JPEG", quality=90, progressive=True)
    save("jpeg_optimized.jpg", base, "optimised Huffman tables", format="JPEG", quality=80, optimize=True)
    save("jpeg_restart.jpg", base, "restart markers every 2 MCUs", format="JPEG", quality=85,
         restart_marker_blocks=2)
    save("jpeg_grey.jpg", base.convert("L"), "greyscale", format="JPEG", quality=90)
    save("jpeg_grey_progressive.jpg", base.convert("L"), "greyscale progressive", format="JPEG", quality=90,
         progressive=True)
    save("jpeg_rgb_adobe.jpg", base, "RGB components (Adobe transform 0)", format="JPEG", quality=90,
         keep_rgb=True)
    cmyk = cmyk_pixels(base)
    save("jpeg_cmyk_adobe.jpg", Image.fromarray(cmyk, "CMYK"), "CMYK, Adobe-inverted", format="JPEG", quality=90)
    write_ycck(OUT / "jpeg_ycck_adobe.jpg", cmyk)
    made.append(("jpeg_ycck_adobe.jpg", "YCCK, Adobe-inverted (written by libjpeg)"))

    tall = small_image(13, 7)       # not square, so the axis swap is visible
    for orientation in range(1, 9):
        save(f"exif_le_{orientation}.jpg", tall, f"EXIF orientation {orientation}, little-endian TIFF",
             format="JPEG", quality=95, exif=exif_block_little_endian(orientation))
        save(f"exif_be_{orientation}.jpg", tall, f"EXIF orientation {orientation}, big-endian TIFF",
             format="JPEG", quality=95, exif=exif_block_big_endian(orientation))
    return made


# --------------------------------------------------------------------------------------------
# References

def corpus_entries() -> list:
    entries = []
    for path in sorted(CORPORA.rglob("*")):
        if path.suffix.lower() not in (".png", ".jpg", ".jpeg"):
            continue
        rel = path.relative_to(CORPORA).as_posix()
        data = path.read_bytes()
        entry = {"file": "corpora/" + rel}
        if rel == "libjpeg-turbo/monkey12.jpg":
            entry.update(expect="refuse", code="unsupported", note="12-bit JPEG samples")
        elif "/crashers/" in rel and path.name != "empty_ancillary_chunks.png":
            entry.update(expect="refuse", code="corrupt")
        elif path.name == "empty_ancillary_chunks.png":
            entry.update(expect="decode", **decode_reference(without_empty_ancillary_chunks(data)))
            entry["note"] = "Pillow refuses the empty cHRM chunk; reference = Pillow on the file without its empty ancillary chunks"
        else:
            entry.update(expect="decode", **decode_reference(data))
        entries.append(entry)
    return entries


def exif_entries(files: list) -> list:
    entries = []
    for name in files:
        path = ROOT / name if name.startswith("Images/") else OUT / name
        with Image.open(path) as im:
            orientation = im.getexif().get(0x0112)
            stored = reference(np.asarray(im.convert("RGB")))
            upright = reference(np.asarray(ImageOps.exif_transpose(im).convert("RGB")))
        label = ("package/" + name) if name.startswith("Images/") else ("resources/" + name)
        entries.append({"file": label, "orientation": orientation, "stored": stored, "upright": upright})
    return entries


def encoder_entries() -> list:
    entries = []
    with Image.open(OUT / "encode_source.png") as im:
        source = im.convert("RGB")
    for quality, subsampling in [(90, 2), (90, 0), (75, 1), (50, 2), (10, 2), (1, 2), (100, 0)]:
        buffer = io.BytesIO()
        source.save(buffer, format="JPEG", quality=quality, subsampling=subsampling)
        data = buffer.getvalue()
        with Image.open(io.BytesIO(data)) as decoded:
            pixels = reference(np.asarray(decoded.convert("RGB")))
        entries.append({"source": "resources/encode_source.png", "quality": quality,
                        "subsampling": {0: "4:4:4", 1: "4:2:2", 2: "4:2:0"}[subsampling],
                        "pillow_bytes_sha256": sha256(data), "pillow_length": len(data),
                        "decoded": pixels})
    return entries


TRANSFORMS = {
    "identity": lambda a: a,
    "flipHorizontal": np.fliplr,
    "flipVertical": np.flipud,
    "rotate90": lambda a: np.rot90(a, 1),
    "rotate180": lambda a: np.rot90(a, 2),
    "rotate270": lambda a: np.rot90(a, 3),
    "transpose": lambda a: a.transpose(1, 0, 2),
    "transverse": lambda a: np.rot90(a, 2).transpose(1, 0, 2),
}


def transform_entries() -> dict:
    rng = np.random.default_rng(20261129)
    images = {
        "rgb8": rng.integers(0, 256, size=(5, 7, 3), dtype=np.uint8),
        "float32": rng.random(size=(4, 6, 3), dtype=np.float32),
    }
    out = {}
    for kind, a in images.items():
        results = {}
        for name, op in TRANSFORMS.items():
            b = np.ascontiguousarray(op(a))
            results[name] = {"width": int(b.shape[1]), "height": int(b.shape[0]),
                             "sha256": sha256(b.astype(b.dtype.newbyteorder("<")).tobytes())}
        out[kind] = {"width": int(a.shape[1]), "height": int(a.shape[0]),
                     "pixels": [int(v) for v in a.ravel()] if kind == "rgb8" else [float(v) for v in a.ravel()],
                     "results": results}
    return out


def main() -> int:
    if not CORPORA.is_dir():
        print(f"shared corpora not found at {CORPORA} (set AUGLAB_SHARED)", file=sys.stderr)
        return 1
    made = make_test_images()
    decode = []
    for name, what in made:
        entry = {"file": "resources/" + name, "expect": "decode", "what": what}
        if name.startswith("exif_"):
            # Stored pixels (no orientation); the upright ones are in "exif".
            with Image.open(OUT / name) as im:
                entry.update(reference(np.asarray(im.convert("RGB"))))
        else:
            entry.update(decode_reference((OUT / name).read_bytes()))
        decode.append(entry)
    package_images = sorted(p.name for p in (ROOT / "Images").iterdir() if p.suffix.lower() in (".png", ".jpg"))
    for name in package_images:
        with Image.open(ROOT / "Images" / name) as im:
            entry = {"file": "package/Images/" + name, "expect": "decode"}
            entry.update(decode_reference((ROOT / "Images" / name).read_bytes()))
        decode.append(entry)
    decode += corpus_entries()
    exif_files = [n for n, _ in made if n.startswith("exif_")]
    exif_files += ["Images/" + n for n in package_images if n.endswith(".jpg")]
    document = {
        "generator": "scripts/reference/codecs_make_references.py",
        "pillow": PIL.__version__,
        "numpy": np.__version__,
        "decode": decode,
        "exif": exif_entries(exif_files),
        "encode_jpeg": encoder_entries(),
        "transforms": transform_entries(),
    }
    (OUT / "references.json").write_text(json.dumps(document, indent=1) + "\n")
    print(f"wrote {len(made)} test images and references.json ({len(decode)} decode entries) to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
