"""Extra golden models for the native CLIP towers: configurations the shared fixtures do not cover.

Writes, for each configuration below, Tests/Fixtures/models/<name>/{config.json, model.safetensors,
golden.safetensors} in the same conventions as ../shared/fixtures/clip (open_clip model-config JSON,
state_dict with open_clip keys, goldens named input.* / out.* / act.<module path>), plus
Tests/Fixtures/models/parameter_counts.json with open_clip's parameter counts and configs for the
full-size RN50, ViT-B-32 and ViT-B-16 (random init, nothing downloaded).

Every weight is random and then perturbed so that every operation matters (norm scales U(0.5, 1.5),
norm offsets and attention biases non-zero, batch-norm statistics calibrated on random images and then
perturbed, no zero-initialised bn3). Text towers use a small vocabulary (1000 ids; start 998, end 999)
to keep each file well under 1 MB. Run from the package root:

    python3 scripts/reference/models_extra_goldens.py

Versions used for the committed files: see the 'versions' metadata inside each golden.safetensors.
"""
import json
import os
import sys

import numpy as np
import open_clip
import torch
from safetensors.torch import save_file

OUT = os.path.join("Tests", "Fixtures", "models")
SOT, EOT = 998, 999

CONFIGS = {
    # ResNet with uneven stage depths, an image size whose last stage pools an odd 5x5 map down to 2x2
    # (floor mode), 4 attention-pool heads of width 32, exact GELU in the text tower, context 20.
    "rn_2121_80px": {
        "embed_dim": 24,
        "quick_gelu": False,
        "vision_cfg": {"image_size": 80, "layers": [2, 1, 2, 1], "width": 4, "head_width": 32, "patch_size": None},
        "text_cfg": {"context_length": 20, "vocab_size": 1000, "width": 12, "heads": 3, "layers": 3, "mlp_ratio": 3.0},
    },
    # ViT with patch 16 at 48 px (3x3 grid), 3 heads of width 8, MLP ratio 2.5 (width 60), exact GELU.
    "vit_p16_48px": {
        "embed_dim": 20,
        "quick_gelu": False,
        "vision_cfg": {"image_size": 48, "layers": 3, "width": 24, "head_width": 8, "patch_size": 16, "mlp_ratio": 2.5},
        "text_cfg": {"context_length": 20, "vocab_size": 1000, "width": 16, "heads": 4, "layers": 2},
    },
    # ViT whose patch does not divide the image (40 px, patch 6: 6x6 grid, 4 px dropped), QuickGELU.
    "vit_p6_40px": {
        "embed_dim": 16,
        "quick_gelu": True,
        "vision_cfg": {"image_size": 40, "layers": 2, "width": 18, "head_width": 6, "patch_size": 6},
        "text_cfg": {"context_length": 12, "vocab_size": 1000, "width": 8, "heads": 2, "layers": 1},
    },
}


