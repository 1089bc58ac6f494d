// The steps before the first part: the candidate confirms who they are and picks the interface
// language (or says what is not theirs, which hands the screen back to the invigilator), reads how the
// test works, and checks headphones and microphone.
import { useEffect, useRef, useState } from 'react';
import { IDENTITY_DECLINE_REASONS, type IdentityDeclineReason } from '../../src-shared/contracts/station-api.ts';
import type { TextKey } from '../text.ts';
import { settingsStore, useSettings, useText } from '../store/settings.ts';
import { useAttempt, useExam } from '../store/exam.ts';
import { Frame } from '../ui/frame.tsx';
import { meterFor, openMicrophone, playTestTone, preferredMimeType, stopStream, VOICE_LEVEL } from '../audio/recorder.ts';
import { LevelBar } from '../items/LevelBar.tsx';

/** The level the candidate is taking: the test's own, else the roster's; a pupil at an exam has none. */
function levelName(level: { level: string; degree: number } | undefined, fallback: string | null): string | null {
  return level ? `${level.level}${level.degree}` : fallback;
}

const DECLINE_TEXT: Record<IdentityDeclineReason, TextKey> = {
  'not-me': 'declineNotMe',
  name: 'declineName',
  'personal-code': 'declinePersonalCode',
  level: 'declineLevel',
};

export function IdentityScreen() {
  const t = useText();
  const exam = useExam();
  const candidate = useAttempt((s) => s.candidate);
  const content = useAttempt((s) => s.content);
  const lang = useSettings((s) => s.lang);
  const [wrong, setWrong] = useState(false);
  const [reason, setReason] = useState<IdentityDeclineReason | null>(null);
  const [busy, setBusy] = useState(false);
  // "Nē" and "Atpakaļ" each take away the button that was pressed: the focus goes to what replaces it
  // (the first thing that can be wrong, or "Nē" again), never to nothing.
  const noButton = useRef<HTMLButtonElement>(null);
  const declineGroup = useRef<HTMLFieldSetElement>(null);
  const switched = useRef(false);
  useEffect(() => {
    if (!switched.current) return;
    if (wrong) declineGroup.current?.querySelector<HTMLInputElement>('input')?.focus();
    else noButton.current?.focus();
  }, [wrong]);
  const showDecline = (on: boolean) => {
    switched.current = true;
    setWrong(on);
    if (!on) setReason(null);
  };
  // On a room's seat the content may still wait for its key: the roster's level is shown then.
  if (!candidate) return null;
  const level = levelName(content?.kind === 'state-language' ? content.level : undefined, candidate.level);
  return (
    <Frame title={t('identityTitle')}>
      <section className="card">
        <h1>{t('identityTitle')}</h1>
        <dl className="identity">
          <dt>{t('name')}</dt>
          <dd data-testid="candidate-name">
            {candidate.givenName} {candidate.familyName}
          </dd>
          <dt>{t('personalCode')}</dt>
          <dd className="mono">{candidate.maskedPersonalCode}</dd>
          {level && (
            <>
              <dt>{t('level')}</dt>
              <dd data-testid="candidate-level">{level}</dd>
            </>
          )}
        </dl>
        <fieldset className="lang-choice">
          <legend>{t('interfaceLanguage')}</legend>
          <p className="muted">{t('interfaceLanguageNote')}</p>
          {(['lv', 'en'] as const).map((l) => (
            <label key={l} className="choice choice-card">
              <input type="radio" name="identity-lang" checked={lang === l} onChange={() => settingsStore.getState().setLang(l)} />
              <span lang={l}>{l === 'lv' ? 'Latviešu valoda' : 'English'}</span>
            </label>
          ))}
        </fieldset>
        <h2>{t('identityQuestion')}</h2>
        {!wrong ? (
          <div className="actions">
            <button type="button" className="btn" ref={noButton} onClick={() => showDecline(true)}>
              {t('identityNo')}
            </button>
            <button type="button" className="btn btn-primary" onClick={() => void exam.confirmIdentity()}>
              {t('identityYes')}
            </button>
          </div>
        ) : (
          <fieldset className="stack-sm" data-testid="identity-decline" ref={declineGroup}>
            <legend>{t('declineWhat')}</legend>
            <p className="banner banner-error" role="alert">
              {t('identityWrong')}
            </p>
            {/* Without a level on the screen there is no level to be wrong. */}
            {IDENTITY_DECLINE_REASONS.filter((r) => r !== 'level' || level).map((r) => (
              <label key={r} className="choice choice-card">
                <input type="radio" name="decline-reason" checked={reason === r} onChange={() => setReason(r)} />
                <span>{t(DECLINE_TEXT[r])}</span>
              </label>
            ))}
            <div className="actions">
              <button
                type="button"
                className="btn"
                onClick={() => showDecline(false)}
              >
                {t('declineBack')}
              </button>
              <button
                type="button"
                className="btn btn-primary"
                disabled={reason === null || busy}
                onClick={() => {
                  if (!reason) return;
                  setBusy(true);
                  void exam.declineIdentity(reason).finally(() => setBusy(false));
                }}
              >
                {t('declineSend')}
              </button>
            </div>
          </fieldset>
        )}
      </section>
    </Frame>
  );
}

