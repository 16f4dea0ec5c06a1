"""Audio I/O for the corpus: ffmpeg decoding, fluidsynth rendering, PCM16 WAV writing, level."""
from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

import numpy as np

from ..timebase import SAMPLE_RATE

SR = SAMPLE_RATE
SOUNDFONTS = {
    "fluidr3": "/usr/share/sounds/sf2/FluidR3_GM.sf2",
    "musescore": "/usr/share/sounds/sf3/MuseScore_General_Lite.sf3",
}


def decode(path, sr: int = SR, max_sec: float | None = None, start_sec: float = 0.0) -> np.ndarray:
    """Mono float32 samples of any file ffmpeg reads, resampled to `sr`."""
    cmd = ["ffmpeg", "-v", "error", "-nostdin"]
    if start_sec > 0:
        cmd += ["-ss", f"{start_sec:.3f}"]
    cmd += ["-i", str(path)]
    if max_sec is not None:
        cmd += ["-t", f"{max_sec:.3f}"]
    cmd += ["-vn", "-ac", "1", "-ar", str(sr), "-f", "f32le", "-"]
    res = subprocess.run(cmd, capture_output=True)
    if res.returncode != 0:
        raise RuntimeError(f"ffmpeg failed on {path}: {res.stderr.decode(errors='replace')[-500:]}")
    return np.frombuffer(res.stdout, dtype="<f4").copy()


def render_midi(mid_path, soundfont: str, sr: int = SR, gain: float = 0.5) -> np.ndarray:
    """fluidsynth → mono float32 at `sr` (the MIDI file's own timing, sample-exact from t=0)."""
    sf_path = SOUNDFONTS.get(soundfont, soundfont)
    with tempfile.TemporaryDirectory() as td:
        out = Path(td) / "r.wav"
        cmd = ["fluidsynth", "-ni", "-q", "-g", str(gain), "-r", str(sr), "-F", str(out), sf_path, str(mid_path)]
        res = subprocess.run(cmd, capture_output=True)
        if res.returncode != 0 or not out.exists():
            raise RuntimeError(f"fluidsynth failed on {mid_path}: {res.stderr.decode(errors='replace')[-500:]}")
        import soundfile as sf

        x, r = sf.read(str(out), dtype="float32", always_2d=True)
    if r != sr:
        raise RuntimeError(f"fluidsynth wrote {r} Hz, expected {sr}")
    return x.mean(axis=1)


def normalize(x: np.ndarray, target_dbfs: float = -20.0, peak: float = 0.98) -> np.ndarray:
    """Scales so that the mean power of the active (> −50 dB relative) 100-ms frames is target dBFS,
    limited so the peak stays ≤ `peak` (keeps the piece's internal dynamics)."""
    x = np.asarray(x, dtype=np.float32)
    if len(x) == 0:
        return x
    n = len(x) // 1600 * 1600
    if n == 0:
        return x
    fr = (x[:n].reshape(-1, 1600).astype(np.float64) ** 2).mean(axis=1)
    active = fr > fr.max() * 1e-5
    p = fr[active].mean() if active.any() else fr.mean()
    if p <= 0:
        return x
    g = 10 ** (target_dbfs / 20) / np.sqrt(p)
    pk = np.abs(x).max()
    if pk * g > peak:
        g = peak / pk
    return (x * g).astype(np.float32)


def limit_peak(x: np.ndarray, peak: float = 0.98) -> np.ndarray:
    pk = float(np.abs(x).max()) if len(x) else 0.0
    return (x * (peak / pk)).astype(np.float32) if pk > peak else np.asarray(x, dtype=np.float32)


def write_wav(path, x: np.ndarray, sr: int = SR) -> None:
    import soundfile as sf

    path = Path(path)
    tmp = path.with_name(path.name + ".tmp.wav")
    sf.write(str(tmp), np.clip(x, -1, 1), sr, subtype="PCM_16")
    os.replace(tmp, path)


def read_wav(path) -> np.ndarray:
    import soundfile as sf

    x, _ = sf.read(str(path), dtype="float32", always_2d=True)
    return x.mean(axis=1)
