"""Edited videos for the transition-beat aligner.

An edit is a sequence of shots (still images with a camera motion — pan / zoom / static — or excerpts
of real footage) cut on the beats of a corpus track: most transitions land on a beat (share
`ON_BEAT_SHARE`), the rest are placed at least `OFF_BEAT_MIN_SEC` from every beat. About
`GRADUAL_SHARE` of the transitions are gradual (dissolve or fade through black, 0.3–1 s, centred on
the transition time). Frames are rendered directly in numpy/PIL at 16 fps and the aligner input size
(constants.json video.alignerWidth × alignerHeight); `render_edit` renders the same spec at 640×360
from the full-resolution sources, with the music, for inspection and benchmarks.

Labels per 16-fps frame (time of frame f = f / 16 s, relative to the edit start = musicStartSec):
- transition[f] = 1 at the frame of each transition (the first frame of the new shot for a cut, the
  centre frame for a gradual transition);
- beat[f] = 1 at round(beat · 16) for each beat of the music;
- target = transition ∧ beat;
- gradual[f] = 1 over the frames of a gradual transition (extra array).

Outputs: edits/<editId>.npz (frames, transition, beat, target, gradual), edits/<editId>.json (the full
spec: shots, motions, media paths, used by render_edit), and one line per edit in edits.jsonl.
Media are assigned to splits by a seeded hash of their path (80/10/10), and an edit only uses media
of its music track's split, so held-out edits show unseen images and footage as well as unseen music.
"""
from __future__ import annotations

import json
import os
from multiprocessing import Pool
from pathlib import Path

import numpy as np

from . import sources
from .edit_frames import AH, AW, FPS, render_frames
from .edit_media import _h, media_pool

ON_BEAT_SHARE = 0.75
GRADUAL_SHARE = 0.3
OFF_BEAT_MIN_SEC = 0.15
VIDEO_SHOT_SHARE = 0.25


# --------------------------------------------------------------------------------------------------
# planning
# --------------------------------------------------------------------------------------------------


def _off_beat_frame(rng, lo_sec, hi_sec, beats_rel) -> int | None:
    """A frame in [lo, hi) whose time is ≥ OFF_BEAT_MIN_SEC from every beat, or None."""
    cands = [f for f in range(int(np.ceil(lo_sec * FPS)), int(np.floor(hi_sec * FPS)) + 1)
             if lo_sec <= f / FPS < hi_sec and np.min(np.abs(np.asarray(beats_rel) - f / FPS)) >= OFF_BEAT_MIN_SEC]
    if not cands:
        return None
    return int(cands[rng.integers(len(cands))])


