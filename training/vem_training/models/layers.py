"""Layers written so the exported graphs need no Shape ops: onnxruntime-web's WebGPU EP leaves Shape
and its integer arithmetic on the CPU, which `disable_cpu_ep_fallback` (our WebGPU test mode) refuses.
"""
from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F


class GroupNormNoShape(nn.GroupNorm):
    """nn.GroupNorm (same parameters) computed with ReduceMean and a fixed group-averaging 1×1 conv
    instead of reshapes: per-channel moments over the spatial axes, averaged within each group."""

    def __init__(self, num_groups: int, num_channels: int, eps: float = 1e-5):
        super().__init__(num_groups, num_channels, eps)
        size = num_channels // num_groups
        avg = torch.zeros(num_channels, num_channels)
        for g in range(num_groups):
            avg[g * size:(g + 1) * size, g * size:(g + 1) * size] = 1.0 / size
        self.register_buffer("group_avg", avg, persistent=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # (B, C, *spatial)
        if x.is_cuda:  # training on a GPU: the fused kernel (autocast runs it in float32); same maths
            return super().forward(x)
        dims = tuple(range(2, x.dim()))
        m1 = x.mean(dim=dims, keepdim=True)            # (B, C, 1, ...)
        m2 = (x * x).mean(dim=dims, keepdim=True)
        ones = (1,) * (x.dim() - 2)
        w = self.group_avg.view(self.num_channels, self.num_channels, *ones)
        conv = F.conv2d if x.dim() == 4 else F.conv1d
        mean = conv(m1, w)
        var = torch.clamp(conv(m2, w) - mean * mean, min=0.0)
        y = (x - mean) / torch.sqrt(var + self.eps)
        shape = (1, self.num_channels) + ones
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
