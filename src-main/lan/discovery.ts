// Finding the hub on the venue LAN by DNS-SD (issue 10 §1): the hub advertises `_examroom._tcp` with its
// room port and its device id in the TXT record (@homebridge/ciao); a seat that is not paired browses
// for it (bonjour-service) and lists what it finds, so IT picks the hub by its device id and types the
// code the hub shows. Nothing here is trusted: a record only says where to dial. Pairing proves the
// code, and the seat pins the hub's key from then on (docs/room.md), so a forged record leads at worst
// to a pairing that fails.
import { getResponder } from '@homebridge/ciao';
import Bonjour from 'bonjour-service';
import { normalizeDeviceId, shortDeviceId } from '../../src-shared/rules/device-id.ts';

/** The DNS-SD service type, without its underscores and protocol: `_examroom._tcp`. */
export const ROOM_SERVICE_TYPE = 'examroom';
/** How often a browsing seat asks again and drops hubs whose records have expired. */
const REFRESH_MS = 10_000;

export interface HubAdvertiser {
  stop(): Promise<void>;
}

export interface AdvertiseOptions {
  deviceId: string;
  port: number;
  /**
   * The interfaces (names or addresses) to advertise on and answer from, and no others; every
   * interface when left out. A hub that listens on one address advertises on that one only.
   */
  interfaces?: string[];
}

/** Advertise the hub's room port on the LAN until stopped. */
export async function advertiseHub(options: AdvertiseOptions): Promise<HubAdvertiser> {
  const responder = getResponder(options.interfaces ? { interface: options.interfaces } : {});
  const service = responder.createService({
    name: `Exam Station ${shortDeviceId(options.deviceId)}`,
    type: ROOM_SERVICE_TYPE,
    port: options.port,
    txt: { id: options.deviceId },
    ...(options.interfaces ? { restrictedAddresses: options.interfaces } : {}),
  });
  try {
    await service.advertise();
  } catch (error) {
    await responder.shutdown();
    throw error;
  }
  return {
    async stop() {
      // The goodbye packets tell browsing seats the hub is gone.
      await service.end();
      await service.destroy();
      await responder.shutdown();
    },
  };
}

/** A hub a seat has heard advertise itself. */
export interface DiscoveredHub {
  deviceId: string;
  /** The service's instance name, as the hub chose it. */
  name: string;
  /** The addresses its records gave, IPv4 first; the seat dials the first that answers. */
  addresses: string[];
  port: number;
}

export interface HubBrowser {
  hubs(): DiscoveredHub[];
  /** Why browsing failed (the multicast socket could not be opened ...), or null. */
  error(): string | null;
  stop(): void;
}

export interface BrowseOptions {
  /** The address of the interface to browse on; every interface when left out. */
  interface?: string;
}

/** Look for hubs on the LAN until stopped. A record without a well-formed device id is not listed. */
export function browseHubs(options: BrowseOptions = {}): HubBrowser {
  let failure: string | null = null;
  // multicast-dns binds its socket to the interface's address when given one, and on Linux a socket
  // bound to a unicast address receives no multicast: bind to any address, join the group on that one.
  const bonjour = new Bonjour(
    (options.interface ? { interface: options.interface, bind: '0.0.0.0' } : {}) as ConstructorParameters<typeof Bonjour>[0],
    (error: unknown) => {
      failure = error instanceof Error ? error.message : String(error);
    },
  );
  const browser = bonjour.find({ type: ROOM_SERVICE_TYPE });
  const refresh = setInterval(() => {
    browser.expire();
    browser.update();
  }, REFRESH_MS);
  refresh.unref();
  return {
    hubs() {
      const found = new Map<string, DiscoveredHub>();
      for (const service of browser.services) {
        const txt = (service.txt ?? {}) as Record<string, unknown>;
        const deviceId = typeof txt.id === 'string' ? normalizeDeviceId(txt.id) : undefined;
        if (!deviceId || !Number.isInteger(service.port) || service.port < 1 || service.port > 65_535) continue;
        const addresses = [...(service.addresses ?? [])].sort((a, b) => Number(a.includes(':')) - Number(b.includes(':')));
        if (addresses.length === 0 && service.referer?.address) addresses.push(service.referer.address);
        found.set(deviceId, { deviceId, name: service.name, addresses, port: service.port });
      }
      return [...found.values()].sort((a, b) => a.name.localeCompare(b.name) || a.deviceId.localeCompare(b.deviceId));
    },
    error: () => failure,
    stop() {
      clearInterval(refresh);
      browser.stop();
      bonjour.destroy();
    },
  };
}
