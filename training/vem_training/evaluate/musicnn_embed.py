"""Pretrained music embeddings and tag probabilities from musicnn (MTT_musicnn: the MagnaTagATune
checkpoint shipped inside the `musicnn` wheel), for `vem eval`'s quality figures (docs/evaluation.md).

Runs in the optional evaluation environment training/.venv-eval (TensorFlow; set up by
training/eval_env/setup.sh), never in the training venv:

    TF_USE_LEGACY_KERAS=1 training/.venv-eval/bin/python -m vem_training.evaluate.musicnn_embed \
        --list files.json --out emb.npz

`files.json` is a JSON list of WAV paths. Writes, per file i, `emb_i` (patches, 200): the penultimate
layer on 3 s patches (no overlap) and `tags_i` (patches, 50): the sigmoid tag outputs.

Written against the package's own graph (`models.define_model`) instead of its `extractor()`, which
swallows restore errors and computes the log-mel in float16 (it overflows to inf under numpy 2, and every
file then gets the same output). The log-mel is computed in float32 as the model was trained:
log10(10000·mel + 1), librosa mel with n_fft 512, hop 256, 96 bands at 16 kHz.
This module imports only numpy, soundfile, librosa and TensorFlow.
"""
from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

import numpy as np

SR, HOP, NFFT, NMELS = 16000, 256, 512, 96
PATCH_FRAMES = 188  # librosa.time_to_frames(3 s) + 1, as musicnn's extractor
MODEL = "MTT_musicnn"


def log_mel(y: np.ndarray) -> np.ndarray:
    import librosa
    mel = librosa.feature.melspectrogram(y=y.astype(np.float32), sr=SR, hop_length=HOP, n_fft=NFFT, n_mels=NMELS).T
    return np.log10(10000.0 * mel.astype(np.float32) + 1.0)


def patches(rep: np.ndarray) -> np.ndarray:
    n = (len(rep) - PATCH_FRAMES) // PATCH_FRAMES + 1
    if n < 1:  # shorter than one patch: zero-pad (silence in log10(1 + x) is 0)
        rep = np.pad(rep, ((0, PATCH_FRAMES - len(rep)), (0, 0)))
        n = 1
    return np.stack([rep[i * PATCH_FRAMES:(i + 1) * PATCH_FRAMES] for i in range(n)])


class Musicnn:
    def __init__(self):
        os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        import musicnn
        import tensorflow as tf
        from musicnn import configuration, models
        tf.compat.v1.disable_eager_execution()
        tf.compat.v1.reset_default_graph()
        self.labels = configuration.MTT_LABELS
        with tf.name_scope("model"):
            self.x = tf.compat.v1.placeholder(tf.float32, [None, PATCH_FRAMES, NMELS])
            self.training = tf.compat.v1.placeholder(tf.bool)
            out = models.define_model(self.x, self.training, MODEL, len(self.labels))
            self.y, self.penultimate = tf.nn.sigmoid(out[0]), out[-1]
        self.sess = tf.compat.v1.Session()
        self.sess.run(tf.compat.v1.global_variables_initializer())
        ckpt = Path(musicnn.__file__).parent / MODEL
        tf.compat.v1.train.Saver().restore(self.sess, str(ckpt) + "/")  # raises when the weights are missing

    def __call__(self, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        batch = patches(log_mel(y))
        tags, emb = self.sess.run([self.y, self.penultimate], feed_dict={self.x: batch, self.training: False})
        return np.asarray(emb, np.float32), np.asarray(tags, np.float32)


def embed_in_eval_env(files: list[str]) -> list[tuple[np.ndarray, np.ndarray]]:
    """(embeddings, tag probabilities) of each WAV in `files`, computed by this module's main() in
    training/.venv-eval (set up on first use); called from the training venv."""
    import subprocess
    import sys
    import tempfile
    root = Path(__file__).resolve().parents[2]
    py = root / ".venv-eval" / "bin" / "python"
    if not py.exists():
        print("setting up the evaluation environment (training/eval_env/setup.sh, once)", file=sys.stderr, flush=True)
        subprocess.run(["bash", str(root / "eval_env" / "setup.sh")], check=True)
    with tempfile.TemporaryDirectory() as d:
        lst, out = Path(d) / "files.json", Path(d) / "emb.npz"
        lst.write_text(json.dumps([str(f) for f in files]))
        env = {**os.environ, "TF_USE_LEGACY_KERAS": "1", "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONPATH": str(root)}
        subprocess.run([str(py), "-m", "vem_training.evaluate.musicnn_embed", "--list", str(lst), "--out", str(out)],
                       check=True, env=env, stdout=subprocess.DEVNULL)
        z = np.load(out)
        return [(z[f"emb_{i}"], z[f"tags_{i}"]) for i in range(len(files))]


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--list", required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args(argv)
    import soundfile as sf
    files = json.loads(Path(a.list).read_text())
    net = Musicnn()
    arrays = {}
    for i, f in enumerate(files):
        y, sr = sf.read(f, dtype="float32", always_2d=True)
        if sr != SR:
            raise SystemExit(f"{f}: {sr} Hz, expected {SR}")
        emb, tags = net(y.mean(axis=1))
        arrays[f"emb_{i}"], arrays[f"tags_{i}"] = emb, tags
    np.savez(a.out, **arrays)
    print(json.dumps({"files": len(files), "out": a.out}))


if __name__ == "__main__":
    main()
