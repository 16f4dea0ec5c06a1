"""Train the VeM denoiser v2: HVP + SG-CAtt and the rhythm path (input channels + FiLM everywhere), jointly.

    python -m vem_training.train.diffusion --config configs/denoiser.json --variant sg \
        --pack data/diffusion/pack.npz --run runs/denoiser-v2 [--minutes 60] \
        [--init-onnx ../public/models/denoiser.onnx]

Variants (the paper's table 4): --variant none|plain|sg (no HVP | cross-attention without the storyboard
mask | SG-CAtt) × --no-tb (no rhythm path). The shipped model is sg with the rhythm path.

v-prediction on the cosine, zero-terminal-SNR schedule of src/core/constants.json (t uniform in 0…999),
condition dropout for guidance (all / tags alone / rhythm alone), EMA weights (exported). Every
`evalEvery` steps the EMA model is checked on held-out clips (diffusion_checks: loss at t = 300/600 with
the true, zeroed and shifted grid; onset-peak hits of 4 samples) into <run>/checks.jsonl.
CPU: one thread by default. GPU: bf16 autocast. Under `torchrun` (LOCAL_RANK set) it runs
DistributedDataParallel, one process per GPU, unchanged; rank 0 alone logs, checks and checkpoints. The
loop is loop.Trainer (DenoiserTask: the batch and its loss, the EMA, the checks). Resumable from
<run>/ckpt.pt; SIGTERM checkpoints and stops. Without a checkpoint, --init-onnx starts from exported
weights (a new machine). A resumed run whose config changed adds {"fromStep", "changed"} to the `chain`
of <run>/config.json (and of the checkpoint's config).
"""
from __future__ import annotations

import argparse
import contextlib
import copy
import json
import os
import time
from pathlib import Path

import numpy as np
import torch

from ..config import Config, load_config
from ..data.diffusion_pack import Pack
from ..models import build_model
from ..models.diffusion import Batches, schedule, v_target
from . import checkpoint, loop


def story_features(corpus: Path, pack, story_measure: float) -> dict:
    """The frame features (power, centroid, onsets) of the pack's clip tracks and the corpus's tag
    thresholds, for shot-level storyboard tags (storyMeasure > 0); {} when it is 0."""
    if story_measure <= 0:
        return {}
    tracks = sorted({p["trackId"] for p in pack.pieces if p["kind"] == "clip"})
    missing = [t for t in tracks if not (corpus / "feats" / f"{t}.npz").exists()]
    if missing or not (corpus / "tag_thresholds.json").exists():
        raise SystemExit(f"storyMeasure needs the corpus's frame features and tag_thresholds.json in {corpus} "
                         f"({len(missing)} of {len(tracks)} tracks missing): build the corpus, or set storyMeasure 0")
    feats = {}
    for t in tracks:
        z = np.load(corpus / "feats" / f"{t}.npz")
        feats[t] = {"power": z["power"].astype(np.float32), "centroid": z["centroid"].astype(np.float32),
                    "onsets": z["onsets"].astype(np.float32)}
    return {"story_feats": feats, "thresholds": json.loads((corpus / "tag_thresholds.json").read_text())}


def recorded_tracks(corpus: Path, share: float | None) -> frozenset:
    """Ids of the corpus's recorded tracks (index.json kind "recorded"), for recordedShare; empty when unset."""
    if share is None:
        return frozenset()
    index = corpus / "index.json"
    if not index.exists():
        raise SystemExit(f"recordedShare needs the corpus's index.json in {corpus}: "
                         "build the corpus, or unset recordedShare")
    return frozenset(t["id"] for t in json.loads(index.read_text())["tracks"] if t.get("kind") == "recorded")


