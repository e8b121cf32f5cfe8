#!/usr/bin/env python3
"""Makes the small checkpoint test files for Tests/CLIPTests/Resources/checkpoints.

Every file is written by the reference libraries themselves (torch.save, torch.jit, safetensors,
open_clip, transformers), so the Swift readers are checked against the real formats:

* tiny_vit.safetensors            a tiny open_clip ViT CLIP (random weights), open_clip key names, float32
* tiny_vit_state_dict.pt          the same weights: torch.save(model.state_dict())
* tiny_vit_cyclip.pt              the same weights as CyCLIP saves them: {"epoch", "name",
                                  "state_dict" (DataParallel/DDP "module." prefix), "optimizer"}
* tiny_vit_fp16.safetensors       the same model after open_clip's convert_weights_to_lp(fp16), the
                                  mixed fp16/fp32 state OpenAI's released weights have (plus attn_mask)
* tiny_vit_fp16_torchscript.pt    that model traced with torch.jit and saved (OpenAI's RN50.pt / ViT-B-32.pt
                                  are TorchScript archives of this kind)
* tiny_rn.safetensors             a tiny open_clip ModifiedResNet CLIP, open_clip key names
* tiny_rn_cloob.pt                the same weights as CLOOB saves them: CLIPGeneral key names (text tower
                                  under "transformer."), "logit_inv_tau" instead of "logit_scale",
                                  "logit_scale_hopfield", "module." prefix, "model_config_file",
                                  optimizer and LambdaLR scheduler state
* tiny_hf/config.json, tiny_hf/pytorch_model.bin
                                  a tiny transformers CLIPModel saved as a torch state dict, with the
                                  position_ids buffers older transformers versions stored
* tiny_hf_model.safetensors       the same weights as transformers' safetensors (no position_ids)
* tensors_p2.pt, tensors_p4.pt, tensors_p5.pt
                                  a dict of tensors of every flavour (f32/f16/bf16/f64/ints/bool, 0-dim,
                                  empty, transposed, permuted, offset views sharing one storage, a
                                  Parameter, an expanded view) saved with pickle protocols 2, 4 and 5
* tensors_zip64.pt                tensors_p2.pt rewritten with ZIP64 headers (torch.load reads it)
* tensors_legacy.pt               the same dict in the pre-1.6 non-zip format (AugLab refuses it)
* tensors.safetensors             contiguous copies of the tensors above (the expected values)
* tensors_as_f32.safetensors      torch's float32 conversion of the f16, bf16 and f64 tensors
* reference.json                  open_clip's named model configs, parameter counts and state-dict
                                  shape digests, the tiny models' configs, the files' metadata

Run from the package root:  python3 scripts/reference/checkpoints_make_test_files.py
torch.save archives come out byte for byte the same on a rerun; the legacy and TorchScript files do not
(they embed object ids and a random serialization id), so a rerun changes them without changing their tensors.
"""
import collections
import hashlib
import io
import json
import math
import os
import sys
import warnings
import zipfile

import numpy as np
import open_clip
import safetensors
import safetensors.torch
import torch
import transformers

warnings.filterwarnings("ignore")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "Tests", "CLIPTests", "Resources", "checkpoints")
SHARED = os.environ.get("AUGLAB_SHARED", os.path.join(os.path.dirname(ROOT), "shared"))

NAMED = ["RN50", "RN101", "RN50x4", "RN50x16", "RN50x64", "ViT-B-32", "ViT-B-16", "ViT-L-14", "ViT-L-14-336"]

# Widths are 64 so that OpenAI's build_model rule (heads = width / 64) infers the heads from shapes.
TINY_VIT = {
    "embed_dim": 8,
    "quick_gelu": True,
    "vision_cfg": {"image_size": 8, "layers": 1, "width": 64, "head_width": 64, "patch_size": 4, "mlp_ratio": 0.5},
    "text_cfg": {"context_length": 6, "vocab_size": 50, "width": 64, "heads": 1, "layers": 1, "mlp_ratio": 0.5},
}
TINY_RN = {
    "embed_dim": 8,
    "quick_gelu": True,
    "vision_cfg": {"image_size": 32, "layers": [1, 1, 1, 1], "width": 2, "head_width": 64, "patch_size": None},
    "text_cfg": {"context_length": 6, "vocab_size": 50, "width": 64, "heads": 1, "layers": 1, "mlp_ratio": 0.5},
}
TINY_HF = dict(
    projection_dim=8,
    logit_scale_init_value=2.6592,
    text_config=dict(hidden_size=16, intermediate_size=32, num_attention_heads=2, num_hidden_layers=1,
                     max_position_embeddings=6, vocab_size=50, hidden_act="quick_gelu"),
    vision_config=dict(hidden_size=16, intermediate_size=32, num_attention_heads=2, num_hidden_layers=1,
                       image_size=8, patch_size=4, hidden_act="quick_gelu"),
)


