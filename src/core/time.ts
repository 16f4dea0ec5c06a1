// All conversions between the project's time bases go through here (DESIGN.md §4).
// Video frames 16/s, mel frames sampleRate/hop = 62.5/s, latent frames 62.5/4 = 15.625/s.
import raw from './constants.json';

export const VIDEO_FPS = raw.video.fps;
export const MEL_FPS = raw.audio.sampleRate / raw.audio.hopLength;
export const LATENT_FPS = MEL_FPS / raw.latent.timeDownsample;

export const secToFrameIdx = (sec: number): number => Math.round(sec * VIDEO_FPS);
export const frameIdxToSec = (frameIdx: number): number => frameIdx / VIDEO_FPS;
export const secToMelFrame = (sec: number): number => Math.round(sec * MEL_FPS);
export const melFrameToSec = (melFrame: number): number => melFrame / MEL_FPS;
export const secToLatentFrame = (sec: number): number => Math.round(sec * LATENT_FPS);
export const latentFrameToSec = (latentFrame: number): number => latentFrame / LATENT_FPS;
export const secToSamples = (sec: number): number => Math.round(sec * raw.audio.sampleRate);
export const samplesToSec = (samples: number): number => samples / raw.audio.sampleRate;
/** Mel frames produced by the centred STFT for a signal of `samples` samples. */
export const melFramesForSamples = (samples: number): number => Math.floor(samples / raw.audio.hopLength) + 1;
