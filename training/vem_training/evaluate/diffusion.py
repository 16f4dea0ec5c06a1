"""Evaluate the denoiser variants on held-out multi-section clips (issue: the ablation table).

    python -m vem_training.evaluate.diffusion --weights runs/denoiser-v2 --clips 30 [--write]
    python -m vem_training.evaluate.diffusion --weights runs/denoiser-v2 --sweep sampler   # steps × η × solver
    python -m vem_training.evaluate.diffusion --weights runs/denoiser-v2 --sweep guidance  # g × rhythm scale

For each test clip (its first ≤ 16.4 s): the clip's sections (start, duration, section tags; clipped as the
app clips them), global tags and the track's exact beat grid are the request; each variant samples a latent
(same seed per clip) from t = 999 with guidance against the empty row (no tags, no rhythm), the shipped VAE
decoder and vocoder make audio. `--weights` is a run folder (ckpt.pt) or a folder of variant runs
(<weights>/<variant name>/ckpt.pt). Figures:
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

from ..data import audio, beats
from ..data.rhythm import rhythm_features
from ..export.denoiser import VARIANTS
from ..export.manifest import MODELS_DIR
from ..models import diffusion as dm, load_model
from ..timebase import LATENT_FRAME_SEC, SAMPLE_RATE
from . import metrics as eval_metrics
from .audio_embedding import embed, frechet

MAX_LATENT = 256


def clips(corpus: Path, n: int, split: str = "test") -> list[dict]:
    rows = [json.loads(line) for line in (corpus / "clips.jsonl").read_text().splitlines()]
    rows = [c for c in rows if c["purpose"] == "diffusion" and c["split"] == split and c["durSec"] >= 8]
    rng = np.random.default_rng(0)
    rng.shuffle(rows)
    return rows[:n]


def request(c: dict, n_latent: int, track_beats=None) -> tuple[dict, list[dict], np.ndarray]:
    """Rows: 0 the condition, 1 the empty condition, 2 the tags without rhythm (three-row guidance)."""
    idx = dm.tag_index()
    V = len(idx)
    dur = n_latent * LATENT_FRAME_SEC
    secs = dm.clip_storyboards(c["sections"], 0.0, dur, dm.MAX_STORIES)
    cond = dm.empty_condition(3, V, n_latent, max(1, len(secs)))
    for r in (0, 2):
        cond["global_tags"][r] = dm.multi_hot(c["tags"], idx)
        cond["caption_tags"][r] = dm.multi_hot(c["tags"], idx)
        dm.fill_storyboards(cond, r, secs, idx)
    if track_beats is not None:
        beats_sec = np.asarray(track_beats, np.float64) - c["startSec"]
    else:
        beats_sec = np.asarray([f / 16 for f in c["beatFrames"]])
    beats_sec = beats_sec[(beats_sec > -1.0) & (beats_sec < dur + 1.0)]
    cond["rhythm"][0] = rhythm_features(beats_sec, n_latent)
    return cond, secs, beats_sec[(beats_sec >= 0) & (beats_sec < dur)]


def beat_figures(y: np.ndarray, requested: np.ndarray) -> tuple[float, float]:
    est = beats.track_beats(y, SAMPLE_RATE, downbeats=False)[0]
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
        from ..models.runtime import onnx_session
        self.vae, self.voc, self.enc = (onnx_session(MODELS_DIR / f"{k}.onnx")
                                        for k in ("vae_decoder", "vocoder", "vae_encoder"))

    def audio(self, z: np.ndarray) -> np.ndarray:  # (128, T) un-normalised
        mel = self.vae.run(None, {"latent": z.reshape(1, 8, 16, -1).astype(np.float32)})[0]
        return self.voc.run(None, {"mel": mel})[0][0]

    def roundtrip(self, x: np.ndarray) -> np.ndarray:
        mel = audio.log_mel(x)[None]
        mel = mel[:, :, : mel.shape[2] // 4 * 4].astype(np.float32)
        return self.voc.run(None, {"mel": self.vae.run(None, {"latent": self.enc.run(None, {"mel": mel})[0]})[0]})[0][0]


def generate(model, cond: dict, n_latent: int, steps: int, guidance: float, sampler: str, eta: float, seed: int,
             rhythm_guidance: float | None = None):
    rows = [{k: torch.from_numpy(v[i:i + 1]) for k, v in cond.items()} for i in range(3)]

    def fn(x, t, c):
        with torch.no_grad():
            return dm.model_call(model, x, torch.full((x.shape[0],), float(t)), c)
    return dm.sample(fn, (1, 128, n_latent), rows[0], rows[1], steps=steps, guidance=guidance, sampler=sampler, eta=eta,
                  seed=seed, cond_tags=rows[2] if rhythm_guidance is not None else None,
                  rhythm_guidance=rhythm_guidance)[0].numpy()


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default="data/corpus")
    ap.add_argument("--weights", required=True)
    ap.add_argument("--pack", default="data/diffusion/pack.npz")
    ap.add_argument("--clips", type=int, default=30)
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--guidance", type=float, default=2.5)
    ap.add_argument("--sampler", default="ddim")
    ap.add_argument("--eta", type=float, default=0.5)
    ap.add_argument("--rhythm-guidance", type=float, default=None)
    ap.add_argument("--variants", default="full")
    ap.add_argument("--sweep", default=None, help="full model: 'sampler' (solver × η × steps) or 'guidance' (g × g_r)")
    ap.add_argument("--write", action="store_true")
    ap.add_argument("--out", default=None)
    args = ap.parse_args(argv)
    torch.set_num_threads(1)
    corpus = Path(args.corpus)
    z = np.load(args.pack)
    mean, std = z["mean"][:, None], z["std"][:, None]
    thr = json.loads((corpus / "tag_thresholds.json").read_text())
    tracks = {t["id"]: t for t in json.loads((corpus / "index.json").read_text())["tracks"]}
    dec = Decoder()
    cl = clips(corpus, args.clips)
    reqs = []
    for c in cl:
        wav = corpus / "audio" / f"{c['trackId']}.wav"
        x = audio.load_wav_mono(wav)[0] if wav.exists() else None
        n_lat = min(MAX_LATENT, int(c["durSec"] / LATENT_FRAME_SEC) // 4 * 4)
        a = int(round(c["startSec"] * SAMPLE_RATE))
        real = x[a:a + n_lat * 1024] if x is not None else None
        cond, secs, bt = request(c, n_lat, tracks[c["trackId"]]["beatsSec"])
        reqs.append((c, n_lat, cond, secs, bt, real))
    if args.sweep == "sampler":
        configs = {f"{s}-eta{e}-{n}": ("full", s, e, n, args.guidance, None)
                   for s, e in (("ddim", 1.0), ("ddim", 0.5), ("ddim", 0.0), ("dpmpp", 0.0)) for n in (8, 20)}
    elif args.sweep == "guidance":
        configs = {f"g{g}-gr{gr}": ("full", args.sampler, args.eta, args.steps, g, gr)
                   for g, gr in ((1.0, None), (2.5, None), (4.0, None), (2.5, 4.0), (2.5, 6.0))}
    else:
        configs = {v: (v, args.sampler, args.eta, args.steps, args.guidance, args.rhythm_guidance)
                   for v in args.variants.split(",")}
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
    for name, (variant, sampler, eta, steps, g, gr) in configs.items():
        key = variant
        if key not in models:
            base, tb = VARIANTS[key]
            w = Path(args.weights)
            models[key] = load_model("denoiser", w / key if (w / key / "ckpt.pt").exists() else w, base, tb)[0]
        model = models[key]
        rows = {"tagAgreement": [], "beatHit70": [], "bIoU": []}
        embs, t_gen = [], 0.0
        for k, r in enumerate(reqs):
            t0 = time.perf_counter()
            x = generate(model, r[2], r[1], steps, g, sampler, eta, seed=k, rhythm_guidance=gr)
            t_gen += time.perf_counter() - t0
            y = dec.audio(x * std + mean)
            measure(y, r, thr, rows, embs)
            if k == 0 and args.write:
                import soundfile as sf
                d = corpus.parent / "listen"
                d.mkdir(exist_ok=True)
                sf.write(str(d / f"diffusion-{name}-{r[0]['trackId']}.wav"), y, SAMPLE_RATE)
        res = {k: round(float(np.nanmean(v)), 4) for k, v in rows.items()}
        res["fd"] = round(frechet(np.concatenate(embs), real_emb), 3)
        res["denoiseSecPerClip"] = round(t_gen / len(reqs), 3)
        results[name] = res
        print(name, res, flush=True)
    summary = {"clips": len(reqs), "split": "test", "maxSec": MAX_LATENT * LATENT_FRAME_SEC,
               "steps": args.steps, "guidance": args.guidance, "sampler": args.sampler, "eta": args.eta,
               "rhythmGuidance": args.rhythm_guidance,
               "sweep": args.sweep, "results": results}
    print(json.dumps(summary, indent=1))
    if args.out:
        Path(args.out).write_text(json.dumps(summary, indent=1) + "\n")
    return summary


if __name__ == "__main__":
    main()
