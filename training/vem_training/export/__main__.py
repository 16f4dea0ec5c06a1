"""ONNX export (opset 17, dynamic axes), fp16 weight storage, and the manifest entry (docs/architecture.md §5).

    python -m vem_training.export vocoder --run runs/vocoder [--mel-correction 1]
    python -m vem_training.export vocoder --from-onnx ../public/models/vocoder.onnx --mel-correction 1
                                       # the same network again, with another mel correction (models/vocoder.py)
    python -m vem_training.export vae --run runs/vae
    python -m vem_training.export aligner --run runs/aligner
    python -m vem_training.export denoiser --weights runs/gpu-denoisers [--variant sg --tb]
    python -m vem_training.export variants --weights runs/variants-v2 --out runs/variants   # ablation rows for vem eval
    python -m vem_training.export inference-drop --out runs/variants   # the shipped network without tags / rhythm
    python -m vem_training.export quantize --models ../public/models [--out DIR] [--only denoiser,vae_decoder]
                                       # int8 weights (per-channel) + DequantizeLinear; after the export (quantize.py)

Writes public/models/<name>.onnx and updates public/models/manifest.json (sha256, bytes, shapes, the
training run, the fp16-vs-fp32 difference). Metrics are added by vem_training.evaluate.autoencoder.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import torch

from .denoiser import denoiser_training_info, export_denoiser, export_inference_drop, export_variants
from .runs import export_aligner, export_vae, export_vocoder, export_vocoder_from_onnx


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("kind", choices=["vocoder", "vae", "aligner", "denoiser", "variants", "inference-drop", "quantize"])
    ap.add_argument("--out", default=None, help="variants: the folder of model folders (runs/variants); quantize: "
                    "where the int8 models and their manifest go (default: --models, in place)")
    ap.add_argument("--models", default=None,
                    help="quantize: the folder of models and manifest.json to read (public/models)")
    ap.add_argument("--only", default=None,
                    help="quantize: comma-separated model names (default: every model in the manifest)")
    ap.add_argument("--keep", default=None, help="quantize: model:weight[+weight…] pairs kept in fp16, comma-separated "
                    "(replaces quantize.DEFAULT_KEEP; 'none' keeps nothing), e.g. vocoder:embed.weight+head.weight")
    ap.add_argument("--run", default=None)
    ap.add_argument("--weights", default=None, help="denoiser: folder of .npz weights or a run")
    ap.add_argument("--variant", default="sg")
    ap.add_argument("--no-tb", action="store_true")
    ap.add_argument("--name", default="denoiser")
    ap.add_argument("--info", default=None, help="denoiser: JSON file with the training entry")
    ap.add_argument("--init-from", default=None,
                    help="vocoder: the runs it was fine-tuned from, oldest first, comma-separated")
    ap.add_argument("--from-onnx", default=None,
                    help="vocoder: re-export the network of this exported file (instead of --run), keeping the "
                         "manifest's training entry")
    ap.add_argument("--mel-correction", type=int, default=0,
                    help="vocoder: analysis-resynthesis passes toward the input mel after the network (0: none)")
    ap.add_argument("--correction-limit", type=float, default=3.0,
                    help="vocoder: the largest log gain a band's correction may apply")
    ap.add_argument("--pack", default="data/diffusion/pack.npz",
                    help="denoiser: the pack it was trained on (latent statistics)")
    args = ap.parse_args(argv)
    torch.set_num_threads(1)
    if args.kind == "quantize":
        from .manifest import MODELS_DIR
        from .quantize import quantize_models

        models = Path(args.models) if args.models else MODELS_DIR
        only = [s for s in args.only.split(",") if s] if args.only else None
        keep = None
        if args.keep:
            keep = {}
            for item in (x for x in args.keep.split(",") if x and x != "none"):
                model, _, ws = item.partition(":")
                keep[model] = tuple(w for w in ws.split("+") if w)
        cmd = "python -m vem_training.export " + " ".join(sys.argv[1:] if argv is None else argv)
        print(json.dumps(quantize_models(models, Path(args.out) if args.out else models, only, command=cmd, keep=keep),
                         indent=1))
        return
    args.out = args.out or "runs/variants"
    if args.kind == "inference-drop":
        print(json.dumps(export_inference_drop(Path(args.out)), indent=1))
        return
    if args.kind == "variants":
        print(json.dumps(export_variants(Path(args.weights), Path(args.out)), indent=1))
        return
    if args.kind == "denoiser":
        if args.info:
            info = json.loads(Path(args.info).read_text())
        elif (Path(args.weights) / "ckpt.pt").exists():
            info = denoiser_training_info(Path(args.weights))
            args.pack = info["training"]["data"].split(":")[0]
        else:
            info = {}
        z = np.load(args.pack)
        info["latentNorm"] = {"mean": [round(float(v), 6) for v in z["mean"]],
                              "std": [round(float(v), 6) for v in z["std"]],
                              "layout": "latent (8, 16, T) folded to (128, T) as channel*16 + row; z = x*std + mean"}
        res = export_denoiser(Path(args.weights), args.variant, not args.no_tb, args.name, info)
    elif args.kind == "aligner":
        res = export_aligner(Path(args.run))
    elif args.kind == "vocoder":
        corr = {"passes": args.mel_correction, "limit": args.correction_limit}
        if args.from_onnx:
            res = export_vocoder_from_onnx(Path(args.from_onnx), corr, Path(args.out))
        else:
            init_from = [Path(p) for p in args.init_from.split(",")] if args.init_from else None
            res = export_vocoder(Path(args.run), init_from, corr)
    else:
        res = export_vae(Path(args.run))
    print(json.dumps(res, indent=1)[:2000])


main()
