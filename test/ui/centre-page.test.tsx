// @vitest-environment jsdom
// The centre page of the hub's console (issue 11 §2) against the in-memory station's central fake: a hub
// not yet enrolled (the code explained, a wrong code refused in both languages, the enrolment's answer),
// an enrolled one with work to send and transfers under way, its last problem with what to do, "Sync
// now" that cannot be pressed twice, a revoked hub, a clock that is off, sessions complete or with
// mismatches, a session's receipts and their print; asked every 2 s and no more once the page is left;
// not offered to a person without the right.
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { ConsoleApp } from '../../src-renderer/console/ConsoleApp.tsx';
import { settingsStore } from '../../src-renderer/store/settings.ts';
import type { StationInput, StationOutput } from '../../src-shared/contracts/station-api.ts';
import { ERROR_CATALOGUE, StationError } from '../../src-shared/errors.ts';
import { shortDeviceId } from '../../src-shared/rules/device-id.ts';
import type { StaffRole } from '../../src-shared/rules/staff.ts';
import { enrolledCentral, FakeStation, STAFF } from './fake-station.ts';

const MB = 1024 * 1024;
const minutesAgo = (m: number, s = 0) => new Date(Date.now() - m * 60_000 - s * 1000).toISOString();

/** The fake, counting how often the page asks for the centre's status. */
class Hub extends FakeStation {
  polls = 0;
  override async getCentralSync(input: StationInput<'getCentralSync'>): Promise<StationOutput<'getCentralSync'>> {
    this.polls += 1;
    return super.getCentralSync(input);
  }
}

function hub(roles: StaffRole[] = ['centre-staff']): Hub {
  const station = new Hub();
  station.staffRoles = roles;
  return station;
}

async function signIn(station: FakeStation) {
  render(<ConsoleApp station={station} />);
  fireEvent.change(await screen.findByLabelText('Lietotājvārds'), { target: { value: STAFF.username } });
  fireEvent.change(screen.getByLabelText('Parole'), { target: { value: STAFF.password } });
  fireEvent.click(screen.getByRole('button', { name: 'Ienākt' }));
  await screen.findByRole('heading', { name: 'Telpa', level: 1 });
}

async function openCentre(station: FakeStation) {
  await signIn(station);
  fireEvent.click(await screen.findByRole('button', { name: 'Centrs' }));
  await screen.findByRole('heading', { name: 'Centrs', level: 1 });
}

const settle = () => act(async () => new Promise((r) => setTimeout(r, 20)));
const nextPoll = () => act(async () => new Promise((r) => setTimeout(r, 2100)));
const section = (name: string | RegExp) => screen.getByRole('heading', { name }).closest('section')!;

beforeEach(() => settingsStore.getState().setLang('lv'));
afterEach(() => cleanup());

