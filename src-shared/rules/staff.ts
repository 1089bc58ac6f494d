// Staff accounts on a station: the roles a person can hold, and the rules for what they type when an
// account is made (username, display name, password, PIN). The station enforces them; a console uses
// the same functions to say, while the person types, which rule is not met yet. The list of common
// passwords is a file the station reads (assets/passwords), so the check takes it as a predicate.

export const STAFF_ROLES = ['chief-invigilator', 'invigilator', 'centre-staff', 'it'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

/** Each role as a person reads it, in Latvian and English (an error naming the role needed uses these). */
export const STAFF_ROLE_NAMES: Record<StaffRole, { lv: string; en: string }> = {
  'chief-invigilator': { lv: 'galvenais pārbaudījuma vadītājs', en: 'chief invigilator' },
  invigilator: { lv: 'pārbaudījuma vadītājs', en: 'invigilator' },
  'centre-staff': { lv: 'eksāmenu centra darbinieks', en: 'centre staff' },
  it: { lv: 'IT speciālists', en: 'IT' },
};

/**
 * Names the station writes as the author of a record itself (`candidate`: the candidate's own screen;
 * `invigilator`: the one shared desk before named accounts, in records older than schema 20), so no
 * person's username can be mistaken for them.
 */
export const RESERVED_USERNAMES = ['candidate', 'invigilator', 'station', 'system', 'anonymous'] as const;

/**
 * 3 to 32 Latin letters, digits, dots, dashes and underscores, starting with a letter. Unique on the
 * station without regard to case (`Anna.B` and `anna.b` are one account); kept as typed.
 */
export const USERNAME_PATTERN = /^[A-Za-z][A-Za-z0-9._-]{2,31}$/;

export function usernameProblem(username: string): 'format' | 'reserved' | undefined {
  if (!USERNAME_PATTERN.test(username)) return 'format';
  if ((RESERVED_USERNAMES as readonly string[]).includes(username.toLowerCase())) return 'reserved';
  return undefined;
}

/** A person's name as printed in the protocol: letters of any alphabet (Latvian ones too), spaces, hyphens, apostrophes, dots. */
export const DISPLAY_NAME_PATTERN = /^\p{L}[\p{L}\p{M} .'’-]{0,99}$/u;

/** A PIN that re-unlocks one's own signed-in session: 4 to 8 digits, chosen by the person. */
export const PIN_PATTERN = /^\d{4,8}$/;

export const PASSWORD_MIN_LENGTH = 9;
/** Longer passwords are refused so that hashing one cannot be made to cost the station anything unusual. */
export const PASSWORD_MAX_LENGTH = 128;

/** The rules of the password (domain.md, "Seed 004"), in the order a failure is reported. */
export const PASSWORD_RULES = ['length', 'too-long', 'lowercase', 'uppercase', 'digit', 'special', 'username', 'common'] as const;
export type PasswordRule = (typeof PASSWORD_RULES)[number];

/**
 * Every rule `password` does not meet, in PASSWORD_RULES order (empty: the password is good). Length
 * counts characters as a person sees them (a Latvian letter is one); lower and upper case are any
 * alphabet's; a special character is anything that is neither a letter nor a digit. The username is
 * looked for without regard to case; `isCommon` is asked about the password in lower case.
 */
export function passwordProblems(password: string, username: string | undefined, isCommon: (lowerCased: string) => boolean): PasswordRule[] {
  const text = password.normalize('NFC');
  const length = [...text].length;
  const lower = text.toLowerCase();
  const problems: PasswordRule[] = [];
  if (length < PASSWORD_MIN_LENGTH) problems.push('length');
  if (length > PASSWORD_MAX_LENGTH) problems.push('too-long');
  if (!/\p{Ll}/u.test(text)) problems.push('lowercase');
  if (!/\p{Lu}/u.test(text)) problems.push('uppercase');
  if (!/\p{Nd}/u.test(text)) problems.push('digit');
  if (!/[^\p{L}\p{M}\p{N}]/u.test(text)) problems.push('special');
  if (username !== undefined && username.length > 0 && lower.includes(username.toLowerCase())) problems.push('username');
  if (isCommon(lower)) problems.push('common');
  return problems;
}

/**
 * What each role may do on a station: every right with the roles that hold it. The station method
 * each staff method needs is in src-shared/contracts/staff-rights.ts; rights without a method yet are
 * for the room's methods to come (reopening or voiding an attempt, pairing seats), so the console can
 * be built against the whole table.
 */
export const STAFF_RIGHTS = {
  'roster.read': ['chief-invigilator', 'invigilator', 'centre-staff'],
  'attendance.mark': ['chief-invigilator', 'invigilator'],
  'attempt.open': ['chief-invigilator', 'invigilator'],
  'attempt.reopen': ['chief-invigilator'],
  'attempt.void': ['chief-invigilator'],
  /** Pause, resume and end a part. */
  'time.control': ['chief-invigilator', 'invigilator'],
  /** Credit time lost to a fault (the station proposes it from the events). */
  'time.credit': ['chief-invigilator', 'invigilator'],
  /** Extra time the candidate's registered accommodation grants. */
  'time.extend.accommodation': ['chief-invigilator', 'invigilator'],
  /** Extra time because of an incident in the room: the chief's decision. */
  'time.extend.incident': ['chief-invigilator'],
  'incident.record': ['chief-invigilator', 'invigilator'],
  /** Moving a candidate to a spare seat mid-part (with a reason). */
  'room.move': ['chief-invigilator', 'invigilator'],
  'package.list': ['chief-invigilator', 'invigilator', 'centre-staff'],
  'package.import': ['chief-invigilator', 'centre-staff'],
  /** Typing a package's content key. */
  'package.unlock': ['chief-invigilator', 'centre-staff'],
  /** Every candidate's answers, as they go to the central API. */
  'outbox.read': ['chief-invigilator', 'centre-staff'],
  /** Creating, disabling and enabling accounts, granting and withdrawing roles, resetting passwords. */
  'staff.admin': ['chief-invigilator'],
  /** Releasing a package's key to the room's seats (the hub holds it since the package was unlocked). */
  'key.release': ['chief-invigilator', 'invigilator'],
  /** How the room is run: whether a session's key needs two people to release it. */
  'room.settings': ['chief-invigilator'],
  /** Messages to seats, locking and unlocking a seat, acknowledging a raised hand. */
  'seats.control': ['chief-invigilator', 'invigilator'],
  /** Removing a candidate from the session (MK 157: the work is not assessed). */
  'candidate.remove': ['chief-invigilator'],
  'audit.read': ['chief-invigilator', 'it'],
  'seats.pair': ['chief-invigilator', 'it'],
  /** The room's seats and their state, the seat's link to its hub. */
  'room.view': ['chief-invigilator', 'invigilator', 'it'],
  /** Ending a session for the whole room. */
  'room.end': ['chief-invigilator', 'invigilator'],
  /** Sealing a session and accounting for a seat that cannot answer: the chief's. */
  'room.seal': ['chief-invigilator'],
  /** The session's protocol PDF. */
  'room.protocol': ['chief-invigilator'],
  /** The hub's link to the central API: what is to send, syncing now, the receipts. */
  'central.sync': ['chief-invigilator', 'centre-staff', 'it'],
  /** Deleting a session's data at the venue once the centre confirmed it (a deletion certificate goes to the centre). */
  'data.purge': ['chief-invigilator', 'centre-staff'],
  /** Enrolling the hub with the central API by the centre's one-time code. */
  'central.enrol': ['centre-staff', 'it'],
  /** Replacing the package signing keys the station trusts with a list the exam centre signed. */
  'trust.update': ['chief-invigilator', 'it'],
} as const satisfies Record<string, readonly StaffRole[]>;

export type StaffRight = keyof typeof STAFF_RIGHTS;
export const STAFF_RIGHT_NAMES = Object.keys(STAFF_RIGHTS) as StaffRight[];

/** Every right that one of `roles` holds, in the table's order. */
export function rightsOf(roles: readonly StaffRole[]): StaffRight[] {
  return STAFF_RIGHT_NAMES.filter((right) => (STAFF_RIGHTS[right] as readonly StaffRole[]).some((role) => roles.includes(role)));
}

export function holdsRight(roles: readonly StaffRole[], right: StaffRight): boolean {
  return (STAFF_RIGHTS[right] as readonly StaffRole[]).some((role) => roles.includes(role));
}
