"""Discriminators for adversarial training of the vocoder and of the VAE decoder (training only: never exported,
the app never runs them).

- Multi-period (HiFi-GAN's MPD): for each period p the waveform is reflect-padded to a multiple of p and
  folded to (B, 1, N/p, p); weight-normed 2-D convolutions with (k, 1) kernels then look at every p-th
  sample, so each sub-discriminator judges the periodic structure at one lag.
- Multi-resolution STFT (UnivNet's / BigVGAN's MRD): for each (n_fft, hop) the linear STFT magnitude
  (B, 1, frames, bins) goes through weight-normed 2-D convolutions strided along frequency.

- Mel patch (the VAE decoder's, train.decoder_gan): 2-D convolutions over the normalised log-mel (B, 1, 64,
  T), at full time resolution and pooled 2× in time; each logit judges one time–frequency patch, so the
  decoder is pushed toward real onsets and harmonic detail, not toward one global statistic.

Each sub-discriminator returns its logits (B, 1, ...) and the list of its intermediate feature maps (after
each activation, the logits last) for the feature-matching loss. Widths are small enough for CPU training:
`parameter_count` reports them.
"""
from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils import weight_norm

LRELU = 0.1
PERIODS = (2, 3, 5, 7, 11)
MPD_CHANNELS = (16, 32, 64, 128, 128)
# 16 kHz audio: 16, 32 and 64 ms windows, hop a quarter of the window
MRD_RESOLUTIONS = ((256, 64), (512, 128), (1024, 256))
MRD_CHANNELS = 16


class PeriodDiscriminator(nn.Module):
    def __init__(self, period: int, channels=MPD_CHANNELS, kernel: int = 5, stride: int = 3):
        super().__init__()
        self.period = period
        convs, c_in = [], 1
        for i, c in enumerate(channels):
            s = stride if i < len(channels) - 1 else 1  # HiFi-GAN: the last body layer keeps the length
            convs.append(weight_norm(nn.Conv2d(c_in, c, (kernel, 1), (s, 1), padding=(kernel // 2, 0))))
            c_in = c
        self.convs = nn.ModuleList(convs)
        self.post = weight_norm(nn.Conv2d(c_in, 1, (3, 1), 1, padding=(1, 0)))

    def forward(self, y: torch.Tensor):  # (B, N) -> logits (B, 1, rows, period), feature maps
        n = y.shape[-1]
        pad = (-n) % self.period
        if pad:
            y = F.pad(y[:, None], (0, pad), mode="reflect")[:, 0]
        x = y.reshape(y.shape[0], 1, -1, self.period)
        return _stack(self.convs, self.post, x)


def _stack(convs: nn.ModuleList, post: nn.Module, x: torch.Tensor):
    """The body both kinds share: leaky-ReLU convolutions, then the 1-channel logit layer; every layer's
    output is a feature map (for feature matching)."""
    feats = []
    for conv in convs:
        x = F.leaky_relu(conv(x), LRELU)
        feats.append(x)
    x = post(x)
    feats.append(x)
    return x, feats


class ResolutionDiscriminator(nn.Module):
    def __init__(self, n_fft: int, hop: int, channels: int = MRD_CHANNELS):
        super().__init__()
        self.n_fft, self.hop = n_fft, hop
        self.register_buffer("window", torch.hann_window(n_fft), persistent=False)
        c = channels
        self.convs = nn.ModuleList([
            weight_norm(nn.Conv2d(1, c, (3, 9), (1, 2), padding=(1, 4))),
            weight_norm(nn.Conv2d(c, c, (3, 9), (1, 2), padding=(1, 4))),
            weight_norm(nn.Conv2d(c, c, (3, 9), (1, 2), padding=(1, 4))),
            weight_norm(nn.Conv2d(c, c, (3, 3), 1, padding=(1, 1))),
        ])
        self.post = weight_norm(nn.Conv2d(c, 1, (3, 3), 1, padding=(1, 1)))

    def forward(self, y: torch.Tensor):  # (B, N) -> logits (B, 1, frames, bins / 8), feature maps
        spec = torch.stft(y, self.n_fft, self.hop, window=self.window, center=True, return_complex=True)
        x = spec.abs().transpose(1, 2)[:, None]  # (B, 1, frames, bins)
        return _stack(self.convs, self.post, x)


class VocoderDiscriminators(nn.Module):
    """All sub-discriminators together: forward(y) -> (list of logits, list of feature-map lists), MPD first."""

    def __init__(self, periods=PERIODS, mpd_channels=MPD_CHANNELS, resolutions=MRD_RESOLUTIONS,
                 mrd_channels: int = MRD_CHANNELS):
        super().__init__()
        self.mpd = nn.ModuleList([PeriodDiscriminator(p, tuple(mpd_channels)) for p in periods])
        self.mrd = nn.ModuleList([ResolutionDiscriminator(n, h, mrd_channels) for n, h in resolutions])

    def forward(self, y: torch.Tensor):
        logits, feats = [], []
        for d in [*self.mpd, *self.mrd]:
            lg, fm = d(y)
            logits.append(lg)
            feats.append(fm)
        return logits, feats


def build_discriminators(cfg: dict | None = None) -> VocoderDiscriminators:
    """From a config's `gan` block: {"mpd": {"periods", "channels"}, "mrd": {"resolutions", "channels"}}."""
    cfg = cfg or {}
    mpd, mrd = cfg.get("mpd", {}), cfg.get("mrd", {})
    return VocoderDiscriminators(periods=tuple(mpd.get("periods", PERIODS)),
                                 mpd_channels=tuple(mpd.get("channels", MPD_CHANNELS)),
                                 resolutions=tuple(tuple(r) for r in mrd.get("resolutions", MRD_RESOLUTIONS)),
                                 mrd_channels=int(mrd.get("channels", MRD_CHANNELS)))


def parameter_count(d: VocoderDiscriminators) -> dict:
    n = lambda ms: sum(p.numel() for m in ms for p in m.parameters())  # noqa: E731
    return {"mpd": n(d.mpd), "mrd": n(d.mrd), "total": n([d])}


class MelPatchDiscriminator(nn.Module):
    """One scale of the decoder's discriminator: a (B, 1, 64, T) normalised log-mel -> patch logits."""

    def __init__(self, channels: int = 32, pool: int = 1):
        super().__init__()
        self.pool = pool
        c = channels
        self.convs = nn.ModuleList([
            weight_norm(nn.Conv2d(1, c, 3, 1, padding=1)),
            weight_norm(nn.Conv2d(c, 2 * c, 3, 2, padding=1)),
            weight_norm(nn.Conv2d(2 * c, 4 * c, 3, 2, padding=1)),
            weight_norm(nn.Conv2d(4 * c, 4 * c, 3, 1, padding=1)),
        ])
        self.post = weight_norm(nn.Conv2d(4 * c, 1, 3, 1, padding=1))

    def forward(self, x: torch.Tensor):
        if self.pool > 1:
            x = F.avg_pool2d(x, (1, self.pool))
        return _stack(self.convs, self.post, x)


class MelDiscriminators(nn.Module):
    """The decoder's discriminators, one per time pooling: forward(x) -> (logits list, feature-map lists)."""

    def __init__(self, channels: int = 32, pools=(1, 2)):
        super().__init__()
        self.scales = nn.ModuleList([MelPatchDiscriminator(channels, p) for p in pools])

    def forward(self, x: torch.Tensor):
        logits, feats = [], []
        for d in self.scales:
            lg, fm = d(x)
            logits.append(lg)
            feats.append(fm)
        return logits, feats
