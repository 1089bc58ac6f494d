// A part of the test: its introduction (the timer starts when the candidate starts it), the item screen
// with navigation, flags and an overview, the submit confirmation, and the end of time.
import { useEffect, useMemo, useRef, useState } from 'react';
import type { Item, Part, Task } from '../../src-shared/content/schema.ts';
import { isAnswered } from '../../src-shared/content/responses.ts';
import { errorText, useAnswers, useAttempt, useAudio, useExam } from '../store/exam.ts';
import { useText } from '../store/settings.ts';
import { ConfirmDialog, Frame, useRemaining } from '../ui/frame.tsx';
import { ItemView } from '../items/ItemView.tsx';
import { StimulusView } from '../items/Stimuli.tsx';
import { EquipmentScreen } from './Preflight.tsx';

function usePart(): { part: Part; index: number; total: number } | null {
  const content = useAttempt((s) => s.content);
  const partId = useAttempt((s) => s.partId);
  if (!content || !partId) return null;
  const index = content.parts.findIndex((p) => p.id === partId);
  const part = content.parts[index];
  return part ? { part, index, total: content.parts.length } : null;
}

export function PartIntro() {
  const t = useText();
  const exam = useExam();
  const found = usePart();
  const micOk = useAttempt((s) => s.preflight.micOk);
  const [busy, setBusy] = useState(false);
  const [checking, setChecking] = useState(false);
  if (!found) return null;
  const { part, index, total } = found;
  if (checking) return <EquipmentScreen onDone={() => setChecking(false)} />;
  const blocked = part.kind === 'speaking' && micOk !== true;
  return (
    <Frame title={part.title}>
      <section className="card">
        <p className="eyebrow">{t('partOf', { n: index + 1, total })}</p>
        <h1 lang="lv">{part.title}</h1>
        <p className="exam-text" lang="lv">
          {part.instructions}
        </p>
        <ul className="facts">
          <li>{t('timeForPart', { min: Math.round(part.timeLimitSeconds / 60) })}</li>
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

interface PlacedItem {
  item: Item;
  task: Task;
  number: number;
}

function ItemNav({ items, currentId, onGo }: { items: PlacedItem[]; currentId: string | null; onGo: (id: string) => void }) {
  const t = useText();
  // A string of answered marks, so typing re-renders the list only when an item changes state.
  const marks = useAnswers((s) => items.map(({ item }) => (isAnswered(item, s.values[item.id]) ? '1' : '0')).join(''));
  const unsaved = useAnswers((s) => s.unsaved);
  const flags = useAttempt((s) => s.flags);
  return (
    <nav className="item-nav" aria-label={t('itemsNav')}>
      <ol>
        {items.map(({ item, number }, i) => {
          const answered = marks[i] === '1';
          const flagged = Boolean(flags[item.id]);
          const current = item.id === currentId;
          const state = [answered ? t('answered') : t('unanswered'), flagged ? t('flagged') : null, current ? t('current') : null].filter(Boolean).join(', ');
          return (
            <li key={item.id}>
              <button
                type="button"
                className={`nav-item${answered ? ' is-answered' : ''}${flagged ? ' is-flagged' : ''}${current ? ' is-current' : ''}`}
                aria-current={current ? 'step' : undefined}
                aria-label={`${t('item')} ${number}: ${state}`}
                title={state}
                onClick={() => onGo(item.id)}
                data-testid={`nav-${item.id}`}
              >
                <span className="nav-n">{number}</span>
                <span className="nav-mark" aria-hidden="true">
                  {answered ? '✓' : '○'}
                  {flagged && <span className="nav-flag">⚑</span>}
                </span>
                {unsaved[item.id] && (
                  <span className="nav-unsaved" aria-hidden="true">
                    …
                  </span>
                )}
              </button>
            </li>
          );
        })}
      </ol>
    </nav>
  );
}

function Overview({ items, onGo, onClose }: { items: PlacedItem[]; onGo: (id: string) => void; onClose: () => void }) {
  const t = useText();
  const values = useAnswers((s) => s.values);
  const flags = useAttempt((s) => s.flags);
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => ref.current?.querySelector<HTMLButtonElement>('button')?.focus(), []);
  const answered = items.filter(({ item }) => isAnswered(item, values[item.id])).length;
  return (
    <div className="dialog-backdrop">
      <div className="dialog dialog-wide" role="dialog" aria-modal="true" aria-labelledby="overview-title" ref={ref} onKeyDown={(e) => e.key === 'Escape' && onClose()}>
        <h2 id="overview-title">{t('overviewTitle')}</h2>
        <p>{t('answeredCount', { a: answered, total: items.length })}</p>
        <table className="overview">
          <tbody>
            {items.map(({ item, task, number }) => (
              <tr key={item.id}>
                <td>
                  <button type="button" className="btn btn-small" onClick={() => onGo(item.id)}>
                    {t('item')} {number}
                  </button>
                </td>
                <td lang="lv" className="muted">
                  {task.title}
                </td>
                <td>{isAnswered(item, values[item.id]) ? `✓ ${t('answered')}` : `○ ${t('unanswered')}`}</td>
                <td>{flags[item.id] ? `⚑ ${t('flagged')}` : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <div className="dialog-actions">
          <button type="button" className="btn" onClick={onClose}>
            {t('closeOverview')}
          </button>
        </div>
      </div>
    </div>
  );
}

/** How many items are still unanswered; its own component so typing does not re-render the part. */
function UnansweredNote({ items }: { items: PlacedItem[] }) {
  const t = useText();
  const values = useAnswers((s) => s.values);
  const n = items.filter(({ item }) => !isAnswered(item, values[item.id])).length;
  return n > 0 ? <p className="warn">⚠ {t('submitUnanswered', { n })}</p> : null;
}

export function PartScreen() {
  const t = useText();
  const exam = useExam();
  const found = usePart();
  const itemId = useAttempt((s) => s.itemId);
  const flags = useAttempt((s) => s.flags);
  const busyItem = useAudio((s) => s.busyItem);
  const warnings = useAudio((s) => s.warnings);
  const [overview, setOverview] = useState(false);
  const [confirm, setConfirm] = useState(false);
  const [submitting, setSubmitting] = useState(false);
  const [leaveTo, setLeaveTo] = useState<string | 'submit' | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const { ms, status } = useRemaining(found?.part.id ?? null);

  const items = useMemo<PlacedItem[]>(() => {
    if (!found) return [];
    let n = 0;
    return found.part.tasks.flatMap((task) => task.items.map((item) => ({ item, task, number: (n += 1) })));
  }, [found]);

  // When the station's time runs out the part ends: saved answers are submitted and the test moves on.
  const ending = useRef(false);
  useEffect(() => {
    if (!found || ending.current) return;
    if ((status === 'running' && ms <= 0) || status === 'expired') {
      ending.current = true;
      void exam.submitPart(found.part.id, 'time-up').catch((error: unknown) => {
        ending.current = false;
        exam.attempt.setState({ error: errorText(error) });
      });
    }
  }, [exam, found, ms, status]);

  const index = Math.max(0, items.findIndex((x) => x.item.id === itemId));
  const current = items[index];

  useEffect(() => {
    heading.current?.focus();
  }, [itemId]);

  if (!found || !current) return null;
  const { part, index: partIndex, total } = found;

  const go = (target: string | 'submit') => {
    if (busyItem) {
      exam.attempt.setState({ error: { lv: 'Ieraksta laikā pāriet uz citu jautājumu nevar.', en: 'You cannot move to another question while recording.' } });
      return;
    }
    if (current.item.type === 'speaking' && warnings[current.item.id] && leaveTo === null) {
      setLeaveTo(target);
      return;
    }
    setLeaveTo(null);
    setOverview(false);
    if (target === 'submit') setConfirm(true);
    else exam.goToItem(target);
  };

  const prev = items[index - 1];
  const next = items[index + 1];

  return (
    <Frame title={`${part.title} · ${t('partOf', { n: partIndex + 1, total })}`} partId={part.id}>
      <div className="part-layout">
        <ItemNav items={items} currentId={current.item.id} onGo={go} />
        <section className="task" aria-labelledby="task-title">
          <p className="eyebrow" lang="lv" id="task-title">
            {current.task.title}
          </p>
          {current.task.instructions && (
            <p className="instructions" lang="lv">
              {current.task.instructions}
            </p>
          )}
          {current.task.stimuli.map((s) => (
            <StimulusView key={s.id} stimulus={s} />
          ))}
          <h2 className="item-heading" tabIndex={-1} ref={heading}>
            {t('itemNofM', { n: current.number, total: items.length })}
          </h2>
          <ItemView key={current.item.id} item={current.item} />
        </section>
      </div>
      <footer className="part-footer">
        <button type="button" className="btn" disabled={!prev} onClick={() => prev && go(prev.item.id)} data-testid="prev">
          {t('previous')}
        </button>
        <button type="button" className="btn" aria-pressed={Boolean(flags[current.item.id])} onClick={() => exam.toggleFlag(current.item.id)} data-testid="flag">
          ⚑ {flags[current.item.id] ? t('unflag') : t('flag')}
        </button>
        <button type="button" className="btn" onClick={() => setOverview(true)} data-testid="overview">
          ☰ {t('overview')}
        </button>
        <span className="spacer" />
        {next && (
          <button type="button" className="btn btn-quiet" onClick={() => go('submit')}>
            {t('submitPart')}
          </button>
        )}
        {next ? (
          <button type="button" className="btn btn-primary" onClick={() => go(next.item.id)} data-testid="next">
            {t('next')}
          </button>
        ) : (
          <button type="button" className="btn btn-primary" onClick={() => go('submit')} data-testid="submit-part">
            {t('submitPart')}
          </button>
        )}
      </footer>
      {overview && <Overview items={items} onGo={go} onClose={() => setOverview(false)} />}
      {leaveTo !== null && (
        <ConfirmDialog
          title={t('leaveWarningTitle')}
          yes={t('leaveAnyway')}
          no={t('stayHere')}
          onNo={() => setLeaveTo(null)}
          onYes={() => {
            const target = leaveTo;
            exam.audio.getState().setWarning(current.item.id, null);
            setLeaveTo(null);
            if (target === 'submit') setConfirm(true);
            else exam.goToItem(target);
          }}
        >
          <p>{t(warnings[current.item.id] === 'silent' ? 'silentWarning' : 'shortWarning')}</p>
        </ConfirmDialog>
      )}
      {confirm && (
        <ConfirmDialog
          title={t('submitConfirmTitle', { part: part.title })}
          yes={t('submitYes')}
          no={t('submitNo')}
          busy={submitting}
          onNo={() => setConfirm(false)}
          onYes={() => {
            setSubmitting(true);
            exam
              .submitPart(part.id)
              .catch((error: unknown) => exam.attempt.setState({ error: errorText(error) }))
              .finally(() => {
                setSubmitting(false);
                setConfirm(false);
              });
          }}
        >
          <p>{t('submitConfirmText')}</p>
          <UnansweredNote items={items} />
          {submitting && <p role="status">{t('submitWaitSave')}</p>}
        </ConfirmDialog>
      )}
    </Frame>
  );
}

export function EndScreen() {
  const t = useText();
  const exam = useExam();
  const view = useAttempt((s) => s.view);
  const [pin, setPin] = useState('');
  const [asking, setAsking] = useState(false);
  if (!view) return null;
  return (
    <Frame title={t('endTitle')}>
      <section className="card end">
        <h1 data-testid="end-title">✓ {t('endTitle')}</h1>
        <p className="lead">{t('endText')}</p>
        <ul className="facts" data-testid="end-summary">
          {view.parts.map((part) => (
            <li key={part.partId}>{t('endPart', { part: part.title, a: part.answered, total: part.items })}</li>
          ))}
        </ul>
        <div className="staff-corner">
          {!asking ? (
            <button type="button" className="btn btn-quiet" onClick={() => setAsking(true)}>
              {t('nextCandidate')}
            </button>
          ) : (
            <form
              className="actions actions-left"
              onSubmit={(e) => {
                e.preventDefault();
                exam.station.staffSignIn({ pin }).then(
                  () => exam.clearSeat(),
                  (error: unknown) => exam.attempt.setState({ error: errorText(error) }),
                );
              }}
            >
              <label htmlFor="end-pin">{t('staffPin')}</label>
              <input id="end-pin" className="input input-pin" type="password" value={pin} onChange={(e) => setPin(e.target.value)} autoFocus />
              <button type="submit" className="btn">
                {t('continue')}
              </button>
            </form>
          )}
        </div>
      </section>
    </Frame>
  );
}
