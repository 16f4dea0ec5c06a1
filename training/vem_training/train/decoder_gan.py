"""Adversarial fine-tuning of the VAE decoder (issue #15): sharper onsets and harmonic detail without moving
the latent space.

    python -m vem_training.train.decoder_gan --config configs/vae-decoder-gan.json --corpus data/corpus \
        --run runs/vae-decoder-gan [--minutes 60] [--steps N]

Starts from the shipped VAE (public/models/vae_encoder.onnx + vae_decoder.onnx, or --init-ckpt). The encoder
is frozen: the denoiser was trained on its latents, so only the decoder moves. Each step, on a batch of
log-mel crops:
1. z = μ + σ·ε from the frozen encoder (the decoder keeps hearing the spread it was trained with, which
   also covers the denoiser's imperfect latents); x̂ = decoder(z);
2. discriminator step on the normalised log-mels (x, x̂ detached): LSGAN over patch discriminators at full
   and half time resolution (models.discriminators.MelDiscriminators);
3. decoder step: mel L1 / MEL_STD (the VAE's own loss) + fluxLossWeight · onset-flux L1 + advWeight ·
   adversarial + fmWeight · feature matching.
For the first `dWarmupSteps` steps only the discriminators train.

Held-out checks at the start and every `checkEvery` steps (→ <run>/checks.jsonl), on recorded clips of the
valid split decoded from the encoder's mean (what the round trip does):
- melL1: mean |x̂ − x| (natural-log mel);
- fluxL1: the onset-flux L1;
- onsetSharpness: mean rectified time difference of x̂ over that of x (1 = as crisp as the original; a
  decoder that smears onsets reads below 1);
- detail: mean |frequency difference| of x̂ over that of x (harmonic lines and gaps; below 1 = blurred).

The run's ckpt.pt keeps the whole VAE under "model" and a VAE config, so `python -m vem_training.export vae
--run runs/vae-decoder-gan` exports both files as before (the encoder's weights unchanged).
"""
from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

import numpy as np
import torch

from .. import constants
from ..config import CONFIGS, SHIPPED_VAE, Config, load_config
from ..data import audio, crops
from ..models import build_model, losses, read_checkpoint
from ..models.discriminators import MelDiscriminators
from ..models.onnx_weights import load_from_onnx
from ..models.vae import MEL_MEAN, MEL_STD
from . import checkpoint, loop


def decoder_figures(rec: torch.Tensor, mel: torch.Tensor) -> dict:
    """(B, 64, T) decoded and original log-mels -> melL1, fluxL1, onsetSharpness, detail (module docstring)."""
    d_t = lambda x: torch.relu(x[..., 1:] - x[..., :-1]).mean()  # noqa: E731
    d_f = lambda x: (x[:, 1:] - x[:, :-1]).abs().mean()  # noqa: E731
    return {"melL1": float((rec - mel).abs().mean()), "fluxL1": float(losses.onset_flux_l1(rec, mel)),
            "onsetSharpness": float(d_t(rec) / d_t(mel)), "detail": float(d_f(rec) / d_f(mel))}


class HeldOutMels:
    """Fixed held-out recorded clips (valid split) as log-mels, scored through encoder mean → decoder."""

    def __init__(self, corpus: Path, n: int, seconds: float):
        clips = crops.held_out_clips(corpus, n, seconds, split="valid")
        mels = [audio.log_mel(x) for _, x in clips]
        t = min(m.shape[1] for m in mels) // 4 * 4
        self.mel = torch.from_numpy(np.stack([m[:, :t] for m in mels]))
        self.n = len(mels)

    @torch.no_grad()
    def __call__(self, vae) -> dict:
        was = vae.decoder.training
        vae.decoder.eval()
        rec = vae.decode(vae.encode(self.mel)[0])
        vae.decoder.train(was)
        return {**{k: round(v, 4) for k, v in decoder_figures(rec, self.mel).items()}, "clips": self.n}


def norm(mel: torch.Tensor) -> torch.Tensor:
    """(B, 64, T) natural-log mel -> (B, 1, 64, T) as the VAE normalises it (what the discriminators see)."""
    return ((mel - MEL_MEAN) / MEL_STD)[:, None]


def gan_step(cfg: Config, vae, D, opt_g, opt_d, mel: torch.Tensor, train_g: bool) -> dict:
    """One step: the discriminators, then (if `train_g`) the decoder."""
    gan = cfg.gan
    with torch.no_grad():
        mean, logvar = vae.encode(mel)
        z = mean + torch.randn_like(mean) * torch.exp(0.5 * logvar)
    if train_g:
        rec = vae.decode(z)
    else:
        with torch.no_grad():
            rec = vae.decode(z)
    parts = losses.discriminator_update(D, opt_d, norm(mel), norm(rec), cfg.gradClipD, "lsgan")
    if not train_g:
        return parts
    D.requires_grad_(False)
    with torch.no_grad():
        _, feats_real = D(norm(mel))
    logits_fake, feats_fake = D(norm(rec))
    adv = losses.generator_adv_loss(logits_fake, "lsgan")
    fm = losses.feature_matching(feats_real, feats_fake)
    l1 = (rec - mel).abs().mean() / MEL_STD
    flux = losses.onset_flux_l1(rec, mel)
    loss = l1 + cfg.fluxLossWeight * flux + gan["advWeight"] * adv + gan["fmWeight"] * fm
    opt_g.zero_grad(set_to_none=True)
    loss.backward()
    g_norm = torch.nn.utils.clip_grad_norm_(vae.decoder.parameters(), 1.0)
    opt_g.step()
    D.requires_grad_(True)
    return {**parts, "g": loss.item(), "melL1": l1.item() * MEL_STD, "flux": flux.item(), "adv": adv.item(),
            "fm": fm.item(), "gGradNorm": float(g_norm)}


