// The end and seal of a session on the console (docs/room.md, "End and seal"): "End" for the room, then
// each seat's way to its final state; "Seal", then each seat's digest as the hub compares it; a seat
// that cannot answer is accounted for by the chief invigilator with the reason; the protocol PDF is
// saved from here. It asks the station every 2 s, like the room view; what the person may do follows
// their rights (a button they may not use is not shown).
import { useEffect, useState } from 'react';
import type { SealSeat, SealStatus } from '../../src-shared/contracts/room-seal.ts';
import type { StationApi } from '../../src-shared/contracts/station-api.ts';
import { StationError, type BilingualText } from '../../src-shared/errors.ts';
import type { StaffRight } from '../../src-shared/rules/staff.ts';
import { useText } from '../store/settings.ts';
import type { TextKey } from '../text.ts';
import { Bilingual, ConfirmDialog } from '../ui/frame.tsx';
import { CONSOLE_POLL_MS as POLL_MS, consoleError as errorOf } from './room-data.ts';


const STATE_TEXT: Record<SealStatus['state'], TextKey> = { open: 'sealStateOpen', ended: 'sealStateEnded', sealing: 'sealStateSealing', sealed: 'sealStateSealed' };

function EndCell({ seat }: { seat: SealSeat }) {
  const t = useText();
  if (seat.final) return <>{t('endFinal')}</>;
  if (seat.end === 'applied') return <>{t('endApplied')}</>;
  if (seat.end === 'refused') return <span className="warn">{t('endRefused', { code: seat.endCode ?? '' })}</span>;
  return <>{t('endPending')}</>;
}

function SealCell({ seat }: { seat: SealSeat }) {
  const t = useText();
  switch (seat.seal) {
    case 'matched':
      return <>✓ {t('sealMatched')}</>;
    case 'waiting':
      return <>{t('sealWaiting')}</>;
    case 'mismatch':
      return (
        <span className="warn" role="note">
          ⚠ {t('sealMismatch')}
        </span>
      );
    case 'refused':
      return (
        <span className="warn" role="note">
          ⚠ {t('sealRefused', { code: seat.sealCode ?? '' })}
        </span>
      );
    case 'accounted':
      return <>{t('sealAccounted', { reason: seat.accounted?.reason ?? '' })}</>;
    default:
      return <>{t('sealPending')}</>;
  }
}

