"""Layers written so the exported graphs need no Shape ops: onnxruntime-web's WebGPU EP leaves Shape
and its integer arithmetic on the CPU, which `disable_cpu_ep_fallback` (our WebGPU test mode) refuses.
"""
from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F


class GroupNormNoShape(nn.GroupNorm):
    """nn.GroupNorm (same parameters) computed without Shape ops: per-channel moments over the spatial
    axes, then group means through constant-size reshapes ((B, C) -> (B, G, C/G), the batch as -1)."""

    def __init__(self, num_groups: int, num_channels: int, eps: float = 1e-5):
        super().__init__(num_groups, num_channels, eps)
        self.register_buffer("spread", torch.ones(1, 1, num_channels // num_groups), persistent=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # (B, C, *spatial)
        if x.is_cuda:  # training on a GPU: the fused kernel (autocast runs it in float32); same maths
            return super().forward(x)
        dims = tuple(range(2, x.dim()))
        g, c = self.num_groups, self.num_channels
        ones = (1,) * (x.dim() - 2)
        m1 = x.mean(dim=dims).reshape(-1, g, c // g).mean(dim=2, keepdim=True)       # (B, G, 1)
        m2 = (x * x).mean(dim=dims).reshape(-1, g, c // g).mean(dim=2, keepdim=True)
        var = torch.clamp(m2 - m1 * m1, min=0.0)
        mean = (m1 * self.spread).reshape((-1, c) + ones)                              # (B, C, 1, ...)
        std = torch.sqrt(var + self.eps)
        y = (x - mean) / (std * self.spread).reshape((-1, c) + ones)
        shape = (1, c) + ones
        return y * self.weight.view(shape) + self.bias.view(shape)


class NearestUp2d(nn.Module):
    """×2 nearest-neighbour upsampling as a fixed depthwise transposed convolution (no Resize/Shape)."""

    def __init__(self, channels: int):
        super().__init__()
        self.channels = channels
        self.register_buffer("kernel", torch.ones(channels, 1, 2, 2), persistent=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.conv_transpose2d(x, self.kernel, stride=2, groups=self.channels)


class NearestUp1d(nn.Module):
    """×2 nearest-neighbour upsampling over time as a fixed depthwise transposed convolution."""

    def __init__(self, channels: int):
        super().__init__()
        self.channels = channels
        self.register_buffer("kernel", torch.ones(channels, 1, 2), persistent=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.conv_transpose1d(x, self.kernel, stride=2, groups=self.channels)
