"""Training pieces for the denoiser: VAE latents of the corpus's multi-section clips and edited videos.

    python -m vem_training.data.diffusion_pack --corpus data/corpus --out data/diffusion/pack.npz \
        [--aligner runs/aligner] [--splits train]

Each piece: the latent mean of the shipped VAE encoder (public/models/vae_encoder.onnx) over the clip's
log-mel, folded to (128, T4) and stored as int8 after per-channel normalisation (mean/std over the train
pieces, written into the pack and later into the denoiser's manifest entry); quantisation noise is ~1 % of a
channel's std, well below the smallest noise level the sampler visits. Sections (start/duration in
seconds relative to the clip, tags), global tags, beats in seconds. Edited videos also carry the
aligner's per-frame probability and features (16 fps) when `--aligner` names a trained run.
The pack is compact (≈ 45 MB for the train split) so it can travel to a GPU machine.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from .. import constants
from ..timebase import LATENT_T, MEL_FPS

Q_RANGE = 4.0  # int8 covers ±4 std of each normalised channel


def _encoder():
    from ..models.runtime import onnx_session
    return onnx_session(constants.REPO_ROOT / "public/models/vae_encoder.onnx")


def encode(sess, mel: np.ndarray) -> np.ndarray:
    """(64, T) log-mel -> (128, T//4) latent mean, in chunks of 2048 frames (the encoder is convolutional:
    a 64-frame overlap keeps the chunk borders exact to within its receptive field)."""
    t = (mel.shape[1] // LATENT_T) * LATENT_T
    mel = mel[:, :t]
    out = []
    chunk, ov = 2048, 64
    for s in range(0, t, chunk):
        a, b = max(0, s - ov), min(t, s + chunk + ov)
        z = sess.run(None, {"mel": mel[None, :, a:b].astype(np.float32)})[0][0]  # (8, 16, (b-a)/4)
        z = z.reshape(128, -1)
        out.append(z[:, (s - a) // 4:(s - a) // 4 + (min(t, s + chunk) - s) // 4])
    return np.concatenate(out, axis=1)


def norm_of(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Latent mean/std from a pack (.npz) or from the manifest's denoiser entry (manifest.json: a run
    warm-started from the shipped denoiser keeps the normalisation it was trained with)."""
    if path.suffix == ".json":
        norm = json.loads(path.read_text())["models"]["denoiser"]["latentNorm"]
        return np.asarray(norm["mean"], np.float64), np.asarray(norm["std"], np.float64)
    zn = np.load(path)
    return zn["mean"].astype(np.float64), zn["std"].astype(np.float64)


def build(corpus: Path, out: Path, splits: tuple[str, ...], aligner_run: Path | None, norm_from: Path | None = None) -> dict:
    sess = _encoder()
    clips = [json.loads(l) for l in (corpus / "clips.jsonl").read_text().splitlines()]
    clips = [c for c in clips if c["purpose"] == "diffusion" and c["split"] in splits]
    ej = corpus / "edits.jsonl"
    edits = [json.loads(l) for l in ej.read_text().splitlines()] if ej.exists() else []
    edits = [e for e in edits if e["split"] in splits]
    mels: dict[str, np.ndarray] = {}

    def mel_of(track):
        if track not in mels:
            mels[track] = np.load(corpus / "mels" / f"{track}.npy").astype(np.float32)
        return mels[track]

    tracks = {t["id"]: t for t in json.loads((corpus / "index.json").read_text())["tracks"]}
    pieces, latents = [], []
    for c in clips:
        m = mel_of(c["trackId"])
        a = int(round(c["startSec"] * MEL_FPS))
        z = encode(sess, m[:, a:a + int(round(c["durSec"] * MEL_FPS))])
        tr = tracks[c["trackId"]]
        pieces.append({"kind": "clip", "trackId": c["trackId"], "split": c["split"], "startSec": c["startSec"],
                       "tags": c["tags"], "sections": c["sections"],
                       "beatsSec": exact_events(tr["beatsSec"], c["startSec"], c["durSec"]),
                       "downbeatsSec": exact_events(tr.get("downbeatsSec") or [], c["startSec"], c["durSec"])})
        latents.append(z)
    predict = aligner_predictor(aligner_run) if aligner_run is not None else None
    aligner = {}
    for e in edits:
        m = mel_of(e["trackId"])
        a = int(round(e["musicStartSec"] * MEL_FPS))
        z = encode(sess, m[:, a:a + int(round(e["durSec"] * MEL_FPS))])
        beats = np.asarray(tracks[e["trackId"]]["beatsSec"]) - e["musicStartSec"]
        beats = beats[(beats >= -1) & (beats < e["durSec"] + 1)]
        p = {"kind": "edit", "editId": e["editId"], "trackId": e["trackId"], "split": e["split"],
             "tags": [], "sections": [], "beatsSec": beats.round(4).tolist(),
             "cutsSec": [c["timeSec"] for c in e["cuts"]]}
        if predict is not None:
            frames = np.load(corpus / "edits" / f"{e['editId']}.npz")["frames"]
            prob, feat = predict(frames)
            aligner[e["editId"]] = (prob.astype(np.float16), feat.astype(np.float16))
        pieces.append(p)
        latents.append(z)
    if norm_from is not None:  # keep the normalisation a run was trained with (a pack rebuilt on more data)
        mean, std = norm_of(norm_from)
    else:
        train = [z for z, p in zip(latents, pieces) if p["split"] == "train"] or latents
        cat = np.concatenate(train, axis=1)
        mean, std = cat.mean(axis=1), cat.std(axis=1) + 1e-6
    offsets, q = [0], []
    for z in latents:
        n = (z - mean[:, None]) / std[:, None]
        q.append(np.clip(np.round(n / Q_RANGE * 127), -127, 127).astype(np.int8))
        offsets.append(offsets[-1] + z.shape[1])
    arrays = {"latents": np.concatenate(q, axis=1), "offsets": np.asarray(offsets, np.int64),
              "mean": mean.astype(np.float32), "std": std.astype(np.float32)}
    for i, p in enumerate(pieces):
        if p.get("editId") in aligner:
            arrays[f"alprob_{i}"], arrays[f"alfeat_{i}"] = aligner[p["editId"]]
            p["aligner"] = True
    meta = {"pieces": pieces, "qRange": Q_RANGE, "encoderSha256": _sha(constants.REPO_ROOT / "public/models/vae_encoder.onnx"),
            "hours": round(sum(z.shape[1] for z in latents) * 4 / MEL_FPS / 3600, 3), "splits": list(splits)}
    arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(out, **arrays)
    return {"pieces": len(pieces), "clips": len(clips), "edits": len(edits), "hours": meta["hours"],
            "bytes": out.stat().st_size}


