"""Builds the training corpus.

    training/.venv/bin/python -m vem_training.corpus.build --out training/data/corpus [--size small|default]

Incremental: finished tracks (meta/<id>.json) and edits (edits/<id>.npz) are skipped; the index,
clips, edits list and summary are rewritten at the end of every run. See docs/corpus.md.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from multiprocessing import Pool
from pathlib import Path

import numpy as np

from . import assemble, sources
from .tracks import run_job, slug

SIZES = {
    # n_mma: MMA pieces; mma_eval: pieces also run through madmom (beat check vs MIDI);
    # midi_max_files: game MIDI files per source (None = all), midi_max_sec: excerpt cap;
    # rec_sources: recorded sources used (None = all), rec_track_sec: excerpt cap per track,
    # rec_source_sec: cap per source (sum of excerpts), fof_max_songs / fof_max_sec: Frets on Fire.
    "small": dict(n_mma=6, mma_max_bars=16, mma_eval=2, midi_max_files=1, midi_max_sec=40.0, midi_eval=1,
                  midi_sources=["simutrans-data", "openttd-openmsx"],
                  rec_sources=["nexuiz-music", "wesnoth-1.16-music", "singularity-music"], rec_track_sec=40.0,
                  rec_source_sec=40.0, fof_max_songs=1, fof_max_sec=60.0, n_edits=10, edit_sec=(10.0, 15.0)),
    "default": dict(n_mma=160, mma_max_bars=None, mma_eval=30, midi_max_files=None, midi_max_sec=150.0,
                    midi_eval=16, midi_sources=None, rec_sources=None, rec_track_sec=90.0, rec_source_sec=540.0,
                    fof_max_songs=None, fof_max_sec=None, n_edits=300, edit_sec=(10.0, 30.0)),
}

SHORT = {"simutrans-data": "simutrans", "openttd-openmsx": "openmsx", "planetblupi-music-midi": "blupimid",
         "supertuxkart-data": "stk", "nexuiz-music": "nexuiz", "ufoai-music": "ufoai",
         "warzone2100-music": "wz2100", "singularity-music": "singularity", "wesnoth-1.16-music": "wesnoth",
         "fretsonfire-songs-muldjord": "fof-muldjord", "fretsonfire-songs-sectoid": "fof-sectoid",
         "planetblupi-music-ogg": "blupi", "supertux-data": "supertux", "hedgewars-data": "hedgewars",
         "naev-data": "naev"}
SOUNDFONTS = ["fluidr3", "musescore"]


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def _duration(path) -> float:
    import subprocess

    r = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", str(path)],
                       capture_output=True, text=True)
    try:
        return float(r.stdout.strip())
    except ValueError:
        return 0.0


def plan_jobs(out: Path, size: str, cache: Path, seed: int = 0) -> list[dict]:
    cfg = SIZES[size]
    rng = np.random.default_rng(seed)
    jobs = []
    # 1. MMA pieces
    for i in range(cfg["n_mma"]):
        jobs.append({"type": "mma", "id": f"mma-{i:04d}", "seed": seed * 100003 + i,
                     "soundfont": SOUNDFONTS[i % 2], "max_bars": cfg["mma_max_bars"],
                     "madmom_eval": i % max(1, cfg["n_mma"] // max(1, cfg["mma_eval"])) == 0
                     and i // max(1, cfg["n_mma"] // max(1, cfg["mma_eval"])) < cfg["mma_eval"],
                     "eval_max_sec": 60.0})
    # 2. game MIDI files
    midi_jobs = []
    for src in sources.MIDI_SOURCES:
        if cfg["midi_sources"] is not None and src.name not in cfg["midi_sources"]:
            continue
        items = sources.list_music(src, cache)
        order = rng.permutation(len(items))
        if cfg["midi_max_files"] is not None:
            order = order[: cfg["midi_max_files"]]
        for k in sorted(order):
            it = items[k]
            midi_jobs.append({"type": "midi", "id": f"{SHORT[src.name]}-{slug(it['key'])}", "source": src.name,
                              "path": str(it["midi"]), "soundfont": SOUNDFONTS[len(midi_jobs) % 2],
                              "max_sec": cfg["midi_max_sec"], "eval_max_sec": 60.0})
    # madmom check on an evenly spread subset of the game MIDI files
    if midi_jobs and cfg["midi_eval"]:
        for k in np.linspace(0, len(midi_jobs) - 1, min(cfg["midi_eval"], len(midi_jobs))).round().astype(int):
            midi_jobs[k]["madmom_eval"] = True
    jobs += midi_jobs
    # 3. recorded music (the Frets on Fire songs first: they carry the tempo-map check)
    for src in sorted(sources.RECORDED_SOURCES, key=lambda s: not s.tempomap):
        if cfg["rec_sources"] is not None and src.name not in cfg["rec_sources"] and not src.tempomap:
            continue
        items = sources.list_music(src, cache)
        if src.tempomap:
            if cfg["fof_max_songs"] is not None:
                if src.name != "fretsonfire-songs-muldjord":
                    continue
                items = items[: cfg["fof_max_songs"]]
            for it in items:
                jobs.append({"type": "recorded", "id": f"{SHORT[src.name]}-{slug(it['key'])}", "source": src.name,
                             "paths": [str(p) for p in it["paths"]], "tempomap": str(it["midi"]),
                             "max_sec": cfg["fof_max_sec"]})
            continue
        order = rng.permutation(len(items))
        total = 0.0
        cap = cfg["rec_source_sec"] if src.source_sec is None or size == "small" else src.source_sec
        for k in order:
            it = items[k]
            d = _duration(it["path"])
            if d < 30.0:
                continue
            take = min(d, cfg["rec_track_sec"])
            if total + take > cap + 1e-6:
                if total > 0:
                    break
            total += take
            jobs.append({"type": "recorded", "id": f"{SHORT[src.name]}-{slug(it['key'])}", "source": src.name,
                         "path": str(it["path"]), "max_sec": cfg["rec_track_sec"]})
    for j in jobs:
        j["out"] = str(out)
    ids = [j["id"] for j in jobs]
    if len(ids) != len(set(ids)):
        raise RuntimeError("duplicate track ids")
    return jobs


def _init_worker():
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


def run(out: Path, size: str = "default", workers: int = 2, cache: Path = sources.DEFAULT_CACHE, seed: int = 0,
        skip_edits: bool = False) -> dict:
    t0 = time.time()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    log(f"planning ({size}) → {out}")
    jobs = plan_jobs(out, size, cache, seed)
    # heavy (madmom) jobs first so the pool stays busy; MMA first within each group for early data
    todo = [j for j in jobs if not (out / "meta" / f"{j['id']}.json").exists()]
    log(f"{len(jobs)} tracks planned, {len(jobs) - len(todo)} already done, {len(todo)} to build")
    errors = []
    if todo:
        done = 0
        with Pool(workers, initializer=_init_worker, maxtasksperchild=20) as pool:
            for tid, err, secs in pool.imap_unordered(run_job, todo):
                done += 1
                if err:
                    errors.append((tid, err))
                    log(f"  FAILED {tid}: {err.splitlines()[0]}")
                if done % 10 == 0 or done == len(todo):
                    log(f"  {done}/{len(todo)} tracks ({time.time() - t0:.0f} s)")
    (out / "build_errors.json").write_text(json.dumps([{"id": i, "error": e} for i, e in errors], indent=1))
    log("assembling index.json / clips.jsonl")
    res = assemble.assemble(out, seed)
    edits = None
    if not skip_edits:
        from . import edits as edits_mod

        log("rendering edited videos")
        # the edits are drawn from the core sources only, so that a source added later leaves them as they were
        core = [t for t in res["tracks"] if sources.is_core(t["source"])]
        edits = edits_mod.build_edits(out, core, n_edits=SIZES[size]["n_edits"],
                                      dur_range=SIZES[size]["edit_sec"], cache=cache, seed=seed, workers=workers,
                                      log=log)
    summary = assemble.summarize(res, edits, build_sec=time.time() - t0)
    summary["size"] = size
    summary["failedTracks"] = [i for i, _ in errors]
    (out / "summary.json").write_text(json.dumps(summary, indent=1))
    print(assemble.format_summary(summary), flush=True)
    return summary


def main(argv=None):
    ap = argparse.ArgumentParser(description="Build the VeM training corpus.")
    ap.add_argument("--out", required=True, type=Path)
    ap.add_argument("--size", choices=sorted(SIZES), default="default")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--cache", type=Path, default=sources.DEFAULT_CACHE)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--skip-edits", action="store_true")
    ap.add_argument("--no-nice", action="store_true")
    ap.add_argument("--assemble-only", action="store_true",
                    help="only rewrite index.json / clips.jsonl / summary.json from the finished tracks")
    a = ap.parse_args(argv)
    if not a.no_nice and os.nice(0) < 10:
        try:
            os.nice(10 - os.nice(0))
        except OSError:
            pass
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    if a.assemble_only:
        prev = {}
        if (Path(a.out) / "summary.json").exists():
            prev = json.loads((Path(a.out) / "summary.json").read_text())
        res = assemble.assemble(a.out, a.seed)
        edits = None
        if (Path(a.out) / "edits.jsonl").exists():
            ids = {t["id"] for t in res["tracks"]}
            edits = [json.loads(line) for line in open(Path(a.out) / "edits.jsonl")]
            edits = [e for e in edits if e["trackId"] in ids]
        summary = assemble.summarize(res, edits, build_sec=prev.get("buildSec"))
        summary["size"] = prev.get("size", "partial")
        summary["failedTracks"] = prev.get("failedTracks", [])
        (Path(a.out) / "summary.json").write_text(json.dumps(summary, indent=1))
        print(assemble.format_summary(summary), flush=True)
        return 0
    run(a.out, a.size, a.workers, a.cache, a.seed, a.skip_edits)
    return 0


if __name__ == "__main__":
    sys.exit(main())
