"""Assembles the finished tracks (meta/*.json, feats/*.npz) into index.json, clips.jsonl and the summary.

Always re-run in full (cheap): tag thresholds are corpus tertiles, so they depend on every track.
"""
from __future__ import annotations

import hashlib
import json
import os
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

from .. import constants
from ..data import beats as vbeats, tags as vtags
from .sources import ALL_SOURCES, is_core, license_for
from .tracks import load_feats

VIDEO_FPS = constants.load()["video"]["fps"]
AE_CLIP_SEC = 10.0
DIFF_MIN_SEC, DIFF_MAX_SEC = 10.0, 60.0


def _h(seed: int, key: str) -> float:
    d = hashlib.sha1(f"{seed}:{key}".encode()).digest()
    return int.from_bytes(d[:8], "big") / 2 ** 64


def assign_splits(tracks: list[dict], seed: int = 0, valid: float = 0.1, test: float = 0.1) -> dict[str, str]:
    """{trackId: split}, by source track (a track and all its clips/edits share one split).

    Per source the tracks are ranked by a seeded hash of their id; the first round(test·n) go to test,
    the next round(valid·n) to valid, the rest to train. Every source with ≥ 3 tracks gives at least one
    test track and every source with ≥ 5 at least one valid track, so the held-out test split holds
    recorded music from several sources."""
    by_src = defaultdict(list)
    for t in tracks:
        by_src[t["source"]].append(t["id"])
    out = {}
    for src, ids in sorted(by_src.items()):
        ids = sorted(ids, key=lambda i: (_h(seed, i), i))
        n = len(ids)
        n_test = int(round(test * n))
        n_valid = int(round(valid * n))
        if n >= 3:
            n_test = max(1, n_test)
        if n >= 5:
            n_valid = max(1, n_valid)
        for k, i in enumerate(ids):
            out[i] = "test" if k < n_test else ("valid" if k < n_test + n_valid else "train")
    return out


def tertiles(values) -> tuple[float, float]:
    v = np.asarray([x for x in values if np.isfinite(x)], dtype=np.float64)
    if len(v) < 3:
        return None
    return (float(np.quantile(v, 1 / 3)), float(np.quantile(v, 2 / 3)))


def _bpm_in(beats, s0, s1) -> float:
    b = np.asarray(beats)
    b = b[(b >= s0) & (b < s1)]
    if len(b) < 3:
        return 0.0
    return float(60.0 / np.median(np.diff(b)))


def _cat(tags, cat):
    return [t for t in tags if t.startswith(cat + ":")]


def _feature_tags(f: dict, th: dict, bpm: float, fixed: list[str]) -> list[str]:
    out = list(fixed)
    out.append(vtags.energy_tag(f["loudnessDb"], th["energy"]))
    out.append(vtags.timbre_tag(f["centroidHz"], th["timbre"]))
    out.append(vtags.density_tag(f["onsetRate"], th["density"]))
    tt = vtags.tempo_tag(bpm)
    if tt:
        out.append(tt)
    if not _cat(out, "mode"):
        m = vtags.mode_tag_from_chroma(f["chroma"])
        if m:
            out.append(m)
    mode = (_cat(out, "mode") or [None])[0]
    out += vtags.mood_tags(mode, tt, _cat(out, "energy")[0])
    return vtags.sort_tags(out)


def load_metas(out: Path) -> list[dict]:
    metas = []
    for p in sorted((Path(out) / "meta").glob("*.json")):
        try:
            metas.append(json.loads(p.read_text()))
        except json.JSONDecodeError:
            continue
    return metas


def compute_thresholds(out: Path, metas: list[dict]) -> tuple[dict, dict]:
    """Corpus tertiles of the features of the sections and of 10-s windows pooled (sections alone skew
    low: intros, breakdowns and endings are short and quiet), over the core sources' tracks; also returns
    {id: (feats, [section feats])} of every track."""
    feats_by = {}
    L, C, D = [], [], []
    for m in metas:
        f = load_feats(out, m["id"])
        secf = [vtags.segment_features(f, s["startSec"], s["durSec"]) for s in m["sections"]]
        feats_by[m["id"]] = (f, secf)
        if not is_core(m["source"]):
            continue  # tagged with the core sources' tertiles (sources.MusicSource.core)
        wins = [vtags.segment_features(f, t, AE_CLIP_SEC)
                for t in np.arange(0.0, m["durationSec"] - AE_CLIP_SEC + 1e-6, AE_CLIP_SEC)]
        for sf in secf + wins:
            L.append(sf["loudnessDb"])
            C.append(sf["centroidHz"])
            D.append(sf["onsetRate"])
    th = dict(vtags.DEFAULT_THRESHOLDS)
    for cat, vals in (("energy", L), ("timbre", C), ("density", D)):
        t = tertiles(vals)
        if t:
            th[cat] = t
    return th, feats_by


