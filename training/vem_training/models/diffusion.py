"""Diffusion schedule, condition batches and the reference samplers (DDIM with η, DPM-Solver++ 2M, CFG).

v-prediction on a 1000-step cosine schedule whose last step has zero SNR (ᾱ_999 = 0): the model predicts
v = √ᾱ·ε − √(1−ᾱ)·x0, from which x0 = √ᾱ·x_t − √(1−ᾱ)·v and ε = √(1−ᾱ)·x_t + √ᾱ·v are exact at every
noise level, the top one included, so sampling starts at t = 999 from pure noise with no clamp.

The TypeScript sampler (src/core/sampler/) is tested step by step against `ddim_step` and `dpmpp_step`
through fixtures written by `python -m vem_training.fixtures.sampler`.
"""
from __future__ import annotations

import math

import numpy as np
import torch

from .. import constants
from ..data import tags as vtags
from ..data.rhythm import RHYTHM_CHANNELS, RHYTHM_INPUT, rhythm_features
from ..timebase import LATENT_FRAME_SEC

MAX_STORIES = 24            # storyboards per window the app may send (the model's S axis is dynamic)
MIN_STORY_SEC = LATENT_FRAME_SEC  # a storyboard must cover at least one latent frame of the window


def schedule() -> dict:
    """ᾱ_i for i = 0…n−1: cosine (Nichol & Dhariwal), ᾱ(τ) = f(τ)/f(0), f(τ) = cos²((τ + s)/(1 + s)·π/2),
    τ = (i + 1)/n; the last value is set to exactly 0 (zero terminal SNR)."""
    d = constants.load()["diffusion"]
    n = d["numTrainTimesteps"]
    assert d["betaSchedule"] == "cosine" and d["prediction"] == "v", d
    s = d["cosineS"]
    f = lambda tau: np.cos((tau + s) / (1 + s) * math.pi / 2) ** 2  # noqa: E731
    ac = f((np.arange(n, dtype=np.float64) + 1) / n) / f(0.0)
    ac[-1] = 0.0
    return {"n": n, "alphas_cumprod": ac}


def v_target(x0, eps, a):
    """The training target for noise level ᾱ = a (broadcastable)."""
    return a ** 0.5 * eps - (1 - a) ** 0.5 * x0


def split_v(x, v, a: float):
    """(x0, ε) from the model's v at ᾱ = a."""
    ra, sa = a ** 0.5, (1 - a) ** 0.5
    return ra * x - sa * v, sa * x + ra * v


def tag_index() -> dict[str, int]:
    return {t: i for i, t in enumerate(constants.tag_vocabulary())}


def multi_hot(tags, index: dict[str, int]) -> np.ndarray:
    v = np.zeros(len(index), np.float32)
    for t in tags:
        if t in index:
            v[index[t]] = 1.0
    return v


def clip_storyboards(stories, offset_sec: float, window_sec: float, max_stories: int = MAX_STORIES) -> list[dict]:
    """The storyboards a denoising window sees, in window time: shifted by −offset_sec, clipped to
    [0, window_sec), kept when at least MIN_STORY_SEC remains, at most `max_stories` in start order.
    The same rule as clipStoryboards() in src/core/conditioning/condition.ts (shared fixture)."""
    out = []
    for st in sorted(stories, key=lambda s: s["startSec"]):
        a = max(0.0, st["startSec"] - offset_sec)
        e = min(window_sec, st["startSec"] + st["durSec"] - offset_sec)
        if e - a < MIN_STORY_SEC - 1e-9:
            continue
        out.append({"startSec": a, "durSec": e - a, "tags": list(st.get("tags", []))})
        if len(out) >= max_stories:
            break
    return out


def empty_condition(batch: int, vocab: int, n_latent: int, stories: int = 1) -> dict:
    """The all-zero condition: the unconditional branch of classifier-free guidance (no tags, no
    storyboards, no rhythm)."""
    return {"global_tags": np.zeros((batch, vocab), np.float32), "caption_tags": np.zeros((batch, vocab), np.float32),
            "story_tags": np.zeros((batch, stories, vocab), np.float32),
            "story_start_sec": np.zeros((batch, stories), np.float32),
            "story_dur_sec": np.zeros((batch, stories), np.float32),
            "rhythm": np.zeros((batch, RHYTHM_CHANNELS, n_latent), np.float32)}


def fill_storyboards(c: dict, b: int, stories: list[dict], index: dict, tag_keep: float = 1.0, rng=None) -> None:
    for k, st in enumerate(stories):
        c["story_start_sec"][b, k] = st["startSec"]
        c["story_dur_sec"][b, k] = st["durSec"]
        if rng is None or rng.random() < tag_keep:
            c["story_tags"][b, k] = multi_hot(st["tags"], index)