class DecoderGanTask(loop.Task):
    def __init__(self, cfg: Config, vae, D, opt_g, opt_d, source, d_warm: int, held: HeldOutMels | None):
        self.cfg, self.vae, self.D, self.opt_g, self.opt_d = cfg, vae, D, opt_g, opt_d
        self.source, self.d_warm, self.held = source, d_warm, held
        self.lrs = (loop.Warmup(opt_g, cfg.lr, cfg.warmupSteps, start=d_warm),
                    loop.Warmup(opt_d, cfg.lrD, cfg.warmupSteps))

    def step(self, step: int) -> dict:
        parts = gan_step(self.cfg, self.vae, self.D, self.opt_g, self.opt_d, self.source.batch(self.cfg.batch),
                         step >= self.d_warm)
        return {k: round(v, 5) for k, v in parts.items()}

    def state(self) -> dict:
        return {"model": self.vae.state_dict(), "disc": self.D.state_dict(), "opt": self.opt_g.state_dict(),
                "optD": self.opt_d.state_dict(), "config": self.cfg.to_dict()}

    def check(self) -> dict:
        return self.held(self.vae)


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--config", default="configs/vae-decoder-gan.json")
    ap.add_argument("--corpus", default="data/corpus")
    ap.add_argument("--run", required=True)
    ap.add_argument("--minutes", type=float, default=None, help="stop after this much wall time (checks included)")
    ap.add_argument("--steps", type=int, default=None, help="override the config's total steps")
    ap.add_argument("--init-ckpt", default=None, help="start from another VAE run's checkpoint, not the shipped files")
    ap.add_argument("--no-checks", action="store_true")
    ap.add_argument("--threads", type=int, default=int(os.environ.get("VEM_TORCH_THREADS", "1")))
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    cfg = load_config(args.config)
    total = args.steps or cfg.steps
    torch.manual_seed(cfg.seed)
    run = Path(args.run)
    run.mkdir(parents=True, exist_ok=True)
    vae = build_model("vae", cfg.model)
    D = MelDiscriminators(int(cfg.gan.get("channels", 32)), tuple(cfg.gan.get("pools", (1, 2))))
    for p in vae.encoder.parameters():
        p.requires_grad_(False)
    betas = tuple(cfg.betas or (0.8, 0.99))
    opt_g = torch.optim.AdamW(vae.decoder.parameters(), lr=cfg.lr, betas=betas, weight_decay=0.01)
    opt_d = torch.optim.AdamW(D.parameters(), lr=cfg.lrD, betas=betas, weight_decay=0.01)
    step_idx, elapsed = checkpoint.resume(run, {"model": vae, "disc": D, "opt": opt_g, "optD": opt_d})
    if step_idx == 0:
        if args.init_ckpt:
            vae.load_state_dict(read_checkpoint(args.init_ckpt)["model"])
            start = {"initCkpt": args.init_ckpt}
        else:
            files = ",".join(str(constants.REPO_ROOT / f) for f in SHIPPED_VAE)
            n = load_from_onnx(vae, files, prefix=load_config(CONFIGS / "vae.json").given("onnxPrefix", ""))
            start = {"initOnnx": list(SHIPPED_VAE)}
            print(f"initialised {n} tensors from the shipped VAE")
    else:
        start = json.loads((run / "config.json").read_text()).get("start")
    vae.encoder.eval()  # frozen, and GroupNorm has no running statistics: eval only documents it
    source = crops.MelCrops(args.corpus, crops.select(crops.load_index(Path(args.corpus)), "train"), cfg.cropFrames,
                            seed=cfg.seed + step_idx)
    print(f"decoder data: {len(source.mels)} tracks; D params {sum(p.numel() for p in D.parameters())}", flush=True)
    (run / "config.json").write_text(json.dumps({**cfg.to_dict(), "corpus": str(args.corpus), "start": start,
                                                 "frozen": "encoder"}, indent=1))
    held = None if args.no_checks else HeldOutMels(Path(args.corpus), cfg.checkClips or 8, cfg.checkSeconds or 10.0)
    task = DecoderGanTask(cfg, vae, D, opt_g, opt_d, source, int(cfg.dWarmupSteps or 0), held)
    trainer = loop.Trainer(run, task, total, cfg.ckptEverySec, args.minutes, step_idx, elapsed,
                           check_every=(cfg.checkEvery or 500) if held is not None else 0, check_at_end=True,
                           wall_budget=True)
    if held is not None and not (run / "checks.jsonl").exists():
        trainer.check()  # the shipped decoder on the same clips: the baseline
    vae.decoder.train()
    D.train()
    trainer.run()


if __name__ == "__main__":
    main()
