"""Makes `vem_training` importable when pytest runs from the repository root
(`training/.venv/bin/python -m pytest training/tests -q`) and provides shared fixtures: a tiny audio
corpus, a tiny denoiser pack (in memory and as a file), a tiny aligner corpus."""
import json
import shutil
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

TRAINING = Path(__file__).resolve().parents[1]
if str(TRAINING) not in sys.path:
    sys.path.insert(0, str(TRAINING))


def _have(*tools):
    return all(shutil.which(t) for t in tools)


@pytest.fixture
def restore_signal_handlers():
    """The training loop installs SIGTERM/SIGINT handlers (its stop flag); put pytest's back afterwards."""
    import signal

    saved = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT)}
    yield
    for s, h in saved.items():
        signal.signal(s, h)


requires_midi_tools = pytest.mark.skipif(
    not (_have("mma", "fluidsynth") and Path("/usr/share/sounds/sf2/FluidR3_GM.sf2").exists()),
    reason="needs mma, fluidsynth and fluid-soundfont-gm (training/setup.sh installs them)")


def fake_audio_corpus(path: Path, mels: bool = False) -> Path:
    """index.json and 3 s of audio for two train tracks and one valid recorded track (and their log-mels)."""
    import soundfile as sf

    (path / "audio").mkdir(parents=True)
    tracks = []
    rng = np.random.default_rng(0)
    for i, (split, kind) in enumerate([("train", "midi"), ("train", "recorded"), ("valid", "recorded")]):
        t = np.arange(16000 * 3) / 16000
        x = (0.3 * np.sin(2 * np.pi * (220 + 110 * i) * t) * (np.sin(2 * np.pi * 2 * t) > 0)
             + 0.01 * rng.standard_normal(t.size))
        sf.write(str(path / "audio" / f"t{i}.wav"), x.astype(np.float32), 16000, subtype="PCM_16")
        tracks.append({"id": f"t{i}", "split": split, "kind": kind})
        if mels:
            from vem_training.data import audio

            (path / "mels").mkdir(exist_ok=True)
            np.save(path / "mels" / f"t{i}.npy", audio.log_mel(x.astype(np.float32)).astype(np.float16))
    (path / "index.json").write_text(json.dumps({"tracks": tracks}))
    return path


def fake_pack(n=6, T=400, seed=0):
    """A denoiser pack in memory: n clips (every third one valid) and one edit, random latents."""
    rng = np.random.default_rng(seed)
    pieces, latents = [], []
    for i in range(n):
        pieces.append({"kind": "clip", "split": "valid" if i % 3 == 0 else "train",
                       "tags": ["genre:rock", "energy:high"],
                       "sections": [{"startSec": 0.0, "durSec": 10.0, "tags": ["energy:low"]},
                                    {"startSec": 10.0, "durSec": 20.0, "tags": ["energy:high"]}],
                       "beatsSec": list(np.arange(0.25, 26, 0.5)), "downbeatsSec": list(np.arange(0.25, 26, 2.0))})
        latents.append(rng.standard_normal((128, T)).astype(np.float32))
    pieces.append({"kind": "edit", "split": "train", "tags": [], "sections": [], "beatsSec": [1.0, 1.6, 2.2]})
    latents.append(rng.standard_normal((128, T)).astype(np.float32))
    al = {n: (rng.random(T // 4 * 4).astype(np.float32), rng.standard_normal((T // 4 * 4, 32)).astype(np.float32))}
    return SimpleNamespace(pieces=pieces, latents=latents, meta={"qRange": 4.0}, aligner=al,
                           mean=np.zeros(128, np.float32), std=np.ones(128, np.float32))


def write_pack(path: Path, pack, track: str = "t0") -> Path:
    """`pack` as the .npz that data.diffusion_pack.Pack reads (int8 latents), its clips cut from `track`."""
    q = [np.clip(np.round(z / 4.0 * 127), -127, 127).astype(np.int8) for z in pack.latents]
    pieces = [{**p, "trackId": track, "startSec": 2.0 * i} if p["kind"] == "clip" else p
              for i, p in enumerate(pack.pieces)]
    meta = {"pieces": pieces, "qRange": 4.0, "encoderSha256": "0" * 64, "hours": 0.01, "splits": ["train", "valid"]}
    np.savez_compressed(path, latents=np.concatenate(q, axis=1), offsets=np.cumsum([0] + [z.shape[1] for z in q]),
                        mean=pack.mean, std=pack.std, meta=np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8))
    return path


def fake_story_corpus(path: Path, track: str = "t0") -> Path:
    """The frame features and tag thresholds that storyMeasure reads (feats/<track>.npz, tag_thresholds.json)."""
    (path / "feats").mkdir(parents=True)
    n = int(60 * 62.5)
    loud = np.arange(n) % 1000 < 500
    np.savez(path / "feats" / f"{track}.npz", power=np.where(loud, 0.05, 1e-4).astype(np.float32),
             centroid=np.where(loud, 3000.0, 400.0).astype(np.float32), onsets=np.arange(0.0, 60.0, 0.25))
    thr = {"energy": [-30.0, -20.0], "timbre": [1000.0, 2000.0], "density": [1.0, 3.0]}
    (path / "tag_thresholds.json").write_text(json.dumps(thr))
    return path


def fake_edits(path: Path, frames: int = 40) -> Path:
    """edits.jsonl and edits/<id>.npz (16 fps frames, target/transition/beat rows) for two train edits
    and one valid and one test edit: what train.aligner reads."""
    rng = np.random.default_rng(0)
    (path / "edits").mkdir(parents=True)
    lines = []
    for i, split in enumerate(["train", "train", "valid", "test"]):
        target = np.zeros(frames, np.uint8)
        target[[8, 24]] = 1
        np.savez(path / "edits" / f"e{i}.npz", frames=rng.integers(0, 255, (frames, 64, 112, 3), dtype=np.uint8),
                 target=target, transition=target, beat=target)
        lines.append(json.dumps({"editId": f"e{i}", "split": split, "durSec": frames / 16,
                                 "cuts": [{"timeSec": 0.5, "kind": "cut", "onBeat": True}]}))
    (path / "edits.jsonl").write_text("\n".join(lines) + "\n")
    return path
