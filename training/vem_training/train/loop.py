"""The one training loop. The vocoder and VAE (autoencoder), the aligner, the denoiser (diffusion) and
the adversarial vocoder (vocoder_gan) each hand it a `Task`; `Trainer.run` does the rest, the same way
for all of them:

- learning rates: before each step every optimiser gets its `Warmup`'s rate (linear warm-up from a
  start step, then constant or a half cosine down to 0);
- budget: train until step `total` (the config's `steps`, or --steps) or until --minutes have gone by
  (checks left out; with `wall_budget` they count, the budget is then wall time);
- stop flag: SIGTERM/SIGINT let the current step finish, then the loop checkpoints and stops;
- checkpoints: <run>/ckpt.pt every `ckpt_every_sec`, at the last step and on a stop: the task's
  `state()` (state dicts under the names `checkpoint.resume` loads them by, and "config") plus "step"
  and "elapsed" (training seconds, earlier runs included, checks left out);
- EMA: after each optimiser update, for a task that keeps one (`Ema`);
- held-out checks every `check_every` steps (with `check_at_end` also at the last step, unless
  stopped): the task's `check()` figures as one line of <run>/checks.jsonl, "step" first, "checkSec" last;
- step log: a line of <run>/log.jsonl when the task's `log_due` says so (default: step 1 and every
  20th), printed when `print_due` does (step 1 and every 100th): {"step", the task's figures, "sec",
  "elapsedMin"}, and "nonFinite": true when one of the figures is NaN or infinite.

A model supplies, as a `Task` subclass: its optimiser and the `Warmup` of each optimiser (`lrs`);
`loss(step)`, one batch and its loss (a tensor, and the figures to log beside "loss"): the loop's
`Task.step` does zero_grad, backward, gradient clipping (`clip`, over `params`) and the optimiser step;
`state()`; `check()` when it has held-out checks; `ema`; its log cadence when not the default. The
adversarial vocoder's step is a discriminator update and then a generator update, with two optimisers
and a discriminator-only warm-up: it writes `step()` itself (as `gan_step`) rather than the loop learning
about alternating updates that one model has; its log cadence is its own too (the first two steps, the
last, and those that measure its gradient parts). Under DDP (the denoiser under torchrun) every process
trains; only the `main` one writes the log, checks and checkpoints.

Each step, in order: learning rates, the task's step, the EMA, the log line, the checkpoint when due,
the checks when due, the stop.
"""
from __future__ import annotations

import copy
import json
import math
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from . import checkpoint


@dataclass
class Warmup:
    """An optimiser's learning rate at a step: 0 before `start`, then base · min(1, (step − start + 1) /
    `steps`), times ½(1 + cos(π · step / `cosine`)) when `cosine` (the total steps) is given."""
    opt: torch.optim.Optimizer
    base: float
    steps: int
    start: int = 0
    cosine: int | None = None

    def lr(self, step: int) -> float:
        if step < self.start:
            return 0.0
        lr = self.base * min(1.0, (step - self.start + 1) / self.steps)
        if self.cosine:
            lr = lr * 0.5 * (1 + np.cos(np.pi * step / self.cosine))
        return lr

    def apply(self, step: int) -> None:
        lr = self.lr(step)
        for g in self.opt.param_groups:
            g["lr"] = lr


class Ema:
    """An exponential moving average of `model`'s parameters (`module`, a frozen copy in eval mode);
    decay min(`decay`, (1 + step) / (10 + step)), so the first steps are followed closely."""

    def __init__(self, model: torch.nn.Module, decay: float):
        self.model, self.decay = model, decay
        self.module = copy.deepcopy(model).eval()
        for p in self.module.parameters():
            p.requires_grad_(False)

    @torch.no_grad()
    def update(self, step: int) -> None:
        decay = min(self.decay, (1 + step) / (10 + step))
        for pe, pm in zip(self.module.parameters(), self.model.parameters()):
            pe.lerp_(pm.detach(), 1 - decay)


