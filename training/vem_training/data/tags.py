"""Tag rules: audio features → tags of the vocabulary in src/core/constants.json ("category:value").

Shared by the corpus builder and the evaluation (which applies the same rules to generated audio).

Features (all from the project's STFT front end: n_fft 1024, hop 256 at 16 kHz → 62.5 frames/s):
- loudness: mean power of the segment in dBFS (10·log10 of the mean squared sample over the frames);
- spectral centroid: magnitude-weighted mean frequency (Hz) per frame, averaged over the frames louder
  than −60 dBFS with the frame power as weight;
- onset rate: onsets per second from a spectral-flux onset detector on the log-mel (threshold relative
  to the signal's own strongest attacks, see `pick_onsets`);
- chroma: 12 pitch-class energies (65–2100 Hz), for a Krumhansl–Kessler key/mode estimate.

Rules:
- tempo:    BPM → slow / moderate / fast from constants.json `tempoClassBpm`;
- energy:   loudness below / between / above two thresholds → low / medium / high;
- timbre:   centroid below / between / above two thresholds → dark / warm / bright;
- density:  onset rate below / between / above two thresholds → sparse / moderate / dense;
- mode:     MMA pieces: from the chords; otherwise chroma-template estimate (omitted when ambiguous);
- instrument: from General-MIDI programs (MIDI sources only);
- genre:    from the MMA groove family, else from the source package (see corpus/sources.py);
- mood:     a documented heuristic from mode × tempo × energy (see `mood_tags`).

The thresholds of energy/timbre/density are the corpus tertiles (33 % / 67 %) of the section features,
measured by the corpus build and written to summary.json; `DEFAULT_THRESHOLDS` holds the values measured
on the default build so generated audio can be tagged without the corpus.
"""
from __future__ import annotations

import numpy as np

from . import audio as _audio
from .. import constants
from ..timebase import SAMPLE_RATE

# Measured tertiles (sections and 10-s windows pooled) of the default corpus build, 2026-11-26
# (training/data/corpus/tag_thresholds.json; see docs/corpus.md).
DEFAULT_THRESHOLDS = {
    "energy": (-21.21, -19.38),    # dBFS mean power
    "timbre": (1250.5, 1657.1),    # Hz spectral centroid
    "density": (3.06, 4.40),       # onsets per second
}

FRAME_RATE = constants.audio()["sampleRate"] / constants.audio()["hopLength"]

# Krumhansl-Kessler key profiles
_KK_MAJOR = np.array([6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88])
_KK_MINOR = np.array([6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17])


def vocabulary() -> list[str]:
    return constants.tag_vocabulary()


def check_tags(tags) -> list[str]:
    vocab = set(vocabulary())
    bad = [t for t in tags if t not in vocab]
    if bad:
        raise ValueError(f"tags not in the vocabulary: {bad}")
    return list(tags)


# --------------------------------------------------------------------------------------------------
# frame features
# --------------------------------------------------------------------------------------------------

