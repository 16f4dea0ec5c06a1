"""What the denoiser does with the beat grid, measured during training on held-out pieces.

The v-MSE averaged over all noise levels barely moves when the model starts to use the rhythm, so every
`evalEvery` steps train_diffusion logs:
- the held-out loss at t = 300 and t = 600 with the true grid, a zeroed grid and a half-beat-shifted grid
  (same crops, same noise): a model that follows the grid has loss(true) clearly below the other two;
- an onset-peak hit rate on 4 quick samples: the top-K peaks of the spectral flux of the generated audio
  (K = number of requested beats) that lie within ±35 ms of a requested beat, for samples made with the
  true grid, with the shifted grid (scored against the shifted grid) and with no grid (scored against the
  true grid: the chance level).
"""
from __future__ import annotations

import numpy as np
import torch

from .. import constants
from ..data import audio
from ..data.rhythm import rhythm_features, shift_beats
from ..models.diffusion import (
    LATENT_FRAME_SEC,
    MAX_STORIES,
    clip_storyboards,
    empty_condition,
    fill_storyboards,
    model_call,
    multi_hot,
    sample,
    schedule,
    tag_index,
    v_target,
)

HIT_TOL_SEC = 0.035


def _request(piece: dict, s: int, T: int, beats, index) -> dict:
    """Batch-1 condition of a crop [s, s+T): tags, storyboards and the rhythm of `beats` (crop seconds)."""
    c = empty_condition(1, len(index), T, MAX_STORIES)
    k = 1
    if piece["tags"]:
        c["global_tags"][0] = c["caption_tags"][0] = multi_hot(piece["tags"], index)
        st = clip_storyboards(piece["sections"], s * LATENT_FRAME_SEC, T * LATENT_FRAME_SEC)
        fill_storyboards(c, 0, st, index)
        k = max(1, len(st))
    for key in ("story_tags", "story_start_sec", "story_dur_sec"):
        c[key] = c[key][:, :k]
    if beats is not None:
        c["rhythm"][0] = rhythm_features(beats, T)
    return c


def _crop_beats(piece: dict, s: int, T: int) -> np.ndarray:
    b = np.asarray(piece["beatsSec"], np.float64) - s * LATENT_FRAME_SEC
    return b[(b > -1.0) & (b < T * LATENT_FRAME_SEC + 1.0)]


class HeldOut:
    """Fixed held-out crops (valid split clips), noise and conditions, so the figures compare across steps."""

    def __init__(self, pack, n: int = 16, T: int = 256, seed: int = 123):
        rng = np.random.default_rng(seed)
        self.index = tag_index()
        pool = [i for i, p in enumerate(pack.pieces)
                if p["kind"] == "clip" and p.get("split") == "valid" and pack.latents[i].shape[1] >= T
                and len(p["beatsSec"]) > 4]
        if not pool:
            raise RuntimeError("the pack has no held-out (valid) clips; build it with --splits train,valid")
        self.pieces = [pool[k] for k in rng.choice(len(pool), size=min(n, len(pool)), replace=False)]
        self.pack, self.T = pack, T
        self.crops = [(i, int(rng.integers(0, pack.latents[i].shape[1] - T + 1))) for i in self.pieces]
        self.x0 = torch.from_numpy(np.stack([pack.latents[i][:, s:s + T] for i, s in self.crops]))
        self.noise = torch.from_numpy(rng.standard_normal(self.x0.shape).astype(np.float32))
        self.conds = {}
        for grid in ("true", "zero", "shift"):
            rows = []
            for i, s in self.crops:
                p = pack.pieces[i]
                b = _crop_beats(p, s, T)
                rows.append(_request(p, s, T, None if grid == "zero" else (b if grid == "true" else shift_beats(b)),
                                     self.index))
            S = max(r["story_tags"].shape[1] for r in rows)
            for r in rows:
                for key in ("story_tags", "story_start_sec", "story_dur_sec"):
                    pad = [(0, 0), (0, S - r[key].shape[1])] + [(0, 0)] * (r[key].ndim - 2)
                    r[key] = np.pad(r[key], pad)
            self.conds[grid] = {k: torch.from_numpy(np.concatenate([r[k] for r in rows])) for k in rows[0]}

    @torch.no_grad()
    def losses(self, model, ts=(300, 600)) -> dict:
        ac = schedule()["alphas_cumprod"]
        out = {}
        for t in ts:
            a = float(ac[t])
            xt = a ** 0.5 * self.x0 + (1 - a) ** 0.5 * self.noise
            target = v_target(self.x0, self.noise, a)
            tt = torch.full((len(self.x0),), float(t))
            for grid, c in self.conds.items():
                out[f"loss{t}_{grid}"] = round(float(((model_call(model, xt, tt, c) - target) ** 2).mean()), 5)
        return out


