"""Exports of the vocoder, the VAE (encoder and decoder) and the aligner from their training runs."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import torch

from .. import constants, timebase
from ..models import load_model, read_checkpoint
from . import manifest
from .manifest import config_file_of, corpus_note, training_info, update_entry
from .onnx import _First, export_onnx, max_diff_fp16, parity_for, parity_mel, to_fp16_storage


def load_run(run: Path):
    state = read_checkpoint(run)
    model, _ = load_model(state["config"]["kind"], state)
    return model, state["config"], state


def _write_vocoder(model, tmp32: Path, correction: dict) -> dict:
    """Exports `model` (a Vocoder) to public/models/vocoder.onnx (fp16 storage), its parity fixture; the
    entry's file fields."""
    model.mel_correction, model.correction_limit = correction["passes"], correction["limit"]
    model.eval()
    manifest.MODELS_DIR.mkdir(parents=True, exist_ok=True)
    out = manifest.MODELS_DIR / "vocoder.onnx"
    mel = torch.randn(1, 64, 160) - 5.0
    export_onnx(model, (mel,), tmp32, ["mel"], ["audio"], {"mel": {0: "B", 2: "T"}, "audio": {0: "B", 1: "samples"}})
    out.write_bytes(tmp32.read_bytes())
    to_fp16_storage(out, constants=True)  # the correction's filterbank is a Constant
    feeds = {"mel": (np.random.default_rng(0).standard_normal((1, 64, 300)) - 5).astype(np.float32)}
    diff = max_diff_fp16(tmp32, out, feeds)
    pdiff = parity_for(out, "vocoder", model, {"mel": parity_mel()}, "audio")
    return {"out": out, "fp16MaxAbsDiff": diff, "parityMaxAbsDiffVsTorch": pdiff,
            "melCorrection": {**correction, "what": "analysis-resynthesis passes after the network, each "
                              "rescaling the output's STFT band by band toward the input mel (models/vocoder.py)"}}


NO_CORRECTION = {"passes": 0, "limit": 3.0}


def export_vocoder(run: Path, init_from: list[Path] | None = None, correction: dict = NO_CORRECTION) -> dict:
    """`init_from`: the runs this one was fine-tuned from, oldest first (each --init-ckpt of the next); their
    steps and commands join the manifest's training entry, so it says how to reproduce the weights.
    `correction`: {"passes", "limit"} of the mel correction exported with the network."""
    model, cfg, state = load_run(run)
    w = _write_vocoder(model, run / "vocoder.fp32.onnx", correction)
    out, diff, pdiff = w.pop("out"), w.pop("fp16MaxAbsDiff"), w.pop("parityMaxAbsDiffVsTorch")
    info = training_info(run, cfg, state, corpus_note(run))
    chain = [*(init_from or []), run]
    steps, hours, cmds, prev = {}, 0.0, [], None
    for r in chain:
        st = state if r == run else read_checkpoint(r)
        steps[str(r)] = int(st["step"])
        hours += st["elapsed"] / 3600
        gan = "gan" in st["config"]  # train.vocoder_gan's runs: started from the shipped file or a run
        cmd = (f"python -m vem_training.{'train.vocoder_gan' if gan else 'train'} --config {config_file_of(r)}"
               f" --run {r} --steps {st['step']}")
        if prev:
            cmd += f" --init-ckpt {prev}/ckpt.pt"
        elif gan:
            init = (json.loads((r / "config.json").read_text()).get("chain") or [{}])[0]
            flags = {"initOnnx": "--init-onnx", "initCkpt": "--init-ckpt"}
            cmd += "".join(f" {flags[k]} {v}" for k, v in init.items() if k in flags)
        cmds.append(cmd)
        prev = r
    t = info["training"]
    t["steps"] = steps if len(chain) > 1 else int(state["step"])
    t["hours"] = round(hours, 3)
    t["command"] = " && ".join(cmds)
    return update_entry("vocoder", out, {**info, "fp16MaxAbsDiff": diff, "parityMaxAbsDiffVsTorch": pdiff,
                                         "sampleRate": timebase.SAMPLE_RATE, "hop": constants.audio()["hopLength"],
                                         **w})


