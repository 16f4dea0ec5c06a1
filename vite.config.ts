import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { precache } from './scripts/precache-plugin.ts';
import { ISOLATION_HEADERS, SECURITY_HEADERS } from './scripts/security-headers.ts';

// Everything the app loads is served from its own origin: ffmpeg.wasm's core and onnxruntime-web's
// wasm and glue script are imported with ?url, the models live in public/models. Both servers send the
// cross-origin isolation headers (threads for onnxruntime-web); `vite preview` (npm start, the e2e
// server) also sends the Content-Security-Policy, which Vite's dev client (inline scripts) cannot run under.
export default defineConfig({
  plugins: [react(), precache(SECURITY_HEADERS)],
  optimizeDeps: { exclude: ['@ffmpeg/ffmpeg', '@ffmpeg/util', 'onnxruntime-web'] },
  worker: { format: 'es' },
  build: { target: 'es2022', chunkSizeWarningLimit: 4096 },
  preview: { port: 4173, strictPort: true, headers: SECURITY_HEADERS },
  server: { port: 5173, headers: ISOLATION_HEADERS },
});
