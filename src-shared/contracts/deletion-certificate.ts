// The deletion certificate (issue 11 §4/§5, docs/server.md "Deletion certificates"): what a venue hub
// signs and sends to the central API after it and its seats deleted a session's personal data,
// answers and audio, because every candidate's receipt matched. It says what was deleted (per station
// and per kind: how many and a manifest hash, never the data), when, by which device, on whose order,
// and which receipts the hub had verified before it purged. This module owns the format, the fixed
// list of kinds with what one manifest entry of each kind is, and the manifest's exact text; the
// signature and the hashes are in src-shared/node/deletion-certificate.ts.
// Browser-safe: zod only (the agency console can read and check a certificate too; it hashes the
// manifest text with WebCrypto).
import { z } from 'zod';

export const DELETION_CERTIFICATE_FORMAT_VERSION = 1;

/**
 * The kinds a station reports, with the fields of one manifest entry, in order. An entry names what
 * the centre can hold too (ids, revisions, content hashes), so the agency can build the same manifest
 * from its own rows and compare hashes. `bytes`: the item also says how many bytes of audio went.
 * A new kind is a new format version: a centre refuses a kind it does not know.
 */
export const DELETION_KINDS = {
  /** Roster rows: names, personal codes, birth dates, accommodations. */
  candidates: { fields: ['candidateId'], bytes: false },
  /** Identity checks at the door (who checked the ID document and the personal code, when). */
  'check-ins': { fields: ['candidateId'], bytes: false },
  /** Attendance marks: each candidate whose attendance was marked, with the last status (as the receipt's attendance); not the unmarked ones. */
  attendance: { fields: ['candidateId', 'status'], bytes: false },
  /** Seat assignments of candidates in the room. */
  'seat-assignments': { fields: ['assignmentId'], bytes: false },
  attempts: { fields: ['attemptId'], bytes: false },
  /** The current answer of each item: its latest revision (what the receipt lists). */
  responses: { fields: ['attemptId', 'itemId', 'revision'], bytes: false },
  /** Every saved revision of every answer, each (attempt, item, revision) once (the centre holds them as response.saved events). */
  'response-revisions': { fields: ['attemptId', 'itemId', 'revision'], bytes: false },
  /** Speaking takes, with the SHA-256 of the whole take (the receipt's recording hash; `-` for a take never closed). */
  recordings: { fields: ['recordingId', 'sha256'], bytes: true },
  /** The stored audio segments of the takes, each with its SHA-256 (the recording.segment events). */
  'audio-segments': { fields: ['recordingId', 'index', 'sha256'], bytes: true },
  /** Part timer events (start, pause, extension, credited time), by the station's event id. */
  'timer-events': { fields: ['attemptId', 'eventId'], bytes: false },
  /** Plays of restricted listening audio. */
  'audio-plays': { fields: ['attemptId', 'stimulusId', 'play'], bytes: false },
  incidents: { fields: ['incidentId'], bytes: false },
  /** Moves of a candidate to another seat (the hub's moves, a seat's hand-overs). */
  moves: { fields: ['moveId'], bytes: false },
  /** Lost-time proposals of the invigilator's desk. */
  'lost-time': { fields: ['proposalId'], bytes: false },
  /** Outbox events of the session, relayed or own, by their origin (the device that wrote them first and its seq there). */
  events: { fields: ['originDeviceId', 'originSeq'], bytes: false },
} as const satisfies Record<string, { fields: readonly string[]; bytes: boolean }>;

export type DeletionKind = keyof typeof DELETION_KINDS;
export const DELETION_KIND_NAMES = Object.keys(DELETION_KINDS) as [DeletionKind, ...DeletionKind[]];

/** The first line of every manifest's text: the format of the text itself. */
export const DELETION_MANIFEST_FORMAT = 'exam-station deletion manifest v1';

/** One field of a manifest entry: visible characters, no spaces (ids, numbers, hex hashes). */
const ENTRY_FIELD = /^[^\s\p{Cc}]+$/u;

/** The field values of one entry of a kind, by field name; null is written as `-`. */
export type DeletionEntryFields<K extends DeletionKind> = Record<(typeof DELETION_KINDS)[K]['fields'][number], string | number | null>;

