// A speaking task: preparation countdown, then a recording that starts and stops by itself, with a live
// level meter and the audio sent to the station about every second. Before a take the task says how
// many takes it allows and how many are left (the station's own rule), and ending the last take early
// asks first; a silent or very short answer is pointed out before the candidate leaves the task. When
// the invigilator pauses the part, a take under way is stopped and closed with everything recorded,
// and a preparation is called off (no take is used). Each stage change moves the focus to what the new
// stage says; the countdowns are not live regions, only 10 s before their end is said.
import { useEffect, useRef, useState } from 'react';
import type { Item } from '../../src-shared/content/schema.ts';
import { takesLeft } from '../../src-shared/rules/takes.ts';
import { seatOf } from '../store/attempt.ts';
import { errorText, useAudio, useAttempt, useExam, useTimers } from '../store/exam.ts';
import { useText } from '../store/settings.ts';
import { TEXT } from '../text.ts';
import { ConfirmDialog } from '../ui/frame.tsx';
import { meterFor, openMicrophone, SpeakingTake, stopStream, VOICE_LEVEL, type LevelMeter, type TakeProgress } from '../audio/recorder.ts';
import { LevelBar } from './LevelBar.tsx';

type Phase = 'idle' | 'preparing' | 'recording' | 'finishing';

const SILENT_VOICE_MS = 1500;

/** An element's text as a screen reader says it: without what is hidden from it (the ● of a recording). */
function spokenText(element: Element): string {
  const copy = element.cloneNode(true) as Element;
  for (const hidden of copy.querySelectorAll('[aria-hidden="true"]')) hidden.remove();
  return (copy.textContent ?? '').trim();
}