def plan_edit(edit_id: str, track: dict, media: list[dict], dur_range=(10.0, 30.0), seed: int = 0,
              on_beat_share: float = ON_BEAT_SHARE) -> dict | None:
    """The spec of one edit over a random stretch of `track` (None if the track is too short)."""
    rng = np.random.default_rng(int(_h(seed, edit_id) * 2 ** 32))
    tdur = track["durationSec"]
    beats = np.asarray(track["beatsSec"], dtype=np.float64)
    downs = np.asarray(track["downbeatsSec"], dtype=np.float64)
    if len(beats) < 8 or tdur < dur_range[0] + 1:
        return None
    dur = float(rng.uniform(*dur_range))
    dur = min(dur, tdur - 0.5)
    starts = downs[(downs + dur <= tdur) & (downs >= 0)] if len(downs) else beats[beats + dur <= tdur]
    if len(starts) == 0:
        return None
    start = float(starts[rng.integers(len(starts))])
    n_frames = int(round(dur * FPS))
    dur = n_frames / FPS
    beats_rel = beats[(beats >= start - 1) & (beats < start + dur + 1)] - start
    in_beats = beats_rel[(beats_rel >= 0) & (beats_rel < dur)]
    if len(in_beats) < 4:
        return None
    period = float(np.median(np.diff(in_beats)))
    # transitions: walk the beats, shot lengths of 1–8 beats within 0.6–5 s
    choices = [k for k in (1, 2, 2, 3, 4, 4, 4, 6, 8) if 0.6 <= k * period <= 5.0] or [max(1, int(round(2.0 / period)))]
    transitions = []
    bi = 0
    last_frame = 0
    while True:
        k = int(choices[rng.integers(len(choices))])
        bi += k
        if bi >= len(in_beats):
            break
        on = bool(rng.random() < on_beat_share)
        if on:
            f = int(round(in_beats[bi] * FPS))
        else:
            # between this beat and a neighbour, ≥ 150 ms from every beat
            lo = in_beats[bi - 1] if bi >= 1 else 0.0
            hi = in_beats[bi + 1] if bi + 1 < len(in_beats) else dur
            f = _off_beat_frame(rng, lo, hi, beats_rel)
            if f is None:
                on, f = True, int(round(in_beats[bi] * FPS))
        if f - last_frame < int(0.5 * FPS) or f > n_frames - int(0.5 * FPS):
            continue
        if transitions and f / FPS - transitions[-1]["timeSec"] < transitions[-1]["durSec"] / 2 + 0.25:
            continue  # still inside the previous gradual transition
        kind = "gradual" if rng.random() < GRADUAL_SHARE else "cut"
        tdur_g = float(np.round(rng.uniform(0.3, 1.0) * FPS) / FPS) if kind == "gradual" else 0.0
        if kind == "gradual":
            # keep the transition window inside its two shots: clear of the previous transition's window
            # (with 0.25 s of clean shot between) and of the edit's end
            prev_t = last_frame / FPS if transitions else 0.0
            prev_half = transitions[-1]["durSec"] / 2 if transitions else 0.0
            room = min(f / FPS - prev_t - prev_half, dur - f / FPS) - 0.25
            tdur_g = float(np.floor(min(tdur_g, 2 * max(0.0, room)) * FPS) / FPS)
            if tdur_g < 0.3 - 1e-9:
                kind, tdur_g = "cut", 0.0
        style = "cut" if kind == "cut" else ("dissolve" if rng.random() < 0.65 else "fade")
        # on-beat: the transition frame is a beat frame; off-beat: ≥150 ms from any beat
        on_beat = bool(np.min(np.abs(beats_rel - f / FPS)) < 0.5 / FPS + 1e-9) if on else False
        transitions.append({"frame": int(f), "timeSec": round(f / FPS, 4), "kind": kind, "style": style,
                            "durSec": round(tdur_g, 4), "onBeat": on_beat})
        last_frame = f
    # shots
    n_shots = len(transitions) + 1
    shots = []
    bounds = [0] + [t["frame"] for t in transitions] + [n_frames]
    videos = [m for m in media if m["kind"] == "video"]
    images = [m for m in media if m["kind"] == "image"]
    prev_rel = None
    for i in range(n_shots):
        pre = transitions[i - 1]["durSec"] / 2 if i > 0 else 0.0
        post = transitions[i]["durSec"] / 2 if i < len(transitions) else 0.0
        s0 = bounds[i] / FPS - pre
        s1 = bounds[i + 1] / FPS + post
        use_video = bool(videos) and (rng.random() < VIDEO_SHOT_SHARE or not images)
        if use_video:
            # a video and an offset whose span holds none of the video's own cuts
            for _ in range(10):
                m = videos[rng.integers(len(videos))]
                off = float(rng.uniform(0, max(0.0, m["dur"] - (s1 - s0) - 0.1)))
                if m["rel"] != prev_rel and m["dur"] >= s1 - s0 + 0.1 and not any(
                        off - 0.2 <= c <= off + (s1 - s0) + 0.2 for c in m.get("cuts", [])):
                    break
            else:
                use_video = False
            if not images and not use_video:
                use_video, off = True, 0.0
        if use_video:
            prev_rel = m["rel"]
            shots.append({"media": m["rel"], "kind": "video", "startSec": round(s0, 4), "endSec": round(s1, 4),
                          "videoOffsetSec": round(off, 3)})
            continue
        pool = images
        # balanced over source packages (one game package holds most of the images)
        srcs = sorted({x["source"] for x in pool})
        for _ in range(5):
            src_name = srcs[rng.integers(len(srcs))]
            cands = [x for x in pool if x["source"] == src_name]
            m = cands[rng.integers(len(cands))]
            if m["rel"] != prev_rel:
                break
        prev_rel = m["rel"]
        # the shot is visible from its start minus half the incoming gradual transition to its end plus
        # half the outgoing one
        shots.append({"media": m["rel"], "kind": "image", "startSec": round(s0, 4), "endSec": round(s1, 4),
                      "motion": random_motion(rng, m["w"], m["h"])})
    cuts = [{"timeSec": t["timeSec"], "kind": t["kind"], "onBeat": t["onBeat"], "durSec": t["durSec"]}
            for t in transitions]
    return {"editId": edit_id, "trackId": track["id"], "musicStartSec": round(start, 4), "durSec": round(dur, 4),
            "split": track["split"], "cuts": cuts, "fps": FPS, "nFrames": n_frames, "transitions": transitions,
            "shots": shots, "beatsRelSec": [round(float(b), 4) for b in in_beats]}


