// The invigilator's minimal step on a solo station before the candidate sits down: sign in with their
// username and password, choose the candidate from the roster and the test, type the package key, start. When the
// candidate handed the screen back (the details were not theirs) the step says whose and why.
import { useState, type FormEvent } from 'react';
import type { PackageSummary } from '../../src-shared/contracts/package-manifest.ts';
import type { CandidateView, IdentityDeclineReason } from '../../src-shared/contracts/station-api.ts';
import { errorText, useAttempt, useExam } from '../store/exam.ts';
import type { TextKey } from '../text.ts';
import { useText } from '../store/settings.ts';
import { Frame } from '../ui/frame.tsx';

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
      const { staffToken } = await exam.station.staffSignIn({ username: username.trim(), password });
      const [roster, list] = await Promise.all([exam.station.listCandidates({ staffToken }), exam.station.listPackages({ staffToken })]);
      setToken(staffToken);
      setCandidates(roster.filter((c) => c.attendance !== 'removed'));
      setPackages(list);
      setPassword('');
    });
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
        ) : (
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
