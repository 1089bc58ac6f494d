// The frame around every candidate screen: the top bar with the part timer, the save indicator and the
// display settings, plus the messages a person can meet (errors in both languages, notices).
import { useEffect, useRef, useState, type ReactNode } from 'react';
import type { BilingualText } from '../../src-shared/errors.ts';
import { useAnswers, useAttempt, useExam, useTimers } from '../store/exam.ts';
import { settingsStore, useSettings, useText, type TextSize } from '../store/settings.ts';
import { formatClock, remainingMs } from '../store/timer.ts';
import { useStationRestarting } from '../station/status.ts';
import { useBarHeight, useFocusKeptInView } from './in-view.ts';

/** "Saved", "Saving…" or "Not saved — call the invigilator"; always in view. */
export function SaveIndicator() {
  const t = useText();
  const indicator = useAnswers((s) => s.indicator);
  const acks = useAnswers((s) => s.acks);
  const refusal = useAnswers((s) => s.refusal);
  const lang = useSettings((s) => s.lang);
  const label = indicator === 'saved' ? t('saved') : indicator === 'saving' ? t('saving') : indicator === 'waiting' ? t('savePaused') : t('notSaved');
  const icon = indicator === 'saved' ? '✓' : indicator === 'saving' ? '…' : indicator === 'waiting' ? '‖' : '⚠';
  return (
    <div className={`save-indicator save-${indicator}`} role="status" aria-live="polite" data-testid="save-indicator" data-state={indicator} data-acks={acks}>
      <span aria-hidden="true" className="save-icon">
        {icon}
      </span>{' '}
      <span>{label}</span>
      {indicator === 'not-saved' && (
        <span className="save-detail">{refusal ? refusal[lang] : t('notSavedKept')}</span>
      )}
    </div>
  );
}

/** Counts a running part down on this clock; the deadline itself comes from the station. */
export function useRemaining(partId: string | null): { ms: number; status: string | undefined } {
  const timer = useTimers((s) => (partId ? s.parts[partId] : undefined));
  const offset = useTimers((s) => s.offsetMs);
  const [, tick] = useState(0);
  useEffect(() => {
    if (timer?.status !== 'running') return;
    const handle = setInterval(() => tick((n) => n + 1), 250);
    return () => clearInterval(handle);
  }, [timer?.status]);
  return { ms: remainingMs(timer, offset), status: timer?.status };
}

export function PartClock({ partId }: { partId: string }) {
  const t = useText();
  const { ms, status } = useRemaining(partId);
  const low = ms < 5 * 60_000;
  return (
    <div className={`part-clock${low ? ' part-clock-low' : ''}`} data-testid="part-clock" data-remaining-ms={Math.round(ms)} data-status={status}>
      <span className="part-clock-label">{t('timeLeft')}</span>
      <span className="part-clock-value" role="timer" aria-label={`${t('timeLeft')} ${formatClock(ms)}`}>
        {formatClock(ms)}
      </span>
    </div>
  );
}

export function SettingsButton() {
  const t = useText();
  const [open, setOpen] = useState(false);
  const lang = useSettings((s) => s.lang);
  const textSize = useSettings((s) => s.textSize);
  const highContrast = useSettings((s) => s.highContrast);
  const dialog = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (open) dialog.current?.querySelector<HTMLElement>('input, button')?.focus();
  }, [open]);
  return (
    <div className="settings">
      <button type="button" className="btn btn-quiet" aria-expanded={open} onClick={() => setOpen(!open)}>
        ⚙ {t('settings')}
      </button>
      {open && (
        <div
          className="settings-panel"
          role="dialog"
          aria-label={t('settings')}
          ref={dialog}
          onKeyDown={(e) => {
            if (e.key === 'Escape') setOpen(false);
          }}
        >
          <fieldset>
            <legend>{t('interfaceLanguage')}</legend>
            {(['lv', 'en'] as const).map((l) => (
              <label key={l} className="choice">
                <input type="radio" name="ui-lang" checked={lang === l} onChange={() => settingsStore.getState().setLang(l)} />
                {l === 'lv' ? 'Latviešu' : 'English'}
              </label>
            ))}
          </fieldset>
          <fieldset>
            <legend>{t('textSize')}</legend>
            {(['normal', 'large', 'larger'] as TextSize[]).map((size) => (
              <label key={size} className="choice">
                <input type="radio" name="text-size" checked={textSize === size} onChange={() => settingsStore.getState().setTextSize(size)} />
                {t(size === 'normal' ? 'sizeNormal' : size === 'large' ? 'sizeLarge' : 'sizeLarger')}
              </label>
            ))}
          </fieldset>
          <label className="choice">
            <input type="checkbox" checked={highContrast} onChange={(e) => settingsStore.getState().setHighContrast(e.target.checked)} />
            {t('highContrast')}
          </label>
          <button type="button" className="btn" onClick={() => setOpen(false)}>
            {t('close')}
          </button>
        </div>
      )}
    </div>
  );
}

