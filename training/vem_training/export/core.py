"""ONNX export (opset 17, dynamic axes), fp16 weight storage, and the manifest entry (DESIGN.md §5).

    python -m vem_training.export vocoder --run runs/vocoder
    python -m vem_training.export vae --run runs/vae
    python -m vem_training.export aligner --run runs/aligner
    python -m vem_training.export denoiser --weights runs/gpu-denoisers [--variant sg --tb]
    python -m vem_training.export variants --weights runs/variants-v2 --out runs/variants      # ablation rows for vem eval
    python -m vem_training.export inference-drop --out runs/variants   # the shipped network without tags / rhythm

Writes public/models/<name>.onnx and updates public/models/manifest.json (sha256, bytes, shapes, the
training run, the fp16-vs-fp32 difference). Metrics are added by vem_training.evaluate.autoencoder.
"""
from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
from pathlib import Path

import numpy as np
import torch

from .. import constants
from ..models import load_model, read_checkpoint
from ..data import audio
from . import parity
from .. import timebase

import os

MODELS_DIR = Path(os.environ.get("VEM_MODELS_DIR", constants.REPO_ROOT / "public" / "models"))
MANIFEST = MODELS_DIR / "manifest.json"


def to_fp16_storage(path: Path, min_elements: int = 16) -> None:
    """Stores float32 initializers as float16 followed by a Cast to float32 (halves the file)."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    model = onnx.load(str(path))
    g = model.graph
    new_inits, casts = [], []
    for init in g.initializer:
        arr = numpy_helper.to_array(init)
        if init.data_type == TensorProto.FLOAT and arr.size >= min_elements:
            half = numpy_helper.from_array(arr.astype(np.float16), init.name + "_fp16")
            new_inits.append(half)
            casts.append(helper.make_node("Cast", [half.name], [init.name], to=TensorProto.FLOAT, name=f"cast_{init.name}"))
        else:
            new_inits.append(init)
    del g.initializer[:]
    g.initializer.extend(new_inits)
    nodes = list(g.node)
    del g.node[:]
    g.node.extend(casts + nodes)
    onnx.checker.check_model(model)
    onnx.save(model, str(path))


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def io_spec(path: Path) -> tuple[list[dict], list[dict]]:
    import onnx

    m = onnx.load(str(path))
    dt_names = {1: "float32", 7: "int64", 10: "float16", 9: "bool"}

    def spec(v):
        t = v.type.tensor_type
        shape = [d.dim_param if d.dim_param else d.dim_value for d in t.shape.dim]
        return {"name": v.name, "dtype": dt_names.get(t.elem_type, str(t.elem_type)), "shape": shape}

    init_names = {i.name for i in m.graph.initializer}
    return [spec(v) for v in m.graph.input if v.name not in init_names], [spec(v) for v in m.graph.output]


def load_manifest() -> dict:
    if MANIFEST.exists():
        return json.loads(MANIFEST.read_text())
    return {"version": 1, "models": {}}


def save_manifest(man: dict) -> None:
    man["constants"] = constants.load()
    MANIFEST.write_text(json.dumps(man, indent=1) + "\n")


def update_entry(name: str, path: Path, extra: dict) -> dict:
    man = load_manifest()
    inputs, outputs = io_spec(path)
    entry = man["models"].get(name, {})
    entry.update({"file": path.name, "bytes": path.stat().st_size, "sha256": sha256(path), "opset": 17,
                  "precision": "fp16 weights, fp32 compute", "inputs": inputs, "outputs": outputs, **extra})
    man["models"][name] = entry
    save_manifest(man)
    return entry


def max_diff_fp16(fp32_path: Path, fp16_path: Path, feeds: dict) -> float:
    from ..models.runtime import onnx_session

    a, b = (onnx_session(p, threads=None).run(None, feeds)[0] for p in (fp32_path, fp16_path))
    return float(np.abs(a - b).max())


def load_run(run: Path):
    state = read_checkpoint(run)
    model, _ = load_model(state["config"]["kind"], state)
    return model, state["config"], state


def training_info(run: Path, cfg: dict, state: dict, corpus_note: str) -> dict:
    return {"training": {"config": cfg, "steps": state["step"], "hours": round(state["elapsed"] / 3600, 3),
                         "data": corpus_note, "date": dt.date.today().isoformat(),
                         "command": f"python -m vem_training.train --config configs/{cfg['kind']}.json --run {run}"}}


def export_onnx(module: torch.nn.Module, args: tuple, path: Path, input_names, output_names, dynamic_axes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with torch.no_grad():
        torch.onnx.export(module, args, str(path), opset_version=17, input_names=input_names,
                          output_names=output_names, dynamic_axes=dynamic_axes, do_constant_folding=False)


def corpus_note(run: Path) -> str:
    cfg = json.loads((run / "config.json").read_text()) if (run / "config.json").exists() else {}
    corpus = Path(cfg.get("corpus", "data/corpus"))
    summary = corpus / "summary.json"
    if summary.exists():
        s = json.loads(summary.read_text())
        hours = s.get("hoursPerSplit", {}).get("train", "?")
        return (f"corpus train split: {hours} h of {s.get('totalHours', '?')} h "
                f"({', '.join(f'{k} {v} h' for k, v in s.get('hoursPerSource', {}).items())}); "
                "built by python -m vem_training.corpus.build --size default")
    return "corpus train split (python -m vem_training.corpus.build)"


RUN_KEYS = ("corpus", "pack", "chain", "params", "device")  # what a run's config.json adds to its config file


def config_file_of(run: Path) -> str:
    """The training/configs file a run was started with (its config.json equals it, RUN_KEYS aside)."""
    cfg = {k: v for k, v in json.loads((run / "config.json").read_text()).items() if k not in RUN_KEYS}
    for f in sorted((constants.REPO_ROOT / "training" / "configs").glob("*.json")):
        if json.loads(f.read_text()) == cfg:
            return f"configs/{f.name}"
    return f"configs/{cfg['kind']}.json"


def export_vocoder(run: Path, init_from: list[Path] | None = None) -> dict:
    """`init_from`: the runs this one was fine-tuned from, oldest first (each --init-ckpt of the next); their
    steps and commands join the manifest's training entry, so it says how to reproduce the weights."""
    model, cfg, state = load_run(run)
    MODELS_DIR.mkdir(parents=True, exist_ok=True)
    out = MODELS_DIR / "vocoder.onnx"
    tmp32 = run / "vocoder.fp32.onnx"
    mel = torch.randn(1, 64, 160) - 5.0
    export_onnx(model, (mel,), tmp32, ["mel"], ["audio"], {"mel": {0: "B", 2: "T"}, "audio": {0: "B", 1: "samples"}})
    out.write_bytes(tmp32.read_bytes())
    to_fp16_storage(out)
    feeds = {"mel": (np.random.default_rng(0).standard_normal((1, 64, 300)) - 5).astype(np.float32)}
    diff = max_diff_fp16(tmp32, out, feeds)
    mel40 = parity_mel()
    pdiff = parity_for(out, "vocoder", model, {"mel": mel40}, "audio")
    info = training_info(run, cfg, state, corpus_note(run))
    chain = [*(init_from or []), run]
    steps, hours, cmds, prev = {}, 0.0, [], None
    for r in chain:
        st = state if r == run else read_checkpoint(r)
        steps[str(r)] = int(st["step"])
        hours += st["elapsed"] / 3600
        gan = "gan" in st["config"]  # train.vocoder_gan's runs: started from the shipped file or a run
        cmd = f"python -m vem_training.{'train.vocoder_gan' if gan else 'train'} --config {config_file_of(r)} --run {r} --steps {st['step']}"
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
    return update_entry("vocoder", out, {**info, "fp16MaxAbsDiff": diff,
                                         "parityMaxAbsDiffVsTorch": pdiff, "sampleRate": timebase.SAMPLE_RATE, "hop": constants.audio()["hopLength"]})


