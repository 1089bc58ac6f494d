// The central API's errors: one catalogue of machine-readable codes, each with its HTTP status and a
// Latvian and English text for the person (centre staff, IT, agency staff) who reads it.
import { z } from 'zod';
import type { BilingualText } from '../src-shared/errors.ts';

interface CatalogueEntry extends BilingualText {
  status: number;
}

export const API_ERRORS = {
  VALIDATION_FAILED: { status: 400, lv: 'Pieprasījums nav derīgs. Nekas netika mainīts.', en: 'The request is not valid. Nothing was changed.' },
  BODY_NOT_JSON: { status: 400, lv: 'Pieprasījuma saturs nav derīgs JSON. Nekas netika mainīts.', en: 'The request body is not valid JSON. Nothing was changed.' },
  PAYLOAD_TOO_LARGE: { status: 413, lv: 'Pieprasījums ir pārāk liels. Nekas netika mainīts; sūtiet mazākās daļās.', en: 'The request is too large. Nothing was changed; send it in smaller parts.' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, lv: 'Šāds satura veids šeit netiek pieņemts. Nekas netika mainīts.', en: 'This content type is not accepted here. Nothing was changed.' },
  NOT_FOUND: { status: 404, lv: 'Pieprasītais ieraksts netika atrasts.', en: 'The requested record was not found.' },
  AUTH_REQUIRED: { status: 401, lv: 'Pieprasījums nav parakstīts. Reģistrējiet ierīci un mēģiniet vēlreiz.', en: 'The request is not signed. Enrol the device and try again.' },
  AUTH_SIGNATURE_INVALID: { status: 401, lv: 'Pieprasījuma paraksts nav derīgs. Nekas netika mainīts.', en: 'The request signature is not valid. Nothing was changed.' },
  AUTH_CLOCK_SKEW: { status: 401, lv: 'Ierīces pulkstenis atšķiras no servera laika. Pārbaudiet datora datumu un laiku.', en: "The device clock differs from the server's time. Check the computer's date and time." },
  AUTH_REPLAYED: { status: 401, lv: 'Šis pieprasījums jau ir saņemts (atkārtojums). Nekas netika mainīts.', en: 'This request was already received (a replay). Nothing was changed.' },
  DEVICE_UNKNOWN: { status: 401, lv: 'Ierīce nav reģistrēta centrā. Reģistrējiet to ar jaunu reģistrācijas kodu.', en: 'The device is not enrolled with the centre. Enrol it with a new enrollment code.' },
  DEVICE_REVOKED: { status: 403, lv: 'Šīs ierīces piekļuve ir atsaukta. Sazinieties ar eksāmenu centru.', en: "This device's access has been revoked. Contact the exam centre." },
  ADMIN_AUTH_REQUIRED: { status: 401, lv: 'Nepieciešama administratora pilnvara.', en: 'An admin token is required.' },
  ENROLLMENT_CODE_INVALID: { status: 403, lv: 'Reģistrācijas kods nav derīgs, ir izmantots vai beidzies. Pieprasiet jaunu kodu.', en: 'The enrollment code is not valid, was already used or has expired. Ask for a new code.' },
  CONFLICT: { status: 409, lv: 'Ieraksts jau eksistē ar citu saturu. Nekas netika mainīts.', en: 'The record already exists with different content. Nothing was changed.' },
  SEQ_GAP: { status: 409, lv: 'Notikumu secībā ir robs. Nekas netika saglabāts; sūtiet no gaidītā numura.', en: 'There is a gap in the event sequence. Nothing was stored; send from the expected number.' },
  EVENTS_NOT_CONTIGUOUS: { status: 400, lv: 'Notikumu numuriem jābūt pēc kārtas bez izlaidumiem. Nekas netika saglabāts.', en: 'Event numbers must be consecutive. Nothing was stored.' },
  EVENT_KIND_UNKNOWN: {
    status: 400,
    lv: 'Stacija sūta notikuma veidu, ko centrālais serveris nepazīst: stacija ir jaunāka par centrālo serveri. Nekas netika saglabāts; centrālais serveris ir jāatjaunina.',
    en: 'The station sends a kind of event the central API does not know: the station is newer than the central API. Nothing was stored; the central API must be updated.',
  },
  EVENT_CONFLICT: {
    status: 409,
    lv: 'Šis notikums centrā jau ir saņemts ar citu saturu. Nekas netika saglabāts; sazinieties ar eksāmenu centru.',
    en: 'This event was already received by the centre with different content. Nothing was stored; contact the exam centre.',
  },
  EVENT_REJECTED: { status: 422, lv: 'Notikumu nevar pieņemt (nezināms kandidāts, mēģinājums vai cita vieta). Nekas netika saglabāts; sazinieties ar eksāmenu centru.', en: 'An event cannot be accepted (unknown candidate or attempt, or another venue). Nothing was stored; contact the exam centre.' },
  KEY_NOT_YET_RELEASED: { status: 403, lv: 'Eksāmena atslēgu izsniedz tikai no sesijas sākuma laika. Mēģiniet vēlreiz sākuma laikā.', en: "The exam key is released only from the session's start time. Try again at the start time." },
  KEY_NOT_AVAILABLE: { status: 409, lv: 'Šai sesijai vēl nav pievienota pakete ar atslēgu. Sazinieties ar eksāmenu centru.', en: 'No package with a key is attached to this session yet. Contact the exam centre.' },
  RANGE_NOT_SATISFIABLE: { status: 416, lv: 'Pieprasītā faila daļa neeksistē. Sāciet lejupielādi no sākuma.', en: 'The requested part of the file does not exist. Restart the download.' },
  TUS_VERSION_UNSUPPORTED: { status: 412, lv: 'Neatbalstīta augšupielādes protokola versija. Atjauniniet lietotni.', en: 'Unsupported upload protocol version. Update the app.' },
  UPLOAD_OFFSET_MISMATCH: { status: 409, lv: 'Augšupielāde turpināta no nepareizas vietas. Vaicājiet pašreizējo vietu un turpiniet no tās.', en: 'The upload continued from the wrong position. Ask for the current offset and continue from there.' },
  UPLOAD_BUSY: { status: 423, lv: 'Šo failu pašlaik augšupielādē cits pieprasījums. Mēģiniet vēlreiz pēc brīža.', en: 'Another request is uploading this file right now. Try again shortly.' },
  UPLOAD_TOO_LARGE: { status: 413, lv: 'Fails ir lielāks par atļauto vai par paziņoto garumu. Nekas netika saglabāts.', en: 'The file is larger than allowed or than its declared length. Nothing was stored.' },
  UPLOAD_CHUNK_CHECKSUM_MISMATCH: { status: 460, lv: 'Faila daļa ceļā tika bojāta. Tā netika saglabāta; sūtiet to vēlreiz.', en: 'A part of the file was damaged in transit. It was not stored; send it again.' },
  UPLOAD_HASH_MISMATCH: { status: 422, lv: 'Saņemtā faila kontrolsumma neatbilst paziņotajai. Fails netika pieņemts; augšupielādējiet to no jauna.', en: 'The checksum of the received file does not match the declared one. The file was not accepted; upload it again.' },
  RECORDING_CONFLICT: { status: 409, lv: 'Šim ierakstam centrā jau ir cits saturs. Nekas netika mainīts; sazinieties ar eksāmenu centru.', en: 'The centre already holds different content for this recording. Nothing was changed; contact the exam centre.' },
  PACKAGE_INVALID: { status: 422, lv: 'Eksāmena pakete ir bojāta vai neatbilst atslēgai. Nekas netika saglabāts.', en: 'The exam package is damaged or does not match its key. Nothing was stored.' },
  ANSWER_KEY_MISMATCH: { status: 422, lv: 'Atbilžu atslēga neatbilst paketes saturam. Nekas netika saglabāts.', en: "The answer key does not fit the package's content. Nothing was stored." },
  SCORE_INVALID: { status: 422, lv: 'Vērtējums neatbilst uzdevumam (nav vērtētāja uzdevums vai pārsniedz maksimumu).', en: 'The score does not fit the item (not a rater item, or above its maximum).' },
  NOT_READY: { status: 503, lv: 'Serviss vēl nav gatavs. Mēģiniet vēlreiz pēc brīža.', en: 'The service is not ready yet. Try again shortly.' },
  INTERNAL: { status: 500, lv: 'Serverī radās neparedzēta kļūda. Pieprasījums, iespējams, nav izpildīts; mēģiniet vēlreiz.', en: 'An unexpected error occurred on the server. The request may not have been carried out; try again.' },
} as const satisfies Record<string, CatalogueEntry>;

