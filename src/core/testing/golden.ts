// Golden values of the take tests: hashes of takes made with the models in public/models, recorded per
// set of models (the manifest's sha256s), so that a change of the pipeline code that alters a take with
// the same models fails, while a new export of the models asks for a deliberate re-record:
//   VEM_RECORD_GOLDEN=1 npx vitest run --no-file-parallelism src/core/pipelines/take.test.ts \
//     src/app/take-request.test.ts src/cli/cli.test.ts
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { expect } from 'vitest';

const FILE = 'src/core/testing/golden-takes.json';

/** The shipped models as one key: the first 16 hex of the sha256 over "name:sha256" lines, sorted. */
export function modelsKey(dir = 'public/models'): string {
  const man = JSON.parse(readFileSync(`${dir}/manifest.json`, 'utf8')) as {
    models: Record<string, { sha256: string }>;
  };
  const lines = Object.entries(man.models)
    .map(([k, v]) => `${k}:${v.sha256}`)
    .sort()
    .join('\n');
  return createHash('sha256').update(lines).digest('hex').slice(0, 16);
}

export function expectGolden(name: string, value: string): void {
  const key = modelsKey();
  const all = (existsSync(FILE) ? JSON.parse(readFileSync(FILE, 'utf8')) : {}) as Record<
    string,
    Record<string, string>
  >;
  if (process.env.VEM_RECORD_GOLDEN === '1') {
    // only the current models' values are kept
    writeFileSync(FILE, JSON.stringify({ [key]: { ...all[key], [name]: value } }, null, 1) + '\n');
    return;
  }
  const want = all[key]?.[name];
  if (want === undefined) {
    throw new Error(
      `no golden value "${name}" for the models in public/models (${key}); after checking what changed, ` +
        'record them: VEM_RECORD_GOLDEN=1 npx vitest run --no-file-parallelism src/core/pipelines/take.test.ts ' +
        'src/app/take-request.test.ts src/cli/cli.test.ts',
    );
  }
  expect(value, name).toBe(want);
}
