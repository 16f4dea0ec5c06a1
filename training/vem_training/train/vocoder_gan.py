"""Adversarial fine-tuning of the vocoder (issue #15): the shipped generator against multi-period and
multi-resolution STFT discriminators, with feature matching, keeping the reconstruction losses.

    python -m vem_training.train.vocoder_gan --config configs/vocoder-gan.json --corpus data/corpus \
        --run runs/vocoder-gan --init-onnx ../public/models/vocoder.onnx [--minutes 60] [--steps N]
    # on a machine without the corpus: --pack <vocoder_pack .npz> instead of --corpus (gpu/train_vocoder.sh)

The generator is `models.vocoder.Vocoder`, unchanged, so `python -m vem_training.export vocoder --run
runs/vocoder-gan` exports it as before (the run's ckpt.pt keeps the generator under "model"). Each step:
1. ŷ = G(mel); with `vaeInputShare` part of the batch hears the shipped VAE's reconstruction of its mel
   (train.vocoder_inputs, as configs/vocoder-flux-vae.json);
2. discriminator step on (y, ŷ detached), both cut to the same random window of `discSamples` (8,192:
   half a crop, HiFi-GAN's segment): LSGAN or hinge, mean over the sub-discriminators;
3. generator step: the reconstruction loss of train.vocoder_reconstruction_loss (multi-resolution STFT +
   mel L1 + onset-flux L1) + advWeight · adversarial + fmWeight · feature matching.
For the first `dWarmupSteps` steps only the discriminators train (G starts from a trained model, a fresh D
would only push it around); those steps count in `step`. Separate AdamW optimisers; the generator's
learning rate ramps up over `warmupSteps` once it starts.

The loop is loop.Trainer; GanTask's step() makes both updates (gan_step), so the loop's warm-up,
budget, checkpoints, checks and log serve it as they serve the others.
Resumes from <run>/ckpt.pt (generator, discriminators, both optimisers, step); without one it starts from
--init-ckpt (a reconstruction run's weights), --init-onnx (the shipped file) or --from-npz (a GPU run's
weights, gpu/train_vocoder.sh). Checkpoints every `ckptEverySec` and on SIGTERM/SIGINT (then exits).
Held-out checks (mel L1, MR-STFT, beat F of the vocoder on true mels and of VAE + vocoder, on recorded
clips of the valid split) at the start and every `checkEvery` steps → <run>/checks.jsonl; beat F needs
madmom (null without it). --minutes is wall time, checks included; "elapsed" in the checkpoint is
training time without them.
"""
from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

import numpy as np
import torch

from ..config import Config, as_config, load_config
from ..data import audio, crops
from ..models import build_model, losses, read_checkpoint, weights_npz
from ..models.discriminators import build_discriminators, parameter_count
from ..models.onnx_weights import load_from_onnx
from ..timebase import SAMPLE_RATE
from . import checkpoint, loop
from .autoencoder import load_shipped_vae, vocoder_input_vae, vocoder_inputs, vocoder_reconstruction_loss


class HeldOutCheck:
    """Fixed held-out clips: the vocoder on their true log-mel and after the shipped VAE (the round trip),
    scored as evaluate_autoencoder scores the shipped files (its mel_l1 / mrstft, madmom beat F)."""

    def __init__(self, clips: list[tuple[str, np.ndarray]], vae, ref_beats: list | None = None):
        from ..data import beats

        self.ids = [c[0] for c in clips]
        self.clips = [c[1] for c in clips]
        self.mels = []
        for x in self.clips:
            m = audio.log_mel(x)
            self.mels.append(m[:, : m.shape[1] - m.shape[1] % 4])
        self.vae = vae
        self.beats = beats
        try:
            beats._madmom()
            self.madmom = True
        except ImportError:
            self.madmom = False
        if ref_beats is None and self.madmom:
            ref_beats = [beats.track_beats(x, SAMPLE_RATE, downbeats=False)[0] for x in self.clips]
        self.ref_beats = ref_beats

    @torch.no_grad()
    def __call__(self, G, device) -> dict:
        from ..evaluate.autoencoder import mel_l1, mrstft

        was_training = G.training
        G.eval()
        rows = {"vocoder": {"melL1": [], "mrstft": [], "beatF": []},
                "roundtrip": {"melL1": [], "mrstft": [], "beatF": []}}
        for i, (x, mel) in enumerate(zip(self.clips, self.mels)):
            m = torch.from_numpy(mel)[None].to(device)
            rec = self.vae.decode(self.vae.encode(m)[0])
            for key, inp in (("vocoder", m), ("roundtrip", rec)):
                y = G(inp)[0].float().cpu().numpy()
                rows[key]["melL1"].append(mel_l1(y, mel))
                rows[key]["mrstft"].append(mrstft(y, x))
                if self.madmom and self.ref_beats is not None:
                    est = self.beats.track_beats(y, SAMPLE_RATE, downbeats=False)[0]
                    rows[key]["beatF"].append(self.beats.f_measure(self.ref_beats[i], est))
        G.train(was_training)
        out = {}
        for key, r in rows.items():
            out[key] = {k: (round(float(np.mean(v)), 4) if v else None) for k, v in r.items()}
        out["clips"] = len(self.clips)
        if not self.madmom:
            out["beatFNote"] = "madmom not installed here"
        return out


