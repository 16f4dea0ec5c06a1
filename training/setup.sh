#!/usr/bin/env bash
# Sets up the training environment on Debian 12: system packages and training/.venv.
set -euo pipefail
cd "$(dirname "$0")"
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
PKGS="python3-venv python3-pil python3-torch python3-numpy python3-scipy python3-onnx python3-pytest python3-protobuf python3-sympy python3-packaging ffmpeg fluidsynth fluid-soundfont-gm musescore-general-soundfont-small mma"
missing=""
for p in $PKGS; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
if [ -n "$missing" ]; then
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends $missing
fi
if [ ! -x .venv/bin/python ]; then
  /usr/bin/python3 -m venv --system-site-packages .venv
fi
.venv/bin/pip install -q --no-deps -r requirements.txt
.venv/bin/ruff --version >/dev/null  # the Python linter that `npm run lint` runs (requirements.txt)
.venv/bin/python -c "import vem_training.data.beats, madmom, torch, numpy, onnxruntime; print('training env ok: torch', torch.__version__, 'numpy', numpy.__version__)"
