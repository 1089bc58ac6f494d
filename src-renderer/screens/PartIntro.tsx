// A part's introduction: what it holds and how long it takes; the part's timer starts when the
// candidate starts it. A speaking part stays closed until the microphone has been checked.
import { useState } from 'react';
import { accommodationExtraMs } from '../../src-shared/rules/accommodations.ts';
import { useAttempt, useExam } from '../store/exam.ts';
import { useText } from '../store/settings.ts';
import { Frame } from '../ui/frame.tsx';
import { Content } from '../ui/phrase.tsx';
import { EquipmentScreen } from './Preflight.tsx';
import { usePart } from './part.ts';

export function PartIntro() {
  const t = useText();
  const exam = useExam();
  const found = usePart();
  const micOk = useAttempt((s) => s.preflight.micOk);
  const waitingForStart = useAttempt((s) => s.waitingForStart);
  const extraTimePercent = useAttempt((s) => s.view?.extraTimePercent ?? null);
  const [busy, setBusy] = useState(false);
  const [checking, setChecking] = useState(false);
  if (!found) return null;
  const { part, index, total } = found;
  if (checking) return <EquipmentScreen onDone={() => setChecking(false)} />;
  const blocked = part.kind === 'speaking' && micOk !== true;
  // A registered extra time is given as the part starts: the introduction already says how long it will be.
  const min = Math.round(part.timeLimitSeconds / 60);
  const extraMs = extraTimePercent ? accommodationExtraMs(part.timeLimitSeconds * 1000, { extraTimePercent, largePrint: false, separateRoom: false, other: [] }) : 0;
  return (
    <Frame title={<Content>{part.title}</Content>}>
      <section className="card">
        <p className="eyebrow">{t('partOf', { n: index + 1, total })}</p>
        <h1 lang="lv">{part.title}</h1>
        <p className="exam-text" lang="lv">
          {part.instructions}
        </p>
        <ul className="facts">
          <li data-testid="part-time">{extraTimePercent ? t('timeForPartExtra', { min, extra: Math.round(extraMs / 60_000), percent: extraTimePercent }) : t('timeForPart', { min })}</li>
          <li>{t('tasksInPart', { n: part.tasks.length })}</li>
        </ul>
        {blocked ? (
          <div className="stack-sm">
            <p className="warn" role="alert" data-testid="speaking-blocked">
              ⚠ {t('speakingNeedsMic')}
            </p>
            <button type="button" className="btn" onClick={() => setChecking(true)}>
              {t('checkMicAgain')}
            </button>
          </div>
        ) : waitingForStart ? (
          <div className="banner banner-notice" role="status" data-testid="waiting-for-start">
            <div className="banner-text">
              <strong>{t('waitingForStartTitle')}</strong>
              <p>{t('waitingForStartText')}</p>
            </div>
          </div>
        ) : (
          <>
            <p className="muted">{t('startPartNote')}</p>
            <div className="actions">
              <button
                type="button"
                className="btn btn-primary btn-large"
                disabled={busy}
                data-testid="start-part"
                onClick={() => {
                  setBusy(true);
                  void exam.startPart(part.id).finally(() => setBusy(false));
                }}
              >
                {t('startPart')}
              </button>
            </div>
          </>
        )}
      </section>
    </Frame>
  );
}
