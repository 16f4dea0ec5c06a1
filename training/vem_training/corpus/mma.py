"""Multi-section pieces written for MMA (Musical MIDI Accompaniment) with known structure.

A piece = a groove family (→ genre), a tempo, a key (major or minor), and a list of sections
(intro / verse / driving / breakdown / climax / ending) each with its own groove variation
(…Intro, base, …Plus, …Sus, …Fill, …End, or the main groove of a second family of the same meter),
MMA volume (pp … ff), chord progression and mode. The MMA file is rendered by `mma` to MIDI; the
section boundaries are bar numbers, so their times come from the MIDI tempo map.
"""
from __future__ import annotations

import re
import subprocess
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

MMA_BIN = "/usr/bin/mma"
MMA_LIB = Path("/usr/share/mma/lib")

# groove family file (relative to the MMA library) → (genre, beats per bar, tempo range in BPM)
FAMILIES: dict[str, tuple[str, int, tuple[int, int]]] = {
    "stdlib/50srock": ("rock", 4, (110, 170)),
    "stdlib/60srock": ("rock", 4, (110, 160)),
    "stdlib/basicrock": ("rock", 4, (100, 160)),
    "stdlib/rock-128": ("rock", 4, (70, 100)),
    "stdlib/bubblerock": ("rock", 4, (110, 150)),
    "stdlib/twist": ("rock", 4, (130, 170)),
    "casio/heavymetal": ("rock", 4, (110, 170)),
    "stdlib/8beat": ("pop", 4, (90, 130)),
    "stdlib/softrock": ("pop", 4, (85, 125)),
    "stdlib/rb": ("pop", 4, (80, 115)),
    "stdlib/boneym": ("pop", 4, (110, 135)),
    "stdlib/bvfunk": ("funk", 4, (90, 125)),
    "stdlib/dsoul": ("funk", 4, (90, 120)),
    "casio/funk1": ("funk", 4, (90, 120)),
    "casio/funk2": ("funk", 4, (90, 120)),
    "stdlib/jazzcombo": ("jazz", 4, (100, 170)),
    "stdlib/bebop": ("jazz", 4, (130, 170)),
    "stdlib/modernjazz": ("jazz", 4, (100, 160)),
    "stdlib/mellowjazz": ("jazz", 4, (80, 120)),
    "stdlib/slowjazz": ("jazz", 4, (70, 100)),
    "stdlib/jazzguitar": ("jazz", 4, (100, 160)),
    "stdlib/swing": ("swing", 4, (110, 170)),
    "stdlib/bigband": ("swing", 4, (120, 170)),
    "stdlib/easyswing": ("swing", 4, (90, 140)),
    "stdlib/jive": ("swing", 4, (130, 170)),
    "stdlib/foxtrot": ("swing", 4, (110, 150)),
    "stdlib/bossanova": ("latin", 4, (110, 150)),
    "stdlib/samba": ("latin", 4, (100, 150)),
    "stdlib/salsa": ("latin", 4, (150, 170)),
    "stdlib/mambo": ("latin", 4, (140, 170)),
    "stdlib/chacha": ("latin", 4, (110, 130)),
    "stdlib/rhumba": ("latin", 4, (90, 130)),
    "stdlib/beguine": ("latin", 4, (100, 140)),
    "stdlib/bolero": ("latin", 4, (90, 120)),
    "stdlib/tango": ("latin", 4, (110, 130)),
    "stdlib/son": ("latin", 4, (120, 160)),
    "stdlib/ballad": ("ballad", 4, (70, 95)),
    "stdlib/pianoballad": ("ballad", 4, (70, 95)),
    "stdlib/popballad": ("ballad", 4, (70, 100)),
    "stdlib/rockballad": ("ballad", 4, (70, 100)),
    "stdlib/stringballad": ("ballad", 4, (70, 95)),
    "stdlib/guitarballad": ("ballad", 4, (70, 95)),
    "stdlib/waltz": ("waltz", 3, (80, 140)),
    "stdlib/frenchwaltz": ("waltz", 3, (100, 160)),
    "stdlib/jazzwaltz": ("waltz", 3, (100, 170)),
    "stdlib/countrywaltz": ("waltz", 3, (90, 150)),
    "stdlib/rockwaltz": ("waltz", 3, (80, 130)),
    "stdlib/trance": ("electronic", 4, (120, 150)),
    "casio/techno": ("electronic", 4, (120, 150)),
    "casio/house": ("electronic", 4, (115, 135)),
    "casio/dance1": ("electronic", 4, (110, 140)),
    "casio/ambient1": ("ambient", 4, (70, 110)),
    "casio/ambient2": ("ambient", 4, (70, 110)),
    "casio/ambient3": ("ambient", 4, (70, 110)),
    "stdlib/folk": ("folk", 4, (80, 130)),
    "stdlib/folkballad": ("folk", 4, (70, 100)),
    "stdlib/bluefolk": ("folk", 4, (80, 120)),
    "stdlib/countryswing": ("country", 4, (110, 170)),
    "stdlib/slowcountry": ("country", 4, (70, 100)),
    "stdlib/bluegrass": ("country", 4, (120, 170)),
    "stdlib/westernswing": ("country", 4, (110, 160)),
    "stdlib/blues": ("blues", 4, (80, 130)),
    "stdlib/slowblues": ("blues", 4, (70, 90)),
    "stdlib/fastblues": ("blues", 4, (120, 170)),
    "stdlib/shuffleboggie": ("blues", 4, (110, 160)),
    "zoom/reggae": ("reggae", 4, (70, 100)),
    "stdlib/ska": ("reggae", 4, (140, 170)),
    "stdlib/march": ("march", 4, (100, 130)),
    "stdlib/bwmarch": ("march", 4, (100, 130)),
    "stdlib/dixiemarch": ("march", 4, (100, 130)),
    "stdlib/broadway": ("orchestral", 4, (100, 150)),
    "stdlib/showtune": ("orchestral", 4, (90, 140)),
    "stdlib/arpeggio44": ("orchestral", 4, (70, 110)),
}

