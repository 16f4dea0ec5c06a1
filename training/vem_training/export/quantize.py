"""Weight-only int8 storage for exported models (issue #16, "Size").

    python -m vem_training.export quantize [--models ../public/models] [--out DIR] [--only denoiser,vocoder]
                                           [--keep model:weight+weight,…|none]

Rewrites each large float weight of a Conv, ConvTranspose, MatMul or Gemm (stored as fp16 + Cast, the form
every export writes, or as plain fp32) to an int8 initializer with one symmetric scale per output channel,
followed by a DequantizeLinear (opset 13 form: int8 data, fp32 scale, int8 zero point 0) whose fp32 output
takes the place of the Cast's. Nothing else in the graph changes; the int8 tensors keep the stored layout,
so models/onnx_weights.py reads them back into PyTorch. Compute stays fp32: every runtime of the project
opens sessions with `session.disable_quant_qdq` (src/runtime/ort-run.ts, models/runtime.py), so
onnxruntime folds each DequantizeLinear into an fp32 constant when the session is created instead of fusing
it with the MatMul into an int8 kernel (which onnxruntime-node 1.30 does by default).

Left as they are: biases, norms, tensors under `min_elements`, a weight with fewer than `min_channels`
output channels, and the weights in `keep` (DEFAULT_KEEP: the first and last layers of the denoiser and the
vocoder). The vocoder's fixed inverse-STFT basis (1026 × 1 × 1024, 2.1 MB of fp16, one output channel) is
not quantized but computed: checked against the formula (models/istft.py), it is replaced by nodes that
build it in fp32 from 12 KB of tables (`compute_istft`), which onnxruntime folds into a constant at load.

It is a separate step, re-applied after each export: `export denoiser` writes the fp16 denoiser, its
manifest entry and parity fixture; `export quantize --only denoiser` then rewrites that file. A model that
is already int8 is left as it is (the step is idempotent).

The manifest entry in --out gets the new file, bytes, sha256, `precision` and a `quantization` record (what
it came from, the error against the fp16 file on fixed inputs, the difference to PyTorch on the parity
fixture). When --out is the shipped folder (public/models) the parity fixture is rewritten
(`write_int8_fixture`): its PyTorch tolerance from the int8 file with the export's rule, plus Python
onnxruntime's output for the int8 file, which node, WASM and WebGPU must match as closely as the fp16 file
had to match PyTorch; a --out elsewhere leaves the fixtures alone.
"""
from __future__ import annotations

import base64
import datetime as dt
import json
import os
from collections import defaultdict
from pathlib import Path

import numpy as np

PRECISION = "int8 weights (per-channel), fp32 compute"
WEIGHT_OPS = {"Conv": 1, "ConvTranspose": 1, "MatMul": 1, "Gemm": 1}  # op → input index of its weight
# Weights each model keeps in fp16 (--keep overrides): the first and last layers, which carried most of the
# error in a one-layer-at-a-time sweep (docs/generation.md, "Model size"): the denoiser's output conv alone
# gave 1.3 % RMS of v's 1.8 %, its input conv 0.8 %; the vocoder's mel embedding alone 34.5 dB SNR of the
# waveform against fp16 (all int8: 33.4 dB), its STFT head 43 dB. Kept, they cost 0.1 and 0.28 MB.
DEFAULT_KEEP = {"denoiser": ("inp.weight", "out.weight"), "vocoder": ("embed.weight", "head.weight")}


def _attr(node, name, default):
    for a in node.attribute:
        if a.name == name:
            return a.i
    return default


def quantize_per_channel(w: np.ndarray, axis: int) -> tuple[np.ndarray, np.ndarray]:
    """Symmetric int8 (−127…127) with one scale per index of `axis`: q = round(w / s), s = max|w| / 127."""
    w = w.astype(np.float32)
    red = tuple(i for i in range(w.ndim) if i != axis)
    amax = np.abs(w).max(axis=red) if red else np.abs(w)
    scale = np.where(amax > 0, amax / 127.0, 1.0).astype(np.float32)
    shape = [1] * w.ndim
    shape[axis] = -1
    q = np.clip(np.rint(w / scale.reshape(shape)), -127, 127).astype(np.int8)
    return q, scale