def fold_fast_tempo(m: dict) -> None:
    """Above 170 BPM (game MIDI tempo maps written at 180–216 BPM, madmom's or a chart's fast metal), the
    beat level is halved in phase with the downbeats when the meter allows (beats.fold_to_range)."""
    if m["bpm"] and m["bpm"] > 170.0:
        b, d, folds = vbeats.fold_to_range(m["beatsSec"], m["downbeatsSec"])
        if folds:
            m["beatsSec"] = [round(float(v), 4) for v in b]
            m["bpm"] = round(vbeats.bpm_from_beats(b), 3)


def _license(m: dict) -> str:
    """Per-file licence of a recorded track (DEP-5 copyright stanzas, album licences), else the meta's."""
    files = m.get("origin", {}).get("files") or []
    if m["kind"] == "recorded" and files and m["source"] in ALL_SOURCES:
        try:
            return license_for(m["source"], files[0])
        except Exception:
            pass
    return m["license"]


def track_entries(metas, feats_by, th, splits) -> list[dict]:
    entries = []
    for m in metas:
        fold_fast_tempo(m)
        m["license"] = _license(m)
        f, secf = feats_by[m["id"]]
        sections = []
        for s, sf in zip(m["sections"], secf):
            bpm = _bpm_in(m["beatsSec"], s["startSec"], s["startSec"] + s["durSec"]) or m["bpm"]
            sections.append({"startSec": s["startSec"], "durSec": s["durSec"],
                             "tags": _feature_tags(sf, th, bpm, s.get("fixedTags", []))})
        whole = vtags.segment_features(f)
        entries.append({
            "id": m["id"], "source": m["source"], "kind": m["kind"], "split": splits[m["id"]],
            "durationSec": m["durationSec"], "bpm": m["bpm"], "beatsSec": m["beatsSec"],
            "downbeatsSec": m["downbeatsSec"], "beatSource": m["beatSource"], "sections": sections,
            "tags": _feature_tags(whole, th, m["bpm"], m.get("fixedTags", [])), "license": m["license"],
        })
    return entries


def _frames(times, start, dur) -> list[int]:
    t = np.asarray(times, dtype=np.float64)
    t = t[(t >= start) & (t < start + dur)]
    fr = np.round((t - start) * VIDEO_FPS).astype(int)
    n = int(round(dur * VIDEO_FPS))
    return sorted(set(int(v) for v in fr if 0 <= v < n))


def _clip(track: dict, f: dict, th: dict, start: float, dur: float, purpose: str) -> dict:
    end = start + dur
    rel = []
    overlaps = []
    for s in track["sections"]:
        s0, s1 = max(start, s["startSec"]), min(end, s["startSec"] + s["durSec"])
        if s1 - s0 > 1e-3:
            rel.append({"startSec": round(s0 - start, 4), "durSec": round(s1 - s0, 4), "tags": s["tags"]})
            overlaps.append((s1 - s0, s["tags"]))
    overlaps.sort(key=lambda o: -o[0])
    fixed = []
    if overlaps:
        main = overlaps[0][1]
        fixed += _cat(main, "genre") + _cat(main, "mode")
        inst = set()
        for ov, tg in overlaps:
            if ov >= min(2.0, dur / 2):
                inst.update(_cat(tg, "instrument"))
        fixed += sorted(inst)
    feats = vtags.segment_features(f, start, dur)
    bpm = _bpm_in(track["beatsSec"], start, end) or track["bpm"]
    return {"trackId": track["id"], "startSec": round(start, 4), "durSec": round(dur, 4), "split": track["split"],
            "purpose": purpose, "beatFrames": _frames(track["beatsSec"], start, dur),
            "downbeatFrames": _frames(track["downbeatsSec"], start, dur), "sections": rel,
            "tags": _feature_tags(feats, th, bpm, fixed)}


