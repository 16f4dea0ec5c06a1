"""The project's VAE-independent audio features for Fréchet distances (docs/architecture.md §8).

Per 2 s window (hop 1 s) of 16 kHz audio: mean and standard deviation over time of the 64-band log-mel
(natural log, the shared front end), the mean and standard deviation of the onset strength (spectral flux of
the log-mel), the onset-rate, and the 12-bin chroma profile normalised to sum 1 → 64 + 64 + 3 + 12 = 143
dimensions. Hand-made and documented (no pretrained audio network can be downloaded here); it sees timbre,
loudness, dynamics, rhythm density and harmony, not musical structure above 2 s.
"""
from __future__ import annotations

import numpy as np
from scipy import linalg

from ..data import audio, tags
from ..timebase import MEL_FPS, SAMPLE_RATE

WIN_SEC, HOP_SEC = 2.0, 1.0
DIM = 143


def embed(x: np.ndarray, sr: int = SAMPLE_RATE) -> np.ndarray:
    """(windows, 143) for one signal (empty when shorter than one window)."""
    mel = audio.log_mel(np.asarray(x, np.float32))               # (64, T) at 62.5 fps
    feats = tags.frame_features(np.asarray(x, np.float64))
    flux, chroma = feats["flux"], feats["chroma"]
    fps = MEL_FPS
    w, h = int(WIN_SEC * fps), int(HOP_SEC * fps)
    out = []
    for s in range(0, mel.shape[1] - w + 1, h):
        m = mel[:, s:s + w]
        f = flux[s:s + w]
        on = feats["onsets"]
        rate = float(((on >= s / fps) & (on < (s + w) / fps)).sum() / WIN_SEC)
        c = chroma[:, s:s + w].sum(axis=1)
        c = c / max(c.sum(), 1e-9)
        out.append(np.concatenate([m.mean(1), m.std(1), [f.mean(), f.std(), rate / 10.0], c]))
    return np.asarray(out, np.float64).reshape(-1, DIM)


def frechet(a: np.ndarray, b: np.ndarray) -> float:
    """Fréchet distance between Gaussians fitted to two sets of embeddings."""
    mu1, mu2 = a.mean(0), b.mean(0)
    s1, s2 = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    covmean, _ = linalg.sqrtm(s1 @ s2, disp=False)
    if not np.isfinite(covmean).all():
        eps = np.eye(len(s1)) * 1e-6
        covmean = linalg.sqrtm((s1 + eps) @ (s2 + eps))
    covmean = covmean.real
    return float(((mu1 - mu2) ** 2).sum() + np.trace(s1) + np.trace(s2) - 2 * np.trace(covmean))
