// The project store in IndexedDB: the video file itself, its parse, the user's edits and controls, the
// aligner output (so generating after a reload needs no second decode; written and read back by the
// generate worker, which holds it) and every take with its WAV and latent. Used by the main thread and
// the generate worker. A reload or a closed tab loses nothing; the UI shows the storage used and removes
// old takes.
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { PlanEditsState, ProjectEdits, Take, VideoMeta } from './records.ts';

export interface StoredProject extends ProjectEdits {
  /** Hit points and "not a beat" marks (absent in projects saved before they existed). */
  planEdits?: PlanEditsState;
  id: string;
  video: Omit<VideoMeta, 'url'>;
  /** The video file (a Blob is kept by IndexedDB as is, without reading it into memory). */
  file: Blob;
  aligner: { probs: Float32Array; features: Float32Array; featureDim: number } | null;
  updatedAt: number;
}

/** A take as stored: its metadata, the 16-bit WAV bytes and the normalised latent. */
export interface StoredTake extends Omit<Take, 'url'> {
  projectId: string;
  wav: Uint8Array;
  latent: Float32Array | null;
}

interface StudioDB extends DBSchema {
  projects: { key: string; value: StoredProject };
  takes: { key: string; value: StoredTake; indexes: { byProject: string } };
  state: { key: string; value: string };
}

const DB_NAME = 'vem-studio';
let dbp: Promise<IDBPDatabase<StudioDB>> | null = null;

function db(): Promise<IDBPDatabase<StudioDB>> {
  dbp ??= openDB<StudioDB>(DB_NAME, 1, {
    upgrade(d) {
      d.createObjectStore('projects', { keyPath: 'id' });
      d.createObjectStore('takes', { keyPath: 'id' }).createIndex('byProject', 'projectId');
      d.createObjectStore('state');
    },
  });
  return dbp;
}

/** Saves (or replaces) a project and makes it the one restored on the next visit. */
export async function saveProject(p: StoredProject): Promise<void> {
  const d = await db();
  const tx = d.transaction(['projects', 'state'], 'readwrite');
  await Promise.all([tx.objectStore('projects').put(p), tx.objectStore('state').put(p.id, 'current'), tx.done]);
}

/** Updates fields of the stored project (edits, controls, aligner output); no-op when it is gone. */
export async function updateProject(id: string, patch: Partial<Omit<StoredProject, 'id'>>): Promise<void> {
  const d = await db();
  const tx = d.transaction('projects', 'readwrite');
  const p = await tx.store.get(id);
  if (p) await tx.store.put({ ...p, ...patch, updatedAt: Date.now() });
  await tx.done;
}

/** The aligner output stored with a project, or null (the generate worker reads it back after a reload:
 *  it computed it, persisted it from there and is the only one that needs its features). */
export async function loadAligner(id: string): Promise<StoredProject['aligner']> {
  return (await (await db()).get('projects', id))?.aligner ?? null;
}

/** The project to reopen and its takes (oldest first), or null. */
export async function loadCurrent(): Promise<{ project: StoredProject; takes: StoredTake[] } | null> {
  const d = await db();
  const id = await d.get('state', 'current');
  if (!id) return null;
  const project = await d.get('projects', id);
  if (!project) return null;
  const takes = await d.getAllFromIndex('takes', 'byProject', id);
  takes.sort((a, b) => a.createdAt - b.createdAt);
  return { project, takes };
}

/** Stores a take of `projectId` (its blob URL is not kept: a new one is made on restore). */
export async function saveTake(
  take: Take,
  projectId: string,
  wav: Uint8Array,
  latent: Float32Array | null,
): Promise<void> {
  const { url: _url, ...meta } = take;
  await (await db()).put('takes', { ...meta, projectId, wav, latent });
}

export async function updateTake(id: string, patch: Partial<Pick<StoredTake, 'name' | 'starred'>>): Promise<void> {
  const d = await db();
  const tx = d.transaction('takes', 'readwrite');
  const t = await tx.store.get(id);
  if (t) await tx.store.put({ ...t, ...patch });
  await tx.done;
}

export async function loadTake(id: string): Promise<StoredTake | undefined> {
  return (await db()).get('takes', id);
}

export async function deleteTakes(ids: readonly string[]): Promise<void> {
  const d = await db();
  const tx = d.transaction('takes', 'readwrite');
  await Promise.all([...ids.map((id) => tx.store.delete(id)), tx.done]);
}

/** Deletes every project but `keepId`, with its takes; returns how many projects went. */
export async function deleteOtherProjects(keepId: string | null): Promise<number> {
  const d = await db();
  const tx = d.transaction(['projects', 'takes'], 'readwrite');
  const ids = (await tx.objectStore('projects').getAllKeys()).filter((k) => k !== keepId);
  for (const id of ids) {
    await tx.objectStore('projects').delete(id);
    for (const k of await tx.objectStore('takes').index('byProject').getAllKeys(id))
      await tx.objectStore('takes').delete(k);
  }
  await tx.done;
  return ids.length;
}

/** Bytes this origin stores (IndexedDB, caches) and the browser's quota for it, where it says. */
export async function storageUse(): Promise<{ usage: number; quota: number } | null> {
  if (typeof navigator === 'undefined' || !navigator.storage?.estimate) return null;
  const e = await navigator.storage.estimate();
  return { usage: e.usage ?? 0, quota: e.quota ?? 0 };
}

/** Bytes of the takes and the video kept for one project (what the storage budget counts). */
export async function projectBytes(id: string): Promise<{ video: number; takes: number; count: number }> {
  const d = await db();
  const p = await d.get('projects', id);
  const takes = await d.getAllFromIndex('takes', 'byProject', id);
  const takeBytes = takes.reduce((a, t) => a + t.wav.byteLength + (t.latent?.byteLength ?? 0), 0);
  return { video: p?.file.size ?? 0, takes: takeBytes, count: takes.length };
}

/** Closes the connection (tests). */
export async function closeDb(): Promise<void> {
  if (dbp) (await dbp).close();
  dbp = null;
}
