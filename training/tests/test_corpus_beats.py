"""Beat ground truth from MIDI tempo maps, and the beat F-measure."""
import mido
import numpy as np
import pytest

from vem_training.data import beats


def _midi(tmp_path, events, tpb=480, name="t.mid"):
    """events: [(abs_tick, message)] on one track."""
    mid = mido.MidiFile(ticks_per_beat=tpb)
    tr = mido.MidiTrack()
    mid.tracks.append(tr)
    last = 0
    for tick, msg in sorted(events, key=lambda e: e[0]):
        tr.append(msg.copy(time=tick - last))
        last = tick
    tr.append(mido.MetaMessage("end_of_track", time=0))
    p = tmp_path / name
    mid.save(str(p))
    return p


def _notes(ticks, ch=0, note=60):
    ev = []
    for t in ticks:
        ev.append((t, mido.Message("note_on", channel=ch, note=note, velocity=90)))
        ev.append((t + 100, mido.Message("note_off", channel=ch, note=note, velocity=0)))
    return ev


def test_tempo_map_with_tempo_change(tmp_path):
    tpb = 480
    ev = [(0, mido.MetaMessage("set_tempo", tempo=500000)),          # 120 BPM
          (0, mido.MetaMessage("time_signature", numerator=4, denominator=4)),
          (8 * tpb, mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(90)))]  # after 2 bars: 90 BPM
    ev += _notes([k * tpb for k in range(16)])
    g = beats.midi_beat_grid(_midi(tmp_path, ev, tpb))
    expect = [k * 0.5 for k in range(9)] + [4.0 + k * (60 / 90) for k in range(1, 8)]
    assert np.allclose(g.beats[:16], expect, atol=1e-6)
    assert np.allclose(g.downbeats[:4], [0.0, 2.0, 4.0, 4.0 + 4 * 60 / 90], atol=1e-6)
    assert g.tempo_changes[0][1] == pytest.approx(120.0)
    assert g.tempo_changes[-1] == (pytest.approx(4.0), pytest.approx(90.0))


def test_three_four_and_compound_meter(tmp_path):
    tpb = 96
    ev = [(0, mido.MetaMessage("set_tempo", tempo=500000)),
          (0, mido.MetaMessage("time_signature", numerator=3, denominator=4)),
          (6 * tpb, mido.MetaMessage("time_signature", numerator=6, denominator=8))]
    ev += _notes([k * tpb for k in range(12)])
    g = beats.midi_beat_grid(_midi(tmp_path, ev, tpb))
    # two 3/4 bars (beats every 0.5 s), then 6/8 bars: dotted-quarter beats (0.75 s), 2 per bar
    assert np.allclose(g.beats[:8], [0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.75], atol=1e-6)
    assert np.allclose(g.downbeats[:4], [0.0, 1.5, 3.0, 4.5], atol=1e-6)


def test_tempo_map_on_a_second_track(tmp_path):
    """Type-1 files keep the tempo map in track 0 and the notes elsewhere."""
    mid = mido.MidiFile(ticks_per_beat=100)
    t0, t1 = mido.MidiTrack(), mido.MidiTrack()
    t0.append(mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(150), time=0))
    t0.append(mido.MetaMessage("end_of_track", time=0))
    for k in range(8):
        t1.append(mido.Message("note_on", note=40, velocity=80, time=0 if k == 0 else 90))
        t1.append(mido.Message("note_off", note=40, velocity=0, time=10))
    mid.tracks += [t0, t1]
    p = tmp_path / "two.mid"
    mid.save(str(p))
    g = beats.midi_beat_grid(p)
    assert g.bpm() == pytest.approx(150.0)
    assert np.allclose(g.beats[:8], np.arange(8) * 0.4, atol=1e-6)


def test_midi_programs_window(tmp_path):
    ev = [(0, mido.MetaMessage("set_tempo", tempo=500000)),
          (0, mido.Message("program_change", channel=0, program=0)),
          (0, mido.Message("program_change", channel=1, program=56))]
    ev += _notes([0, 480], ch=0) + _notes([4 * 480], ch=1) + _notes([0], ch=9, note=36)
    p = _midi(tmp_path, ev)
    assert beats.midi_programs(p, 0, 1.5) == {(False, 0), (True, 0)}
    assert beats.midi_programs(p, 1.5, 10) == {(False, 56)}


def test_f_measure_known_cases():
    ref = np.arange(0, 10, 0.5)
    assert beats.f_measure(ref, ref) == 1.0
    assert beats.f_measure(ref, ref + 0.05) == 1.0           # inside ±70 ms
    assert beats.f_measure(ref, ref + 0.1) == 0.0            # outside
    assert beats.f_measure(ref, ref[::2]) == pytest.approx(2 * 10 / 30)   # half the beats
    assert beats.f_measure([], []) == 1.0
    assert beats.f_measure(ref, []) == 0.0
    # one-to-one: two estimates near one reference count once
    assert beats.match_events([1.0], [0.97, 1.03]) == 1
    assert beats.f_measure([1.0], [0.97, 1.03]) == pytest.approx(2 / 3)
    # the closest pairs win: est 1.06 belongs to ref 1.1 not 1.0 when 1.0 has 0.99
    assert beats.match_events([1.0, 1.1], [0.99, 1.06]) == 2
    # double tempo estimate: precision 0.5
    assert beats.f_measure(ref, np.arange(0, 10, 0.25)) == pytest.approx(2 * 20 / 60)


def test_fold_fast_tempo_to_half_time():
    b = np.arange(0, 20, 60 / 200)                 # 200 BPM, 4/4
    d = b[::4]
    fb, fd, n = beats.fold_to_range(b, d)
    assert n == 1 and beats.bpm_from_beats(fb) == pytest.approx(100)
    assert set(np.round(fd, 6)) <= set(np.round(fb, 6))
    b3 = np.arange(0, 20, 60 / 200)                # 200 BPM in 3/4: halving would break the bars
    fb3, _, n3 = beats.fold_to_range(b3, b3[::3])
    assert n3 == 0 and len(fb3) == len(b3)
    slow = np.arange(0, 10, 0.5)
    assert beats.fold_to_range(slow, slow[::4])[2] == 0
