// "Move to a spare seat" on the console: the invigilator picks the candidate (from the seats that
// report one), a connected free seat and says why; the hub hands the candidate's work over to that
// seat (moveCandidate). Below, every move with how far it got and, flagged, how many of the old seat's
// events reached the hub after the move: kept, never the candidate's answer (docs/room.md).
import { useState } from 'react';
import type { MoveView, RoomStatus, StationApi } from '../../src-shared/contracts/station-api.ts';
import type { BilingualText } from '../../src-shared/errors.ts';
import { useText } from '../store/settings.ts';
import type { TextKey } from '../text.ts';
import { Bilingual } from '../ui/frame.tsx';

type Hub = NonNullable<RoomStatus['hub']>;

const STATUS: Record<MoveView['status'], TextKey> = { 'handing-over': 'moveHandingOver', applied: 'moveApplied', refused: 'moveRefused' };

export function MoveCandidate({ station, token, room, onMoved, errorOf }: { station: StationApi; token: string; room: Hub; onMoved: () => void; errorOf: (error: unknown) => BilingualText }) {
  const t = useText();
  const [candidateId, setCandidateId] = useState('');
  const [toDeviceId, setToDeviceId] = useState('');
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<BilingualText | null>(null);
  const label = (deviceId: string) => room.seats.find((s) => s.deviceId === deviceId)?.label ?? deviceId.slice(0, 8);
  const seated = room.seats.flatMap((s) => (s.state?.attempt ? [{ candidateId: s.state.attempt.candidateId, seat: s }] : []));
  const free = room.seats.filter((s) => s.connected && !s.revoked && !s.state?.attempt);
  const moves = room.moves ?? [];
  return (
    <section className="card stack-sm" aria-labelledby="move-title">
      <h2 id="move-title">{t('moveTitle')}</h2>
      <form
        className="stack-sm"
        onSubmit={(e) => {
          e.preventDefault();
          setBusy(true);
          setError(null);
          station
            .moveCandidate({ staffToken: token, candidateId, toDeviceId, reason: reason.trim() })
            .then(() => {
              setCandidateId('');
              setToDeviceId('');
              setReason('');
              onMoved();
            })
            .catch((caught: unknown) => setError(errorOf(caught)))
            .finally(() => setBusy(false));
        }}
      >
        <label className="field">
          <span>{t('moveWho')}</span>
          <select className="input" value={candidateId} onChange={(e) => setCandidateId(e.target.value)}>
            <option value="">—</option>
            {seated.map(({ candidateId: id, seat }) => (
              <option key={seat.deviceId} value={id}>
                {t('moveWhoOption', { candidate: id, seat: seat.label ?? seat.deviceId.slice(0, 8) })}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>{t('moveTo')}</span>
          <select className="input" value={toDeviceId} onChange={(e) => setToDeviceId(e.target.value)}>
            <option value="">—</option>
            {free.map((s) => (
              <option key={s.deviceId} value={s.deviceId}>
                {s.label ?? s.deviceId.slice(0, 8)}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>{t('moveReason')}</span>
          <input className="input" value={reason} maxLength={500} onChange={(e) => setReason(e.target.value)} />
        </label>
        {error && (
          <p className="banner banner-error" role="alert">
            <Bilingual text={error} />
          </p>
        )}
        <div className="actions">
          <button type="submit" className="btn btn-primary" disabled={busy || candidateId === '' || toDeviceId === '' || reason.trim() === ''}>
            {t('moveDo')}
          </button>
        </div>
      </form>
      {moves.length > 0 && (
        <ul className="stack-sm" aria-label={t('moveList')}>
          {moves.map((move) => (
            <li key={move.moveId} data-testid="move-row">
              {t('moveLine', { candidate: move.candidateId, from: label(move.fromDeviceId), to: label(move.toDeviceId) })} — {t(STATUS[move.status])}
              {move.code && <span className="mono"> ({move.code})</span>}
              {move.lateEvents > 0 && (
                <span className="warn" role="note" data-testid="move-late">
                  {' '}
                  ⚠ {t('moveLate', { n: move.lateEvents, from: label(move.fromDeviceId) })}
                </span>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
