// The test set: which shots, joins, flashes and formats each generated video has.
// Fixed choices only (no randomness), so every run of the generator produces the same ground truth.
import { CLIPS, type ClipId } from './sources.ts';
import { DEV, HOLDOUT } from './holdout.ts';
import { clip, cut, flash, still, xf, type VideoSpec } from './spec.ts';

const stillsCuts: VideoSpec = {
  name: 'stills-cuts-25fps',
  width: 640,
  height: 360,
  fps: [25, 1],
  notes:
    'Hard cuts between photos with camera moves (pans, zooms, hand-held shake, a whip pan); ' +
    'two pairs of similar photos (sepia city views, aurora variants); four white flashes.',
  // prettier-ignore
  items: [
    still('mountains', 3, 'panright'), cut, still('redFlower', 2.5, 'zoomin'), cut,
    still('city1', 2, 'shake'), cut, still('city2', 2.2, 'panleft'), cut,
    still('bird', 1.2, 'zoomout'), cut, still('dune', 3, 'whip'), cut,
    still('auroraCold', 2, 'zoomin'), cut, still('auroraRadio', 2.4, 'panup'), cut,
    still('car', 1.0, 'static'), cut, still('picos', 3.5, 'diag'), cut,
    still('leaf', 1.6, 'shake'), cut, still('grass', 2, 'zoomin'), cut,
    still('fractal', 2.5, 'panright'), cut, still('sunset', 3, 'zoomout'),
  ],
  flashes: [flash(1.5), flash(11.5, 0.8), flash(21.0, 1, 0.6), flash(30.5, 0.9, 0.5)],
};

const stillsXfade: VideoSpec = {
  name: 'stills-xfade-30fps-720p',
  width: 1280,
  height: 720,
  fps: [30, 1],
  notes:
    'Gradual transitions of many kinds (crossfade, dithered dissolve, fades through black and white, ' +
    'wipes, slide, iris, blur) of 0.3–1.0 s between moving photos, plus one hard cut and one flash.',
  // prettier-ignore
  items: [
    still('stream', 3, 'zoomin'), xf('fade', 0.5), still('wine', 3, 'panup'), xf('dissolve', 0.6),
    still('sea', 3, 'zoomout'), xf('fadeblack', 1.0), still('clock', 3, 'panright'), xf('fadewhite', 0.8),
    still('dandelions', 3, 'diag'), xf('wipeleft', 0.5), still('brushes', 3, 'shake'), xf('slideright', 0.7),
    still('elephants', 3, 'panleft'), xf('fade', 0.3), still('yellowFlower', 3, 'zoomin'), xf('circleopen', 0.8),
    still('storm', 3, 'panright'), xf('smoothleft', 0.6), still('dog', 3, 'zoomout'), xf('wiperight', 0.4),
    still('bulbs', 3, 'whip'), xf('hblur', 0.5), still('fig', 3, 'zoomin'), cut, still('ladybird', 2.5, 'panleft'),
  ],
  flashes: [flash(1.2)],
};

const footageMixed: VideoSpec = {
  name: 'footage-mixed-24fps',
  width: 640,
  height: 360,
  fps: [24, 1],
  notes:
    'Real footage (CG dolly shots, game cut-scenes, visualiser recordings) joined by cuts and ' +
    'gradual transitions; two flashes.',
  // prettier-ignore
  items: [
    clip('filletsSea', 4), cut, clip('blupiTower', 3.5), xf('fade', 0.6), clip('lebOrb', 4), cut,
    clip('filletsRoom', 3.5, 0.5), xf('wipeleft', 0.5), clip('blupiDozer', 4), cut, clip('lebKaleido', 3),
    xf('fadeblack', 0.8), clip('filletsHouse', 4), cut, clip('blupiDance', 4), xf('dissolve', 0.6),
    clip('lebSand', 3.5), cut, clip('filletsLab', 3), cut, clip('blupiFence', 4, 2), xf('slideright', 0.6),
    clip('lebBlue', 3.5),
  ],
  flashes: [flash(2.0), flash(25.5, 1, 0.5)],
};

