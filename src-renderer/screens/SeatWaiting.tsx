// A room's seat before its candidate may begin: waiting, calmly, for the invigilator to seat someone
// here (with the seat's label, so the invigilator and the candidate find the right desk), and, once the
// candidate confirmed their details, waiting for the invigilator to authorise them. Neither screen
// reaches an attempt: the first has none, the second only the candidate's own, and the station holds
// the first part until the invigilator's authorisation arrives. An authorised candidate whose test has
// not been released yet (its key comes at the start) waits here too.
import { useAttempt } from '../store/exam.ts';
import { useText } from '../store/settings.ts';
import type { TextKey } from '../text.ts';
import { Frame } from '../ui/frame.tsx';

const WAITING_TEXT: Record<'no-candidate' | 'claimed' | 'handed-back' | 'start', TextKey> = {
  'no-candidate': 'seatWaitingText',
  start: 'seatStartText',
  claimed: 'seatClaimedText',
  'handed-back': 'seatHandedBackText',
};

export function SeatWaitingScreen() {
  const t = useText();
  const waiting = useAttempt((s) => s.waiting);
  const label = useAttempt((s) => s.seatLabel);
  return (
    <Frame title={t('seatWaitingTitle')} heading>
      <section className="card calm" data-testid="seat-waiting">
        {label && (
          <p className="seat-label" data-testid="seat-label">
            {t('seatLabel', { label })}
          </p>
        )}
        <p className="lead" role="status">
          {t(WAITING_TEXT[waiting ?? 'no-candidate'])}
        </p>
      </section>
    </Frame>
  );
}

export function AwaitingAuthorisationScreen() {
  const t = useText();
  const candidate = useAttempt((s) => s.candidate);
  return (
    <Frame title={t('awaitingTitle')} heading>
      <section className="card calm" data-testid="awaiting-authorisation">
        {candidate && (
          <p className="lead" data-testid="candidate-name">
            {candidate.givenName} {candidate.familyName}
          </p>
        )}
        <p role="status">{t('awaitingText')}</p>
      </section>
    </Frame>
  );
}