def random_motion(rng, w: int, h: int) -> dict:
    """Camera motion over a still: crop rectangles (centre x, y and scale of the largest crop with the
    output aspect) at the shot's start and end, interpolated with an ease-in-out."""
    kind = str(rng.choice(["static", "zoom_in", "zoom_out", "pan_lr", "pan_rl", "pan_ud", "pan_du"],
                          p=[0.15, 0.2, 0.2, 0.15, 0.15, 0.075, 0.075]))
    s_big, s_small = float(rng.uniform(0.85, 1.0)), float(rng.uniform(0.55, 0.75))
    c = (float(rng.uniform(0.4, 0.6)), float(rng.uniform(0.4, 0.6)))
    if kind == "static":
        return {"type": kind, "c0": c, "c1": c, "s0": s_big, "s1": s_big}
    if kind == "zoom_in":
        return {"type": kind, "c0": c, "c1": (c[0] + float(rng.uniform(-0.1, 0.1)), c[1]), "s0": s_big, "s1": s_small}
    if kind == "zoom_out":
        return {"type": kind, "c0": c, "c1": c, "s0": s_small, "s1": s_big}
    s = float(rng.uniform(0.6, 0.8))
    d = float(rng.uniform(0.15, 0.35))
    if kind == "pan_lr":
        return {"type": kind, "c0": (0.5 - d, c[1]), "c1": (0.5 + d, c[1]), "s0": s, "s1": s}
    if kind == "pan_rl":
        return {"type": kind, "c0": (0.5 + d, c[1]), "c1": (0.5 - d, c[1]), "s0": s, "s1": s}
    if kind == "pan_ud":
        return {"type": kind, "c0": (c[0], 0.5 - d), "c1": (c[0], 0.5 + d), "s0": s, "s1": s}
    return {"type": kind, "c0": (c[0], 0.5 + d), "c1": (c[0], 0.5 - d), "s0": s, "s1": s}


def _render_job(args):
    spec, out_dir, media_root = args
    out_dir = Path(out_dir)
    p = out_dir / f"{spec['editId']}.npz"
    js = out_dir / f"{spec['editId']}.json"
    if p.exists() and js.exists():
        try:
            if json.loads(js.read_text()) == json.loads(json.dumps(spec)):
                return spec["editId"]  # already rendered from the same spec
        except json.JSONDecodeError:
            pass
    frames, lab = render_frames(spec, AW, AH, media_root)
    tmp = out_dir / f"{spec['editId']}.tmp.npz"
    np.savez_compressed(tmp, frames=frames, **lab)
    os.replace(tmp, p)
    (out_dir / f"{spec['editId']}.json").write_text(json.dumps(spec))
    return spec["editId"]


def build_edits(out: Path, tracks: list[dict], n_edits: int, dur_range=(10.0, 30.0), cache: Path | None = None,
                seed: int = 0, workers: int = 2, log=print) -> list[dict]:
    """Plans and renders `n_edits` edits (resumable), writes edits.jsonl; returns the jsonl records."""
    out = Path(out)
    cache = Path(cache or sources.DEFAULT_CACHE)
    pool = media_pool(cache, seed)
    (out / "edits").mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed + 7)
    # half of the edits over recorded music, half over MIDI renders (when both exist)
    rec = [t for t in tracks if t["kind"] == "recorded"]
    mid = [t for t in tracks if t["kind"] != "recorded"]
    groups = [g for g in (rec, mid) if g]
    specs = []
    i = 0
    attempts = 0
    while len(specs) < n_edits and attempts < n_edits * 5:
        attempts += 1
        g = groups[i % len(groups)]
        t = g[rng.integers(len(g))]
        i += 1
        media = pool.get(t["split"]) or pool["train"]
        if not media:
            continue
        eid = f"edit-{len(specs):05d}"
        spec = plan_edit(eid, t, media, dur_range, seed)
        if spec is None or not spec["transitions"]:
            continue
        specs.append(spec)
    media_root = cache / "pkgs"
    jobs = [(s, str(out / "edits"), str(media_root)) for s in specs]
    done = 0
    with Pool(workers) as p:
        for _ in p.imap_unordered(_render_job, jobs):
            done += 1
            if done % 25 == 0 or done == len(jobs):
                log(f"  {done}/{len(jobs)} edits")
    records = [{"editId": s["editId"], "trackId": s["trackId"], "musicStartSec": s["musicStartSec"],
                "durSec": s["durSec"], "split": s["split"], "cuts": s["cuts"]} for s in specs]
    tmp = out / "edits.jsonl.tmp"
    with open(tmp, "w") as fh:
        for r in records:
            fh.write(json.dumps(r) + "\n")
    os.replace(tmp, out / "edits.jsonl")
    return records
