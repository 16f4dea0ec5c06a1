"""Model weights as float16 .npz files (portable across PyTorch versions, small enough to move between
machines): `save(state_dict, stem, parts)` writes <stem>.0.npz … and `load(stem)` reads them back."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import torch


def save(state: dict, stem: Path, parts: int = 1) -> list[Path]:
    keys = sorted(state)
    paths = []
    for i in range(parts):
        arrays = {k.replace(".", "__"): state[k].detach().float().cpu().numpy().astype(np.float16)
                  for k in keys[i::parts]}
        p = Path(f"{stem}.{i}.npz")
        np.savez_compressed(p, **arrays)
        paths.append(p)
    return paths


def load(stem: Path) -> dict:
    out = {}
    i = 0
    while Path(f"{stem}.{i}.npz").exists():
        z = np.load(f"{stem}.{i}.npz")
        out.update({k.replace("__", "."): torch.from_numpy(z[k].astype(np.float32)) for k in z.files})
        i += 1
    if not out:
        raise FileNotFoundError(f"{stem}.0.npz")
    return out
