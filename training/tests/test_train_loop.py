"""The shared training loop (train/loop.py) on a toy task: warm-up schedules, the step and time budgets,
checkpoint cadence, resuming where a checkpoint left off, the SIGTERM stop, checks, EMA and the step log."""
import json
import math
import os
import signal
from types import SimpleNamespace

import pytest
import torch

from vem_training.train import checkpoint, loop

torch.set_num_threads(1)
pytestmark = pytest.mark.usefixtures("restore_signal_handlers")


class Clock:
    """A stand-in for time.time(): the loop's seconds pass only when a test says so."""

    def __init__(self):
        self.now = 1000.0

    def time(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    c = Clock()
    monkeypatch.setattr(loop, "time", SimpleNamespace(time=c.time))
    return c


class Toy(loop.Task):
    """A linear model fitting y = 2x; each step may advance the clock, raise SIGTERM or record its lr."""

    def __init__(self, clock=None, sec_per_step=0.0, sigterm_at=None, warmup=4, check_sec=0.0):
        torch.manual_seed(0)
        self.model = torch.nn.Linear(1, 1)
        self.opt = torch.optim.SGD(self.model.parameters(), lr=0.1)
        self.lrs = (loop.Warmup(self.opt, 0.1, warmup),)
        self.params, self.clip = list(self.model.parameters()), 1.0
        self.clock, self.sec, self.sigterm_at, self.check_sec = clock, sec_per_step, sigterm_at, check_sec
        self.seen_lr, self.steps_given = [], []

    def loss(self, step):
        self.steps_given.append(step)
        self.seen_lr.append(self.opt.param_groups[0]["lr"])
        if self.clock is not None:
            self.clock.now += self.sec
        if self.sigterm_at == step:
            os.kill(os.getpid(), signal.SIGTERM)
        x = torch.randn(8, 1)
        return torch.nn.functional.mse_loss(self.model(x), 2 * x), {"lr": self.seen_lr[-1]}

    def state(self):
        return {"model": self.model.state_dict(), "opt": self.opt.state_dict(), "config": {"kind": "toy"}}

    def check(self):
        if self.clock is not None:
            self.clock.now += self.check_sec
        return {"w": round(float(self.model.weight), 4)}


def lines(path):
    return [json.loads(s) for s in path.read_text().splitlines()] if path.exists() else []


def test_warmup_is_linear_from_its_start_then_constant_or_a_half_cosine():
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1.0)
    w = loop.Warmup(opt, 0.5, 4)
    assert [w.lr(s) for s in range(6)] == [0.125, 0.25, 0.375, 0.5, 0.5, 0.5]
    late = loop.Warmup(opt, 0.5, 4, start=3)  # the GAN's generator: nothing while only D trains
    assert [late.lr(s) for s in range(8)] == [0.0, 0.0, 0.0, 0.125, 0.25, 0.375, 0.5, 0.5]
    cos = loop.Warmup(opt, 1.0, 2, cosine=10)  # the aligner: warm-up times a half cosine over the run
    assert cos.lr(0) == pytest.approx(0.5) and cos.lr(5) == pytest.approx(0.5) and cos.lr(9) < 0.03
    assert all(a >= b for a, b in zip([cos.lr(s) for s in range(1, 10)], [cos.lr(s) for s in range(2, 10)]))
    cos.apply(5)
    assert opt.param_groups[0]["lr"] == pytest.approx(0.5)


def test_the_loop_sets_each_steps_lr_and_stops_at_the_step_budget(tmp_path, clock):
    task = Toy(warmup=4)
    reached = loop.Trainer(tmp_path, task, total=25, ckpt_every_sec=1e9).run()
    assert reached == 25 and task.steps_given == list(range(25))
    assert task.seen_lr[:5] == pytest.approx([0.025, 0.05, 0.075, 0.1, 0.1])
    st = torch.load(tmp_path / "ckpt.pt")
    assert st["step"] == 25 and set(st) == {"model", "opt", "config", "step", "elapsed"}
    # the default log: step 1 and every 20th, the task's figures between "step" and "sec"
    log = lines(tmp_path / "log.jsonl")
    assert [r["step"] for r in log] == [1, 20]
    assert list(log[0]) == ["step", "loss", "lr", "sec", "elapsedMin"] and log[0]["lr"] == 0.025
    assert loop.Trainer(tmp_path, task, total=25, ckpt_every_sec=1e9, step=25).run() == 25  # nothing left to do


