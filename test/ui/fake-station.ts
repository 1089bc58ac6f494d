// The third implementation of StationApi (after the service over IPC and over HTTP): in memory, for
// component tests. It keeps the station's rules that the UI relies on (a save is acknowledged once per
// clientSaveId, plays are counted and refused beyond the limit, part timers start and end) and can be
// switched to stop acknowledging, as a station that hangs or has gone away.
import { isAnswered } from '../../src-shared/content/responses.ts';
import { ExamContent, listItems } from '../../src-shared/content/schema.ts';
import { StationError } from '../../src-shared/errors.ts';
import type { AttemptView, StationApi, StationInput, StationOutput } from '../../src-shared/contracts/station-api.ts';
import { StationUnreachable } from '../../src-renderer/station/client.ts';

export const ATTEMPT_ID = '6f1c2a34-5b6d-4e7f-8a9b-0c1d2e3f4a5b';
export const PACKAGE_ID = '0b5e8f5a-1111-4222-8333-944455556666';
export const CANDIDATE_TOKEN = 'fake-candidate-token-0123456789abcdefghij';
/** What a screen holds once the invigilator opened the attempt for it. */
export const SEAT = { attemptId: ATTEMPT_ID, candidateToken: CANDIDATE_TOKEN };

export function testContent(overrides: { pastePolicy?: 'allow' | 'block' } = {}): ExamContent {
  return ExamContent.parse({
    formatVersion: 2,
    examId: 'ui-test',
    kind: 'state-language',
    level: { level: 'A', degree: 2 },
    language: 'lv',
    title: 'Mazais tests',
    pastePolicy: overrides.pastePolicy ?? 'block',
    parts: [
      {
        id: 'p-l',
        kind: 'listening',
        title: 'Klausīšanās',
        timeLimitSeconds: 600,
        tasks: [
          {
            id: 't-l1',
            title: 'Paziņojums',
            stimuli: [{ type: 'audio', id: 'a1', media: 'media/a1.opus', playLimit: 2, durationSeconds: 10 }],
            items: [
              { id: 'l-q1', type: 'single-choice', prompt: 'Uz kurieni?', points: 1, options: [{ id: 'a', text: 'Uz Rīgu' }, { id: 'b', text: 'Uz Cēsīm' }] },
              { id: 'l-q2', type: 'true-false-not-given', statement: 'Vilciens kavējas.', points: 1 },
              { id: 'l-q3', type: 'short-text', prompt: 'Kas jāņem līdzi?', points: 1, maxLength: 40 },
            ],
          },
        ],
      },
      {
        id: 'p-w',
        kind: 'writing',
        title: 'Rakstīšana',
        timeLimitSeconds: 900,
        tasks: [{ id: 't-w1', title: 'Īsziņa', items: [{ id: 'w-q1', type: 'extended-writing', prompt: 'Jūsu īsziņa:', points: 4, minWords: 3, maxWords: 5 }] }],
      },
    ],
  });
}

type Mode = 'up' | 'hang' | 'unreachable';

interface TimerEvent {
  kind: 'start' | 'end';
  at: number;
}

export class FakeStation implements StationApi {
  content: ExamContent;
  mode: Mode = 'up';
  /** Every saveResponse call as it arrived, acknowledged or not. */
  readonly saveCalls: StationInput<'saveResponse'>[] = [];
  readonly revisions: { itemId: string; value: StationInput<'saveResponse'>['value']; clientSaveId: string; revision: number }[] = [];
  plays = new Map<string, number>();
  position: { partId: string | null; itemId: string | null } = { partId: null, itemId: null };
  timers = new Map<string, TimerEvent[]>();
  private hung: { reject: (e: Error) => void }[] = [];

  constructor(content: ExamContent = testContent()) {
    this.content = content;
  }

  /** The station comes back: calls that hung fail (as a reset connection does) and new calls succeed. */
  comeBack(): void {
    this.mode = 'up';
    for (const h of this.hung.splice(0)) h.reject(new StationUnreachable('connection reset'));
  }

  private async gate(): Promise<void> {
    if (this.mode === 'unreachable') throw new StationUnreachable('station did not answer');
    if (this.mode === 'hang') await new Promise<void>((_resolve, reject) => this.hung.push({ reject }));
  }

