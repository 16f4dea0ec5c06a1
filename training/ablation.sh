#!/usr/bin/env bash
# The paper's table-4 ablation on CPU: the five denoiser variants (full, unconditional, tbOnly, hvpSgCatt,
# hvpPlainCatt; export/denoiser.py VARIANTS) fine-tuned apart from one start, the same config and budget
# each (configs/denoiser-ablation.json), one after another on one torch thread, then exported as model
# folders and measured by `vem eval` beside the shipped model. From scratch and at full length this is
# gpu/train_denoiser.sh's job; this is the CPU version (docs/diffusion.md, "Ablations trained apart").
# Usage (from training/): [START=../public/models/denoiser.onnx] [RUNS=runs/ablation]
#   [OUT=runs/variants-ablation] [EVAL_ARGS="--seed 1"] bash ablation.sh
# Resumable: a finished variant is skipped (its checkpoint is at the config's step count).
set -eu
cd "$(dirname "$0")"
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
RUNS=${RUNS:-runs/ablation}
OUT=${OUT:-runs/variants-ablation}
mkdir -p "$RUNS"
# the start is copied once, so that shipping another model meanwhile does not change it
[ -f "$RUNS/start.onnx" ] || cp "${START:-../public/models/denoiser.onnx}" "$RUNS/start.onnx"
for spec in full:sg:tb unconditional:none:notb tbOnly:none:tb hvpSgCatt:sg:notb hvpPlainCatt:plain:notb; do
  IFS=: read -r name variant tb <<< "$spec"
  extra=()
  [ "$tb" = notb ] && extra=(--no-tb)
  echo "$(date -u +%H:%M) $name" >&2
  nice -n 5 .venv/bin/python -m vem_training.train.diffusion --config configs/denoiser-ablation.json \
    --variant "$variant" "${extra[@]}" --pack data/diffusion/pack.npz --run "$RUNS/$name" \
    --init-onnx "$RUNS/start.onnx" >> "$RUNS/$name.out" 2>&1
done
.venv/bin/python -m vem_training.export variants --weights "$RUNS" --out "$OUT"
cd ..
# shellcheck disable=SC2086
npx vem eval --variants "training/$OUT" --no-roundtrip --out "training/runs/eval-ablation${EVAL_TAG:-}" \
  ${EVAL_ARGS:-} --json