def export_vae(run: Path) -> dict:
    from ..models.vae import VAEDecoderExport, VAEEncoderExport

    model, cfg, state = load_run(run)
    entries = {}
    MODELS_DIR.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    for name, wrapper, arg, inames, onames, axes in (
        ("vae_encoder", VAEEncoderExport(model), torch.randn(1, 64, 128) - 5.0, ["mel"], ["latent"],
         {"mel": {0: "B", 2: "T"}, "latent": {0: "B", 3: "T4"}}),
        ("vae_decoder", VAEDecoderExport(model), torch.randn(1, 8, 16, 32), ["latent"], ["mel_out"],
         {"latent": {0: "B", 3: "T4"}, "mel_out": {0: "B", 2: "T"}}),
    ):
        out = MODELS_DIR / f"{name}.onnx"
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
                                                 "fp16MaxAbsDiff": diff, "parityMaxAbsDiffVsTorch": pdiff, "timeMultiple": 4})
    return entries


def export_aligner(run: Path) -> dict:
    from ..models.aligner import Aligner2d

    net, state = load_model("aligner", run)
    cfg = state["config"]
    model = Aligner2d(net).eval()  # same function with 2D ops only (WebGPU has no 3D convolution); batch 1
    out = MODELS_DIR / "aligner.onnx"
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