const actionFast: VideoSpec = {
  name: 'action-fast-25fps',
  width: 640,
  height: 360,
  fps: [25, 1],
  notes:
    'Fast action: short shots (1.2–2.5 s) of visualiser footage and fast CG camera moves, cut ' +
    'quickly, two dissolves, three flashes.',
  // prettier-ignore
  items: [
    clip('lebPsyche', 2), cut, clip('lebWaves', 1.5), cut, clip('blupiHouse', 2, 3), cut, clip('lebSwirl', 1.2),
    cut, clip('lebNoise', 1.8), xf('fade', 0.4), clip('lebBurst', 2), cut, clip('filletsTable', 2), cut,
    clip('lebHelix', 1.5), cut, clip('lebDisc', 2), cut, still('paint', 1.5, 'shake'), cut, clip('lebFlame', 2),
    xf('dissolve', 0.5), clip('blupiHistory', 2.5, 5.5), cut, clip('lebPsyche', 2, 4.5), cut, clip('gemHomer', 2),
  ],
  flashes: [flash(0.9), flash(9.2, 1, 0.7), flash(21.6, 0.9)],
};

const vfrMixed: VideoSpec = {
  name: 'vfr-mixed',
  width: 640,
  height: 360,
  fps: [30, 1],
  vfr: true,
  notes: 'Variable frame rate: 30 fps, then 18 fps, then 15 fps; photos and footage, cuts and fades.',
  // prettier-ignore
  items: [
    still('pinkFlower', 3, 'zoomin'), cut, clip('blupiPlanet', 4), xf('fade', 0.6), still('analog', 3, 'panright'),
    cut, clip('lebOrb', 3, 8), xf('fadeblack', 0.8), still('tree', 3, 'zoomout'), cut, clip('blupiSnow', 3), cut,
    still('wood', 3, 'panleft'), xf('wipeleft', 0.6), clip('filletsUfo', 4), cut, still('raindrops', 3, 'diag'),
  ],
  flashes: [flash(17.0)],
};

const similar: VideoSpec = {
  name: 'similar-2997fps',
  width: 854,
  height: 480,
  fps: [30000, 1001],
  notes:
    'Transitions between visually similar shots: four views of one sepia city, aurora wallpapers ' +
    'in related palettes, green leaves and grass, warm flowers; NTSC frame rate.',
  // prettier-ignore
  items: [
    still('city1', 3, 'zoomin'), cut, still('city3', 3, 'panright'), cut, still('city4', 2.5, 'zoomout'),
    xf('fade', 0.7), still('city2', 3, 'panleft'), cut, still('auroraCold', 3, 'zoomin'), xf('dissolve', 0.8),
    still('auroraRadio', 3, 'zoomout'), cut, still('auroraWarm', 2.5, 'panright'), cut, still('grass', 3, 'zoomin'),
    xf('fade', 0.6), still('leaf', 3, 'panup'), cut, still('raindrops', 3, 'diag'), cut,
    still('orangeFlower', 3, 'zoomin'), xf('wipeleft', 0.6), still('redFlower', 3, 'panright'), cut,
    still('yellowFlower', 3, 'zoomout'), cut, still('gradient', 3, 'zoomin'), xf('fade', 1.0),
    still('paintColors', 3, 'panleft'),
  ],
};

