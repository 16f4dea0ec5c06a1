"""public/models/manifest.json: the entries each export writes (file, hash, shapes, the training run and how
to reproduce it). Metrics are added by vem_training.evaluate.autoencoder."""
from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

from .. import constants
from .onnx import io_spec, sha256

MODELS_DIR = Path(os.environ.get("VEM_MODELS_DIR", constants.REPO_ROOT / "public" / "models"))
MANIFEST = MODELS_DIR / "manifest.json"


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


def training_info(run: Path, cfg: dict, state: dict, corpus_note: str) -> dict:
    return {"training": {"config": cfg, "steps": state["step"], "hours": round(state["elapsed"] / 3600, 3),
                         "data": corpus_note, "date": dt.date.today().isoformat(),
                         "command": f"python -m vem_training.train --config configs/{cfg['kind']}.json --run {run}"}}


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