class _First(torch.nn.Module):
    """Wraps a multi-output model so parity fixtures compare its first output."""

    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, *a):
        return self.m(*a)[0]


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


def denoiser_training_info(run: Path) -> dict:
    """The manifest's training entry for a denoiser run folder: config, steps, time, data, the chain of
    runs, the command that reproduces it and the last held-out rhythm check."""
    st = read_checkpoint(run)
    cfg = st["config"]
    checks = [json.loads(l) for l in (run / "checks.jsonl").read_text().splitlines()] if (run / "checks.jsonl").exists() else []
    z = np.load(cfg["pack"])
    meta = json.loads(bytes(z["meta"]).decode())
    kinds = {}
    for p in meta["pieces"]:
        kinds.setdefault(f"{p['kind']}/{p['split']}", 0)
        kinds[f"{p['kind']}/{p['split']}"] += 1
    model_cfg = {k: v for k, v in cfg.items() if k not in ("pack", "packHours", "encoderSha256", "device", "chain", "params")}
    return {"training": {
        "config": model_cfg, "params": cfg["params"], "steps": int(st["step"]), "hours": round(st["elapsed"] / 3600, 3),
        "device": cfg["device"],
        "data": (f"{cfg['pack']}: {meta['hours']} h of VAE latents ({', '.join(f'{k} {v}' for k, v in sorted(kinds.items()))}; "
                 "valid pieces only in the held-out checks); corpus built by python -m vem_training.corpus.build; "
                 f"shipped vae_encoder sha256 {meta['encoderSha256'][:16]}"),
        "chain": cfg.get("chain", []) + [{"run": str(run), "steps": int(st["step"])}],
        "date": dt.date.today().isoformat(),
        "command": ("python -m vem_training.data.diffusion_pack --aligner ../public/models/aligner.onnx --out data/diffusion/pack.npz"
                    f" && python -m vem_training.train.diffusion --config configs/denoiser.json --pack data/diffusion/pack.npz"
                    f" --run {run} --steps {int(st['step'])}"),
        "heldOutChecks": checks[-1] if checks else None,
        "heldOutChecksAll": checks,
    }}


def export_denoiser(weights: Path, variant: str, tb: bool, out_name: str, info: dict) -> dict:
    model, _ = load_model("denoiser", weights, variant, tb)
    out = MODELS_DIR / f"{out_name}.onnx"
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


