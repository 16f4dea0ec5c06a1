"""Frame-level rhythm features for the TB adapter, at the latent's time axis (DESIGN.md §2, §7).

Channel layout (RHYTHM_CHANNELS = 4 + ALIGNER_FEAT + 1), identical in src/core/conditioning/rhythm.ts:
  0   beat bump: max over planned beats of exp(-½((t - b)/σ)²), σ = 40 ms, t = latent frame centre
  1,2 sin/cos of 2π·beat phase (phase 0 on a beat, extrapolated with the first/last beat period)
  3   video present (1 when aligner features come from a video, 0 for music-only training pieces)
  4   aligner probability (sigmoid of its logit), linearly interpolated from 16 fps
  5…  aligner penultimate features, linearly interpolated from 16 fps
"""
from __future__ import annotations

import numpy as np

ALIGNER_FEAT = 32
RHYTHM_CHANNELS = 5 + ALIGNER_FEAT
LATENT_FRAME_SEC = 4 * 256 / 16000  # 0.064 s
BEAT_SIGMA_SEC = 0.04
VIDEO_FPS = 16


def latent_times(n_latent: int) -> np.ndarray:
    return (np.arange(n_latent) + 0.5) * LATENT_FRAME_SEC


def beat_features(beats_sec, n_latent: int) -> np.ndarray:
    t = latent_times(n_latent)
    out = np.zeros((3, n_latent), np.float32)
    b = np.sort(np.asarray(beats_sec, dtype=np.float64))
    if len(b) == 0:
        return out
    d = np.abs(t[:, None] - b[None, :]).min(axis=1)
    out[0] = np.exp(-0.5 * (d / BEAT_SIGMA_SEC) ** 2)
    if len(b) == 1:
        return out
    first_p, last_p = b[1] - b[0], b[-1] - b[-2]
    idx = np.searchsorted(b, t, side="right") - 1  # beat at or before t
    phase = np.empty(n_latent)
    before = idx < 0
    after = idx >= len(b) - 1
    mid = ~before & ~after
    phase[before] = (t[before] - b[0]) / first_p
    phase[after] = (t[after] - b[-1]) / last_p
    i = idx[mid]
    phase[mid] = (t[mid] - b[i]) / (b[i + 1] - b[i])
    out[1] = np.sin(2 * np.pi * phase)
    out[2] = np.cos(2 * np.pi * phase)
    return out


def interp_frames(x: np.ndarray, n_latent: int) -> np.ndarray:
    """(F, C) values at 16 fps frame times f/16 -> (C, n_latent) at latent frame centres (clamped)."""
    f = np.arange(len(x)) / VIDEO_FPS
    t = latent_times(n_latent)
    return np.stack([np.interp(t, f, x[:, c]) for c in range(x.shape[1])]).astype(np.float32)


def rhythm_features(beats_sec, n_latent: int, aligner_prob=None, aligner_feat=None) -> np.ndarray:
    out = np.zeros((RHYTHM_CHANNELS, n_latent), np.float32)
    out[:3] = beat_features(beats_sec, n_latent)
    if aligner_prob is not None and len(aligner_prob) > 0:
        out[3] = 1.0
        out[4:5] = interp_frames(np.asarray(aligner_prob, np.float32)[:, None], n_latent)
        out[5:] = interp_frames(np.asarray(aligner_feat, np.float32), n_latent)
    return out
