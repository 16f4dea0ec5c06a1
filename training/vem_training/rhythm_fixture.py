"""Writes src/core/conditioning/testdata/rhythm-fixture.json: rhythm_features and clip_storyboards on fixed
inputs, so the TypeScript twins (src/core/conditioning/rhythm.ts, condition.ts) are checked against these
definitions.

    python -m vem_training.rhythm_fixture
"""
from __future__ import annotations

import json

import numpy as np

from . import constants
from .diffusion import MAX_STORIES, clip_storyboards
from .rhythm import ALIGNER_FEAT, rhythm_features

PATH = constants.REPO_ROOT / "src/core/conditioning/testdata/rhythm-fixture.json"


def cases() -> list[dict]:
    rng = np.random.default_rng(7)
    f = 45
    prob = rng.random(f).astype(np.float32)
    feat = rng.standard_normal((f, ALIGNER_FEAT)).astype(np.float32)
    beats = [0.31, 0.83, 1.35, 1.9, 2.41]
    return [
        {"name": "beats+aligner", "beatsSec": beats, "nLatent": 48, "probs": prob.tolist(), "features": feat.ravel().tolist()},
        {"name": "beats only", "beatsSec": beats, "nLatent": 40},
        {"name": "beats and downbeats", "beatsSec": beats, "downbeatsSec": [0.31, 2.41], "nLatent": 40},
        {"name": "one beat", "beatsSec": [1.0], "nLatent": 24},
        {"name": "no beats", "beatsSec": [], "nLatent": 16},
    ]


def build() -> dict:
    out = []
    for c in cases():
        al = (np.asarray(c["probs"], np.float32), np.asarray(c["features"], np.float32).reshape(-1, ALIGNER_FEAT)) if "probs" in c else (None, None)
        r = rhythm_features(c["beatsSec"], c["nLatent"], *al, downbeats_sec=c.get("downbeatsSec"))
        out.append({**c, "expected": np.round(r.ravel().astype(np.float64), 7).tolist()})
    return {"alignerFeat": ALIGNER_FEAT, "cases": out, "storyboards": storyboard_cases()}


def storyboard_cases() -> list[dict]:
    """Windows over the app's kind of input: unclipped storyboards, negative starts, tiny ones, > 24."""
    rng = np.random.default_rng(3)
    many = [{"startSec": float(i * 0.5), "durSec": 0.5, "tags": [f"mood:{'calm' if i % 2 else 'epic'}"]} for i in range(40)]
    few = [{"startSec": -2.0, "durSec": 5.0, "tags": ["energy:low"]}, {"startSec": 3.0, "durSec": 0.05, "tags": []},
           {"startSec": 3.05, "durSec": 30.0, "tags": ["energy:high", "genre:rock"]}]
    rand = [{"startSec": float(a), "durSec": float(d), "tags": []}
            for a, d in zip(np.sort(rng.uniform(-5, 60, 12)), rng.uniform(0.01, 9, 12))]
    out = []
    for name, st, off, win in (("many short", many, 0.0, 20.48), ("many short, later window", many, 16.384, 20.48),
                               ("negative start, tiny, long", few, 0.0, 20.48), ("window past the end", few, 40.0, 20.48),
                               ("random", rand, 12.0, 20.48), ("random, short window", rand, 30.0, 4.096)):
        out.append({"name": name, "stories": st, "offsetSec": off, "windowSec": win,
                    "expected": clip_storyboards(st, off, win, MAX_STORIES)})
    return out


def main():
    PATH.parent.mkdir(parents=True, exist_ok=True)
    PATH.write_text(json.dumps(build()))
    print(PATH)


if __name__ == "__main__":
    main()
