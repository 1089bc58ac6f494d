// The package signing keys the station trusts, on the console, and the one way to change them: a
// trust-list update the exam centre signed (a .examtrust file the person picks). The station checks
// the signature before it replaces anything; a refusal says why in both languages and nothing changes.
import { useEffect, useRef, useState } from 'react';
import type { StationApi, TrustListView } from '../../src-shared/contracts/station-api.ts';
import { StationError, type BilingualText } from '../../src-shared/errors.ts';
import { useText } from '../store/settings.ts';
import type { TextKey } from '../text.ts';
import { Bilingual } from '../ui/frame.tsx';
import { useStaffSession } from './StaffSession.tsx';
import { UNREACHABLE } from './room-data.ts';

const STATUS: Record<TrustListView['keys'][number]['status'], TextKey> = { active: 'trustActive', retired: 'trustRetired', revoked: 'trustRevoked' };
/** A trust-list update is a small JSON file; the station refuses more than this anyway. */
const MAX_UPDATE_BYTES = 1024 * 1024;

export function TrustList({ station, token }: { station: StationApi; token: string }) {
  const t = useText();
  const rights = useStaffSession()?.session.rights ?? [];
  const [list, setList] = useState<TrustListView | null>(null);
  const [file, setFile] = useState<File | null>(null);
  const [applied, setApplied] = useState<number | null>(null);
  const [error, setError] = useState<BilingualText | null>(null);
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const mayRead = rights.includes('package.list');
  useEffect(() => {
    if (mayRead) station.getTrustList({ staffToken: token }).then(setList, (caught: unknown) => setError(caught instanceof StationError ? caught.text : UNREACHABLE));
  }, [station, token, mayRead]);
  if (!mayRead) return null;
  const apply = async () => {
    if (!file) return;
    setBusy(true);
    setError(null);
    setApplied(null);
    try {
      if (file.size > MAX_UPDATE_BYTES) throw new StationError('TRUST_UPDATE_INVALID', `${file.size} bytes`);
      const view = await station.applyTrustUpdate({ staffToken: token, data: new Uint8Array(await file.arrayBuffer()) });
      setList(view);
      setApplied(view.sequence);
      setFile(null);
      if (input.current) input.current.value = '';
    } catch (caught) {
      setError(caught instanceof StationError ? caught.text : UNREACHABLE);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="card stack-sm" aria-labelledby="trust-title">
      <h2 id="trust-title">{t('trustTitle')}</h2>
      {list && (
        <>
          <p data-testid="trust-sequence">{list.sequence === 0 ? t('trustShipped') : t('trustNumbered', { n: list.sequence })}</p>
          <ul className="package-list" data-testid="trust-keys">
            {list.keys.map((k) => (
              <li key={k.keyId}>
                <span className="mono">{k.keyId}</span>: {t(STATUS[k.status])}
              </li>
            ))}
          </ul>
        </>
      )}
      {rights.includes('trust.update') && (
        <div className="actions">
          <label className="field">
            <span>{t('trustUpdateFile')}</span>
            <input ref={input} className="input" type="file" accept=".examtrust" disabled={busy} onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
          </label>
          <button type="button" className="btn" disabled={busy || file === null} onClick={() => void apply()}>
            {t('trustApply')}
          </button>
        </div>
      )}
      <div aria-live="polite">{applied !== null && <p className="banner banner-ok">{t('trustApplied', { n: applied })}</p>}</div>
      {error && (
        <p className="banner banner-error" role="alert" data-testid="trust-error">
          <Bilingual text={error} />
        </p>
      )}
    </section>
  );
}