/** One manifest entry of a kind: its fields in the kind's order, joined by one space. */
export function deletionEntry<K extends DeletionKind>(kind: K, fields: DeletionEntryFields<K>): string {
  const values = (DELETION_KINDS[kind].fields as readonly string[]).map((name) => {
    const value = (fields as Record<string, string | number | null | undefined>)[name];
    if (value === undefined) throw new TypeError(`a ${kind} entry needs ${name}`);
    const text = value === null ? '-' : String(value);
    if (!ENTRY_FIELD.test(text)) throw new TypeError(`a ${kind} entry's ${name} must be visible characters without spaces, not ${JSON.stringify(text)}`);
    return text;
  });
  return values.join(' ');
}

const utf8 = new TextEncoder();

/** Byte order of the UTF-8 text (what `sort` gives under LC_ALL=C, and PostgreSQL's COLLATE "C"). */
function compareUtf8(a: string, b: string): number {
  const x = utf8.encode(a);
  const y = utf8.encode(b);
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i += 1) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}

/**
 * The exact text whose SHA-256 (hex, of its UTF-8 bytes) is an item's `sha256`:
 *
 *     exam-station deletion manifest v1\n
 *     <kind>\n
 *     <entry>\n   (every entry once, sorted by UTF-8 bytes)
 *
 * The order the station deleted things in does not matter; the kind is part of the text, so one kind's
 * hash cannot stand for another's. An entry given twice is refused (the count is the number of entries).
 */
export function deletionManifestText(kind: DeletionKind, entries: Iterable<string>): { text: string; count: number } {
  const fieldCount = DELETION_KINDS[kind].fields.length;
  const sorted = [...entries].sort(compareUtf8);
  for (let i = 0; i < sorted.length; i += 1) {
    const entry = sorted[i]!;
    const fields = entry.split(' ');
    if (fields.length !== fieldCount || !fields.every((f) => ENTRY_FIELD.test(f))) {
      throw new TypeError(`a ${kind} manifest entry has ${fieldCount} field(s) (${DELETION_KINDS[kind].fields.join(', ')}) joined by one space, not ${JSON.stringify(entry)}`);
    }
    if (i > 0 && sorted[i - 1] === entry) throw new TypeError(`the ${kind} manifest names ${JSON.stringify(entry)} twice`);
  }
  return { text: `${DELETION_MANIFEST_FORMAT}\n${kind}\n${sorted.map((e) => `${e}\n`).join('')}`, count: sorted.length };
}

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);
const ref = z.string().min(1).max(64);
const instant = z.iso.datetime({ offset: true });

export const DeletionItem = z
  .object({
    kind: z.enum(DELETION_KIND_NAMES),
    /** How many entries the manifest has (0: there was nothing of the kind). */
    count: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    /** SHA-256 of the manifest text (deletionManifestText). */
    sha256: sha256Hex,
    /** Audio kinds only (recordings, audio-segments): the bytes deleted. */
    bytes: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
  })
  .strict()
  .superRefine((item, ctx) => {
    const audio = DELETION_KINDS[item.kind].bytes;
    if (audio && item.bytes === undefined) ctx.addIssue({ code: 'custom', path: ['bytes'], message: `${item.kind} says how many bytes were deleted` });
    if (!audio && item.bytes !== undefined) ctx.addIssue({ code: 'custom', path: ['bytes'], message: `${item.kind} has no bytes` });
  });
export type DeletionItem = z.infer<typeof DeletionItem>;

export const STATION_ROLES = ['hub', 'seat', 'solo'] as const;

export const DeletionStation = z
  .object({
    /** The station's own device id in the room (its room identity, not a central device id). */
    deviceId: ref,
    role: z.enum(STATION_ROLES),
    /** When this station confirmed that its deletion was done (its clock, or the hub's for a seat's). */
    deletedAt: instant,
    /** At most one item per kind. */
    items: z.array(DeletionItem).max(DELETION_KIND_NAMES.length),
  })
  .strict()
  .superRefine((station, ctx) => {
    const kinds = station.items.map((i) => i.kind);
    const twice = kinds.find((k, i) => kinds.indexOf(k) !== i);
    if (twice) ctx.addIssue({ code: 'custom', path: ['items'], message: `kind ${twice} is listed twice` });
  });
export type DeletionStation = z.infer<typeof DeletionStation>;

export const DeletionReceipt = z
  .object({
    candidateId: ref,
    /** The receipt the hub verified (its receiptId; the centre's audit names it where it was read). */
    receiptId: z.string().min(1).max(64),
    /** receiptSha256 of that receipt: the hash of its stable part (src-shared/node/deletion-certificate.ts). */
    receiptSha256: sha256Hex,
  })
  .strict();
export type DeletionReceipt = z.infer<typeof DeletionReceipt>;

