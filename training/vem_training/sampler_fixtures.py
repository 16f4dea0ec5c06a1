"""Writes the fixture that checks the TypeScript sampler (src/core/sampler/) step by step against the
reference in `diffusion.py`:

    cd training && .venv/bin/python -m vem_training.sampler_fixtures

Inputs are float32 values (what the TypeScript side loads); the reference outputs are computed in
float64 so that the fixture holds the exact answer and the TypeScript float32 results are compared to
it with a tolerance. The fixture model is a deterministic fake: v = 0.1·x + c·(1 + t/1000) with one
constant c per guidance row (condition, empty condition, tags without rhythm).

`sample` re-noises the inpainting target and draws DDIM noise from torch's generator, which the
TypeScript side cannot reproduce; every draw is recorded here, in order, and the TypeScript test
replays them through `sample`'s injectable noise source.
"""
from __future__ import annotations

import json
from pathlib import Path
from unittest import mock

import numpy as np
import torch

from . import constants, diffusion

FIXTURE = constants.REPO_ROOT / "src/core/sampler/testdata/sampler-fixture.json"
CHANNELS, FRAMES = 4, 8
MODEL = {"scale": 0.1, "cCond": 0.3, "cUncond": -0.2, "cTags": 0.1}


def _flat(a) -> list[float]:
    if isinstance(a, torch.Tensor):
        a = a.detach().numpy()
    return [float(v) for v in np.asarray(a, np.float64).reshape(-1)]


def fake_model(x, t: int, cond: dict):
    return MODEL["scale"] * x + cond["c"] * (1 + t / 1000)


def _run_sample(case: dict, x_init, mask, known) -> tuple[list, torch.Tensor]:
    """diffusion.sample with every torch.randn draw recorded."""
    draws = []
    real = torch.randn

    def recording(*args, **kwargs):
        z = real(*args, **kwargs)
        draws.append(_flat(z))
        return z

    cond = {"c": MODEL["cCond"]}
    uncond = {"c": MODEL["cUncond"]} if case["withUncond"] else None
    tags = {"c": MODEL["cTags"]} if case.get("rhythmGuidance") is not None else None
    shape = (1, CHANNELS, FRAMES)
    with mock.patch.object(torch, "randn", recording):
        out = diffusion.sample(fake_model, shape, cond, uncond, steps=case["steps"], guidance=case["guidance"],
                               sampler=case["sampler"], eta=case["eta"], seed=case["seed"], x_init=x_init,
                               mask=mask, x_known=known, cond_tags=tags, rhythm_guidance=case.get("rhythmGuidance"))
    return draws, out


def build() -> dict:
    rng = np.random.default_rng(20261127)
    n = CHANNELS * FRAMES
    f32 = lambda: rng.standard_normal(n).astype(np.float32)  # noqa: E731
    x, eps, noise = f32(), f32(), f32()
    X, E, Z = (a.astype(np.float64) for a in (x, eps, noise))
    ac = diffusion.schedule()["alphas_cumprod"]

    ddim = []
    for t, t_prev in [(999, 959), (999, 499), (500, 460), (250, 0), (39, -1), (0, -1), (999, -1)]:
        for eta in (0.0, 0.5, 1.0):
            out = diffusion.ddim_step(X, E, t, t_prev, ac, eta, Z)
            ddim.append({"t": t, "tPrev": t_prev, "eta": eta, "out": _flat(out)})

    # DPM-Solver++ 2M over a whole chain (first order, two second-order steps, first-order final step)
    chain = [int(v) for v in diffusion.timesteps(4)] + [-1]
    eps_k = [f32() for _ in range(len(chain) - 1)]
    dpm, state, xk = [], None, X
    for k in range(len(chain) - 1):
        xk, state = diffusion.dpmpp_step(xk, eps_k[k].astype(np.float64), chain[k], chain[k + 1], ac, state)
        dpm.append({"t": chain[k], "tPrev": chain[k + 1], "eps": _flat(eps_k[k]), "out": _flat(xk),
                    "x0": _flat(state["x0"]), "lambda": float(state["lambda"])})

    x_init = f32()
    known = f32()
    mask = np.array([1, 1, 0, 0, 0.5, 1, 0, 1], np.float32)
    assert mask.size == FRAMES
    t64 = lambda a, shape: torch.from_numpy(a.astype(np.float64).reshape(shape))  # noqa: E731
    cases = [
        {"name": "ddim eta 0, guidance 2.5", "sampler": "ddim", "eta": 0.0, "guidance": 2.5, "steps": 10,
         "seed": 1, "withUncond": True, "useInit": True, "useMask": False},
        {"name": "dpmpp, guidance 2.5", "sampler": "dpmpp", "eta": 0.0, "guidance": 2.5, "steps": 10,
         "seed": 1, "withUncond": True, "useInit": True, "useMask": False},
        {"name": "ddim eta 0.5, guidance 2.5, inpainting", "sampler": "ddim", "eta": 0.5, "guidance": 2.5,
         "steps": 6, "seed": 2, "withUncond": True, "useInit": True, "useMask": True},
        {"name": "dpmpp, guidance 2.5, inpainting, start from noise", "sampler": "dpmpp", "eta": 0.0,
         "guidance": 2.5, "steps": 6, "seed": 3, "withUncond": True, "useInit": False, "useMask": True},
        {"name": "ddim eta 1, no unconditional branch", "sampler": "ddim", "eta": 1.0, "guidance": 2.5,
         "steps": 5, "seed": 4, "withUncond": False, "useInit": True, "useMask": False},
        {"name": "dpmpp, guidance 1", "sampler": "dpmpp", "eta": 0.0, "guidance": 1.0, "steps": 25,
         "seed": 5, "withUncond": True, "useInit": True, "useMask": False},
        {"name": "ddim eta 0.5, guidance 2.5, rhythm guidance 4", "sampler": "ddim", "eta": 0.5, "guidance": 2.5,
         "steps": 8, "seed": 6, "withUncond": True, "useInit": True, "useMask": False, "rhythmGuidance": 4.0},
        {"name": "dpmpp, 1 step from pure noise", "sampler": "dpmpp", "eta": 0.0, "guidance": 2.5,
         "steps": 1, "seed": 7, "withUncond": True, "useInit": True, "useMask": False},
    ]
    runs = []
    for case in cases:
        xi = t64(x_init, (1, CHANNELS, FRAMES)) if case["useInit"] else None
        m = t64(mask, (1, 1, FRAMES)) if case["useMask"] else None
        kn = t64(known, (1, CHANNELS, FRAMES)) if case["useMask"] else None
        draws, out = _run_sample(case, xi, m, kn)
        runs.append({**case, "noise": draws, "out": _flat(out)})

    return {
        "about": "written by `cd training && .venv/bin/python -m vem_training.sampler_fixtures`; "
                 "reference: training/vem_training/diffusion.py; layout c * frames + t",
        "channels": CHANNELS, "frames": FRAMES, "model": MODEL,
        "alphasCumprod": _flat(ac),
        "timesteps": {str(s): [int(v) for v in diffusion.timesteps(s)] for s in (1, 3, 10, 16, 25, 50)},
        "x": _flat(x), "eps": _flat(eps), "noise": _flat(noise),
        "ddim": ddim, "dpmpp": dpm,
        "sample": {"xInit": _flat(x_init), "mask": _flat(mask), "known": _flat(known), "runs": runs},
    }


def write(path: Path = FIXTURE) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(build(), separators=(",", ":")) + "\n")
    return path


def main() -> None:
    p = write()
    print(f"wrote {p.relative_to(constants.REPO_ROOT)} ({p.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
