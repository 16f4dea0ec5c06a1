#!/usr/bin/env bash
# The denoiser's two training stages for all ablation variants on one GPU, inside a time budget:
#   stage 1: sg, plain, none in parallel for $M1 minutes; stage 2: TB adapter on sg and none for $M2.
# Usage (repo root): PACK=.carry/pack.npz OUT=/tmp/out M1=4 M2=2 bash training/gpu/train_denoisers.sh
# Writes fp16 .npz weights (EMA) and one JSON of logs under $OUT; see docs/diffusion.md.
set -u
PY=${PY:-python3}
M1=${M1:-4}; M2=${M2:-2}
PACK=$(realpath "${PACK:-.carry/pack.npz}")
OUT=${OUT:?}
RUNS=${RUNS:-/tmp/vem-runs}
EXTRA=${EXTRA:-}
mkdir -p "$RUNS" "$OUT"
cd "$(dirname "$0")/.."
export PYTHONUNBUFFERED=1
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader 2>/dev/null || true
for v in sg plain none; do
  $PY -m vem_training.train_diffusion --variant $v --stage 1 --pack "$PACK" --run "$RUNS/diff-$v" \
    --minutes "$M1" $EXTRA > "$RUNS/diff-$v.out" 2>&1 &
done
wait
for v in sg none; do
  $PY -m vem_training.train_diffusion --variant $v --stage 2 --pack "$PACK" --base "$RUNS/diff-$v" \
    --run "$RUNS/diff-$v-tb" --minutes "$M2" $EXTRA > "$RUNS/diff-$v-tb.out" 2>&1 &
done
wait
$PY - "$RUNS" "$OUT" <<'PYEOF'
import json, sys, torch
from pathlib import Path
from vem_training import weights_npz
runs, out = Path(sys.argv[1]), Path(sys.argv[2])
logs, adapters = {}, {}
for name in ("diff-sg", "diff-plain", "diff-none", "diff-sg-tb", "diff-none-tb"):
    r = runs / name
    logs[name] = {"stdout": (runs / f"{name}.out").read_text()[-4000:] if (runs / f"{name}.out").exists() else "",
                  "log": [json.loads(l) for l in (r / "log.jsonl").read_text().splitlines()] if (r / "log.jsonl").exists() else [],
                  "config": json.loads((r / "config.json").read_text()) if (r / "config.json").exists() else None}
    if not (r / "ckpt.pt").exists():
        continue
    st = torch.load(r / "ckpt.pt", map_location="cpu", weights_only=False)
    logs[name]["step"], logs[name]["elapsed"] = st["step"], st["elapsed"]
    ema = st["ema"]
    if name.endswith("-tb"):  # only the adapter is new; the rest is the stage-1 EMA
        adapters.update({f"{name}/{k}": v for k, v in ema.items() if "adapter" in k or "rhythm_stem" in k})
    else:
        weights_npz.save(ema, out / name, parts=2)
if adapters:
    weights_npz.save(adapters, out / "adapters", parts=1)
(out / "gpu-logs.json").write_text(json.dumps(logs))
print(json.dumps({k: (v.get("step"), v.get("elapsed")) for k, v in logs.items()}))
PYEOF
ls -la "$OUT"
