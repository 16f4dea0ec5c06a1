"""Transition-beat aligner: a slim (2+1)D residual network on 16 fps frames (docs/architecture.md §2, §3).

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

from ..timebase import ALIGNER_FEAT


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
        self.skip = (nn.Sequential(nn.Conv3d(cin, cout, 1, stride=(1, stride, stride), bias=False),
                                   nn.BatchNorm3d(cout))
                     if (cin != cout or stride != 1) else nn.Identity())

    def forward(self, x):
        h = F.relu(self.n1(self.c1(x)))
        h = self.n2(self.c2(h))
        return F.relu(h + self.skip(x))


class Aligner(nn.Module):
    def __init__(self, channels=(16, 24, 32, 48), feat: int = ALIGNER_FEAT):
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


class Aligner2d(nn.Module):
    """The same network computed with 2D/1D ops only, for export (onnxruntime-web's WebGPU EP has no 3D
    convolution): frames go into the batch axis for the spatial (k×k) convolutions and the temporal (3×1×1)
    ones run as (3×1) 2D convolutions over (time, pixels). Reshapes use constant sizes (frame size is fixed
    at 64×112, batch fixed at export), so the graph needs no Shape op. Loads an `Aligner`'s weights exactly.
    """

    def __init__(self, src: Aligner, batch: int = 1, height: int = 64, width: int = 112):
        super().__init__()
        self.src, self.batch = src, batch
        self.hw = (height, width)
        self.feat = src.feat
        convs = [m for m in src.modules() if isinstance(m, nn.Conv3d)]
        self.convs2d = nn.ModuleList([self._conv2d(m) for m in convs])
        self._index = {id(m): i for i, m in enumerate(convs)}

    @staticmethod
    def _conv2d(conv3d: nn.Conv3d):
        k = conv3d.kernel_size
        if k[0] == 1:  # spatial
            c = nn.Conv2d(conv3d.in_channels, conv3d.out_channels, k[1:], stride=conv3d.stride[1:],
                          padding=conv3d.padding[1:], bias=conv3d.bias is not None)
            c.weight.data = conv3d.weight.data[:, :, 0].clone()
        else:          # temporal, applied to (B, C, F, pixels)
            assert k[1:] == (1, 1)
            c = nn.Conv2d(conv3d.in_channels, conv3d.out_channels, (k[0], 1), padding=(conv3d.padding[0], 0),
                          bias=conv3d.bias is not None)
            c.weight.data = conv3d.weight.data[:, :, :, 0].clone()
        if conv3d.bias is not None:
            c.bias.data = conv3d.bias.data.clone()
        return c

    def _apply(self, x, mod, size):  # x: (B*F, C, h, w); size: current (h, w)
        if isinstance(mod, nn.Conv3d):
            c2 = self.convs2d[self._index[id(mod)]]
            if mod.kernel_size[0] == 1:
                return c2(x), self._next(size, mod)
            h, w = size
            t = x.reshape(self.batch, -1, mod.in_channels, h * w).permute(0, 2, 1, 3)   # (B, C, F, hw)
            t = c2(t).permute(0, 2, 1, 3).reshape(-1, mod.out_channels, h, w)
            return t, size
        if isinstance(mod, nn.BatchNorm3d):
            return F.batch_norm(x, mod.running_mean, mod.running_var, mod.weight, mod.bias, False, 0.0, mod.eps), size
        if isinstance(mod, nn.ReLU):
            return F.relu(x), size
        if isinstance(mod, nn.Sequential):
            for m in mod:
                x, size = self._apply(x, m, size)
            return x, size
        raise TypeError(type(mod))

    @staticmethod
    def _next(size, conv):
        h, w = size
        k, s, p = conv.kernel_size[1], conv.stride[1], conv.padding[1]
        return ((h + 2 * p - k) // s + 1, (w + 2 * p - k) // s + 1)

    def forward(self, frames: torch.Tensor):
        src = self.src
        h, w = self.hw
        x = (frames - 0.45) / 0.25                                            # (B, 3, F, H, W)
        x = x.permute(0, 2, 1, 3, 4).reshape(-1, 3, h, w)                      # (B*F, 3, H, W)
        size = (h, w)
        x, size = self._apply(x, src.stem, size)
        for blk in src.blocks:
            y, s1 = self._apply(x, blk.c1, size)
            y, s1 = self._apply(y, blk.n1, s1)
            y = F.relu(y)
            y, s1 = self._apply(y, blk.c2, s1)
            y, s1 = self._apply(y, blk.n2, s1)
            sk, _ = (self._apply(x, blk.skip, size) if not isinstance(blk.skip, nn.Identity) else (x, size))
            x, size = F.relu(y + sk), s1
        hh, ww = size
        c = src.blocks[-1].n2.num_features
        pooled = x.mean(dim=(2, 3)).reshape(self.batch, -1, c).transpose(1, 2)          # (B, C, F)
        spatial = x.mean(dim=3).reshape(self.batch, -1, c, hh).permute(0, 2, 1, 3)      # (B, C, F, h)
        prev = torch.cat([spatial[:, :, :1], spatial[:, :, :-1]], dim=2)
        diff = (spatial - prev).abs().mean(dim=3)
        z = torch.cat([pooled, diff], dim=1)
        for i, (conv, norm) in enumerate(zip(src.head, src.norms)):
            y = F.relu(norm(conv(z)))
            z = y if i == 0 else z + y
        return src.out(z)[:, 0], z.transpose(1, 2)
