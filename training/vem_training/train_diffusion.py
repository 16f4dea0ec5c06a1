"""Train the VeM denoiser: stage 1 (HVP + SG-CAtt, no adapter) and stage 2 (TB adapter, rest frozen).

    python -m vem_training.train_diffusion --config configs/denoiser.json --variant sg --stage 1 \
        --pack data/diffusion/pack.npz --run runs/diff-sg [--minutes 60]
    python -m vem_training.train_diffusion --config configs/denoiser.json --variant sg --stage 2 \
        --pack data/diffusion/pack.npz --base runs/diff-sg --run runs/diff-sg-tb

Variants (the paper's table 4): none (no HVP) | plain (HVP, cross-attention without the storyboard mask) |
sg (HVP + SG-CAtt). Stage 2 on `none` gives "TB-As only", on `sg` the full model.

ε-prediction on the 1000-step scaled-linear schedule of src/core/constants.json, 10 % condition dropout
for classifier-free guidance, EMA weights (exported). CPU: one thread by default. GPU: bf16 autocast.
Under `torchrun` (LOCAL_RANK set) it runs DistributedDataParallel, one process per GPU, unchanged.
Resumable from <run>/ckpt.pt; SIGTERM checkpoints and stops.
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

from . import checkpoint
from .diffusion import Batches, schedule
from .diffusion_data import Pack
from .models.denoiser import Denoiser
from .rhythm import RHYTHM_CHANNELS


def build(cfg: dict, variant: str, tb: bool, vocab: int) -> Denoiser:
    return Denoiser(vocab=vocab, vis_dim=cfg["visDim"], rhythm_channels=RHYTHM_CHANNELS, cond=variant, tb=tb,
                    **cfg["model"])


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--config", default="configs/denoiser.json")
    ap.add_argument("--variant", choices=["sg", "plain", "none"], default="sg")
    ap.add_argument("--stage", type=int, choices=[1, 2], default=1)
    ap.add_argument("--pack", default="data/diffusion/pack.npz")
    ap.add_argument("--run", required=True)
    ap.add_argument("--base", default=None, help="stage 2: the stage-1 run whose EMA weights are frozen")
    ap.add_argument("--minutes", type=float, default=None)
    ap.add_argument("--steps", type=int, default=None)
    ap.add_argument("--batch", type=int, default=None)
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
    cfg = json.loads(Path(args.config).read_text())
    tr = cfg["stage1"] if args.stage == 1 else cfg["stage2"]
    total = args.steps or tr["steps"]
    batch_size = args.batch or (tr["batchGpu"] if dev.type == "cuda" else tr["batch"])
    run = Path(args.run)
    run.mkdir(parents=True, exist_ok=True)
    pack = Pack(Path(args.pack))
    data = Batches(pack, seed=cfg["seed"] + 1000 * rank + int(time.time()) % 1000, vis_dim=cfg["visDim"],
                   lengths=tuple(cfg["lengths"]), edit_share=tr["editShare"], cond_drop=cfg["condDrop"],
                   rhythm_drop=tr.get("rhythmDrop", 0.1))
    tb = args.stage == 2
    model = build(cfg, args.variant, tb, data.vocab)
    if tb:
        if args.base is None:
            raise SystemExit("stage 2 needs --base <stage-1 run>")
        base_dir = Path(args.base)
        if (base_dir / "ckpt.pt").exists():
            base_state = torch.load(base_dir / "ckpt.pt", map_location="cpu")["ema"]
        else:  # fp16 .npz weights written by training/gpu/train_denoisers.sh
            from . import weights_npz
            base_state = weights_npz.load(base_dir / f"diff-{args.variant}")
        missing, unexpected = model.load_state_dict(base_state, strict=False)
        assert not unexpected and all("adapter" in k or "rhythm_stem" in k for k in missing), (missing, unexpected)
        for p in model.parameters():
            p.requires_grad_(False)
        for p in model.adapter_parameters():
            p.requires_grad_(True)
    model.to(dev)
    ema = copy.deepcopy(model).eval()
    for p in ema.parameters():
        p.requires_grad_(False)
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=tr["lr"], weight_decay=0.01)
    step_idx, elapsed = checkpoint.resume(run, {"model": model, "ema": ema, "opt": opt})
    net = torch.nn.parallel.DistributedDataParallel(model, find_unused_parameters=True) if ddp else model
    ac = torch.tensor(schedule()["alphas_cumprod"], dtype=torch.float32, device=dev)
    meta = {**cfg, "variant": args.variant, "stage": args.stage, "base": args.base, "pack": str(args.pack),
            "packHours": pack.meta["hours"], "encoderSha256": pack.meta["encoderSha256"],
            "params": sum(p.numel() for p in model.parameters()), "trainable": sum(p.numel() for p in params),
            "device": str(dev), "batch": batch_size}
    if rank == 0:
        (run / "config.json").write_text(json.dumps(meta, indent=1))
        print(json.dumps({k: meta[k] for k in ("variant", "stage", "params", "trainable", "device", "batch")}), flush=True)
    stop = checkpoint.stop_flag()
    log = open(run / "log.jsonl", "a") if rank == 0 else None
    t_start = t_ckpt = time.time()
    amp = dev.type == "cuda"
    net.train()
    while step_idx < total:
        lr = tr["lr"] * min(1.0, (step_idx + 1) / tr["warmupSteps"])
        for g in opt.param_groups:
            g["lr"] = lr
        t0 = time.time()
        x0, cond = data.batch(batch_size)
        x0 = x0.to(dev, non_blocking=True)
        cond = {k: v.to(dev, non_blocking=True) for k, v in cond.items()}
        t = torch.randint(0, ac.shape[0], (x0.shape[0],), device=dev)
        noise = torch.randn_like(x0)
        a = ac[t][:, None, None]
        xt = a.sqrt() * x0 + (1 - a).sqrt() * noise
        with (torch.autocast("cuda", dtype=torch.bfloat16) if amp else contextlib.nullcontext()):
            eps = net(xt, t.float(), cond["global_tags"], cond["caption_tags"], cond["story_tags"], cond["story_vis"],
                      cond["story_start_sec"], cond["story_dur_sec"], cond["rhythm"])
        loss = torch.nn.functional.mse_loss(eps.float(), noise)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        step_idx += 1
        decay = min(cfg["ema"], (1 + step_idx) / (10 + step_idx))
        with torch.no_grad():
            for pe, pm in zip(ema.parameters(), model.parameters()):
                pe.lerp_(pm.detach(), 1 - decay)
        now = time.time()
        if rank == 0 and (step_idx % 50 == 0 or step_idx == 1):
            rec = {"step": step_idx, "loss": round(loss.item(), 5), "T": int(x0.shape[2]), "sec": round(now - t0, 3),
                   "elapsedMin": round((elapsed + now - t_start) / 60, 2)}
            log.write(json.dumps(rec) + "\n")
            log.flush()
            if step_idx % 500 == 0 or step_idx == 1:
                print(rec, flush=True)
        done = stop["requested"] or (args.minutes is not None and now - t_start > args.minutes * 60)
        if rank == 0 and (now - t_ckpt > cfg["ckptEverySec"] or done or step_idx >= total):
            checkpoint.save(run, {"model": model.state_dict(), "ema": ema.state_dict(), "opt": opt.state_dict(),
                                  "step": step_idx, "elapsed": elapsed + now - t_start, "config": meta})
            t_ckpt = now
        if done:
            break
    if rank == 0:
        print(f"stopped at step {step_idx}", flush=True)
    if ddp:
        torch.distributed.destroy_process_group()


if __name__ == "__main__":
    main()
