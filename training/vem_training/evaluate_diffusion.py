"""Evaluate the denoiser variants on held-out multi-section clips (issue: the ablation table).

    python -m vem_training.evaluate_diffusion --weights runs/gpu-denoisers --clips 30 [--write]
    python -m vem_training.evaluate_diffusion --weights runs/gpu-denoisers --sweep   # sampler × steps

For each test clip (its first ≤ 16.4 s): the clip's sections (start, duration, section tags), global tags
and corpus beat grid are the request; each variant samples a latent (same seed per clip), the shipped VAE
decoder and vocoder make audio. Figures:
- tagAgreement: time-weighted share of sections whose measured energy (loudness) and timbre (spectral
  centroid) tags — measured with the corpus's own tag rules and thresholds — equal the requested ones;
- beatHit70: share of requested beats with a generated beat within ±70 ms; bIoU: one-to-one beat match
  within 0.5 s, |M| / (|A| + |B| − |M|) (the paper's B_IoU, against the requested grid);
  generated beats from madmom's RNN + DBN tracker (independent of the model);
- fd: Fréchet distance of audio_embedding features, generated vs the real held-out audio of the same clips;
the same figures for the real audio ("ground truth") and for the VAE + vocoder round trip of it.
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch

from . import audio, beats, constants, eval_metrics
from .audio_embedding import embed, frechet
from .diffusion import MAX_STORIES, empty_condition, multi_hot, sample, tag_index
from .export import MODELS_DIR, VARIANTS, load_denoiser
from .rhythm import LATENT_FRAME_SEC, rhythm_features

MAX_LATENT = 256


def clips(corpus: Path, n: int, split: str = "test") -> list[dict]:
    rows = [json.loads(l) for l in (corpus / "clips.jsonl").read_text().splitlines()]
    rows = [c for c in rows if c["purpose"] == "diffusion" and c["split"] == split and c["durSec"] >= 8]
    rng = np.random.default_rng(0)
    rng.shuffle(rows)
    return rows[:n]


def request(c: dict, n_latent: int) -> tuple[dict, list[dict], np.ndarray]:
    idx = tag_index()
    V = len(idx)
    cond = empty_condition(2, V, 6, n_latent, MAX_STORIES)
    cond["global_tags"][0] = multi_hot(c["tags"], idx)
    cond["caption_tags"][0] = multi_hot(c["tags"], idx)
    dur = n_latent * LATENT_FRAME_SEC
    secs = []
    for s in c["sections"]:
        a, e = s["startSec"], min(s["startSec"] + s["durSec"], dur)
        if e - a < 0.5 or len(secs) >= MAX_STORIES:
            continue
        k = len(secs)
        cond["story_start_sec"][0, k], cond["story_dur_sec"][0, k] = a, e - a
        cond["story_tags"][0, k] = multi_hot(s["tags"], idx)
        secs.append({"startSec": a, "durSec": e - a, "tags": s["tags"]})
    beats_sec = np.asarray([f / 16 for f in c["beatFrames"]])
    beats_sec = beats_sec[beats_sec < dur]
    r = rhythm_features(beats_sec, n_latent)
    cond["rhythm"][0] = r
    cond["rhythm"][1] = r
    return cond, secs, beats_sec


def beat_figures(y: np.ndarray, requested: np.ndarray) -> tuple[float, float]:
    est = beats.track_beats(y, 16000, downbeats=False)[0]
    if len(requested) == 0:
        return float("nan"), float("nan")
    return beats.match_events(requested, est, 0.07) / len(requested), eval_metrics.b_iou(requested, est)


def measure(y: np.ndarray, req: tuple, thr: dict, rows: dict, embs: list) -> None:
    """Appends one clip's tag agreement, beat figures and embeddings to the running lists."""
    a = eval_metrics.tag_agreement(y, req[3], thr)
    if a is not None:
        rows["tagAgreement"].append(a)
    h, i = beat_figures(y, req[4])
    rows["beatHit70"].append(h)
    rows["bIoU"].append(i)
    embs.append(embed(y))