def istft_basis(n_fft: int) -> np.ndarray:
    """FixedISTFT's basis (models/istft.py), in float64: (2 · bins, 1, n_fft)."""
    bins = n_fft // 2 + 1
    n, k = np.arange(n_fft, dtype=np.float64), np.arange(bins, dtype=np.float64)
    window = 0.5 - 0.5 * np.cos(2 * np.pi * n / n_fft)
    scale = np.full(bins, 2.0)
    scale[0] = scale[-1] = 1.0
    ang = 2 * np.pi * k[:, None] * n[None, :] / n_fft
    amp = scale[:, None] / n_fft * window[None, :]
    return np.concatenate([amp * np.cos(ang), -amp * np.sin(ang)], axis=0)[:, None, :]


def _istft_basis_nodes(base: str, n_fft: int, out_name: str):
    """Nodes and initializers that compute istft_basis(n_fft) in fp32 from 12 KB of tables: the angle index
    k·n is reduced exactly to [−n_fft/2, n_fft/2) before Cos / Sin (ORT folds the whole subgraph into a
    constant when the session is created)."""
    from onnx import helper, numpy_helper

    bins = n_fft // 2 + 1
    n = np.arange(n_fft, dtype=np.float64)
    scale = np.full(bins, 2.0)
    scale[0] = scale[-1] = 1.0
    def f32(a):
        return np.asarray(a, dtype=np.float32)

    c = {"k": f32(np.arange(bins)[:, None]), "n": f32(n[None, :]), "inv_n": f32(1.0 / n_fft), "half": f32(0.5),
         "n_fft": f32(n_fft), "rad": f32(2 * np.pi / n_fft), "amp_k": f32(scale[:, None] / n_fft),
         "window": f32((0.5 - 0.5 * np.cos(2 * np.pi * n / n_fft))[None, :]),
         "shape": np.array([2 * bins, 1, n_fft], dtype=np.int64)}
    inits = [numpy_helper.from_array(v, f"{base}_{k}") for k, v in c.items()]
    def t(s):
        return f"{base}_{s}"

    ops = [("Mul", ["k", "n"], "kn"), ("Mul", ["kn", "inv_n"], "q0"), ("Add", ["q0", "half"], "q1"),
           ("Floor", ["q1"], "q"), ("Mul", ["q", "n_fft"], "qn"), ("Sub", ["kn", "qn"], "m"),
           ("Mul", ["m", "rad"], "ang"), ("Cos", ["ang"], "cos"), ("Sin", ["ang"], "sin"),
           ("Mul", ["amp_k", "window"], "amp"), ("Mul", ["cos", "amp"], "re"), ("Mul", ["sin", "amp"], "im_neg"),
           ("Neg", ["im_neg"], "im")]
    nodes = [helper.make_node(op, [t(i) for i in ins], [t(o)], name=t(o)) for op, ins, o in ops]
    nodes += [helper.make_node("Concat", [t("re"), t("im")], [t("basis2d")], axis=0, name=t("basis2d")),
              helper.make_node("Reshape", [t("basis2d"), t("shape")], [out_name], name=t("basis"))]
    return nodes, inits


