// The centre page's day without a network (issue 11 §3, design/sync.md "When there is no network: USB"):
// the removable drives the hub sees (listUsbDrives; picked from the list, no path is ever typed), and on
// each an export for the centre (exportForCentre: what the centre has not acknowledged, signed and
// encrypted to it, with the deletion certificates not yet sent) and an import of the centre's receipts
// (importFromCentre). One transfer at a time: the buttons are busy and disabled until it ends, so a
// second press starts nothing. What came of it stays beside the list: the file and what is in it, the
// audio the seats have not handed over yet, each session's receipts, each file skipped and why, or the
// station's refusal (a drive pulled out is USB_DRIVE_GONE) in both languages.
import { useEffect, useRef, useState } from 'react';
import type { StationApi, StationOutput } from '../../src-shared/contracts/station-api.ts';
import { StationError, type BilingualText } from '../../src-shared/errors.ts';
import { useSettings, useText } from '../store/settings.ts';
import { Bilingual } from '../ui/frame.tsx';
import { ErrorBanner, megabytes } from './centre-parts.tsx';
import { consoleError as errorOf } from './room-data.ts';

type UsbDrive = StationOutput<'listUsbDrives'>[number];
type Action = 'export' | 'import';
type Outcome = { kind: 'export'; volume: string; answer: StationOutput<'exportForCentre'> } | { kind: 'import'; volume: string; answer: StationOutput<'importFromCentre'> };

function Exported({ volume, answer }: { volume: string; answer: StationOutput<'exportForCentre'> }) {
  const t = useText();
  const lang = useSettings((s) => s.lang);
  return (
    <div className="stack-sm" data-testid="usb-export-result">
      <p className="banner banner-ok" role="status">
        ✓ {t('usbExported', { volume, file: answer.fileName, mb: megabytes(answer.bytes, lang) })}
      </p>
      <p>{t('usbExportedCounts', { e: answer.events, r: answer.recordings, c: answer.certificates })}</p>
      <p className="muted mono">SHA-256 {answer.sha256}</p>
      {answer.waitingForAudio > 0 && (
        <p className="warn" role="alert" data-testid="usb-waiting-audio">
          {t('usbWaitingForAudio', { n: answer.waitingForAudio })}
        </p>
      )}
    </div>
  );
}

