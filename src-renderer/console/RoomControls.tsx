// The room controls on the hub's console (issue 10 §3, §5): the key release (two people for a session
// that asks for it, the second within 2 minutes), the room's start, pause and resume; for one seat: its
// candidate's own start (one who came late), pause, resume, extra time with its grounds and reason, a
// message, lock and unlock; raised hands until acknowledged; time lost while a seat was silent,
// proposed by the hub and credited with one click; each candidate's time ledger. It asks the station
// every 2 s (getRoomControls) beside the room view.
import { useEffect, useState } from 'react';
import type { RoomControlsView, RoomExtraGrounds, RoomStatus, StationApi, StationInput } from '../../src-shared/contracts/station-api.ts';
import type { HandReason } from '../../src-shared/contracts/room-protocol.ts';
import type { BilingualText } from '../../src-shared/errors.ts';
import { reasonInLatvian } from '../../src-shared/rules/system-reasons.ts';
import { useText } from '../store/settings.ts';
import type { TextKey } from '../text.ts';
import { Bilingual } from '../ui/frame.tsx';
import { consoleError as errorOf, CONSOLE_POLL_MS as POLL_MS } from './room-data.ts';


type HubSeat = NonNullable<RoomStatus['hub']>['seats'][number];
/** One room command as the console builds it, without the token (each kind keeps its own fields). */
type RoomCommandFields = StationInput<'roomCommand'> extends infer I ? (I extends unknown ? Omit<I, 'staffToken'> : never) : never;

export const HAND_REASON_TEXT: Record<HandReason, TextKey> = { question: 'handQuestion', technical: 'handTechnical', unwell: 'handUnwell', break: 'handBreak', other: 'handOther' };
const GROUNDS_TEXT: Record<RoomExtraGrounds, TextKey> = { accommodation: 'groundsAccommodation', incident: 'groundsIncident', 'lost-time': 'groundsLostTime' };

function minutesSeconds(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  return `${Math.floor(total / 60)}:${String(total % 60).padStart(2, '0')}`;
}

const clock = (at: number): string => new Date(at).toLocaleTimeString('lv-LV', { hour: '2-digit', minute: '2-digit' });

/** A seat as a person names it: its label, or the start of its device id. */
export const seatName = (seats: readonly HubSeat[], deviceId: string): string => seats.find((s) => s.deviceId === deviceId)?.label ?? deviceId.slice(0, 9);

function ErrorBanner({ error }: { error: BilingualText | null }) {
  if (!error) return null;
  return (
    <p className="banner banner-error" role="alert">
      <Bilingual text={error} />
    </p>
  );
}

/** The console's own wrapper for one call: busy while it runs, the station's refusal shown next to the control. */
function useCall(onDone: () => void) {
  const [error, setError] = useState<BilingualText | null>(null);
  const [busy, setBusy] = useState(false);
  const run = (call: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    call()
      .then(onDone)
      .catch((caught: unknown) => setError(errorOf(caught)))
      .finally(() => setBusy(false));
  };
  return { error, busy, run };
}

