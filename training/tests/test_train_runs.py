"""Tiny runs of the training commands through the shared loop: the denoiser resuming a checkpoint in the
format the loop wrote before it was shared (runs/denoiser-v2/ckpt.pt is one), the vocoder, the VAE and
the aligner: what they checkpoint, log and record."""
import copy
import json
import math

import numpy as np
import pytest
import torch

from conftest import fake_audio_corpus, fake_edits, fake_pack, fake_story_corpus, write_pack
from vem_training.config import CONFIGS
from vem_training.models import build_model
from vem_training.models.diffusion import tag_index

torch.set_num_threads(1)
pytestmark = pytest.mark.usefixtures("restore_signal_handlers")

TINY_DENOISER = {"channels": [32, 48, 64], "emb": 64, "d_tok": 32, "heads": 2, "rhythm_hidden": 8}
SMALL_VOCODER = {"n_mels": 64, "dim": 32, "hidden": 64, "layers": 1, "n_fft": 1024, "hop": 256}
CHECK_FIELDS = ["step", "loss300_true", "loss300_zero", "loss300_shift", "loss600_true", "loss600_zero",
                "loss600_shift", "peakHit_true", "peakHit_shift", "peakHit_none", "checkSec"]


def lines(path):
    return [json.loads(s) for s in path.read_text().splitlines()]


def write_json(path, d):
    path.write_text(json.dumps(d))
    return str(path)


def old_denoiser_checkpoint(run, cfg: dict, pack_path, step: int, elapsed: float):
    """A run folder as train/diffusion.py wrote it before the shared loop: the model, its EMA copy and
    AdamW after two updates, ckpt.pt {"model", "ema", "opt", "step", "elapsed", "config": meta} and
    config.json (the same meta)."""
    torch.manual_seed(1)
    model = build_model("denoiser", cfg["model"], vocab=len(tag_index()), cond="sg", tb=True)
    ema = copy.deepcopy(model).eval()
    for p in ema.parameters():
        p.requires_grad_(False)
    params = list(model.parameters())
    opt = torch.optim.AdamW(params, lr=cfg["lr"], weight_decay=cfg["weightDecay"])
    for _ in range(2):
        loss = sum((p.float() ** 2).mean() for p in params)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        with torch.no_grad():
            for pe, pm in zip(ema.parameters(), model.parameters()):
                pe.lerp_(pm.detach(), 0.5)
    meta = {**cfg, "variant": "sg", "tb": True, "pack": str(pack_path), "packHours": 0.01, "encoderSha256": "0" * 64,
            "params": sum(p.numel() for p in model.parameters()), "device": "cpu", "crops": [(128, 2)], "chain": []}
    run.mkdir(parents=True)
    (run / "config.json").write_text(json.dumps(meta, indent=1))
    torch.save({"model": model.state_dict(), "ema": ema.state_dict(), "opt": opt.state_dict(), "step": step,
                "elapsed": elapsed, "config": meta}, run / "ckpt.pt")
    return torch.load(run / "ckpt.pt")


def test_the_denoiser_resumes_a_checkpoint_of_the_old_loop_and_keeps_its_records(tmp_path):
    from vem_training.train import diffusion

    pack = write_pack(tmp_path / "pack.npz", fake_pack())
    corpus = fake_story_corpus(tmp_path / "corpus")
    cfg = json.loads((CONFIGS / "denoiser.json").read_text())
    cfg.update(model=TINY_DENOISER, crops=[[128, 2]], evalEvery=50)
    run = tmp_path / "run"
    old = old_denoiser_checkpoint(run, cfg, pack, step=49, elapsed=600.0)
    # resumed with one config entry changed: storyboard tags measured on a quarter of the clips
    c = write_json(tmp_path / "denoiser.json", {**cfg, "storyMeasure": 0.25})
    diffusion.main(["--config", c, "--pack", str(pack), "--corpus", str(corpus), "--run", str(run), "--steps", "50"])

    st = torch.load(run / "ckpt.pt")
    assert set(st) == set(old) and st["step"] == 50 and st["elapsed"] >= 600.0
    assert float(st["opt"]["state"][0]["step"]) == 3  # the old optimiser's two updates, and this one
    decay = min(cfg["ema"], (1 + 50) / (10 + 50))
    for k, v in st["ema"].items():  # the EMA went on from the old one's weights
        if v.is_floating_point():
            assert torch.allclose(v, old["ema"][k].lerp(st["model"][k], 1 - decay), atol=1e-6), k
    assert max(float((st["model"][k] - old["model"][k]).abs().max()) for k in old["model"]) < 0.01
    chain = [{"fromStep": 49, "changed": {"storyMeasure": 0.25}}]
    saved = json.loads((run / "config.json").read_text())
    assert saved["chain"] == chain and st["config"]["chain"] == chain and st["config"]["storyMeasure"] == 0.25
    assert {k: saved[k] for k in ("variant", "tb", "packHours", "device")} == {
        "variant": "sg", "tb": True, "packHours": 0.01, "device": "cpu"}
    log = lines(run / "log.jsonl")
    assert [list(r) for r in log] == [["step", "loss", "T", "sec", "elapsedMin"]]
    assert log[0]["step"] == 50 and log[0]["T"] == 128 and log[0]["elapsedMin"] >= 10.0
    checks = lines(run / "checks.jsonl")
    assert [list(r) for r in checks] == [CHECK_FIELDS] and checks[0]["step"] == 50
    assert all(math.isfinite(checks[0][k]) for k in CHECK_FIELDS[1:7])


