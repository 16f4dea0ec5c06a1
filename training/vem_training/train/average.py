"""Weight interpolation between two runs of one denoiser network: the EMA weights (1 − α)·A + α·B, written
as a run folder that `export denoiser --weights` reads like any other (docs/diffusion.md, "Weight averaging").

    python -m vem_training.train.average --a runs/snap-d10k --b runs/denoiser-recorded4 --alpha 0.5 \\
        --run runs/denoiser-mix --pack data/diffusion/pack-rec2.npz

B must have been fine-tuned from A (or both from one start) so that the two sit in one basin; the average then
lands between their behaviours. The new run's config is B's, with the average recorded in its chain; the
held-out rhythm checks of the training run (`train.diffusion_checks`) are measured on the result unless
--no-checks. The folder has no optimiser state: train from it with `train.diffusion --init-ckpt <it>`, not by
resuming it.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import torch

from ..models import read_checkpoint
from . import checkpoint


def average_state(a: dict, b: dict, alpha: float) -> dict:
    """(1 − α)·a + α·b for every floating-point tensor (computed in float32, stored in a's dtype); other
    tensors (counters) must be equal. The two state dicts must have the same keys and shapes."""
    if not 0.0 <= alpha <= 1.0:
        raise ValueError(f"alpha must be in [0, 1], got {alpha}")
    if set(a) != set(b):
        raise ValueError(f"the weights differ in their tensors: {sorted(set(a) ^ set(b))[:5]}")
    out = {}
    for k, ta in a.items():
        tb = b[k]
        if ta.shape != tb.shape:
            raise ValueError(f"{k}: shape {tuple(ta.shape)} against {tuple(tb.shape)}")
        if ta.is_floating_point():
            out[k] = ((1 - alpha) * ta.float() + alpha * tb.float()).to(ta.dtype)
        elif torch.equal(ta, tb):
            out[k] = ta.clone()
        else:
            raise ValueError(f"{k}: a non-float tensor that differs between the runs")
    return out


def average_runs(a: Path, b: Path, alpha: float, run: Path) -> dict:
    """Writes run/ckpt.pt and run/config.json; returns the new checkpoint."""
    sa, sb = read_checkpoint(a), read_checkpoint(b)
    ma, mb = sa["config"].get("model"), sb["config"].get("model")
    if ma != mb:
        raise ValueError(f"the runs are different networks: {ma} against {mb}")
    mix = average_state(sa["ema"], sb["ema"], alpha)
    step = {"average": {"a": str(a), "stepsA": int(sa["step"]), "b": str(b), "stepsB": int(sb["step"]),
                        "alpha": alpha}}
    cfg = {**sb["config"], "chain": sb["config"].get("chain", []) + [{"run": str(b), "steps": int(sb["step"])}, step],
           "average": step["average"]}
    state = {"model": mix, "ema": mix, "opt": {}, "config": cfg, "step": int(sb["step"]),
             "elapsed": float(sa.get("elapsed", 0.0)) + float(sb.get("elapsed", 0.0))}
    run.mkdir(parents=True, exist_ok=True)
    checkpoint.save(run, state)
    (run / "config.json").write_text(json.dumps(cfg, indent=1))
    return state


def held_out_checks(run: Path, pack_path: Path) -> dict:
    """The training run's held-out figures (v-loss at t = 300/600 with the true, zeroed and shifted grid;
    onset-peak hits on 4 quick samples) on the averaged weights, appended to run/checks.jsonl."""
    from ..data.diffusion_pack import Pack
    from ..models import load_model
    from .diffusion_checks import Decoder, HeldOut, sample_hits

    model, st = load_model("denoiser", run)
    pack = Pack(pack_path)
    held = HeldOut(pack)
    res = {"step": int(st["step"]), **held.losses(model), **sample_hits(model, held, Decoder(pack.mean, pack.std))}
    with (run / "checks.jsonl").open("a") as f:
        f.write(json.dumps(res) + "\n")
    return res


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--a", required=True, type=Path, help="run folder (or ckpt.pt) weighted 1 − α")
    ap.add_argument("--b", required=True, type=Path, help="run folder (or ckpt.pt) weighted α")
    ap.add_argument("--alpha", required=True, type=float)
    ap.add_argument("--run", required=True, type=Path, help="the new run folder")
    ap.add_argument("--pack", type=Path, default=None, help="the pack for the held-out checks (default: B's)")
    ap.add_argument("--no-checks", action="store_true")
    a = ap.parse_args(argv)
    torch.set_num_threads(1)
    st = average_runs(a.a, a.b, a.alpha, a.run)
    print(json.dumps({"run": str(a.run), **st["config"]["average"]}), flush=True)
    if not a.no_checks:
        print(json.dumps(held_out_checks(a.run, a.pack or Path(st["config"]["pack"]))), flush=True)


if __name__ == "__main__":
    main()