class DenoiserTask(loop.Task):
    """One denoiser step for the loop: a batch of the pack's crops with their conditions, v-prediction at
    a random t of the schedule through `net` (the model, or its DistributedDataParallel wrapper), bf16
    autocast on a GPU, gradients clipped at norm 1; the EMA weights (exported) are the ones checked."""
    log_every, print_every = 50, 500

    def __init__(self, cfg: Config, model, net, opt, ema: loop.Ema, data: Batches, dev, meta: dict,
                 held=None, decoder=None):
        self.cfg, self.model, self.net, self.opt, self.ema, self.data = cfg, model, net, opt, ema, data
        self.dev, self.meta, self.held, self.decoder = dev, meta, held, decoder
        self.params, self.clip = list(model.parameters()), 1.0
        self.lrs = (loop.Warmup(opt, cfg.lr, cfg.warmupSteps, cosine=cfg.lrCosineSteps),)
        self.ac = torch.tensor(schedule()["alphas_cumprod"], dtype=torch.float32, device=dev)
        self.amp = dev.type == "cuda"

    def loss(self, step: int):
        dev, ac = self.dev, self.ac
        x0, cond = self.data.batch()
        x0 = x0.to(dev, non_blocking=True)
        cond = {k: v.to(dev, non_blocking=True) for k, v in cond.items()}
        t = torch.randint(0, ac.shape[0], (x0.shape[0],), device=dev)
        noise = torch.randn_like(x0)
        a = ac[t][:, None, None]
        xt = a.sqrt() * x0 + (1 - a).sqrt() * noise
        with (torch.autocast("cuda", dtype=torch.bfloat16) if self.amp else contextlib.nullcontext()):
            v = self.net(xt, t.float(), cond["global_tags"], cond["caption_tags"], cond["story_tags"],
                         cond["story_start_sec"], cond["story_dur_sec"], cond["rhythm"])
        return torch.nn.functional.mse_loss(v.float(), v_target(x0, noise, a)), {"T": int(x0.shape[2])}

    def state(self) -> dict:
        return {"model": self.model.state_dict(), "ema": self.ema.module.state_dict(), "opt": self.opt.state_dict(),
                "config": self.meta}

    def check(self) -> dict:
        from .diffusion_checks import sample_hits
        ema = self.ema.module
        ema_cpu = ema if self.dev.type == "cpu" else copy.deepcopy(ema).cpu()
        return {**self.held.losses(ema_cpu), **sample_hits(ema_cpu, self.held, self.decoder)}


def init_from_checkpoint(model, source, reset_film: bool = False) -> dict:
    """Load another run's EMA weights into `model` (same shapes); with reset_film the rhythm FiLM
    adapters (γ, β convolutions) start at zero again, i.e. every block passes its input unchanged."""
    from ..models import read_checkpoint
    st = read_checkpoint(source)
    model.load_state_dict(st["ema"])
    return {"step": int(st["step"]), "zeroed": zero_film(model) if reset_film else 0}