  private timer(partId: string): StationOutput<'getTimer'> {
    const part = this.content.parts.find((p) => p.id === partId);
    if (!part) throw new StationError('NOT_FOUND', partId);
    const events = this.timers.get(partId) ?? [];
    const limitMs = part.timeLimitSeconds * 1000;
    const start = events.find((e) => e.kind === 'start');
    const end = events.find((e) => e.kind === 'end');
    const now = Date.now();
    const elapsedMs = start ? (end?.at ?? now) - start.at : 0;
    const remainingMs = Math.max(0, limitMs - elapsedMs);
    const status = end ? 'ended' : start ? (remainingMs > 0 ? 'running' : 'expired') : 'not-started';
    return { status, limitMs, addedMs: 0, creditedMs: 0, elapsedMs, remainingMs, deadline: status === 'running' ? now + remainingMs : null, pausedAt: null };
  }

  /** The token the station holds for the attempt; another screen opening it changes it (moved()). */
  token = CANDIDATE_TOKEN;

  /** The invigilator opened the attempt on another screen: this screen's token stops working. */
  moved(): void {
    this.token = 'another-screen-token-0123456789abcdefghijk';
  }

  /** The station's rule: a candidate call must carry the token the screen was given. */
  private seat(input: { candidateToken: string }): void {
    if (input.candidateToken !== this.token) throw new StationError('CANDIDATE_TOKEN_WRONG');
  }

  private view(): AttemptView {
    const latest = new Map<string, (typeof this.revisions)[number]>();
    for (const r of this.revisions) latest.set(r.itemId, r);
    return {
      attemptId: ATTEMPT_ID,
      candidateId: 'C-1',
      packageId: PACKAGE_ID,
      status: 'open',
      openedAt: new Date(0).toISOString(),
      position: this.position,
      responses: [...latest.values()].map((r) => ({ itemId: r.itemId, revision: r.revision, value: r.value, savedAt: new Date().toISOString() })),
      parts: this.content.parts.map((p) => {
        const timer = this.timer(p.id);
        const items = p.tasks.flatMap((t) => t.items);
        const answered = items.filter((i) => isAnswered(i, latest.get(i.id)?.value)).length;
        return { partId: p.id, title: p.title, timer, submitted: timer.status === 'ended', items: items.length, answered };
      }),
      audioPlays: Object.fromEntries(this.plays),
      recordings: [],
    };
  }

