"""Exports of the denoiser: the shipped network and its manifest entry from a run (or fp16 .npz weights), the
ablation variants and the inference-drop rows as model folders for `vem eval`."""
from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import numpy as np
import torch

from .. import timebase
from ..models import load_model, read_checkpoint
from . import manifest
from .manifest import load_manifest, save_manifest, update_entry
from .onnx import export_onnx, io_spec, max_diff_fp16, parity_for, sha256, to_fp16_storage


def denoiser_example(vocab: int, T: int, S: int, rhythm: int, seed: int = 0) -> dict:
    rng = np.random.default_rng(seed)
    start = np.sort(rng.uniform(0, T * timebase.LATENT_FRAME_SEC * 0.7, (1, S))).astype(np.float32)
    return {"z_t": rng.standard_normal((1, 128, T)).astype(np.float32),
            "timestep": np.array([500.0], np.float32),
            "global_tags": (rng.random((1, vocab)) < 0.1).astype(np.float32),
            "caption_tags": (rng.random((1, vocab)) < 0.1).astype(np.float32),
            "story_tags": (rng.random((1, S, vocab)) < 0.1).astype(np.float32),
            "story_start_sec": start,
            "story_dur_sec": np.full((1, S), T * timebase.LATENT_FRAME_SEC * 0.3, np.float32),
            "rhythm": rng.standard_normal((1, rhythm, T)).astype(np.float32) * 0.5}


DENOISER_AXES = {"z_t": {0: "B", 2: "T"}, "timestep": {0: "B"}, "global_tags": {0: "B"}, "caption_tags": {0: "B"},
                 "story_tags": {0: "B", 1: "S"}, "story_start_sec": {0: "B", 1: "S"},
                 "story_dur_sec": {0: "B", 1: "S"}, "rhythm": {0: "B", 2: "T"}, "v": {0: "B", 2: "T"}}


def denoiser_onnx(model, tmp32: Path, out: Path) -> None:
    """Exports the denoiser to `tmp32` (fp32) and `out` (the same graph with fp16-stored weights)."""
    ex = denoiser_example(model.vocab, 64, 3, model.rhythm_channels)
    axes = {k: v for k, v in DENOISER_AXES.items() if k != "rhythm" or model.tb}
    export_onnx(model, tuple(torch.from_numpy(v) for v in ex.values()), tmp32, list(ex), ["v"], axes)
    out.write_bytes(tmp32.read_bytes())
    to_fp16_storage(out)


def lineage(run: Path, depth: int = 0) -> list:
    """A run's chain (its config.json) after the chains of the runs it was started from with --init-ckpt, each
    closed by a {"run": ...} entry; a run without config.json is its {"run": ...} entry alone."""
    p = Path(run) / "config.json"
    if not p.exists():
        return [{"run": str(run)}]
    chain = json.loads(p.read_text()).get("chain", [])
    first = chain[0] if chain else {}
    before = lineage(Path(first["initCkpt"]), depth + 1) if "initCkpt" in first and depth < 32 else []
    return before + chain + [{"run": str(run)}]


def denoiser_training_info(run: Path) -> dict:
    """The manifest's training entry for a denoiser run folder: config, steps, time, data, the chain of
    runs, the command that reproduces it and the last held-out rhythm check."""
    st = read_checkpoint(run)
    cfg = st["config"]
    checks_file = run / "checks.jsonl"
    checks = [json.loads(line) for line in checks_file.read_text().splitlines()] if checks_file.exists() else []
    z = np.load(cfg["pack"])
    meta = json.loads(bytes(z["meta"]).decode())
    kinds = {}
    for p in meta["pieces"]:
        kinds.setdefault(f"{p['kind']}/{p['split']}", 0)
        kinds[f"{p['kind']}/{p['split']}"] += 1
    run_keys = ("pack", "packHours", "encoderSha256", "device", "chain", "params", "configFile", "average")
    model_cfg = {k: v for k, v in cfg.items() if k not in run_keys}
    # the command that reproduces it: its config file and how it started (runs before configFile was
    # recorded: the residual-FiLM config is the only one with model.film "residual")
    residual = cfg.get("model", {}).get("film") == "residual"
    config_file = cfg.get("configFile") or ("configs/denoiser-film.json" if residual else "configs/denoiser.json")
    start = (cfg.get("chain") or [{}])[0]
    init = (f" --init-onnx {start['initOnnx']}" if "initOnnx" in start else
            f" --init-ckpt {start['initCkpt']}" if "initCkpt" in start else "")
    init += " --reset-film" if start.get("resetFilm") else ""
    norm = " --norm-from ../public/models/manifest.json" if "initOnnx" in start else ""
    command = ("python -m vem_training.data.diffusion_pack --aligner ../public/models/aligner.onnx"
               f"{norm} --out data/diffusion/pack.npz"
               f" && python -m vem_training.train.diffusion --config {config_file}"
               f" --pack data/diffusion/pack.npz{init}"
               f" --run {run} --steps {int(st['step'])}")
    chain = cfg.get("chain", []) + [{"run": str(run), "steps": int(st["step"])}]
    if "average" in cfg:  # train.average: the weights of two runs interpolated; each side's runs back to its start
        av = cfg["average"]
        trained_b = (f"python -m vem_training.train.diffusion --config {config_file} --pack {cfg['pack']}{init}"
                     f" --run {av['b']} --steps {av['stepsB']}")
        command = (f"python -m vem_training.train.average --a {av['a']} --b {av['b']} --alpha {av['alpha']}"
                   f" --run {run} --pack {cfg['pack']} (A: {av['stepsA']} steps; B: {av['stepsB']} steps, its last"
                   f" run: {trained_b}; the runs before each side: chain.a, chain.b)")
        chain = {"a": lineage(Path(av["a"])), "b": lineage(Path(av["b"])), "average": av}
    return {"training": {
        "config": model_cfg, "params": cfg["params"], "steps": int(st["step"]), "hours": round(st["elapsed"] / 3600, 3),
        "device": cfg["device"],
        "data": (f"{cfg['pack']}: {meta['hours']} h of VAE latents "
                 f"({', '.join(f'{k} {v}' for k, v in sorted(kinds.items()))}; "
                 "valid pieces only in the held-out checks); corpus built by python -m vem_training.corpus.build; "
                 f"shipped vae_encoder sha256 {meta['encoderSha256'][:16]}"),
        "chain": chain,
        "date": dt.date.today().isoformat(),
        "command": command,
        "heldOutChecks": checks[-1] if checks else None,
        "heldOutChecksAll": checks,
    }}


