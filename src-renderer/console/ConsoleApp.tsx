// The invigilator's console on the hub: sign in as a named person, then the room at a glance — every
// seat with its state, problems first — and "add seats" with its one-time code for IT. It asks the
// station every 2 s (getRoom); what a seat reports is at most one heartbeat old by then.
// The check-in desk (CheckIn.tsx), the seat plan (SeatPlan.tsx) and the centre (CentrePage.tsx) are
// pages of their own beside it.
// More of the console (key release, start and pause for the room, incidents, seal) comes as the
// station API grows it.
import { useEffect, useState } from 'react';
import type { RoomStatus, StationApi } from '../../src-shared/contracts/station-api.ts';
import type { BilingualText } from '../../src-shared/errors.ts';
import { shortDeviceId } from '../../src-shared/rules/device-id.ts';
import { useSettings, useText } from '../store/settings.ts';
import type { TextKey } from '../text.ts';
import { Bilingual, ConfirmDialog, SettingsButton } from '../ui/frame.tsx';
import { CentrePage } from './CentrePage.tsx';
import { CheckInPage } from './CheckIn.tsx';
import { ConsoleNav, type ConsolePage } from './ConsoleNav.tsx';
import { SeatPlanPage } from './SeatPlan.tsx';
import { EndAndSeal } from './EndAndSeal.tsx';
import { Incidents } from './Incidents.tsx';
import { HAND_REASON_TEXT, RoomControls } from './RoomControls.tsx';
import { PackageImport } from './PackageImport.tsx';
import { LockButton, StaffSessionGate } from './StaffSession.tsx';
import { TrustList } from './TrustList.tsx';
import { MoveCandidate } from './MoveCandidate.tsx';
import { SeatRequests } from './SeatRequests.tsx';
import { consoleError as errorOf, CONSOLE_POLL_MS as POLL_MS } from './room-data.ts';


type HubSeat = NonNullable<RoomStatus['hub']>['seats'][number];

function ConsoleFrame({ title, children, onSignOut }: { title: string; children: React.ReactNode; onSignOut?: () => void }) {
  const t = useText();
  return (
    <div className="frame console">
      <header className="topbar">
        <div className="topbar-title">
          <span className="app-name" data-testid="app-name">
            {t('consoleName')}
          </span>
          <h1 className="screen-title">{title}</h1>
        </div>
        <div className="topbar-status">
          <LockButton />
          {onSignOut && (
            <button type="button" className="btn" onClick={onSignOut}>
              {t('signOut')}
            </button>
          )}
          <SettingsButton />
        </div>
      </header>
      <main className="content" id="main">
        {children}
      </main>
    </div>
  );
}

function SignIn({ station, onSignedIn }: { station: StationApi; onSignedIn: (token: string) => void }) {
  const t = useText();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<BilingualText | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <ConsoleFrame title={t('consoleSignInTitle')}>
      <form
        className="card stack-sm"
        onSubmit={(e) => {
          e.preventDefault();
          setBusy(true);
          setError(null);
          station
            .staffSignIn({ username, password })
            .then(({ staffToken }) => onSignedIn(staffToken))
            .catch((caught: unknown) => setError(errorOf(caught)))
            .finally(() => setBusy(false));
        }}
      >
        <label className="field">
          <span>{t('staffUsername')}</span>
          <input className="input" autoComplete="username" value={username} onChange={(e) => setUsername(e.target.value)} />
        </label>
        <label className="field">
          <span>{t('staffPassword')}</span>
          <input className="input" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} />
        </label>
        {error && (
          <p className="banner banner-error" role="alert">
            <Bilingual text={error} />
          </p>
        )}
        <div className="actions">
          <button type="submit" className="btn btn-primary" disabled={busy || username === '' || password === ''}>
            {t('signIn')}
          </button>
        </div>
      </form>
    </ConsoleFrame>
  );
}

const PRESENCE: Record<HubSeat['presence'], TextKey> = { connected: 'presenceConnected', late: 'presenceLate', missing: 'presenceMissing' };

