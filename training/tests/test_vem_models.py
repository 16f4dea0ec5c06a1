"""Aligner, rhythm features, storyboard mask and denoiser variants: behaviour on small known cases."""
import json

import numpy as np
import pytest
import torch

from vem_training.data.rhythm import RHYTHM_CHANNELS, rhythm_features
from vem_training.evaluate import aligner_metrics
from vem_training.fixtures import rhythm as rhythm_fixture
from vem_training.models.aligner import Aligner
from vem_training.models.aligner_windows import windows
from vem_training.models.denoiser import Denoiser, storyboard_bias


@pytest.mark.parametrize("n", [1, 64, 128, 129, 300, 1000])
def test_aligner_windows_tile_every_frame_once(n):
    seen = np.zeros(n, int)
    for s, e, ks, ke in windows(n, 128, 16):
        assert e - s <= 128 and s <= ks <= ke <= e
        seen[ks:ke] += 1
    assert (seen == 1).all()


def test_average_precision_known_cases():
    t = np.array([0, 1, 0, 1, 0], float)
    assert aligner_metrics.average_precision(np.array([0.1, 0.9, 0.2, 0.8, 0.3]), t) == pytest.approx(1.0)
    ap = aligner_metrics.average_precision(np.array([0.9, 0.1, 0.8, 0.2, 0.7]), t)
    assert ap == pytest.approx((1 / 4 + 2 / 5) / 2)
    # a constant score cannot rank: precision = base rate
    assert aligner_metrics.average_precision(np.full(5, 0.5), t) == pytest.approx(0.4)


def test_best_f1_with_one_frame_tolerance():
    scores = [np.array([0, 0, 0.9, 0, 0, 0, 0.8, 0], float)]
    targets = [np.array([0, 0, 0, 1, 0, 0, 1, 0], float)]
    assert aligner_metrics.best_f1_tolerant(scores, targets, tol=1)[0] == pytest.approx(1.0)
    assert aligner_metrics.best_f1_tolerant(scores, targets, tol=0)[0] == pytest.approx(0.5)


def test_aligner_keeps_time_and_runs_any_length():
    m = Aligner().eval()
    with torch.no_grad():
        for f in (1, 7, 40):
            logits, feats = m(torch.rand(2, 3, f, 64, 112))
            assert logits.shape == (2, f) and feats.shape == (2, f, m.feat)


def test_rhythm_fixture_is_current():
    committed = json.loads(rhythm_fixture.PATH.read_text())
    assert committed == json.loads(json.dumps(rhythm_fixture.build()))


def test_rhythm_beat_bump_and_phase():
    r = rhythm_features([1.0, 1.5, 2.0], 48)
    assert r.shape == (RHYTHM_CHANNELS, 48)
    x = int(round((1.5 - 0.024) / 0.064))       # the frame whose centre (0.064·x + 0.024 s) is nearest
    assert r[:4, x].max() > 0.85 and r[5, x] > 0.9
    assert (r[6:] == 0).all()                   # no bars, no video


def test_rhythm_frame_centres_match_the_encoder():
    """A click on mel frame j lands in latent frame j // 4; the frame centre is the mean of its mel centres."""
    from vem_training.data.rhythm import latent_times
    t = latent_times(5)
    np.testing.assert_allclose(t, [(4 * x + 1.5) * 256 / 16000 for x in range(5)], atol=1e-12)


def test_storyboard_mask_is_additive_and_keeps_the_global_token():
    t = (torch.arange(10, dtype=torch.float32)[None, None] + 0.5)  # centres 0.5 .. 9.5 s
    start = torch.tensor([[0.0, 4.0, 0.0]])
    dur = torch.tensor([[4.0, 6.0, 0.0]])      # third storyboard is padding
    b = storyboard_bias(t, start, dur, masked=True)[0]
    assert b.shape == (10, 4)
    assert (b[:, 0] == 0).all()                     # global token always visible
    assert (b[:4, 1] == 0).all() and (b[4:, 1] < -1e3).all()
    assert (b[:4, 2] < -1e3).all() and (b[4:, 2] == 0).all()
    assert (b[:, 3] < -1e3).all()                   # zero duration: never visible
    plain = storyboard_bias(t, start, dur, masked=False)[0]
    assert (plain[:, :3] == 0).all() and (plain[:, 3] < -1e3).all()


def _inputs(T=32, S=2, V=50):
    g = torch.Generator().manual_seed(0)
    return (torch.randn(1, 128, T, generator=g), torch.tensor([500.0]), torch.rand(1, V, generator=g),
            torch.rand(1, V, generator=g), torch.rand(1, S, V, generator=g),
            torch.tensor([[0.0, 1.0]]), torch.tensor([[1.0, 1.0]]), torch.randn(1, RHYTHM_CHANNELS, T, generator=g))


def _small(**kw):
    torch.manual_seed(0)
    m = Denoiser(vocab=50, channels=(32, 48, 64), emb=64, d_tok=32, heads=2, rhythm_hidden=8, **kw)
    for p in m.out.parameters():  # non-zero output layer so conditions can show
        torch.nn.init.normal_(p, std=0.1)
    return m.eval()


def test_unconditional_variant_ignores_hvp_inputs():
    m = _small(cond="none", tb=False)
    a = _inputs()
    b = list(a)
    b[2] = torch.zeros_like(a[2])
    b[4] = torch.zeros_like(a[4])
    with torch.no_grad():
        assert torch.allclose(m(*a), m(*b), atol=1e-6)


def test_sg_catt_is_local_in_time():
    """Changing the tags of a storyboard that covers only the second half leaves the first half unchanged
    at the finest level's direct path much more than plain cross-attention does."""
    sg, plain = _small(cond="sg", tb=False), _small(cond="plain", tb=False)
    a = list(_inputs(T=64))
    a[5] = torch.tensor([[0.0, 2.048]])       # first storyboard: first half (32 frames × 0.064 s)
    a[6] = torch.tensor([[2.048, 2.048]])
    b = list(a)
    b[4] = a[4].clone()
    b[4][0, 1] = 1 - b[4][0, 1]                # other tags for the second storyboard
    with torch.no_grad():
        d_sg = (sg(*a) - sg(*b)).abs()
        d_plain = (plain(*a) - plain(*b)).abs()
    ratio_sg = d_sg[..., :16].mean() / d_sg[..., 48:].mean()
    ratio_plain = d_plain[..., :16].mean() / d_plain[..., 48:].mean()
    assert ratio_sg < 0.5 * ratio_plain


def test_rhythm_path_starts_as_input_channels_only():
    """FiLM γ/β start at zero: at initialisation the rhythm reaches the output only through the input
    channels, and a model without the rhythm path takes no rhythm input at all."""
    m = _small(cond="sg", tb=True)
    assert all(float(p.abs().sum()) == 0 for n, p in m.named_parameters() if ".adapter." in n)
    none = _small(cond="sg", tb=False)
    assert none.inp.in_channels == 128
    a = list(_inputs())
    b = list(a)
    b[7] = torch.zeros_like(a[7])
    with torch.no_grad():
        assert torch.allclose(none(*a), none(*b))
        assert not torch.allclose(m(*a), m(*b))