def exact_events(events_sec, start_sec: float, dur_sec: float) -> list[float]:
    """Beat (or downbeat) times of a track inside a clip, in clip seconds, unrounded (the app's plan is
    exact; the clips' 16 fps beat frames are ±31 ms off)."""
    ev = np.asarray(events_sec, np.float64) - start_sec
    return [round(float(v), 5) for v in ev[(ev >= -2.0) & (ev < dur_sec + 2.0)]]


def aligner_predictor(source: Path):
    """frames (F, H, W, 3) uint8 -> (prob (F,), feat (F, 32)). `source`: a training run (ckpt.pt) or the
    shipped aligner.onnx (run in the app's windows)."""
    from ..models import load_model
    from ..models.aligner_windows import predict, to_input, windows
    if source.suffix == ".onnx":
        from ..models.runtime import onnx_session
        sess = onnx_session(source)
        name = sess.get_inputs()[0].name

        def run(frames):
            f = len(frames)
            probs, feats = np.zeros(f, np.float32), None
            for s, e, ks, ke in windows(f, 128, 16):
                logits, z = sess.run(None, {name: to_input(frames[s:e]).numpy()})
                feats = np.zeros((f, z.shape[-1]), np.float32) if feats is None else feats
                probs[ks:ke] = 1 / (1 + np.exp(-logits[0, ks - s:ke - s]))
                feats[ks:ke] = z[0, ks - s:ke - s]
            return probs, feats
        return run
    model, _ = load_model("aligner", source)
    return lambda frames: predict(model, frames)


def add_aligner(src: Path, out: Path, corpus: Path, aligner_run: Path) -> dict:
    """A copy of a pack with the aligner's probabilities and features for its edited videos (the latents
    are reused, so only the aligner runs)."""
    predict = aligner_predictor(aligner_run)
    z = np.load(src)
    arrays = {k: z[k] for k in z.files if not k.startswith("al")}
    meta = json.loads(bytes(z["meta"]).decode())
    for i, p in enumerate(meta["pieces"]):
        if p["kind"] != "edit":
            continue
        frames = np.load(corpus / "edits" / f"{p['editId']}.npz")["frames"]
        prob, feat = predict(frames)
        arrays[f"alprob_{i}"], arrays[f"alfeat_{i}"] = prob.astype(np.float16), feat.astype(np.float16)
        p["aligner"] = True
    meta["aligner"] = str(aligner_run)
    arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    np.savez_compressed(out, **arrays)
    return {"edits": sum(p["kind"] == "edit" for p in meta["pieces"]), "bytes": out.stat().st_size}


def _sha(path: Path) -> str:
    import hashlib
    return hashlib.sha256(path.read_bytes()).hexdigest()


class Pack:
    """A loaded pack: de-quantised latents (float32, normalised), metadata, aligner arrays."""

    def __init__(self, path: Path):
        z = np.load(path)
        self.meta = json.loads(bytes(z["meta"]).decode())
        self.pieces = self.meta["pieces"]
        lat = z["latents"].astype(np.float32) * (self.meta["qRange"] / 127)
        off = z["offsets"]
        self.latents = [lat[:, off[i]:off[i + 1]] for i in range(len(self.pieces))]
        self.mean, self.std = z["mean"], z["std"]
        self.aligner = {i: (z[f"alprob_{i}"].astype(np.float32), z[f"alfeat_{i}"].astype(np.float32))
                        for i, p in enumerate(self.pieces) if p.get("aligner")}


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default="data/corpus")
    ap.add_argument("--out", default="data/diffusion/pack.npz")
    ap.add_argument("--splits", default="train,valid", help="valid pieces are held out (rhythm checks during training)")
    ap.add_argument("--aligner", default=None, help="a training run (ckpt.pt) or ../public/models/aligner.onnx")
    ap.add_argument("--from-pack", default=None, help="reuse this pack's latents, only add aligner outputs")
    ap.add_argument("--norm-from", default=None,
                    help="take the latent mean/std from this pack (or manifest.json's denoiser) instead of computing them")
    args = ap.parse_args(argv)
    if args.from_pack:
        print(json.dumps(add_aligner(Path(args.from_pack), Path(args.out), Path(args.corpus), Path(args.aligner))))
        return
    res = build(Path(args.corpus), Path(args.out), tuple(args.splits.split(",")),
                Path(args.aligner) if args.aligner else None, Path(args.norm_from) if args.norm_from else None)
    print(json.dumps(res))


if __name__ == "__main__":
    main()
