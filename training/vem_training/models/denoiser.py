"""The VeM denoiser: a 1D T-UNet over the VAE latent with SG-CAtt and the TB adapter (docs/architecture.md §2, §3).

Latent (B, 8, 16, T) is folded to (B, 128, T): frequency × channels become channels and the UNet runs
over time only (measured on this machine: a 1D UNet is several times faster per step than a 2D one and
learns to follow a beat grid; see docs/diffusion.md).

Denoiser v2 (docs/diffusion.md): v-prediction on a cosine schedule with zero terminal SNR, and the rhythm
from the first step: the planned beat grid is concatenated to the input and, with the aligner's outputs,
modulates every ResBlock (encoder, middle, decoder) by FiLM, `z = z + γ(r)·z + β(r)` (the TB adapter's
form, zero-initialised), trained jointly with the rest.

Per level: two (encoder) or three (decoder) ResBlocks, then the level's final transformer block whose
attention is SG-CAtt: the latent frames are queries, the storyboard tokens `f_att_i` (eq. 6: caption,
global tags, storyboard tags, start and duration embeddings, projected) plus one always-visible global
token are keys/values, and latent frame x sees token i only while start_i ≤ t(x) < start_i + dur_i (an
additive −1e4 mask built in the graph from the seconds at each level's resolution; t(x) is the frame
centre of rhythm.latent_times). Self-attention sits at the coarsest level and in the middle block.

Written for ONNX export with no Shape ops (WebGPU EP, disable_cpu_ep_fallback): heads by constant
slices, nearest upsampling as a transposed convolution, frame positions by CumSum.

Variants (table 4): cond = "sg" (SG-CAtt) | "plain" (cross-attention without the storyboard mask) |
"none" (no HVP conditioning); tb = rhythm path (input channels + FiLM) present.
"""
from __future__ import annotations

import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from ..data.rhythm import RHYTHM_CHANNELS, RHYTHM_INPUT
from ..timebase import LATENT_CENTRE_SEC, LATENT_FRAME_SEC
from .layers import GroupNormNoShape, NearestUp1d


def timestep_embedding(t: torch.Tensor, dim: int) -> torch.Tensor:
    half = dim // 2
    freqs = torch.exp(-math.log(10000.0) * torch.arange(half, dtype=torch.float32, device=t.device) / half)
    a = t[:, None].float() * freqs[None]
    return torch.cat([torch.cos(a), torch.sin(a)], dim=1)


class FourierTime(nn.Module):
    """The continuous-time MLP on seconds (start or duration): Fourier features of t/60 s, then an MLP."""

    def __init__(self, dim: int, n_freq: int = 16):
        super().__init__()
        self.register_buffer("freqs", (2.0 ** torch.arange(n_freq, dtype=torch.float32)) * math.pi / 60.0 * 4,
                             persistent=False)
        self.mlp = nn.Sequential(nn.Linear(2 * n_freq + 1, dim), nn.SiLU(), nn.Linear(dim, dim))

    def forward(self, sec: torch.Tensor) -> torch.Tensor:  # (B, S) -> (B, S, dim)
        a = sec[..., None] * self.freqs
        return self.mlp(torch.cat([torch.sin(a), torch.cos(a), sec[..., None] / 60.0], dim=-1))


