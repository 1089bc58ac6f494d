// @vitest-environment jsdom
// The centre page's purge and its day without a network (issue 11 §3 and §4, the console side), against
// the in-memory station's central fake: a session's data can be deleted at the venue only once the
// centre has all of it and only by who holds data.purge, after a confirmation that says what happens
// and takes the typed session code; the answer (the certificate, what went, the seats asked), a purged
// session with its certificate at the centre or still to carry; a refusal in both languages. The USB
// card: no drive, a drive put in, an export (busy, once, what is in the file, audio the seats have not
// handed over), an import of the centre's receipts with the files it skipped, a drive pulled out.
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { ConsoleApp } from '../../src-renderer/console/ConsoleApp.tsx';
import { settingsStore } from '../../src-renderer/store/settings.ts';
import type { StationInput, StationOutput } from '../../src-shared/contracts/station-api.ts';
import { ERROR_CATALOGUE, StationError } from '../../src-shared/errors.ts';
import type { StaffRole } from '../../src-shared/rules/staff.ts';
import { isModal } from './dialog.ts';
import { enrolledCentral, FakeStation, STAFF } from './fake-station.ts';

const MB = 1024 * 1024;
const DRIVE = { driveId: '0123456789abcdef0123456789abcdef', volume: 'KINGSTON', freeBytes: 512 * MB };
type Session = StationOutput<'getCentralSync'>['sessions'][number];

/** The fake, counting how often the page asks for the centre's status. */
class Hub extends FakeStation {
  polls = 0;
  override async getCentralSync(input: StationInput<'getCentralSync'>): Promise<StationOutput<'getCentralSync'>> {
    this.polls += 1;
    return super.getCentralSync(input);
  }
}

const session = (sessionId: string, more: Partial<Session> = {}): Session => ({
  sessionId,
  candidates: 2,
  receiptsMatching: 2,
  receiptsOutOfDate: 0,
  over: true,
  complete: true,
  purgedAt: null,
  certificatesUnsent: 0,
  mismatches: [],
  ...more,
});

function hub(roles: StaffRole[], sessions: Session[] = []): Hub {
  const station = new Hub();
  station.staffRoles = roles;
  station.central = enrolledCentral({ sessions });
  return station;
}

async function openCentre(station: FakeStation) {
  render(<ConsoleApp station={station} />);
  fireEvent.change(await screen.findByLabelText('Lietotājvārds'), { target: { value: STAFF.username } });
  fireEvent.change(screen.getByLabelText('Parole'), { target: { value: STAFF.password } });
  fireEvent.click(screen.getByRole('button', { name: 'Ienākt' }));
  await screen.findByRole('heading', { name: 'Telpa', level: 1 });
  fireEvent.click(await screen.findByRole('button', { name: 'Centrs' }));
  await screen.findByRole('heading', { name: 'Centrs', level: 1 });
}

const settle = () => act(async () => new Promise((r) => setTimeout(r, 20)));
const nextPoll = () => act(async () => new Promise((r) => setTimeout(r, 2100)));
const PURGE = 'Dzēst sesijas datus šajā vietā';

/** Each session's row on the page, by its id. */
async function rows(): Promise<Record<string, HTMLElement>> {
  const list = await screen.findAllByTestId('centre-session');
  return Object.fromEntries(list.map((row) => [/S-RIX-\d/.exec(row.textContent ?? '')![0], row]));
}

const bothLanguages = (el: Element) => [el.querySelector('[lang="lv"]')?.textContent, el.querySelector('[lang="en"]')?.textContent];

beforeEach(() => settingsStore.getState().setLang('lv'));
afterEach(() => cleanup());

