// The response headers VeM Studio is served with: one list for `vite preview` (`npm start`, the e2e
// server), the dev server and the service worker (the build writes them into dist/sw.js), and what
// README.md / docs/architecture.md tell a static host to send.
//
// Cross-origin isolation (COOP + COEP) gives the page SharedArrayBuffer, which onnxruntime-web needs for
// more than one WASM thread. Every file the app loads is on its own origin, so `require-corp` blocks
// nothing of ours; CORP `same-origin` keeps other sites from embedding those files.
//
// The Content-Security-Policy allows this origin only, with these exceptions, each needed:
// - script-src 'wasm-unsafe-eval': compiling WebAssembly (ffmpeg.wasm, onnxruntime-web); no 'unsafe-eval'.
// - worker-src 'self' and no blob:. ffmpeg.wasm's worker, the parse and generate workers and
//   onnxruntime-web's pthread workers are all script files of this origin. onnxruntime-web makes a blob:
//   copy of its glue script only when that script is on another origin (ours is not), and its proxy
//   worker (also a blob: copy) is not used.
// - connect-src / media-src blob:: takes are WAV blobs in the page; the video and audio elements play
//   them by object URL, the waveform and export read them back with fetch(). Object URLs are bound to the
//   origin that made them, so this reaches nothing outside the page.
// - style-src: the hash of the one <style> that wavesurfer.js 7 writes into its shadow root (its text
//   depends on the timeline's height, 72 px in Timeline.tsx, and on the wavesurfer version). If either
//   changes, e2e/security.spec.ts sees the refused style and prints the new hash. React's style props
//   go through CSSOM, which CSP does not govern.
// The dev server (`npm run dev`) sends no CSP: Vite's dev client injects inline scripts and styles.

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self'",
  "connect-src 'self' blob:",
  "media-src 'self' blob:",
  "img-src 'self'",
  "style-src 'self' 'sha256-XGW/cX2BkTPWNNT3NdyASrPEWZfPnKdPJaJ2aN7R+v8='",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export const ISOLATION_HEADERS: Record<string, string> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

export const SECURITY_HEADERS: Record<string, string> = {
  ...ISOLATION_HEADERS,
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
};
