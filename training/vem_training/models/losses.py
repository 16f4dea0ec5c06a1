"""Spectral losses for the vocoder and the VAE."""
from __future__ import annotations

import torch
import torch.nn.functional as F

RESOLUTIONS = ((512, 128), (1024, 256), (2048, 512))  # (n_fft, hop)


def _mag(x: torch.Tensor, n_fft: int, hop: int) -> torch.Tensor:
    w = torch.hann_window(n_fft, device=x.device)
    return torch.stft(x, n_fft, hop, window=w, return_complex=True).abs().clamp(min=1e-7)


def multi_resolution_stft(y_hat: torch.Tensor, y: torch.Tensor, resolutions=RESOLUTIONS) -> torch.Tensor:
    """Spectral convergence + log-magnitude L1, averaged over the resolutions. (B, N) inputs."""
    total = y.new_zeros(())
    for n_fft, hop in resolutions:
        a, b = _mag(y_hat, n_fft, hop), _mag(y, n_fft, hop)
        sc = torch.linalg.norm(b - a, dim=(1, 2)) / torch.linalg.norm(b, dim=(1, 2)).clamp(min=1e-7)
        total = total + sc.mean() + F.l1_loss(a.log(), b.log())
    return total / len(resolutions)


def kl_divergence(mean: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    """Mean over elements of KL(N(mean, exp(logvar)) || N(0, 1))."""
    return 0.5 * (mean.pow(2) + logvar.exp() - 1.0 - logvar).mean()


def onset_flux(log_mel: torch.Tensor) -> torch.Tensor:
    """Half-wave rectified spectral flux per mel band, (B, M, T) -> (B, M, T - 1): what onset and beat
    trackers listen to."""
    return F.relu(log_mel[..., 1:] - log_mel[..., :-1])


def onset_flux_l1(log_mel_hat: torch.Tensor, log_mel: torch.Tensor) -> torch.Tensor:
    """L1 between the spectral flux of a reconstruction and of the original: penalises smeared onsets that
    a plain mel L1 barely sees."""
    return F.l1_loss(onset_flux(log_mel_hat), onset_flux(log_mel))


# adversarial training (train_vocoder_gan): lists of logits / feature-map lists, one entry per sub-discriminator

def discriminator_loss(real_logits, fake_logits, kind: str = "lsgan") -> torch.Tensor:
    """Mean over sub-discriminators. LSGAN: (1 − D(y))² + D(ŷ)²; hinge: relu(1 − D(y)) + relu(1 + D(ŷ))."""
    total = real_logits[0].new_zeros(())
    for r, f in zip(real_logits, fake_logits):
        if kind == "lsgan":
            total = total + (1 - r).pow(2).mean() + f.pow(2).mean()
        elif kind == "hinge":
            total = total + F.relu(1 - r).mean() + F.relu(1 + f).mean()
        else:
            raise ValueError(kind)
    return total / len(real_logits)


def generator_adv_loss(fake_logits, kind: str = "lsgan") -> torch.Tensor:
    """Mean over sub-discriminators. LSGAN: (1 − D(ŷ))²; hinge: relu(1 − D(ŷ))."""
    total = fake_logits[0].new_zeros(())
    for f in fake_logits:
        total = total + ((1 - f).pow(2).mean() if kind == "lsgan" else F.relu(1 - f).mean())
    return total / len(fake_logits)


def feature_matching(real_feats, fake_feats) -> torch.Tensor:
    """Mean over every feature map of every sub-discriminator of mean |f(y) − f(ŷ)| (real maps detached)."""
    total, n = real_feats[0][0].new_zeros(()), 0
    for rs, fs in zip(real_feats, fake_feats):
        for r, f in zip(rs, fs):
            total = total + F.l1_loss(f, r.detach())
            n += 1
    return total / n


def discriminator_update(D, opt_d, real: torch.Tensor, fake: torch.Tensor, clip: float, kind: str = "lsgan") -> dict:
    """One optimiser step of the discriminators `D` on a real and a generated batch (the generated one
    detached), both in one forward pass; returns {"d": loss, "dGradNorm": norm before clipping}."""
    n = real.shape[0]
    logits, _ = D(torch.cat([real, fake.detach()]))
    d_loss = discriminator_loss([lg[:n] for lg in logits], [lg[n:] for lg in logits], kind)
    opt_d.zero_grad(set_to_none=True)
    d_loss.backward()
    d_norm = torch.nn.utils.clip_grad_norm_(D.parameters(), clip)
    opt_d.step()
    return {"d": d_loss.item(), "dGradNorm": float(d_norm)}
