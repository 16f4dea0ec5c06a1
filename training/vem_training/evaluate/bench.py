"""Scores a `vem eval` run (the Python twin: the metrics that need madmom and the corpus's tag rules).

    python -m vem_training.evaluate.bench --request <run>/eval-request.json [--doc docs/evaluation.md]

`vem eval` (TypeScript, onnxruntime-node) generates a soundtrack for every video with the shipped models
and each ablation variant and writes the request; this module finds beats with madmom's RNN + DBN tracker
(independent of the app's tracker and of the models) on every row's audio and computes, per video and
averaged over videos (docs/architecture.md §8, `eval_metrics`):
- TB_IoU and TB_hit@70ms against the video's transitions (its `.cuts.json` when given, else the ones the
  parser found), B_IoU and beat F-measure (±70 ms) against the ground-truth music's beats;
- time-weighted tag agreement: per storyboard the parser found, the energy and timbre measured on the
  audio (the corpus's tag rules and thresholds) against the tags the pipeline was asked for;
- FD: Fréchet distance of `audio_embedding` features between the row's audio and the ground-truth music
  of all videos (the real held-out music);
- generation timings (seconds per second of video).
Reference rows: the ground-truth music, "random music" (a different held-out recording), and a click
track on the planned beat grid (the upper bound on rhythm). Writes <run>/eval-results.json and, with --doc,
the table with date, commit, models' sha256 and machine.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

from ..data import audio, beats
from . import metrics as eval_metrics
from .audio_embedding import embed, frechet
from ..timebase import SAMPLE_RATE

SR = SAMPLE_RATE
REFERENCE_ROWS = ("groundTruth", "roundTrip", "randomMusic", "clickTrack")
NOTES_MARKER = "## Reading the table"
METRICS = ("tbIoU", "tbHit70", "bIoU", "beatF", "planF", "tagAgreement", "tagOrder", "fd", "genSecPerSec")
PRETRAINED = ("mnnFd", "mnnKad", "mnnKld")
ROW_NOTES = {
    "groundTruth": "the video's own music (held-out recording it was cut to)",
    "roundTrip": "the video's own music through the shipped VAE and vocoder (the ceiling for a generated take)",
    "randomMusic": "a different held-out recording, unrelated to the video",
    "clickTrack": "clicks on the planned beat grid (upper bound on rhythm)",
    "full": "shipped model (denoiser v2): HVP + SG-CAtt + rhythm path",
    "v1": "the previous shipped denoiser (v1: ε-prediction, grid only through the stage-2 adapter)",
    "unconditional": "ablation (trained apart): no conditioning, no rhythm path",
    "tbOnly": "ablation (trained apart): rhythm path only",
    "hvpSgCatt": "ablation (trained apart): HVP + SG-CAtt, no rhythm path",
    "hvpPlainCatt": "ablation (trained apart): HVP + plain cross-attention, no rhythm path",
    "noConditions": "the shipped network with no tags, storyboards or rhythm (its unconditional mode)",
    "rhythmOnly": "the shipped network with the planned grid but no tags or storyboards",
    "tagsOnly": "the shipped network with tags and storyboards but no rhythm",
}


def _load(path: str | Path) -> np.ndarray:
    x, sr = audio.load_wav_mono(path)
    if sr != SR:
        raise ValueError(f"{path}: {sr} Hz, expected {SR}")
    return x


def _beats(cache: dict, key: str, y: np.ndarray) -> np.ndarray:
    """madmom beats of one audio, tracked once per run folder (`cache` is saved as beats-madmom.json)."""
    if key not in cache:
        cache[key] = [round(float(b), 4) for b in beats.track_beats(y, SR, downbeats=False)[0]]
    return np.asarray(cache[key], np.float64)


def _mean(v: list) -> float | None:
    v = [x for x in v if x is not None and np.isfinite(x)]
    return round(float(np.mean(v)), 4) if v else None


def score_video(v: dict, names: list[str], thresholds: dict | None, cached: dict) -> dict:
    """One video's rows (metrics), embeddings and the beats it tracked (for the cache)."""
    cache = dict(cached)
    full = json.loads(Path(v["rows"]["full"]["json"]).read_text())
    dur = full["videoDurationSec"]
    if v.get("cutsJson"):
        cuts, cut_source = json.loads(Path(v["cutsJson"]).read_text())["cutsSec"], "ground truth"
    else:
        cuts, cut_source = [t["timeSec"] for t in full["transitions"]], "parser"
    stories = full["storyboards"]
    planned = np.asarray(full["plannedBeatsSec"], np.float64)
    gt = _load(v["groundTruthWav"]) if v.get("groundTruthWav") else None
    gt_beats = _beats(cache, f"{v['id']}:groundTruth", gt) if gt is not None else None
    audios = {}
    if gt is not None:
        audios["groundTruth"] = ("groundTruth", gt, None)
    if v.get("roundTripWav"):
        audios["roundTrip"] = ("roundTrip", _load(v["roundTripWav"]), None)
    if v.get("randomWav"):
        audios["randomMusic"] = ("randomMusic", _load(v["randomWav"]), None)
    audios["clickTrack"] = ("clickTrack", eval_metrics.click_track(full["plannedBeatsSec"], 4, dur), None)
    for name in names:
        rep = json.loads(Path(v["rows"][name]["json"]).read_text())
        audios[name] = (name, _load(v["rows"][name]["wav"]), rep["timings"]["totalSec"] / max(dur, 1e-6))
    rows, embs = {}, {}
    for name, (key, y, gen_rate) in audios.items():
        bt = _beats(cache, f"{v['id']}:{key}", y)
        rows[name] = {
            "tbIoU": eval_metrics.tb_iou(cuts, bt) if len(cuts) else None,
            "tbHit70": eval_metrics.tb_hit(cuts, bt),
            "bIoU": eval_metrics.b_iou(bt, gt_beats) if gt_beats is not None else None,
            "beatF": eval_metrics.beat_f(gt_beats, bt) if gt_beats is not None else None,
            "planF": eval_metrics.beat_f(planned, bt) if len(planned) else None,
            "tagAgreement": eval_metrics.tag_agreement(y, stories, thresholds),
            "tagOrder": eval_metrics.tag_order(y, stories),
            "genSecPerSec": gen_rate,
            "beats": len(bt),
        }
        embs[name] = embed(y)
    pv = {"id": v["id"], "durSec": dur, "cuts": len(cuts), "cutSource": cut_source, "storyboards": len(stories),
          "rows": {k: {m: (round(x, 4) if isinstance(x, float) else x) for m, x in r.items()} for k, r in rows.items()}}
    return {"video": pv, "embs": embs, "real": embs.get("groundTruth"),
            "beats": {k: b for k, b in cache.items() if k.startswith(f"{v['id']}:")}}


