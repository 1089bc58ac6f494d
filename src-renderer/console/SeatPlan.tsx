// The seat plan on the hub's console: the room's seats (label and presence, from the room view) as a
// grid, each with the candidate seated there and how far they have come at the seat (checking their
// details, awaiting authorisation, said No, authorised). A checked-in candidate is seated at a free
// connected seat; before they begin the seat can be taken back; once the seat shows "awaiting
// authorisation" the invigilator authorises them there. A refusal, by the hub or by the seat, is shown
// on the seat it concerns.
import { useState } from 'react';
import type { IdentityDeclineReason, RosterRow, StationApi } from '../../src-shared/contracts/station-api.ts';
import { ERROR_CATALOGUE, StationError, type BilingualText, type ErrorCode } from '../../src-shared/errors.ts';
import { useText } from '../store/settings.ts';
import type { TextKey } from '../text.ts';
import { Bilingual } from '../ui/frame.tsx';
import { Accommodations } from './CheckIn.tsx';
import { consoleError, useRoomData, type HubSeat } from './room-data.ts';

const STAGE_TEXT: Record<NonNullable<NonNullable<RosterRow['seat']>['stage']>, TextKey> = {
  identity: 'stageIdentity',
  'awaiting-authorisation': 'stageAwaiting',
  'identity-declined': 'stageDeclined',
  authorised: 'stageAuthorised',
};

const DECLINE_TEXT: Record<IdentityDeclineReason, TextKey> = {
  'not-me': 'handedBackNotMe',
  name: 'handedBackName',
  'personal-code': 'handedBackPersonalCode',
  level: 'handedBackLevel',
};

const PRESENCE_TEXT: Record<HubSeat['presence'], TextKey> = { connected: 'presenceConnected', late: 'presenceLate', missing: 'presenceMissing' };

/** What the seat said when it refused the assignment, in the catalogue's words when the code is one of ours. */
function refusalText(code: string): BilingualText {
  return Object.hasOwn(ERROR_CATALOGUE, code) ? new StationError(code as ErrorCode).text : { lv: code, en: code };
}

interface SeatCardProps {
  seat: HubSeat;
  row: RosterRow | undefined;
  chosen: RosterRow | undefined;
  packageId: string;
  station: StationApi;
  token: string;
  onChanged: () => void;
}

function SeatCard({ seat, row, chosen, packageId, station, token, onChanged }: SeatCardProps) {
  const t = useText();
  const [error, setError] = useState<BilingualText | null>(null);
  const [busy, setBusy] = useState(false);
  const label = seat.label ?? seat.deviceId;
  const act = (work: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    work()
      .then(onChanged)
      .catch((caught: unknown) => setError(consoleError(caught)))
      .finally(() => setBusy(false));
  };
  const free = !row && !seat.revoked && seat.presence !== 'missing';
  const stage = row?.seat?.stage ?? null;
  return (
    <li className={`seat-card${row?.seat?.stage === 'identity-declined' || row?.seat?.refused || error ? ' seat-problem' : ''}`} data-testid="seat-card" aria-labelledby={`seat-${seat.deviceId}`}>
      <h3 id={`seat-${seat.deviceId}`} className="seat-card-label">
        {label}
      </h3>
      <p>
        <span className={`presence presence-${seat.presence}`}>{seat.revoked ? t('seatRevoked') : t(PRESENCE_TEXT[seat.presence])}</span>
      </p>
      {row ? (
        <>
          <p>
            <strong>
              {row.givenName} {row.familyName}
            </strong>
          </p>
          <Accommodations row={row} />
          <p data-testid="seat-stage">
            {stage === 'identity-declined'
              ? t('stageDeclined', { reason: row.seat?.declineReason ? t(DECLINE_TEXT[row.seat.declineReason]) : '—' })
              : t(stage ? STAGE_TEXT[stage] : 'stageNone')}
          </p>
          {row.seat?.refused && (
            <p className="banner banner-error" role="alert">
              <Bilingual text={refusalText(row.seat.refused.code)} />
            </p>
          )}
          <div className="actions">
            {stage === 'awaiting-authorisation' && (
              <button type="button" className="btn btn-primary btn-small" disabled={busy} onClick={() => act(() => station.authoriseCandidate({ staffToken: token, candidateId: row.candidateId }))}>
                {t('seatAuthorise')}
              </button>
            )}
            {row.state === 'seated' && (
              <button type="button" className="btn btn-small" disabled={busy} onClick={() => act(() => station.unassignSeat({ staffToken: token, candidateId: row.candidateId }))}>
                {t('seatUnassign')}
              </button>
            )}
          </div>
        </>
      ) : (
        <>
          <p className="muted">{t('seatFree')}</p>
          {free && chosen && packageId && (
            <button
              type="button"
              className="btn btn-small"
              disabled={busy}
              aria-label={t('seatAssignAt', { name: `${chosen.givenName} ${chosen.familyName}`, label })}
              onClick={() => act(() => station.assignSeat({ staffToken: token, candidateId: chosen.candidateId, deviceId: seat.deviceId, packageId }))}
            >
              {t('seatAssignHere')}
            </button>
          )}
        </>
      )}
      {error && (
        <p className="banner banner-error" role="alert">
          <Bilingual text={error} />
        </p>
      )}
    </li>
  );
}

export function SeatPlanPage({ station, token }: { station: StationApi; token: string }) {
  const t = useText();
  const data = useRoomData(station, token);
  const [candidateId, setCandidateId] = useState('');
  const [packageId, setPackageId] = useState('');
  const waiting = data.roster.filter((row) => row.state === 'checked-in');
  const chosen = waiting.find((row) => row.candidateId === candidateId);
  const bySeat = new Map(data.roster.filter((row) => row.seat).map((row) => [row.seat!.deviceId, row]));
  // The room's order: by label, numbers as numbers (2A before 10A).
  const seats = [...data.seats].sort((a, b) => (a.label ?? a.deviceId).localeCompare(b.label ?? b.deviceId, 'lv', { numeric: true }));
  const pkg = packageId || (data.packages.length === 1 ? data.packages[0]!.packageId : '');
  return (
    <section className="card stack-sm" aria-labelledby="seat-plan-title">
      <h2 id="seat-plan-title">{t('seatPlanTitle')}</h2>
      {data.error && (
        <p className="banner banner-error" role="alert">
          <Bilingual text={data.error} />
        </p>
      )}
      <div className="seat-plan-choose">
        <label className="field">
          <span>{t('seatPlanCandidate')}</span>
          <select className="input" value={candidateId} onChange={(e) => setCandidateId(e.target.value)}>
            <option value="">{waiting.length === 0 ? t('seatPlanNobody') : t('chooseHere')}</option>
            {waiting.map((row) => (
              <option key={row.candidateId} value={row.candidateId}>
                {row.givenName} {row.familyName} · {row.maskedPersonalCode}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>{t('seatPlanPackage')}</span>
          <select className="input" value={pkg} onChange={(e) => setPackageId(e.target.value)}>
            <option value="">{t('chooseHere')}</option>
            {data.packages.map((p) => (
              <option key={p.packageId} value={p.packageId} lang="lv">
                {p.title}
              </option>
            ))}
          </select>
        </label>
      </div>
      {seats.length === 0 ? (
        <p>{t('seatsNone')}</p>
      ) : (
        <ul className="seat-grid">
          {seats.map((seat) => (
            <SeatCard key={seat.deviceId} seat={seat} row={bySeat.get(seat.deviceId)} chosen={chosen} packageId={pkg} station={station} token={token} onChanged={data.refresh} />
          ))}
        </ul>
      )}
    </section>
  );
}