CALM_GENRES = {"ballad", "ambient", "orchestral", "folk"}

NOTE_SHARP = ["C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"]
NOTE_FLAT = ["C", "Db", "D", "Eb", "E", "F", "Gb", "G", "Ab", "A", "Bb", "B"]

# progressions as (semitones above the tonic, quality); qualities: "", "m", "7", "maj7", "m7", "m7b5", "dim"
MAJOR_PROGS = [
    [(0, ""), (7, ""), (9, "m"), (5, "")],            # I V vi IV
    [(0, ""), (9, "m"), (5, ""), (7, "")],            # I vi IV V
    [(0, ""), (5, ""), (7, ""), (5, "")],             # I IV V IV
    [(0, ""), (4, "m"), (5, ""), (7, "")],            # I iii IV V
    [(0, ""), (5, ""), (0, ""), (7, "")],             # I IV I V
    [(9, "m"), (5, ""), (0, ""), (7, "")],            # vi IV I V
    [(0, ""), (10, ""), (5, ""), (0, "")],            # I bVII IV I
    [(2, "m"), (7, ""), (0, ""), (0, "")],            # ii V I I
]
MINOR_PROGS = [
    [(0, "m"), (8, ""), (3, ""), (10, "")],           # i VI III VII
    [(0, "m"), (5, "m"), (7, "m"), (0, "m")],         # i iv v i
    [(0, "m"), (10, ""), (8, ""), (7, "")],           # i VII VI V
    [(0, "m"), (5, "m"), (10, ""), (3, "")],          # i iv VII III
    [(0, "m"), (8, ""), (5, "m"), (7, "")],           # i VI iv V
    [(0, "m"), (0, "m"), (5, "m"), (7, "")],          # i i iv V
]
JAZZ_MAJOR = [
    [(2, "m7"), (7, "7"), (0, "maj7"), (9, "m7")],    # ii V I vi
    [(0, "maj7"), (9, "m7"), (2, "m7"), (7, "7")],    # I vi ii V
    [(4, "m7"), (9, "7"), (2, "m7"), (7, "7")],       # iii VI ii V
]
JAZZ_MINOR = [
    [(2, "m7b5"), (7, "7"), (0, "m7"), (0, "m7")],    # ii V i
    [(0, "m7"), (5, "m7"), (10, "7"), (3, "maj7")],   # i iv VII III
]
BLUES_12 = [(0, "7")] * 4 + [(5, "7")] * 2 + [(0, "7")] * 2 + [(7, "7"), (5, "7"), (0, "7"), (7, "7")]
BLUES_12_MINOR = [(0, "m7")] * 4 + [(5, "m7")] * 2 + [(0, "m7")] * 2 + [(8, "7"), (7, "7"), (0, "m7"), (7, "7")]