describe('a hub not enrolled with the centre', () => {
  test('explains the one-time code; a wrong code is refused in Latvian and English; the right one enrols and says so', async () => {
    const station = hub();
    await openCentre(station);
    const enrol = within(await screen.findByRole('region', { name: 'Reģistrēt telpas datoru eksāmenu centrā' }));
    expect(enrol.getByTestId('enrol-code-help').textContent).toContain('Vienreizējo reģistrācijas kodu šai norises vietai izsniedz eksāmenu centrs');
    expect(enrol.getByTestId('enrol-code-help').textContent).toContain('tā nav parole');
    const button = enrol.getByRole<HTMLButtonElement>('button', { name: 'Reģistrēt' });
    expect(button.disabled).toBe(true);
    fireEvent.change(enrol.getByLabelText('Eksāmenu centra adrese'), { target: { value: ' https://centrs.example.lv ' } });
    expect(button.disabled).toBe(true);
    fireEvent.change(enrol.getByLabelText('Vienreizējais reģistrācijas kods'), { target: { value: 'K7QM-2XWP' } });
    fireEvent.click(button);
    // Half a code and an address that is none are said here; the station is not asked.
    expect(enrol.getByTestId('enrol-error').querySelector('[lang="lv"]')?.textContent).toMatch(/^Kods nav tāds, kādu izsniedz centrs: 20 burti un cipari grupās pa četriem/);
    fireEvent.change(enrol.getByLabelText('Eksāmenu centra adrese'), { target: { value: 'centrs.example.lv' } });
    fireEvent.click(button);
    expect(enrol.getByTestId('enrol-error').querySelector('[lang="lv"]')?.textContent).toBe('Tā nav tīmekļa adrese. Ierakstiet centra adresi pilnībā, sākot ar https://.');
    expect(station.centralCalls).toEqual([]);
    fireEvent.change(enrol.getByLabelText('Eksāmenu centra adrese'), { target: { value: ' https://centrs.example.lv ' } });
    fireEvent.change(enrol.getByLabelText('Vienreizējais reģistrācijas kods'), { target: { value: 'AAAA-BBBB-CCCC-DDDD-EEEE' } });
    fireEvent.click(button);
    const refusal = await enrol.findByTestId('enrol-error');
    expect(refusal.getAttribute('role')).toBe('alert');
    expect(refusal.querySelector('[lang="lv"]')?.textContent).toBe(ERROR_CATALOGUE.ENROLLMENT_CODE_INVALID.lv);
    expect(refusal.querySelector('[lang="en"]')?.textContent).toBe(ERROR_CATALOGUE.ENROLLMENT_CODE_INVALID.en);

    fireEvent.change(enrol.getByLabelText('Vienreizējais reģistrācijas kods'), { target: { value: ` ${station.centralCode} ` } });
    fireEvent.click(button);
    expect((await screen.findByTestId('enrolled-now')).textContent).toBe(`Telpas dators reģistrēts eksāmenu centrā: norises vieta RIX01, ierīce ${shortDeviceId('00000000-0000-4000-8000-000000000001')}. Pirmā sinhronizācija ir sākusies.`);
    expect(station.centralCalls).toEqual([
      ['enrolAtCentre', { centralUrl: 'https://centrs.example.lv', code: 'AAAA-BBBB-CCCC-DDDD-EEEE' }],
      ['enrolAtCentre', { centralUrl: 'https://centrs.example.lv', code: station.centralCode }],
    ]);
    expect(screen.queryByRole('region', { name: 'Reģistrēt telpas datoru eksāmenu centrā' })).toBeNull();
    expect(within(section('Saite ar eksāmenu centru')).getByText('Centrs: https://centrs.example.lv')).toBeTruthy();
    expect(within(section('Saite ar eksāmenu centru')).getByTestId('centre-last-contact').textContent).toMatch(/^Pēdējais sakars ar centru: tikko \(\d\d\.\d\d\.\d{4} \d\d:\d\d:\d\d\)$/);
  });

  test('a centre that cannot be reached at enrolment: the station\'s words, what to do, and nothing enrolled', async () => {
    const station = hub(['it']);
    station.centralReachable = false;
    await openCentre(station);
    fireEvent.change(screen.getByLabelText('Eksāmenu centra adrese'), { target: { value: 'https://centrs.example.lv' } });
    fireEvent.change(screen.getByLabelText('Vienreizējais reģistrācijas kods'), { target: { value: station.centralCode } });
    fireEvent.click(screen.getByRole('button', { name: 'Reģistrēt' }));
    const refusal = await screen.findByTestId('enrol-error');
    expect(refusal.querySelector('[lang="lv"]')?.textContent).toBe(ERROR_CATALOGUE.CENTRAL_UNREACHABLE.lv);
    expect(station.central.enrolled).toBe(false);
  });

  test('a chief invigilator sees the page but not the form: enrolment is for centre staff or IT', async () => {
    const station = hub(['chief-invigilator']);
    await openCentre(station);
    expect((await screen.findByTestId('enrol-no-right')).textContent).toBe('Telpas datoru eksāmenu centrā reģistrē eksāmenu centra darbinieks vai IT speciālists.');
    expect(screen.queryByLabelText('Vienreizējais reģistrācijas kods')).toBeNull();
  });
});

