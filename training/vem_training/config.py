"""Training configs: one dataclass per kind, read from training/configs/*.json.

Each class's defaults are its base file (configs/vocoder.json, vae.json, aligner.json, denoiser.json,
vocoder-gan.json; a test checks they agree); free-text entries (`_note`, `note`, `data`) default to
absent. `load_config` refuses keys its class does not know. A config remembers which keys its file set
and in what order: `to_dict()` gives back exactly that dict, which is what a run records in config.json
and ckpt.pt, so runs, checkpoints and the manifest read as before.

The training loops read a config by attribute (`cfg.lr`). Where a loop's own fallback for an entry a
file leaves out differs from the class default (the GAN vocoder's dWarmupSteps, vaeInputShare,
fluxLossWeight and stftResolutions; the VAE's onnxPrefix) they read `cfg.given(name, fallback)`, which
keeps what those loops did before the configs were dataclasses.
"""
from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path

from .constants import REPO_ROOT

CONFIGS = REPO_ROOT / "training" / "configs"
VOCODER_MODEL = {"n_mels": 64, "dim": 192, "hidden": 576, "layers": 8, "n_fft": 1024, "hop": 256}
STFT_RESOLUTIONS = [[256, 64], [512, 128], [1024, 256], [2048, 512]]
SHIPPED_VAE = ["public/models/vae_encoder.onnx", "public/models/vae_decoder.onnx"]


def _default(value):
    return field(default_factory=lambda: json.loads(json.dumps(value)))


@dataclass
class Config:
    def __post_init__(self):
        self._keys = [f.name for f in dataclasses.fields(self) if getattr(self, f.name) is not None]

    @classmethod
    def from_dict(cls, d: dict) -> "Config":
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(d) - names)
        if unknown:
            raise ValueError(f"{cls.__name__}: unknown config keys {unknown}")
        cfg = cls(**d)
        cfg._keys = list(d)
        return cfg

    def to_dict(self) -> dict:
        return {k: getattr(self, k) for k in self._keys}

    def given(self, name: str, fallback=None):
        """The entry if the file set it, else `fallback`."""
        return getattr(self, name) if name in self._keys else fallback

    def update(self, **entries) -> None:
        """Sets entries (a command-line override) so that `to_dict()` records them too."""
        names = {f.name for f in dataclasses.fields(self)}
        for k, v in entries.items():
            if k not in names:
                raise ValueError(f"{type(self).__name__}: unknown config key {k!r}")
            setattr(self, k, v)
            if k not in self._keys:
                self._keys.append(k)


@dataclass
class VocoderConfig(Config):
    kind: str = "vocoder"
    model: dict = _default(VOCODER_MODEL)
    batch: int = 16
    segSamples: int = 16384
    lr: float = 5e-4
    warmupSteps: int = 200
    steps: int = 40000
    melLossWeight: float = 1.0
    ckptEverySec: int = 300
    seed: int = 0
    fluxLossWeight: float | None = None
    stftResolutions: list | None = None
    vaeInputShare: float | None = None
    vaeOnnx: list | None = None
    onnxPrefix: str | None = None
    _note: str | None = None


@dataclass
class VaeConfig(Config):
    kind: str = "vae"
    model: dict = _default({"channels": [32, 64, 128], "z_channels": 8})
    batch: int = 8
    cropFrames: int = 128
    lr: float = 3e-4
    warmupSteps: int = 200
    steps: int = 40000
    klWeight: float = 1e-4
    ckptEverySec: int = 300
    seed: int = 0
    onnxPrefix: str = "vae."
    # the decoder's adversarial fine-tune (train.decoder_gan; configs/vae-decoder-gan.json)
    lrD: float | None = None
    betas: list | None = None
    dWarmupSteps: int | None = None
    fluxLossWeight: float | None = None
    gan: dict | None = None
    gradClipD: float | None = None
    checkEvery: int | None = None
    checkClips: int | None = None
    checkSeconds: float | None = None
    _note: str | None = None


