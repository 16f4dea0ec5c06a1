"""Train the transition-beat aligner on the corpus's edited videos (BCE against transition ∩ beat).

    python -m vem_training.train.aligner [--config configs/aligner.json] --corpus data/corpus --run runs/aligner \
        [--minutes 40] [--steps N]

Positives are rare (a few per hundred frames): BCE with a positive weight, and the two frames either
side of a positive are left out of the loss (a cut detected one frame late is not a false alarm at
16 fps). AdamW, linear warm-up then a half cosine to 0 at the last step. The loop is loop.Trainer:
resumable from <run>/ckpt.pt; SIGTERM checkpoints and stops. `--eval` only evaluates.
"""
from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from ..config import CONFIGS, Config, load_config
from ..models import build_model
from ..models.aligner import Aligner
from ..models.aligner_windows import to_input
from . import checkpoint, loop


def load_edits(corpus: Path, split: str) -> list[dict]:
    out = []
    for line in (corpus / "edits.jsonl").read_text().splitlines():
        e = json.loads(line)
        if e["split"] != split:
            continue
        z = np.load(corpus / "edits" / f"{e['editId']}.npz")
        out.append({**e, "frames": z["frames"], "target": z["target"].astype(np.float32),
                    "transition": z["transition"].astype(np.float32), "beat": z["beat"].astype(np.float32)})
    return out


def loss_weights(target: torch.Tensor, radius: int) -> torch.Tensor:
    near = F.max_pool1d(target[:, None], 2 * radius + 1, stride=1, padding=radius)[:, 0]
    return torch.where((near > 0) & (target == 0), torch.zeros_like(target), torch.ones_like(target))


class Windows:
    def __init__(self, edits: list[dict], window: int, seed: int):
        self.edits, self.window = edits, window
        self.rng = np.random.default_rng(seed)
        lens = np.array([len(e["target"]) for e in edits], dtype=np.float64)
        self.p = lens / lens.sum()

    def batch(self, n: int):
        xs, ys = [], []
        for _ in range(n):
            e = self.edits[self.rng.choice(len(self.edits), p=self.p)]
            f = len(e["target"])
            s = int(self.rng.integers(0, max(1, f - self.window + 1)))
            fr = e["frames"][s:s + self.window]
            y = e["target"][s:s + self.window]
            if len(y) < self.window:  # pad short edits by repeating the last frame (no transition there)
                pad = self.window - len(y)
                fr = np.concatenate([fr, np.repeat(fr[-1:], pad, 0)])
                y = np.concatenate([y, np.zeros(pad, np.float32)])
            x = to_input(fr)[0]
            if self.rng.random() < 0.5:
                x = x.flip(-1)
            x = (x * float(self.rng.uniform(0.8, 1.2)) + float(self.rng.uniform(-0.08, 0.08))).clamp_(0, 1)
            xs.append(x)
            ys.append(torch.from_numpy(y))
        return torch.stack(xs), torch.stack(ys)


@torch.no_grad()
def evaluate(predict_fn, edits: list[dict]) -> dict:
    """AP and F1 of `predict_fn` (frames -> per-frame probabilities, features) on `edits`, with every cut's
    probability for the planner's evaluation (scripts/eval-plan.ts)."""
    from ..evaluate.aligner_metrics import average_precision, best_f1_tolerant
    scores, targets, trans, per_edit = [], [], [], []
    for e in edits:
        p, _ = predict_fn(e["frames"])
        scores.append(p)
        targets.append(e["target"])
        trans.append(e["transition"])
        cuts = []
        for c in e["cuts"]:
            f = int(round(c["timeSec"] * 16))
            cuts.append({"timeSec": c["timeSec"], "kind": c["kind"], "onBeat": c["onBeat"],
                         "alignerProb": round(float(p[max(0, f - 1):f + 2].max()), 4) if 0 <= f < len(p) else 0.0})
        per_edit.append({"editId": e["editId"], "durSec": e["durSec"], "cuts": cuts})
    ap = average_precision(np.concatenate(scores), np.concatenate(targets))
    f1, thr = best_f1_tolerant(scores, targets, tol=1)
    # baseline: every (ground-truth) transition predicted as on-beat
    base_ap = average_precision(np.concatenate(trans), np.concatenate(targets))
    base_f1, _ = best_f1_tolerant(trans, targets, tol=1, thresholds=[0.5])
    return {"ap": round(ap, 4), "f1": round(f1, 4), "threshold": round(thr, 3), "baselineAp": round(base_ap, 4),
            "baselineF1": round(base_f1, 4), "edits": len(edits),
            "positives": int(sum(t.sum() for t in targets)), "frames": int(sum(len(t) for t in targets)),
            "perEdit": per_edit}


