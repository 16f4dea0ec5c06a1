// wavesurfer.js timeline driven by the video element: storyboards as regions, transitions as markers,
// the plan's beats as ticks, the creator's hit points as draggable markers, the active take's waveform
// in a lane under it. wavesurfer gets a flat placeholder of the video's duration (it plays the video
// element, which has no soundtrack of ours to draw). Zoom widens both lanes inside one scroll box: the
// − / + buttons, or ctrl/⌘ + wheel and pinch around the pointer.
import { useEffect, useLayoutEffect, useRef, useState, type RefObject } from 'react';
import WaveSurfer from 'wavesurfer.js';
import RegionsPlugin from 'wavesurfer.js/dist/plugins/regions.esm.js';
import TimelinePlugin from 'wavesurfer.js/dist/plugins/timeline.esm.js';
import { useStudio } from '../store.ts';
import { useCurrentPlan } from '../use-plan.ts';
import { TakeWaveform } from './TakeWaveform.tsx';
import { MarkerBar, type MarkerRef } from './MarkerBar.tsx';

const COLORS = ['rgba(94, 129, 244, 0.22)', 'rgba(244, 162, 94, 0.22)'];
/** Zoom factors of the lane (16× keeps the take's canvas under the browser's 32k px limit). */
export const ZOOMS = [1, 2, 4, 8, 16] as const;

/** Wheel delta (px) that makes one zoom step: one mouse-wheel notch, or a short trackpad pinch. */
const WHEEL_STEP_PX = 40;

/** The zoom after a ctrl/⌘ + wheel (or pinch) of `deltaY` accumulated px: one ZOOMS step per
 *  WHEEL_STEP_PX, up (wheel away, pinch out: negative delta) zooms in; returns the new zoom and the
 *  delta left over. */
export function wheelZoom(zoom: number, accumulated: number): { zoom: number; rest: number } {
  const steps = Math.trunc(accumulated / WHEEL_STEP_PX);
  if (steps === 0) return { zoom, rest: accumulated };
  const i = Math.max(0, ZOOMS.indexOf(zoom as (typeof ZOOMS)[number]));
  const j = Math.min(ZOOMS.length - 1, Math.max(0, i - steps));
  return { zoom: ZOOMS[j]!, rest: 0 };
}

/** Draw every `stride`-th beat so that drawn beats stay ≥ 4 px apart (bars first: 4, then 16). */
export function beatStride(beats: readonly number[], pxPerSec: number): number {
  if (beats.length < 2) return 1;
  const gapPx = ((beats[beats.length - 1]! - beats[0]!) / (beats.length - 1)) * pxPerSec;
  return gapPx >= 4 ? 1 : gapPx * 4 >= 4 ? 4 : 16;
}

