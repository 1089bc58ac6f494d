// @vitest-environment jsdom
// The speaking task against the in-memory station: a take recorded in segments and closed, the takes
// the task allows, a take cut off by a reload, a microphone that fails, no moving on mid-take, and a
// pause by the invigilator in the middle of a take or of the preparation.
// jsdom has no microphone, no MediaRecorder and no Web Audio: small fakes below stand in for them; the
// recorder hands over a chunk every timeslice, as a browser's does.
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { App } from '../../src-renderer/App.tsx';
import { settingsStore } from '../../src-renderer/store/settings.ts';
import { TEXT } from '../../src-renderer/text.ts';
import { FakeStation, SEAT, sha256Hex, testContent } from './fake-station.ts';
import { listen } from './live-regions.ts';

class FakeTrack {
  stopped = false;
  stop(): void {
    this.stopped = true;
  }
}

class FakeStream {
  readonly tracks = [new FakeTrack()];
  getTracks(): FakeTrack[] {
    return this.tracks;
  }
}

/** A microphone as loud as a speaking candidate: every sample at 0.1 (the meter reads 0.4). */
class FakeAudioContext {
  createMediaStreamSource() {
    return { connect: () => undefined, disconnect: () => undefined };
  }
  createAnalyser() {
    return { fftSize: 0, getFloatTimeDomainData: (samples: Float32Array) => samples.fill(0.1) };
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** A chunk whose bytes take a while to read, as a large final chunk's can in a browser. */
class SlowBlob extends Blob {
  override arrayBuffer(): Promise<ArrayBuffer> {
    return new Promise((resolve) => setTimeout(() => void super.arrayBuffer().then(resolve), 60));
  }
}

/** MediaRecorder: a chunk every timeslice while recording, the last one on stop, then `stop`. */
class FakeMediaRecorder extends EventTarget {
  static readonly made: FakeMediaRecorder[] = [];
  /** Whether the last chunk (handed over on stop) is slow to read. */
  static slowLast = false;
  static isTypeSupported(type: string): boolean {
    return type === 'audio/webm;codecs=opus';
  }
  state: 'inactive' | 'recording' = 'inactive';
  /** Every chunk handed over, in order. */
  readonly chunks: Uint8Array[] = [];
  private timer: ReturnType<typeof setInterval> | undefined;
  readonly mimeType: string;

  constructor(_stream: unknown, options?: { mimeType?: string }) {
    super();
    this.mimeType = options?.mimeType ?? '';
    FakeMediaRecorder.made.push(this);
  }

  start(timeslice = 1000): void {
    this.state = 'recording';
    this.timer = setInterval(() => this.chunk(), timeslice);
  }

  stop(): void {
    clearInterval(this.timer);
    this.state = 'inactive';
    setTimeout(() => {
      this.chunk(FakeMediaRecorder.slowLast);
      this.dispatchEvent(new Event('stop'));
    }, 0);
  }

  private chunk(slow = false): void {
    const n = this.chunks.length;
    const bytes = new Uint8Array(200 + n).fill(n + 1);
    this.chunks.push(bytes);
    const event = new Event('dataavailable');
    Object.defineProperty(event, 'data', { value: slow ? new SlowBlob([bytes]) : new Blob([bytes]) });
    this.dispatchEvent(event);
  }
}

let streams: FakeStream[] = [];
let microphone: 'works' | 'missing' = 'works';

/** The test with a speaking task long enough that nothing ends by itself while a test looks. */
function longSpeaking(): ReturnType<typeof testContent> {
  const content = testContent();
  const item = content.parts[2]!.tasks[0]!.items[0]!;
  if (item.type !== 'speaking') throw new Error('the test content changed');
  Object.assign(item, { preparationSeconds: 30, responseSeconds: 30 });
  return content;
}

function seat(station: FakeStation) {
  localStorage.setItem('exam-station.seat', JSON.stringify(SEAT));
  return render(<App station={station} />);
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  parts.reduce((at, p) => (out.set(p, at), at + p.byteLength), 0);
  return out;
}

/** Start a take from the task screen: the preparation, then "start recording now". */
async function startTake(button: 'start-preparation' | 'record-again'): Promise<void> {
  fireEvent.click(button === 'start-preparation' ? await screen.findByTestId('start-preparation') : await screen.findByRole('button', { name: 'Ierakstīt vēlreiz' }));
  fireEvent.click(await screen.findByRole('button', { name: 'Sākt runāt tagad' }));
  await screen.findByTestId('recording');
}

/** Record until the station holds `segments` segments of the take, then finish speaking (and confirm it, on the last take). */
async function recordAndStop(station: FakeStation, segments: number, take: 'not-last' | 'last' = 'not-last'): Promise<void> {
  const latest = () => station.takes[station.takes.length - 1];
  await waitFor(() => expect(latest()?.segments.length ?? 0).toBeGreaterThanOrEqual(segments), { timeout: 5000 });
  fireEvent.click(screen.getByRole('button', { name: 'Beigt runāt' }));
  if (take === 'last') fireEvent.click(within(await screen.findByRole('alertdialog')).getByRole('button', { name: 'Jā, beigt runāt' }));
  else expect(screen.queryByRole('alertdialog')).toBeNull();
  await screen.findByTestId('recorded', {}, { timeout: 5000 });
}

/** A take the station already holds for the speaking item: started, one segment, closed or left open (a reload). */
async function takeOnStation(station: FakeStation, close: boolean): Promise<void> {
  const { recordingId } = await station.startRecording({ ...SEAT, itemId: 's-q1', mimeType: 'audio/webm' });
  const data = new Uint8Array([1, 2, 3, station.takes.length]);
  await station.appendAudioSegment({ ...SEAT, recordingId, index: 0, data, sha256: await sha256Hex(data), durationMs: 4000 });
  if (close) await station.closeRecording({ ...SEAT, recordingId });
}

beforeEach(() => {
  localStorage.clear();
  settingsStore.getState().setLang('lv');
  streams = [];
  microphone = 'works';
  FakeMediaRecorder.made.length = 0;
  FakeMediaRecorder.slowLast = false;
  vi.stubGlobal('MediaRecorder', FakeMediaRecorder);
  vi.stubGlobal('AudioContext', FakeAudioContext);
  Object.defineProperty(navigator, 'mediaDevices', {
    configurable: true,
    value: {
      getUserMedia: async () => {
        if (microphone === 'missing') throw new DOMException('Requested device not found', 'NotFoundError');
        const stream = new FakeStream();
        streams.push(stream);
        return stream;
      },
    },
  });
});
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  Reflect.deleteProperty(navigator, 'mediaDevices');
});

