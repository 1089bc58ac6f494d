// @vitest-environment jsdom
// The end and seal of a session on the console (src-renderer/console/EndAndSeal.tsx), against an
// in-memory hub: "End" asks first; each seat's way to its final state and its digest; "Seal"; a seat
// that cannot answer is accounted for with a reason typed in; a refusal is shown where the person acted,
// in both languages; the protocol is saved as a PDF file.
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { ConsoleApp } from '../../src-renderer/console/ConsoleApp.tsx';
import { settingsStore } from '../../src-renderer/store/settings.ts';
import type { SealSeat, SealStatus } from '../../src-shared/contracts/room-seal.ts';
import type { StationInput, StationOutput } from '../../src-shared/contracts/station-api.ts';
import { StationError } from '../../src-shared/errors.ts';
import { FakeStation, STAFF } from './fake-station.ts';

const DIGEST = 'ab'.repeat(32);
const seat = (label: string, more: Partial<SealSeat> = {}): SealSeat => ({
  deviceId: `DEVICE-${label}`,
  label,
  candidateIds: [`C-${label}`],
  end: 'pending',
  endCode: null,
  final: false,
  seal: 'pending',
  sealCode: null,
  accounted: null,
  ...more,
});

/** A hub whose seal moves as the console asks, and whose seat 1B never answers. */
class FakeSealHub extends FakeStation {
  sealed: SealStatus = { sessionId: 'S-1', state: 'open', endedAt: null, endedBy: null, sealRequestedAt: null, sealedAt: null, sealedBy: null, digest: null, seats: [seat('1A'), seat('1B')] };
  calls: string[] = [];
  refuseSeal: StationError | null = null;
  override async getRoom(): Promise<StationOutput<'getRoom'>> {
    return { role: 'hub', notice: null, hub: { address: { host: '10.0.0.5', port: 47300 }, pairing: { state: 'closed', code: null, expiresAt: null, consecutiveFailures: 0 }, seats: [] }, seat: null };
  }
  override async listCandidates(): Promise<StationOutput<'listCandidates'>> {
    return [{ ...(await this.getCandidate()), sessionId: 'S-1' }];
  }
  override async getSealStatus(): Promise<StationOutput<'getSealStatus'>> {
    return this.sealed;
  }
  override async endSession(input?: StationInput<'endSession'>): Promise<StationOutput<'endSession'>> {
    this.calls.push(`end ${input?.sessionId}`);
    this.sealed = { ...this.sealed, state: 'ended', seats: [seat('1A', { end: 'applied', final: true }), seat('1B')] };
    return this.sealed;
  }
  override async sealSession(input?: StationInput<'sealSession'>): Promise<StationOutput<'sealSession'>> {
    this.calls.push(`seal ${input?.sessionId}`);
    if (this.refuseSeal) throw this.refuseSeal;
    this.sealed = { ...this.sealed, state: 'sealing', seats: [seat('1A', { end: 'applied', final: true, seal: 'matched' }), seat('1B')] };
    return this.sealed;
  }
  override async accountForSeat(input?: StationInput<'accountForSeat'>): Promise<StationOutput<'accountForSeat'>> {
    this.calls.push(`account ${input?.deviceId}: ${input?.reason}`);
    const accounted = { reason: input!.reason, by: STAFF.username, at: new Date().toISOString() };
    this.sealed = { ...this.sealed, state: 'sealed', sealedAt: new Date().toISOString(), sealedBy: STAFF.username, digest: DIGEST, seats: [this.sealed.seats[0]!, seat('1B', { seal: 'accounted', accounted })] };
    return this.sealed;
  }
  override async getRoomProtocol(input?: StationInput<'getRoomProtocol'>): Promise<StationOutput<'getRoomProtocol'>> {
    this.calls.push(`protocol ${input?.sessionId}`);
    return { fileName: 'protokols-S-1.pdf', mimeType: 'application/pdf', data: new Uint8Array([0x25, 0x50, 0x44, 0x46]) };
  }
}

async function signedIn(hub: FakeSealHub) {
  render(<ConsoleApp station={hub} />);
  fireEvent.change(await screen.findByLabelText('Lietotājvārds'), { target: { value: STAFF.username } });
  fireEvent.change(screen.getByLabelText('Parole'), { target: { value: STAFF.password } });
  fireEvent.click(screen.getByRole('button', { name: 'Ienākt' }));
  const section = within(await screen.findByTestId('end-and-seal'));
  // The seats come with the seal status, after the page itself.
  await section.findAllByTestId('seal-row');
  return section;
}

const rowOf = (section: ReturnType<typeof within>, label: string) => within(section.getAllByTestId('seal-row').find((r: HTMLElement) => within(r).getByRole('rowheader').textContent === label)!);
const settle = () => act(async () => new Promise((r) => setTimeout(r, 20)));

beforeEach(() => settingsStore.getState().setLang('lv'));
afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

