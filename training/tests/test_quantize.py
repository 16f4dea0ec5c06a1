"""export quantize: int8 weights (per output channel) + DequantizeLinear on a tiny exported model; outputs
within tolerance of the float file, a smaller file, the computed iSTFT basis, the manifest entry, and the
int8 weights read back into PyTorch."""
import json

import numpy as np
import pytest
import torch
import torch.nn as nn

onnx = pytest.importorskip("onnx")
pytest.importorskip("onnxruntime")

from vem_training.export.onnx import export_onnx, sha256, to_fp16_storage  # noqa: E402
from vem_training.export.quantize import PRECISION, istft_basis, quantize_model, quantize_models  # noqa: E402
from vem_training.models.istft import FixedISTFT  # noqa: E402
from vem_training.models.onnx_weights import load_from_onnx  # noqa: E402
from vem_training.models.runtime import onnx_session  # noqa: E402


class Tiny(nn.Module):
    """Conv1d → nn.Linear on (B, T, C) (exported as Transpose → MatMul) → LayerNorm → a 2-D nn.Linear (Gemm,
    transB) on the mean over time, broadcast back → ConvTranspose1d → FixedISTFT on the two halves."""

    def __init__(self, c: int = 32, n_fft: int = 64):
        super().__init__()
        self.bins = n_fft // 2 + 1
        self.conv = nn.Conv1d(16, c, 3, padding=1)
        self.lin = nn.Linear(c, 96)
        self.norm = nn.LayerNorm(96)
        self.gemm = nn.Linear(96, 96)
        self.up = nn.ConvTranspose1d(96, 2 * self.bins, 1)
        self.istft = FixedISTFT(n_fft, n_fft // 4)

    def forward(self, x):  # (B, 16, T) -> (B, samples)
        h = self.norm(self.lin(self.conv(x).transpose(1, 2)))  # (B, T, 96)
        h = h + self.gemm(h.mean(dim=1))[:, None, :]
        y = self.up(h.transpose(1, 2))
        return self.istft(y[:, : self.bins], y[:, self.bins:])


def _export(tmp_path, fp16=True):
    torch.manual_seed(0)
    m = Tiny().eval()
    path = tmp_path / "tiny.onnx"
    export_onnx(m, (torch.randn(1, 16, 20),), path, ["x"], ["y"], {"x": {0: "B", 2: "T"}, "y": {0: "B", 1: "N"}})
    if fp16:
        to_fp16_storage(path)
    return m, path


def test_quantized_tiny_model_matches_float_and_is_smaller(tmp_path):
    m, path = _export(tmp_path)
    q = tmp_path / "tiny.int8.onnx"
    info = quantize_model(path, q, min_elements=256)
    ops = [n.op_type for n in onnx.load(str(q)).graph.node]
    names = {d["name"]: d for d in info["quantized"]}
    # the four weights of Conv, MatMul (via Transpose), Gemm and ConvTranspose, each with its output axis
    assert {k: v["axis"] for k, v in names.items()} == {
        "conv.weight": 0, "lin.weight": 0, "gemm.weight": 0, "up.weight": 1}
    assert names["lin.weight"]["via_transpose"] and ops.count("DequantizeLinear") == 4
    assert [c["name"] for c in info["computed"]] == ["istft.basis"]
    g = onnx.load(str(q)).graph
    int8 = {i.name for i in g.initializer if i.data_type == onnx.TensorProto.INT8}
    assert {"conv.weight_int8", "lin.weight_int8", "gemm.weight_int8", "up.weight_int8"} <= int8
    assert not any("basis" in i.name and i.data_type == onnx.TensorProto.FLOAT16 for i in g.initializer)
    # biases and norm parameters keep their fp16 storage
    assert "lin.bias_fp16" in {i.name for i in g.initializer} and "norm.weight_fp16" in {i.name for i in g.initializer}
    assert q.stat().st_size < 0.75 * path.stat().st_size

    x = np.random.default_rng(1).standard_normal((2, 16, 27)).astype(np.float32)  # another B and T than exported
    with torch.no_grad():
        ref = m(torch.from_numpy(x)).numpy()
    a = onnx_session(path).run(None, {"x": x})[0]
    b = onnx_session(q).run(None, {"x": x})[0]
    assert a.shape == b.shape == ref.shape
    def rms(v):
        return float(np.sqrt(np.mean(v.astype(np.float64) ** 2)))

    assert rms(b - a) < 0.02 * rms(a)  # int8 against fp16: per-channel rounding, ~1 % of the output
    assert np.abs(b - ref).max() < 5 * np.abs(a - ref).max() + 0.05 * np.abs(ref).max()
    # again on the int8 file: nothing left to quantize
    again = quantize_model(q, tmp_path / "again.onnx", min_elements=256)
    assert again["quantized"] == [] and again["computed"] == []


def test_computed_istft_basis_is_the_formula(tmp_path):
    m, path = _export(tmp_path, fp16=False)  # fp32 initializers: the rewrite handles both storages
    q = tmp_path / "basis.onnx"
    info = quantize_model(path, q, keep=("conv.weight", "lin.weight", "gemm.weight", "up.weight"), min_elements=256)
    assert info["quantized"] == [] and len(info["computed"]) == 1
    x = np.random.default_rng(2).standard_normal((1, 16, 31)).astype(np.float32)
    a, b = onnx_session(path).run(None, {"x": x})[0], onnx_session(q).run(None, {"x": x})[0]
    assert np.abs(a - b).max() <= 1e-5 * max(1.0, float(np.abs(a).max()))
    assert np.abs(istft_basis(64) - m.istft.basis.numpy().astype(np.float64)).max() < 1e-7


def test_keep_and_min_channels(tmp_path):
    _, path = _export(tmp_path)
    info = quantize_model(path, tmp_path / "k.onnx", min_elements=256, keep=("conv.weight",), compute_istft=False)
    assert "conv.weight" not in {d["name"] for d in info["quantized"]}
    kept = {k["name"]: k["why"] for k in info["kept"]}
    assert kept["conv.weight_fp16"] == "kept in its storage (DEFAULT_KEEP or --keep)"
    # the basis has one output channel (ConvTranspose axis 1): per-channel would be per-tensor, so it stays
    assert "output channel" in kept["istft.basis_fp16"]


def test_int8_weights_load_back_into_torch(tmp_path):
    m, path = _export(tmp_path)
    q = tmp_path / "tiny.int8.onnx"
    quantize_model(path, q, min_elements=256)
    fresh = Tiny().eval()
    load_from_onnx(fresh, str(q))
    for name in ("conv.weight", "lin.weight", "gemm.weight", "up.weight"):
        w, got = m.state_dict()[name], fresh.state_dict()[name]
        assert got.shape == w.shape
        axis = 1 if name == "up.weight" else 0
        step = w.abs().amax(dim=[d for d in range(w.ndim) if d != axis], keepdim=True) / 127
        # rounding to the channel's step (fp16 on top)
        assert ((got - w).abs() <= step * 0.5 + 1e-3 * step + 1e-4).all()


def test_quantize_models_writes_the_manifest_entry_and_skips_int8(tmp_path):
    _, path = _export(tmp_path)
    models = tmp_path / "models"
    models.mkdir()
    (models / "tiny.onnx").write_bytes(path.read_bytes())
    entry = {"file": "tiny.onnx", "bytes": path.stat().st_size, "sha256": sha256(path),
             "precision": "fp16 weights, fp32 compute"}
    (models / "manifest.json").write_text(json.dumps({"version": 1, "models": {"tiny": entry}}))
    out = tmp_path / "int8"
    res = quantize_models(models, out, fixtures=False, keep={}, min_elements=256)
    e = json.loads((out / "manifest.json").read_text())["models"]["tiny"]
    assert e["precision"] == PRECISION and e["file"] == "tiny.onnx"
    assert e["bytes"] == (out / "tiny.onnx").stat().st_size < entry["bytes"]
    assert e["sha256"] == sha256(out / "tiny.onnx")
    assert e["quantization"]["from"]["sha256"] == entry["sha256"]
    assert e["quantization"]["vsFp16"]["relRmsDiff"] < 0.02
    assert res["tiny"]["weights"] == 4 and res["tiny"]["computed"] == ["istft.basis"]
    assert json.loads((models / "manifest.json").read_text())["models"]["tiny"] == entry  # the source is untouched
    # again, in place: the int8 file is left alone
    assert quantize_models(out, out, fixtures=False)["tiny"] == {"skipped": "already int8 (has DequantizeLinear)"}
    assert sha256(out / "tiny.onnx") == e["sha256"]