describe('an enrolled hub', () => {
  test('says the last contact, what is new, what is still to send and since when, and every transfer with its bar', async () => {
    const station = hub();
    station.central = enrolledCentral({
      lastContactAt: minutesAgo(3),
      eventsToSend: 42,
      oldestUnsentAt: minutesAgo(5, 10),
      audioBytesToSend: 5.5 * MB,
      recordingsToSend: 3,
      newFromCentre: { sessions: 1, candidates: 24, packages: 2 },
      transfers: [
        { kind: 'package', id: 'pkg-a2', done: 3 * MB, total: 10 * MB },
        { kind: 'audio', id: 'rec-7', done: MB, total: 2 * MB },
      ],
    });
    await openCentre(station);
    const link = within(await screen.findByRole('region', { name: 'Saite ar eksāmenu centru' }));
    expect(link.getByTestId('centre-last-contact').textContent).toMatch(/^Pēdējais sakars ar centru: pirms 3 minūtēm \(\d\d\.\d\d\.\d{4} \d\d:\d\d:\d\d\)$/);
    expect(link.queryByTestId('centre-clock')).toBeNull();
    expect(link.queryByRole('alert')).toBeNull();
    const toSend = within(section('Vēl jānosūta centram'));
    const lines = toSend.getAllByRole('listitem').map((li) => li.textContent);
    expect(lines[0]).toMatch(/^42 notikumi \(atbildes, laiks, ierašanās, incidenti\); vecākais no \d\d\.\d\d\.\d{4} \d\d:\d\d:\d\d, gaida jau 5 min 1\d s$/);
    expect(lines[1]).toBe('Audio: 5,5 MB, 3 ieraksti');
    expect(toSend.getByTestId('centre-new').textContent).toBe('1 sesija, 24 kandidāti, 2 paketes lejupielādei');
    const bars = toSend.getAllByRole('progressbar', { name: 'Pārsūtīšanas gaita' });
    expect(bars.map((b) => [b.getAttribute('aria-valuenow'), b.getAttribute('aria-valuetext')])).toEqual([
      ['30', 'Pakete pkg-a2 no centra: 30 % (3 no 10 MB)'],
      ['50', 'Ieraksts rec-7 uz centru: 50 % (1 no 2 MB)'],
    ]);

    // The next poll brings the transfer further, and then its end.
    station.central = { ...station.central, transfers: [{ kind: 'package', id: 'pkg-a2', done: 9 * MB, total: 10 * MB }] };
    await nextPoll();
    expect(screen.getAllByRole('progressbar').map((b) => b.getAttribute('aria-valuenow'))).toEqual(['90']);
    station.central = { ...station.central, transfers: [] };
    await nextPoll();
    expect(screen.queryByRole('progressbar')).toBeNull();

    settingsStore.getState().setLang('en');
    expect((await screen.findByTestId('centre-last-contact')).textContent).toMatch(/^Last contact with the centre: 3 minutes ago \(\d\d\/\d\d\/\d{4}, \d\d:\d\d:\d\d\)$/);
    expect(screen.getByTestId('centre-new').textContent).toBe('1 session, 24 candidates, 2 packages to download');
  });

  test('the last problem in the person\'s language first, with what to do, and when it happened', async () => {
    const station = hub(['chief-invigilator']);
    station.central = enrolledCentral({ lastError: { code: 'CENTRAL_UNREACHABLE', message: new StationError('CENTRAL_UNREACHABLE').text, detail: 'connect ECONNREFUSED 10.0.0.1:443', at: minutesAgo(1) } });
    await openCentre(station);
    const problem = await screen.findByTestId('centre-last-error');
    expect(problem.getAttribute('role')).toBe('alert');
    expect(problem.textContent).toMatch(/^⚠Pēdējā sinhronizācija neizdevās \(\d\d\.\d\d\.\d{4} \d\d:\d\d:\d\d\)/);
    const [first, second] = [...problem.querySelectorAll('[lang]')];
    expect([first?.getAttribute('lang'), first?.textContent]).toEqual(['lv', ERROR_CATALOGUE.CENTRAL_UNREACHABLE.lv]);
    expect([second?.getAttribute('lang'), second?.textContent]).toEqual(['en', ERROR_CATALOGUE.CENTRAL_UNREACHABLE.en]);
    expect(problem.textContent).toContain('CENTRAL_UNREACHABLE: connect ECONNREFUSED 10.0.0.1:443');
    settingsStore.getState().setLang('en');
    await waitFor(() => expect(screen.getByTestId('centre-last-error').querySelector('[lang]')?.getAttribute('lang')).toBe('en'));
    expect(screen.getByTestId('centre-last-error').textContent).toContain('The last sync failed');
  });

  test('"Sync now" is busy while the pass runs and cannot start a second one; the answer replaces what is shown', async () => {
    const station = hub(['chief-invigilator']);
    station.central = enrolledCentral({ eventsToSend: 7, oldestUnsentAt: minutesAgo(2), lastContactAt: minutesAgo(10) });
    station.holdSync = true;
    await openCentre(station);
    const button = await screen.findByRole<HTMLButtonElement>('button', { name: 'Sinhronizēt tagad' });
    fireEvent.click(button);
    await settle();
    expect(button.disabled).toBe(true);
    expect(button.textContent).toBe('Sinhronizē…');
    expect(button.getAttribute('aria-busy')).toBe('true');
    fireEvent.click(button);
    fireEvent.click(button);
    await settle();
    expect(station.centralCalls).toEqual([['syncWithCentre', {}]]);
    station.releaseSync();
    await waitFor(() => expect(button.disabled).toBe(false));
    expect(button.textContent).toBe('Sinhronizēt tagad');
    expect(screen.getByTestId('centre-to-send').textContent).toBe('✓ Viss ir nosūtīts centram.');
    expect(screen.getByTestId('centre-last-contact').textContent).toMatch(/: tikko \(/);
  });

  test('a pass the background schedule is running shows as one: the button is busy until the station says it is over', async () => {
    const station = hub(['centre-staff']);
    station.central = enrolledCentral({ syncing: true });
    await openCentre(station);
    const button = await screen.findByRole<HTMLButtonElement>('button', { name: 'Sinhronizē…' });
    expect(button.disabled).toBe(true);
    station.central = { ...station.central, syncing: false };
    await waitFor(() => expect(button.textContent).toBe('Sinhronizēt tagad'), { timeout: 5000 });
    expect(button.disabled).toBe(false);
  });

  test('a pass that fails shows its problem; a refusal of the call itself is said beside the button', async () => {
    const station = hub(['centre-staff']);
    station.central = enrolledCentral({ eventsToSend: 3 });
    station.centralReachable = false;
    await openCentre(station);
    fireEvent.click(await screen.findByRole('button', { name: 'Sinhronizēt tagad' }));
    expect((await screen.findByTestId('centre-last-error')).querySelector('[lang="lv"]')?.textContent).toBe(ERROR_CATALOGUE.CENTRAL_UNREACHABLE.lv);
    station.syncWithCentre = async () => {
      throw new StationError('CENTRAL_NOT_ENROLLED');
    };
    fireEvent.click(screen.getByRole('button', { name: 'Sinhronizēt tagad' }));
    expect((await screen.findByTestId('centre-sync-error')).querySelector('[lang="lv"]')?.textContent).toBe(ERROR_CATALOGUE.CENTRAL_NOT_ENROLLED.lv);
  });

  test('a revoked hub: said at the top as an alert, the hub stopped, call the centre; no "Sync now", no second alarm', async () => {
    const station = hub(['it']);
    station.central = enrolledCentral({ revoked: true, eventsToSend: 12, lastError: { code: 'DEVICE_REVOKED', message: new StationError('DEVICE_REVOKED').text, detail: null, at: minutesAgo(1) } });
    await openCentre(station);
    const revoked = await screen.findByTestId('centre-revoked');
    expect(revoked.getAttribute('role')).toBe('alert');
    expect(within(revoked).getByRole('heading').textContent).toBe('⛔ Eksāmenu centrs ir atsaucis šī telpas datora piekļuvi');
    expect(revoked.textContent).toContain('Telpas dators ir apstājies: tas centram vairs neko nesūta un no tā neko nesaņem.');
    expect(revoked.textContent).toContain('Zvaniet uz eksāmenu centru un nosauciet norises vietu RIX01');
    expect(screen.queryByRole('button', { name: 'Sinhronizēt tagad' })).toBeNull();
    expect(screen.queryByTestId('centre-last-error')).toBeNull();
    // What the hub still holds is still said: it stays here.
    expect(screen.getByTestId('centre-to-send').textContent).toContain('12 notikumi');
  });

  test('a clock more than a minute off the centre\'s is said, which way and by how much; less is not', async () => {
    const station = hub();
    station.central = enrolledCentral({ clockOffsetMs: 3 * 60_000 + 5000 });
    await openCentre(station);
    expect((await screen.findByTestId('centre-clock')).textContent).toBe(
      'Telpas datora pulkstenis atpaliek no eksāmenu centra laika par 3 min 5 s. Pasauciet IT, lai iestata pareizu datumu un laiku: citādi centrs var atteikt datus.',
    );
    station.central = { ...station.central, clockOffsetMs: -2 * 3600_000 };
    await nextPoll();
    expect(screen.getByTestId('centre-clock').textContent).toMatch(/^Telpas datora pulkstenis steidzas par 2 h, salīdzinot/);
    station.central = { ...station.central, clockOffsetMs: 59_000 };
    await nextPoll();
    expect(screen.queryByTestId('centre-clock')).toBeNull();
  });

  test('the station that does not talk to the centre (a seat) says so with what to do', async () => {
    const station = hub(['it']);
    station.getCentralSync = async () => {
      throw new StationError('CENTRAL_LINK_NOT_AVAILABLE');
    };
    await openCentre(station);
    expect((await screen.findByTestId('centre-error')).querySelector('[lang="lv"]')?.textContent).toBe(ERROR_CATALOGUE.CENTRAL_LINK_NOT_AVAILABLE.lv);
  });
});

describe('sessions and receipts', () => {
  const receipt = (candidateId: string, familyName: string, more: Partial<StationOutput<'listCentralReceipts'>[number]> = {}): StationOutput<'listCentralReceipts'>[number] => ({
    candidateId,
    givenName: 'Anna',
    familyName,
    receiptId: `rcpt-${candidateId}`,
    issuedAt: '2026-12-02T11:05:00.000Z',
    keyId: 'visc-receipts-2026',
    matches: true,
    problems: [],
    attempts: 1,
    responses: 31,
    recordings: 2,
    audioReceived: 2,
    incidents: 0,
    attendance: 'present',
    ...more,
  });
  const PROBLEM = { lv: 'Centrā nav ieraksta 2. runāšanas atbildei.', en: 'The centre has no recording of speaking answer 2.' };

  function withSessions(): Hub {
    const station = hub(['chief-invigilator']);
    station.central = enrolledCentral({
      sessions: [
        { sessionId: 'S-RIX-1', candidates: 2, receiptsMatching: 2, receiptsOutOfDate: 0, over: true, complete: true, purgedAt: null, certificatesUnsent: 0, mismatches: [] },
        { sessionId: 'S-RIX-2', candidates: 3, receiptsMatching: 1, receiptsOutOfDate: 0, over: true, complete: false, purgedAt: null, certificatesUnsent: 0, mismatches: [{ candidateId: 'C-0007', problems: [PROBLEM] }, { candidateId: 'C-0008', problems: [{ lv: 'Apliecinājums vēl nav saņemts.', en: 'No receipt yet.' }] }] },
      ],
    });
    station.centralReceipts = {
      'S-RIX-2': [
        receipt('C-0006', 'Bērziņa'),
        receipt('C-0007', 'Kalniņš', { matches: false, problems: [PROBLEM], audioReceived: 1, incidents: 1 }),
        receipt('C-0008', 'Ozola', { receiptId: null, issuedAt: null, keyId: null, matches: false, problems: [], responses: 0, recordings: 0, audioReceived: 0, attendance: null }),
      ],
    };
    return station;
  }

  test('each session with how many receipts match; a complete one in green; mismatches with the candidate and each problem', async () => {
    await openCentre(withSessions());
    const sessions = within(await screen.findByRole('region', { name: 'Sesijas un centra apliecinājumi' }));
    const [complete, open] = sessions.getAllByTestId('centre-session');
    expect(within(complete!).getByTestId('session-complete').textContent).toBe('✓ Viss no sesijas S-RIX-1 ir centrā');
    expect(within(complete!).getByTestId('session-complete').className).toContain('banner-ok');
    expect(within(open!).queryByTestId('session-complete')).toBeNull();
    expect(within(open!).getByText('Sesija S-RIX-2: 1 no 3 apliecinājumiem sakrīt')).toBeTruthy();
    const mismatches = within(within(open!).getByTestId('session-mismatches')).getAllByRole('listitem').filter((li) => li.parentElement?.getAttribute('data-testid') === 'session-mismatches');
    expect(mismatches.map((li) => li.textContent)).toEqual(['✗ C-0007Centrā nav ieraksta 2. runāšanas atbildei.', '✗ C-0008Apliecinājums vēl nav saņemts.']);
    settingsStore.getState().setLang('en');
    expect(await screen.findByText('✓ Everything of session S-RIX-1 is at the centre')).toBeTruthy();
    expect(screen.getByText('Session S-RIX-2: 1 of 3 receipts match')).toBeTruthy();
    expect(screen.getByText('The centre has no recording of speaking answer 2.')).toBeTruthy();
  });

  test('receipts older than the newest work of the session are counted apart, not as matching', async () => {
    const station = hub(['chief-invigilator']);
    station.central = enrolledCentral({
      sessions: [{ sessionId: 'S-RIX-3', candidates: 2, receiptsMatching: 0, receiptsOutOfDate: 2, over: true, complete: false, purgedAt: null, certificatesUnsent: 0, mismatches: [] }],
    });
    await openCentre(station);
    const row = await screen.findByTestId('centre-session');
    expect(within(row).queryByTestId('session-complete')).toBeNull();
    expect(within(row).getByText('Sesija S-RIX-3: 0 no 2 apliecinājumiem sakrīt')).toBeTruthy();
    expect(within(row).getByTestId('session-out-of-date').textContent).toContain('2 apliecinājumi ir vecāki par jaunāko šīs sesijas darbu');
    settingsStore.getState().setLang('en');
    expect((await screen.findByTestId('session-out-of-date')).textContent).toBe('2 receipts are older than the newest work of this session here (or it is not sent yet): they are fetched again at the next sync.');
  });

  test("a session's receipts as a table, and printed on their own under the venue, the session and the time printed", async () => {
    await openCentre(withSessions());
    fireEvent.click(await screen.findByRole('button', { name: 'Rādīt sesijas S-RIX-2 apliecinājumus' }));
    const receipts = await screen.findByTestId('centre-receipts');
    const table = await within(receipts).findByTestId('receipts-table');
    const header = [...table.querySelectorAll('thead th')].map((th) => th.textContent);
    expect(header).toEqual(['Kandidāts', 'Apliecinājums', 'Izsniegts', 'Atbildes', 'Ieraksti', 'Incidenti', 'Ierašanās', 'Sakrīt']);
    const rows = within(table).getAllByTestId('receipt-row').map((row) => [...row.querySelectorAll('th,td')].map((c) => c.textContent));
    const issued = new Date('2026-12-02T11:05:00.000Z').toLocaleString('lv-LV', { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    expect(rows).toEqual([
      ['Bērziņa Anna (C-0006)', 'rcpt-C-0006 · atslēga visc-receipts-2026', issued, '31', '2, audio centrā: 2', '0', 'Ieradies', '✓ sakrīt'],
      ['Kalniņš Anna (C-0007)', 'rcpt-C-0007 · atslēga visc-receipts-2026', issued, '31', '2, audio centrā: 1', '1', 'Ieradies', '✗ nesakrītCentrā nav ieraksta 2. runāšanas atbildei.'],
      ['Ozola Anna (C-0008)', 'vēl nav saņemts', '—', '0', '0, audio centrā: 0', '0', '—', '✗ nesakrīt'],
    ]);

    let atPrint: { printing: boolean; heading: string; inPrint: string[] } | null = null;
    const print = vi.fn(() => {
      atPrint = {
        printing: document.documentElement.classList.contains('print-receipts'),
        heading: within(receipts).getByTestId('print-heading').textContent ?? '',
        inPrint: [...document.querySelectorAll('.receipts-print')].map((el) => el.getAttribute('data-testid') ?? ''),
      };
    });
    window.print = print;
    expect(within(receipts).queryByTestId('print-heading')).toBeNull();
    fireEvent.click(within(receipts).getByRole('button', { name: 'Drukāt apliecinājumus' }));
    expect(print).toHaveBeenCalledTimes(1);
    expect(atPrint!.printing).toBe(true);
    expect(atPrint!.heading).toMatch(/^Eksāmenu centra apliecinājumi: norises vieta RIX01, sesija S-RIX-2Izdrukāts \d\d\.\d\d\.\d{4} \d\d:\d\d:\d\d telpas datorā /);
    // The receipts' card is the only thing printed: the sync controls and the sessions are outside it.
    expect(atPrint!.inPrint).toEqual(['centre-receipts']);
    expect(receipts.contains(screen.getByRole('button', { name: 'Sinhronizēt tagad' }))).toBe(false);
    expect(receipts.querySelector('.no-print')?.contains(within(receipts).getByRole('button', { name: 'Drukāt apliecinājumus' }))).toBe(true);
    window.dispatchEvent(new Event('afterprint'));
    expect(document.documentElement.classList.contains('print-receipts')).toBe(false);
  });
});

describe('the page on the console', () => {
  test('asks the station every 2 s while open, and no more once the person goes to another page', async () => {
    const station = hub();
    station.central = enrolledCentral({ eventsToSend: 1 });
    await openCentre(station);
    await screen.findByTestId('centre-to-send');
    const first = station.polls;
    station.central = { ...station.central, eventsToSend: 9 };
    await nextPoll();
    expect(station.polls).toBe(first + 1);
    expect(screen.getByTestId('centre-to-send').textContent).toContain('9 notikumi');
    fireEvent.click(screen.getByRole('button', { name: 'Telpa' }));
    await screen.findByRole('heading', { name: 'Telpa', level: 1 });
    const left = station.polls;
    await nextPoll();
    expect(station.polls).toBe(left);
  });

  test('is not offered to a person without the right to see the link (an invigilator)', async () => {
    const station = hub(['invigilator']);
    await signIn(station);
    const nav = within(screen.getByRole('navigation', { name: 'Konsoles lapas' }));
    expect(nav.getByRole('button', { name: 'Reģistrācija' })).toBeTruthy();
    expect(nav.queryByRole('button', { name: 'Centrs' })).toBeNull();
    // And the station refuses them as well, naming who may.
    expect(station.polls).toBe(0);
    await expect(station.getCentralSync({ staffToken: 'staff-token-for-tests-000' })).rejects.toMatchObject({ code: 'STAFF_ROLE_MISSING' });
    expect(station.polls).toBe(1);
  });

  test('a person whose role is withdrawn while the page is open reads who may open it, and the page stops asking', async () => {
    const station = hub(['centre-staff']);
    station.central = enrolledCentral();
    await openCentre(station);
    await screen.findByTestId('centre-to-send');
    station.staffRoles = ['invigilator'];
    // The console reads the session again every 3 s.
    await act(async () => new Promise((r) => setTimeout(r, 3200)));
    expect(screen.getByTestId('centre-no-right').textContent).toBe(
      'Šajā lapā ir telpas datora saite ar eksāmenu centru. To var atvērt galvenais pārbaudījuma vadītājs, eksāmenu centra darbinieks vai IT speciālists.',
    );
    expect(screen.queryByRole('button', { name: 'Centrs' })).toBeNull();
    const polls = station.polls;
    await nextPoll();
    expect(station.polls).toBe(polls);
  });
});