def score(request: dict, thresholds: dict | None, workers: int = 1) -> dict:
    """Scores every video (in `workers` processes: madmom dominates), then averages over videos."""
    cache_path = Path(request["runDir"]) / "beats-madmom.json"
    cache = json.loads(cache_path.read_text()) if cache_path.exists() else {}
    names = [s["name"] for s in request["modelSets"]]
    t0 = time.time()
    jobs = [(v, names, thresholds, {k: b for k, b in cache.items() if k.startswith(f"{v['id']}:")})
            for v in request["videos"]]
    if workers > 1 and len(jobs) > 1:
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context("fork")) as ex:
            results = list(ex.map(score_video, *zip(*jobs)))
    else:
        results = [score_video(*j) for j in jobs]
    per_video, embs, real_embs = [], {}, []
    for r in results:
        per_video.append(r["video"])
        cache.update(r["beats"])
        for name, e in r["embs"].items():
            embs.setdefault(name, []).append(e)
        if r["real"] is not None:
            real_embs.append(r["real"])
        rows = r["video"]["rows"]
        print(f"{r['video']['id']}: "
              + ", ".join(f"{k} hit {x['tbHit70']}" for k, x in rows.items() if k in ("groundTruth", "full")),
              file=sys.stderr, flush=True)
    cache_path.write_text(json.dumps(cache))
    order = [r for r in REFERENCE_ROWS if r in embs] + names
    real = np.concatenate(real_embs) if real_embs else None
    table = {}
    for name in order:
        row = {m: _mean([pv["rows"][name][m] for pv in per_video if name in pv["rows"]]) for m in METRICS if m != "fd"}
        row["fd"] = ((0.0 if name == "groundTruth" else round(frechet(np.concatenate(embs[name]), real), 2))
                     if real is not None else None)
        table[name] = {m: row[m] for m in METRICS}
    return {"rows": table, "videos": per_video, "scoreSec": round(time.time() - t0, 1)}


