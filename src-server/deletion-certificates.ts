// Deletion certificates at the centre (issue 11 §4/§5): a venue hub that deleted a session's personal
// data, answers and audio (its own and its seats') sends the certificate it signed with its device
// key; the centre checks it and keeps it as received, for the agency to show. The checks: the
// certificate is the sending device's (its deviceId, its signature), the session is of the device's
// venue, the receipts it names are exactly the session's roster, and each receipt's hash is the hash of
// the receipt the centre would sign for that candidate now. A hub that deleted what the centre does not
// hold (or holds otherwise) is an alarm: the refusal is written to the audit trail. The route is a thin
// wrapper of acceptDeletionCertificate, which the USB import calls with the same checks: a certificate
// carried on USB is imported by the agency (importDeletionCertificate: the admin route, or
// `npm run server -- import-deletion-certificate`) as sent by the enrolled device it names.
// The agency's view of a session's certificates also compares the hub's manifests, kind by kind, with
// the ones the centre builds from its own rows (centreManifests): shown, not refused.
import type { KeyObject } from 'node:crypto';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { sql, type Transaction } from 'kysely';
import { z } from 'zod';
import { DeletionCertificate, deletionEntry, SignedDeletionCertificate, StoredDeletionCertificate, type DeletionItem, type DeletionKind } from '../src-shared/contracts/deletion-certificate.ts';
import { deletionCertificateSha256, deletionItem, receiptSha256, verifyDeletionCertificate } from '../src-shared/node/deletion-certificate.ts';
import { publicKeyFromBase64 } from '../src-shared/node/request-signing.ts';
import { appendAudit, recordAudit, type AuditEntry } from './audit.ts';
import type { ServerContext } from './context.ts';
import type { CentralDb } from './db/database.ts';
import type { CentralTables } from './db/tables.ts';
import { ApiError, errorResponses, type ApiErrorCode } from './errors.ts';
import { buildReceipt } from './receipts.ts';

/** The device a certificate arrives from: the signed request's, or the one a USB export names and its signature proves. */
export interface CertificateSender {
  deviceId: string;
  venueId: string;
  /** The device's enrolled Ed25519 public key. */
  publicKey: KeyObject;
}

export { StoredDeletionCertificate };

/** Who brought a certificate in on USB (the admin, or the command line): audited beside the device. */
export interface CertificateImporter {
  actorKind: AuditEntry['actorKind'];
  actorId: string;
}

export interface AcceptedCertificate {
  /** false: the same certificate was held already (a resend). */
  created: boolean;
  stored: StoredDeletionCertificate;
}

/** Refusals that are kept in the audit trail although nothing is stored. */
const AUDITED_REFUSALS = new Set<ApiErrorCode>(['DELETION_CERTIFICATE_FOREIGN', 'DELETION_CERTIFICATE_SIGNATURE_INVALID', 'NOT_FOUND', 'CONFLICT', 'DELETION_ROSTER_MISMATCH', 'RECEIPT_MISMATCH']);

/** A refusal with what the audit entry says of it beyond the error. */
class Refusal extends ApiError {
  readonly auditDetail: Record<string, unknown>;
  constructor(code: ApiErrorCode, detail: string, extra: ConstructorParameters<typeof ApiError>[2] = {}, auditDetail: Record<string, unknown> = {}) {
    super(code, detail, extra);
    this.auditDetail = auditDetail;
  }
}

const storedSelect = (trx: Transaction<CentralTables> | ServerContext['db']) =>
  trx
    .selectFrom('deletion_certificate as d')
    .innerJoin('venue as v', 'v.venue_id', 'd.venue_id')
    .innerJoin('device as e', 'e.device_id', 'd.device_id')
    .select(['d.certificate_id', 'd.session_id', 'd.venue_id', 'v.code', 'd.device_id', 'e.name', 'd.received_at', 'd.certificate_sha256', 'd.certificate', 'd.signature']);