def quantize_model(src: Path, dst: Path, min_elements: int = 4096, min_channels: int = 8,
                   keep: tuple[str, ...] = (), compute_istft: bool = True) -> dict:
    """Writes `dst`, the weight-only int8 form of `src`; returns what was quantized, computed and kept.
    `keep`: weights (initializer names, or prefixes ending in '.') left in their storage. `compute_istft`:
    a FixedISTFT basis (an initializer `…istft.basis`, checked against the formula) is replaced by nodes
    that compute it (12 KB of tables instead of 2.1 MB of fp16)."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    model = onnx.load(str(src))
    g = model.graph
    consumers = defaultdict(list)
    for n in g.node:
        for k, x in enumerate(n.input):
            consumers[x].append((n, k))
    graph_outputs = {o.name for o in g.output}

    drop_nodes, drop_inits, new_inits, new_nodes = set(), set(), [], []
    done, kept, computed = [], [], []
    for init in list(g.initializer):
        if init.data_type not in (TensorProto.FLOAT, TensorProto.FLOAT16):
            continue
        arr = numpy_helper.to_array(init)
        if arr.size < min_elements or arr.ndim < 2:
            continue
        base = init.name[:-5] if init.name.endswith("_fp16") else init.name
        if compute_istft and base.split("/")[-1].endswith("istft.basis") and arr.ndim == 3 and arr.shape[1] == 1:
            n_fft = arr.shape[2]
            ref = istft_basis(n_fft) if arr.shape[0] == 2 * (n_fft // 2 + 1) else None
            cs = consumers[init.name]
            cast_ok = init.data_type == TensorProto.FLOAT or (len(cs) == 1 and cs[0][0].op_type == "Cast")
            if (ref is not None and cast_ok
                    and np.abs(arr.astype(np.float64) - ref).max() <= 2 ** -10 * np.abs(ref).max()):
                value = cs[0][0].output[0] if init.data_type == TensorProto.FLOAT16 else init.name
                nodes, tables = _istft_basis_nodes(base, n_fft, value)
                new_nodes += nodes
                new_inits += tables
                drop_inits.add(init.name)
                if init.data_type == TensorProto.FLOAT16:
                    drop_nodes.add(id(cs[0][0]))
                computed.append({"name": base, "shape": list(arr.shape), "n_fft": n_fft,
                                 "max_abs_diff_vs_stored": float(np.abs(arr.astype(np.float64) - ref).max())})
                continue
        if any(init.name == k or init.name == k + "_fp16" or (k.endswith(".") and init.name.startswith(k))
               for k in keep):
            kept.append({"name": init.name, "shape": list(arr.shape),
                         "why": "kept in its storage (DEFAULT_KEEP or --keep)"})
            continue
        # the fp32 value the graph computes with: the Cast's output (fp16 storage) or the initializer itself
        cast = None
        if init.data_type == TensorProto.FLOAT16:
            cs = consumers[init.name]
            if len(cs) != 1 or cs[0][0].op_type != "Cast" or _attr(cs[0][0], "to", 0) != TensorProto.FLOAT:
                kept.append({"name": init.name, "why": "fp16 tensor not followed by one Cast to float"})
                continue
            cast = cs[0][0]
        value = cast.output[0] if cast else init.name
        uses = consumers[value]
        w = arr.astype(np.float32)
        # a weight read through Transpose(perm=[1, 0]) (torch's nn.Linear on 3-D input) stays in its stored
        # (out, in) layout, so the files keep torch's layout (models/onnx_weights.py reads them back); ORT folds
        # DequantizeLinear → Transpose into one fp32 constant at load (session.disable_quant_qdq)
        via_t = False
        if len(uses) == 1 and uses[0][0].op_type == "Transpose" and w.ndim == 2:
            t = uses[0][0]
            perm = [list(a.ints) for a in t.attribute if a.name == "perm"]
            tuses = consumers[t.output[0]]
            if perm == [[1, 0]] and tuses and all(n.op_type == "MatMul" and k == 1 for n, k in tuses) \
                    and t.output[0] not in graph_outputs:
                via_t, uses = True, tuses
        if not uses or value in graph_outputs or not all(WEIGHT_OPS.get(n.op_type) == k for n, k in uses):
            continue  # not (only) a weight: biases, norm scales, fixed tables fed elsewhere
        axes = set()
        for n, _ in uses:
            if n.op_type == "Conv":
                axes.add(0)
            elif n.op_type == "ConvTranspose":
                axes.add(1)
            elif n.op_type == "MatMul":  # B is (..., K, N): N outputs; through the transpose, axis 0 as stored
                axes.add(0 if via_t else w.ndim - 1)
            else:  # Gemm: B is (K, N), or (N, K) with transB
                axes.add(0 if _attr(n, "transB", 0) else 1)
        if len(axes) != 1:
            kept.append({"name": init.name, "why": "used with different output axes"})
            continue
        axis = axes.pop()
        if w.shape[axis] < min_channels:
            kept.append({"name": init.name, "shape": list(arr.shape),
                         "why": f"{w.shape[axis]} output channel(s) along axis {axis}: "
                                "per-channel would be per-tensor"})
            continue
        q, scale = quantize_per_channel(w, axis)
        qn, sn, zn = base + "_int8", base + "_scale", base + "_zero"
        new_inits += [numpy_helper.from_array(q, qn), numpy_helper.from_array(scale, sn),
                      numpy_helper.from_array(np.zeros_like(scale, dtype=np.int8), zn)]
        new_nodes.append(helper.make_node("DequantizeLinear", [qn, sn, zn], [value], axis=axis, name=f"dq_{base}"))
        drop_inits.add(init.name)
        if cast is not None:
            drop_nodes.add(id(cast))
        deq = (q.astype(np.float32) * scale.reshape([-1 if i == axis else 1 for i in range(w.ndim)]))
        done.append({"name": base, "shape": list(w.shape), "axis": axis, "op": uses[0][0].op_type,
                     "via_transpose": via_t,
                     "max_abs_err": float(np.abs(deq - w).max()),
                     "rel_rms_err": float(np.sqrt(np.mean((deq - w) ** 2) / max(np.mean(w ** 2), 1e-30)))})
    keep_inits = [i for i in g.initializer if i.name not in drop_inits]
    del g.initializer[:]
    g.initializer.extend(keep_inits + new_inits)
    nodes = [n for n in g.node if id(n) not in drop_nodes]
    del g.node[:]
    g.node.extend(new_nodes + nodes)
    onnx.checker.check_model(model)
    dst.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(model, str(dst))
    return {"quantized": done, "kept": kept, "computed": computed}


def is_int8(path: Path) -> bool:
    import onnx

    return any(n.op_type == "DequantizeLinear" for n in onnx.load(str(path)).graph.node)


def _fixture_feeds(fx: dict) -> dict:
    return {k: np.frombuffer(base64.b64decode(v["b64"]), dtype="<f4").reshape(v["dims"])
            for k, v in fx["inputs"].items()}


def example_feeds(name: str, fx: dict | None) -> list[dict]:
    """Fixed inputs for the int8-vs-fp16 comparison: the parity fixture's input and the one each export
    compares fp16 against fp32 with (same seeds and shapes as in runs.py / denoiser.py)."""
    rng = np.random.default_rng(0)
    feeds = [_fixture_feeds(fx)] if fx else []
    if name == "denoiser" or name.startswith("denoiser"):
        from .denoiser import denoiser_example

        vocab = fx["inputs"]["global_tags"]["dims"][1] if fx else 50
        ex = denoiser_example(vocab, 96, 4, 42, seed=1)
        if fx and "rhythm" not in fx["inputs"]:
            ex.pop("rhythm")
        feeds.append(ex)
    elif name == "vocoder":
        feeds.append({"mel": (rng.standard_normal((1, 64, 300)) - 5).astype(np.float32)})
    elif name == "vae_encoder":
        feeds.append({"mel": (rng.standard_normal((1, 64, 256)) - 5.0).astype(np.float32)})
    elif name == "vae_decoder":
        feeds.append({"latent": rng.standard_normal((1, 8, 16, 64)).astype(np.float32)})
    elif name == "aligner":
        feeds.append({"frames": rng.random((1, 3, 48, 64, 112)).astype(np.float32)})
    return feeds


def declared_feeds(path: Path, size: int = 16, seed: int = 0) -> dict:
    """Random float inputs of the shapes `path` declares (named dims set to `size`): for models without a
    fixture or an example here."""
    import onnx

    rng = np.random.default_rng(seed)
    m = onnx.load(str(path))
    inits = {i.name for i in m.graph.initializer}
    return {v.name: rng.standard_normal([d.dim_value or size for d in v.type.tensor_type.shape.dim]).astype(np.float32)
            for v in m.graph.input if v.name not in inits}


def compare(a_path: Path, b_path: Path, feeds_list: list[dict]) -> dict:
    """Every output of `b` against `a` (onnxruntime CPU): max |b − a|, that over max |a|, and RMS(b − a) / RMS(a)."""
    from ..models.runtime import onnx_session

    sa, sb = onnx_session(a_path, threads=None), onnx_session(b_path, threads=None)
    res = []
    for feeds in feeds_list:
        names = {i.name for i in sa.get_inputs()}
        f = {k: v for k, v in feeds.items() if k in names}
        for o, x, y in zip(sa.get_outputs(), sa.run(None, f), sb.run(None, f)):
            d = np.abs(y.astype(np.float64) - x)
            res.append({"output": o.name, "dims": list(x.shape), "maxAbsDiff": float(d.max()),
                        "maxAbsRef": float(np.abs(x).max()),
                        "relMaxDiff": float(d.max() / max(np.abs(x).max(), 1e-30)),
                        "relRmsDiff": float(np.sqrt(np.mean(d ** 2) / max(np.mean(x.astype(np.float64) ** 2), 1e-30)))})
    return {"maxAbsDiff": max(r["maxAbsDiff"] for r in res), "relMaxDiff": max(r["relMaxDiff"] for r in res),
            "relRmsDiff": max(r["relRmsDiff"] for r in res), "perInput": res}


def write_int8_fixture(fx: dict, path: Path, sha: str, pdiff: float) -> None:
    """The parity fixture of an int8 file: the PyTorch comparison's tolerance from the int8 file's own
    difference (export rule, max(2e-3, 4 × |onnxruntime − PyTorch|)), and a `reference` block, Python
    onnxruntime's output for this very file (sha256), that every runtime must match within the tolerance the
    fp16 file had against PyTorch: the int8 file gets a looser bound to PyTorch but not to its own numbers."""
    import onnxruntime

    from ..models.runtime import onnx_session
    from . import parity

    s = onnx_session(path, threads=None)
    outs = dict(zip([o.name for o in s.get_outputs()], s.run(None, _fixture_feeds(fx))))
    prev = fx.get("reference", {}).get("tolerance") if fx.get("reference") else None
    fx["reference"] = {"runtime": f"onnxruntime {onnxruntime.__version__} (Python, CPU)", "sha256": sha,
                       "tolerance": float(prev if prev is not None else fx["tolerance"]),
                       "expected": {k: {"dims": list(outs[k].shape), "b64": parity.b64(outs[k])}
                                    for k in fx["expected"]}}
    fx["tolerance"] = float(max(2e-3, 4 * pdiff))
    parity.write_fixture(fx)


def quantize_models(models: Path, out: Path, only: list[str] | None = None, fixtures: bool | None = None,
                    command: str | None = None, keep: dict[str, tuple[str, ...]] | None = None,
                    min_elements: int = 4096) -> dict:
    """Quantizes the models of `models` (all, or `only`) into `out` (may be the same folder) and writes
    `out`/manifest.json; see the module docstring for what the entries and fixtures get."""
    from . import manifest as mf, parity
    from .onnx import sha256

    models, out = models.resolve(), out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    man = json.loads((models / "manifest.json").read_text())
    out_man_path = out / "manifest.json"
    if out == models:
        out_man = man
    elif out_man_path.exists():
        out_man = json.loads(out_man_path.read_text())
    else:  # a new folder: its manifest points at the source folder's files until a model is rewritten here
        out_man = json.loads(json.dumps(man))
        for e in out_man["models"].values():
            e["file"] = os.path.relpath(models / e["file"], out)
    if fixtures is None:
        fixtures = out == mf.MODELS_DIR.resolve()
    res = {}
    for name in only or list(man["models"]):
        entry = man["models"][name]
        src = (models / entry["file"]).resolve()
        if entry.get("precision") == PRECISION or is_int8(src):
            res[name] = {"skipped": "already int8 (has DequantizeLinear)"}
            continue
        dst = out / f"{name}.onnx"
        tmp = out / f"{name}.int8.tmp.onnx"
        fx_path = parity.PARITY_DIR / f"{name}.json"
        fx = json.loads(fx_path.read_text()) if fx_path.exists() else None
        info = quantize_model(src, tmp, min_elements=min_elements,
                              keep=(keep if keep is not None else DEFAULT_KEEP).get(name, ()))
        err = compare(src, tmp, example_feeds(name, fx) or [declared_feeds(src)])
        pdiff = parity.check_onnx(tmp, fx) if fx else None
        before = {k: entry.get(k) for k in ("file", "bytes", "sha256", "precision", "parityMaxAbsDiffVsTorch")}
        tmp.replace(dst)
        e = json.loads(json.dumps(entry))
        e.update({"file": dst.name, "bytes": dst.stat().st_size, "sha256": sha256(dst), "precision": PRECISION})
        if pdiff is not None:
            e["parityMaxAbsDiffVsTorch"] = pdiff
        e["quantization"] = {
            "method": "weight-only int8, symmetric, one scale per output channel (DequantizeLinear, opset 13 form)",
            "command": command or f"python -m vem_training.export quantize --models {models} --out {out} --only {name}",
            "date": dt.date.today().isoformat(),
            "from": before,
            "weightsQuantized": len(info["quantized"]),
            "paramsQuantized": int(sum(np.prod(q["shape"]) for q in info["quantized"])),
            "kept": info["kept"],
            "computed": info["computed"],
            "vsFp16": {k: err[k] for k in ("maxAbsDiff", "relMaxDiff", "relRmsDiff")},
            "vsFp16Inputs": "the parity fixture's input and the export's fp16-vs-fp32 input (quantize.example_feeds)",
        }
        out_man["models"][name] = e
        if fixtures and fx is not None:
            write_int8_fixture(fx, dst, e["sha256"], pdiff)
        res[name] = {"bytes": e["bytes"], "bytesBefore": before["bytes"], "weights": len(info["quantized"]),
                     "kept": [k["name"] for k in info["kept"]], "computed": [c["name"] for c in info["computed"]],
                     "vsFp16": e["quantization"]["vsFp16"],
                     "parityMaxAbsDiffVsTorch": pdiff, "parityBefore": before["parityMaxAbsDiffVsTorch"],
                     "tolerance": fx["tolerance"] if fx else None, "fixtureWritten": bool(fixtures and fx)}
    out_man_path.write_text(json.dumps(out_man, indent=1) + "\n")
    return res
