#!/usr/bin/env bash
# Installs what the tests need on a bare Debian 12 machine, idempotently: Debian's chromium and ffmpeg,
# the npm dependencies, and the Python training environment (training/setup.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
missing=""
for p in chromium ffmpeg; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
if [ -n "$missing" ]; then
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q $missing fonts-dejavu-core
fi
[ -d node_modules ] || ONNXRUNTIME_NODE_INSTALL=skip npm ci
bash training/setup.sh
