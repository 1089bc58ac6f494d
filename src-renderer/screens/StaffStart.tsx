// The invigilator's minimal step on a solo station before the candidate sits down: sign in with their
// username and password, choose the candidate from the roster and the test, type the package key, start. When the
// candidate handed the screen back (the details were not theirs) the step says whose and why. On a seat
// not yet paired with its room computer, the person who may pair it (IT, the chief) is offered that first.
import { useState, type FormEvent } from 'react';
import type { PackageSummary } from '../../src-shared/contracts/package-manifest.ts';
import type { CandidateView, IdentityDeclineReason, RoomStatus } from '../../src-shared/contracts/station-api.ts';
import { shortDeviceId } from '../../src-shared/rules/device-id.ts';
import { errorText, useAttempt, useExam } from '../store/exam.ts';
import type { TextKey } from '../text.ts';
import { useText } from '../store/settings.ts';
import { Frame } from '../ui/frame.tsx';
import { SeatSetup } from './SeatSetup.tsx';

const HANDED_BACK_TEXT: Record<IdentityDeclineReason, TextKey> = {
  'not-me': 'handedBackNotMe',
  name: 'handedBackName',
  'personal-code': 'handedBackPersonalCode',
  level: 'handedBackLevel',
};

export function StaffStart() {
  const t = useText();
  const exam = useExam();
  const handedBack = useAttempt((s) => s.handedBack);
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [token, setToken] = useState<string | null>(null);
  const [candidates, setCandidates] = useState<CandidateView[]>([]);
  const [packages, setPackages] = useState<PackageSummary[]>([]);
  const [candidateId, setCandidateId] = useState('');
  const [packageId, setPackageId] = useState('');
  const [key, setKey] = useState('');
  const [busy, setBusy] = useState(false);
  /** On an unpaired seat: 'pair' for a person who may pair it, 'ask' for one who may not; null otherwise and once paired. */
  const [seatStep, setSeatStep] = useState<'pair' | 'ask' | null>(null);
  const [paired, setPaired] = useState<NonNullable<RoomStatus['seat']> | null>(null);
  const [mayPrepare, setMayPrepare] = useState(true);
  // A hub that lost its database waits for IT to take this seat back (docs/room.md); the seat works on meanwhile.
  const [rejoin, setRejoin] = useState<'requested' | 'refused' | null>(null);

  const run = async (work: () => Promise<void>): Promise<void> => {
    setBusy(true);
    exam.attempt.setState({ error: null });
    try {
      await work();
    } catch (error) {
      console.error('invigilator step failed', error);
      exam.attempt.setState({ error: errorText(error) });
    } finally {
      setBusy(false);
    }
  };

  const signIn = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      const { staffToken, session } = await exam.station.staffSignIn({ username: username.trim(), password });
      const rights = new Set(session.rights);
      const { role } = await exam.station.getStatus({});
      const room = role === 'seat' && rights.has('room.view') ? await exam.station.getRoom({ staffToken }) : null;
      const unpaired = room?.seat?.paired === false;
      setRejoin(room?.seat?.rejoin ?? null);
      if (unpaired && rights.has('seats.pair')) {
        // IT pairs seats but does not seat candidates: after pairing there is no roster to show them.
        setMayPrepare(rights.has('roster.read') && rights.has('package.list'));
        setSeatStep('pair');
      } else {
        setSeatStep(unpaired ? 'ask' : null);
        await loadRoster(staffToken);
      }
      setToken(staffToken);
      setPassword('');
    });
  };

  const loadRoster = async (staffToken: string) => {
    const [roster, list] = await Promise.all([exam.station.listCandidates({ staffToken }), exam.station.listPackages({ staffToken })]);
    setCandidates(roster.filter((c) => c.attendance !== 'removed'));
    setPackages(list);
  };

  const onPaired = (room: RoomStatus) => {
    setSeatStep(null);
    setPaired(room.seat);
    if (mayPrepare && token) void run(() => loadRoster(token));
  };

  /** Done: back to the sign-in, for the invigilator who seats the candidate. */
  const finish = () => {
    if (token) void exam.station.staffSignOut({ staffToken: token }).catch(() => undefined);
    setToken(null);
    setPaired(null);
    setUsername('');
  };

  const chosenPackage = packages.find((p) => p.packageId === packageId);
  const chooseCandidate = (c: CandidateView) => {
    setCandidateId(c.candidateId);
    // The demo roster names sessions after their test; preselect it, the invigilator confirms.
    const match = packages.find((p) => c.sessionId.includes(p.examId));
    if (match) setPackageId(match.packageId);
  };

  const start = (e: FormEvent) => {
    e.preventDefault();
    if (!token || !candidateId || !chosenPackage) return;
    void run(async () => {
      if (!chosenPackage.unlocked) await exam.station.unlockPackage({ staffToken: token, packageId: chosenPackage.packageId, key: key.trim() });
      const opened = await exam.station.openAttempt({ staffToken: token, candidateId, packageId: chosenPackage.packageId });
      await exam.adopt(opened);
    });
  };

  return (
    <Frame title={t('staffTitle')}>
      <section className="card staff">
        <h1>{t('staffTitle')}</h1>
        <p className="lead">{t('staffIntro')}</p>
        {handedBack && (
          <div className="banner banner-notice" role="status" data-testid="handed-back">
            <div>
              <strong>{t('handedBackTitle')}</strong>
              <p>{t('handedBackText', { name: handedBack.name, reason: t(HANDED_BACK_TEXT[handedBack.reason]) })}</p>
            </div>
          </div>
        )}
        {paired && (
          <div className="banner banner-notice" role="status" data-testid="seat-paired">
            <p>{t('seatSetupPaired', { label: paired.label ?? '', hub: paired.hubDeviceId ? shortDeviceId(paired.hubDeviceId) : '' })}</p>
            {!mayPrepare && (
              <button type="button" className="btn" onClick={finish}>
                {t('seatSetupDone')}
              </button>
            )}
          </div>
        )}
        {rejoin && (
          <p className={`banner ${rejoin === 'refused' ? 'banner-error' : 'banner-notice'}`} role="status" data-testid="seat-rejoin">
            {t(rejoin === 'refused' ? 'seatRejoinRefused' : 'seatRejoinWaiting')}
          </p>
        )}
        {seatStep === 'ask' && (
          <p className="banner banner-notice" role="status">
            {t('seatNotPaired')}
          </p>
        )}
        {!token ? (
          <form onSubmit={signIn} className="stack">
            <label htmlFor="staff-username">{t('staffUsername')}</label>
            <input id="staff-username" className="input" autoComplete="username" autoCapitalize="none" spellCheck={false} value={username} onChange={(e) => setUsername(e.target.value)} autoFocus />
            <label htmlFor="staff-password">{t('staffPassword')}</label>
            <input id="staff-password" className="input" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} />
            <button type="submit" className="btn btn-primary" disabled={busy || username.trim() === '' || password === ''}>
              {t('signIn')}
            </button>
          </form>
        ) : seatStep === 'pair' ? (
          <SeatSetup station={exam.station} token={token} onPaired={onPaired} />
        ) : paired && !mayPrepare ? null : (
          <form onSubmit={start} className="stack staff-form">
            <fieldset className="roster">
              <legend>{t('chooseCandidate')}</legend>
              {candidates.map((c) => (
                <label key={c.candidateId} className="choice choice-card">
                  <input type="radio" name="candidate" value={c.candidateId} checked={candidateId === c.candidateId} onChange={() => chooseCandidate(c)} />
                  <span>
                    <strong>
                      {c.givenName} {c.familyName}
                    </strong>{' '}
                    <span className="mono">{c.maskedPersonalCode}</span>
                    <span className="muted">
                      {' '}
                      {c.level && ` · ${t('level')} ${c.level}`} · {t('room')} {c.sessionId}
                    </span>
                  </span>
                </label>
              ))}
            </fieldset>
            <label htmlFor="package">{t('choosePackage')}</label>
            <select id="package" className="input" value={packageId} onChange={(e) => setPackageId(e.target.value)}>
              <option value="">{t('chooseHere')}</option>
              {packages.map((p) => (
                <option key={p.packageId} value={p.packageId} lang="lv">
                  {p.title}
                </option>
              ))}
            </select>
            {chosenPackage?.unlocked ? (
              <p className="muted">{t('packageUnlocked')}</p>
            ) : (
              <>
                <label htmlFor="package-key">{t('packageKey')}</label>
                <input id="package-key" className="input input-key mono" autoComplete="off" spellCheck={false} value={key} onChange={(e) => setKey(e.target.value)} />
              </>
            )}
            <button type="submit" className="btn btn-primary" disabled={busy || !candidateId || !chosenPackage || (!chosenPackage.unlocked && key.trim() === '')}>
              {t('startForCandidate')}
            </button>
          </form>
        )}
      </section>
    </Frame>
  );
}
