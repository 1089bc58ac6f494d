// The renderer's test double held to the real station (issue 8.5): one table of scenarios, each a list
// of candidate calls with the outcome the UI relies on, run against FakeStation (test/ui/fake-station.ts,
// what the component tests use) and against a real StationService on SQLite with a package built from
// the fake's own exam. Both sit behind the contract's boundary (createStationHandler with every reply
// checked against the output schema) and the renderer's own client, over a JSON wire as HTTP carries
// it: what a scenario sees is what the screen would see. A rule the fake loses, or a reply the service
// changes, fails here on the side that moved. The invigilator's actions (a pause) come from a desk of
// their own, never from the candidate's screen; a scenario can move the stations' clock on (`later`).
import { createHash, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createStationHandler } from '../../src-main/station/dispatch.ts';
import { createStationClient } from '../../src-renderer/station/client.ts';
import type { ResponseValue } from '../../src-shared/content/responses.ts';
import type { Caller, SeatCredentials, StationApi, StationHost, StationInput, StationMethod } from '../../src-shared/contracts/station-api.ts';
import type { StationReplyBody } from '../../src-shared/contracts/station-bridge.ts';
import { fromWire, toWire } from '../../src-shared/contracts/wire.ts';
import { CodedError, type ErrorCode } from '../../src-shared/errors.ts';
import { openTestStation, TEST_STAFF } from '../support/fixtures.ts';
import { FakeStation, LISTENING_AUDIO, STAFF, testContent, testExamSource } from '../ui/fake-station.ts';

// ---- the two stations, behind the same boundary ---------------------------------------------------

/** The candidate's screen as the station's transport names it (a solo station serves it every surface). */
const SCREEN: Caller = { clientId: 'fake-vs-service-screen', surfaces: ['public', 'staff', 'candidate'] };
/** The invigilator's own screen, where staff actions come from. */
const DESK: Caller = { clientId: 'fake-vs-service-desk', surfaces: ['public', 'staff'] };

/** The renderer's client → JSON wire → the contract's boundary, every reply checked → `host`. */
function asTheScreenSeesIt(host: StationHost, caller: Caller = SCREEN): StationApi {
  const handler = createStationHandler(host, { validateOutput: true });
  return createStationClient(async (method, input) => fromWire(toWire(await handler(method, fromWire(toWire(input ?? {})), caller))) as StationReplyBody);
}

/** What the invigilator needs: their username and password, a staff token signed in at the desk, the attempt's candidate and package. */
interface StaffFacts {
  username: string;
  password: string;
  staffToken: string;
  candidateId: string;
  packageId: string;
}

interface Subject {
  /** The candidate's screen. */
  api: StationApi;
  /** The invigilator's desk. */
  desk: StationApi;
  seat: SeatCredentials;
  staff: StaffFacts;
  /** Let time pass on the station's clock. */
  advance(ms: number): void;
  close(): void;
}

const SUBJECTS: Record<'FakeStation' | 'StationService', () => Promise<Subject>> = {
  async FakeStation() {
    const fake = new FakeStation();
    const opened = await fake.openAttempt();
    const desk = asTheScreenSeesIt(fake, DESK);
    const { staffToken } = await desk.staffSignIn(STAFF);
    const staff = { ...STAFF, staffToken, candidateId: opened.candidateId, packageId: opened.packageId };
    const seat = { attemptId: opened.attemptId, candidateToken: opened.candidateToken };
    return { api: asTheScreenSeesIt(fake), desk, seat, staff, advance: (ms) => fake.advance(ms), close: () => undefined };
  },
  async StationService() {
    let offset = 0;
    const station = await openTestStation({ now: () => new Date(Date.now() + offset) }, { source: testExamSource(), media: { 'a1.opus': Buffer.from(LISTENING_AUDIO) } });
    const opened = await station.service.openAttempt({ staffToken: station.staffToken, candidateId: 'C-0001', packageId: station.built.manifest.packageId });
    // A staff token works only on the screen that signed in: the desk signs in itself.
    const desk = asTheScreenSeesIt(station.service, DESK);
    const { staffToken } = await desk.staffSignIn(TEST_STAFF);
    const staff = { ...TEST_STAFF, staffToken, candidateId: opened.candidateId, packageId: opened.packageId };
    const seat = { attemptId: opened.attemptId, candidateToken: opened.candidateToken };
    return { api: asTheScreenSeesIt(station.service), desk, seat, staff, advance: (ms) => (offset += ms), close: () => station.service.close() };
  },
};

// ---- the table's vocabulary -------------------------------------------------------------------------

/** What a step's results so far are called by (its `as`), for later steps. */
interface Ctx {
  seat: SeatCredentials;
  staff: StaffFacts;
  got: Record<string, Record<string, unknown>>;
}

/** A reply that matches `ok` (toMatchObject: every field given must match), or a refusal with this code. */
type Expected = { ok: unknown } | { refused: ErrorCode };

interface Call {
  method: StationMethod;
  input: (c: Ctx) => unknown;
  expected: (c: Ctx) => Expected;
  as?: string;
  /** Who calls: the candidate's screen, or the invigilator at their desk. */
  from: 'screen' | 'desk';
}
/** A call, or the clock moving on by some milliseconds before the next one. */
type Step = Call | { laterMs: number };

interface Scenario {
  name: string;
  steps: Step[];
}

function call<M extends StationMethod>(method: M, input: (c: Ctx) => StationInput<M>, expected: Expected | ((c: Ctx) => Expected), as?: string, from: Call['from'] = 'screen'): Call {
  return { method, input, expected: typeof expected === 'function' ? expected : () => expected, from, ...(as ? { as } : {}) };
}
/** The invigilator's timer action on the attempt's part, from the desk. */
const staffTimer = (partId: string, kind: 'pause' | 'resume', expected: Expected | ((c: Ctx) => Expected), as?: string): Call =>
  call('staffTimerEvent', (c) => ({ staffToken: c.staff.staffToken, attemptId: c.seat.attemptId, partId, kind, ...(kind === 'pause' ? { reason: 'fire alarm' } : {}) }), expected, as, 'desk');
