// Turns a VideoSpec into one ffmpeg command line (a single filter graph) and its exact ground truth.
//
// Timing model, checked against ffmpeg 5.1 on solid colours: every shot is rendered to exactly
// n = round(durSec·fps) frames with timestamps N/fps. A cut appends the next shot (concat): its first
// frame is output frame L (L = frames so far). An xfade of df frames starts at offset L − df (the rest
// of the first stream is dropped): frame L − df is still pure A, frame L is pure B, the midpoint is
// L − df/2. So a cut's ground-truth time is L/fps and a gradual transition's is (L − df/2)/fps.
import type { ClipShot, GroundTruth, Join, Motion, Shot, StillShot, VideoSpec } from './spec.ts';
import { CLIPS, type ClipSource } from './sources.ts';

export interface BuildPaths {
  stillFile: (s: StillShot) => string;
  clipFile: (s: ClipShot) => string;
}

export interface BuiltCommand {
  args: string[];
  gt: GroundTruth;
  totalFrames: number;
  keptFrames: number;
}

/** zoompan expressions (x, y are the top-left of the visible window in input pixels). */
function motionExpr(m: Motion, n: number, fps: number): { z: string; x: string; y: string } {
  const cx = 'iw/2-iw/zoom/2';
  const cy = 'ih/2-ih/zoom/2';
  const p = `on/${n}`;
  switch (m) {
    case 'static':
      return { z: '1', x: '0', y: '0' };
    case 'zoomin':
      return { z: `1.05+0.3*${p}`, x: cx, y: cy };
    case 'zoomout':
      return { z: `1.35-0.3*${p}`, x: cx, y: cy };
    case 'panright':
      return { z: '1.3', x: `(iw-iw/zoom)*${p}`, y: cy };
    case 'panleft':
      return { z: '1.3', x: `(iw-iw/zoom)*(1-${p})`, y: cy };
    case 'panup':
      return { z: '1.3', x: cx, y: `(ih-ih/zoom)*(1-${p})` };
    case 'diag':
      return { z: `1.2+0.15*${p}`, x: `(iw-iw/zoom)*${p}`, y: `(ih-ih/zoom)*${p}` };
    case 'shake': // hand-held: two sinusoids per axis, up to ~4% of the width per frame
      return {
        z: '1.25',
        x: '(iw-iw/zoom)*(0.5+0.18*sin(on*0.5)+0.05*sin(on*1.7))',
        y: '(ih-ih/zoom)*(0.5+0.18*sin(on*0.6+1)+0.05*sin(on*2.3))',
      };
    case 'whip': {
      // a whip pan across 35% of the image in about a quarter of a second, mid-shot
      const s = (0.06 * fps).toFixed(3);
      return { z: '1.55', x: `(iw-iw/zoom)*(1/(1+exp(-(on-${n / 2})/${s})))`, y: cy };
    }
    case 'wander': // long uncut camera path: slow zoom breathing, drifting pans
      return {
        z: '1.5+0.3*sin(on/37)',
        x: '(iw-iw/zoom)*(0.5+0.45*sin(on/23))',
        y: '(ih-ih/zoom)*(0.5+0.4*sin(on/29+1))',
      };
  }
}

/** Frames kept by the variable-frame-rate pattern: all, then 3 of 5, then every other frame. */
export function vfrKeeps(n: number, total: number): boolean {
  const a = Math.floor(total / 3);
  const b = Math.floor((2 * total) / 3);
  if (n < a || n === total - 1) return true;
  if (n < b) return n % 5 === 0 || n % 5 === 2 || n % 5 === 4;
  return n % 2 === 0;
}

function vfrSelectExpr(total: number): string {
  const a = Math.floor(total / 3);
  const b = Math.floor((2 * total) / 3);
  const mid = `between(n,${a},${b - 1})*(not(mod(n,5))+not(mod(n,5)-2)+not(mod(n,5)-4))`;
  return `select='lt(n,${a})+${mid}+gte(n,${b})*not(mod(n,2))+eq(n,${total - 1})'`;
}

const isJoin = (x: Shot | Join): x is Join => x.kind === 'cut' || x.kind === 'xfade';

