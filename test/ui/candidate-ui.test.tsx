// @vitest-environment jsdom
// The candidate's screens against an in-memory station: saving and its indicator, word counts, keyboard
// use, messages that last only as long as their cause, coming back after a reload, details that are not
// the candidate's handed back to the invigilator, and a pause by the invigilator. Listening is in
// listening.test.tsx, speaking in speaking-item.test.tsx.
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { App } from '../../src-renderer/App.tsx';
import { settingsStore } from '../../src-renderer/store/settings.ts';
import { ExamContent } from '../../src-shared/content/schema.ts';
import { isModal } from './dialog.ts';
import { FakeStation, SEAT, STAFF, testContent, testExamSource } from './fake-station.ts';

/** A centralized exam made of the small test's writing part alone: nothing to hear, nothing to say. */
function writtenExam(): ExamContent {
  const { level: _level, parts, ...source } = testExamSource();
  return ExamContent.parse({ ...source, kind: 'centralized', subject: 'Latviešu valoda', parts: (parts as { kind: string }[]).filter((p) => p.kind === 'writing') });
}

function seat(station: FakeStation) {
  localStorage.setItem('exam-station.seat', JSON.stringify(SEAT));
  return render(<App station={station} />);
}

function indicator(): HTMLElement {
  return screen.getByTestId('save-indicator');
}

beforeEach(() => {
  localStorage.clear();
  settingsStore.getState().setLang('lv');
  settingsStore.getState().setTextSize('normal');
  settingsStore.getState().setHighContrast(false);
});
afterEach(() => cleanup());

describe('saving', () => {
  test('when the station stops acknowledging the indicator says "not saved, call the invigilator" within 3 s, keeps the edit, and returns to saved once acknowledged', async () => {
    const station = new FakeStation().inPart('p-w', 'w-q1');
    seat(station);
    const box = await screen.findByRole('textbox', { name: 'Jūsu atbilde' });
    fireEvent.change(box, { target: { value: 'Labdien, Līga' } });
    await waitFor(() => expect(indicator().dataset.state).toBe('saved'));

    station.mode = 'hang';
    const stoppedAt = Date.now();
    fireEvent.change(box, { target: { value: 'Labdien, Līga! Rīt nevarēšu atnākt' } });
    expect(indicator().dataset.state).toBe('saving');
    await waitFor(() => expect(indicator().dataset.state).toBe('not-saved'), { timeout: 3000 });
    expect(Date.now() - stoppedAt).toBeLessThan(3000);
    expect(indicator().textContent).toContain('Nav saglabāts — pasauciet pārbaudījuma vadītāju');
    expect((box as HTMLTextAreaElement).value).toBe('Labdien, Līga! Rīt nevarēšu atnākt');

    act(() => station.comeBack());
    await waitFor(() => expect(indicator().dataset.state).toBe('saved'), { timeout: 5000 });
    const last = station.revisions[station.revisions.length - 1]!;
    expect(last.value).toEqual({ type: 'extended-writing', text: 'Labdien, Līga! Rīt nevarēšu atnākt' });
  });

  test('a save the station never answered is re-sent with the same clientSaveId, so it becomes one revision', async () => {
    const station = new FakeStation().inPart('p-l', 'l-q3');
    seat(station);
    const input = await screen.findByRole('textbox', { name: 'Jūsu atbilde' });
    station.mode = 'unreachable';
    fireEvent.change(input, { target: { value: 'pasi' } });
    await waitFor(() => expect(station.saveCalls.length).toBeGreaterThanOrEqual(2), { timeout: 3000 });
    await waitFor(() => expect(indicator().dataset.state).toBe('not-saved'));
    station.mode = 'up';
    await waitFor(() => expect(indicator().dataset.state).toBe('saved'), { timeout: 5000 });
    expect(new Set(station.saveCalls.map((c) => c.clientSaveId)).size).toBe(1);
    expect(station.revisions).toHaveLength(1);
  });

  test('edits made while a save is in flight are folded into one follow-up save of the latest value', async () => {
    const station = new FakeStation().inPart('p-w', 'w-q1');
    seat(station);
    const box = await screen.findByRole('textbox', { name: 'Jūsu atbilde' });
    station.mode = 'hang';
    fireEvent.change(box, { target: { value: 'a' } });
    fireEvent.change(box, { target: { value: 'ab' } });
    fireEvent.change(box, { target: { value: 'abc' } });
    expect(station.saveCalls).toHaveLength(1);
    act(() => station.comeBack());
    await waitFor(() => expect(indicator().dataset.state).toBe('saved'), { timeout: 5000 });
    expect(station.revisions[station.revisions.length - 1]!.value).toEqual({ type: 'extended-writing', text: 'abc' });
    expect(station.saveCalls.map((c) => (c.value as { text: string }).text)).not.toContain('ab');
  });
});

