"""Splits by source track (no leakage), clip labels and the index/clip contract."""
from collections import Counter

import numpy as np
import pytest

from vem_training.corpus import assemble


def _tracks():
    out = []
    for src, n, kind in (("mma", 40, "midi"), ("nexuiz-music", 6, "recorded"), ("wesnoth-1.16-music", 7, "recorded"),
                         ("ufoai-music", 3, "recorded"), ("tiny", 2, "recorded")):
        for i in range(n):
            out.append({"id": f"{src}-{i}", "source": src, "kind": kind})
    return out


def test_splits_are_by_track_deterministic_and_cover_sources():
    tr = _tracks()
    s1 = assemble.assign_splits(tr, seed=0)
    s2 = assemble.assign_splits(list(reversed(tr)), seed=0)
    assert s1 == s2                                   # order-independent and deterministic
    assert set(s1) == {t["id"] for t in tr}           # every track exactly one split
    assert set(s1.values()) <= {"train", "valid", "test"}
    c = Counter(s1[t["id"]] for t in tr if t["source"] == "mma")
    assert c["test"] == 4 and c["valid"] == 4 and c["train"] == 32
    test_rec = {t["source"] for t in tr if s1[t["id"]] == "test" and t["kind"] == "recorded"}
    assert test_rec == {"nexuiz-music", "wesnoth-1.16-music", "ufoai-music"}   # ≥ 3 tracks → ≥ 1 test track
    assert assemble.assign_splits(tr, seed=1) != s1   # the seed matters


def _track(split="train", dur=75.0, bpm=120.0):
    beats = np.arange(0, dur, 60 / bpm)
    return {"id": "t1", "source": "mma", "kind": "midi", "split": split, "durationSec": dur, "bpm": bpm,
            "beatsSec": beats.tolist(), "downbeatsSec": beats[::4].tolist(), "beatSource": "midi",
            "sections": [{"startSec": 0.0, "durSec": 30.0, "tags": ["genre:rock", "mode:major", "instrument:piano"]},
                         {"startSec": 30.0, "durSec": dur - 30.0, "tags": ["genre:jazz", "mode:minor"]}],
            "tags": [], "license": "x"}


def _feats(dur):
    n = int(dur * 62.5) + 1
    return {"power": np.full(n, 1e-3, np.float32), "centroid": np.full(n, 1000, np.float32),
            "flux": np.zeros(n, np.float32), "chroma": np.ones((12, n), np.float32),
            "onsets": np.arange(0, dur, 0.25).astype(np.float32)}


def test_clips_inherit_the_split_and_carry_frame_labels():
    tr = _track(split="valid")
    th = {"energy": (-40, -20), "timbre": (500, 2000), "density": (1, 3)}
    clips = assemble.make_clips(tr, _feats(tr["durationSec"]), th, seed=0)
    ae = [c for c in clips if c["purpose"] == "ae"]
    dif = [c for c in clips if c["purpose"] == "diffusion"]
    assert len(ae) == 7 and all(c["durSec"] == 10.0 for c in ae)
    assert dif and all(10.0 <= c["durSec"] <= 60.0 for c in dif)
    assert all(c["split"] == "valid" and c["trackId"] == "t1" for c in clips)
    c = ae[1]   # 10–20 s at 120 BPM: beats every 0.5 s → every 8th frame at 16 fps
    assert c["beatFrames"] == list(range(0, 160, 8))
    assert c["downbeatFrames"] == list(range(0, 160, 32))
    # diffusion clips start on downbeats
    for c in dif:
        assert min(abs(c["startSec"] - d) for d in tr["downbeatsSec"]) < 1e-6
    # sections relative to the clip start; the clip spanning the boundary holds both
    c = [c for c in ae if c["startSec"] == 20.0][0]
    assert c["sections"] == [{"startSec": 0.0, "durSec": 10.0, "tags": tr["sections"][0]["tags"]}]
    c = [c for c in clips if c["startSec"] < 30.0 < c["startSec"] + c["durSec"] - 2][0]
    assert len(c["sections"]) == 2 and c["sections"][1]["startSec"] == pytest.approx(30.0 - c["startSec"], abs=1e-3)
    for c in clips:
        assert "energy:medium" in c["tags"] and "timbre:warm" in c["tags"] and "density:dense" in c["tags"]
        assert "tempo:moderate" in c["tags"]


def test_no_track_leaks_across_splits_in_clips():
    tracks = []
    for i in range(12):
        t = _track(split=None, dur=25.0)
        t["id"] = f"t{i}"
        tracks.append(t)
    splits = assemble.assign_splits(tracks, seed=0)
    th = {"energy": (-40, -20), "timbre": (500, 2000), "density": (1, 3)}
    seen = {}
    for t in tracks:
        t["split"] = splits[t["id"]]
        for c in assemble.make_clips(t, _feats(25.0), th):
            seen.setdefault(c["trackId"], set()).add(c["split"])
    assert all(len(s) == 1 for s in seen.values())
    assert {next(iter(seen[t["id"]])) for t in tracks} == {"train", "valid", "test"}
