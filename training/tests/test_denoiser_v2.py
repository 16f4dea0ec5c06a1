"""Denoiser v2 training pieces on a tiny fake pack: batches as the app sends them, one training step, the
held-out rhythm checks."""
import numpy as np
import torch

from conftest import fake_pack
from vem_training.data.rhythm import RHYTHM_CHANNELS, RHYTHM_INPUT
from vem_training.models import diffusion
from vem_training.models.denoiser import Denoiser
from vem_training.models.diffusion import Batches, clip_storyboards, model_call
from vem_training.train.diffusion_checks import HeldOut, peak_hit


def tiny(**kw):
    torch.manual_seed(0)
    return Denoiser(vocab=len(diffusion.tag_index()), channels=(32, 48, 64), emb=64, d_tok=32, heads=2,
                    rhythm_hidden=8, **kw)


def test_batches_follow_the_app_window_and_dropout():
    b = Batches(fake_pack(), seed=1, crops=((320, 4),), edit_share=0.3, p_uncond=0.3)
    seen_rhythm = seen_uncond = 0
    for _ in range(20):
        x0, c = b.batch()
        assert x0.shape == (4, 128, 320) and c["rhythm"].shape == (4, RHYTHM_CHANNELS, 320)
        S = c["story_tags"].shape[1]
        assert c["story_start_sec"].shape == (4, S) and 1 <= S <= diffusion.MAX_STORIES
        # storyboards are clipped to the window
        ends = c["story_start_sec"] + c["story_dur_sec"]
        assert (c["story_start_sec"] >= 0).all() and (ends <= 320 * 0.064 + 1e-4).all()
        for r in range(4):
            has_r = bool(c["rhythm"][r].abs().sum() > 0)
            has_c = bool(c["global_tags"][r].sum() > 0 or c["story_dur_sec"][r].sum() > 0)
            seen_rhythm += has_r
            seen_uncond += (not has_r and not has_c)
    assert 0 < seen_uncond < seen_rhythm


def test_shot_storyboards_carry_the_tags_measured_under_them():
    """storyMeasure: the crop's sections become shots whose energy/timbre/density are measured on the
    track's features under each shot; a loud bright half and a quiet dark half get different tags."""
    pack = fake_pack()
    for p in pack.pieces:
        if p["kind"] == "clip":
            p.update(trackId="t0", startSec=5.0)
    fps = 62.5
    n = int(40 * fps)
    loud = np.arange(n) < int(15 * fps)  # track seconds 0–15: loud and bright, then quiet and dark
    feats = {"t0": {"power": np.where(loud, 0.05, 1e-4).astype(np.float32),
                    "centroid": np.where(loud, 3000.0, 400.0).astype(np.float32),
                    "onsets": np.arange(0.0, 40.0, 0.25).astype(np.float32)}}
    thr = {"energy": [-30.0, -20.0], "timbre": [1000.0, 2000.0], "density": [1.0, 3.0]}
    b = Batches(pack, seed=4, crops=((320, 4),), p_uncond=0, cond_drop=0, story_measure=1.0,
                story_feats=feats, thresholds=thr, shot_sec=2.0)
    idx = diffusion.tag_index()
    shots, seen = 0, {"bright": 0, "dark": 0}
    for _ in range(10):
        _, c = b.batch(T=320, n=4)
        for r in range(4):
            for k in range(c["story_tags"].shape[1]):
                d = float(c["story_dur_sec"][r, k])
                if d <= 0 or c["story_tags"][r, k].sum() == 0:
                    continue
                shots += 1
                assert d >= 0.5 - 1e-4
                # the crop offset is not returned: a shot's tags must be all-loud or all-quiet, never mixed
                on = {t for t, i in idx.items() if c["story_tags"][r, k, i] > 0}
                bright, dark = {"energy:high", "timbre:bright"} <= on, {"energy:low", "timbre:dark"} <= on
                # a shot across the change is mostly the loud part (power-weighted centroid: bright)
                assert bright or dark or {"energy:medium", "timbre:bright"} <= on, on
                seen["bright"] += bright
                seen["dark"] += dark
                assert "genre:rock" not in on and len([t for t in on if t.startswith("energy:")]) == 1
    assert shots > 40 and seen["bright"] > 5 and seen["dark"] > 5


def test_retag_segment_replaces_only_the_measured_categories():
    from vem_training.data.tags import retag_segment
    feats = {"power": np.full(625, 0.05, np.float32), "centroid": np.full(625, 3000.0, np.float32),
             "onsets": np.arange(0.0, 10.0, 0.1).astype(np.float32)}
    thr = {"energy": [-30.0, -20.0], "timbre": [1000.0, 2000.0], "density": [1.0, 3.0]}
    out = retag_segment(["mood:calm", "energy:low", "timbre:dark", "density:sparse", "instrument:piano"],
                        feats, 2.0, 3.0, thr)
    assert set(out) == {"mood:calm", "instrument:piano", "energy:high", "timbre:bright", "density:dense"}


def test_clip_storyboards_shift_clip_and_drop():
    st = [{"startSec": -3.0, "durSec": 4.0, "tags": ["a"]}, {"startSec": 1.0, "durSec": 0.03, "tags": []},
          {"startSec": 5.0, "durSec": 30.0, "tags": ["b"]}, {"startSec": 40.0, "durSec": 2.0, "tags": []}]
    out = clip_storyboards(st, 2.0, 20.48)
    assert [(round(s["startSec"], 3), round(s["durSec"], 3)) for s in out] == [(3.0, 17.48)]
    out = clip_storyboards(st, -3.0, 20.48)
    assert [(round(s["startSec"], 3), round(s["durSec"], 3)) for s in out] == [(0.0, 4.0), (8.0, 12.48)]