def pretrained(request: dict, res: dict, names: list[str]) -> dict:
    """musicnn (MTT) figures per row against the ground-truth music of all videos: FD and the unbiased
    kernel distance (×1000) of the 3 s-patch penultimate embeddings, and the tag KLD per video (ground
    truth ‖ row, mean tag probabilities), averaged. Runs musicnn in training/.venv-eval (set up on first use)."""
    from .embedding_metrics import frechet as fd, kernel_distance, tag_kld
    from .musicnn_embed import embed_in_eval_env
    files, keys = [], []
    for v in request["videos"]:
        for row, path in (("groundTruth", v.get("groundTruthWav")), ("roundTrip", v.get("roundTripWav")),
                          ("randomMusic", v.get("randomWav")),
                          *((n, v["rows"][n]["wav"]) for n in names)):
            if path:
                files.append(str(path))
                keys.append((v["id"], row))
    out = embed_in_eval_env(files)
    emb = {k: e for k, (e, _) in zip(keys, out)}
    tg = {k: t.mean(axis=0) for k, (_, t) in zip(keys, out)}
    vids = [v["id"] for v in request["videos"]]
    real = np.concatenate([emb[(i, "groundTruth")] for i in vids if (i, "groundTruth") in emb])
    table = {}
    for row in ("groundTruth", "roundTrip", "randomMusic", *names):
        mine = [emb[(i, row)] for i in vids if (i, row) in emb]
        if not mine:
            continue
        e = np.concatenate(mine)
        klds = [tag_kld(tg[(i, "groundTruth")][None], tg[(i, row)][None]) for i in vids
                if (i, row) in tg and (i, "groundTruth") in tg]
        same = row == "groundTruth"
        table[row] = {"mnnFd": None if same else round(fd(e, real), 2),
                      "mnnKad": None if same else round(kernel_distance(e, real), 1),
                      "mnnKld": None if same else round(float(np.mean(klds)), 3), "patches": int(len(e))}
    return table


def _fmt(x) -> str:
    return "–" if x is None else (f"{x:.3f}" if abs(x) < 10 else f"{x:.1f}")


