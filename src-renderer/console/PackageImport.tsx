// The console's exam packages: those the station holds, and importing one, from a file the person
// picks or from the package files the station finds on a USB drive (picked from its list; no path is
// ever typed). One import at a time on this screen, with its progress, a cancel, and what came of it
// beside it: the package's title, or the station's reason in both languages (signature, trust list,
// manifest). Shown to a person who may import (the rights table); the list to whoever may read it.
import { useEffect, useRef, useState } from 'react';
import type { PackageSummary } from '../../src-shared/contracts/package-manifest.ts';
import type { PackageImportJob, PackageSource, StationApi } from '../../src-shared/contracts/station-api.ts';
import { StationError, type BilingualText } from '../../src-shared/errors.ts';
import { useSettings, useText } from '../store/settings.ts';
import { Bilingual } from '../ui/frame.tsx';
import { followImport, uploadPackage, type ImportProgress } from './package-upload.ts';
import { useStaffSession } from './StaffSession.tsx';
import { consoleError as errorOf, UNREACHABLE } from './room-data.ts';


type Outcome = { kind: 'done'; title: string; already: boolean } | { kind: 'refused'; error: BilingualText } | { kind: 'cancelled'; error: BilingualText };

function outcomeOf(job: PackageImportJob): Outcome {
  if (job.state === 'done' && job.result) return { kind: 'done', title: job.result.summary.title, already: job.result.alreadyImported };
  const error = job.error ? job.error.message : UNREACHABLE;
  return job.state === 'cancelled' ? { kind: 'cancelled', error } : { kind: 'refused', error };
}

const percentOf = (p: ImportProgress): number => (p.totalBytes === 0 ? 0 : Math.floor((100 * p.doneBytes) / p.totalBytes));

function Progress({ fileName, progress, onCancel }: { fileName: string; progress: ImportProgress; onCancel: () => void }) {
  const t = useText();
  const percent = percentOf(progress);
  const label = t(progress.phase === 'sending' ? 'importSending' : 'importStoring', { file: fileName, percent });
  return (
    <div className="stack-sm" data-testid="import-progress">
      <p id="import-progress-text">{label}</p>
      <div className="import-progress" role="progressbar" aria-label={t('importProgressLabel')} aria-describedby="import-progress-text" aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent} aria-valuetext={label}>
        <div className="import-progress-fill" style={{ width: `${percent}%` }} />
      </div>
      <div className="actions">
        <button type="button" className="btn" onClick={onCancel}>
          {t('importCancel')}
        </button>
      </div>
    </div>
  );
}

function sizeText(bytes: number, lang: 'lv' | 'en'): string {
  return `${(bytes / (1024 * 1024)).toLocaleString(lang, { maximumFractionDigits: 1 })} MB`;
}