def _grad_norm(loss: torch.Tensor, params: list) -> float:
    grads = torch.autograd.grad(loss, params, retain_graph=True, allow_unused=True)
    return float(torch.sqrt(sum((g.float() ** 2).sum() for g in grads if g is not None)))


def disc_windows(y: torch.Tensor, y_hat: torch.Tensor, samples: int):
    """The same random window of `samples` from each row of y and ŷ (what the discriminators judge: half
    the cost of the whole crop; aligned, so feature matching compares like with like)."""
    if not samples or samples >= y.shape[1]:
        return y, y_hat
    offs = torch.randint(0, y.shape[1] - samples + 1, (y.shape[0],)).tolist()
    pick = lambda a: torch.stack([a[i, o : o + samples] for i, o in enumerate(offs)])  # noqa: E731
    return pick(y), pick(y_hat)


def gan_step(cfg: Config | dict, G, D, opt_g, opt_d, front, vae, batch: torch.Tensor, train_g: bool,
             grad_parts: bool = False) -> dict:
    """One step: the discriminators, then (if `train_g`) the generator. Returns the losses (floats); with
    `grad_parts`, also the norm of G's gradient from each weighted part alone (rec, adv, fm), to tune the
    weights: the adversarial parts should steer, not swamp the reconstruction that keeps the beats."""
    cfg = as_config(cfg)
    gan = cfg.gan
    kind = gan.get("loss", "lsgan")
    mel_in, mel = vocoder_inputs(cfg, front, vae, batch)
    if train_g:
        y_hat = G(mel_in)
    else:
        with torch.no_grad():
            y_hat = G(mel_in)
    y = batch[:, : y_hat.shape[1]]
    y, y_hat_d = disc_windows(y, y_hat, int(gan.get("discSamples") or 0))
    parts = losses.discriminator_update(D, opt_d, y, y_hat_d, cfg.gradClipD, kind)
    if not train_g:
        return parts
    D.requires_grad_(False)  # the generator step needs gradients through D, not for its weights
    with torch.no_grad():
        _, feats_real = D(y)
    logits_fake, feats_fake = D(y_hat_d)
    adv = losses.generator_adv_loss(logits_fake, kind)
    fm = losses.feature_matching(feats_real, feats_fake)
    rec, rec_parts = vocoder_reconstruction_loss(cfg, front, y_hat, batch, mel)
    loss = rec + gan["advWeight"] * adv + gan["fmWeight"] * fm
    extra = {}
    if grad_parts:
        ps = list(G.parameters())
        extra = {"gradRec": _grad_norm(rec, ps), "gradAdv": _grad_norm(gan["advWeight"] * adv, ps),
                 "gradFm": _grad_norm(gan["fmWeight"] * fm, ps)}
    opt_g.zero_grad(set_to_none=True)
    loss.backward()
    g_norm = torch.nn.utils.clip_grad_norm_(G.parameters(), cfg.gradClip)
    opt_g.step()
    D.requires_grad_(True)
    return {**parts, "g": loss.item(), "rec": rec.item(), **rec_parts, "adv": adv.item(), "fm": fm.item(),
            "gGradNorm": float(g_norm), **extra}


def write_npz(run: Path, out: Path) -> dict:
    """A run's generator and discriminators as fp16 .npz (portable between PyTorch versions), with its
    config, log and checks: what gpu/train_vocoder.sh brings back; --from-npz reads it."""
    import shutil

    st = read_checkpoint(run)
    out.mkdir(parents=True, exist_ok=True)
    weights_npz.save(st["model"], out / "vocoder-gan-G")
    weights_npz.save(st["disc"], out / "vocoder-gan-D")
    info = {"step": int(st["step"]), "elapsed": float(st["elapsed"]), "config": st["config"]}
    (out / "vocoder-gan.state.json").write_text(json.dumps(info, indent=1))
    for f in ("config.json", "log.jsonl", "checks.jsonl"):
        if (run / f).exists():
            shutil.copy(run / f, out / f"vocoder-gan.{f}")
    return {"run": str(run), "step": info["step"], "elapsedMin": round(info["elapsed"] / 60, 2)}