def export_denoiser(weights: Path, variant: str, tb: bool, out_name: str, info: dict) -> dict:
    model, _ = load_model("denoiser", weights, variant, tb)
    out = manifest.MODELS_DIR / f"{out_name}.onnx"
    tmp32 = weights / f"{out_name}.fp32.onnx"
    denoiser_onnx(model, tmp32, out)
    ex2 = denoiser_example(model.vocab, 96, 4, model.rhythm_channels, seed=1)
    diff = max_diff_fp16(tmp32, out, ex2)
    pdiff = parity_for(out, out_name, model, denoiser_example(model.vocab, 32, 2, model.rhythm_channels, seed=2), "v")
    man = load_manifest()
    man["models"].pop(out_name, None)  # a new denoiser: nothing of the previous entry (its metrics) carries over
    save_manifest(man)
    return update_entry(out_name, out, {**info, "fp16MaxAbsDiff": diff, "parityMaxAbsDiffVsTorch": pdiff,
                                        "timeMultiple": 4, "variant": model.cond, "rhythmPath": model.tb,
                                        "prediction": "v", "schedule": "cosine, zero terminal SNR (constants.json)",
                                        "vocabulary": "constants.json tags, in order"})


VARIANTS = {  # the paper's table 4 rows: (stage-1 variant, TB adapter)
    "unconditional": ("none", False),
    "tbOnly": ("none", True),
    "hvpSgCatt": ("sg", False),
    "hvpPlainCatt": ("plain", False),
    "full": ("sg", True),
}
ABLATION = {k: v for k, v in VARIANTS.items() if k != "full"}


def export_variants(weights: Path, out_root: Path, names=None) -> dict:
    """The denoiser's ablation variants as model folders for `vem generate --models` / `vem eval --variants`:
    <out_root>/<name>/denoiser.onnx (fp16) and a manifest.json that reuses the shipped VAE, vocoder and aligner
    (relative paths into public/models). Nothing under public/models changes. `weights` is one run (every
    variant read from it) or a folder of runs named as VARIANTS (every one present, `full` included: the
    control trained the same way beside the ablations)."""
    if names is None:
        names = [n for n in VARIANTS if (weights / n / "ckpt.pt").exists()] or list(ABLATION)
    shipped = load_manifest()
    res = {}
    for name in names:
        variant, tb = VARIANTS[name]
        d = out_root / ("fullControl" if name == "full" else name)  # `full` is vem eval's row of the shipped model
        d.mkdir(parents=True, exist_ok=True)
        src = weights / name if (weights / name / "ckpt.pt").exists() else weights
        model, _ = load_model("denoiser", src, variant, tb)
        tmp32, out = d / "denoiser.fp32.onnx", d / "denoiser.onnx"
        denoiser_onnx(model, tmp32, out)
        tmp32.unlink()
        man = json.loads(json.dumps(shipped))
        for k, e in man["models"].items():
            if k != "denoiser":
                e["file"] = os.path.relpath(manifest.MODELS_DIR / e["file"], d)
        inputs, outputs = io_spec(out)
        den = man["models"]["denoiser"]
        den.update({"file": "denoiser.onnx", "bytes": out.stat().st_size, "sha256": sha256(out), "inputs": inputs,
                    "outputs": outputs, "variant": variant, "rhythmPath": tb, "ablation": name})
        den.pop("metrics", None)
        (d / "manifest.json").write_text(json.dumps(man, indent=1) + "\n")
        res[name] = {"dir": str(d), "inputs": [i["name"] for i in inputs], "bytes": den["bytes"]}
    return res


INFERENCE_DROP = {  # the shipped network with some of its conditions left out at inference (CFG dropout
    # trained it for exactly these inputs); `vem eval` rows beside the separately trained table-4 variants
    "noConditions": ["tags", "rhythm"],
    "rhythmOnly": ["tags"],
    "tagsOnly": ["rhythm"],
}


def export_inference_drop(out_root: Path) -> dict:
    """Model folders that reuse the shipped denoiser (no copy) with `inferenceDrop` in their manifest."""
    shipped = load_manifest()
    res = {}
    for name, drop in INFERENCE_DROP.items():
        d = out_root / name
        d.mkdir(parents=True, exist_ok=True)
        man = json.loads(json.dumps(shipped))
        for e in man["models"].values():
            e["file"] = os.path.relpath(manifest.MODELS_DIR / e["file"], d)
        man["models"]["denoiser"]["inferenceDrop"] = drop
        man["models"]["denoiser"].pop("metrics", None)
        (d / "manifest.json").write_text(json.dumps(man, indent=1) + "\n")
        res[name] = {"dir": str(d), "inferenceDrop": drop}
    return res