  async getStatus(): Promise<StationOutput<'getStatus'>> {
    return { deviceId: 'fake', role: 'solo', appVersion: 'test', schemaVersion: 0, lastSeq: 0 };
  }
  async staffSignIn(input: StationInput<'staffSignIn'>): Promise<StationOutput<'staffSignIn'>> {
    if (input.pin !== '246810') throw new StationError('STAFF_PIN_WRONG');
    return { staffToken: 'staff-token-for-tests-000', expiresAt: new Date(Date.now() + 3600_000).toISOString() };
  }
  async importPackage(): Promise<StationOutput<'importPackage'>> {
    throw new StationError('FILE_UNREADABLE');
  }
  async listPackages(): Promise<StationOutput<'listPackages'>> {
    return [{ packageId: PACKAGE_ID, examId: 'ui-test', examVersion: 1, title: this.content.title, venue: 'DEMO01', validFrom: '', validUntil: '', importedAt: '', unlocked: false }];
  }
  async unlockPackage(): Promise<StationOutput<'unlockPackage'>> {
    return { ...(await this.listPackages())[0]!, unlocked: true };
  }
  async getExamContent(input: StationInput<'getExamContent'>): Promise<StationOutput<'getExamContent'>> {
    this.seat(input);
    await this.gate();
    return this.content;
  }
  async getMedia(input: StationInput<'getMedia'>): Promise<StationOutput<'getMedia'>> {
    this.seat(input);
    return { mimeType: 'audio/ogg', data: new Uint8Array([1, 2, 3]) };
  }
  async listCandidates(): Promise<StationOutput<'listCandidates'>> {
    return [await this.getCandidate()];
  }
  async openAttempt(): Promise<StationOutput<'openAttempt'>> {
    return { ...this.view(), candidateToken: CANDIDATE_TOKEN };
  }
  async staffTimerEvent(input: StationInput<'staffTimerEvent'>): Promise<StationOutput<'staffTimerEvent'>> {
    this.timers.set(input.partId, [...(this.timers.get(input.partId) ?? []), { kind: 'end', at: Date.now() }]);
    return this.timer(input.partId);
  }
  async getCandidate(): Promise<StationOutput<'getCandidate'>> {
    return { candidateId: 'C-1', sessionId: 'DEMO-ui-test', givenName: 'Anna', familyName: 'Bērziņa', maskedPersonalCode: '15****-***40', level: 'A2', attendance: 'present', accommodation: null };
  }
  async finishAttempt(): Promise<StationOutput<'finishAttempt'>> {
    return { ...this.view(), status: 'submitted' };
  }
  async getAttempt(input: StationInput<'getAttempt'>): Promise<StationOutput<'getAttempt'>> {
    this.seat(input);
    await this.gate();
    return this.view();
  }
  async setPosition(input: StationInput<'setPosition'>): Promise<StationOutput<'setPosition'>> {
    await this.gate();
    this.position = { partId: input.partId, itemId: input.itemId };
    return { ok: true };
  }
  async saveResponse(input: StationInput<'saveResponse'>): Promise<StationOutput<'saveResponse'>> {
    this.saveCalls.push(input);
    this.seat(input);
    await this.gate();
    const found = listItems(this.content).find((e) => e.item.id === input.itemId);
    if (!found) throw new StationError('ITEM_UNKNOWN', input.itemId);
    if (this.timer(found.part.id).status === 'ended') throw new StationError('ATTEMPT_CLOSED');
    const earlier = this.revisions.find((r) => r.clientSaveId === input.clientSaveId);
    const savedAt = new Date().toISOString();
    if (earlier) return { itemId: earlier.itemId, revision: earlier.revision, savedAt, seq: earlier.revision };
    const revision = this.revisions.filter((r) => r.itemId === input.itemId).length + 1;
    this.revisions.push({ itemId: input.itemId, value: input.value, clientSaveId: input.clientSaveId, revision });
    return { itemId: input.itemId, revision, savedAt, seq: this.revisions.length };
  }
  async startRecording(): Promise<StationOutput<'startRecording'>> {
    throw new StationError('ITEM_UNKNOWN');
  }
  async appendAudioSegment(): Promise<StationOutput<'appendAudioSegment'>> {
    throw new StationError('NOT_FOUND');
  }
  async closeRecording(): Promise<StationOutput<'closeRecording'>> {
    throw new StationError('NOT_FOUND');
  }
  async grantAudioPlay(input: StationInput<'grantAudioPlay'>): Promise<StationOutput<'grantAudioPlay'>> {
    this.seat(input);
    await this.gate();
    const used = this.plays.get(input.stimulusId) ?? 0;
    if (used >= 2) throw new StationError('PLAY_LIMIT', `${used} of 2 plays used`);
    this.plays.set(input.stimulusId, used + 1);
    return { stimulusId: input.stimulusId, play: used + 1, playLimit: 2, remaining: 2 - used - 1 };
  }
  async recordTimerEvent(input: StationInput<'recordTimerEvent'>): Promise<StationOutput<'recordTimerEvent'>> {
    await this.gate();
    const status = this.timer(input.partId).status;
    if ((input.kind === 'start' && status !== 'not-started') || (input.kind === 'end' && status === 'ended')) throw new StationError('TIMER_TRANSITION');
    this.timers.set(input.partId, [...(this.timers.get(input.partId) ?? []), { kind: input.kind, at: Date.now() }]);
    return this.timer(input.partId);
  }
  async seatHeartbeat(input: StationInput<'seatHeartbeat'>): Promise<StationOutput<'seatHeartbeat'>> {
    await this.gate();
    this.seat(input);
    return { parts: this.content.parts.map((p) => ({ partId: p.id, timer: this.timer(p.id) })), creditedMs: 0, serverTime: Date.now() };
  }
  async getTimer(input: StationInput<'getTimer'>): Promise<StationOutput<'getTimer'>> {
    return this.timer(input.partId);
  }
  async readOutbox(): Promise<StationOutput<'readOutbox'>> {
    return [];
  }
  async markAttendance(): Promise<StationOutput<'markAttendance'>> {
    return this.getCandidate();
  }
  async recordIncident(): Promise<StationOutput<'recordIncident'>> {
    return { incidentId: '7d1c2a34-5b6d-4e7f-8a9b-0c1d2e3f4a5c', at: new Date().toISOString() };
  }

  /** Put the attempt in a part that has begun, on an item, as after a reload. */
  inPart(partId: string, itemId: string): this {
    this.timers.set(partId, [{ kind: 'start', at: Date.now() }]);
    this.position = { partId, itemId };
    for (const p of this.content.parts) {
      if (p.id === partId) break;
      this.timers.set(p.id, [
        { kind: 'start', at: Date.now() - 1000 },
        { kind: 'end', at: Date.now() - 500 },
      ]);
    }
    return this;
  }
}
