// Reads the parity fixtures written by the training export (e2e/fixtures/parity/<model>.json): one
// input and PyTorch's fp32 output per model; for an int8 file (`export quantize`) also `reference`,
// Python onnxruntime's output for that very file (by sha256), held to the tighter tolerance the fp16 file
// had against PyTorch.
export interface ParityFixture {
  model: string;
  tolerance: number;
  inputs: Record<string, { dims: number[]; b64: string }>;
  expected: Record<string, { dims: number[]; b64: string }>;
  reference?: {
    runtime: string;
    sha256: string;
    tolerance: number;
    expected: Record<string, { dims: number[]; b64: string }>;
  };
}

export function decodeF32(b64: string): Float32Array {
  const bin = atob(b64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return new Float32Array(bytes.buffer);
}

export function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}