/** A seat needs the invigilator when it has an alarm, is not heard from, or holds work the hub has not got. */
const needsAttention = (seat: HubSeat): boolean => seat.revoked || seat.alarm !== null || seat.presence !== 'connected' || (seat.state?.backlog.events ?? 0) > 0 || Boolean(seat.state?.hand);

function minutesSeconds(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  return `${Math.floor(total / 60)}:${String(total % 60).padStart(2, '0')}`;
}

/** Whether the hub's packages are on the seat (pre-staged before the start), as its heartbeat says. */
function PackagesOnSeat({ seat, hubPackages }: { seat: HubSeat; hubPackages: string[] | null }) {
  const t = useText();
  const onSeat = seat.state?.packages;
  if (!hubPackages || hubPackages.length === 0 || !onSeat) return <>—</>;
  const have = hubPackages.filter((id) => onSeat.includes(id)).length;
  return <>{have === hubPackages.length ? t('packageOnSeatYes') : t('packageOnSeatNo', { n: have, m: hubPackages.length })}</>;
}

function SeatRow({ seat, hubPackages, onRevoke }: { seat: HubSeat; hubPackages: string[] | null; onRevoke: () => void }) {
  const t = useText();
  const attempt = seat.state?.attempt ?? null;
  const backlog = seat.state?.backlog;
  return (
    <tr data-testid="seat-row" data-presence={seat.presence} className={needsAttention(seat) ? 'seat-problem' : undefined}>
      <th scope="row">{seat.label ?? '—'}</th>
      <td>
        <span className={`presence presence-${seat.presence}`}>{seat.revoked ? t('seatRevoked') : t(PRESENCE[seat.presence])}</span>
        {seat.alarm && (
          <span className="warn" role="note">
            {' '}
            ⚠ {seat.alarm}
          </span>
        )}
        {seat.state?.hand && (
          <span className="warn" role="note" data-testid="raised-hand">
            {' '}
            {t('handRaised', { reason: t(HAND_REASON_TEXT[seat.state.hand.reason]) })}
          </span>
        )}
      </td>
      <td>{attempt?.candidateId ?? '—'}</td>
      <td lang="lv">{attempt?.partId ?? '—'}</td>
      <td className="mono">{attempt?.remainingMs != null ? minutesSeconds(attempt.remainingMs) : '—'}</td>
      <td>{backlog && backlog.events > 0 ? t('backlogSome', { n: backlog.events, s: Math.round((backlog.oldestAgeMs ?? 0) / 1000) }) : t('backlogNone')}</td>
      <td data-testid="packages-on-seat">
        <PackagesOnSeat seat={seat} hubPackages={hubPackages} />
      </td>
      <td className="mono">{seat.state?.appVersion ?? '—'}</td>
      <td>
        {!seat.revoked && (
          <button type="button" className="btn btn-small" onClick={onRevoke}>
            {t('revokeSeat')}
          </button>
        )}
      </td>
    </tr>
  );
}

