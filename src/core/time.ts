// The project's time bases (docs/architecture.md §4), the one TypeScript module that turns seconds into samples,
// latent frames and 16 fps video frames and back. Every value comes from constants.json (the Python
// twin is training/vem_training/timebase.py); src/core/constants-literals.test.ts fails when one of them
// is written as a literal anywhere else in the sources.
//   audio   sampleRate samples/s; mel frame j of the centred STFT is centred at j·hop/sr (62.5 frames/s)
//   latent  frame x holds mel frames 4x … 4x+3: it is 4·hop/sr = 64 ms long and centred at
//           (4x + 1.5)·hop/sr = 0.064·x + 0.024 s (`latentTime`, rhythm.py's `latent_times`)
//   video   frame f of the decoder's 16 fps sequence starts at f/16 s
import raw from './constants.json';

export const SAMPLE_RATE: number = raw.audio.sampleRate;
/** Seconds between mel frames. */
export const HOP_SEC = raw.audio.hopLength / raw.audio.sampleRate;
/** Mel frames per second. */
export const MEL_FPS = raw.audio.sampleRate / raw.audio.hopLength;
/** Mel frames per latent frame (the VAE's time downsampling). */
export const MELS_PER_LATENT: number = raw.latent.timeDownsample;
/** Length of one latent frame in seconds. */
export const LATENT_FRAME_SEC = MELS_PER_LATENT * HOP_SEC;
/** Centre of latent frame 0: the middle of its four mel frames. */
export const LATENT_CENTRE_SEC = ((MELS_PER_LATENT - 1) / 2) * HOP_SEC;
/** The decoder's frame rate: every video is resampled to it. */
export const VIDEO_FPS: number = raw.video.fps;

/** Centre of latent frame x in seconds. */
export const latentTime = (x: number): number => x * LATENT_FRAME_SEC + LATENT_CENTRE_SEC;
/** Latent frames that cover `durationSec` (a whole number of frames, up to float error, is exact). */
export const latentFramesCovering = (durationSec: number): number => Math.ceil(durationSec / LATENT_FRAME_SEC - 1e-9);
/** The latent frame that holds time `sec`. */
export const latentFrameAt = (sec: number): number => Math.floor(sec / LATENT_FRAME_SEC);
/** The first latent frame that starts at or after `sec`. */
export const latentFrameAfter = (sec: number): number => Math.ceil(sec / LATENT_FRAME_SEC);
/** Start of latent frame x (or the length of x frames) in seconds. */
export const latentFramesToSec = (frames: number): number => frames * LATENT_FRAME_SEC;

/** The 16 fps frame nearest to `sec`. */
export const videoFrameNearest = (sec: number): number => Math.round(sec * VIDEO_FPS);
/** 16 fps frames that cover `durationSec`. */
export const videoFramesCovering = (durationSec: number): number => Math.ceil(durationSec * VIDEO_FPS);
/** Where `sec` falls on the 16 fps axis, in frames (fractional: for interpolating per-frame values). */
export const videoFramePosition = (sec: number): number => sec * VIDEO_FPS;
/** Start of 16 fps frame f (or the length of f frames) in seconds. */
export const videoFramesToSec = (frames: number): number => frames / VIDEO_FPS;

/** Samples in `sec` seconds at the project's sample rate. */
export const samplesIn = (sec: number): number => Math.round(sec * SAMPLE_RATE);
