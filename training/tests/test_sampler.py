"""The reference samplers in diffusion.py: exactness properties the TypeScript sampler is tested against
(src/core/sampler/sampler.test.ts replays the fixture written by vem_training.fixtures.sampler)."""
import json

import numpy as np
import pytest

from vem_training.fixtures import sampler as sampler_fixtures
from vem_training.models import diffusion

AC = diffusion.schedule()["alphas_cumprod"]
RNG = np.random.default_rng(0)
X0 = RNG.standard_normal((4, 16))
EPS = RNG.standard_normal((4, 16))


def noised(t):
    return AC[t] ** 0.5 * X0 + (1 - AC[t]) ** 0.5 * EPS


def true_v(t):
    return diffusion.v_target(X0, EPS, AC[t])


def test_schedule_is_cosine_with_zero_terminal_snr():
    assert AC[-1] == 0.0 and 0.999 < AC[0] < 1.0
    assert np.all(np.diff(AC) < 0)
    snr = AC / (1 - AC)
    assert (snr < 0.05).mean() < 0.25          # the scaled-linear schedule had 40 % of its steps below 0.05


@pytest.mark.parametrize("t", [0, 1, 39, 250, 500, 998, 999])
def test_ddim_eta0_with_true_v_recovers_x0_in_one_step(t):
    got = diffusion.ddim_step(noised(t), true_v(t), t, -1, AC, 0.0, None)
    np.testing.assert_allclose(got, X0, rtol=0, atol=1e-12)   # exact even at ᾱ = 0 (no 1/√ᾱ anywhere)


@pytest.mark.parametrize("t,t_prev", [(999, 959), (999, 0), (500, 499), (250, 100), (1, 0)])
def test_ddim_eta0_with_true_v_lands_on_the_same_trajectory(t, t_prev):
    got = diffusion.ddim_step(noised(t), true_v(t), t, t_prev, AC, 0.0, None)
    np.testing.assert_allclose(got, noised(t_prev), rtol=0, atol=1e-12)


@pytest.mark.parametrize("t,t_prev", [(998, 959), (999, 499), (500, 460), (250, 0), (39, 0)])
def test_dpmpp_first_step_equals_ddim_eta0(t, t_prev):
    x = RNG.standard_normal((4, 16))
    v = RNG.standard_normal((4, 16))
    ddim = diffusion.ddim_step(x, v, t, t_prev, AC, 0.0, None)
    dpm, state = diffusion.dpmpp_step(x, v, t, t_prev, AC, None)
    tol = 1e-5 if t == 999 else 1e-10            # ᾱ_999 = 0 is clamped to 1e-12 inside λ
    np.testing.assert_allclose(dpm, ddim, rtol=tol, atol=tol)
    np.testing.assert_allclose(state["x0"], diffusion.split_v(x, v, AC[t])[0], rtol=1e-12)


def test_split_v_inverts_the_target():
    for t in (0, 300, 999):
        x0, eps = diffusion.split_v(noised(t), true_v(t), AC[t])
        np.testing.assert_allclose(x0, X0, atol=1e-12)
        np.testing.assert_allclose(eps, EPS, atol=1e-12)


@pytest.mark.parametrize("steps", list(range(1, 101)) + [128, 250, 333, 500, 999, 1000])
def test_timesteps_strictly_decreasing_from_999(steps):
    ts = diffusion.timesteps(steps)
    assert len(ts) == steps
    assert ts[0] == 999
    assert ts[-1] >= 0
    assert np.all(np.diff(ts) < 0)


def test_timesteps_half_way_cases_round_to_even():
    assert diffusion.timesteps(16)[:4].tolist() == [999, 937, 874, 811]
    assert diffusion.timesteps(1000).tolist() == list(range(999, -1, -1))


def test_sample_mask_of_zeros_returns_known():
    torch = pytest.importorskip("torch")
    known = torch.randn(1, 4, 8, dtype=torch.float64)
    mask = torch.zeros(1, 1, 8, dtype=torch.float64)
    out = diffusion.sample(sampler_fixtures.fake_model, (1, 4, 8), {"c": 0.3}, {"c": -0.2}, steps=5,
                           sampler="ddim", eta=1.0, seed=0, mask=mask, x_known=known)
    assert torch.equal(out, known)


def test_committed_fixture_is_up_to_date():
    """Regenerate with `cd training && .venv/bin/python -m vem_training.fixtures.sampler`."""
    committed = json.loads(sampler_fixtures.FIXTURE.read_text())
    fresh = json.loads(json.dumps(sampler_fixtures.build()))

    def compare(a, b, path="$"):
        assert type(a) is type(b) or {type(a), type(b)} <= {int, float}, path
        if isinstance(a, dict):
            assert a.keys() == b.keys(), path
            for k in a:
                compare(a[k], b[k], f"{path}.{k}")
        elif isinstance(a, list):
            assert len(a) == len(b), path
            for i, (u, v) in enumerate(zip(a, b)):
                compare(u, v, f"{path}[{i}]")
        elif isinstance(a, float):
            assert a == pytest.approx(b, rel=1e-12, abs=1e-12), path
        else:
            assert a == b, path

    compare(committed, fresh)


def test_rescale_guided_pulls_the_spread_back_toward_the_conditional_one():
    import torch

    vc = torch.tensor([0.5, -1.0, 0.8, 1.2])
    vu = torch.tensor([0.1, -0.3, 0.2, 0.4])
    g = diffusion.guide(vu, vc, 3.0)
    assert torch.equal(diffusion.rescale_guided(g, vc, 0.0), g)
    assert abs(float(diffusion.rescale_guided(g, vc, 1.0).std(unbiased=False)) - float(vc.std(unbiased=False))) < 1e-6
    half = diffusion.rescale_guided(g, vc, 0.5)
    k = 0.5 * float(vc.std(unbiased=False) / g.std(unbiased=False)) + 0.5
    assert torch.allclose(half, g * k)
    # numpy arrays give the torch path's numbers (the TypeScript rescaleGuided states the same formula,
    # sampler.test.ts; the committed sampler fixture has no rescaled case)
    assert np.allclose(diffusion.rescale_guided(g.numpy(), vc.numpy(), 0.5), half.numpy(), atol=1e-6)