const later = (ms: number): Step => ({ laterMs: ms });
const ok = (value: unknown): Expected => ({ ok: value });
const refused = (code: ErrorCode): Expected => ({ refused: code });
/** Exactly the reply an earlier step got. */
const same = (name: string) => (c: Ctx): Expected => ({ ok: c.got[name] });

const WRONG_TOKEN = 'W'.repeat(43);
const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';
const S1 = randomUUID();
const S2 = randomUUID();
const S3 = randomUUID();

const choice = (optionId: string): ResponseValue => ({ type: 'single-choice', optionId });
const shortText = (text: string): ResponseValue => ({ type: 'short-text', text });
const save = (itemId: string, value: ResponseValue, clientSaveId: string) => (c: Ctx) => ({ ...c.seat, itemId, value, clientSaveId });
const seat = (c: Ctx) => c.seat;
const wrongSeat = (c: Ctx) => ({ ...c.seat, candidateToken: WRONG_TOKEN });
const start = (partId: string) => call('recordTimerEvent', (c) => ({ ...c.seat, partId, kind: 'start' }), ok({ status: 'running', addedMs: 0, creditedMs: 0, elapsedMs: expect.any(Number) }));
const end = (partId: string) => call('recordTimerEvent', (c) => ({ ...c.seat, partId, kind: 'end' }), ok({ status: 'ended', deadline: null }));
const grant = (expected: Expected) => call('grantAudioPlay', (c) => ({ ...c.seat, stimulusId: 'a1' }), expected);
const giveBack = (play: number, expected: Expected) => call('returnAudioPlay', (c) => ({ ...c.seat, stimulusId: 'a1', play }), expected);
const timerOf = (partId: string, status: string) => ({ partId, timer: expect.objectContaining({ status }) });
const checkIn = (status: 'present' | 'absent', expected: Expected) => call('checkInCandidate', (c) => ({ staffToken: c.staff.staffToken, candidateId: c.staff.candidateId, status }), expected, undefined, 'desk');
const checkStep = (step: 'id-document' | 'personal-code', expected: (c: Ctx) => Expected) => call('recordCheckInStep', (c) => ({ staffToken: c.staff.staffToken, candidateId: c.staff.candidateId, step }), expected, undefined, 'desk');
const seatAt = (deviceId: string, expected: Expected) => call('assignSeat', (c) => ({ staffToken: c.staff.staffToken, candidateId: c.staff.candidateId, deviceId, packageId: c.staff.packageId }), expected, undefined, 'desk');

const sha = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');
const SEGMENT: Uint8Array<ArrayBuffer>[] = [new Uint8Array(300).fill(1), new Uint8Array(200).fill(2), new Uint8Array(100).fill(3)];
const recordingOf = (c: Ctx, take: string): string => String(c.got[take]?.recordingId);
const segment = (take: string, index: number, data: Uint8Array<ArrayBuffer> = SEGMENT[index]!, sha256: string = sha(data)) => (c: Ctx) => ({ ...c.seat, recordingId: recordingOf(c, take), index, data, sha256, durationMs: 1000 });
const startTake = (c: Ctx) => ({ ...c.seat, itemId: 's-q1', mimeType: 'audio/webm;codecs=opus' });
const closeTake = (take: string) => (c: Ctx) => ({ ...c.seat, recordingId: recordingOf(c, take) });
/** The seat an earlier step's openAttempt handed out. */
const seatFrom = (name: string) => (c: Ctx): SeatCredentials => ({ attemptId: String(c.got[name]?.attemptId), candidateToken: String(c.got[name]?.candidateToken) });
const notStarted = [timerOf('p-l', 'not-started'), timerOf('p-w', 'not-started'), timerOf('p-s', 'not-started')];
const twoSegments = { segmentCount: 2, durationMs: 2000, sha256: sha(Buffer.concat([SEGMENT[0]!, SEGMENT[1]!])), bytes: 500 };

/** The package upload's chunks: 100 and 50 bytes, and a third that would be one too many. */
const PACKAGE_CHUNKS: Uint8Array<ArrayBuffer>[] = [new Uint8Array(100).fill(4), new Uint8Array(50).fill(5), new Uint8Array(10).fill(6)];
const uploadOf = (c: Ctx): string => String(c.got.upload?.uploadId);
const packageChunk = (index: number, sha256: string = sha(PACKAGE_CHUNKS[index]!)) => (c: Ctx) => ({ staffToken: c.staff.staffToken, uploadId: uploadOf(c), index, data: PACKAGE_CHUNKS[index]!, sha256 });

// ---- the scenarios ----------------------------------------------------------------------------------