const bench: VideoSpec = {
  name: 'bench-60s-720p',
  width: 1280,
  height: 720,
  fps: [30, 1],
  notes: '60 s at 720p for benchmarking: photos and footage, cuts and gradual transitions, flashes.',
  // prettier-ignore
  items: [
    still('picos', 3.5, 'panright'), cut, clip('filletsSea', 3.5), xf('fade', 0.6), still('stream', 3, 'zoomin'),
    cut, clip('lebOrb', 4, 2), cut, still('dandelions', 3, 'shake'), xf('fadeblack', 0.8), clip('blupiDozer', 3.5),
    cut, still('wine', 3, 'panup'), xf('dissolve', 0.6), clip('lebKaleido', 3.5), cut, still('bridge', 3, 'whip'),
    cut, clip('filletsRoom', 3.5), xf('wipeleft', 0.5), still('ladybird', 3, 'zoomout'), cut,
    clip('blupiFence', 3.5, 4), cut, still('sunset', 3, 'diag'), xf('fadewhite', 0.8), clip('lebSand', 3.5), cut,
    still('clock', 3, 'panleft'), cut, clip('filletsHouse', 3.5), xf('slideright', 0.6),
    still('yellowFlower', 3, 'zoomin'), cut, clip('blupiDance', 4, 6), cut, still('fossa', 3.9, 'panright'),
  ],
  flashes: [flash(5.0), flash(26.3, 1, 0.6), flash(54.0, 0.9)],
};

/** Uncut shots with camera motion: for false transitions per minute. */
const uncutStills: VideoSpec[] = [
  {
    name: 'uncut-wander-720p-25fps',
    width: 1280,
    height: 720,
    fps: [25, 1],
    notes: 'One photo, 30 s of drifting pans and zoom breathing, three flashes; no transition.',
    items: [still('bridge', 30, 'wander')],
    flashes: [flash(8.0), flash(19.0, 1, 0.7), flash(25.0, 0.8, 0.4)],
  },
  {
    name: 'uncut-wander-24fps',
    width: 640,
    height: 360,
    fps: [24, 1],
    notes: 'One photo, 20 s of drifting pans and zoom breathing; no transition.',
    items: [still('mountains', 20, 'wander')],
  },
  {
    name: 'uncut-shake-30fps',
    width: 640,
    height: 360,
    fps: [30, 1],
    notes: 'Strong hand-held shake on one photo for 10 s, one flash; no transition.',
    items: [still('stream', 10, 'shake')],
    flashes: [flash(6.0, 1)],
  },
  {
    name: 'uncut-whip-25fps',
    width: 640,
    height: 360,
    fps: [25, 1],
    notes: 'A whip pan across a photo mid-shot (6 s); no transition.',
    items: [still('picos', 6, 'whip')],
  },
];

const FLASHED_CLIPS: Partial<Record<ClipId, number>> = { blupiDance: 5, lebOrb: 10, filletsRoom: 2 };

const uncutClips: VideoSpec[] = (Object.keys(CLIPS) as ClipId[]).map((id) => {
  const src = CLIPS[id];
  const flashAt = FLASHED_CLIPS[id];
  return {
    name: `uncut-${id}`,
    width: 640,
    height: 360,
    fps: [25, 1] as [number, number],
    notes: `Real footage without an edit (${src.path.split('/').pop()} ${src.fromSec}–${src.toSec} s); no transition.`,
    items: [clip(id, Math.floor((src.toSec - src.fromSec) * 10) / 10)],
    flashes: flashAt === undefined ? [] : [flash(flashAt, 1, 0.5)],
  };
});

/** The committed fixture for the browser e2e test (small: CRF 23, 640×360, 11 s). */
export const FIXTURE: VideoSpec = {
  name: 'cuts-10s',
  width: 640,
  height: 360,
  fps: [25, 1],
  crf: 23,
  out: 'fixture',
  notes: 'E2E fixture: three hard cuts and one crossfade (0.6 s) between moving photos.',
  // prettier-ignore
  items: [
    still('mountains', 2.4, 'panright'), cut, still('yellowFlower', 2.2, 'zoomin'), cut,
    still('sea', 2.6, 'zoomout'), xf('fade', 0.6), still('city1', 2.4, 'panleft'), cut,
    still('redFlower', 2.0, 'zoomin'),
  ],
};

export const VIDEOS: VideoSpec[] = [
  stillsCuts,
  stillsXfade,
  footageMixed,
  actionFast,
  vfrMixed,
  similar,
  bench,
  ...uncutStills,
  ...uncutClips,
  FIXTURE,
  ...DEV,
  ...HOLDOUT,
];
