"""Checks behind the int8 weights (`export quantize`, docs/generation.md "Model size"). From training/:

    python -m vem_training.evaluate.int8 layers --model denoiser --fp16 DIR     # one layer group at a time
    python -m vem_training.evaluate.int8 layers --model vocoder --fp16 DIR --audio data/bench/bench-01.wav
    python -m vem_training.evaluate.int8 mix --fp16 DIR --int8 ../public/models --only vocoder --out runs/mix-voc
    python -m vem_training.evaluate.int8 beats --cuts data/bench/bench-fast.cuts.json A.wav B.wav … [--noise-db 40,70]
    python -m vem_training.evaluate.int8 roundtrip FP16.wav INT8.wav --input data/bench/bench-01.wav [--image P.png]

DIR is a folder of fp16 models with their manifest.json, e.g. the files before quantizing:
`mkdir -p runs/fp16-models && for f in $(git ls-tree --name-only 2d87711 ../public/models/); \
do git show 2d87711:public/models/$(basename $f) > runs/fp16-models/$(basename $f); done`.
"""
from __future__ import annotations

import argparse
import json
import os
import tempfile
from pathlib import Path

import numpy as np

from ..timebase import SAMPLE_RATE


def _rms_ratio(d: np.ndarray, ref: np.ndarray) -> float:
    return float(np.sqrt(np.mean(d.astype(np.float64) ** 2) / max(np.mean(ref.astype(np.float64) ** 2), 1e-30)))


def layers(model: str, fp16: Path, audio_path: str | None) -> dict:
    """Quantizes one weight group at a time (and all but one), against the fp16 file: the denoiser on its
    parity and export inputs (relative RMS of v), the vocoder on a real track's mel (waveform SNR, mel L1)."""
    from ..export import parity
    from ..export.quantize import compare, example_feeds, quantize_model
    from ..models.runtime import onnx_session

    src = fp16 / f"{model}.onnx"
    tmp = Path(tempfile.mkdtemp()) / "q.onnx"
    names = [q["name"] for q in quantize_model(src, tmp, keep=())["quantized"]]
    groups: dict[str, list[str]] = {}
    for n in names:  # the denoiser by top-level module, the vocoder weight by weight
        groups.setdefault(n.split(".")[0] if model == "denoiser" else n, []).append(n)
    if model == "vocoder":
        from ..data import audio

        x, _ = audio.load_wav_mono(audio_path)
        mel = audio.log_mel(x[20 * SAMPLE_RATE: 30 * SAMPLE_RATE])[None].astype(np.float32)  # 10 s from 20 s on
        ref = onnx_session(src).run(None, {"mel": mel})[0]

        def score(p):
            y = onnx_session(p).run(None, {"mel": mel})[0]
            return {"snrDb": round(-20 * np.log10(_rms_ratio(y - ref, ref)), 2),
                    "melL1": round(float(np.abs(audio.log_mel(y[0]) - audio.log_mel(ref[0])).mean()), 5)}
    else:
        fx_path = parity.PARITY_DIR / f"{model}.json"
        feeds = example_feeds(model, json.loads(fx_path.read_text()) if fx_path.exists() else None)

        def score(p):
            r = compare(src, p, feeds)
            return {"relRms": [round(x["relRmsDiff"], 5) for x in r["perInput"]], "maxAbs": round(r["maxAbsDiff"], 5)}
    res = {"all": score(tmp)}
    for g, ns in groups.items():
        quantize_model(src, tmp, keep=tuple(n for n in names if n not in ns))
        res[f"only {g}"] = score(tmp)
    for g, ns in groups.items():
        if len(groups) <= 20:
            quantize_model(src, tmp, keep=tuple(ns))
            res[f"all but {g}"] = score(tmp)
    return res


def mix(fp16: Path, int8: Path, only: list[str], out: Path) -> Path:
    """A model folder for `vem generate|roundtrip --models`: the models in `only` from `int8`, the rest from
    `fp16` (the manifest points at both folders' files)."""
    out.mkdir(parents=True, exist_ok=True)
    mf, mi = (json.loads((d / "manifest.json").read_text()) for d in (fp16, int8))
    for k in mf["models"]:
        d, m = (int8, mi) if k in only else (fp16, mf)
        e = json.loads(json.dumps(m["models"][k]))
        e["file"] = os.path.relpath((d / e["file"]).resolve(), out.resolve())
        mf["models"][k] = e
    (out / "manifest.json").write_text(json.dumps(mf, indent=1) + "\n")
    return out


