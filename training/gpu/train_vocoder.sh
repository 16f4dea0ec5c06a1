#!/usr/bin/env bash
# The adversarial vocoder fine-tune (issue #15, configs/vocoder-gan.json) on one GPU inside a time budget,
# starting from the shipped vocoder. Everything it reads travels with the working tree: the code, the
# shipped ONNX files (generator start, the VAE that feeds half of each batch) and the pack.
# The pack, made here first (≈ 24 MB, what the 64 MiB carry limit leaves beside the tracked files):
#   cd training && .venv/bin/python -m vem_training.data.vocoder_pack --corpus data/corpus --out ../.carry/vocoder-pack.npz
# Usage (repo root): PACK=.carry/vocoder-pack.npz OUT=/tmp/out MIN=8.5 [INIT=public/models/vocoder.onnx] \
#   [EXTRA="--d-warmup 300"] bash training/gpu/train_vocoder.sh
# MIN is wall time for the training process, held-out checks included (no madmom there: beat F is null).
# Writes under $OUT: vocoder-gan-G.0.npz and vocoder-gan-D.0.npz (fp16 weights), vocoder-gan.state.json
# (step, time), the run's config, log and checks, and the console output. Back on the CPU machine:
#   cd training && .venv/bin/python -m vem_training.train.vocoder_gan --run runs/vocoder-gan --from-npz <dir> \
#     --steps <its step>     # a run folder at that step + a held-out check with beat F; --steps more to go on
#   .venv/bin/python -m vem_training.export vocoder --run runs/vocoder-gan
set -u
PY=${PY:-python3}
MIN=${MIN:-8.5}
PACK=$(realpath "${PACK:-.carry/vocoder-pack.npz}")
OUT=$(realpath -m "${OUT:?}")
RUNS=${RUNS:-/tmp/vem-runs}
INIT=$(realpath "${INIT:-public/models/vocoder.onnx}")
mkdir -p "$RUNS" "$OUT"
cd "$(dirname "$0")/.."
export PYTHONUNBUFFERED=1
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader 2>/dev/null || true
# shellcheck disable=SC2086  # EXTRA is a list of options
$PY -m vem_training.train.vocoder_gan --config configs/vocoder-gan.json --pack "$PACK" --run "$RUNS/vocoder-gan" \
  --minutes "$MIN" --init-onnx "$INIT" ${EXTRA:-} 2>&1 | tee "$RUNS/vocoder-gan.out"
$PY -m vem_training.train.vocoder_gan --run "$RUNS/vocoder-gan" --write-npz "$OUT"
cp "$RUNS/vocoder-gan.out" "$OUT/vocoder-gan.out"
ls -la "$OUT"