def write_doc(path: Path, request: dict, res: dict) -> None:
    shas = request["modelSets"][0]["sha256"]
    m = request["machine"]
    s = request["settings"]
    lines = [
        "# Evaluation: the paper's metrics on our held-out benchmark",
        "",
        "Written by `npx vem eval --write-docs` (do not edit by hand; rerun it). The benchmark is built by",
        "`python -m vem_training.evaluate.bench_set` from the corpus's held-out test split (`training/data/bench`, not",
        "committed): 10 videos of 12–88 s cut on the beats of the 9 held-out recorded tracks (real footage and",
        "photos with camera moves; 30 % of the transitions gradual), plus 3 hard cases (a 30 s still with a slow",
        "camera move, a 15 s continuous shot of footage, a cut every 0.25 s for 12 s); each video has its",
        "ground-truth music, its cut times and an unrelated held-out recording beside it.",
        "",
        "Metrics (architecture.md §8; `training/vem_training/evaluate/metrics.py`): beats of every row from "
        + "madmom's RNN +",
        "DBN tracker (independent of the app's tracker and of the models). TB_IoU: transitions and beats matched",
        "one-to-one within 0.5 s, |M| / (|T| + |B| − |M|); TB_hit@70ms: share of transitions with a beat within",
        "±70 ms; B_IoU: the same IoU between the row's beats and the ground-truth music's beats; beat F: F-measure",
        "(±70 ms) against the ground-truth beats; beat F vs plan: the same against the planned grid the model was",
        "asked for; tag agreement: per storyboard, measured energy and timbre",
        "(the corpus's tag rules) against the requested tags, weighted by duration; tag order: over pairs of",
        "storyboards whose requested energy (or timbre) differs, the share whose measured loudness (or spectral",
        "centroid) is ordered as requested (0.5: the storyboards are ignored); FD: Fréchet distance of the",
        "project's 143-d audio features (`audio_embedding.py`) against the ground-truth music of all videos;",
        "gen s/s: generation time (decode + parse + plan + denoise + decode + vocoder) per second of video,",
        "onnxruntime-node, 1 thread. Means over videos (TB figures over videos with transitions).",
        "",
        "## Latest run",
        "",
        f"- date: {request['date'][:19].replace('T', ' ')} UTC; commit `{request['commit']}`",
        f"- machine: {m['cpu']}, {m['cores']} cores, {m['memGiB']} GiB, {m['os']}; {m['runtime']}",
        f"- settings: {s['steps']} steps, {s['sampler']} η={s['eta']}, guidance {s['guidance']}, "
        f"rhythm guidance {s.get('rhythmGuidance') or 'same'}, seed {s['seed']}",
        f"- videos: {len(request['videos'])} ({sum(v['durSec'] for v in res['videos']):.0f} s); generation "
        f"{request['generateSec'] / 60:.1f} min, scoring {res['scoreSec'] / 60:.1f} min",
        "- models (sha256, first 12): " + ", ".join(f"{k} `{v[:12]}`" for k, v in sorted(shas.items())),
        "",
        "| row | TB_IoU | TB_hit@70ms | B_IoU | beat F | beat F vs plan | tag agreement | tag order | FD | gen s/s "
        "| what |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, r in res["rows"].items():
        lines.append(f"| {name} | " + " | ".join(_fmt(r[k]) for k in METRICS) + f" | {ROW_NOTES.get(name, '')} |")
    if res.get("pretrained"):
        lines += ["", "Pretrained embedding (musicnn, MagnaTagATune checkpoint from its PyPI wheel; 3 s patches;",
                  "`training/vem_training/evaluate/musicnn_embed.py`): FD and the unbiased kernel distance "
                  "(KAD ×1000, RBF at the",
                  "median distance) of the penultimate embeddings against the ground-truth music of all videos, "
                  "and the",
                  "KLD of the tag distributions per video (ground truth ‖ row). The unrelated real music is the "
                  "reference.",
                  "", "| row | musicnn FD | musicnn KAD×1000 | tag KLD | patches |", "|---|---|---|---|---|"]
        for name, r in res["pretrained"].items():
            lines.append(f"| {name} | {_fmt(r['mnnFd'])} | {_fmt(r['mnnKad'])} | {_fmt(r['mnnKld'])} "
                         f"| {r['patches']} |")
    lines += ["", "Per video (shipped model; TB_hit@70ms of the ground-truth music in brackets):", "",
              "| video | s | transitions | TB_hit@70ms | TB_IoU | beat F | tag agreement | tag order |",
              "|---|---|---|---|---|---|---|---|"]
    for pv in res["videos"]:
        f, g = pv["rows"]["full"], pv["rows"].get("groundTruth", {})
        lines.append(f"| {pv['id']} | {pv['durSec']:.1f} | {pv['cuts']} ({pv['cutSource']}) | {_fmt(f['tbHit70'])} "
                     f"({_fmt(g.get('tbHit70'))}) | {_fmt(f['tbIoU'])} | {_fmt(f['beatF'])} "
                     f"| {_fmt(f['tagAgreement'])} | {_fmt(f.get('tagOrder'))} |")
    lines += ["", "Reproduce: `npx vem eval --write-docs --json` (builds the benchmark first if "
              "`training/data/bench` is missing;",
              "needs the corpus, `docs/corpus.md`, and the training venv; the musicnn figures set up",
              "`training/.venv-eval` on first use). Variant rows come from `training/runs/variants`:",
              "`python -m vem_training.export inference-drop --out runs/variants` (the shipped network without tags",
              "and/or rhythm) and `export variants` (separately trained table-4 variants, when trained); a previous",
              "model's takes join with `--add-row NAME=DIR`.", ""]
    # a hand-written reading of the figures below the generated part is kept across runs
    keep = ""
    if path.exists():
        old = path.read_text()
        at = old.find(NOTES_MARKER)
        keep = old[at:] if at >= 0 else ""
    path.write_text("\n".join(lines) + ("\n" + keep if keep else ""))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--request", required=True, type=Path)
    ap.add_argument("--doc", type=Path, default=None)
    ap.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1), help="scoring processes (madmom)")
    ap.add_argument("--add-row", action="append", default=[], metavar="NAME=DIR",
                    help="score takes made elsewhere as one more row: DIR/<video id>.NAME.wav and .json "
                         "(e.g. a previous model's `vem generate` output)")
    ap.add_argument("--pretrained", choices=["musicnn", "none"], default="musicnn",
                    help="musicnn embedding figures (sets up training/.venv-eval on first use)")
    a = ap.parse_args(argv)
    req = json.loads(a.request.read_text())
    for spec in a.add_row:
        name, d = spec.split("=", 1)
        for v in req["videos"]:
            wav, js = Path(d) / f"{v['id']}.{name}.wav", Path(d) / f"{v['id']}.{name}.json"
            if not (wav.exists() and js.exists()):
                raise SystemExit(f"--add-row {name}: {wav} or {js} is missing")
            v["rows"][name] = {"wav": str(wav), "json": str(js)}
        man = Path(d) / "manifest.json"
        shas = {k: e["sha256"] for k, e in json.loads(man.read_text())["models"].items()} if man.exists() else {}
        req["modelSets"].append({"name": name, "dir": str(d), "sha256": shas, "drop": None})
    thr_path = Path(req["benchDir"]) / "tag_thresholds.json"
    thr = json.loads(thr_path.read_text()) if thr_path.exists() else None
    res = score(req, thr, a.workers)
    if a.pretrained == "musicnn":
        res["pretrained"] = pretrained(req, res, [s["name"] for s in req["modelSets"]])
    res.update({"date": req["date"], "commit": req["commit"], "machine": req["machine"], "settings": req["settings"],
                "models": {s["name"]: s["sha256"] for s in req["modelSets"]},
                "generateSec": round(req["generateSec"], 1)})
    (Path(req["runDir"]) / "eval-results.json").write_text(json.dumps(res, indent=1) + "\n")
    if a.doc:
        write_doc(a.doc, req, res)
    print(json.dumps(res["rows"], indent=1), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
