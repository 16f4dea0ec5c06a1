// Types for the parts of the CommonJS package `music-tempo` (MIT, no bundled typings) that
// src/core/beats/track.ts uses. Only that file should import the package.
declare module 'music-tempo' {
  /** Parameters of the BeatRoot-style tracker; times in seconds, sizes in samples. */
  export interface MusicTempoParams {
    /** FFT window in samples (power of two). */
    bufferSize?: number;
    /** Hop between spectral-flux frames in samples. */
    hopSize?: number;
    /** Seconds per spectral-flux frame (must equal hopSize / sample rate). */
    timeStep?: number;
    peakFindingWindow?: number;
    meanWndMultiplier?: number;
    peakThreshold?: number;
    /** Shortest inter-beat interval considered (s). */
    minBeatInterval?: number;
    /** Longest inter-beat interval considered (s). */
    maxBeatInterval?: number;
    [key: string]: number | undefined;
  }

  /** Runs onset detection, tempo induction and multi-agent beat tracking in the constructor. */
  export default class MusicTempo {
    constructor(audioData: Float32Array | number[], params?: MusicTempoParams);
    /** BPM as a decimal string (e.g. "120.000"), or -1 when no agent survived. */
    tempo: string | number;
    /** Beat times in seconds (frame index × timeStep). */
    beats: number[];
    beatInterval: number;
  }
}
