// The browser runner: the station (in its own process, under a supervisor that restarts it) and the
// built renderer on http://127.0.0.1:PORT, for development, tests, and as the fallback where Electron
// is not installed. It starts the embedded demo unless the configuration says production
// (EXAM_STATION_MODE=production or the IT policy file).
//   node src-main/runner/main.ts [--data DIR] [--port N] [--quiet]      (npm run runner)
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { StationError } from '../../src-shared/errors.ts';
import { forkStation, StationSupervisor } from '../host/supervisor.ts';
import { createStationHttpServer } from './http-server.ts';

const { values } = parseArgs({ options: { data: { type: 'string' }, port: { type: 'string' }, quiet: { type: 'boolean', default: false } } });

const supervisor = new StationSupervisor(
  forkStation({ EXAM_STATION_DEMO_DEFAULT: '1', ...(values.data ? { EXAM_STATION_DATA: values.data } : {}), ...(values.port ? { PORT: values.port } : {}) }),
);
supervisor.on('crashed', ({ code, signal }) => console.error(`station process ended (${signal ?? code}); starting it again`));
// Each (re)start of the station process, for whoever watches the runner (the end-to-end test).
supervisor.on('ready', () => console.log(JSON.stringify({ event: 'station-ready', pid: supervisor.pid })));

let ready;
try {
  ready = await supervisor.start();
} catch (error) {
  if (error instanceof StationError) console.error(`Exam Station nevar startēt / cannot start.\n${error.text.lv}\n${error.text.en}\n(${error.code}${error.detail ? `: ${error.detail}` : ''})`);
  else console.error(error);
  process.exit(1);
}

// The runner is a solo station in a browser: one screen does the invigilator's step and the test.
const server = await createStationHttpServer({ handler: supervisor.handler, staticDir: resolve(import.meta.dirname, '../../out/renderer'), surfaces: ['public', 'staff', 'candidate'] });

const stop = (code: number): void => {
  void server
    .close()
    .then(() => supervisor.stop())
    .finally(() => process.exit(code));
};

try {
  await server.listen({ host: '127.0.0.1', port: ready.port });
} catch (error) {
  const errno = (error as NodeJS.ErrnoException).code;
  console.error(errno === 'EADDRINUSE' ? `Port ${ready.port} is in use: start with --port N or PORT=N.` : (error as Error).message);
  stop(1);
}
const address = server.server.address();
const actual = typeof address === 'object' && address ? address.port : ready.port;
console.log(JSON.stringify({ event: 'ready', url: `http://127.0.0.1:${actual}/`, dataDir: ready.dataDir, port: actual, mode: ready.mode, stationPid: supervisor.pid }));
if (!values.quiet) {
  console.log(`\nExam Station (browser runner, ${ready.mode}) — open http://127.0.0.1:${actual}/`);
  if (ready.mode === 'demo') {
    if (ready.demo.chief) console.log(`Demo chief invigilator: username ${ready.demo.chief.username}, password ${ready.demo.chief.password}`);
    for (const p of ready.demo.packages) console.log(`Package key for ${p.title}: ${p.contentKey}`);
  }
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));
