"""Source packages (Debian data packages): fetching, extraction and file listing.

Packages are fetched with `apt-get download` into <cache>/debs and unpacked with `dpkg -x` into
<cache>/pkgs/<package> (nothing is installed). Licences: see docs/licenses.md.
"""
from __future__ import annotations

import re
import subprocess
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from ..constants import REPO_ROOT

DEFAULT_CACHE = REPO_ROOT / "training" / "data" / "cache"


@dataclass
class MusicSource:
    name: str                   # Debian package
    kind: str                   # "midi" | "recorded"
    license: str                # short licence id (details in docs/licenses.md)
    genre: str | None = None    # source-level genre tag value, None = unknown
    genre_by_name: dict = field(default_factory=dict)   # regex on the file stem → genre value
    tempomap: bool = False      # Frets on Fire: notes.mid tempo map
    music_dir: str | None = None  # only files whose path contains this (the rest: sound effects, speech)
    # core: the sources the tag thresholds, the edited videos, the benchmark and the held-out vocoder clips are
    # drawn from. Sources added later (core=False) add training music only, so those stay as they were
    core: bool = True
    source_sec: float | None = None  # cap on the sum of this source's excerpts (None: the size's rec_source_sec)


MIDI_SOURCES = [
    MusicSource("simutrans-data", "midi", "Artistic-1.0", None,
                {r"techno": "electronic", r"jazz": "jazz", r"blues": "blues", r"rock": "rock", r"waltz": "waltz",
                 r"swing": "swing", r"latin|samba|bossa|tango": "latin", r"march": "march", r"ballad": "ballad"}),
    MusicSource("openttd-openmsx", "midi", "GPL-2.0", None,
                {r"jazz": "jazz", r"blues": "blues", r"rock": "rock", r"march": "march", r"waltz": "waltz"}),
    MusicSource("planetblupi-music-midi", "midi", "GPL-3+", None),
]

RECORDED_SOURCES = [
    MusicSource("supertuxkart-data", "recorded", "per track (DEP-5): CC-BY-SA-3.0 / CC-BY-SA-4.0 / GPL / CC0", None,
                {r"celtic": "folk", r"^west$": "country", r"hacienda": "latin", r"ravenbridge": "orchestral",
                 r"subsea|snowmountain": "ambient", r"xeon|alien|SkyVibe|Boom": "electronic"}),
    MusicSource("nexuiz-music", "recorded", "GPL-2+", "electronic"),
    MusicSource("ufoai-music", "recorded", "per track (DEP-5): GPL-2+ / CC-BY-3.0 / CC-BY-SA-3.0 / GPL-2", "orchestral",
                {r"Psymong|Marine|TheThings": "electronic"}),
    MusicSource("warzone2100-music", "recorded",
                "GPL-2+ (original album); CC-BY-SA-3.0 or GPL-2+ (legacy, aftermath albums)", "electronic"),
    MusicSource("singularity-music", "recorded", "CC-BY-SA-3.0", "ambient"),
    MusicSource("wesnoth-1.16-music", "recorded", "GPL-2+", "orchestral",
                {r"elf|elvish|silvan|minstrel|knalgan|wanderer": "folk"}),
    MusicSource("fretsonfire-songs-muldjord", "recorded", "CC-BY-SA-3.0", "rock", tempomap=True),
    MusicSource("fretsonfire-songs-sectoid", "recorded", "Expat", "rock", tempomap=True),
    MusicSource("planetblupi-music-ogg", "recorded", "GPL-3+", "pop"),
    # added 2026-12-07 (docs/corpus.md, "More recorded timbres"): training music only (core=False), 18 min each
    MusicSource("supertux-data", "recorded", "GPL-2+ (data/music/*)", "pop",
                {r"chipdisko|retro|classic|_old$": "electronic", r"christmas|credits|theme$": "orchestral",
                 r"tropical|saharan": "latin"}, music_dir="/music/", core=False, source_sec=1080.0),
    MusicSource("hedgewars-data", "recorded", "GPL-2", None,
                {r"^rock$|^city$|freeway": "rock", r"oriental|desert": "folk", r"beach|fruit|golf": "pop",
                 r"castle|hell|earthrise|olympics|main_theme": "orchestral", r"underwater|snow|nature|art$": "ambient",
                 r"pirate": "folk"}, music_dir="/Data/Music/", core=False, source_sec=1080.0),
    MusicSource("naev-data", "recorded", "per track (DEP-5): GPL-2+ / GPL-3 or CC-BY-3.0 / CC-BY-3.0 / CC-BY-SA-3.0",
                "ambient", {r"battle|combat|dvaered|empire|tension|intrigue|imminent|pirates_orchestra": "orchestral",
                            r"upbeat|machina|automat|motherload|heartofmachine": "electronic"},
                music_dir="/snd/music/", core=False, source_sec=1080.0),
]

