"""Vocos-style vocoder: log-mel -> ConvNeXt backbone -> STFT magnitude and phase -> fixed-basis iSTFT.

Input (B, n_mels, T) natural-log mel frames at hop 256; output (B, (T-1)*hop) waveform at 16 kHz:
a signal of N samples has N // hop + 1 frames, so the output is N rounded down to a whole hop.

`mel_correction` (inference only, no weights): that many analysis-resynthesis passes after the network.
Each takes the STFT of the waveform (the front end's framing: centre reflect padding, periodic Hann), measures
its mel with the front end's filterbank, and scales every bin by the ratio of the requested mel to the
measured one in the bands the bin belongs to (log ratio clamped to ±`correction_limit`), keeping the phase;
then the iSTFT again. The network's phase and fine structure stay; each frame's band energies follow the mel
it was asked for (the overlap-add of the network's own STFT frames is what loses them: data/audio.py).
"""
from __future__ import annotations

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from .. import constants
from ..data.audio import mel_filterbank
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
                 n_fft: int = 1024, hop: int = 256, mel_correction: int = 0, correction_limit: float = 3.0):
        super().__init__()
        self.n_fft, self.hop = n_fft, hop
        self.mel_correction, self.correction_limit = mel_correction, correction_limit
        self.embed = nn.Conv1d(n_mels, dim, kernel_size=7, padding=3)
        self.norm_in = nn.LayerNorm(dim, eps=1e-6)
        self.blocks = nn.ModuleList([ConvNeXtBlock(dim, hidden, 1.0 / layers) for _ in range(layers)])
        self.norm_out = nn.LayerNorm(dim, eps=1e-6)
        self.head = nn.Linear(dim, n_fft + 2)
        self.istft = FixedISTFT(n_fft, hop)
        fb = mel_filterbank()  # (n_mels, bins), the front end's
        if fb.shape != (n_mels, n_fft // 2 + 1):
            raise ValueError(f"the front end's filterbank is {fb.shape}, "
                             f"the vocoder has {n_mels} mels and n_fft {n_fft}")
        # a bin's gain: the mean of its bands' log gains weighted by its filterbank weights (fb is stored once)
        cover = fb.sum(axis=0)
        inv_cover = np.where(cover > 0, 1.0 / np.maximum(cover, 1e-12), 0.0)  # a bin in no band keeps its level
        scale = np.full(n_fft // 2 + 1, 2.0)
        scale[0] = scale[-1] = 1.0
        # the iSTFT basis row k is scale_k / n_fft · window · (cos, −sin): correlating with it and multiplying by
        # n_fft / scale_k gives the forward STFT, so analysis reuses the one basis (one table in the file)
        ana = np.concatenate([n_fft / scale, n_fft / scale])[None, :, None]
        self.register_buffer("fb", torch.tensor(fb, dtype=torch.float32), persistent=False)
        self.register_buffer("inv_cover", torch.tensor(inv_cover[:, None], dtype=torch.float32), persistent=False)
        self.register_buffer("ana_scale", torch.tensor(ana, dtype=torch.float32), persistent=False)

    def forward(self, mel: torch.Tensor) -> torch.Tensor:  # (B, n_mels, T) -> (B, (T-1)*hop)
        x = self.embed(mel)
        x = self.norm_in(x.transpose(1, 2)).transpose(1, 2)
        for blk in self.blocks:
            x = blk(x)
        x = self.head(self.norm_out(x.transpose(1, 2))).transpose(1, 2)  # (B, n_fft+2, T)
        bins = self.n_fft // 2 + 1
        mag = torch.exp(torch.clamp(x[:, :bins], max=7.0))
        phase = x[:, bins:]
        re, im = mag * torch.cos(phase), mag * torch.sin(phase)
        for _ in range(self.mel_correction):
            re, im = self.correct(self.istft(re, im), mel)
        return self.istft(re, im)

    def correct(self, y: torch.Tensor, mel: torch.Tensor):
        """One analysis-resynthesis pass (module docstring): y (B, (T-1)*hop), mel (B, n_mels, T) -> the STFT
        (re, im), each (B, bins, T), rescaled band by band toward `mel`."""
        pad, bins = self.n_fft // 2, self.n_fft // 2 + 1
        spec = F.conv1d(F.pad(y[:, None, :], (pad, pad), mode="reflect"), self.istft.basis, stride=self.hop)
        spec = spec * self.ana_scale  # (B, 2·bins, T)
        re, im = spec[:, :bins], spec[:, bins:]
        mag = torch.sqrt(re * re + im * im + 1e-20)
        measured = torch.log(torch.clamp(torch.matmul(self.fb, mag), min=constants.audio()["logFloor"]))
        lim = self.correction_limit
        log_gain = torch.matmul(torch.clamp(mel - measured, -lim, lim).transpose(1, 2), self.fb).transpose(1, 2)
        gain = torch.exp(log_gain * self.inv_cover)
        return re * gain, im * gain
