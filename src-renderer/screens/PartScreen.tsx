// The item screen of a running part: the task with its stimuli and the current item, navigation, flags
// and the overview, the warning before leaving a silent or short spoken answer, the submit
// confirmation, the end of the part when the station's time runs out, and the paused screen over all
// of it while the invigilator has paused the part.
import { useEffect, useMemo, useRef, useState } from 'react';
import { isAnswered } from '../../src-shared/content/responses.ts';
import { takesLeft } from '../../src-shared/rules/takes.ts';
import { errorText, useAnswers, useAttempt, useAudio, useExam } from '../store/exam.ts';
import { useText } from '../store/settings.ts';
import { TEXT } from '../text.ts';
import { ConfirmDialog, Frame, useRemaining } from '../ui/frame.tsx';
import { ItemView } from '../items/ItemView.tsx';
import { StimulusView } from '../items/Stimuli.tsx';
import { ItemNav } from './ItemNav.tsx';
import { Overview } from './Overview.tsx';
import { PausedScreen } from './PausedScreen.tsx';
import { usePart, type PlacedItem } from './part.ts';

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
  const takes = useAudio((s) => s.takes);
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
  const paused = status === 'paused';

  const go = (target: string | 'submit') => {
    if (busyItem) {
      exam.attempt.setState({ error: TEXT.busyRecording });
      return;
    }
    // Asking whether to stay makes sense only while the task still allows another take.
    const speaking = current.item.type === 'speaking' ? current.item : null;
    if (speaking && warnings[speaking.id] && leaveTo === null && takesLeft(speaking.recordingsAllowed, takes[speaking.id] ?? []) > 0) {
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
      {/* While paused nothing underneath can be reached, by pointer or keyboard (dialogs included). */}
      <div className="part-body" inert={paused}>
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
      </div>
      {paused && <PausedScreen remainingMs={ms} />}
    </Frame>
  );
}