const SCENARIOS: Scenario[] = [
  {
    name: 'a save is acknowledged with revision 1, the next with revision 2, and getAttempt holds the latest',
    steps: [
      start('p-l'),
      call('saveResponse', save('l-q1', choice('a'), S1), ok({ itemId: 'l-q1', revision: 1, savedAt: expect.any(String), seq: expect.any(Number) })),
      call('saveResponse', save('l-q1', choice('b'), S2), ok({ itemId: 'l-q1', revision: 2 })),
      call('saveResponse', save('l-q3', shortText('pasi'), S3), ok({ itemId: 'l-q3', revision: 1 })),
      call(
        'getAttempt',
        seat,
        ok({
          status: 'open',
          responses: [
            { itemId: 'l-q1', revision: 2, value: choice('b') },
            { itemId: 'l-q3', revision: 1, value: shortText('pasi') },
          ],
          parts: [
            { partId: 'p-l', title: 'Klausīšanās', items: 3, answered: 2, submitted: false, timer: expect.objectContaining({ status: 'running' }) },
            { partId: 'p-w', title: 'Rakstīšana', items: 1, answered: 0, submitted: false, timer: expect.objectContaining({ status: 'not-started' }) },
            { partId: 'p-s', title: 'Runāšana', items: 1, answered: 0, submitted: false, timer: expect.objectContaining({ status: 'not-started' }) },
          ],
          recordings: [],
        }),
      ),
    ],
  },
  {
    name: 'the same clientSaveId again gets the same acknowledgement and no new revision',
    steps: [
      start('p-l'),
      call('saveResponse', save('l-q1', choice('a'), S1), ok({ revision: 1 }), 'first'),
      call('saveResponse', save('l-q1', choice('a'), S1), same('first')),
      call('getAttempt', seat, ok({ responses: [{ itemId: 'l-q1', revision: 1, value: choice('a') }] })),
    ],
  },
  {
    name: 'the same clientSaveId with another answer is SAVE_ID_REUSED, and the first answer stays',
    steps: [
      start('p-l'),
      call('saveResponse', save('l-q1', choice('a'), S1), ok({ revision: 1 })),
      call('saveResponse', save('l-q1', choice('b'), S1), refused('SAVE_ID_REUSED')),
      call('saveResponse', save('l-q2', { type: 'true-false-not-given', choice: 'true' }, S1), refused('SAVE_ID_REUSED')),
      call('getAttempt', seat, ok({ responses: [{ itemId: 'l-q1', revision: 1, value: choice('a') }] })),
    ],
  },
  {
    name: 'a resend of an acknowledged save is acknowledged again after the part ended; a new save is ATTEMPT_CLOSED',
    steps: [
      start('p-l'),
      call('saveResponse', save('l-q1', choice('a'), S1), ok({ revision: 1 }), 'first'),
      end('p-l'),
      call('saveResponse', save('l-q1', choice('a'), S1), same('first')),
      call('saveResponse', save('l-q1', choice('b'), S2), refused('ATTEMPT_CLOSED')),
    ],
  },
  {
    name: 'a save to an unknown item is ITEM_UNKNOWN; an answer that does not fit its item is RESPONSE_SHAPE',
    steps: [
      start('p-l'),
      call('saveResponse', save('no-such-item', choice('a'), S1), refused('ITEM_UNKNOWN')),
      call('saveResponse', save('l-q1', shortText('Uz Rīgu'), S1), refused('RESPONSE_SHAPE')),
      call('saveResponse', save('l-q1', choice('z'), S1), refused('RESPONSE_SHAPE')),
      call('saveResponse', save('l-q3', shortText('x'.repeat(41)), S1), refused('RESPONSE_SHAPE')),
      call('saveResponse', save('l-q3', shortText('x'.repeat(40)), S1), ok({ revision: 1 })),
    ],
  },
  {
    name: 'a save before its part started is PART_NOT_STARTED; after the part ended it is ATTEMPT_CLOSED',
    steps: [
      call('saveResponse', save('w-q1', { type: 'extended-writing', text: 'Labdien' }, S1), refused('PART_NOT_STARTED')),
      start('p-w'),
      call('saveResponse', save('w-q1', { type: 'extended-writing', text: 'Labdien' }, S1), ok({ revision: 1 })),
      end('p-w'),
      call('saveResponse', save('w-q1', { type: 'extended-writing', text: 'Labdien, Līga' }, S2), refused('ATTEMPT_CLOSED')),
      call('getAttempt', seat, ok({ parts: [{ partId: 'p-l' }, { partId: 'p-w', answered: 1, submitted: true, timer: expect.objectContaining({ status: 'ended' }) }, { partId: 'p-s' }] })),
    ],
  },
  {
    name: 'starting a part twice is TIMER_TRANSITION, and so is ending one that has not started or has ended',
    steps: [
      call('recordTimerEvent', (c) => ({ ...c.seat, partId: 'p-l', kind: 'start' }), ok({ status: 'running', limitMs: 600_000, addedMs: 0, creditedMs: 0, deadline: expect.any(Number) })),
      call('recordTimerEvent', (c) => ({ ...c.seat, partId: 'p-l', kind: 'start' }), refused('TIMER_TRANSITION')),
      call('recordTimerEvent', (c) => ({ ...c.seat, partId: 'p-w', kind: 'end' }), refused('TIMER_TRANSITION')),
      end('p-l'),
      call('recordTimerEvent', (c) => ({ ...c.seat, partId: 'p-l', kind: 'end' }), refused('TIMER_TRANSITION')),
      call('recordTimerEvent', (c) => ({ ...c.seat, partId: 'p-l', kind: 'start' }), refused('TIMER_TRANSITION')),
      call('getTimer', (c) => ({ ...c.seat, partId: 'p-l' }), ok({ status: 'ended', limitMs: 600_000, deadline: null })),
      call('getTimer', (c) => ({ ...c.seat, partId: 'p-w' }), ok({ status: 'not-started', limitMs: 900_000, elapsedMs: 0, remainingMs: 900_000, deadline: null })),
      call('seatHeartbeat', seat, ok({ parts: [timerOf('p-l', 'ended'), timerOf('p-w', 'not-started'), timerOf('p-s', 'not-started')], creditedMs: 0, serverTime: expect.any(Number) })),
    ],
  },
  {
    name: 'a part the test does not have is NOT_FOUND',
    steps: [call('recordTimerEvent', (c) => ({ ...c.seat, partId: 'p-x', kind: 'start' }), refused('NOT_FOUND')), call('getTimer', (c) => ({ ...c.seat, partId: 'p-x' }), refused('NOT_FOUND'))],
  },
  {
    name: 'plays are granted up to the limit, a play beyond it is PLAY_LIMIT, and getAttempt counts them',
    steps: [
      start('p-l'),
      call('grantAudioPlay', (c) => ({ ...c.seat, stimulusId: 'a1' }), ok({ stimulusId: 'a1', play: 1, playLimit: 2, remaining: 1 })),
      call('grantAudioPlay', (c) => ({ ...c.seat, stimulusId: 'a1' }), ok({ stimulusId: 'a1', play: 2, playLimit: 2, remaining: 0 })),
      call('grantAudioPlay', (c) => ({ ...c.seat, stimulusId: 'a1' }), refused('PLAY_LIMIT')),
      call('getAttempt', seat, ok({ audioPlays: { a1: 2 } })),
      call('grantAudioPlay', (c) => ({ ...c.seat, stimulusId: 'no-such-audio' }), refused('NOT_FOUND')),
    ],
  },
  {
    name: 'a play whose audio failed to start is handed back: it stops counting and letting the audio out, a resend is acknowledged again, and the next grant takes the next number',
    steps: [
      start('p-l'),
      grant(ok({ stimulusId: 'a1', play: 1, playLimit: 2, remaining: 1 })),
      later(2000),
      giveBack(1, ok({ stimulusId: 'a1', play: 1, playLimit: 2, remaining: 2 })),
      giveBack(1, ok({ stimulusId: 'a1', play: 1, playLimit: 2, remaining: 2 })),
      call('getMedia', (c) => ({ ...c.seat, path: 'media/a1.opus' }), refused('MEDIA_NOT_GRANTED')),
      grant(ok({ play: 2, remaining: 1 })),
      call('getMedia', (c) => ({ ...c.seat, path: 'media/a1.opus' }), ok({ data: LISTENING_AUDIO })),
      grant(ok({ play: 3, remaining: 0 })),
      grant(refused('PLAY_LIMIT')),
      call('getAttempt', seat, ok({ audioPlays: { a1: 2 } })),
    ],
  },
  {
    name: 'only the latest play of a recording is handed back, within 10 s of its grant and once per attempt; an unknown recording is NOT_FOUND, after the part ended ATTEMPT_CLOSED',
    steps: [
      start('p-l'),
      giveBack(1, refused('PLAY_NOT_RETURNABLE')),
      call('returnAudioPlay', (c) => ({ ...c.seat, stimulusId: 'no-such-audio', play: 1 }), refused('NOT_FOUND')),
      grant(ok({ play: 1 })),
      later(10_001),
      giveBack(1, refused('PLAY_NOT_RETURNABLE')),
      grant(ok({ play: 2, remaining: 0 })),
      giveBack(1, refused('PLAY_NOT_RETURNABLE')),
      later(9000),
      giveBack(2, ok({ play: 2, remaining: 1 })),
      grant(ok({ play: 3, remaining: 0 })),
      giveBack(3, refused('PLAY_NOT_RETURNABLE')),
      call('getAttempt', seat, ok({ audioPlays: { a1: 2 } })),
      end('p-l'),
      giveBack(3, refused('ATTEMPT_CLOSED')),
    ],
  },
  {
    name: 'a play before its part started is PART_NOT_STARTED; after the part ended it is ATTEMPT_CLOSED',
    steps: [
      call('grantAudioPlay', (c) => ({ ...c.seat, stimulusId: 'a1' }), refused('PART_NOT_STARTED')),
      start('p-l'),
      end('p-l'),
      call('grantAudioPlay', (c) => ({ ...c.seat, stimulusId: 'a1' }), refused('ATTEMPT_CLOSED')),
      call('getAttempt', seat, ok({ audioPlays: {} })),
    ],
  },
  {
    name: 'the listening audio leaves the station once per granted play, MEDIA_NOT_GRANTED otherwise',
    steps: [
      start('p-l'),
      call('getMedia', (c) => ({ ...c.seat, path: 'media/a1.opus' }), refused('MEDIA_NOT_GRANTED')),
      call('grantAudioPlay', (c) => ({ ...c.seat, stimulusId: 'a1' }), ok({ play: 1 })),
      call('getMedia', (c) => ({ ...c.seat, path: 'media/a1.opus' }), ok({ mimeType: 'audio/ogg; codecs=opus', data: LISTENING_AUDIO })),
      call('getMedia', (c) => ({ ...c.seat, path: 'media/a1.opus' }), refused('MEDIA_NOT_GRANTED')),
      call('getMedia', (c) => ({ ...c.seat, path: 'media/none.opus' }), refused('NOT_FOUND')),
    ],
  },
  {
    name: 'a wrong candidate token is CANDIDATE_TOKEN_WRONG, an attempt the station does not know is NOT_FOUND',
    steps: [
      call('getAttempt', wrongSeat, refused('CANDIDATE_TOKEN_WRONG')),
      call('getExamContent', wrongSeat, refused('CANDIDATE_TOKEN_WRONG')),
      call('seatHeartbeat', wrongSeat, refused('CANDIDATE_TOKEN_WRONG')),
      call('recordTimerEvent', (c) => ({ ...wrongSeat(c), partId: 'p-l', kind: 'start' }), refused('CANDIDATE_TOKEN_WRONG')),
      call('saveResponse', (c) => ({ ...save('l-q1', choice('a'), S1)(c), candidateToken: WRONG_TOKEN }), refused('CANDIDATE_TOKEN_WRONG')),
      call('startRecording', (c) => ({ ...startTake(c), candidateToken: WRONG_TOKEN }), refused('CANDIDATE_TOKEN_WRONG')),
      call('getAttempt', (c) => ({ ...c.seat, attemptId: UNKNOWN_ID }), refused('NOT_FOUND')),
      call('getAttempt', seat, ok({ status: 'open', responses: [], parts: [timerOf('p-l', 'not-started'), timerOf('p-w', 'not-started'), timerOf('p-s', 'not-started')] })),
    ],
  },
  {
    name: 'the candidate gets the package content, and getAttempt keeps their place',
    steps: [
      call('getExamContent', seat, ok(testContent())),
      call('getCandidate', seat, ok({ givenName: 'Anna', familyName: 'Bērziņa', level: 'A2', attendance: 'present' })),
      call('getAttempt', seat, ok({ position: { partId: null, itemId: null } })),
      start('p-l'),
      call('setPosition', (c) => ({ ...c.seat, partId: 'p-l', itemId: 'l-q2' }), ok({ ok: true })),
      call('getAttempt', seat, ok({ position: { partId: 'p-l', itemId: 'l-q2' } })),
    ],
  },
  {
    name: 'a take is stored segment by segment in order, a resend is a duplicate, a gap or other content is SEGMENT_OUT_OF_ORDER, and a closed take is RECORDING_CLOSED',
    steps: [
      call('startRecording', startTake, refused('PART_NOT_STARTED')),
      start('p-s'),
      call('startRecording', startTake, ok({ recordingId: expect.any(String), take: 1, segmentCount: 0 }), 'take1'),
      call('appendAudioSegment', segment('take1', 0), (c) => ok({ recordingId: recordingOf(c, 'take1'), index: 0, segmentCount: 1, durationMs: 1000, duplicate: false })),
      call('appendAudioSegment', segment('take1', 1), ok({ index: 1, segmentCount: 2, durationMs: 2000, duplicate: false })),
      call('appendAudioSegment', segment('take1', 1), ok({ index: 1, segmentCount: 2, durationMs: 2000, duplicate: true })),
      call('appendAudioSegment', segment('take1', 1, SEGMENT[2]), refused('SEGMENT_OUT_OF_ORDER')),
      call('appendAudioSegment', segment('take1', 3, SEGMENT[2]), refused('SEGMENT_OUT_OF_ORDER')),
      call('appendAudioSegment', segment('take1', 2, SEGMENT[2], sha(SEGMENT[0]!)), refused('SEGMENT_HASH_MISMATCH')),
      call('closeRecording', closeTake('take1'), (c) => ok({ recordingId: recordingOf(c, 'take1'), ...twoSegments }), 'closed'),
      call('appendAudioSegment', segment('take1', 2), refused('RECORDING_CLOSED')),
      call('closeRecording', closeTake('take1'), same('closed')),
      call('saveResponse', (c) => save('s-q1', { type: 'speaking', recordingIds: [recordingOf(c, 'take1')] }, S1)(c), ok({ itemId: 's-q1', revision: 1 })),
      call('getAttempt', seat, (c) =>
        ok({
          recordings: [{ recordingId: recordingOf(c, 'take1'), itemId: 's-q1', take: 1, segmentCount: 2, durationMs: 2000, closed: true, interrupted: false, interruption: null, sha256: twoSegments.sha256 }],
          parts: [{ partId: 'p-l' }, { partId: 'p-w' }, { partId: 'p-s', answered: 1 }],
        }),
      ),
    ],
  },
  {
    name: 'the takes a task allows are respected: the third of two is RECORDING_LIMIT',
    steps: [
      start('p-s'),
      call('startRecording', startTake, ok({ take: 1 }), 'take1'),
      call('appendAudioSegment', segment('take1', 0), ok({ segmentCount: 1 })),
      call('closeRecording', closeTake('take1'), ok({ segmentCount: 1 })),
      call('startRecording', startTake, ok({ take: 2 }), 'take2'),
      call('closeRecording', closeTake('take2'), ok({ segmentCount: 0, bytes: 0, sha256: sha(new Uint8Array()) })),
      call('startRecording', startTake, refused('RECORDING_LIMIT')),
      call('getAttempt', seat, ok({ recordings: [expect.objectContaining({ take: 1, closed: true }), expect.objectContaining({ take: 2, closed: true })] })),
    ],
  },
  {
    name: 'a take left unfinished (a reload) is closed as interrupted when the next starts, and the first such take does not count',
    steps: [
      start('p-s'),
      call('startRecording', startTake, ok({ take: 1 }), 'cut'),
      call('appendAudioSegment', segment('cut', 0), ok({ segmentCount: 1 })),
      call('startRecording', startTake, ok({ take: 2, segmentCount: 0, interruptedTake: 1 }), 'take2'),
      call('appendAudioSegment', segment('cut', 1), refused('RECORDING_CLOSED')),
      call('closeRecording', closeTake('take2'), ok({ segmentCount: 0 })),
      call('startRecording', startTake, ok({ take: 3 }), 'take3'),
      call('closeRecording', closeTake('take3'), ok({ segmentCount: 0 })),
      call('startRecording', startTake, refused('RECORDING_LIMIT')),
      call('getAttempt', seat, (c) =>
        ok({
          recordings: [
            { recordingId: recordingOf(c, 'cut'), take: 1, segmentCount: 1, durationMs: 1000, closed: true, interrupted: true, interruption: 'seat-restart', sha256: sha(SEGMENT[0]!) },
            { take: 2, closed: true, interrupted: false, interruption: null },
            { take: 3, closed: true, interrupted: false, interruption: null },
          ],
        }),
      ),
    ],
  },
  {
    name: 'a take of an item that is not a speaking item is ITEM_UNKNOWN, of an unknown recording NOT_FOUND, after its part ended ATTEMPT_CLOSED',
    steps: [
      start('p-l'),
      call('startRecording', (c) => ({ ...startTake(c), itemId: 'l-q1' }), refused('ITEM_UNKNOWN')),
      call('startRecording', (c) => ({ ...startTake(c), itemId: 'no-such-item' }), refused('ITEM_UNKNOWN')),
      call('appendAudioSegment', (c) => ({ ...segment('none', 0)(c), recordingId: UNKNOWN_ID }), refused('NOT_FOUND')),
      call('closeRecording', (c) => ({ ...c.seat, recordingId: UNKNOWN_ID }), refused('NOT_FOUND')),
      start('p-s'),
      end('p-s'),
      call('startRecording', startTake, refused('ATTEMPT_CLOSED')),
    ],
  },
  {
    name: 'finishing before every part ended is ATTEMPT_UNFINISHED; then the attempt is submitted, its open take closed, and it refuses changes',
    steps: [
      start('p-l'),
      end('p-l'),
      start('p-w'),
      end('p-w'),
      call('finishAttempt', seat, refused('ATTEMPT_UNFINISHED')),
      start('p-s'),
      call('startRecording', startTake, ok({ take: 1 }), 'open'),
      call('appendAudioSegment', segment('open', 0), ok({ segmentCount: 1 })),
      end('p-s'),
      call('finishAttempt', seat, ok({ status: 'submitted', recordings: [{ take: 1, segmentCount: 1, closed: true, interrupted: true, interruption: 'submitted', sha256: sha(SEGMENT[0]!) }] })),
      call('finishAttempt', seat, ok({ status: 'submitted' })),
      call('getAttempt', seat, ok({ status: 'submitted', parts: [{ submitted: true }, { submitted: true }, { submitted: true }] })),
      call('saveResponse', save('l-q1', choice('a'), S1), refused('ATTEMPT_CLOSED')),
      call('setPosition', (c) => ({ ...c.seat, partId: 'p-l', itemId: 'l-q1' }), refused('ATTEMPT_CLOSED')),
      call('grantAudioPlay', (c) => ({ ...c.seat, stimulusId: 'a1' }), refused('ATTEMPT_CLOSED')),
      call('getExamContent', seat, refused('ATTEMPT_CLOSED')),
    ],
  },
  {
    name: 'declining the identity before any part began ends the screen token and frees the screen for the invigilator; opening the attempt again resumes it, not started',
    steps: [
      call('getAttempt', seat, ok({ status: 'open' })),
      call('declineIdentity', (c) => ({ ...c.seat, reason: 'name' }), ok({ incidentId: expect.any(String), at: expect.any(String) })),
      call('getAttempt', seat, refused('CANDIDATE_TOKEN_WRONG')),
      call('seatHeartbeat', seat, refused('CANDIDATE_TOKEN_WRONG')),
      call('declineIdentity', (c) => ({ ...c.seat, reason: 'name' }), refused('CANDIDATE_TOKEN_WRONG')),
      call('staffSignIn', (c) => ({ username: c.staff.username, password: c.staff.password }), ok({ staffToken: expect.any(String) }), 'staff'),
      call('openAttempt', (c) => ({ staffToken: String(c.got.staff?.staffToken), candidateId: c.staff.candidateId, packageId: c.staff.packageId }), (c) => ok({ attemptId: c.seat.attemptId, status: 'open', candidateToken: expect.any(String), parts: notStarted }), 'reopened'),
      call('getAttempt', seatFrom('reopened'), (c) => ok({ attemptId: c.seat.attemptId, status: 'open', responses: [], parts: notStarted })),
    ],
  },
  {
    name: 'declining the identity once a part has begun is ATTEMPT_STARTED, and the screen goes on with the test',
    steps: [start('p-l'), call('declineIdentity', (c) => ({ ...c.seat, reason: 'not-me' }), refused('ATTEMPT_STARTED')), call('getAttempt', seat, ok({ status: 'open' }))],
  },
  {
    name: 'a paused part keeps its time and refuses plays and ending it; a save on its way is taken, later ones are PART_PAUSED until the part resumes, and then the same save is taken',
    steps: [
      start('p-l'),
      staffTimer('p-l', 'pause', ok({ status: 'paused', pausedAt: expect.any(Number), deadline: null }), 'paused'),
      call('getTimer', (c) => ({ ...c.seat, partId: 'p-l' }), (c) => ok({ status: 'paused', pausedAt: c.got.paused?.pausedAt, remainingMs: c.got.paused?.remainingMs })),
      call('seatHeartbeat', seat, ok({ parts: [timerOf('p-l', 'paused'), timerOf('p-w', 'not-started'), timerOf('p-s', 'not-started')] })),
      call('saveResponse', save('l-q1', choice('a'), S1), ok({ revision: 1 })),
      call('grantAudioPlay', (c) => ({ ...c.seat, stimulusId: 'a1' }), refused('PART_PAUSED')),
      call('recordTimerEvent', (c) => ({ ...c.seat, partId: 'p-l', kind: 'end' }), refused('PART_PAUSED')),
      // Past the grace for saves on their way (the station's 5 s), short of a seat silence.
      later(5_500),
      call('saveResponse', save('l-q1', choice('b'), S2), refused('PART_PAUSED')),
      call('getTimer', (c) => ({ ...c.seat, partId: 'p-l' }), (c) => ok({ status: 'paused', remainingMs: c.got.paused?.remainingMs })),
      staffTimer('p-l', 'resume', ok({ status: 'running', pausedAt: null, deadline: expect.any(Number) })),
      call('saveResponse', save('l-q1', choice('b'), S2), ok({ revision: 2 })),
      call('grantAudioPlay', (c) => ({ ...c.seat, stimulusId: 'a1' }), ok({ play: 1 })),
      call('getAttempt', seat, ok({ responses: [{ itemId: 'l-q1', revision: 2, value: choice('b') }] })),
    ],
  },
  {
    name: 'a take under way when the part is paused may finish and close; a new take is PART_PAUSED until the part resumes',
    steps: [
      start('p-s'),
      call('startRecording', startTake, ok({ take: 1 }), 'take1'),
      staffTimer('p-s', 'pause', ok({ status: 'paused' })),
      call('appendAudioSegment', segment('take1', 0), ok({ segmentCount: 1 })),
      call('closeRecording', (c) => ({ ...closeTake('take1')(c), segmentCount: 1 }), ok({ segmentCount: 1 })),
      call('startRecording', startTake, refused('PART_PAUSED')),
      staffTimer('p-s', 'resume', ok({ status: 'running' })),
      call('startRecording', startTake, ok({ take: 2 })),
    ],
  },
  {
    name: 'a wrong staff password, or a username nobody has, is STAFF_SIGN_IN_WRONG',
    steps: [
      call('staffSignIn', (c) => ({ username: c.staff.username, password: 'Not-The-Password-1' }), refused('STAFF_SIGN_IN_WRONG')),
      call('staffSignIn', (c) => ({ username: 'nobody.here', password: c.staff.password }), refused('STAFF_SIGN_IN_WRONG')),
    ],
  },
  {
    name: 'signing in names the person with their roles and rights, the username in any case; signing out ends the session',
    steps: [
      call('staffSignIn', (c) => ({ username: c.staff.username.toUpperCase(), password: c.staff.password }), (c) => ok({ session: { account: { username: c.staff.username, roles: ['chief-invigilator'], disabled: false }, rights: expect.arrayContaining(['staff.admin', 'time.extend.incident']), locked: false, mustChangePassword: false } }), 'signedIn'),
      call('getStaffSession', (c) => ({ staffToken: String(c.got.signedIn?.staffToken) }), (c) => ok({ account: { username: c.staff.username } })),
      call('staffSignOut', (c) => ({ staffToken: String(c.got.signedIn?.staffToken) }), ok({ ok: true })),
      call('getStaffSession', (c) => ({ staffToken: String(c.got.signedIn?.staffToken) }), refused('STAFF_REQUIRED')),
    ],
  },
  {
    name: 'check-in: present before both checks is CHECK_IN_INCOMPLETE, each check is kept with who and when, an absent candidate is not seated, a return after the start is late, and seating needs a room',
    steps: [
      checkIn('present', refused('CHECK_IN_INCOMPLETE')),
      checkStep('id-document', (c) => ok({ candidateId: c.staff.candidateId, idDocumentSeen: { by: c.staff.username, at: expect.any(String) }, personalCodeChecked: null })),
      checkIn('present', refused('CHECK_IN_INCOMPLETE')),
      checkStep('personal-code', (c) => ok({ personalCodeChecked: { by: c.staff.username, at: expect.any(String) } })),
      checkIn('present', ok({ attendance: 'present', state: 'checked-in', seat: null })),
      checkIn('absent', ok({ attendance: 'absent', state: 'absent', late: false, checkedInAt: null })),
      seatAt('NO-SUCH-SEAT', refused('CANDIDATE_ABSENT')),
      checkIn('present', ok({ attendance: 'present', state: 'checked-in', late: true, checkedInAt: expect.any(String) })),
      seatAt('NO-SUCH-SEAT', refused('ROOM_NOT_AVAILABLE')),
      call('unassignSeat', (c) => ({ staffToken: c.staff.staffToken, candidateId: c.staff.candidateId }), refused('CANDIDATE_NOT_SEATED'), undefined, 'desk'),
      call('getRoster', (c) => ({ staffToken: c.staff.staffToken }), (c) => ok([expect.objectContaining({ candidateId: c.staff.candidateId, state: 'checked-in', late: true, accommodations: { extraTimePercent: null, largePrint: false, separateRoom: false, other: [] } })]), undefined, 'desk'),
    ],
  },
  {
    name: 'away from a room nobody waits for authorisation: confirmIdentity and the heartbeat say not-needed and a part starts; claimSeat is ROOM_NOT_AVAILABLE',
    steps: [
      call('claimSeat', () => ({}), refused('ROOM_NOT_AVAILABLE')),
      call('confirmIdentity', seat, ok({ authorisation: 'not-needed' })),
      call('seatHeartbeat', seat, ok({ authorisation: 'not-needed' })),
      start('p-l'),
    ],
  },
  {
    name: 'a raised hand is on every heartbeat with its reason, a new one replaces it; a solo station does not wait for a room start',
    steps: [
      call('seatHeartbeat', seat, ok({ hand: null, waitingForStart: false })),
      call('raiseHand', (c) => ({ ...c.seat, reason: 'question' }), ok({ reason: 'question', at: expect.any(Number) }), 'first'),
      call('seatHeartbeat', seat, (c) => ok({ hand: c.got.first })),
      later(1000),
      call('raiseHand', (c) => ({ ...c.seat, reason: 'technical' }), ok({ reason: 'technical' }), 'second'),
      call('seatHeartbeat', seat, (c) => ok({ hand: c.got.second })),
      call('raiseHand', (c) => ({ ...wrongSeat(c), reason: 'question' }), refused('CANDIDATE_TOKEN_WRONG')),
      start('p-l'),
    ],
  },
  {
    name: 'a station without a room neither ends nor seals a session, nor makes its protocol: ROOM_NOT_AVAILABLE',
    steps: [
      call('getSealStatus', (c) => ({ staffToken: c.staff.staffToken, sessionId: 'S-1' }), refused('ROOM_NOT_AVAILABLE'), undefined, 'desk'),
      call('endSession', (c) => ({ staffToken: c.staff.staffToken, sessionId: 'S-1' }), refused('ROOM_NOT_AVAILABLE'), undefined, 'desk'),
      call('sealSession', (c) => ({ staffToken: c.staff.staffToken, sessionId: 'S-1' }), refused('ROOM_NOT_AVAILABLE'), undefined, 'desk'),
      call('accountForSeat', (c) => ({ staffToken: c.staff.staffToken, sessionId: 'S-1', deviceId: 'D-1', reason: 'the seat is dead' }), refused('ROOM_NOT_AVAILABLE'), undefined, 'desk'),
      call('getRoomProtocol', (c) => ({ staffToken: c.staff.staffToken, sessionId: 'S-1' }), refused('ROOM_NOT_AVAILABLE'), undefined, 'desk'),
    ],
  },
  {
    name: 'a solo station has no room controls: the key release and the room commands are ROOM_NOT_AVAILABLE',
    steps: [
      call('getRoomControls', (c) => ({ staffToken: c.staff.staffToken }), refused('ROOM_NOT_AVAILABLE'), undefined, 'desk'),
      call('releaseKey', (c) => ({ staffToken: c.staff.staffToken, packageId: c.staff.packageId, sessionId: 'S-1' }), refused('ROOM_NOT_AVAILABLE'), undefined, 'desk'),
      call('roomCommand', (c) => ({ staffToken: c.staff.staffToken, action: 'start', target: { kind: 'room' } }), refused('ROOM_NOT_AVAILABLE'), undefined, 'desk'),
    ],
  },
  {
    name: 'listing the hubs found on the LAN takes a staff session, and a station without a room has none to list (ROOM_NOT_AVAILABLE); nor does it pair',
    steps: [
      call('listDiscoveredHubs', () => ({ staffToken: WRONG_TOKEN }), refused('STAFF_REQUIRED'), undefined, 'desk'),
      call('listDiscoveredHubs', (c) => ({ staffToken: c.staff.staffToken }), refused('ROOM_NOT_AVAILABLE'), undefined, 'desk'),
      call('pairWithHub', (c) => ({ staffToken: c.staff.staffToken, host: '127.0.0.1', port: 47300, code: '12345678', label: '1A' }), refused('ROOM_NOT_AVAILABLE'), undefined, 'desk'),
    ],
  },
  // ---- the console's package import (test/ui/console-packages.test.tsx relies on these) ----------
  {
    name: 'a package upload takes its chunks in order, a chunk sent again once, and refuses a gap, a damaged chunk and a finish before the last byte',
    steps: [
      call('beginPackageUpload', (c) => ({ staffToken: c.staff.staffToken, fileName: 'a2.exampkg', size: 150 }), ok({ uploadId: expect.any(String), chunkBytes: 512 * 1024 }), 'upload', 'desk'),
      call('appendPackageChunk', packageChunk(0), ok({ index: 0, receivedBytes: 100, size: 150, duplicate: false }), undefined, 'desk'),
      call('appendPackageChunk', packageChunk(0), ok({ index: 0, receivedBytes: 100, size: 150, duplicate: true }), undefined, 'desk'),
      call('appendPackageChunk', packageChunk(2), refused('UPLOAD_CHUNK_OUT_OF_ORDER'), undefined, 'desk'),
      call('appendPackageChunk', packageChunk(1, sha(new Uint8Array([9]))), refused('UPLOAD_CHUNK_CHECKSUM_MISMATCH'), undefined, 'desk'),
      call('finishPackageUpload', (c) => ({ staffToken: c.staff.staffToken, uploadId: uploadOf(c) }), refused('UPLOAD_INCOMPLETE'), undefined, 'desk'),
      call('appendPackageChunk', packageChunk(1), ok({ index: 1, receivedBytes: 150, duplicate: false }), undefined, 'desk'),
      call('finishPackageUpload', (c) => ({ staffToken: c.staff.staffToken, uploadId: uploadOf(c) }), ok({ state: 'running', fileName: 'a2.exampkg', totalBytes: 150, result: null, error: null }), 'job', 'desk'),
      call('finishPackageUpload', (c) => ({ staffToken: c.staff.staffToken, uploadId: uploadOf(c) }), (c) => ok({ jobId: c.got.job?.jobId }), undefined, 'desk'),
      call('appendPackageChunk', packageChunk(0), refused('UPLOAD_NOT_FOUND'), undefined, 'desk'),
    ],
  },
  {
    name: 'a package upload over the limit is PACKAGE_TOO_LARGE; a cancelled one is closed; an unknown import, drive file or trust update is refused',
    steps: [
      call('beginPackageUpload', (c) => ({ staffToken: c.staff.staffToken, fileName: 'big.exampkg', size: 2 * 1024 * 1024 * 1024 }), refused('PACKAGE_TOO_LARGE'), undefined, 'desk'),
      call('beginPackageUpload', (c) => ({ staffToken: c.staff.staffToken, fileName: 'a2.exampkg', size: 150 }), ok({ uploadId: expect.any(String) }), 'upload', 'desk'),
      call('cancelPackageUpload', (c) => ({ staffToken: c.staff.staffToken, uploadId: uploadOf(c) }), ok({ ok: true }), undefined, 'desk'),
      call('appendPackageChunk', packageChunk(0), refused('UPLOAD_NOT_FOUND'), undefined, 'desk'),
      call('getPackageImport', (c) => ({ staffToken: c.staff.staffToken, jobId: UNKNOWN_ID }), refused('NOT_FOUND'), undefined, 'desk'),
      call('importPackageSource', (c) => ({ staffToken: c.staff.staffToken, sourceId: 'f'.repeat(32) }), refused('PACKAGE_SOURCE_GONE'), undefined, 'desk'),
      call('listPackageSources', (c) => ({ staffToken: c.staff.staffToken }), ok(expect.any(Array)), undefined, 'desk'),
      call('getTrustList', (c) => ({ staffToken: c.staff.staffToken }), ok({ sequence: 0, issuedAt: null, keys: [expect.objectContaining({ status: 'active' })] }), undefined, 'desk'),
      call('applyTrustUpdate', (c) => ({ staffToken: c.staff.staffToken, data: new Uint8Array(Buffer.from('{"kind":"nothing"}')) }), refused('TRUST_UPDATE_INVALID'), undefined, 'desk'),
    ],
  },
  {
    name: 'a locked staff session shows as locked and refuses staff work until it is unlocked; without a PIN the unlock is STAFF_PIN_NOT_SET',
    steps: [
      call('staffLock', (c) => ({ staffToken: c.staff.staffToken }), ok({ ok: true }), undefined, 'desk'),
      call('getStaffSession', (c) => ({ staffToken: c.staff.staffToken }), ok({ locked: true, account: { hasPin: false } }), undefined, 'desk'),
      call('beginPackageUpload', (c) => ({ staffToken: c.staff.staffToken, fileName: 'a2.exampkg', size: 150 }), refused('STAFF_SESSION_LOCKED'), undefined, 'desk'),
      call('staffUnlock', (c) => ({ staffToken: c.staff.staffToken, pin: '2468' }), refused('STAFF_PIN_NOT_SET'), undefined, 'desk'),
    ],
  },
  {
    name: 'moving a candidate to another seat needs a room: a solo station says ROOM_NOT_AVAILABLE',
    steps: [call('moveCandidate', (c) => ({ staffToken: c.staff.staffToken, candidateId: c.staff.candidateId, toDeviceId: 'SPARE-SEAT', reason: 'the seat froze' }), refused('ROOM_NOT_AVAILABLE'), undefined, 'desk')],
  },
];

