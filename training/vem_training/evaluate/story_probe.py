"""Do storyboard tags steer the music under their storyboard? A probe of SG-CAtt on held-out clips.

    python -m vem_training.evaluate.story_probe --weights runs/denoiser-v2 [--clips 6] [--steps 8] [--shot-sec 2.5]

For each held-out clip (its first 16.4 s) the request keeps the clip's global tags and exact beat grid,
but its storyboards alternate between opposite timbre and energy tags, (dark, low) and (bright, high):
two halves, or shots of --shot-sec as the app's parser makes them; both phases, same seed. The spectral
centroid (Hz) and loudness (dB) are measured under each storyboard of the generated audio. The figure is
how much the storyboards asked to be bright/loud come out brighter/louder than those asked to be
dark/quiet, averaged over both phases (which cancels what the global tags or the music's own arc do to
one span): 0 means the storyboards are ignored. For scale it also
prints the width of the corpus's middle tag bands (tag_thresholds.json): a contrast wider than the warm
band (Hz) or the medium band (dB) moves a half across a tag boundary.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import torch

from ..data import tags
from ..export.denoiser import VARIANTS
from ..models import load_model
from ..models.diffusion import tag_index
from ..timebase import LATENT_FRAME_SEC
from . import diffusion as ed

HALVES = (("timbre:dark", "energy:low"), ("timbre:bright", "energy:high"))


def _alternating(c: dict, n_latent: int, shot_sec: float | None, phase: int) -> tuple[dict, list[tuple]]:
    """The clip with storyboards alternating between the two HALVES tag sets (two halves when shot_sec is
    None, else shots of shot_sec), starting with HALVES[phase]; returns the request and the spans
    (start, dur, 0 dark/quiet | 1 bright/loud)."""
    total = n_latent * LATENT_FRAME_SEC
    step = total / 2 if shot_sec is None else shot_sec
    keep = [t for t in c["sections"][0]["tags"] if t.split(":")[0] not in ("timbre", "energy")] if c["sections"] else []
    sections, spans, t, k = [], [], 0.0, phase
    while t < total - 1e-6:
        d = min(step, total - t)
        sections.append({"startSec": t, "durSec": d, "tags": keep + list(HALVES[k % 2])})
        spans.append((t, d, k % 2))
        t, k = t + d, k + 1
    return {**c, "sections": sections}, spans


def probe(model, dec, mean, std, clips, steps: int, guidance: float, shot_sec: float | None = None) -> dict:
    d_cent, d_loud = [], []
    for k, c in enumerate(clips):
        n = min(ed.MAX_LATENT, int(c["durSec"] / LATENT_FRAME_SEC) // 4 * 4)
        for phase in (0, 1):
            req, spans = _alternating(c, n, shot_sec, phase)
            cond, _, _ = ed.request(req, n, None)
            y = dec.audio(ed.generate(model, cond, n, steps, guidance, "ddim", 0.5, seed=k) * std + mean)
            f = tags.frame_features(y)
            seg = [(tags.segment_features(f, a, d), which) for a, d, which in spans]
            for key, acc in (("centroidHz", d_cent), ("loudnessDb", d_loud)):
                hi = np.mean([s[key] for s, w in seg if w == 1])
                lo = np.mean([s[key] for s, w in seg if w == 0])
                acc.append(hi - lo)
    return {"clips": len(clips), "shotSec": shot_sec, "centroidContrastHz": round(float(np.mean(d_cent)), 1),
            "loudnessContrastDb": round(float(np.mean(d_loud)), 2),
            "brighterShare": round(float(np.mean(np.asarray(d_cent) > 0)), 3),
            "louderShare": round(float(np.mean(np.asarray(d_loud) > 0)), 3)}


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--weights", required=True)
    ap.add_argument("--corpus", default="data/corpus")
    ap.add_argument("--pack", default="data/diffusion/pack.npz")
    ap.add_argument("--clips", type=int, default=6)
    ap.add_argument("--steps", type=int, default=8)
    ap.add_argument("--guidance", type=float, default=2.5)
    ap.add_argument("--shot-sec", type=float, default=None, help="alternate shots of this length (default: two halves)")
    args = ap.parse_args(argv)
    torch.set_num_threads(1)
    z = np.load(args.pack)
    mean, std = z["mean"][:, None], z["std"][:, None]
    model = load_model("denoiser", Path(args.weights), *VARIANTS["full"])[0]
    idx = tag_index()
    assert all(t in idx for h in HALVES for t in h)
    out = probe(model, ed.Decoder(), mean, std, ed.clips(Path(args.corpus), args.clips), args.steps, args.guidance,
                args.shot_sec)
    thr = json.loads((Path(args.corpus) / "tag_thresholds.json").read_text())
    out["warmBandHz"] = round(thr["timbre"][1] - thr["timbre"][0], 1)
    out["mediumBandDb"] = round(thr["energy"][1] - thr["energy"][0], 2)
    print(json.dumps(out))
    return out


if __name__ == "__main__":
    main()
