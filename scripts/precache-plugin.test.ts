// The service worker's precache list: every file of the build except the worker itself, its list, and
// the models the studio never loads.
import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { precacheList } from './precache-plugin.ts';
import { STUDIO_MODELS } from '../src/core/models/manifest.ts';

describe('precacheList', () => {
  it('lists the build with the models the studio loads, and leaves out the VAE encoder', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vem-precache-'));
    try {
      mkdirSync(join(dir, 'models'));
      mkdirSync(join(dir, 'assets'));
      for (const f of ['index.html', 'sw.js', 'precache.json', 'assets/a.js', 'models/manifest.json'])
        writeFileSync(join(dir, f), f);
      for (const m of ['denoiser', 'vae_decoder', 'vae_encoder', 'vocoder', 'aligner'])
        writeFileSync(join(dir, 'models', `${m}.onnx`), 'x'.repeat(10));
      const list = precacheList(dir);
      expect(list.files).toEqual([
        'assets/a.js',
        'index.html',
        'models/aligner.onnx',
        'models/denoiser.onnx',
        'models/manifest.json',
        'models/vae_decoder.onnx',
        'models/vocoder.onnx',
      ]);
      expect(list.bytes).toBe(4 * 10 + 'assets/a.js'.length + 'index.html'.length + 'models/manifest.json'.length);
      writeFileSync(join(dir, 'models', 'vae_encoder.onnx'), 'changed');
      expect(precacheList(dir).version).toBe(list.version); // a file left out does not change the version
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('leaves out no model that the studio preloads', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vem-precache-'));
    try {
      mkdirSync(join(dir, 'models'));
      for (const m of [...STUDIO_MODELS, 'vae_encoder']) writeFileSync(join(dir, 'models', `${m}.onnx`), m);
      const preloaded = STUDIO_MODELS.map((m) => `models/${m}.onnx`);
      expect(preloaded).toContain('models/denoiser.onnx');
      expect(precacheList(dir).files).toEqual(preloaded);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
