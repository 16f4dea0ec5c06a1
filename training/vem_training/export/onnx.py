"""ONNX files: export at opset 17, fp16 weight storage, I/O spec and hash, the fp16-vs-fp32 difference and the
parity fixtures (PyTorch fp32 output on a fixed input) each export writes."""
from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import torch

from .. import constants
from ..data import audio
from . import parity


def to_fp16_storage(path: Path, min_elements: int = 16, constants: bool = False) -> None:
    """Stores float32 initializers as float16 followed by a Cast to float32 (halves the file). `constants`:
    float32 Constant nodes too (a module's non-persistent buffers, e.g. the vocoder's mel filterbank), which
    become float16 initializers under the Constant's output name's Cast."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    model = onnx.load(str(path))
    g = model.graph
    if constants:
        keep = []
        for n in g.node:
            is_value = n.op_type == "Constant" and len(n.attribute) == 1 and n.attribute[0].name == "value"
            t = n.attribute[0].t if is_value else None
            if t is not None and t.data_type == TensorProto.FLOAT and numpy_helper.to_array(t).size >= min_elements:
                g.initializer.append(numpy_helper.from_array(numpy_helper.to_array(t), n.output[0]))
            else:
                keep.append(n)
        del g.node[:]
        g.node.extend(keep)
    new_inits, casts = [], []
    for init in g.initializer:
        arr = numpy_helper.to_array(init)
        if init.data_type == TensorProto.FLOAT and arr.size >= min_elements:
            half = numpy_helper.from_array(arr.astype(np.float16), init.name + "_fp16")
            new_inits.append(half)
            casts.append(helper.make_node("Cast", [half.name], [init.name], to=TensorProto.FLOAT,
                                          name=f"cast_{init.name}"))
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


def max_diff_fp16(fp32_path: Path, fp16_path: Path, feeds: dict) -> float:
    from ..models.runtime import onnx_session

    a, b = (onnx_session(p, threads=None).run(None, feeds)[0] for p in (fp32_path, fp16_path))
    return float(np.abs(a - b).max())


def export_onnx(module: torch.nn.Module, args: tuple, path: Path, input_names, output_names, dynamic_axes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with torch.no_grad():
        torch.onnx.export(module, args, str(path), opset_version=17, input_names=input_names,
                          output_names=output_names, dynamic_axes=dynamic_axes, do_constant_folding=False)


class _First(torch.nn.Module):
    """Wraps a multi-output model so parity fixtures compare its first output."""

    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, *a):
        return self.m(*a)[0]


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