class GanTask(loop.Task):
    """The adversarial vocoder's step for the loop: gan_step, the discriminators' update and then (after
    `d_warm` steps) the generator's, each optimiser with its own warm-up; the generator's starts once it
    trains. Logged: every 20th step, the first two, the last, and the steps that measure the gradient parts."""

    def __init__(self, cfg: Config, G, D, opt_g, opt_d, front, vae, source, dev, d_warm: int, check=None):
        self.cfg, self.G, self.D, self.opt_g, self.opt_d = cfg, G, D, opt_g, opt_d
        self.front, self.vae, self.source, self.dev, self.d_warm, self.held = front, vae, source, dev, d_warm, check
        self.lrs = (loop.Warmup(opt_g, cfg.lr, cfg.warmupSteps, start=d_warm),
                    loop.Warmup(opt_d, cfg.lrD, cfg.warmupSteps))
        self.parts_every = int(cfg.gradPartsEvery)
        self.measured = False

    def step(self, step: int) -> dict:
        train_g = step >= self.d_warm
        self.measured = train_g and (step - self.d_warm) % self.parts_every == 0
        parts = gan_step(self.cfg, self.G, self.D, self.opt_g, self.opt_d, self.front, self.vae,
                         self.source.batch(self.cfg.batch).to(self.dev), train_g, self.measured)
        return {k: round(v, 5) for k, v in parts.items()}

    def log_due(self, step: int, last: bool) -> bool:
        return step % 20 == 0 or step <= 2 or self.measured or last

    def print_due(self, step: int) -> bool:
        return step % 100 == 0 or step <= 2 or self.measured

    def state(self) -> dict:
        return {"model": self.G.state_dict(), "disc": self.D.state_dict(), "opt": self.opt_g.state_dict(),
                "optD": self.opt_d.state_dict(), "config": self.cfg.to_dict()}

    def check(self) -> dict:
        return self.held(self.G, self.dev)


