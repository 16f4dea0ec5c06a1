"""The evaluation metrics of docs/architecture.md §8, on event lists in seconds (used by evaluate_bench).

- tb_iou: video transitions T and music beats B matched one-to-one within 0.5 s, |M| / (|T| + |B| − |M|)
  (the paper's TB_IoU); b_iou: the same between generated and ground-truth beats (B_IoU);
- tb_hit: share of transitions with a beat within ±70 ms (what the product promises);
- beat_f: beat F-measure within ±70 ms (beats.f_measure);
- tag_agreement: per storyboard, does the energy/timbre measured on the audio (the corpus's tag rules and
  thresholds) equal the requested tag, weighted by the storyboard's duration;
- tag_order: over pairs of storyboards of one take whose requested energy (or timbre) differs, the share
  where the measured loudness (or spectral centroid) is ordered as requested (low < medium < high,
  dark < warm < bright); ties count half. It asks whether the music follows the storyboards relative to
  each other, whatever the global tags do to the level of the whole take; 0.5 is chance (a row that
  ignores the storyboards).
"""
from __future__ import annotations

import numpy as np

from ..data import beats, tags
from ..timebase import SAMPLE_RATE

IOU_TOL_SEC = 0.5
HIT_TOL_SEC = 0.07


def event_iou(a, b, tol: float = IOU_TOL_SEC) -> float:
    """|M| / (|A| + |B| − |M|) with M the one-to-one matches within ±tol; both empty → 1, one empty → 0."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    if len(a) == 0 and len(b) == 0:
        return 1.0
    m = beats.match_events(a, b, tol)
    return m / (len(a) + len(b) - m)


def tb_iou(transitions, beats_sec) -> float:
    return event_iou(transitions, beats_sec)


def b_iou(generated_beats, reference_beats) -> float:
    return event_iou(generated_beats, reference_beats)


def tb_hit(transitions, beats_sec, tol: float = HIT_TOL_SEC) -> float | None:
    """Share of transitions with any beat within ±tol (None when there are no transitions)."""
    t, b = np.asarray(transitions, np.float64), np.sort(np.asarray(beats_sec, np.float64))
    if len(t) == 0:
        return None
    if len(b) == 0:
        return 0.0
    return float(np.mean([np.min(np.abs(b - x)) <= tol + 1e-9 for x in t]))


def beat_f(reference_beats, estimated_beats, tol: float = HIT_TOL_SEC) -> float:
    return beats.f_measure(reference_beats, estimated_beats, tol)


def measured_section_tags(y: np.ndarray, sections: list[dict], thresholds: dict | None) -> list[dict]:
    """{"energy": tag, "timbre": tag} per section, measured on 16 kHz audio with the corpus's rules (its
    thresholds, `tag_thresholds.json`; None: the tag module's defaults)."""
    thresholds = thresholds or {}
    feats = tags.frame_features(np.asarray(y, np.float64))
    out = []
    for s in sections:
        f = tags.segment_features(feats, s["startSec"], s["durSec"])
        out.append({"energy": tags.energy_tag(f["loudnessDb"], thresholds.get("energy")),
                    "timbre": tags.timbre_tag(f["centroidHz"], thresholds.get("timbre"))})
    return out


ORDINAL = {"energy": ("low", "medium", "high"), "timbre": ("dark", "warm", "bright")}
ORDER_FEATURE = {"energy": "loudnessDb", "timbre": "centroidHz"}


def tag_order(y: np.ndarray, sections: list[dict]) -> float | None:
    """Share of storyboard pairs with different requested energy (or timbre) whose measured loudness (or
    centroid) is ordered the same way (ties half); None without such a pair."""
    feats = tags.frame_features(np.asarray(y, np.float64))
    measured = [tags.segment_features(feats, s["startSec"], s["durSec"]) for s in sections]
    good = pairs = 0.0
    for cat, names in ORDINAL.items():
        req = []
        for s, m in zip(sections, measured):
            want = [t.split(":", 1)[1] for t in s["tags"] if t.startswith(cat + ":")]
            if want and want[0] in names:
                req.append((names.index(want[0]), m[ORDER_FEATURE[cat]]))
        for i in range(len(req)):
            for j in range(i + 1, len(req)):
                (ri, vi), (rj, vj) = req[i], req[j]
                if ri == rj:
                    continue
                pairs += 1
                d = (vj - vi) * (rj - ri)
                good += 1.0 if d > 0 else (0.5 if d == 0 else 0.0)
    return good / pairs if pairs else None


def weighted_agreement(sections: list[dict], measured: list[dict]) -> float | None:
    """Duration-weighted share of (section, category) pairs whose measured tag equals the requested one;
    categories a section does not request are skipped; None when nothing is requested."""
    num = den = 0.0
    for s, got in zip(sections, measured):
        for cat in ("energy", "timbre"):
            want = [t for t in s["tags"] if t.startswith(cat + ":")]
            if not want:
                continue
            num += s["durSec"] * (got[cat] == want[0])
            den += s["durSec"]
    return num / den if den else None


def tag_agreement(y: np.ndarray, sections: list[dict], thresholds: dict | None) -> float | None:
    return weighted_agreement(sections, measured_section_tags(y, sections, thresholds))


def click_track(beats_sec, downbeats_every: int, dur_sec: float, sr: int = SAMPLE_RATE) -> np.ndarray:
    """A metronome on a beat grid: 30 ms decaying 1.5 kHz clicks (2 kHz on every `downbeats_every`-th)."""
    n = int(round(dur_sec * sr))
    y = np.zeros(n, np.float32)
    t = np.arange(int(0.03 * sr)) / sr
    for k, b in enumerate(beats_sec):
        a = int(round(b * sr))
        if a < 0 or a >= n:
            continue
        f = 2000.0 if downbeats_every and k % downbeats_every == 0 else 1500.0
        c = (0.5 * np.sin(2 * np.pi * f * t) * np.exp(-t / 0.006)).astype(np.float32)
        e = min(n, a + len(c))
        y[a:e] += c[: e - a]
    return y
