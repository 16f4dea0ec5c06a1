"""Reads the one signal-constants file shared with the TypeScript core (src/core/constants.json)."""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
CONSTANTS_PATH = REPO_ROOT / "src" / "core" / "constants.json"


@lru_cache(maxsize=1)
def load() -> dict:
    return json.loads(CONSTANTS_PATH.read_text())


def audio() -> dict:
    return load()["audio"]


def tag_vocabulary() -> list[str]:
    """All tag ids as 'category:value', in file order (the embedding index order)."""
    tags = load()["tags"]
    return [f"{cat}:{val}" for cat, vals in tags.items() for val in vals]


def mel_fps() -> float:
    a = audio()
    return a["sampleRate"] / a["hopLength"]
