// Developer panel (?dev=roundtrip): the autoencoder + vocoder round trip in the browser, for tests
// and listening. Not part of the creator's workflow.
import { useState } from 'react';
import { encodeWavPcm16 } from '../../core/audio/wav.ts';
import { decodeAudioFile, generateClient } from '../generate-client.ts';
import type { GenerateApi } from '../../workers/generate-api.ts';

type Result = GenerateApi['roundtrip']['result'];

declare global {
  interface Window {
    __vemRoundtrip?: { pcm: Float32Array; result: Omit<Result, 'pcm'> };
    /** Developer hook for the parity tests: run one model in the generate worker. */
    __vemRunModel?: (p: GenerateApi['runModel']['payload']) => Promise<GenerateApi['runModel']['result']>;
  }
}

window.__vemRunModel = (p) => generateClient().call('runModel', p);

export function DevRoundtrip() {
  const [ep, setEp] = useState<'webgpu' | 'wasm'>('wasm');
  const [vocoderOnly, setVocoderOnly] = useState(false);
  const [strict, setStrict] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [result, setResult] = useState<(Omit<Result, 'pcm'> & { url: string }) | null>(null);

  const run = async (file: File | undefined) => {
    if (!file) return;
    setBusy(true);
    setError(null);
    try {
      const pcm = await decodeAudioFile(file);
      const res = await generateClient().call(
        'roundtrip',
        { pcm, ep, vocoderOnly, strictGpu: strict },
        { transfer: [pcm.buffer] },
      );
      const { pcm: out, ...meta } = res;
      window.__vemRoundtrip = { pcm: out, result: meta };
      if (result) URL.revokeObjectURL(result.url);
      setResult({
        ...meta,
        url: URL.createObjectURL(
          new Blob([encodeWavPcm16(out, res.sampleRate) as Uint8Array<ArrayBuffer>], { type: 'audio/wav' }),
        ),
      });
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="global dev-panel">
      <h2>Developer: autoencoder round trip</h2>
      <div className="dev-controls">
        <select
          data-testid="roundtrip-ep"
          value={ep}
          onChange={(e) => setEp(e.currentTarget.value as 'webgpu' | 'wasm')}
        >
          <option value="wasm">WASM</option>
          <option value="webgpu">WebGPU</option>
        </select>
        <label>
          <input type="checkbox" checked={vocoderOnly} onChange={(e) => setVocoderOnly(e.currentTarget.checked)} />{' '}
          vocoder only
        </label>
        <label>
          <input
            type="checkbox"
            data-testid="roundtrip-strict"
            checked={strict}
            onChange={(e) => setStrict(e.currentTarget.checked)}
          />{' '}
          no CPU fallback
        </label>
        <input
          type="file"
          accept="audio/*"
          data-testid="roundtrip-input"
          disabled={busy}
          onChange={(e) => void run(e.currentTarget.files?.[0])}
        />
      </div>
      {busy && <div data-testid="roundtrip-busy">Running…</div>}
      {error && (
        <div className="error" data-testid="error-message">
          {error}
        </div>
      )}
      {result && (
        <div data-testid="roundtrip-result" data-duration-sec={result.durationSec.toFixed(4)}>
          <span data-testid="ep-badge">{result.ep}</span>
          {result.fallbackReason && <span> (fell back: {result.fallbackReason})</span>}
          <span>
            {' '}
            · {result.durationSec.toFixed(2)} s · mel {result.timings.melSec.toFixed(3)} s, encode{' '}
            {result.timings.encodeSec.toFixed(3)} s, decode {result.timings.decodeSec.toFixed(3)} s, vocoder{' '}
            {result.timings.vocoderSec.toFixed(3)} s
          </span>
          <audio controls src={result.url} />
        </div>
      )}
    </section>
  );
}