def zero_film(model) -> int:
    """Zero the rhythm FiLM adapters (γ, β convolutions): every block passes its input unchanged."""
    zeroed = 0
    with torch.no_grad():
        for name, p in model.named_parameters():
            if ".adapter." in name:
                p.zero_()
                zeroed += 1
    return zeroed


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--config", default="configs/denoiser.json")
    ap.add_argument("--variant", choices=["sg", "plain", "none"], default="sg")
    ap.add_argument("--no-tb", action="store_true", help="no rhythm path (ablation rows)")
    ap.add_argument("--pack", default="data/diffusion/pack.npz")
    ap.add_argument("--corpus", default="data/corpus", help="frame features and tag thresholds (storyMeasure)")
    ap.add_argument("--run", required=True)
    ap.add_argument("--minutes", type=float, default=None)
    ap.add_argument("--steps", type=int, default=None)
    ap.add_argument("--init-onnx", default=None, help="start from exported weights when there is no checkpoint")
    ap.add_argument("--init-ckpt", default=None,
                    help="start from another run's EMA weights (run folder or ckpt.pt) when there is no checkpoint")
    ap.add_argument("--reset-film", action="store_true",
                    help="with --init-ckpt or --init-onnx: zero the rhythm FiLM adapters (a run that moves FiLM)")
    ap.add_argument("--no-checks", action="store_true")
    ap.add_argument("--threads", type=int, default=int(os.environ.get("VEM_TORCH_THREADS", "1")))
    args = ap.parse_args(argv)

    ddp = "LOCAL_RANK" in os.environ
    if ddp:
        torch.distributed.init_process_group("nccl")
        rank = torch.distributed.get_rank()
        torch.cuda.set_device(int(os.environ["LOCAL_RANK"]))
    else:
        rank = 0
    dev = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if dev.type == "cpu":
        torch.set_num_threads(args.threads)
    cfg = load_config(args.config)
    total = args.steps or cfg.steps
    scale = cfg.gpuBatchScale if dev.type == "cuda" else 1
    crops = [(T, b * scale) for T, b in cfg.crops]
    run = Path(args.run)
    run.mkdir(parents=True, exist_ok=True)
    pack = Pack(Path(args.pack))
    data = Batches(pack, seed=cfg.seed + 1000 * rank + int(time.time()) % 1000, crops=crops,
                   edit_share=cfg.editShare, cond_drop=cfg.condDrop, rhythm_drop=cfg.rhythmDrop,
                   p_uncond=cfg.uncondDrop, downbeat_drop=cfg.downbeatDrop,
                   story_measure=cfg.storyMeasure, shot_sec=cfg.shotSec,
                   recorded_share=cfg.recordedShare,
                   recorded_tracks=recorded_tracks(Path(args.corpus), cfg.recordedShare),
                   **story_features(Path(args.corpus), pack, cfg.storyMeasure))
    tb = not args.no_tb
    model = build_model("denoiser", cfg.model, vocab=data.vocab, cond=args.variant, tb=tb)
    model.to(dev)
    ema = loop.Ema(model, cfg.ema)
    opt = torch.optim.AdamW(list(model.parameters()), lr=cfg.lr, weight_decay=cfg.weightDecay)
    step_idx, elapsed = checkpoint.resume(run, {"model": model, "ema": ema.module, "opt": opt})
    chain = []
    if step_idx == 0 and args.init_onnx:
        from ..models.onnx_weights import load_from_onnx
        # a variant without the rhythm path keeps the latent part of the input conv (the rhythm channels
        # were zero whenever training dropped the rhythm) and leaves the FiLM adapters out
        n = load_from_onnx(model, args.init_onnx, narrow=None if tb else {"inp.weight": 1})
        ema.module.load_state_dict(model.state_dict())
        if args.reset_film:
            zero_film(model)
            ema.module.load_state_dict(model.state_dict())
        chain = [{"initOnnx": args.init_onnx, **({"resetFilm": True} if args.reset_film else {})}]
        print(f"initialised {n} tensors from {args.init_onnx}", flush=True)
    if step_idx == 0 and args.init_ckpt:
        n = init_from_checkpoint(model, args.init_ckpt, args.reset_film)
        ema.module.load_state_dict(model.state_dict())
        chain = [{"initCkpt": str(args.init_ckpt), "step": n["step"], "resetFilm": bool(args.reset_film)}]
        print(f"initialised from {args.init_ckpt} (step {n['step']}, {n['zeroed']} FiLM tensors zeroed)", flush=True)
    net = torch.nn.parallel.DistributedDataParallel(model, find_unused_parameters=True) if ddp else model
    d = cfg.to_dict()
    meta = {**d, "configFile": args.config, "variant": args.variant, "tb": tb, "pack": str(args.pack),
            "packHours": pack.meta["hours"],
            "encoderSha256": pack.meta["encoderSha256"], "params": sum(p.numel() for p in model.parameters()),
            "device": str(dev), "crops": crops, "chain": chain}
    if rank == 0:
        prev = json.loads((run / "config.json").read_text()) if (run / "config.json").exists() else {}
        changed = {k: d[k] for k in d if prev and prev.get(k) != d[k]}
        if changed and step_idx > 0:  # a resumed run whose config changed: the chain says from which step
            chain = chain + [{"fromStep": step_idx, "changed": changed}]
        meta["chain"] = prev.get("chain", []) + chain
        (run / "config.json").write_text(json.dumps(meta, indent=1))
        print(json.dumps({k: meta[k] for k in ("variant", "tb", "params", "device", "crops")}), flush=True)
    held, decoder = None, None
    if rank == 0 and not args.no_checks:
        from .diffusion_checks import Decoder, HeldOut
        held, decoder = HeldOut(pack), Decoder(pack.mean, pack.std)
    task = DenoiserTask(cfg, model, net, opt, ema, data, dev, meta, held, decoder)
    trainer = loop.Trainer(run, task, total, cfg.ckptEverySec, args.minutes, step_idx, elapsed,
                           check_every=cfg.evalEvery if held is not None else 0, main=rank == 0)
    net.train()
    trainer.run()
    if ddp:
        torch.distributed.destroy_process_group()


if __name__ == "__main__":
    main()