function Pairing({ station, token, room, onChange }: { station: StationApi; token: string; room: NonNullable<RoomStatus['hub']>; onChange: () => void }) {
  const t = useText();
  // The hub's device id, as a seat lists the hubs it finds on the network: IT picks this one.
  const [deviceId, setDeviceId] = useState<string | null>(null);
  useEffect(() => {
    void station.getStatus({}).then(
      (status) => setDeviceId(status.deviceId),
      () => setDeviceId(null),
    );
  }, [station]);
  const [opened, setCode] = useState<{ code: string; expiresAt: string } | null>(null);
  // The room's own word wins: each code pairs one seat, and the hub's next code comes with the room view.
  const code = room.pairing.code && room.pairing.expiresAt ? { code: room.pairing.code, expiresAt: room.pairing.expiresAt } : opened;
  const [error, setError] = useState<BilingualText | null>(null);
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (!code) return undefined;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [code]);
  const open = () =>
    station
      .openPairing({ staffToken: token })
      .then((opened) => {
        setCode(opened);
        setError(null);
        onChange();
      })
      .catch((caught: unknown) => setError(errorOf(caught)));
  const close = () =>
    station
      .closePairing({ staffToken: token })
      .then(() => {
        setCode(null);
        onChange();
      })
      .catch((caught: unknown) => setError(errorOf(caught)));
  const leftMs = code ? Date.parse(code.expiresAt) - now : 0;
  const showing = code && room.pairing.state === 'open' && leftMs > 0;
  return (
    <section className="card stack-sm" aria-labelledby="pairing-title">
      <h2 id="pairing-title">{t('addSeats')}</h2>
      <p className="muted">{t('roomAddress', { address: `${room.address.host}:${room.address.port}` })}</p>
      {deviceId && (
        <p className="muted" data-testid="hub-device-id">
          {t('hubDeviceId', { id: shortDeviceId(deviceId) })}
        </p>
      )}
      {room.pairing.state === 'paused' && (
        <p className="banner banner-error" role="alert">
          {t('pairingPaused', { n: room.pairing.consecutiveFailures })}
        </p>
      )}
      {showing ? (
        <>
          <p className="pairing-code mono" data-testid="pairing-code" aria-label={t('pairingCodeLabel')}>
            {code.code.slice(0, 4)} {code.code.slice(4)}
          </p>
          <p>{t('pairingCodeHelp', { left: minutesSeconds(leftMs) })}</p>
          <div className="actions">
            <button type="button" className="btn" onClick={() => void open()}>
              {t('newCode')}
            </button>
            <button type="button" className="btn" onClick={() => void close()}>
              {t('stopAdding')}
            </button>
          </div>
        </>
      ) : (
        <div className="actions">
          <button type="button" className="btn btn-primary" onClick={() => void open()}>
            {t('showCode')}
          </button>
        </div>
      )}
      {error && (
        <p className="banner banner-error" role="alert">
          <Bilingual text={error} />
        </p>
      )}
    </section>
  );
}

