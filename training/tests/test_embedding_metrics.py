"""FD, the unbiased kernel distance and the tag KLD on small inputs with known answers."""
import numpy as np
import pytest

from vem_training.evaluate.embedding_metrics import frechet, kernel_distance, tag_kld


def test_kernel_distance_is_about_zero_for_one_distribution_and_grows_with_the_shift():
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((200, 8)), rng.standard_normal((200, 8))
    same = kernel_distance(a, b)
    assert abs(same) < 5.0                         # unbiased: zero in expectation (×1000)
    shifted = [kernel_distance(a, b + s) for s in (0.5, 1.0, 2.0)]
    assert same < shifted[0] < shifted[1] < shifted[2]


def test_kernel_distance_small_samples_stay_unbiased_where_fd_does_not():
    rng = np.random.default_rng(1)
    kads, fds = [], []
    for k in range(20):
        a, b = rng.standard_normal((12, 6)), rng.standard_normal((12, 6))
        kads.append(kernel_distance(a, b))
        fds.append(frechet(a, b))
    assert abs(np.mean(kads)) < 15.0
    assert np.mean(fds) > 1.0                      # FD of two samples of one distribution is biased upwards


def test_kernel_distance_needs_two_points():
    with pytest.raises(ValueError):
        kernel_distance(np.zeros((1, 3)), np.zeros((4, 3)))


def test_tag_kld_known_values():
    p = np.array([[0.5, 0.5]])
    assert tag_kld(p, p) == pytest.approx(0.0, abs=1e-9)
    q = np.array([[0.9, 0.1]])
    want = 0.5 * np.log(0.5 / 0.9) + 0.5 * np.log(0.5 / 0.1)
    assert tag_kld(p, q) == pytest.approx(want, rel=1e-6)
    # rows are normalised: scaled probabilities give the same answer
    assert tag_kld(3 * p, 0.2 * q) == pytest.approx(want, rel=1e-6)


def test_autoencoder_pretrained_distances_compare_each_path_with_the_originals(monkeypatch):
    """evaluate.autoencoder --pretrained: each path's clips are embedded with the originals and measured
    against them; a path equal to the originals reads ~0, a noisier one more (musicnn stood in for by
    per-patch statistics, as the real embedder runs in the optional TensorFlow environment)."""
    soundfile = pytest.importorskip("soundfile")
    from vem_training.evaluate import autoencoder, musicnn_embed

    def fake_embed(files):
        out = []
        for f in files:
            y, _ = soundfile.read(f, dtype="float32")
            p = y[: len(y) // 400 * 400].reshape(-1, 400)
            out.append((np.stack([p.std(1), np.abs(np.diff(p, axis=1)).mean(1)], 1), np.zeros((len(p), 50))))
        return out

    monkeypatch.setattr(musicnn_embed, "embed_in_eval_env", fake_embed)
    rng = np.random.default_rng(0)
    clips = [np.sin(np.arange(16000) * 0.05 * (i + 1)).astype(np.float32) * 0.5 for i in range(4)]
    waves = {"original": clips, "vocoder": [c.copy() for c in clips],
             "roundtrip": [c + 0.3 * rng.standard_normal(c.shape).astype(np.float32) for c in clips]}
    d = autoencoder.pretrained_distances(waves)
    assert set(d) == {"vocoder", "roundtrip"}
    assert abs(d["vocoder"]["musicnnFd"]) < 1e-3 and d["vocoder"]["musicnnKadX1000"] < 1.0
    assert d["roundtrip"]["musicnnFd"] > 0.01
    assert d["roundtrip"]["musicnnKadX1000"] > 10 * max(d["vocoder"]["musicnnKadX1000"], 1.0)


def test_level_fd_separates_level_from_content():
    from vem_training.evaluate.level_fd import level_fd, level_matched, rms_db

    rng = np.random.default_rng(3)
    sr = 16000
    t = np.arange(8 * sr) / sr
    truth = {f"v{i}": (0.3 * np.sin(2 * np.pi * (200 + 50 * i) * t) + 0.05 * rng.standard_normal(len(t)))
             for i in range(3)}
    quiet = {v: 0.1 * x for v, x in truth.items()}  # the same music 20 dB down
    assert abs(rms_db(level_matched(quiet["v0"], truth["v0"])) - rms_db(truth["v0"])) < 1e-6
    r = level_fd(quiet, truth)
    assert r["meanDbVsTruth"] == -20.0
    assert r["fd"] > 10 * max(r["fdLevelMatched"], 1e-3)  # all of its FD is level
