"""Loads exported ONNX initializers back into a PyTorch module (resume when a checkpoint is lost)."""
from __future__ import annotations

import numpy as np
import torch


def load_from_onnx(model: torch.nn.Module, path: str, prefix: str = "", narrow: dict | None = None) -> int:
    """`path` may list several files separated by commas (the VAE ships as encoder + decoder). Reads fp32,
    fp16 (`<name>_fp16`) and int8 (`<name>_int8` + scale, `export quantize`) weights.

    `narrow` {name: dim}: where the model's tensor is smaller than the file's along `dim` alone, load the
    leading slice (a model without some trailing input channels, e.g. an ablation variant without the
    rhythm channels, warm-started from the full network: at zero those channels contributed nothing)."""
    import onnx
    from onnx import numpy_helper

    inits = {}
    for p in str(path).split(","):
        g = onnx.load(p).graph
        arrays = {i.name: numpy_helper.to_array(i) for i in g.initializer}
        inits.update(arrays)
        # int8-stored weights (export quantize): <name>_int8 · <name>_scale along the DequantizeLinear's axis
        for n in g.node:
            if n.op_type == "DequantizeLinear" and n.input[0] in arrays and n.input[0].endswith("_int8"):
                q, scale = arrays[n.input[0]].astype(np.float32), arrays[n.input[1]].astype(np.float32)
                axis = next((a.i for a in n.attribute if a.name == "axis"), 1)
                shape = [-1 if d == axis % q.ndim else 1 for d in range(q.ndim)] if scale.ndim else []
                zero = arrays[n.input[2]].astype(np.float32) if len(n.input) > 2 and n.input[2] in arrays else 0.0
                inits[n.input[0][:-5]] = (q - np.reshape(zero, shape)) * np.reshape(scale, shape)
    state = model.state_dict()
    loaded, done = 0, set()
    for name, tensor in state.items():
        arr = inits.get(prefix + name)
        if arr is None:
            arr = inits.get(prefix + name + "_fp16")
        dim = (narrow or {}).get(name)
        if arr is not None and dim is not None and arr.ndim == tensor.ndim and arr.shape[dim] > tensor.shape[dim] \
                and all(a == b for d, (a, b) in enumerate(zip(arr.shape, tensor.shape)) if d != dim):
            arr = np.take(arr, np.arange(tensor.shape[dim]), axis=dim)
        if arr is not None and tuple(arr.shape) == tuple(tensor.shape):
            state[name] = torch.from_numpy(np.array(arr, dtype=np.float32))
            loaded += 1
            done.add(name)
    # absent from the file, or there in another shape (it would stay at its random initialisation)
    missing = [n for n, _ in model.named_parameters() if n not in done]
    if missing:
        raise RuntimeError(f"{path} lacks {len(missing)} parameters (or holds them in another shape), "
                           f"e.g. {missing[:3]}")
    model.load_state_dict(state)
    return loaded
