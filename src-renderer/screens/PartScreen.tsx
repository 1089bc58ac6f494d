// The item screen of a running part: the task with its stimuli and the current item, navigation, flags
// and the overview, the question before leaving a task whose recording is playing (leaving stops it and
// the play is used up; the task's own items can be answered while it plays), the warning before
// leaving a silent or short spoken answer while a take is left, the submit confirmation, the end of the
// part when the station's time runs out, and the paused screen over all of it while the invigilator has
// paused the part. Each message lasts as long as what causes it: the question about the playing
// recording goes when the recording ends, "not while recording" when the recording does.
import { useEffect, useMemo, useRef, useState } from 'react';
import { isAnswered } from '../../src-shared/content/responses.ts';
import { takesLeft } from '../../src-shared/rules/takes.ts';
import { errorText, useAnswers, useAttempt, useAudio, useExam } from '../store/exam.ts';
import { useText } from '../store/settings.ts';
import { TEXT } from '../text.ts';
import { Bilingual, ConfirmDialog, Frame, useRemaining } from '../ui/frame.tsx';
import { Content, Phrase } from '../ui/phrase.tsx';
import { ItemView } from '../items/ItemView.tsx';
import { StimulusView } from '../items/Stimuli.tsx';
import { ItemNav } from './ItemNav.tsx';
import { Overview } from './Overview.tsx';
import { PausedScreen } from './PausedScreen.tsx';
import { usePart, type PlacedItem } from './part.ts';
import { useBarHeight } from '../ui/in-view.ts';

/** How many items are still unanswered and how many flagged; its own component so typing does not re-render the part. */
function ReviewNote({ items }: { items: PlacedItem[] }) {
  const t = useText();
  const values = useAnswers((s) => s.values);
  const flags = useAttempt((s) => s.flags);
  const unanswered = items.filter(({ item }) => !isAnswered(item, values[item.id])).length;
  const flagged = items.filter(({ item }) => flags[item.id]).length;
  return (
    <>
      {unanswered > 0 && <p className="warn">⚠ {t('submitUnanswered', { n: unanswered })}</p>}
      {flagged > 0 && <p className="warn">⚑ {t('submitFlagged', { n: flagged })}</p>}
    </>
  );
}

type LeaveReason = 'playing' | 'speaking';
/** Where the candidate asked to go, what is being asked before they leave, and what they already confirmed. */
interface Leave {
  target: string | 'submit';
  reason: LeaveReason;
  asked: readonly LeaveReason[];
}

