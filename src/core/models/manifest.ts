// The model manifest (public/models/manifest.json, docs/architecture.md §5) and the checks made before a model
// file is handed to onnxruntime.

/** The models the studio loads (the generate worker preloads them once the parse is on screen). The VAE
 *  encoder is not among them: it serves the developer round-trip page (`?dev=roundtrip`) and the CLI. The
 *  service worker precaches these and no other model (scripts/precache-plugin.ts). */
export const STUDIO_MODELS = ['aligner', 'denoiser', 'vae_decoder', 'vocoder'] as const;

export interface TensorSpec {
  name: string;
  dtype: string;
  shape: (number | string)[];
}

export interface ModelEntry {
  file: string;
  bytes: number;
  sha256: string;
  opset: number;
  precision: string;
  inputs: TensorSpec[];
  outputs: TensorSpec[];
  training?: { steps: number | Record<string, number>; hours: number; data: string; date: string; command?: string };
  metrics?: Record<string, unknown>;
  fp16MaxAbsDiff?: number;
}

export interface Manifest {
  version: number;
  models: Record<string, ModelEntry>;
}

export class ModelFileError extends Error {
  override name = 'ModelFileError';
}

export function parseManifest(json: unknown): Manifest {
  const m = json as Partial<Manifest> | null;
  if (!m || typeof m !== 'object' || typeof m.models !== 'object' || m.models === null) {
    throw new ModelFileError('The model manifest is missing or malformed (public/models/manifest.json).');
  }
  return m as Manifest;
}

export function modelEntry(manifest: Manifest, name: string): ModelEntry {
  const e = manifest.models[name];
  if (!e) throw new ModelFileError(`The model "${name}" is not in the manifest. Run the training export for it.`);
  return e;
}

export function toHex(digest: ArrayBuffer): string {
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** SHA-256 through WebCrypto (browser and Node 20 both have crypto.subtle). */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  return toHex(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
}

export async function verifyModelBytes(name: string, entry: ModelEntry, bytes: Uint8Array): Promise<void> {
  if (bytes.byteLength === 0) throw new ModelFileError(`The model file ${entry.file} is empty or missing.`);
  const head = new TextDecoder().decode(bytes.subarray(0, 64)).trimStart().toLowerCase();
  if (head.startsWith('<!doctype') || head.startsWith('<html')) {
    throw new ModelFileError(`The model file ${entry.file} is missing (the server answered with a web page).`);
  }
  const hex = await sha256Hex(bytes);
  if (hex !== entry.sha256) {
    throw new ModelFileError(
      `The model file ${entry.file} (${name}) is corrupt or out of date: sha256 ${hex.slice(0, 12)}… does not match the manifest's ${entry.sha256.slice(0, 12)}…. Reload, or rebuild the models.`,
    );
  }
}
