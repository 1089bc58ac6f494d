// @vitest-environment jsdom
// The console's packages and basics (issue 10 §5): a package imported from a file the person picks,
// sent in chunks with a progress bar and a cancel, a chunk whose reply was lost sent again and taken
// once, the station's refusal shown beside the import in both languages; from a USB drive picked from
// the station's own list; the trust list and its signed update; only for those with the right; the
// session locked after inactivity or by the person, opened again with the PIN; every control a real
// button or field (Tab and Enter), and the language switch. Against the in-memory station.
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { ConsoleApp } from '../../src-renderer/console/ConsoleApp.tsx';
import { StationUnreachable } from '../../src-renderer/station/client.ts';
import { settingsStore } from '../../src-renderer/store/settings.ts';
import { PACKAGE_CHUNK_BYTES, type StationInput, type StationOutput } from '../../src-shared/contracts/station-api.ts';
import { ERROR_CATALOGUE } from '../../src-shared/errors.ts';
import { FakeStation, STAFF } from './fake-station.ts';

/** A file of `size` bytes that the fake takes for a package (it starts with the package magic), or not. */
function packageFile(name: string, size: number, isPackage = true): File {
  const bytes = new Uint8Array(size).fill(7);
  if (isPackage) bytes.set(new TextEncoder().encode('EXSTPKG1'));
  return new File([bytes], name, { type: 'application/octet-stream' });
}

/** A station whose reply to chunk 1 is lost once (the chunk was taken), and which can hold chunk 1 until released. */
class Station extends FakeStation {
  replies: StationOutput<'appendPackageChunk'>[] = [];
  loseReplyOf: number | null = null;
  private held: (() => void) | null = null;
  holdChunk: number | null = null;
  release(): void {
    this.holdChunk = null;
    this.held?.();
  }
  override async appendPackageChunk(input: StationInput<'appendPackageChunk'>): Promise<StationOutput<'appendPackageChunk'>> {
    if (input.index === this.holdChunk) await new Promise<void>((resolve) => (this.held = resolve));
    const reply = await super.appendPackageChunk(input);
    this.replies.push(reply);
    if (input.index === this.loseReplyOf) {
      this.loseReplyOf = null;
      throw new StationUnreachable('the reply was lost');
    }
    return reply;
  }
}

async function signedIn(station: FakeStation) {
  render(<ConsoleApp station={station} />);
  fireEvent.change(await screen.findByLabelText('Lietotājvārds'), { target: { value: STAFF.username } });
  fireEvent.change(screen.getByLabelText('Parole'), { target: { value: STAFF.password } });
  fireEvent.click(screen.getByRole('button', { name: 'Ienākt' }));
  await screen.findByRole('heading', { name: 'Telpa', level: 1 });
  return within(await screen.findByRole('region', { name: 'Eksāmenu paketes' }));
}

const choose = (section: ReturnType<typeof within>, file: File) => fireEvent.change(section.getByLabelText('Paketes fails (.exampkg)'), { target: { files: [file] } });

beforeEach(() => settingsStore.getState().setLang('lv'));
afterEach(() => cleanup());

