"""Section boundaries where the structure is unknown (game MIDI files, recorded music).

Novelty-based (Foote): the log-mel is averaged into 0.5-s frames and z-scored per bin; a
cosine self-similarity matrix is correlated along its diagonal with a Gaussian-tapered checkerboard
kernel of ±8 s; boundaries are novelty peaks at least `min_sec` apart, strongest first, keeping those
above mean + 0.5·std of the novelty, at most one per `target_sec` of music, each snapped to the nearest
downbeat (else beat) within 2 s.
"""
from __future__ import annotations

import numpy as np

from .. import constants


def novelty_curve(mel: np.ndarray, hop_sec: float = 0.5, half_kernel_sec: float = 8.0) -> tuple[np.ndarray, float]:
    fps = constants.mel_fps()
    k = max(1, int(round(hop_sec * fps)))
    n = mel.shape[1] // k
    if n < 4:
        return np.zeros(max(n, 0)), hop_sec
    X = mel[:, : n * k].reshape(mel.shape[0], n, k).mean(axis=2).astype(np.float64)
    X = (X - X.mean(axis=1, keepdims=True)) / (X.std(axis=1, keepdims=True) + 1e-6)
    X = X / (np.linalg.norm(X, axis=0, keepdims=True) + 1e-9)
    S = X.T @ X
    L = max(2, int(round(half_kernel_sec / hop_sec)))
    g = np.exp(-0.5 * (np.arange(-L, L) + 0.5) ** 2 / (0.5 * L) ** 2)
    sign = np.sign(np.arange(-L, L) + 0.5)
    K = np.outer(g * sign, g * sign)
    Sp = np.pad(S, L, mode="constant")
    nov = np.zeros(n)
    for i in range(n):
        nov[i] = (Sp[i: i + 2 * L, i: i + 2 * L] * K).sum()
    nov = np.maximum(nov, 0)
    return nov, hop_sec


def novelty_boundaries(mel: np.ndarray, dur_sec: float, beats=None, downbeats=None, min_sec: float = 8.0,
                       target_sec: float = 25.0) -> list[float]:
    """Interior boundary times (s), sorted."""
    nov, hop = novelty_curve(mel)
    if len(nov) < 4:
        return []
    thr = nov.mean() + 0.5 * nov.std()
    order = np.argsort(-nov)
    max_n = max(0, int(dur_sec // target_sec))
    chosen = []
    for i in order:
        if len(chosen) >= max_n or nov[i] < thr:
            break
        t = i * hop + hop / 2
        if t < min_sec or t > dur_sec - min_sec:
            continue
        if all(abs(t - c) >= min_sec for c in chosen):
            chosen.append(t)
    out = []
    for t in sorted(chosen):
        out.append(snap(t, beats, downbeats))
    # remove near-duplicates after snapping
    res = []
    for t in out:
        if not res or t - res[-1] >= min_sec / 2:
            res.append(t)
    return res


def snap(t: float, beats=None, downbeats=None, max_dist: float = 2.0) -> float:
    for grid in (downbeats, beats):
        if grid is not None and len(grid):
            g = np.asarray(grid)
            j = int(np.argmin(np.abs(g - t)))
            if abs(g[j] - t) <= max_dist:
                return float(g[j])
    return float(t)


def fixed_boundaries(dur_sec: float, seg_sec: float = 20.0, downbeats=None) -> list[float]:
    """Fallback: fixed-length segments snapped to downbeats."""
    out, t = [], seg_sec
    while t < dur_sec - seg_sec / 2:
        out.append(snap(t, None, downbeats))
        t += seg_sec
    return out
