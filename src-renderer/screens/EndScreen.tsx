// The end of the test: what was answered in each part, and the invigilator's way to the next candidate.
import { useState } from 'react';
import { errorText, useAttempt, useExam } from '../store/exam.ts';
import { useText } from '../store/settings.ts';
import { Frame } from '../ui/frame.tsx';
import { Content, Phrase } from '../ui/phrase.tsx';

export function EndScreen() {
  const t = useText();
  const exam = useExam();
  const view = useAttempt((s) => s.view);
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [asking, setAsking] = useState(false);
  if (!view) return null;
  return (
    <Frame title={t('endTitle')}>
      <section className="card end">
        <h1 data-testid="end-title">✓ {t('endTitle')}</h1>
        <p className="lead">{t('endText')}</p>
        <ul className="facts" data-testid="end-summary">
          {view.parts.map((part) => (
            <li key={part.partId}>
              <Phrase k="endPart" vars={{ part: <Content>{part.title}</Content>, a: part.answered, total: part.items }} />
            </li>
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
                // Only to show it is the invigilator: the session ends at once, the staff step signs in again.
                exam.station
                  .staffSignIn({ username: username.trim(), password })
                  .then(({ staffToken }) => exam.station.staffSignOut({ staffToken }))
                  .then(
                    () => exam.clearSeat(),
                    (error: unknown) => exam.attempt.setState({ error: errorText(error) }),
                  );
              }}
            >
              <label htmlFor="end-username">{t('staffUsername')}</label>
              <input id="end-username" className="input" autoComplete="username" autoCapitalize="none" spellCheck={false} value={username} onChange={(e) => setUsername(e.target.value)} autoFocus />
              <label htmlFor="end-password">{t('staffPassword')}</label>
              <input id="end-password" className="input" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} />
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
