"""Diffusion schedule, condition batches and the reference samplers (DDIM with η, DPM-Solver++ 2M, CFG).

The TypeScript sampler (src/core/sampler/) is tested step by step against `ddim_step` and `dpmpp_step`
through fixtures written by `python -m vem_training.sampler_fixtures`.
"""
from __future__ import annotations

import numpy as np
import torch

from . import constants
from .rhythm import LATENT_FRAME_SEC, RHYTHM_CHANNELS, rhythm_features

MAX_STORIES = 6


def schedule() -> dict:
    d = constants.load()["diffusion"]
    n = d["numTrainTimesteps"]
    assert d["betaSchedule"] == "scaled_linear"
    betas = np.linspace(d["betaStart"] ** 0.5, d["betaEnd"] ** 0.5, n, dtype=np.float64) ** 2
    ac = np.cumprod(1.0 - betas)
    return {"n": n, "betas": betas, "alphas_cumprod": ac}


def tag_index() -> dict[str, int]:
    return {t: i for i, t in enumerate(constants.tag_vocabulary())}


def multi_hot(tags, index: dict[str, int]) -> np.ndarray:
    v = np.zeros(len(index), np.float32)
    for t in tags:
        if t in index:
            v[index[t]] = 1.0
    return v


def empty_condition(batch: int, vocab: int, vis_dim: int, n_latent: int, stories: int = 1) -> dict:
    """The all-zero condition: the unconditional branch of classifier-free guidance."""
    return {"global_tags": np.zeros((batch, vocab), np.float32), "caption_tags": np.zeros((batch, vocab), np.float32),
            "story_tags": np.zeros((batch, stories, vocab), np.float32),
            "story_vis": np.zeros((batch, stories, vis_dim), np.float32),
            "story_start_sec": np.zeros((batch, stories), np.float32),
            "story_dur_sec": np.zeros((batch, stories), np.float32),
            "rhythm": np.zeros((batch, RHYTHM_CHANNELS, n_latent), np.float32)}


class Batches:
    """Random crops of pack pieces with their conditions (HVP inputs and rhythm features)."""

    def __init__(self, pack, seed: int, vis_dim: int = 8, lengths=(128, 192, 256), edit_share: float = 0.0,
                 cond_drop: float = 0.1, rhythm_drop: float = 0.1):
        self.pack, self.vis_dim, self.lengths = pack, vis_dim, lengths
        self.rng = np.random.default_rng(seed)
        self.index = tag_index()
        self.vocab = len(self.index)
        self.edit_share, self.cond_drop, self.rhythm_drop = edit_share, cond_drop, rhythm_drop
        self.clips = [i for i, p in enumerate(pack.pieces) if p["kind"] == "clip"]
        self.edits = [i for i, p in enumerate(pack.pieces) if p["kind"] == "edit"]
        self.rhythm = {}
        for i, p in enumerate(pack.pieces):
            n = pack.latents[i].shape[1]
            al = pack.aligner.get(i)
            self.rhythm[i] = rhythm_features(p["beatsSec"], n, *(al if al else (None, None)))

    def _piece(self, T: int) -> int:
        use_edit = self.edits and self.rng.random() < self.edit_share
        pool = self.edits if use_edit else self.clips
        for _ in range(100):
            i = pool[self.rng.integers(len(pool))]
            if self.pack.latents[i].shape[1] >= T:
                return i
        raise RuntimeError(f"no piece of {T} latent frames")

    def batch(self, n: int):
        T = int(self.rng.choice(self.lengths))
        c = empty_condition(n, self.vocab, self.vis_dim, T, MAX_STORIES)
        x0 = np.empty((n, self.pack.latents[0].shape[0], T), np.float32)
        for b in range(n):
            i = self._piece(T)
            p, z = self.pack.pieces[i], self.pack.latents[i]
            s = int(self.rng.integers(0, z.shape[1] - T + 1))
            x0[b] = z[:, s:s + T]
            # de-quantisation noise: uniform within one int8 step
            x0[b] += (self.rng.random(x0[b].shape, dtype=np.float32) - 0.5) * (self.pack.meta["qRange"] / 127)
            if self.rng.random() >= self.rhythm_drop:
                c["rhythm"][b] = self.rhythm[i][:, s:s + T]
            if self.rng.random() < self.cond_drop or not p["tags"]:
                continue
            g = multi_hot(p["tags"], self.index)
            if self.rng.random() >= 0.2:
                c["global_tags"][b] = g
            if self.rng.random() >= 0.3:  # captions are composed from a subset of the global tags
                keep = [t for t in p["tags"] if self.rng.random() < 0.7]
                c["caption_tags"][b] = multi_hot(keep, self.index)
            t0, t1 = s * LATENT_FRAME_SEC, (s + T) * LATENT_FRAME_SEC
            k = 0
            for sec in p["sections"]:
                a, e = max(sec["startSec"], t0), min(sec["startSec"] + sec["durSec"], t1)
                if e - a < 0.25 or k >= MAX_STORIES:
                    continue
                c["story_start_sec"][b, k] = a - t0
                c["story_dur_sec"][b, k] = e - a
                if self.rng.random() >= 0.2:
                    c["story_tags"][b, k] = multi_hot(sec["tags"], self.index)
                k += 1
        return torch.from_numpy(x0), {k: torch.from_numpy(v) for k, v in c.items()}


