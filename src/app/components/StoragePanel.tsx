// What this project keeps in the browser's storage, and the buttons that free it.
import { useEffect, useState } from 'react';
import { useStudio } from '../store.ts';
import { deleteOtherProjects, projectBytes, storageUse } from '../../storage/persist.ts';
import { removeTakes } from '../generation.ts';

const mb = (b: number) => `${(b / 2 ** 20).toFixed(1)} MB`;

export function StoragePanel() {
  const video = useStudio((s) => s.video);
  const takes = useStudio((s) => s.takes);
  const [info, setInfo] = useState<{
    video: number;
    takes: number;
    count: number;
    usage: number | null;
    quota: number | null;
  } | null>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (!video) return;
    let live = true;
    void Promise.all([projectBytes(video.id), storageUse()])
      .then(([p, u]) => {
        if (live) setInfo({ ...p, usage: u?.usage ?? null, quota: u?.quota ?? null });
      })
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [video, takes.length, tick]); // renaming or starring a take does not change what is stored
  if (!video) return null;
  const unstarred = takes.filter((t) => !t.starred).map((t) => t.id);
  return (
    <section
      className="storage"
      data-testid="storage"
      data-takes-bytes={info?.takes ?? ''}
      data-usage-bytes={info?.usage ?? ''}
    >
      <h2>Saved in this browser</h2>
      <p>
        {info ? (
          <>
            Video {mb(info.video)} · {info.count} {info.count === 1 ? 'take' : 'takes'} {mb(info.takes)}
            {info.usage !== null && (
              <>
                {' '}
                · this site uses {mb(info.usage)}
                {info.quota ? ` of ${mb(info.quota)} allowed` : ''}
              </>
            )}
          </>
        ) : (
          '…'
        )}
      </p>
      <p className="hint">
        The project (video, storyboards, tags, takes) is kept here, so a reload or a closed tab loses nothing. Starred
        takes are kept when you clear.
      </p>
      <button
        data-testid="clear-takes"
        disabled={unstarred.length === 0}
        onClick={() => void removeTakes(unstarred).then(() => setTick((x) => x + 1))}
      >
        Delete {unstarred.length} unstarred take{unstarred.length === 1 ? '' : 's'}
      </button>
      <button
        data-testid="clear-projects"
        onClick={() => void deleteOtherProjects(video.id).then(() => setTick((x) => x + 1))}
      >
        Delete other saved projects
      </button>
    </section>
  );
}