export function buildCommand(spec: VideoSpec, paths: BuildPaths, outFile: string): BuiltCommand {
  const [num, den] = spec.fps;
  const fps = num / den;
  const fpsStr = `${num}/${den}`;
  const { width: W, height: H } = spec;
  const inputs: string[] = [];
  const chains: string[] = [];
  const gtFrames: { frame: number; kind: 'cut' | 'gradual'; df: number; type?: string }[] = [];

  let acc = '';
  let total = 0; // frames in the accumulated stream
  let pending: Join | null = null;
  let shotIdx = 0;
  let prevShotFrames = 0;
  for (const item of spec.items) {
    if (isJoin(item)) {
      if (pending || shotIdx === 0) throw new Error(`${spec.name}: a join must sit between two shots`);
      pending = item;
      continue;
    }
    const n = Math.round(item.durSec * fps);
    const idx = shotIdx; // one ffmpeg input per shot, so the input index is the shot index
    if (item.kind === 'still') {
      inputs.push('-i', paths.stillFile(item));
      const { z, x, y } = motionExpr(item.motion, n, fps);
      chains.push(
        `[${idx}:v]zoompan=z='${z}':x='${x}':y='${y}':d=${n}:s=${W}x${H}:fps=${fpsStr},` +
          `setsar=1,format=yuv420p,settb=AVTB,setpts=N/(${fpsStr})/TB[s${idx}]`,
      );
    } else {
      const src: ClipSource = CLIPS[item.id];
      const from = src.fromSec + item.offsetSec;
      if (from + item.durSec > src.toSec + 1e-6) {
        throw new Error(`${spec.name}: clip ${item.id} needs ${item.durSec}s from ${from}s, has until ${src.toSec}s`);
      }
      // Seek on the input, or (broken timestamps) decode from the start and count frames.
      const head = src.indexFps
        ? `setpts=N/${src.indexFps}/TB,trim=start=${from.toFixed(4)},setpts=PTS-STARTPTS`
        : 'setpts=PTS-STARTPTS';
      if (src.indexFps) inputs.push('-i', paths.clipFile(item));
      else inputs.push('-ss', from.toFixed(3), '-t', (item.durSec + 1).toFixed(3), '-i', paths.clipFile(item));
      const crop = src.crop16x9 ? 'crop=iw:trunc(iw*9/32)*2,' : '';
      chains.push(
        `[${idx}:v]${head},fps=${fpsStr},${crop}scale=${W}:${H}:flags=bicubic,setsar=1,` +
          `format=yuv420p,trim=end_frame=${n},settb=AVTB,setpts=N/(${fpsStr})/TB[s${idx}]`,
      );
    }
    if (idx === 0) {
      acc = `[s0]`;
      total = n;
    } else {
      if (!pending) throw new Error(`${spec.name}: two shots without a join`);
      const out = `[a${idx}]`;
      if (pending.kind === 'cut') {
        chains.push(`${acc}[s${idx}]concat=n=2:v=1:a=0,settb=AVTB,setpts=N/(${fpsStr})/TB${out}`);
        gtFrames.push({ frame: total, kind: 'cut', df: 0 });
        total += n;
      } else {
        const df = Math.round(pending.durSec * fps);
        if (df < 2 || df >= n || df >= prevShotFrames) {
          throw new Error(`${spec.name}: xfade of ${df} frames does not fit shots of ${prevShotFrames} and ${n}`);
        }
        // A quarter frame early: frame (total − df) must not miss the offset by a rounding error.
        const offset = (total - df - 0.25) / fps;
        chains.push(
          `${acc}[s${idx}]xfade=transition=${pending.transition}:duration=${(df / fps).toFixed(6)}:` +
            `offset=${offset.toFixed(6)},settb=AVTB,setpts=N/(${fpsStr})/TB${out}`,
        );
        gtFrames.push({ frame: total - df / 2, kind: 'gradual', df, type: pending.transition });
        total += n - df;
      }
      acc = out;
      pending = null;
    }
    prevShotFrames = n;
    shotIdx += 1;
  }
  if (pending) throw new Error(`${spec.name}: ends with a join`);

  const post: string[] = [];
  const flashesSec: number[] = [];
  for (const f of spec.flashes ?? []) {
    const f0 = Math.round(f.atSec * fps);
    const nearest = Math.min(...gtFrames.map((g) => Math.abs(g.frame - f0)));
    if (nearest < 0.4 * fps) throw new Error(`${spec.name}: flash at ${f.atSec}s is too close to a transition`);
    f.alphas.forEach((a, i) => {
      post.push(`drawbox=x=0:y=0:w=iw:h=ih:color=white@${a}:t=fill:enable='eq(n,${f0 + i})'`);
    });
    flashesSec.push(f0 / fps);
  }
  post.push('format=yuv420p');
  if (spec.vfr) post.push(vfrSelectExpr(total));
  chains.push(`${acc}${post.join(',')}[out]`);

  // Ground truth on the output timeline (for VFR: the first kept frame at or after the CFR frame).
  const keep = (n: number): boolean => !spec.vfr || vfrKeeps(n, total);
  const firstKeptFrom = (n: number): number => {
    let m = Math.ceil(n);
    while (m < total - 1 && !keep(m)) m += 1;
    return m;
  };
  let kept = 0;
  let lastKept = 0;
  for (let n = 0; n < total; n++) {
    if (keep(n)) {
      kept += 1;
      lastKept = n;
    }
  }
  const round4 = (x: number): number => Math.round(x * 1e4) / 1e4;
  const gt: GroundTruth = {
    durationSec: round4((lastKept + 1) / fps),
    transitions: gtFrames.map((g) => ({
      timeSec: round4((g.kind === 'cut' ? firstKeptFrom(g.frame) : g.frame) / fps),
      kind: g.kind,
      durSec: round4(g.df / fps),
      ...(g.type ? { type: g.type } : {}),
    })),
    flashesSec: flashesSec.map(round4),
    fps: spec.vfr ? `vfr (base ${fpsStr})` : fpsStr,
    width: W,
    height: H,
    vfr: Boolean(spec.vfr),
    notes: spec.notes,
  };

  // prettier-ignore
  const enc = [
    '-map', '[out]', '-an',
    '-c:v', 'libx264', '-preset', 'veryfast', '-crf', String(spec.crf ?? 21), '-threads', '2',
    '-pix_fmt', 'yuv420p', '-movflags', '+faststart',
    ...(spec.vfr ? ['-fps_mode', 'vfr'] : ['-r', fpsStr]),
  ];
  // prettier-ignore
  const args = [
    '-nostdin', '-v', 'error', '-y', '-filter_complex_threads', '1',
    ...inputs,
    '-filter_complex', chains.join(';'),
    ...enc,
    outFile,
  ];
  return { args, gt, totalFrames: total, keptFrames: kept };
}