class Batches:
    """Random crops of pack pieces with their conditions, as the app sends them.

    crops: (latent frames, batch) pairs with about the same cost per step; 320 frames is the app's window.
    Dropout for guidance: with p_uncond everything (tags, storyboards, rhythm: the unconditional row);
    otherwise the tags and storyboards alone with cond_drop, the rhythm alone with rhythm_drop. Downbeats
    are dropped half of the time (the app's plan may have no bars). Sections are split at random points half
    of the time, so that many short storyboards with the same tags (the app's shots) are seen too.

    story_feats ({trackId: frame features}, with `thresholds`): with probability story_measure a clip's
    sections are cut into shots (about `shot_sec` long, as the parser's storyboards) and each shot's
    energy, timbre and density tags are measured on the audio under it, so that storyboard tags that
    change from shot to shot, as the app sends them, say something about the music under each shot (the
    whole-section tags alone repeat the global tags and teach the model to ignore the storyboards).

    recorded_share with recorded_tracks (track ids): the share of clip crops drawn from recorded music
    rather than General-MIDI renders (None: every clip alike, about 14 % recorded in the default corpus)."""

    def __init__(self, pack, seed: int, crops=((128, 16), (256, 8), (320, 6)), edit_share: float = 0.0,
                 cond_drop: float = 0.1, rhythm_drop: float = 0.15, p_uncond: float = 0.1,
                 downbeat_drop: float = 0.5, split: str = "train", story_feats: dict | None = None,
                 thresholds: dict | None = None, story_measure: float = 0.0, shot_sec: float = 3.0,
                 recorded_share: float | None = None, recorded_tracks: set | frozenset = frozenset()):
        self.pack, self.crops = pack, [tuple(c) for c in crops]
        self.story_feats, self.thresholds = story_feats or {}, thresholds
        self.story_measure = story_measure if self.story_feats else 0.0
        self.shot_sec = shot_sec
        self.rng = np.random.default_rng(seed)
        self.index = tag_index()
        self.vocab = len(self.index)
        self.edit_share, self.cond_drop, self.rhythm_drop = edit_share, cond_drop, rhythm_drop
        self.p_uncond, self.downbeat_drop = p_uncond, downbeat_drop
        ok = lambda p: p.get("split", "train") == split  # noqa: E731
        self.clips = [i for i, p in enumerate(pack.pieces) if p["kind"] == "clip" and ok(p)]
        self.edits = [i for i, p in enumerate(pack.pieces) if p["kind"] == "edit" and ok(p)]
        # recorded_share: the probability that a clip crop comes from recorded music (the pack is mostly
        # General-MIDI renders); None keeps every clip equally likely
        self.recorded = [i for i in self.clips if pack.pieces[i].get("trackId") in recorded_tracks]
        self.rendered = [i for i in self.clips if pack.pieces[i].get("trackId") not in recorded_tracks]
        if recorded_share is not None and not (self.recorded and self.rendered):
            raise ValueError("recorded_share needs both recorded and rendered clips in the pack")
        self.recorded_share = recorded_share
        self.rhythm, self.rhythm_nodown = {}, {}
        for i in self.clips + self.edits:
            p = pack.pieces[i]
            n = pack.latents[i].shape[1]
            al = pack.aligner.get(i) or (None, None)
            self.rhythm[i] = rhythm_features(p["beatsSec"], n, *al, downbeats_sec=p.get("downbeatsSec") or None)
            self.rhythm_nodown[i] = rhythm_features(p["beatsSec"], n, *al)

    def _piece(self, T: int) -> int:
        use_edit = self.edits and self.rng.random() < self.edit_share
        pool = self.edits if use_edit else self.clips
        if not use_edit and self.recorded_share is not None:
            pool = self.recorded if self.rng.random() < self.recorded_share else self.rendered
        for _ in range(100):
            i = pool[self.rng.integers(len(pool))]
            if self.pack.latents[i].shape[1] >= T:
                return i
        raise RuntimeError(f"no piece of {T} latent frames")

    def _split(self, sections):
        out = []
        for sec in sections:
            k = int(self.rng.integers(1, 5)) if self.rng.random() < 0.5 else 1
            cuts = np.sort(self.rng.uniform(0, sec["durSec"], k - 1)) if k > 1 else np.zeros(0)
            edges = [0.0, *cuts.tolist(), sec["durSec"]]
            out += [{"startSec": sec["startSec"] + edges[j], "durSec": edges[j + 1] - edges[j], "tags": sec["tags"]}
                    for j in range(k)]
        return out

    def _shots(self, p: dict, sections, offset_sec: float, window_sec: float) -> list[dict]:
        """The crop's sections cut into shots (exponential lengths, mean shot_sec, at least 0.5 s), each
        retagged with the energy, timbre and density measured on its audio; window time."""
        feats = self.story_feats[p["trackId"]]
        out = []
        for sec in clip_storyboards(sections, offset_sec, window_sec):
            t, end = sec["startSec"], sec["startSec"] + sec["durSec"]
            while t < end - 1e-6:
                d = max(0.5, float(self.rng.exponential(self.shot_sec)))
                e = end if end - (t + d) < 0.5 else t + d
                out.append({"startSec": t, "durSec": e - t,
                            "tags": vtags.retag_segment(sec["tags"], feats, p["startSec"] + offset_sec + t, e - t,
                                                        self.thresholds)})
                t = e
        return clip_storyboards(out, 0.0, window_sec)

    def batch(self, n: int | None = None, T: int | None = None):
        if T is None:
            T, n_default = self.crops[int(self.rng.integers(len(self.crops)))]
            n = n or n_default
        c = empty_condition(n, self.vocab, T, MAX_STORIES)
        x0 = np.empty((n, self.pack.latents[0].shape[0], T), np.float32)
        max_k = 1
        for b in range(n):
            i = self._piece(T)
            p, z = self.pack.pieces[i], self.pack.latents[i]
            s = int(self.rng.integers(0, z.shape[1] - T + 1))
            x0[b] = z[:, s:s + T]
            # de-quantisation noise: uniform within one int8 step
            x0[b] += (self.rng.random(x0[b].shape, dtype=np.float32) - 0.5) * (self.pack.meta["qRange"] / 127)
            if self.rng.random() < self.p_uncond:
                continue
            if self.rng.random() >= self.rhythm_drop:
                src = self.rhythm_nodown[i] if self.rng.random() < self.downbeat_drop else self.rhythm[i]
                c["rhythm"][b] = src[:, s:s + T]
            if self.rng.random() < self.cond_drop or not p["tags"]:
                continue
            if self.rng.random() >= 0.2:
                c["global_tags"][b] = multi_hot(p["tags"], self.index)
            if self.rng.random() >= 0.3:  # captions are composed from a subset of the global tags
                keep = [t for t in p["tags"] if self.rng.random() < 0.7]
                c["caption_tags"][b] = multi_hot(keep, self.index)
            if self.story_measure and p.get("trackId") in self.story_feats and self.rng.random() < self.story_measure:
                stories = self._shots(p, p["sections"], s * LATENT_FRAME_SEC, T * LATENT_FRAME_SEC)
            else:
                stories = clip_storyboards(self._split(p["sections"]), s * LATENT_FRAME_SEC, T * LATENT_FRAME_SEC)
            fill_storyboards(c, b, stories, self.index, tag_keep=0.8, rng=self.rng)
            max_k = max(max_k, len(stories))
        for k in ("story_tags", "story_start_sec", "story_dur_sec"):
            c[k] = c[k][:, :max_k]
        return torch.from_numpy(x0), {k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in c.items()}


