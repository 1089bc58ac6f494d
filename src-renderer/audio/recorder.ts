// Speaking audio: the microphone, its live level, and a take sent to the station while it is recorded.
// MediaRecorder hands over a chunk about every second; each becomes one segment (index from 0, SHA-256,
// bytes) and is sent in order. A segment the station did not acknowledge is kept and sent again (the
// station acknowledges a resend of a stored segment as a duplicate), so a station restart in the
// middle of a take loses nothing that the browser still holds.
import type { SeatCredentials, StationApi, StationOutput } from '../../src-shared/contracts/station-api.ts';

export const SEGMENT_MS = 1000;
const RETRY_MS = 500;

export function preferredMimeType(): string {
  for (const type of ['audio/webm;codecs=opus', 'audio/ogg;codecs=opus', 'audio/webm']) {
    if (typeof MediaRecorder !== 'undefined' && MediaRecorder.isTypeSupported(type)) return type;
  }
  return '';
}

export async function openMicrophone(): Promise<MediaStream> {
  if (!navigator.mediaDevices?.getUserMedia) throw new Error('no media devices');
  return navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: true }, video: false });
}

export function stopStream(stream: MediaStream | null): void {
  stream?.getTracks().forEach((t) => t.stop());
}

/** The microphone's loudness now, 0..1 (RMS scaled), read as often as the screen wants. */
export interface LevelMeter {
  read(): number;
  close(): void;
}

export function meterFor(stream: MediaStream): LevelMeter {
  const context = new AudioContext();
  const source = context.createMediaStreamSource(stream);
  const analyser = context.createAnalyser();
  analyser.fftSize = 1024;
  source.connect(analyser);
  const samples = new Float32Array(analyser.fftSize);
  return {
    read() {
      analyser.getFloatTimeDomainData(samples);
      let sum = 0;
      for (const v of samples) sum += v * v;
      return Math.min(1, Math.sqrt(sum / samples.length) * 4);
    },
    close() {
      source.disconnect();
      void context.close();
    },
  };
}

/** Level above which a moment counts as voice, for the silence check. */
export const VOICE_LEVEL = 0.04;

/** A short tone through the headphones for the equipment check. */
export async function playTestTone(seconds = 1.5): Promise<void> {
  const context = new AudioContext();
  const osc = context.createOscillator();
  const gain = context.createGain();
  osc.frequency.value = 523.25;
  gain.gain.setValueAtTime(0, context.currentTime);
  gain.gain.linearRampToValueAtTime(0.25, context.currentTime + 0.1);
  gain.gain.setValueAtTime(0.25, context.currentTime + seconds - 0.2);
  gain.gain.linearRampToValueAtTime(0, context.currentTime + seconds);
  osc.connect(gain).connect(context.destination);
  osc.start();
  osc.stop(context.currentTime + seconds);
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  await context.close();
}