function RoomScreen({ station, token, onSignOut, nav }: { station: StationApi; token: string; onSignOut: () => void; nav: React.ReactNode }) {
  const t = useText();
  const [room, setRoom] = useState<RoomStatus | null>(null);
  const [error, setError] = useState<BilingualText | null>(null);
  const [hideHealthy, setHideHealthy] = useState(false);
  const [revoking, setRevoking] = useState<HubSeat | null>(null);
  const [tick, setTick] = useState(0);
  const [hubPackages, setHubPackages] = useState<string[] | null>(null);
  useEffect(() => {
    let live = true;
    const load = () => {
      // The packages to pre-stage, for "package on seat"; a person who may not list packages (IT) sees none.
      station.listPackages({ staffToken: token }).then(
        (list) => live && setHubPackages(list.map((p) => p.packageId)),
        () => live && setHubPackages(null),
      );
      return station
        .getRoom({ staffToken: token })
        .then((status) => {
          if (!live) return;
          setRoom(status);
          setError(null);
        })
        .catch((caught: unknown) => live && setError(errorOf(caught)));
    };
    void load();
    const timer = setInterval(() => void load(), POLL_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [station, token, tick]);
  const refresh = () => setTick((n) => n + 1);
  const hub = room?.hub ?? null;
  // Problems first, then by seat label (the room's order), so the invigilator reads the list from the top.
  const seats = hub
    ? hub.seats
        .filter((s) => !hideHealthy || needsAttention(s))
        .sort((a, b) => Number(needsAttention(b)) - Number(needsAttention(a)) || (a.label ?? '').localeCompare(b.label ?? '', 'lv', { numeric: true }))
    : [];
  const problems = hub ? hub.seats.filter(needsAttention).length : 0;
  return (
    <ConsoleFrame title={t('consoleRoomTitle')} onSignOut={onSignOut}>
      {nav}
      {error && (
        <p className="banner banner-error" role="alert">
          <Bilingual text={error} />
        </p>
      )}
      {room && !hub && <p className="card">{room.notice ?? t('roomNone')}</p>}
      {hub && (
        <>
          <section className="card stack-sm" aria-labelledby="seats-title">
            <h2 id="seats-title">{t('seatsTitle', { n: hub.seats.length })}</h2>
            <p role="status" data-testid="room-summary">
              {problems === 0 ? t('roomAllWell') : t('roomProblems', { n: problems })}
            </p>
            <label className="choice">
              <input type="checkbox" checked={hideHealthy} onChange={(e) => setHideHealthy(e.target.checked)} />
              <span>{t('hideHealthy')}</span>
            </label>
            {hub.seats.length === 0 ? (
              <p>{t('seatsNone')}</p>
            ) : (
              <table className="seats">
                <thead>
                  <tr>
                    <th scope="col">{t('colSeat')}</th>
                    <th scope="col">{t('colState')}</th>
                    <th scope="col">{t('colCandidate')}</th>
                    <th scope="col">{t('colPart')}</th>
                    <th scope="col">{t('colTimeLeft')}</th>
                    <th scope="col">{t('colBacklog')}</th>
                    <th scope="col">{t('colPackages')}</th>
                    <th scope="col">{t('colVersion')}</th>
                    <th scope="col">
                      <span className="sr-only">{t('colActions')}</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {seats.map((seat) => (
                    <SeatRow
                      key={seat.deviceId}
                      seat={seat}
                      hubPackages={hubPackages}
                      onRevoke={() => setRevoking(seat)}
                    />
                  ))}
                </tbody>
              </table>
            )}
          </section>
          <SeatRequests station={station} token={token} requests={hub.requests ?? []} onDecided={refresh} errorOf={errorOf} />
          <MoveCandidate station={station} token={token} room={hub} onMoved={refresh} errorOf={errorOf} />
          <Pairing station={station} token={token} room={hub} onChange={refresh} />
          <EndAndSeal station={station} token={token} />
          <RoomControls station={station} token={token} seats={hub.seats} />
          <Incidents station={station} token={token} seats={hub.seats} />
        </>
      )}
      <PackageImport station={station} token={token} />
      <TrustList station={station} token={token} />
      {revoking && (
        <ConfirmDialog
          title={t('revokeSeat')}
          yes={t('revokeSeat')}
          no={t('cancel')}
          onNo={() => setRevoking(null)}
          onYes={() => {
            const seat = revoking;
            setRevoking(null);
            station
              .revokeSeat({ staffToken: token, deviceId: seat.deviceId })
              .then(refresh)
              .catch((caught: unknown) => setError(errorOf(caught)));
          }}
        >
          <p>{t('revokeConfirm', { seat: revoking.label ?? revoking.deviceId })}</p>
        </ConfirmDialog>
      )}
    </ConsoleFrame>
  );
}

const PAGE_TITLE: Record<Exclude<ConsolePage, 'room'>, TextKey> = { 'check-in': 'pageCheckIn', 'seat-plan': 'pageSeatPlan', centre: 'pageCentre' };

export function ConsoleApp({ station }: { station: StationApi }) {
  const t = useText();
  const [token, setToken] = useState<string | null>(null);
  const [page, setPage] = useState<ConsolePage>('room');
  const lang = useSettings((s) => s.lang);
  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);
  if (!token) return <SignIn station={station} onSignedIn={setToken} />;
  const signOut = () => {
    void station.staffSignOut({ staffToken: token }).finally(() => setToken(null));
  };
  const nav = <ConsoleNav page={page} onPage={setPage} />;
  return (
    <StaffSessionGate station={station} token={token} onEnded={() => setToken(null)}>
      {page === 'room' ? (
        <RoomScreen station={station} token={token} onSignOut={signOut} nav={nav} />
      ) : (
        <ConsoleFrame title={t(PAGE_TITLE[page])} onSignOut={signOut}>
          {nav}
          {page === 'check-in' && <CheckInPage station={station} token={token} />}
          {page === 'seat-plan' && <SeatPlanPage station={station} token={token} />}
          {page === 'centre' && <CentrePage station={station} token={token} />}
        </ConsoleFrame>
      )}
    </StaffSessionGate>
  );
}