function KeyRelease({ station, token, controls, onChange }: { station: StationApi; token: string; controls: RoomControlsView; onChange: () => void }) {
  const t = useText();
  const [packages, setPackages] = useState<{ packageId: string; title: string; unlocked: boolean }[]>([]);
  const [sessions, setSessions] = useState<string[]>([]);
  const [packageId, setPackageId] = useState('');
  const [sessionId, setSessionId] = useState('');
  const [key, setKey] = useState('');
  const [listed, setListed] = useState(0);
  const { error, busy, run } = useCall(onChange);
  useEffect(() => {
    void station
      .listPackages({ staffToken: token })
      .then((list) => {
        setPackages(list);
        setPackageId((chosen) => chosen || (list.find((p) => p.unlocked) ?? list[0])?.packageId || '');
      })
      .catch(() => undefined);
  }, [station, token, listed]);
  useEffect(() => {
    void station
      .listCandidates({ staffToken: token })
      .then((list) => {
        const ids = [...new Set(list.map((c) => c.sessionId))];
        setSessions(ids);
        setSessionId((chosen) => chosen || (ids[0] ?? ''));
      })
      .catch(() => undefined);
  }, [station, token]);
  const release = controls.keyReleases.find((r) => r.packageId === packageId && r.sessionId === sessionId) ?? null;
  // The key the agency gives out for the exam is typed here once, at the hub; the seats get it only by the release.
  const locked = packages.find((p) => p.packageId === packageId)?.unlocked === false;
  const unlock = () =>
    run(async () => {
      await station.unlockPackage({ staffToken: token, packageId, key: key.trim() });
      setKey('');
      setListed((n) => n + 1);
    });
  const twoPerson = controls.twoPersonSessions.includes(sessionId);
  return (
    <section className="card stack-sm" aria-labelledby="key-title">
      <h2 id="key-title">{t('keyReleaseTitle')}</h2>
      <div className="row-fields">
        <label className="field">
          <span>{t('choosePackage')}</span>
          <select className="input" value={packageId} onChange={(e) => setPackageId(e.target.value)}>
            {packages.length === 0 && <option value="">{t('keyNoPackage')}</option>}
            {packages.map((p) => (
              <option key={p.packageId} value={p.packageId} lang="lv">
                {p.title}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>{t('room')}</span>
          <select className="input" value={sessionId} onChange={(e) => setSessionId(e.target.value)}>
            {sessions.map((id) => (
              <option key={id} value={id}>
                {id}
              </option>
            ))}
          </select>
        </label>
      </div>
      <label className="choice">
        <input type="checkbox" checked={twoPerson} disabled={!sessionId || busy} onChange={(e) => run(() => station.setTwoPersonRelease({ staffToken: token, sessionId, required: e.target.checked }))} />
        <span>{t('twoPersonRelease')}</span>
      </label>
      {release?.state === 'awaiting-second' && (
        <p className="banner banner-notice" role="status" data-testid="key-awaiting">
          {t('keyAwaitingSecond', { name: release.startedBy, time: clock(release.expiresAt ?? 0) })}
        </p>
      )}
      {release?.state === 'lapsed' && (
        <p className="banner banner-error" role="alert" data-testid="key-lapsed">
          {t('keyLapsed', { name: release.startedBy })}
        </p>
      )}
      {release?.state === 'released' && (
        <p role="status" data-testid="key-released">
          {release.confirmedBy ? t('keyReleasedTwo', { first: release.startedBy, second: release.confirmedBy, n: release.command?.applied ?? 0 }) : t('keyReleasedOne', { name: release.startedBy, n: release.command?.applied ?? 0 })}
          {(release.command?.refused.length ?? 0) > 0 && <span className="warn"> ⚠ {t('keyRefusedBy', { n: release.command!.refused.length })}</span>}
        </p>
      )}
      {locked && (
        <form
          className="row-fields"
          onSubmit={(e) => {
            e.preventDefault();
            unlock();
          }}
        >
          <label className="field">
            <span>{t('packageKey')}</span>
            <input className="input mono" value={key} autoComplete="off" spellCheck={false} onChange={(e) => setKey(e.target.value)} />
          </label>
          <button type="submit" className="btn" disabled={busy || key.trim() === ''}>
            {t('keyUnlockAtHub')}
          </button>
        </form>
      )}
      <ErrorBanner error={error} />
      <div className="actions">
        <button type="button" className="btn btn-primary" disabled={busy || !packageId || !sessionId || locked} onClick={() => run(() => station.releaseKey({ staffToken: token, packageId, sessionId }))}>
          {release?.state === 'awaiting-second' ? t('keyConfirm') : t('keyRelease')}
        </button>
      </div>
    </section>
  );
}

function RoomWide({ station, token, onChange }: { station: StationApi; token: string; onChange: () => void }) {
  const t = useText();
  const [reason, setReason] = useState('');
  const { error, busy, run } = useCall(onChange);
  const room = { kind: 'room' } as const;
  return (
    <section className="card stack-sm" aria-labelledby="room-wide-title">
      <h2 id="room-wide-title">{t('roomWideTitle')}</h2>
      <label className="field">
        <span>{t('pauseReason')}</span>
        <input className="input" value={reason} onChange={(e) => setReason(e.target.value)} />
      </label>
      <ErrorBanner error={error} />
      <div className="actions">
        <button type="button" className="btn btn-primary" disabled={busy} onClick={() => run(() => station.roomCommand({ staffToken: token, action: 'start', target: room }))}>
          {t('startRoom')}
        </button>
        <button type="button" className="btn" disabled={busy} onClick={() => run(() => station.roomCommand({ staffToken: token, action: 'pause', target: room, ...(reason.trim() ? { reason: reason.trim() } : {}) }))}>
          {t('pauseRoom')}
        </button>
        <button type="button" className="btn" disabled={busy} onClick={() => run(() => station.roomCommand({ staffToken: token, action: 'resume', target: room }))}>
          {t('resumeRoom')}
        </button>
      </div>
    </section>
  );
}

function SeatActions({ station, token, seats, onChange }: { station: StationApi; token: string; seats: HubSeat[]; onChange: () => void }) {
  const t = useText();
  const [deviceId, setDeviceId] = useState('');
  const [minutes, setMinutes] = useState('');
  const [grounds, setGrounds] = useState<RoomExtraGrounds | ''>('');
  const [reason, setReason] = useState('');
  const [message, setMessage] = useState('');
  const [allSeats, setAllSeats] = useState(false);
  const { error, busy, run } = useCall(onChange);
  const seat = seats.find((s) => s.deviceId === deviceId) ?? null;
  const candidateId = seat?.state?.attempt?.candidateId ?? null;
  const notStarted = seat?.state?.attempt?.started === false;
  const command = (input: RoomCommandFields) => run(() => station.roomCommand({ staffToken: token, ...input } as StationInput<'roomCommand'>));
  const forCandidate = candidateId ? ({ kind: 'candidate', candidateId } as const) : null;
  const amountMs = Math.round(Number(minutes.replace(',', '.')) * 60_000);
  const extraReady = forCandidate && amountMs >= 1000 && grounds !== '' && reason.trim() !== '';
  return (
    <section className="card stack-sm" aria-labelledby="seat-actions-title">
      <h2 id="seat-actions-title">{t('seatActionsTitle')}</h2>
      <label className="field">
        <span>{t('colSeat')}</span>
        <select className="input" value={deviceId} onChange={(e) => setDeviceId(e.target.value)} data-testid="seat-choice">
          <option value="">{t('chooseSeat')}</option>
          {seats.map((s) => (
            <option key={s.deviceId} value={s.deviceId}>
              {(s.label ?? s.deviceId.slice(0, 9)) + (s.state?.attempt ? ` — ${s.state.attempt.candidateId}` : '')}
            </option>
          ))}
        </select>
      </label>
      {seat && (
        <>
          {notStarted && <p className="warn">{t('candidateNotStarted', { candidate: candidateId ?? '' })}</p>}
          <div className="actions">
            <button type="button" className={notStarted ? 'btn btn-primary' : 'btn'} disabled={busy || !forCandidate} onClick={() => forCandidate && command({ action: 'start', target: forCandidate })}>
              {t('startCandidate')}
            </button>
            <button type="button" className="btn" disabled={busy || !forCandidate} onClick={() => forCandidate && command({ action: 'pause', target: forCandidate })}>
              {t('pauseCandidate')}
            </button>
            <button type="button" className="btn" disabled={busy || !forCandidate} onClick={() => forCandidate && command({ action: 'resume', target: forCandidate })}>
              {t('resumeCandidate')}
            </button>
            <button type="button" className="btn" disabled={busy} onClick={() => command({ action: 'lock', deviceId: seat.deviceId })}>
              {t('lockSeat')}
            </button>
            <button type="button" className="btn" disabled={busy} onClick={() => command({ action: 'unlock', deviceId: seat.deviceId })}>
              {t('unlockSeat')}
            </button>
          </div>
          <fieldset className="stack-sm">
            <legend>{t('extraTimeTitle')}</legend>
            <label className="field">
              <span>{t('extraMinutes')}</span>
              <input className="input" inputMode="decimal" value={minutes} onChange={(e) => setMinutes(e.target.value)} />
            </label>
            <label className="field">
              <span>{t('extraGrounds')}</span>
              <select className="input" value={grounds} onChange={(e) => setGrounds(e.target.value as RoomExtraGrounds | '')}>
                <option value="">{t('chooseGrounds')}</option>
                {(['accommodation', 'incident'] as const).map((g) => (
                  <option key={g} value={g}>
                    {t(GROUNDS_TEXT[g])}
                  </option>
                ))}
              </select>
            </label>
            <label className="field">
              <span>{t('extraReason')}</span>
              <input className="input" value={reason} onChange={(e) => setReason(e.target.value)} />
            </label>
            <div className="actions">
              <button
                type="button"
                className="btn btn-primary"
                disabled={busy || !extraReady}
                onClick={() => candidateId && grounds !== '' && command({ action: 'extend', candidateId, amountMs, grounds, reason: reason.trim() })}
              >
                {t('giveExtraTime')}
              </button>
            </div>
          </fieldset>
        </>
      )}
      <fieldset className="stack-sm">
        <legend>{t('messageTitle')}</legend>
        <label className="field">
          <span>{t('messageText')}</span>
          <textarea className="input" maxLength={500} value={message} onChange={(e) => setMessage(e.target.value)} />
        </label>
        <label className="choice">
          <input type="checkbox" checked={allSeats || !seat} disabled={!seat} onChange={(e) => setAllSeats(e.target.checked)} />
          <span>{t('messageToAll')}</span>
        </label>
        <div className="actions">
          <button
            type="button"
            className="btn"
            disabled={busy || message.trim() === ''}
            onClick={() => command({ action: 'message', target: allSeats || !seat ? { kind: 'room' } : { kind: 'seat', deviceId: seat.deviceId }, text: message.trim() })}
          >
            {t('sendMessage')}
          </button>
        </div>
      </fieldset>
      <ErrorBanner error={error} />
    </section>
  );
}

function Hands({ station, token, controls, seats, onChange }: { station: StationApi; token: string; controls: RoomControlsView; seats: HubSeat[]; onChange: () => void }) {
  const t = useText();
  const { error, busy, run } = useCall(onChange);
  if (controls.hands.length === 0) return null;
  return (
    <section className="card stack-sm" aria-labelledby="hands-title">
      <h2 id="hands-title">{t('handsTitle', { n: controls.hands.length })}</h2>
      <ul className="stack-sm" data-testid="hands">
        {controls.hands.map((hand) => (
          <li key={hand.deviceId}>
            <strong>{seatName(seats, hand.deviceId)}</strong> {hand.candidateId ?? ''} — {t(HAND_REASON_TEXT[hand.reason])}, {clock(hand.at)}{' '}
            <button type="button" className="btn btn-small" disabled={busy} onClick={() => run(() => station.acknowledgeHand({ staffToken: token, deviceId: hand.deviceId }))}>
              {t('handSeen')}
            </button>
          </li>
        ))}
      </ul>
      <ErrorBanner error={error} />
    </section>
  );
}

/** A part by its title where the hub knows it (an unlocked package), else by its id. */
const titleOf =
  (controls: RoomControlsView) =>
  (partId: string): string =>
    controls.partTitles[partId] ?? partId;

function LostTime({ station, token, controls, seats, onChange }: { station: StationApi; token: string; controls: RoomControlsView; seats: HubSeat[]; onChange: () => void }) {
  const t = useText();
  const { error, busy, run } = useCall(onChange);
  const partTitle = titleOf(controls);
  if (controls.lostTime.length === 0) return null;
  return (
    <section className="card stack-sm" aria-labelledby="lost-title">
      <h2 id="lost-title">{t('lostTimeTitle')}</h2>
      <ul className="stack-sm" data-testid="lost-time">
        {controls.lostTime.map((p) => (
          <li key={p.proposalId}>
            {t('lostTimeProposal', { seat: seatName(seats, p.deviceId), candidate: p.candidateId, part: partTitle(p.partId), from: clock(p.from), to: clock(p.to), amount: minutesSeconds(p.amountMs) })}{' '}
            <button type="button" className="btn btn-small btn-primary" disabled={busy} onClick={() => run(() => station.settleLostTime({ staffToken: token, proposalId: p.proposalId, confirm: true }))}>
              {t('lostTimeCredit', { amount: minutesSeconds(p.amountMs) })}
            </button>{' '}
            <button type="button" className="btn btn-small" disabled={busy} onClick={() => run(() => station.settleLostTime({ staffToken: token, proposalId: p.proposalId, confirm: false }))}>
              {t('lostTimeDismiss')}
            </button>
          </li>
        ))}
      </ul>
      <ErrorBanner error={error} />
    </section>
  );
}

function Ledger({ controls }: { controls: RoomControlsView }) {
  const t = useText();
  const partTitle = titleOf(controls);
  if (controls.ledger.length === 0) return null;
  return (
    <section className="card stack-sm" aria-labelledby="ledger-title">
      <h2 id="ledger-title">{t('ledgerTitle')}</h2>
      <table className="seats" data-testid="ledger">
        <thead>
          <tr>
            <th scope="col">{t('colCandidate')}</th>
            <th scope="col">{t('ledgerWhen')}</th>
            <th scope="col">{t('ledgerAmount')}</th>
            <th scope="col">{t('extraGrounds')}</th>
            <th scope="col">{t('extraReason')}</th>
            <th scope="col">{t('ledgerWho')}</th>
          </tr>
        </thead>
        <tbody>
          {controls.ledger.map((e, i) => (
            <tr key={e.cmdId ?? `seat-${i}`}>
              <th scope="row">{e.candidateId}</th>
              <td>{clock(e.issuedAt)}</td>
              <td className="mono">
                +{minutesSeconds(e.amountMs)}
                {!e.applied && <span className="warn"> {t('ledgerPending')}</span>}
              </td>
              <td>{t(GROUNDS_TEXT[e.grounds])}</td>
              <td lang="lv">{reasonInLatvian(e.reason, { partTitle })}</td>
              <td>{e.source === 'seat' ? t('ledgerBySeat') : e.issuedBy}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** Everything of the room controls, below the room view. `seats`: the hub's seats as getRoom gave them. */
export function RoomControls({ station, token, seats }: { station: StationApi; token: string; seats: HubSeat[] }) {
  const [controls, setControls] = useState<RoomControlsView | null>(null);
  const [error, setError] = useState<BilingualText | null>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    const load = () =>
      station
        .getRoomControls({ staffToken: token })
        .then((view) => {
          if (!live) return;
          setControls(view);
          setError(null);
        })
        .catch((caught: unknown) => live && setError(errorOf(caught)));
    void load();
    const timer = setInterval(() => void load(), POLL_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [station, token, tick]);
  const refresh = () => setTick((n) => n + 1);
  return (
    <>
      <ErrorBanner error={error} />
      {controls && (
        <>
          <Hands station={station} token={token} controls={controls} seats={seats} onChange={refresh} />
          <LostTime station={station} token={token} controls={controls} seats={seats} onChange={refresh} />
          <KeyRelease station={station} token={token} controls={controls} onChange={refresh} />
          <RoomWide station={station} token={token} onChange={refresh} />
          <SeatActions station={station} token={token} seats={seats} onChange={refresh} />
          <Ledger controls={controls} />
        </>
      )}
    </>
  );
}
