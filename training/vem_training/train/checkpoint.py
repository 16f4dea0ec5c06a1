"""Checkpoints shared by the training loops: resume from <run>/ckpt.pt, atomic saves, and a stop flag
that SIGTERM/SIGINT set so a loop checkpoints after its current step and exits."""
from __future__ import annotations

import json
import signal
import time
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


class Cadence:
    """The loop machinery the trainers share: a stop flag (SIGTERM/SIGINT), the wall-time budget
    (`minutes`), a checkpoint every `every_sec`, on stop and at the last step, and a step log
    (every 20th step written to <run>/log.jsonl, every 100th printed)."""

    def __init__(self, run: Path, every_sec: float, minutes: float | None, elapsed: float):
        self.run, self.every, self.minutes, self.base = run, every_sec, minutes, elapsed
        self.stop = stop_flag()
        self.log = open(run / "log.jsonl", "a")
        self.t_start = self.t_ckpt = time.time()

    def elapsed(self) -> float:
        return self.base + time.time() - self.t_start

    def record(self, step: int, rec: dict) -> None:
        if step % 20 == 0 or step == 1:
            rec = {**rec, "elapsedMin": round(self.elapsed() / 60, 2)}
            self.log.write(json.dumps(rec) + "\n")
            self.log.flush()
            if step % 100 == 0 or step == 1:
                print(rec, flush=True)

    def after_step(self, step: int, last: int, state) -> bool:
        """Checkpoints when due (`state()` gives the dict, step and elapsed are added); True: stop now."""
        now = time.time()
        done = self.stop["requested"] or (self.minutes is not None and now - self.t_start > self.minutes * 60)
        if now - self.t_ckpt > self.every or done or step >= last:
            save(self.run, {**state(), "step": step, "elapsed": self.base + now - self.t_start})
            self.t_ckpt = now
        return done
