"""How much of the denoiser does its output depend on? The rhythm FiLM gates and the deep path.

    python -m vem_training.evaluate.film_gates --weights runs/denoiser-v2 [--t 600]

Each ResBlock ends in FiLM from the rhythm features, z = (1 + γ(r))·z + β(r), applied to the block's
whole output (skip path included). A γ near −1 closes the block: what came before it no longer reaches
the output. On 8 held-out crops (256 latent frames, full conditions) this prints, per ResBlock, the mean,
min and max of γ, and, per stage, how far v moves (max |Δv|) when that stage's output is replaced by
noise of 5× unit scale; a stage whose replacement moves v by ~0 is dead to the output.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import torch

from ..data.diffusion_pack import Pack
from ..export.denoiser import VARIANTS
from ..models import load_model
from ..models.denoiser import ResBlock
from ..models.diffusion import Batches, schedule

STAGES = ("mid1", "mid2", "up_res.0.0", "up_res.0.1", "up_res.0.2", "up_res.1.2", "up_res.2.2")


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--weights", required=True)
    ap.add_argument("--pack", default="data/diffusion/pack.npz")
    ap.add_argument("--t", type=int, default=600)
    args = ap.parse_args(argv)
    torch.set_num_threads(1)
    m = load_model("denoiser", Path(args.weights), *VARIANTS["full"])[0].eval()
    b = Batches(Pack(Path(args.pack)), seed=5, split="valid", p_uncond=0, cond_drop=0, rhythm_drop=0)
    x0, c = b.batch(T=256, n=8)
    a = torch.tensor(schedule()["alphas_cumprod"], dtype=torch.float32)[args.t]
    noise = torch.randn(x0.shape, generator=torch.Generator().manual_seed(1))
    feeds = (a.sqrt() * x0 + (1 - a).sqrt() * noise, torch.full((8,), float(args.t)), c["global_tags"],
             c["caption_tags"], c["story_tags"], c["story_start_sec"], c["story_dur_sec"], c["rhythm"])
    gammas, hooks = {}, []
    for name, mod in m.named_modules():
        if isinstance(mod, ResBlock) and mod.adapter is not None:
            def keep(md, inp, out, name=name):
                g = md.gamma(inp[1])
                gammas[name] = {"mean": round(float(g.mean()), 3), "min": round(float(g.min()), 3),
                                "max": round(float(g.max()), 3)}
            hooks.append(mod.adapter.register_forward_hook(keep))
    mods = dict(m.named_modules())
    with torch.no_grad():
        v0 = m(*feeds)
        for h in hooks:
            h.remove()
        moved = {}
        for stage in STAGES:
            h = mods[stage].register_forward_hook(lambda md, i, o: torch.randn_like(o) * 5)
            moved[stage] = round(float((m(*feeds) - v0).abs().max()), 5)
            h.remove()
    out = {"t": args.t, "gamma": gammas, "maxAbsDeltaV": moved, "vScale": round(float(v0.abs().max()), 3)}
    print(json.dumps(out, indent=1))
    return out


if __name__ == "__main__":
    main()