def held_out_check(args, cfg: Config, pack, vae) -> HeldOutCheck | None:
    """The checks' clips: the pack's, or `checkClips` recorded valid clips of the corpus."""
    if args.no_checks:
        return None
    if pack is not None:
        return HeldOutCheck(pack.checks, vae, pack.ref_beats)
    from ..data.crops import held_out_clips
    clips = held_out_clips(Path(args.corpus), args.check_clips or cfg.checkClips, cfg.checkSeconds, split="valid")
    return HeldOutCheck(clips, vae)


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--config", default="configs/vocoder-gan.json")
    ap.add_argument("--corpus", default="data/corpus")
    ap.add_argument("--pack", default=None,
                    help="a vocoder_pack .npz instead of the corpus (train excerpts + check clips)")
    ap.add_argument("--run", required=True)
    ap.add_argument("--minutes", type=float, default=None, help="stop after this much wall time (checks included)")
    ap.add_argument("--steps", type=int, default=None, help="override the config's total steps")
    ap.add_argument("--init-onnx", default=None, help="start G from exported weights if no checkpoint")
    ap.add_argument("--init-ckpt", default=None, help="start G from another run's checkpoint (weights only)")
    ap.add_argument("--from-npz", default=None, help="start G, D and the step count from write_npz's folder")
    ap.add_argument("--write-npz", default=None, help="write the run's weights as .npz to this folder and exit")
    ap.add_argument("--check-every", type=int, default=None, help="override the config's checkEvery")
    ap.add_argument("--check-clips", type=int, default=None, help="override the config's checkClips (corpus only)")
    ap.add_argument("--d-warmup", type=int, default=None, help="override the config's dWarmupSteps")
    ap.add_argument("--no-checks", action="store_true")
    ap.add_argument("--cpu", action="store_true", help="stay on the CPU even if a GPU is present")
    ap.add_argument("--threads", type=int, default=int(os.environ.get("VEM_TORCH_THREADS", "1")))
    args = ap.parse_args(argv)
    run = Path(args.run)
    if args.write_npz:
        print(json.dumps(write_npz(run, Path(args.write_npz))))
        return

    dev = torch.device("cuda" if torch.cuda.is_available() and not args.cpu else "cpu")
    if dev.type == "cpu":
        torch.set_num_threads(args.threads)
    else:
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
        torch.backends.cudnn.benchmark = True
    cfg = load_config(args.config)
    total_steps = args.steps or cfg.steps
    torch.manual_seed(cfg.seed)
    run.mkdir(parents=True, exist_ok=True)
    G = build_model("vocoder", cfg.model)
    D = build_discriminators(cfg.gan)
    betas = tuple(cfg.betas)
    opt_g = torch.optim.AdamW(G.parameters(), lr=cfg.lr, betas=betas, weight_decay=cfg.weightDecay)
    opt_d = torch.optim.AdamW(D.parameters(), lr=cfg.lrD, betas=betas, weight_decay=cfg.weightDecay)
    step_idx, elapsed = checkpoint.resume(run, {"model": G, "disc": D, "opt": opt_g, "optD": opt_d})
    prev = json.loads((run / "config.json").read_text()) if (run / "config.json").exists() else {}
    chain = prev.get("chain", [])
    if step_idx == 0:
        if args.from_npz:
            src = Path(args.from_npz)
            G.load_state_dict(weights_npz.load(src / "vocoder-gan-G"))
            D.load_state_dict(weights_npz.load(src / "vocoder-gan-D"))
            st = json.loads((src / "vocoder-gan.state.json").read_text())
            step_idx, elapsed = int(st["step"]), float(st["elapsed"])
            gpu_cfg_file = src / "vocoder-gan.config.json"
            gpu_cfg = json.loads(gpu_cfg_file.read_text()) if gpu_cfg_file.exists() else {}
            chain = gpu_cfg.get("chain", []) + [{"fromNpz": str(src), "steps": step_idx,
                                                 "device": gpu_cfg.get("device")}]
            print(f"initialised G and D from {src} at step {step_idx} (fp16 weights; fresh optimisers)")
        elif args.init_ckpt:
            G.load_state_dict(read_checkpoint(args.init_ckpt)["model"])
            chain = [{"initCkpt": args.init_ckpt}]
            print(f"initialised G from {args.init_ckpt}")
        elif args.init_onnx:
            n = load_from_onnx(G, args.init_onnx, prefix=cfg.given("onnxPrefix", ""))
            chain = [{"initOnnx": args.init_onnx}]
            print(f"initialised G: {n} tensors from {args.init_onnx}")
        else:
            print("warning: G starts from random weights (no --init-onnx / --init-ckpt / --from-npz)")
    G.to(dev)
    D.to(dev)
    for opt in (opt_g, opt_d):  # states loaded on the CPU follow their parameters
        for s in opt.state.values():
            for k, v in s.items():
                if torch.is_tensor(v) and k != "step":
                    s[k] = v.to(dev)
    params = {"generator": sum(p.numel() for p in G.parameters()),
              **{f"disc_{k}": v for k, v in parameter_count(D).items()}}

    pack = None
    if args.pack:
        from ..data.vocoder_pack import VocoderPack
        pack = VocoderPack(Path(args.pack))
    source = None
    if step_idx < total_steps:  # (an import with --from-npz alone trains nothing)
        if pack is not None:
            source = crops.AudioCrops.from_arrays(pack.excerpts, cfg.segSamples, seed=cfg.seed + step_idx,
                                                  what=args.pack)
        else:
            tracks = crops.select(crops.load_index(Path(args.corpus)), "train")
            source = crops.AudioCrops(args.corpus, tracks, cfg.segSamples, seed=cfg.seed + step_idx)
        print(f"vocoder data: {len(source.audio)} pieces, {source.hours:.2f} h", flush=True)
    print(f"params {params}; device {dev}", flush=True)
    front = audio.TorchLogMel().to(dev)
    vae = vocoder_input_vae(cfg)
    check_vae = vae if vae is not None else load_shipped_vae(cfg)
    vae = vae.to(dev) if vae is not None else None
    check_vae = check_vae.to(dev)
    meta = {**cfg.to_dict(), ("pack" if args.pack else "corpus"): str(args.pack or args.corpus), "chain": chain,
            "params": params, "device": str(dev)}
    (run / "config.json").write_text(json.dumps(meta, indent=1))
    d_warm = int(args.d_warmup if args.d_warmup is not None else cfg.given("dWarmupSteps", 0))
    task = GanTask(cfg, G, D, opt_g, opt_d, front, vae, source, dev, d_warm)
    if args.from_npz and not (run / "ckpt.pt").exists():  # imported weights form a run of their own at once
        checkpoint.save(run, {**task.state(), "step": step_idx, "elapsed": elapsed})
    task.held = held_out_check(args, cfg, pack, check_vae)

    # checks: --minutes is wall time (checks included), "elapsed" training time (checks left out)
    trainer = loop.Trainer(run, task, total_steps, cfg.ckptEverySec, args.minutes, step_idx, elapsed,
                           check_every=(args.check_every or cfg.checkEvery) if task.held is not None else 0,
                           check_at_end=True, wall_budget=True)
    if task.held is not None and not (run / "checks.jsonl").exists():
        trainer.check()  # the starting weights on the same clips: the baseline
    G.train()
    D.train()
    trainer.run()


if __name__ == "__main__":
    main()
