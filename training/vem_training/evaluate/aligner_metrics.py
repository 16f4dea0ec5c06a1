"""Detection metrics for per-frame scores: average precision and the best F1 with a frame tolerance."""
from __future__ import annotations

import numpy as np


def average_precision(scores: np.ndarray, targets: np.ndarray) -> float:
    """Area under the precision-recall curve, step-wise (sklearn's definition), ties broken by order."""
    order = np.argsort(-scores, kind="stable")
    t = targets[order] > 0
    n_pos = int(t.sum())
    if n_pos == 0:
        return 0.0
    tp = np.cumsum(t)
    precision = tp / np.arange(1, len(t) + 1)
    # with tied scores only the last index of each tie counts (a threshold cannot split ties)
    s = scores[order]
    last = np.r_[s[1:] != s[:-1], True]
    recall = tp / n_pos
    rec_prev = np.r_[0.0, recall[last][:-1]]
    return float(np.sum((recall[last] - rec_prev) * precision[last]))


def peaks(scores: np.ndarray, thr: float) -> np.ndarray:
    """Frames that are local maxima (≥ both neighbours) with score ≥ thr."""
    s = np.asarray(scores)
    left = np.r_[-np.inf, s[:-1]]
    right = np.r_[s[1:], -np.inf]
    return np.flatnonzero((s >= thr) & (s >= left) & (s > right))


def match(pred: np.ndarray, true: np.ndarray, tol: int) -> int:
    """Greedy one-to-one matching of frame indices within ±tol."""
    used = np.zeros(len(true), bool)
    m = 0
    for p in pred:
        d = np.abs(true - p)
        cand = np.flatnonzero((d <= tol) & ~used)
        if len(cand):
            used[cand[np.argmin(d[cand])]] = True
            m += 1
    return m


def best_f1_tolerant(scores_list, targets_list, tol: int = 1, thresholds=None) -> tuple[float, float]:
    thresholds = np.linspace(0.05, 0.95, 19) if thresholds is None else thresholds
    best = (0.0, 0.5)
    for thr in thresholds:
        tp = n_pred = n_true = 0
        for s, t in zip(scores_list, targets_list):
            p = peaks(s, thr)
            tr = np.flatnonzero(t > 0)
            tp += match(p, tr, tol)
            n_pred += len(p)
            n_true += len(tr)
        f1 = 2 * tp / max(1, n_pred + n_true)
        if f1 > best[0]:
            best = (f1, float(thr))
    return best
