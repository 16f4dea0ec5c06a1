"""A compact audio pack for training the vocoder where the corpus is not (a lent GPU machine).

    python -m vem_training.data.vocoder_pack --corpus data/corpus --out ../.carry/vocoder-pack.npz [--mb 24]

Holds excerpts of the corpus's train split (all kinds, as the CPU runs read it: every second equally
likely, near-silent excerpts skipped) up to a size budget, and the held-out check clips (recorded music
from the valid split) with their reference beats, tracked here by madmom so that the machine the pack goes
to needs no madmom for the reference. The waveforms are 16-bit, stored losslessly as first differences
split into high and low byte planes in a compressed .npz (about a quarter smaller than plain int16).

The budget: what travels to a lent machine is limited to 64 MiB with the repository's tracked files
(≈ 39 MB, most of it public/models), which leaves room for ≈ 24 MB: ≈ 15 minutes of audio.
"""
from __future__ import annotations

import argparse
import json
import zlib
from pathlib import Path

import numpy as np

from ..timebase import SAMPLE_RATE as SR


def encode_int16(x: np.ndarray) -> np.ndarray:
    """int16 samples -> uint8 [high bytes of the first differences | low bytes] (exactly invertible)."""
    d = np.diff(np.asarray(x, dtype=np.int16), prepend=np.int16(0)).view(np.uint16)  # wraps modulo 2^16
    return np.concatenate([(d >> 8).astype(np.uint8), (d & 0xFF).astype(np.uint8)])


def decode_int16(b: np.ndarray) -> np.ndarray:
    n = len(b) // 2
    d = ((b[:n].astype(np.uint16) << 8) | b[n:].astype(np.uint16)).view(np.int16)
    return np.cumsum(d, dtype=np.int16)  # wraps back modulo 2^16


def to_int16(x: np.ndarray) -> np.ndarray:
    return np.clip(np.round(np.asarray(x, np.float64) * 32768.0), -32768, 32767).astype(np.int16)


def build(corpus: Path, out: Path, mb: float = 24.0, excerpt_sec: float = 4.0, check_clips: int = 4,
          check_sec: float = 10.0, seed: int = 0) -> dict:
    import soundfile as sf

    from . import beats, crops
    from .crops import held_out_clips

    rng = np.random.default_rng(seed)
    checks = held_out_clips(corpus, check_clips, check_sec, split="valid")
    check_pcm = [to_int16(x) for _, x in checks]
    ref_beats = [[round(float(b), 4) for b in beats.track_beats(x, SR, downbeats=False)[0]] for _, x in checks]
    budget = mb * 1e6 - sum(len(zlib.compress(encode_int16(p).tobytes(), 6)) for p in check_pcm) - 20_000
    seg = int(excerpt_sec * SR)
    tracks = crops.select(crops.load_index(corpus), "train")
    paths = [str(corpus / "audio" / f"{t['id']}.wav") for t in tracks]
    cands = [(i, s) for i, p in enumerate(paths) for s in range(0, sf.info(p).frames - seg + 1, seg)]
    order = rng.permutation(len(cands))  # every whole excerpt equally likely: a track's share ∝ its length
    chosen, size = [], 0.0
    for j in order:
        i, s = cands[j]
        x, _ = sf.read(paths[i], start=s, frames=seg, dtype="int16", always_2d=True)
        ex = x.mean(axis=1).astype(np.int16)
        if np.abs(ex).max() < 33:  # near-silent (as crops.AudioCrops avoids)
            continue
        size += len(zlib.compress(encode_int16(ex).tobytes(), 6))
        if size > budget:
            break
        chosen.append((i, s, ex))
    chosen.sort(key=lambda c: c[:2])
    train = np.concatenate([ex for _, _, ex in chosen])
    kinds = {}
    for i, _, _ in chosen:
        kinds[tracks[i]["kind"]] = kinds.get(tracks[i]["kind"], 0) + 1
    meta = {"sampleRate": SR, "excerptSamples": seg, "excerpts": len(chosen), "trainMinutes": round(len(train) / SR / 60, 2),
            "excerptsPerKind": kinds, "tracks": len({i for i, _, _ in chosen}), "trainTracks": len(tracks),
            "source": f"{corpus} train split (vem_training.corpus.build)",
            "checks": [{"id": tid, "samples": len(p), "refBeats": b} for (tid, _), p, b in zip(checks, check_pcm, ref_beats)],
            "checkSplit": "valid (recorded music)", "codec": "int16 first differences, high|low byte planes"}
    out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(out, train=encode_int16(train), checks=encode_int16(np.concatenate(check_pcm)),
                        meta=np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8))
    meta["mb"] = round(out.stat().st_size / 1e6, 2)
    return meta


class VocoderPack:
    """`excerpts`: int16 train excerpts; `checks`: [(id, float32 clip)]; `ref_beats`: madmom beats of each."""

    def __init__(self, path: Path):
        z = np.load(path)
        self.meta = json.loads(bytes(z["meta"]).decode())
        train = decode_int16(z["train"])
        seg = self.meta["excerptSamples"]
        self.excerpts = [train[i : i + seg] for i in range(0, len(train), seg)]
        checks = decode_int16(z["checks"]).astype(np.float32) / 32768.0
        self.checks, self.ref_beats, at = [], [], 0
        for c in self.meta["checks"]:
            self.checks.append((c["id"], checks[at : at + c["samples"]]))
            self.ref_beats.append(np.asarray(c["refBeats"], np.float64))
            at += c["samples"]


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default="data/corpus")
    ap.add_argument("--out", required=True)
    ap.add_argument("--mb", type=float, default=24.0, help="size budget of the .npz (MB)")
    ap.add_argument("--excerpt-sec", type=float, default=4.0)
    ap.add_argument("--check-clips", type=int, default=4)
    ap.add_argument("--check-sec", type=float, default=10.0)
    args = ap.parse_args(argv)
    meta = build(Path(args.corpus), Path(args.out), args.mb, args.excerpt_sec, args.check_clips, args.check_sec)
    print(json.dumps({k: v for k, v in meta.items() if k != "checks"} | {"checks": [c["id"] for c in meta["checks"]]}, indent=1))


if __name__ == "__main__":
    main()
