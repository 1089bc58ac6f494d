// The frame around every candidate screen: the top bar with the part timer, the save indicator and the
// display settings, plus the messages a person can meet (errors in both languages, notices).
import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import type { BilingualText } from '../../src-shared/errors.ts';
import { useAnswers, useAttempt, useExam, useTimers } from '../store/exam.ts';
import { settingsStore, useSettings, useText, type TextSize } from '../store/settings.ts';
import { formatClock, remainingMs } from '../store/timer.ts';
import { useStationRestarting } from '../station/status.ts';
import { TEXT } from '../text.ts';
import { useBarHeight, useFocusKeptInView } from './in-view.ts';
import { RaiseHand } from './raise-hand.tsx';

/**
 * "Saved", "Saving…" or "Not saved — call the invigilator"; always in view. It is not itself a live
 * region: typing flips it between saving and saved with every keystroke, and a screen reader would say
 * each flip. A hidden region beside it speaks only when saving goes wrong, waits for a pause, or comes
 * right again.
 */
export function SaveIndicator() {
  const t = useText();
  const indicator = useAnswers((s) => s.indicator);
  const acks = useAnswers((s) => s.acks);
  const refusal = useAnswers((s) => s.refusal);
  const lang = useSettings((s) => s.lang);
  const label = indicator === 'saved' ? t('saved') : indicator === 'saving' ? t('saving') : indicator === 'waiting' ? t('savePaused') : t('notSaved');
  const icon = indicator === 'saved' ? '✓' : indicator === 'saving' ? '…' : indicator === 'waiting' ? '‖' : '⚠';
  const detail = refusal ? refusal[lang] : t('notSavedKept');
  return (
    <>
      <div className={`save-indicator save-${indicator}`} data-testid="save-indicator" data-state={indicator} data-acks={acks}>
        <span aria-hidden="true" className="save-icon">
          {icon}
        </span>{' '}
        <span>{label}</span>
        {indicator === 'not-saved' && <span className="save-detail">{detail}</span>}
      </div>
      {/* "Saving" is on its way to one of the others; only where it lands is news. */}
      <Announce state={indicator === 'saving' ? null : indicator} text={indicator === 'not-saved' ? `${label}. ${detail}` : label} testId="save-announcement" />
    </>
  );
}

/**
 * A hidden polite live region that says `text` when `state` changes to another value, and nothing on
 * the first render or while `state` is null (a passing state that is not news). The text is read as
 * it is at that change.
 */
