// The centre staff's page on the hub's console (issue 11 §2, design/sync.md "Status for centre staff"):
// the hub's link to the central API as the station's sync client reports it. Not enrolled: the centre's
// address and one-time code. Enrolled: the last contact, what came from the centre, what is still to
// send and for how long, a progress bar on every transfer, the last problem in the person's language
// with what to do, "Sync now", a revoked hub said as such, a hub clock that is off. Then each session's
// receipts, and one session's receipts as a table that prints on its own; a session the centre has
// all of can have its data deleted here (purgeSession, after a confirmation that says what it does),
// and then says when and whether its deletion certificate is at the centre (issue 11 §4). Below, the
// day without a network by USB drive (CentreUsb.tsx). It asks the station every 2 s (getCentralSync)
// while it is open; what may be done follows the rights table.
import { useEffect, useRef, useState } from 'react';
import { flushSync } from 'react-dom';
import type { DeletionKind } from '../../src-shared/contracts/deletion-certificate.ts';
import type { CentralReceiptView, CentralSyncView, StationApi, StationOutput } from '../../src-shared/contracts/station-api.ts';
import type { BilingualText } from '../../src-shared/errors.ts';
import { shortDeviceId } from '../../src-shared/rules/device-id.ts';
import { useSettings, useText } from '../store/settings.ts';
import { TEXT, type TextKey } from '../text.ts';
import { Bilingual, Modal } from '../ui/frame.tsx';
import { dateTime, ErrorBanner, megabytes, rolesText } from './centre-parts.tsx';
import { UsbTransfer } from './CentreUsb.tsx';
import { useStaffSession } from './StaffSession.tsx';
import { consoleError as errorOf, CONSOLE_POLL_MS as POLL_MS } from './room-data.ts';

/** A clock more than this far from the centre's is said on the page (the centre refuses far larger skews). */
export const CLOCK_WARN_MS = 60_000;

type Session = CentralSyncView['sessions'][number];
type Transfer = CentralSyncView['transfers'][number];
type PurgeAnswer = StationOutput<'purgeSession'>;

