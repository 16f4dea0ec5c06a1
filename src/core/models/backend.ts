// What the core needs from an inference runtime. Implemented by src/runtime/ort-node.ts (CLI) and
// src/runtime/ort-web.ts (browser); nothing else touches onnxruntime.

export interface Tensor32 {
  data: Float32Array;
  dims: number[];
}

export interface InferenceBackend {
  /** 'webgpu' | 'wasm' | 'cpu' — the execution provider that actually runs. */
  readonly ep: string;
  /** The manifest the models were loaded against (sha256, shapes, training info, latent statistics). */
  readonly manifest?: { models: Record<string, unknown> };
  run(model: string, feeds: Record<string, Tensor32>): Promise<Record<string, Tensor32>>;
  dispose(): Promise<void>;
}
