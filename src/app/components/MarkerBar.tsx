// Under the timeline: what the selected marker is and what can be done with it (a cut can be marked
// "not a beat", a hit point removed), and the way to add a hit point at the playhead.
import type { ReactElement, RefObject } from 'react';
import type { BeatPlan } from '../../core/plan/planner.ts';
import { useStudio } from '../store.ts';

export interface MarkerRef {
  kind: 'cut' | 'hit';
  index: number;
}

const ms = (sec: number) => `${Math.round(Math.abs(sec) * 1000)} ms`;

export function MarkerBar({
  videoRef,
  plan,
  marker,
  setMarker,
}: {
  videoRef: RefObject<HTMLVideoElement | null>;
  plan: BeatPlan | null;
  marker: MarkerRef | null;
  setMarker: (m: MarkerRef | null) => void;
}) {
  const transitions = useStudio((s) => s.transitions);
  const planEdits = useStudio((s) => s.planEdits);
  const addAtPlayhead = () => {
    const v = videoRef.current;
    if (!v) return;
    const i = useStudio.getState().addHitPoint(v.currentTime);
    if (i >= 0) setMarker({ kind: 'hit', index: i });
  };
  let detail: ReactElement | null = null;
  if (marker?.kind === 'cut' && transitions[marker.index]) {
    const t = transitions[marker.index]!;
    const planned = plan?.transitions.find((x) => Math.abs(x.timeSec - t.timeSec) < 1e-3);
    const notBeat = planEdits.notBeatSec.some((x) => Math.abs(x - t.timeSec) < 1e-3);
    detail = (
      <span data-testid="marker-detail" data-kind="cut">
        {t.kind === 'cut' ? 'Cut' : 'Gradual transition'} at {t.timeSec.toFixed(2)} s ·{' '}
        {notBeat
          ? 'marked "not a beat"'
          : planned?.onBeat
            ? `on a planned beat (${ms(planned.offsetSec)} off)`
            : planned
              ? `${ms(planned.offsetSec)} from the nearest planned beat`
              : ''}
        <button
          type="button"
          data-testid="toggle-not-beat"
          onClick={() => useStudio.getState().toggleNotBeat(t.timeSec)}
        >
          {notBeat ? 'Needs a beat again' : 'Mark as not a beat'}
        </button>
      </span>
    );
  } else if (marker?.kind === 'hit' && planEdits.hitPointsSec[marker.index] !== undefined) {
    const h = planEdits.hitPointsSec[marker.index]!;
    const got = plan?.hitPoints.find((x) => Math.abs(x.timeSec - h) < 1e-3);
    detail = (
      <span data-testid="marker-detail" data-kind="hit">
        Hit point at {h.toFixed(2)} s{got ? ` · planned beat at ${got.beatSec.toFixed(3)} s` : ''}
        <button
          type="button"
          data-testid="remove-hit-point"
          onClick={() => {
            useStudio.getState().removeHitPoint(marker.index);
            setMarker(null);
          }}
        >
          Remove hit point
        </button>
      </span>
    );
  }
  return (
    <div className="marker-bar" data-testid="marker-bar">
      <button
        type="button"
        data-testid="add-hit-point"
        onClick={addAtPlayhead}
        title="A moment that must get a beat (key H)"
      >
        Add hit point at playhead
      </button>
      {detail ?? (
        <small>
          Double-click the timeline to add a hit point, drag it to move it. Click a cut to mark it “not a beat”.
        </small>
      )}
      {planEdits.hitPointsSec.length > 0 && (
        // the keyboard path to the hit points (the markers in the lane are mouse targets)
        <span className="hit-list" role="group" aria-label="hit points" data-testid="hit-point-count">
          {planEdits.hitPointsSec.length} hit point{planEdits.hitPointsSec.length > 1 ? 's' : ''}:
          {planEdits.hitPointsSec.map((h, i) => (
            <button
              type="button"
              key={h}
              className="hit-chip"
              aria-pressed={marker?.kind === 'hit' && marker.index === i}
              aria-label={`hit point at ${h.toFixed(2)} seconds`}
              onClick={() => {
                setMarker({ kind: 'hit', index: i });
                if (videoRef.current) videoRef.current.currentTime = h;
              }}
            >
              ◆ {h.toFixed(2)} s
            </button>
          ))}
        </span>
      )}
    </div>
  );
}
