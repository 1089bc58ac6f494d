// Build of the renderer (React) into out/renderer, loaded by Electron from file:// and served by the
// browser runner over HTTP: relative asset paths work for both.
import react from '@vitejs/plugin-react';
import { resolve } from 'node:path';
import { defineConfig } from 'vite';

export default defineConfig({
  root: resolve(import.meta.dirname, 'src-renderer'),
  base: './',
  plugins: [react()],
  build: { outDir: resolve(import.meta.dirname, 'out/renderer'), emptyOutDir: true, sourcemap: true, target: 'es2023' },
  server: { proxy: { '/api': 'http://127.0.0.1:5170' } },
});