describe('writing', () => {
  test('the word count shows the minimum and maximum and says in words whether the text fits', async () => {
    seat(new FakeStation().inPart('p-w', 'w-q1'));
    const box = await screen.findByRole('textbox', { name: 'Jūsu atbilde' });
    const count = () => screen.getByTestId('word-count').textContent ?? '';
    expect(count()).toContain('Vārdi: 0');
    expect(count()).toContain('vajag 3–5');
    expect(count()).toContain('Pārāk maz vārdu');
    fireEvent.change(box, { target: { value: 'Es šodien jūtos slikti' } });
    expect(count()).toContain('Vārdi: 4');
    expect(count()).toContain('Vārdu skaits atbilst');
    fireEvent.change(box, { target: { value: 'Es šodien jūtos ļoti ļoti slikti' } });
    expect(count()).toContain('Vārdi: 6');
    expect(count()).toContain('Pārāk daudz vārdu');
    expect((box as HTMLTextAreaElement).value).toBe('Es šodien jūtos ļoti ļoti slikti');
  });

  test('pasting is refused with an explanation when the package blocks it', async () => {
    seat(new FakeStation(testContent({ pastePolicy: 'block' })).inPart('p-w', 'w-q1'));
    const box = await screen.findByRole('textbox', { name: 'Jūsu atbilde' });
    fireEvent.paste(box, { clipboardData: { getData: () => 'iekopēts teksts' } });
    expect(await screen.findByText(/tekstu ielīmēt nedrīkst/)).toBeTruthy();
  });
});

