// Catalogue of the real material the test videos are cut from: photos and footage shipped in Debian
// packages (downloaded by scripts/make-test-videos.sh into .cache/testvideos/x/<package>/).
// Every footage range below was checked by eye (contact sheets at 4–10 fps) to contain no cut and no
// dissolve, so the only transitions in a generated video are the ones the spec puts there.

export const PACKAGES = [
  'lomiri-wallpapers-16.04',
  'lomiri-wallpapers-20.04',
  'mate-backgrounds',
  'gem-doc',
  'python-pygame-doc',
  'lebiniou-data',
  'planetblupi-common',
  'openboard-common',
  'fillets-ng-data',
] as const;

const LOMIRI16 = 'lomiri-wallpapers-16.04/usr/share/backgrounds';
const LOMIRI20 = 'lomiri-wallpapers-20.04/usr/share/backgrounds';
const MATE = 'mate-backgrounds/usr/share/backgrounds/mate';
const GEM = 'gem-doc/usr/share/gem/examples';
const BLUPI = 'planetblupi-common/usr/share/planetblupi/movie';
const LEBINIOU = 'lebiniou-data/usr/share/lebiniou/vue/media';
const FILLETS = 'fillets-ng-data/usr/share/games/fillets-ng/images/menu/intro.mpg';

/** Photos, by a short id. Paths are relative to the extraction root. */
export const STILLS = {
  bridge: `${LOMIRI16}/Bridge_by_Sander_Klootwijk.jpg`,
  dragonfly: `${LOMIRI16}/Dragonfly_by_Bolly.jpg`,
  fig: `${LOMIRI16}/Picture_0B_by_freespace.jpg`,
  brushes: `${LOMIRI16}/Picture_1A_by_freespace.jpg`,
  wine: `${LOMIRI16}/Wine_by_Jakkub_Mede.jpg`,
  mountains: `${LOMIRI16}/aitzgorri_by_Aitzol_Berasategi.jpg`,
  analog: `${LOMIRI16}/analogpattern_by_Peter_Nerlich.jpg`,
  bulbs: `${LOMIRI16}/free_by_Peter_Nerlich.jpg`,
  dog: `${LOMIRI16}/friends_by_Aitzol_Berasategi.jpg`,
  clock: `${LOMIRI16}/greentock_by_Peter_Nerlich.jpg`,
  stream: `${LOMIRI16}/life_by_Aitzol_Berasategi.jpg`,
  picos: `${LOMIRI16}/picosdeeuropa_by_Aitzol_Berasategi.jpg`,
  dandelions: `${LOMIRI16}/seeding_by_Clements_Engelhardt.jpg`,
  sunset: `${LOMIRI16}/sunset_by_Aitzol_Berasategi.jpg`,
  gradient: `${LOMIRI16}/umang_by_Abhishek_Mudgal.jpg`,
  fossa: `${LOMIRI20}/Fossa_by_Jasper_Roks.jpg`,
  sea: `${LOMIRI20}/Infinite-Sea_by_Aury88.jpg`,
  bird: `${LOMIRI20}/Kleiber_by_Lukas_Baubkus.jpg`,
  paintColors: `${LOMIRI20}/Painting-Colors_by__herobrine7gamer.jpg`,
  elephants: `${MATE}/abstract/Elephants.jpg`,
  gulp: `${MATE}/abstract/Gulp.png`,
  stripes: `${MATE}/desktop/Stripes.png`,
  auroraCold: `${MATE}/desktop/Ubuntu-Mate-Cold-no-logo.png`,
  auroraDark: `${MATE}/desktop/Ubuntu-Mate-Dark-no-logo.png`,
  auroraRadio: `${MATE}/desktop/Ubuntu-Mate-Radioactive-no-logo.png`,
  auroraWarm: `${MATE}/desktop/Ubuntu-Mate-Warm-no-logo.png`,
  drop: `${MATE}/nature/Aqua.jpg`,
  leaf: `${MATE}/nature/Blinds.jpg`,
  dune: `${MATE}/nature/Dune.jpg`,
  orangeFlower: `${MATE}/nature/FreshFlower.jpg`,
  redFlower: `${MATE}/nature/Garden.jpg`,
  grass: `${MATE}/nature/GreenMeadow.jpg`,
  ladybird: `${MATE}/nature/LadyBird.jpg`,
  raindrops: `${MATE}/nature/RainDrops.jpg`,
  storm: `${MATE}/nature/Storm.jpg`,
  wings: `${MATE}/nature/TwoWings.jpg`,
  wood: `${MATE}/nature/Wood.jpg`,
  yellowFlower: `${MATE}/nature/YellowFlower.jpg`,
  city1: `${GEM}/10.glsl/cam1.jpg`,
  city2: `${GEM}/10.glsl/cam2.jpg`,
  city3: `${GEM}/10.glsl/cam3.jpg`,
  city4: `${GEM}/10.glsl/cam4.jpg`,
  pinkFlower: `${GEM}/10.glsl/img1.jpg`,
  tree: `${GEM}/10.glsl/img2.jpg`,
  paint: `${GEM}/10.glsl/img3.jpg`,
  fractal: `${GEM}/data/fractal.JPG`,
  car: `${GEM}/data/temp1.JPG`,
  pygameBlade: 'python-pygame-doc/usr/share/doc/python-pygame-doc/html/_images/intro_blade.jpg',
  pygameFreedom: 'python-pygame-doc/usr/share/doc/python-pygame-doc/html/_images/intro_freedom.jpg',
} as const;
export type StillId = keyof typeof STILLS;

