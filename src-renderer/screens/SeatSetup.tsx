// IT's set-up of a seat that is not paired yet (issue 10 §1): pick the room computer from those found on
// the network (DNS-SD, asked every 2 s) or type its address, type the 8-digit code the room computer
// shows and this seat's label, pair. A refusal is shown next to what caused it, in both languages: the
// code (wrong, expired, pairing paused or closed), the room computer (not reachable, another key than
// it was found under), the label (another seat holds it).
import { useEffect, useState, type FormEvent } from 'react';
import type { DiscoveredHubs, RoomStatus, StationApi } from '../../src-shared/contracts/station-api.ts';
import { StationError, type BilingualText, type ErrorCode } from '../../src-shared/errors.ts';
import { shortDeviceId } from '../../src-shared/rules/device-id.ts';
import { useText } from '../store/settings.ts';
import { TEXT, type TextKey } from '../text.ts';
import { Bilingual } from '../ui/frame.tsx';

const POLL_MS = 2000;
const DEFAULT_PORT = '47300';
const TYPED = 'typed';

type Field = 'hub' | 'code' | 'label' | 'form';

/** Which field a refusal belongs next to; what is not listed is about the whole form. */
const FIELD_OF: Partial<Record<ErrorCode, Field>> = {
  PAIRING_CODE_WRONG: 'code',
  PAIRING_CODE_EXPIRED: 'code',
  PAIRING_PAUSED: 'code',
  PAIRING_CLOSED: 'code',
  HUB_UNREACHABLE: 'hub',
  HUB_KEY_CHANGED: 'hub',
  PAIRING_RELAYED: 'hub',
  SEAT_OTHER_HUB: 'hub',
  SEAT_LABEL_TAKEN: 'label',
};

/** The catalogue's HUB_UNREACHABLE speaks of a link that comes back by itself; here nothing was joined yet. */
const OWN_TEXT: Partial<Record<ErrorCode, TextKey>> = { HUB_UNREACHABLE: 'seatSetupUnreachable' };

const bilingual = (key: TextKey): BilingualText => TEXT[key];

