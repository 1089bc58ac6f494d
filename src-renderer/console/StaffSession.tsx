// The signed-in person's session on the console: the station locks it after inactivity (or the person
// locks it on leaving the desk), and then the console shows only the PIN unlock until the PIN opens it
// again; nothing of the room stays on the screen meanwhile. Asking the station about the session is
// not activity, so asking every few seconds never keeps a session open. A session that ended (three
// wrong PINs, expired, the account disabled) takes the console back to sign-in.
import { createContext, useContext, useEffect, useRef, useState } from 'react';
import type { StaffSessionView, StationApi } from '../../src-shared/contracts/station-api.ts';
import { StationError, type BilingualText } from '../../src-shared/errors.ts';
import { useText } from '../store/settings.ts';
import { Bilingual, SettingsButton } from '../ui/frame.tsx';
import { UNREACHABLE } from './room-data.ts';

const SESSION_POLL_MS = 3000;

/** What the session gives the pages inside it: who is signed in, and locking on leaving the desk. */
export interface StaffSessionContext {
  session: StaffSessionView;
  lock(): void;
}

const Session = createContext<StaffSessionContext | null>(null);

/** The signed-in session, for a page that shows what the person may do (null outside a session). */
export const useStaffSession = (): StaffSessionContext | null => useContext(Session);

/** "Lock" for the console's top bar: shown inside a session only. */
export function LockButton() {
  const t = useText();
  const context = useStaffSession();
  if (!context) return null;
  return (
    <button type="button" className="btn" onClick={context.lock}>
      {t('lockNow')}
    </button>
  );
}

function Unlock({ station, token, session, onUnlocked, onEnded }: { station: StationApi; token: string; session: StaffSessionView; onUnlocked: (s: StaffSessionView) => void; onEnded: () => void }) {
  const t = useText();
  const [pin, setPin] = useState('');
  const [error, setError] = useState<BilingualText | null>(null);
  const [busy, setBusy] = useState(false);
  const signInAgain = () => {
    void station.staffSignOut({ staffToken: token }).catch(() => undefined).finally(onEnded);
  };
  return (
    <div className="frame">
      <header className="topbar">
        <div className="topbar-title">
          <span className="app-name" data-testid="app-name">
            {t('consoleName')}
          </span>
          <h1 className="screen-title">{t('lockedSessionTitle')}</h1>
        </div>
        <div className="topbar-status">
          <SettingsButton />
        </div>
      </header>
      <main className="content" id="main">
        <form
          className="card stack-sm"
          onSubmit={(e) => {
            e.preventDefault();
            setBusy(true);
            setError(null);
            station
              .staffUnlock({ staffToken: token, pin })
              .then(onUnlocked)
              .catch((caught: unknown) => {
                if (caught instanceof StationError && (caught.code === 'STAFF_SESSION_ENDED' || caught.code === 'STAFF_REQUIRED')) onEnded();
                else setError(caught instanceof StationError ? caught.text : UNREACHABLE);
              })
              .finally(() => {
                setBusy(false);
                setPin('');
              });
          }}
        >
          <p>{t('lockedSessionText', { name: session.account.displayName })}</p>
          {session.account.hasPin ? (
            <label className="field">
              <span>{t('staffPin')}</span>
              <input className="input" type="password" inputMode="numeric" autoComplete="off" autoFocus value={pin} onChange={(e) => setPin(e.target.value)} />
            </label>
          ) : (
            <p>{t('lockedSessionNoPin')}</p>
          )}
          {error && (
            <p className="banner banner-error" role="alert">
              <Bilingual text={error} />
            </p>
          )}
          <div className="actions">
            {session.account.hasPin && (
              <button type="submit" className="btn btn-primary" disabled={busy || pin === ''}>
                {t('unlock')}
              </button>
            )}
            <button type="button" className="btn" onClick={signInAgain}>
              {t('signInAgain')}
            </button>
          </div>
        </form>
      </main>
    </div>
  );
}

/** The pages of a signed-in person, or the PIN unlock while their session is locked. */
export function StaffSessionGate({ station, token, onEnded, children }: { station: StationApi; token: string; onEnded: () => void; children: React.ReactNode }) {
  const [session, setSession] = useState<StaffSessionView | null>(null);
  // The latest callback, without asking the station again whenever the parent renders.
  const ended = useRef(onEnded);
  ended.current = onEnded;
  useEffect(() => {
    let live = true;
    const check = () =>
      station.getStaffSession({ staffToken: token }).then(
        (now) => live && setSession(now),
        (caught: unknown) => {
          // Gone for good: sign in again. A station that does not answer just now is asked again.
          if (live && caught instanceof StationError && caught.code === 'STAFF_REQUIRED') ended.current();
        },
      );
    void check();
    const timer = setInterval(() => void check(), SESSION_POLL_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [station, token]);
  if (!session) return null;
  if (session.locked) return <Unlock station={station} token={token} session={session} onUnlocked={setSession} onEnded={onEnded} />;
  const lock = () => {
    void station.staffLock({ staffToken: token }).then(() => setSession({ ...session, locked: true }), () => undefined);
  };
  return <Session.Provider value={{ session, lock }}>{children}</Session.Provider>;
}
