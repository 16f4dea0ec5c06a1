// Keyboard: space plays/pauses the video (with the active take), ← and → step through the storyboards
// (select and seek), H adds a hit point at the playhead. Keys typed into a field or a select are left
// alone, and so are space and the arrows on a focused button (which use them); H works there too, so it
// still works right after a click on a button.
import { useEffect, type RefObject } from 'react';
import { useStudio } from './store.ts';

function typing(target: EventTarget | null, key: string): boolean {
  const el = target as HTMLElement | null;
  if (!el?.tagName) return false;
  const fields =
    key === 'h' || key === 'H' ? ['INPUT', 'TEXTAREA', 'SELECT'] : ['INPUT', 'TEXTAREA', 'SELECT', 'BUTTON'];
  return fields.includes(el.tagName) || el.isContentEditable;
}

/** The storyboard index after a step of `dir` from the current selection (or from where the video is). */
export function stepStoryboard(
  starts: readonly number[],
  selected: number | null,
  currentSec: number,
  dir: 1 | -1,
): number | null {
  if (starts.length === 0) return null;
  let at = selected;
  if (at === null) {
    at = 0;
    for (let i = 0; i < starts.length; i++) if (starts[i]! <= currentSec + 1e-6) at = i;
    if (dir === 1 && currentSec < starts[0]!) return 0;
  }
  return Math.min(starts.length - 1, Math.max(0, at + dir));
}

export function useKeyboard(videoRef: RefObject<HTMLVideoElement | null>): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey || typing(e.target, e.key)) return;
      const v = videoRef.current;
      const s = useStudio.getState();
      if (!v || !s.video) return;
      if (e.key === ' ' || e.code === 'Space') {
        e.preventDefault();
        if (v.paused) void v.play().catch(() => undefined);
        else v.pause();
      } else if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
        const i = stepStoryboard(
          s.storyboards.map((b) => b.startSec),
          s.selected,
          v.currentTime,
          e.key === 'ArrowRight' ? 1 : -1,
        );
        if (i === null) return;
        e.preventDefault();
        s.select(i);
        v.currentTime = s.storyboards[i]!.startSec;
      } else if (e.key === 'h' || e.key === 'H') {
        // a hit point at the playhead: a moment that must get a beat
        e.preventDefault();
        s.addHitPoint(v.currentTime);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [videoRef]);
}
