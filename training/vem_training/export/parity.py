"""Parity fixtures: a fixed input and the PyTorch (fp32) output of each exported model, written beside
the e2e fixtures so onnxruntime-node (Vitest) and onnxruntime-web (Playwright, WASM and WebGPU) are
checked against PyTorch on the same input."""
from __future__ import annotations

import base64
import json

import numpy as np
import torch

from .. import constants

PARITY_DIR = constants.REPO_ROOT / "e2e" / "fixtures" / "parity"


def b64(a: np.ndarray) -> str:
    return base64.b64encode(np.ascontiguousarray(a, dtype="<f4").tobytes()).decode()


def make_fixture(name: str, module: torch.nn.Module, inputs: dict[str, np.ndarray], output_name: str) -> dict:
    """The fixture (PyTorch fp32 output on `inputs`); its tolerance is set by the caller."""
    with torch.no_grad():
        out = module(*[torch.from_numpy(v) for v in inputs.values()]).numpy()
    return {"model": name, "tolerance": None,
            "inputs": {k: {"dims": list(v.shape), "b64": b64(v)} for k, v in inputs.items()},
            "expected": {output_name: {"dims": list(out.shape), "b64": b64(out)}}}


def write_fixture(fx: dict) -> None:
    PARITY_DIR.mkdir(parents=True, exist_ok=True)
    (PARITY_DIR / f"{fx['model']}.json").write_text(json.dumps(fx))


def check_onnx(path, fx: dict) -> float:
    """Max |onnxruntime(python) − PyTorch| on the fixture."""
    from ..models.runtime import onnx_session

    feeds = {k: np.frombuffer(base64.b64decode(v["b64"]), dtype="<f4").reshape(v["dims"])
             for k, v in fx["inputs"].items()}
    out = onnx_session(path, threads=None).run(None, feeds)[0]
    (exp,) = fx["expected"].values()
    ref = np.frombuffer(base64.b64decode(exp["b64"]), dtype="<f4").reshape(exp["dims"])
    return float(np.abs(out - ref).max())
