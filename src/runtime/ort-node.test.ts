// onnxruntime-node against PyTorch on the same input, for every shipped model with a parity fixture;
// the shared run layer on a real session (undeclared feeds dropped, a failed run named); and the sha256
// check refusing a corrupt file.
import { describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NodeBackend } from './ort-node.ts';
import { ModelRunError } from './ort-run.ts';
import { decodeF32, maxAbsDiff, type ParityFixture } from './parity-fixtures.ts';

const FIXTURES = 'e2e/fixtures/parity';
const fixtures = readdirSync(FIXTURES)
  .filter((f) => f.endsWith('.json'))
  .map((f) => JSON.parse(readFileSync(join(FIXTURES, f), 'utf8')) as ParityFixture);

describe('onnxruntime-node vs PyTorch', () => {
  it('has a parity fixture for every model in the manifest', () => {
    const manifest = JSON.parse(readFileSync('public/models/manifest.json', 'utf8')) as {
      models: Record<string, unknown>;
    };
    expect(Object.keys(manifest.models).sort()).toEqual(fixtures.map((f) => f.model).sort());
  });

  for (const fx of fixtures) {
    it(`${fx.model} matches PyTorch within ${fx.tolerance.toExponential(1)}`, async () => {
      const backend = new NodeBackend('public/models');
      const feeds = Object.fromEntries(
        Object.entries(fx.inputs).map(([k, v]) => [k, { data: decodeF32(v.b64), dims: v.dims }]),
      );
      const out = await backend.run(fx.model, feeds);
      for (const [k, exp] of Object.entries(fx.expected)) {
        expect(out[k]!.dims).toEqual(exp.dims);
        expect(maxAbsDiff(out[k]!.data, decodeF32(exp.b64))).toBeLessThanOrEqual(fx.tolerance);
      }
      await backend.dispose();
    });
    if (fx.reference) {
      const ref = fx.reference;
      it(`${fx.model} matches Python onnxruntime on the same file within ${ref.tolerance.toExponential(1)}`, async () => {
        const backend = new NodeBackend('public/models');
        expect(
          ref.sha256,
          `the fixture's reference is for another ${fx.model} file: run the export, then export quantize`,
        ).toBe(backend.manifest.models[fx.model]!.sha256);
        const feeds = Object.fromEntries(
          Object.entries(fx.inputs).map(([k, v]) => [k, { data: decodeF32(v.b64), dims: v.dims }]),
        );
        const out = await backend.run(fx.model, feeds);
        for (const [k, exp] of Object.entries(ref.expected)) {
          expect(maxAbsDiff(out[k]!.data, decodeF32(exp.b64))).toBeLessThanOrEqual(ref.tolerance);
        }
        await backend.dispose();
      });
    }
  }

  it('drops a feed the model does not declare, and names model, feeds and runtime when a run fails', async () => {
    const fx = fixtures.find((f) => f.model === 'vocoder') ?? fixtures[0]!;
    const backend = new NodeBackend('public/models');
    const feeds = Object.fromEntries(
      Object.entries(fx.inputs).map(([k, v]) => [k, { data: decodeF32(v.b64), dims: v.dims }]),
    );
    const plain = await backend.run(fx.model, feeds);
    const withExtra = await backend.run(fx.model, { ...feeds, not_an_input: { data: new Float32Array(3), dims: [3] } });
    for (const k of Object.keys(plain)) expect(withExtra[k]!.data).toEqual(plain[k]!.data);
    // the first input with its last axis cut short and an int32 copy of it: the model refuses both
    const [name, t] = Object.entries(feeds)[0]!;
    const dims = [...t.dims.slice(0, -1), 1];
    const n = dims.reduce((a, b) => a * b, 1);
    const bad = backend.run(fx.model, { ...feeds, [name]: { data: new Int32Array(n), dims } });
    const err = await bad.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelRunError);
    expect(err).toMatchObject({ name: 'ModelRunError', model: fx.model, where: 'node' });
    expect((err as Error).message).toContain(
      `${fx.model} failed on node with ${name}[${dims.join('×')}] int32 (the model declares float32)`,
    );
    await backend.dispose();
  });

  it('refuses a model file whose sha256 does not match the manifest', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vem-models-'));
    cpSync('public/models', dir, { recursive: true });
    const name = fixtures[0]!.model;
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as {
      models: Record<string, { file: string }>;
    };
    const file = join(dir, manifest.models[name]!.file);
    const bytes = readFileSync(file);
    bytes[bytes.length - 10] = bytes[bytes.length - 10]! ^ 0xff;
    writeFileSync(file, bytes);
    const backend = new NodeBackend(dir);
    const fx = fixtures[0]!;
    const feeds = Object.fromEntries(
      Object.entries(fx.inputs).map(([k, v]) => [k, { data: decodeF32(v.b64), dims: v.dims }]),
    );
    await expect(backend.run(name, feeds)).rejects.toThrow(/corrupt or out of date/);
  });
});
