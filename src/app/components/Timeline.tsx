// wavesurfer.js timeline driven by the video element: storyboards as regions, transitions as markers.
// The video has no waveform to show yet (the soundtrack comes later), so wavesurfer gets a flat
// placeholder of the right duration instead of decoding the video's audio.
import { useEffect, useRef, useState, type RefObject } from 'react';
import WaveSurfer from 'wavesurfer.js';
import RegionsPlugin from 'wavesurfer.js/dist/plugins/regions.esm.js';
import TimelinePlugin from 'wavesurfer.js/dist/plugins/timeline.esm.js';
import { useStudio } from '../store.ts';
import { TakeWaveform } from './TakeWaveform.tsx';

const COLORS = ['rgba(94, 129, 244, 0.22)', 'rgba(244, 162, 94, 0.22)'];

export function Timeline({ videoRef }: { videoRef: RefObject<HTMLVideoElement | null> }) {
  const container = useRef<HTMLDivElement>(null);
  const video = useStudio((s) => s.video);
  const storyboards = useStudio((s) => s.storyboards);
  const transitions = useStudio((s) => s.transitions);
  const selected = useStudio((s) => s.selected);
  const regionsRef = useRef<RegionsPlugin | null>(null);
  const wsRef = useRef<WaveSurfer | null>(null);
  // regions are laid out from wavesurfer's duration: add them only once it is known (the video element
  // may not have its metadata when the timeline is created), and again whenever wavesurfer says ready
  const [layoutKey, setLayoutKey] = useState(0);
  const take = useStudio((s) => s.takes.find((t) => t.id === s.activeTake) ?? null);

  useEffect(() => {
    const media = videoRef.current;
    if (!container.current || !media || !video) return;
    const regions = RegionsPlugin.create();
    const ws = WaveSurfer.create({
      container: container.current,
      media,
      peaks: [new Float32Array(2)],
      duration: video.durationSec,
      height: 72,
      waveColor: '#c9cfe0',
      progressColor: '#8f9bc4',
      cursorColor: '#e4572e',
      plugins: [regions, TimelinePlugin.create({ height: 18 })],
    });
    regionsRef.current = regions;
    wsRef.current = ws;
    const relayout = () => setLayoutKey((k) => k + 1);
    ws.on('ready', relayout);
    media.addEventListener('loadedmetadata', relayout);
    regions.on('region-clicked', (region, e) => {
      e.stopPropagation();
      media.currentTime = region.start;
      const idx = Number(region.id.replace('sb-', ''));
      if (region.id.startsWith('sb-')) useStudio.getState().select(idx);
    });
    return () => {
      media.removeEventListener('loadedmetadata', relayout);
      regionsRef.current = null;
      wsRef.current = null;
      ws.destroy();
    };
  }, [video, videoRef]);

  useEffect(() => {
    const regions = regionsRef.current;
    const duration = wsRef.current?.getDuration() ?? 0;
    if (!regions || !video || !(duration > 0 && Number.isFinite(duration))) return;
    regions.clearRegions();
    storyboards.forEach((sb, i) => {
      const r = regions.addRegion({
        id: `sb-${i}`, start: sb.startSec, end: sb.startSec + sb.durSec, drag: false, resize: false,
        color: selected === i ? 'rgba(94, 129, 244, 0.45)' : COLORS[i % 2]!, content: `#${i + 1}`,
      });
      r.element?.setAttribute('data-testid', 'storyboard');
      r.element?.setAttribute('data-start-sec', sb.startSec.toFixed(3));
      r.element?.setAttribute('data-dur-sec', sb.durSec.toFixed(3));
    });
    transitions.forEach((t, i) => {
      const r = regions.addRegion({ id: `tr-${i}`, start: t.timeSec, drag: false, resize: false, color: t.kind === 'cut' ? '#e4572e' : '#9b5de5' });
      r.element?.setAttribute('data-testid', 'transition');
      r.element?.setAttribute('data-time-sec', t.timeSec.toFixed(3));
      r.element?.setAttribute('data-kind', t.kind);
      const hit = take ? take.hits[i] === true : null;
      if (hit !== null) r.element?.setAttribute('data-hit', String(hit));
      if (hit && r.element) r.element.style.boxShadow = '0 0 0 2px #1b998b'; // a cut a beat landed on
      r.element?.setAttribute('title', `${t.kind} at ${t.timeSec.toFixed(2)} s (score ${t.score.toFixed(2)})${hit === null ? '' : hit ? ', hit by a beat' : ', no beat within 70 ms'}`);
    });
    if (take) {
      // beats are short ticks (planned: along the bottom, heard in the take: along the top) so that cuts
      // and labels stay readable; when they would sit closer than 4 px only every 4th is drawn (bars)
      const pxPerSec = (container.current?.clientWidth ?? 800) / duration;
      const stride = (beats: number[]) => (beats.length > 1 && ((beats[beats.length - 1]! - beats[0]!) / (beats.length - 1)) * pxPerSec < 4 ? 4 : 1);
      const tick = (el: HTMLElement | null | undefined, where: 'top' | 'bottom', strong: boolean) => {
        if (!el) return;
        el.style.height = strong ? '30%' : '18%';
        el.style.top = where === 'top' ? '0' : 'auto';
        el.style.bottom = where === 'bottom' ? '0' : 'auto';
      };
      const ps = stride(take.plannedBeatsSec);
      take.plannedBeatsSec.forEach((b, i) => {
        const r = regions.addRegion({ id: `pb-${i}`, start: b, drag: false, resize: false, color: 'rgba(46, 196, 182, 0.8)' });
        r.element?.setAttribute('data-testid', 'planned-beat');
        r.element?.setAttribute('data-time-sec', b.toFixed(3));
        tick(r.element, 'bottom', i % 4 === 0);
        if (i % ps !== 0 && r.element) r.element.style.display = 'none';
      });
      const bs = stride(take.beatsSec);
      take.beatsSec.forEach((b, i) => {
        const r = regions.addRegion({ id: `bt-${i}`, start: b, drag: false, resize: false, color: '#1b998b' });
        r.element?.setAttribute('data-testid', 'beat');
        r.element?.setAttribute('data-time-sec', b.toFixed(3));
        tick(r.element, 'top', false);
        if (i % bs !== 0 && r.element) r.element.style.display = 'none';
      });
    }
  }, [storyboards, transitions, selected, video, take, layoutKey]);

  return (
    <section className="timeline">
      <h2>Timeline <small>click a storyboard to seek</small></h2>
      <p className="legend" data-testid="timeline-legend">
        <span className="cut">| cut</span> <span className="gradual">| gradual transition</span>
        <span className="beat-key">╷ planned beat (bottom)</span> <span className="beat-key">╵ beat heard in the take (top)</span>
        <span className="hit-key">▯ cut that lands on a beat</span>
      </p>
      <div ref={container} data-testid="timeline" />
      {take && video && <div className="take-wave-lane"><TakeWaveform url={take.url} videoDurationSec={video.durationSec} /></div>}
    </section>
  );
}