def frame_features(x: np.ndarray, sr: int | None = None) -> dict:
    """Per-frame features at the mel frame rate (62.5 /s) of a mono float signal at 16 kHz.

    Returns float32 arrays: `power` (mean squared sample per frame), `centroid` (Hz),
    `flux` (onset strength), `chroma` (12, T), and `onsets` (seconds)."""
    a = constants.audio()
    if sr is not None and sr != a["sampleRate"]:
        raise ValueError(f"frame_features expects {a['sampleRate']} Hz audio, got {sr}")
    x = np.asarray(x, dtype=np.float64)
    n_fft, hop = a["nFft"], a["hopLength"]
    if len(x) <= n_fft // 2:
        x = np.pad(x, (0, n_fft // 2 + 1 - len(x)))
    mag = _audio.stft_magnitude(x)                      # (513, T)
    win = _audio.hann_window()
    spec_pow = mag ** 2
    # mean squared sample of the windowed frame (Parseval), corrected for the window's power
    full = spec_pow.sum(axis=0) * 2 - spec_pow[0] - spec_pow[-1]
    power = full / n_fft / (win ** 2).sum()
    freqs = np.linspace(0, a["sampleRate"] / 2, n_fft // 2 + 1)
    centroid = (freqs[:, None] * mag).sum(axis=0) / np.maximum(mag.sum(axis=0), 1e-20)
    mel = _audio.mel_filterbank() @ mag
    flux = onset_strength_from_mel(mel)
    chroma = chroma_from_magnitude(mag, freqs)
    onsets = pick_onsets(flux)
    return {
        "power": power.astype(np.float32),
        "centroid": centroid.astype(np.float32),
        "flux": flux.astype(np.float32),
        "chroma": chroma.astype(np.float32),
        "onsets": onsets.astype(np.float32),
    }


def onset_strength_from_mel(mel: np.ndarray, range_nepers: float = 7.0) -> np.ndarray:
    """Spectral flux of the log-mel (natural log, clipped to `range_nepers` below the signal's maximum
    so that silence does not create onsets), mean positive difference over bins, per frame."""
    lm = np.log(np.maximum(mel, 1e-10))
    lm = np.maximum(lm, lm.max() - range_nepers)
    floor = lm.max() - range_nepers
    d = np.diff(lm, axis=1, prepend=np.full((lm.shape[0], 1), floor))  # a sound at t = 0 is an onset
    return np.maximum(d, 0.0).mean(axis=0)


def pick_onsets(flux: np.ndarray, fps: float = FRAME_RATE, delta: float | None = None, wait_sec: float = 0.05,
                avg_sec: float = 0.25, rel_delta: float = 0.15, min_delta: float = 0.05) -> np.ndarray:
    """Onset times (s): local maxima of the flux (±wait) above the local mean (±avg) plus `delta`.

    By default delta = max(min_delta, rel_delta · 99th percentile of the flux of the signal): relative to
    the strongest attacks, so that compressed, dense music (metal) is not read as sparse, with an absolute
    floor so that a steady pad does not turn its small fluctuations into onsets."""
    flux = np.asarray(flux, dtype=np.float64)
    if len(flux) < 3:
        return np.zeros(0)
    if delta is None:
        delta = max(min_delta, rel_delta * float(np.percentile(flux, 99)))
    w = max(1, int(round(wait_sec * fps)))
    a = max(1, int(round(avg_sec * fps)))
    from scipy.ndimage import maximum_filter1d, uniform_filter1d

    mx = maximum_filter1d(flux, size=2 * w + 1, mode="constant")
    avg = uniform_filter1d(flux, size=2 * a + 1, mode="nearest")
    peaks = np.flatnonzero((flux == mx) & (flux >= avg + delta) & (flux > 0))
    peaks = peaks[peaks < len(flux) - 2]  # the reflect-padded last frames are not onsets
    # enforce the minimum distance (plateaus)
    out, last = [], -10 ** 9
    for p in peaks:
        if p - last > w:
            out.append(p)
            last = p
    return np.asarray(out, dtype=np.float64) / fps


def chroma_from_magnitude(mag: np.ndarray, freqs: np.ndarray, fmin: float = 65.0, fmax: float = 2100.0) -> np.ndarray:
    """(12, T) pitch-class energy (C=0) from an STFT magnitude."""
    sel = (freqs >= fmin) & (freqs <= fmax)
    midi = 69 + 12 * np.log2(freqs[sel] / 440.0)
    pc = np.mod(np.round(midi).astype(int), 12)
    m = np.zeros((12, sel.sum()))
    m[pc, np.arange(sel.sum())] = 1.0
    return m @ (mag[sel] ** 2)


# --------------------------------------------------------------------------------------------------
# segment features
# --------------------------------------------------------------------------------------------------

def segment_features(feats: dict, start_sec: float = 0.0, dur_sec: float | None = None) -> dict:
    """Aggregate frame features over [start, start+dur): loudnessDb, centroidHz, onsetRate, chroma."""
    n = len(feats["power"])
    i0 = int(np.clip(round(start_sec * FRAME_RATE), 0, n))
    i1 = n if dur_sec is None else int(np.clip(round((start_sec + dur_sec) * FRAME_RATE), i0, n))
    if i1 <= i0:
        i1 = min(n, i0 + 1)
        i0 = max(0, i1 - 1)
    p = np.asarray(feats["power"][i0:i1], dtype=np.float64)
    c = np.asarray(feats["centroid"][i0:i1], dtype=np.float64)
    loud = 10 * np.log10(max(p.mean(), 1e-12)) if len(p) else -120.0
    active = p > 1e-6  # −60 dBFS
    if active.sum() >= 1:
        centroid = float((c[active] * p[active]).sum() / p[active].sum())
    else:
        centroid = 0.0
    dur = (i1 - i0) / FRAME_RATE
    s0, s1 = i0 / FRAME_RATE, i1 / FRAME_RATE
    on = np.asarray(feats["onsets"])
    rate = float(((on >= s0) & (on < s1)).sum() / max(dur, 1e-6))
    chroma = np.asarray(feats["chroma"][:, i0:i1], dtype=np.float64).sum(axis=1)
    return {"loudnessDb": float(loud), "centroidHz": centroid, "onsetRate": rate,
            "chroma": chroma, "activeShare": float(active.mean()) if len(p) else 0.0}


# --------------------------------------------------------------------------------------------------
# rules
# --------------------------------------------------------------------------------------------------

def _three(value: float, thresholds, names, category: str) -> str:
    lo, hi = thresholds
    name = names[0] if value < lo else (names[1] if value < hi else names[2])
    return f"{category}:{name}"


def tempo_tag(bpm: float) -> str | None:
    if not bpm or bpm <= 0:
        return None
    for name, (lo, hi) in constants.load()["tempoClassBpm"].items():
        if lo <= bpm < hi:
            return f"tempo:{name}"
    return None


def energy_tag(loudness_db: float, thresholds=None) -> str:
    return _three(loudness_db, thresholds or DEFAULT_THRESHOLDS["energy"], ("low", "medium", "high"), "energy")


def timbre_tag(centroid_hz: float, thresholds=None) -> str:
    return _three(centroid_hz, thresholds or DEFAULT_THRESHOLDS["timbre"], ("dark", "warm", "bright"), "timbre")


def density_tag(onset_rate: float, thresholds=None) -> str:
    return _three(onset_rate, thresholds or DEFAULT_THRESHOLDS["density"], ("sparse", "moderate", "dense"),
                  "density")


def estimate_key(chroma12: np.ndarray) -> tuple[int, str, float, float]:
    """(tonic pitch class, 'major'|'minor', best correlation, margin over the best of the other mode)."""
    c = np.asarray(chroma12, dtype=np.float64)
    if c.sum() <= 0:
        return 0, "major", 0.0, 0.0
    c = np.log1p(c / c.max() * 100.0)
    best = {"major": (-2.0, 0), "minor": (-2.0, 0)}
    for mode, prof in (("major", _KK_MAJOR), ("minor", _KK_MINOR)):
        for k in range(12):
            r = np.corrcoef(c, np.roll(prof, k))[0, 1]
            if np.isfinite(r) and r > best[mode][0]:
                best[mode] = (r, k)
    mode = "major" if best["major"][0] >= best["minor"][0] else "minor"
    other = "minor" if mode == "major" else "major"
    return best[mode][1], mode, float(best[mode][0]), float(best[mode][0] - best[other][0])


def mode_tag_from_chroma(chroma12, min_corr: float = 0.5, min_margin: float = 0.02) -> str | None:
    """'mode:major'/'mode:minor' from a chroma template match; None when weak or ambiguous."""
    _, mode, r, margin = estimate_key(chroma12)
    if r < min_corr or margin < min_margin:
        return None
    return f"mode:{mode}"


def mode_tag_from_key(minor: bool) -> str:
    return "mode:minor" if minor else "mode:major"


# General MIDI program ranges → instrument tags
def instrument_tag_for_program(program: int, is_drum: bool = False) -> str | None:
    if is_drum:
        return "instrument:drums"
    p = int(program)
    if p <= 7:
        return "instrument:piano"
    if p <= 15:   # chromatic percussion (celesta, vibes, marimba ...)
        return "instrument:piano" if p in (8,) else None
    if p <= 23:
        return "instrument:organ"
    if p <= 31:
        return "instrument:guitar"
    if p <= 39:
        return "instrument:bass"
    if p <= 45 or p in (48, 49, 50, 51):
        return "instrument:strings"
    if p in (46,):     # harp
        return "instrument:strings"
    if p in (52, 53, 54):
        return "instrument:choir"
    if 56 <= p <= 63:
        return "instrument:brass"
    if 64 <= p <= 79:
        return "instrument:woodwinds"
    if 80 <= p <= 103:
        return "instrument:synth"
    if p in (104, 105, 106, 107):   # sitar, banjo, shamisen, koto: plucked
        return "instrument:guitar"
    if p == 109:   # bagpipe
        return "instrument:woodwinds"
    if p == 110:   # fiddle
        return "instrument:strings"
    if 112 <= p <= 119:
        return "instrument:drums"
    return None


def instrument_tags(programs) -> list[str]:
    """Sorted instrument tags for {(is_drum, program)} pairs."""
    out = set()
    for is_drum, prog in programs:
        t = instrument_tag_for_program(prog, is_drum)
        if t:
            out.add(t)
    return sorted(out)


def mood_tags(mode: str | None, tempo: str | None, energy: str | None) -> list[str]:
    """Heuristic mood from mode × tempo × energy (documented in docs/corpus.md; a weak label)."""
    m = (mode or "").split(":")[-1]
    t = (tempo or "").split(":")[-1]
    e = (energy or "").split(":")[-1]
    out = []
    if m == "major":
        if e == "high" or t == "fast":
            out.append("mood:happy" if e != "high" else "mood:energetic")
        elif e == "low" and t == "slow":
            out.append("mood:calm")
        else:
            out.append("mood:playful" if t != "slow" else "mood:romantic")
    elif m == "minor":
        if e == "high" and t == "fast":
            out.append("mood:epic")
        elif e == "high" or t == "fast":
            out.append("mood:tense")
        elif e == "low" and t == "slow":
            out.append("mood:sad")
        else:
            out.append("mood:dark" if e != "low" else "mood:dreamy")
    return out


def feature_tags(features: dict, bpm: float | None = None, thresholds: dict | None = None,
                 with_mode: bool = True) -> list[str]:
    """energy, timbre, density (and tempo, mode when available) tags of a segment's features."""
    th = dict(DEFAULT_THRESHOLDS)
    th.update(thresholds or {})
    out = [energy_tag(features["loudnessDb"], th["energy"]),
           timbre_tag(features["centroidHz"], th["timbre"]),
           density_tag(features["onsetRate"], th["density"])]
    if bpm:
        t = tempo_tag(bpm)
        if t:
            out.append(t)
    if with_mode and "chroma" in features:
        m = mode_tag_from_chroma(features["chroma"])
        if m:
            out.append(m)
    return out


def describe_audio(x: np.ndarray, sr: int = SAMPLE_RATE, bpm: float | None = None, thresholds: dict | None = None) -> dict:
    """Features and tags of a whole signal (for the evaluation of generated audio)."""
    feats = frame_features(x, sr)
    seg = segment_features(feats)
    tags = feature_tags(seg, bpm=bpm, thresholds=thresholds)
    return {"features": {k: v for k, v in seg.items() if k != "chroma"}, "tags": tags}


def sort_tags(tags) -> list[str]:
    """Unique tags in vocabulary order."""
    order = {t: i for i, t in enumerate(vocabulary())}
    return sorted(set(tags), key=lambda t: order.get(t, 10 ** 6))


FEATURE_CATEGORIES = ("energy", "timbre", "density")
_NO_CHROMA = np.zeros((12, 0), np.float32)  # slices to empty: segment_features' chroma sums to zeros


def retag_segment(tags, feats: dict, start_sec: float, dur_sec: float, thresholds: dict | None = None) -> list[str]:
    """`tags` with its energy, timbre and density replaced by those measured on [start, start+dur) of a
    track's frame features (power, centroid, onsets; chroma not needed): a storyboard's tags describe the
    audio under it, as in the app a storyboard's tags describe its shot."""
    f = segment_features(feats if "chroma" in feats else {**feats, "chroma": _NO_CHROMA}, start_sec, dur_sec)
    measured = feature_tags(f, thresholds=thresholds, with_mode=False)
    kept = [t for t in tags if t.split(":", 1)[0] not in FEATURE_CATEGORIES]
    return sort_tags(kept + measured)
