"""Loads exported ONNX initializers back into a PyTorch module (resume when a checkpoint is lost)."""
from __future__ import annotations

import numpy as np
import torch


def load_from_onnx(model: torch.nn.Module, path: str, prefix: str = "") -> int:
    """`path` may list several files separated by commas (the VAE ships as encoder + decoder)."""
    import onnx
    from onnx import numpy_helper

    inits = {}
    for p in str(path).split(","):
        inits.update({i.name: numpy_helper.to_array(i) for i in onnx.load(p).graph.initializer})
    state = model.state_dict()
    loaded = 0
    for name, tensor in state.items():
        arr = inits.get(prefix + name)
        if arr is None:
            arr = inits.get(prefix + name + "_fp16")
        if arr is not None and tuple(arr.shape) == tuple(tensor.shape):
            state[name] = torch.from_numpy(np.array(arr, dtype=np.float32))
            loaded += 1
    missing = [n for n, p in model.named_parameters() if prefix + n not in inits and prefix + n + "_fp16" not in inits]
    if missing:
        raise RuntimeError(f"{path} lacks {len(missing)} parameters, e.g. {missing[:3]}")
    model.load_state_dict(state)
    return loaded