type StoredRow = Awaited<ReturnType<ReturnType<typeof storedSelect>['executeTakeFirstOrThrow']>>;

function toStored(row: StoredRow): StoredDeletionCertificate {
  return {
    certificateId: row.certificate_id,
    sessionId: row.session_id,
    venueId: row.venue_id,
    venueCode: row.code,
    deviceId: row.device_id,
    deviceName: row.name,
    receivedAt: row.received_at.toISOString(),
    certificateSha256: row.certificate_sha256,
    certificate: row.certificate as DeletionCertificate,
    signature: row.signature,
  };
}

/** The held certificate of an id, when it is this body: a resend. Another body under the id is refused. */
function sameOrConflict(held: StoredRow, certificateSha256: string, certificateId: string): StoredDeletionCertificate {
  if (held.certificate_sha256 === certificateSha256) return toStored(held);
  throw new Refusal('CONFLICT', `deletion certificate ${certificateId} was received at ${held.received_at.toISOString()} with another content (sha256 ${held.certificate_sha256}, this one ${certificateSha256}); the first stands`, {}, {
    heldSha256: held.certificate_sha256,
    sentSha256: certificateSha256,
  });
}

async function checkAndStore(ctx: ServerContext, sender: CertificateSender, signed: SignedDeletionCertificate, certificateSha256: string, importedBy: CertificateImporter | undefined): Promise<AcceptedCertificate> {
  const cert = signed.certificate;
  // Committed with what it says: the certificate kept (or found held) and who imported it.
  const imported = (created: boolean): AuditEntry[] =>
    importedBy ? [{ ...importedBy, action: 'deletion-certificate.imported', venueId: sender.venueId, subject: cert.sessionId, detail: { certificateId: cert.certificateId, certificateSha256, deviceId: sender.deviceId, created } }] : [];
  return ctx.db.transaction().execute(async (trx) => {
    // The device row's lock is the one a push takes: while the receipts are compared, this device's
    // pushes wait, so the comparison is against what the centre holds, not a moving target.
    const device = await trx.selectFrom('device as e').innerJoin('venue as v', 'v.venue_id', 'e.venue_id').select(['e.status', 'e.venue_id', 'v.code']).where('e.device_id', '=', sender.deviceId).forNoKeyUpdate('e').executeTakeFirst();
    if (!device) throw new ApiError('DEVICE_UNKNOWN');
    if (device.status !== 'active') throw new ApiError('DEVICE_REVOKED');
    if (device.venue_id !== sender.venueId) throw new ApiError('DEVICE_UNKNOWN', 'the device is enrolled at another venue');

    const held = await storedSelect(trx).where('d.certificate_id', '=', cert.certificateId).executeTakeFirst();
    if (held) {
      const stored = sameOrConflict(held, certificateSha256, cert.certificateId);
      await appendAudit(trx, [{ actorKind: 'device', actorId: sender.deviceId, action: 'deletion-certificate.resent', venueId: sender.venueId, subject: cert.sessionId, detail: { certificateId: cert.certificateId } }, ...imported(false)]);
      return { created: false, stored };
    }

    const session = await trx.selectFrom('exam_session').select('session_id').where('session_id', '=', cert.sessionId).where('venue_id', '=', sender.venueId).executeTakeFirst();
    if (!session) throw new Refusal('NOT_FOUND', `session ${cert.sessionId}`);
    if (cert.venueCode !== device.code) throw new ApiError('VALIDATION_FAILED', `the certificate names venue ${cert.venueCode}; the device is of venue ${device.code}`);

    // Exactly the roster: every candidate on it is named; a named one may also be one taken off the
    // roster later (the venue may still have held their data), but must be of this session.
    const candidates = await trx.selectFrom('candidate').select(['candidate_id', 'removed']).where('session_id', '=', cert.sessionId).where('venue_id', '=', sender.venueId).execute();
    const named = new Set(cert.receipts.map((r) => r.candidateId));
    const ofSession = new Set(candidates.map((c) => c.candidate_id));
    const missing = candidates.filter((c) => !c.removed && !named.has(c.candidate_id)).map((c) => c.candidate_id);
    const foreign = [...named].filter((id) => !ofSession.has(id));
    if (missing.length > 0 || foreign.length > 0) {
      const said = [missing.length > 0 ? `not named: ${missing.join(', ')}` : '', foreign.length > 0 ? `not of session ${cert.sessionId}: ${foreign.join(', ')}` : ''].filter(Boolean).join('; ');
      throw new Refusal('DELETION_ROSTER_MISMATCH', `the certificate's receipts are not the session's roster (${said})`, { candidateIds: [...missing, ...foreign] }, { missing, foreign });
    }

    const mismatches: { candidateId: string; claimed: string; held: string }[] = [];
    for (const claim of cert.receipts) {
      const held = receiptSha256(await buildReceipt(trx, ctx.storage, sender.venueId, claim.candidateId));
      if (held !== claim.receiptSha256) mismatches.push({ candidateId: claim.candidateId, claimed: claim.receiptSha256, held });
    }
    if (mismatches.length > 0) {
      throw new Refusal(
        'RECEIPT_MISMATCH',
        `the receipt of ${mismatches.map((m) => `candidate ${m.candidateId} (certified ${m.claimed}, the centre's now ${m.held})`).join(', ')} is not what the centre holds`,
        { candidateIds: mismatches.map((m) => m.candidateId) },
        { mismatches },
      );
    }

    const inserted = await trx
      .insertInto('deletion_certificate')
      .values({
        certificate_id: cert.certificateId,
        device_id: sender.deviceId,
        venue_id: sender.venueId,
        session_id: cert.sessionId,
        certificate: JSON.stringify(cert),
        certificate_sha256: certificateSha256,
        signature: signed.signature,
      })
      .onConflict((oc) => oc.column('certificate_id').doNothing())
      .returning('certificate_id')
      .executeTakeFirst();
    const row = await storedSelect(trx).where('d.certificate_id', '=', cert.certificateId).executeTakeFirstOrThrow();
    // Not inserted: another device's certificate took the id meanwhile (this device's sends take turns on its lock).
    if (!inserted) {
      const stored = sameOrConflict(row, certificateSha256, cert.certificateId);
      await appendAudit(trx, imported(false));
      return { created: false, stored };
    }
    await appendAudit(trx, [
      {
        actorKind: 'device',
        actorId: sender.deviceId,
        action: 'deletion-certificate.received',
        venueId: sender.venueId,
        subject: cert.sessionId,
        detail: {
          certificateId: cert.certificateId,
          certificateSha256,
          orderedBy: cert.orderedBy,
          issuedAt: cert.issuedAt,
          candidates: cert.receipts.length,
          stations: cert.stations.map((s) => ({ deviceId: s.deviceId, role: s.role, items: s.items.reduce((n, i) => n + i.count, 0) })),
        },
      },
      ...imported(true),
    ]);
    return { created: true, stored: toStored(row) };
  });
}

/** The signed certificate of the format, or VALIDATION_FAILED naming the first problems. */
function parseCertificate(signed: unknown): SignedDeletionCertificate {
  const parsed = SignedDeletionCertificate.safeParse(signed);
  if (!parsed.success) {
    throw new ApiError('VALIDATION_FAILED', `not a deletion certificate: ${parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  }
  return parsed.data;
}

/**
 * Check a signed deletion certificate from `sender` and keep it: the same checks for the route and
 * the USB import. Returns the stored certificate (created: false for a resend of the same body).
 * Throws ApiError: VALIDATION_FAILED (not of the format, or another venue's code),
 * DELETION_CERTIFICATE_FOREIGN (names another device), DELETION_CERTIFICATE_SIGNATURE_INVALID,
 * NOT_FOUND (not a session of the device's venue), DELETION_ROSTER_MISMATCH, RECEIPT_MISMATCH,
 * CONFLICT (the id is held with another body), DEVICE_REVOKED / DEVICE_UNKNOWN. The refusals of a
 * well-formed certificate are written to the audit trail. `importedBy`: it came on USB, brought in by
 * this actor (audited in the same transaction as the certificate).
 */
export async function acceptDeletionCertificate(ctx: ServerContext, sender: CertificateSender, signed: unknown, importedBy?: CertificateImporter): Promise<AcceptedCertificate> {
  const parsed = parseCertificate(signed);
  const cert = parsed.certificate;
  const certificateSha256 = deletionCertificateSha256(cert);
  try {
    if (cert.deviceId !== sender.deviceId) throw new Refusal('DELETION_CERTIFICATE_FOREIGN', `the certificate names device ${cert.deviceId}; it was sent by ${sender.deviceId}`, {}, { namedDeviceId: cert.deviceId });
    if (!verifyDeletionCertificate(parsed, sender.publicKey)) throw new Refusal('DELETION_CERTIFICATE_SIGNATURE_INVALID', `the signature does not verify with the key device ${sender.deviceId} enrolled`);
    return await checkAndStore(ctx, sender, parsed, certificateSha256, importedBy);
  } catch (error) {
    if (error instanceof ApiError && AUDITED_REFUSALS.has(error.code)) {
      // Nothing was stored (the transaction rolled back); the refusal is kept all the same.
      const entry: AuditEntry = {
        actorKind: 'device',
        actorId: sender.deviceId,
        action: error.code === 'RECEIPT_MISMATCH' ? 'deletion-certificate.receipt-mismatch' : 'deletion-certificate.refused',
        venueId: sender.venueId,
        subject: cert.sessionId,
        detail: { code: error.code, certificateId: cert.certificateId, certificateSha256, reason: error.detail ?? null, ...(error instanceof Refusal ? error.auditDetail : {}) },
      };
      await recordAudit(ctx.db, [entry]);
    }
    throw error;
  }
}

/**
 * A certificate the hub wrote to a USB stick, brought in by the agency: sent by the device it names,
 * which must be enrolled here and not revoked (a revoked device's key is no longer trusted, and the
 * certificate's times are its own clock, so nothing shows it was signed before the revocation), then
 * the same checks and storage as the device route (acceptDeletionCertificate). Every refusal is also
 * audited with the importer: DELETION_CERTIFICATE_DEVICE_UNKNOWN, DELETION_CERTIFICATE_DEVICE_REVOKED,
 * and those of acceptDeletionCertificate.
 */
export async function importDeletionCertificate(ctx: ServerContext, signed: unknown, importer: CertificateImporter): Promise<AcceptedCertificate> {
  let cert: DeletionCertificate | undefined;
  let venueId: string | null = null;
  try {
    const parsed = parseCertificate(signed);
    cert = parsed.certificate;
    const device = await ctx.db.selectFrom('device').select(['device_id', 'venue_id', 'public_key', 'status', 'revoked_at']).where('device_id', '=', parsed.certificate.deviceId).executeTakeFirst();
    if (!device) throw new ApiError('DELETION_CERTIFICATE_DEVICE_UNKNOWN', `the certificate names device ${parsed.certificate.deviceId}, which is not enrolled with this centre`);
    venueId = device.venue_id;
    if (device.status !== 'active') throw new ApiError('DELETION_CERTIFICATE_DEVICE_REVOKED', `device ${device.device_id} was revoked at ${device.revoked_at?.toISOString() ?? '(unknown)'}`);
    const sender: CertificateSender = { deviceId: device.device_id, venueId: device.venue_id, publicKey: publicKeyFromBase64(device.public_key) };
    try {
      return await acceptDeletionCertificate(ctx, sender, parsed, importer);
    } catch (error) {
      // Revoked (or gone) between the look-up and the device row's lock: the import's own refusal.
      if (error instanceof ApiError && error.code === 'DEVICE_REVOKED') throw new ApiError('DELETION_CERTIFICATE_DEVICE_REVOKED', `device ${device.device_id} was revoked while its certificate was checked`);
      if (error instanceof ApiError && error.code === 'DEVICE_UNKNOWN') throw new ApiError('DELETION_CERTIFICATE_DEVICE_UNKNOWN', error.detail);
      throw error;
    }
  } catch (error) {
    const coded = error instanceof ApiError ? error : undefined;
    await recordAudit(ctx.db, [
      {
        ...importer,
        action: 'deletion-certificate.import-refused',
        venueId,
        subject: cert?.sessionId ?? null,
        detail: { code: coded?.code ?? 'INTERNAL', reason: coded?.detail ?? (error as Error).message, certificateId: cert?.certificateId ?? null, deviceId: cert?.deviceId ?? null },
      },
    ]);
    throw error;
  }
}

/** The kinds whose manifest the centre can build from its own rows (the others it never receives). */
export const CENTRE_HELD_KINDS = ['attempts', 'responses', 'response-revisions', 'recordings', 'audio-segments', 'timer-events', 'audio-plays', 'attendance', 'incidents'] as const satisfies readonly DeletionKind[];

/**
 * The manifests of a session as the centre holds it, one item per kind of CENTRE_HELD_KINDS, built
 * with the same entries a hub writes (deletionEntry). A hub holds the whole session (its own and its
 * seats' results), so a hub's items of these kinds are these, once every receipt matched.
 */
export async function centreManifests(db: CentralDb, venueId: string, sessionId: string): Promise<DeletionItem[]> {
  const attempts = await db.selectFrom('attempt as a').innerJoin('candidate as c', 'c.candidate_id', 'a.candidate_id').select('a.attempt_id').where('c.session_id', '=', sessionId).where('a.venue_id', '=', venueId).execute();
  const ids = attempts.map((a) => a.attempt_id);
  const some = ids.length > 0;
  const venueDevices = db.selectFrom('device').select('device_id').where('venue_id', '=', venueId);
  const responses = some ? await db.selectFrom('response').select(['attempt_id', 'item_id', 'revision']).where('attempt_id', 'in', ids).execute() : [];
  const revisions = some
    ? await db
        .selectFrom('outbox_event')
        .select([sql<string>`payload->>'attemptId'`.as('attempt_id'), sql<string>`payload->>'itemId'`.as('item_id'), sql<string>`payload->>'revision'`.as('revision')])
        .distinct()
        .where('device_id', 'in', venueDevices)
        .where('kind', '=', 'response.saved')
        .where(sql<string>`payload->>'attemptId'`, 'in', ids)
        .execute()
    : [];
  const recordings = some ? await db.selectFrom('recording').select(['recording_id', 'sha256', 'bytes']).where('attempt_id', 'in', ids).where('venue_id', '=', venueId).execute() : [];
  const recordingIds = recordings.map((r) => r.recording_id);
  const segments = recordingIds.length
    ? await db
        .selectFrom('outbox_event')
        .select([sql<string>`payload->>'recordingId'`.as('recording_id'), sql<string>`payload->>'index'`.as('index'), sql<string>`payload->>'sha256'`.as('sha256'), sql<string>`max((payload->>'bytes')::bigint)`.as('bytes')])
        .where('device_id', 'in', venueDevices)
        .where('kind', '=', 'recording.segment')
        .where(sql<string>`payload->>'recordingId'`, 'in', recordingIds)
        .groupBy([sql`payload->>'recordingId'`, sql`payload->>'index'`, sql`payload->>'sha256'`])
        .execute()
    : [];
  const timers = some ? await db.selectFrom('timer_event').select(['attempt_id', 'event_id']).where('attempt_id', 'in', ids).where('venue_id', '=', venueId).execute() : [];
  const plays = some ? await db.selectFrom('audio_play').select(['attempt_id', 'stimulus_id', 'play']).where('attempt_id', 'in', ids).where('venue_id', '=', venueId).execute() : [];
  const attendance = await db.selectFrom('attendance').select(['candidate_id', 'status']).where('session_id', '=', sessionId).where('venue_id', '=', venueId).execute();
  const incidents = await db.selectFrom('incident').select('incident_id').where('session_id', '=', sessionId).where('venue_id', '=', venueId).execute();
  const sum = (values: readonly (number | string | null)[]) => values.reduce<number>((n, v) => n + Number(v ?? 0), 0);
  return [
    deletionItem('attempts', ids.map((attemptId) => deletionEntry('attempts', { attemptId }))),
    deletionItem('responses', responses.map((r) => deletionEntry('responses', { attemptId: r.attempt_id, itemId: r.item_id, revision: r.revision }))),
    deletionItem('response-revisions', revisions.map((r) => deletionEntry('response-revisions', { attemptId: r.attempt_id, itemId: r.item_id, revision: r.revision }))),
    deletionItem('recordings', recordings.map((r) => deletionEntry('recordings', { recordingId: r.recording_id, sha256: r.sha256 })), sum(recordings.map((r) => r.bytes))),
    deletionItem('audio-segments', segments.map((g) => deletionEntry('audio-segments', { recordingId: g.recording_id, index: g.index, sha256: g.sha256 })), sum(segments.map((g) => g.bytes))),
    deletionItem('timer-events', timers.map((t) => deletionEntry('timer-events', { attemptId: t.attempt_id, eventId: t.event_id }))),
    deletionItem('audio-plays', plays.map((p) => deletionEntry('audio-plays', { attemptId: p.attempt_id, stimulusId: p.stimulus_id, play: p.play }))),
    deletionItem('attendance', attendance.map((a) => deletionEntry('attendance', { candidateId: a.candidate_id, status: a.status }))),
    deletionItem('incidents', incidents.map((i) => deletionEntry('incidents', { incidentId: i.incident_id }))),
  ];
}

export const CentreCheck = z.object({
  /** The hub (or solo) station of the certificate whose items are compared. */
  stationDeviceId: z.string(),
  kind: z.string(),
  /** What the station certified of the kind (null: it did not list the kind). */
  certified: z.object({ count: z.number().int(), sha256: z.string() }).nullable(),
  centre: z.object({ count: z.number().int(), sha256: z.string() }),
  matches: z.boolean(),
});
export type CentreCheck = z.infer<typeof CentreCheck>;

/** A certificate's hub and solo stations, kind by kind, against the centre's own manifests. */
export function checkAgainstCentre(certificate: DeletionCertificate, centre: readonly DeletionItem[]): CentreCheck[] {
  return certificate.stations
    .filter((s) => s.role !== 'seat')
    .flatMap((station) =>
      centre.map((held) => {
        const item = station.items.find((i) => i.kind === held.kind);
        return {
          stationDeviceId: station.deviceId,
          kind: held.kind,
          certified: item ? { count: item.count, sha256: item.sha256 } : null,
          centre: { count: held.count, sha256: held.sha256 },
          matches: item?.sha256 === held.sha256,
        };
      }),
    );
}

/** A session's certificates, most recent first; 404 for a session the centre does not know. */
export async function sessionDeletionCertificates(ctx: ServerContext, sessionId: string): Promise<StoredDeletionCertificate[]> {
  const session = await ctx.db.selectFrom('exam_session').select('session_id').where('session_id', '=', sessionId).executeTakeFirst();
  if (!session) throw new ApiError('NOT_FOUND', `session ${sessionId}`);
  const rows = await storedSelect(ctx.db).where('d.session_id', '=', sessionId).orderBy('d.received_at', 'desc').orderBy('d.certificate_id', 'desc').execute();
  return rows.map(toStored);
}

/** The cursor of a page: where the next (older) page starts. */
const encodeCursor = (row: { received_at: Date; certificate_id: string; received_us: string }): string => Buffer.from(`${row.received_us} ${row.certificate_id}`, 'utf8').toString('base64url');

function decodeCursor(cursor: string): { receivedUs: string; certificateId: string } {
  const [receivedUs, certificateId, ...rest] = Buffer.from(cursor, 'base64url').toString('utf8').split(' ');
  if (rest.length > 0 || !receivedUs || !/^\d{1,20}$/.test(receivedUs) || !certificateId || !z.uuid().safeParse(certificateId).success) throw new ApiError('VALIDATION_FAILED', 'before: not a cursor this API gave');
  return { receivedUs, certificateId };
}

/** Recent certificates of every venue, most recent first, `limit` a page; `before` is the previous page's `next`. */
export async function recentDeletionCertificates(ctx: ServerContext, page: { limit: number; before?: string | undefined }): Promise<{ certificates: StoredDeletionCertificate[]; next: string | null }> {
  // Microseconds since the epoch, exactly as stored (a JavaScript Date keeps only milliseconds).
  const receivedUs = sql<string>`(extract(epoch from d.received_at) * 1000000)::bigint::text`;
  let query = storedSelect(ctx.db).select(receivedUs.as('received_us'));
  if (page.before !== undefined) {
    const after = decodeCursor(page.before);
    query = query.where(sql<boolean>`((extract(epoch from d.received_at) * 1000000)::bigint, d.certificate_id) < (${after.receivedUs}::bigint, ${after.certificateId}::uuid)`);
  }
  const rows = await query.orderBy('d.received_at', 'desc').orderBy('d.certificate_id', 'desc').limit(page.limit + 1).execute();
  const shown = rows.slice(0, page.limit);
  return { certificates: shown.map(toStored), next: rows.length > page.limit ? encodeCursor(shown.at(-1)!) : null };
}

const SignedBody = SignedDeletionCertificate.meta({ id: 'SignedDeletionCertificate' });

export const deletionCertificateRoutes =
  (ctx: ServerContext): FastifyPluginAsyncZod =>
  async (app) => {
    app.post(
      '/v1/deletion-certificates',
      {
        bodyLimit: 8 * 1024 * 1024,
        schema: {
          operationId: 'sendDeletionCertificate',
          tags: ['venue'],
          summary: "A hub's signed certificate that it and its seats deleted a session's data",
          description:
            'The certificate (src-shared/contracts/deletion-certificate.ts) with the Ed25519 signature of the sending device over its signing text. ' +
            'It must name the sending device (403 DELETION_CERTIFICATE_FOREIGN) and verify with its enrolled key (422 DELETION_CERTIFICATE_SIGNATURE_INVALID); the session must be of the device\'s venue (404). ' +
            'Its receipts name every candidate of the roster and none of another session (409 DELETION_ROSTER_MISMATCH), each with the hash of the receipt the centre signs for that candidate now (409 RECEIPT_MISMATCH, audited, with candidateIds). ' +
            '201 with the stored certificate; the same certificate again is 200 with the stored one; another body under a held id is 409 CONFLICT.',
          body: SignedBody,
          response: { 200: StoredDeletionCertificate, 201: StoredDeletionCertificate, ...errorResponses },
        },
      },
      async (request, reply) => {
        const accepted = await acceptDeletionCertificate(ctx, request.device!, request.body);
        reply.code(accepted.created ? 201 : 200);
        return accepted.stored;
      },
    );
  };

export const deletionCertificateAdminRoutes =
  (ctx: ServerContext, actor: string): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/v1/admin/sessions/:sessionId/deletion-certificates',
      {
        schema: {
          operationId: 'listSessionDeletionCertificates',
          tags: ['admin'],
          summary: "A session's deletion certificates, most recent first",
          params: z.object({ sessionId: z.string().min(1).max(64) }),
          description:
            'Each with `centreCheck`: for its hub (or solo) station, every kind the centre holds too, the certified count and manifest hash beside the ones the centre builds from its own rows now. ' +
            'A hub holds the whole session, so once every receipt matched each kind should match; a difference says which kind to look at.',
          response: { 200: z.object({ certificates: z.array(StoredDeletionCertificate.extend({ centreCheck: z.array(CentreCheck) }).meta({ id: 'CheckedDeletionCertificate' })) }), ...errorResponses },
        },
      },
      async (request) => {
        const stored = await sessionDeletionCertificates(ctx, request.params.sessionId);
        const manifests = new Map<string, DeletionItem[]>();
        const certificates = [];
        for (const c of stored) {
          let centre = manifests.get(c.venueId);
          if (!centre) manifests.set(c.venueId, (centre = await centreManifests(ctx.db, c.venueId, c.sessionId)));
          certificates.push({ ...c, centreCheck: checkAgainstCentre(c.certificate, centre) });
        }
        await recordAudit(ctx.db, [{ actorKind: 'admin', actorId: actor, action: 'deletion-certificate.listed', subject: request.params.sessionId, detail: { certificates: certificates.map((c) => c.certificateId) } }]);
        return { certificates };
      },
    );

    app.post(
      '/v1/admin/deletion-certificates',
      {
        bodyLimit: 8 * 1024 * 1024,
        schema: {
          operationId: 'importDeletionCertificate',
          tags: ['admin'],
          summary: 'Import a deletion certificate a venue hub wrote to USB (without a network)',
          description:
            'The signed certificate exactly as the hub wrote it. The sender is the device it names (certificate.deviceId): 422 DELETION_CERTIFICATE_DEVICE_UNKNOWN if that device is not enrolled here, 422 DELETION_CERTIFICATE_DEVICE_REVOKED if it was revoked (its key is no longer trusted). ' +
            'Then the same checks and storage as POST /v1/deletion-certificates: the signature with that device\'s key (422 DELETION_CERTIFICATE_SIGNATURE_INVALID), the session of its venue (404), the roster (409 DELETION_ROSTER_MISMATCH), the receipt hashes (409 RECEIPT_MISMATCH), another body under a held id (409 CONFLICT). ' +
            '201 with the stored certificate; the same certificate again (imported or sent online) is 200 with the stored one. The import is audited with the admin as well as the device.',
          body: SignedBody,
          response: { 200: StoredDeletionCertificate, 201: StoredDeletionCertificate, ...errorResponses },
        },
      },
      async (request, reply) => {
        const accepted = await importDeletionCertificate(ctx, request.body, { actorKind: 'admin', actorId: actor });
        reply.code(accepted.created ? 201 : 200);
        return accepted.stored;
      },
    );

    app.get(
      '/v1/admin/deletion-certificates',
      {
        schema: {
          operationId: 'listDeletionCertificates',
          tags: ['admin'],
          summary: 'Recent deletion certificates of every venue, most recent first, a page at a time',
          description: '`next` is the cursor of the next (older) page, null on the last page: pass it as `before`.',
          querystring: z.object({ limit: z.coerce.number().int().min(1).max(200).default(50), before: z.string().min(1).max(200).optional() }),
          response: { 200: z.object({ certificates: z.array(StoredDeletionCertificate), next: z.string().nullable() }), ...errorResponses },
        },
      },
      async (request) => {
        const page = await recentDeletionCertificates(ctx, { limit: request.query.limit, before: request.query.before });
        await recordAudit(ctx.db, [{ actorKind: 'admin', actorId: actor, action: 'deletion-certificate.listed', detail: { certificates: page.certificates.map((c) => c.certificateId) } }]);
        return page;
      },
    );
  };