export function SpeakingItem({ item }: { item: Extract<Item, { type: 'speaking' }> }) {
  const t = useText();
  const exam = useExam();
  const attemptId = useAttempt((s) => s.attemptId);
  const partId = useAttempt((s) => s.partId);
  const partStatus = useTimers((s) => (partId ? s.parts[partId]?.status : undefined));
  const takes = useAudio((s) => s.takes[item.id]) ?? [];
  const warning = useAudio((s) => s.warnings[item.id]);
  const [phase, setPhase] = useState<Phase>('idle');
  const [secondsLeft, setSecondsLeft] = useState(0);
  const [level, setLevel] = useState(0);
  const [progress, setProgress] = useState<TakeProgress | null>(null);
  /** Whether the take under way is the last the task allows (known when it was prepared). */
  const [lastTake, setLastTake] = useState(false);
  const [confirmEnd, setConfirmEnd] = useState(false);
  const root = useRef<HTMLDivElement>(null);
  /** What says the stage the task is in; it takes the focus when the stage changes. */
  const stage = useRef<HTMLParagraphElement>(null);
  const shownPhase = useRef(phase);
  /** Said by the hidden live region: a stage change when the focus is elsewhere, and 10 s left. */
  const [said, setSaid] = useState('');
  const live = useRef<{ stream: MediaStream | null; meter: LevelMeter | null; take: SpeakingTake | null; timer: ReturnType<typeof setInterval> | null; voicedMs: number; startedAt: number }>({
    stream: null,
    meter: null,
    take: null,
    timer: null,
    voicedMs: 0,
    startedAt: 0,
  });

  const complete = takes.filter((x) => x.closed && !x.interrupted);
  const cutOff = takes.some((x) => !x.closed || x.interrupted) && phase === 'idle';
  const left = takesLeft(item.recordingsAllowed, takes);

  // A take left behind by an unmount goes on sending and closing; its progress is then nobody's to show.
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
      // Leaving the screen mid-take (only a reload or the part's end can do that) keeps what was sent.
      const l = live.current;
      if (l.timer) clearInterval(l.timer);
      l.meter?.close();
      void l.take?.stop().finally(() => stopStream(l.stream));
      if (!l.take) stopStream(l.stream);
      exam.audio.getState().setBusy(null);
    };
  }, [exam]);

  const countdown = (seconds: number, each: () => void, done: () => void) => {
    const l = live.current;
    if (l.timer) clearInterval(l.timer);
    const end = performance.now() + seconds * 1000;
    setSecondsLeft(seconds);
    l.timer = setInterval(() => {
      each();
      const left = Math.max(0, Math.ceil((end - performance.now()) / 1000));
      setSecondsLeft(left);
      if (left <= 0) {
        if (l.timer) clearInterval(l.timer);
        l.timer = null;
        done();
      }
    }, 100);
  };

  /** Call the preparation off: the microphone closes, no take was started. */
  const stopPreparing = () => {
    const l = live.current;
    if (l.timer) clearInterval(l.timer);
    l.meter?.close();
    stopStream(l.stream);
    live.current = { stream: null, meter: null, take: null, timer: null, voicedMs: 0, startedAt: 0 };
    exam.audio.getState().setBusy(null);
    setLevel(0);
    setPhase('idle');
  };

  const fail = (error: unknown) => {
    console.error('speaking task failed', error);
    const l = live.current;
    if (l.timer) clearInterval(l.timer);
    l.meter?.close();
    stopStream(l.stream);
    live.current = { stream: null, meter: null, take: null, timer: null, voicedMs: 0, startedAt: 0 };
    exam.audio.getState().setBusy(null);
    exam.attempt.setState({ error: errorText(error) });
    setPhase('idle');
  };

  const finish = async () => {
    const l = live.current;
    if (!l.take || !attemptId) return;
    if (l.timer) clearInterval(l.timer);
    l.timer = null;
    setConfirmEnd(false);
    setPhase('finishing');
    const take = l.take;
    const recordedMs = performance.now() - l.startedAt;
    await take.stop();
    l.meter?.close();
    stopStream(l.stream);
    setLevel(0);
    const ids = [...complete.map((x) => x.recordingId), take.recordingId];
    exam.answers.edit(item.id, { type: 'speaking', recordingIds: ids });
    try {
      const seat = seatOf(exam.attempt.getState());
      if (!seat) throw new Error('no attempt on this screen');
      const view = await exam.station.getAttempt(seat);
      exam.audio.getState().loadTakes(view.recordings);
    } catch (error) {
      console.error('could not refresh takes', error);
    }
    const short = recordedMs < Math.min(10_000, item.responseSeconds * 400);
    exam.audio.getState().setWarning(item.id, l.voicedMs < SILENT_VOICE_MS ? 'silent' : short ? 'short' : null);
    live.current = { stream: null, meter: null, take: null, timer: null, voicedMs: 0, startedAt: 0 };
    exam.audio.getState().setBusy(null);
    setPhase('idle');
  };

  const record = async () => {
    const l = live.current;
    const seat = seatOf(exam.attempt.getState());
    if (!seat || !l.stream) return;
    try {
      l.take = await SpeakingTake.begin(exam.station, l.stream, seat, item.id, (progress) => mounted.current && setProgress(progress));
    } catch (error) {
      return fail(error);
    }
    if (live.current !== l) {
      // The preparation was called off (a pause) while the station started the take: close it at once.
      void l.take.stop();
      return;
    }
    l.startedAt = performance.now();
    l.voicedMs = 0;
    setPhase('recording');
    let last = performance.now();
    countdown(
      item.responseSeconds,
      () => {
        const v = l.meter?.read() ?? 0;
        const now = performance.now();
        if (v > VOICE_LEVEL) l.voicedMs += now - last;
        last = now;
        setLevel(v);
      },
      () => void finish(),
    );
  };

  const prepare = async () => {
    // Counted before the take starts: the take about to be made uses one of those left.
    setLastTake(left <= 1);
    exam.audio.getState().setBusy(item.id);
    exam.audio.getState().setWarning(item.id, null);
    setProgress(null);
    try {
      live.current.stream = await openMicrophone();
      live.current.meter = meterFor(live.current.stream);
    } catch (error) {
      console.error('microphone not available', error);
      exam.updatePreflight({ micOk: false });
      exam.audio.getState().setBusy(null);
      exam.attempt.setState({ error: TEXT.micMissing });
      return;
    }
    setPhase('preparing');
    countdown(item.preparationSeconds, () => setLevel(live.current.meter?.read() ?? 0), () => void record());
  };

  // The invigilator paused the part: what is being said is kept and closed now, not cut off later.
  useEffect(() => {
    if (partStatus !== 'paused') return;
    if (phase === 'recording') void finish();
    else if (phase === 'preparing') stopPreparing();
    // finish and stopPreparing read the live take through a ref; the phase and the status decide.
  }, [partStatus, phase]);

  // Each stage takes away the button that led to it: the focus goes to what the new stage says, so it
  // is read and the stage's button is one Tab away. A candidate whose focus is elsewhere on the page
  // keeps it there and hears the stage from the live region instead.
  useEffect(() => {
    if (shownPhase.current === phase) return;
    shownPhase.current = phase;
    const active = document.activeElement;
    const lost = !active || active === document.body || !active.isConnected;
    if (lost || root.current?.contains(active)) {
      setSaid('');
      stage.current?.focus();
    } else {
      setSaid(stage.current ? spokenText(stage.current) : '');
    }
  }, [phase]);

  // The countdown itself is not live (it would speak every second): 10 s before the end is said once.
  useEffect(() => {
    if (secondsLeft !== 10) return;
    if (phase === 'preparing' && item.preparationSeconds > 10) setSaid(t('recordingStartsIn', { s: 10 }));
    if (phase === 'recording' && item.responseSeconds > 10) setSaid(t('secondsLeft', { s: 10 }));
    // Said when the count reaches 10, in the language of that moment.
  }, [secondsLeft, phase]);

  const lastComplete = complete[complete.length - 1];
  const lastTakeNote = left === 1 ? ` ${t('lastTake')}` : '';
  return (
    <div className="speaking" data-phase={phase} ref={root}>
      <span className="sr-only" role="status" data-testid="speaking-announcement">
        {said}
      </span>
      <p className="muted">
        {t('prepTime', { s: item.preparationSeconds })} · {t('responseTime', { s: item.responseSeconds })}
      </p>
      {cutOff && complete.length === 0 && (
        <p className="warn" role="alert" data-testid="interrupted">
          ⚠ {t('interrupted')}
        </p>
      )}
      {phase === 'idle' && complete.length === 0 && (
        <div className="stack-sm">
          <p data-testid="takes" ref={stage} tabIndex={-1}>
            {left > 0 ? `${t('takesAllowed', { n: item.recordingsAllowed, left })}${lastTakeNote}` : t('noRerecord')}
          </p>
          {left > 0 && (
            <div className="actions actions-left">
              <button type="button" className="btn btn-primary" onClick={() => void prepare()} data-testid="start-preparation">
                {t('startPreparation')}
              </button>
            </div>
          )}
        </div>
      )}
      {phase === 'preparing' && (
        <div className="speaking-stage" data-testid="preparing">
          <p className="big-count" ref={stage} tabIndex={-1}>
            {t('preparing', { s: secondsLeft })}
          </p>
          {lastTake && <p className="muted">{t('lastTake')}</p>}
          <button type="button" className="btn" onClick={() => void (live.current.timer && (clearInterval(live.current.timer), record()))}>
            {t('startNow')}
          </button>
        </div>
      )}
      {phase === 'recording' && (
        <div className="speaking-stage recording" data-testid="recording">
          <p className="big-count rec" ref={stage} tabIndex={-1}>
            <span aria-hidden="true">● </span>
            {t('recording', { s: secondsLeft })}
          </p>
          <LevelBar level={level} label={t('micLevel')} />
          <p className="muted small">{t('savedSecondsOf', { n: Math.round((progress?.ackedMs ?? 0) / 1000) })}</p>
          {/* The last take cannot be made again: ending it early is asked once more, the safe answer first. */}
          <button type="button" className="btn" onClick={() => (lastTake ? setConfirmEnd(true) : void finish())}>
            {t('stopRecording')}
          </button>
        </div>
      )}
      {phase === 'recording' && confirmEnd && (
        <ConfirmDialog title={t('lastTakeConfirmTitle')} yes={t('lastTakeYes')} no={t('lastTakeNo')} onNo={() => setConfirmEnd(false)} onYes={() => void finish()}>
          <p>{t('lastTakeConfirmText', { s: secondsLeft })}</p>
        </ConfirmDialog>
      )}
      {phase === 'finishing' && (
        <p className="speaking-stage" ref={stage} tabIndex={-1}>
          {t('finishingRecording')} {progress?.failing ? `⚠ ${t('stationLost')}` : ''}
        </p>
      )}
      {phase === 'idle' && lastComplete && (
        <div className="stack-sm" data-testid="recorded">
          <p className="ok" ref={stage} tabIndex={-1}>
            <span aria-hidden="true">✓ </span>
            {t('recorded', { s: Math.round(lastComplete.durationMs / 1000) })}
          </p>
          {warning && (
            <p className="warn" role="alert">
              ⚠ {t(warning === 'silent' ? 'silentWarning' : 'shortWarning')}
            </p>
          )}
          {left > 0 ? (
            <div className="actions actions-left">
              <span className="muted">
                {t('takesLeft', { n: left })}
                {lastTakeNote}
              </span>
              <button type="button" className="btn" onClick={() => void prepare()}>
                {t('recordAgain')}
              </button>
            </div>
          ) : (
            <p className="muted">{t('noRerecord')}</p>
          )}
        </div>
      )}
    </div>
  );
}
