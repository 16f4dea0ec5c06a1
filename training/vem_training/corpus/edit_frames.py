"""Rendering an edit's spec to frames: still images under a camera motion (pan / zoom / static) or
excerpts of footage, cuts and gradual transitions (dissolve, fade through black), at 16 fps and any size
(the aligner's 112×64 for training, 640×360 in render_edit), with the per-frame labels."""
from __future__ import annotations

import subprocess
from functools import lru_cache
from pathlib import Path

import numpy as np

from .. import constants
from . import sources

FPS = constants.load()["video"]["fps"]
AW = constants.load()["video"]["alignerWidth"]
AH = constants.load()["video"]["alignerHeight"]


def _beat_frames(beats_rel, n_frames):
    fr = np.round(np.asarray(beats_rel) * FPS).astype(int)
    return fr[(fr >= 0) & (fr < n_frames)]


@lru_cache(maxsize=64)
def _load_image(path: str, max_w: int):
    from PIL import Image

    im = Image.open(path)
    if im.format == "JPEG":
        im.draft("RGB", (max_w, max_w))
    im = im.convert("RGB")
    if im.width > max_w:
        im = im.resize((max_w, max(1, int(round(im.height * max_w / im.width)))), Image.BILINEAR)
    return im


def _ease(u):
    return 0.5 - 0.5 * np.cos(np.pi * np.clip(u, 0, 1))


def _crop_box(motion: dict, u: float, iw: int, ih: int, aspect: float):
    e = _ease(u)
    s = motion["s0"] + (motion["s1"] - motion["s0"]) * e
    cx = motion["c0"][0] + (motion["c1"][0] - motion["c0"][0]) * e
    cy = motion["c0"][1] + (motion["c1"][1] - motion["c0"][1]) * e
    # the largest crop of the output aspect, scaled by s
    if iw / ih > aspect:
        ch, cw = ih, ih * aspect
    else:
        cw, ch = iw, iw / aspect
    cw, ch = cw * s, ch * s
    x0 = np.clip(cx * iw - cw / 2, 0, iw - cw)
    y0 = np.clip(cy * ih - ch / 2, 0, ih - ch)
    return (float(x0), float(y0), float(x0 + cw), float(y0 + ch))


def _still_frames(path: Path, motion: dict, n: int, t0: float, s0: float, s1: float, W: int, H: int) -> np.ndarray:
    from PIL import Image

    im = _load_image(str(path), max(4 * W, 448))
    out = np.empty((n, H, W, 3), dtype=np.uint8)
    span = max(1e-6, s1 - s0)
    for k in range(n):
        u = ((t0 + k / FPS) - s0) / span
        box = _crop_box(motion, u, im.width, im.height, W / H)
        out[k] = np.asarray(im.transform((W, H), Image.EXTENT, box, Image.BILINEAR))
    return out


def _video_frames(path: Path, offset: float, n: int, W: int, H: int) -> np.ndarray:
    cmd = ["ffmpeg", "-v", "error", "-nostdin", "-ss", f"{max(0.0, offset):.3f}", "-i", str(path), "-an",
           "-vf", f"fps={FPS},scale={W}:{H}:force_original_aspect_ratio=increase,crop={W}:{H}",
           "-frames:v", str(n), "-pix_fmt", "rgb24", "-f", "rawvideo", "-"]
    r = subprocess.run(cmd, capture_output=True)
    buf = np.frombuffer(r.stdout, dtype=np.uint8)
    k = len(buf) // (W * H * 3)
    fr = buf[: k * W * H * 3].reshape(k, H, W, 3)
    if k == 0:
        return np.zeros((n, H, W, 3), dtype=np.uint8)
    if k < n:  # hold the last frame
        fr = np.concatenate([fr, np.repeat(fr[-1:], n - k, axis=0)])
    return fr[:n]


def _shot_frames(shot: dict, f0: int, f1: int, W: int, H: int, media_root: Path) -> np.ndarray:
    """Frames f0..f1-1 (edit frame indices) of a shot."""
    n = f1 - f0
    path = Path(media_root) / shot["media"]
    if shot["kind"] == "video":
        off = shot["videoOffsetSec"] + (f0 / FPS - shot["startSec"])
        return _video_frames(path, off, n, W, H)
    return _still_frames(path, shot["motion"], n, f0 / FPS, shot["startSec"], shot["endSec"], W, H)


def render_frames(spec: dict, W: int = AW, H: int = AH, media_root: Path | None = None) -> tuple[np.ndarray, dict]:
    """(frames uint8 (F, H, W, 3), labels {transition, beat, target, gradual}) of an edit spec."""
    media_root = Path(media_root or (sources.DEFAULT_CACHE / "pkgs"))
    n = spec["nFrames"]
    frames = np.zeros((n, H, W, 3), dtype=np.uint8)
    trans = spec["transitions"]
    bounds = [0] + [t["frame"] for t in trans] + [n]
    # base layer: each shot on its own frames
    for i, shot in enumerate(spec["shots"]):
        f0, f1 = bounds[i], bounds[i + 1]
        if f1 > f0:
            frames[f0:f1] = _shot_frames(shot, f0, f1, W, H, media_root)
    gradual = np.zeros(n, dtype=np.uint8)
    for i, t in enumerate(trans):
        if t["kind"] != "gradual" or t["durSec"] <= 0:
            continue
        half = int(round(t["durSec"] * FPS / 2))
        g0, g1 = max(0, t["frame"] - half), min(n, t["frame"] + half)
        if g1 <= g0:
            continue
        a_frames = _shot_frames(spec["shots"][i], g0, g1, W, H, media_root).astype(np.float32)
        b_frames = _shot_frames(spec["shots"][i + 1], g0, g1, W, H, media_root).astype(np.float32)
        u = (np.arange(g0, g1) - g0 + 0.5) / (g1 - g0)
        if t["style"] == "fade":
            wa = np.clip(1 - 2 * u, 0, 1)
            wb = np.clip(2 * u - 1, 0, 1)
        else:
            wa, wb = 1 - u, u
        mix = a_frames * wa[:, None, None, None] + b_frames * wb[:, None, None, None]
        frames[g0:g1] = np.clip(np.round(mix), 0, 255).astype(np.uint8)
        gradual[g0:g1] = 1
    transition = np.zeros(n, dtype=np.uint8)
    for t in trans:
        if 0 <= t["frame"] < n:
            transition[t["frame"]] = 1
    beat = np.zeros(n, dtype=np.uint8)
    beat[_beat_frames(spec["beatsRelSec"], n)] = 1
    target = (transition & beat).astype(np.uint8)
    return frames, {"transition": transition, "beat": beat, "target": target, "gradual": gradual}
