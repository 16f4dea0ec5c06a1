"""The aligner over a whole video: overlapping windows over a long frame sequence (the same rule as
src/core/aligner/windows.ts), its input layout and the per-frame prediction.

Each window [start, end) runs the model; only [keep_start, keep_end) of its output is kept. Kept ranges tile
0..n exactly; each interior boundary sits overlap/2 frames inside the window that ends there. The last
window is moved back to end at n.
"""
from __future__ import annotations

import numpy as np
import torch


def windows(n: int, size: int = 128, overlap: int = 16):
    if n <= size:
        return [(0, n, 0, n)]
    step = size - overlap
    out, keep, s = [], 0, 0
    while True:
        last = s + size >= n
        start = n - size if last else s
        end = n if last else s + size
        keep_end = n if last else end - overlap // 2
        out.append((start, end, keep, keep_end))
        keep = keep_end
        if last:
            return out
        s += step


def to_input(frames_u8: np.ndarray) -> torch.Tensor:
    """(F, H, W, 3) uint8 -> (1, 3, F, H, W) float in [0, 1] (the ONNX model's input layout)."""
    return torch.from_numpy(frames_u8).permute(3, 0, 1, 2).float().div_(255.0)[None]


def predict(model, frames_u8: np.ndarray, window: int = 128, overlap: int = 16):
    """Per-frame probabilities and features for a whole video, in overlapping windows (as the app runs it)."""
    f = len(frames_u8)
    probs = np.zeros(f, np.float32)
    feats = np.zeros((f, model.feat), np.float32)
    for s, e, keep_s, keep_e in windows(f, window, overlap):
        logits, z = model(to_input(frames_u8[s:e]))
        probs[keep_s:keep_e] = torch.sigmoid(logits[0, keep_s - s:keep_e - s]).numpy()
        feats[keep_s:keep_e] = z[0, keep_s - s:keep_e - s].numpy()
    return probs, feats
