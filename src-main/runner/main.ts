// The browser runner: the station service and the built renderer on http://127.0.0.1:PORT, for
// development, tests, and as the fallback where Electron is not installed.
//   node src-main/runner/main.ts [--data DIR] [--port N]      (npm run runner)
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createStationHandler } from '../station/dispatch.ts';
import { bootStation } from '../station/boot.ts';
import { StationError } from '../../src-shared/errors.ts';
import { createStationHttpServer } from './http-server.ts';

const { values } = parseArgs({ options: { data: { type: 'string' }, port: { type: 'string' }, quiet: { type: 'boolean', default: false } } });
const port = Number(values.port ?? process.env.PORT ?? 5170);

let booted;
try {
  booted = bootStation(values.data ? { dataDir: values.data } : {});
} catch (error) {
  if (error instanceof StationError) {
    console.error(`${error.text.lv}\n${error.text.en}\n(${error.code}${error.detail ? `: ${error.detail}` : ''})`);
    process.exit(1);
  }
  throw error;
}
const { service, dataDir, demo, staffPin } = booted;
// The runner is a solo station in a browser: one screen does the invigilator's step and the test.
const server = await createStationHttpServer({
  handler: createStationHandler(service),
  staticDir: resolve(import.meta.dirname, '../../out/renderer'),
  surfaces: ['public', 'staff', 'candidate'],
});

try {
  await server.listen({ host: '127.0.0.1', port });
} catch (error) {
  const code = (error as NodeJS.ErrnoException).code;
  console.error(code === 'EADDRINUSE' ? `Port ${port} is in use: start with --port N or PORT=N.` : (error as Error).message);
  service.close();
  process.exit(1);
}
const address = server.server.address();
const actual = typeof address === 'object' && address ? address.port : port;
console.log(JSON.stringify({ event: 'ready', url: `http://127.0.0.1:${actual}/`, dataDir, port: actual }));
if (!values.quiet) {
  console.log(`\nExam Station (browser runner) — open http://127.0.0.1:${actual}/`);
  console.log(`Demo staff PIN: ${staffPin}`);
  for (const p of demo) console.log(`Package key for ${p.title}: ${p.contentKey}`);
}

function stop(): void {
  void server.close().finally(() => {
    service.close();
    process.exit(0);
  });
}
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