IMAGE_SOURCES = ["lomiri-wallpapers-16.04", "lomiri-wallpapers-20.04", "mate-backgrounds", "gem-doc",
                 "python-pygame-doc", "lebiniou-data", "planetblupi-common", "openboard-common", "fillets-ng-data"]

ALL_SOURCES = {s.name: s for s in MIDI_SOURCES + RECORDED_SOURCES}


def is_core(source_name: str) -> bool:
    """Whether a track's source is a core one (MusicSource.core; MMA pieces and unknown sources are)."""
    src = ALL_SOURCES.get(source_name)
    return src is None or src.core


def genre_for(source: MusicSource, stem: str) -> str | None:
    for pat, g in source.genre_by_name.items():
        if re.search(pat, stem, flags=re.I):
            return g
    return source.genre


def ensure_package(name: str, cache: Path = DEFAULT_CACHE) -> Path:
    """Unpacked package root (fetches the .deb with apt-get download when missing)."""
    cache = Path(cache)
    root = cache / "pkgs" / name
    if root.exists() and any(root.iterdir()):
        return root
    debs = cache / "debs"
    debs.mkdir(parents=True, exist_ok=True)
    found = sorted(debs.glob(f"{name}_*.deb"))
    if not found:
        subprocess.run(["apt-get", "download", name], cwd=debs, check=True, capture_output=True)
        found = sorted(debs.glob(f"{name}_*.deb"))
    if not found:
        raise RuntimeError(f"could not download {name}")
    tmp = root.with_name(name + ".tmp")
    subprocess.run(["rm", "-rf", str(tmp)], check=True)
    tmp.mkdir(parents=True)
    subprocess.run(["dpkg", "-x", str(found[-1]), str(tmp)], check=True)
    tmp.rename(root)
    return root


def _extract_pk3(pk3: Path, dest: Path) -> list[Path]:
    out = []
    with zipfile.ZipFile(pk3) as z:
        for info in z.infolist():
            if info.filename.lower().endswith((".ogg", ".opus", ".mp3", ".flac", ".wav")):
                target = dest / Path(info.filename).name
                if not target.exists():
                    dest.mkdir(parents=True, exist_ok=True)
                    with z.open(info) as f, open(target, "wb") as g:
                        g.write(f.read())
                out.append(target)
    return out


def list_music(source: MusicSource, cache: Path = DEFAULT_CACHE) -> list[dict]:
    """[{"key", "path" (or "paths" for multi-stem songs), "midi" (tempo map or the MIDI file)}] sorted."""
    root = ensure_package(source.name, cache)
    items = []
    if source.kind == "midi":
        for p in sorted(root.rglob("*")):
            if p.suffix.lower() in (".mid", ".midi"):
                items.append({"key": p.stem, "midi": p})
        return items
    if source.tempomap:
        for ini in sorted(root.rglob("song.ini")):
            d = ini.parent
            stems = [d / n for n in ("song.ogg", "guitar.ogg", "rhythm.ogg", "drums.ogg") if (d / n).exists()]
            if stems and (d / "notes.mid").exists():
                items.append({"key": d.name, "paths": stems, "midi": d / "notes.mid"})
        return items
    files = []
    for p in sorted(root.rglob("*")):
        if p.suffix.lower() == ".pk3":
            files += _extract_pk3(p, Path(cache) / "pk3" / source.name)
        elif p.suffix.lower() in (".ogg", ".opus", ".mp3", ".flac"):
            files.append(p)
    for p in sorted(set(files)):
        rel = str(p)
        if source.music_dir and source.music_dir not in rel:
            continue
        if source.name == "supertuxkart-data":
            # music only; the *_fast variants are sped-up copies of the same pieces (kept out: leakage)
            if "/music/" not in rel or p.stem.endswith(("_fast", "_f")):
                continue
        if source.name == "ufoai-music" and "dynamictest" in p.stem:
            continue
        if source.name == "warzone2100-music" and "_enhanced" in p.stem:
            continue  # enhanced re-masters of tracks that are also present
        if source.name == "hedgewars-data" and p.stem.endswith("_sd"):
            continue  # the "sudden death" variants of pieces that are also present
        items.append({"key": p.stem, "path": p})
    return items


