// What covers a part while the invigilator has paused it: calm, in both languages, with the time left
// as the station froze it. It takes the focus so a screen reader says it; the test underneath is inert
// until the part resumes (the screen learns both from the heartbeat).
import { useEffect, useRef } from 'react';
import { useText } from '../store/settings.ts';
import { formatClock } from '../store/timer.ts';
import { TEXT } from '../text.ts';
import { Bilingual } from '../ui/frame.tsx';

export function PausedScreen({ remainingMs }: { remainingMs: number }) {
  const t = useText();
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => ref.current?.focus(), []);
  return (
    <div className="dialog-backdrop paused-backdrop">
      <div className="dialog paused" role="dialog" aria-modal="true" aria-labelledby="paused-title" aria-describedby="paused-text" tabIndex={-1} ref={ref} data-testid="paused">
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
      </div>
    </div>
  );
}