def test_checkpoints_follow_the_cadence_and_the_last_step(tmp_path, clock, monkeypatch):
    saved = []
    real_save = checkpoint.save
    monkeypatch.setattr(checkpoint, "save", lambda run, st: (saved.append((st["step"], st["elapsed"])),
                                                              real_save(run, st)))
    task = Toy(clock, sec_per_step=10.0)
    loop.Trainer(tmp_path, task, total=10, ckpt_every_sec=25).run()
    # 10 s a step, a checkpoint once more than 25 s have passed since the last one, and at the end
    assert [s for s, _ in saved] == [3, 6, 9, 10]
    assert [e for _, e in saved] == [30.0, 60.0, 90.0, 100.0]


def test_resume_continues_the_step_count_the_weights_and_the_elapsed_time(tmp_path, clock):
    first = Toy(clock, sec_per_step=1.0)
    loop.Trainer(tmp_path, first, total=12, ckpt_every_sec=1e9).run()
    w12 = first.model.weight.detach().clone()
    again = Toy(clock, sec_per_step=1.0)
    step, elapsed = checkpoint.resume(tmp_path, {"model": again.model, "opt": again.opt})
    assert (step, elapsed) == (12, 12.0) and torch.equal(again.model.weight, w12)
    assert loop.Trainer(tmp_path, again, total=21, ckpt_every_sec=1e9, step=step, elapsed=elapsed).run() == 21
    assert again.steps_given == list(range(12, 21))
    st = torch.load(tmp_path / "ckpt.pt")
    assert st["step"] == 21 and st["elapsed"] == 21.0
    assert [r["step"] for r in lines(tmp_path / "log.jsonl")] == [1, 20]


def test_sigterm_checkpoints_after_the_current_step_and_stops(tmp_path, capsys):
    task = Toy(sigterm_at=4)
    trainer = loop.Trainer(tmp_path, task, total=100, ckpt_every_sec=1e9)
    assert trainer.run() == 5  # step index 4 is the fifth step: it finishes, then the loop stops
    assert trainer.stop["requested"] and task.steps_given == list(range(5))
    assert torch.load(tmp_path / "ckpt.pt")["step"] == 5
    assert "stopped at step 5" in capsys.readouterr().out


def test_the_time_budget_leaves_checks_out_unless_it_is_wall_time(tmp_path, clock):
    # 10 s a step, a check every 2 steps that takes 100 s, a 1-minute budget
    (tmp_path / "a").mkdir()
    task = Toy(clock, sec_per_step=10.0, check_sec=100.0)
    trainer = loop.Trainer(tmp_path / "a", task, total=100, ckpt_every_sec=1e9, minutes=1.0, check_every=2)
    assert trainer.run() == 7  # training time only: more than 60 s after the 7th step
    st = torch.load(tmp_path / "a" / "ckpt.pt")
    assert st["elapsed"] == 70.0  # checks are not training time
    checks = lines(tmp_path / "a" / "checks.jsonl")
    assert [c["step"] for c in checks] == [2, 4, 6] and list(checks[0]) == ["step", "w", "checkSec"]
    (tmp_path / "b").mkdir()
    wall = loop.Trainer(tmp_path / "b", Toy(clock, sec_per_step=10.0, check_sec=100.0), total=100,
                        ckpt_every_sec=1e9, minutes=1.0, check_every=2, check_at_end=True, wall_budget=True)
    # wall time: 20 s of steps and a 100 s check are past the minute once step 3 is done; its end check
    assert wall.run() == 3
    assert [c["step"] for c in lines(tmp_path / "b" / "checks.jsonl")] == [2, 3]
    assert torch.load(tmp_path / "b" / "ckpt.pt")["elapsed"] == 30.0