describe("deleting a session's data at the venue", () => {
  test('the button only on a session the centre has all of, and only for who may delete; the others say why not', async () => {
    const sessions = [
      session('S-RIX-1'),
      session('S-RIX-2', { candidates: 3, receiptsMatching: 1, complete: false }),
      session('S-RIX-3', { receiptsMatching: 0, over: false, complete: false }),
      session('S-RIX-4', { purgedAt: '2026-12-02T15:30:00.000Z', certificatesUnsent: 0 }),
      session('S-RIX-5', { purgedAt: '2026-12-02T15:40:00.000Z', certificatesUnsent: 2 }),
    ];
    await openCentre(hub(['chief-invigilator'], sessions));
    const row = await rows();
    expect(within(row['S-RIX-1']!).getByRole('button', { name: PURGE })).toBeTruthy();
    for (const id of ['S-RIX-2', 'S-RIX-3', 'S-RIX-4', 'S-RIX-5']) expect(within(row[id]!).queryByRole('button', { name: PURGE }), id).toBeNull();
    expect(within(row['S-RIX-2']!).getByTestId('session-purge-waits').textContent).toBe('Sesijas datus šeit varēs dzēst, kad centrs būs apstiprinājis katru apliecinājumu.');
    expect(within(row['S-RIX-3']!).getByTestId('session-not-over').textContent).toBe('Sesija šajā norises vietā vēl nav beigusies: tās datus šeit vēl nevar dzēst.');
    const at = new Date('2026-12-02T15:30:00.000Z').toLocaleString('lv-LV', { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    expect(within(row['S-RIX-4']!).getByTestId('session-purged').textContent).toBe(`Sesijas S-RIX-4 dati šajā vietā dzēsti ${at}.✓ Dzēšanas apliecība ir centrā.`);
    expect(within(row['S-RIX-5']!).getByTestId('certificate-state').textContent).toBe('2 dzēšanas apliecības vēl nav centrā: tās tiks nosūtītas nākamajā sinhronizācijā, bez tīkla — ar USB eksportu.');
    expect(within(row['S-RIX-5']!).getByTestId('certificate-state').className).toBe('warn');
    settingsStore.getState().setLang('en');
    expect(await screen.findByText('The session is not over at the venue: its data cannot be deleted here yet.')).toBeTruthy();
    expect(within(row['S-RIX-1']!).getByRole('button', { name: "Delete the session's data at this venue" })).toBeTruthy();
  });

  test('IT sees the link but not the button: who deletes is named; the station refuses IT too', async () => {
    const station = hub(['it'], [session('S-RIX-1')]);
    await openCentre(station);
    const row = await rows();
    expect(within(row['S-RIX-1']!).queryByRole('button', { name: PURGE })).toBeNull();
    expect(within(row['S-RIX-1']!).getByTestId('purge-no-right').textContent).toBe('Sesijas datus šajā vietā dzēš galvenais pārbaudījuma vadītājs vai eksāmenu centra darbinieks.');
    await expect(station.purgeSession({ staffToken: 'staff-token-for-tests-000', sessionId: 'S-RIX-1' })).rejects.toMatchObject({ code: 'STAFF_ROLE_MISSING' });
  });

  test('the confirmation says what happens and takes the typed session code; cancelled, nothing is asked; confirmed, the answer and the purged state', async () => {
    const station = hub(['centre-staff'], [session('S-RIX-1'), session('S-RIX-2', { receiptsMatching: 1, complete: false })]);
    station.purgeSeatsAsked = 3;
    await openCentre(station);
    fireEvent.click(within((await rows())['S-RIX-1']!).getByRole('button', { name: PURGE }));
    const dialog = await screen.findByTestId('purge-dialog');
    expect(isModal(dialog)).toBe(true);
    expect(dialog.getAttribute('role')).toBe('alertdialog');
    expect(within(dialog).getByRole('heading').textContent).toBe('Dzēst sesijas S-RIX-1 datus šajā vietā?');
    expect(dialog.textContent).toContain('Telpas datorā un visos telpas kandidātu datoros tiks dzēsti sesijas S-RIX-1 kandidātu personas dati, atbildes un audio ieraksti.');
    expect(dialog.textContent).toContain('Eksāmenu centrs ir apstiprinājis katru apliecinājumu (2 no 2): viss no sesijas ir centrā.');
    expect(dialog.textContent).toContain('paraksta dzēšanas apliecību');
    expect(dialog.textContent).toContain('To nevar atsaukt');
    // The safe answer has the focus; the deletion waits for the code.
    expect(document.activeElement?.textContent).toBe('Atcelt');
    const yes = within(dialog).getByRole<HTMLButtonElement>('button', { name: 'Dzēst neatgriezeniski' });
    expect(yes.disabled).toBe(true);
    const code = within(dialog).getByLabelText('Lai apstiprinātu, ierakstiet sesijas kodu S-RIX-1');
    fireEvent.change(code, { target: { value: 'S-RIX-2' } });
    expect(yes.disabled).toBe(true);
    fireEvent.submit(code);
    fireEvent.click(within(dialog).getByRole('button', { name: 'Atcelt' }));
    expect(screen.queryByTestId('purge-dialog')).toBeNull();
    await settle();
    expect(station.centreWorkCalls).toEqual([]);

    fireEvent.click(within((await rows())['S-RIX-1']!).getByRole('button', { name: PURGE }));
    const again = await screen.findByTestId('purge-dialog');
    // A new dialog starts empty: what was typed before is not kept.
    expect((within(again).getByRole('textbox') as HTMLInputElement).value).toBe('');
    fireEvent.change(within(again).getByRole('textbox'), { target: { value: ' s-rix-1 ' } });
    station.holdCentreWork = true;
    const confirm = within(again).getByRole<HTMLButtonElement>('button', { name: 'Dzēst neatgriezeniski' });
    fireEvent.click(confirm);
    await settle();
    expect(confirm.textContent).toBe('Dzēš…');
    expect(confirm.disabled).toBe(true);
    fireEvent.click(confirm);
    fireEvent.keyDown(document, { key: 'Escape' });
    expect(screen.getByTestId('purge-dialog')).toBeTruthy();
    station.releaseCentreWork();
    await waitFor(() => expect(screen.queryByTestId('purge-dialog')).toBeNull());
    expect(station.centreWorkCalls).toEqual([['purgeSession', 'S-RIX-1']]);

    const row = (await rows())['S-RIX-1']!;
    const result = within(row).getByTestId('purge-result');
    expect(result.querySelector('strong')?.textContent).toBe('✓ Sesijas S-RIX-1 dati šajā vietā dzēsti. Dzēšanas apliecība: 00000000-0000-4000-8000-0000000000cc');
    // The kinds that had anything, with their counts and the audio's size; incidents (0) are not listed.
    expect(within(result).getAllByRole('listitem').map((li) => li.textContent)).toEqual(['Kandidāti (personas dati): 2', 'Atbildes: 62', 'Runāšanas ieraksti: 4 (6 MB)']);
    expect(result.textContent).toContain('Kandidātu datori, kam lūgts dzēst savu kopiju: 3');
    // The page read the station again at once: the session is purged, its certificate not at the centre yet.
    await waitFor(() => expect(within(row).getByTestId('session-purged')).toBeTruthy());
    expect(within(row).queryByRole('button', { name: PURGE })).toBeNull();
    expect(within(row).getByTestId('certificate-state').textContent).toBe('1 dzēšanas apliecība vēl nav centrā: tā tiks nosūtīta nākamajā sinhronizācijā, bez tīkla — ar USB eksportu.');
    // The other session was never touched.
    expect(station.central.sessions[1]!.purgedAt).toBeNull();

    station.central.sessions[0]!.certificatesUnsent = 0;
    await nextPoll();
    expect(within(row).getByTestId('certificate-state').textContent).toBe('✓ Dzēšanas apliecība ir centrā.');
    settingsStore.getState().setLang('en');
    expect(await within(row).findByText('Speaking recordings: 4 (6 MB)')).toBeTruthy();
    expect(within(row).getByTestId('certificate-state').textContent).toBe('✓ The deletion certificate is at the centre.');
  });

  test('a refusal (a receipt stopped matching since the page asked) is said in the dialog in both languages; nothing is deleted', async () => {
    const station = hub(['chief-invigilator'], [session('S-RIX-1')]);
    await openCentre(station);
    fireEvent.click(within((await rows())['S-RIX-1']!).getByRole('button', { name: PURGE }));
    const dialog = await screen.findByTestId('purge-dialog');
    fireEvent.change(within(dialog).getByRole('textbox'), { target: { value: 'S-RIX-1' } });
    station.central.sessions[0] = session('S-RIX-1', { receiptsMatching: 1, complete: false });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Dzēst neatgriezeniski' }));
    const refusal = await within(dialog).findByTestId('purge-error');
    expect(refusal.getAttribute('role')).toBe('alert');
    expect(bothLanguages(refusal)).toEqual([ERROR_CATALOGUE.PURGE_NOT_CONFIRMED.lv, ERROR_CATALOGUE.PURGE_NOT_CONFIRMED.en]);
    expect(station.central.sessions[0]!.purgedAt).toBeNull();
    // Asked again, it can be pressed again (the station decides); then the person closes it.
    expect(within(dialog).getByRole<HTMLButtonElement>('button', { name: 'Dzēst neatgriezeniski' }).disabled).toBe(false);
    fireEvent.click(within(dialog).getByRole('button', { name: 'Atcelt' }));
    await nextPoll();
    const row = (await rows())['S-RIX-1']!;
    expect(within(row).queryByRole('button', { name: PURGE })).toBeNull();
    expect(within(row).getByTestId('session-purge-waits')).toBeTruthy();
    expect(screen.queryByTestId('purge-result')).toBeNull();
  });
});

describe('the day without a network: USB', () => {
  const usbCard = async () => within(await screen.findByRole('region', { name: 'Bez tīkla: USB' }));

  test('says what the centre does with the file and what it gives back; no drive attached, then one after a refresh', async () => {
    const station = hub(['chief-invigilator']);
    await openCentre(station);
    const usb = await usbCard();
    expect(usb.getByText(/aizvediet datu nesēju uz eksāmenu centru, kur failu importē/)).toBeTruthy();
    expect(usb.getByText(/Centrs pretī dod apliecinājumu failu: tam jābūt datu nesēja mapē exam-station/)).toBeTruthy();
    expect((await usb.findByTestId('usb-none')).textContent).toBe('Nav pievienots neviens datu nesējs. Pievienojiet USB datu nesēju un atjaunojiet sarakstu.');
    expect(usb.queryByRole('button', { name: 'Eksportēt centram' })).toBeNull();
    station.usbDrives = [DRIVE];
    fireEvent.click(usb.getByRole('button', { name: 'Atjaunot sarakstu' }));
    const drive = await usb.findByTestId('usb-drive');
    expect(drive.textContent).toContain('KINGSTON (brīvi 512 MB)');
    expect(within(drive).getAllByRole('button').map((b) => b.textContent)).toEqual(['Eksportēt centram', 'Importēt no centra']);
    expect(usb.queryByTestId('usb-none')).toBeNull();
    settingsStore.getState().setLang('en');
    expect(await screen.findByRole('heading', { name: 'Without a network: USB' })).toBeTruthy();
    expect(within(drive).getByRole('button', { name: 'Export for the centre' })).toBeTruthy();
    expect(drive.textContent).toContain('(512 MB free)');
  });

  test('is not there before the hub is enrolled (nothing to encrypt to)', async () => {
    const station = new Hub();
    station.staffRoles = ['centre-staff'];
    await openCentre(station);
    await screen.findByRole('region', { name: 'Reģistrēt telpas datoru eksāmenu centrā' });
    expect(screen.queryByRole('region', { name: 'Bez tīkla: USB' })).toBeNull();
  });

  test('an export is busy until it ends and starts once; then the file, its size and what is in it, and the audio still on the seats', async () => {
    const station = hub(['centre-staff'], [session('S-RIX-1', { purgedAt: '2026-12-02T15:30:00.000Z', certificatesUnsent: 1 })]);
    station.central = { ...station.central, eventsToSend: 12, recordingsToSend: 3, audioBytesToSend: 3 * MB };
    station.usbDrives = [DRIVE, { driveId: 'f'.repeat(32), volume: 'SANDISK', freeBytes: null }];
    station.waitingForAudio = 2;
    station.holdCentreWork = true;
    await openCentre(station);
    const usb = await usbCard();
    const [first, second] = await usb.findAllByTestId('usb-drive');
    expect(second!.textContent).toBe('SANDISK Eksportēt centramImportēt no centra');
    const exportButton = within(first!).getByRole<HTMLButtonElement>('button', { name: 'Eksportēt centram' });
    fireEvent.click(exportButton);
    await settle();
    expect(exportButton.textContent).toBe('Eksportē…');
    expect(exportButton.getAttribute('aria-busy')).toBe('true');
    expect(usb.getAllByRole<HTMLButtonElement>('button').map((b) => [b.textContent, b.disabled])).toEqual([
      ['Eksportē…', true],
      ['Importēt no centra', true],
      ['Eksportēt centram', true],
      ['Importēt no centra', true],
      ['Atjaunot sarakstu', true],
    ]);
    fireEvent.click(exportButton);
    fireEvent.click(within(second!).getByRole('button', { name: 'Importēt no centra' }));
    await settle();
    expect(station.centreWorkCalls).toEqual([['exportForCentre', DRIVE.driveId]]);
    station.releaseCentreWork();
    const result = await usb.findByTestId('usb-export-result');
    expect(exportButton.textContent).toBe('Eksportēt centram');
    expect(exportButton.disabled).toBe(false);
    expect(result.querySelector('[role="status"]')?.textContent).toBe('✓ Datu nesējā KINGSTON ierakstīts fails RIX01-20261202T090000Z-00000000.estransfer (3 MB).');
    expect(result.textContent).toContain('Failā: 12 notikumi, 3 ieraksti, 1 dzēšanas apliecība.');
    expect(result.textContent).toContain(`SHA-256 ${'0'.repeat(64)}`);
    const waiting = within(result).getByTestId('usb-waiting-audio');
    expect(waiting.getAttribute('role')).toBe('alert');
    expect(waiting.textContent).toMatch(/^Uzmanību: 2 ierakstu audio vēl nav nonācis no kandidātu datoriem telpas datorā, tāpēc šajā failā šī audio nav\./);

    // Once the seats have handed everything over, a second export says nothing is missing.
    station.waitingForAudio = 0;
    fireEvent.click(exportButton);
    await waitFor(() => expect(station.centreWorkCalls).toHaveLength(2));
    await waitFor(() => expect(usb.getByTestId('usb-export-result')).toBeTruthy());
    expect(usb.queryByTestId('usb-waiting-audio')).toBeNull();
    settingsStore.getState().setLang('en');
    expect(await usb.findByText('In the file: 12 events, 3 recordings, 1 deletion certificate.')).toBeTruthy();
  });

  test("an import says each session's receipts and how many match, and each file skipped with its reason in both languages; the page reads the sessions again", async () => {
    const station = hub(['chief-invigilator'], [session('S-RIX-1', { receiptsMatching: 0, complete: false })]);
    station.usbDrives = [DRIVE];
    const tampered = new StationError('TRANSFER_TAMPERED').text;
    station.usbImport = {
      sessions: [
        { sessionId: 'S-RIX-1', receipts: 2, matching: 2 },
        { sessionId: 'S-RIX-2', receipts: 3, matching: 1 },
      ],
      skipped: [{ fileName: 'RIX01-S-RIX-9.esreceipts', code: 'TRANSFER_TAMPERED', message: tampered }],
    };
    await openCentre(station);
    const usb = await usbCard();
    fireEvent.click(await usb.findByRole('button', { name: 'Importēt no centra' }));
    const result = await usb.findByTestId('usb-import-result');
    expect(station.centreWorkCalls).toEqual([['importFromCentre', DRIVE.driveId]]);
    expect(result.querySelector('[role="status"]')?.textContent).toBe('✓ Centra apliecinājumi importēti no datu nesēja KINGSTON.');
    const lines = within(within(result).getByTestId('usb-import-sessions')).getAllByRole('listitem');
    expect(lines.map((li) => [li.textContent, li.className])).toEqual([
      ['Sesija S-RIX-1: 2 apliecinājumi, sakrīt 2', 'ok'],
      ['Sesija S-RIX-2: 3 apliecinājumi, sakrīt 1', 'warn'],
    ]);
    const skipped = within(result).getByTestId('usb-skipped');
    expect(skipped.getAttribute('role')).toBe('alert');
    expect(skipped.querySelector('p')?.textContent).toBe('1 fails izlaists:');
    expect(skipped.querySelector('li .mono')?.textContent).toBe('RIX01-S-RIX-9.esreceipts');
    expect(bothLanguages(skipped)).toEqual([ERROR_CATALOGUE.TRANSFER_TAMPERED.lv, ERROR_CATALOGUE.TRANSFER_TAMPERED.en]);
    expect(skipped.textContent).toContain('(TRANSFER_TAMPERED)');

    // The receipts the import brought show in the sessions at once, not at the next poll only.
    const polls = station.polls;
    station.central.sessions[0] = session('S-RIX-1');
    fireEvent.click(usb.getByRole('button', { name: 'Importēt no centra' }));
    await waitFor(() => expect(station.polls).toBeGreaterThan(polls));
    expect(await screen.findByTestId('session-complete')).toBeTruthy();

    station.usbImport = { sessions: [], skipped: [] };
    fireEvent.click(usb.getByRole('button', { name: 'Importēt no centra' }));
    expect((await usb.findByTestId('usb-import-none')).textContent).toBe('Datu nesēja mapē exam-station nav neviena centra apliecinājumu faila.');
    expect(usb.queryByTestId('usb-skipped')).toBeNull();
  });

  test('a drive pulled out before the export: USB_DRIVE_GONE in both languages, and the list stops offering it', async () => {
    const station = hub(['centre-staff']);
    station.usbDrives = [DRIVE];
    await openCentre(station);
    const usb = await usbCard();
    const exportButton = await usb.findByRole('button', { name: 'Eksportēt centram' });
    station.usbDrives = [];
    fireEvent.click(exportButton);
    const gone = await usb.findByTestId('usb-error');
    expect(gone.getAttribute('role')).toBe('alert');
    expect(bothLanguages(gone)).toEqual([ERROR_CATALOGUE.USB_DRIVE_GONE.lv, ERROR_CATALOGUE.USB_DRIVE_GONE.en]);
    expect(await usb.findByTestId('usb-none')).toBeTruthy();
    expect(usb.queryByTestId('usb-export-result')).toBeNull();
    // Put back and listed again, the export goes through and the old problem is gone.
    station.usbDrives = [DRIVE];
    fireEvent.click(usb.getByRole('button', { name: 'Atjaunot sarakstu' }));
    fireEvent.click(await usb.findByRole('button', { name: 'Eksportēt centram' }));
    expect(await usb.findByTestId('usb-export-result')).toBeTruthy();
    expect(usb.queryByTestId('usb-error')).toBeNull();
  });
});
