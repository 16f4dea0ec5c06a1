"""The vocoder's training step options: onset-flux loss, extra STFT resolution, VAE-reconstructed inputs."""
import json

import torch

from vem_training.constants import REPO_ROOT
from vem_training.data import audio
from vem_training.export.manifest import config_file_of
from vem_training.models import build_model, losses
from vem_training.train.autoencoder import make_step, vocoder_input_vae

SMALL = {"n_mels": 64, "dim": 32, "hidden": 64, "layers": 1, "n_fft": 1024, "hop": 256}


def test_onset_flux_weighs_a_smeared_onset_more_than_mel_l1():
    mel = torch.full((1, 64, 40), -6.0)
    mel[..., 20:] = -2.0                      # one sharp onset
    smeared = mel.clone()
    smeared[..., 18:23] = torch.linspace(-6.0, -2.0, 5)
    assert losses.onset_flux_l1(mel, mel) == 0
    flux = losses.onset_flux_l1(smeared, mel).item()
    l1 = torch.nn.functional.l1_loss(smeared, mel).item()
    assert flux > 1.2 * l1


def test_vocoder_step_with_flux_and_vae_inputs_runs_and_reports_its_parts():
    torch.manual_seed(0)
    cfg = {"kind": "vocoder", "melLossWeight": 1.0, "fluxLossWeight": 4.0, "vaeInputShare": 0.5,
           "stftResolutions": [[256, 64], [1024, 256]]}
    model = build_model("vocoder", SMALL)
    step = make_step(cfg, model, audio.TorchLogMel())
    loss, parts = step(0.1 * torch.randn(4, 16384))
    assert set(parts) == {"mrstft", "melL1", "flux"} and torch.isfinite(loss)
    loss.backward()
    assert all(p.grad is not None for p in model.parameters() if p.requires_grad)


def test_the_input_vae_is_the_shipped_one_and_frozen():
    vae = vocoder_input_vae({"vaeInputShare": 0.5})
    assert not any(p.requires_grad for p in vae.parameters())
    mel = torch.randn(1, 64, 64) - 5
    rec = vae.decode(vae.encode(mel)[0])
    assert rec.shape == mel.shape
    assert vocoder_input_vae({}) is None


def test_config_file_of_finds_the_config_a_run_used(tmp_path):
    cfg = json.loads((REPO_ROOT / "training/configs/vocoder-flux.json").read_text())
    (tmp_path / "config.json").write_text(json.dumps({**cfg, "corpus": "data/corpus"}))
    assert config_file_of(tmp_path) == "configs/vocoder-flux.json"