/** Save bytes the station made as a file: the browser's download, or Electron's save dialog on a hub. */
function saveFile(file: { fileName: string; mimeType: string; data: Uint8Array<ArrayBuffer> }): void {
  const url = URL.createObjectURL(new Blob([file.data], { type: file.mimeType }));
  const link = document.createElement('a');
  link.href = url;
  link.download = file.fileName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

export function EndAndSeal({ station, token }: { station: StationApi; token: string }) {
  const t = useText();
  const [rights, setRights] = useState<readonly StaffRight[]>([]);
  const [sessions, setSessions] = useState<string[]>([]);
  const [sessionId, setSessionId] = useState<string | null>(null);
  const [status, setStatus] = useState<SealStatus | null>(null);
  const [error, setError] = useState<BilingualText | null>(null);
  const [confirmingEnd, setConfirmingEnd] = useState(false);
  const [accounting, setAccounting] = useState<SealSeat | null>(null);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [tick, setTick] = useState(0);
  const [unavailable, setUnavailable] = useState(false);

  useEffect(() => {
    let live = true;
    void station
      .getStaffSession({ staffToken: token })
      .then((session) => live && setRights(session.rights))
      .catch(() => undefined);
    // The sessions of the hub's roster; a person who may not read the roster does not end or seal.
    void station
      .listCandidates({ staffToken: token })
      .then((candidates) => {
        if (!live) return;
        const ids = [...new Set(candidates.map((c) => c.sessionId))].sort();
        setSessions(ids);
        setSessionId((current) => current ?? ids[0] ?? null);
      })
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [station, token]);

  useEffect(() => {
    if (!sessionId) return undefined;
    let live = true;
    const load = () =>
      station
        .getSealStatus({ staffToken: token, sessionId })
        .then((loaded) => {
          if (!live) return;
          setStatus(loaded);
          setUnavailable(false);
        })
        .catch((caught: unknown) => {
          if (!live) return;
          // A station whose room has no seal (not a hub): nothing of this to show.
          if (caught instanceof StationError && caught.code === 'ROOM_NOT_AVAILABLE') setUnavailable(true);
          else setError(errorOf(caught));
        });
    void load();
    const timer = setInterval(() => void load(), POLL_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [station, token, sessionId, tick]);

  if (!sessionId || unavailable) return null;
  const may = (right: StaffRight) => rights.includes(right);
  const act = (action: () => Promise<SealStatus>) => {
    setBusy(true);
    setError(null);
    action()
      .then((next) => {
        setStatus(next);
        setTick((n) => n + 1);
      })
      .catch((caught: unknown) => setError(errorOf(caught)))
      .finally(() => setBusy(false));
  };
  const saveProtocol = () => {
    setBusy(true);
    setError(null);
    station
      .getRoomProtocol({ staffToken: token, sessionId })
      .then(saveFile)
      .catch((caught: unknown) => setError(errorOf(caught)))
      .finally(() => setBusy(false));
  };
  const state = status?.state ?? 'open';
  const notFinal = status ? status.seats.filter((s) => !s.final && s.seal !== 'accounted').length : 0;
  const canAccount = (seat: SealSeat) => may('room.seal') && (state === 'ended' || state === 'sealing') && (seat.seal === 'pending' || seat.seal === 'waiting' || seat.seal === 'refused');

  return (
    <section className="card stack-sm" aria-labelledby="seal-title" data-testid="end-and-seal">
      <h2 id="seal-title">{t('sealTitle')}</h2>
      {sessions.length > 1 && (
        <label className="field">
          <span>{t('sealSessionLabel')}</span>
          <select className="input" value={sessionId} onChange={(e) => setSessionId(e.target.value)}>
            {sessions.map((id) => (
              <option key={id} value={id}>
                {id}
              </option>
            ))}
          </select>
        </label>
      )}
      <p role="status" data-testid="seal-state">
        {t(STATE_TEXT[state], { at: status?.sealedAt ? new Date(status.sealedAt).toLocaleString('lv-LV') : '' })}
        {state === 'ended' && notFinal > 0 && <> {t('sealNotFinal', { n: notFinal })}</>}
      </p>
      {status?.digest && (
        <p className="mono" data-testid="seal-digest">
          {t('sealDigest', { digest: status.digest })}
        </p>
      )}
      {error && (
        <p className="banner banner-error" role="alert">
          <Bilingual text={error} />
        </p>
      )}
      <div className="actions">
        {state === 'open' && may('room.end') && (
          <button type="button" className="btn btn-primary" disabled={busy} onClick={() => setConfirmingEnd(true)}>
            {t('endSession')}
          </button>
        )}
        {(state === 'ended' || state === 'sealing') && may('room.seal') && (
          <button type="button" className="btn btn-primary" disabled={busy} onClick={() => act(() => station.sealSession({ staffToken: token, sessionId }))}>
            {t('sealNow')}
          </button>
        )}
        {may('room.protocol') && (
          <button type="button" className="btn" disabled={busy} onClick={saveProtocol}>
            {t('saveProtocol')}
          </button>
        )}
      </div>
      {may('room.protocol') && state !== 'sealed' && <p className="muted">{t('protocolInterim')}</p>}
      {status && status.seats.length === 0 && state !== 'open' && <p>{t('sealNoSeats')}</p>}
      {status && status.seats.length > 0 && (
        <table className="seats">
          <thead>
            <tr>
              <th scope="col">{t('colSeat')}</th>
              <th scope="col">{t('colCandidate')}</th>
              <th scope="col">{t('colEnd')}</th>
              <th scope="col">{t('colDigest')}</th>
              <th scope="col">
                <span className="sr-only">{t('colActions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {status.seats.map((seat) => (
              <tr key={seat.deviceId} data-testid="seal-row" className={seat.seal === 'mismatch' || seat.seal === 'refused' ? 'seat-problem' : undefined}>
                <th scope="row">{seat.label ?? seat.deviceId.slice(0, 8)}</th>
                <td>{seat.candidateIds.join(', ') || '—'}</td>
                <td>
                  <EndCell seat={seat} />
                </td>
                <td>
                  <SealCell seat={seat} />
                </td>
                <td>
                  {canAccount(seat) && (
                    <button
                      type="button"
                      className="btn btn-small"
                      onClick={() => {
                        setReason('');
                        setAccounting(seat);
                      }}
                    >
                      {t('accountSeat')}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {confirmingEnd && (
        <ConfirmDialog
          title={t('endSession')}
          yes={t('endSession')}
          no={t('cancel')}
          onNo={() => setConfirmingEnd(false)}
          onYes={() => {
            setConfirmingEnd(false);
            act(() => station.endSession({ staffToken: token, sessionId }));
          }}
        >
          <p>{t('endConfirm')}</p>
        </ConfirmDialog>
      )}
      {accounting && (
        <ConfirmDialog
          title={t('accountTitle', { seat: accounting.label ?? accounting.deviceId.slice(0, 8) })}
          yes={t('accountSeat')}
          no={t('cancel')}
          busy={reason.trim().length < 3}
          onNo={() => setAccounting(null)}
          onYes={() => {
            const seat = accounting;
            setAccounting(null);
            act(() => station.accountForSeat({ staffToken: token, sessionId, deviceId: seat.deviceId, reason: reason.trim() }));
          }}
        >
          <p>{t('accountHelp')}</p>
          <label className="field">
            <span>{t('accountReason')}</span>
            <textarea className="input" value={reason} maxLength={500} onChange={(e) => setReason(e.target.value)} />
          </label>
        </ConfirmDialog>
      )}
    </section>
  );
}
