// Seats asking the hub to let them in, on the console: a room file's enrolment, or a rejoin — a seat
// with this room's certificate that the hub no longer knows because its database was lost (the
// revocations went with it, so nobody is let back in by themselves). IT or the chief accepts or refuses
// each (decideSeatRequest, right seats.pair); a refusal stands. Shown only while a request is listed.
import { useState } from 'react';
import type { RoomStatus, StationApi } from '../../src-shared/contracts/station-api.ts';
import type { BilingualText } from '../../src-shared/errors.ts';
import { shortDeviceId } from '../../src-shared/rules/device-id.ts';
import { useText } from '../store/settings.ts';
import { Bilingual } from '../ui/frame.tsx';

type SeatRequest = NonNullable<NonNullable<RoomStatus['hub']>['requests']>[number];

export function SeatRequests({ station, token, requests, onDecided, errorOf }: { station: StationApi; token: string; requests: SeatRequest[]; onDecided: () => void; errorOf: (error: unknown) => BilingualText }) {
  const t = useText();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<BilingualText | null>(null);
  const waiting = requests.filter((r) => r.decision === null);
  const refused = requests.filter((r) => r.decision === 'refused');
  if (waiting.length === 0 && refused.length === 0) return null;
  const decide = (deviceId: string, decision: 'accept' | 'refuse') => {
    setBusy(true);
    station
      .decideSeatRequest({ staffToken: token, deviceId, decision })
      .then(() => {
        setError(null);
        onDecided();
      })
      .catch((caught: unknown) => setError(errorOf(caught)))
      .finally(() => setBusy(false));
  };
  return (
    <section className="card stack-sm" aria-labelledby="seat-requests-title">
      <h2 id="seat-requests-title">{t('seatRequestsTitle', { n: waiting.length })}</h2>
      {waiting.length > 0 && <p className="muted">{t('seatRequestsHelp')}</p>}
      <ul className="stack-sm">
        {waiting.map((request) => (
          <li key={request.deviceId} data-testid="seat-request" className="seat-problem">
            <strong>{request.label}</strong> <span className="mono">{shortDeviceId(request.deviceId)}</span> · {request.kind === 'rejoin' ? t('seatRequestRejoin') : t('seatRequestEnrolment')}
            <span className="muted"> · {request.address}</span>
            <div className="actions">
              <button type="button" className="btn btn-primary btn-small" disabled={busy} onClick={() => decide(request.deviceId, 'accept')}>
                {t('seatRequestAccept')}
              </button>
              <button type="button" className="btn btn-small" disabled={busy} onClick={() => decide(request.deviceId, 'refuse')}>
                {t('seatRequestRefuse')}
              </button>
            </div>
          </li>
        ))}
        {refused.map((request) => (
          <li key={request.deviceId} data-testid="seat-request-refused" className="muted">
            {request.label} <span className="mono">{shortDeviceId(request.deviceId)}</span> · {t('seatRequestRefused')}
          </li>
        ))}
      </ul>
      {error && (
        <p className="banner banner-error" role="alert">
          <Bilingual text={error} />
        </p>
      )}
    </section>
  );
}
