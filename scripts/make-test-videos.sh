#!/usr/bin/env bash
# Builds the parsing test set from real photos and footage in Debian packages.
#   bash scripts/make-test-videos.sh [--force] [--only <name-substring>]
# Needs: ffmpeg/ffprobe (Debian's, with libx264), apt-get (to download the .deb files), dpkg, node + tsx.
# Output: .cache/testvideos/out/*.mp4 + ground-truth *.json (ignored by git), and the small committed
# fixtures in e2e/fixtures/. Deterministic: fixed files, fixed shot lists, no random choices.
set -euo pipefail
cd "$(dirname "$0")/.."

for tool in ffmpeg ffprobe dpkg; do
  command -v "$tool" >/dev/null || { echo "make-test-videos: '$tool' is not installed (apt-get install ffmpeg)" >&2; exit 1; }
done

CACHE=.cache/testvideos
mkdir -p "$CACHE/debs" "$CACHE/x"
PACKAGES="lomiri-wallpapers-16.04 lomiri-wallpapers-20.04 mate-backgrounds gem-doc python-pygame-doc
lebiniou-data planetblupi-common openboard-common fillets-ng-data"

for pkg in $PACKAGES; do
  if [ ! -e "$CACHE/x/$pkg/.extracted" ]; then
    if ! ls "$CACHE/debs/${pkg}_"*.deb >/dev/null 2>&1; then
      echo "downloading $pkg" >&2
      (cd "$CACHE/debs" && apt-get download "$pkg" >/dev/null)
    fi
    deb=$(ls "$CACHE/debs/${pkg}_"*.deb | head -n 1)
    mkdir -p "$CACHE/x/$pkg"
    dpkg -x "$deb" "$CACHE/x/$pkg"
    touch "$CACHE/x/$pkg/.extracted"
  fi
done

# One ffmpeg at a time, at low priority (the machines this runs on are shared).
exec nice -n 10 npx tsx scripts/testvideos/build.ts "$@"