def make_clips(track: dict, f: dict, th: dict, seed: int = 0) -> list[dict]:
    """10-s autoencoder clips tiling the track; 10–60-s diffusion clips tiling it from downbeats."""
    dur = track["durationSec"]
    clips = []
    t = 0.0
    while t + AE_CLIP_SEC <= dur + 1e-6:
        clips.append(_clip(track, f, th, t, AE_CLIP_SEC, "ae"))
        t += AE_CLIP_SEC
    rng = np.random.default_rng(int(_h(seed, "clips:" + track["id"]) * 2 ** 32))
    downs = np.asarray(track["downbeatsSec"] or track["beatsSec"] or [0.0])
    t = float(downs[0]) if len(downs) else 0.0
    while dur - t >= DIFF_MIN_SEC:
        length = float(rng.uniform(DIFF_MIN_SEC, DIFF_MAX_SEC))
        length = min(length, dur - t)
        clips.append(_clip(track, f, th, t, length, "diffusion"))
        nxt = downs[downs >= t + length - 1e-6]
        t = float(nxt[0]) if len(nxt) else t + length
    return clips


def _write_json(path: Path, obj) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(obj))
    os.replace(tmp, path)


def assemble(out: Path, seed: int = 0) -> dict:
    """Writes index.json and clips.jsonl; returns {"tracks", "clips", "thresholds", "metas"}."""
    out = Path(out)
    metas = load_metas(out)
    th, feats_by = compute_thresholds(out, metas)
    splits = assign_splits(metas, seed)
    entries = track_entries(metas, feats_by, th, splits)
    _write_json(out / "index.json", {"version": 1, "tracks": entries})
    clips = []
    for e in entries:
        clips += make_clips(e, feats_by[e["id"]][0], th, seed)
    tmp = out / "clips.jsonl.tmp"
    with open(tmp, "w") as fh:
        for c in clips:
            fh.write(json.dumps(c) + "\n")
    os.replace(tmp, out / "clips.jsonl")
    _write_json(out / "tag_thresholds.json", {k: list(v) for k, v in th.items()})
    return {"tracks": entries, "clips": clips, "thresholds": th, "metas": metas}


# --------------------------------------------------------------------------------------------------
# summary
# --------------------------------------------------------------------------------------------------

def summarize(res: dict, edits: list[dict] | None = None, build_sec: float | None = None) -> dict:
    tracks, clips, metas = res["tracks"], res["clips"], res["metas"]
    hours = defaultdict(float)
    ntracks = Counter()
    for t in tracks:
        hours[t["source"]] += t["durationSec"] / 3600
        ntracks[t["source"]] += 1
    split_hours = defaultdict(float)
    for t in tracks:
        split_hours[t["split"]] += t["durationSec"] / 3600
    cps = Counter((c["split"], c["purpose"]) for c in clips)
    clips_per_split = {s: {p: cps.get((s, p), 0) for p in ("ae", "diffusion")} for s in ("train", "valid", "test")}
    test_sources = sorted({t["source"] for t in tracks if t["split"] == "test" and t["kind"] == "recorded"})
    tag_clip = Counter(tg for c in clips if c["purpose"] == "diffusion" for tg in c["tags"])
    tag_sec = Counter(tg for t in tracks for s in t["sections"] for tg in s["tags"])
    bins = list(range(50, 230, 10))
    bpms = [t["bpm"] for t in tracks if t["bpm"]]
    hist, _ = np.histogram(bpms, bins=bins)
    bpm_hist = {f"{bins[i]}-{bins[i + 1]}": int(hist[i]) for i in range(len(hist))}
    checks = defaultdict(list)
    per_track = []
    for m in metas:
        c = m.get("madmomCheck")
        if not c:
            continue
        group = "tempomap (recorded)" if c["reference"] == "tempomap" else (
            "midi: mma" if m["source"] == "mma" else "midi: game files")
        checks[group].append(c)
        per_track.append({"id": m["id"], "group": group, **c})
    agree = {}
    for g, lst in sorted(checks.items()):
        fb = [c["fBeat"] for c in lst]
        fd = [c["fDownbeat"] for c in lst if "fDownbeat" in c]
        agree[g] = {"n": len(lst), "meanFBeat": round(float(np.mean(fb)), 4),
                    "medianFBeat": round(float(np.median(fb)), 4),
                    "meanFDownbeat": round(float(np.mean(fd)), 4) if fd else None,
                    "evalHours": round(sum(c["evalSec"] for c in lst) / 3600, 3),
                    "madmomCpuSecPerAudioSec": round(sum(c["cpuSec"] for c in lst)
                                                     / max(1e-6, sum(c["evalSec"] for c in lst)), 3)}
    beat_src = Counter(t["beatSource"] for t in tracks)
    summary = {
        "hoursPerSource": {k: round(v, 3) for k, v in sorted(hours.items())},
        "tracksPerSource": dict(sorted(ntracks.items())),
        "totalHours": round(sum(hours.values()), 3),
        "hoursPerSplit": {k: round(v, 3) for k, v in sorted(split_hours.items())},
        "clipsPerSplit": clips_per_split,
        "testRecordedSources": test_sources,
        "beatSources": dict(beat_src),
        "tagDistributionDiffusionClips": dict(sorted(tag_clip.items())),
        "tagDistributionSections": dict(sorted(tag_sec.items())),
        "bpmHistogramTracks": bpm_hist,
        "tagThresholds": {k: [round(v[0], 3), round(v[1], 3)] for k, v in res["thresholds"].items()},
        "beatTrackerAgreement": agree,
        "beatTrackerPerTrack": per_track,
    }
    if edits is not None:
        es = Counter(e["split"] for e in edits)
        ncuts = sum(len(e["cuts"]) for e in edits)
        on = sum(c["onBeat"] for e in edits for c in e["cuts"])
        grad = sum(c["kind"] == "gradual" for e in edits for c in e["cuts"])
        summary["edits"] = {"count": len(edits), "perSplit": dict(es), "cuts": ncuts,
                            "onBeatShare": round(on / max(1, ncuts), 3), "gradualShare": round(grad / max(1, ncuts), 3),
                            "hours": round(sum(e["durSec"] for e in edits) / 3600, 3)}
    if build_sec is not None:
        summary["buildSec"] = round(build_sec, 1)
    return summary


