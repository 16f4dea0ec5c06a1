"""Transition-beat aligner: a slim (2+1)D residual network on 16 fps frames (DESIGN.md §2, §3).

frames (B, 3, F, 64, 112) in [0, 1] -> logits (B, F) for "this frame is a transition that lands on a
beat", and the penultimate per-frame features (B, F, C) that the denoiser's TB adapter reads.

Shape of ResNet(2+1)D-18, slimmed for a browser tab: every 3D convolution is factorised into a spatial
(1×3×3) and a temporal (3×1×1) one; spatial size is pooled away after the residual stages and a dilated
temporal head (receptive field ±2 s) looks at the rhythm of neighbouring cuts. BatchNorm folds into the
convolutions at export. Time is never strided: one output per input frame, F dynamic.
"""
from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F


class Conv2Plus1d(nn.Sequential):
    def __init__(self, cin: int, cout: int, stride: int = 1):
        mid = max(cin, cout)
        super().__init__(
            nn.Conv3d(cin, mid, (1, 3, 3), stride=(1, stride, stride), padding=(0, 1, 1), bias=False),
            nn.BatchNorm3d(mid), nn.ReLU(inplace=True),
            nn.Conv3d(mid, cout, (3, 1, 1), padding=(1, 0, 0), bias=False),
        )


class Block(nn.Module):
    def __init__(self, cin: int, cout: int, stride: int):
        super().__init__()
        self.c1 = Conv2Plus1d(cin, cout, stride)
        self.n1 = nn.BatchNorm3d(cout)
        self.c2 = Conv2Plus1d(cout, cout, 1)
        self.n2 = nn.BatchNorm3d(cout)
        self.skip = (nn.Sequential(nn.Conv3d(cin, cout, 1, stride=(1, stride, stride), bias=False), nn.BatchNorm3d(cout))
                     if (cin != cout or stride != 1) else nn.Identity())

    def forward(self, x):
        h = F.relu(self.n1(self.c1(x)))
        h = self.n2(self.c2(h))
        return F.relu(h + self.skip(x))


class Aligner(nn.Module):
    def __init__(self, channels=(16, 24, 32, 48), feat: int = 32):
        super().__init__()
        c0 = channels[0]
        self.stem = nn.Sequential(
            nn.Conv3d(3, c0, (1, 5, 5), stride=(1, 2, 2), padding=(0, 2, 2), bias=False), nn.BatchNorm3d(c0),
            nn.ReLU(inplace=True),
            nn.Conv3d(c0, c0, (3, 1, 1), padding=(1, 0, 0), bias=False), nn.BatchNorm3d(c0), nn.ReLU(inplace=True))
        blocks = []
        for cin, cout in zip(channels[:-1], channels[1:]):
            blocks.append(Block(cin, cout, 2))
        self.blocks = nn.Sequential(*blocks)
        c = channels[-1]
        # frame differences are the strongest transition cue: give the head |x_t - x_{t-1}| of the pooled map
        self.head = nn.ModuleList([nn.Conv1d(2 * c if i == 0 else feat, feat, 3, padding=d, dilation=d)
                                   for i, d in enumerate((1, 2, 4, 8, 16))])
        self.norms = nn.ModuleList([nn.BatchNorm1d(feat) for _ in range(5)])
        self.out = nn.Conv1d(feat, 1, 1)
        self.feat = feat

    def forward(self, frames: torch.Tensor):
        x = (frames - 0.45) / 0.25
        h = self.blocks(self.stem(x))                  # (B, C, F, h, w)
        pooled = h.mean(dim=(3, 4))                    # (B, C, F)
        spatial = h.mean(dim=4)                        # (B, C, F, h)
        # temporal difference of the spatial map (first frame against itself)
        prev = torch.cat([spatial[:, :, :1], spatial[:, :, :-1]], dim=2)
        diff = (spatial - prev).abs().mean(dim=3)      # (B, C, F)
        z = torch.cat([pooled, diff], dim=1)
        for i, (conv, norm) in enumerate(zip(self.head, self.norms)):
            y = F.relu(norm(conv(z)))
            z = y if i == 0 else z + y
        logits = self.out(z)[:, 0]                     # (B, F)
        return logits, z.transpose(1, 2)               # features (B, F, C)
