"""The log-mel front end, identical to src/core/audio/mel.ts (tested against each other).

Centre-padded (reflect) STFT with a periodic Hann window, magnitude spectrum, Slaney mel
filterbank with Slaney area normalisation, natural log with a floor. For N samples there are
N // hop + 1 frames.
"""
from __future__ import annotations

import numpy as np

from .. import constants


def _hz_to_mel(f: np.ndarray) -> np.ndarray:
    f = np.asarray(f, dtype=np.float64)
    f_sp = 200.0 / 3.0
    min_log_hz, min_log_mel, logstep = 1000.0, 15.0, np.log(6.4) / 27.0
    lin = f / f_sp
    log = min_log_mel + np.log(np.maximum(f, 1e-10) / min_log_hz) / logstep
    return np.where(f >= min_log_hz, log, lin)


def _mel_to_hz(m: np.ndarray) -> np.ndarray:
    m = np.asarray(m, dtype=np.float64)
    f_sp = 200.0 / 3.0
    min_log_hz, min_log_mel, logstep = 1000.0, 15.0, np.log(6.4) / 27.0
    return np.where(m >= min_log_mel, min_log_hz * np.exp(logstep * (m - min_log_mel)), f_sp * m)


def mel_filterbank() -> np.ndarray:
    """(n_mels, n_fft // 2 + 1) float64 Slaney filterbank."""
    a = constants.audio()
    sr, n_fft, n_mels = a["sampleRate"], a["nFft"], a["nMels"]
    fft_freqs = np.linspace(0.0, sr / 2.0, n_fft // 2 + 1)
    mel_pts = np.linspace(_hz_to_mel(a["fMin"]), _hz_to_mel(a["fMax"]), n_mels + 2)
    hz_pts = _mel_to_hz(mel_pts)
    fdiff = np.diff(hz_pts)
    ramps = hz_pts[:, None] - fft_freqs[None, :]
    weights = np.zeros((n_mels, n_fft // 2 + 1))
    for i in range(n_mels):
        lower = -ramps[i] / fdiff[i]
        upper = ramps[i + 2] / fdiff[i + 1]
        weights[i] = np.maximum(0.0, np.minimum(lower, upper))
    enorm = 2.0 / (hz_pts[2 : n_mels + 2] - hz_pts[:n_mels])
    return weights * enorm[:, None]


def hann_window() -> np.ndarray:
    n = constants.audio()["winLength"]
    return 0.5 - 0.5 * np.cos(2.0 * np.pi * np.arange(n) / n)


def num_frames(num_samples: int) -> int:
    return num_samples // constants.audio()["hopLength"] + 1


def stft_magnitude(audio: np.ndarray) -> np.ndarray:
    """(n_fft//2+1, frames) magnitude of a mono float signal."""
    a = constants.audio()
    n_fft, hop = a["nFft"], a["hopLength"]
    x = np.asarray(audio, dtype=np.float64)
    if x.ndim != 1:
        raise ValueError(f"expected mono audio, got shape {x.shape}")
    if len(x) <= n_fft // 2:
        raise ValueError(f"audio too short for the front end: {len(x)} samples (need > {n_fft // 2})")
    x = np.pad(x, n_fft // 2, mode="reflect")
    frames = 1 + (len(x) - n_fft) // hop
    idx = np.arange(n_fft)[None, :] + hop * np.arange(frames)[:, None]
    spec = np.fft.rfft(x[idx] * hann_window()[None, :], axis=1)
    return np.abs(spec).T


def log_mel(audio: np.ndarray) -> np.ndarray:
    """(n_mels, frames) float32 natural-log mel spectrogram."""
    mel = mel_filterbank() @ stft_magnitude(audio)
    return np.log(np.maximum(mel, constants.audio()["logFloor"])).astype(np.float32)


class TorchLogMel:
    """The same front end in torch, for batched use in training (matches log_mel to ~1e-5)."""

    def __init__(self):
        import torch

        self.torch = torch
        self.fb = torch.tensor(mel_filterbank(), dtype=torch.float32)
        self.window = torch.tensor(hann_window(), dtype=torch.float32)

    def to(self, device):
        """Moves the filterbank and window (training on a GPU); returns self."""
        self.fb, self.window = self.fb.to(device), self.window.to(device)
        return self

    def __call__(self, audio):  # (B, N) float32 -> (B, n_mels, N//hop+1)
        torch = self.torch
        a = constants.audio()
        spec = torch.stft(audio, n_fft=a["nFft"], hop_length=a["hopLength"], win_length=a["winLength"],
                          window=self.window, center=True, pad_mode="reflect", return_complex=True)
        mel = torch.matmul(self.fb, spec.abs())
        return torch.log(torch.clamp(mel, min=a["logFloor"]))


def load_wav_mono(path) -> tuple[np.ndarray, int]:
    """Float64 mono samples and sample rate of a WAV file (mixes channels down)."""
    import soundfile as sf

    x, sr = sf.read(str(path), dtype="float64", always_2d=True)
    return x.mean(axis=1), sr


if __name__ == "__main__":  # python -m vem_training.data.audio in.wav out.f32  (raw float32 log-mel)
    import sys

    x, _ = load_wav_mono(sys.argv[1])
    log_mel(x).astype("<f4").tofile(sys.argv[2])