def onset_peaks(y: np.ndarray, k: int) -> np.ndarray:
    """Times (s) of the k strongest local maxima of the spectral flux of y's log-mel."""
    mel = audio.log_mel(y)
    flux = np.maximum(np.diff(mel, axis=1), 0).sum(axis=0)
    flux = np.concatenate([[0.0], flux])
    n = len(flux)
    peak = np.array([flux[i] >= flux[max(0, i - 3):i + 4].max() and flux[i] > 0 for i in range(n)])
    idx = np.nonzero(peak)[0]
    idx = idx[np.argsort(flux[idx])[::-1][:k]]
    return np.sort(idx) / constants.mel_fps()


def peak_hit(y: np.ndarray, beats: np.ndarray, dur_sec: float) -> float:
    b = beats[(beats >= 0.3) & (beats < dur_sec - 0.3)]
    if len(b) == 0:
        return float("nan")
    peaks = onset_peaks(y, len(b))
    if len(peaks) == 0:
        return 0.0
    return float(np.mean([np.abs(b - p).min() <= HIT_TOL_SEC for p in peaks]))


class Decoder:
    """The shipped VAE decoder and vocoder (onnxruntime, one thread): normalised latent -> audio."""

    def __init__(self, mean: np.ndarray, std: np.ndarray):
        from ..models.runtime import onnx_session
        d = constants.REPO_ROOT / "public/models"
        self.vae, self.voc = onnx_session(d / "vae_decoder.onnx"), onnx_session(d / "vocoder.onnx")
        self.mean, self.std = mean[:, None], std[:, None]

    def __call__(self, z_norm: np.ndarray) -> np.ndarray:
        z = (z_norm * self.std + self.mean).astype(np.float32)
        mel = self.vae.run(None, {"latent": z.reshape(1, 8, 16, -1)})[0]
        return self.voc.run(None, {"mel": mel})[0][0]


@torch.no_grad()
def sample_hits(model, held: HeldOut, decoder: Decoder, n: int = 4, T: int = 128, steps: int = 20,
                guidance: float = 2.5, eta: float = 0.5) -> dict:
    rows = {"true": [], "shift": [], "none": []}
    fn = lambda x, t, c: model_call(model, x, torch.full((x.shape[0],), float(t)), c)  # noqa: E731
    dur = T * LATENT_FRAME_SEC
    for j, (i, s) in enumerate(held.crops[:n]):
        p = held.pack.pieces[i]
        b = _crop_beats(p, s, T)
        for grid, beats, score_on in (("true", b, b), ("shift", shift_beats(b), shift_beats(b)), ("none", None, b)):
            c = {k: torch.from_numpy(v) for k, v in _request(p, s, T, beats, held.index).items()}
            u = {k: torch.from_numpy(v) for k, v in empty_condition(1, len(held.index), T, 1).items()}
            z = sample(fn, (1, 128, T), c, u, steps=steps, guidance=guidance, eta=eta, seed=1000 + j)[0].numpy()
            rows[grid].append(peak_hit(decoder(z), score_on, dur))
    return {f"peakHit_{k}": round(float(np.nanmean(v)), 3) for k, v in rows.items()}