export const DeletionCertificate = z
  .object({
    formatVersion: z.literal(DELETION_CERTIFICATE_FORMAT_VERSION),
    certificateId: z.uuid(),
    sessionId: ref,
    venueCode: ref,
    /** The hub's central device id (the key that signs the certificate). */
    deviceId: z.uuid(),
    /** The station staff member (username) who ordered the purge. */
    orderedBy: z.string().min(1).max(100),
    orderedAt: instant,
    /** When the hub signed the certificate. */
    issuedAt: instant,
    /** One per candidate of the session's roster: the receipts that matched before anything was deleted. */
    receipts: z.array(DeletionReceipt).min(1).max(10_000),
    /** Every station that deleted something of the session: the hub and its seats. */
    stations: z.array(DeletionStation).min(1).max(2_000),
  })
  .strict()
  .superRefine((cert, ctx) => {
    const candidates = cert.receipts.map((r) => r.candidateId);
    const twice = candidates.find((c, i) => candidates.indexOf(c) !== i);
    if (twice) ctx.addIssue({ code: 'custom', path: ['receipts'], message: `candidate ${twice} is listed twice` });
    const stations = cert.stations.map((s) => s.deviceId);
    const again = stations.find((d, i) => stations.indexOf(d) !== i);
    if (again) ctx.addIssue({ code: 'custom', path: ['stations'], message: `station ${again} is listed twice` });
    // ISO instants of one clock compare as times; the strings may differ in offset, so compare parsed.
    const ordered = Date.parse(cert.orderedAt);
    const issued = Date.parse(cert.issuedAt);
    if (ordered > issued) ctx.addIssue({ code: 'custom', path: ['orderedAt'], message: 'the purge was ordered after the certificate was issued' });
    cert.stations.forEach((s, i) => {
      const at = Date.parse(s.deletedAt);
      if (at < ordered || at > issued) ctx.addIssue({ code: 'custom', path: ['stations', i, 'deletedAt'], message: 'a station deleted before the purge was ordered or after the certificate was issued' });
    });
  });
export type DeletionCertificate = z.infer<typeof DeletionCertificate>;

/** What travels and is kept: the certificate and the hub's Ed25519 signature over it (base64). */
export const SignedDeletionCertificate = z
  .object({
    certificate: DeletionCertificate,
    signature: z.string().regex(/^[A-Za-z0-9+/]{86}==$/, 'a base64 Ed25519 signature (64 bytes)'),
  })
  .strict();
export type SignedDeletionCertificate = z.infer<typeof SignedDeletionCertificate>;

/** A receipt as the centre signs it (src-server/receipts.ts), as far as the receipt hash needs to know it. */
export interface ReceiptLike {
  receiptId: string;
  issuedAt: string;
  candidate: { givenName: string; familyName: string } & Record<string, unknown>;
  [field: string]: unknown;
}

/**
 * The part of a receipt its hash covers (receiptSha256 in src-shared/node/deletion-certificate.ts):
 * the receipt without `receiptId` and `issuedAt`, which are new at every issue (a fresh id, the time
 * of signing), and without the candidate's `givenName` and `familyName`, which the centre writes (a
 * name corrected on the roster after the exam changes nothing the venue sent or deleted). The rest is
 * what the centre holds of what the venue sent, every list in a fixed order, so the same held data
 * gives the same part at every issue, and any change (a revision, a recording's hash or arrival, an
 * attendance mark, an incident) another.
 */
export function receiptStablePart(receipt: ReceiptLike): Record<string, unknown> {
  const { receiptId: _id, issuedAt: _issued, candidate, ...rest } = receipt;
  const { givenName: _given, familyName: _family, ...who } = candidate;
  return { ...rest, candidate: who };
}

/** A certificate as the centre keeps and shows it: who sent it, when it arrived, the certificate and its signature. */
export const StoredDeletionCertificate = z
  .object({
    certificateId: z.string(),
    sessionId: z.string(),
    venueId: z.string(),
    venueCode: z.string(),
    deviceId: z.string(),
    /** The device's name as enrolled. */
    deviceName: z.string(),
    /** When the centre received it (the centre's clock; the certificate's times are the hub's). */
    receivedAt: z.string(),
    /** SHA-256 of the signed text (deletionCertificateSha256). */
    certificateSha256: z.string(),
    certificate: DeletionCertificate,
    signature: z.string(),
  })
  .meta({ id: 'StoredDeletionCertificate' });
export type StoredDeletionCertificate = z.infer<typeof StoredDeletionCertificate>;