export function PackageImport({ station, token }: { station: StationApi; token: string }) {
  const t = useText();
  const lang = useSettings((s) => s.lang);
  const rights = useStaffSession()?.session.rights ?? [];
  const mayImport = rights.includes('package.import');
  const [packages, setPackages] = useState<PackageSummary[] | null>(null);
  const [file, setFile] = useState<File | null>(null);
  const [sources, setSources] = useState<PackageSource[] | null>(null);
  const [running, setRunning] = useState<{ fileName: string; progress: ImportProgress } | null>(null);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [error, setError] = useState<BilingualText | null>(null);
  const abort = useRef<AbortController | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);

  const reload = () =>
    station
      .listPackages({ staffToken: token })
      .then(setPackages)
      .catch((caught: unknown) => setError(errorOf(caught)));
  // Once for the session; after that, after every import.
  useEffect(() => {
    void reload();
  }, [station, token]);
  // Leaving the page (a lock, a sign-out) stops what this screen was sending.
  useEffect(() => () => abort.current?.abort(), []);

  const run = (fileName: string, work: (onProgress: (p: ImportProgress) => void, signal: AbortSignal) => Promise<PackageImportJob | null>) => {
    const controller = new AbortController();
    abort.current = controller;
    setOutcome(null);
    setError(null);
    setRunning({ fileName, progress: { phase: 'sending', doneBytes: 0, totalBytes: 0 } });
    work((progress) => setRunning({ fileName, progress }), controller.signal)
      .then((job) => {
        setOutcome(job ? outcomeOf(job) : { kind: 'cancelled', error: new StationError('IMPORT_CANCELLED').text });
        if (job?.state === 'done') {
          setFile(null);
          if (fileInput.current) fileInput.current.value = '';
        }
      })
      .catch((caught: unknown) => setOutcome({ kind: 'refused', error: errorOf(caught) }))
      .finally(() => {
        abort.current = null;
        setRunning(null);
        void reload();
      });
  };

  const importFile = () => {
    if (file) run(file.name, (onProgress, signal) => uploadPackage(station, token, file, onProgress, signal));
  };
  const importSource = (source: PackageSource) =>
    run(source.fileName, async (onProgress, signal) => {
      const job = await station.importPackageSource({ staffToken: token, sourceId: source.sourceId });
      return followImport(station, token, job, onProgress, signal);
    });
  const look = () =>
    station
      .listPackageSources({ staffToken: token })
      .then((found) => {
        setSources(found);
        setError(null);
      })
      .catch((caught: unknown) => setError(errorOf(caught)));

  return (
    <section className="card stack-sm" aria-labelledby="packages-title">
      <h2 id="packages-title">{t('packagesTitle')}</h2>
      {packages &&
        (packages.length === 0 ? (
          <p>{t('packagesNone')}</p>
        ) : (
          <ul className="package-list" data-testid="package-list">
            {packages.map((p) => (
              <li key={p.packageId} lang="lv">
                {p.title} <span className="muted">({t(p.unlocked ? 'packageKeyEntered' : 'packageWaitsForKey')})</span>
              </li>
            ))}
          </ul>
        ))}
      {mayImport && (
        <>
          <h3>{t('importFromFile')}</h3>
          <div className="actions">
            <label className="field">
              <span>{t('chooseFile')}</span>
              <input ref={fileInput} className="input" type="file" accept=".exampkg" disabled={running !== null} onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
            </label>
            <button type="button" className="btn btn-primary" disabled={file === null || running !== null} onClick={importFile}>
              {t('importButton')}
            </button>
          </div>
          <h3>{t('importFromUsb')}</h3>
          <div className="actions">
            <button type="button" className="btn" disabled={running !== null} onClick={() => void look()}>
              {t('usbLook')}
            </button>
          </div>
          {sources &&
            (sources.length === 0 ? (
              <p role="status">{t('usbNone')}</p>
            ) : (
              <ul className="source-list" data-testid="source-list">
                {sources.map((s) => (
                  <li key={s.sourceId}>
                    <span className="mono">
                      {s.volume}: {s.fileName}
                    </span>{' '}
                    <span className="muted">({sizeText(s.size, lang)})</span>{' '}
                    <button type="button" className="btn btn-small" disabled={running !== null} aria-label={t('usbImportOne', { file: s.fileName })} onClick={() => importSource(s)}>
                      {t('importButton')}
                    </button>
                  </li>
                ))}
              </ul>
            ))}
          {running && <Progress fileName={running.fileName} progress={running.progress} onCancel={() => abort.current?.abort()} />}
          <div aria-live="polite">
            {outcome?.kind === 'done' && <p className="banner banner-ok">{t(outcome.already ? 'importAlready' : 'importDone', { title: outcome.title })}</p>}
            {outcome?.kind === 'cancelled' && (
              <p className="banner">
                <Bilingual text={outcome.error} />
              </p>
            )}
          </div>
          {outcome?.kind === 'refused' && (
            <p className="banner banner-error" role="alert" data-testid="import-error">
              <Bilingual text={outcome.error} />
            </p>
          )}
        </>
      )}
      {error && (
        <p className="banner banner-error" role="alert">
          <Bilingual text={error} />
        </p>
      )}
    </section>
  );
}
