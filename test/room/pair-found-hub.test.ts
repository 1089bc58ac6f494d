// Pairing with a hub found by DNS-SD: the seat knows the device id the hub advertised, and a hub at that
// address showing another key (a stale record, a machine answering in its place) is refused as
// HUB_KEY_CHANGED before the code is tried, so the code is not burnt. The right hub pairs as by a typed
// address. The setting says where a station advertises and looks, and IT can turn it off.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadStationConfig } from '../../src-main/host/config.ts';
import { pairWithCode } from '../../src-main/seat-link/pairing.ts';
import { loadMembership } from '../../src-main/seat-link/membership.ts';
import { loadOrCreateDeviceIdentity } from '../../src-shared/node/room/identity.ts';
import { refusal } from '../support/refusal.ts';
import { tempDir } from '../support/fixtures.ts';
import { makeSeat, startHub, type TestHub } from './support.ts';

const hubs: TestHub[] = [];
afterEach(async () => {
  await Promise.all(hubs.splice(0).map((hub) => hub.stop()));
});

describe('pairing with a hub found on the network', () => {
  it('refuses a hub whose key is not the device id it was found under, leaving the code unused; pairs with the right one', async () => {
    const room = await startHub();
    hubs.push(room);
    const seat = makeSeat();
    const { code } = room.server.pairing.open();
    const other = loadOrCreateDeviceIdentity(tempDir('other-hub-'));
    const error = await refusal(pairWithCode({ identity: seat.identity, dataDir: seat.dir, address: room.server.address, code, label: '3C', expectedHubDeviceId: other.deviceId }));
    expect(error).toBe('HUB_KEY_CHANGED');
    expect(loadMembership(seat.dir)).toBeUndefined();
    expect(room.server.pairing.status()).toMatchObject({ consecutiveFailures: 0, code: { code } });
    const membership = await pairWithCode({ identity: seat.identity, dataDir: seat.dir, address: room.server.address, code, label: '3C', expectedHubDeviceId: room.identity.deviceId });
    expect(membership).toMatchObject({ hubDeviceId: room.identity.deviceId, label: '3C' });
  });
});

describe('the DNS-SD setting', () => {
  const load = (env: Record<string, string>, policy?: Record<string, unknown>) => {
    const dir = tempDir('discovery-config-');
    const policyFile = join(dir, 'policy.json');
    if (policy) writeFileSync(policyFile, JSON.stringify(policy));
    return loadStationConfig({ env: { EXAM_STATION_VENUE: 'RIX01', EXAM_STATION_DATA: join(dir, 'data'), ...env }, machinePolicyFile: policy ? policyFile : join(dir, 'absent.json') });
  };

  it('is on for a production station on the LAN, off on loopback and in the demo, and IT can turn it off or on', () => {
    expect(load({ EXAM_STATION_ROLE: 'hub' }).roomDiscovery).toBe(true);
    expect(load({ EXAM_STATION_ROLE: 'hub', EXAM_STATION_ROOM_HOST: '127.0.0.1' }).roomDiscovery).toBe(false);
    expect(load({ EXAM_STATION_ROLE: 'seat', EXAM_STATION_MODE: 'demo' }).roomDiscovery).toBe(false);
    expect(load({ EXAM_STATION_ROLE: 'hub' }, { roomDiscovery: 'off' }).roomDiscovery).toBe(false);
    expect(load({ EXAM_STATION_ROLE: 'hub', EXAM_STATION_ROOM_HOST: '127.0.0.1' }, { roomDiscovery: 'on' }).roomDiscovery).toBe(true);
    expect(() => load({ EXAM_STATION_ROLE: 'hub' }, { roomDiscovery: 'yes' })).toThrow(/roomDiscovery/);
  });
});
