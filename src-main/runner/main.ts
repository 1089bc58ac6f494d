// The browser runner: the station service and the built renderer on http://127.0.0.1:PORT, for
// development, tests, and as the fallback where Electron is not installed. It starts the embedded
// demo unless the configuration says production (EXAM_STATION_MODE=production or the IT policy file).
//   node src-main/runner/main.ts [--data DIR] [--port N] [--quiet]      (npm run runner)
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { StationError } from '../../src-shared/errors.ts';
import { ConfigError, loadStationConfig } from '../host/config.ts';
import { openStation, type OpenedStation } from '../host/start.ts';
import { createStationHandler } from '../station/dispatch.ts';
import { createStationHttpServer } from './http-server.ts';

const { values } = parseArgs({ options: { data: { type: 'string' }, port: { type: 'string' }, quiet: { type: 'boolean', default: false } } });

let opened: OpenedStation;
try {
  const config = loadStationConfig({ demoByDefault: true, env: { ...process.env, ...(values.data ? { EXAM_STATION_DATA: values.data } : {}), ...(values.port ? { PORT: values.port } : {}) } });
  opened = openStation(config);
} catch (error) {
  if (error instanceof StationError) console.error(`${error.text.lv}\n${error.text.en}\n(${error.code}${error.detail ? `: ${error.detail}` : ''})`);
  else if (error instanceof ConfigError) console.error(`Exam Station cannot start: ${error.message}`);
  else throw error;
  process.exit(1);
}
const { service, config, demo } = opened;
// The runner is a solo station in a browser: one screen does the invigilator's step and the test.
const server = await createStationHttpServer({
  handler: createStationHandler(service),
  staticDir: resolve(import.meta.dirname, '../../out/renderer'),
  surfaces: ['public', 'staff', 'candidate'],
});

try {
  await server.listen({ host: '127.0.0.1', port: config.port });
} catch (error) {
  const code = (error as NodeJS.ErrnoException).code;
  console.error(code === 'EADDRINUSE' ? `Port ${config.port} is in use: start with --port N or PORT=N.` : (error as Error).message);
  service.close();
  process.exit(1);
}
const address = server.server.address();
const actual = typeof address === 'object' && address ? address.port : config.port;
console.log(JSON.stringify({ event: 'ready', url: `http://127.0.0.1:${actual}/`, dataDir: config.dataDir, port: actual, mode: config.mode }));
if (!values.quiet) {
  console.log(`\nExam Station (browser runner, ${config.mode}) — open http://127.0.0.1:${actual}/`);
  if (config.mode === 'demo') {
    console.log(`Demo staff PIN: ${config.initialStaffPin}`);
    for (const p of demo) console.log(`Package key for ${p.title}: ${p.contentKey}`);
  }
}

function stop(): void {
  void server.close().finally(() => {
    service.close();
    process.exit(0);
  });
}
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
