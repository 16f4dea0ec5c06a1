#!/usr/bin/env bash
# The one test command (README, CI): set up what is missing, then every test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-test-env.sh
npm test
