// The check-in desk on the hub's console: the roster, searchable by name, personal code (masked as the
// station shows it) and session; for each candidate the two checks of the check-in (the ID document
// seen, the personal code checked), each with who and when, then present or absent; a check-in after
// the session's start shows as late. Each row says where the candidate is (expected, checked in,
// seated, working, finished, absent, removed) and their registered accommodations. A refusal is shown
// in the row it belongs to.
import { useState } from 'react';
import type { CheckInStep, RosterRow, RosterState, StationApi } from '../../src-shared/contracts/station-api.ts';
import type { BilingualText } from '../../src-shared/errors.ts';
import { useSettings, useText } from '../store/settings.ts';
import type { TextKey } from '../text.ts';
import { Bilingual } from '../ui/frame.tsx';
import { consoleError, fold, useRoomData } from './room-data.ts';

export const ROSTER_STATE_TEXT: Record<RosterState, TextKey> = {
  expected: 'rosterExpected',
  'checked-in': 'rosterCheckedIn',
  seated: 'rosterSeated',
  working: 'rosterWorking',
  finished: 'rosterFinished',
  absent: 'rosterAbsent',
  removed: 'rosterRemoved',
};

/** The accommodations of a roster row as short labels (the registered text beyond the codes as written). */
export function Accommodations({ row }: { row: RosterRow }) {
  const t = useText();
  const { extraTimePercent, largePrint, separateRoom, other } = row.accommodations;
  const labels = [
    ...(extraTimePercent ? [t('accExtraTime', { n: extraTimePercent })] : []),
    ...(largePrint ? [t('accLargePrint')] : []),
    ...(separateRoom ? [t('accSeparateRoom')] : []),
    ...other,
  ];
  if (labels.length === 0) return <span className="muted">—</span>;
  return (
    <ul className="chips" data-testid="accommodations">
      {labels.map((label) => (
        <li key={label} className="chip">
          {label}
        </li>
      ))}
    </ul>
  );
}

function matches(row: RosterRow, query: string): boolean {
  const q = fold(query.trim());
  if (q === '') return true;
  // The code is matched with or without its hyphen: "15****" and "1540" style searches both find it.
  const fields = [`${row.givenName} ${row.familyName}`, `${row.familyName} ${row.givenName}`, row.maskedPersonalCode, row.sessionId];
  return fields.some((field) => fold(field).includes(q)) || row.maskedPersonalCode.replace(/-/g, '').includes(q.replace(/-/g, ''));
}

function CheckInRow({ row, station, token, onChanged }: { row: RosterRow; station: StationApi; token: string; onChanged: () => void }) {
  const t = useText();
  const lang = useSettings((s) => s.lang);
  const [error, setError] = useState<BilingualText | null>(null);
  const [busy, setBusy] = useState(false);
  const at = (iso: string) => new Date(iso).toLocaleTimeString(lang === 'lv' ? 'lv-LV' : 'en-GB', { hour: '2-digit', minute: '2-digit' });
  const act = (work: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    work()
      .then(onChanged)
      .catch((caught: unknown) => setError(consoleError(caught)))
      .finally(() => setBusy(false));
  };
  const step = (which: CheckInStep) => act(() => station.recordCheckInStep({ staffToken: token, candidateId: row.candidateId, step: which }));
  const checks: [CheckInStep, TextKey, RosterRow['idDocumentSeen']][] = [
    ['id-document', 'checkIdDocument', row.idDocumentSeen],
    ['personal-code', 'checkPersonalCode', row.personalCodeChecked],
  ];
  const name = `${row.givenName} ${row.familyName}`;
  return (
    <tr data-testid="roster-row" data-state={row.state}>
      <th scope="row">{name}</th>
      <td className="mono">{row.maskedPersonalCode}</td>
      <td className="mono">{row.sessionId}</td>
      <td>
        <span className={`roster-state roster-${row.state}`}>{t(ROSTER_STATE_TEXT[row.state])}</span>
        {row.late && <span className="badge"> {t('rosterLate')}</span>}
        {row.seat?.label && <span className="muted"> · {t('seatLabel', { label: row.seat.label })}</span>}
      </td>
      <td>
        <Accommodations row={row} />
      </td>
      <td>
        {checks.map(([which, label, done]) => (
          <label key={which} className="choice">
            <input type="checkbox" checked={done !== null} disabled={busy || done !== null || row.state === 'removed'} onChange={() => step(which)} />
            <span>
              {t(label)}
              {done && <span className="muted"> ({t('checkDoneBy', { by: done.by, at: at(done.at) })})</span>}
            </span>
          </label>
        ))}
      </td>
      <td>
        <div className="actions">
          <button type="button" className="btn btn-small" disabled={busy || row.attendance === 'present' || row.state === 'removed'} onClick={() => act(() => station.checkInCandidate({ staffToken: token, candidateId: row.candidateId, status: 'present' }))}>
            {t('markPresent')}
          </button>
          <button type="button" className="btn btn-small" disabled={busy || row.attendance === 'absent' || row.state === 'removed'} onClick={() => act(() => station.checkInCandidate({ staffToken: token, candidateId: row.candidateId, status: 'absent' }))}>
            {t('markAbsent')}
          </button>
        </div>
        {error && (
          <p className="banner banner-error" role="alert">
            <Bilingual text={error} />
          </p>
        )}
      </td>
    </tr>
  );
}

export function CheckInPage({ station, token }: { station: StationApi; token: string }) {
  const t = useText();
  const data = useRoomData(station, token);
  const [query, setQuery] = useState('');
  const rows = data.roster.filter((row) => matches(row, query));
  return (
    <section className="card stack-sm" aria-labelledby="check-in-title">
      <h2 id="check-in-title">{t('checkInTitle')}</h2>
      {data.error && (
        <p className="banner banner-error" role="alert">
          <Bilingual text={data.error} />
        </p>
      )}
      <label className="field">
        <span>{t('checkInSearch')}</span>
        <input className="input" type="search" value={query} onChange={(e) => setQuery(e.target.value)} />
      </label>
      <p role="status">{t('checkInCount', { n: rows.length, all: data.roster.length })}</p>
      {rows.length === 0 ? (
        data.loaded && <p>{t('checkInNone')}</p>
      ) : (
        <table className="seats roster">
          <thead>
            <tr>
              <th scope="col">{t('colName')}</th>
              <th scope="col">{t('colPersonalCode')}</th>
              <th scope="col">{t('colSession')}</th>
              <th scope="col">{t('colState')}</th>
              <th scope="col">{t('colAccommodations')}</th>
              <th scope="col">{t('colChecks')}</th>
              <th scope="col">{t('colAttendance')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <CheckInRow key={row.candidateId} row={row} station={station} token={token} onChanged={data.refresh} />
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