// ---- running the table ------------------------------------------------------------------------------

type Outcome = { ok: unknown } | { refused: string; detail: string | undefined };

async function outcomeOf(api: StationApi, method: StationMethod, input: unknown): Promise<Outcome> {
  try {
    return { ok: await (api[method] as (input: unknown) => Promise<unknown>)(input) };
  } catch (error) {
    if (error instanceof CodedError) return { refused: error.code, detail: error.detail };
    throw error;
  }
}

async function run(subject: Subject, steps: Step[]): Promise<void> {
  const c: Ctx = { seat: subject.seat, staff: subject.staff, got: {} };
  for (const [i, step] of steps.entries()) {
    if ('laterMs' in step) {
      subject.advance(step.laterMs);
      continue;
    }
    const outcome = await outcomeOf(step.from === 'desk' ? subject.desk : subject.api, step.method, step.input(c));
    expect(outcome, `step ${i + 1}: ${step.method}`).toMatchObject(step.expected(c));
    if (step.as && 'ok' in outcome) c.got[step.as] = outcome.ok as Record<string, unknown>;
  }
}

describe('the fake station and the real station service agree on what the candidate screen relies on', () => {
  it('every scenario has a unique name and at least one step', () => {
    expect(new Set(SCENARIOS.map((s) => s.name)).size).toBe(SCENARIOS.length);
    expect(SCENARIOS.every((s) => s.steps.some((step) => 'method' in step))).toBe(true);
  });

  for (const scenario of SCENARIOS) {
    describe(scenario.name, () => {
      for (const [name, open] of Object.entries(SUBJECTS)) {
        it(name, async () => {
          const subject = await open();
          try {
            await run(subject, scenario.steps);
          } finally {
            subject.close();
          }
        });
      }
    });
  }
});
