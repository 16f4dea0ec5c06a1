#!/usr/bin/env bash
# The shipped denoiser (v2: sg + rhythm path) on one GPU, alone, inside a time budget; ablation variants
# only when VARIANTS names them and time is left (one after another, never beside the shipped run).
# Usage (repo root): PACK=.carry/pack.npz OUT=/tmp/out MIN=9 [INIT=public/models/denoiser.onnx] \
#   [VARIANTS="unconditional:none:notb tbOnly:none:tb" VMIN=2] bash training/gpu/train_denoiser.sh
# CORPUS (default training/data/corpus) must hold the corpus's feats/ and tag_thresholds.json for the
# shot-level storyboard tags (config storyMeasure); carry them with the pack.
# Writes the EMA weights as fp16 .npz (denoiser-sg.*.npz), the run's config, log and checks under $OUT.
set -u
PY=${PY:-python3}
MIN=${MIN:-9}
PACK=$(realpath "${PACK:-.carry/pack.npz}")
CORPUS=$(realpath -m "${CORPUS:-training/data/corpus}")
OUT=$(realpath -m "${OUT:?}")
RUNS=${RUNS:-/tmp/vem-runs}
mkdir -p "$RUNS" "$OUT"
cd "$(dirname "$0")/.."
export PYTHONUNBUFFERED=1
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader 2>/dev/null || true
INIT_ARG=()
[ -n "${INIT:-}" ] && INIT_ARG=(--init-onnx "$(realpath "../$INIT")")
$PY -m vem_training.train.diffusion --variant sg --pack "$PACK" --corpus "$CORPUS" --run "$RUNS/denoiser-v2" --minutes "$MIN" \
  "${INIT_ARG[@]}" > "$RUNS/denoiser-v2.out" 2>&1
for spec in ${VARIANTS:-}; do
  IFS=: read -r name variant tb <<< "$spec"
  extra=(); [ "$tb" = notb ] && extra=(--no-tb)
  $PY -m vem_training.train.diffusion --variant "$variant" "${extra[@]}" --pack "$PACK" --corpus "$CORPUS" --run "$RUNS/$name" \
    --minutes "${VMIN:-2}" > "$RUNS/$name.out" 2>&1
done
$PY - "$RUNS" "$OUT" <<'PYEOF'
import json, shutil, sys, torch
from pathlib import Path
from vem_training.models import weights_npz
runs, out = Path(sys.argv[1]), Path(sys.argv[2])
for r in sorted(p for p in runs.iterdir() if (p / "ckpt.pt").exists()):
    st = torch.load(r / "ckpt.pt", map_location="cpu")
    cfg = st["config"]
    stem = f"denoiser-{cfg['variant']}{'' if cfg['tb'] else '-notb'}"  # what export.load_denoiser reads
    weights_npz.save(st["ema"], out / stem, parts=2)
    for f in ("config.json", "log.jsonl", "checks.jsonl"):
        if (r / f).exists():
            shutil.copy(r / f, out / f"{stem}.{f}")
    print(json.dumps({"run": r.name, "step": st["step"], "elapsedMin": round(st["elapsed"] / 60, 2)}))
PYEOF
ls -la "$OUT"
