"""The shipped pipeline on held-out edited videos (issue: generate): TB_hit@70ms and TB_IoU of the music
`vem generate` makes, beside the same figures for the ground-truth music of those videos.

    python -m vem_training.evaluate.generate --edits 12 [--steps 20] [--out runs/generate-eval.json]

Each test edit is rendered to an MP4 (real footage cut on the beats of held-out music, some cuts off-beat;
`corpus.render_edit`), `vem generate` (onnxruntime-node, default settings) scores it, and beats are found
with madmom's RNN + DBN tracker (independent of the app's tracker and of the model) on the generated WAV
and on the edit's own music. Transitions are the edit's ground-truth cuts; TB_IoU matches one-to-one
within 0.5 s, TB_hit@70ms is the share of cuts with a beat within ±70 ms.
"""
from __future__ import annotations

import argparse
import json
import subprocess
from pathlib import Path

import numpy as np

from .. import constants
from ..corpus.render_edit import render_edit_mp4
from ..data import audio, beats
from ..timebase import SAMPLE_RATE
from . import metrics as eval_metrics


def tb_figures(cuts: np.ndarray, bt: np.ndarray) -> tuple[float, float]:
    if len(cuts) == 0:
        return float("nan"), float("nan")
    return eval_metrics.tb_hit(cuts, bt), eval_metrics.tb_iou(cuts, bt)


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default="data/corpus")
    ap.add_argument("--edits", type=int, default=12)
    ap.add_argument("--steps", type=int, default=None)
    ap.add_argument("--work", default="data/generate-eval")
    ap.add_argument("--out", default=None)
    args = ap.parse_args(argv)
    corpus, work = Path(args.corpus).resolve(), Path(args.work).resolve()
    work.mkdir(parents=True, exist_ok=True)
    rows = [json.loads(line) for line in (corpus / "edits.jsonl").read_text().splitlines()]
    rows = [e for e in rows if e["split"] == "test"][: args.edits]
    res = {"generated": {"tbHit70": [], "tbIoU": []}, "groundTruth": {"tbHit70": [], "tbIoU": []},
           "appTracker": {"tbHit70": [], "tbIoU": []}, "timings": []}
    for e in rows:
        mp4 = work / f"{e['editId']}.mp4"
        if not mp4.exists():
            render_edit_mp4(e["editId"], mp4, corpus)
        wav = work / f"{e['editId']}-gen.wav"
        cmd = ["node", str(constants.REPO_ROOT / "bin/vem.mjs"), "generate", str(mp4), "-o", str(wav), "--json"]
        if args.steps:
            cmd += ["--steps", str(args.steps)]
        proc = subprocess.run(cmd, capture_output=True, text=True, check=True, cwd=constants.REPO_ROOT)
        out = json.loads(proc.stdout)
        cuts = np.asarray([c["timeSec"] for c in e["cuts"]])
        y, _ = audio.load_wav_mono(wav)
        x, _ = audio.load_wav_mono(corpus / "audio" / f"{e['trackId']}.wav")
        a = int(round(e["musicStartSec"] * SAMPLE_RATE))
        gt = x[a:a + int(round(e["durSec"] * SAMPLE_RATE))]
        for key, sig in (("generated", y), ("groundTruth", gt)):
            h, i = tb_figures(cuts, beats.track_beats(sig, SAMPLE_RATE, downbeats=False)[0])
            res[key]["tbHit70"].append(h)
            res[key]["tbIoU"].append(i)
        h, i = tb_figures(cuts, np.asarray(out["beatsSec"]))
        res["appTracker"]["tbHit70"].append(h)
        res["appTracker"]["tbIoU"].append(i)
        res["timings"].append(out["timings"])
        print(e["editId"], {k: (round(v["tbHit70"][-1], 3), round(v["tbIoU"][-1], 3))
                            for k, v in res.items() if k != "timings"}, flush=True)
    summary = {k: {m: round(float(np.nanmean(v)), 4) for m, v in res[k].items()}
               for k in ("generated", "groundTruth", "appTracker")}
    summary["edits"] = len(rows)
    summary["meanTotalSec"] = round(float(np.mean([t["totalSec"] for t in res["timings"]])), 3)
    summary["note"] = ("appTracker: the generated music's beats from the app's own tracker (music-tempo), "
                       "as vem generate reports them")
    print(json.dumps(summary, indent=1))
    if args.out:
        Path(args.out).write_text(json.dumps(summary, indent=1) + "\n")


if __name__ == "__main__":
    main()
