"""Measures the shipped vocoder and VAE (the ONNX files in public/models) on held-out recorded music.

    python -m vem_training.evaluate.autoencoder --corpus data/corpus [--clips 27] [--write]

For each test clip (default 27 clips of 30 s: 3 per held-out recorded track) of *recorded* music:
(a) the vocoder on the ground-truth log-mel and (b) the full round trip (VAE encode → decode → vocoder),
each beside Griffin-Lim on the same mel (pseudo-inverse of the mel filterbank, 64 iterations). Reports
mel L1 (natural-log mel, vs. the clip's mel) and the multi-resolution STFT distance (spectral
convergence + log-magnitude L1, the training loss's resolutions) against the original audio, and the
beat F-measure (±70 ms, madmom on both) between the original and each reconstruction. --write stores
the figures in the manifest and docs/autoencoder.md.
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch

from .. import constants
from ..data import audio, beats
from ..data.crops import held_out_clips
from ..export.manifest import MODELS_DIR, load_manifest, save_manifest
from ..models import losses
from ..timebase import SAMPLE_RATE

IMAGE_CLIPS = 3


def griffin_lim(log_mel: np.ndarray, iters: int = 64, seed: int = 0) -> np.ndarray:
    a = constants.audio()
    fb = audio.mel_filterbank()
    mel = np.exp(log_mel.astype(np.float64))
    mag = np.maximum(np.linalg.pinv(fb) @ mel, 0.0)
    mag_t = torch.tensor(mag, dtype=torch.float32)
    win = torch.hann_window(a["nFft"])
    rng = np.random.default_rng(seed)
    angles = torch.tensor(np.exp(2j * np.pi * rng.random(mag.shape)), dtype=torch.complex64)
    n = (mag.shape[1] - 1) * a["hopLength"]
    for _ in range(iters):
        y = torch.istft(mag_t * angles, a["nFft"], a["hopLength"], window=win, length=n)
        spec = torch.stft(y, a["nFft"], a["hopLength"], window=win, return_complex=True)
        angles = spec / spec.abs().clamp(min=1e-8)
    return torch.istft(mag_t * angles, a["nFft"], a["hopLength"], window=win, length=n).numpy()


def mrstft(y_hat: np.ndarray, y: np.ndarray) -> float:
    n = min(len(y_hat), len(y))
    with torch.no_grad():
        return float(losses.multi_resolution_stft(torch.tensor(y_hat[None, :n], dtype=torch.float32),
                                                  torch.tensor(y[None, :n], dtype=torch.float32)))


def mel_l1(y_hat: np.ndarray, ref_mel: np.ndarray) -> float:
    m = audio.log_mel(y_hat)
    t = min(m.shape[1], ref_mel.shape[1])
    return float(np.abs(m[:, :t] - ref_mel[:, :t]).mean())


def mel_image(rows: list[tuple[str, np.ndarray]], path: Path) -> None:
    """Stacks log-mels (low frequencies at the bottom) into one greyscale PNG for inspection."""
    from PIL import Image, ImageDraw

    strips = []
    for label, m in rows:
        v = np.clip((m - (-11.5)) / (3.0 - (-11.5)), 0, 1)[::-1]
        img = Image.fromarray((v * 255).astype(np.uint8)).resize((m.shape[1], 128), Image.NEAREST).convert("RGB")
        ImageDraw.Draw(img).text((4, 2), label, fill=(255, 80, 80))
        strips.append(img)
    save_stacked(strips, path, background=(0, 0, 0))


def save_stacked(strips: list, path: Path, background=(255, 255, 255)) -> Path:
    """Pastes PIL images one under the other into one PNG."""
    from PIL import Image
    out = Image.new("RGB", (max(i.width for i in strips), sum(i.height for i in strips)), background)
    y = 0
    for i in strips:
        out.paste(i, (0, y))
        y += i.height
    path.parent.mkdir(parents=True, exist_ok=True)
    out.save(path)
    return path


def pretrained_distances(waves: dict[str, list[np.ndarray]]) -> dict[str, dict]:
    """musicnn FD and unbiased kernel distance (×1000) of each path's clips against the original clips
    (3 s patches pooled over all clips; evaluate/musicnn_embed.py), the figures `vem eval` reports."""
    import tempfile

    import soundfile as sf

    from .embedding_metrics import frechet, kernel_distance
    from .musicnn_embed import embed_in_eval_env
    with tempfile.TemporaryDirectory() as d:
        files, keys = [], []
        for k, ys in waves.items():
            for i, y in enumerate(ys):
                f = Path(d) / f"{k}-{i}.wav"
                sf.write(str(f), np.asarray(y, np.float32), SAMPLE_RATE)
                files.append(str(f))
                keys.append(k)
        out = embed_in_eval_env(files)
    emb = {k: np.concatenate([e for kk, (e, _) in zip(keys, out) if kk == k]) for k in waves}
    return {k: {"musicnnFd": round(frechet(emb[k], emb["original"]), 2),
                "musicnnKadX1000": round(kernel_distance(emb[k], emb["original"]), 1)}
            for k in waves if k != "original"}


def main(argv=None):
    from ..models.runtime import onnx_session

    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default="data/corpus")
    ap.add_argument("--clips", type=int, default=27, help="3 clips per held-out recorded track (9 tracks)")
    ap.add_argument("--seconds", type=float, default=30.0, help="clip length (madmom is steadier on longer clips)")
    ap.add_argument("--write", action="store_true")
    ap.add_argument("--pretrained", choices=["musicnn", "none"], default="none",
                    help="also the musicnn FD and kernel distance of each path against the originals (sets up "
                         "training/.venv-eval on first use)")
    args = ap.parse_args(argv)
    torch.set_num_threads(1)
    sess = {k: onnx_session(MODELS_DIR / f"{k}.onnx") for k in ("vocoder", "vae_encoder", "vae_decoder")}
    clips = held_out_clips(Path(args.corpus), args.clips, args.seconds)
    if not clips:
        raise SystemExit("no recorded test clips in the corpus")
    rows = {k: {"melL1": [], "mrstft": [], "beatF": []}
            for k in ("vocoder", "griffinLim", "roundtrip", "roundtripGriffinLim")}
    voc_sec, audio_sec = 0.0, 0.0
    waves = {k: [] for k in ("original", *rows)}  # for --pretrained
    image_rows = []  # --write: docs/img/autoencoder-mels.png
    for i, (tid, x) in enumerate(clips):
        mel = audio.log_mel(x)
        mel = mel[:, : mel.shape[1] - mel.shape[1] % 4]
        t0 = time.perf_counter()
        y_voc = sess["vocoder"].run(None, {"mel": mel[None]})[0][0]
        voc_sec += time.perf_counter() - t0
        audio_sec += len(y_voc) / SAMPLE_RATE
        lat = sess["vae_encoder"].run(None, {"mel": mel[None]})[0]
        mel_rt = sess["vae_decoder"].run(None, {"latent": lat})[0][0]
        y_rt = sess["vocoder"].run(None, {"mel": mel_rt[None]})[0][0]
        y_gl = griffin_lim(mel)
        y_rt_gl = griffin_lim(mel_rt)
        ref_beats = beats.track_beats(x, SAMPLE_RATE, downbeats=False)[0]
        paths = (("vocoder", y_voc), ("griffinLim", y_gl), ("roundtrip", y_rt), ("roundtripGriffinLim", y_rt_gl))
        if args.pretrained == "musicnn":
            for key, y in (("original", x), *paths):
                waves[key].append(y)
        for key, y in paths:
            rows[key]["melL1"].append(mel_l1(y, mel))
            rows[key]["mrstft"].append(mrstft(y, x))
            rows[key]["beatF"].append(beats.f_measure(ref_beats, beats.track_beats(y, SAMPLE_RATE, downbeats=False)[0]))
        if i < IMAGE_CLIPS and args.write:  # the first 10 s of the first three clips (three tracks)
            n = int(10 * constants.mel_fps())
            image_rows += [(f"{tid}: {label}", m[:, :n]) for label, m in (
                ("original", mel), ("vocoder (re-analysed)", audio.log_mel(y_voc)), ("VAE decode", mel_rt),
                ("VAE + vocoder (re-analysed)", audio.log_mel(y_rt)), ("Griffin-Lim", audio.log_mel(y_gl)))]
        if i == 0 and args.write:
            import soundfile as sf
            listen = Path(args.corpus).parent / "listen"
            listen.mkdir(exist_ok=True)
            for key, y in (("original", x), ("vocoder", y_voc), ("roundtrip", y_rt), ("griffinlim", y_gl)):
                sf.write(str(listen / f"{tid}-{key}.wav"), y, SAMPLE_RATE)
        print(f"[{i + 1}/{len(clips)}] {tid}: voc melL1 {rows['vocoder']['melL1'][-1]:.3f} "
              f"rt {rows['roundtrip']['melL1'][-1]:.3f} "
              f"GL {rows['griffinLim']['melL1'][-1]:.3f} beatF rt {rows['roundtrip']['beatF'][-1]:.2f}", flush=True)
    if image_rows:
        mel_image(image_rows, constants.REPO_ROOT / "docs" / "img" / "autoencoder-mels.png")
    summary = {k: {m: round(float(np.mean(v)), 4) for m, v in r.items()} for k, r in rows.items()}
    if args.pretrained == "musicnn":
        for k, v in pretrained_distances(waves).items():
            summary[k].update(v)
    summary["clips"] = len(clips)
    summary["clipSec"] = args.seconds
    summary["split"] = "test (recorded music)"
    summary["vocoderSecPerAudioSecOrtPython"] = round(voc_sec / audio_sec, 5)
    print(json.dumps(summary, indent=1))
    if args.write:
        man = load_manifest()
        man["models"]["vocoder"]["metrics"] = {"heldOutRecorded": {
            "vocoder": summary["vocoder"], "griffinLim": summary["griffinLim"], "clips": len(clips)}}
        for k in ("vae_encoder", "vae_decoder"):
            man["models"][k]["metrics"] = {"heldOutRecorded": {
                "roundtrip": summary["roundtrip"], "roundtripGriffinLim": summary["roundtripGriffinLim"],
                "clips": len(clips)}}
        save_manifest(man)
        (constants.REPO_ROOT / "docs" / "autoencoder-metrics.json").write_text(json.dumps(summary, indent=1) + "\n")
    return summary


if __name__ == "__main__":
    main()
