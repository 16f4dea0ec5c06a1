"""The benchmark's hard cases are what they say (no corpus needed: the specs only)."""
import numpy as np

from vem_training.corpus import edits
from vem_training.evaluate import bench_set

TRACK = {"id": "t", "split": "test", "durationSec": 90.0, "beatsSec": list(np.arange(0, 90, 0.5))}
MEDIA = [{"rel": f"img{k}.png", "kind": "image", "source": f"s{k % 2}", "w": 1280, "h": 720, "dur": 0.0}
         for k in range(6)]


def test_fast_cut_spec_cuts_every_quarter_second_with_a_shot_per_cut():
    s = bench_set._fast_cut_spec("fast", TRACK, MEDIA, 12.0, 4, np.random.default_rng(0), 10.0)
    times = np.array([c["timeSec"] for c in s["cuts"]])
    assert np.allclose(np.diff(times), 4 / edits.FPS)
    assert len(s["shots"]) == len(s["cuts"]) + 1
    assert all(a["media"] != b["media"] for a, b in zip(s["shots"], s["shots"][1:]))
    assert s["nFrames"] == 12 * edits.FPS and s["musicStartSec"] == 10.0
    # beats relative to the music start, inside the video
    assert s["beatsRelSec"][0] == 0.0 and max(s["beatsRelSec"]) < 12.0


def test_still_spec_has_no_transitions_and_one_moving_shot():
    s = bench_set._still_spec("still", TRACK, MEDIA, 30.0, np.random.default_rng(1), 5.0)
    assert s["cuts"] == [] and s["transitions"] == []
    assert len(s["shots"]) == 1 and s["shots"][0]["endSec"] == 30.0 and "motion" in s["shots"][0]


def test_footage_spec_avoids_the_clips_own_cuts():
    vids = [{"rel": "v.mp4", "kind": "video", "source": "s", "w": 640, "h": 360, "dur": 40.0, "cuts": [3.0, 20.0]}]
    s = bench_set._footage_spec("footage", TRACK, vids, 15.0, np.random.default_rng(0), 0.0)
    off = s["shots"][0]["videoOffsetSec"]
    assert not any(off - 0.2 <= c <= off + 15.2 for c in (3.0, 20.0))
    assert bench_set._footage_spec("x", TRACK, vids, 30.0, np.random.default_rng(0), 0.0) is None