export async function sha256Hex(data: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', data);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

export interface TakeProgress {
  /** Segments the station acknowledged. */
  acked: number;
  ackedMs: number;
  /** Segments recorded but not yet acknowledged. */
  waiting: number;
  failing: boolean;
}

/** One take: started on the station, streamed in segments, closed when the recorder stops. */
export class SpeakingTake {
  readonly recordingId: string;
  readonly take: number;
  readonly interruptedTake: number | undefined;
  private readonly station: StationApi;
  private readonly recorder: MediaRecorder;
  private readonly seat: SeatCredentials;
  private readonly queue: { index: number; data: Uint8Array<ArrayBuffer>; durationMs: number }[] = [];
  private nextIndex = 0;
  /** Chunks the recorder has given whose bytes are still being read: the take is not over before them. */
  private reading: Promise<void>[] = [];
  private lastChunkAt = 0;
  private sending = false;
  private progress: TakeProgress = { acked: 0, ackedMs: 0, waiting: 0, failing: false };
  private readonly onProgress: (p: TakeProgress) => void;
  private stopped: Promise<void> | null = null;
  private drained: (() => void) | null = null;
  private closed = false;

  private constructor(station: StationApi, seat: SeatCredentials, stream: MediaStream, started: StationOutput<'startRecording'>, mimeType: string, onProgress: (p: TakeProgress) => void) {
    this.station = station;
    this.seat = seat;
    this.recordingId = started.recordingId;
    this.take = started.take;
    this.interruptedTake = started.interruptedTake;
    this.onProgress = onProgress;
    this.recorder = mimeType ? new MediaRecorder(stream, { mimeType, audioBitsPerSecond: 32_000 }) : new MediaRecorder(stream);
    this.recorder.addEventListener('dataavailable', (event) => void this.onChunk(event.data));
  }

  /** Ask the station for a take, then start the recorder with ~1 s chunks. */
  static async begin(station: StationApi, stream: MediaStream, seat: SeatCredentials, itemId: string, onProgress: (p: TakeProgress) => void): Promise<SpeakingTake> {
    const mimeType = preferredMimeType();
    const started = await station.startRecording({ ...seat, itemId, mimeType: mimeType || 'audio/webm' });
    const take = new SpeakingTake(station, seat, stream, started, mimeType, onProgress);
    take.lastChunkAt = performance.now();
    take.recorder.start(SEGMENT_MS);
    return take;
  }

  private onChunk(blob: Blob): void {
    const at = performance.now();
    const durationMs = Math.max(0, Math.round(at - this.lastChunkAt));
    this.lastChunkAt = at;
    if (blob.size === 0) return;
    // The index is taken now, in the order the recorder gave the chunks; reading the bytes takes a
    // moment, and the take is closed only after every chunk read so far is queued.
    const index = this.nextIndex;
    this.nextIndex += 1;
    const reading = blob.arrayBuffer().then((buffer) => {
      this.queue.push({ index, data: new Uint8Array(buffer), durationMs });
      this.queue.sort((a, b) => a.index - b.index);
      this.report({ waiting: this.queue.length });
      void this.send();
    });
    this.reading.push(reading);
  }

  private report(change: Partial<TakeProgress>): void {
    this.progress = { ...this.progress, ...change };
    this.onProgress(this.progress);
  }

  private async send(): Promise<void> {
    if (this.sending) return;
    this.sending = true;
    try {
      while (this.queue.length > 0) {
        const segment = this.queue[0]!;
        try {
          const sha256 = await sha256Hex(segment.data);
          const ack = await this.station.appendAudioSegment({ ...this.seat, recordingId: this.recordingId, index: segment.index, data: segment.data, sha256, durationMs: segment.durationMs });
          this.queue.shift();
          this.report({ acked: ack.segmentCount, ackedMs: ack.durationMs, waiting: this.queue.length, failing: false });
        } catch (error) {
          console.error('audio segment not stored yet; retrying', segment.index, error);
          this.report({ failing: true });
          await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
        }
      }
    } finally {
      this.sending = false;
    }
    if (this.queue.length === 0 && this.recorder.state === 'inactive') this.drained?.();
  }

  get state(): TakeProgress {
    return this.progress;
  }

  /**
   * Stop recording, send what is left and close the take on the station. Resolves only when the
   * station has everything: until then the screen says the recording is being saved.
   */
  stop(): Promise<void> {
    this.stopped ??= (async () => {
      const last = new Promise<void>((resolve) => this.recorder.addEventListener('stop', () => resolve(), { once: true }));
      if (this.recorder.state !== 'inactive') this.recorder.stop();
      await last;
      // The final chunk's dataavailable fires before stop; wait until every chunk's bytes are queued.
      while (this.reading.length > 0) await Promise.all(this.reading.splice(0));
      await new Promise<void>((resolve) => {
        this.drained = resolve;
        if (this.queue.length === 0 && !this.sending) resolve();
        else void this.send();
      });
      while (!this.closed) {
        try {
          // The close names how many segments were sent: the station refuses it until it holds them all.
          await this.station.closeRecording({ ...this.seat, recordingId: this.recordingId, segmentCount: this.nextIndex });
          this.closed = true;
        } catch (error) {
          console.error('recording not closed yet; retrying', error);
          this.report({ failing: true });
          await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
        }
      }
      this.report({ failing: false });
    })();
    return this.stopped;
  }
}