VOLUMES = ["pp", "p", "mp", "mf", "f", "ff"]


@dataclass
class Section:
    label: str             # intro | verse | driving | breakdown | climax | ending
    bars: int
    groove: str            # MMA groove name
    family: str            # family file
    genre: str
    volume: str
    minor: bool
    tonic: int             # pitch class
    chords: list = field(default_factory=list)   # one chord name per bar


@dataclass
class Piece:
    piece_id: str
    family: str
    genre: str
    bpm: float
    beats_per_bar: int
    tonic: int
    minor: bool
    sections: list

    def to_json(self) -> dict:
        d = asdict(self)
        return d


@lru_cache(maxsize=None)
def family_grooves(family: str) -> dict[str, list[str]]:
    """{kind: [groove names]} defined by a family file; kind in base/plus/sus/intro/end/fill."""
    text = (MMA_LIB / f"{family}.mma").read_text(errors="replace")
    names = re.findall(r"^\s*DefGroove\s+(\S+)", text, flags=re.M | re.I)
    out = {"base": [], "plus": [], "sus": [], "intro": [], "end": [], "fill": []}
    for n in names:
        low = n.lower()
        if "intro" in low:
            out["intro"].append(n)
        elif low.endswith("end") or "end" in low[-5:]:
            out["end"].append(n)
        elif "fill" in low:
            out["fill"].append(n)
        elif "sus" in low:
            out["sus"].append(n)
        elif "plus" in low:
            out["plus"].append(n)
        else:
            out["base"].append(n)
    if not out["base"]:
        out["base"] = [n for n in names if n not in out["intro"] + out["end"] + out["fill"]][:1] or names[:1]
    return out


def chord_name(tonic: int, offset: int, quality: str, flats: bool) -> str:
    names = NOTE_FLAT if flats else NOTE_SHARP
    return names[(tonic + offset) % 12] + quality


def progression(rng: np.random.Generator, genre: str, tonic: int, minor: bool, bars: int) -> list[str]:
    flats = tonic in (1, 3, 5, 8, 10) or (minor and tonic in (0, 2, 7))
    if genre == "blues":
        prog = BLUES_12_MINOR if minor else BLUES_12
    elif genre in ("jazz", "swing") and rng.random() < 0.7:
        progs = JAZZ_MINOR if minor else JAZZ_MAJOR
        prog = progs[rng.integers(len(progs))]
    else:
        progs = MINOR_PROGS if minor else MAJOR_PROGS
        prog = progs[rng.integers(len(progs))]
    out = []
    for b in range(bars):
        off, q = prog[b % len(prog)]
        out.append(chord_name(tonic, off, q, flats))
    return out


STRUCTURES = [
    ["intro", "verse", "driving", "breakdown", "climax", "ending"],
    ["intro", "verse", "verse", "breakdown", "driving", "ending"],
    ["verse", "driving", "breakdown", "driving", "ending"],
    ["intro", "verse", "breakdown", "climax", "ending"],
    ["intro", "breakdown", "verse", "driving", "climax", "ending"],
    ["verse", "breakdown", "verse", "climax"],
    ["intro", "driving", "breakdown", "driving", "ending"],
]