export interface ClipSource {
  path: string;
  /** Usable continuous range inside the file, seconds. */
  fromSec: number;
  toSec: number;
  /** Centre crop to 16:9 before scaling (4:3 and square sources). */
  crop16x9: boolean;
  /**
   * For files whose timestamps are broken (the Fillets intro has no pts on most frames): time is
   * frame index / indexFps, and the range is selected by decoding from the start instead of seeking.
   */
  indexFps?: number;
}

const blupi = (name: string, fromSec: number, toSec: number): ClipSource => ({
  path: `${BLUPI}/${name}.mkv`,
  fromSec,
  toSec,
  crop16x9: true,
});
const leb = (stamp: string, toSec: number): ClipSource => ({
  path: `${LEBINIOU}/lebiniou-2021-06-10_${stamp}.mp4`,
  fromSec: 0.1,
  toSec,
  crop16x9: false,
});
const fillets = (fromSec: number, toSec: number): ClipSource => ({
  path: FILLETS,
  fromSec,
  toSec,
  crop16x9: true,
  indexFps: 30,
});

/** Real footage without any edit inside the range (CG camera moves, fast visualiser action). */
export const CLIPS = {
  // Planet Blupi cut-scenes (320×240, ~12 fps): CG camera moves, zooms, orbits.
  blupiSpider: blupi('play101', 0, 6.4),
  blupiFence: blupi('play103', 0, 11.85),
  blupiTower: blupi('play105', 0, 8.9),
  blupiHouse: blupi('play107', 0, 7.0),
  blupiDozer: blupi('play110', 0, 7.9),
  blupiCar: blupi('play113', 0, 4.95),
  blupiSnow: blupi('play119', 0, 5.9),
  blupiRobot: blupi('play124', 0, 7.85),
  blupiDance: blupi('win005', 0.3, 17.4),
  blupiPlanet: blupi('win129', 0, 12.85),
  blupiHistory: blupi('history2', 0, 8.5),
  // Lebiniou visualiser recordings (320×180, 30 fps): fast, colourful, continuous action.
  lebWaves: leb('12-17-47', 6.9),
  lebFlame: leb('12-19-19', 8.8),
  lebPsyche: leb('12-19-53', 10.4),
  lebSwirl: leb('12-23-00', 9.4),
  lebKaleido: leb('12-23-40', 9.0),
  lebBlue: leb('12-24-29', 8.4),
  lebSand: leb('12-27-01', 8.2),
  lebHelix: leb('12-27-41', 6.6),
  lebOrb: leb('12-28-28', 22.2),
  lebDisc: leb('12-32-58', 7.1),
  lebNoise: leb('12-34-46', 6.5),
  lebBurst: leb('12-35-23', 7.8),
  // Fish Fillets NG intro (640×480, 30 fps by frame index): CG dolly shots; ranges between its own
  // dissolves and cuts, with a margin of at least 0.4 s.
  filletsSea: fillets(14.5, 20.0),
  filletsUfo: fillets(21.0, 26.0),
  filletsHouse: fillets(27.0, 33.0),
  filletsEarth: fillets(34.0, 40.0), // a spaceship approaching the camera
  filletsRoom: fillets(42.2, 47.6),
  filletsLab: fillets(48.6, 52.3), // flickering lights and a fast camera move
  filletsOrbit: fillets(53.5, 58.8),
  filletsOcean: fillets(59.8, 63.8),
  filletsTable: fillets(65.6, 69.8), // fast pan across a table
  // Gem examples: a rendered teapot scene and a short cartoon run cycle.
  gemTeapot: { path: `${GEM}/data/anim-1.mov`, fromSec: 0, toSec: 3.0, crop16x9: true },
  gemHomer: { path: `${GEM}/data/homer.avi`, fromSec: 0, toSec: 3.4, crop16x9: true },
} satisfies Record<string, ClipSource>;
export type ClipId = keyof typeof CLIPS;