export function Timeline({ videoRef }: { videoRef: RefObject<HTMLVideoElement | null> }) {
  const container = useRef<HTMLDivElement>(null);
  const scroller = useRef<HTMLDivElement>(null);
  const video = useStudio((s) => s.video);
  const storyboards = useStudio((s) => s.storyboards);
  const transitions = useStudio((s) => s.transitions);
  const selected = useStudio((s) => s.selected);
  const planEdits = useStudio((s) => s.planEdits);
  const take = useStudio((s) => s.takes.find((t) => t.id === s.activeTake) ?? null);
  const regionsRef = useRef<RegionsPlugin | null>(null);
  const wsRef = useRef<WaveSurfer | null>(null);
  // regions are laid out from wavesurfer's duration: add them only once it is known (the video element
  // may not have its metadata when the timeline is created), and again whenever wavesurfer says ready
  const [layoutKey, setLayoutKey] = useState(0);
  const [zoom, setZoom] = useState<number>(1);
  const [marker, setMarker] = useState<MarkerRef | null>(null);
  // a wheel zoom keeps the moment under the pointer where it is: its share of the lane and its x in the box
  const anchor = useRef<{ frac: number; px: number } | null>(null);
  const wheelAcc = useRef(0);
  // the plan the next Generate uses, with the creator's edits: it follows every edit at once
  const plan = useCurrentPlan();

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
      dragToSeek: false,
      plugins: [regions, TimelinePlugin.create({ height: 18 })],
    });
    regionsRef.current = regions;
    wsRef.current = ws;
    const relayout = () => setLayoutKey((k) => k + 1);
    ws.on('ready', relayout);
    media.addEventListener('loadedmetadata', relayout);
    // double-click on the lane: a hit point there
    ws.on('dblclick', (relX) => {
      const i = useStudio.getState().addHitPoint(relX * ws.getDuration());
      if (i >= 0) setMarker({ kind: 'hit', index: i });
    });
    regions.on('region-clicked', (region, e) => {
      e.stopPropagation();
      media.currentTime = region.start;
      const [kind, idx] = [region.id.slice(0, 3), Number(region.id.slice(3))];
      if (kind === 'sb-') useStudio.getState().select(idx);
      if (kind === 'tr-') setMarker({ kind: 'cut', index: idx });
      if (kind === 'hp-') setMarker({ kind: 'hit', index: idx });
    });
    regions.on('region-updated', (region) => {
      if (!region.id.startsWith('hp-')) return;
      const idx = Number(region.id.slice(3));
      useStudio.getState().moveHitPoint(idx, region.start);
      const now = useStudio.getState().planEdits.hitPointsSec;
      const at = now.findIndex((h) => Math.abs(h - region.start) < 2e-3);
      setMarker(at >= 0 ? { kind: 'hit', index: at } : null);
    });
    // the playhead stays in view while the video plays (zoomed in, the lane scrolls with it)
    const follow = () => {
      const sc = scroller.current,
        d = ws.getDuration();
      if (!sc || !(d > 0) || sc.scrollWidth <= sc.clientWidth + 1) return;
      const x = (media.currentTime / d) * sc.scrollWidth;
      if (x < sc.scrollLeft || x > sc.scrollLeft + sc.clientWidth - 8)
        sc.scrollLeft = Math.max(0, x - 0.1 * sc.clientWidth);
    };
    media.addEventListener('timeupdate', follow);
    return () => {
      media.removeEventListener('loadedmetadata', relayout);
      media.removeEventListener('timeupdate', follow);
      regionsRef.current = null;
      wsRef.current = null;
      ws.destroy();
    };
  }, [video, videoRef]);

  // ctrl/⌘ + wheel, and a trackpad pinch (which the browser sends as ctrl + wheel), zoom around the pointer;
  // a plain wheel still scrolls the page and shift + wheel the lane
  useEffect(() => {
    const sc = scroller.current;
    if (!sc) return;
    const onWheel = (e: WheelEvent) => {
      if (!(e.ctrlKey || e.metaKey)) return;
      e.preventDefault();
      const px = e.deltaMode === 1 ? e.deltaY * 16 : e.deltaY;
      if (Math.sign(px) !== Math.sign(wheelAcc.current)) wheelAcc.current = 0;
      wheelAcc.current += px;
      setZoom((z) => {
        const { zoom: next, rest } = wheelZoom(z, wheelAcc.current);
        wheelAcc.current = rest;
        if (next !== z) {
          const x = e.clientX - sc.getBoundingClientRect().left;
          anchor.current = { frac: (sc.scrollLeft + x) / Math.max(1, sc.scrollWidth), px: x };
        }
        return next;
      });
    };
    sc.addEventListener('wheel', onWheel, { passive: false });
    return () => sc.removeEventListener('wheel', onWheel);
  }, [video]);

  useLayoutEffect(() => {
    const sc = scroller.current,
      a = anchor.current;
    anchor.current = null;
    if (sc && a) sc.scrollLeft = Math.max(0, a.frac * sc.scrollWidth - a.px);
  }, [zoom]);

  // a zoom change redraws wavesurfer at the new width; regions are in % of it, ticks are thinned anew
  useEffect(() => {
    const id = requestAnimationFrame(() => setLayoutKey((k) => k + 1));
    return () => cancelAnimationFrame(id);
  }, [zoom]);

  useEffect(() => {
    const regions = regionsRef.current;
    const duration = wsRef.current?.getDuration() ?? 0;
    if (!regions || !video || !(duration > 0 && Number.isFinite(duration))) return;
    regions.clearRegions();
    storyboards.forEach((sb, i) => {
      const r = regions.addRegion({
        id: `sb-${i}`,
        start: sb.startSec,
        end: sb.startSec + sb.durSec,
        drag: false,
        resize: false,
        color: selected === i ? 'rgba(94, 129, 244, 0.45)' : COLORS[i % 2]!,
        content: `#${i + 1}`,
      });
      r.element?.setAttribute('data-testid', 'storyboard');
      r.element?.setAttribute('data-start-sec', sb.startSec.toFixed(3));
      r.element?.setAttribute('data-dur-sec', sb.durSec.toFixed(3));
    });
    transitions.forEach((t, i) => {
      const notBeat = planEdits.notBeatSec.some((x) => Math.abs(x - t.timeSec) < 1e-3);
      const r = regions.addRegion({
        id: `tr-${i}`,
        start: t.timeSec,
        drag: false,
        resize: false,
        color: t.kind === 'cut' ? '#e4572e' : '#9b5de5',
      });
      const el = r.element;
      if (!el) return;
      el.setAttribute('data-testid', 'transition');
      el.setAttribute('data-time-sec', t.timeSec.toFixed(3));
      el.setAttribute('data-kind', t.kind);
      el.setAttribute('data-not-beat', String(notBeat));
      const hit = take ? take.hits[i] === true : null;
      if (hit !== null) el.setAttribute('data-hit', String(hit));
      if (hit) el.style.boxShadow = '0 0 0 2px #1b998b'; // a cut a beat landed on
      if (notBeat) {
        el.style.opacity = '0.35';
        el.style.borderLeftStyle = 'dashed';
      }
      if (marker?.kind === 'cut' && marker.index === i) el.style.outline = '2px solid #1f2430';
      const kind = t.kind === 'cut' ? 'Cut' : 'Gradual transition';
      el.setAttribute(
        'title',
        `${kind} at ${t.timeSec.toFixed(2)} s${notBeat ? ', marked "not a beat"' : ''}${hit === null ? '' : hit ? ', a beat lands on it' : ', no beat within 70 ms'}`,
      );
    });
    planEdits.hitPointsSec.forEach((h, i) => {
      const r = regions.addRegion({
        id: `hp-${i}`,
        start: h,
        drag: true,
        resize: false,
        color: '#f2b705',
        content: '◆',
      });
      const el = r.element;
      if (!el) return;
      el.setAttribute('data-testid', 'hit-point');
      el.setAttribute('data-time-sec', h.toFixed(3));
      el.setAttribute('title', `Hit point at ${h.toFixed(2)} s: drag to move, select to remove`);
      el.classList.add('hit-point');
      if (marker?.kind === 'hit' && marker.index === i) el.classList.add('selected');
    });
    const pxPerSec = (container.current?.clientWidth ?? 800) / duration;
    const tick = (el: HTMLElement | null | undefined, where: 'top' | 'bottom', strong: boolean) => {
      if (!el) return;
      el.style.height = strong ? '30%' : '18%';
      el.style.top = where === 'top' ? '0' : 'auto';
      el.style.bottom = where === 'bottom' ? '0' : 'auto';
    };
    // beats are short ticks (planned: along the bottom, heard in the take: along the top) so that cuts
    // and labels stay readable; bars (every 4th planned beat) are taller; zoomed out, fewer are drawn
    const planned = plan?.beatsSec ?? [];
    const ps = beatStride(planned, pxPerSec);
    planned.forEach((b, i) => {
      const r = regions.addRegion({
        id: `pb-${i}`,
        start: b,
        drag: false,
        resize: false,
        color: 'rgba(46, 196, 182, 0.8)',
      });
      r.element?.setAttribute('data-testid', 'planned-beat');
      r.element?.setAttribute('data-time-sec', b.toFixed(3));
      tick(r.element, 'bottom', i % 4 === 0);
      if (i % ps !== 0 && r.element) r.element.style.display = 'none';
    });
    if (take) {
      const bs = beatStride(take.beatsSec, pxPerSec);
      take.beatsSec.forEach((b, i) => {
        const r = regions.addRegion({ id: `bt-${i}`, start: b, drag: false, resize: false, color: '#1b998b' });
        r.element?.setAttribute('data-testid', 'beat');
        r.element?.setAttribute('data-time-sec', b.toFixed(3));
        tick(r.element, 'top', false);
        if (i % bs !== 0 && r.element) r.element.style.display = 'none';
      });
    }
  }, [storyboards, transitions, selected, video, take, layoutKey, plan, planEdits, marker]);

  const zi = ZOOMS.indexOf(zoom as (typeof ZOOMS)[number]);
  return (
    <section className="timeline" aria-label="timeline">
      <div className="timeline-head">
        <h2>Timeline</h2>
        <div className="zoom" role="group" aria-label="zoom">
          <button
            type="button"
            aria-label="zoom out"
            data-testid="zoom-out"
            disabled={zi <= 0}
            onClick={() => setZoom(ZOOMS[Math.max(0, zi - 1)]!)}
          >
            −
          </button>
          <span data-testid="zoom-level">{zoom}×</span>
          <button
            type="button"
            aria-label="zoom in"
            data-testid="zoom-in"
            disabled={zi >= ZOOMS.length - 1}
            onClick={() => setZoom(ZOOMS[Math.min(ZOOMS.length - 1, zi + 1)]!)}
          >
            +
          </button>
        </div>
      </div>
      <p className="legend" data-testid="timeline-legend">
        <span>
          <i className="sw sw-cut" />
          cut
        </span>
        <span>
          <i className="sw sw-gradual" />
          gradual transition
        </span>
        <span>
          <i className="sw sw-planned" />
          planned beat (bars taller)
        </span>
        <span>
          <i className="sw sw-heard" />
          beat heard in the take
        </span>
        <span>
          <i className="sw sw-hit" />
          cut a beat lands on
        </span>
        <span>
          <i className="sw sw-hp" />
          hit point
        </span>
      </p>
      <div className="timeline-scroll" ref={scroller} data-testid="timeline-scroll">
        <div className="timeline-inner" style={{ width: `${zoom * 100}%` }}>
          <div
            ref={container}
            data-testid="timeline"
            className="timeline-lane"
            role="group"
            aria-label="timeline lane: storyboards, cuts, planned and heard beats, hit points; double-click to add a hit point"
          />
          {take && video && (
            <div className="take-wave-lane">
              <TakeWaveform url={take.url} videoDurationSec={video.durationSec} zoom={zoom} />
            </div>
          )}
        </div>
      </div>
      <MarkerBar videoRef={videoRef} plan={plan} marker={marker} setMarker={setMarker} />
    </section>
  );
}