def test_a_fresh_denoiser_variant_run_logs_step_one_and_checkpoints_its_last(tmp_path):
    from vem_training.train import diffusion

    pack = write_pack(tmp_path / "pack.npz", fake_pack())
    cfg = json.loads((CONFIGS / "denoiser.json").read_text())
    c = write_json(tmp_path / "denoiser.json", {**cfg, "model": TINY_DENOISER, "crops": [[128, 2]], "storyMeasure": 0})
    run = tmp_path / "run"
    diffusion.main(["--config", c, "--pack", str(pack), "--run", str(run), "--steps", "2", "--no-checks",
                    "--variant", "plain", "--no-tb"])
    st = torch.load(run / "ckpt.pt")
    assert set(st) == {"model", "ema", "opt", "step", "elapsed", "config"} and st["step"] == 2
    assert (st["config"]["variant"], st["config"]["tb"], st["config"]["chain"]) == ("plain", False, [])
    assert [r["step"] for r in lines(run / "log.jsonl")] == [1] and not (run / "checks.jsonl").exists()


def test_vocoder_and_vae_runs_log_their_parts_checkpoint_and_resume(tmp_path):
    from vem_training.train import autoencoder

    corpus = fake_audio_corpus(tmp_path / "corpus", mels=True)
    voc = {"kind": "vocoder", "model": SMALL_VOCODER, "batch": 2, "segSamples": 4096, "lr": 5e-4, "warmupSteps": 2,
           "steps": 3, "melLossWeight": 1.0, "ckptEverySec": 1000, "seed": 0, "fluxLossWeight": 4.0,
           "stftResolutions": [[256, 64], [512, 128]]}
    c = write_json(tmp_path / "voc.json", voc)
    run = tmp_path / "voc"
    autoencoder.main(["--config", c, "--corpus", str(corpus), "--run", str(run), "--steps", "2"])
    assert torch.load(run / "ckpt.pt")["step"] == 2
    autoencoder.main(["--config", c, "--corpus", str(corpus), "--run", str(run)])
    st = torch.load(run / "ckpt.pt")
    assert set(st) == {"model", "opt", "step", "elapsed", "config"} and st["step"] == 3 and st["config"] == voc
    assert float(st["opt"]["state"][0]["step"]) == 3
    assert json.loads((run / "config.json").read_text()) == {**voc, "corpus": str(corpus)}
    log = lines(run / "log.jsonl")
    assert [list(r) for r in log] == [["step", "loss", "mrstft", "melL1", "flux", "sec", "elapsedMin"]]
    vae = json.loads((CONFIGS / "vae.json").read_text())
    vae.update(model={"channels": [8, 8, 16], "z_channels": 8}, batch=2, cropFrames=32)
    run = tmp_path / "vae"
    autoencoder.main(["--config", write_json(tmp_path / "vae.json", vae), "--corpus", str(corpus), "--run", str(run),
                      "--steps", "1"])
    assert torch.load(run / "ckpt.pt")["step"] == 1
    assert list(lines(run / "log.jsonl")[0]) == ["step", "loss", "melL1", "kl", "sec", "elapsedMin"]


def test_the_aligner_run_records_the_steps_override_and_follows_its_cosine(tmp_path):
    from vem_training.train import aligner

    corpus = fake_edits(tmp_path / "corpus")
    cfg = json.loads((CONFIGS / "aligner.json").read_text())
    cfg.update(window=16, batch=2, warmupSteps=2, model={"channels": [4, 4, 4, 4], "feat": 32})
    c = write_json(tmp_path / "aligner.json", cfg)
    run = tmp_path / "run"
    aligner.main(["--config", c, "--corpus", str(corpus), "--run", str(run), "--steps", "3"])
    st = torch.load(run / "ckpt.pt")
    assert st["step"] == 3 and st["config"] == {**cfg, "steps": 3, "kind": "aligner"}
    # the last step's rate: warmed up, half way down the cosine over the 3 steps
    assert st["opt"]["param_groups"][0]["lr"] == pytest.approx(cfg["lr"] * 0.5 * (1 + np.cos(np.pi * 2 / 3)))
    assert list(lines(run / "log.jsonl")[0]) == ["step", "loss", "sec", "elapsedMin"]
    aligner.main(["--config", c, "--corpus", str(corpus), "--run", str(run), "--eval"])
    res = json.loads((run / "eval.json").read_text())
    assert set(res) == {"valid", "test"} and res["valid"]["edits"] == 1
