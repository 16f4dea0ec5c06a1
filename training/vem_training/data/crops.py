"""Corpus readers for training: whole tracks in memory, random crops per step.

The corpus layout (index.json, audio/, mels/, clips.jsonl) is written by vem_training.corpus.build.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch

from ..corpus.sources import is_core
from ..timebase import SAMPLE_RATE


def load_index(corpus: Path) -> list[dict]:
    return json.loads((Path(corpus) / "index.json").read_text())["tracks"]


def select(tracks: list[dict], split: str, kinds: tuple[str, ...] = ("midi", "recorded")) -> list[dict]:
    return [t for t in tracks if t["split"] == split and t["kind"] in kinds]


def _length_weights(lengths: list[int], what: str, corpus: Path) -> np.ndarray:
    """Sampling probabilities proportional to length, so every second is equally likely."""
    if not lengths:
        raise RuntimeError(f"no usable {what} in {corpus}")
    w = np.asarray(lengths, dtype=np.float64)
    return w / w.sum()


class AudioCrops:
    """Random fixed-length waveform crops (for the vocoder), loudness-jittered."""

    def __init__(self, corpus: Path, tracks: list[dict], seg_samples: int, seed: int = 0):
        import soundfile as sf

        arrays = []
        for t in tracks:
            x, _ = sf.read(str(Path(corpus) / "audio" / f"{t['id']}.wav"), dtype="float32")
            if x.ndim > 1:
                x = x.mean(axis=1)
            arrays.append(x)
        self._setup(arrays, seg_samples, seed, str(corpus))

    @classmethod
    def from_arrays(cls, arrays: list[np.ndarray], seg_samples: int, seed: int = 0, what: str = "arrays"):
        """The same crops from waveforms already in memory (float32 or int16), e.g. a vocoder pack's excerpts."""
        self = cls.__new__(cls)
        self._setup([a.astype(np.float32) / 32768.0 if a.dtype == np.int16 else a for a in arrays],
                    seg_samples, seed, what)
        return self

    def _setup(self, arrays: list[np.ndarray], seg_samples: int, seed: int, what: str) -> None:
        self.seg = seg_samples
        self.rng = np.random.default_rng(seed)
        self.audio = [a for a in arrays if len(a) > seg_samples + 1]
        self.p = _length_weights([len(a) for a in self.audio], "audio", what)
        self.hours = sum(len(a) for a in self.audio) / SAMPLE_RATE / 3600

    def batch(self, n: int) -> torch.Tensor:
        out = np.empty((n, self.seg), dtype=np.float32)
        for i in range(n):
            a = self.audio[self.rng.choice(len(self.audio), p=self.p)]
            for _ in range(8):  # avoid near-silent crops
                s = self.rng.integers(0, len(a) - self.seg)
                crop = a[s : s + self.seg]
                if np.abs(crop).max() > 1e-3:
                    break
            gain = 10 ** (self.rng.uniform(-6, 3) / 20) * 0.95 / max(np.abs(crop).max(), 1e-3)
            out[i] = np.clip(crop * min(gain, 10.0), -1, 1)
        return torch.from_numpy(out)


class MelCrops:
    """Random log-mel crops (64, frames) from the precomputed float16 mels (for the VAE)."""

    def __init__(self, corpus: Path, tracks: list[dict], frames: int, seed: int = 0):
        self.frames = frames
        self.rng = np.random.default_rng(seed)
        self.mels = []
        for t in tracks:
            m = np.load(Path(corpus) / "mels" / f"{t['id']}.npy").astype(np.float32)
            if m.shape[1] > frames + 1:
                self.mels.append(m)
        self.p = _length_weights([m.shape[1] for m in self.mels], "mels", corpus)

    def batch(self, n: int) -> torch.Tensor:
        out = np.empty((n, self.mels[0].shape[0], self.frames), dtype=np.float32)
        for i in range(n):
            m = self.mels[self.rng.choice(len(self.mels), p=self.p)]
            s = self.rng.integers(0, m.shape[1] - self.frames)
            out[i] = m[:, s : s + self.frames]
        return torch.from_numpy(out)


def held_out_clips(corpus: Path, n: int, seconds: float = 10.0, split: str = "test") -> list[tuple[str, np.ndarray]]:
    """`n` clips of recorded music from `split` (the same draw for the same arguments)."""
    import soundfile as sf

    # the core sources' tracks only, so that a source added to the corpus later leaves the draw as it was
    tracks = [t for t in load_index(corpus)
              if t["split"] == split and t["kind"] == "recorded" and is_core(t.get("source", ""))]
    rng = np.random.default_rng(0)
    clips = []
    per_track = max(1, int(np.ceil(n / max(len(tracks), 1))))
    for t in tracks:
        x, _ = sf.read(str(corpus / "audio" / f"{t['id']}.wav"), dtype="float32")
        seg = int(seconds * SAMPLE_RATE)
        if len(x) < seg:
            continue
        for _ in range(per_track):
            s = int(rng.integers(0, len(x) - seg + 1))
            clips.append((t["id"], x[s : s + seg]))
    rng.shuffle(clips)
    return clips[:n]
