"""Writes src/core/conditioning/testdata/rhythm-fixture.json: rhythm_features on fixed inputs, so the
TypeScript twin (src/core/conditioning/rhythm.ts) is checked against this definition.

    python -m vem_training.rhythm_fixture
"""
from __future__ import annotations

import json

import numpy as np

from . import constants
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
        {"name": "one beat", "beatsSec": [1.0], "nLatent": 24},
        {"name": "no beats", "beatsSec": [], "nLatent": 16},
    ]


def build() -> dict:
    out = []
    for c in cases():
        al = (np.asarray(c["probs"], np.float32), np.asarray(c["features"], np.float32).reshape(-1, ALIGNER_FEAT)) if "probs" in c else (None, None)
        r = rhythm_features(c["beatsSec"], c["nLatent"], *al)
        out.append({**c, "expected": np.round(r.ravel().astype(np.float64), 7).tolist()})
    return {"alignerFeat": ALIGNER_FEAT, "cases": out}


def main():
    PATH.parent.mkdir(parents=True, exist_ok=True)
    PATH.write_text(json.dumps(build()))
    print(PATH)


if __name__ == "__main__":
    main()