export function PartScreen() {
  const t = useText();
  const exam = useExam();
  const found = usePart();
  const itemId = useAttempt((s) => s.itemId);
  const flags = useAttempt((s) => s.flags);
  const busyItem = useAudio((s) => s.busyItem);
  const playing = useAudio((s) => s.playing);
  const warnings = useAudio((s) => s.warnings);
  const takes = useAudio((s) => s.takes);
  const [overview, setOverview] = useState(false);
  const [confirm, setConfirm] = useState(false);
  const [submitting, setSubmitting] = useState(false);
  const [leave, setLeave] = useState<Leave | null>(null);
  // The candidate tried to move while recording; said only while that recording lasts.
  const [triedWhileBusy, setTriedWhileBusy] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);
  const footer = useBarHeight('--footer-h');
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

  // A message outlives nothing: the recording ended, so there is nothing to wait for or to ask about.
  useEffect(() => {
    if (!busyItem) setTriedWhileBusy(false);
  }, [busyItem]);
  useEffect(() => {
    if (!playing) setLeave((l) => (l?.reason === 'playing' ? null : l));
  }, [playing]);

  if (!found || !current) return null;
  const { part, index: partIndex, total } = found;
  const paused = status === 'paused';

  /** Move to an item or to the submit confirmation, asking first what `asked` does not hold yet. */
  const go = (target: string | 'submit', asked: readonly LeaveReason[] = []) => {
    if (busyItem) {
      setTriedWhileBusy(true);
      return;
    }
    const leavesTask = target === 'submit' || items.find((x) => x.item.id === target)?.task.id !== current.task.id;
    if (playing && leavesTask && !asked.includes('playing')) {
      setLeave({ target, reason: 'playing', asked });
      return;
    }
    // Asking whether to stay makes sense only while the task still allows another take.
    const speaking = current.item.type === 'speaking' ? current.item : null;
    if (speaking && warnings[speaking.id] && !asked.includes('speaking') && takesLeft(speaking.recordingsAllowed, takes[speaking.id] ?? []) > 0) {
      setLeave({ target, reason: 'speaking', asked });
      return;
    }
    setLeave(null);
    setOverview(false);
    if (target === 'submit') setConfirm(true);
    else exam.goToItem(target);
  };

  const prev = items[index - 1];
  const next = items[index + 1];

  return (
    <Frame
      title={
        <>
          <Content>{part.title}</Content> · {t('partOf', { n: partIndex + 1, total })}
        </>
      }
      partId={part.id}
      heading
    >
      {/* While paused nothing underneath can be reached, by pointer or keyboard (dialogs included). */}
      <div className="part-body" inert={paused}>
        <div className="part-layout">
          <ItemNav items={items} currentId={current.item.id} onGo={(id) => go(id)} />
          <section className="task" aria-labelledby="task-title">
            <h2 className="eyebrow" lang="lv" id="task-title">
              {current.task.title}
            </h2>
            {current.task.instructions && (
              <p className="instructions" lang="lv">
                {current.task.instructions}
              </p>
            )}
            {current.task.stimuli.map((s) => (
              <StimulusView key={s.id} stimulus={s} />
            ))}
            <h3 className="item-heading" tabIndex={-1} ref={heading}>
              {t('itemNofM', { n: current.number, total: items.length })}
            </h3>
            <ItemView key={current.item.id} item={current.item} />
          </section>
        </div>
        {/* One row at every text size: where the full labels do not fit, the tools show their icon
            (styles.css, by the bar's own width) and keep their whole label as the accessible name.
            "Nākamais" is the one primary action; submitting the part stays secondary. */}
        <footer className="part-footer" ref={footer}>
          {/* Said in the bar, over the button that was pressed: below the sticky bar it would be out of sight. */}
          {triedWhileBusy && busyItem && (
            <p className="warn" role="alert" data-testid="busy-recording">
              ⚠ <Bilingual text={TEXT.busyRecording} />
            </p>
          )}
          <div className="part-footer-row">
            <button type="button" className="btn btn-tool" disabled={!prev} onClick={() => prev && go(prev.item.id)} data-testid="prev" title={t('previous')}>
              <span aria-hidden="true">←</span>
              <span className="tool-label-1">{t('previous')}</span>
            </button>
            <button
              type="button"
              className="btn btn-tool"
              aria-pressed={Boolean(flags[current.item.id])}
              onClick={() => exam.toggleFlag(current.item.id)}
              data-testid="flag"
              title={flags[current.item.id] ? t('unflag') : t('flag')}
            >
              <span aria-hidden="true">⚑</span>
              {flags[current.item.id] ? (
                <span className="tool-label-3">{t('unflag')}</span>
              ) : (
                <>
                  <span className="tool-label-2">{t('flag')}</span>
                  <span className="tool-label-short" aria-hidden="true">
                    {t('flagShort')}
                  </span>
                </>
              )}
            </button>
            <button type="button" className="btn btn-tool" onClick={() => setOverview(true)} data-testid="overview" title={t('overview')}>
              <span aria-hidden="true">☰</span>
              <span className="tool-label-3">{t('overview')}</span>
            </button>
            <span className="spacer" />
            {next ? (
              <>
                <button type="button" className="btn btn-quiet" onClick={() => go('submit')} data-testid="submit-part-early">
                  {t('submitPart')}
                </button>
                <button type="button" className="btn btn-primary" onClick={() => go(next.item.id)} data-testid="next">
                  {t('next')} <span aria-hidden="true">→</span>
                </button>
              </>
            ) : (
              <button type="button" className="btn" onClick={() => go('submit')} data-testid="submit-part">
                {t('submitPart')}
              </button>
            )}
          </div>
        </footer>
        {overview && <Overview items={items} onGo={(id) => go(id)} onClose={() => setOverview(false)} />}
        {leave?.reason === 'playing' && playing && (
          <ConfirmDialog title={t('leavePlayingTitle')} yes={t('leavePlayingYes')} no={t('stayListening')} onNo={() => setLeave(null)} onYes={() => go(leave.target, [...leave.asked, 'playing'])}>
            <p>{t('leavePlayingText')}</p>
          </ConfirmDialog>
        )}
        {leave?.reason === 'speaking' && (
          <ConfirmDialog
            title={t('leaveWarningTitle')}
            yes={t('leaveAnyway')}
            no={t('stayHere')}
            onNo={() => setLeave(null)}
            onYes={() => {
              exam.audio.getState().setWarning(current.item.id, null);
              go(leave.target, [...leave.asked, 'speaking']);
            }}
          >
            <p>{t(warnings[current.item.id] === 'silent' ? 'silentWarning' : 'shortWarning')}</p>
          </ConfirmDialog>
        )}
        {confirm && (
          <ConfirmDialog
            title={<Phrase k="submitConfirmTitle" vars={{ part: <Content>{part.title}</Content> }} />}
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
            <ReviewNote items={items} />
            {submitting && <p role="status">{t('submitWaitSave')}</p>}
          </ConfirmDialog>
        )}
      </div>
      {paused && <PausedScreen remainingMs={ms} />}
    </Frame>
  );
}
