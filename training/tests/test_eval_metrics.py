"""The evaluation metrics on cases with known answers (issue: evaluation)."""
import json

import numpy as np
import pytest

from vem_training.evaluate import bench as evaluate_bench, metrics as em

BEATS = np.arange(0.5, 10.0, 0.5)


def test_iou_identical_is_one_and_shift_beyond_tolerance_is_zero():
    assert em.tb_iou(BEATS, BEATS) == 1.0
    assert em.b_iou(BEATS, BEATS) == 1.0
    sparse = np.arange(0.0, 20.0, 2.0)  # 2 s apart: a 0.6 s shift matches nothing
    assert em.b_iou(sparse + 0.6, sparse) == 0.0
    assert em.b_iou(sparse + 0.4, sparse) == 1.0  # within the paper's 0.5 s


def test_iou_counts_one_to_one_matches():
    # 2 transitions, 4 beats, both transitions on beats: |M| = 2 → 2 / (2 + 4 − 2)
    assert em.tb_iou([1.0, 3.0], [1.0, 2.0, 3.0, 4.0]) == pytest.approx(0.5)
    # two transitions near one beat match it once
    assert em.tb_iou([1.0, 1.1], [1.0]) == pytest.approx(0.5)
    assert em.event_iou([], []) == 1.0
    assert em.event_iou([1.0], []) == 0.0


def test_hit_rate_uses_70ms():
    assert em.tb_hit([1.0, 2.0], [1.06, 2.08]) == pytest.approx(0.5)
    assert em.tb_hit([1.0], []) == 0.0
    assert em.tb_hit([], [1.0]) is None


def test_beat_f_measure():
    assert em.beat_f(BEATS, BEATS) == 1.0
    assert em.beat_f(BEATS, BEATS + 0.1) == 0.0
    assert em.beat_f(BEATS, BEATS[::2]) == pytest.approx(2 * 10 / (19 + 10))


def test_weighted_agreement_weights_by_duration_and_skips_unrequested():
    secs = [{"startSec": 0, "durSec": 3, "tags": ["energy:high", "timbre:dark"]},
            {"startSec": 3, "durSec": 1, "tags": ["energy:low"]},
            {"startSec": 4, "durSec": 5, "tags": ["mood:calm"]}]
    got = [{"energy": "energy:high", "timbre": "timbre:bright"}, {"energy": "energy:low", "timbre": "timbre:dark"},
           {"energy": "energy:low", "timbre": "timbre:dark"}]
    # matched: 3 (energy, s0) + 1 (energy, s1); asked: 3 + 3 + 1
    assert em.weighted_agreement(secs, got) == pytest.approx(4 / 7)
    assert em.weighted_agreement(secs[2:], got[2:]) is None


def test_tag_agreement_on_audio_follows_loudness():
    sr = 16000
    t = np.arange(4 * sr) / sr
    rng = np.random.default_rng(0)
    noise = rng.standard_normal(len(t)).astype(np.float32)
    y = np.concatenate([0.3 * noise[: 2 * sr], 0.003 * noise[2 * sr:]])
    secs = [{"startSec": 0, "durSec": 2, "tags": ["energy:high"]}, {"startSec": 2, "durSec": 2, "tags": ["energy:low"]}]
    assert em.tag_agreement(y, secs, None) == 1.0
    flipped = [{**secs[0], "tags": ["energy:low"]}, {**secs[1], "tags": ["energy:high"]}]
    assert em.tag_agreement(y, flipped, None) == 0.0


def test_tag_order_counts_pairs_ordered_as_requested_whatever_the_overall_level():
    sr = 16000
    rng = np.random.default_rng(1)
    noise = rng.standard_normal(6 * sr).astype(np.float32)
    # three 2-s storyboards at rising level, all far below any absolute "high" threshold
    y = np.concatenate([0.001 * noise[:2 * sr], 0.003 * noise[2 * sr:4 * sr], 0.01 * noise[4 * sr:]])
    secs = [{"startSec": 2 * k, "durSec": 2, "tags": [f"energy:{e}"]} for k, e in enumerate(("low", "medium", "high"))]
    assert em.tag_order(y, secs) == 1.0
    assert em.tag_agreement(y, secs, None) < 1.0  # the absolute rule calls most of it low
    rev = [{**s, "tags": [f"energy:{e}"]} for s, e in zip(secs, ("high", "medium", "low"))]
    assert em.tag_order(y, rev) == 0.0
    same = [{**s, "tags": ["energy:medium"]} for s in secs]
    assert em.tag_order(y, same) is None  # no pair asks for a difference
    # timbre pairs use the centroid: a low sine under "dark", a high one under "bright"
    t = np.arange(2 * sr) / sr
    y2 = np.concatenate([0.1 * np.sin(2 * np.pi * 300 * t), 0.1 * np.sin(2 * np.pi * 3000 * t)]).astype(np.float32)
    tim = [{"startSec": 0, "durSec": 2, "tags": ["timbre:dark"]},
           {"startSec": 2, "durSec": 2, "tags": ["timbre:bright"]}]
    assert em.tag_order(y2, tim) == 1.0


