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