class Decoder:
    def __init__(self):
        import onnxruntime as ort
        so = ort.SessionOptions()
        so.intra_op_num_threads = 1
        self.vae = ort.InferenceSession(str(MODELS_DIR / "vae_decoder.onnx"), so, providers=["CPUExecutionProvider"])
        self.voc = ort.InferenceSession(str(MODELS_DIR / "vocoder.onnx"), so, providers=["CPUExecutionProvider"])
        self.enc = ort.InferenceSession(str(MODELS_DIR / "vae_encoder.onnx"), so, providers=["CPUExecutionProvider"])

    def audio(self, z: np.ndarray) -> np.ndarray:  # (128, T) un-normalised
        mel = self.vae.run(None, {"latent": z.reshape(1, 8, 16, -1).astype(np.float32)})[0]
        return self.voc.run(None, {"mel": mel})[0][0]

    def roundtrip(self, x: np.ndarray) -> np.ndarray:
        mel = audio.log_mel(x)[None]
        mel = mel[:, :, : mel.shape[2] // 4 * 4].astype(np.float32)
        return self.voc.run(None, {"mel": self.vae.run(None, {"latent": self.enc.run(None, {"mel": mel})[0]})[0]})[0][0]


def generate(model, cond: dict, n_latent: int, steps: int, guidance: float, sampler: str, eta: float, seed: int,
             t_max: int | None = None, clip: float | None = None):
    tc = {k: torch.from_numpy(v[:1]) for k, v in cond.items()}
    tu = {k: torch.from_numpy(v[1:]) for k, v in cond.items()}

    def fn(x, t, c):
        with torch.no_grad():
            return model(x, torch.full((x.shape[0],), float(t)), c["global_tags"], c["caption_tags"], c["story_tags"],
                         c["story_vis"], c["story_start_sec"], c["story_dur_sec"], c["rhythm"])
    return sample(fn, (1, 128, n_latent), tc, tu, steps=steps, guidance=guidance, sampler=sampler, eta=eta, seed=seed,
                  t_max=t_max, clip_x0=clip)[0].numpy()


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default="data/corpus")
    ap.add_argument("--weights", required=True)
    ap.add_argument("--pack", default="data/diffusion/pack.npz")
    ap.add_argument("--clips", type=int, default=30)
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--guidance", type=float, default=2.5)
    ap.add_argument("--sampler", default="ddim")
    ap.add_argument("--eta", type=float, default=1.0)
    ap.add_argument("--variants", default=",".join(VARIANTS))
    ap.add_argument("--t-max", type=int, default=None, help="first timestep (default: the top of the schedule)")
    ap.add_argument("--clip", type=float, default=None, help="clamp the x0 estimate to ±clip (normalised latent)")
    ap.add_argument("--sweep", default=None, help="full model: 'sampler' (samplers × steps) or 'start' (t_max × clip)")
    ap.add_argument("--write", action="store_true")
    ap.add_argument("--out", default=None)
    args = ap.parse_args(argv)
    torch.set_num_threads(1)
    corpus = Path(args.corpus)
    z = np.load(args.pack)
    mean, std = z["mean"][:, None], z["std"][:, None]
    thr = json.loads((corpus / "tag_thresholds.json").read_text())
    dec = Decoder()
    cl = clips(corpus, args.clips)
    reqs = []
    for c in cl:
        x = audio.load_wav_mono(corpus / "audio" / f"{c['trackId']}.wav")[0] if (corpus / "audio" / f"{c['trackId']}.wav").exists() else None
        n_lat = min(MAX_LATENT, int(c["durSec"] / LATENT_FRAME_SEC) // 4 * 4)
        a = int(round(c["startSec"] * 16000))
        real = x[a:a + n_lat * 1024] if x is not None else None
        cond, secs, bt = request(c, n_lat)
        reqs.append((c, n_lat, cond, secs, bt, real))
    if args.sweep == "sampler":
        configs = {f"{s}-eta{e}-{n}": ("full", s, e, n, args.t_max, args.clip)
                   for s, e in (("ddim", 1.0), ("ddim", 0.0), ("dpmpp", 0.0)) for n in (10, 20, 40)}
    elif args.sweep == "start":
        configs = {f"tmax{t}-clip{c}": ("full", args.sampler, args.eta, args.steps, t, c)
                   for t, c in ((999, None), (999, 4.0), (800, 4.0), (700, 4.0), (600, 4.0), (500, 4.0))}
    else:
        configs = {v: (v, args.sampler, args.eta, args.steps, args.t_max, args.clip) for v in args.variants.split(",")}
    results = {}
    real_emb = np.concatenate([embed(r[5]) for r in reqs if r[5] is not None])
    # references: the real audio and its VAE + vocoder round trip
    for name, fn in (("groundTruth", lambda r: r[5]), ("roundTrip", lambda r: dec.roundtrip(r[5]))):
        rows = {"tagAgreement": [], "beatHit70": [], "bIoU": []}
        embs = []
        for r in reqs:
            measure(fn(r), r, thr, rows, embs)
        results[name] = {k: round(float(np.nanmean(v)), 4) for k, v in rows.items()}
        results[name]["fd"] = round(frechet(np.concatenate(embs), real_emb), 3) if name != "groundTruth" else 0.0
        print(name, results[name], flush=True)
    models = {}
    for name, (variant, sampler, eta, steps, t_max, clip) in configs.items():
        key = variant
        if key not in models:
            base, tb = VARIANTS[key]
            models[key] = load_denoiser(Path(args.weights), base, tb)[0]
        model = models[key]
        rows = {"tagAgreement": [], "beatHit70": [], "bIoU": []}
        embs, t_gen = [], 0.0
        for k, r in enumerate(reqs):
            t0 = time.perf_counter()
            x = generate(model, r[2], r[1], steps, args.guidance, sampler, eta, seed=k, t_max=t_max, clip=clip)
            t_gen += time.perf_counter() - t0
            y = dec.audio(x * std + mean)
            measure(y, r, thr, rows, embs)
            if k == 0 and args.write:
                import soundfile as sf
                d = corpus.parent / "listen"
                d.mkdir(exist_ok=True)
                sf.write(str(d / f"diffusion-{name}-{r[0]['trackId']}.wav"), y, 16000)
        res = {k: round(float(np.nanmean(v)), 4) for k, v in rows.items()}
        res["fd"] = round(frechet(np.concatenate(embs), real_emb), 3)
        res["denoiseSecPerClip"] = round(t_gen / len(reqs), 3)
        results[name] = res
        print(name, res, flush=True)
    summary = {"clips": len(reqs), "split": "test", "maxSec": MAX_LATENT * LATENT_FRAME_SEC,
               "steps": args.steps, "guidance": args.guidance, "sampler": args.sampler, "eta": args.eta,
               "tMax": args.t_max, "clip": args.clip,
               "sweep": args.sweep, "results": results}
    print(json.dumps(summary, indent=1))
    if args.out:
        Path(args.out).write_text(json.dumps(summary, indent=1) + "\n")
    return summary


if __name__ == "__main__":
    main()
