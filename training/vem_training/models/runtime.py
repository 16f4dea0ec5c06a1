"""The one place an onnxruntime session is made: CPU, one intra-op thread unless told otherwise."""
from __future__ import annotations

from pathlib import Path


def onnx_session(path: Path | str, threads: int | None = 1):
    """A CPU InferenceSession of `path`; `threads=None` keeps onnxruntime's default thread count."""
    import onnxruntime as ort

    so = ort.SessionOptions()
    # int8-stored weights (export quantize) are dequantized once at load, compute stays fp32: the same
    # session entry the TypeScript backends set (src/runtime/ort-run.ts SESSION_CONFIG)
    so.add_session_config_entry("session.disable_quant_qdq", "1")
    if threads is not None:
        so.intra_op_num_threads = threads
    return ort.InferenceSession(str(path), so, providers=["CPUExecutionProvider"])