/** A length of time in the units a person reads at a glance: 45 s, 3 min 20 s, 2 h 5 min. */
function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ''}`;
  return `${Math.floor(s / 3600)} h${Math.floor((s % 3600) / 60) ? ` ${Math.floor((s % 3600) / 60)} min` : ''}`;
}

/** How long ago, in words: "pirms 3 minūtēm", "3 minutes ago". */
function ago(t: ReturnType<typeof useText>, iso: string, now: number): string {
  const s = Math.max(0, Math.floor((now - Date.parse(iso)) / 1000));
  if (s < 5) return t('agoNow');
  if (s < 60) return t('agoSeconds', { n: s });
  if (s < 3600) return t('agoMinutes', { n: Math.floor(s / 60) });
  if (s < 86_400) return t('agoHours', { n: Math.floor(s / 3600) });
  return t('agoDays', { n: Math.floor(s / 86_400) });
}

const percentOf = (transfer: Transfer): number => (transfer.total > 0 ? Math.min(100, Math.floor((100 * transfer.done) / transfer.total)) : 0);

/** An address the station takes for the centre: a whole http(s) URL. */
function isWebAddress(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.hostname !== '';
  } catch {
    return false;
  }
}

/** The length the station takes (src-shared/contracts/station-api.ts: enrolAtCentre); the centre checks the code itself. */
const codeFits = (code: string): boolean => code.trim().length >= 16 && code.trim().length <= 40;

const ATTENDANCE_TEXT: Record<string, TextKey> = { expected: 'rosterExpected', present: 'markPresent', absent: 'rosterAbsent', removed: 'rosterRemoved' };

/** The problem texts of a receipt or a mismatch, in the person's language. */
function Problems({ problems }: { problems: BilingualText[] }) {
  const lang = useSettings((s) => s.lang);
  if (problems.length === 0) return null;
  return (
    <ul className="centre-problems">
      {problems.map((p, i) => (
        <li key={i} lang={lang}>
          {p[lang]}
        </li>
      ))}
    </ul>
  );
}

function EnrolForm({ station, token, onEnrolled }: { station: StationApi; token: string; onEnrolled: (view: CentralSyncView) => void }) {
  const t = useText();
  const lang = useSettings((s) => s.lang);
  const mayEnrol = useStaffSession()?.session.rights.includes('central.enrol') ?? false;
  const [centralUrl, setCentralUrl] = useState('');
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<BilingualText | null>(null);
  return (
    <section className="card stack-sm" aria-labelledby="enrol-title">
      <h2 id="enrol-title">{t('centreEnrolTitle')}</h2>
      <p>{t('centreEnrolIntro')}</p>
      <p data-testid="enrol-code-help">{t('centreCodeHelp')}</p>
      {mayEnrol ? (
        <form
          className="stack-sm"
          // Our own words, in both languages, rather than the browser's tooltip for a type=url field.
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            if (busy) return;
            // The station would refuse these as a request that is not valid; the person is told what is wrong instead.
            const problem = !isWebAddress(centralUrl.trim()) ? TEXT.centreUrlInvalid : !codeFits(code) ? TEXT.centreCodeInvalid : null;
            if (problem) {
              setError(problem);
              return;
            }
            setBusy(true);
            setError(null);
            station
              .enrolAtCentre({ staffToken: token, centralUrl: centralUrl.trim(), code: code.trim() })
              .then(onEnrolled)
              .catch((caught: unknown) => setError(errorOf(caught)))
              .finally(() => setBusy(false));
          }}
        >
          <label className="field">
            <span>{t('centreUrl')}</span>
            <input className="input" type="url" inputMode="url" autoComplete="off" spellCheck={false} placeholder="https://" value={centralUrl} onChange={(e) => setCentralUrl(e.target.value)} aria-describedby="centre-url-hint" />
          </label>
          <p className="hint" id="centre-url-hint">
            {t('centreUrlHint')}
          </p>
          <label className="field">
            <span>{t('centreCode')}</span>
            <input className="input mono" autoComplete="off" spellCheck={false} autoCapitalize="characters" value={code} onChange={(e) => setCode(e.target.value)} aria-describedby="centre-code-hint enrol-code-help" />
          </label>
          <p className="hint" id="centre-code-hint">
            {t('centreCodeHint')}
          </p>
          <ErrorBanner error={error} testId="enrol-error" />
          <div className="actions">
            <button type="submit" className="btn btn-primary" disabled={busy || centralUrl.trim() === '' || code.trim() === ''}>
              {busy ? t('centreEnrolling') : t('centreEnrol')}
            </button>
          </div>
        </form>
      ) : (
        <p className="warn" data-testid="enrol-no-right">
          {t('centreEnrolNoRight', { roles: rolesText('central.enrol', lang) })}
        </p>
      )}
    </section>
  );
}

function Revoked({ view }: { view: CentralSyncView }) {
  const t = useText();
  return (
    <section className="card centre-revoked stack-sm" role="alert" aria-labelledby="revoked-title" data-testid="centre-revoked">
      <h2 id="revoked-title">⛔ {t('centreRevokedTitle')}</h2>
      <p>{t('centreRevokedText', { venue: view.venueCode ?? '—', device: view.deviceId ? shortDeviceId(view.deviceId) : '—' })}</p>
    </section>
  );
}

function TransferBar({ transfer }: { transfer: Transfer }) {
  const t = useText();
  const lang = useSettings((s) => s.lang);
  const percent = percentOf(transfer);
  const id = `transfer-${transfer.kind}-${transfer.id}`;
  const label = t(transfer.kind === 'package' ? 'centreTransferPackage' : 'centreTransferAudio', { id: transfer.id, percent, done: megabytes(transfer.done, lang), total: megabytes(transfer.total, lang) });
  return (
    <li className="stack-sm" data-testid="centre-transfer">
      <span id={id}>{label}</span>
      <div className="import-progress" role="progressbar" aria-label={t('centreTransferLabel')} aria-describedby={id} aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent} aria-valuetext={label}>
        <div className="import-progress-fill" style={{ width: `${percent}%` }} />
      </div>
    </li>
  );
}

function LinkStatus({ view, onSync, syncing, syncError }: { view: CentralSyncView; onSync: () => void; syncing: boolean; syncError: BilingualText | null }) {
  const t = useText();
  const lang = useSettings((s) => s.lang);
  const now = Date.now();
  const { newFromCentre: fresh } = view;
  const nothingToSend = view.eventsToSend === 0 && view.recordingsToSend === 0 && view.audioBytesToSend === 0;
  const offset = view.clockOffsetMs;
  // A revoked hub's own refusal is the revoked card above, not a second alarm.
  const lastError = view.lastError && !(view.revoked && view.lastError.code === 'DEVICE_REVOKED') ? view.lastError : null;
  return (
    <>
      <section className="card stack-sm" aria-labelledby="link-title">
        <h2 id="link-title">{t('centreLinkTitle')}</h2>
        <p className="muted">{t('centreAddress', { url: view.centralUrl ?? '—' })}</p>
        <p className="muted">{t('centreVenue', { venue: view.venueCode ?? '—', device: view.deviceId ? shortDeviceId(view.deviceId) : '—' })}</p>
        <p data-testid="centre-last-contact">{view.lastContactAt ? t('centreLastContact', { ago: ago(t, view.lastContactAt, now), at: dateTime(view.lastContactAt, lang) }) : t('centreNoContact')}</p>
        {Math.abs(offset) > CLOCK_WARN_MS && (
          <p className="warn" role="note" data-testid="centre-clock">
            {t(offset > 0 ? 'centreClockBehind' : 'centreClockAhead', { amount: duration(Math.abs(offset)) })}
          </p>
        )}
        {lastError && (
          <div className="banner banner-error" role="alert" data-testid="centre-last-error">
            <span className="banner-icon" aria-hidden="true">
              ⚠
            </span>
            <div className="banner-text">
              <strong>{t('centreLastErrorTitle', { at: dateTime(lastError.at, lang) })}</strong>
              <p>
                <Bilingual text={lastError.message} />
              </p>
              <p className="muted mono">{lastError.detail ? `${lastError.code}: ${lastError.detail}` : lastError.code}</p>
            </div>
          </div>
        )}
        <ErrorBanner error={syncError} testId="centre-sync-error" />
        {!view.revoked && (
          <div className="actions">
            <button type="button" className="btn btn-primary" disabled={syncing} aria-busy={syncing} onClick={onSync}>
              {syncing ? t('centreSyncing') : t('centreSyncNow')}
            </button>
          </div>
        )}
      </section>
      <section className="card stack-sm" aria-labelledby="to-send-title">
        <h2 id="to-send-title">{t('centreToSendTitle')}</h2>
        {nothingToSend ? (
          <p className="ok" data-testid="centre-to-send">
            ✓ {t('centreAllSent')}
          </p>
        ) : (
          <ul className="stack-sm" data-testid="centre-to-send">
            <li>
              {t('centreEventsToSend', { n: view.eventsToSend })}
              {view.oldestUnsentAt && `; ${t('centreOldest', { at: dateTime(view.oldestUnsentAt, lang), age: duration(now - Date.parse(view.oldestUnsentAt)) })}`}
            </li>
            <li>{t('centreAudioToSend', { mb: megabytes(view.audioBytesToSend, lang), n: view.recordingsToSend })}</li>
          </ul>
        )}
        <h3>{t('centreNewTitle')}</h3>
        <p data-testid="centre-new">{fresh.sessions + fresh.candidates + fresh.packages === 0 ? t('centreNewNone') : t('centreNewLine', { s: fresh.sessions, c: fresh.candidates, p: fresh.packages })}</p>
        {view.transfers.length > 0 && (
          <>
            <h3>{t('centreTransfersTitle')}</h3>
            <ul className="centre-transfers stack-sm">
              {view.transfers.map((transfer) => (
                <TransferBar key={`${transfer.kind}:${transfer.id}`} transfer={transfer} />
              ))}
            </ul>
          </>
        )}
      </section>
    </>
  );
}

/** What each kind of a deletion certificate's items is called (src-shared/contracts/deletion-certificate.ts). */
const DELETED_TEXT: Record<DeletionKind, TextKey> = {
  candidates: 'deletedCandidates',
  'check-ins': 'deletedCheckIns',
  attendance: 'deletedAttendance',
  'seat-assignments': 'deletedSeatAssignments',
  attempts: 'deletedAttempts',
  responses: 'deletedResponses',
  'response-revisions': 'deletedResponseRevisions',
  recordings: 'deletedRecordings',
  'audio-segments': 'deletedAudioSegments',
  'timer-events': 'deletedTimerEvents',
  'audio-plays': 'deletedAudioPlays',
  incidents: 'deletedIncidents',
  moves: 'deletedMoves',
  'lost-time': 'deletedLostTime',
  events: 'deletedEvents',
};

const isDeletionKind = (kind: string): kind is DeletionKind => Object.hasOwn(DELETED_TEXT, kind);

/** The station's answer to a purge: the certificate, what went (the kinds that had any), how many seats were asked. */
function PurgeAnswerCard({ answer }: { answer: PurgeAnswer }) {
  const t = useText();
  const lang = useSettings((s) => s.lang);
  const deleted = answer.items.filter((item) => item.count > 0);
  return (
    <div className="banner banner-ok" role="status" data-testid="purge-result">
      <div className="banner-text stack-sm">
        <strong>✓ {t('centrePurgeDone', { session: answer.sessionId, id: answer.certificateId })}</strong>
        {deleted.length === 0 ? (
          <p>{t('centrePurgeNothing')}</p>
        ) : (
          <>
            <p>{t('centrePurgeDeleted')}</p>
            <ul data-testid="purge-items">
              {deleted.map((item) => (
                <li key={item.kind}>
                  {isDeletionKind(item.kind) ? t(DELETED_TEXT[item.kind]) : item.kind}: {item.count}
                  {item.bytes !== undefined && ` (${megabytes(item.bytes, lang)} MB)`}
                </li>
              ))}
            </ul>
          </>
        )}
        <p>{t('centrePurgeSeats', { n: answer.seatsAsked })}</p>
      </div>
    </div>
  );
}

/**
 * Asks before a purge, saying what it does, and takes it only once the person has typed the session's
 * code: the deletion cannot be undone. A refusal (PURGE_NOT_CONFIRMED: a receipt stopped matching) is
 * said in the dialog, in both languages; nothing was deleted then.
 */
function PurgeDialog({ station, token, session, onDone, onClose }: { station: StationApi; token: string; session: Session; onDone: (answer: PurgeAnswer) => void; onClose: () => void }) {
  const t = useText();
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<BilingualText | null>(null);
  const inFlight = useRef(false);
  const confirmed = typed.trim().toLowerCase() === session.sessionId.toLowerCase();
  const purge = () => {
    if (!confirmed || inFlight.current) return;
    inFlight.current = true;
    setBusy(true);
    setError(null);
    station
      .purgeSession({ staffToken: token, sessionId: session.sessionId })
      .then(onDone)
      .catch((caught: unknown) => {
        inFlight.current = false;
        setBusy(false);
        setError(errorOf(caught));
      });
  };
  const id = `purge-${session.sessionId}`;
  return (
    <Modal role="alertdialog" labelledBy={`${id}-title`} describedBy={`${id}-what`} focus="button[data-default]" onCancel={() => !busy && onClose()} testId="purge-dialog">
      <h2 id={`${id}-title`}>{t('centrePurgeTitle', { session: session.sessionId })}</h2>
      <div className="dialog-body stack-sm">
        <ul className="stack-sm" id={`${id}-what`}>
          <li>{t('centrePurgeWhat', { session: session.sessionId })}</li>
          <li>{t('centrePurgeWhy', { n: session.candidates })}</li>
          <li>{t('centrePurgeCertificate')}</li>
          <li>
            <strong>{t('centrePurgeFinal')}</strong>
          </li>
        </ul>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            purge();
          }}
        >
          <label className="field">
            <span>{t('centrePurgeType', { session: session.sessionId })}</span>
            <input className="input mono" autoComplete="off" spellCheck={false} value={typed} disabled={busy} onChange={(e) => setTyped(e.target.value)} />
          </label>
        </form>
        <ErrorBanner error={error} testId="purge-error" />
      </div>
      <div className="dialog-actions">
        <button type="button" className="btn" onClick={onClose} disabled={busy} data-default>
          {t('cancel')}
        </button>
        <button type="button" className="btn btn-primary" onClick={purge} disabled={!confirmed || busy} aria-busy={busy}>
          {busy ? t('centrePurging') : t('centrePurgeYes')}
        </button>
      </div>
    </Modal>
  );
}

/** Where a session stands on deletion here: not over, waiting for the receipts, the button, or deleted and its certificate. */
function PurgeState({ session, mayPurge, onPurge }: { session: Session; mayPurge: boolean; onPurge: () => void }) {
  const t = useText();
  const lang = useSettings((s) => s.lang);
  if (session.purgedAt) {
    return (
      <div className="stack-sm" data-testid="session-purged">
        <p>{t('centrePurged', { session: session.sessionId, at: dateTime(session.purgedAt, lang) })}</p>
        {session.certificatesUnsent === 0 ? (
          <p className="ok" data-testid="certificate-state">
            {t('centreCertificateAtCentre')}
          </p>
        ) : (
          <p className="warn" data-testid="certificate-state">
            {t('centreCertificateUnsent', { n: session.certificatesUnsent })}
          </p>
        )}
      </div>
    );
  }
  if (!session.over) {
    return (
      <p className="muted" data-testid="session-not-over">
        {t('centreNotOver')}
      </p>
    );
  }
  if (!session.complete) {
    return (
      <p className="muted" data-testid="session-purge-waits">
        {t('centrePurgeWaits')}
      </p>
    );
  }
  if (!mayPurge) {
    return (
      <p className="muted" data-testid="purge-no-right">
        {t('centrePurgeNoRight', { roles: rolesText('data.purge', lang) })}
      </p>
    );
  }
  return (
    <div className="actions actions-left">
      <button type="button" className="btn" onClick={onPurge}>
        {t('centrePurge')}
      </button>
    </div>
  );
}

function SessionRow({ session, open, onToggle, mayPurge, purged, onPurge }: { session: Session; open: boolean; onToggle: () => void; mayPurge: boolean; purged: PurgeAnswer | null; onPurge: () => void }) {
  const t = useText();
  return (
    <li className="stack-sm centre-session" data-testid="centre-session">
      {session.complete ? (
        <p className="banner banner-ok" data-testid="session-complete">
          ✓ {t('centreSessionComplete', { session: session.sessionId })}
        </p>
      ) : (
        <p>
          <strong>{t('centreSessionCount', { session: session.sessionId, n: session.receiptsMatching, m: session.candidates })}</strong>
        </p>
      )}
      {session.receiptsOutOfDate > 0 && (
        <p className="hint" data-testid="session-out-of-date">
          {t('centreReceiptsOutOfDate', { n: session.receiptsOutOfDate })}
        </p>
      )}
      {session.mismatches.length > 0 && (
        <ul className="stack-sm" data-testid="session-mismatches">
          {session.mismatches.map((m) => (
            <li key={m.candidateId}>
              <span className="warn">✗ {m.candidateId}</span>
              <Problems problems={m.problems} />
            </li>
          ))}
        </ul>
      )}
      <div className="actions actions-left">
        <button type="button" className="btn btn-small" aria-expanded={open} onClick={onToggle}>
          {t(open ? 'centreHideReceipts' : 'centreShowReceipts', { session: session.sessionId })}
        </button>
      </div>
      {purged && <PurgeAnswerCard answer={purged} />}
      <PurgeState session={session} mayPurge={mayPurge} onPurge={onPurge} />
    </li>
  );
}

function Receipts({ station, token, session, view }: { station: StationApi; token: string; session: Session; view: CentralSyncView }) {
  const t = useText();
  const lang = useSettings((s) => s.lang);
  const [receipts, setReceipts] = useState<CentralReceiptView[] | null>(null);
  const [error, setError] = useState<BilingualText | null>(null);
  const [printedAt, setPrintedAt] = useState<Date | null>(null);
  // Asked again whenever the session's count moves, so the table follows what the centre signed.
  const version = `${session.receiptsMatching}/${session.receiptsOutOfDate}/${session.candidates}/${session.complete}/${session.mismatches.length}`;
  useEffect(() => {
    let live = true;
    station.listCentralReceipts({ staffToken: token, sessionId: session.sessionId }).then(
      (list) => {
        if (!live) return;
        setReceipts(list);
        setError(null);
      },
      (caught: unknown) => live && setError(errorOf(caught)),
    );
    return () => {
      live = false;
    };
  }, [station, token, session.sessionId, version]);
  useEffect(() => () => document.documentElement.classList.remove('print-receipts'), []);
  const print = () => {
    // The heading's time must be on the page before the browser takes its picture of it.
    flushSync(() => setPrintedAt(new Date()));
    const root = document.documentElement;
    root.classList.add('print-receipts');
    const done = () => {
      root.classList.remove('print-receipts');
      window.removeEventListener('afterprint', done);
    };
    window.addEventListener('afterprint', done);
    window.print();
  };
  const titleId = `receipts-title-${session.sessionId}`;
  return (
    <section className="card stack-sm receipts-print" aria-labelledby={titleId} data-testid="centre-receipts">
      {printedAt && (
        <header className="print-only" data-testid="print-heading">
          <p>
            <strong>{t('centrePrintHeading', { venue: view.venueCode ?? '—', session: session.sessionId })}</strong>
          </p>
          <p>{t('centrePrintedAt', { at: dateTime(printedAt.toISOString(), lang), device: view.deviceId ? shortDeviceId(view.deviceId) : '—' })}</p>
        </header>
      )}
      <h2 id={titleId}>{t('centreReceiptsTitle', { session: session.sessionId })}</h2>
      <ErrorBanner error={error} />
      {receipts &&
        (receipts.length === 0 ? (
          <p>{t('centreReceiptsNone')}</p>
        ) : (
          <table className="seats receipts" data-testid="receipts-table">
            <thead>
              <tr>
                <th scope="col">{t('colCandidate')}</th>
                <th scope="col">{t('colReceipt')}</th>
                <th scope="col">{t('colIssuedAt')}</th>
                <th scope="col">{t('colAnswers')}</th>
                <th scope="col">{t('colRecordings')}</th>
                <th scope="col">{t('colIncidents')}</th>
                <th scope="col">{t('colAttendance')}</th>
                <th scope="col">{t('colMatches')}</th>
              </tr>
            </thead>
            <tbody>
              {receipts.map((r) => (
                <tr key={r.candidateId} className={r.matches ? undefined : 'seat-problem'} data-testid="receipt-row">
                  <th scope="row">
                    {r.familyName} {r.givenName} <span className="muted">({r.candidateId})</span>
                  </th>
                  <td>
                    {r.receiptId ? <span className="mono">{r.receiptId}</span> : <span className="muted">{t('receiptNone')}</span>}
                    {r.keyId && <span className="muted"> · {t('receiptKey', { key: r.keyId })}</span>}
                  </td>
                  <td>{r.issuedAt ? dateTime(r.issuedAt, lang) : '—'}</td>
                  <td className="mono">{r.responses}</td>
                  <td>{t('receiptRecordings', { n: r.recordings, a: r.audioReceived })}</td>
                  <td className="mono">{r.incidents}</td>
                  <td>{r.attendance ? (ATTENDANCE_TEXT[r.attendance] ? t(ATTENDANCE_TEXT[r.attendance]!) : r.attendance) : '—'}</td>
                  <td>
                    <span className={r.matches ? 'ok' : 'warn'}>{t(r.matches ? 'receiptMatches' : 'receiptDiffers')}</span>
                    <Problems problems={r.problems} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ))}
      <div className="actions no-print">
        <button type="button" className="btn" disabled={!receipts || receipts.length === 0} onClick={print}>
          {t('centrePrint')}
        </button>
      </div>
    </section>
  );
}

function Sessions({ station, token, view, onChanged }: { station: StationApi; token: string; view: CentralSyncView; onChanged: () => void }) {
  const t = useText();
  const mayPurge = useStaffSession()?.session.rights.includes('data.purge') ?? false;
  const [open, setOpen] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  // The purge's answer stays beside its session for as long as the page is open.
  const [purged, setPurged] = useState<Record<string, PurgeAnswer>>({});
  const shown = view.sessions.find((s) => s.sessionId === open) ?? null;
  const asked = view.sessions.find((s) => s.sessionId === confirming) ?? null;
  return (
    <>
      <section className="card stack-sm" aria-labelledby="sessions-title">
        <h2 id="sessions-title">{t('centreSessionsTitle')}</h2>
        {view.sessions.length === 0 ? (
          <p>{t('centreSessionsNone')}</p>
        ) : (
          <ul className="centre-sessions stack">
            {view.sessions.map((session) => (
              <SessionRow
                key={session.sessionId}
                session={session}
                open={open === session.sessionId}
                onToggle={() => setOpen((now) => (now === session.sessionId ? null : session.sessionId))}
                mayPurge={mayPurge}
                purged={purged[session.sessionId] ?? null}
                onPurge={() => setConfirming(session.sessionId)}
              />
            ))}
          </ul>
        )}
      </section>
      {shown && <Receipts key={shown.sessionId} station={station} token={token} session={shown} view={view} />}
      {asked && (
        <PurgeDialog
          key={asked.sessionId}
          station={station}
          token={token}
          session={asked}
          onClose={() => setConfirming(null)}
          onDone={(answer) => {
            setPurged((now) => ({ ...now, [answer.sessionId]: answer }));
            setConfirming(null);
            onChanged();
          }}
        />
      )}
    </>
  );
}

function CentreStatus({ station, token }: { station: StationApi; token: string }) {
  const t = useText();
  const [view, setView] = useState<CentralSyncView | null>(null);
  const [error, setError] = useState<BilingualText | null>(null);
  const [enrolled, setEnrolled] = useState<CentralSyncView | null>(null);
  const [syncing, setSyncing] = useState(false);
  const [syncError, setSyncError] = useState<BilingualText | null>(null);
  // A second press before the first pass ends would only queue behind it (the station runs one pass at a time).
  const inFlight = useRef(false);
  const live = useRef(true);
  const load = () =>
    station
      .getCentralSync({ staffToken: token })
      .then((next) => {
        if (!live.current) return;
        setView(next);
        setError(null);
      })
      .catch((caught: unknown) => live.current && setError(errorOf(caught)));
  useEffect(() => {
    live.current = true;
    void load();
    const timer = setInterval(() => void load(), POLL_MS);
    return () => {
      live.current = false;
      clearInterval(timer);
    };
  }, [station, token]);
  const sync = () => {
    if (inFlight.current) return;
    inFlight.current = true;
    setSyncing(true);
    setSyncError(null);
    station
      .syncWithCentre({ staffToken: token })
      .then((next) => live.current && setView(next))
      .catch((caught: unknown) => live.current && setSyncError(errorOf(caught)))
      .finally(() => {
        inFlight.current = false;
        if (live.current) setSyncing(false);
      });
  };
  return (
    <>
      <ErrorBanner error={error} testId="centre-error" />
      {!view && !error && <p className="card">{t('loading')}</p>}
      {view && !view.enrolled && (
        <EnrolForm
          station={station}
          token={token}
          onEnrolled={(next) => {
            setEnrolled(next);
            setView(next);
          }}
        />
      )}
      {view?.enrolled && (
        <>
          {enrolled && (
            <p className="banner banner-ok" role="status" data-testid="enrolled-now">
              {t('centreEnrolled', { venue: enrolled.venueCode ?? '—', device: enrolled.deviceId ? shortDeviceId(enrolled.deviceId) : '—' })}
            </p>
          )}
          {view.revoked && <Revoked view={view} />}
          <LinkStatus view={view} onSync={sync} syncing={syncing || view.syncing} syncError={syncError} />
          <Sessions station={station} token={token} view={view} onChanged={() => void load()} />
          <UsbTransfer station={station} token={token} onImported={() => void load()} />
        </>
      )}
    </>
  );
}

/** The page "Centrs / Centre": for those who may see the hub's link (central.sync); the others are told who may. */
export function CentrePage({ station, token }: { station: StationApi; token: string }) {
  const t = useText();
  const lang = useSettings((s) => s.lang);
  const rights = useStaffSession()?.session.rights ?? [];
  if (!rights.includes('central.sync')) {
    return (
      <p className="card" data-testid="centre-no-right">
        {t('centreNoRight', { roles: rolesText('central.sync', lang) })}
      </p>
    );
  }
  return <CentreStatus station={station} token={token} />;
}

