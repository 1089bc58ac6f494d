// Incidents from the hub's console (issue 10 §5), in the invigilators' taxonomy (INCIDENT_KINDS), for the
// room (a session), one candidate or one seat; and the removal of a candidate (MK 157: the work is not
// assessed): attendance removed, an incident, their seat locked, asked for once more before it is done.
import { useEffect, useState } from 'react';
import { INCIDENT_KINDS, type IncidentKind } from '../../src-shared/contracts/events.ts';
import type { RoomStatus, StationApi, StationInput } from '../../src-shared/contracts/station-api.ts';
import type { BilingualText } from '../../src-shared/errors.ts';
import { useText } from '../store/settings.ts';
import type { TextKey } from '../text.ts';
import { Bilingual, ConfirmDialog } from '../ui/frame.tsx';
import { consoleError as errorOf } from './room-data.ts';

type HubSeat = NonNullable<RoomStatus['hub']>['seats'][number];


export const INCIDENT_TEXT: Record<IncidentKind, TextKey> = {
  environment: 'incidentEnvironment',
  'candidate-conduct': 'incidentConduct',
  'candidate-identity': 'incidentIdentity',
  'candidate-illness': 'incidentIllness',
  'candidate-late': 'incidentLate',
  'candidate-no-show': 'incidentNoShow',
  'candidate-removed': 'incidentRemoved',
  staff: 'incidentStaff',
  'technical-freezing': 'incidentFreezing',
  'technical-network': 'incidentNetwork',
  'technical-workstation': 'incidentWorkstation',
  'technical-power': 'incidentPower',
  other: 'incidentOther',
};

type About = 'room' | 'candidate' | 'seat';

export function Incidents({ station, token, seats }: { station: StationApi; token: string; seats: HubSeat[] }) {
  const t = useText();
  const [candidates, setCandidates] = useState<{ candidateId: string; sessionId: string; givenName: string; familyName: string }[]>([]);
  const [kind, setKind] = useState<IncidentKind | ''>('');
  const [about, setAbout] = useState<About>('room');
  const [which, setWhich] = useState('');
  const [note, setNote] = useState('');
  const [removing, setRemoving] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const [error, setError] = useState<BilingualText | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    void station
      .listCandidates({ staffToken: token })
      .then(setCandidates)
      .catch(() => undefined);
  }, [station, token]);
  const sessions = [...new Set(candidates.map((c) => c.sessionId))];
  const options: { value: string; label: string }[] =
    about === 'room'
      ? sessions.map((id) => ({ value: id, label: id }))
      : about === 'candidate'
        ? candidates.map((c) => ({ value: c.candidateId, label: `${c.givenName} ${c.familyName} (${c.candidateId})` }))
        : seats.map((s) => ({ value: s.deviceId, label: s.label ?? s.deviceId.slice(0, 9) }));
  const chosen = which || (about === 'room' && sessions.length === 1 ? sessions[0]! : '');
  const target = (): StationInput<'recordRoomIncident'>['target'] => (about === 'room' ? { kind: 'room', sessionId: chosen } : about === 'candidate' ? { kind: 'candidate', candidateId: chosen } : { kind: 'seat', deviceId: chosen });
  const run = (call: () => Promise<unknown>, said: string) => {
    setBusy(true);
    setError(null);
    setDone(null);
    call()
      .then(() => {
        setDone(said);
        setNote('');
      })
      .catch((caught: unknown) => setError(errorOf(caught)))
      .finally(() => setBusy(false));
  };
  return (
    <section className="card stack-sm" aria-labelledby="incidents-title">
      <h2 id="incidents-title">{t('incidentsTitle')}</h2>
      <label className="field">
        <span>{t('incidentKind')}</span>
        <select className="input" value={kind} onChange={(e) => setKind(e.target.value as IncidentKind | '')}>
          <option value="">{t('chooseIncidentKind')}</option>
          {INCIDENT_KINDS.filter((k) => k !== 'candidate-removed').map((k) => (
            <option key={k} value={k}>
              {t(INCIDENT_TEXT[k])}
            </option>
          ))}
        </select>
      </label>
      <fieldset className="choices">
        <legend>{t('incidentAbout')}</legend>
        {(['room', 'candidate', 'seat'] as const).map((a) => (
          <label key={a} className="choice">
            <input
              type="radio"
              name="incident-about"
              checked={about === a}
              onChange={() => {
                setAbout(a);
                setWhich('');
              }}
            />
            <span>{t(a === 'room' ? 'incidentAboutRoom' : a === 'candidate' ? 'incidentAboutCandidate' : 'incidentAboutSeat')}</span>
          </label>
        ))}
      </fieldset>
      <label className="field">
        <span>{t('incidentWhich')}</span>
        <select className="input" value={chosen} onChange={(e) => setWhich(e.target.value)} data-testid="incident-which">
          <option value="">—</option>
          {options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      </label>
      <label className="field">
        <span>{t('incidentNote')}</span>
        <textarea className="input" maxLength={5000} value={note} onChange={(e) => setNote(e.target.value)} />
      </label>
      {error && (
        <p className="banner banner-error" role="alert">
          <Bilingual text={error} />
        </p>
      )}
      {done && <p role="status">{done}</p>}
      <div className="actions">
        <button type="button" className="btn" disabled={busy || about !== 'candidate' || !chosen || note.trim() === ''} onClick={() => setRemoving(true)}>
          {t('removeCandidate')}
        </button>
        <button
          type="button"
          className="btn btn-primary"
          disabled={busy || kind === '' || !chosen || note.trim() === ''}
          onClick={() => kind !== '' && run(() => station.recordRoomIncident({ staffToken: token, kind, note: note.trim(), target: target() }), t('incidentRecorded'))}
        >
          {t('recordIncident')}
        </button>
      </div>
      {removing && (
        <ConfirmDialog
          title={t('removeCandidate')}
          yes={t('removeCandidate')}
          no={t('cancel')}
          onNo={() => setRemoving(false)}
          onYes={() => {
            setRemoving(false);
            run(() => station.removeCandidate({ staffToken: token, candidateId: chosen, note: note.trim() }), t('candidateRemoved'));
          }}
        >
          <p>{t('removeConfirm', { candidate: options.find((o) => o.value === chosen)?.label ?? chosen })}</p>
        </ConfirmDialog>
      )}
    </section>
  );
}
