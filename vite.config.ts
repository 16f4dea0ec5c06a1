import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { precache } from './scripts/precache-plugin.ts';

// Everything the app loads is served from its own origin: ffmpeg.wasm's core and onnxruntime-web's
// wasm are imported with ?url, the models live in public/models.
export default defineConfig({
  plugins: [react(), precache()],
  optimizeDeps: { exclude: ['@ffmpeg/ffmpeg', '@ffmpeg/util', 'onnxruntime-web'] },
  worker: { format: 'es' },
  build: { target: 'es2022', chunkSizeWarningLimit: 4096 },
  preview: { port: 4173, strictPort: true },
  server: { port: 5173 },
});
