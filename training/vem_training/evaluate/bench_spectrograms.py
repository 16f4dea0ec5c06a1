"""Log-mel spectrograms of a `vem eval` run's rows for a few benchmark videos, with the video's cuts
(red ticks above) and the planned beats (cyan ticks below), for docs/diffusion.md.

    python -m vem_training.evaluate.bench_spectrograms --run runs/eval/<stamp> --videos a,b,c \
        --rows groundTruth,v1,full [--add-row v1=runs/eval-v1] [--seconds 12] --out ../docs/img/denoiser-v2-mels.png
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from .. import constants
from ..data import audio
from ..timebase import SAMPLE_RATE
from .autoencoder import save_stacked


def strip(y: np.ndarray, seconds: float, label: str, cuts, beats, height: int = 96):
    from PIL import Image, ImageDraw
    fps = constants.mel_fps()
    m = audio.log_mel(y[: int(seconds * SAMPLE_RATE)])
    v = np.clip((m - (-11.5)) / (2.0 - (-11.5)), 0, 1)[::-1]            # fixed range: rows are comparable
    rgb = np.stack([v ** 0.8, v ** 1.6, 0.35 + 0.4 * v], axis=-1)       # dark blue → yellow-white
    img = Image.fromarray((rgb * 255).astype(np.uint8)).resize((int(seconds * fps), height), Image.BILINEAR)
    canvas = Image.new("RGB", (img.width, height + 12), (16, 16, 24))
    canvas.paste(img, (0, 6))
    d = ImageDraw.Draw(canvas)
    for c in cuts:
        if c < seconds:
            x = int(c * fps)
            d.line([(x, 0), (x, 5)], fill=(255, 70, 70), width=2)
    for b in beats:
        if b < seconds:
            x = int(b * fps)
            d.line([(x, height + 7), (x, height + 11)], fill=(90, 230, 230), width=1)
    d.text((4, 8), label, fill=(255, 255, 255))
    return canvas


def render(run: Path, videos: list[str], rows: list[str], seconds: float, out: Path, extra: dict | None = None) -> Path:
    """extra: {row name: folder} for rows scored with `--add-row` (DIR/<id>.<name>.wav)."""
    from PIL import Image
    req = json.loads((run / "eval-request.json").read_text())
    by_id = {v["id"]: v for v in req["videos"]}
    for name, d in (extra or {}).items():
        for v in by_id.values():
            v["rows"][name] = {"wav": str(Path(d) / f"{v['id']}.{name}.wav")}
    strips = []
    for vid in videos:
        v = by_id[vid]
        full = json.loads(Path(v["rows"]["full"]["json"]).read_text())
        cuts = json.loads(Path(v["cutsJson"]).read_text())["cutsSec"] if v.get("cutsJson") else \
            [t["timeSec"] for t in full["transitions"]]
        for row in rows:
            path = v.get("groundTruthWav") if row == "groundTruth" else v["rows"].get(row, {}).get("wav")
            if not path:
                continue
            y, _ = audio.load_wav_mono(path)
            strips.append(strip(y, seconds, f"{vid} · {row}", cuts, full["plannedBeatsSec"]))
        strips.append(Image.new("RGB", (strips[-1].width, 6), (255, 255, 255)))
    return save_stacked(strips, out)


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--run", required=True, type=Path)
    ap.add_argument("--videos", required=True)
    ap.add_argument("--rows", default="groundTruth,v1,full")
    ap.add_argument("--seconds", type=float, default=12.0)
    ap.add_argument("--out", required=True, type=Path)
    ap.add_argument("--add-row", action="append", default=[], metavar="NAME=DIR")
    a = ap.parse_args(argv)
    extra = dict(s.split("=", 1) for s in a.add_row)
    print(render(a.run, a.videos.split(","), a.rows.split(","), a.seconds, a.out, extra))


if __name__ == "__main__":
    main()
