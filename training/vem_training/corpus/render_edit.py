"""Renders an edit of the corpus to an MP4 with its music, from the full-resolution sources.

    python -m vem_training.corpus.render_edit <editId> -o x.mp4 [--corpus DIR] [--cache DIR] [--size 640x360]

Uses edits/<editId>.json (shots, camera motions, transitions) and audio/<trackId>.wav; frames are
rendered by the same code as the 112×64 training frames (edit_frames.render_frames), at 16 fps.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

from ..constants import REPO_ROOT
from . import edit_frames, edits, sources

DEFAULT_CORPUS = REPO_ROOT / "training" / "data" / "corpus"


def render_edit_mp4(edit_id: str, out_path, corpus: Path = DEFAULT_CORPUS, cache: Path = sources.DEFAULT_CACHE,
                    width: int = 640, height: int = 360, crf: int = 20) -> Path:
    corpus = Path(corpus)
    spec_path = corpus / "edits" / f"{edit_id}.json"
    if not spec_path.exists():
        raise FileNotFoundError(f"no edit spec {spec_path}")
    spec = json.loads(spec_path.read_text())
    return render_spec_mp4(spec, out_path, corpus / "audio" / f"{spec['trackId']}.wav", cache, width, height, crf)


def render_spec_mp4(spec: dict, out_path, wav: Path, cache: Path = sources.DEFAULT_CACHE, width: int = 640,
                    height: int = 360, crf: int = 20) -> Path:
    """Renders an edit spec (edits.plan_edit's format) with its stretch of `wav` as the sound track."""
    out_path = Path(out_path)
    frames, _ = edit_frames.render_frames(spec, width, height, Path(cache) / "pkgs")
    cmd = ["ffmpeg", "-v", "error", "-y", "-nostdin",
           "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{width}x{height}", "-r", str(edits.FPS), "-i", "-",
           "-ss", f"{spec['musicStartSec']:.4f}", "-t", f"{spec['durSec']:.4f}", "-i", str(wav),
           "-map", "0:v", "-map", "1:a", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-crf", str(crf),
           "-preset", "veryfast", "-c:a", "aac", "-b:a", "128k", "-shortest", str(out_path)]
    res = subprocess.run(cmd, input=frames.tobytes(), capture_output=True)
    if res.returncode != 0:
        raise RuntimeError(f"ffmpeg failed: {res.stderr.decode(errors='replace')[-800:]}")
    return out_path


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Render a corpus edit to MP4 with its music.")
    ap.add_argument("edit_id")
    ap.add_argument("-o", "--output", required=True)
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--cache", type=Path, default=sources.DEFAULT_CACHE)
    ap.add_argument("--size", default="640x360")
    a = ap.parse_args(argv)
    w, h = (int(v) for v in a.size.lower().split("x"))
    try:
        p = render_edit_mp4(a.edit_id, a.output, a.corpus, a.cache, w, h)
    except (FileNotFoundError, RuntimeError) as e:
        print(f"render_edit: {e}", file=sys.stderr)
        return 1
    print(p)
    return 0


if __name__ == "__main__":
    sys.exit(main())
