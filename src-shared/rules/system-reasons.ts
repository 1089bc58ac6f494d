// The reasons and notes the system writes itself, in Latvian for the people who read them (the room
// protocol, the console's time ledger). What is stored stays as it was written: the event contract is
// shared with the central API and other peers, so the English text in a timer event, a command or an
// incident is a fact of the record, and it is put in Latvian only where it is shown, here, from its
// pattern, with its numbers, names and staff-typed parts carried over as they are. A reason no pattern
// knows (one a person typed) is shown as written.
import { accommodationLabelsLv } from './accommodations.ts';

/** What the words need from around them: a part's title by its id, a seat's name by its device id, a time. */
export interface ReasonWords {
  partTitle?: (partId: string) => string;
  seatName?: (deviceId: string) => string;
  time?: (iso: string) => string;
}

type Translate = (m: RegExpExecArray, words: Required<ReasonWords>) => string;

/**
 * Each pattern is one writer's text, whole (anchored both ends):
 * station restart and seat interrupted — the station's own credits (service.ts, at start and at a
 * candidate call); moved to another seat and the moved candidate — the spare seat's credit, pause and
 * resume (service.ts, the hand-over); registered accommodation — the extra time at a part's start
 * (accommodations.ts); two-person release — the key release (room-staff.ts); lost time — the desk's
 * proposal (room-desk.ts); candidate removed — the lock of a removed candidate (room-staff.ts); moved
 * from seat — the move's incident (room-moves.ts); checked in — a late check-in's incident and the
 * identity screen's "No" (service.ts).
 */
const PATTERNS: [RegExp, Translate][] = [
  [/^station restart: (\d+) s lost while the station was down$/, (m) => `dators restartēts: ${m[1]} s zaudētas, kamēr dators nedarbojās`],
  [/^seat interrupted: (\d+) s without the candidate screen$/, (m) => `darbs pārtraukts: ${m[1]} s bez kandidāta ekrāna`],
  [/^moved to another seat: (\d+) s from the old seat's last sign of life to the hand-over$/, (m) => `pārsēdināts pie cita datora: ${m[1]} s no vecā datora pēdējās dzīvības zīmes līdz darba nodošanai`],
  [/^moved to another seat: until the candidate is at this seat$/, () => 'pārsēdināts pie cita datora: pauze, līdz kandidāts ir pie šī datora'],
  [/^the moved candidate is at this seat$/, () => 'pārsēdinātais kandidāts ir pie šī datora'],
  [/^registered accommodation: (.+?)(?: \((.+)\))?$/, (m) => `reģistrēts pielāgojums: ${accommodationLabelsLv(m[1]).join(', ')}${m[2] ? ` (${m[2]})` : ''}`],
  [/^two-person release: (.+)$/, (m) => `divu personu apstiprinājums: ${m[1]}`],
  [
    /^lost time: the seat was silent (\d+) s during (\S+?)(?:, (\d+) s of it credited by the seat)?$/,
    (m, w) => `zaudētais laiks: kandidāta dators klusēja ${m[1]} s daļā „${w.partTitle(m[2]!)}”${m[3] ? `, no tām ${m[3]} s dators atguva pats` : ''}`,
  ],
  [/^candidate removed from the session$/, () => 'kandidāts atstādināts no sesijas'],
  [
    /^moved from seat (\S+) to seat (\S+) \(attempt (\S+)\): (.*)\. Events of (\S+) about the attempt after its seq (\d+) arrived after the move and do not count\.$/s,
    (m, w) =>
      `pārsēdināts no datora ${w.seatName(m[1]!)} pie datora ${w.seatName(m[2]!)} (darbs ${m[3]}): ${m[4]!.replace(/[.!?]$/, '')}. Datora ${w.seatName(m[5]!)} ieraksti par šo darbu pēc ieraksta Nr. ${m[6]} saņemti pēc pārsēdināšanas un nav ņemti vērā.`,
  ],
  [/^checked in at (\S+), (\d+) min after the session's start$/, (m, w) => `reģistrējās ${w.time(m[1]!)}, ${m[2]} min pēc sesijas sākuma`],
  [/^the candidate declined the details on the identity screen: they are not their details$/, () => 'kandidāts identitātes ekrānā noraidīja datus: tie nav viņa dati'],
  [/^the candidate declined the details on the identity screen: the name is not theirs$/, () => 'kandidāts identitātes ekrānā noraidīja datus: vārds nav viņa'],
  [/^the candidate declined the details on the identity screen: the personal code is not theirs$/, () => 'kandidāts identitātes ekrānā noraidīja datus: personas kods nav viņa'],
  [/^the candidate declined the details on the identity screen: the level is not the one they sit$/, () => 'kandidāts identitātes ekrānā noraidīja datus: līmenis nav tas, kuru viņš kārto'],
];

/** A seat carrying out a command keeps its reason with the issuer: `<reason>; by <user>`, or `by <user>` alone (apply-command.ts). */
const ISSUED_BY = /^(?:([\s\S]*); )?by ([^\s;]+)$/;

/** A reason or note the system wrote, in Latvian; one it does not know (a person's), as written. */
export function reasonInLatvian(reason: string, words: ReasonWords = {}): string {
  const all: Required<ReasonWords> = { partTitle: words.partTitle ?? ((id) => id), seatName: words.seatName ?? ((id) => id), time: words.time ?? ((iso) => iso) };
  const issued = ISSUED_BY.exec(reason);
  if (issued) return `${issued[1] ? `${reasonInLatvian(issued[1], words)}; ` : ''}rīkojumu deva ${issued[2]}`;
  for (const [pattern, translate] of PATTERNS) {
    const m = pattern.exec(reason);
    if (m) return translate(m, all);
  }
  return reason;
}