describe('navigation and accessibility', () => {
  test('the item list says in words which items are answered, flagged and current', async () => {
    seat(new FakeStation().inPart('p-l', 'l-q1'));
    await screen.findByText('Uz kurieni?');
    fireEvent.click(screen.getByRole('radio', { name: 'Uz Rīgu' }));
    fireEvent.click(screen.getByTestId('flag'));
    const nav = screen.getByRole('navigation', { name: 'Jautājumi šajā daļā' });
    expect(within(nav).getByRole('button', { name: '1. jautājums: atbildēts, atzīmēts, pašreizējais' })).toBeTruthy();
    expect(within(nav).getByRole('button', { name: '2. jautājums: nav atbildēts' })).toBeTruthy();
    fireEvent.click(within(nav).getByRole('button', { name: '2. jautājums: nav atbildēts' }));
    expect(await screen.findByText('Vilciens kavējas.')).toBeTruthy();
    expect(document.activeElement?.textContent).toContain('2. jautājums no 3');
  });

  test('the submit confirmation is a modal dialog: it takes focus, closes with Escape and gives the focus back to the submit button', async () => {
    seat(new FakeStation().inPart('p-l', 'l-q3'));
    const opener = await screen.findByTestId('submit-part');
    opener.focus();
    fireEvent.click(opener);
    const dialog = await screen.findByRole('alertdialog');
    // A <dialog> opened with showModal(): the page behind it is inert and Tab stays inside (Chromium; the e2e checks it).
    expect(dialog.tagName).toBe('DIALOG');
    expect(isModal(dialog)).toBe(true);
    const stay = within(dialog).getByRole('button', { name: 'Atpakaļ uz daļu' });
    expect(document.activeElement).toBe(stay);
    expect(within(dialog).getByText(/3 jautājumi nav atbildēti/)).toBeTruthy();
    fireEvent.keyDown(stay, { key: 'Escape' });
    await waitFor(() => expect(screen.queryByRole('alertdialog')).toBeNull());
    expect(document.activeElement).toBe(screen.getByTestId('submit-part'));
  });

  test("a part's introduction says its time, and the registered extra time with it", async () => {
    const station = new FakeStation().inPart('p-l', 'l-q3');
    station.extraTimePercent = 25;
    seat(station);
    fireEvent.click(await screen.findByTestId('submit-part'));
    fireEvent.click(await screen.findByRole('button', { name: 'Jā, iesniegt' }));
    // Writing: 15 minutes, and 25 % of it (3 min 45 s) said in whole minutes.
    expect((await screen.findByTestId('part-time')).textContent).toBe('Laiks: 15 minūtes un papildlaiks 4 minūtes (reģistrēts pielāgojums: +25 %)');
  });

  test('submitting a part ends its timer on the station and moves to the next part, which cannot go back', async () => {
    const station = new FakeStation().inPart('p-l', 'l-q3');
    seat(station);
    fireEvent.click(await screen.findByTestId('submit-part'));
    fireEvent.click(await screen.findByRole('button', { name: 'Jā, iesniegt' }));
    expect(await screen.findByTestId('start-part')).toBeTruthy();
    expect(screen.getByRole('heading', { name: 'Rakstīšana' })).toBeTruthy();
    expect(station.timers.get('p-l')?.map((e) => e.kind)).toEqual(['start', 'end']);
  });

  test('the overview lists every item with its task and state, goes to the item chosen and closes with Escape', async () => {
    seat(new FakeStation().inPart('p-l', 'l-q1'));
    await screen.findByText('Uz kurieni?');
    fireEvent.click(screen.getByRole('radio', { name: 'Uz Rīgu' }));
    fireEvent.click(screen.getByTestId('flag'));
    fireEvent.click(screen.getByTestId('overview'));
    const dialog = await screen.findByRole('dialog', { name: 'Daļas pārskats' });
    expect(within(dialog).getByText('Atbildēts 1 no 3')).toBeTruthy();
    const rows = within(dialog).getAllByRole('row');
    expect(rows.map((r) => r.textContent)).toEqual(['1. jautājumsPaziņojums✓ atbildēts⚑ atzīmēts', '2. jautājumsPaziņojums○ nav atbildēts', '3. jautājumsPaziņojums○ nav atbildēts']);
    expect(document.activeElement?.textContent).toBe('1. jautājums');
    fireEvent.click(within(dialog).getByRole('button', { name: '3. jautājums' }));
    expect(await screen.findByText('3. jautājums no 3')).toBeTruthy();
    expect(screen.queryByRole('dialog', { name: 'Daļas pārskats' })).toBeNull();
    fireEvent.click(screen.getByTestId('overview'));
    fireEvent.keyDown(await screen.findByRole('dialog', { name: 'Daļas pārskats' }), { key: 'Escape' });
    await waitFor(() => expect(screen.queryByRole('dialog', { name: 'Daļas pārskats' })).toBeNull());
  });

  test('after the last part the end screen says how many items of each part were answered', async () => {
    const station = new FakeStation();
    await station.recordTimerEvent({ ...SEAT, partId: 'p-w', kind: 'start' });
    await station.saveResponse({ ...SEAT, itemId: 'w-q1', value: { type: 'extended-writing', text: 'Labdien, šodien nevaru' }, clientSaveId: crypto.randomUUID() });
    seat(station.inPart('p-s', 's-q1'));
    fireEvent.click(await screen.findByTestId('submit-part'));
    fireEvent.click(await screen.findByRole('button', { name: 'Jā, iesniegt' }));
    expect((await screen.findByTestId('end-title')).textContent).toContain('Pārbaudījums ir pabeigts');
    const summary = screen.getByTestId('end-summary').textContent;
    expect(summary).toContain('Klausīšanās: atbildēti 0 no 3 jautājumiem');
    expect(summary).toContain('Rakstīšana: atbildēts 1 no 1 jautājuma');
    expect(summary).toContain('Runāšana: atbildēti 0 no 1 jautājuma');
    expect(station.status).toBe('submitted');
  });

  test('an error met on one item does not follow the candidate to another', async () => {
    const station = new FakeStation().inPart('p-l', 'l-q1');
    seat(station);
    await screen.findByText('Uz kurieni?');
    station.mode = 'unreachable';
    fireEvent.click(screen.getByRole('button', { name: 'Iesniegt daļu' }));
    fireEvent.click(await screen.findByRole('button', { name: 'Jā, iesniegt' }));
    expect((await screen.findByText('Nav savienojuma ar staciju. Pasauciet pārbaudījuma vadītāju.')).closest('.banner-error')).toBeTruthy();
    await waitFor(() => expect(screen.queryByRole('alertdialog')).toBeNull());
    station.mode = 'up';
    fireEvent.click(screen.getByTestId('next'));
    expect(await screen.findByText('Vilciens kavējas.')).toBeTruthy();
    expect(screen.queryByText('Nav savienojuma ar staciju. Pasauciet pārbaudījuma vadītāju.')).toBeNull();
  });

  test('larger text and high contrast are set on the page and kept', async () => {
    seat(new FakeStation().inPart('p-l', 'l-q1'));
    await screen.findByText('Uz kurieni?');
    fireEvent.click(screen.getByRole('button', { name: /Iestatījumi/ }));
    fireEvent.click(screen.getByLabelText('Ļoti liels'));
    fireEvent.click(screen.getByLabelText('Augsts kontrasts'));
    fireEvent.click(screen.getByLabelText('English'));
    await waitFor(() => expect(document.documentElement.dataset.textSize).toBe('larger'));
    expect(document.documentElement.dataset.contrast).toBe('high');
    expect(document.documentElement.lang).toBe('en');
    expect(screen.getByRole('button', { name: 'Next' })).toBeTruthy();
    expect(JSON.parse(localStorage.getItem('exam-station.settings') ?? '{}')).toMatchObject({ lang: 'en', textSize: 'larger', highContrast: true });
  });
});

