"""Vocos-style vocoder: log-mel -> ConvNeXt backbone -> STFT magnitude and phase -> fixed-basis iSTFT.

Input (B, n_mels, T) natural-log mel frames at hop 256; output (B, (T-1)*hop) waveform at 16 kHz:
a signal of N samples has N // hop + 1 frames, so the output is N rounded down to a whole hop.
"""
from __future__ import annotations

import torch
import torch.nn as nn

from .istft import FixedISTFT


class ConvNeXtBlock(nn.Module):
    def __init__(self, dim: int, hidden: int, layer_scale: float):
        super().__init__()
        self.dwconv = nn.Conv1d(dim, dim, kernel_size=7, padding=3, groups=dim)
        self.norm = nn.LayerNorm(dim, eps=1e-6)
        self.pw1 = nn.Linear(dim, hidden)
        self.act = nn.GELU()
        self.pw2 = nn.Linear(hidden, dim)
        self.gamma = nn.Parameter(layer_scale * torch.ones(dim))

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # (B, C, T)
        r = x
        x = self.dwconv(x).transpose(1, 2)  # (B, T, C)
        x = self.pw2(self.act(self.pw1(self.norm(x))))
        return r + (self.gamma * x).transpose(1, 2)


class Vocoder(nn.Module):
    def __init__(self, n_mels: int = 64, dim: int = 192, hidden: int = 576, layers: int = 8,
                 n_fft: int = 1024, hop: int = 256):
        super().__init__()
        self.n_fft, self.hop = n_fft, hop
        self.embed = nn.Conv1d(n_mels, dim, kernel_size=7, padding=3)
        self.norm_in = nn.LayerNorm(dim, eps=1e-6)
        self.blocks = nn.ModuleList([ConvNeXtBlock(dim, hidden, 1.0 / layers) for _ in range(layers)])
        self.norm_out = nn.LayerNorm(dim, eps=1e-6)
        self.head = nn.Linear(dim, n_fft + 2)
        self.istft = FixedISTFT(n_fft, hop)

    def forward(self, mel: torch.Tensor) -> torch.Tensor:  # (B, n_mels, T) -> (B, (T-1)*hop)
        x = self.embed(mel)
        x = self.norm_in(x.transpose(1, 2)).transpose(1, 2)
        for blk in self.blocks:
            x = blk(x)
        x = self.head(self.norm_out(x.transpose(1, 2))).transpose(1, 2)  # (B, n_fft+2, T)
        bins = self.n_fft // 2 + 1
        mag = torch.exp(torch.clamp(x[:, :bins], max=7.0))
        phase = x[:, bins:]
        return self.istft(mag * torch.cos(phase), mag * torch.sin(phase))