def beats(cuts_json: Path, wavs: list[Path], noise_db: list[float]) -> dict:
    """madmom beats (the `vem eval` tracker) of each take: TB_hit@70ms against the cuts and the beat count;
    with `noise_db`, the first take again with white noise that many dB under its RMS (how steady the
    tracker is on that take)."""
    from ..data import beats as bt
    from ..evaluate import metrics
    from ..evaluate.bench import SR, _load

    cuts = json.loads(cuts_json.read_text())["cutsSec"]
    res = {}

    def one(y):
        b = bt.track_beats(y, SR, downbeats=False)[0]
        return {"tbHit70": round(metrics.tb_hit(cuts, b), 4), "beats": int(len(b))}
    for w in wavs:
        res[w.name] = one(_load(w))
    if noise_db and wavs:
        y = _load(wavs[0])
        for i, db in enumerate(noise_db):
            n = np.random.default_rng(i).standard_normal(len(y)).astype(np.float32)
            res[f"{wavs[0].name} + noise at -{db:g} dB"] = one(y + n * np.sqrt(np.mean(y ** 2)) * 10 ** (-db / 20))
    return res


def roundtrip(input_wav: Path, fp16_wav: Path, int8_wav: Path, image: Path | None) -> dict:
    """Two `vem roundtrip` outputs of the same track: mel L1 and MR-STFT against the input (gain matched:
    the outputs are mastered to −14 LUFS), and between the two (SNR, |Δ log-mel| percentiles)."""
    from ..data import audio
    from ..evaluate.autoencoder import mel_image, mel_l1, mrstft
    from ..evaluate.bench import _load

    x, _ = audio.load_wav_mono(str(input_wav))
    xm = audio.log_mel(x)
    outs = {"fp16": _load(fp16_wav), "int8": _load(int8_wav)}
    res = {}
    for k, y in outs.items():
        n = min(len(y), len(x))
        yg = y[:n] * np.sqrt(np.mean(x[:n] ** 2) / np.mean(y[:n] ** 2))
        res[k] = {"melL1VsInput": round(mel_l1(yg, xm), 4), "mrstftVsInput": round(mrstft(yg, x[:n]), 4)}
    f, i = outs["fp16"], outs["int8"]
    n = min(len(f), len(i))
    mf, mi = audio.log_mel(f[:n]), audio.log_mel(i[:n])
    d = np.abs(mi - mf)
    res["int8VsFp16"] = {"snrDb": round(-20 * np.log10(_rms_ratio(i[:n] - f[:n], f[:n])), 1),
                         "melL1": round(float(d.mean()), 4), "mrstft": round(mrstft(i[:n], f[:n]), 4),
                         "absLogMelP99": round(float(np.percentile(d, 99)), 4),
                         "absLogMelP999": round(float(np.percentile(d, 99.9)), 4),
                         "absLogMelMax": round(float(d.max()), 3)}
    if image:
        s, e = 20 * SAMPLE_RATE, 30 * SAMPLE_RATE
        a, b = audio.log_mel(f[s:e]), audio.log_mel(i[s:e])
        mel_image([(f"input {input_wav.stem} 20-30 s", audio.log_mel(x[s:e])), ("fp16 round trip", a),
                   ("int8 round trip", b), ("|int8 - fp16| x10", np.abs(b - a) * 10 - 11.5)], image)
    return res


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("what", choices=["layers", "mix", "beats", "roundtrip"])
    ap.add_argument("wavs", nargs="*")
    ap.add_argument("--model", default="denoiser")
    ap.add_argument("--fp16", default="runs/fp16-models")
    ap.add_argument("--int8", default="../public/models")
    ap.add_argument("--only", default="")
    ap.add_argument("--out", default=None)
    ap.add_argument("--audio", default="data/bench/bench-01.wav")
    ap.add_argument("--cuts", default="data/bench/bench-fast.cuts.json")
    ap.add_argument("--noise-db", default="")
    ap.add_argument("--input", default="data/bench/bench-01.wav")
    ap.add_argument("--image", default=None)
    a = ap.parse_args(argv)
    if a.what == "layers":
        res = layers(a.model, Path(a.fp16), a.audio)
    elif a.what == "mix":
        res = {"dir": str(mix(Path(a.fp16), Path(a.int8), [s for s in a.only.split(",") if s], Path(a.out)))}
    elif a.what == "beats":
        res = beats(Path(a.cuts), [Path(w) for w in a.wavs], [float(x) for x in a.noise_db.split(",") if x])
    else:
        if len(a.wavs) != 2:
            ap.error("roundtrip: FP16.wav INT8.wav")
        res = roundtrip(Path(a.input), Path(a.wavs[0]), Path(a.wavs[1]), Path(a.image) if a.image else None)
    print(json.dumps(res, indent=1))


if __name__ == "__main__":
    main()
