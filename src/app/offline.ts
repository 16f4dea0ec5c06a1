// Registers the service worker (public/sw.js) and asks it to bring its cache up to date with this
// build; `data-offline-ready` on <html> says when the app and its models are all cached.
export function registerOffline(): void {
  if (!('serviceWorker' in navigator) || !import.meta.env.PROD) return;
  if (new URLSearchParams(location.search).get('sw') === '0') return; // benchmarks measure the network path
  const root = document.documentElement;
  navigator.serviceWorker.addEventListener(
    'message',
    (e: MessageEvent<{ type: string; version?: string; message?: string }>) => {
      if (e.data?.type === 'offline-ready') root.dataset.offlineReady = e.data.version ?? '1';
      if (e.data?.type === 'offline-failed') root.dataset.offlineFailed = e.data.message ?? 'failed';
    },
  );
  window.addEventListener('load', () => {
    navigator.serviceWorker
      .register(`${import.meta.env.BASE_URL}sw.js`)
      .then(async () => {
        const reg = await navigator.serviceWorker.ready;
        reg.active?.postMessage({ type: 'sync' });
      })
      .catch((err: unknown) => {
        root.dataset.offlineFailed = String(err);
      });
  });
}
