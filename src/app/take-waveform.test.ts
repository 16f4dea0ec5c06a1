import { describe, expect, it } from 'vitest';
import { waveformColumns } from './components/TakeWaveform.tsx';

describe('waveformColumns', () => {
  it('gives each pixel the min and max of its samples, silence flat', () => {
    const pcm = new Float32Array(1000);
    for (let i = 500; i < 600; i++) pcm[i] = i % 2 ? 0.5 : -0.25;
    const { min, max } = waveformColumns(pcm, 10);
    expect(Array.from(max)).toEqual([0, 0, 0, 0, 0, 0.5, 0, 0, 0, 0]);
    expect(Array.from(min)).toEqual([0, 0, 0, 0, 0, -0.25, 0, 0, 0, 0]);
  });
});