export type ApiErrorCode = keyof typeof API_ERRORS;

export const ErrorBody = z
  .object({
    code: z.string(),
    message: z.object({ lv: z.string(), en: z.string() }),
    detail: z.string().optional(),
    /** SEQ_GAP: the seq the server expects next. */
    expectedSeq: z.number().int().optional(),
    /** KEY_NOT_YET_RELEASED: when the key becomes available. */
    releasableAt: z.string().optional(),
    /** A refused push (VALIDATION_FAILED, EVENT_KIND_UNKNOWN, EVENT_REJECTED, EVENT_CONFLICT, RECORDING_CONFLICT): the seq of the event that was refused. */
    seq: z.number().int().optional(),
    /** EVENT_CONFLICT: the origin of the refused event (the device that wrote it first, and its seq there). */
    origin: z.object({ deviceId: z.string(), seq: z.number().int() }).optional(),
  })
  .meta({ id: 'Error' });
export type ErrorBody = z.infer<typeof ErrorBody>;

/** The fields an error body may carry beside code, message and detail. */
type ErrorExtra = Partial<Omit<ErrorBody, 'code' | 'message' | 'detail'>>;

export class ApiError extends Error {
  readonly code: ApiErrorCode;
  readonly status: number;
  readonly detail: string | undefined;
  readonly extra: ErrorExtra;

  constructor(code: ApiErrorCode, detail?: string, extra: ErrorExtra = {}) {
    super(`${code}: ${API_ERRORS[code].en}${detail ? ` (${detail})` : ''}`);
    this.name = 'ApiError';
    this.code = code;
    this.status = API_ERRORS[code].status;
    this.detail = detail;
    this.extra = extra;
  }

  toBody(): ErrorBody {
    const { lv, en } = API_ERRORS[this.code];
    return { code: this.code, message: { lv, en }, ...(this.detail === undefined ? {} : { detail: this.detail }), ...this.extra };
  }
}

/** The error responses every route may give, for the OpenAPI document. */
export const errorResponses = { '4xx': ErrorBody, '5xx': ErrorBody } as const;
