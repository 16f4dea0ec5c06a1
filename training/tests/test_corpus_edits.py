"""Edited videos: transition labels, on/off-beat placement, target = transition ∩ beat."""
import numpy as np
import pytest
from PIL import Image

from vem_training.corpus import edit_frames, edits

FPS = edits.FPS


@pytest.fixture()
def media(tmp_path):
    root = tmp_path / "pkgs"
    (root / "pkg").mkdir(parents=True)
    out = []
    for i, color in enumerate([(255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 0), (0, 255, 255)]):
        # a distinct colour plus a gentle gradient so that camera motion changes the frame a little
        arr = np.zeros((300, 480, 3), np.float64) + np.asarray(color, np.float64) * 0.8
        arr += np.linspace(0, 50, 480)[None, :, None]
        Image.fromarray(arr.round().astype(np.uint8)).save(root / "pkg" / f"img{i}.png")
        out.append({"rel": f"pkg/img{i}.png", "kind": "image", "source": f"src{i % 2}", "w": 480, "h": 300, "dur": 0.0})
    return root, out


def _track(bpm=100.0, dur=40.0, split="test"):
    beats = np.arange(0.3, dur, 60 / bpm)
    return {"id": "trk", "split": split, "durationSec": dur, "beatsSec": beats.round(4).tolist(),
            "downbeatsSec": beats[::4].round(4).tolist()}


def test_plan_places_cuts_on_and_off_the_beats(media):
    _, med = media
    n_on = n_off = 0
    for k in range(12):
        spec = edits.plan_edit(f"e{k}", _track(bpm=90 + 6 * k), med, (12.0, 20.0), seed=1)
        assert spec is not None and spec["split"] == "test" and spec["trackId"] == "trk"
        assert 12.0 - 1 / FPS <= spec["durSec"] <= 20.0
        beats = np.asarray(spec["beatsRelSec"])
        assert len(spec["cuts"]) == len(spec["transitions"]) == len(spec["shots"]) - 1
        prev_end = 0.0
        for c, t in zip(spec["cuts"], spec["transitions"]):
            assert c["timeSec"] == pytest.approx(t["frame"] / FPS)
            d = np.min(np.abs(beats - c["timeSec"]))
            if c["onBeat"]:
                n_on += 1
                assert t["frame"] in set(np.round(beats * FPS).astype(int))   # on a beat frame
            else:
                n_off += 1
                assert d >= edits.OFF_BEAT_MIN_SEC - 1e-9                   # ≥ 150 ms from any beat
            if c["kind"] == "gradual":
                assert 0.3 - 1e-9 <= c["durSec"] <= 1.0 + 1e-9
                assert c["timeSec"] - c["durSec"] / 2 >= prev_end - 1e-9      # windows do not overlap
            else:
                assert c["durSec"] == 0.0
            prev_end = c["timeSec"] + c["durSec"] / 2
    share = n_on / (n_on + n_off)
    assert 0.6 <= share <= 0.9, share


def test_rendered_labels_and_frames(media):
    root, med = media
    spec = edits.plan_edit("e0", _track(bpm=120), med, (12.0, 14.0), seed=3)
    frames, lab = edit_frames.render_frames(spec, edits.AW, edits.AH, root)
    n = spec["nFrames"]
    assert frames.shape == (n, edits.AH, edits.AW, 3) and frames.dtype == np.uint8
    for k in ("transition", "beat", "target", "gradual"):
        assert lab[k].shape == (n,) and lab[k].dtype == np.uint8
    assert np.array_equal(lab["target"], lab["transition"] & lab["beat"])
    assert sorted(np.flatnonzero(lab["transition"]).tolist()) == [t["frame"] for t in spec["transitions"]]
    assert np.flatnonzero(lab["beat"]).tolist() == sorted(set(
        int(round(b * FPS)) for b in spec["beatsRelSec"] if 0 <= round(b * FPS) < n))
    on = [t["frame"] for t in spec["transitions"] if t["onBeat"]]
    assert np.flatnonzero(lab["target"]).tolist() == on
    # a hard cut between two different images changes the picture at exactly that frame
    diffs = np.abs(np.diff(frames.astype(np.int16), axis=0)).mean(axis=(1, 2, 3))
    for t, (a, b) in zip(spec["transitions"], zip(spec["shots"][:-1], spec["shots"][1:])):
        if t["kind"] == "cut" and a["media"] != b["media"]:
            f = t["frame"]
            assert diffs[f - 1] > 20 and diffs[f - 1] > 5 * np.median(diffs)
        if t["kind"] == "gradual":
            g = np.flatnonzero(lab["gradual"])
            assert t["frame"] in g


def test_dissolve_blends_the_two_shots(media):
    root, med = media
    spec = {"editId": "x", "nFrames": 32, "fps": FPS, "beatsRelSec": [0.0, 0.5, 1.0, 1.5],
            "transitions": [{"frame": 16, "timeSec": 1.0, "kind": "gradual", "style": "dissolve", "durSec": 0.5,
                             "onBeat": True}],
            "shots": [{"media": "pkg/img0.png", "kind": "image", "startSec": 0.0, "endSec": 1.25,
                       "motion": {"type": "static", "c0": (0.5, 0.5), "c1": (0.5, 0.5), "s0": 1.0, "s1": 1.0}},
                      {"media": "pkg/img2.png", "kind": "image", "startSec": 0.75, "endSec": 2.0,
                       "motion": {"type": "static", "c0": (0.5, 0.5), "c1": (0.5, 0.5), "s0": 1.0, "s1": 1.0}}]}
    frames, lab = edit_frames.render_frames(spec, 112, 64, root)
    red = frames[..., 0].mean(axis=(1, 2))     # img0 is red, img2 blue
    assert red[0] > 200 and red[-1] < 60
    g = np.flatnonzero(lab["gradual"])
    assert g.tolist() == list(range(12, 20))
    assert np.all(np.diff(red[11:21]) < 0)      # monotone cross-fade
    assert lab["target"].tolist() == lab["transition"].tolist() and lab["transition"][16] == 1
