import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeWav, encodeWavPcm16 } from './wav.ts';
import { LogMelExtractor, hzToMel, melToHz } from './mel.ts';
import { AUDIO } from '../constants.ts';

const PARITY_WAV = 'src/core/audio/testdata/parity.wav';
const PYTHON = 'training/.venv/bin/python';

describe('log-mel front end', () => {
  const mel = new LogMelExtractor();

  it('has floor(N / hop) + 1 frames and nMels rows', () => {
    const pcm = new Float32Array(16000);
    const out = mel.compute(pcm);
    expect(out.nMels).toBe(AUDIO.nMels);
    expect(out.frames).toBe(Math.floor(16000 / AUDIO.hopLength) + 1);
    // silence sits exactly at the log floor
    expect(out.data.every((v) => Math.abs(v - Math.log(AUDIO.logFloor)) < 1e-6)).toBe(true);
  });

  it('puts a 1 kHz sine in the mel band around 1 kHz', () => {
    const pcm = new Float32Array(16000).map((_, i) => 0.5 * Math.sin((2 * Math.PI * 1000 * i) / 16000));
    const out = mel.compute(pcm);
    const t = 30;
    let best = 0;
    for (let m = 1; m < out.nMels; m++) if (out.data[m * out.frames + t]! > out.data[best * out.frames + t]!) best = m;
    const melMax = hzToMel(AUDIO.fMax);
    const centreHz = melToHz((melMax * (best + 1)) / (AUDIO.nMels + 1));
    expect(Math.abs(centreHz - 1000)).toBeLessThan(120);
  });

  it('rejects audio shorter than half a window', () => {
    expect(() => mel.compute(new Float32Array(100))).toThrow(/too short/);
  });

  it('round-trips PCM16 WAV within quantisation', () => {
    const pcm = new Float32Array(1000).map((_, i) => Math.sin(i / 10) * 0.9);
    const back = decodeWav(encodeWavPcm16(pcm, 16000));
    expect(back.sampleRate).toBe(16000);
    expect(back.pcm.length).toBe(1000);
    for (let i = 0; i < 1000; i++) expect(Math.abs(back.pcm[i]! - pcm[i]!)).toBeLessThan(1 / 16000);
  });

  it('re-encodes a decoded PCM16 WAV byte for byte (a take reopened from storage keeps its samples)', () => {
    const pcm = new Float32Array(2000).map((_, i) => Math.sin(i / 7) * (i % 3 === 0 ? 1.2 : 0.99));
    const once = encodeWavPcm16(pcm, 16000);
    expect(encodeWavPcm16(decodeWav(once).pcm, 16000)).toEqual(once);
  });

  it.skipIf(!existsSync(PYTHON))('agrees with the Python front end within 1e-4', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vem-mel-'));
    const out = join(dir, 'py.f32');
    execFileSync(PYTHON, ['-m', 'vem_training.data.audio', PARITY_WAV, out], {
      cwd: '.',
      env: { ...process.env, PYTHONPATH: 'training' },
    });
    const py = new Float32Array(new Uint8Array(readFileSync(out)).buffer);
    const ts = mel.compute(decodeWav(readFileSync(PARITY_WAV)).pcm);
    expect(py.length).toBe(ts.data.length);
    let maxDiff = 0;
    for (let i = 0; i < py.length; i++) maxDiff = Math.max(maxDiff, Math.abs(py[i]! - ts.data[i]!));
    expect(maxDiff).toBeLessThan(1e-4);
  });
});