export function Announce({ state, text, testId }: { state: string | null; text: string; testId?: string }) {
  const heard = useRef(state);
  const [said, setSaid] = useState('');
  useEffect(() => {
    if (state === null) return;
    if (heard.current === null) heard.current = state;
    if (state === heard.current) return;
    heard.current = state;
    setSaid(text);
    // Only a change of state is said; `text` is what it says then.
  }, [state]);
  return (
    <span className="sr-only" role="status" data-testid={testId}>
      {said}
    </span>
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
  const opener = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (open) dialog.current?.querySelector<HTMLElement>('input, button')?.focus();
  }, [open]);
  // Closing takes the focused control away: the focus goes back to the button that opened the panel.
  const close = () => {
    setOpen(false);
    opener.current?.focus();
  };
  return (
    <div className="settings">
      <button type="button" className="btn btn-quiet" aria-expanded={open} onClick={() => setOpen(!open)} ref={opener}>
        ⚙ {t('settings')}
      </button>
      {open && (
        <div
          className="settings-panel"
          role="dialog"
          aria-label={t('settings')}
          ref={dialog}
          onKeyDown={(e) => {
            if (e.key === 'Escape') close();
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
          <button type="button" className="btn" onClick={close}>
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

/** What covers every screen while the invigilator has locked the seat from the hub: why, and that nothing is lost. */
export function SeatLockedCover() {
  const t = useText();
  const locked = useAttempt((s) => s.locked);
  if (!locked) return null;
  return (
    <Modal labelledBy="locked-title" describedBy="locked-text" className="paused" backdropClassName="paused-backdrop" testId="seat-locked">
      <h2 id="locked-title">
        <Bilingual text={TEXT.lockedTitle} />
      </h2>
      <p id="locked-text">
        <Bilingual text={TEXT.lockedText} />
      </p>
      {locked.reason && <p lang="lv">{t('lockedReason', { reason: locked.reason })}</p>}
    </Modal>
  );
}

/** The invigilator's message from the hub: said until the candidate closes it or a new one comes. */
export function RoomMessageBanner() {
  const t = useText();
  const message = useAttempt((s) => s.roomMessage);
  const closed = useAttempt((s) => s.closedMessageId);
  const exam = useExam();
  if (!message || message.id === closed) return null;
  return (
    <div className="banner banner-notice" role="alert" data-testid="room-message">
      <div>
        <strong>{t('roomMessageTitle')}</strong>
        <p lang="lv">{message.text}</p>
      </div>
      <button type="button" className="btn btn-quiet" onClick={() => exam.attempt.setState({ closedMessageId: message.id })}>
        {t('roomMessageClose')}
      </button>
    </div>
  );
}

/** A room's seat that lost its hub: the candidate goes on, told calmly that the work is kept on this computer. */
export function WorkingOfflineNote() {
  const t = useText();
  const offline = useAttempt((s) => s.hubOffline);
  if (!offline) return null;
  return (
    <p className="banner banner-quiet" role="status" data-testid="working-offline">
      {t('workingOffline')}
    </p>
  );
}

/**
 * `heading`: the title in the top bar is the screen's one <h1> (the part screen, whose own headings are
 * the task's and the question's); other screens have their <h1> in their content.
 */
export function Frame({ title, partId, heading, children }: { title: ReactNode; partId?: string | null; heading?: boolean; children: ReactNode }) {
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
          {heading ? <h1 className="screen-title">{title}</h1> : <span className="screen-title">{title}</span>}
        </div>
        <div className="topbar-status">
          {partId && <PartClock partId={partId} />}
          {attemptId && <SaveIndicator />}
          {attemptId && <RaiseHand />}
          <SettingsButton />
        </div>
      </header>
      <StationRestartingBanner />
      <ErrorBanner />
      <NoticeBanner />
      <RoomMessageBanner />
      <WorkingOfflineNote />
      <main className="content" id="main">
        {children}
      </main>
      <SeatLockedCover />
    </div>
  );
}

const TABBABLE = 'button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), a[href], [tabindex]:not([tabindex="-1"])';

/**
 * A modal <dialog>, opened with showModal(): the page behind it is inert, and Escape (the dialog's
 * cancel) answers `onCancel` instead of closing it behind React's back. Focus goes to `focus` (the
 * dialog's box without one) and, when the dialog goes, back to what had it before. Tab from the last
 * control goes round to the first: a browser lets it leave a modal dialog for its own toolbar, and a
 * seat's kiosk window has none, so the focus would land on nothing.
 */
export function Modal({
  role = 'dialog',
  labelledBy,
  describedBy,
  className = '',
  backdropClassName = '',
  focus,
  onCancel,
  testId,
  children,
}: {
  role?: 'dialog' | 'alertdialog';
  labelledBy: string;
  describedBy?: string;
  className?: string;
  backdropClassName?: string;
  /** A selector for the control that takes the focus when the dialog opens. */
  focus?: string;
  /** Escape; without it, Escape does nothing (the paused screen cannot be sent away). */
  onCancel?: () => void;
  testId?: string;
  children: ReactNode;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    dialog.showModal();
    ((focus ? dialog.querySelector<HTMLElement>(focus) : null) ?? dialog.querySelector<HTMLElement>('.dialog'))?.focus();
    return () => {
      dialog.close();
      if (opener?.isConnected) opener.focus();
    };
    // Opened once per mount; what to focus is decided then.
  }, []);
  return (
    <dialog
      ref={ref}
      className={`dialog-backdrop ${backdropClassName}`}
      role={role === 'alertdialog' ? 'alertdialog' : undefined}
      aria-labelledby={labelledBy}
      aria-describedby={describedBy}
      data-testid={testId}
      onCancel={(e) => {
        e.preventDefault();
        onCancel?.();
      }}
      onKeyDown={(e) => {
        if (e.key !== 'Tab') return;
        const controls = [...e.currentTarget.querySelectorAll<HTMLElement>(TABBABLE)];
        const edge = e.shiftKey ? controls[0] : controls[controls.length - 1];
        if (document.activeElement !== edge && controls.length > 0) return;
        e.preventDefault();
        (e.shiftKey ? controls[controls.length - 1] : controls[0])?.focus();
      }}
    >
      <div className={`dialog ${className}`} tabIndex={-1}>
        {children}
      </div>
    </dialog>
  );
}

/** A modal confirmation: the safe answer ("no") has the focus and answers Escape. */
export function ConfirmDialog({ title, children, yes, no, onYes, onNo, busy }: { title: ReactNode; children: ReactNode; yes: string; no: string; onYes: () => void; onNo: () => void; busy?: boolean }) {
  const id = useId();
  return (
    <Modal role="alertdialog" labelledBy={`${id}-title`} focus="button[data-default]" onCancel={onNo}>
      <h2 id={`${id}-title`}>{title}</h2>
      <div className="dialog-body">{children}</div>
      <div className="dialog-actions">
        <button type="button" className="btn" onClick={onNo} data-default>
          {no}
        </button>
        <button type="button" className="btn btn-primary" onClick={onYes} disabled={busy}>
          {yes}
        </button>
      </div>
    </Modal>
  );
}