def test_a_check_at_the_end_when_asked_but_not_after_a_stop(tmp_path):
    (tmp_path / "a").mkdir()
    loop.Trainer(tmp_path / "a", Toy(), total=5, ckpt_every_sec=1e9, check_every=3, check_at_end=True).run()
    assert [c["step"] for c in lines(tmp_path / "a" / "checks.jsonl")] == [3, 5]
    (tmp_path / "b").mkdir()
    loop.Trainer(tmp_path / "b", Toy(sigterm_at=3), total=9, ckpt_every_sec=1e9, check_every=3,
                 check_at_end=True).run()
    assert [c["step"] for c in lines(tmp_path / "b" / "checks.jsonl")] == [3]  # stopped at 4: no end check


def test_ema_follows_the_weights_with_the_warming_decay():
    model = torch.nn.Linear(2, 1)
    ema = loop.Ema(model, decay=0.9)
    assert not any(p.requires_grad for p in ema.module.parameters()) and not ema.module.training
    before = [p.detach().clone() for p in ema.module.parameters()]
    with torch.no_grad():
        for p in model.parameters():
            p.add_(1.0)
    ema.update(1)  # decay min(0.9, 2/11): the first steps follow the weights closely
    for b, pe, pm in zip(before, ema.module.parameters(), model.parameters()):
        assert torch.allclose(pe, b + (1 - 2 / 11) * (pm.detach() - b))
    assert min(0.9, (1 + 1000) / (10 + 1000)) == 0.9


def test_the_trainer_updates_a_tasks_ema_after_each_step(tmp_path):
    task = Toy()
    task.ema = loop.Ema(task.model, decay=0.5)
    loop.Trainer(tmp_path, task, total=3, ckpt_every_sec=1e9).run()
    assert not torch.equal(task.ema.module.weight, task.model.weight)
    assert torch.allclose(task.ema.module.weight, task.model.weight, atol=0.5)


def test_non_finite_figures_are_flagged_and_other_processes_write_nothing(tmp_path):
    class Nan(Toy):
        def loss(self, step):
            loss, figs = super().loss(step)
            return loss * float("nan"), figs

    loop.Trainer(tmp_path, Nan(), total=1, ckpt_every_sec=1e9).run()
    rec = lines(tmp_path / "log.jsonl")[0]
    assert rec["nonFinite"] is True and math.isnan(rec["loss"])
    quiet = tmp_path / "rank1"
    quiet.mkdir()
    assert loop.Trainer(quiet, Toy(), total=3, ckpt_every_sec=0, check_every=1, main=False).run() == 3
    assert list(quiet.iterdir()) == []  # a DDP process other than rank 0: no log, checks or checkpoint


def test_a_task_with_its_own_step_and_log_cadence(tmp_path):
    """The GAN's way: step() does its own updates (two optimisers); log_due/print_due say which lines."""
    class TwoUpdates(Toy):
        log_every, print_every = 3, 6

        def __init__(self):
            super().__init__()
            self.other = torch.optim.SGD(self.model.parameters(), lr=0.0)
            self.lrs = (loop.Warmup(self.opt, 0.1, 1), loop.Warmup(self.other, 0.2, 1, start=2))
            self.updates = 0

        def step(self, step):
            for opt in (self.opt, self.other):
                loss, _ = self.loss(step)
                opt.zero_grad()
                loss.backward()
                opt.step()
                self.updates += 1
            return {"g": self.other.param_groups[0]["lr"]}

    task = TwoUpdates()
    loop.Trainer(tmp_path, task, total=7, ckpt_every_sec=1e9).run()
    assert task.updates == 14
    log = lines(tmp_path / "log.jsonl")
    assert [r["step"] for r in log] == [1, 3, 6] and [r["g"] for r in log] == [0.0, 0.2, 0.2]