class Conditioner(nn.Module):
    """Eq. 6 without the visual part: f_att_i = W [f_caption ‖ f_tags ‖ f_story_text_i ‖ f_start_i ‖ f_dur_i].

    No visual descriptors: the music corpus has no paired pictures, so f_story_vis would be zero in every
    training piece; the pictures reach the model through the tags suggested from them (docs/diffusion.md)."""

    def __init__(self, vocab: int, d_tok: int, d_part: int = 64):
        super().__init__()
        self.caption = nn.Linear(vocab, d_part)
        self.tags = nn.Linear(vocab, d_part)
        self.story_text = nn.Linear(vocab, d_part)
        self.start = FourierTime(d_part // 2)
        self.dur = FourierTime(d_part // 2)
        self.story_proj = nn.Linear(3 * d_part + 2 * (d_part // 2), d_tok)
        self.global_proj = nn.Linear(2 * d_part, d_tok)

    def forward(self, global_tags, caption_tags, story_tags, start_sec, dur_sec):
        fc, ft = self.caption(caption_tags), self.tags(global_tags)            # (B, d)
        g = self.global_proj(torch.cat([fc, ft], dim=-1))[:, None]             # (B, 1, D)
        s_cnt = story_tags[:, :, :1] * 0 + 1                                   # (B, S, 1) ones, no Shape op
        fc_s, ft_s = fc[:, None] * s_cnt, ft[:, None] * s_cnt
        parts = [fc_s, ft_s, self.story_text(story_tags), self.start(start_sec), self.dur(dur_sec)]
        return torch.cat([g, self.story_proj(torch.cat(parts, dim=-1))], dim=1)  # (B, 1+S, D)


def storyboard_bias(t_sec: torch.Tensor, start_sec: torch.Tensor, dur_sec: torch.Tensor, masked: bool) -> torch.Tensor:
    """Additive attention bias (B, T, 1+S): 0 where frame x may see token i, −1e4 elsewhere.

    t_sec (B, 1, T) frame centres; the global token (column 0) is always visible. A storyboard with zero
    duration (padding, or dropped conditions) is never visible."""
    t = t_sec.transpose(1, 2)                                   # (B, T, 1)
    s, e = start_sec[:, None, :], (start_sec + dur_sec)[:, None, :]
    valid = (dur_sec > 0).float()[:, None, :]
    vis = ((t >= s).float() * (t < e).float()) if masked else (t * 0 + 1)
    vis = vis * valid                                           # (B, T, S)
    glob = t * 0 + 1                                            # (B, T, 1)
    return (torch.cat([glob, vis], dim=2) - 1.0) * 1e4


class Attention(nn.Module):
    def __init__(self, dim: int, ctx_dim: int, heads: int):
        super().__init__()
        self.heads, self.dh = heads, dim // heads
        self.q = nn.Linear(dim, dim, bias=False)
        self.k = nn.Linear(ctx_dim, dim, bias=False)
        self.v = nn.Linear(ctx_dim, dim, bias=False)
        self.o = nn.Linear(dim, dim)

    def forward(self, x, ctx, bias=None):  # x (B, T, C), ctx (B, N, Cc), bias (B, T, N)
        q, k, v = self.q(x), self.k(ctx), self.v(ctx)
        scale = 1.0 / math.sqrt(self.dh)
        outs = []
        for h in range(self.heads):
            sl = slice(h * self.dh, (h + 1) * self.dh)
            a = torch.matmul(q[..., sl], k[..., sl].transpose(1, 2)) * scale
            if bias is not None:
                a = a + bias
            outs.append(torch.matmul(torch.softmax(a, dim=-1), v[..., sl]))
        return self.o(torch.cat(outs, dim=-1))


class SelfAttnBlock(nn.Module):
    def __init__(self, dim: int, heads: int):
        super().__init__()
        self.norm = GroupNormNoShape(8, dim)
        self.attn = Attention(dim, dim, heads)

    def forward(self, x):  # (B, C, T)
        h = self.norm(x).transpose(1, 2)
        return x + self.attn(h, h).transpose(1, 2)


class CondBlock(nn.Module):
    """The level's final transformer block: SG-CAtt (or plain cross-attention) then a feed-forward."""

    def __init__(self, dim: int, ctx_dim: int, heads: int):
        super().__init__()
        self.norm1 = GroupNormNoShape(8, dim)
        self.attn = Attention(dim, ctx_dim, heads)
        self.norm2 = nn.LayerNorm(dim)
        self.ff = nn.Sequential(nn.Linear(dim, 2 * dim), nn.GELU(), nn.Linear(2 * dim, dim))

    def forward(self, x, ctx, bias):
        h = x.transpose(1, 2) + self.attn(self.norm1(x).transpose(1, 2), ctx, bias)
        h = h + self.ff(self.norm2(h))
        return h.transpose(1, 2)


FILM_PLACES = ("output", "residual")


class ResBlock(nn.Module):
    """GroupNorm-SiLU-conv ×2 with the timestep embedding added, then FiLM from the rhythm features,
    z = z + γ(r)·z + β(r) (the TB adapter's form, zero-initialised), in every block of every level.

    film "output" (the shipped v2): FiLM on the block's output, skip path included, so a γ near −1 closes
    the block and everything before it (`evaluate.film_gates` measured the deepest level closed this way).
    film "residual": FiLM on the residual branch only, z = skip(x) + FiLM(h), so the skip path always
    passes."""

    def __init__(self, cin: int, cout: int, emb: int, rhythm: int = 0, film: str = "output"):
        super().__init__()
        assert film in FILM_PLACES, film
        self.film = film
        self.n1 = GroupNormNoShape(8, cin)
        self.c1 = nn.Conv1d(cin, cout, 3, padding=1)
        self.emb = nn.Linear(emb, cout)
        self.n2 = GroupNormNoShape(8, cout)
        self.c2 = nn.Conv1d(cout, cout, 3, padding=1)
        self.skip = nn.Conv1d(cin, cout, 1) if cin != cout else nn.Identity()
        self.adapter = Adapter(rhythm, cout) if rhythm else None

    def forward(self, x, emb, r=None):
        h = self.c1(F.silu(self.n1(x))) + self.emb(emb)[:, :, None]
        h = self.c2(F.silu(self.n2(h)))
        if self.adapter is not None and r is not None and self.film == "residual":
            return self.skip(x) + self.adapter(h, r)
        z = self.skip(x) + h
        if self.adapter is not None and r is not None:
            z = self.adapter(z, r)
        return z


class Adapter(nn.Module):
    """TB-As: AdaLN-style modulation from rhythm features, γ and β from zero-initialised 1×1 convolutions
    (the rhythm stem's 5-tap convolutions already give them temporal context)."""

    def __init__(self, rhythm: int, dim: int):
        super().__init__()
        self.gamma = nn.Conv1d(rhythm, dim, 1)
        self.beta = nn.Conv1d(rhythm, dim, 1)
        for c in (self.gamma, self.beta):
            nn.init.zeros_(c.weight)
            nn.init.zeros_(c.bias)

    def forward(self, z, r):
        return z + self.gamma(r) * z + self.beta(r)


class Denoiser(nn.Module):
    """v-prediction T-UNet. forward(z_t (B, 128, T), timestep (B,) in 0…999, HVP tensors, rhythm
    (B, RHYTHM_CHANNELS, T)) -> v (B, 128, T).

    tb=True: the rhythm features enter twice: channels 0…RHYTHM_INPUT−1 (the beat grid) are concatenated to
    z_t, and a conv stem over all channels drives FiLM in every ResBlock: encoder, middle and decoder, at
    each level's resolution (average-pooled by 2 per level). tb=False: no rhythm path (table 4 rows)."""

    def __init__(self, vocab: int, rhythm_channels: int = RHYTHM_CHANNELS, rhythm_input: int = RHYTHM_INPUT,
                 in_channels: int = 128, channels=(128, 192, 256), emb: int = 256, d_tok: int = 256, heads: int = 4,
                 cond: str = "sg", tb: bool = True, rhythm_hidden: int = 64, film: str = "output"):
        super().__init__()
        assert cond in ("sg", "plain", "none")
        self.cond, self.tb, self.in_channels = cond, tb, in_channels
        self.vocab, self.rhythm_channels = vocab, rhythm_channels
        self.rhythm_input = rhythm_input if tb else 0
        self.t_mlp = nn.Sequential(nn.Linear(128, emb), nn.SiLU(), nn.Linear(emb, emb))
        self.conditioner = Conditioner(vocab, d_tok)
        self.inp = nn.Conv1d(in_channels + self.rhythm_input, channels[0], 3, padding=1)
        rh = rhythm_hidden if tb else 0
        if tb:
            self.rhythm_stem = nn.Sequential(nn.Conv1d(rhythm_channels, rh, 5, padding=2), nn.SiLU(),
                                             nn.Conv1d(rh, rh, 5, padding=2), nn.SiLU())
        self.down_res = nn.ModuleList()
        self.down_attn = nn.ModuleList()
        self.down_cond = nn.ModuleList()
        self.downsample = nn.ModuleList()
        c_prev = channels[0]
        skips = [c_prev]
        n_levels = len(channels)
        for lvl, c in enumerate(channels):
            self.down_res.append(nn.ModuleList([ResBlock(c_prev, c, emb, rh, film), ResBlock(c, c, emb, rh, film)]))
            self.down_attn.append(SelfAttnBlock(c, heads) if lvl == n_levels - 1 else nn.Identity())
            self.down_cond.append(CondBlock(c, d_tok, heads))
            skips += [c, c]
            c_prev = c
            if lvl < n_levels - 1:
                self.downsample.append(nn.Conv1d(c, c, 3, stride=2, padding=1))
                skips.append(c)
        self.mid1 = ResBlock(c_prev, c_prev, emb, rh, film)
        self.mid_attn = SelfAttnBlock(c_prev, heads)
        self.mid_cond = CondBlock(c_prev, d_tok, heads)
        self.mid2 = ResBlock(c_prev, c_prev, emb, rh, film)
        self.up_res = nn.ModuleList()
        self.up_cond = nn.ModuleList()
        self.upsample = nn.ModuleList()
        for lvl in reversed(range(n_levels)):
            c = channels[lvl]
            blocks = nn.ModuleList()
            for _ in range(3):
                blocks.append(ResBlock(c_prev + skips.pop(), c, emb, rh, film))
                c_prev = c
            self.up_res.append(blocks)
            self.up_cond.append(CondBlock(c, d_tok, heads))
            if lvl > 0:
                self.upsample.append(nn.Sequential(NearestUp1d(c), nn.Conv1d(c, c, 3, padding=1)))
        self.out_norm = GroupNormNoShape(8, c_prev)
        self.out = nn.Conv1d(c_prev, in_channels, 3, padding=1)
        nn.init.zeros_(self.out.weight)
        nn.init.zeros_(self.out.bias)
        self.n_levels = n_levels

    def forward(self, z_t, timestep, global_tags, caption_tags, story_tags, story_start_sec, story_dur_sec, rhythm):
        if self.cond == "none":  # the unconditional variant ignores every HVP input
            global_tags, caption_tags = global_tags * 0, caption_tags * 0
            story_tags, story_dur_sec = story_tags * 0, story_dur_sec * 0
        emb = self.t_mlp(timestep_embedding(timestep, 128))
        ctx = self.conditioner(global_tags, caption_tags, story_tags, story_start_sec, story_dur_sec)
        masked = self.cond == "sg"
        pos = torch.cumsum(z_t[:, :1, :] * 0 + 1, dim=2) - 1            # (B, 1, T) frame index x
        t_sec = pos * LATENT_FRAME_SEC + LATENT_CENTRE_SEC               # frame centres (rhythm.latent_times)
        biases = []
        for lvl in range(self.n_levels):  # the storyboard mask at each level's time resolution
            biases.append(storyboard_bias(t_sec, story_start_sec, story_dur_sec, masked))
            t_sec = F.avg_pool1d(t_sec, 2)
        rs = [None] * self.n_levels
        if self.tb:
            r = self.rhythm_stem(rhythm)
            for lvl in range(self.n_levels):
                rs[lvl] = r
                r = F.avg_pool1d(r, 2)
            h = self.inp(torch.cat([z_t, rhythm[:, :self.rhythm_input]], dim=1))
        else:
            h = self.inp(z_t)
        hs = [h]
        for lvl in range(self.n_levels):
            for blk in self.down_res[lvl]:
                h = blk(h, emb, rs[lvl])
                hs.append(h)
            h = self.down_attn[lvl](h)
            h = self.down_cond[lvl](h, ctx, biases[lvl])
            hs[-1] = h
            if lvl < self.n_levels - 1:
                h = self.downsample[lvl](h)
                hs.append(h)
        last, r_last = biases[-1], rs[-1]
        h = self.mid1(h, emb, r_last)
        h = self.mid2(self.mid_cond(self.mid_attn(h), ctx, last), emb, r_last)
        for i, lvl in enumerate(reversed(range(self.n_levels))):
            for blk in self.up_res[i]:
                h = blk(torch.cat([h, hs.pop()], dim=1), emb, rs[lvl])
            h = self.up_cond[i](h, ctx, biases[lvl])
            if lvl > 0:
                h = self.upsample[i](h)
        return self.out(F.silu(self.out_norm(h)))