def make_open_clip(cfg, seed):
    """An open_clip CLIP with every state-dict entry drawn at random (so no value is 0 or 1 by init)."""
    torch.manual_seed(seed)
    model = open_clip.CLIP(**cfg).eval()
    gen = torch.Generator().manual_seed(seed + 1)
    with torch.no_grad():
        for name, tensor in model.state_dict().items():
            if tensor.dtype == torch.int64:  # BatchNorm num_batches_tracked
                tensor.fill_(int(torch.randint(1, 1000, (1,), generator=gen)))
            elif name.endswith("running_var"):
                tensor.copy_(torch.rand(tensor.shape, generator=gen) + 0.5)
            else:
                tensor.copy_(torch.randn(tensor.shape, generator=gen) * 0.5)
        model.logit_scale.fill_(math.log(1 / 0.07))
    return model


def parameter_counts(model):
    image = sum(p.numel() for p in model.visual.parameters())
    total = sum(p.numel() for p in model.parameters())
    return {"image": image, "text": total - image - 1, "total": total}  # 1 = logit_scale


def shape_digest(state_dict_shapes):
    """sha256 of the sorted "key:d0,d1,..." lines, joined by newlines (the Swift test recomputes it)."""
    lines = [f"{k}:{','.join(str(d) for d in shape)}" for k, shape in sorted(state_dict_shapes.items())]
    return {"count": len(lines), "sha256": hashlib.sha256("\n".join(lines).encode()).hexdigest()}


def save_safetensors(tensors, name, metadata=None):
    plain = {k: v.detach().clone().contiguous() for k, v in tensors.items()}
    safetensors.torch.save_file(plain, os.path.join(OUT, name), metadata=metadata or {"format": "pt"})


def add_optimizer_step(params):
    """An AdamW state after one step over copies of some parameters (the model itself is left unchanged)."""
    opt = torch.optim.AdamW([{"params": params[:1], "weight_decay": 0.0}, {"params": params[1:], "weight_decay": 0.1}],
                            lr=1e-3)
    for p in params:
        p.grad = torch.ones_like(p)
    opt.step()
    return opt


def tiny_vit_files(reference):
    model = make_open_clip(TINY_VIT, seed=11)
    sd = model.state_dict()
    save_safetensors(sd, "tiny_vit.safetensors")
    torch.save(sd, os.path.join(OUT, "tiny_vit_state_dict.pt"))

    # CyCLIP (src/main.py): {"epoch", "name", "state_dict": model.state_dict(), "optimizer": ...}; under DDP
    # the keys carry "module.". DataParallel on the CPU gives the same prefix.
    wrapped = torch.nn.DataParallel(model)
    opt = add_optimizer_step([torch.nn.Parameter(sd[k].clone()) for k in ("logit_scale", "visual.proj")])
    checkpoint = {"epoch": 7, "name": "cyclip-tiny", "state_dict": wrapped.state_dict(), "optimizer": opt.state_dict()}
    torch.save(checkpoint, os.path.join(OUT, "tiny_vit_cyclip.pt"))
    reference["files"]["tiny_vit_cyclip.pt"] = {"metadata": {"epoch": "7", "name": "cyclip-tiny"}}

    half = make_open_clip(TINY_VIT, seed=11)
    open_clip.model.convert_weights_to_lp(half, torch.float16)
    with torch.no_grad():
        traced = torch.jit.trace_module(half, {"encode_text": (torch.zeros(1, 6, dtype=torch.long),)}, check_trace=False)
    traced.save(os.path.join(OUT, "tiny_vit_fp16_torchscript.pt"))
    save_safetensors(dict(traced.state_dict()), "tiny_vit_fp16.safetensors")

    reference["tiny_models"]["tiny_vit"] = {"config": TINY_VIT, "parameters": parameter_counts(model)}