function Imported({ volume, answer }: { volume: string; answer: StationOutput<'importFromCentre'> }) {
  const t = useText();
  return (
    <div className="stack-sm" data-testid="usb-import-result">
      {answer.sessions.length === 0 ? (
        <p role="status" data-testid="usb-import-none">
          {t('usbImportedNone')}
        </p>
      ) : (
        <>
          <p className="banner banner-ok" role="status">
            ✓ {t('usbImported', { volume })}
          </p>
          <ul className="stack-sm" data-testid="usb-import-sessions">
            {answer.sessions.map((s) => (
              <li key={s.sessionId} className={s.matching === s.receipts ? 'ok' : 'warn'}>
                {t('usbImportedSession', { session: s.sessionId, n: s.receipts, m: s.matching })}
              </li>
            ))}
          </ul>
        </>
      )}
      {answer.skipped.length > 0 && (
        <div className="warn stack-sm" role="alert" data-testid="usb-skipped">
          <p>{t('usbSkipped', { n: answer.skipped.length })}</p>
          <ul className="stack-sm">
            {answer.skipped.map((f) => (
              <li key={f.fileName}>
                <span className="mono">{f.fileName}</span>: <Bilingual text={f.message} /> <span className="muted mono">({f.code})</span>
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}

/** The card "Bez tīkla: USB"; `onImported` asks the page to read the sessions again (the receipts moved). */
export function UsbTransfer({ station, token, onImported }: { station: StationApi; token: string; onImported: () => void }) {
  const t = useText();
  const lang = useSettings((s) => s.lang);
  const [drives, setDrives] = useState<UsbDrive[] | null>(null);
  const [looking, setLooking] = useState(false);
  const [listError, setListError] = useState<BilingualText | null>(null);
  const [busy, setBusy] = useState<{ driveId: string; action: Action } | null>(null);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [error, setError] = useState<BilingualText | null>(null);
  // A second press before React has drawn the busy button would start a second transfer.
  const inFlight = useRef(false);
  const live = useRef(true);

  const look = () => {
    setLooking(true);
    return station
      .listUsbDrives({ staffToken: token })
      .then((found) => {
        if (!live.current) return;
        setDrives(found);
        setListError(null);
      })
      .catch((caught: unknown) => live.current && setListError(errorOf(caught)))
      .finally(() => live.current && setLooking(false));
  };
  useEffect(() => {
    live.current = true;
    void look();
    return () => {
      live.current = false;
    };
  }, [station, token]);

  const run = (drive: UsbDrive, action: Action) => {
    if (inFlight.current) return;
    inFlight.current = true;
    setBusy({ driveId: drive.driveId, action });
    setOutcome(null);
    setError(null);
    const input = { staffToken: token, driveId: drive.driveId };
    const work: Promise<Outcome> =
      action === 'export'
        ? station.exportForCentre(input).then((answer) => ({ kind: 'export', volume: drive.volume, answer }))
        : station.importFromCentre(input).then((answer) => ({ kind: 'import', volume: drive.volume, answer }));
    work
      .then((done) => {
        if (!live.current) return;
        setOutcome(done);
        if (done.kind === 'import') onImported();
      })
      .catch((caught: unknown) => {
        if (!live.current) return;
        setError(errorOf(caught));
        // The drive has gone: the list should stop offering it.
        if (caught instanceof StationError && caught.code === 'USB_DRIVE_GONE') void look();
      })
      .finally(() => {
        inFlight.current = false;
        if (live.current) setBusy(null);
      });
  };

  const label = (drive: UsbDrive, action: Action): string => {
    const running = busy?.driveId === drive.driveId && busy.action === action;
    if (action === 'export') return t(running ? 'usbExporting' : 'usbExport');
    return t(running ? 'usbImporting' : 'usbImport');
  };

  return (
    <section className="card stack-sm" aria-labelledby="usb-title" data-testid="centre-usb">
      <h2 id="usb-title">{t('usbCentreTitle')}</h2>
      <p>{t('usbCentreExportHelp')}</p>
      <p>{t('usbCentreImportHelp')}</p>
      <h3>{t('usbDrivesTitle')}</h3>
      <ErrorBanner error={listError} testId="usb-list-error" />
      {drives &&
        (drives.length === 0 ? (
          <p role="status" data-testid="usb-none">
            {t('usbDrivesNone')}
          </p>
        ) : (
          <ul className="source-list stack-sm" data-testid="usb-drives">
            {drives.map((drive) => (
              <li key={drive.driveId} data-testid="usb-drive">
                <span className="mono" id={`usb-drive-${drive.driveId}`}>
                  {drive.volume}
                </span>
                {drive.freeBytes !== null && <span className="muted"> ({t('usbDriveFree', { mb: megabytes(drive.freeBytes, lang) })})</span>}{' '}
                {(['export', 'import'] as const).map((action) => (
                  <button
                    key={action}
                    type="button"
                    className={`btn btn-small${action === 'export' ? ' btn-primary' : ''}`}
                    disabled={busy !== null}
                    aria-busy={busy?.driveId === drive.driveId && busy.action === action}
                    aria-describedby={`usb-drive-${drive.driveId}`}
                    onClick={() => run(drive, action)}
                  >
                    {label(drive, action)}
                  </button>
                ))}
              </li>
            ))}
          </ul>
        ))}
      <div className="actions actions-left">
        <button type="button" className="btn" disabled={busy !== null || looking} onClick={() => void look()}>
          {t('usbDrivesRefresh')}
        </button>
      </div>
      <ErrorBanner error={error} testId="usb-error" />
      <div aria-live="polite">
        {outcome?.kind === 'export' && <Exported volume={outcome.volume} answer={outcome.answer} />}
        {outcome?.kind === 'import' && <Imported volume={outcome.volume} answer={outcome.answer} />}
      </div>
    </section>
  );
}
