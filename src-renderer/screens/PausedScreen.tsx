// What covers a part while the invigilator has paused it: calm, in both languages, with the time left
// as the station froze it. It takes the focus so a screen reader says it; the test underneath is inert
// until the part resumes (the screen learns both from the heartbeat).
import { useText } from '../store/settings.ts';
import { formatClock } from '../store/timer.ts';
import { TEXT } from '../text.ts';
import { Bilingual, Modal } from '../ui/frame.tsx';

export function PausedScreen({ remainingMs }: { remainingMs: number }) {
  const t = useText();
  // Opened after any dialog of the part, so it lies above them; Escape does not send it away.
  return (
    <Modal labelledBy="paused-title" describedBy="paused-text" className="paused" backdropClassName="paused-backdrop" testId="paused">
      {/* Two bars drawn by CSS: the pause sign is not in every font the seats have. */}
      <p className="paused-icon" aria-hidden="true">
        <span />
        <span />
      </p>
      <h2 id="paused-title">
        <Bilingual text={TEXT.pausedTitle} />
      </h2>
      <p id="paused-text">
        <Bilingual text={TEXT.pausedText} />
      </p>
      <p className="paused-time">{t('pausedTimeLeft', { time: formatClock(remainingMs) })}</p>
    </Modal>
  );
}