describe('ending and sealing a session on the console', () => {
  test('ends only after asking, shows each seat on its way, seals, and accounts for a seat that cannot answer with the reason typed', async () => {
    const hub = new FakeSealHub();
    const section = await signedIn(hub);
    expect(section.getByTestId('seal-state').textContent).toBe('Sesija notiek.');
    fireEvent.click(section.getByRole('button', { name: 'Beigt sesiju telpai' }));
    const dialog = await screen.findByRole('alertdialog');
    expect(dialog.textContent).toContain('Beigt sesiju visiem kandidātiem?');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Atcelt' }));
    expect(hub.calls).toEqual([]);
    fireEvent.click(section.getByRole('button', { name: 'Beigt sesiju telpai' }));
    fireEvent.click(within(await screen.findByRole('alertdialog')).getByRole('button', { name: 'Beigt sesiju telpai' }));
    await settle();
    expect(hub.calls).toEqual(['end S-1']);
    expect(section.getByTestId('seal-state').textContent).toBe('Sesija beigta. Kad visi kandidātu datori ir galīgajā stāvoklī, aizzīmogojiet to. 1 kandidāta dators vēl nav galīgajā stāvoklī.');
    expect(rowOf(section, '1A').getByText('galīgais stāvoklis')).toBeTruthy();
    expect(rowOf(section, '1B').getByText('gaida')).toBeTruthy();

    fireEvent.click(section.getByRole('button', { name: 'Aizzīmogot' }));
    await settle();
    expect(section.getByTestId('seal-state').textContent).toBe('Aizzīmogošana: gaidām katra kandidāta datora kontrolsummu.');
    expect(rowOf(section, '1A').getByText('✓ sakrīt')).toBeTruthy();
    expect(rowOf(section, '1A').queryByRole('button', { name: 'Atskaitīties' })).toBeNull();

    fireEvent.click(rowOf(section, '1B').getByRole('button', { name: 'Atskaitīties' }));
    const account = await screen.findByRole('alertdialog');
    expect(within(account).getByRole('heading').textContent).toBe('Atskaitīties par kandidāta datoru 1B');
    const confirm = within(account).getByRole('button', { name: 'Atskaitīties' }) as HTMLButtonElement;
    expect(confirm.disabled).toBe(true);
    fireEvent.change(within(account).getByLabelText('Iemesls'), { target: { value: 'Dators sabojājās; kandidāts pārvietots pie 3B' } });
    expect(confirm.disabled).toBe(false);
    fireEvent.click(confirm);
    await settle();
    expect(hub.calls.at(-1)).toBe('account DEVICE-1B: Dators sabojājās; kandidāts pārvietots pie 3B');
    expect(section.getByTestId('seal-state').textContent).toMatch(/^Sesija aizzīmogota .+\.$/);
    expect(section.getByTestId('seal-digest').textContent).toBe(`Sesijas kontrolsumma: ${DIGEST}`);
    expect(rowOf(section, '1B').getByText('atskaitīts: Dators sabojājās; kandidāts pārvietots pie 3B')).toBeTruthy();
    expect(section.queryByRole('button', { name: 'Aizzīmogot' })).toBeNull();
  });

  test('shows a refused seal where it was asked for, in both languages', async () => {
    const hub = new FakeSealHub();
    hub.sealed = { ...hub.sealed, state: 'sealing', seats: [seat('1A', { end: 'applied', final: true, seal: 'mismatch', sealCode: 'SEAL_DIGEST_MISMATCH' })] };
    hub.refuseSeal = new StationError('SEAL_DIGEST_MISMATCH', '1A');
    const section = await signedIn(hub);
    expect(rowOf(section, '1A').getByRole('note').textContent).toContain('nesakrīt: pasauciet IT');
    expect(rowOf(section, '1A').queryByRole('button', { name: 'Atskaitīties' })).toBeNull();
    fireEvent.click(section.getByRole('button', { name: 'Aizzīmogot' }));
    const alert = await section.findByRole('alert');
    expect(alert.textContent).toContain('Sesija netika aizzīmogota');
    expect(alert.querySelector('[lang="en"]')?.textContent).toContain('The session was not sealed');
  });

  test('saves the protocol as a PDF file named after the session', async () => {
    const hub = new FakeSealHub();
    const made: Blob[] = [];
    Object.assign(URL, { createObjectURL: (blob: Blob) => (made.push(blob), 'blob:protocol'), revokeObjectURL: () => undefined });
    const clicked: { href: string; download: string }[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicked.push({ href: this.href, download: this.download });
    });
    const section = await signedIn(hub);
    expect(section.getByText('Sesija vēl nav aizzīmogota: protokols būs starpprotokols.')).toBeTruthy();
    fireEvent.click(section.getByRole('button', { name: 'Saglabāt protokolu (PDF)' }));
    await settle();
    expect(hub.calls).toEqual(['protocol S-1']);
    expect(clicked).toEqual([{ href: 'blob:protocol', download: 'protokols-S-1.pdf' }]);
    expect(made[0]?.type).toBe('application/pdf');
    expect(made[0]?.size).toBe(4);
  });
});
