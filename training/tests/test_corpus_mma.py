"""MMA → MIDI → fluidsynth: the rendered audio follows the MIDI beat grid; sections are known."""
import numpy as np
import pytest

from conftest import requires_midi_tools
from vem_training.corpus import audio_io, mma, tracks
from vem_training.data import beats, tags

pytestmark = requires_midi_tools


def _metronome_mid(tmp_path, bpm=120, bars=4):
    text = f"Tempo {bpm}\nGroove Metronome4\n" + "".join(f"{b + 1} C\n" for b in range(bars))
    return mma.run_mma(text, tmp_path / "metro.mid")


def test_rendered_onsets_sit_on_the_midi_beats(tmp_path):
    mid = _metronome_mid(tmp_path, bpm=120, bars=4)
    grid = beats.midi_beat_grid(mid)
    assert np.allclose(grid.beats[:16], np.arange(16) * 0.5, atol=1e-6)
    assert np.allclose(grid.downbeats[:4], [0, 2, 4, 6], atol=1e-6)
    x = audio_io.render_midi(mid, "fluidr3")
    assert 7.5 < len(x) / audio_io.SR < 12
    onsets = tags.frame_features(x.astype(np.float64))["onsets"]
    ref = grid.beats[grid.beats < len(x) / audio_io.SR - 0.2]
    # every beat has an onset within 35 ms (frame hop is 16 ms) and almost no onset is off the grid
    d = np.array([np.min(np.abs(onsets - b)) for b in ref])
    assert (d <= 0.035).all(), d
    assert beats.f_measure(ref, onsets, tol=0.035) > 0.9


def test_madmom_tracks_the_rendered_beats(tmp_path):
    mid = _metronome_mid(tmp_path, bpm=100, bars=4)
    grid = beats.midi_beat_grid(mid)
    x = audio_io.render_midi(mid, "musescore")
    est, down = beats.track_beats(x, audio_io.SR, downbeats=False)
    ref = grid.beats[grid.beats < len(x) / audio_io.SR]
    assert beats.f_measure(ref, est) >= 0.85


def test_piece_sections_follow_the_bars(tmp_path):
    piece = mma.make_piece("t", seed=3, families=["stdlib/basicrock"], max_bars=14)
    assert sum(s.bars for s in piece.sections) <= 14
    text = mma.to_mma(piece)
    assert "Groove" in text and "MidiMark S0" in text
    mid = mma.run_mma(text, tmp_path / "p.mid")
    grid = beats.midi_beat_grid(mid)
    marks = tracks._markers(mid)
    starts = mma.section_bar_starts(piece)
    spb = 60.0 / piece.bpm * piece.beats_per_bar
    for i in range(len(piece.sections)):
        # each section starts on the downbeat of its first bar
        assert marks[f"S{i}"] == pytest.approx(starts[i] * spb, abs=1e-3)
        assert np.min(np.abs(grid.downbeats - marks[f"S{i}"])) < 1e-3
    assert grid.bpm() == pytest.approx(piece.bpm, rel=1e-4)  # tempo is stored in whole µs


def test_process_mma_writes_a_consistent_track(tmp_path):
    meta = tracks.process_mma({"out": str(tmp_path), "id": "mma-t", "seed": 11, "soundfont": "fluidr3",
                               "max_bars": 6})
    dur = meta["durationSec"]
    assert (tmp_path / "audio" / "mma-t.wav").exists()
    mel = np.load(tmp_path / "mels" / "mma-t.npy")
    assert mel.dtype == np.float16 and mel.shape == (64, int(dur * 16000) // 256 + 1)
    assert meta["beatSource"] == "midi"
    b = np.asarray(meta["beatsSec"])
    assert np.allclose(np.diff(b), 60.0 / meta["bpm"], atol=1e-3)
    assert set(np.round(meta["downbeatsSec"], 3)) <= set(np.round(b, 3))
    secs = meta["sections"]
    assert secs[0]["startSec"] == 0
    assert sum(s["durSec"] for s in secs) == pytest.approx(dur, abs=1e-3)
    for s in secs:
        assert any(t.startswith("genre:") for t in s["fixedTags"])
        assert any(t.startswith("mode:") for t in s["fixedTags"])
        tags.check_tags(s["fixedTags"])


def test_every_family_groove_exists():
    for fam in mma.FAMILIES:
        g = mma.family_grooves(fam)
        assert g["base"], fam


def test_recorded_track_with_a_tempo_map(tmp_path):
    """A 'recording' (an Ogg file) with a Frets-on-Fire-style tempo map: beats from the map, madmom
    checked against it, and the excerpt written as 16 kHz PCM16 with its mel."""
    import subprocess

    import mido

    mid = _metronome_mid(tmp_path, bpm=120, bars=5)
    x = audio_io.render_midi(mid, "fluidr3")
    wav = tmp_path / "song.wav"
    audio_io.write_wav(wav, x)
    ogg = tmp_path / "song.ogg"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(wav), "-ar", "44100", "-c:a", "libvorbis", str(ogg)],
                   check=True)
    # the chart's tempo map: 120 BPM, no notes needed
    tm = mido.MidiFile(ticks_per_beat=480)
    tr = mido.MidiTrack()
    tr.append(mido.MetaMessage("set_tempo", tempo=500000, time=0))
    tr.append(mido.MetaMessage("end_of_track", time=480 * 20))
    tm.tracks.append(tr)
    tm.save(str(tmp_path / "notes.mid"))
    meta = tracks.process_recorded({"out": str(tmp_path / "c"), "id": "rec-t", "source": "fretsonfire-songs-sectoid",
                                    "paths": [str(ogg)], "tempomap": str(tmp_path / "notes.mid")})
    assert meta["kind"] == "recorded" and meta["beatSource"] == "tempomap"
    assert np.allclose(meta["beatsSec"][:8], np.arange(8) * 0.5)
    assert meta["bpm"] == pytest.approx(120.0)
    assert meta["madmomCheck"]["reference"] == "tempomap" and meta["madmomCheck"]["fBeat"] >= 0.85
    assert "genre:rock" in meta["fixedTags"]
    mel = np.load(tmp_path / "c" / "mels" / "rec-t.npy")
    assert mel.shape[0] == 64 and abs(mel.shape[1] - meta["durationSec"] * 62.5) < 2
