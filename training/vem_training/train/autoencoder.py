"""Training of the vocoder and the VAE: their batch and loss for the shared loop (loop.Trainer), and the
vocoder's inputs and reconstruction loss, which the adversarial vocoder (vocoder_gan) reuses.

    python -m vem_training.train --config configs/vocoder.json --corpus data/corpus --run runs/vocoder \
        [--minutes 60] [--steps N] [--init-onnx ../public/models/vocoder.onnx]

Resumes from <run>/ckpt.pt when present; otherwise can start from exported ONNX weights. Writes
<run>/log.jsonl (step, loss, its parts, seconds) and <run>/ckpt.pt every ckptEverySec. One torch thread by
default: on a busy 2-core machine it is faster than two.
"""
from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

import torch
import torch.nn.functional as F

from ..config import CONFIGS, SHIPPED_VAE, Config, VocoderConfig, as_config, load_config
from ..data import audio, crops
from ..models import build_model, losses, read_checkpoint
from ..models.onnx_weights import load_from_onnx
from . import checkpoint, loop


def load_shipped_vae(cfg: Config | dict):
    """The shipped VAE, loaded from its ONNX files (`vaeOnnx`, default public/models/vae_*.onnx), frozen."""
    from .. import constants

    vae_cfg = load_config(CONFIGS / "vae.json")
    vae = build_model("vae", vae_cfg.model)
    files = ",".join(str(constants.REPO_ROOT / f) for f in (as_config(cfg, VocoderConfig).vaeOnnx or SHIPPED_VAE))
    load_from_onnx(vae, files, prefix=vae_cfg.given("onnxPrefix", ""))
    vae.eval()
    for p in vae.parameters():
        p.requires_grad_(False)
    return vae


def vocoder_input_vae(cfg: Config | dict):
    """The frozen VAE whose reconstructions feed part of each vocoder batch (`vaeInputShare` > 0): the
    shipped one, loaded from its ONNX files (`vaeOnnx`), so the vocoder learns the mels it will be given."""
    cfg = as_config(cfg, VocoderConfig)
    if not cfg.given("vaeInputShare"):
        return None
    return load_shipped_vae(cfg)


def vocoder_inputs(cfg: Config, front, vae, batch: torch.Tensor):
    """(mel the vocoder hears, true mel of the batch). With a VAE, the first `vaeInputShare` of the batch
    hears the shipped VAE's reconstruction of its mel (what the vocoder gets in the product), the rest the
    true mel; the targets stay the real audio and its mel."""
    mel = front(batch)
    if vae is None:
        return mel, mel
    k = int(round(float(cfg.given("vaeInputShare", 0.0)) * mel.shape[0]))
    t4 = mel.shape[2] // 4 * 4
    with torch.no_grad():
        rec = vae.decode(vae.encode(mel[:k, :, :t4])[0])
    rec = torch.cat([rec, mel[:k, :, t4:]], dim=2)
    return torch.cat([rec, mel[k:]]), mel


def vocoder_reconstruction_loss(cfg: Config, front, y_hat: torch.Tensor, batch: torch.Tensor, mel: torch.Tensor):
    """MR-STFT + melLossWeight · mel L1 (+ fluxLossWeight · onset-flux L1) of the vocoder's output against
    the batch it was made from; returns (loss, parts)."""
    y = batch[:, : y_hat.shape[1]]
    # crops are whole hops long, so y is the batch itself and its mel is the input mel
    mel_y = mel if y.shape[1] == batch.shape[1] else front(y)
    mel_hat = front(y_hat)
    mel_l1 = F.l1_loss(mel_hat, mel_y)
    res = tuple(tuple(r) for r in cfg.given("stftResolutions", losses.RESOLUTIONS))
    stft = losses.multi_resolution_stft(y_hat, y, res)
    loss = stft + cfg.melLossWeight * mel_l1
    parts = {"mrstft": stft.item(), "melL1": mel_l1.item()}
    if cfg.given("fluxLossWeight"):
        flux = losses.onset_flux_l1(mel_hat, mel_y)
        loss = loss + cfg.given("fluxLossWeight") * flux
        parts["flux"] = flux.item()
    return loss, parts