export function SeatSetup({ station, token, onPaired }: { station: StationApi; token: string; onPaired: (room: RoomStatus) => void }) {
  const t = useText();
  const [found, setFound] = useState<DiscoveredHubs | null>(null);
  const [choice, setChoice] = useState('');
  const [host, setHost] = useState('');
  const [port, setPort] = useState(DEFAULT_PORT);
  const [code, setCode] = useState('');
  const [label, setLabel] = useState('');
  const [errors, setErrors] = useState<Partial<Record<Field, BilingualText>>>({});
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let live = true;
    const look = () =>
      station
        .listDiscoveredHubs({ staffToken: token })
        .then((hubs) => live && setFound(hubs))
        .catch((caught: unknown) => live && setErrors((e) => ({ ...e, hub: caught instanceof StationError ? caught.text : bilingual('seatSetupBrowseFailed') })));
    void look();
    const timer = setInterval(() => void look(), POLL_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [station, token]);

  const hubs = found?.hubs ?? [];
  // Nothing found, or looking is off: the typed address is the way.
  const chosen = choice !== '' ? choice : found && (!found.browsing || hubs.length === 0) ? TYPED : '';
  const hub = hubs.find((h) => h.deviceId === chosen);

  const pair = (e: FormEvent) => {
    e.preventDefault();
    const digits = code.replace(/\s/g, '');
    const seatLabel = label.trim();
    const portNumber = Number(port);
    const problems: Partial<Record<Field, BilingualText>> = {};
    if (!hub && chosen !== TYPED) problems.hub = bilingual('seatSetupChooseHub');
    else if (chosen === TYPED && host.trim() === '') problems.hub = bilingual('seatSetupChooseHub');
    else if (chosen === TYPED && !(Number.isInteger(portNumber) && portNumber >= 1 && portNumber <= 65_535)) problems.hub = bilingual('seatSetupPortFormat');
    if (!/^\d{8}$/.test(digits)) problems.code = bilingual('seatSetupCodeFormat');
    if (seatLabel.length < 1 || seatLabel.length > 8) problems.label = bilingual('seatSetupLabelFormat');
    setErrors(problems);
    if (Object.keys(problems).length > 0) return;
    const address = hub ? { host: hub.addresses[0] ?? '', port: hub.port, hubDeviceId: hub.deviceId } : { host: host.trim(), port: portNumber };
    setBusy(true);
    station
      .pairWithHub({ staffToken: token, ...address, code: digits, label: seatLabel })
      .then(onPaired)
      .catch((caught: unknown) => {
        if (!(caught instanceof StationError)) {
          setErrors({ form: bilingual('seatSetupStationLost') });
          return;
        }
        const own = OWN_TEXT[caught.code];
        setErrors({ [FIELD_OF[caught.code] ?? 'form']: own ? bilingual(own) : caught.text });
        // A used or burnt code is of no more use: the room computer shows the next one.
        if (FIELD_OF[caught.code] === 'code') setCode('');
      })
      .finally(() => setBusy(false));
  };

  const fieldError = (field: Field) =>
    errors[field] && (
      <p id={`seat-setup-${field}-error`} className="banner banner-error field-error" role="alert" data-testid={`seat-setup-${field}-error`}>
        <Bilingual text={errors[field]} />
      </p>
    );
  const described = (field: Field) => (errors[field] ? { 'aria-describedby': `seat-setup-${field}-error`, 'aria-invalid': true } : {});

  return (
    <section className="stack-sm" aria-labelledby="seat-setup-title" data-testid="seat-setup">
      <h2 id="seat-setup-title">{t('seatSetupTitle')}</h2>
      <p>{t('seatSetupIntro')}</p>
      <form onSubmit={pair} className="stack-sm" noValidate>
        <fieldset className="stack-sm" aria-describedby={errors.hub ? 'seat-setup-hub-error' : undefined}>
          <legend>{t('seatSetupHubLegend')}</legend>
          {found === null ? null : !found.browsing ? (
            <p className="hint">{t('seatSetupBrowsingOff')}</p>
          ) : found.error ? (
            <p className="hint">{t('seatSetupBrowseFailed')}</p>
          ) : hubs.length === 0 ? (
            <p className="hint" aria-busy="true">
              {t('seatSetupSearching')}
            </p>
          ) : null}
          {hubs.map((h) => (
            <label key={h.deviceId} className="choice choice-card">
              <input type="radio" name="hub" value={h.deviceId} checked={chosen === h.deviceId} onChange={() => setChoice(h.deviceId)} />
              <span>
                <strong className="mono">{shortDeviceId(h.deviceId)}</strong> <span className="muted">{t('seatSetupHubAt', { address: `${h.addresses[0] ?? '?'}:${h.port}` })}</span>
              </span>
            </label>
          ))}
          <label className="choice">
            <input type="radio" name="hub" value={TYPED} checked={chosen === TYPED} onChange={() => setChoice(TYPED)} />
            <span>{t('seatSetupTyped')}</span>
          </label>
          {chosen === TYPED && (
            <div className="stack-sm">
              <label htmlFor="seat-setup-host">{t('seatSetupHost')}</label>
              <input id="seat-setup-host" className="input mono" autoComplete="off" spellCheck={false} value={host} onChange={(e) => setHost(e.target.value)} {...described('hub')} />
              <label htmlFor="seat-setup-port">{t('seatSetupPort')}</label>
              <input id="seat-setup-port" className="input mono" inputMode="numeric" autoComplete="off" value={port} onChange={(e) => setPort(e.target.value)} {...described('hub')} />
            </div>
          )}
          {fieldError('hub')}
        </fieldset>
        <label htmlFor="seat-setup-code">{t('seatSetupCode')}</label>
        <input id="seat-setup-code" className="input input-key mono" inputMode="numeric" autoComplete="one-time-code" spellCheck={false} maxLength={9} value={code} onChange={(e) => setCode(e.target.value)} {...described('code')} />
        {fieldError('code')}
        <label htmlFor="seat-setup-label">{t('seatSetupLabel')}</label>
        <input id="seat-setup-label" className="input mono" autoComplete="off" spellCheck={false} maxLength={8} value={label} onChange={(e) => setLabel(e.target.value)} {...described('label')} />
        {fieldError('label')}
        {fieldError('form')}
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {t('seatSetupPair')}
        </button>
      </form>
    </section>
  );
}