def tiny_rn_files(reference):
    model = make_open_clip(TINY_RN, seed=22)
    sd = model.state_dict()
    save_safetensors(sd, "tiny_rn.safetensors")

    # CLOOB (src/clip/model.py CLIPGeneral): the text tower is the module `transformer` (a TextTransformer
    # holding token_embedding, positional_embedding, transformer.resblocks, ln_final, text_projection) and
    # the temperature is `logit_inv_tau` = log(1/tau), applied as exp(logit_inv_tau) * cosine like CLIP's
    # logit_scale. The published checkpoints also hold `logit_scale_hopfield` (the Hopfield retrieval beta,
    # a training-loss parameter) and `model_config_file`.
    cloob = collections.OrderedDict()
    for key, value in sd.items():
        if key.startswith("visual."):
            new = key
        elif key == "logit_scale":
            new = "logit_inv_tau"
        else:
            new = "transformer." + key
        cloob["module." + new] = value
    cloob["module.logit_scale_hopfield"] = torch.tensor(math.log(8.0))
    opt = add_optimizer_step([torch.nn.Parameter(sd[k].clone()) for k in ("logit_scale", "text_projection")])
    scheduler = torch.optim.lr_scheduler.LambdaLR(opt, lambda step: 0.5 * (1 + math.cos(math.pi * step / 10)))
    opt.step()
    scheduler.step()
    checkpoint = {"epoch": 28, "name": "cloob-tiny", "model_config_file": "tiny-RN.json", "state_dict": cloob,
                  "optimizer": opt.state_dict(), "scheduler": scheduler.state_dict()}
    torch.save(checkpoint, os.path.join(OUT, "tiny_rn_cloob.pt"))
    reference["files"]["tiny_rn_cloob.pt"] = {
        "metadata": {"epoch": "28", "name": "cloob-tiny", "model_config_file": "tiny-RN.json"}}
    reference["tiny_models"]["tiny_rn"] = {"config": TINY_RN, "parameters": parameter_counts(model)}


def tiny_hf_files(reference):
    torch.manual_seed(33)
    config = transformers.CLIPConfig(**TINY_HF)
    model = transformers.CLIPModel(config).eval()
    gen = torch.Generator().manual_seed(34)
    with torch.no_grad():
        for tensor in model.state_dict().values():
            if tensor.is_floating_point():
                tensor.copy_(torch.randn(tensor.shape, generator=gen) * 0.5)
    folder = os.path.join(OUT, "tiny_hf")
    os.makedirs(folder, exist_ok=True)
    config.to_json_file(os.path.join(folder, "config.json"))
    sd = collections.OrderedDict(model.state_dict())
    save_safetensors(sd, "tiny_hf_model.safetensors")
    # transformers before 4.31 stored these int64 buffers in every CLIPModel checkpoint.
    sd["text_model.embeddings.position_ids"] = torch.arange(6).unsqueeze(0)
    sd["vision_model.embeddings.position_ids"] = torch.arange(5).unsqueeze(0)
    torch.save(sd, os.path.join(folder, "pytorch_model.bin"))