def make_step(cfg: Config | dict, model, front):
    """The loss of one batch: `step(batch)` → (loss, parts)."""
    cfg = as_config(cfg, VocoderConfig)
    kind = cfg.kind
    if kind == "vocoder":
        vae = vocoder_input_vae(cfg)

        def step(batch):
            mel_in, mel = vocoder_inputs(cfg, front, vae, batch)
            return vocoder_reconstruction_loss(cfg, front, model(mel_in), batch, mel)
        return step
    if kind == "vae":
        from ..models.vae import MEL_STD

        def step(mel):
            rec, mean, logvar = model(mel)
            l1 = F.l1_loss(rec, mel) / MEL_STD
            kl = losses.kl_divergence(mean, logvar)
            return l1 + cfg.klWeight * kl, {"melL1": (l1 * MEL_STD).item(), "kl": kl.item()}
        return step
    raise ValueError(kind)


class AutoencoderTask(loop.Task):
    """The vocoder's or the VAE's step for the loop: a batch of audio (vocoder) or log-mel (VAE) crops,
    its loss and parts; AdamW with a linear warm-up, gradients clipped at norm 1."""

    def __init__(self, cfg: Config, model, opt, source):
        self.cfg, self.model, self.opt, self.source = cfg, model, opt, source
        self.params, self.clip = list(model.parameters()), 1.0
        self.lrs = (loop.Warmup(opt, cfg.lr, cfg.warmupSteps),)
        self.loss_of = make_step(cfg, model, audio.TorchLogMel())

    def loss(self, step: int):
        loss, parts = self.loss_of(self.source.batch(self.cfg.batch))
        return loss, {k: round(v, 5) for k, v in parts.items()}

    def state(self) -> dict:
        return {"model": self.model.state_dict(), "opt": self.opt.state_dict(), "config": self.cfg.to_dict()}


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--config", required=True)
    ap.add_argument("--corpus", default="data/corpus")
    ap.add_argument("--run", required=True)
    ap.add_argument("--minutes", type=float, default=None, help="stop after this much wall time")
    ap.add_argument("--steps", type=int, default=None, help="override the config's total steps")
    ap.add_argument("--init-onnx", default=None, help="start from exported weights if no checkpoint")
    ap.add_argument("--init-ckpt", default=None, help="start from another run's checkpoint (weights only)")
    ap.add_argument("--freeze-encoder", action="store_true",
                    help="VAE: train the decoder only, so the latent space (and a denoiser trained on it) stays valid")
    ap.add_argument("--threads", type=int, default=int(os.environ.get("VEM_TORCH_THREADS", "1")))
    args = ap.parse_args(argv)

    torch.set_num_threads(args.threads)
    cfg = load_config(args.config)
    total_steps = args.steps or cfg.steps
    torch.manual_seed(cfg.seed)
    run = Path(args.run)
    run.mkdir(parents=True, exist_ok=True)
    model = build_model(cfg.kind, cfg.model)
    if args.freeze_encoder:
        for p in model.encoder.parameters():
            p.requires_grad_(False)
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=cfg.lr, betas=(0.8, 0.99),
                            weight_decay=0.01)
    step_idx, elapsed = checkpoint.resume(run, {"model": model, "opt": opt})
    if step_idx == 0 and args.init_ckpt:
        model.load_state_dict(read_checkpoint(args.init_ckpt)["model"])
        print(f"initialised from {args.init_ckpt}")
    elif step_idx == 0 and args.init_onnx:
        n = load_from_onnx(model, args.init_onnx, prefix=cfg.given("onnxPrefix", ""))
        print(f"initialised {n} tensors from {args.init_onnx}")

    tracks = crops.load_index(Path(args.corpus))
    train = crops.select(tracks, "train")
    if cfg.kind == "vocoder":
        source = crops.AudioCrops(args.corpus, train, cfg.segSamples, seed=cfg.seed + step_idx)
        print(f"vocoder data: {len(source.audio)} tracks, {source.hours:.2f} h")
    else:
        source = crops.MelCrops(args.corpus, train, cfg.cropFrames, seed=cfg.seed + step_idx)
        print(f"vae data: {len(source.mels)} tracks")
    task = AutoencoderTask(cfg, model, opt, source)
    (run / "config.json").write_text(json.dumps({**cfg.to_dict(), "corpus": str(args.corpus)}, indent=1))
    model.train()
    loop.Trainer(run, task, total_steps, cfg.ckptEverySec, args.minutes, step_idx, elapsed).run()


if __name__ == "__main__":
    main()