@dataclass
class VocoderGanConfig(Config):
    kind: str = "vocoder"
    model: dict = _default(VOCODER_MODEL)
    data: str | None = None
    batch: int = 16
    segSamples: int = 16384
    lr: float = 2e-4
    lrD: float = 2e-4
    betas: list = _default([0.8, 0.99])
    weightDecay: float = 0.01
    warmupSteps: int = 100
    dWarmupSteps: int = 500
    steps: int = 40000
    melLossWeight: float = 1.0
    fluxLossWeight: float = 4.0
    stftResolutions: list = _default(STFT_RESOLUTIONS)
    vaeInputShare: float = 0.5
    vaeOnnx: list = _default(SHIPPED_VAE)
    gan: dict = _default({"loss": "lsgan", "advWeight": 0.1, "fmWeight": 1.0, "discSamples": 8192,
                          "mpd": {"periods": [2, 3, 5, 7, 11], "channels": [16, 32, 64, 128, 128]},
                          "mrd": {"resolutions": [[256, 64], [512, 128], [1024, 256]], "channels": 16}})
    gradClip: float = 1.0
    gradClipD: float = 10.0
    gradPartsEvery: int = 500
    ckptEverySec: int = 300
    checkEvery: int = 1000
    checkClips: int = 4
    checkSeconds: float = 10.0
    seed: int = 3
    onnxPrefix: str | None = None
    _note: str | None = None


@dataclass
class AlignerConfig(Config):
    window: int = 64
    batch: int = 8
    lr: float = 2e-3
    steps: int = 6000
    warmupSteps: int = 100
    posWeight: float = 8.0
    ignoreRadius: int = 1
    ckptEverySec: int = 300
    seed: int = 0
    model: dict = _default({"channels": [16, 24, 32, 48], "feat": 32})
    kind: str = "aligner"


@dataclass
class DenoiserConfig(Config):
    kind: str = "denoiser"
    version: int = 2
    note: str | None = None
    model: dict = _default({"channels": [128, 192, 256], "emb": 256, "d_tok": 256, "heads": 4, "rhythm_hidden": 64})
    crops: list = _default([[128, 16], [256, 8], [320, 6]])
    condDrop: float = 0.1
    rhythmDrop: float = 0.15
    uncondDrop: float = 0.1
    downbeatDrop: float = 0.5
    editShare: float = 0.2
    storyMeasure: float = 0.5
    shotSec: float = 3.0
    recordedShare: float | None = None  # share of clip crops from recorded music (None: clips drawn alike)
    ema: float = 0.999
    seed: int = 0
    ckptEverySec: int = 300
    evalEvery: int = 1000
    steps: int = 200000
    lr: float = 3e-4
    warmupSteps: int = 300
    lrCosineSteps: int | None = None  # a half cosine from lr to 0 over this many steps of the run (an anneal)
    weightDecay: float = 0.01
    gpuBatchScale: int = 6


BASE_FILES = {VocoderConfig: "vocoder.json", VaeConfig: "vae.json", VocoderGanConfig: "vocoder-gan.json",
              AlignerConfig: "aligner.json", DenoiserConfig: "denoiser.json"}


def config_class(d: dict) -> type[Config]:
    kind = d.get("kind")
    if kind == "vocoder":
        return VocoderGanConfig if "gan" in d else VocoderConfig
    return {"vae": VaeConfig, "aligner": AlignerConfig, "denoiser": DenoiserConfig}[kind]


def as_config(cfg, cls: type[Config] | None = None) -> Config:
    """`cfg` if it is a Config already; a config dict read as its kind's class (`cls` when it names no kind)."""
    if isinstance(cfg, Config):
        return cfg
    return (config_class(cfg) if "kind" in cfg or cls is None else cls).from_dict(cfg)


def load_config(path: Path | str) -> Config:
    """The config of a file (its class from `kind`; a vocoder config with `gan` is the GAN's)."""
    d = json.loads(Path(path).read_text())
    return config_class(d).from_dict(d)