# ------------------------------------------------------------------------------------------------
# samplers (reference implementations; the TypeScript sampler must match these step by step)
# ------------------------------------------------------------------------------------------------

def timesteps(steps: int, n_train: int = 1000) -> np.ndarray:
    """Evenly spaced ("trailing") timesteps, high to low: round(n·(1 − k/steps)) − 1 for k = 0..steps−1;
    the first is always n − 1, the zero-SNR top of the schedule."""
    return np.round(n_train - np.arange(steps) * n_train / steps).astype(np.int64) - 1


def guide(v_uncond, v_cond, guidance: float, v_tags=None, rhythm_guidance: float | None = None):
    """Classifier-free guidance on v. Two rows: v_u + g·(v_c − v_u). Three rows (v_tags: tags without
    rhythm): v_u + g·(v_tags − v_u) + g_r·(v_c − v_tags), a separate scale for the rhythm."""
    if v_tags is None or rhythm_guidance is None:
        return v_uncond + guidance * (v_cond - v_uncond)
    return v_uncond + guidance * (v_tags - v_uncond) + rhythm_guidance * (v_cond - v_tags)


def rescale_guided(v, v_cond, phi: float):
    """Guidance rescaling (the TypeScript sampler's `rescaleGuided`): v scaled so that its standard deviation
    moves a share φ of the way back to v_cond's, φ·v·σ(v_cond)/σ(v) + (1 − φ)·v (population σ over all
    values, as one latent)."""
    sv = float(v.std(unbiased=False)) if torch.is_tensor(v) else float(np.std(v))
    if not phi or phi <= 0 or sv == 0:
        return v
    sc = float(v_cond.std(unbiased=False)) if torch.is_tensor(v_cond) else float(np.std(v_cond))
    return v * (phi * sc / sv + (1 - phi))


