"""Builds the evaluation benchmark (issue: evaluation) from the corpus's held-out test split.

    python -m vem_training.evaluate.bench_set --out data/bench [--corpus data/corpus] [--size 640x360]

Writes, per video, into --out (nothing of it is committed):
- `<id>.mp4`   the video (real footage and photos with camera motion, 16 fps, H.264, its music as AAC);
- `<id>.wav`   its ground-truth music (16 kHz mono, the stretch of the held-out recording under the video);
- `<id>.cuts.json`  `{"cutsSec": [...], "onBeat": [...], "kind": [...]}` the transitions as rendered;
- `<id>.random.wav` "random music": the same length of a different held-out recording (unrelated to the video);
and `bench.json` (the list, with each video's kind, track and duration) and `tag_thresholds.json` (the corpus's
energy/timbre tag thresholds, for the tag-agreement metric).

Default set: 10 videos of 12–88 s cut on the beats of the 9 held-out recorded tracks (every transition on a
beat, 30 % of them gradual), plus 3 hard cases: one long still with a slow camera move (no cuts), one
continuous shot of footage (no cuts) and one cut every 0.25 s. Deterministic for a seed; rerunning skips
finished videos.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import soundfile as sf

from ..constants import REPO_ROOT
from ..corpus import edit_media, edits, sources
from ..corpus.render_edit import render_spec_mp4
from ..data import audio
from ..timebase import SAMPLE_RATE

DEFAULT_CORPUS = REPO_ROOT / "training" / "data" / "corpus"
BEAT_CUT_SEC = (12.0, 18.0, 24.0, 30.0, 38.0, 46.0, 55.0, 65.0, 75.0, 88.0)
SR = SAMPLE_RATE


def _test_tracks(corpus: Path) -> list[dict]:
    idx = json.loads((corpus / "index.json").read_text())["tracks"]
    # core sources only: a source added to the corpus later leaves the benchmark's draw as it was
    rec = [t for t in idx if t["split"] == "test" and t["kind"] == "recorded" and len(t["beatsSec"]) >= 8
           and sources.is_core(t.get("source", ""))]
    if len(rec) < 2:
        raise RuntimeError(f"{corpus} has {len(rec)} held-out recorded tracks; build the default corpus first "
                           "(python -m vem_training.corpus.build --out data/corpus, docs/corpus.md)")
    return sorted(rec, key=lambda t: (-t["durationSec"], t["id"]))


def _still_spec(edit_id: str, track: dict, media: list[dict], dur: float, rng, start: float) -> dict:
    n = int(round(dur * edits.FPS))
    images = [m for m in media if m["kind"] == "image"]
    m = images[rng.integers(len(images))]
    shot = {"media": m["rel"], "kind": "image", "startSec": 0.0, "endSec": n / edits.FPS,
            "motion": edits.random_motion(rng, m["w"], m["h"])}
    return _spec(edit_id, track, start, n, [], [shot])


def _footage_spec(edit_id: str, track: dict, media: list[dict], dur: float, rng, start: float) -> dict | None:
    """One continuous shot of a test video with none of its own scene cuts inside (None if none is long enough)."""
    vids = [m for m in media if m["kind"] == "video" and m["dur"] >= dur + 0.5]
    for m in sorted(vids, key=lambda v: -v["dur"]):
        for off in np.arange(0.0, m["dur"] - dur - 0.1, 0.5):
            if not any(off - 0.2 <= c <= off + dur + 0.2 for c in m.get("cuts", [])):
                n = int(round(dur * edits.FPS))
                shot = {"media": m["rel"], "kind": "video", "startSec": 0.0, "endSec": n / edits.FPS,
                        "videoOffsetSec": round(float(off), 3)}
                return _spec(edit_id, track, start, n, [], [shot])
    return None


def _fast_cut_spec(edit_id: str, track: dict, media: list[dict], dur: float, every_frames: int, rng,
                   start: float) -> dict:
    n = int(round(dur * edits.FPS))
    images = [m for m in media if m["kind"] == "image"]
    frames = list(range(every_frames, n - every_frames // 2, every_frames))
    trans = [{"frame": f, "timeSec": round(f / edits.FPS, 4), "kind": "cut", "style": "cut", "durSec": 0.0,
              "onBeat": False} for f in frames]
    bounds = [0] + frames + [n]
    shots, prev = [], None
    for i in range(len(bounds) - 1):
        for _ in range(5):
            m = images[rng.integers(len(images))]
            if m["rel"] != prev:
                break
        prev = m["rel"]
        shots.append({"media": m["rel"], "kind": "image", "startSec": bounds[i] / edits.FPS,
                      "endSec": bounds[i + 1] / edits.FPS, "motion": edits.random_motion(rng, m["w"], m["h"])})
    return _spec(edit_id, track, start, n, trans, shots)


def _spec(edit_id, track, start, n, trans, shots) -> dict:
    beats = np.asarray(track["beatsSec"], np.float64) - start
    dur = n / edits.FPS
    return {"editId": edit_id, "trackId": track["id"], "musicStartSec": round(float(start), 4), "durSec": round(dur, 4),
            "split": track["split"], "fps": edits.FPS, "nFrames": n, "transitions": trans, "shots": shots,
            "cuts": [{"timeSec": t["timeSec"], "kind": t["kind"], "onBeat": t["onBeat"], "durSec": t["durSec"]}
                     for t in trans],
            "beatsRelSec": [round(float(b), 4) for b in beats[(beats >= 0) & (beats < dur)]]}


def plan_bench(corpus: Path, cache: Path, seed: int = 0) -> list[dict]:
    tracks = _test_tracks(corpus)
    media = edit_media.media_pool(cache, seed)["test"]
    rng = np.random.default_rng(seed + 9001)
    specs = []
    for i, dur in enumerate(sorted(BEAT_CUT_SEC, reverse=True)):
        tr = tracks[i % len(tracks)]
        if tr["durationSec"] < dur + 1:
            tr = tracks[0]
        for attempt in range(20):
            s = edits.plan_edit(f"bench-{i:02d}", tr, media, dur_range=(dur, dur), seed=seed + 101 * attempt,
                                on_beat_share=1.0)
            if s and s["cuts"]:
                break
        else:
            raise RuntimeError(f"could not plan a {dur} s edit over {tr['id']}")
        s["benchKind"] = "beat-cut"
        specs.append(s)
    # hard cases: no cuts (a still, a continuous shot of footage), very fast cuts
    tr = tracks[len(tracks) - 1]
    hard = [("bench-still", lambda st: _still_spec("bench-still", tr, media, 30.0, rng, st), "no-cuts"),
            ("bench-footage", lambda st: _footage_spec("bench-footage", tr, media, 15.0, rng, st), "no-cuts"),
            ("bench-fast", lambda st: _fast_cut_spec("bench-fast", tr, media, 12.0, 4, rng, st), "fast-cuts")]
    for name, make, kind in hard:
        s = make(float(rng.uniform(0, max(0.0, tr["durationSec"] - 31))))
        if s is None:
            s = _still_spec(name, tr, media, 15.0, rng, float(rng.uniform(0, tr["durationSec"] - 16)))
        s["benchKind"] = kind
        specs.append(s)
    # random music: another held-out recording, a random stretch of the same length
    for k, s in enumerate(specs):
        others = [t for t in tracks if t["id"] != s["trackId"] and t["durationSec"] >= s["durSec"] + 0.1]
        o = others[(k * 5) % len(others)]
        s["random"] = {"trackId": o["id"], "startSec": round(float(rng.uniform(0, o["durationSec"] - s["durSec"])), 3)}
    return specs


def _excerpt(corpus: Path, track_id: str, start: float, dur: float) -> np.ndarray:
    x, sr = audio.load_wav_mono(corpus / "audio" / f"{track_id}.wav")
    assert sr == SR
    a = int(round(start * SR))
    return x[a:a + int(round(dur * SR))]


def build(out: Path, corpus: Path = DEFAULT_CORPUS, cache: Path = sources.DEFAULT_CACHE, size=(640, 360),
          seed: int = 0) -> list[dict]:
    out.mkdir(parents=True, exist_ok=True)
    specs = plan_bench(corpus, cache, seed)
    rows = []
    for s in specs:
        vid = s["editId"]
        mp4 = out / f"{vid}.mp4"
        if not mp4.exists():
            tmp = out / f"{vid}.part.mp4"
            render_spec_mp4(s, tmp, corpus / "audio" / f"{s['trackId']}.wav", cache, size[0], size[1])
            tmp.rename(mp4)
        sf.write(str(out / f"{vid}.wav"), _excerpt(corpus, s["trackId"], s["musicStartSec"], s["durSec"]), SR,
                 subtype="PCM_16")
        sf.write(str(out / f"{vid}.random.wav"),
                 _excerpt(corpus, s["random"]["trackId"], s["random"]["startSec"], s["durSec"]), SR, subtype="PCM_16")
        (out / f"{vid}.cuts.json").write_text(json.dumps({
            "cutsSec": [c["timeSec"] for c in s["cuts"]], "onBeat": [c["onBeat"] for c in s["cuts"]],
            "kind": [c["kind"] for c in s["cuts"]]}) + "\n")
        rows.append({"id": vid, "kind": s["benchKind"], "durSec": s["durSec"], "trackId": s["trackId"],
                     "musicStartSec": s["musicStartSec"], "cuts": len(s["cuts"]), "random": s["random"]})
        print(f"{vid}: {s['benchKind']}, {s['durSec']:.1f} s, {len(s['cuts'])} transitions, music {s['trackId']}",
              flush=True)
    thr = corpus / "tag_thresholds.json"
    if thr.exists():  # the corpus's tag rules, for the tag-agreement metric
        (out / "tag_thresholds.json").write_text(thr.read_text())
    (out / "bench.json").write_text(json.dumps({"version": 1, "seed": seed, "videos": rows}, indent=1) + "\n")
    return rows


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Build the evaluation benchmark from the corpus's test split.")
    ap.add_argument("--out", type=Path, default=REPO_ROOT / "training" / "data" / "bench")
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--cache", type=Path, default=sources.DEFAULT_CACHE)
    ap.add_argument("--size", default="640x360")
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args(argv)
    w, h = (int(v) for v in a.size.lower().split("x"))
    try:
        build(a.out, a.corpus, a.cache, (w, h), a.seed)
    except (FileNotFoundError, RuntimeError) as e:
        print(f"bench_set: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
