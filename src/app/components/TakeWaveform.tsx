// The active take's waveform under the timeline, on the same time axis (the timeline's wavesurfer
// instance plays the video element, so it has no audio of its own to draw).
import { useEffect, useRef } from 'react';
import { decodeWav } from '../../core/audio/wav.ts';

/** Min/max of the samples that fall on each of `columns` pixels. */
export function waveformColumns(pcm: Float32Array, columns: number): { min: Float32Array; max: Float32Array } {
  const min = new Float32Array(columns),
    max = new Float32Array(columns);
  const per = pcm.length / columns;
  for (let c = 0; c < columns; c++) {
    let lo = 0,
      hi = 0;
    for (let i = Math.floor(c * per), end = Math.min(pcm.length, Math.floor((c + 1) * per)); i < end; i++) {
      const v = pcm[i]!;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    min[c] = lo;
    max[c] = hi;
  }
  return { min, max };
}

export function TakeWaveform({
  url,
  videoDurationSec,
  zoom = 1,
}: {
  url: string;
  videoDurationSec: number;
  zoom?: number;
}) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    let live = true;
    void fetch(url)
      .then((r) => r.arrayBuffer())
      .then((buf) => {
        const el = canvas.current;
        if (!live || !el) return;
        const { pcm, sampleRate } = decodeWav(new Uint8Array(buf));
        const width = el.clientWidth * devicePixelRatio,
          height = el.clientHeight * devicePixelRatio;
        el.width = width;
        el.height = height;
        const ctx = el.getContext('2d');
        if (!ctx) return;
        // the take is as long as the video; columns follow the video's time axis
        const cols = Math.max(1, Math.round(width * Math.min(1, pcm.length / sampleRate / videoDurationSec)));
        const { min, max } = waveformColumns(pcm, cols);
        ctx.clearRect(0, 0, width, height);
        ctx.fillStyle = '#5e81f4';
        const mid = height / 2;
        for (let c = 0; c < cols; c++) ctx.fillRect(c, mid - max[c]! * mid, 1, Math.max(1, (max[c]! - min[c]!) * mid));
      })
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [url, videoDurationSec, zoom]);
  return (
    <canvas ref={canvas} className="take-wave" data-testid="take-waveform" aria-label="waveform of the active take" />
  );
}