describe('time', () => {
  test('when the station says the time is up, the part ends and the candidate is told so', async () => {
    const station = new FakeStation().inPart('p-l', 'l-q1');
    station.timers.set('p-l', [{ kind: 'start', at: Date.now() - 600_000 + 800 }]);
    seat(station);
    expect(await screen.findByText('Uz kurieni?')).toBeTruthy();
    expect(await screen.findByText(/Šīs daļas laiks beidzās/, undefined, { timeout: 4000 })).toBeTruthy();
    expect(screen.getByTestId('start-part')).toBeTruthy();
    expect(station.timers.get('p-l')?.map((e) => e.kind)).toEqual(['start', 'end']);
  });

  test('"the time for this part is over" is said before the next part, not inside it', async () => {
    const station = new FakeStation().inPart('p-l', 'l-q1');
    station.timers.set('p-l', [{ kind: 'start', at: Date.now() - 600_000 + 800 }]);
    seat(station);
    await screen.findByText(/Šīs daļas laiks beidzās/, undefined, { timeout: 4000 });
    fireEvent.click(screen.getByTestId('start-part'));
    expect(await screen.findByRole('textbox', { name: 'Jūsu atbilde' })).toBeTruthy();
    expect(screen.queryByText(/Šīs daļas laiks beidzās/)).toBeNull();
  });
});

describe('coming back', () => {
  test('after a reload the candidate is on the same item with the answers the station holds', async () => {
    const station = new FakeStation().inPart('p-l', 'l-q3');
    await station.saveResponse({ ...SEAT, itemId: 'l-q3', value: { type: 'short-text', text: 'pasi' }, clientSaveId: crypto.randomUUID() });
    await station.saveResponse({ ...SEAT, itemId: 'l-q1', value: { type: 'single-choice', optionId: 'b' }, clientSaveId: crypto.randomUUID() });
    seat(station);
    const input = await screen.findByRole('textbox', { name: 'Jūsu atbilde' });
    expect((input as HTMLInputElement).value).toBe('pasi');
    expect(screen.getByText('3. jautājums no 3')).toBeTruthy();
    expect(screen.getByRole('button', { name: '1. jautājums: atbildēts' })).toBeTruthy();
  });

  test('without an attempt on the seat the invigilator step asks for a username and password and refuses a wrong one in both languages', async () => {
    render(<App station={new FakeStation()} />);
    fireEvent.change(await screen.findByLabelText('Lietotājvārds'), { target: { value: STAFF.username } });
    const button = screen.getByRole('button', { name: 'Ienākt' }) as HTMLButtonElement;
    // Both are needed before the button does anything.
    expect(button.disabled).toBe(true);
    fireEvent.change(screen.getByLabelText('Parole'), { target: { value: 'Not-The-Password-1' } });
    fireEvent.click(button);
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Nepareizs lietotājvārds vai parole');
    expect(alert.textContent).toContain('The username or the password is not correct');
  });
});

