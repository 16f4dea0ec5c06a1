#!/usr/bin/env bash
# Measures a denoiser checkpoint while its run goes on, without touching what is shipped:
#   bash training/eval_candidate.sh <run dir, e.g. training/runs/denoiser-film-anneal> <name>
# 1. copies the run's ckpt.pt/config.json/checks.jsonl/log.jsonl to training/runs/snap-<name>;
# 2. exports it (int8, as shipped) into public/models, copies public/models and the denoiser's parity
#    fixture to training/runs/models-<name>, then restores both from git;
# 3. runs `vem eval` on it (the full model only, 8 steps) at seeds 0 and 1 (SEEDS="…" for others, EVAL_ARGS="…"
#    for other settings)
#    → training/runs/eval-<name>/ and eval-<name>-s1/.
# Shipping a candidate is a separate step: copy its denoiser, manifest and parity fixture into place, name the
# file it started from in the manifest's chain and command, re-record the golden takes (docs/diffusion.md).
set -euo pipefail
cd "$(dirname "$0")/.."
RUN=$1 NAME=$2
SNAP=training/runs/snap-$NAME MODELS=training/runs/models-$NAME
if ! git diff --quiet -- public/models e2e/fixtures/parity/denoiser.json; then
  echo "public/models or the parity fixture has uncommitted changes; commit or restore them first" >&2; exit 1
fi
mkdir -p "$SNAP"
for f in ckpt.pt config.json checks.jsonl log.jsonl; do [ -f "$RUN/$f" ] && cp "$RUN/$f" "$SNAP/"; done
restore() { git checkout -- public/models e2e/fixtures/parity/denoiser.json; }
trap restore EXIT
( cd training && OPENBLAS_NUM_THREADS=1 nice -n 2 .venv/bin/python -m vem_training.export denoiser --weights "runs/snap-$NAME" \
  && OPENBLAS_NUM_THREADS=1 nice -n 2 .venv/bin/python -m vem_training.export quantize --only denoiser )
rm -rf "$MODELS"; cp -r public/models "$MODELS"; cp e2e/fixtures/parity/denoiser.json "$MODELS/parity-denoiser.json"
restore; trap - EXIT
# SEEDS="0 1" (the default) measures each seed: FD and the kernel distance move by several points between seeds;
# EVAL_ARGS="--sampler dpmpp" (say) passes more settings to vem eval; EVAL_ARGS="--export-level" also scores the
# takes as the default WAV export writes them (row fullExport)
for SEED in ${SEEDS:-0 1}; do
  OUTN=$NAME; [ "$SEED" = 0 ] || OUTN=$NAME-s$SEED
  # shellcheck disable=SC2086
  nice -n 2 npx vem eval --models "$MODELS" --variants none --no-roundtrip --seed "$SEED" ${EVAL_ARGS:-} \
    --out "training/runs/eval-$OUTN" --json > "training/runs/eval-$OUTN.json"
  python3 - "training/runs/eval-$OUTN.json" <<'P'
import json, sys
d = json.load(open(sys.argv[1]))
out = {"settings": d["settings"], "full": d["rows"]["full"], "musicnn": d["pretrained"].get("full")}
if "fullExport" in d["rows"]:  # EVAL_ARGS="--export-level": the takes as the default WAV export writes them
    out.update(fullExport=d["rows"]["fullExport"], musicnnExport=d["pretrained"].get("fullExport"))
print(json.dumps(out, indent=1))
P
done
