// Errors a person can meet: one catalogue of codes, each with its HTTP status and a Latvian and an
// English text that says what happened and what to do next. Both sides of every transport (IPC, HTTP)
// carry the same shape.

export interface BilingualText {
  lv: string;
  en: string;
}

interface CatalogueEntry extends BilingualText {
  /** The HTTP status a transport answers with; IPC carries only the code. */
  status: number;
}

export const ERROR_CATALOGUE = {
  PACKAGE_MALFORMED: {
    status: 422,
    lv: 'Eksāmena pakete ir bojāta vai nav Exam Station pakete. Nekas netika saglabāts. Lejupielādējiet paketi vēlreiz.',
    en: 'The exam package is damaged or is not an Exam Station package. Nothing was stored. Download the package again.',
  },
  PACKAGE_FORMAT_TOO_NEW: {
    status: 422,
    lv: 'Pakete ir izveidota jaunākai Exam Station versijai. Nekas netika saglabāts. Atjauniniet lietotni.',
    en: 'The package was made for a newer version of Exam Station. Nothing was stored. Update the app.',
  },
  PACKAGE_FORMAT_TOO_OLD: {
    status: 422,
    lv: 'Paketes formāts vairs netiek atbalstīts. Nekas netika saglabāts. Pieprasiet jaunu paketi.',
    en: 'The package format is no longer supported. Nothing was stored. Ask for a new package.',
  },
  PACKAGE_SIGNATURE_INVALID: {
    status: 422,
    lv: 'Paketes paraksts nav derīgs: fails ir bojāts, mainīts vai viltots. Nekas netika saglabāts. Lejupielādējiet paketi vēlreiz; ja tas atkārtojas, sazinieties ar eksāmenu centru.',
    en: 'The package signature is not valid: the file is damaged, altered or forged. Nothing was stored. Download the package again; if this repeats, contact the exam centre.',
  },
  PACKAGE_SIGNER_UNKNOWN: {
    status: 422,
    lv: 'Paketi parakstījusi nezināma vai atsaukta atslēga. Nekas netika saglabāts. Sazinieties ar eksāmenu centru.',
    en: 'The package is signed by an unknown or revoked key. Nothing was stored. Contact the exam centre.',
  },
  PACKAGE_CONTENT_ALTERED: {
    status: 422,
    lv: 'Paketes saturs ir nepilnīgs vai mainīts. Nekas netika saglabāts. Lejupielādējiet paketi vēlreiz.',
    en: 'The package content is incomplete or altered. Nothing was stored. Download the package again.',
  },
  PACKAGE_WRONG_VENUE: {
    status: 422,
    lv: 'Šī pakete ir paredzēta citai eksāmena vietai. Nekas netika saglabāts. Pārbaudiet, vai lejupielādējāt savas vietas paketi.',
    en: 'This package is meant for another venue. Nothing was stored. Check that you downloaded the package for your venue.',
  },
  PACKAGE_NOT_YET_VALID: {
    status: 422,
    lv: 'Pakete vēl nav derīga. Nekas netika saglabāts. Pārbaudiet datoru datumu un laiku.',
    en: 'The package is not valid yet. Nothing was stored. Check the computer date and time.',
  },
  PACKAGE_EXPIRED: {
    status: 422,
    lv: 'Paketes derīguma termiņš ir beidzies. Nekas netika saglabāts. Pieprasiet jaunu paketi.',
    en: 'The package has expired. Nothing was stored. Ask for a new package.',
  },
  PACKAGE_CONFLICT: {
    status: 409,
    lv: 'Ar šo identifikatoru jau ir saglabāta cita pakete. Jaunā pakete netika saglabāta. Sazinieties ar eksāmenu centru.',
    en: 'A different package with this identifier is already stored. The new package was not stored. Contact the exam centre.',
  },
  PACKAGE_NOT_FOUND: {
    status: 404,
    lv: 'Šāda eksāmena pakete šajā stacijā nav importēta.',
    en: 'No such exam package has been imported on this station.',
  },
  PACKAGE_LOCKED: {
    status: 409,
    lv: 'Eksāmena pakete vēl nav atslēgta. Ievadiet paketes atslēgu.',
    en: 'The exam package is still locked. Enter the package key.',
  },
  KEY_MALFORMED: {
    status: 422,
    lv: 'Atslēga nav pareizi ievadīta. Pārbaudiet rakstzīmes un mēģiniet vēlreiz.',
    en: 'The key was not entered correctly. Check the characters and try again.',
  },
  KEY_WRONG: {
    status: 422,
    lv: 'Šī atslēga neder šai paketei. Pārbaudiet, vai ievadījāt pareizās paketes atslēgu.',
    en: 'This key does not open this package. Check that you entered the key for this package.',
  },
  VALIDATION_FAILED: {
    status: 400,
    lv: 'Pieprasījums nav derīgs. Nekas netika mainīts.',
    en: 'The request is not valid. Nothing was changed.',
  },
  NOT_FOUND: {
    status: 404,
    lv: 'Pieprasītais ieraksts netika atrasts.',
    en: 'The requested record was not found.',
  },
  ATTEMPT_CLOSED: {
    status: 409,
    lv: 'Šī daļa vai pārbaudījums jau ir iesniegts, izmaiņas vairs nav iespējamas.',
    en: 'This part or test has already been submitted; it can no longer be changed.',
  },
  ITEM_UNKNOWN: {
    status: 422,
    lv: 'Šāds uzdevums šajā pārbaudījumā nav atrasts. Atbilde netika saglabāta; pasauciet pārbaudījuma vadītāju.',
    en: 'No such item exists in this test. The answer was not saved; call the invigilator.',
  },
  RESPONSE_SHAPE: {
    status: 422,
    lv: 'Atbilde neatbilst uzdevuma veidam. Tā netika saglabāta; pasauciet pārbaudījuma vadītāju.',
    en: 'The answer does not fit the item type. It was not saved; call the invigilator.',
  },
  SEGMENT_OUT_OF_ORDER: {
    status: 409,
    lv: 'Ieraksta daļa pienāca nepareizā secībā. Tā netika saglabāta; ieraksts turpināsies no pēdējās saglabātās daļas.',
    en: 'A recording segment arrived out of order. It was not stored; recording continues from the last stored segment.',
  },
  SEGMENT_HASH_MISMATCH: {
    status: 422,
    lv: 'Ieraksta daļa ceļā tika bojāta. Tā netika saglabāta; tā tiks nosūtīta vēlreiz.',
    en: 'A recording segment was damaged in transit. It was not stored; it will be sent again.',
  },
  RECORDING_CLOSED: {
    status: 409,
    lv: 'Šis ieraksts jau ir pabeigts.',
    en: 'This recording has already been closed.',
  },
  TIMER_TRANSITION: {
    status: 409,
    lv: 'Šo laika darbību pašlaik nevar veikt (piemēram, daļa jau ir pabeigta vai apturēta).',
    en: 'This timing action is not possible now (for example, the part has already ended or is paused).',
  },
  PART_NOT_STARTED: {
    status: 409,
    lv: 'Šī daļa vēl nav sākta. Atbilde netika saglabāta.',
    en: 'This part has not started yet. The answer was not saved.',
  },
  TIME_UP: {
    status: 409,
    lv: 'Šīs daļas laiks ir beidzies. Atbilde netika saglabāta.',
    en: 'The time for this part is over. The answer was not saved.',
  },
  RECORDING_LIMIT: {
    status: 409,
    lv: 'Šim uzdevumam atļauto ierakstu skaits ir izmantots.',
    en: 'The number of recordings allowed for this task has been used.',
  },
  PLAY_LIMIT: {
    status: 409,
    lv: 'Šo ierakstu drīkst atskaņot tikai noteiktu reižu skaitu, un tās ir izmantotas.',
    en: 'This recording may be played only a set number of times, and they have been used.',
  },
  FILE_UNREADABLE: {
    status: 422,
    lv: 'Failu nevarēja nolasīt. Pārbaudiet, vai fails eksistē un USB zibatmiņa ir pievienota.',
    en: 'The file could not be read. Check that the file exists and the USB drive is connected.',
  },
  STAFF_PIN_WRONG: {
    status: 403,
    lv: 'PIN kods nav pareizs. Mēģiniet vēlreiz.',
    en: 'The PIN is not correct. Try again.',
  },
  STAFF_LOCKED_OUT: {
    status: 429,
    lv: 'Pārāk daudz nepareizu PIN ievadījumu. Pagaidiet minūti un mēģiniet vēlreiz.',
    en: 'Too many wrong PIN entries. Wait a minute and try again.',
  },
  STAFF_REQUIRED: {
    status: 403,
    lv: 'Šo darbību drīkst veikt tikai pārbaudījuma vadītājs. Pasauciet pārbaudījuma vadītāju.',
    en: 'Only the invigilator may do this. Call the invigilator.',
  },
  ATTEMPT_UNFINISHED: {
    status: 409,
    lv: 'Ne visas daļas ir pabeigtas. Pabeidziet visas daļas pirms iesniegšanas.',
    en: 'Not every part is finished. Finish every part before submitting.',
  },
  DISK_FULL: {
    status: 507,
    lv: 'Stacijas disks ir pilns. Pēdējā izmaiņa NAV saglabāta, iepriekšējās ir drošībā. Pasauciet pārbaudījuma vadītāju vai IT.',
    en: 'The station disk is full. The last change was NOT saved; earlier ones are safe. Call the invigilator or IT.',
  },
  STORAGE_IO: {
    status: 500,
    lv: 'Stacija nevarēja ierakstīt datus diskā. Pēdējā izmaiņa NAV saglabāta. Pasauciet IT.',
    en: 'The station could not write to its disk. The last change was NOT saved. Call IT.',
  },
  DB_CORRUPT: {
    status: 500,
    lv: 'Stacijas datubāze ir bojāta. Fails netika mainīts vai dzēsts. Nedzēsiet to un pasauciet IT.',
    en: 'The station database is damaged. The file was not changed or deleted. Do not delete it; call IT.',
  },
  DB_TOO_NEW: {
    status: 500,
    lv: 'Datubāzi izveidojusi jaunāka Exam Station versija. Tā netika mainīta. Atjauniniet lietotni.',
    en: 'The database was created by a newer version of Exam Station. It was not changed. Update the app.',
  },
  DB_LOCKED: {
    status: 503,
    lv: 'Datubāzi jau izmanto cita Exam Station programma šajā datorā. Aizveriet to un mēģiniet vēlreiz.',
    en: 'The database is already in use by another Exam Station program on this computer. Close it and try again.',
  },
  PACKAGE_NOT_A_FILE: {
    status: 422,
    lv: 'Izvēlētais ceļš nav parasts fails (tā ir mape, ierīce vai kanāls). Nekas netika saglabāts. Izvēlieties .exampkg failu.',
    en: 'The chosen path is not a regular file (it is a folder, a device or a pipe). Nothing was stored. Choose the .exampkg file.',
  },
  PACKAGE_TOO_LARGE: {
    status: 413,
    lv: 'Fails ir lielāks, nekā eksāmena pakete var būt. Nekas netika saglabāts. Pārbaudiet, vai izvēlējāties pareizo failu.',
    en: 'The file is larger than an exam package can be. Nothing was stored. Check that you chose the right file.',
  },
  ROSTER_INVALID: {
    status: 422,
    lv: 'Kandidātu saraksts nav derīgs. Nekas no tā netika ielādēts. Kļūdainās rindas un lauki ir norādīti zemāk; sazinieties ar eksāmenu centru.',
    en: 'The candidate roster is not valid. Nothing of it was loaded. The rows and fields at fault are listed below; contact the exam centre.',
  },
  SAVE_ID_REUSED: {
    status: 409,
    lv: 'Saglabāšana ar šo identifikatoru jau ir notikusi ar citu atbildi. Jaunā atbilde netika saglabāta; stacijā ir iepriekšējā. Ja tas atkārtojas, pasauciet IT.',
    en: 'A save with this identifier was already made with a different answer. The new answer was not stored; the station keeps the earlier one. If this repeats, call IT.',
  },
  MEDIA_NOT_GRANTED: {
    status: 403,
    lv: 'Šo ierakstu var atskaņot tikai ar pogu "Atskaņot" un tikai atļauto reižu skaitu.',
    en: 'This recording plays only with the Play button, and only as many times as allowed.',
  },
  CANDIDATE_TOKEN_WRONG: {
    status: 403,
    lv: 'Šis ekrāns vairs nav saistīts ar šo pārbaudījumu (tas turpinās citā vietā vai ir slēgts). Pasauciet pārbaudījuma vadītāju.',
    en: 'This screen is no longer linked to this test (it continues elsewhere or was closed). Call the invigilator.',
  },
  STAFF_NOT_ON_CANDIDATE_SCREEN: {
    status: 403,
    lv: 'Darbinieka pieteikšanās nav pieejama ekrānā, kurā notiek kandidāta pārbaudījums. Izmantojiet pārbaudījuma vadītāja ekrānu.',
    en: "Staff sign-in is not available on a screen where a candidate's test is open. Use the invigilator's screen.",
  },
  NOT_ON_THIS_SCREEN: {
    status: 403,
    lv: 'Šī darbība šajā ekrānā nav pieejama.',
    en: 'This action is not available on this screen.',
  },
  REQUEST_FOREIGN_ORIGIN: {
    status: 403,
    lv: 'Pieprasījums nāca no citas vietnes vai adreses un tika noraidīts. Atveriet staciju no tās pašas adreses.',
    en: "The request came from another site or address and was refused. Open the station from its own address.",
  },
  UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    lv: 'Šāds satura veids šeit netiek pieņemts. Nekas netika mainīts.',
    en: 'This content type is not accepted here. Nothing was changed.',
  },
  BODY_NOT_JSON: {
    status: 400,
    lv: 'Pieprasījuma saturs nav derīgs JSON. Nekas netika mainīts.',
    en: 'The request body is not valid JSON. Nothing was changed.',
  },
  PAYLOAD_TOO_LARGE: {
    status: 413,
    lv: 'Pieprasījums ir pārāk liels. Nekas netika mainīts.',
    en: 'The request is too large. Nothing was changed.',
  },
  CONFIG_INVALID: {
    status: 500,
    lv: 'Stacijas iestatījums nav derīgs, tāpēc stacija netika palaista. Labojiet zemāk norādīto iestatījumu (IT politikas failā vai vides mainīgajā) un palaidiet vēlreiz.',
    en: 'A station setting is not valid, so the station did not start. Correct the setting named below (in the IT policy file or the environment) and start again.',
  },
  STATION_RESTARTING: {
    status: 503,
    lv: 'Stacijas programma apstājās un tiek palaista no jauna. Pēdējā izmaiņa tiek sūtīta vēlreiz; viss iepriekš saglabātais ir drošībā.',
    en: 'The station program stopped and is starting again. The last change is being sent again; everything saved before is safe.',
  },
  INTERNAL: {
    status: 500,
    lv: 'Stacijā radās neparedzēta kļūda. Pēdējā izmaiņa, iespējams, nav saglabāta. Pasauciet IT.',
    en: 'An unexpected error occurred in the station. The last change may not have been saved. Call IT.',
  },
} as const satisfies Record<string, CatalogueEntry>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/** The serialisable form every transport carries. */
export interface StationErrorBody {
  code: ErrorCode;
  message: BilingualText;
  /** Technical detail for IT and logs; never needed to understand what to do. */
  detail?: string;
}

export class StationError extends Error {
  readonly code: ErrorCode;
  readonly text: BilingualText;
  readonly detail: string | undefined;

  constructor(code: ErrorCode, detail?: string, options?: { cause?: unknown }) {
    const { lv, en } = ERROR_CATALOGUE[code];
    super(`${code}: ${en}${detail ? ` (${detail})` : ''}`, options);
    this.name = 'StationError';
    this.code = code;
    this.text = { lv, en };
    this.detail = detail;
  }

  get status(): number {
    return ERROR_CATALOGUE[this.code].status;
  }

  toBody(): StationErrorBody {
    return this.detail === undefined
      ? { code: this.code, message: this.text }
      : { code: this.code, message: this.text, detail: this.detail };
  }

  static fromBody(body: StationErrorBody): StationError {
    return new StationError(Object.hasOwn(ERROR_CATALOGUE, body.code) ? body.code : 'INTERNAL', body.detail);
  }
}

export function isStationError(value: unknown): value is StationError {
  return value instanceof StationError;
}
