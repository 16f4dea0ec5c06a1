"""The media edits are cut from: the source packages' images and footage, their scene cuts, and their
seeded 80/10/10 split (an edit only uses media of its music track's split)."""
from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

from . import sources


def _h(seed, key: str) -> float:
    d = hashlib.sha1(f"{seed}:{key}".encode()).digest()
    return int.from_bytes(d[:8], "big") / 2 ** 64


def media_split(rel_path: str, seed: int = 0) -> str:
    u = _h(seed, "media:" + rel_path)
    return "test" if u < 0.1 else ("valid" if u < 0.2 else "train")


def _probe_duration(path) -> float:
    r = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", str(path)],
                       capture_output=True, text=True)
    try:
        return float(r.stdout.strip().split("\n")[0])
    except ValueError:
        return 0.0


def _scene_cuts(path) -> list[float]:
    """Times of the hard cuts inside a source video (ffmpeg scdet), so shots can avoid them: a cut
    inside a shot would be an unlabelled transition."""
    r = subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-i", str(path), "-an", "-vf",
                        "scale=224:-2,scdet=threshold=10,metadata=print:file=-", "-f", "null", "-"],
                       capture_output=True, text=True)
    out = []
    for line in r.stdout.splitlines():
        if "lavfi.scd.time=" in line:
            try:
                out.append(float(line.split("lavfi.scd.time=")[1]))
            except ValueError:
                pass
    return out


def media_pool(cache: Path, seed: int = 0) -> dict[str, list[dict]]:
    """{split: [media]} with media {"rel", "kind", "source", "w", "h", "dur"}; rel is relative to cache/pkgs."""
    cache = Path(cache)
    pool = {"train": [], "valid": [], "test": []}
    for m in sources.list_images(cache):
        rel = str(Path(m["path"]).relative_to(cache / "pkgs"))
        d = {"rel": rel, "kind": m["kind"], "source": m["source"], "w": m["w"], "h": m["h"], "dur": 0.0}
        if m["kind"] == "video":
            d["dur"] = _probe_duration(m["path"])
            if d["dur"] < 2.0:
                continue
            d["cuts"] = _scene_cuts(m["path"])
        pool[media_split(rel, seed)].append(d)
    return pool