def format_summary(s: dict) -> str:
    lines = ["== corpus summary =="]
    lines.append(f"total {s['totalHours']:.2f} h; per split "
                 + ", ".join(f"{k} {v:.2f} h" for k, v in s["hoursPerSplit"].items()))
    lines.append("hours per source:")
    for k, v in s["hoursPerSource"].items():
        lines.append(f"  {k:32s} {v:6.3f} h  ({s['tracksPerSource'][k]} tracks)")
    lines.append("clips per split (ae / diffusion):")
    for k, v in s["clipsPerSplit"].items():
        lines.append(f"  {k:6s} {v['ae']:6d} / {v['diffusion']:5d}")
    lines.append(f"test split recorded sources: {', '.join(s['testRecordedSources'])}")
    lines.append(f"beat sources: {s['beatSources']}")
    lines.append("tag distribution (diffusion clips):")
    cats = defaultdict(list)
    for k, v in s["tagDistributionDiffusionClips"].items():
        c, n = k.split(":")
        cats[c].append(f"{n} {v}")
    for c, vals in cats.items():
        lines.append(f"  {c:10s} " + ", ".join(vals))
    lines.append("BPM histogram (tracks): " + ", ".join(f"{k}:{v}" for k, v in s["bpmHistogramTracks"].items() if v))
    lines.append(f"tag thresholds (tertiles): {s['tagThresholds']}")
    lines.append("madmom beat tracker agreement (F at ±70 ms):")
    for g, a in s["beatTrackerAgreement"].items():
        lines.append(f"  {g:22s} n={a['n']:3d} F(beat) mean {a['meanFBeat']:.3f} median {a['medianFBeat']:.3f}"
                     + (f", F(downbeat) mean {a['meanFDownbeat']:.3f}" if a["meanFDownbeat"] is not None else "")
                     + f"  [{a['evalHours']:.2f} h, {a['madmomCpuSecPerAudioSec']:.2f} CPU s per s]")
    if "edits" in s:
        e = s["edits"]
        lines.append(f"edits: {e['count']} ({e['perSplit']}), {e['cuts']} transitions, on-beat {e['onBeatShare']:.2f}, "
                     f"gradual {e['gradualShare']:.2f}, {e['hours']:.2f} h")
    if "buildSec" in s:
        lines.append(f"build time: {s['buildSec'] / 60:.1f} min")
    return "\n".join(lines)