def export_variants(weights: Path, out_root: Path, names=tuple(ABLATION)) -> dict:
    """The denoiser's ablation variants as model folders for `vem generate --models` / `vem eval --variants`:
    <out_root>/<name>/denoiser.onnx (fp16) and a manifest.json that reuses the shipped VAE, vocoder and aligner
    (relative paths into public/models). Nothing under public/models changes."""
    import os

    shipped = load_manifest()
    res = {}
    for name in names:
        variant, tb = ABLATION[name]
        d = out_root / name
        d.mkdir(parents=True, exist_ok=True)
        model, _ = load_model("denoiser", weights / name if (weights / name / "ckpt.pt").exists() else weights, variant, tb)
        tmp32, out = d / "denoiser.fp32.onnx", d / "denoiser.onnx"
        denoiser_onnx(model, tmp32, out)
        tmp32.unlink()
        man = json.loads(json.dumps(shipped))
        for k, e in man["models"].items():
            if k != "denoiser":
                e["file"] = os.path.relpath(MODELS_DIR / e["file"], d)
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
    import os

    shipped = load_manifest()
    res = {}
    for name, drop in INFERENCE_DROP.items():
        d = out_root / name
        d.mkdir(parents=True, exist_ok=True)
        man = json.loads(json.dumps(shipped))
        for e in man["models"].values():
            e["file"] = os.path.relpath(MODELS_DIR / e["file"], d)
        man["models"]["denoiser"]["inferenceDrop"] = drop
        man["models"]["denoiser"].pop("metrics", None)
        (d / "manifest.json").write_text(json.dumps(man, indent=1) + "\n")
        res[name] = {"dir": str(d), "inferenceDrop": drop}
    return res


def parity_mel() -> np.ndarray:
    """(1, 64, 40) log-mel of the committed parity signal: the same input on every runtime."""
    x, _ = audio.load_wav_mono(constants.REPO_ROOT / "src/core/audio/testdata/parity.wav")
    return audio.log_mel(x)[None, :, :40].astype(np.float32)


def parity_for(path: Path, name: str, module, inputs: dict, output_name: str) -> float:
    """Writes the parity fixture (PyTorch fp32 output) and returns |onnxruntime − PyTorch| max."""
    fx = parity.make_fixture(name, module, inputs, output_name)
    d = parity.check_onnx(path, fx)
    # runtimes must agree with PyTorch about as well as the fp16-stored weights allow
    fx["tolerance"] = float(max(2e-3, 4 * d))
    parity.write_fixture(fx)
    return d


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("kind", choices=["vocoder", "vae", "aligner", "denoiser", "variants", "inference-drop"])
    ap.add_argument("--out", default="runs/variants", help="variants: the folder of model folders")
    ap.add_argument("--run", default=None)
    ap.add_argument("--weights", default=None, help="denoiser: folder of .npz weights or a run")
    ap.add_argument("--variant", default="sg")
    ap.add_argument("--no-tb", action="store_true")
    ap.add_argument("--name", default="denoiser")
    ap.add_argument("--info", default=None, help="denoiser: JSON file with the training entry")
    ap.add_argument("--init-from", default=None, help="vocoder: the runs it was fine-tuned from, oldest first, comma-separated")
    ap.add_argument("--pack", default="data/diffusion/pack.npz", help="denoiser: the pack it was trained on (latent statistics)")
    args = ap.parse_args(argv)
    torch.set_num_threads(1)
    if args.kind == "inference-drop":
        print(json.dumps(export_inference_drop(Path(args.out)), indent=1))
        return
    if args.kind == "variants":
        print(json.dumps(export_variants(Path(args.weights), Path(args.out)), indent=1))
        return
    if args.kind == "denoiser":
        if args.info:
            info = json.loads(Path(args.info).read_text())
        elif (Path(args.weights) / "ckpt.pt").exists():
            info = denoiser_training_info(Path(args.weights))
            args.pack = info["training"]["data"].split(":")[0]
        else:
            info = {}
        z = np.load(args.pack)
        info["latentNorm"] = {"mean": [round(float(v), 6) for v in z["mean"]], "std": [round(float(v), 6) for v in z["std"]],
                              "layout": "latent (8, 16, T) folded to (128, T) as channel*16 + row; z = x*std + mean"}
        res = export_denoiser(Path(args.weights), args.variant, not args.no_tb, args.name, info)
    elif args.kind == "aligner":
        res = export_aligner(Path(args.run))
    else:
        res = (export_vocoder(Path(args.run), [Path(p) for p in args.init_from.split(",")] if args.init_from else None)
               if args.kind == "vocoder" else export_vae(Path(args.run)))
    print(json.dumps(res, indent=1)[:2000])


if __name__ == "__main__":
    main()