def test_rhythm_enters_the_input_and_every_level():
    m = tiny().eval()
    assert m.inp.in_channels == 128 + RHYTHM_INPUT
    films = [n for n, _ in m.named_modules() if n.endswith("adapter")]
    assert any(n.startswith("down_res") for n in films) and any(n.startswith("up_res") for n in films)
    assert any(n.startswith("mid") for n in films)
    x0, c = Batches(fake_pack(), seed=2, crops=((128, 2),), p_uncond=0, rhythm_drop=0).batch()
    c2 = dict(c, rhythm=torch.zeros_like(c["rhythm"]))
    with torch.no_grad():
        for p in m.out.parameters():
            torch.nn.init.normal_(p, std=0.1)
        d = (model_call(m, x0, torch.tensor([500.0, 500.0]), c) - model_call(m, x0, torch.tensor([500.0, 500.0]), c2))
    assert d.abs().mean() > 1e-3


def test_one_training_step_reduces_nothing_to_nan_and_checks_run():
    pack = fake_pack()
    m = tiny()
    b = Batches(pack, seed=3, crops=((128, 4),))
    opt = torch.optim.AdamW(m.parameters(), 1e-3)
    ac = torch.tensor(diffusion.schedule()["alphas_cumprod"], dtype=torch.float32)
    x0, c = b.batch()
    t = torch.randint(0, 1000, (4,))
    a = ac[t][:, None, None]
    noise = torch.randn_like(x0)
    v = model_call(m, a.sqrt() * x0 + (1 - a).sqrt() * noise, t.float(), c)
    loss = torch.nn.functional.mse_loss(v, diffusion.v_target(x0, noise, a))
    loss.backward()
    opt.step()
    assert torch.isfinite(loss)
    held = HeldOut(pack, n=2, T=128)
    res = held.losses(m.eval())
    assert set(res) == {f"loss{t}_{g}" for t in (300, 600) for g in ("true", "zero", "shift")}
    assert all(np.isfinite(v) for v in res.values())


def test_peak_hit_finds_clicks_on_the_grid_and_not_off_it():
    sr = 16000
    y = np.zeros(sr * 8, np.float32)
    beats = np.arange(0.5, 7.6, 0.5)
    for b in beats:
        i = int(b * sr)
        y[i:i + 400] += np.random.default_rng(int(b * 10)).standard_normal(400).astype(np.float32) * 0.5
    assert peak_hit(y, beats, 8.0) > 0.9
    assert peak_hit(y, beats + 0.25, 8.0) < 0.2


def test_film_on_the_residual_branch_cannot_close_the_skip_path():
    from vem_training.models.denoiser import ResBlock
    torch.manual_seed(0)
    x, emb, r = torch.randn(2, 16, 20), torch.randn(2, 8), torch.randn(2, 4, 20)
    for film in ("output", "residual"):
        blk = ResBlock(16, 16, 8, rhythm=4, film=film)
        with torch.no_grad():  # γ = −1 everywhere: (1 + γ)·z = 0
            blk.adapter.gamma.bias.fill_(-1.0)
            out = blk(x, emb, r)
        if film == "output":
            assert out.abs().max() < 1e-6  # the whole block, skip included, is shut
        else:
            assert torch.allclose(out, x)  # the residual is shut, the skip path passes


def test_init_from_checkpoint_copies_the_ema_and_can_reset_film(tmp_path):
    from vem_training.train.diffusion import init_from_checkpoint
    src, dst = tiny(), tiny(film="residual")
    with torch.no_grad():
        for p in src.parameters():
            p.add_(0.01)
    torch.save({"ema": src.state_dict(), "step": 7}, tmp_path / "ckpt.pt")
    n = init_from_checkpoint(dst, tmp_path, reset_film=True)
    assert n["step"] == 7 and n["zeroed"] > 0
    for (name, p), q in zip(dst.named_parameters(), src.parameters()):
        if ".adapter." in name:
            assert p.abs().max() == 0
        else:
            assert torch.equal(p, q)


def test_recorded_share_draws_clip_crops_from_recorded_music():
    pack = fake_pack(n=9)
    train_clips = [i for i, p in enumerate(pack.pieces) if p["kind"] == "clip" and p["split"] == "train"]
    for k, i in enumerate(train_clips):
        pack.pieces[i]["trackId"] = "rec" if k == 0 else f"midi{k}"
    counts = {}
    for share in (None, 0.8):
        b = Batches(pack, seed=7, crops=((128, 1),), edit_share=0.0, recorded_share=share,
                    recorded_tracks=frozenset({"rec"}))
        picks = [b._piece(128) for _ in range(2000)]
        counts[share] = sum(pack.pieces[i]["trackId"] == "rec" for i in picks) / len(picks)
    assert abs(counts[None] - 1 / len(train_clips)) < 0.05
    assert abs(counts[0.8] - 0.8) < 0.05
    # a share with no recorded clip to draw from is a configuration error, not a silent no-op
    import pytest
    with pytest.raises(ValueError):
        Batches(pack, seed=7, recorded_share=0.5, recorded_tracks=frozenset())