def list_images(cache: Path = DEFAULT_CACHE, min_w: int = 320, min_h: int = 200) -> list[dict]:
    """Real photos / artwork / screenshots / footage usable for edited videos.

    Images at least min_w × min_h (icons and sprites excluded), plus video files. Returns
    [{"path", "kind": "image"|"video", "source", "w", "h"}]."""
    from PIL import Image

    out = []
    for name in IMAGE_SOURCES:
        root = ensure_package(name, cache)
        for p in sorted(root.rglob("*")):
            suf = p.suffix.lower()
            if suf in (".jpg", ".jpeg", ".png", ".webp"):
                try:
                    with Image.open(p) as im:
                        w, h = im.size
                except Exception:
                    continue
                if w >= min_w and h >= min_h and 0.4 <= w / h <= 3.0:
                    out.append({"path": p, "kind": "image", "source": name, "w": w, "h": h})
            elif suf in (".mp4", ".avi", ".ogv", ".webm"):
                out.append({"path": p, "kind": "video", "source": name, "w": 0, "h": 0})
    return out


def _dep5_stanzas(copyright_text: str) -> list[tuple[list[str], str]]:
    """[(file patterns, licence)] of a machine-readable (DEP-5) copyright file, in file order."""
    out = []
    for para in re.split(r"\n\s*\n", copyright_text):
        m = re.search(r"^Files:(.*(?:\n[ \t].*)*)", para, flags=re.M)
        lic = re.search(r"^License:\s*(\S.*)$", para, flags=re.M)
        if m and lic:
            out.append((m.group(1).split(), lic.group(1).strip()))
    return out


def license_for(source_name: str, file_path, cache: Path = DEFAULT_CACHE) -> str:
    """The licence of one music file: the last matching DEP-5 `Files:` stanza of the package's copyright
    file (per-file licences of supertuxkart-data, ufoai-music; `Files: *` for the rest), the album licence.txt of
    warzone2100-music, else the package-level licence."""
    import fnmatch

    src = ALL_SOURCES[source_name]
    p = Path(file_path)
    if source_name == "warzone2100-music":
        return "CC-BY-SA-3.0 or GPL-2+" if ("legacy_soundtrack" in str(p) or "aftermath_soundtrack" in str(p)) \
            else "GPL-2+"
    cp = Path(cache) / "pkgs" / source_name / "usr/share/doc" / source_name / "copyright"
    try:
        text = cp.read_text(errors="replace")
    except OSError:
        return src.license
    if not text.startswith("Format:"):
        return src.license
    found = None
    for pats, lic in _dep5_stanzas(text):
        for pat in pats:
            if pat == "*":
                found = lic  # the catch-all stanza (comes first); later stanzas override
                continue
            pat = pat[2:] if pat.startswith("./") else pat  # naev-data writes ./dat/…
            n = pat.count("/") + 1
            tail = "/".join(p.parts[-n:])
            # pk3 archives (ufoai) drop the leading directories: match music files by name
            if fnmatch.fnmatch(tail, pat) or ("music/" in pat and fnmatch.fnmatch(p.name, Path(pat).name)):
                found = lic
    return found or src.license