def export_vocoder_from_onnx(src: Path, correction: dict, work: Path) -> dict:
    """Re-exports the network of an exported vocoder (`src`, e.g. the shipped int8 file: its weights are read
    back, and the int8 step gives the same integers again) with another mel correction. The manifest's
    training entry is kept (the weights are the same); the held-out metrics are dropped (measure them again:
    evaluate.autoencoder --write)."""
    from ..models.onnx_weights import load_from_onnx
    from ..models.vocoder import Vocoder

    entry = manifest.load_manifest()["models"].get("vocoder")
    if not entry or "training" not in entry:
        raise SystemExit("export vocoder --from-onnx keeps the manifest's training entry for the vocoder, "
                         "and there is none")
    model = Vocoder(**entry["training"]["config"]["model"])
    load_from_onnx(model, str(src))
    work.mkdir(parents=True, exist_ok=True)
    w = _write_vocoder(model, work / "vocoder.fp32.onnx", correction)
    out = w.pop("out")
    man = manifest.load_manifest()
    man["models"]["vocoder"].pop("metrics", None)
    man["models"]["vocoder"].pop("quantization", None)
    manifest.save_manifest(man)
    return update_entry("vocoder", out, {**w, "reExportedFrom": {"file": src.name, "sha256": manifest.sha256(src)}})


def export_vae(run: Path) -> dict:
    from ..models.vae import VAEDecoderExport, VAEEncoderExport

    model, cfg, state = load_run(run)
    entries = {}
    manifest.MODELS_DIR.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    for name, wrapper, arg, inames, onames, axes in (
        ("vae_encoder", VAEEncoderExport(model), torch.randn(1, 64, 128) - 5.0, ["mel"], ["latent"],
         {"mel": {0: "B", 2: "T"}, "latent": {0: "B", 3: "T4"}}),
        ("vae_decoder", VAEDecoderExport(model), torch.randn(1, 8, 16, 32), ["latent"], ["mel_out"],
         {"latent": {0: "B", 3: "T4"}, "mel_out": {0: "B", 2: "T"}}),
    ):
        out = manifest.MODELS_DIR / f"{name}.onnx"
        tmp32 = run / f"{name}.fp32.onnx"
        export_onnx(wrapper, (arg,), tmp32, inames, onames, axes)
        out.write_bytes(tmp32.read_bytes())
        to_fp16_storage(out)
        shape = (1, 64, 256) if name == "vae_encoder" else (1, 8, 16, 64)
        feeds = {inames[0]: (rng.standard_normal(shape) + (-5.0 if name == "vae_encoder" else 0.0)).astype(np.float32)}
        diff = max_diff_fp16(tmp32, out, feeds)
        if name == "vae_encoder":
            px = {"mel": parity_mel()}
        else:
            with torch.no_grad():
                px = {"latent": model.encode(torch.from_numpy(parity_mel()))[0].numpy()}
        pdiff = parity_for(out, name, wrapper, px, onames[0])
        entries[name] = update_entry(name, out, {**training_info(run, cfg, state, corpus_note(run)),
                                                 "fp16MaxAbsDiff": diff, "parityMaxAbsDiffVsTorch": pdiff,
                                                 "timeMultiple": 4})
    return entries


def export_aligner(run: Path) -> dict:
    from ..models.aligner import Aligner2d

    net, state = load_model("aligner", run)
    cfg = state["config"]
    model = Aligner2d(net).eval()  # same function with 2D ops only (WebGPU has no 3D convolution); batch 1
    out = manifest.MODELS_DIR / "aligner.onnx"
    tmp32 = run / "aligner.fp32.onnx"
    frames = torch.rand(1, 3, 32, 64, 112)
    export_onnx(model, (frames,), tmp32, ["frames"], ["logits", "features"],
                {"frames": {2: "F"}, "logits": {1: "F"}, "features": {1: "F"}})
    out.write_bytes(tmp32.read_bytes())
    to_fp16_storage(out)
    rng = np.random.default_rng(0)
    feeds = {"frames": rng.random((1, 3, 48, 64, 112)).astype(np.float32)}
    diff = max_diff_fp16(tmp32, out, feeds)
    px = {"frames": rng.random((1, 3, 20, 64, 112)).astype(np.float32)}
    pdiff = parity_for(out, "aligner", _First(model), px, "logits")
    ev = json.loads((run / "eval.json").read_text()) if (run / "eval.json").exists() else None
    info = {"training": {"config": cfg, "steps": state["step"], "hours": round(state["elapsed"] / 3600, 3),
                         "data": "corpus edited videos, train split (python -m vem_training.corpus.build)",
                         "date": dt.date.today().isoformat(),
                         "command": f"python -m vem_training.train.aligner --run {run} --steps {cfg['steps']}"}}
    return update_entry("aligner", out, {**info, "fp16MaxAbsDiff": diff, "parityMaxAbsDiffVsTorch": pdiff,
                                         "fps": 16, "frameHeight": 64, "frameWidth": 112, "window": 128,
                                         "windowOverlap": 16, "metrics": ev})

