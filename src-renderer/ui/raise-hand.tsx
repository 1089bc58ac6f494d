// "Raise your hand" in the top bar of a seat in a room: the candidate says why (a question, the computer
// or headphones, feeling unwell, a break, something else) and the hub's console shows it beside the
// seat until an invigilator has seen it; then the hand goes down here too. A solo station has nobody at
// a hub to see it, so it has no such button.
import { useRef, useState } from 'react';
import { HAND_REASONS, type HandReason } from '../../src-shared/contracts/room-protocol.ts';
import { useAttempt, useExam } from '../store/exam.ts';
import { useText } from '../store/settings.ts';
import type { TextKey } from '../text.ts';

const REASON_TEXT: Record<HandReason, TextKey> = { question: 'myHandQuestion', technical: 'myHandTechnical', unwell: 'myHandUnwell', break: 'myHandBreak', other: 'myHandOther' };

export function RaiseHand() {
  const t = useText();
  const exam = useExam();
  const inRoom = useAttempt((s) => s.inRoom);
  const hand = useAttempt((s) => s.hand);
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState<HandReason | null>(null);
  const opener = useRef<HTMLButtonElement>(null);
  if (!inRoom) return null;
  if (hand) {
    return (
      <span className="hand-raised" role="status" data-testid="hand-raised">
        {t('handUp')}
      </span>
    );
  }
  const close = () => {
    setOpen(false);
    setReason(null);
    opener.current?.focus();
  };
  return (
    <div className="settings">
      <button type="button" className="btn btn-quiet" aria-expanded={open} onClick={() => setOpen(!open)} ref={opener}>
        {t('raiseHand')}
      </button>
      {open && (
        <div
          className="settings-panel"
          role="dialog"
          aria-label={t('raiseHand')}
          onKeyDown={(e) => {
            if (e.key === 'Escape') close();
          }}
        >
          <fieldset>
            <legend>{t('raiseHandWhy')}</legend>
            {HAND_REASONS.map((r) => (
              <label key={r} className="choice">
                <input type="radio" name="hand-reason" checked={reason === r} onChange={() => setReason(r)} />
                {t(REASON_TEXT[r])}
              </label>
            ))}
          </fieldset>
          <div className="actions">
            <button type="button" className="btn" onClick={close}>
              {t('cancel')}
            </button>
            <button
              type="button"
              className="btn btn-primary"
              disabled={reason === null}
              onClick={() => {
                if (reason === null) return;
                void exam.raiseHand(reason).then(close);
              }}
            >
              {t('raiseHand')}
            </button>
          </div>
        </div>
      )}
    </div>
  );
}