def test_click_track_beats_are_found_by_the_reference_tracker():
    grid = np.arange(0.5, 15.0, 0.5)
    y = em.click_track(grid, 4, 16.0)
    from vem_training.data import beats
    est = beats.track_beats(y, 16000, downbeats=False)[0]
    assert em.beat_f(grid, est) > 0.9


def test_score_request_end_to_end(tmp_path):
    """A tiny request: ground truth = clicks on the cuts, 'full' = the same audio → its hit rate equals the
    ground truth's, 'random' = silence-ish noise scores lower."""
    import soundfile as sf
    sr = 16000
    dur = 12.0
    grid = np.arange(0.5, dur, 0.5)
    cuts = [2.0, 4.0, 6.5, 9.0]
    clicks = em.click_track(grid, 4, dur)
    rng = np.random.default_rng(1)
    sf.write(tmp_path / "v.wav", clicks, sr)
    sf.write(tmp_path / "v.random.wav", (0.05 * rng.standard_normal(int(dur * sr))).astype(np.float32), sr)
    sf.write(tmp_path / "v.full.wav", clicks, sr)
    (tmp_path / "v.cuts.json").write_text(json.dumps({"cutsSec": cuts}))
    rep = {"videoDurationSec": dur, "transitions": [],
           "storyboards": [{"startSec": 0, "durSec": dur, "tags": ["energy:low"]}],
           "plannedBeatsSec": grid.tolist(), "timings": {"totalSec": 1.2}}
    (tmp_path / "v.full.json").write_text(json.dumps(rep))
    req = {"runDir": str(tmp_path), "benchDir": str(tmp_path), "modelSets": [{"name": "full", "sha256": {}}],
           "videos": [{"id": "v", "groundTruthWav": str(tmp_path / "v.wav"),
                       "randomWav": str(tmp_path / "v.random.wav"),
                       "cutsJson": str(tmp_path / "v.cuts.json"),
                       "rows": {"full": {"wav": str(tmp_path / "v.full.wav"), "json": str(tmp_path / "v.full.json")}}}]}
    res = evaluate_bench.score(req, None)
    rows = res["rows"]
    assert set(rows) == {"groundTruth", "randomMusic", "clickTrack", "full"}
    assert rows["full"]["tbHit70"] == rows["groundTruth"]["tbHit70"] > 0.7
    assert rows["full"]["beatF"] == 1.0 and rows["full"]["bIoU"] == 1.0
    assert rows["randomMusic"]["tbHit70"] < rows["full"]["tbHit70"]
    assert rows["full"]["genSecPerSec"] == pytest.approx(0.1)
    assert rows["groundTruth"]["fd"] == 0.0
    assert (tmp_path / "beats-madmom.json").exists()


def test_write_doc_writes_the_table_and_keeps_the_hand_written_notes(tmp_path):
    res = {"rows": {"full": {m: 0.5 for m in evaluate_bench.METRICS}},
           "videos": [{"id": "v", "durSec": 10.0, "cuts": 3, "cutSource": "ground truth",
                       "rows": {"full": {"tbHit70": 0.5, "tbIoU": 0.25, "beatF": None, "tagAgreement": 1.0}}}],
           "scoreSec": 60.0}
    req = {"modelSets": [{"name": "full", "sha256": {"denoiser": "ab" * 32}}], "date": "2026-11-26T08:00:00Z",
           "commit": "c0ffee", "generateSec": 30.0, "videos": [{"id": "v"}],
           "machine": {"cpu": "cpu", "cores": 2, "memGiB": 24, "os": "linux", "runtime": "node"},
           "settings": {"steps": 20, "sampler": "ddim", "eta": 0.5, "guidance": 2.5, "rhythmGuidance": None, "seed": 0}}
    doc = tmp_path / "evaluation.md"
    evaluate_bench.write_doc(doc, req, res)
    text = doc.read_text()
    assert "| full | 0.500 |" in text and "commit `c0ffee`" in text and "denoiser `abababababab`" in text
    doc.write_text(text + "\n" + evaluate_bench.NOTES_MARKER + "\n\nhand-written\n")
    evaluate_bench.write_doc(doc, req, res)
    again = doc.read_text()
    assert again.count("| full | 0.500 |") == 1 and again.endswith("hand-written\n")