def make_piece(piece_id: str, seed: int, families: list[str] | None = None, max_bars: int | None = None) -> Piece:
    """A random multi-section piece (deterministic for a seed)."""
    rng = np.random.default_rng(seed)
    fams = families or sorted(FAMILIES)
    # balance genres: pick the genre first, then a family of that genre
    genres = sorted({FAMILIES[f][0] for f in fams})
    genre = genres[rng.integers(len(genres))]
    cands = [f for f in fams if FAMILIES[f][0] == genre]
    family = cands[rng.integers(len(cands))]
    _, bpb, (lo, hi) = FAMILIES[family]
    bpm = float(rng.integers(lo, hi + 1))
    tonic = int(rng.integers(12))
    minor = bool(rng.random() < 0.5)
    # a contrasting family of the same meter for one section in ~40 % of the pieces
    same_meter = [f for f in sorted(FAMILIES) if FAMILIES[f][1] == bpb and f != family]
    if genre in CALM_GENRES:
        contrast_pool = [f for f in same_meter if FAMILIES[f][0] not in CALM_GENRES]
    else:
        contrast_pool = [f for f in same_meter if FAMILIES[f][0] in CALM_GENRES] or same_meter
    contrast = contrast_pool[rng.integers(len(contrast_pool))] if contrast_pool and rng.random() < 0.4 else None
    structure = STRUCTURES[rng.integers(len(STRUCTURES))]
    g = family_grooves(family)

    def pick(kind: str, fam: str = family) -> str:
        gg = family_grooves(fam)
        lst = gg.get(kind) or gg["base"]
        return lst[rng.integers(len(lst))]

    sections = []
    unit = 12 if genre == "blues" else 4
    for label in structure:
        fam, sec_minor, sec_tonic = family, minor, tonic
        if label == "intro":
            bars = int(rng.choice([2, 4])) if g["intro"] else 4
            groove, vol = pick("intro"), str(rng.choice(["p", "mp"]))
        elif label == "verse":
            bars = unit * int(rng.choice([1, 2])) if unit == 4 else unit
            groove, vol = pick("base"), str(rng.choice(["mp", "mf"]))
        elif label == "driving":
            bars = unit * int(rng.choice([1, 2])) if unit == 4 else unit
            if contrast and FAMILIES[contrast][0] not in CALM_GENRES:
                fam = contrast
                groove = pick("base", contrast)
            else:
                groove = pick("plus") if g["plus"] else pick("base")
            vol = str(rng.choice(["f", "mf"]))
        elif label == "breakdown":
            bars = 4 if unit == 4 else 12
            if contrast and FAMILIES[contrast][0] in CALM_GENRES:
                fam = contrast
                groove = pick("base", contrast)
            else:
                groove = pick("sus") if g["sus"] else pick("base")
            vol = str(rng.choice(["pp", "p"]))
            if rng.random() < 0.35:   # relative key of the other mode
                sec_minor = not minor
                sec_tonic = (tonic + 3) % 12 if minor else (tonic + 9) % 12
        elif label == "climax":
            bars = unit * int(rng.choice([1, 2])) if unit == 4 else unit
            groove, vol = (pick("plus") if g["plus"] else pick("base")), "ff"
        else:  # ending
            bars = 2 if g["end"] else 1
            groove, vol = pick("end"), "mf"
        chords = progression(rng, FAMILIES[fam][0], sec_tonic, sec_minor, bars)
        sections.append(Section(label=label, bars=bars, groove=groove, family=fam, genre=FAMILIES[fam][0],
                                volume=vol, minor=sec_minor, tonic=sec_tonic, chords=chords))
    if max_bars is not None:
        total, kept = 0, []
        for s in sections:
            if total + s.bars > max_bars and kept:
                break
            kept.append(s)
            total += s.bars
        sections = kept
    return Piece(piece_id=piece_id, family=family, genre=genre, bpm=bpm, beats_per_bar=bpb, tonic=tonic,
                 minor=minor, sections=sections)


def fill_bar_groove(section: Section) -> str | None:
    g = family_grooves(section.family)
    return g["fill"][0] if g["fill"] else None


def to_mma(piece: Piece, with_fills: bool = True) -> str:
    """MMA source text of a piece. Each chord line is one bar."""
    lines = [f"// {piece.piece_id}: {piece.family} {piece.bpm} BPM", f"Tempo {piece.bpm:g}"]
    bar = 1
    for si, s in enumerate(piece.sections):
        lines.append(f"// section {si} {s.label}")
        lines.append(f"MidiMark S{si}")
        lines.append(f"Groove {s.groove}")
        lines.append(f"Volume {s.volume}")
        fill = fill_bar_groove(s) if with_fills and s.label in ("verse", "driving") and s.bars >= 4 else None
        for bi, ch in enumerate(s.chords):
            if fill and bi == s.bars - 1:
                lines.append(f"Groove {fill}")
            lines.append(f"{bar} {ch}")
            bar += 1
    return "\n".join(lines) + "\n"


def run_mma(mma_text: str, out_mid: Path) -> Path:
    """Writes <out_mid>.mma next to the MIDI and runs mma on it."""
    out_mid = Path(out_mid)
    src = out_mid.with_suffix(".mma")
    src.write_text(mma_text)
    res = subprocess.run([MMA_BIN, "-f", str(out_mid), str(src)], capture_output=True, text=True)
    if res.returncode != 0 or not out_mid.exists():
        raise RuntimeError(f"mma failed for {src}: {res.stdout[-800:]} {res.stderr[-800:]}")
    return out_mid


def section_bar_starts(piece: Piece) -> list[int]:
    starts, b = [], 0
    for s in piece.sections:
        starts.append(b)
        b += s.bars
    return starts + [b]
