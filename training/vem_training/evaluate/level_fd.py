"""How much of a `vem eval` row's FD is level: the row's takes as generated and scaled to the RMS of each
video's ground-truth music, each against the ground truth (the project's 143-d features, audio_embedding.py),
with every take's RMS against its ground truth's.

    python -m vem_training.evaluate.level_fd --runs runs/eval-melfix1,runs/eval-rB [--row full] [--bench data/bench]

The benchmark's beat-cut videos only (bench-00 … bench-09: the hard cases have no cuts and no fixed length).
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from ..data import audio
from .audio_embedding import embed, frechet

VIDEOS = tuple(f"bench-{i:02d}" for i in range(10))


def rms_db(x: np.ndarray) -> float:
    return float(10 * np.log10(np.mean(np.asarray(x, np.float64) ** 2) + 1e-12))


def level_matched(x: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """`x` scaled so that its RMS is `ref`'s."""
    return np.asarray(x, np.float64) * 10 ** ((rms_db(ref) - rms_db(x)) / 20)


def level_fd(takes: dict[str, np.ndarray], truth: dict[str, np.ndarray]) -> dict:
    """{video: take}, {video: ground truth} -> FD as generated, FD level-matched, mean and per-video dB."""
    vids = sorted(takes)
    gt = np.concatenate([embed(truth[v]) for v in vids])
    db = {v: round(rms_db(takes[v]) - rms_db(truth[v]), 2) for v in vids}
    return {"fd": round(frechet(np.concatenate([embed(takes[v]) for v in vids]), gt), 2),
            "fdLevelMatched": round(frechet(np.concatenate([embed(level_matched(takes[v], truth[v])) for v in vids]),
                                            gt), 2),
            "meanDbVsTruth": round(float(np.mean(list(db.values()))), 2), "dbVsTruth": db}


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", required=True, help="vem eval output folders, comma-separated")
    ap.add_argument("--row", default="full")
    ap.add_argument("--bench", default="data/bench")
    a = ap.parse_args(argv)
    truth = {v: audio.load_wav_mono(Path(a.bench) / f"{v}.wav")[0] for v in VIDEOS}
    out = {}
    for run in a.runs.split(","):
        takes = {v: audio.load_wav_mono(Path(run) / f"{v}.{a.row}.wav")[0] for v in VIDEOS}
        out[run] = level_fd(takes, truth)
    print(json.dumps(out, indent=1))
    return out


if __name__ == "__main__":
    main()
