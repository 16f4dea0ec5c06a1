"""Per-track processing: one function per kind of source, each writing

    audio/<id>.wav   16 kHz mono PCM16
    mels/<id>.npy    float16 (64, T) log-mel of the written WAV (audio.log_mel)
    feats/<id>.npz   frame features for the tag rules (tags.frame_features)
    meta/<id>.json   beats, sections, fixed tags (genre/mode/instrument), provenance, madmom check

meta/<id>.json is written last, so a track whose meta exists is complete (resumable builds skip it).
Feature-derived tags (energy/timbre/density/tempo/mood) and splits are assigned later by assemble.py.
"""
from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

import numpy as np

from ..data import audio as vaudio, beats as vbeats, tags as vtags
from . import audio_io, mma, segments
from .sources import ALL_SOURCES, genre_for, license_for

SR = audio_io.SR


def slug(s: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", s.lower()).strip("-")[:48] or "x"


def meta_path(out: Path, tid: str) -> Path:
    return Path(out) / "meta" / f"{tid}.json"


def is_done(out: Path, tid: str) -> bool:
    return meta_path(out, tid).exists()


def _write_outputs(out: Path, tid: str, x: np.ndarray) -> tuple[np.ndarray, np.ndarray, dict]:
    out = Path(out)
    for d in ("audio", "mels", "feats", "meta"):
        (out / d).mkdir(parents=True, exist_ok=True)
    audio_io.write_wav(out / "audio" / f"{tid}.wav", x)
    xr = audio_io.read_wav(out / "audio" / f"{tid}.wav").astype(np.float64)
    mel = vaudio.log_mel(xr)
    tmp = out / "mels" / f"{tid}.tmp.npy"
    np.save(tmp, mel.astype(np.float16))
    os.replace(tmp, out / "mels" / f"{tid}.npy")
    feats = vtags.frame_features(xr, SR)
    tmp = out / "feats" / f"{tid}.tmp.npz"
    np.savez(tmp, power=feats["power"], centroid=feats["centroid"].astype(np.float16),
             flux=feats["flux"].astype(np.float16), chroma=feats["chroma"].astype(np.float32),
             onsets=feats["onsets"])
    os.replace(tmp, out / "feats" / f"{tid}.npz")
    return xr, mel, feats


def load_feats(out: Path, tid: str) -> dict:
    with np.load(Path(out) / "feats" / f"{tid}.npz") as z:
        f = {k: z[k].astype(np.float32) for k in z.files}
    # onsets are re-picked from the stored flux so that the current tag rules apply
    f["onsets"] = vtags.pick_onsets(f["flux"]).astype(np.float32)
    return f


def _write_meta(out: Path, meta: dict) -> None:
    p = meta_path(out, meta["id"])
    tmp = p.with_name(p.name + ".tmp")
    tmp.write_text(json.dumps(meta))
    os.replace(tmp, p)


def _r(a, nd=4):
    return [round(float(v), nd) for v in a]


def _rel(p) -> str:
    """Path relative to the package cache (…/pkgs/<package>/…) when it is inside it."""
    parts = Path(p).parts
    for anchor in ("pkgs", "pk3"):
        if anchor in parts:
            return "/".join(parts[parts.index(anchor):])
    return str(p)


def madmom_check(x: np.ndarray, ref_beats, ref_downbeats=None, max_sec: float | None = None,
                 downbeats: bool = True) -> dict:
    """madmom on (the first max_sec s of) x vs reference beats: F-measure at ±70 ms."""
    if max_sec is not None:
        x = x[: int(max_sec * SR)]
    dur = len(x) / SR
    t0 = time.time()
    est_b, est_d = vbeats.track_beats(x, SR, downbeats=downbeats)
    secs = time.time() - t0
    rb = np.asarray(ref_beats)
    rb = rb[rb < dur]
    res = {"fBeat": round(vbeats.f_measure(rb, est_b), 4), "nRef": int(len(rb)), "nEst": int(len(est_b)),
           "bpmRef": round(vbeats.bpm_from_beats(rb), 2), "bpmEst": round(vbeats.bpm_from_beats(est_b), 2),
           "evalSec": round(dur, 2), "cpuSec": round(secs, 2)}
    if ref_downbeats is not None and downbeats:
        rd = np.asarray(ref_downbeats)
        rd = rd[rd < dur]
        res["fDownbeat"] = round(vbeats.f_measure(rd, est_d), 4)
    return res, est_b, est_d


# --------------------------------------------------------------------------------------------------
# MMA pieces
# --------------------------------------------------------------------------------------------------

def _markers(mid_path) -> dict[str, float]:
    mid = vbeats.load_midi(mid_path)
    t2s, _ = vbeats.tick_to_sec_fn(mid)
    out = {}
    for tick, _, _, msg in vbeats._merge_track_events(mid):
        if msg.type == "marker":
            out[msg.text] = float(t2s(tick))
    return out


def process_mma(job: dict) -> dict:
    out, tid, seed = Path(job["out"]), job["id"], job["seed"]
    piece = mma.make_piece(tid, seed, max_bars=job.get("max_bars"))
    (out / "midi").mkdir(parents=True, exist_ok=True)
    mid = mma.run_mma(mma.to_mma(piece), out / "midi" / f"{tid}.mid")
    grid = vbeats.midi_beat_grid(mid)
    marks = _markers(mid)
    starts = [marks.get(f"S{i}") for i in range(len(piece.sections))]
    if any(s is None for s in starts):
        raise RuntimeError(f"{tid}: section markers missing in the MIDI")
    # structure check: each section holds exactly its number of bars
    for i, s in enumerate(piece.sections):
        end = starts[i + 1] if i + 1 < len(starts) else None
        n = int(((grid.downbeats >= starts[i] - 1e-3) & ((grid.downbeats < end - 1e-3) if end else True)).sum())
        if end is not None and n != s.bars:
            raise RuntimeError(f"{tid}: section {i} has {n} downbeats, expected {s.bars} bars")
    x = audio_io.normalize(audio_io.render_midi(mid, job["soundfont"]))
    dur = len(x) / SR
    xr, mel, feats = _write_outputs(out, tid, x)
    beats = grid.beats[grid.beats < dur - 0.05]
    downs = grid.downbeats[grid.downbeats < dur - 0.05]
    sections = []
    all_inst = set()
    for i, s in enumerate(piece.sections):
        st = starts[i]
        en = starts[i + 1] if i + 1 < len(starts) else dur
        progs = vbeats.midi_programs(mid, st, en)
        inst = vtags.instrument_tags(progs)
        all_inst.update(inst)
        fixed = [f"genre:{s.genre}", vtags.mode_tag_from_key(s.minor)] + inst
        sections.append({"startSec": round(st, 4), "durSec": round(en - st, 4), "label": s.label,
                         "groove": s.groove, "family": s.family, "volume": s.volume,
                         "key": mma.NOTE_SHARP[s.tonic] + ("m" if s.minor else ""), "chords": s.chords,
                         "fixedTags": vtags.sort_tags(fixed)})
    meta = {
        "id": tid, "source": "mma", "kind": "midi", "durationSec": round(dur, 4),
        "bpm": round(piece.bpm, 3), "beatsSec": _r(beats), "downbeatsSec": _r(downs), "beatSource": "midi",
        "sections": sections,
        "fixedTags": vtags.sort_tags([f"genre:{piece.genre}", vtags.mode_tag_from_key(piece.minor)] + sorted(all_inst)),
        "license": "generated here with MMA grooves (GPL-2+), rendered with FluidR3_GM (MIT) / MuseScore_General (MIT)",
        "origin": {"generator": "mma", "seed": seed, "family": piece.family, "soundfont": job["soundfont"],
                   "beatsPerBar": piece.beats_per_bar, "mid": f"midi/{tid}.mid"},
    }
    if job.get("madmom_eval"):
        res, _, _ = madmom_check(xr, beats, downs, max_sec=job.get("eval_max_sec"))
        meta["madmomCheck"] = {"reference": "midi", **res}
    _write_meta(out, meta)
    return meta


# --------------------------------------------------------------------------------------------------
# game MIDI files
# --------------------------------------------------------------------------------------------------

def grid_fit(mid_path, grid: vbeats.BeatGrid, tol: float = 0.035) -> float:
    """Share of note onsets within ±tol of a 16th-note or triplet-8th position of the tempo map's
    beats: ~1 for a quantised file that follows its tempo map, low for free-time performances."""
    mid = vbeats.load_midi(mid_path)
    t2s, _ = vbeats.tick_to_sec_fn(mid)
    ticks = [t for t, _, _, m in vbeats._merge_track_events(mid) if m.type == "note_on" and m.velocity > 0]
    if not ticks or len(grid.beats) < 2:
        return 0.0
    on = np.asarray(t2s(np.array(ticks)))
    b = grid.beats
    pos = [b]
    for k in (4, 3):
        for j in range(1, k):
            pos.append(b[:-1] + (b[1:] - b[:-1]) * j / k)
    pos = np.sort(np.concatenate(pos))
    idx = np.clip(np.searchsorted(pos, on), 1, len(pos) - 1)
    d = np.minimum(np.abs(on - pos[idx - 1]), np.abs(pos[idx] - on))
    return float((d <= tol).mean())


def _novelty_sections(mel, dur, beats, downs) -> list[tuple[float, float]]:
    bounds = segments.novelty_boundaries(mel, dur, beats, downs)
    edges = [0.0] + bounds + [dur]
    return [(edges[i], edges[i + 1] - edges[i]) for i in range(len(edges) - 1)]


def process_midi_file(job: dict) -> dict:
    out, tid = Path(job["out"]), job["id"]
    src = ALL_SOURCES[job["source"]]
    path = Path(job["path"])
    grid = vbeats.midi_beat_grid(path)
    fit = grid_fit(path, grid)
    x = audio_io.render_midi(path, job["soundfont"])
    max_sec = job.get("max_sec")
    end = min(len(x) / SR, grid.end_sec + 2.0)
    if max_sec:
        end = min(end, max_sec)
    x = audio_io.normalize(x[: int(end * SR)])
    dur = len(x) / SR
    xr, mel, feats = _write_outputs(out, tid, x)
    beat_source = "midi"
    beats = grid.beats[grid.beats < dur - 0.05]
    downs = grid.downbeats[grid.downbeats < dur - 0.05]
    check = None
    if fit < 0.6:
        # the tempo map does not describe the music (free-time file): fall back to madmom
        beats, downs = vbeats.track_beats(xr, SR)
        beat_source = "madmom"
    elif job.get("madmom_eval"):
        check, _, _ = madmom_check(xr, beats, downs, max_sec=job.get("eval_max_sec"))
    secs = _novelty_sections(mel, dur, beats, downs)
    sections, all_inst = [], set()
    genre = genre_for(src, path.stem)
    for st, du in secs:
        inst = vtags.instrument_tags(vbeats.midi_programs(path, st, st + du))
        all_inst.update(inst)
        fixed = ([f"genre:{genre}"] if genre else []) + inst
        sections.append({"startSec": round(st, 4), "durSec": round(du, 4), "label": "novelty",
                         "fixedTags": vtags.sort_tags(fixed)})
    meta = {
        "id": tid, "source": src.name, "kind": "midi", "durationSec": round(dur, 4),
        "bpm": round(vbeats.bpm_from_beats(beats), 3), "beatsSec": _r(beats), "downbeatsSec": _r(downs),
        "beatSource": beat_source, "sections": sections,
        "fixedTags": vtags.sort_tags(([f"genre:{genre}"] if genre else []) + sorted(all_inst)),
        "license": src.license,
        "origin": {"file": _rel(path), "soundfont": job["soundfont"], "gridFit": round(fit, 3),
                   "tempoChanges": len(grid.tempo_changes), "sectionMethod": "novelty"},
    }
    if check:
        meta["madmomCheck"] = {"reference": "midi", **check}
    _write_meta(out, meta)
    return meta


# --------------------------------------------------------------------------------------------------
# recorded music
# --------------------------------------------------------------------------------------------------

def process_recorded(job: dict) -> dict:
    out, tid = Path(job["out"]), job["id"]
    src = ALL_SOURCES[job["source"]]
    max_sec = job.get("max_sec")
    paths = job.get("paths") or [job["path"]]
    xs = [audio_io.decode(p, SR, max_sec=max_sec) for p in paths]
    n = max(len(v) for v in xs)
    x = np.zeros(n, dtype=np.float32)
    for v in xs:
        x[: len(v)] += v
    grid = None
    if job.get("tempomap"):
        grid = vbeats.midi_beat_grid(job["tempomap"])
        x = x[: int(min(len(x) / SR, grid.end_sec + 1.0) * SR)]
    x = audio_io.limit_peak(x)
    dur = len(x) / SR
    xr, mel, feats = _write_outputs(out, tid, x)
    check = None
    if grid is not None:
        beats = grid.beats[grid.beats < dur - 0.05]
        downs = grid.downbeats[grid.downbeats < dur - 0.05]
        beat_source = "tempomap"
        check, _, _ = madmom_check(xr, beats, downs)
    else:
        beats, downs = vbeats.track_beats(xr, SR)
        beat_source = "madmom"
    secs = _novelty_sections(mel, dur, beats, downs)
    stem = Path(paths[0]).parent.name if job.get("tempomap") else Path(paths[0]).stem
    genre = genre_for(src, stem)
    gt = [f"genre:{genre}"] if genre else []
    sections = [{"startSec": round(st, 4), "durSec": round(du, 4), "label": "novelty", "fixedTags": gt}
                for st, du in secs]
    meta = {
        "id": tid, "source": src.name, "kind": "recorded", "durationSec": round(dur, 4),
        "bpm": round(vbeats.bpm_from_beats(beats), 3), "beatsSec": _r(beats), "downbeatsSec": _r(downs),
        "beatSource": beat_source, "sections": sections, "fixedTags": gt,
        "license": license_for(src.name, paths[0]),
        "origin": {"files": [_rel(p) for p in paths], "excerptSec": max_sec, "sectionMethod": "novelty"},
    }
    if check:
        meta["madmomCheck"] = {"reference": "tempomap", **check}
    _write_meta(out, meta)
    return meta


PROCESSORS = {"mma": process_mma, "midi": process_midi_file, "recorded": process_recorded}


def run_job(job: dict) -> tuple[str, str | None, float]:
    """(id, error or None, seconds). Skips finished tracks."""
    t0 = time.time()
    if is_done(Path(job["out"]), job["id"]):
        return job["id"], None, 0.0
    try:
        PROCESSORS[job["type"]](job)
        return job["id"], None, time.time() - t0
    except Exception as e:  # reported in the build log; the build goes on
        import traceback

        return job["id"], f"{type(e).__name__}: {e}\n{traceback.format_exc()[-1500:]}", time.time() - t0
