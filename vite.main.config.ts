// Build of the Electron main process (ESM), the station's own process (ESM, run as a utility process)
// and the preload (CommonJS, as a sandboxed preload must be). Native and Electron modules stay
// external; the station code is bundled.
import { builtinModules } from 'node:module';
import { resolve } from 'node:path';
import { defineConfig } from 'vite';

const external = ['electron', 'better-sqlite3', ...builtinModules, ...builtinModules.map((m) => `node:${m}`)];
const target = process.env.EXAM_STATION_BUILD === 'preload' ? 'preload' : 'main';

export default defineConfig({
  build: {
    ssr: true,
    target: 'node22',
    outDir: resolve(import.meta.dirname, 'out', target),
    emptyOutDir: true,
    sourcemap: true,
    rollupOptions: {
      input:
        target === 'preload'
          ? resolve(import.meta.dirname, 'src-main/electron/preload.ts')
          : { main: resolve(import.meta.dirname, 'src-main/electron/main.ts'), 'station-process': resolve(import.meta.dirname, 'src-main/host/station-process.ts') },
      external,
      output:
        target === 'preload'
          ? { format: 'cjs', entryFileNames: 'preload.cjs' }
          : { format: 'es', entryFileNames: '[name].js' },
    },
  },
});
