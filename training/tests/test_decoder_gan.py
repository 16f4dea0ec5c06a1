"""The VAE decoder's adversarial fine-tune: the encoder stays frozen, the figures read what they claim."""
import numpy as np
import torch
import torch.nn.functional as F

from vem_training.config import CONFIGS, VaeConfig, load_config
from vem_training.models import build_model
from vem_training.models.discriminators import MelDiscriminators
from vem_training.train.decoder_gan import decoder_figures, gan_step

torch.set_num_threads(1)

TINY = {"channels": [8, 8, 16], "z_channels": 4}


def tiny(**kw):
    d = {"kind": "vae", "model": TINY, "batch": 2, "cropFrames": 32, "lr": 1e-3, "lrD": 1e-3, "betas": [0.8, 0.99],
         "warmupSteps": 1, "dWarmupSteps": 0, "steps": 2, "fluxLossWeight": 2.0, "gradClipD": 10.0,
         "gan": {"advWeight": 0.05, "fmWeight": 1.0, "channels": 4, "pools": [1, 2]}}
    return VaeConfig.from_dict({**d, **kw})


def test_the_shipped_config_reads_as_a_vae_config():
    cfg = load_config(CONFIGS / "vae-decoder-gan.json")
    assert isinstance(cfg, VaeConfig) and cfg.gan["advWeight"] > 0 and cfg.dWarmupSteps > 0


def test_mel_discriminators_give_patch_logits_and_feature_maps_per_scale():
    logits, feats = MelDiscriminators(4, (1, 2))(torch.randn(3, 1, 64, 32))
    assert [lg.shape for lg in logits] == [(3, 1, 16, 8), (3, 1, 16, 4)]
    assert all(len(f) == 5 for f in feats)


def test_a_step_moves_the_decoder_and_never_the_encoder():
    torch.manual_seed(0)
    cfg = tiny()
    vae = build_model("vae", cfg.model)  # encoder left trainable: the step itself must not reach it
    enc = {k: v.clone() for k, v in vae.encoder.state_dict().items()}
    dec = {k: v.clone() for k, v in vae.decoder.state_dict().items()}
    D = MelDiscriminators(4, (1, 2))
    opt_g = torch.optim.AdamW(vae.decoder.parameters(), lr=1e-3)
    opt_d = torch.optim.AdamW(D.parameters(), lr=1e-3)
    mel = torch.randn(2, 64, 32) - 5.0
    d_only = gan_step(cfg, vae, D, opt_g, opt_d, mel, train_g=False)
    assert set(d_only) == {"d", "dGradNorm"}
    assert all(torch.equal(v, vae.decoder.state_dict()[k]) for k, v in dec.items())
    parts = gan_step(cfg, vae, D, opt_g, opt_d, mel, train_g=True)
    assert all(np.isfinite(v) for v in parts.values()) and parts["adv"] > 0 and parts["fm"] > 0
    assert all(torch.equal(v, vae.encoder.state_dict()[k]) for k, v in enc.items())
    assert all(p.grad is None for p in vae.encoder.parameters())
    assert any(not torch.equal(v, vae.decoder.state_dict()[k]) for k, v in dec.items())


def test_figures_read_one_for_the_original_and_below_one_for_a_smeared_copy():
    torch.manual_seed(1)
    mel = torch.randn(2, 64, 200).cumsum(-1) * 0.1 + (torch.rand(2, 64, 200) < 0.05).float() * 3 - 5
    same = decoder_figures(mel, mel)
    assert same["melL1"] == 0 and same["fluxL1"] == 0
    assert abs(same["onsetSharpness"] - 1) < 1e-6 and abs(same["detail"] - 1) < 1e-6
    # blur in time and in frequency: onsets and harmonic lines soften
    smeared = F.avg_pool2d(mel[:, None], (5, 5), stride=1, padding=2, count_include_pad=False)[:, 0]
    f = decoder_figures(smeared, mel)
    assert f["onsetSharpness"] < 0.8 and f["detail"] < 0.8 and f["melL1"] > 0
