"""Mel VAE: log-mel (B, 1, 64, T) <-> latent (B, 8, 16, T/4), KL-regularised (AudioLDM's shape).

The log-mel is normalised inside the model with fixed constants, so both ends speak natural-log mel.
T must be a multiple of 4 (two stride-2 downsamplings).
"""
from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

from .layers import GroupNormNoShape, NearestUp2d

MEL_MEAN = -5.0  # rough centre of the natural-log mel of music at this front end
MEL_STD = 2.5


class ResBlock2d(nn.Module):
    def __init__(self, cin: int, cout: int):
        super().__init__()
        self.n1 = GroupNormNoShape(8, cin)
        self.c1 = nn.Conv2d(cin, cout, 3, padding=1)
        self.n2 = GroupNormNoShape(8, cout)
        self.c2 = nn.Conv2d(cout, cout, 3, padding=1)
        self.skip = nn.Conv2d(cin, cout, 1) if cin != cout else nn.Identity()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.c1(F.silu(self.n1(x)))
        h = self.c2(F.silu(self.n2(h)))
        return self.skip(x) + h


class Encoder(nn.Module):
    def __init__(self, ch: tuple[int, ...], z: int):
        super().__init__()
        c0, c1, c2 = ch
        self.inp = nn.Conv2d(1, c0, 3, padding=1)
        self.body = nn.Sequential(
            ResBlock2d(c0, c0), nn.Conv2d(c0, c1, 3, stride=2, padding=1),
            ResBlock2d(c1, c1), nn.Conv2d(c1, c2, 3, stride=2, padding=1),
            ResBlock2d(c2, c2), ResBlock2d(c2, c2),
        )
        self.out_norm = GroupNormNoShape(8, c2)
        self.out = nn.Conv2d(c2, 2 * z, 3, padding=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # (B,1,F,T) -> (B,2z,F/4,T/4)
        return self.out(F.silu(self.out_norm(self.body(self.inp(x)))))


class Upsample(nn.Module):
    def __init__(self, cin: int, cout: int):
        super().__init__()
        self.up = NearestUp2d(cin)
        self.conv = nn.Conv2d(cin, cout, 3, padding=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv(self.up(x))


class Decoder(nn.Module):
    def __init__(self, ch: tuple[int, ...], z: int):
        super().__init__()
        c0, c1, c2 = ch
        self.inp = nn.Conv2d(z, c2, 3, padding=1)
        self.body = nn.Sequential(
            ResBlock2d(c2, c2), ResBlock2d(c2, c2), Upsample(c2, c1),
            ResBlock2d(c1, c1), Upsample(c1, c0), ResBlock2d(c0, c0),
        )
        self.out_norm = GroupNormNoShape(8, c0)
        self.out = nn.Conv2d(c0, 1, 3, padding=1)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.out(F.silu(self.out_norm(self.body(self.inp(z)))))


class MelVAE(nn.Module):
    def __init__(self, channels: tuple[int, ...] = (32, 64, 128), z_channels: int = 8):
        super().__init__()
        self.z_channels = z_channels
        self.encoder = Encoder(tuple(channels), z_channels)
        self.decoder = Decoder(tuple(channels), z_channels)

    def encode(self, mel: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        # mel: (B, 64, T) natural-log -> mean, logvar: (B, 8, 16, T/4)
        h = self.encoder(((mel - MEL_MEAN) / MEL_STD)[:, None])
        z = self.z_channels
        mean, logvar = h[:, :z], h[:, z:]  # constant slices (chunk exports a Shape op)
        return mean, torch.clamp(logvar, -20.0, 10.0)

    def decode(self, z: torch.Tensor) -> torch.Tensor:  # (B, 8, 16, T/4) -> (B, 64, T)
        return self.decoder(z)[:, 0] * MEL_STD + MEL_MEAN

    def forward(self, mel: torch.Tensor, sample: bool = True):
        mean, logvar = self.encode(mel)
        z = mean + torch.randn_like(mean) * torch.exp(0.5 * logvar) if sample else mean
        return self.decode(z), mean, logvar


class VAEEncoderExport(nn.Module):
    """ONNX wrapper: mel -> latent mean (the deterministic encoding used for training the denoiser)."""

    def __init__(self, vae: MelVAE):
        super().__init__()
        self.vae = vae

    def forward(self, mel):
        return self.vae.encode(mel)[0]


class VAEDecoderExport(nn.Module):
    def __init__(self, vae: MelVAE):
        super().__init__()
        self.vae = vae

    def forward(self, latent):
        return self.vae.decode(latent)