class Task:
    """What one model gives the loop (see the module docstring); subclasses set the attributes in
    their __init__ and write `loss` (or `step`), `state` and, with checks, `check`."""
    lrs: tuple = ()
    opt: torch.optim.Optimizer | None = None
    params: list | None = None
    clip: float | None = None
    ema: Ema | None = None
    log_every, print_every = 20, 100

    def loss(self, step: int) -> tuple[torch.Tensor, dict]:
        raise NotImplementedError

    def step(self, step: int) -> dict:
        """One optimiser update at `step` (the steps done before it); returns the figures to log."""
        loss, figures = self.loss(step)
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        if self.clip is not None:
            torch.nn.utils.clip_grad_norm_(self.params, self.clip)
        self.opt.step()
        return {"loss": round(loss.item(), 5), **figures}

    def state(self) -> dict:
        raise NotImplementedError

    def check(self) -> dict:
        raise NotImplementedError

    def log_due(self, step: int, last: bool) -> bool:
        return step % self.log_every == 0 or step == 1

    def print_due(self, step: int) -> bool:
        return step % self.print_every == 0 or step == 1


class Trainer:
    """Runs a task from `step` (a resumed checkpoint's, with its `elapsed` seconds) to `total`."""

    def __init__(self, run: Path, task: Task, total: int, ckpt_every_sec: float, minutes: float | None = None,
                 step: int = 0, elapsed: float = 0.0, check_every: int = 0, check_at_end: bool = False,
                 wall_budget: bool = False, main: bool = True):
        self.run_dir, self.task, self.total, self.every, self.minutes = Path(run), task, total, ckpt_every_sec, minutes
        self.step, self.base = step, elapsed
        self.check_every, self.check_at_end, self.wall_budget, self.main = check_every, check_at_end, wall_budget, main
        self.stop = checkpoint.stop_flag()
        self.log = open(self.run_dir / "log.jsonl", "a") if main else None
        self.t_start = self.t_ckpt = time.time()
        self.check_time = 0.0

    def elapsed(self, now: float | None = None) -> float:
        """Training seconds: the resumed run's, and this one's without its checks."""
        return self.base + (time.time() if now is None else now) - self.t_start - self.check_time

    def out_of_time(self, now: float) -> bool:
        if self.minutes is None:
            return False
        return now - self.t_start - (0.0 if self.wall_budget else self.check_time) > self.minutes * 60

    def save(self, now: float | None = None) -> None:
        now = time.time() if now is None else now
        if self.main:
            checkpoint.save(self.run_dir, {**self.task.state(), "step": self.step, "elapsed": self.elapsed(now)})
        self.t_ckpt = now

    def check(self) -> None:
        """The task's held-out checks at the current step → <run>/checks.jsonl (their time is not training)."""
        tc = time.time()
        rec = {"step": self.step, **self.task.check(), "checkSec": round(time.time() - tc, 1)}
        with open(self.run_dir / "checks.jsonl", "a") as f:
            f.write(json.dumps(rec) + "\n")
        print(rec, flush=True)
        self.check_time += time.time() - tc

    def due_check(self, last: bool, stopped: bool) -> bool:
        if not (self.main and self.check_every):
            return False
        return self.step % self.check_every == 0 or (self.check_at_end and last and not stopped)

    def record(self, figures: dict, sec: float, now: float, last: bool) -> None:
        if not self.main or not self.task.log_due(self.step, last):
            return
        rec = {"step": self.step, **figures, "sec": round(sec, 3), "elapsedMin": round(self.elapsed(now) / 60, 2)}
        if not all(math.isfinite(v) for v in figures.values() if isinstance(v, float)):
            rec["nonFinite"] = True
        self.log.write(json.dumps(rec) + "\n")
        self.log.flush()
        if self.task.print_due(self.step):
            print(rec, flush=True)

    def run(self) -> int:
        """Trains until `total`, the time budget or a stop; returns the step reached."""
        while self.step < self.total:
            for w in self.task.lrs:
                w.apply(self.step)
            t0 = time.time()
            figures = self.task.step(self.step)
            self.step += 1
            if self.task.ema is not None:
                self.task.ema.update(self.step)
            now = time.time()
            stopped = self.stop["requested"]
            done = stopped or self.out_of_time(now)
            last = done or self.step >= self.total
            self.record(figures, now - t0, now, last)
            if now - self.t_ckpt > self.every or last:
                self.save(now)
            if self.due_check(last, stopped):
                self.check()
            if done:
                break
        if self.main:
            print(f"stopped at step {self.step}", flush=True)
            self.log.close()
        return self.step
