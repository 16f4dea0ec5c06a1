// The one run layer over onnxruntime, shared by the browser backend (ort-web.ts) and the Node backend
// (ort-node.ts): runs go one at a time, feeds a model does not declare are dropped (an ablation variant
// without the rhythm path has no rhythm input), tensors are converted both ways, and a failed run is a
// ModelRunError that names the model, the tensors it was fed (name, dims, dtype) and where it ran.
// It imports no onnxruntime package: each backend hands in its session and its Tensor constructor.
import type { Tensor32 } from '../core/models/backend.ts';

/** Where a run happened: onnxruntime-node, or onnxruntime-web on its WASM or WebGPU provider. */
export type RunLocation = 'node' | 'wasm' | 'webgpu';

/** Session config entries every backend sets. `disable_quant_qdq`: the int8-stored weights
 *  (DequantizeLinear on an initializer, `export quantize`) are dequantized once when the session is created,
 *  so compute stays fp32 as with the fp16 files. Without it onnxruntime-node 1.30 fuses each
 *  DequantizeLinear → MatMul into MatMulNBits, which also quantizes the activations to int8: the int8 vocoder
 *  then differed from Python onnxruntime on the same file by 0.031 (max |Δ| on the parity input, 4× the
 *  file's own difference to PyTorch), the denoiser by 0.008. WASM and WebGPU did not fuse (≤ 1.1e-4). */
export const SESSION_CONFIG: Readonly<Record<string, string>> = { disable_quant_qdq: '1' };

/** Typed arrays a feed may hold, each with the onnxruntime dtype it is fed as. */
const DTYPES = [
  [Float32Array, 'float32'],
  [Float64Array, 'float64'],
  [Int32Array, 'int32'],
  [BigInt64Array, 'int64'],
  [Uint32Array, 'uint32'],
  [BigUint64Array, 'uint64'],
  [Int16Array, 'int16'],
  [Uint16Array, 'uint16'],
  [Int8Array, 'int8'],
  [Uint8Array, 'uint8'],
] as const;

export type FeedDtype = (typeof DTYPES)[number][1];
export type FeedData =
  | Float32Array
  | Float64Array
  | Int32Array
  | BigInt64Array
  | Uint32Array
  | BigUint64Array
  | Int16Array
  | Uint16Array
  | Int8Array
  | Uint8Array;

/** One input tensor; the core's Tensor32 is the float32 case. */
export interface FeedTensor {
  data: FeedData;
  dims: readonly number[];
}

/** One tensor handed to a model, as an error describes it. */
export interface FeedInfo {
  name: string;
  dims: number[];
  dtype: FeedDtype;
  /** The model's declared dtype for this input, where it differs from `dtype`. */
  declared?: string;
}

export function dtypeOf(data: FeedData): FeedDtype {
  for (const [ctor, name] of DTYPES) if (data instanceof ctor) return name;
  throw new TypeError(`unsupported feed type ${Object.prototype.toString.call(data)}`);
}

/** "name[1×64×160] float32, …" */
export function describeFeeds(feeds: readonly FeedInfo[]): string {
  if (feeds.length === 0) return 'no inputs';
  return feeds
    .map((f) => `${f.name}[${f.dims.join('×')}] ${f.dtype}${f.declared ? ` (the model declares ${f.declared})` : ''}`)
    .join(', ');
}

/** A model run that failed: which model, on what tensors, where, and the runtime's own message. */
export class ModelRunError extends Error {
  override name = 'ModelRunError';
  constructor(
    readonly model: string,
    readonly feeds: readonly FeedInfo[],
    readonly where: RunLocation,
    readonly reason: string,
    /** Offered feeds the model does not declare (not fed). */
    readonly dropped: readonly string[] = [],
  ) {
    const skipped = dropped.length ? `; not declared by the model, so not fed: ${dropped.join(', ')}` : '';
    super(`${model} failed on ${where} with ${describeFeeds(feeds)}${skipped}: ${reason}`);
  }
}

const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** Runs go one at a time through one promise chain (WebGPU sessions must not run concurrently; the Node
 *  backend keeps the same order). A failed task does not stop the ones queued after it. */
export class RunQueue {
  private tail: Promise<unknown> = Promise.resolve();

  enqueue<T>(task: () => Promise<T>): Promise<T> {
    const next = this.tail.then(task);
    this.tail = next.catch(() => undefined);
    return next;
  }
}

/** What the layer reads of an onnxruntime tensor (web or node). */
export interface OrtTensorLike {
  readonly type: string;
  readonly dims: readonly number[];
  readonly data: unknown;
  readonly location?: string;
  getData?(): Promise<unknown>;
}

/** What the layer uses of an onnxruntime InferenceSession (web or node). */
export interface OrtSessionLike<T> {
  readonly inputNames: readonly string[];
  readonly inputMetadata?: readonly { name: string; isTensor: boolean; type?: string }[];
  run(feeds: Record<string, T>): Promise<Record<string, OrtTensorLike>>;
}

/** The backend's Tensor constructor: `(type, data, dims) => new ort.Tensor(type, data, dims)`. */
export type MakeTensor<T> = (type: FeedDtype, data: FeedData, dims: readonly number[]) => T;

/** The feeds a session declares, described (dtype from the data, the declared dtype where it differs),
 *  and the names of the others. */
export function declaredFeeds<T>(
  session: OrtSessionLike<T>,
  feeds: Record<string, FeedTensor>,
): { info: FeedInfo[]; dropped: string[] } {
  const declared = new Map<string, string | undefined>();
  for (const n of session.inputNames) declared.set(n, undefined);
  for (const m of session.inputMetadata ?? []) if (m.isTensor && declared.has(m.name)) declared.set(m.name, m.type);
  const info: FeedInfo[] = [];
  const dropped: string[] = [];
  for (const [name, v] of Object.entries(feeds)) {
    if (!declared.has(name)) {
      dropped.push(name);
      continue;
    }
    const dtype = dtypeOf(v.data);
    const want = declared.get(name);
    info.push({ name, dims: [...v.dims], dtype, ...(want && want !== dtype ? { declared: want } : {}) });
  }
  return { info, dropped };
}

/** One run of a session: declared feeds in, float32 outputs back on the CPU (GPU-resident outputs are
 *  read back), every failure a ModelRunError. Not queued: call it inside a RunQueue task. */
export async function runSession<T>(
  session: OrtSessionLike<T>,
  model: string,
  feeds: Record<string, FeedTensor>,
  where: RunLocation,
  makeTensor: MakeTensor<T>,
): Promise<Record<string, Tensor32>> {
  const { info, dropped } = declaredFeeds(session, feeds);
  try {
    const inputs: Record<string, T> = {};
    for (const f of info) inputs[f.name] = makeTensor(f.dtype, feeds[f.name]!.data, feeds[f.name]!.dims);
    const out = await session.run(inputs);
    const res: Record<string, Tensor32> = {};
    for (const [k, v] of Object.entries(out)) {
      if (v.type !== 'float32') throw new Error(`output ${k} is ${v.type}, expected float32`);
      const data = v.location === undefined || v.location === 'cpu' ? v.data : await v.getData!();
      res[k] = { data: data as Float32Array, dims: [...v.dims] };
    }
    return res;
  } catch (err) {
    throw new ModelRunError(model, info, where, messageOf(err), dropped);
  }
}
