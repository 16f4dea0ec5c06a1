"""Model definitions (no training loops here). `build_model` makes one from its config's "model" entry;
`load_model` makes one and loads trained weights into it (a run folder, its ckpt.pt or a checkpoint read
already; for the denoiser also a folder of fp16 .npz weights)."""
from __future__ import annotations

from pathlib import Path


def build_model(kind: str, cfg: dict, **extra):
    """`extra`: what is not in the config file (the denoiser's vocab, cond, tb)."""
    if kind == "vocoder":
        from .vocoder import Vocoder
        return Vocoder(**cfg)
    if kind == "vae":
        from .vae import MelVAE
        return MelVAE(**cfg)
    if kind == "aligner":
        from .aligner import Aligner
        return Aligner(**cfg)
    if kind == "denoiser":
        from .denoiser import Denoiser
        return Denoiser(**extra, **cfg)
    raise ValueError(f"unknown model kind {kind!r}")


def read_checkpoint(source) -> dict:
    """A checkpoint dict (checkpoint.save's format) from a run folder or a ckpt.pt path, on the CPU."""
    import torch

    path = Path(source)
    return torch.load(path / "ckpt.pt" if path.is_dir() else path, map_location="cpu")


def load_model(kind: str, source, variant: str = "sg", tb: bool = True):
    """(model in eval mode, its checkpoint). `source`: a run folder, a ckpt.pt path or a checkpoint dict.
    The denoiser loads its EMA weights, its variant and rhythm path from the run's config; from a folder
    of fp16 .npz weights without ckpt.pt (<source>/denoiser-<variant>[-notb].*.npz, written by
    training/gpu/train_denoiser.sh) it takes `variant`/`tb` and configs/denoiser.json, and the checkpoint
    returned holds the config alone."""
    if kind == "denoiser":
        return _load_denoiser(source, variant, tb)
    st = source if isinstance(source, dict) else read_checkpoint(source)
    model = build_model(kind, st["config"]["model"])
    model.load_state_dict(st["model"])
    model.eval()
    return model, st


def _load_denoiser(source, variant: str, tb: bool):
    from ..config import CONFIGS, load_config
    from . import weights_npz
    from .diffusion import tag_index

    if isinstance(source, dict) or not Path(source).is_dir() or (Path(source) / "ckpt.pt").exists():
        st = source if isinstance(source, dict) else read_checkpoint(source)
        cfg = st["config"]
        variant, tb = cfg["variant"], cfg["tb"]
        state = st["ema"]
    else:
        cfg = load_config(CONFIGS / "denoiser.json").to_dict()
        st = {"config": cfg}
        state = weights_npz.load(Path(source) / f"denoiser-{variant}{'' if tb else '-notb'}")
    model = build_model("denoiser", cfg["model"], vocab=len(tag_index()), cond=variant, tb=tb)
    missing, unexpected = model.load_state_dict(state, strict=False)
    if missing or unexpected:
        raise ValueError(f"denoiser weights do not match: missing {missing[:5]}, unexpected {unexpected[:5]}")
    model.eval()
    return model, st
