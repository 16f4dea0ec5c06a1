// WAV encode/decode (RIFF PCM 16-bit and IEEE float 32-bit, any channel count → mono on decode).

export class WavError extends Error {
  override name = 'WavError';
}

export interface DecodedWav {
  sampleRate: number;
  channels: number;
  /** Mono mix, float32 in [-1, 1]. */
  pcm: Float32Array;
}

function fourcc(view: DataView, offset: number): string {
  return String.fromCharCode(
    view.getUint8(offset),
    view.getUint8(offset + 1),
    view.getUint8(offset + 2),
    view.getUint8(offset + 3),
  );
}

export function decodeWav(bytes: Uint8Array): DecodedWav {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < 12 || fourcc(view, 0) !== 'RIFF' || fourcc(view, 8) !== 'WAVE') {
    throw new WavError('Not a WAV file (no RIFF/WAVE header)');
  }
  let offset = 12;
  let format = 0,
    channels = 0,
    sampleRate = 0,
    bits = 0;
  let data: DataView | null = null;
  while (offset + 8 <= bytes.byteLength) {
    const id = fourcc(view, offset);
    const size = view.getUint32(offset + 4, true);
    const body = offset + 8;
    if (id === 'fmt ') {
      format = view.getUint16(body, true);
      channels = view.getUint16(body + 2, true);
      sampleRate = view.getUint32(body + 4, true);
      bits = view.getUint16(body + 14, true);
      if (format === 0xfffe && size >= 26) format = view.getUint16(body + 24, true);
    } else if (id === 'data') {
      const len = Math.min(size, bytes.byteLength - body);
      data = new DataView(bytes.buffer, bytes.byteOffset + body, len);
    }
    offset = body + size + (size % 2);
  }
  if (!data || channels === 0) throw new WavError('WAV file has no fmt or data chunk');
  const bytesPerSample = bits / 8;
  const frames = Math.floor(data.byteLength / (bytesPerSample * channels));
  const pcm = new Float32Array(frames);
  for (let i = 0; i < frames; i++) {
    let acc = 0;
    for (let c = 0; c < channels; c++) {
      const at = (i * channels + c) * bytesPerSample;
      if (format === 1 && bits === 16) acc += data.getInt16(at, true) / 32768;
      else if (format === 3 && bits === 32) acc += data.getFloat32(at, true);
      else throw new WavError(`Unsupported WAV encoding (format ${format}, ${bits} bit)`);
    }
    pcm[i] = acc / channels;
  }
  return { sampleRate, channels, pcm };
}

/** Mono 16-bit PCM WAV. Samples are clipped to [-1, 1]. */
export function encodeWavPcm16(pcm: Float32Array, sampleRate: number): Uint8Array {
  const dataBytes = pcm.length * 2;
  const out = new Uint8Array(44 + dataBytes);
  const view = new DataView(out.buffer);
  const put = (offset: number, s: string) => {
    for (let i = 0; i < 4; i++) view.setUint8(offset + i, s.charCodeAt(i));
  };
  put(0, 'RIFF');
  view.setUint32(4, 36 + dataBytes, true);
  put(8, 'WAVE');
  put(12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true);
  view.setUint16(22, 1, true);
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * 2, true);
  view.setUint16(32, 2, true);
  view.setUint16(34, 16, true);
  put(36, 'data');
  view.setUint32(40, dataBytes, true);
  for (let i = 0; i < pcm.length; i++) {
    const s = Math.max(-1, Math.min(1, pcm[i]!));
    // the same scale as decodeWav (k / 32768), so decoding and re-encoding a take is lossless
    view.setInt16(44 + i * 2, Math.min(32767, Math.round(s * 32768)), true);
  }
  return out;
}
