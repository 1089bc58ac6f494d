// @vitest-environment jsdom
// A listening task against the in-memory station: a play whose audio fails to start is handed back and
// the candidate told so; leaving the task while a recording plays is asked first (moving between the
// task's own items is not); the play button is disabled, with the reason said, once no play is left;
// and each message lasts only as long as what caused it. jsdom plays no audio: the player's play() and
// pause() are stubbed below, and the end of a recording is an `ended` event.
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { App } from '../../src-renderer/App.tsx';
import { ExamContent } from '../../src-shared/content/schema.ts';
import { settingsStore } from '../../src-renderer/store/settings.ts';
import { TEXT } from '../../src-renderer/text.ts';
import { FakeStation, SEAT, testExamSource } from './fake-station.ts';

/** The fake's test with a second listening task after the recording's task. */
function twoTasks(): ExamContent {
  const source = testExamSource() as { parts: { id: string; tasks: unknown[] }[] };
  const listening = source.parts.find((p) => p.id === 'p-l')!;
  listening.tasks.push({ id: 't-l2', title: 'Sludinājums', items: [{ id: 'l-q4', type: 'single-choice', prompt: 'Cikos?', points: 1, options: [{ id: 'a', text: 'Deviņos' }, { id: 'b', text: 'Desmitos' }], answer: 'a' }] });
  return ExamContent.parse(source);
}

/** What the player's play() does next: start, or refuse as a browser does when it cannot play the bytes. */
let playOutcome: 'plays' | 'fails' = 'plays';
const paused = vi.fn();

function seat(station: FakeStation) {
  localStorage.setItem('exam-station.seat', JSON.stringify(SEAT));
  return render(<App station={station} />);
}

const player = (): HTMLAudioElement => screen.getByTestId('audio-a1').querySelector('audio')!;
const playButton = (): HTMLButtonElement => screen.getByTestId('play') as HTMLButtonElement;
const used = (): string | undefined => screen.getByTestId('plays').dataset.used;

async function startPlaying(): Promise<void> {
  await waitFor(() => expect(playButton().disabled).toBe(false));
  fireEvent.click(playButton());
  await waitFor(() => expect(screen.getByTestId('audio-a1').dataset.state).toBe('playing'));
}

function recordingEnds(): void {
  act(() => {
    player().dispatchEvent(new Event('ended'));
  });
}

beforeEach(() => {
  localStorage.clear();
  settingsStore.getState().setLang('lv');
  playOutcome = 'plays';
  paused.mockReset();
  vi.spyOn(HTMLMediaElement.prototype, 'play').mockImplementation(function (this: HTMLMediaElement) {
    if (playOutcome === 'fails') return Promise.reject(new DOMException('The element has no supported sources.', 'NotSupportedError'));
    return Promise.resolve();
  });
  vi.spyOn(HTMLMediaElement.prototype, 'pause').mockImplementation(function (this: HTMLMediaElement) {
    paused();
    this.dispatchEvent(new Event('pause'));
  });
  vi.stubGlobal('URL', Object.assign(URL, { createObjectURL: () => 'blob:recording', revokeObjectURL: () => undefined }));
});
afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

describe('a play whose audio fails to start', () => {
  test('is handed back to the station, and the candidate is told in both languages that it does not count', async () => {
    const station = new FakeStation().inPart('p-l', 'l-q1');
    seat(station);
    playOutcome = 'fails';
    await waitFor(() => expect(playButton().disabled).toBe(false));
    fireEvent.click(playButton());
    const told = await screen.findByTestId('play-returned');
    expect(told.textContent).toContain(TEXT.playReturned.lv);
    expect(told.textContent).toContain(TEXT.playReturned.en);
    expect(station.returnCalls).toEqual([expect.objectContaining({ stimulusId: 'a1', play: 1 })]);
    expect(station.plays.get('a1')).toBe(0);
    expect(used()).toBe('0');
    expect(playButton().disabled).toBe(false);
    // The next try plays, and the message about the failed one goes.
    playOutcome = 'plays';
    await startPlaying();
    expect(screen.queryByTestId('play-returned')).toBeNull();
    expect(used()).toBe('1');
  });

  test('that cannot be handed back (one already was) tells the candidate to call the invigilator, and the play counts', async () => {
    const station = new FakeStation().inPart('p-l', 'l-q1');
    seat(station);
    playOutcome = 'fails';
    await waitFor(() => expect(playButton().disabled).toBe(false));
    fireEvent.click(playButton());
    await screen.findByTestId('play-returned');
    fireEvent.click(playButton());
    const told = await screen.findByTestId('play-not-returned');
    expect(told.textContent).toContain(TEXT.playNotReturned.lv);
    expect(told.textContent).toContain(TEXT.playNotReturned.en);
    expect(told.textContent).toContain('Pasauciet pārbaudījuma vadītāju');
    expect(screen.queryByTestId('play-returned')).toBeNull();
    expect(station.returnCalls.map((c) => c.play)).toEqual([1, 2]);
    expect(station.plays.get('a1')).toBe(1);
    expect(used()).toBe('1');
  });
});