describe('a speaking task', () => {
  test('a take is sent in segments while the candidate speaks, stops by itself when the answer time is over, and is closed and saved as the answer', async () => {
    const station = new FakeStation().inPart('p-s', 's-q1');
    seat(station);
    expect(await screen.findByText('Sagatavošanās laiks: 2 s · Atbildes laiks: 5 s')).toBeTruthy();
    await startTake('start-preparation');
    expect(station.takes).toHaveLength(1);
    expect(station.takes[0]).toMatchObject({ itemId: 's-q1', take: 1, mimeType: 'audio/webm;codecs=opus', closed: false });

    // Nobody presses "finished": the 5 s answer time ends the take.
    const recorded = await screen.findByTestId('recorded', {}, { timeout: 9000 });
    const take = station.takes[0]!;
    const chunks = FakeMediaRecorder.made[0]!.chunks;
    expect(chunks.length).toBeGreaterThanOrEqual(4);
    // Every chunk became one segment, sent once, in order, and the take was closed with the whole audio.
    expect(station.segmentCalls.map((c) => c.index)).toEqual(chunks.map((_c, i) => i));
    expect(take.segments.map((s) => s.data)).toEqual(chunks);
    expect(take).toMatchObject({ closed: true, interruption: null, sha256: await sha256Hex(concat(chunks)) });
    expect(station.revisions.at(-1)?.value).toEqual({ type: 'speaking', recordingIds: [take.recordingId] });
    expect(recorded.textContent).toContain('Atbilde ierakstīta');
    expect(recorded.textContent).toContain('Atļauts ierakstīt vēl 1 reizi.');
    expect(recorded.textContent).not.toContain('⚠');
    expect(streams[0]!.tracks.every((t) => t.stopped)).toBe(true);
  });

  test('the takes the task allows are respected: after the second take there is no other, and the station refuses a third', async () => {
    const station = new FakeStation().inPart('p-s', 's-q1');
    seat(station);
    await startTake('start-preparation');
    await recordAndStop(station, 1);
    // A very short take is pointed out before the candidate leaves it.
    expect(screen.getByTestId('recorded').textContent).toMatch(/Ierakstā gandrīz nav dzirdama balss|Atbilde ir ļoti īsa/);
    await startTake('record-again');
    await recordAndStop(station, 1, 'last');

    expect(station.takes.map((t) => [t.take, t.closed, t.interruption])).toEqual([
      [1, true, null],
      [2, true, null],
    ]);
    expect(screen.getByText('Šo atbildi vēlreiz ierakstīt nevar.')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Ierakstīt vēlreiz' })).toBeNull();
    expect(station.revisions.at(-1)?.value).toEqual({ type: 'speaking', recordingIds: station.takes.map((t) => t.recordingId) });
    await expect(station.startRecording({ ...SEAT, itemId: 's-q1', mimeType: 'audio/webm' })).rejects.toMatchObject({ code: 'RECORDING_LIMIT' });
  });

  test('a screen that comes back to a task whose takes are used up offers no other take', async () => {
    const station = new FakeStation().inPart('p-s', 's-q1');
    for (let i = 0; i < 2; i += 1) await takeOnStation(station, true);
    seat(station);
    expect((await screen.findByTestId('recorded')).textContent).toContain('Atbilde ierakstīta (4 s).');
    expect(screen.getByText('Šo atbildi vēlreiz ierakstīt nevar.')).toBeTruthy();
    expect(screen.queryByTestId('start-preparation')).toBeNull();
  });

  test('before the first take the task says how many takes it allows and how many are left', async () => {
    seat(new FakeStation().inPart('p-s', 's-q1'));
    expect((await screen.findByTestId('takes')).textContent).toBe('Šo atbildi drīkst ierakstīt 2 reizes; atlikušas 2.');
    act(() => settingsStore.getState().setLang('en'));
    expect(screen.getByTestId('takes').textContent).toBe('This answer may be recorded 2 times; 2 left.');
  });

  test('takes cut off by reloads are counted as the station counts them: after two, one take is left and it is the last', async () => {
    const station = new FakeStation().inPart('p-s', 's-q1');
    await takeOnStation(station, false);
    await takeOnStation(station, false);
    seat(station);
    // The first take cut off by the seat is free, the second counts: one of the two is left.
    expect((await screen.findByTestId('takes')).textContent).toBe(
      'Šo atbildi drīkst ierakstīt 2 reizes; atlikusi 1. Šis būs pēdējais ieraksts: pēc tā atbildi vēlreiz ierakstīt nevarēs.',
    );
    await startTake('start-preparation');
    await recordAndStop(station, 1, 'last');
    expect(screen.getByText('Šo atbildi vēlreiz ierakstīt nevar.')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Ierakstīt vēlreiz' })).toBeNull();
    await expect(station.startRecording({ ...SEAT, itemId: 's-q1', mimeType: 'audio/webm' })).rejects.toMatchObject({ code: 'RECORDING_LIMIT' });
  });

  test('on the last take "I have finished speaking" asks first: "keep speaking" goes on recording, "yes" ends the take', async () => {
    const station = new FakeStation().inPart('p-s', 's-q1');
    await takeOnStation(station, true);
    seat(station);
    expect((await screen.findByTestId('recorded')).textContent).toContain('Atļauts ierakstīt vēl 1 reizi. Šis būs pēdējais ieraksts');
    await startTake('record-again');
    await waitFor(() => expect(station.takes[1]?.segments.length ?? 0).toBeGreaterThanOrEqual(1), { timeout: 5000 });
    fireEvent.click(screen.getByRole('button', { name: 'Beigt runāt' }));
    const dialog = await screen.findByRole('alertdialog', { name: 'Beigt pēdējo ierakstu?' });
    expect(dialog.textContent).toContain('Ja to beigsiet tagad, atbildi vēlreiz ierakstīt nevarēs.');
    // The safe answer has the focus: Enter or a second click by mistake keeps the take going.
    expect(document.activeElement).toBe(within(dialog).getByRole('button', { name: 'Turpināt runāt' }));
    fireEvent.click(within(dialog).getByRole('button', { name: 'Turpināt runāt' }));
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(screen.getByTestId('recording')).toBeTruthy();
    expect(station.takes[1]?.closed).toBe(false);
    await recordAndStop(station, 2, 'last');
    expect(station.takes.map((t) => [t.take, t.closed, t.interruption])).toEqual([
      [1, true, null],
      [2, true, null],
    ]);
  });

  test('a take that is not the last ends at once when the candidate has finished speaking', async () => {
    const station = new FakeStation().inPart('p-s', 's-q1');
    seat(station);
    await startTake('start-preparation');
    await recordAndStop(station, 1, 'not-last');
    expect(station.takes[0]).toMatchObject({ closed: true, interruption: null });
  });

  test('the warning about a very short answer offers to stay on the task only while a take is left', async () => {
    const station = new FakeStation().inPart('p-s', 's-q1');
    seat(station);
    await startTake('start-preparation');
    await recordAndStop(station, 1);
    fireEvent.click(screen.getByTestId('submit-part'));
    const warning = await screen.findByRole('alertdialog', { name: 'Pārbaudiet savu atbildi' });
    fireEvent.click(within(warning).getByRole('button', { name: 'Palikt pie uzdevuma' }));
    await startTake('record-again');
    await recordAndStop(station, 1, 'last');
    expect(screen.getByTestId('recorded').textContent).toMatch(/Ierakstā gandrīz nav dzirdama balss|Atbilde ir ļoti īsa/);
    // No take is left: staying would help nothing, so the candidate is not asked to.
    fireEvent.click(screen.getByTestId('submit-part'));
    const dialog = await screen.findByRole('alertdialog');
    expect(within(dialog).getByRole('heading').textContent).toBe('Iesniegt daļu „Runāšana”?');
    expect(screen.queryByRole('button', { name: 'Palikt pie uzdevuma' })).toBeNull();
  });

  test('a take cut off by a reload is said to be interrupted; the next take closes it with what it had', async () => {
    const station = new FakeStation().inPart('p-s', 's-q1');
    const { recordingId } = await station.startRecording({ ...SEAT, itemId: 's-q1', mimeType: 'audio/webm' });
    const data = new Uint8Array([9, 9, 9]);
    await station.appendAudioSegment({ ...SEAT, recordingId, index: 0, data, sha256: await sha256Hex(data), durationMs: 1000 });
    seat(station);
    expect((await screen.findByTestId('interrupted')).textContent).toContain('Ieraksts tika pārtraukts');
    await startTake('start-preparation');
    await recordAndStop(station, 1);
    expect(station.takes.map((t) => [t.take, t.closed, t.interruption, t.segments.length > 0])).toEqual([
      [1, true, 'seat-restart', true],
      [2, true, null, true],
    ]);
    // The cut-off take did not count: one more take is allowed.
    expect(screen.getByTestId('recorded').textContent).toContain('Atļauts ierakstīt vēl 1 reizi.');
  });

  test('a microphone that cannot be opened is said in both languages, and no take is started', async () => {
    microphone = 'missing';
    const station = new FakeStation().inPart('p-s', 's-q1');
    seat(station);
    fireEvent.click(await screen.findByTestId('start-preparation'));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain(TEXT.micMissing.lv);
    expect(alert.textContent).toContain(TEXT.micMissing.en);
    expect(station.takes).toHaveLength(0);
    expect(screen.getByTestId('start-preparation')).toBeTruthy();
    expect(JSON.parse(localStorage.getItem(`exam-station.preflight.${SEAT.attemptId}`) ?? '{}')).toMatchObject({ micOk: false });
  });

  test('while a take is recorded the candidate cannot move on, and is told so in both languages until the recording ends', async () => {
    const station = new FakeStation().inPart('p-s', 's-q1');
    seat(station);
    await startTake('start-preparation');
    fireEvent.click(screen.getByTestId('submit-part'));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain(TEXT.busyRecording.lv);
    expect(alert.textContent).toContain(TEXT.busyRecording.en);
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(screen.getByTestId('recording')).toBeTruthy();
    await recordAndStop(station, 1);
    // The recording is over: there is nothing to wait for, so nothing says so.
    expect(document.body.textContent).not.toContain(TEXT.busyRecording.lv);
    fireEvent.click(screen.getByRole('button', { name: 'Ierakstīt vēlreiz' }));
    await screen.findByRole('button', { name: 'Sākt runāt tagad' });
    expect(document.body.textContent).not.toContain(TEXT.busyRecording.lv);
  });

  test.each([1, 2, 3])('a take stopped after %i s keeps its last chunk, even one slow to read: the take closes only once the station holds every segment', async (seconds) => {
    FakeMediaRecorder.slowLast = true;
    const station = new FakeStation().inPart('p-s', 's-q1');
    seat(station);
    await startTake('start-preparation');
    await recordAndStop(station, seconds);
    const take = station.takes[0]!;
    const chunks = FakeMediaRecorder.made[0]!.chunks;
    expect(take.segments.map((s) => s.data)).toEqual(chunks);
    expect(take).toMatchObject({ closed: true, sha256: await sha256Hex(concat(chunks)) });
  });

  test('a take under way when the invigilator pauses is stopped at once, sent whole and closed, and saved as the answer', async () => {
    const station = new FakeStation(longSpeaking()).inPart('p-s', 's-q1');
    seat(station);
    await startTake('start-preparation');
    await waitFor(() => expect(station.takes[0]?.segments.length ?? 0).toBeGreaterThanOrEqual(1), { timeout: 5000 });
    await station.pause('p-s');
    await screen.findByTestId('paused', {}, { timeout: 3000 });
    // Long before the 30 s answer time is over, the take is closed with every chunk the recorder gave.
    await waitFor(() => expect(station.takes[0]?.closed).toBe(true), { timeout: 3000 });
    const take = station.takes[0]!;
    const recorder = FakeMediaRecorder.made[0]!;
    expect(recorder.state).toBe('inactive');
    expect(take.segments.map((s) => s.data)).toEqual(recorder.chunks);
    expect(take).toMatchObject({ closed: true, interruption: null, sha256: await sha256Hex(concat(recorder.chunks)) });
    expect(streams[0]!.tracks.every((t) => t.stopped)).toBe(true);
    await waitFor(() => expect(station.revisions.at(-1)?.value).toEqual({ type: 'speaking', recordingIds: [take.recordingId] }));
    await station.resume('p-s');
    await waitFor(() => expect(screen.queryByTestId('paused')).toBeNull(), { timeout: 3000 });
    expect(screen.getByTestId('recorded').textContent).toContain('Atbilde ierakstīta');
  });

  test('a pause during the preparation ends it without starting a take, and the microphone is closed', async () => {
    const station = new FakeStation(longSpeaking()).inPart('p-s', 's-q1');
    seat(station);
    fireEvent.click(await screen.findByTestId('start-preparation'));
    await screen.findByRole('button', { name: 'Sākt runāt tagad' });
    await station.pause('p-s');
    await screen.findByTestId('paused', {}, { timeout: 3000 });
    await waitFor(() => expect(streams[0]!.tracks.every((t) => t.stopped)).toBe(true));
    expect(station.takes).toHaveLength(0);
    await station.resume('p-s');
    await waitFor(() => expect(screen.queryByTestId('paused')).toBeNull(), { timeout: 3000 });
    expect(screen.getByTestId('start-preparation')).toBeTruthy();
    expect(screen.getByTestId('takes').textContent).toContain('atlikušas 2');
  });
});

/** Focus a button and press it, as the keyboard does. */
function press(button: HTMLElement): void {
  button.focus();
  fireEvent.click(button);
}

/** The test with a speaking task whose preparation and answer each last 12 s. */
function twelveSeconds(): ReturnType<typeof testContent> {
  const content = testContent();
  Object.assign(content.parts[2]!.tasks[0]!.items[0]!, { preparationSeconds: 12, responseSeconds: 12 });
  return content;
}

describe('a speaking task for a screen reader and the keyboard', () => {
  test('each stage puts the focus on what it says, since the button that led to it is gone: preparing, recording, recorded', async () => {
    const station = new FakeStation(longSpeaking()).inPart('p-s', 's-q1');
    seat(station);
    press(await screen.findByTestId('start-preparation'));
    await screen.findByTestId('preparing');
    await waitFor(() => expect(document.activeElement?.textContent).toMatch(/^Sagatavojieties\. Ieraksts sāksies pēc \d+ s\.$/));
    press(screen.getByRole('button', { name: 'Sākt runāt tagad' }));
    await screen.findByTestId('recording');
    await waitFor(() => expect(document.activeElement?.textContent).toMatch(/Ieraksta\. Runājiet! Atlikušas \d+ s\./));
    await waitFor(() => expect(station.takes[0]?.segments.length ?? 0).toBeGreaterThanOrEqual(1), { timeout: 5000 });
    press(screen.getByRole('button', { name: 'Beigt runāt' }));
    const recorded = await screen.findByTestId('recorded', {}, { timeout: 5000 });
    await waitFor(() => expect(recorded.contains(document.activeElement)).toBe(true));
    expect(document.activeElement?.textContent).toMatch(/^✓ Atbilde ierakstīta \(\d+ s\)\.$/);
  });

  test('a stage that begins by itself while the focus is elsewhere is said by the live region, and the focus stays where it was', async () => {
    seat(new FakeStation().inPart('p-s', 's-q1'));
    press(await screen.findByTestId('start-preparation'));
    await screen.findByTestId('preparing');
    const flag = screen.getByTestId('flag');
    flag.focus();
    // The 2 s preparation ends and the recording starts by itself.
    await screen.findByTestId('recording', {}, { timeout: 4000 });
    await waitFor(() => expect(screen.getByTestId('speaking-announcement').textContent).toMatch(/^Ieraksta\. Runājiet!/));
    expect(document.activeElement).toBe(flag);
  });

  test('the countdowns are no live regions: of a preparation and an answer of 12 s each only "10 seconds" is said, once each', async () => {
    const station = new FakeStation(twelveSeconds()).inPart('p-s', 's-q1');
    seat(station);
    press(await screen.findByTestId('start-preparation'));
    await screen.findByTestId('preparing');
    const live = listen();
    await waitFor(() => expect(live.said).toContain('Ieraksts sāksies pēc 10 sekundēm.'), { timeout: 4000 });
    await new Promise((resolve) => setTimeout(resolve, 1200));
    press(screen.getByRole('button', { name: 'Sākt runāt tagad' }));
    await screen.findByTestId('recording');
    await waitFor(() => expect(live.said).toContain('Atlikušas 10 sekundes.'), { timeout: 4000 });
    await new Promise((resolve) => setTimeout(resolve, 1200));
    live.stop();
    // The stages themselves were said by moving the focus to them, not by a live region.
    expect(live.said).toEqual(['Ieraksts sāksies pēc 10 sekundēm.', 'Atlikušas 10 sekundes.']);
    press(screen.getByRole('button', { name: 'Beigt runāt' }));
    await screen.findByTestId('recorded', {}, { timeout: 5000 });
  });

  test('the question before ending the last take, closed with Escape or "keep speaking", gives the focus back to "Beigt runāt"', async () => {
    const station = new FakeStation(longSpeaking()).inPart('p-s', 's-q1');
    await takeOnStation(station, true);
    seat(station);
    await startTake('record-again');
    const finish = screen.getByRole('button', { name: 'Beigt runāt' });
    press(finish);
    const dialog = await screen.findByRole('alertdialog', { name: 'Beigt pēdējo ierakstu?' });
    expect(dialog.tagName).toBe('DIALOG');
    fireEvent.keyDown(document.activeElement!, { key: 'Escape' });
    await waitFor(() => expect(screen.queryByRole('alertdialog')).toBeNull());
    expect(document.activeElement).toBe(finish);
    expect(screen.getByTestId('recording')).toBeTruthy();
    press(finish);
    press(within(await screen.findByRole('alertdialog')).getByRole('button', { name: 'Turpināt runāt' }));
    await waitFor(() => expect(screen.queryByRole('alertdialog')).toBeNull());
    expect(document.activeElement).toBe(finish);
    expect(station.takes[1]?.closed).toBe(false);
  });
});
