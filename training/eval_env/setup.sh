#!/usr/bin/env bash
# Creates training/.venv-eval (idempotent): TensorFlow + tf-keras + musicnn, for the pretrained-embedding
# figures of `vem eval` (docs/evaluation.md). Plain venv (no Debian site packages: TensorFlow wants numpy 2).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv-eval/bin/python ] || ! .venv-eval/bin/python -c "import musicnn, tensorflow" 2>/dev/null; then
  /usr/bin/python3 -m venv .venv-eval
  .venv-eval/bin/pip install -q --upgrade pip
  .venv-eval/bin/pip install -q -r eval_env/requirements.txt
  .venv-eval/bin/pip install -q --no-deps musicnn==0.1.0
fi
TF_USE_LEGACY_KERAS=1 .venv-eval/bin/python -c "import musicnn, tensorflow as tf; print('eval env ok: tensorflow', tf.__version__)"
