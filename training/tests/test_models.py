"""Model pieces: the exportable layers equal their PyTorch references, ONNX export matches PyTorch,
exported weights reload for resuming, one training step lowers nothing to NaN."""
import numpy as np
import pytest
import torch

from vem_training.data import audio
from vem_training.models import build_model, losses
from vem_training.models.istft import FixedISTFT
from vem_training.models.layers import GroupNormNoShape, NearestUp2d
from vem_training.models.vae import VAEDecoderExport

torch.set_num_threads(1)


def test_fixed_istft_inverts_torch_stft():
    x = torch.randn(2, 8000)
    spec = torch.stft(x, 1024, 256, window=torch.hann_window(1024), center=True, return_complex=True)
    y = FixedISTFT(1024, 256)(spec.real, spec.imag)
    assert y.shape == (2, (spec.shape[-1] - 1) * 256)
    assert (y - x[:, : y.shape[1]]).abs().max() < 1e-4


def test_group_norm_without_shape_ops_equals_group_norm():
    g = GroupNormNoShape(8, 32)
    with torch.no_grad():
        g.weight.normal_()
        g.bias.normal_()
    ref = torch.nn.GroupNorm(8, 32)
    ref.load_state_dict(g.state_dict())
    x = torch.randn(2, 32, 16, 24) * 3 + 1
    assert (g(x) - ref(x)).abs().max() < 1e-4


def test_nearest_up_equals_interpolate():
    x = torch.randn(1, 4, 3, 5)
    assert torch.equal(NearestUp2d(4)(x), torch.nn.functional.interpolate(x, scale_factor=2.0))


def test_vocoder_output_length_and_vae_shapes():
    voc = build_model("vocoder", {"dim": 32, "hidden": 64, "layers": 2})
    assert voc(torch.randn(1, 64, 20)).shape == (1, 19 * 256)
    vae = build_model("vae", {"channels": [16, 16, 32], "z_channels": 8})
    rec, mean, logvar = vae(torch.randn(2, 64, 32) - 5)
    assert rec.shape == (2, 64, 32) and mean.shape == (2, 8, 16, 8) and logvar.shape == mean.shape