def perturb(model, images):
    """Calibrates batch-norm statistics on `images`, then perturbs every norm and bias."""
    gen = torch.Generator().manual_seed(11)
    bns = [m for m in model.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    if bns:
        for m in bns:
            m.reset_running_stats()
            m.momentum = None
        model.visual.train()
        with torch.no_grad():
            model.visual(images)
        model.visual.eval()
    with torch.no_grad():
        for m in bns:
            n = m.num_features
            m.weight.copy_(0.5 + torch.rand(n, generator=gen))
            m.bias.copy_(0.1 * torch.randn(n, generator=gen))
            m.running_mean.add_(0.2 * m.running_var.sqrt() * torch.randn(n, generator=gen))
            m.running_var.mul_(0.6 + torch.rand(n, generator=gen))
        for m in model.modules():
            if isinstance(m, torch.nn.LayerNorm):
                m.weight.copy_(0.5 + torch.rand(m.weight.shape, generator=gen))
                m.bias.copy_(0.1 * torch.randn(m.bias.shape, generator=gen))
            if isinstance(m, torch.nn.MultiheadAttention):
                m.in_proj_bias.copy_(0.05 * torch.randn(m.in_proj_bias.shape, generator=gen))
                m.out_proj.bias.copy_(0.05 * torch.randn(m.out_proj.bias.shape, generator=gen))
        model.logit_scale.fill_(3.5)


def captions(context, count, gen):
    """Token rows with ends at varied positions: empty, short, random, and one that fills the context."""
    ends = [1, 3, context // 2, context - 1][:count]
    rows = torch.zeros(count, context, dtype=torch.int64)
    for i, end in enumerate(ends):
        rows[i, 0] = SOT
        if end > 1:
            rows[i, 1:end] = torch.randint(1, SOT, (end - 1,), generator=gen)
        rows[i, end] = EOT
    return rows


def hook_modules(model, names, store):
    modules = dict(model.named_modules())
    for name in names:
        def hook(_module, _inputs, output, name=name):
            store["act." + name] = output.detach().clone().contiguous()
        modules[name].register_forward_hook(hook)


def recorded_modules(cfg):
    vision = cfg["vision_cfg"]
    if isinstance(vision["layers"], list):
        names = ["visual.act1", "visual.avgpool"]
        for stage, blocks in enumerate(vision["layers"]):
            names += [f"visual.layer{stage + 1}.{b}" for b in range(blocks)]
        names += ["visual.layer2.0.avgpool", "visual.layer2.0.downsample", "visual.attnpool"]
    else:
        names = ["visual.conv1", "visual.ln_pre", "visual.ln_post"]
        names += [f"visual.transformer.resblocks.{i}" for i in range(vision["layers"])]
        names += [f"visual.transformer.resblocks.0.{part}" for part in ("ln_1", "ln_2", "mlp.c_fc", "mlp.gelu", "mlp")]
    names += [f"transformer.resblocks.{i}" for i in range(cfg["text_cfg"]["layers"])]
    names += ["transformer.resblocks.0.mlp.gelu", "ln_final"]
    return names


def build(name, cfg, seed):
    torch.manual_seed(seed)
    model = open_clip.CLIP(**cfg).eval()
    size = cfg["vision_cfg"]["image_size"]
    gen = torch.Generator().manual_seed(seed + 1)
    perturb(model, torch.randn(8, 3, size, size, generator=gen))
    images = torch.randn(3, 3, size, size, generator=gen)
    tokens = captions(cfg["text_cfg"]["context_length"], 4, gen)

    store = {}
    hook_modules(model, recorded_modules(cfg), store)
    with torch.inference_mode():
        image_features = model.encode_image(images)
        text_features = model.encode_text(tokens)
        logits = model.logit_scale.exp() * torch.nn.functional.normalize(image_features, dim=-1) @ \
            torch.nn.functional.normalize(text_features, dim=-1).T
    store.update({
        "input.images": images,
        "input.text_tokens": tokens,
        "out.image_features": image_features,
        "out.text_features": text_features,
        "out.logit_scale": model.logit_scale.detach().clone().reshape(()),
        "out.logits_per_image": logits,
    })
    folder = os.path.join(OUT, name)
    os.makedirs(folder, exist_ok=True)
    state = {k: v.contiguous() for k, v in model.state_dict().items() if not k.endswith("num_batches_tracked")}
    versions = {"versions": f"torch {torch.__version__}, open_clip {open_clip.__version__}, numpy {np.__version__}"}
    save_file(state, os.path.join(folder, "model.safetensors"), metadata=versions)
    save_file({k: v.contiguous() for k, v in store.items()}, os.path.join(folder, "golden.safetensors"), metadata=versions)
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2)
        f.write("\n")
    for file in ("model.safetensors", "golden.safetensors"):
        bytes_ = os.path.getsize(os.path.join(folder, file))
        assert bytes_ < 1_000_000, f"{name}/{file} is {bytes_} bytes"
        print(f"{name}/{file}: {bytes_} bytes")


def parameter_counts():
    counts = {}
    for name in ("RN50", "ViT-B-32", "ViT-B-16"):
        model = open_clip.create_model(name, pretrained=None)
        counts[name] = {
            "config": open_clip.get_model_config(name),
            "visual_parameters": sum(p.numel() for p in model.visual.parameters()),
            "total_parameters": sum(p.numel() for p in model.parameters()),
        }
        del model
    with open(os.path.join(OUT, "parameter_counts.json"), "w") as f:
        json.dump(counts, f, indent=2)
        f.write("\n")
    print(json.dumps({k: (v["visual_parameters"], v["total_parameters"]) for k, v in counts.items()}))


def main():
    torch.set_num_threads(2)
    for index, (name, cfg) in enumerate(CONFIGS.items()):
        build(name, cfg, seed=4000 + 100 * index)
    parameter_counts()
    return 0


if __name__ == "__main__":
    sys.exit(main())
