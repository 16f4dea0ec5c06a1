"""How loud the corpus's sections are, per energy tag: is `energy:low` quiet music or near-silence?

    python -m vem_training.corpus.section_levels --corpus data/corpus [--below -30,-35,-40]

Prints, for each energy tag, the number of sections, their hours and loudness percentiles (5/25/50/75/95, dB of
mean power: the feature the tag thresholds are tertiles of), and for `energy:low` the share of its duration
below each level in --below.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from ..data import tags as vtags
from .tracks import load_feats


def section_levels(corpus: Path) -> list[tuple[str, float, float]]:
    """(energy tag, loudness dB, seconds) of every section of every track in index.json."""
    idx = json.loads((corpus / "index.json").read_text())
    out = []
    for t in idx["tracks"] if isinstance(idx, dict) else idx:
        f = load_feats(corpus, t["id"])
        for s in t["sections"]:
            energy = next((x for x in s["tags"] if x.startswith("energy:")), "energy:none")
            out.append((energy, vtags.segment_features(f, s["startSec"], s["durSec"])["loudnessDb"], s["durSec"]))
    return out


def summarise(rows, below=(-30.0, -35.0, -40.0)) -> dict:
    res = {}
    for tag in sorted({r[0] for r in rows}):
        db = np.array([r[1] for r in rows if r[0] == tag])
        sec = np.array([r[2] for r in rows if r[0] == tag])
        res[tag] = {"sections": int(len(db)), "hours": round(float(sec.sum()) / 3600, 3),
                    "dbPercentiles": [round(float(x), 1) for x in np.percentile(db, [5, 25, 50, 75, 95])]}
        if tag == "energy:low":
            res[tag]["durationShareBelow"] = {str(b): round(float(sec[db < b].sum() / sec.sum()), 4) for b in below}
    return res


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default="data/corpus")
    ap.add_argument("--below", default="-30,-35,-40")
    a = ap.parse_args(argv)
    print(json.dumps(summarise(section_levels(Path(a.corpus)), tuple(float(x) for x in a.below.split(","))),
                     indent=1))


if __name__ == "__main__":
    main()