describe('leaving a task while its recording plays', () => {
  test('moving between the items of the task does not stop the recording nor ask anything', async () => {
    seat(new FakeStation(twoTasks()).inPart('p-l', 'l-q1'));
    await startPlaying();
    fireEvent.click(screen.getByTestId('next'));
    expect(await screen.findByText('Vilciens kavējas.')).toBeTruthy();
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(screen.getByTestId('audio-a1').dataset.state).toBe('playing');
    expect(paused).not.toHaveBeenCalled();
  });

  test('asks first, saying the play will be used up; staying keeps it playing, leaving stops it and the play counts', async () => {
    const station = new FakeStation(twoTasks()).inPart('p-l', 'l-q3');
    seat(station);
    await startPlaying();
    fireEvent.click(screen.getByTestId('next'));
    const dialog = await screen.findByRole('alertdialog', { name: TEXT.leavePlayingTitle.lv });
    expect(dialog.textContent).toContain(TEXT.leavePlayingText.lv);
    fireEvent.click(within(dialog).getByRole('button', { name: TEXT.stayListening.lv }));
    await waitFor(() => expect(screen.queryByRole('alertdialog')).toBeNull());
    expect(screen.getByText('Kas jāņem līdzi?')).toBeTruthy();
    expect(screen.getByTestId('audio-a1').dataset.state).toBe('playing');
    expect(paused).not.toHaveBeenCalled();

    fireEvent.click(screen.getByTestId('next'));
    fireEvent.click(within(await screen.findByRole('alertdialog')).getByRole('button', { name: TEXT.leavePlayingYes.lv }));
    expect(await screen.findByText('Cikos?')).toBeTruthy();
    expect(paused).toHaveBeenCalled();
    expect(station.plays.get('a1')).toBe(1);
    expect(station.returnCalls).toEqual([]);
  });

  test('the item list, the overview and submitting the part ask the same', async () => {
    seat(new FakeStation(twoTasks()).inPart('p-l', 'l-q1'));
    await startPlaying();
    fireEvent.click(screen.getByTestId('nav-l-q4'));
    fireEvent.click(within(await screen.findByRole('alertdialog', { name: TEXT.leavePlayingTitle.lv })).getByRole('button', { name: TEXT.stayListening.lv }));
    fireEvent.click(screen.getByTestId('overview'));
    fireEvent.click(within(await screen.findByRole('dialog', { name: 'Daļas pārskats' })).getByRole('button', { name: '4. jautājums' }));
    fireEvent.click(within(await screen.findByRole('alertdialog', { name: TEXT.leavePlayingTitle.lv })).getByRole('button', { name: TEXT.stayListening.lv }));
    fireEvent.click(screen.getByRole('button', { name: 'Iesniegt daļu' }));
    await screen.findByRole('alertdialog', { name: TEXT.leavePlayingTitle.lv });
    expect(screen.getByTestId('audio-a1').dataset.state).toBe('playing');
  });

  test('the question goes away by itself when the recording ends, and then leaving asks nothing', async () => {
    seat(new FakeStation(twoTasks()).inPart('p-l', 'l-q3'));
    await startPlaying();
    fireEvent.click(screen.getByTestId('next'));
    await screen.findByRole('alertdialog', { name: TEXT.leavePlayingTitle.lv });
    recordingEnds();
    await waitFor(() => expect(screen.queryByRole('alertdialog')).toBeNull());
    expect(screen.getByText('Kas jāņem līdzi?')).toBeTruthy();
    fireEvent.click(screen.getByTestId('next'));
    expect(await screen.findByText('Cikos?')).toBeTruthy();
    expect(screen.queryByRole('alertdialog')).toBeNull();
  });
});

describe('the play button', () => {
  test('after the last play it is disabled and says why, also after a reload', async () => {
    const station = new FakeStation().inPart('p-l', 'l-q1');
    seat(station);
    await startPlaying();
    recordingEnds();
    await startPlaying();
    recordingEnds();
    await waitFor(() => expect(playButton().disabled).toBe(true));
    const reason = screen.getByTestId('plays-none');
    expect(reason.textContent).toContain(TEXT.playsLeftNone.lv);
    expect(playButton().getAttribute('aria-describedby')).toBe(reason.id);
    expect(station.plays.get('a1')).toBe(2);

    cleanup();
    seat(station);
    await screen.findByTestId('plays-none');
    expect(playButton().disabled).toBe(true);
  });

  test('a refusal the screen did not see coming (plays used elsewhere) is shown on its item only, and the button is then disabled with the reason', async () => {
    const station = new FakeStation().inPart('p-l', 'l-q1');
    seat(station);
    await waitFor(() => expect(playButton().disabled).toBe(false));
    station.plays.set('a1', 2);
    fireEvent.click(playButton());
    const refused = await screen.findByTestId('play-refused');
    expect(refused.textContent).toContain('tikai noteiktu reižu skaitu');
    expect(refused.textContent).toContain('may be played only a set number of times');
    expect(playButton().disabled).toBe(true);
    expect(screen.getByTestId('plays-none')).toBeTruthy();
    expect(station.plays.get('a1')).toBe(2);
    // On the next item of the task the recording is still there, without the refusal of the click before.
    fireEvent.click(screen.getByTestId('next'));
    expect(await screen.findByText('Vilciens kavējas.')).toBeTruthy();
    expect(screen.queryByTestId('play-refused')).toBeNull();
    expect(screen.getByTestId('plays-none')).toBeTruthy();
  });
});