class AlignerTask(loop.Task):
    """The aligner's step for the loop: a batch of windows, its masked, positive-weighted BCE."""

    def __init__(self, cfg: Config, model: Aligner, opt, source: Windows):
        self.cfg, self.model, self.opt, self.source = cfg, model, opt, source
        self.lrs = (loop.Warmup(opt, cfg.lr, cfg.warmupSteps, cosine=cfg.steps),)
        self.pos_weight = torch.tensor(cfg.posWeight)

    def loss(self, step: int):
        x, y = self.source.batch(self.cfg.batch)
        logits, _ = self.model(x)
        w = loss_weights(y, self.cfg.ignoreRadius)
        bce = F.binary_cross_entropy_with_logits(logits, y, pos_weight=self.pos_weight, reduction="none")
        return (bce * w).sum() / w.sum(), {}

    def state(self) -> dict:
        return {"model": self.model.state_dict(), "opt": self.opt.state_dict(),
                "config": {**self.cfg.to_dict(), "kind": "aligner"}}


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--config", default=str(CONFIGS / "aligner.json"))
    ap.add_argument("--corpus", default="data/corpus")
    ap.add_argument("--run", default="runs/aligner")
    ap.add_argument("--minutes", type=float, default=None)
    ap.add_argument("--steps", type=int, default=None)
    ap.add_argument("--eval", action="store_true", help="evaluate the checkpoint on the valid and test edits")
    ap.add_argument("--onnx", default=None,
                    help="with --eval: evaluate this exported file instead (e.g. ../public/models/aligner.onnx)")
    ap.add_argument("--threads", type=int, default=int(os.environ.get("VEM_TORCH_THREADS", "1")))
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    run, corpus = Path(args.run), Path(args.corpus)
    run.mkdir(parents=True, exist_ok=True)
    if args.eval:
        # the run's checkpoint, or with --onnx the shipped file as the app runs it (no checkpoint needed)
        from ..data.diffusion_pack import aligner_predictor
        predict_fn = aligner_predictor(Path(args.onnx) if args.onnx else run)
        res = {split: evaluate(predict_fn, load_edits(corpus, split)) for split in ("valid", "test")}
        (run / "eval-cuts.json").write_text(json.dumps({k: v.pop("perEdit") for k, v in res.items()}))
        (run / "eval.json").write_text(json.dumps(res, indent=1))
        print(json.dumps(res))
        return
    cfg = load_config(args.config)
    if args.steps:
        cfg.update(steps=args.steps)
    torch.manual_seed(cfg.seed)
    model = build_model("aligner", cfg.model)
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=1e-4)
    step_idx, elapsed = checkpoint.resume(run, {"model": model, "opt": opt})
    (run / "config.json").write_text(json.dumps({**cfg.to_dict(), "kind": "aligner", "corpus": str(corpus)}, indent=1))
    edits = load_edits(corpus, "train")
    print(f"aligner data: {len(edits)} edits, {sum(len(e['target']) for e in edits)} frames, "
          f"{int(sum(e['target'].sum() for e in edits))} positives", flush=True)
    task = AlignerTask(cfg, model, opt, Windows(edits, cfg.window, cfg.seed + step_idx))
    model.train()
    loop.Trainer(run, task, cfg.steps, cfg.ckptEverySec, args.minutes, step_idx, elapsed).run()


if __name__ == "__main__":
    main()