def _tone_and_clicks(seconds: float = 2.0) -> np.ndarray:
    sr = 16000
    t = np.arange(int(seconds * sr)) / sr
    x = 0.2 * np.sin(2 * np.pi * 220 * t) + 0.1 * np.sin(2 * np.pi * 1320 * t)
    x[:: sr // 4][: int(seconds * 4)] += 0.8  # a click every quarter second
    return x.astype(np.float32)


def test_mel_correction_analyses_with_the_front_ends_stft():
    """Asked for the mel the signal already has, one pass changes nothing: the analysis is data/audio.py's
    framing (centre reflect padding, periodic Hann), so the gain is 1 and the resynthesis is the signal."""
    voc = build_model("vocoder", {"dim": 32, "hidden": 64, "layers": 2})
    x = _tone_and_clicks()
    mel = torch.tensor(audio.log_mel(x)[None])
    n = (mel.shape[-1] - 1) * 256
    y = torch.tensor(x[None, :n])
    re, im = voc.correct(y, mel)
    assert np.abs(np.sqrt(re[0].numpy() ** 2 + im[0].numpy() ** 2) - audio.stft_magnitude(x[:n])).max() < 1e-3
    assert (voc.istft(re, im) - y).abs().max() < 1e-3


def test_mel_correction_brings_the_output_to_the_requested_mel():
    torch.manual_seed(0)
    voc = build_model("vocoder", {"dim": 32, "hidden": 64, "layers": 2}).eval()  # untrained: far from the mel
    x = _tone_and_clicks()
    mel = audio.log_mel(x)

    def err(passes):
        voc.mel_correction = passes
        with torch.no_grad():
            y = voc(torch.tensor(mel[None]))[0].numpy()
        m = audio.log_mel(y)
        return float(np.abs(m - mel[:, : m.shape[1]]).mean())

    e0, e1, e2 = err(0), err(1), err(2)
    # each pass moves a band by at most the limit (log 3): about 2 of the untrained output's ~5
    assert e1 < e0 - 1.5 and e2 < e1 - 1.0
    voc.correction_limit = 20.0  # unclamped, one pass lands close
    assert err(1) < 0.3 * e0


def test_vocoder_with_mel_correction_exports_in_fp16_and_int8(tmp_path):
    """The correction's filterbank travels as fp16 (not an fp32 Constant); its analysis reuses the iSTFT
    basis, which the int8 step still computes from the formula; onnxruntime matches PyTorch."""
    onnx = pytest.importorskip("onnx")
    pytest.importorskip("onnxruntime")
    from onnx import TensorProto

    from vem_training.export.onnx import export_onnx, to_fp16_storage
    from vem_training.export.quantize import quantize_model
    from vem_training.models.runtime import onnx_session

    torch.manual_seed(0)
    voc = build_model("vocoder", {"dim": 32, "hidden": 64, "layers": 2, "mel_correction": 1}).eval()
    path = tmp_path / "voc.onnx"
    axes = {"mel": {0: "B", 2: "T"}, "audio": {0: "B", 1: "N"}}
    export_onnx(voc, (torch.randn(1, 64, 20) - 5,), path, ["mel"], ["audio"], axes)
    to_fp16_storage(path, constants=True)
    g = onnx.load(str(path)).graph
    big_consts = [n.name for n in g.node if n.op_type == "Constant" and n.attribute[0].t.data_type == TensorProto.FLOAT
                  and int(np.prod(n.attribute[0].t.dims)) >= 16]
    assert big_consts == []
    mel = audio.log_mel(_tone_and_clicks())[None]
    with torch.no_grad():
        ref = voc(torch.tensor(mel))[0].numpy()
    got = onnx_session(path).run(None, {"mel": mel})[0][0]
    assert np.abs(got - ref).max() < 2e-3 * np.abs(ref).max()
    q = tmp_path / "voc.int8.onnx"
    info = quantize_model(path, q, min_elements=256)
    assert [c["name"] for c in info["computed"]] == ["istft.basis"]
    got_q = onnx_session(q).run(None, {"mel": mel})[0][0]
    assert np.abs(got_q - ref).max() < 0.1 * np.abs(ref).max()


def test_onnx_export_matches_torch_and_has_no_shape_ops(tmp_path):
    onnx = pytest.importorskip("onnx")
    ort = pytest.importorskip("onnxruntime")
    from vem_training.export.onnx import export_onnx, to_fp16_storage
    from vem_training.models.onnx_weights import load_from_onnx

    torch.manual_seed(0)
    vae = build_model("vae", {"channels": [16, 16, 32], "z_channels": 8}).eval()
    with torch.no_grad():  # distinct values, as after training (the exporter merges identical initializers)
        for p in vae.parameters():
            p.add_(0.01 * torch.randn_like(p))
    path = tmp_path / "dec.onnx"
    export_onnx(VAEDecoderExport(vae), (torch.randn(1, 8, 16, 8),), path, ["latent"], ["mel_out"],
                {"latent": {0: "B", 3: "T4"}, "mel_out": {0: "B", 2: "T"}})
    to_fp16_storage(path)
    assert not [n for n in onnx.load(str(path)).graph.node if n.op_type == "Shape"]
    z = np.random.default_rng(0).standard_normal((1, 8, 16, 13)).astype(np.float32)  # another T than exported
    got = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"]).run(None, {"latent": z})[0]
    with torch.no_grad():
        ref = vae.decode(torch.from_numpy(z)).numpy()
    assert got.shape == ref.shape == (1, 64, 52)
    assert np.abs(got - ref).max() < 0.05  # fp16-stored weights
    # resuming from the exported weights reproduces the model up to fp16 rounding
    fresh = build_model("vae", {"channels": [16, 16, 32], "z_channels": 8}).eval()
    load_from_onnx(fresh.decoder, str(path), prefix="vae.decoder.")
    with torch.no_grad():
        again = fresh.decode(torch.from_numpy(z)).numpy()
    assert np.abs(again - ref).max() < 0.05


def test_one_vocoder_step_reduces_loss_on_a_fixed_batch():
    torch.manual_seed(0)
    voc = build_model("vocoder", {"dim": 32, "hidden": 64, "layers": 2})
    front = audio.TorchLogMel()
    t = torch.arange(8192) / 16000
    x = (0.3 * torch.sin(2 * np.pi * 440 * t))[None].repeat(2, 1)
    opt = torch.optim.Adam(voc.parameters(), lr=1e-3)

    def loss():
        y = voc(front(x))
        return losses.multi_resolution_stft(y, x[:, : y.shape[1]])

    first = loss()
    for _ in range(5):
        opt.zero_grad()
        loss().backward()
        opt.step()
    assert torch.isfinite(first) and loss() < first


def test_load_from_onnx_narrows_an_input_conv_to_a_variant_without_trailing_channels(tmp_path):
    """An ablation variant without the rhythm channels warm-starts from the full network: the input conv
    keeps the latent channels' weights, and with the rhythm at zero both give the same output."""
    pytest.importorskip("onnx")
    from vem_training.export.onnx import export_onnx
    from vem_training.models.onnx_weights import load_from_onnx

    class Net(torch.nn.Module):
        def __init__(self, c_in):
            super().__init__()
            self.inp = torch.nn.Conv1d(c_in, 4, 3, padding=1)
            self.out = torch.nn.Conv1d(4, 2, 1)

        def forward(self, x):
            return self.out(torch.tanh(self.inp(x)))

    torch.manual_seed(0)
    full = Net(6).eval()
    path = tmp_path / "full.onnx"
    export_onnx(full, (torch.randn(1, 6, 8),), path, ["x"], ["y"], {"x": {0: "B", 2: "T"}, "y": {0: "B", 2: "T"}})
    small = Net(4).eval()
    with pytest.raises(RuntimeError, match="lacks"):  # without narrowing the mismatch is an error, not random weights
        load_from_onnx(small, str(path))
    load_from_onnx(small, str(path), narrow={"inp.weight": 1})
    x = torch.randn(2, 4, 8)
    with torch.no_grad():
        ref = full(torch.cat([x, torch.zeros(2, 2, 8)], dim=1))
        assert torch.allclose(small(x), ref, atol=1e-6)
