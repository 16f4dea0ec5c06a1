"""Frame-level rhythm features for the denoiser, at the latent's time axis (docs/diffusion.md "Rhythm").

Time base (`timebase.py`): latent frame x holds mel frames 4x … 4x+3 of the centred STFT, mel frame j is
centred at j·hop/sr, so latent frame x is centred at (4x + 1.5)·hop/sr = 0.064·x + 0.024 s. This is the one
frame-centre convention of the project (`latent_times`; src/core/conditioning/rhythm.ts is the twin and a
fixture test checks both).

Channel layout (RHYTHM_CHANNELS = 10 + ALIGNER_FEAT):
  0…3 beat bump at the centres of the 4 mel frames inside the latent frame: max over planned beats of
      exp(-½((t − b)/σ)²), σ = 40 ms (the sub-frame position of a beat survives the 64 ms frame)
  4,5 sin/cos of 2π·beat phase at the frame centre (0 on a beat, extrapolated with the first/last period)
  6   downbeat bump at the frame centre (bars, when the request has them)
  7   bars present (1 when downbeats are given)
  8   video present (1 when aligner outputs are given; 0 for music-only training pieces)
  9   aligner probability, linearly interpolated from 16 fps
  10… aligner penultimate features, linearly interpolated from 16 fps
Channels 0…RHYTHM_INPUT−1 are also concatenated to the denoiser's input (the grid itself); all of them
feed the FiLM stem of every ResBlock.
"""
from __future__ import annotations

import numpy as np

from ..timebase import ALIGNER_FEAT, HOP_SEC, LATENT_CENTRE_SEC, LATENT_FRAME_SEC, LATENT_T, VIDEO_FPS

RHYTHM_INPUT = 8
RHYTHM_CHANNELS = 10 + ALIGNER_FEAT
BEAT_SIGMA_SEC = 0.04


def latent_times(n_latent: int) -> np.ndarray:
    """Centre of each latent frame in seconds."""
    return np.arange(n_latent) * LATENT_FRAME_SEC + LATENT_CENTRE_SEC


def _bump(t: np.ndarray, events: np.ndarray) -> np.ndarray:
    if len(events) == 0:
        return np.zeros(len(t), np.float32)
    d = np.abs(t[:, None] - events[None, :]).min(axis=1)
    return np.exp(-0.5 * (d / BEAT_SIGMA_SEC) ** 2).astype(np.float32)


def _phase(t: np.ndarray, b: np.ndarray) -> np.ndarray:
    first_p, last_p = b[1] - b[0], b[-1] - b[-2]
    idx = np.searchsorted(b, t, side="right") - 1  # beat at or before t
    phase = np.empty(len(t))
    before, after = idx < 0, idx >= len(b) - 1
    mid = ~before & ~after
    phase[before] = (t[before] - b[0]) / first_p
    phase[after] = (t[after] - b[-1]) / last_p
    i = idx[mid]
    phase[mid] = (t[mid] - b[i]) / (b[i + 1] - b[i])
    return phase


def beat_features(beats_sec, n_latent: int, downbeats_sec=None) -> np.ndarray:
    """Channels 0…7 (RHYTHM_INPUT × n_latent)."""
    t = latent_times(n_latent)
    out = np.zeros((RHYTHM_INPUT, n_latent), np.float32)
    b = np.sort(np.asarray(beats_sec, dtype=np.float64))
    if len(b) > 0:
        for k in range(LATENT_T):
            out[k] = _bump(np.arange(n_latent) * LATENT_FRAME_SEC + k * HOP_SEC, b)
        if len(b) > 1:
            ph = _phase(t, b)
            out[4] = np.sin(2 * np.pi * ph)
            out[5] = np.cos(2 * np.pi * ph)
    if downbeats_sec is not None and len(downbeats_sec) > 0:
        out[6] = _bump(t, np.sort(np.asarray(downbeats_sec, dtype=np.float64)))
        out[7] = 1.0
    return out


def interp_frames(x: np.ndarray, n_latent: int) -> np.ndarray:
    """(F, C) values at 16 fps frame times f/16 -> (C, n_latent) at latent frame centres (clamped)."""
    f = np.arange(len(x)) / VIDEO_FPS
    t = latent_times(n_latent)
    return np.stack([np.interp(t, f, x[:, c]) for c in range(x.shape[1])]).astype(np.float32)


def rhythm_features(beats_sec, n_latent: int, aligner_prob=None, aligner_feat=None, downbeats_sec=None) -> np.ndarray:
    out = np.zeros((RHYTHM_CHANNELS, n_latent), np.float32)
    out[:RHYTHM_INPUT] = beat_features(beats_sec, n_latent, downbeats_sec)
    if aligner_prob is not None and len(aligner_prob) > 0:
        out[8] = 1.0
        out[9:10] = interp_frames(np.asarray(aligner_prob, np.float32)[:, None], n_latent)
        out[10:] = interp_frames(np.asarray(aligner_feat, np.float32), n_latent)
    return out


def shift_beats(beats_sec, fraction: float = 0.5) -> np.ndarray:
    """The grid moved by `fraction` of the local beat period (the control in the rhythm checks)."""
    b = np.sort(np.asarray(beats_sec, dtype=np.float64))
    if len(b) < 2:
        return b
    period = np.diff(b, append=b[-1] + (b[-1] - b[-2]))
    return b + fraction * period
