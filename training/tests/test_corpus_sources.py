"""Recorded sources added after the corpus was first drawn (MusicSource.core False) add training music only:
the tag thresholds, the held-out vocoder clips and the benchmark's tracks stay those of the core sources."""
import json

import numpy as np
import soundfile as sf

from vem_training.corpus import assemble, sources
from vem_training.corpus.tracks import _write_outputs
from vem_training.data.crops import held_out_clips
from vem_training.timebase import SAMPLE_RATE


def test_added_sources_are_marked_and_filtered_to_their_music():
    added = [s for s in sources.RECORDED_SOURCES if not s.core]
    assert {s.name for s in added} == {"supertux-data", "hedgewars-data", "naev-data"}
    assert all(s.music_dir for s in added)
    assert sources.is_core("nexuiz-music") and sources.is_core("mma") and not sources.is_core("naev-data")
    # a source's later position in the list keeps the earlier sources' draws: the core ones come first
    kinds = [s.core for s in sources.RECORDED_SOURCES]
    assert kinds == sorted(kinds, reverse=True)


def _corpus(tmp_path):
    rng = np.random.default_rng(0)
    t = np.arange(40 * SAMPLE_RATE) / SAMPLE_RATE
    tracks = {"nexuiz-a": ("nexuiz-music", 0.02), "nexuiz-b": ("nexuiz-music", 0.05),
              "naev-loud": ("naev-data", 0.9)}
    metas, index = [], []
    for tid, (src, amp) in tracks.items():
        x = amp * np.sin(2 * np.pi * 440 * t) + 0.01 * amp * rng.standard_normal(len(t))
        _write_outputs(tmp_path, tid, x.astype(np.float32))
        metas.append({"id": tid, "source": src, "durationSec": 40.0,
                      "sections": [{"startSec": 0.0, "durSec": 40.0}]})
        index.append({"id": tid, "source": src, "kind": "recorded", "split": "test"})
    (tmp_path / "index.json").write_text(json.dumps({"version": 1, "tracks": index}))
    return metas


def test_added_sources_change_neither_thresholds_nor_the_held_out_draw(tmp_path):
    metas = _corpus(tmp_path)
    th_all, feats = assemble.compute_thresholds(tmp_path, metas)
    th_core, _ = assemble.compute_thresholds(tmp_path, [m for m in metas if m["id"] != "naev-loud"])
    assert th_all == th_core and "naev-loud" in feats  # the added track is tagged, with the core tertiles
    clips = held_out_clips(tmp_path, 6, seconds=5.0)
    assert clips and {tid for tid, _ in clips} == {"nexuiz-a", "nexuiz-b"}
    x, sr = sf.read(str(tmp_path / "audio" / "naev-loud.wav"))
    assert sr == SAMPLE_RATE and np.abs(x).max() > 0.5  # it was there to be drawn