/** A message in both languages, the chosen one first. */
export function Bilingual({ text }: { text: BilingualText }) {
  const lang = useSettings((s) => s.lang);
  const other = lang === 'lv' ? 'en' : 'lv';
  return (
    <>
      <span lang={lang}>{text[lang]}</span>
      <span className="other-language" lang={other}>
        {text[other]}
      </span>
    </>
  );
}

export function ErrorBanner() {
  const error = useAttempt((s) => s.error);
  const exam = useExam();
  if (!error) return null;
  return (
    <div className="banner banner-error" role="alert">
      <span className="banner-icon" aria-hidden="true">
        ⚠
      </span>
      <span className="banner-text">
        <Bilingual text={error} />
      </span>
      <button type="button" className="btn btn-quiet" onClick={() => exam.attempt.setState({ error: null })} aria-label="OK">
        OK
      </button>
    </div>
  );
}

/** The station program is starting again after it stopped: nothing is lost, the screen carries on. */
export function StationRestartingBanner() {
  const t = useText();
  if (!useStationRestarting()) return null;
  return (
    <div className="banner banner-notice" role="status" data-testid="station-restarting">
      <span className="banner-icon" aria-hidden="true">
        ⟳
      </span>
      <span className="banner-text">{t('stationRestarting')}</span>
    </div>
  );
}

export function NoticeBanner() {
  const t = useText();
  const notice = useAttempt((s) => s.notice);
  const credited = useTimers((s) => s.creditedMs);
  const exam = useExam();
  if (!notice) return null;
  return (
    <div className="banner banner-notice" role="status" data-testid="notice">
      <span className="banner-text">{t(notice, { s: Math.round(credited / 1000) })}</span>
      <button type="button" className="btn btn-quiet" onClick={() => exam.attempt.setState({ notice: null })}>
        OK
      </button>
    </div>
  );
}

export function Frame({ title, partId, children }: { title: string; partId?: string | null; children: ReactNode }) {
  const t = useText();
  const attemptId = useAttempt((s) => s.attemptId);
  // A centralized exam is no language test: once the attempt's content is known, the bar says which it
  // is; before that (the invigilator's step) it names only the station, not a kind of test.
  const kind = useAttempt((s) => s.content?.kind);
  const topbar = useBarHeight('--topbar-h');
  useFocusKeptInView();
  return (
    <div className="frame">
      <header className="topbar" ref={topbar}>
        <div className="topbar-title">
          <span className="app-name" data-testid="app-name">
            {t(kind === 'centralized' ? 'appNameCentralized' : kind === 'state-language' ? 'appName' : 'appNameNeutral')}
          </span>
          <span className="screen-title">{title}</span>
        </div>
        <div className="topbar-status">
          {partId && <PartClock partId={partId} />}
          {attemptId && <SaveIndicator />}
          <SettingsButton />
        </div>
      </header>
      <StationRestartingBanner />
      <ErrorBanner />
      <NoticeBanner />
      <main className="content" id="main">
        {children}
      </main>
    </div>
  );
}

/** A modal confirmation that keeps focus inside and answers Escape with "no". */
export function ConfirmDialog({ title, children, yes, no, onYes, onNo, busy }: { title: string; children: ReactNode; yes: string; no: string; onYes: () => void; onNo: () => void; busy?: boolean }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    ref.current?.querySelector<HTMLButtonElement>('button[data-default]')?.focus();
  }, []);
  return (
    <div className="dialog-backdrop">
      <div
        className="dialog"
        role="alertdialog"
        aria-modal="true"
        aria-labelledby="dialog-title"
        ref={ref}
        onKeyDown={(e) => {
          if (e.key === 'Escape') onNo();
          if (e.key === 'Tab') {
            const buttons = [...(ref.current?.querySelectorAll<HTMLButtonElement>('button:not([disabled])') ?? [])];
            const first = buttons[0];
            const last = buttons[buttons.length - 1];
            if (e.shiftKey && document.activeElement === first) {
              e.preventDefault();
              last?.focus();
            } else if (!e.shiftKey && document.activeElement === last) {
              e.preventDefault();
              first?.focus();
            }
          }
        }}
      >
        <h2 id="dialog-title">{title}</h2>
        <div className="dialog-body">{children}</div>
        <div className="dialog-actions">
          <button type="button" className="btn" onClick={onNo} data-default>
            {no}
          </button>
          <button type="button" className="btn btn-primary" onClick={onYes} disabled={busy}>
            {yes}
          </button>
        </div>
      </div>
    </div>
  );
}
