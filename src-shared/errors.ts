// Errors a person can meet, for every program (station, central API, tools): one catalogue of codes,
// each with its HTTP status and a Latvian and an English text that says what happened and what to do
// next. Every transport (IPC, HTTP, the station process's messages) carries the same body. Each
// program throws its own subclass of CodedError (StationError at the station, ApiError at the central
// API); shared code throws PackageError, and each program maps it to what it means there.

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
  RECORDING_INCOMPLETE: {
    status: 409,
    lv: 'Ieraksta beigas vēl tiek saglabātas. Ieraksts tiks pabeigts, tiklīdz tās būs saglabātas.',
    en: 'The end of the recording is still being saved. The recording will be finished as soon as it is.',
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
  PART_PAUSED: {
    status: 409,
    lv: 'Pārbaudījuma vadītājs apturēja šo daļu. Laiks netiek skaitīts; izmaiņas varēs veikt, kad daļa turpināsies. Jūsu atbildes ir drošībā.',
    en: 'The invigilator has paused this part. The time is not counting; changes can be made again when the part resumes. Your answers are safe.',
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
  PLAY_NOT_RETURNABLE: {
    status: 409,
    lv: 'Šo atskaņošanas reizi nevar atgriezt: ieraksta reizi atgriež tikai uzreiz pēc tam, kad atskaņošana nesākās, un tikai vienu reizi. Pasauciet pārbaudījuma vadītāju.',
    en: 'This play cannot be given back: a play is given back only right after the recording failed to start, and only once. Call the invigilator.',
  },
  FILE_UNREADABLE: {
    status: 422,
    lv: 'Failu nevarēja nolasīt. Pārbaudiet, vai fails eksistē un USB zibatmiņa ir pievienota.',
    en: 'The file could not be read. Check that the file exists and the USB drive is connected.',
  },
  STAFF_SIGN_IN_WRONG: {
    status: 403,
    lv: 'Nepareizs lietotājvārds vai parole. Pārbaudiet abus un mēģiniet vēlreiz.',
    en: 'The username or the password is not correct. Check both and try again.',
  },
  STAFF_LOCKED_OUT: {
    status: 429,
    lv: 'Šajā ekrānā ir pārāk daudz nepareizu pieteikšanās mēģinājumu. Pagaidiet dažas minūtes un mēģiniet vēlreiz.',
    en: 'Too many wrong sign-in attempts on this screen. Wait a few minutes and try again.',
  },
  STAFF_ACCOUNT_LOCKED: {
    status: 429,
    lv: 'Šis konts ir uz laiku bloķēts pēc pārāk daudziem nepareiziem paroles ievadījumiem. Piesakieties savā ierastajā ekrānā, pagaidiet 15 minūtes vai lūdziet galveno pārbaudījuma vadītāju atjaunot paroli.',
    en: 'This account is locked for a while after too many wrong passwords. Sign in on the screen you usually use, wait 15 minutes, or ask the chief invigilator to reset the password.',
  },
  STAFF_ACCOUNT_DISABLED: {
    status: 403,
    lv: 'Šis konts ir atspējots. Vērsieties pie galvenā pārbaudījuma vadītāja.',
    en: 'This account has been disabled. Ask the chief invigilator.',
  },
  STAFF_NOT_SET_UP: {
    status: 409,
    lv: 'Šajā stacijā vēl nav neviena darbinieka konta. IT speciālistam jāizveido pirmais galvenā pārbaudījuma vadītāja konts (IT politikas failā vai iestatīšanā).',
    en: 'This station has no staff account yet. IT must create the first chief invigilator (in the IT policy file or at set-up).',
  },
  STAFF_ALREADY_SET_UP: {
    status: 409,
    lv: 'Stacija jau ir iestatīta: pirmais galvenais pārbaudījuma vadītājs jau ir izveidots. Jaunus kontus veido galvenais pārbaudījuma vadītājs.',
    en: 'The station is already set up: the first chief invigilator exists. New accounts are made by a chief invigilator.',
  },
  STAFF_REQUIRED: {
    status: 403,
    lv: 'Šo darbību drīkst veikt tikai pārbaudījuma vadītājs. Pasauciet pārbaudījuma vadītāju.',
    en: 'Only the invigilator may do this. Call the invigilator.',
  },
  STAFF_SESSION_LOCKED: {
    status: 423,
    lv: 'Darbinieka sesija ir bloķēta pēc neaktivitātes. Ievadiet savu PIN kodu, lai to atbloķētu, vai piesakieties no jauna.',
    en: 'The staff session is locked after inactivity. Enter your PIN to unlock it, or sign in again.',
  },
  STAFF_SESSION_ENDED: {
    status: 403,
    lv: 'Trīs reizes ievadīts nepareizs PIN kods, tāpēc sesija ir beigta. Piesakieties no jauna ar lietotājvārdu un paroli.',
    en: 'A wrong PIN was entered three times, so the session has ended. Sign in again with your username and password.',
  },
  STAFF_PIN_WRONG: {
    status: 403,
    lv: 'PIN kods nav pareizs. Pēc trešā nepareizā PIN koda sesija beigsies.',
    en: 'The PIN is not correct. After the third wrong PIN the session ends.',
  },
  STAFF_PIN_NOT_SET: {
    status: 409,
    lv: 'Šim kontam nav PIN koda. Piesakieties no jauna ar lietotājvārdu un paroli; PIN kodu varat iestatīt pēc tam.',
    en: 'This account has no PIN. Sign in again with your username and password; you can set a PIN afterwards.',
  },
  STAFF_PIN_FORMAT: {
    status: 422,
    lv: 'PIN kodam jābūt no 4 līdz 8 cipariem.',
    en: 'A PIN is 4 to 8 digits.',
  },
  STAFF_PASSWORD_WRONG: {
    status: 403,
    lv: 'Pašreizējā parole nav pareiza. Nekas netika mainīts.',
    en: 'The current password is not correct. Nothing was changed.',
  },
  STAFF_PASSWORD_CHANGE_REQUIRED: {
    status: 403,
    lv: 'Vispirms nomainiet vienreizējo paroli pret savu paroli. Pēc tam varēsiet turpināt.',
    en: 'First change the one-time password to a password of your own. Then you can go on.',
  },
  STAFF_ROLE_MISSING: {
    status: 403,
    lv: 'Jums nav tiesību to darīt. To drīkst darīt: {roles}.',
    en: 'You do not have the right to do this. It may be done by: {roles}.',
  },
  STAFF_LAST_CHIEF: {
    status: 409,
    lv: 'Šis ir pēdējais aktīvais galvenā pārbaudījuma vadītāja konts: to nevar atspējot un tam nevar atņemt šo lomu. Vispirms izveidojiet vai iespējojiet citu galveno pārbaudījuma vadītāju.',
    en: 'This is the last enabled chief invigilator: it cannot be disabled nor lose that role. First create or enable another chief invigilator.',
  },
  STAFF_USERNAME_INVALID: {
    status: 422,
    lv: 'Lietotājvārdam jābūt no 3 līdz 32 rakstzīmēm: latīņu burti bez garumzīmēm, cipari, punkts, domuzīme vai pasvītra, un jāsākas ar burtu. Vārdi candidate, invigilator, station, system un anonymous nav atļauti.',
    en: 'A username is 3 to 32 characters: Latin letters without diacritics, digits, dot, dash or underscore, starting with a letter. The names candidate, invigilator, station, system and anonymous are not allowed.',
  },
  STAFF_USERNAME_TAKEN: {
    status: 409,
    lv: 'Šāds lietotājvārds jau ir aizņemts (lielie un mazie burti netiek šķirti). Izvēlieties citu.',
    en: 'This username is already taken (upper and lower case count as the same). Choose another.',
  },
  STAFF_DISPLAY_NAME_INVALID: {
    status: 422,
    lv: 'Vārdam jāsākas ar burtu, un tajā var būt burti (arī latviešu), atstarpes, defises, apostrofi un punkti, līdz 100 rakstzīmēm.',
    en: 'A name starts with a letter and holds letters (Latvian ones too), spaces, hyphens, apostrophes and dots, up to 100 characters.',
  },
  PASSWORD_TOO_SHORT: {
    status: 422,
    lv: 'Parolē jābūt vismaz 9 rakstzīmēm. Parole netika saglabāta.',
    en: 'A password is at least 9 characters long. The password was not saved.',
  },
  PASSWORD_TOO_LONG: {
    status: 422,
    lv: 'Parole ir garāka par 128 rakstzīmēm. Izvēlieties īsāku paroli.',
    en: 'The password is longer than 128 characters. Choose a shorter one.',
  },
  PASSWORD_NEEDS_LOWERCASE: {
    status: 422,
    lv: 'Parolē jābūt vismaz vienam mazajam burtam. Parole netika saglabāta.',
    en: 'A password needs at least one lower-case letter. The password was not saved.',
  },
  PASSWORD_NEEDS_UPPERCASE: {
    status: 422,
    lv: 'Parolē jābūt vismaz vienam lielajam burtam. Parole netika saglabāta.',
    en: 'A password needs at least one upper-case letter. The password was not saved.',
  },
  PASSWORD_NEEDS_DIGIT: {
    status: 422,
    lv: 'Parolē jābūt vismaz vienam ciparam. Parole netika saglabāta.',
    en: 'A password needs at least one digit. The password was not saved.',
  },
  PASSWORD_NEEDS_SPECIAL: {
    status: 422,
    lv: 'Parolē jābūt vismaz vienai speciālajai rakstzīmei (kas nav ne burts, ne cipars, piemēram, ! vai -). Parole netika saglabāta.',
    en: 'A password needs at least one special character (neither a letter nor a digit, such as ! or -). The password was not saved.',
  },
  PASSWORD_CONTAINS_USERNAME: {
    status: 422,
    lv: 'Parolē nedrīkst būt lietotājvārds. Parole netika saglabāta.',
    en: 'A password must not contain the username. The password was not saved.',
  },
  PASSWORD_COMMON: {
    status: 422,
    lv: 'Šī parole ir viena no plaši lietotajām parolēm, ko viegli uzminēt. Izvēlieties citu paroli.',
    en: 'This password is one of the widely used passwords that are easy to guess. Choose another.',
  },
  PASSWORD_UNCHANGED: {
    status: 422,
    lv: 'Jaunajai parolei jāatšķiras no pašreizējās. Parole netika mainīta.',
    en: 'The new password must differ from the current one. The password was not changed.',
  },
  ATTEMPT_STARTED: {
    status: 409,
    lv: 'Pārbaudījums jau ir sākts, tāpēc datus šajā ekrānā vairs nevar noraidīt. Paceliet roku un pasauciet pārbaudījuma vadītāju.',
    en: 'The test has already begun, so the details can no longer be declined on this screen. Raise your hand and call the invigilator.',
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
    lv: 'Šo ierakstu var atskaņot tikai ar pogu „Atskaņot” un tikai atļauto reižu skaitu.',
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
    lv: 'Pieprasījums ir pārāk liels. Nekas netika mainīts; sūtiet mazākās daļās.',
    en: 'The request is too large. Nothing was changed; send it in smaller parts.',
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
  STATION_UNREACHABLE: {
    status: 503,
    lv: 'Nav savienojuma ar staciju. Pasauciet pārbaudījuma vadītāju.',
    en: 'No connection to the station. Call the invigilator.',
  },
  // The room's link between seats and their hub (docs/room.md, "Pairing and the channel").
  PAIRING_CLOSED: {
    status: 409,
    lv: 'Telpas datorā nav atvērta jaunu kandidātu datoru pievienošana. Lūdziet pārbaudījuma vadītājam vai IT telpas datorā atvērt „Pievienot datorus” un mēģiniet vēlreiz.',
    en: 'Adding seats is not open on the hub. Ask the invigilator or IT to open "Add seats" on the hub, then try again.',
  },
  PAIRING_CODE_WRONG: {
    status: 403,
    lv: 'Savienošanas kods nav pareizs. Šis kods vairs nav derīgs; telpas dators rāda jaunu kodu. Ievadiet jauno kodu.',
    en: 'The pairing code is not correct. That code can no longer be used; the hub shows a new one. Enter the new code.',
  },
  PAIRING_CODE_EXPIRED: {
    status: 403,
    lv: 'Savienošanas koda derīguma laiks (2 minūtes) ir beidzies. Telpas datorā izveidojiet jaunu kodu un ievadiet to.',
    en: 'The pairing code has expired (a code is valid for 2 minutes). Make a new code on the hub and enter it.',
  },
  PAIRING_PAUSED: {
    status: 423,
    lv: 'Pēc piecām nepareizām koda ievadēm pēc kārtas savienošana pārī ir apturēta. IT jāpārbauda, vai neviens cits nemēģina pievienoties, un telpas datorā no jauna jāatver „Pievienot datorus”.',
    en: 'Pairing is paused after five wrong codes in a row. IT must check that nobody else is trying to join, then open "Add seats" again on the hub.',
  },
  PAIRING_RELAYED: {
    status: 403,
    lv: 'Savienojums ar telpas datoru gāja caur citu ierīci, kas to varētu nolasīt, tāpēc savienošana pārī tika pārtraukta. Nekas netika savienots. Pasauciet IT: pievienojiet datoru tieši telpas tīklam.',
    en: 'The connection to the hub passed through another device that could read it, so pairing was stopped. Nothing was paired. Call IT: connect the seat directly to the room network.',
  },
  HUB_KEY_CHANGED: {
    status: 403,
    lv: 'Šis nav tas telpas dators, ar kuru šis dators tika savienots pārī: tā atslēga ir mainījusies. Savienojums netika izveidots. Pasauciet IT; savienojiet pārī no jauna tikai tad, ja telpas dators tiešām ir nomainīts.',
    en: 'This hub is not the one this seat was paired with: its key changed. No connection was made. Call IT; pair again only if the hub was really replaced.',
  },
  HUB_UNREACHABLE: {
    status: 503,
    lv: 'Telpas dators pašlaik nav sasniedzams. Šis dators turpina darbu un saglabā visu uz vietas; savienojums atjaunosies pats.',
    en: 'The hub cannot be reached right now. This seat keeps working and saves everything locally; the connection comes back by itself.',
  },
  SEAT_NOT_PAIRED: {
    status: 403,
    lv: 'Šis dators nav savienots pārī ar šo telpas datoru. Savienojiet to pārī ar kodu, ko rāda telpas dators, vai ar telpas failu.',
    en: 'This seat is not paired with this hub. Pair it with the code the hub shows, or with the room file.',
  },
  SEAT_REVOKED: {
    status: 403,
    lv: 'Šis dators telpas datorā ir izņemts no telpas un vairs netiek pievienots. Ja tam jāpiedalās, IT tas jāsavieno pārī no jauna.',
    en: 'This seat was removed from the room on the hub and is no longer let in. If it should take part, IT must pair it again.',
  },
  SEAT_REJOIN_REQUESTED: {
    status: 403,
    lv: 'Telpas dators šo datoru vairs nepazīst (tā datubāze tika atjaunota), tāpēc šis dators ir lūdzis pievienoties no jauna. Gaidām, kad IT vai galvenais pārbaudījuma vadītājs telpas datorā to pieņems. Šis dators tikmēr turpina darbu un saglabā visu uz vietas; pēc pieņemšanas tas visu nosūtīs pats.',
    en: 'The hub no longer knows this seat (its database was rebuilt), so this seat has asked to rejoin. Waiting for IT or the chief invigilator to accept it on the hub. Meanwhile this seat keeps working and saves everything locally; once accepted it sends everything by itself.',
  },
  SEAT_REJOIN_REFUSED: {
    status: 403,
    lv: 'Telpas datorā šī datora pieprasījums pievienoties no jauna tika noraidīts. Šis dators turpina saglabāt visu uz vietas, bet telpas datoram neko nesūta. Pasauciet IT: ja tam jāpiedalās, tas jāsavieno pārī no jauna.',
    en: "This seat's request to rejoin was refused on the hub. The seat keeps saving everything locally but sends the hub nothing. Call IT: if it should take part, it must be paired again.",
  },
  SEAT_OTHER_HUB: {
    status: 403,
    lv: 'Šis dators ir savienots pārī ar citu telpas datoru (citu telpu). Pievienojiet to savas telpas telpas datoram vai lūdziet IT to savienot pārī ar šo.',
    en: "This seat is paired with another hub (another room). Connect it to its own room's hub, or ask IT to pair it with this one.",
  },
  SEAT_LABEL_TAKEN: {
    status: 409,
    lv: 'Telpā jau ir cits dators ar šo vietas apzīmējumu. Pārbaudiet apzīmējumu uz galda vai vispirms telpas datorā atvienojiet otru datoru.',
    en: 'Another seat in this room already has this label. Check the label on the desk, or first unpair the other seat on the hub.',
  },
  ROOM_FILE_INVALID: {
    status: 422,
    lv: 'Telpas fails ir bojāts, mainīts, novecojis vai nav no šīs telpas datora. Nekas netika mainīts. Telpas datorā izveidojiet jaunu telpas failu.',
    en: "The room file is damaged, altered, out of date or not from this room's hub. Nothing was changed. Export a new room file on the hub.",
  },
  ENROLMENT_TOKEN_USED: {
    status: 409,
    lv: 'Visas šī telpas faila pievienošanas vietas jau ir izmantotas citos datoros. Telpas datorā izveidojiet jaunu telpas failu.',
    en: "Every enrolment place in this room file has already been used by other seats. Export a new room file on the hub.",
  },
  ENROLMENT_REFUSED: {
    status: 403,
    lv: 'Pārbaudījuma vadītājs noraidīja šī datora pieprasījumu pievienoties telpai. Pasauciet pārbaudījuma vadītāju vai IT.',
    en: "The invigilator refused this seat's request to join the room. Call the invigilator or IT.",
  },
  DEVICE_KEY_DAMAGED: {
    status: 500,
    lv: 'Šī datora ierīces atslēgas fails ir bojāts. Tas netika mainīts vai dzēsts. Nedzēsiet to un pasauciet IT: jauna atslēga nozīmē, ka datoru telpā vajadzēs savienot pārī no jauna.',
    en: "This station's device key file is damaged. It was not changed or deleted. Do not delete it; call IT: a new key means pairing the station with its room again.",
  },
  FRAME_TOO_LARGE: {
    status: 413,
    lv: 'Ziņojums starp datoru un telpas datoru ir lielāks par atļauto, tāpēc tas netika nosūtīts. Pasauciet IT.',
    en: 'A message between the seat and the hub is larger than allowed, so it was not sent. Call IT.',
  },
  // The central API's own (venue devices, uploads, publishing, scoring).
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
  // The room protocol (seat ↔ hub).
  PUSH_FOREIGN_ORIGIN: {
    status: 403,
    lv: 'Kandidāta dators sūtīja notikumus, ko nav rakstījis pats. Nekas netika saglabāts; pasauciet IT.',
    en: 'A seat sent events it did not write itself. Nothing was stored; call IT.',
  },
  COMMAND_STALE_TERM: {
    status: 409,
    lv: 'Komanda nāk no telpas datora, kura darbu jau ir pārņēmis cits. Komanda netika izpildīta; pārbaudiet, kurš telpas dators ir galvenais.',
    en: 'The command comes from a hub whose work another hub has since taken over (an older term). The command was not carried out; check which hub is the primary.',
  },
  SEAT_BEHIND_HUB: {
    status: 409,
    lv: 'Telpas datorā ir vairāk šī kandidāta datora notikumu nekā pašā kandidāta datorā: tā datubāze ir aizstāta vai bojāta. Nekas netika sūtīts; pasauciet IT un nelietojiet šo datoru.',
    en: 'The hub holds more of this seat\'s events than the seat itself: the seat\'s database was replaced or damaged. Nothing was sent; call IT and do not use this seat.',
  },
  HUB_DISK_FULL: {
    status: 507,
    lv: 'Telpas datora disks ir pilns. Kandidātu darbs paliek saglabāts kandidātu datoros un netiek zaudēts; telpas dators to saņems, tiklīdz diskā atkal būs brīva vieta. Pasauciet IT, lai atbrīvotu vietu telpas datorā.',
    en: "The hub's disk is full. The candidates' work stays saved on their seats and is not lost; the hub takes it as soon as there is free space again. Call IT to free space on the hub.",
  },
  SEAT_LOCKED: {
    status: 423,
    lv: 'Šis dators ir bloķēts. Jūsu atbildes ir drošībā; pārbaudījuma vadītājs to atbloķēs.',
    en: 'This computer is locked. Your answers are safe; the invigilator will unlock it.',
  },
  ROOM_NOT_AVAILABLE: {
    status: 409,
    lv: 'Šim datoram nav telpas: tas ir patstāvīgs dators, vai telpas savienojums nav palaists. Pārbaudiet datora lomu IT politikas failā vai pasauciet IT.',
    en: 'This computer has no room: it is a solo station, or the room link did not start. Check the station role in the IT policy file or call IT.',
  },
  COMMAND_UNSUPPORTED: {
    status: 501,
    lv: 'Šis kandidāta dators vēl neprot izpildīt šo komandu. Nekas netika mainīts; atjauniniet tā programmu.',
    en: 'This seat cannot carry out this command yet. Nothing was changed; update the seat.',
  },
  // check-in and the seat plan (the console on the hub, docs/room.md)
  CHECK_IN_INCOMPLETE: {
    status: 409,
    lv: 'Kandidātu var atzīmēt kā ieradušos tikai tad, kad ir apskatīts viņa personu apliecinošais dokuments un pārbaudīts personas kods. Atzīmējiet abus un mēģiniet vēlreiz.',
    en: 'A candidate is marked present only once their ID document has been seen and their personal code checked. Mark both and try again.',
  },
  CANDIDATE_NOT_CHECKED_IN: {
    status: 409,
    lv: 'Kandidāts vēl nav reģistrēts kā ieradies. Vispirms reģistrējiet viņu, tad nosēdiniet pie kandidāta datora.',
    en: 'The candidate has not been checked in yet. Check them in first, then seat them.',
  },
  CANDIDATE_ABSENT: {
    status: 409,
    lv: 'Kandidāts ir atzīmēts kā neieradies, tāpēc viņu nevar nosēdināt. Ja kandidāts tomēr ir ieradies, reģistrējiet viņu no jauna.',
    en: 'The candidate is marked absent, so they cannot be seated. If they have arrived after all, check them in again.',
  },
  CANDIDATE_REMOVED: {
    status: 409,
    lv: 'Kandidāts ir izslēgts no šīs sesijas: viņu vairs nevar reģistrēt vai nosēdināt.',
    en: 'The candidate was removed from this session: they can no longer be checked in or seated.',
  },
  CANDIDATE_SEATED: {
    status: 409,
    lv: 'Kandidāts jau ir nosēdināts pie kandidāta datora. Vienu kandidātu nevar nosēdināt pie diviem datoriem; vispirms atceliet iepriekšējo vietu.',
    en: 'The candidate is already seated at a seat. One candidate cannot sit at two seats; unassign the earlier seat first.',
  },
  CANDIDATE_NOT_SEATED: {
    status: 409,
    lv: 'Kandidāts nav nosēdināts pie neviena kandidāta datora.',
    en: 'The candidate is not seated at any seat.',
  },
  CANDIDATE_STARTED: {
    status: 409,
    lv: 'Kandidāts jau ir sācis pārbaudījumu šajā datorā, tāpēc vietu vairs nevar atcelt.',
    en: 'The candidate has already begun the test at this seat, so the seat can no longer be unassigned.',
  },
  SEAT_TAKEN: {
    status: 409,
    lv: 'Pie šī kandidāta datora jau ir nosēdināts cits kandidāts. Izvēlieties brīvu datoru vai vispirms atceliet otra kandidāta vietu.',
    en: 'Another candidate is already seated at this seat. Choose a free seat, or unassign the other candidate first.',
  },
  SEAT_UNKNOWN: {
    status: 404,
    lv: 'Šāds kandidāta dators ar šo telpu nav savienots pārī. Izvēlieties datoru no telpas saraksta.',
    en: "No such seat is paired with this room. Choose a seat from the room's list.",
  },
  SEAT_UNPAIRED: {
    status: 409,
    lv: 'Šis kandidāta dators ir atvienots no telpas, tāpēc pie tā nevar nosēdināt kandidātu. Izvēlieties citu datoru vai lūdziet IT to savienot pārī no jauna.',
    en: 'This seat was unpaired from the room, so no candidate can be seated at it. Choose another seat, or ask IT to pair it again.',
  },
  SEAT_NOT_CONNECTED: {
    status: 409,
    lv: 'Šis kandidāta dators nav sasniedzams (no tā nav ziņu ilgāk par 15 sekundēm). Izvēlieties savienotu datoru vai pārbaudiet tā tīkla savienojumu.',
    en: 'This seat cannot be reached (silent for more than 15 seconds). Choose a connected seat, or check its network link.',
  },
  IDENTITY_NOT_CONFIRMED: {
    status: 409,
    lv: 'Kandidāts vēl nav apstiprinājis savus datus pie kandidāta datora. Atļauju sākt var dot tikai pēc tam.',
    en: 'The candidate has not confirmed their details at the seat yet. They can be authorised only after that.',
  },
  CANDIDATE_NOT_AUTHORISED: {
    status: 409,
    lv: 'Pārbaudījuma vadītājs vēl nav atļāvis sākt. Lūdzu, uzgaidiet.',
    en: 'The invigilator has not authorised you to begin yet. Please wait.',
  },
  PACKAGE_NOT_ON_SEAT: {
    status: 409,
    lv: 'Šajā kandidāta datorā nav šī pārbaudījuma paketes, tāpēc kandidātu pie tā nevar nosēdināt. Vispirms nosūtiet paketi uz datoru.',
    en: 'This seat does not hold the exam package, so the candidate cannot be seated there. Send the package to the seat first.',
  },
  ROOM_NOT_STARTED: {
    status: 409,
    lv: 'Pārbaudījums šajā telpā vēl nav sākts. Lūdzu, uzgaidiet: pārbaudījuma vadītājs to sāks.',
    en: 'The test in this room has not started yet. Please wait: the invigilator will start it.',
  },
  KEY_NOT_HELD: {
    status: 409,
    lv: 'Telpas datorā nav šīs paketes atslēgas. Vispirms atslēdziet paketi telpas datorā ar tās atslēgu.',
    en: 'The hub does not hold the key of this package. Unlock the package at the hub with its key first.',
  },
  KEY_RELEASE_SAME_PERSON: {
    status: 409,
    lv: 'Atslēgas izsniegšanu apstiprina cits darbinieks, ne tas, kurš to sāka. Palūdziet kolēģim pierakstīties un apstiprināt.',
    en: 'The key release is confirmed by another person than the one who started it. Ask a colleague to sign in and confirm.',
  },
  LOST_TIME_SETTLED: {
    status: 409,
    lv: 'Šis zaudētā laika priekšlikums jau ir izskatīts vai vairs nav spēkā. Atjaunojiet skatu.',
    en: 'This lost-time proposal has been dealt with already or is no longer there. Refresh the view.',
  },
  // Moving a candidate to another seat (docs/room.md, "Moving a candidate").
  ATTEMPT_MOVED: {
    status: 409,
    lv: 'Jūsu darbs ir pārcelts uz citu datoru. Šajā datorā vairs nekas netiek saglabāts; pārbaudījuma vadītājs jūs aizvedīs pie jaunā datora.',
    en: 'Your work has been moved to another computer. Nothing more is saved on this one; the invigilator will take you to the new computer.',
  },
  SEAT_OCCUPIED: {
    status: 409,
    lv: 'Pie šī kandidāta datora jau ir kandidāts vai uz to jau tiek kāds pārsēdināts. Izvēlieties brīvu rezerves datoru.',
    en: 'This seat already has a candidate, or someone is already being moved to it. Choose a free spare seat.',
  },
  MOVE_IN_PROGRESS: {
    status: 409,
    lv: 'Šis kandidāts jau tiek pārsēdināts: jaunais dators vēl saņem viņa darbu. Pagaidiet, līdz pārsēdināšana beidzas.',
    en: 'This candidate is already being moved: the new seat is still receiving their work. Wait until the move is done.',
  },
  MOVE_TARGET_FORMER_SEAT: {
    status: 409,
    lv: 'Kandidāts jau ir strādājis pie šī datora un no tā pārsēdināts. Izvēlieties citu rezerves datoru.',
    en: 'The candidate already worked at this seat and was moved away from it. Choose another spare seat.',
  },
  HANDOVER_INVALID: {
    status: 422,
    lv: 'Kandidāta darba nodošana jaunajam datoram nav pilnīga vai ir bojāta. Nekas netika mainīts; pārsēdiniet kandidātu vēlreiz vai pasauciet IT.',
    en: "The hand-over of the candidate's work to the new seat is incomplete or damaged. Nothing was changed; move the candidate again or call IT.",
  },
  ROOM_PROTOCOL_MISMATCH: {
    status: 426,
    lv: 'Kandidāta datora un telpas datora programmu versijas nesader. Atjauniniet abus uz vienu versiju.',
    en: 'The seat and the hub run versions that do not fit together. Update both to the same version.',
  },
  SESSION_SEALED: {
    status: 409,
    lv: 'Šī sesija ir aizzīmogota: tajā vairs neko nevar ierakstīt vai mainīt. Ja kaut kas jāpiebilst, pierakstiet to protokolā uz papīra.',
    en: 'This session is sealed: nothing more can be written or changed in it. If something must be added, write it on the paper protocol.',
  },
  SESSION_ALREADY_SEALED: {
    status: 409,
    lv: 'Sesija jau ir aizzīmogota. Otrreiz to aizzīmogot nevar; protokolu var lejupielādēt.',
    en: 'The session is sealed already. It cannot be sealed twice; the protocol can be downloaded.',
  },
  SESSION_NOT_ENDED: {
    status: 409,
    lv: 'Šajā kandidāta datorā sesija vēl nav beigusies (daļa vēl notiek vai ieraksts nav pabeigts). Vispirms beidziet sesiju telpai un tad aizzīmogojiet.',
    en: 'The session has not ended on this seat yet (a part is still running or a take is not closed). End the session for the room first, then seal.',
  },
  ROOM_NOT_ENDED: {
    status: 409,
    lv: 'Sesija telpai vēl nav beigta. Vispirms nospiediet „Beigt sesiju telpai”, tad aizzīmogojiet.',
    en: 'The session has not been ended for the room. Press “End the session for the room” first, then seal.',
  },
  SEAL_DIGEST_MISMATCH: {
    status: 409,
    lv: 'Kandidāta datora kontrolsumma nesakrīt ar to, kas ir telpas datorā: telpas datorā kaut kā trūkst vai kaut kas ir citādi. Sesija netika aizzīmogota; pasauciet IT un nelietojiet šo kandidāta datoru.',
    en: 'The seat\'s digest does not match what the hub holds of it: something is missing at the hub or differs. The session was not sealed; call IT and do not use this seat.',
  },
  SEAL_FOREIGN_SEAT: {
    status: 409,
    lv: 'Kandidāta dators atbildēja par citu kandidāta datoru. Atbilde netika pieņemta; pasauciet IT.',
    en: 'A seat answered for another seat. The answer was not accepted; call IT.',
  },
  SEAL_NOT_NEEDED: {
    status: 409,
    lv: 'Šī kandidāta datora kontrolsumma jau sakrīt, vai tas nav šīs sesijas dators: par to nav jāatskaitās.',
    en: 'This seat\'s digest matches already, or it is not a seat of this session: it need not be accounted for.',
  },
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
  // USB transfers (hub → centre without a network): src-shared/node/transfer/.
  TRANSFER_FORMAT: {
    status: 422,
    lv: 'Fails nav Exam Station pārsūtīšanas fails vai tā saturs nav saskaņots. Nekas netika importēts. Izveidojiet eksportu telpas datorā vēlreiz.',
    en: 'The file is not an Exam Station transfer file or its contents do not agree with themselves. Nothing was imported. Export again on the venue hub.',
  },
  TRANSFER_FORMAT_TOO_NEW: {
    status: 422,
    lv: 'Pārsūtīšanas fails ir izveidots jaunākā Exam Station versijā nekā šis centrālais serveris. Nekas netika importēts; atjauniniet centrālo serveri un importējiet vēlreiz.',
    en: 'The transfer file was made by a newer Exam Station version than this central API. Nothing was imported; update the central API and import again.',
  },
  TRANSFER_TAMPERED: {
    status: 422,
    lv: 'Pārsūtīšanas fails ir bojāts vai mainīts (datu daļa neiztur pārbaudi vai ir pārkārtota). Nekas netika importēts. Nokopējiet failu no telpas datora vēlreiz vai izveidojiet jaunu eksportu.',
    en: 'The transfer file is damaged or altered (a part fails its check or is out of order). Nothing was imported. Copy the file from the venue hub again or make a new export.',
  },
  TRANSFER_TRUNCATED: {
    status: 422,
    lv: 'Pārsūtīšanas fails ir nepilnīgs (kopēšana, iespējams, pārtraukta). Nekas netika importēts. Nokopējiet failu vēlreiz un pagaidiet, līdz kopēšana beidzas.',
    en: 'The transfer file is incomplete (the copy was probably cut short). Nothing was imported. Copy the file again and wait for the copy to finish.',
  },
  TRANSFER_FOREIGN: {
    status: 422,
    lv: 'Pārsūtīšanas failu nevar pieņemt: to parakstījusi nezināma, atsaukta vai citas vietas ierīce, vai tas šifrēts cita centra atslēgai. Nekas netika importēts. Pārbaudiet, no kuras telpas datora fails nāk, un sazinieties ar eksāmenu centru.',
    en: 'The transfer file cannot be accepted: it is signed by an unknown, revoked or another venue\'s device, or encrypted to another centre\'s key. Nothing was imported. Check which venue hub the file comes from and contact the exam centre.',
  },
  TRANSFER_SEQ_GAP: {
    status: 409,
    lv: 'Šis eksports turpina iepriekšēju eksportu vai sinhronizāciju, ko centrs vēl nav saņēmis. Nekas netika importēts; vispirms importējiet iepriekšējo eksportu vai izveidojiet jaunu eksportu telpas datorā.',
    en: 'This export continues an earlier export or sync the centre has not received. Nothing was imported; import the earlier export first, or make a new export on the venue hub.',
  },
  TRANSFER_SOURCE_MISMATCH: {
    status: 500,
    lv: 'Audio ieraksts telpas datorā neatbilst savai kontrolsummai, tāpēc eksports netika izveidots. Pasauciet IT; nedzēsiet telpas datora datus.',
    en: 'An audio recording on the venue hub does not match its checksum, so the export was not written. Call IT; do not delete the hub\'s data.',
  },
  DELETION_CERTIFICATE_SIGNATURE_INVALID: {
    status: 422,
    lv: 'Dzēšanas apliecības paraksts nav derīgs: to nav parakstījusi šī ierīce, vai apliecība pēc parakstīšanas ir mainīta. Apliecība netika pieņemta; izveidojiet to telpas datorā no jauna, un, ja tas atkārtojas, sazinieties ar eksāmenu centru.',
    en: 'The deletion certificate\'s signature is not valid: this device did not sign it, or it was changed after signing. The certificate was not accepted; issue it again on the hub, and if this repeats, contact the exam centre.',
  },
  DELETION_CERTIFICATE_FOREIGN: {
    status: 403,
    lv: 'Dzēšanas apliecība ir izdota citas ierīces vārdā; ierīce var iesniegt tikai savas apliecības. Apliecība netika pieņemta; nosūtiet to no telpas datora, kas to izdeva.',
    en: 'The deletion certificate was issued in the name of another device; a device can send only its own certificates. The certificate was not accepted; send it from the hub that issued it.',
  },
  DELETION_CERTIFICATE_DEVICE_UNKNOWN: {
    status: 422,
    lv: 'Dzēšanas apliecību izdevusi ierīce, kas šajā centrā nav reģistrēta (citā centrā reģistrēts telpas dators vai bojāts fails). Apliecība netika pieņemta; pārbaudiet, no kura telpas datora fails nāk, un sazinieties ar eksāmenu centru.',
    en: 'The deletion certificate was issued by a device not enrolled with this centre (a hub enrolled elsewhere, or a damaged file). The certificate was not accepted; check which venue hub the file comes from and contact the exam centre.',
  },
  DELETION_CERTIFICATE_DEVICE_REVOKED: {
    status: 422,
    lv: 'Dzēšanas apliecību izdevusi ierīce, kuras piekļuve ir atsaukta, tāpēc tās parakstam vairs neuzticas. Apliecība netika pieņemta; dzēšanu jāapliecina citādi, sazinieties ar eksāmenu centra IT.',
    en: 'The deletion certificate was issued by a device whose access was revoked, so its signature is no longer trusted. The certificate was not accepted; the deletion must be attested another way: contact the exam centre\'s IT.',
  },
  DELETION_ROSTER_MISMATCH: {
    status: 409,
    lv: 'Dzēšanas apliecība neaptver tieši šīs sesijas kandidātu sarakstu: kāda kandidāta trūkst, vai kāds nav šajā sesijā. Apliecība netika pieņemta; sazinieties ar eksāmenu centru.',
    en: 'The deletion certificate does not cover exactly this session\'s roster: a candidate is missing, or one is not in this session. The certificate was not accepted; contact the exam centre.',
  },
  RECEIPT_MISMATCH: {
    status: 409,
    lv: 'Dzēšanas apliecībā minētā saņemšanas kvīts nesakrīt ar to, ko centrs glabā: vieta ir dzēsusi datus, kuru centrā nav vai kuri tur ir citādi. Apliecība netika pieņemta, un tas ir reģistrēts; nekavējoties sazinieties ar eksāmenu centru.',
    en: 'A receipt named in the deletion certificate does not match what the centre holds: the venue deleted data the centre does not hold, or holds otherwise. The certificate was not accepted and this was recorded; contact the exam centre at once.',
  },
  PACKAGE_INVALID: { status: 422, lv: 'Eksāmena pakete ir bojāta vai neatbilst atslēgai. Nekas netika saglabāts.', en: 'The exam package is damaged or does not match its key. Nothing was stored.' },
  ANSWER_KEY_MISMATCH: { status: 422, lv: 'Atbilžu atslēga neatbilst paketes saturam. Nekas netika saglabāts.', en: "The answer key does not fit the package's content. Nothing was stored." },
  SCORE_INVALID: { status: 422, lv: 'Vērtējums neatbilst uzdevumam (nav vērtētāja uzdevums vai pārsniedz maksimumu).', en: 'The score does not fit the item (not a rater item, or above its maximum).' },
  NOT_READY: { status: 503, lv: 'Serviss vēl nav gatavs. Mēģiniet vēlreiz pēc brīža.', en: 'The service is not ready yet. Try again shortly.' },
  IMPORT_CANCELLED: { status: 409, lv: 'Importēšana atcelta. Nekas netika saglabāts.', en: 'The import was cancelled. Nothing was stored.' },
  UPLOAD_NOT_FOUND: {
    status: 404,
    lv: 'Šī augšupielāde vairs nav atvērta (tā pabeigta, atcelta vai sākta citā ekrānā, vai stacija restartēta). Sāciet importēšanu no jauna.',
    en: 'This upload is no longer open (it was finished, cancelled or started on another screen, or the station restarted). Start the import again.',
  },
  UPLOAD_CHUNK_OUT_OF_ORDER: {
    status: 409,
    lv: 'Faila daļa pienāca nepareizā secībā. Tā netika saglabāta; sūtiet daļas pēc kārtas, sākot ar pirmo trūkstošo.',
    en: 'A part of the file arrived out of order. It was not stored; send the parts in order, from the first one missing.',
  },
  UPLOAD_CHUNK_CONFLICT: {
    status: 409,
    lv: 'Šī faila daļa jau saņemta ar citu saturu: fails, iespējams, mainījās augšupielādes laikā. Sāciet importēšanu no jauna.',
    en: 'This part of the file was already received with different content: the file may have changed during the upload. Start the import again.',
  },
  UPLOAD_INCOMPLETE: { status: 409, lv: 'Fails vēl nav saņemts pilnībā. Nekas netika importēts; nosūtiet atlikušās daļas.', en: 'The file has not been received in full yet. Nothing was imported; send the remaining parts.' },
  PACKAGE_SOURCE_GONE: {
    status: 404,
    lv: 'Šis fails vairs nav atrodams noņemamajā datu nesējā (nesējs izņemts vai fails mainīts). Atjaunojiet sarakstu un izvēlieties vēlreiz.',
    en: 'This file can no longer be found on the removable drive (the drive was removed or the file changed). Refresh the list and choose again.',
  },
  TRUST_UPDATE_INVALID: {
    status: 422,
    lv: 'Uzticamo atslēgu saraksta atjauninājums ir bojāts vai nav šāds atjauninājums. Saraksts netika mainīts.',
    en: 'The trust-list update is damaged or is not a trust-list update. The list was not changed.',
  },
  TRUST_UPDATE_SIGNATURE: {
    status: 422,
    lv: 'Uzticamo atslēgu saraksta atjauninājumu nav parakstījusi eksāmenu centra atslēga, kurai šī stacija uzticas, vai paraksts nav derīgs. Saraksts netika mainīts.',
    en: 'The trust-list update is not signed by an exam centre key this station trusts, or the signature is not valid. The list was not changed.',
  },
  TRUST_UPDATE_STALE: {
    status: 409,
    lv: 'Šis atjauninājums nav jaunāks par stacijas pašreizējo uzticamo atslēgu sarakstu. Saraksts netika mainīts.',
    en: "This update is not newer than the station's current trust list. The list was not changed.",
  },
  // The hub's link to the central API (src-main/sync).
  CENTRAL_NOT_ENROLLED: {
    status: 409,
    lv: 'Telpas dators vēl nav reģistrēts eksāmenu centrā. Ievadiet centra adresi un vienreizējo reģistrācijas kodu, ko izsniedza centrs.',
    en: 'The hub is not enrolled with the exam centre yet. Enter the centre address and the one-time enrolment code the centre gave you.',
  },
  CENTRAL_LINK_NOT_AVAILABLE: {
    status: 409,
    lv: 'Šis dators nesazinās ar eksāmenu centru: to dara tikai telpas dators. Atveriet centra lapu telpas datorā.',
    en: 'This computer does not talk to the exam centre: only the hub does. Open the centre page on the hub.',
  },
  PURGE_NOT_CONFIRMED: {
    status: 409,
    lv: 'Sesijas datus vēl nevar dzēst: centrs vēl nav apstiprinājis, ka tam ir viss (sesija nav beigusies, vai kāda apliecinājuma kvīts nesakrīt). Nekas netika dzēsts; sinhronizējiet un pārbaudiet kvītis.',
    en: 'The session\'s data cannot be deleted yet: the centre has not confirmed it holds everything (the session is not over, or a receipt does not match). Nothing was deleted; sync and check the receipts.',
  },
  USB_DRIVE_GONE: {
    status: 404,
    lv: 'Šis datu nesējs vairs nav pievienots (izņemts vai atvienots). Nekas netika rakstīts vai nolasīts. Pievienojiet to vēlreiz, atjaunojiet sarakstu un izvēlieties vēlreiz.',
    en: 'This drive is no longer attached (removed or unmounted). Nothing was written or read. Attach it again, refresh the list and choose again.',
  },
  CENTRAL_ALREADY_ENROLLED: {
    status: 409,
    lv: 'Telpas dators jau ir reģistrēts eksāmenu centrā. Nekas netika mainīts; lai reģistrētu no jauna, sazinieties ar IT.',
    en: 'The hub is already enrolled with the exam centre. Nothing was changed; to enrol again, call IT.',
  },
  CENTRAL_UNREACHABLE: {
    status: 503,
    lv: 'Eksāmenu centrs nav sasniedzams. Nekas netika zaudēts: dati paliek telpas datorā un tiks nosūtīti, kad savienojums atjaunosies. Pārbaudiet interneta savienojumu; ja tā nav, izmantojiet USB eksportu.',
    en: 'The exam centre cannot be reached. Nothing is lost: the data stays on the hub and is sent when the connection is back. Check the internet connection; without one, use the USB export.',
  },
  CENTRAL_TLS_UNTRUSTED: {
    status: 502,
    lv: 'Eksāmenu centra sertifikāts nav uzticams (iespējams, savienojumu pārtver cits dators). Nekas netika nosūtīts. Pasauciet IT: pārbaudiet centra adresi un CA sertifikātu IT politikas failā.',
    en: "The exam centre's certificate is not trusted (another computer may be intercepting the connection). Nothing was sent. Call IT: check the centre address and the CA bundle in the IT policy file.",
  },
  CENTRAL_REPLY_INVALID: {
    status: 502,
    lv: 'Eksāmenu centra atbilde nav saprotama (iespējams, cita programmas versija vai starpniekserveris). Nekas netika mainīts; mēģiniet vēlreiz vēlāk vai pasauciet IT.',
    en: "The exam centre's reply cannot be understood (another version, or a proxy in between). Nothing was changed; try again later or call IT.",
  },
  CENTRAL_PACKAGE_CHANGED: {
    status: 409,
    lv: 'Eksāmenu centrā pakete ir mainīta pēc tam, kad tā tika lejupielādēta. Iepriekšējā pakete paliek, līdz jaunā ir pārbaudīta; jaunā tiek lejupielādēta no sākuma.',
    en: 'The package was changed at the exam centre after it was downloaded. The earlier package stays until the new one is verified; the new one is downloaded from the start.',
  },
  RECEIPT_SIGNATURE_INVALID: {
    status: 502,
    lv: 'Eksāmenu centra apliecinājuma paraksts nav derīgs. Apliecinājums netika pieņemts, un dati netiks dzēsti. Pasauciet IT un sazinieties ar eksāmenu centru.',
    en: "The exam centre's receipt signature is not valid. The receipt was not accepted and no data will be deleted. Call IT and contact the exam centre.",
  },
  INTERNAL: {
    status: 500,
    lv: 'Radās neparedzēta kļūda. Pēdējā izmaiņa, iespējams, nav saglabāta; mēģiniet vēlreiz, un, ja tas atkārtojas, pasauciet IT.',
    en: 'An unexpected error occurred. The last change may not have been saved; try again, and if it repeats, call IT.',
  },
} as const satisfies Record<string, CatalogueEntry>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/** The serialisable form every transport carries. */
export interface StationErrorBody {
  code: ErrorCode;
  message: BilingualText;
  /** Technical detail for IT and logs; never needed to understand what to do. */
  detail?: string;
  /** What fills the `{name}` places of the code's texts (STAFF_ROLE_MISSING: the roles that would do). */
  params?: Record<string, BilingualText>;
}

/** The catalogue's text with each `{name}` filled in from `params`, in the text's own language. */
function fill(text: string, params: Record<string, BilingualText> | undefined, language: keyof BilingualText): string {
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (params && Object.hasOwn(params, name) ? params[name]![language] : whole));
}

/** An error with a code of the catalogue: its status, its texts, a technical detail. */
export class CodedError extends Error {
  readonly code: ErrorCode;
  readonly text: BilingualText;
  readonly detail: string | undefined;
  readonly params: Record<string, BilingualText> | undefined;

  constructor(code: ErrorCode, detail?: string, options?: { cause?: unknown; params?: Record<string, BilingualText> }) {
    const params = options?.params;
    const lv = fill(ERROR_CATALOGUE[code].lv, params, 'lv');
    const en = fill(ERROR_CATALOGUE[code].en, params, 'en');
    super(`${code}: ${en}${detail ? ` (${detail})` : ''}`, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CodedError';
    this.code = code;
    this.text = { lv, en };
    this.detail = detail;
    this.params = params;
  }

  get status(): number {
    return ERROR_CATALOGUE[this.code].status;
  }

  toBody(): StationErrorBody {
    return { code: this.code, message: this.text, ...(this.detail === undefined ? {} : { detail: this.detail }), ...(this.params === undefined ? {} : { params: this.params }) };
  }
}

/** The station's errors (and what a client rebuilds from a station's error body). */
export class StationError extends CodedError {
  override name = 'StationError';

  static fromBody(body: StationErrorBody): StationError {
    const known = Object.hasOwn(ERROR_CATALOGUE, body.code);
    return new StationError(known ? body.code : 'INTERNAL', body.detail, known && body.params ? { params: body.params } : undefined);
  }
}

/** Thrown by the shared transfer-file code (src-shared/node/transfer/): writing or opening a USB export. */
export class TransferError extends CodedError {
  override name = 'TransferError';
}

/** Thrown by the shared package and content code, wherever it runs; the program says what it means there. */
export class PackageError extends CodedError {
  override name = 'PackageError';
}

export function isCodedError(value: unknown): value is CodedError {
  return value instanceof CodedError;
}
