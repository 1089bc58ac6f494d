// npm run demo:room: a demo exam room on this machine — the hub (the invigilator's console) and its
// seats, each a browser runner with a station of its own (its own data folder, key and database),
// the seats paired with the hub through the same code path as in a real room, all on loopback.
//   node src-main/runner/demo-room.ts [--seats N] [--port P] [--data DIR] [--central URL [--central-data DIR]]
// With --central the hub reports to that central API (`npm run server`): it enrols with the code the
// central demo left in its data folder (demo-hub.json), trusts the central demo's signing key, takes
// its sessions, roster and packages from the feed instead of seeding its own, and sends results back.
// The console is on port P (5170), the seats on P+1 … P+N; the room's TLS port is 127.0.0.1:47300
// (EXAM_STATION_ROOM_PORT to move it). Started again on the same data folder, the seats are still
// paired and only new ones pair.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { DEMO_CHIEF } from '../host/demo.ts';

const { values } = parseArgs({
  options: { seats: { type: 'string', default: '3' }, port: { type: 'string', default: '5170' }, data: { type: 'string', default: '.data/room' }, central: { type: 'string' }, 'central-data': { type: 'string', default: '.data/server' } },
});
const seatCount = Number(values.seats);
const basePort = Number(values.port);
if (!Number.isInteger(seatCount) || seatCount < 1 || seatCount > 40) throw new Error('--seats is a number from 1 to 40');
if (!Number.isInteger(basePort) || basePort < 1024 || basePort + seatCount > 65535) throw new Error('--port is a port from 1024 on, with room for the seats after it');
const dataRoot = resolve(values.data);
const roomPort = Number(process.env.EXAM_STATION_ROOM_PORT ?? 47300);
const RUNNER = resolve(import.meta.dirname, 'main.ts');
const labels = Array.from({ length: seatCount }, (_, i) => `A${i + 1}`);

/** With --central: the hub's and the seats' settings for the central demo (its code and trust list). */
function centralEnv(): { hub: Record<string, string>; seat: Record<string, string> } {
  if (!values.central) return { hub: {}, seat: {} };
  const file = resolve(values['central-data'], 'demo-hub.json');
  if (!existsSync(file)) throw new Error(`${file} is not there: start the central demo first (npm run server), on a fresh data folder`);
  const demo = JSON.parse(readFileSync(file, 'utf8')) as { enrollmentCode: string; trustListFile: string };
  const trust = { EXAM_STATION_DEMO_TRUST: demo.trustListFile };
  return { hub: { ...trust, EXAM_STATION_CENTRAL_URL: values.central, EXAM_STATION_CENTRAL_CODE: demo.enrollmentCode }, seat: trust };
}

const children: ChildProcess[] = [];

/** One browser runner; resolves with its URL once it says it is ready. */
function startRunner(name: string, port: number, env: Record<string, string>): Promise<string> {
  const child = spawn(process.execPath, [RUNNER, '--data', resolve(dataRoot, name), '--port', String(port), '--quiet'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  return new Promise((resolveUrl, reject) => {
    child.once('exit', (code) => reject(new Error(`the ${name} station stopped (${code}) before it was ready`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        const event = JSON.parse(line) as { event?: string; url?: string };
        if (event.event === 'ready' && event.url) resolveUrl(event.url);
      } catch {
        // a line that is not the runner's
      }
    });
  });
}

async function call<T>(url: string, method: string, input: Record<string, unknown>): Promise<T> {
  const reply = await fetch(new URL(`/api/${method}`, url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(input) });
  const body = (await reply.json()) as { ok: true; value: T } | { ok: false; error: { code: string; message?: string } };
  if (!body.ok) throw new Error(`${method}: ${body.error.code}${body.error.message ? ` (${body.error.message})` : ''}`);
  return body.value;
}

const signIn = async (url: string): Promise<string> => (await call<{ staffToken: string }>(url, 'staffSignIn', { username: DEMO_CHIEF.username, password: DEMO_CHIEF.password })).staffToken;

interface RoomView {
  hub: { pairing: { code: string | null } } | null;
  seat: { paired: boolean } | null;
}

function stopAll(code: number): never {
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  process.exit(code);
}
process.on('SIGINT', () => stopAll(0));
process.on('SIGTERM', () => stopAll(0));

try {
  const central = centralEnv();
  const hubUrl = await startRunner('hub', basePort, { EXAM_STATION_ROLE: 'hub', EXAM_STATION_ROOM_HOST: '127.0.0.1', EXAM_STATION_ROOM_PORT: String(roomPort), ...central.hub });
  // The seats trust the hub's demo signing key, as a real room's stations trust the agency's.
  const demoKeys = resolve(dataRoot, 'hub', 'demo-signing-keys');
  const seatUrls = await Promise.all(labels.map((label, i) => startRunner(`seat-${label}`, basePort + 1 + i, { EXAM_STATION_ROLE: 'seat', EXAM_STATION_DEMO_KEYS: demoKeys, ...central.seat })));
  const hubToken = await signIn(hubUrl);
  for (const [i, label] of labels.entries()) {
    const seatUrl = seatUrls[i]!;
    const seatToken = await signIn(seatUrl);
    if ((await call<RoomView>(seatUrl, 'getRoom', { staffToken: seatToken })).seat?.paired) continue;
    // Each code pairs one seat; the hub shows the next one in its room view.
    const live = (await call<RoomView>(hubUrl, 'getRoom', { staffToken: hubToken })).hub?.pairing.code;
    const code = live ?? (await call<{ code: string }>(hubUrl, 'openPairing', { staffToken: hubToken })).code;
    await call(seatUrl, 'pairWithHub', { staffToken: seatToken, host: '127.0.0.1', port: roomPort, code, label });
  }
  await call(hubUrl, 'closePairing', { staffToken: hubToken });
  // One line for scripts and tests, then the same for people.
  console.log(JSON.stringify({ event: 'room-ready', console: hubUrl, roomPort, seats: Object.fromEntries(labels.map((label, i) => [label, seatUrls[i]])) }));
  console.log(`\nExam Station — demo room (${seatCount} seats, data in ${dataRoot})${values.central ? `, reporting to ${values.central}` : ''}`);
  console.log(`  invigilator's console (hub): ${hubUrl}`);
  for (const [i, label] of labels.entries()) console.log(`  seat ${label}: ${seatUrls[i]}`);
  console.log(`Sign in on any of them: username ${DEMO_CHIEF.username}, password ${DEMO_CHIEF.password}. Ctrl+C stops the room.`);
} catch (error) {
  console.error(`The demo room could not start / Demo telpu nevarēja sākt: ${(error as Error).message}`);
  stopAll(1);
}
