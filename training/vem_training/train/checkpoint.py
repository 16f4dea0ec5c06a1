"""Checkpoints of the training loop (loop.Trainer): resume from <run>/ckpt.pt, atomic saves, and a stop
flag that SIGTERM/SIGINT set so the loop checkpoints after its current step and exits.

<run>/ckpt.pt is a dict: the state dicts of the run's modules and optimisers under their names ("model",
"opt"; the denoiser's "ema"; the adversarial vocoder's "disc" and "optD"), "config" (the config the run
read, with what the run adds to it), "step" (optimiser steps done) and "elapsed" (training seconds)."""
from __future__ import annotations

import signal
from pathlib import Path

import torch

from ..models import read_checkpoint


def resume(run: Path, modules: dict) -> tuple[int, float]:
    """Loads each named module/optimizer's state from <run>/ckpt.pt if present; returns (step, elapsed s)."""
    ckpt = run / "ckpt.pt"
    if not ckpt.exists():
        return 0, 0.0
    st = read_checkpoint(ckpt)
    for key, m in modules.items():
        m.load_state_dict(st[key])
    print(f"resumed {ckpt} at step {st['step']}", flush=True)
    return st["step"], st["elapsed"]


def save(run: Path, state: dict) -> None:
    """Writes <run>/ckpt.pt through a temporary file, so a stop mid-write never leaves a broken one."""
    tmp = run / "ckpt.pt.tmp"
    torch.save(state, tmp)
    tmp.replace(run / "ckpt.pt")


def stop_flag() -> dict:
    stop = {"requested": False}
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.update(requested=True))
    return stop

