"""Inverse STFT written as a transposed convolution with fixed bases, so it exports to ONNX.

torch.istft does not export at opset 17 in torch 1.13. Overlap-add of windowed inverse DFT frames is
exactly conv_transpose1d(cat[re, im], basis, stride=hop); the window-square envelope is the same
operation on ones, so the whole thing works for any number of frames (dynamic T).
"""
from __future__ import annotations

import math

import torch
import torch.nn as nn
import torch.nn.functional as F


class FixedISTFT(nn.Module):
    def __init__(self, n_fft: int, hop: int):
        super().__init__()
        self.n_fft, self.hop = n_fft, hop
        bins = n_fft // 2 + 1
        n = torch.arange(n_fft, dtype=torch.float64)
        k = torch.arange(bins, dtype=torch.float64)
        window = 0.5 - 0.5 * torch.cos(2 * math.pi * n / n_fft)
        # irfft weights: DC and Nyquist once, the others twice (Hermitian symmetry)
        scale = torch.full((bins,), 2.0, dtype=torch.float64)
        scale[0] = 1.0
        scale[-1] = 1.0
        ang = 2 * math.pi * k[:, None] * n[None, :] / n_fft  # (bins, n_fft)
        basis_re = scale[:, None] * torch.cos(ang) / n_fft * window[None, :]
        basis_im = -scale[:, None] * torch.sin(ang) / n_fft * window[None, :]
        basis = torch.cat([basis_re, basis_im], dim=0)[:, None, :]  # (2*bins, 1, n_fft)
        self.register_buffer("basis", basis.float())  # persistent: exported as an fp16 initializer
        self.register_buffer("win_sq", (window ** 2).float()[None, None, :], persistent=False)

    def forward(self, re: torch.Tensor, im: torch.Tensor) -> torch.Tensor:
        # re, im: (B, bins, T) -> (B, (T-1)*hop) samples (centre padding removed)
        x = torch.cat([re, im], dim=1)
        y = F.conv_transpose1d(x, self.basis, stride=self.hop)  # (B, 1, (T-1)*hop + n_fft)
        ones = re[:, :1, :] * 0.0 + 1.0  # (B, 1, T); not ones_like, which exports a Shape op
        env = F.conv_transpose1d(ones, self.win_sq, stride=self.hop)
        pad = self.n_fft // 2
        y = y[:, 0, pad:-pad]
        env = env[:, 0, pad:-pad]
        return y / torch.clamp(env, min=1e-8)
