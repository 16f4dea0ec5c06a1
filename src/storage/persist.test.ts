import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import {
  closeDb,
  deleteOtherProjects,
  deleteTakes,
  loadAligner,
  loadCurrent,
  loadTake,
  projectBytes,
  saveProject,
  saveTake,
  updateProject,
  updateTake,
  type StoredProject,
} from './persist.ts';
import type { Take } from './records.ts';

const project = (id: string): StoredProject => ({
  id,
  video: { id, name: `${id}.mp4`, sizeBytes: 3, durationSec: 4, width: 64, height: 36, rotationDeg: 0, frameCount: 64 },
  file: new Blob([new Uint8Array([1, 2, 3])]),
  transitions: [],
  storyboards: [],
  globalTags: ['mood:calm'],
  caption: 'a',
  captionEdited: false,
  timings: null,
  controls: {
    steps: 20,
    guidance: 2.5,
    seed: 1,
    sampler: 'ddim',
    eta: 1,
    lockedBpm: null,
    ep: 'wasm',
    strictGpu: false,
  },
  aligner: { probs: new Float32Array([0.1, 0.9]), features: new Float32Array(64), featureDim: 32 },
  updatedAt: 1,
});
const take = (id: string, createdAt: number): Take => ({
  id,
  name: id,
  url: `blob:${id}`,
  durationSec: 4,
  settings: project('x').controls,
  bpm: 120,
  plannedBeatsSec: [0.5],
  beatsSec: [0.5],
  hits: [true],
  tbIoU: 1,
  tbHit70: 1,
  ep: 'wasm',
  fallbackReason: null,
  timings: {},
  createdAt,
  starred: false,
});
/** A take of `projectId` with a 1000-byte WAV and a 128 × 4 latent. */
const saveTakeOf = (id: string, projectId: string, createdAt: number) =>
  saveTake(take(id, createdAt), projectId, new Uint8Array(1000), new Float32Array(128 * 4));

afterEach(async () => {
  await deleteOtherProjects(null);
  await closeDb();
});

describe('project persistence', () => {
  it('restores the current project with its takes in creation order, typed arrays intact', async () => {
    await saveProject(project('p1'));
    await saveTakeOf('t2', 'p1', 2);
    await saveTakeOf('t1', 'p1', 1);
    await saveProject(project('p2'));
    await saveTakeOf('t3', 'p2', 3);
    await closeDb(); // as after a reload
    const got = await loadCurrent();
    expect(got!.project.id).toBe('p2');
    await saveProject(project('p1'));
    const p1 = await loadCurrent();
    expect(p1!.takes.map((t) => t.id)).toEqual(['t1', 't2']);
    expect(p1!.project.aligner!.probs).toBeInstanceOf(Float32Array);
    expect([...p1!.project.aligner!.probs]).toEqual([Math.fround(0.1), Math.fround(0.9)]);
    expect(p1!.takes[0]!.latent).toHaveLength(512);
  });

  it('renames, stars and deletes takes; updates edits; counts bytes', async () => {
    await saveProject(project('p1'));
    await saveTakeOf('t1', 'p1', 1);
    await saveTakeOf('t2', 'p1', 2);
    await updateTake('t1', { name: 'Intro idea', starred: true });
    await updateProject('p1', { globalTags: ['mood:happy'] });
    expect((await loadTake('t1'))!).toMatchObject({ name: 'Intro idea', starred: true });
    expect(await projectBytes('p1')).toEqual({ video: 3, takes: 2 * (1000 + 512 * 4), count: 2 });
    await deleteTakes(['t2']);
    const got = await loadCurrent();
    expect(got!.takes.map((t) => t.id)).toEqual(['t1']);
    expect(got!.project.globalTags).toEqual(['mood:happy']);
  });

  it('keeps the aligner output the generate worker stores and reads back (after the page saved the project without it)', async () => {
    await saveProject({ ...project('p1'), aligner: null });
    expect(await loadAligner('p1')).toBeNull();
    const out = { probs: new Float32Array([0.25, 0.5]), features: new Float32Array(64).fill(0.5), featureDim: 32 };
    await updateProject('p1', { aligner: out });
    await updateProject('p1', { globalTags: ['mood:happy'] }); // a later edit from the page keeps it
    await closeDb();
    const got = await loadAligner('p1');
    expect([...got!.probs]).toEqual([0.25, 0.5]);
    expect(got!.features).toBeInstanceOf(Float32Array);
    expect(got!.featureDim).toBe(32);
    expect(await loadAligner('gone')).toBeNull();
  });

  it('removes other projects with their takes', async () => {
    await saveProject(project('old'));
    await saveTakeOf('o1', 'old', 1);
    await saveProject(project('new'));
    expect(await deleteOtherProjects('new')).toBe(1);
    expect(await loadTake('o1')).toBeUndefined();
    expect((await loadCurrent())!.project.id).toBe('new');
  });
});