# ------------------------------------------------------------------------------------------------
# samplers (reference implementations; the TypeScript sampler must match these step by step)
# ------------------------------------------------------------------------------------------------

def timesteps(steps: int, n_train: int = 1000, t_max: int | None = None) -> np.ndarray:
    """Evenly spaced ("trailing") timesteps, high to low: n·(1 − k/steps) − 1 for k = 0..steps−1, where
    n = n_train, or t_max + 1 to start below the top of the schedule (from noise treated as x_{t_max})."""
    n = n_train if t_max is None else t_max + 1
    return np.round(n - np.arange(steps) * n / steps).astype(np.int64) - 1


def _clip(x0, c):
    return x0.clamp(-c, c) if isinstance(x0, torch.Tensor) else np.clip(x0, -c, c)


def guided_eps(model_fn, x, t: int, cond: dict, uncond: dict, guidance: float):
    if guidance == 1.0 or uncond is None:
        return model_fn(x, t, cond)
    return (1 - guidance) * model_fn(x, t, uncond) + guidance * model_fn(x, t, cond)


def ddim_step(x, eps, t: int, t_prev: int, ac: np.ndarray, eta: float, noise, clip: float | None = None):
    """One DDIM step from t to t_prev (t_prev < 0 means ᾱ = 1). noise ~ N(0, 1), used when eta > 0."""
    a_t = float(ac[t])
    a_p = float(ac[t_prev]) if t_prev >= 0 else 1.0
    x0 = (x - (1 - a_t) ** 0.5 * eps) / a_t ** 0.5
    if clip is not None:  # static thresholding of the x0 estimate; ε made consistent with it
        x0 = _clip(x0, clip)
        eps = (x - a_t ** 0.5 * x0) / (1 - a_t) ** 0.5
    sigma = eta * ((1 - a_p) / (1 - a_t) * (1 - a_t / a_p)) ** 0.5
    dir_x = max(1 - a_p - sigma ** 2, 0.0) ** 0.5 * eps
    out = a_p ** 0.5 * x0 + dir_x
    if eta > 0 and noise is not None:
        out = out + sigma * noise
    return out


def dpmpp_step(x, eps, t: int, t_prev: int, ac: np.ndarray, prev: dict | None, clip: float | None = None):
    """DPM-Solver++(2M) step in data prediction form. `prev` carries (x0, lambda) of the previous step;
    returns (x_next, state)."""
    def lam(tt):
        a = float(ac[tt]) if tt >= 0 else 1.0 - 1e-8
        return 0.5 * np.log(a / (1 - a)), a ** 0.5, (1 - a) ** 0.5
    l_t, a_t, s_t = lam(t)
    l_p, a_p, s_p = lam(t_prev)
    x0 = (x - s_t * eps) / a_t
    if clip is not None:
        x0 = _clip(x0, clip)
    h = l_p - l_t
    if prev is None or t_prev < 0:
        d = x0
    else:
        r = (l_t - prev["lambda"]) / h
        d = (1 + 1 / (2 * r)) * x0 - (1 / (2 * r)) * prev["x0"]
    x_next = (s_p / s_t) * x - a_p * np.expm1(-h) * d
    return x_next, {"x0": x0, "lambda": l_t}


def sample(model_fn, shape, cond: dict, uncond: dict | None, steps: int = 25, guidance: float = 2.5,
           sampler: str = "ddim", eta: float = 1.0, seed: int = 0, x_init=None, mask=None, x_known=None,
           t_max: int | None = None, clip_x0: float | None = None):
    """Generate a normalised latent. model_fn(x (torch), t (int), cond) -> eps (torch).
    mask/x_known: inpainting (1 = regenerate, 0 = keep x_known re-noised to the current level)."""
    ac = schedule()["alphas_cumprod"]
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(shape, generator=g) if x_init is None else x_init
    ts = timesteps(steps, t_max=t_max)
    state = None
    for k, t in enumerate(ts):
        t_prev = int(ts[k + 1]) if k + 1 < len(ts) else -1
        if mask is not None:
            known = float(ac[t]) ** 0.5 * x_known + (1 - float(ac[t])) ** 0.5 * torch.randn(shape, generator=g)
            x = mask * x + (1 - mask) * known
        eps = guided_eps(model_fn, x, int(t), cond, uncond, guidance)
        if sampler == "ddim":
            noise = torch.randn(shape, generator=g) if eta > 0 else None
            x = ddim_step(x, eps, int(t), t_prev, ac, eta, noise, clip_x0)
        else:
            x, state = dpmpp_step(x, eps, int(t), t_prev, ac, state, clip_x0)
    if mask is not None:
        x = mask * x + (1 - mask) * x_known
    return x