describe('importing a package on the console', () => {
  test('from a picked file: sent in chunks with a progress bar, checked by the station, and named when it is in', async () => {
    const station = new Station();
    station.holdImports = true;
    station.holdChunk = 1;
    const packages = await signedIn(station);
    const importButton = packages.getByRole('button', { name: 'Importēt' });
    expect((importButton as HTMLButtonElement).disabled).toBe(true);
    choose(packages, packageFile('a2.exampkg', 2 * PACKAGE_CHUNK_BYTES + 10));
    fireEvent.click(importButton);
    // Chunk 0 is in, chunk 1 on its way: just under half of the file.
    const bar = await packages.findByRole('progressbar', { name: 'Importēšanas gaita' });
    await waitFor(() => expect(bar.getAttribute('aria-valuenow')).toBe('49'));
    expect(bar.getAttribute('aria-valuemin')).toBe('0');
    expect(bar.getAttribute('aria-valuemax')).toBe('100');
    expect(packages.getByText('a2.exampkg: nosūta uz telpas datoru, 49 %')).toBeTruthy();
    station.release();
    // Every byte is in: the station checks and stores it, and the bar follows its job.
    await waitFor(() => expect(packages.getByRole('progressbar').getAttribute('aria-valuetext')).toMatch(/^a2\.exampkg: pārbauda parakstu un saglabā/));
    station.finishImports(false);
    await waitFor(() => expect(packages.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('50'));
    station.finishImports();
    expect(await packages.findByText('Pakete „Mazais tests” importēta. Tā gaida atslēgu, ko ievada sākuma laikā.')).toBeTruthy();
    expect(packages.queryByRole('progressbar')).toBeNull();
    expect(station.imported).toEqual(['a2.exampkg']);
    expect(station.replies.map((r) => [r.index, r.receivedBytes])).toEqual([
      [0, PACKAGE_CHUNK_BYTES],
      [1, 2 * PACKAGE_CHUNK_BYTES],
      [2, 2 * PACKAGE_CHUNK_BYTES + 10],
    ]);
  });

  test('a chunk whose reply was lost is sent again and taken once', async () => {
    const station = new Station();
    station.loseReplyOf = 1;
    const packages = await signedIn(station);
    choose(packages, packageFile('b1.exampkg', 2 * PACKAGE_CHUNK_BYTES + 10));
    fireEvent.click(packages.getByRole('button', { name: 'Importēt' }));
    expect(await packages.findByText(/Pakete „Mazais tests” importēta/, undefined, { timeout: 4000 })).toBeTruthy();
    expect(station.replies.map((r) => [r.index, r.duplicate])).toEqual([
      [0, false],
      [1, false],
      [1, true],
      [2, false],
    ]);
    expect(station.imported).toEqual(['b1.exampkg']);
  });

  test('a file the station refuses: its reason beside the import, in Latvian and English, and nothing imported', async () => {
    const station = new Station();
    const packages = await signedIn(station);
    choose(packages, packageFile('notes.exampkg', 1000, false));
    fireEvent.click(packages.getByRole('button', { name: 'Importēt' }));
    const alert = await packages.findByTestId('import-error');
    expect(alert.getAttribute('role')).toBe('alert');
    expect(alert.querySelector('[lang="lv"]')?.textContent).toBe(ERROR_CATALOGUE.PACKAGE_MALFORMED.lv);
    expect(alert.querySelector('[lang="en"]')?.textContent).toBe(ERROR_CATALOGUE.PACKAGE_MALFORMED.en);
    expect(station.imported).toEqual([]);
  });

  test('a file larger than the station takes is refused before anything is sent', async () => {
    const station = new Station();
    station.maxPackageBytes = 1000;
    const packages = await signedIn(station);
    choose(packages, packageFile('big.exampkg', 1001));
    fireEvent.click(packages.getByRole('button', { name: 'Importēt' }));
    expect((await packages.findByTestId('import-error')).textContent).toContain(ERROR_CATALOGUE.PACKAGE_TOO_LARGE.lv);
    expect(station.replies).toEqual([]);
  });

  test('cancelled while the station stores it: the import ends, nothing is imported, and it says so', async () => {
    const station = new Station();
    station.holdImports = true;
    const packages = await signedIn(station);
    choose(packages, packageFile('a2.exampkg', 1000));
    fireEvent.click(packages.getByRole('button', { name: 'Importēt' }));
    await waitFor(() => expect(packages.getByRole('progressbar').getAttribute('aria-valuetext')).toMatch(/pārbauda parakstu/));
    fireEvent.click(packages.getByRole('button', { name: 'Atcelt importēšanu' }));
    expect(await packages.findByText('Importēšana atcelta. Nekas netika saglabāts.')).toBeTruthy();
    expect(packages.queryByRole('progressbar')).toBeNull();
    expect(station.imported).toEqual([]);
  });

  test('from a USB drive: the station lists what it found, the person picks one, and it comes in', async () => {
    const station = new Station();
    const packages = await signedIn(station);
    fireEvent.click(packages.getByRole('button', { name: 'Meklēt paketes' }));
    expect(await packages.findByText(/USB atmiņās nav atrasts neviens \.exampkg fails/)).toBeTruthy();
    const bytes = new Uint8Array(3 * 1024 * 1024);
    bytes.set(new TextEncoder().encode('EXSTPKG1'));
    station.removable = [{ sourceId: 'a'.repeat(32), volume: 'KINGSTON', fileName: 'RIX01/a2.exampkg', size: bytes.byteLength, modifiedAt: new Date().toISOString(), bytes }];
    fireEvent.click(packages.getByRole('button', { name: 'Meklēt paketes' }));
    const list = await packages.findByTestId('source-list');
    expect(list.textContent).toContain('KINGSTON: RIX01/a2.exampkg');
    expect(list.textContent).toContain('(3 MB)');
    fireEvent.click(within(list).getByRole('button', { name: 'Importēt RIX01/a2.exampkg' }));
    expect(await packages.findByText(/Pakete „Mazais tests” importēta/)).toBeTruthy();
    expect(station.imported).toEqual(['RIX01/a2.exampkg']);
  });

  test('is offered only to a person with the right to import; the list of packages to those who may read it', async () => {
    class Invigilator extends Station {
      override async getStaffSession(input: StationInput<'getStaffSession'>): Promise<StationOutput<'getStaffSession'>> {
        const session = await super.getStaffSession(input);
        return { ...session, account: { ...session.account, roles: ['invigilator'] }, rights: session.rights.filter((r) => r !== 'package.import' && r !== 'trust.update') };
      }
    }
    const packages = await signedIn(new Invigilator());
    expect(await packages.findByText('Mazais tests')).toBeTruthy();
    expect(packages.queryByLabelText('Paketes fails (.exampkg)')).toBeNull();
    expect(packages.queryByRole('button', { name: 'Meklēt paketes' })).toBeNull();
    expect(screen.queryByLabelText('Parakstīts saraksta atjauninājums (.examtrust)')).toBeNull();
  });

  test('every import control is a real button or field, named, in the Tab order; the labels follow the language', async () => {
    const packages = await signedIn(new Station());
    const section = packages.getByRole('heading', { name: 'Eksāmenu paketes' }).closest('section')!;
    const controls = [...section.querySelectorAll<HTMLElement>('button, input, [tabindex]')];
    expect(controls.length).toBeGreaterThanOrEqual(3);
    for (const control of controls) {
      expect(['BUTTON', 'INPUT'], control.outerHTML).toContain(control.tagName);
      expect(control.getAttribute('tabindex'), control.outerHTML).not.toBe('-1');
    }
    settingsStore.getState().setLang('en');
    expect(await screen.findByRole('heading', { name: 'Exam packages' })).toBeTruthy();
    expect(screen.getByLabelText('Package file (.exampkg)')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Look for packages' })).toBeTruthy();
  });
});

describe('the trust list on the console', () => {
  test('shows the keys in effect; a refused update says why in both languages; an accepted one shows its number', async () => {
    class Trusting extends Station {
      accept = false;
      override async applyTrustUpdate(input: StationInput<'applyTrustUpdate'>): Promise<StationOutput<'applyTrustUpdate'>> {
        if (!this.accept) return super.applyTrustUpdate(input);
        this.trustList = { sequence: 3, issuedAt: new Date().toISOString(), keys: [{ keyId: 'visc-2026', status: 'retired' }, { keyId: 'visc-2027', status: 'active' }] };
        return this.trustList;
      }
    }
    const station = new Trusting();
    await signedIn(station);
    const trust = within(screen.getByRole('region', { name: 'Uzticamās parakstīšanas atslēgas' }));
    expect(await trust.findByText('Saraksts, kas piegādāts kopā ar lietotni.')).toBeTruthy();
    expect(trust.getByTestId('trust-keys').textContent).toBe('visc-2026: derīga');
    const input = trust.getByLabelText('Parakstīts saraksta atjauninājums (.examtrust)');
    fireEvent.change(input, { target: { files: [new File(['{}'], 'update.examtrust')] } });
    fireEvent.click(trust.getByRole('button', { name: 'Piemērot atjauninājumu' }));
    const alert = await trust.findByTestId('trust-error');
    expect(alert.querySelector('[lang="lv"]')?.textContent).toBe(ERROR_CATALOGUE.TRUST_UPDATE_INVALID.lv);
    expect(alert.querySelector('[lang="en"]')?.textContent).toBe(ERROR_CATALOGUE.TRUST_UPDATE_INVALID.en);
    station.accept = true;
    fireEvent.change(input, { target: { files: [new File(['{}'], 'update.examtrust')] } });
    fireEvent.click(trust.getByRole('button', { name: 'Piemērot atjauninājumu' }));
    expect(await trust.findByText('Saraksts atjaunināts (nr. 3).')).toBeTruthy();
    expect(trust.getByTestId('trust-sequence').textContent).toBe('Parakstīts saraksta atjauninājums nr. 3.');
    expect(trust.getByTestId('trust-keys').textContent).toContain('visc-2027: derīga');
  });
});

describe('the staff session on the console', () => {
  test('locked by the station after inactivity: only the PIN unlock is shown; a wrong PIN says so, the right one brings the room back', async () => {
    const station = new Station();
    station.pin = '2468';
    await signedIn(station);
    station.lockNow();
    expect(await screen.findByRole('heading', { name: 'Sesija bloķēta', level: 1 }, { timeout: 5000 })).toBeTruthy();
    expect(screen.queryByRole('heading', { name: 'Telpa' })).toBeNull();
    expect(screen.queryByRole('region', { name: 'Eksāmenu paketes' })).toBeNull();
    expect(screen.getByText('Demo Vadītājs, jūsu sesija bloķēta. Lai turpinātu, ievadiet savu PIN kodu.')).toBeTruthy();
    fireEvent.change(screen.getByLabelText('PIN kods'), { target: { value: '1111' } });
    fireEvent.click(screen.getByRole('button', { name: 'Atbloķēt' }));
    expect((await screen.findByRole('alert')).textContent).toContain(ERROR_CATALOGUE.STAFF_PIN_WRONG.lv);
    fireEvent.change(screen.getByLabelText('PIN kods'), { target: { value: '2468' } });
    fireEvent.click(screen.getByRole('button', { name: 'Atbloķēt' }));
    expect(await screen.findByRole('heading', { name: 'Telpa', level: 1 })).toBeTruthy();
  }, 10_000);

  test('"Lock" locks at once; three wrong PINs end the session and the console asks for a sign-in; "Sign in again" does the same', async () => {
    const station = new Station();
    station.pin = '2468';
    await signedIn(station);
    fireEvent.click(screen.getByRole('button', { name: 'Bloķēt' }));
    expect(await screen.findByRole('heading', { name: 'Sesija bloķēta' })).toBeTruthy();
    expect(station.staffLocked).toBe(true);
    for (let i = 0; i < 3; i += 1) {
      fireEvent.change(screen.getByLabelText('PIN kods'), { target: { value: '0000' } });
      fireEvent.click(screen.getByRole('button', { name: 'Atbloķēt' }));
      if (i < 2) await waitFor(() => expect(screen.getByRole('alert').textContent).toContain(ERROR_CATALOGUE.STAFF_PIN_WRONG.lv));
    }
    expect(await screen.findByLabelText('Lietotājvārds')).toBeTruthy();
    cleanup();
    await signedIn(station);
    fireEvent.click(screen.getByRole('button', { name: 'Bloķēt' }));
    fireEvent.click(await screen.findByRole('button', { name: 'Pieteikties no jauna' }));
    expect(await screen.findByLabelText('Lietotājvārds')).toBeTruthy();
    expect(station.signedIn).toBe(false);
  });

  test('an account without a PIN is told to sign in again', async () => {
    const station = new Station();
    await signedIn(station);
    fireEvent.click(screen.getByRole('button', { name: 'Bloķēt' }));
    expect(await screen.findByText('Šim kontam nav PIN koda: piesakieties no jauna ar lietotājvārdu un paroli.')).toBeTruthy();
    expect(screen.queryByLabelText('PIN kods')).toBeNull();
    expect(screen.getByRole('button', { name: 'Pieteikties no jauna' })).toBeTruthy();
  });
});