def tensor_files(reference):
    gen = torch.Generator().manual_seed(44)

    def randn(*shape):
        return torch.randn(shape, generator=gen)

    big = randn(4, 6)
    tensors = collections.OrderedDict([
        ("f32", randn(3, 5)),
        ("f16", randn(7).half()),
        ("bf16", randn(2, 3).bfloat16()),
        ("f64", randn(4).double()),
        ("scalar", torch.tensor(2.5)),
        ("empty", torch.zeros(0, 3)),
        ("transposed", randn(4, 6).t()),
        ("permuted", randn(2, 3, 4).permute(2, 0, 1)),
        ("narrow", big[1:3, 2:5]),
        ("row_a", big[0]),
        ("row_c", big[2]),
        ("param", torch.nn.Parameter(randn(5))),
        ("i64", torch.arange(-3, 4, dtype=torch.int64) * 1_000_000_007),
        ("i32", torch.arange(-2, 3, dtype=torch.int32)),
        ("u8", torch.arange(250, 256, dtype=torch.uint8)),
        ("bool", torch.tensor([True, False, True])),
        ("expanded", randn(1, 4).expand(3, 4)),
    ])
    for proto in (2, 4, 5):
        torch.save(tensors, os.path.join(OUT, f"tensors_p{proto}.pt"), pickle_protocol=proto)
    # ZIP64: the same archive with ZIP64 local and central headers.
    with zipfile.ZipFile(os.path.join(OUT, "tensors_p2.pt")) as src, \
            zipfile.ZipFile(os.path.join(OUT, "tensors_zip64.pt"), "w", compression=zipfile.ZIP_STORED) as dst:
        for info in src.infolist():
            with dst.open(zipfile.ZipInfo(info.filename, date_time=(2026, 1, 1, 0, 0, 0)), "w", force_zip64=True) as out:
                out.write(src.read(info.filename))
    loaded = torch.load(os.path.join(OUT, "tensors_zip64.pt"), weights_only=True)
    assert all(torch.equal(loaded[k], v) for k, v in tensors.items())
    torch.save(tensors, os.path.join(OUT, "tensors_legacy.pt"), _use_new_zipfile_serialization=False)
    expected = {k: v for k, v in tensors.items() if k != "expanded"}
    save_safetensors(expected, "tensors.safetensors")
    # torch's own float32 conversion of the f16/bf16/f64 tensors: an independent reference for the readers' widening.
    save_safetensors({k: v.float() for k, v in expected.items() if v.dtype in (torch.float16, torch.bfloat16, torch.float64)},
                     "tensors_as_f32.safetensors")
    reference["tensors"] = {
        "refused": {"expanded": "overlapping strides (an expanded view)"},
        "contiguous": [k for k, v in tensors.items() if v.is_contiguous()],
    }


def named_references(reference):
    for base in NAMED:
        for name in (base, base + "-quickgelu"):
            cfg = open_clip.get_model_config(name)
            reference["named_configs"][name] = cfg
        cfg = dict(open_clip.get_model_config(base))
        with torch.device("meta"):
            model = open_clip.CLIP(**cfg)
        reference["named_parameters"][base] = parameter_counts(model)
        reference["named_state_dicts"][base] = shape_digest({k: list(v.shape) for k, v in model.state_dict().items()})


def huggingface_references(reference):
    # transformers' CLIPConfig defaults (a ViT-B/32 with QuickGELU), as the full dict save_pretrained writes.
    defaults = transformers.CLIPConfig().to_dict()
    reference["huggingface_default_config"] = json.loads(json.dumps(defaults, default=str))


def fixture_references(reference):
    for name in ("rn_openclip", "vit_openclip"):
        with open(os.path.join(SHARED, "fixtures", "clip", name, "config.json")) as f:
            cfg = json.load(f)
        cfg.pop("logit_scale")
        with torch.device("meta"):
            model = open_clip.CLIP(**cfg)
        reference["fixture_parameters"][name] = parameter_counts(model)


def main():
    os.makedirs(OUT, exist_ok=True)
    reference = {
        "generator": "scripts/reference/checkpoints_make_test_files.py",
        "versions": {"torch": torch.__version__, "open_clip_torch": open_clip.__version__,
                     "transformers": transformers.__version__, "safetensors": safetensors.__version__,
                     "numpy": np.__version__, "python": sys.version.split()[0]},
        "shape_digest_format": "sha256 of the sorted lines 'key:d0,d1,...' joined by '\\n'",
        "parameter_count_definition": "image = model.visual.parameters(); total = model.parameters(); "
                                      "text = total - image - 1 (logit_scale); BatchNorm running stats are buffers",
        "named_configs": {}, "named_parameters": {}, "named_state_dicts": {},
        "tiny_models": {}, "fixture_parameters": {}, "files": {},
    }
    tiny_vit_files(reference)
    tiny_rn_files(reference)
    tiny_hf_files(reference)
    tensor_files(reference)
    named_references(reference)
    fixture_references(reference)
    huggingface_references(reference)
    for name in sorted(os.listdir(OUT)):
        if name.endswith(".safetensors"):
            with open(os.path.join(OUT, name), "rb") as f:
                reference["files"].setdefault(name, {})["sha256"] = hashlib.sha256(f.read()).hexdigest()
    with open(os.path.join(OUT, "reference.json"), "w") as f:
        json.dump(reference, f, indent=1, sort_keys=True)
        f.write("\n")
    for root, _, files in os.walk(OUT):
        for name in sorted(files):
            path = os.path.join(root, name)
            print(f"{os.path.relpath(path, OUT):40s} {os.path.getsize(path):9,d}")


if __name__ == "__main__":
    main()
