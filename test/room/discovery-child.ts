// One end of the DNS-SD test (discovery.test.ts), run inside a network namespace: `advertise <deviceId>
// <port> <interface address>` advertises as a hub until killed; `browse <interface address>` prints the
// hubs it finds, one JSON line each time the list changes. "ready" once it runs.
import { advertiseHub, browseHubs } from '../../src-main/lan/discovery.ts';

const [mode, ...args] = process.argv.slice(2);
if (mode === 'advertise') {
  const [deviceId, port, address] = args;
  const advert = await advertiseHub({ deviceId: deviceId!, port: Number(port), interfaces: [address!] });
  process.stdout.write('ready\n');
  process.on('SIGTERM', () => void advert.stop().finally(() => process.exit(0)));
} else if (mode === 'browse') {
  const browser = browseHubs({ interface: args[0]! });
  process.stdout.write('ready\n');
  let last = '';
  setInterval(() => {
    const now = JSON.stringify({ hubs: browser.hubs(), error: browser.error() });
    if (now !== last) process.stdout.write(`${now}\n`);
    last = now;
  }, 100);
  process.on('SIGTERM', () => {
    browser.stop();
    process.exit(0);
  });
} else {
  process.stderr.write(`unknown mode ${mode}\n`);
  process.exit(2);
}
