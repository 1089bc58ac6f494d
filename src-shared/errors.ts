// Errors a person can meet: one catalogue of codes, each with a Latvian and an English text that says
// what happened and what to do next. Both sides of every transport (IPC, HTTP) carry the same shape.

export interface BilingualText {
  lv: string;
  en: string;
}

export const ERROR_CATALOGUE = {
  PACKAGE_MALFORMED: {
    lv: 'Eksāmena pakete ir bojāta vai nav Exam Station pakete. Nekas netika saglabāts. Lejupielādējiet paketi vēlreiz.',
    en: 'The exam package is damaged or is not an Exam Station package. Nothing was stored. Download the package again.',
  },
  PACKAGE_FORMAT_TOO_NEW: {
    lv: 'Pakete ir izveidota jaunākai Exam Station versijai. Nekas netika saglabāts. Atjauniniet lietotni.',
    en: 'The package was made for a newer version of Exam Station. Nothing was stored. Update the app.',
  },
  PACKAGE_FORMAT_TOO_OLD: {
    lv: 'Paketes formāts vairs netiek atbalstīts. Nekas netika saglabāts. Pieprasiet jaunu paketi.',
    en: 'The package format is no longer supported. Nothing was stored. Ask for a new package.',
  },
  PACKAGE_SIGNATURE_INVALID: {
    lv: 'Paketes paraksts nav derīgs: pakete var būt viltota vai mainīta. Nekas netika saglabāts. Sazinieties ar eksāmenu centru.',
    en: 'The package signature is not valid: the package may be forged or altered. Nothing was stored. Contact the exam centre.',
  },
  PACKAGE_SIGNER_UNKNOWN: {
    lv: 'Paketi parakstījusi nezināma vai atsaukta atslēga. Nekas netika saglabāts. Sazinieties ar eksāmenu centru.',
    en: 'The package is signed by an unknown or revoked key. Nothing was stored. Contact the exam centre.',
  },
  PACKAGE_CONTENT_ALTERED: {
    lv: 'Paketes saturs ir nepilnīgs vai mainīts. Nekas netika saglabāts. Lejupielādējiet paketi vēlreiz.',
    en: 'The package content is incomplete or altered. Nothing was stored. Download the package again.',
  },
  PACKAGE_WRONG_VENUE: {
    lv: 'Šī pakete ir paredzēta citai eksāmena vietai. Nekas netika saglabāts. Pārbaudiet, vai lejupielādējāt savas vietas paketi.',
    en: 'This package is meant for another venue. Nothing was stored. Check that you downloaded the package for your venue.',
  },
  PACKAGE_NOT_YET_VALID: {
    lv: 'Pakete vēl nav derīga. Nekas netika saglabāts. Pārbaudiet datoru datumu un laiku.',
    en: 'The package is not valid yet. Nothing was stored. Check the computer date and time.',
  },
  PACKAGE_EXPIRED: {
    lv: 'Paketes derīguma termiņš ir beidzies. Nekas netika saglabāts. Pieprasiet jaunu paketi.',
    en: 'The package has expired. Nothing was stored. Ask for a new package.',
  },
  PACKAGE_CONFLICT: {
    lv: 'Ar šo identifikatoru jau ir saglabāta cita pakete. Jaunā pakete netika saglabāta. Sazinieties ar eksāmenu centru.',
    en: 'A different package with this identifier is already stored. The new package was not stored. Contact the exam centre.',
  },
  PACKAGE_NOT_FOUND: {
    lv: 'Šāda eksāmena pakete šajā stacijā nav importēta.',
    en: 'No such exam package has been imported on this station.',
  },
  PACKAGE_LOCKED: {
    lv: 'Eksāmena pakete vēl nav atslēgta. Ievadiet paketes atslēgu.',
    en: 'The exam package is still locked. Enter the package key.',
  },
  KEY_MALFORMED: {
    lv: 'Atslēga nav pareizi ievadīta. Pārbaudiet rakstzīmes un mēģiniet vēlreiz.',
    en: 'The key was not entered correctly. Check the characters and try again.',
  },
  KEY_WRONG: {
    lv: 'Šī atslēga neder šai paketei. Pārbaudiet, vai ievadījāt pareizās paketes atslēgu.',
    en: 'This key does not open this package. Check that you entered the key for this package.',
  },
  VALIDATION_FAILED: {
    lv: 'Pieprasījums nav derīgs. Nekas netika mainīts.',
    en: 'The request is not valid. Nothing was changed.',
  },
  NOT_FOUND: {
    lv: 'Pieprasītais ieraksts netika atrasts.',
    en: 'The requested record was not found.',
  },
  ATTEMPT_CLOSED: {
    lv: 'Šī daļa vai pārbaudījums jau ir iesniegts, izmaiņas vairs nav iespējamas.',
    en: 'This part or test has already been submitted; it can no longer be changed.',
  },
  ITEM_UNKNOWN: {
    lv: 'Šāds uzdevums šajā pārbaudījumā nav atrasts. Atbilde netika saglabāta; pasauciet pārbaudījuma vadītāju.',
    en: 'No such item exists in this test. The answer was not saved; call the invigilator.',
  },
  RESPONSE_SHAPE: {
    lv: 'Atbilde neatbilst uzdevuma veidam. Tā netika saglabāta; pasauciet pārbaudījuma vadītāju.',
    en: 'The answer does not fit the item type. It was not saved; call the invigilator.',
  },
  SEGMENT_OUT_OF_ORDER: {
    lv: 'Ieraksta daļa pienāca nepareizā secībā. Tā netika saglabāta; ieraksts turpināsies no pēdējās saglabātās daļas.',
    en: 'A recording segment arrived out of order. It was not stored; recording continues from the last stored segment.',
  },
  SEGMENT_HASH_MISMATCH: {
    lv: 'Ieraksta daļa ceļā tika bojāta. Tā netika saglabāta; tā tiks nosūtīta vēlreiz.',
    en: 'A recording segment was damaged in transit. It was not stored; it will be sent again.',
  },
  RECORDING_CLOSED: {
    lv: 'Šis ieraksts jau ir pabeigts.',
    en: 'This recording has already been closed.',
  },
  TIMER_TRANSITION: {
    lv: 'Šo laika darbību pašlaik nevar veikt (piemēram, daļa jau ir pabeigta vai apturēta).',
    en: 'This timing action is not possible now (for example, the part has already ended or is paused).',
  },
  PART_NOT_STARTED: {
    lv: 'Šī daļa vēl nav sākta. Atbilde netika saglabāta.',
    en: 'This part has not started yet. The answer was not saved.',
  },
  TIME_UP: {
    lv: 'Šīs daļas laiks ir beidzies. Atbilde netika saglabāta.',
    en: 'The time for this part is over. The answer was not saved.',
  },
  RECORDING_LIMIT: {
    lv: 'Šim uzdevumam atļauto ierakstu skaits ir izmantots.',
    en: 'The number of recordings allowed for this task has been used.',
  },
  PLAY_LIMIT: {
    lv: 'Šo ierakstu drīkst atskaņot tikai noteiktu reižu skaitu, un tās ir izmantotas.',
    en: 'This recording may be played only a set number of times, and they have been used.',
  },
  FILE_UNREADABLE: {
    lv: 'Failu nevarēja nolasīt. Pārbaudiet, vai fails eksistē un USB zibatmiņa ir pievienota.',
    en: 'The file could not be read. Check that the file exists and the USB drive is connected.',
  },
  STAFF_PIN_WRONG: {
    lv: 'PIN kods nav pareizs. Mēģiniet vēlreiz.',
    en: 'The PIN is not correct. Try again.',
  },
  STAFF_LOCKED_OUT: {
    lv: 'Pārāk daudz nepareizu PIN ievadījumu. Pagaidiet minūti un mēģiniet vēlreiz.',
    en: 'Too many wrong PIN entries. Wait a minute and try again.',
  },
  STAFF_REQUIRED: {
    lv: 'Šo darbību drīkst veikt tikai pārbaudījuma vadītājs. Pasauciet pārbaudījuma vadītāju.',
    en: 'Only the invigilator may do this. Call the invigilator.',
  },
  ATTEMPT_UNFINISHED: {
    lv: 'Ne visas daļas ir pabeigtas. Pabeidziet visas daļas pirms iesniegšanas.',
    en: 'Not every part is finished. Finish every part before submitting.',
  },
  DISK_FULL: {
    lv: 'Stacijas disks ir pilns. Pēdējā izmaiņa NAV saglabāta, iepriekšējās ir drošībā. Pasauciet pārbaudījuma vadītāju vai IT.',
    en: 'The station disk is full. The last change was NOT saved; earlier ones are safe. Call the invigilator or IT.',
  },
  STORAGE_IO: {
    lv: 'Stacija nevarēja ierakstīt datus diskā. Pēdējā izmaiņa NAV saglabāta. Pasauciet IT.',
    en: 'The station could not write to its disk. The last change was NOT saved. Call IT.',
  },
  DB_CORRUPT: {
    lv: 'Stacijas datubāze ir bojāta. Fails netika mainīts vai dzēsts. Nedzēsiet to un pasauciet IT.',
    en: 'The station database is damaged. The file was not changed or deleted. Do not delete it; call IT.',
  },
  DB_TOO_NEW: {
    lv: 'Datubāzi izveidojusi jaunāka Exam Station versija. Tā netika mainīta. Atjauniniet lietotni.',
    en: 'The database was created by a newer version of Exam Station. It was not changed. Update the app.',
  },
  DB_LOCKED: {
    lv: 'Datubāzi jau izmanto cita Exam Station programma šajā datorā. Aizveriet to un mēģiniet vēlreiz.',
    en: 'The database is already in use by another Exam Station program on this computer. Close it and try again.',
  },
  INTERNAL: {
    lv: 'Stacijā radās neparedzēta kļūda. Pēdējā izmaiņa, iespējams, nav saglabāta. Pasauciet IT.',
    en: 'An unexpected error occurred in the station. The last change may not have been saved. Call IT.',
  },
} as const satisfies Record<string, BilingualText>;

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
    const text = ERROR_CATALOGUE[code];
    super(`${code}: ${text.en}${detail ? ` (${detail})` : ''}`, options);
    this.name = 'StationError';
    this.code = code;
    this.text = text;
    this.detail = detail;
  }

  toBody(): StationErrorBody {
    return this.detail === undefined
      ? { code: this.code, message: this.text }
      : { code: this.code, message: this.text, detail: this.detail };
  }

  static fromBody(body: StationErrorBody): StationError {
    return new StationError(body.code in ERROR_CATALOGUE ? body.code : 'INTERNAL', body.detail);
  }
}

export function isStationError(value: unknown): value is StationError {
  return value instanceof StationError;
}
