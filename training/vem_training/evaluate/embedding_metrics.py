"""Distances between sets of audio embeddings and tag distributions (docs/evaluation.md).

- `frechet` (FD): Fréchet distance of Gaussians fitted to the two sets (biased at small sample sizes).
- `kernel_distance` (KAD): the unbiased estimate of the squared MMD with a Gaussian (RBF) kernel whose
  bandwidth is the median pairwise distance of the pooled sets, ×1000. 0 in expectation for two samples
  of the same distribution (it can be slightly negative), unlike FD.
- `tag_kld`: KL(reference ‖ generated) between two tag-probability distributions (each row normalised to
  sum 1), the paper's KLD on the tagger's outputs, averaged over pairs.
"""
from __future__ import annotations

import numpy as np

from .audio_embedding import frechet

__all__ = ["frechet", "kernel_distance", "tag_kld", "median_bandwidth"]


def _sq_dists(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    d = (a * a).sum(1)[:, None] + (b * b).sum(1)[None, :] - 2 * a @ b.T
    return np.maximum(d, 0.0)


def median_bandwidth(a: np.ndarray, b: np.ndarray) -> float:
    pooled = np.concatenate([a, b])
    d = np.sqrt(_sq_dists(pooled, pooled))
    iu = np.triu_indices(len(pooled), 1)
    return float(np.median(d[iu])) or 1.0


def kernel_distance(a: np.ndarray, b: np.ndarray, bandwidth: float | None = None) -> float:
    """Unbiased MMD² × 1000 between embeddings a (n, d) and b (m, d), n, m ≥ 2."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    if len(a) < 2 or len(b) < 2:
        raise ValueError("kernel_distance needs at least two embeddings per set")
    h = bandwidth if bandwidth is not None else median_bandwidth(a, b)
    k = lambda x, y: np.exp(-_sq_dists(x, y) / (2 * h * h))  # noqa: E731
    kaa, kbb, kab = k(a, a), k(b, b), k(a, b)
    n, m = len(a), len(b)
    xx = (kaa.sum() - np.trace(kaa)) / (n * (n - 1))
    yy = (kbb.sum() - np.trace(kbb)) / (m * (m - 1))
    return float(1000.0 * (xx + yy - 2 * kab.mean()))


def tag_kld(reference: np.ndarray, generated: np.ndarray, eps: float = 1e-8) -> float:
    """Mean over pairs of KL(p_ref ‖ p_gen); rows are tag probabilities (normalised here)."""
    p = np.asarray(reference, np.float64) + eps
    q = np.asarray(generated, np.float64) + eps
    p = p / p.sum(axis=-1, keepdims=True)
    q = q / q.sum(axis=-1, keepdims=True)
    return float(np.mean((p * np.log(p / q)).sum(axis=-1)))