export function InstructionsScreen() {
  const t = useText();
  const exam = useExam();
  const content = useAttempt((s) => s.content);
  if (!content) return null;
  return (
    <Frame title={t('instructionsTitle')}>
      <section className="card">
        <h1 lang="lv">{content.title}</h1>
        <p className="exam-text" lang="lv">
          {content.instructions}
        </p>
        <ol className="part-list">
          {content.parts.map((p) => (
            <li key={p.id}>
              <strong lang="lv">{p.title}</strong> — {t('timeForPart', { min: Math.round(p.timeLimitSeconds / 60) })}
            </li>
          ))}
        </ol>
        <h2>{t('instructionsTitle')}</h2>
        <p>{t('howItWorks')}</p>
        <div className="actions">
          <button type="button" className="btn btn-primary" onClick={() => exam.updatePreflight({ instructions: true })}>
            {t('continue')}
          </button>
        </div>
      </section>
    </Frame>
  );
}

type MicCheck = 'idle' | 'recording' | 'ok' | 'silent' | 'missing';

/** Headphones, then three seconds of microphone with its level; a failed check closes the speaking part. */
export function EquipmentScreen({ onDone }: { onDone?: () => void }) {
  const t = useText();
  const exam = useExam();
  const [sound, setSound] = useState<'idle' | 'playing' | 'asked' | 'ok' | 'not-heard'>('idle');
  const [mic, setMic] = useState<MicCheck>('idle');
  const [level, setLevel] = useState(0);
  const [peak, setPeak] = useState(0);
  const [playback, setPlayback] = useState<string | null>(null);
  const stream = useRef<MediaStream | null>(null);

  useEffect(
    () => () => {
      stopStream(stream.current);
      if (playback) URL.revokeObjectURL(playback);
    },
    [playback],
  );

  const playSound = async () => {
    setSound('playing');
    try {
      await playTestTone();
    } catch (error) {
      console.error('test tone failed', error);
    }
    setSound('asked');
  };

  const checkMic = async () => {
    setMic('recording');
    setPeak(0);
    let s: MediaStream;
    try {
      s = await openMicrophone();
    } catch (error) {
      console.error('microphone not available', error);
      setMic('missing');
      exam.updatePreflight({ micOk: false });
      return;
    }
    stream.current = s;
    const meter = meterFor(s);
    const chunks: Blob[] = [];
    const type = preferredMimeType();
    const recorder = type ? new MediaRecorder(s, { mimeType: type }) : new MediaRecorder(s);
    recorder.addEventListener('dataavailable', (e) => chunks.push(e.data));
    recorder.start();
    let loud = 0;
    let top = 0;
    const started = performance.now();
    await new Promise<void>((resolve) => {
      const tick = setInterval(() => {
        const v = meter.read();
        top = Math.max(top, v);
        if (v > VOICE_LEVEL) loud += 1;
        setLevel(v);
        setPeak(top);
        if (performance.now() - started >= 3000) {
          clearInterval(tick);
          resolve();
        }
      }, 50);
    });
    const stopped = new Promise((resolve) => recorder.addEventListener('stop', resolve, { once: true }));
    recorder.stop();
    await stopped;
    meter.close();
    stopStream(s);
    stream.current = null;
    setLevel(0);
    if (chunks.length > 0) setPlayback(URL.createObjectURL(new Blob(chunks, { type: type || 'audio/webm' })));
    const ok = loud >= 4;
    setMic(ok ? 'ok' : 'silent');
    exam.updatePreflight({ micOk: ok });
  };

  const done = (sound === 'ok' || sound === 'not-heard') && (mic === 'ok' || mic === 'silent' || mic === 'missing');
  return (
    <Frame title={t('equipmentTitle')}>
      <section className="card">
        <h1>{t('equipmentTitle')}</h1>
        <h2>{t('soundTest')}</h2>
        <div className="actions actions-left">
          <button type="button" className="btn" onClick={() => void playSound()} disabled={sound === 'playing'}>
            ♪ {t('playTestSound')}
          </button>
        </div>
        {(sound === 'asked' || sound === 'ok' || sound === 'not-heard') && (
          <div className="stack-sm">
            <p>{t('heardQuestion')}</p>
            <div className="actions actions-left">
              <button type="button" className="btn" aria-pressed={sound === 'ok'} onClick={() => setSound('ok')}>
                {t('yes')}
              </button>
              <button type="button" className="btn" aria-pressed={sound === 'not-heard'} onClick={() => setSound('not-heard')}>
                {t('no')}
              </button>
            </div>
            {sound === 'ok' && <p className="ok">✓ {t('soundOk')}</p>}
            {sound === 'not-heard' && (
              <p className="warn" role="alert">
                ⚠ {t('soundNotHeard')}
              </p>
            )}
          </div>
        )}
        <h2>{t('micTest')}</h2>
        <p>{t('micTestHelp')}</p>
        <div className="actions actions-left">
          <button type="button" className="btn" onClick={() => void checkMic()} disabled={mic === 'recording'}>
            ● {mic === 'idle' ? t('recordThree') : mic === 'recording' ? t('recordingNow') : t('tryAgain')}
          </button>
        </div>
        <LevelBar level={mic === 'recording' ? level : peak} label={t('micLevel')} />
        {mic === 'ok' && (
          <p className="ok" data-testid="mic-ok">
            ✓ {t('micOk')}
          </p>
        )}
        {(mic === 'silent' || mic === 'missing') && (
          <p className="warn" role="alert" data-testid="mic-failed">
            ⚠ {t(mic === 'silent' ? 'micSilent' : 'micMissing')}
          </p>
        )}
        {playback && (
          <p>
            <span className="muted">{t('listenBack')}: </span>
            <audio src={playback} controls aria-label={t('listenBack')} />
          </p>
        )}
        <div className="actions">
          <button
            type="button"
            className="btn btn-primary"
            disabled={!done}
            onClick={() => {
              exam.updatePreflight({ equipment: true });
              onDone?.();
            }}
          >
            {t('continue')}
          </button>
        </div>
      </section>
    </Frame>
  );
}
