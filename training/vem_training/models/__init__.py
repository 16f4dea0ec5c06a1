"""Model definitions (no training loops here). Built from JSON configs by `build_model`."""
from __future__ import annotations


def build_model(kind: str, cfg: dict):
    if kind == "vocoder":
        from .vocoder import Vocoder
        return Vocoder(**cfg)
    if kind == "vae":
        from .vae import MelVAE
        return MelVAE(**cfg)
    raise ValueError(f"unknown model kind {kind!r}")