def ddim_step(x, v, t: int, t_prev: int, ac: np.ndarray, eta: float, noise):
    """One DDIM step from t to t_prev (t_prev < 0 means ᾱ = 1) for a v prediction. noise ~ N(0, 1), used
    when eta > 0."""
    a_t = float(ac[t])
    a_p = float(ac[t_prev]) if t_prev >= 0 else 1.0
    x0, eps = split_v(x, v, a_t)
    sigma = eta * ((1 - a_p) / (1 - a_t) * (1 - a_t / a_p)) ** 0.5
    out = a_p ** 0.5 * x0 + max(1 - a_p - sigma ** 2, 0.0) ** 0.5 * eps
    if eta > 0 and noise is not None:
        out = out + sigma * noise
    return out


def _lam(ac: np.ndarray, t: int):
    """(λ = log(α/σ), α, σ) at t; ᾱ is clamped to [1e-12, 1 − 1e-8] so that λ stays finite at both ends."""
    a = float(ac[t]) if t >= 0 else 1.0
    a = min(max(a, 1e-12), 1.0 - 1e-8)
    return 0.5 * np.log(a / (1 - a)), a ** 0.5, (1 - a) ** 0.5


def dpmpp_step(x, v, t: int, t_prev: int, ac: np.ndarray, prev: dict | None):
    """DPM-Solver++(2M) step in data-prediction form (x0 from v). `prev` carries (x0, λ) of the previous
    step; the first step and the last (t_prev < 0) are first order. Returns (x_next, state)."""
    l_t, _, s_t = _lam(ac, t)
    l_p, a_p, s_p = _lam(ac, t_prev)
    x0, _ = split_v(x, v, float(ac[t]))
    h = l_p - l_t
    if prev is None or t_prev < 0:
        d = x0
    else:
        r = (l_t - prev["lambda"]) / h
        d = (1 + 1 / (2 * r)) * x0 - (1 / (2 * r)) * prev["x0"]
    x_next = (s_p / s_t) * x - a_p * np.expm1(-h) * d
    return x_next, {"x0": x0, "lambda": l_t}


def sample(model_fn, shape, cond: dict, uncond: dict | None, steps: int = 25, guidance: float = 2.5,
           sampler: str = "ddim", eta: float = 1.0, seed: int = 0, x_init=None, mask=None, x_known=None,
           cond_tags: dict | None = None, rhythm_guidance: float | None = None, guidance_rescale: float = 0.0,
           guidance_interval: tuple[int, int] | None = None):
    """Generate a normalised latent. model_fn(x (torch), t (int), cond) -> v (torch).
    cond_tags + rhythm_guidance: three-row guidance (see `guide`); guidance_rescale: φ of `rescale_guided`;
    guidance_interval (lo, hi): guidance only at timesteps lo ≤ t ≤ hi, the conditional v alone elsewhere
    (the TypeScript sampler's `guidanceInterval`).
    mask/x_known: inpainting (1 = regenerate, 0 = keep x_known re-noised to the current level)."""
    ac = schedule()["alphas_cumprod"]
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(shape, generator=g) if x_init is None else x_init
    ts = timesteps(steps)
    state = None
    for k, t in enumerate(ts):
        t_prev = int(ts[k + 1]) if k + 1 < len(ts) else -1
        if mask is not None:
            known = float(ac[t]) ** 0.5 * x_known + (1 - float(ac[t])) ** 0.5 * torch.randn(shape, generator=g)
            x = mask * x + (1 - mask) * known
        vc = model_fn(x, int(t), cond)
        inside = guidance_interval is None or guidance_interval[0] <= int(t) <= guidance_interval[1]
        if uncond is None or not inside or (guidance == 1.0 and cond_tags is None):
            v = vc
        else:
            vt = model_fn(x, int(t), cond_tags) if cond_tags is not None and rhythm_guidance is not None else None
            v = rescale_guided(guide(model_fn(x, int(t), uncond), vc, guidance, vt, rhythm_guidance), vc,
                               guidance_rescale)
        if sampler == "ddim":
            noise = torch.randn(shape, generator=g) if eta > 0 else None
            x = ddim_step(x, v, int(t), t_prev, ac, eta, noise)
        else:
            x, state = dpmpp_step(x, v, int(t), t_prev, ac, state)
    if mask is not None:
        x = mask * x + (1 - mask) * x_known
    return x


def model_call(model, x, t, c):
    return model(x, t, c["global_tags"], c["caption_tags"], c["story_tags"], c["story_start_sec"],
                 c["story_dur_sec"], c["rhythm"])