describe('a screen whose attempt moved', () => {
  test('goes back to the invigilator step and says why when the attempt is opened on another screen', async () => {
    const station = new FakeStation().inPart('p-w', 'w-q1');
    seat(station);
    await screen.findByRole('textbox', { name: 'Jūsu atbilde' });
    station.moved();
    await screen.findByLabelText('Lietotājvārds', {}, { timeout: 5000 });
    expect(document.body.textContent).toContain('Šis ekrāns vairs nav saistīts ar šo pārbaudījumu');
    expect(localStorage.getItem('exam-station.seat')).toBeNull();
  });
});

describe('the identity screen', () => {
  test('"No" hands the screen back to the invigilator with the reason: an incident is recorded, the test is not started, and the invigilator can open it again here', async () => {
    const station = new FakeStation();
    seat(station);
    await screen.findByTestId('candidate-name');
    fireEvent.click(screen.getByRole('button', { name: 'Nē — pasaukšu pārbaudījuma vadītāju' }));
    const handBack = screen.getByRole('button', { name: 'Atdot ekrānu pārbaudījuma vadītājam' });
    // What is wrong is said first: the invigilator is told why.
    expect((handBack as HTMLButtonElement).disabled).toBe(true);
    fireEvent.click(screen.getByLabelText('Personas kods nav mans'));
    fireEvent.click(handBack);

    const notice = await screen.findByTestId('handed-back');
    expect(notice.textContent).toContain('Anna Bērziņa: personas kods nav pareizs.');
    expect(notice.textContent).toContain('Pārbaudījums nav sākts');
    expect(station.incidents).toEqual([{ kind: 'candidate-identity', attemptId: SEAT.attemptId, note: 'declined: personal-code' }]);
    expect(station.token).toBeNull();
    expect([...station.timers.values()].flat()).toEqual([]);
    expect(localStorage.getItem('exam-station.seat')).toBeNull();

    // The invigilator signs in on this screen and opens the test again: it resumes at the identity step.
    fireEvent.change(screen.getByLabelText('Lietotājvārds'), { target: { value: STAFF.username } });
    fireEvent.change(screen.getByLabelText('Parole'), { target: { value: STAFF.password } });
    fireEvent.click(screen.getByRole('button', { name: 'Ienākt' }));
    fireEvent.click(await screen.findByRole('radio', { name: /Anna Bērziņa/ }));
    fireEvent.change(screen.getByLabelText('Paketes atslēga'), { target: { value: 'ABCD-EFGH' } });
    expect(screen.getByTestId('handed-back')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Sākt kandidātam' }));
    expect((await screen.findByTestId('candidate-name')).textContent).toContain('Anna Bērziņa');
    expect(screen.queryByTestId('handed-back')).toBeNull();
    expect(JSON.parse(localStorage.getItem('exam-station.seat') ?? 'null')).toEqual(SEAT);
  });

  test('"Back" leaves the details on screen and hands nothing back', async () => {
    const station = new FakeStation();
    seat(station);
    await screen.findByTestId('candidate-name');
    const no = screen.getByRole('button', { name: 'Nē — pasaukšu pārbaudījuma vadītāju' });
    no.focus();
    fireEvent.click(no);
    // The pressed button is gone: the focus is on the first thing that can be wrong, not on nothing.
    expect(document.activeElement).toBe(screen.getByRole('radio', { name: 'Tie vispār nav mani dati' }));
    const back = screen.getByRole('button', { name: 'Atpakaļ — dati tomēr ir pareizi' });
    back.focus();
    fireEvent.click(back);
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Nē — pasaukšu pārbaudījuma vadītāju' }));
    fireEvent.click(screen.getByRole('button', { name: 'Jā, tie ir mani dati' }));
    expect(await screen.findByRole('heading', { name: 'Norādījumi' })).toBeTruthy();
    expect(station.incidents).toEqual([]);
  });
});

describe("the invigilator's message from the hub", () => {
  test('is shown on the seat until the candidate closes it, and a new one is shown again', async () => {
    const station = new FakeStation().inPart('p-l', 'l-q1');
    seat(station);
    await screen.findByText('Uz kurieni?');
    expect(screen.queryByTestId('room-message')).toBeNull();
    station.roomMessage = { id: 'm-1', text: 'Atlikušas 10 minūtes.', at: Date.now() };
    const shown = await screen.findByTestId('room-message', {}, { timeout: 3000 });
    expect(shown.textContent).toContain('Ziņa no pārbaudījuma vadītāja');
    expect(shown.textContent).toContain('Atlikušas 10 minūtes.');
    fireEvent.click(within(shown).getByRole('button', { name: 'Labi, izlasīju' }));
    expect(screen.queryByTestId('room-message')).toBeNull();
    // The same message on later heartbeats stays closed; another one is said.
    await act(async () => new Promise((r) => setTimeout(r, 2200)));
    expect(screen.queryByTestId('room-message')).toBeNull();
    station.roomMessage = { id: 'm-2', text: 'Lūdzu, pārbaudiet austiņas.', at: Date.now() };
    expect((await screen.findByTestId('room-message', {}, { timeout: 3000 })).textContent).toContain('Lūdzu, pārbaudiet austiņas.');
  }, 10_000);
});

describe('a seat that lost its hub', () => {
  test('says calmly that the work is kept here and goes on: the answer still saves, and the note goes once the link is back', async () => {
    const station = new FakeStation().inPart('p-l', 'l-q1');
    seat(station);
    await screen.findByText('Uz kurieni?');
    expect(screen.queryByTestId('working-offline')).toBeNull();
    station.hubOffline = true;
    const note = await screen.findByTestId('working-offline', {}, { timeout: 3000 });
    expect(note.getAttribute('role')).toBe('status');
    expect(note.textContent).toBe('Savienojums ar telpas datoru uz brīdi pārtrūcis. Turpiniet darbu: visas atbildes tiek saglabātas šajā datorā un tiks nosūtītas, kad savienojums atjaunosies.');
    // Nothing is covered or stopped: the candidate answers as before.
    fireEvent.click(screen.getAllByRole('radio')[0]!);
    await waitFor(() => expect(screen.getByTestId('save-indicator').getAttribute('data-state')).toBe('saved'), { timeout: 3000 });
    station.hubOffline = false;
    await waitFor(() => expect(screen.queryByTestId('working-offline')).toBeNull(), { timeout: 3000 });
  }, 10_000);
});

describe('a seat that finishes while its hub is out of reach', () => {
  test('leaves the offline note with the heartbeats: the end screen does not keep a state nobody refreshes', async () => {
    const station = new FakeStation().inPart('p-s', 's-q1');
    station.hubOffline = true;
    seat(station);
    await screen.findByTestId('working-offline', {}, { timeout: 3000 });
    fireEvent.click(await screen.findByTestId('submit-part'));
    fireEvent.click(await screen.findByRole('button', { name: 'Jā, iesniegt' }));
    await screen.findByTestId('end-title');
    expect(screen.queryByTestId('working-offline')).toBeNull();
  }, 10_000);
});

describe('a seat locked from the hub', () => {
  test('is covered on every screen with why, and uncovered when unlocked', async () => {
    const station = new FakeStation().inPart('p-l', 'l-q1');
    seat(station);
    await screen.findByText('Uz kurieni?');
    station.locked = { reason: 'kandidāts pārsēžas', at: Date.now() };
    const cover = await screen.findByTestId('seat-locked', {}, { timeout: 3000 });
    expect(cover.textContent).toContain('Šis dators ir bloķēts');
    expect(cover.textContent).toContain('Jūsu atbildes ir drošībā');
    expect(cover.textContent).toContain('Iemesls: kandidāts pārsēžas');
    station.locked = null;
    await waitFor(() => expect(screen.queryByTestId('seat-locked')).toBeNull(), { timeout: 3000 });
  }, 10_000);
});

describe('a seat waiting for the room to start', () => {
  test('shows a calm "waiting for the start" instead of the start, also when the station refuses a start that came too early, and lets the part begin once the room starts', async () => {
    const station = new FakeStation(writtenExam());
    seat(station);
    fireEvent.click(await screen.findByRole('button', { name: 'Jā, tie ir mani dati' }));
    fireEvent.click(await screen.findByRole('button', { name: 'Turpināt' }));
    // The screen has not heard yet that the room has not started: the station refuses the start itself.
    station.waitingForStart = true;
    fireEvent.click(await screen.findByTestId('start-part'));
    const waiting = await screen.findByTestId('waiting-for-start');
    expect(waiting.getAttribute('role')).toBe('status');
    expect(waiting.textContent).toContain('Gaidām pārbaudījuma sākumu');
    expect(waiting.textContent).toContain('Jums nekas nav jādara');
    expect(screen.queryByTestId('start-part')).toBeNull();
    expect(screen.queryByRole('alert')).toBeNull();
    station.waitingForStart = false;
    fireEvent.click(await screen.findByTestId('start-part', {}, { timeout: 3000 }));
    expect(await screen.findByRole('textbox', { name: 'Jūsu atbilde' })).toBeTruthy();
  }, 10_000);
});

describe('a raised hand', () => {
  test('on a seat in a room: the candidate says why, the bar says the hand is up until the invigilator has seen it; a solo station has no such button', async () => {
    const station = new FakeStation().inPart('p-l', 'l-q1');
    localStorage.setItem('exam-station.seat', JSON.stringify(SEAT));
    const { unmount } = render(<App station={station} inRoom />);
    await screen.findByText('Uz kurieni?');
    fireEvent.click(screen.getByRole('button', { name: 'Pacelt roku' }));
    const panel = screen.getByRole('dialog', { name: 'Pacelt roku' });
    const raise = within(panel).getByRole<HTMLButtonElement>('button', { name: 'Pacelt roku' });
    expect(raise.disabled).toBe(true);
    fireEvent.click(within(panel).getByLabelText('Problēma ar datoru vai austiņām'));
    fireEvent.click(raise);
    expect((await screen.findByTestId('hand-raised')).textContent).toContain('Roka pacelta: pārbaudījuma vadītājs to redz un nāks.');
    expect(station.hand).toMatchObject({ reason: 'technical' });
    // The invigilator saw it at the hub: the seat's station lowered it.
    station.hand = null;
    await waitFor(() => expect(screen.queryByTestId('hand-raised')).toBeNull(), { timeout: 3000 });
    expect(screen.getByRole('button', { name: 'Pacelt roku' })).toBeTruthy();
    unmount();
    seat(new FakeStation().inPart('p-l', 'l-q1'));
    await screen.findByText('Uz kurieni?');
    expect(screen.queryByRole('button', { name: 'Pacelt roku' })).toBeNull();
  }, 10_000);
});

describe('a pupil at a centralized exam', () => {
  test('sees no level row on the identity screen, and no level among what can be wrong', async () => {
    const station = new FakeStation(writtenExam());
    station.candidate = { ...station.candidate, givenName: 'Marta', familyName: 'Liepiņa', level: null };
    seat(station);
    await screen.findByTestId('candidate-name');
    const details = document.querySelector('.identity')!;
    expect(details.textContent).toContain('Personas kods');
    expect(details.textContent).not.toContain('Līmenis');
    expect(details.textContent).not.toContain('—');
    fireEvent.click(screen.getByRole('button', { name: 'Nē — pasaukšu pārbaudījuma vadītāju' }));
    expect(screen.getByLabelText('Personas kods nav mans')).toBeTruthy();
    expect(screen.queryByLabelText('Līmenis nav tas, kuru kārtoju')).toBeNull();
  });

  test('with nothing to hear or say goes from the instructions straight to the first part, without the headphones and microphone check', async () => {
    seat(new FakeStation(writtenExam()));
    fireEvent.click(await screen.findByRole('button', { name: 'Jā, tie ir mani dati' }));
    fireEvent.click(await screen.findByRole('button', { name: 'Turpināt' }));
    expect(await screen.findByTestId('start-part')).toBeTruthy();
    expect(screen.queryByRole('heading', { name: 'Austiņu un mikrofona pārbaude' })).toBeNull();
  });
});

describe('a candidate at a language test', () => {
  test('sees the level on the identity screen and checks headphones and microphone after the instructions', async () => {
    seat(new FakeStation());
    await screen.findByTestId('candidate-name');
    expect(screen.getByTestId('candidate-level').textContent).toBe('A2');
    fireEvent.click(screen.getByRole('button', { name: 'Jā, tie ir mani dati' }));
    fireEvent.click(await screen.findByRole('button', { name: 'Turpināt' }));
    expect(await screen.findByRole('heading', { name: 'Austiņu un mikrofona pārbaude' })).toBeTruthy();
  });
});

describe('a pause by the invigilator', () => {
  test('covers the part with the paused screen in both languages, keeps the time frozen, and lifts when the part resumes', async () => {
    const station = new FakeStation().inPart('p-w', 'w-q1');
    seat(station);
    const box = await screen.findByRole('textbox', { name: 'Jūsu atbilde' });
    await station.pause('p-w');
    // The screen learns it from the heartbeat, every 2 s.
    const paused = await screen.findByTestId('paused', {}, { timeout: 3000 });
    for (const text of ['Pārbaudījuma vadītājs apturēja pārbaudījumu', 'The invigilator has paused the test', 'Laiks netiek skaitīts', 'The time is not counting', 'atbildes ir drošībā', 'answers are safe']) {
      expect(paused.textContent).toContain(text);
    }
    expect(paused.contains(document.activeElement)).toBe(true);
    // The test underneath cannot be used while the part is paused.
    expect(box.closest('[inert]')).not.toBeNull();
    const clock = () => Number(screen.getByTestId('part-clock').dataset.remainingMs);
    const frozen = clock();
    expect(frozen).toBe((await station.getTimer({ ...SEAT, partId: 'p-w' })).remainingMs);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(clock()).toBe(frozen);

    await station.resume('p-w');
    await waitFor(() => expect(screen.queryByTestId('paused')).toBeNull(), { timeout: 3000 });
    expect(box.closest('[inert]')).toBeNull();
    await waitFor(() => expect(clock()).toBeLessThan(frozen), { timeout: 2000 });
  });

  test('an edit the station refuses because the part is paused stays on screen, waits without "call the invigilator", and is saved once the part resumes', async () => {
    const station = new FakeStation().inPart('p-w', 'w-q1');
    // The edit reaches the station after the grace it gives saves that were on their way.
    station.pauseGraceMs = 0;
    seat(station);
    const box = await screen.findByRole('textbox', { name: 'Jūsu atbilde' });
    await waitFor(() => expect(indicator().dataset.state).toBe('saved'));
    await station.pause('p-w');
    fireEvent.change(box, { target: { value: 'Labdien, Līga' } });
    await screen.findByTestId('paused', {}, { timeout: 3000 });
    await waitFor(() => expect(indicator().dataset.state).toBe('waiting'));
    expect(indicator().textContent).toContain('Tiks saglabāts, kad daļa turpināsies');
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(indicator().dataset.state).toBe('waiting');
    expect((box as HTMLTextAreaElement).value).toBe('Labdien, Līga');
    // Held, not hammered: the refused save is not sent again while the part is paused.
    expect(station.saveCalls).toHaveLength(1);
    expect(station.revisions).toHaveLength(0);

    await station.resume('p-w');
    await waitFor(() => expect(indicator().dataset.state).toBe('saved'), { timeout: 4000 });
    expect(station.revisions.map((r) => r.value)).toEqual([{ type: 'extended-writing', text: 'Labdien, Līga' }]);
    // The same save, sent again: one revision, under the clientSaveId it was first sent with.
    expect(new Set(station.saveCalls.map((c) => c.clientSaveId)).size).toBe(1);
  });
});
