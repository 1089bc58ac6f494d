// The station's audit log (issue 10.4): every staff action, sign-in, failure, lockout and account
// change is an entry attributed to a person, chained by SHA-256 over the canonical JSON of each entry
// with the hash before it; verifyAudit walks the chain and reports the first broken link, and so does
// `npm run station:verify-audit -- FILE` on a station's database file.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src-shared/canonical-json.ts';
import type { Caller } from '../../src-shared/contracts/station-api.ts';
import { GENESIS_HASH } from '../../src-main/station/records/audit.ts';
import { DEMO_SESSION, openTestStation, TEST_STAFF } from '../support/fixtures.ts';
import { refusal } from '../support/refusal.ts';

const DESK: Caller = { clientId: 'chief-desk', surfaces: ['public', 'staff'], screen: false };
const CLI = join(import.meta.dirname, '..', '..', 'src-main', 'station', 'audit-cli.ts');

/** A station where a day's worth of staff work has been done. */
async function dayAtTheStation() {
  const station = await openTestStation();
  const { service, built } = station;
  await refusal(service.staffSignIn({ username: TEST_STAFF.username, password: 'Wrong-Password-1' }, DESK));
  const { staffToken } = await service.staffSignIn(TEST_STAFF, DESK);
  const ilze = await service.createStaffAccount({ staffToken, username: 'ilze.ozola', displayName: 'Ilze Ozola', roles: ['invigilator'], password: 'Sakuma-Parole-1' }, DESK);
  const opened = await service.openAttempt({ staffToken, candidateId: 'C-0001', packageId: built.manifest.packageId }, DESK);
  await service.recordTimerEvent({ attemptId: opened.attemptId, candidateToken: opened.candidateToken, partId: 'listening', kind: 'start' });
  await service.staffTimerEvent({ staffToken, attemptId: opened.attemptId, partId: 'listening', kind: 'extend', amountMs: 150_000, grounds: 'accommodation', reason: 'extra-time-25' }, DESK);
  await service.recordIncident({ staffToken, sessionId: DEMO_SESSION.sessionId, attemptId: opened.attemptId, kind: 'technical-freezing', note: 'Ekrāns sastinga.' }, DESK);
  await service.disableStaffAccount({ staffToken, accountId: ilze.accountId, reason: 'slima' }, DESK);
  return { ...station, staffToken, attemptId: opened.attemptId };
}

function cli(dbPath: string): { status: number | null; stdout: string } {
  const run = spawnSync(process.execPath, [CLI, dbPath], { encoding: 'utf8' });
  return { status: run.status, stdout: run.stdout };
}

describe('the audit log', () => {
  it('records each staff action, sign-in and failure, attributed, in one chain that verifies', async () => {
    const { service, staffToken, attemptId } = await dayAtTheStation();
    const entries = await service.listAudit({ staffToken, afterSeq: 0, limit: 1000 }, DESK);
    const mine = entries.filter((e) => e.action !== 'package.imported' && e.action !== 'package.unlocked');
    expect(entries.map((e) => [e.actor, e.action])).toEqual([
      ['(it-policy)', 'staff.account.created'],
      [TEST_STAFF.username, 'staff.sign-in'],
      [TEST_STAFF.username, 'package.imported'],
      [TEST_STAFF.username, 'package.unlocked'],
      ['(anonymous)', 'staff.sign-in.failed'],
      [TEST_STAFF.username, 'staff.sign-in'],
      [TEST_STAFF.username, 'staff.account.created'],
      [TEST_STAFF.username, 'attempt.opened'],
      [TEST_STAFF.username, 'timer.extend'],
      [TEST_STAFF.username, 'incident.recorded'],
      [TEST_STAFF.username, 'staff.account.disabled'],
    ]);
    expect(mine.find((e) => e.action === 'timer.extend')).toMatchObject({ target: attemptId, details: { partId: 'listening', amountMs: 150_000, grounds: 'accommodation', reason: 'extra-time-25' } });
    expect(mine.find((e) => e.action === 'staff.sign-in.failed')).toMatchObject({ target: TEST_STAFF.username, details: { screen: expect.stringMatching(/^[0-9a-f]{12}$/) } });
    expect(mine.find((e) => e.action === 'staff.account.disabled')).toMatchObject({ target: 'ilze.ozola', details: { reason: 'slima' } });
    // Each hash is SHA-256 over the canonical JSON of the entry with the hash before it.
    let prev = GENESIS_HASH;
    for (const { hash, ...entry } of entries) {
      expect(entry.prevHash).toBe(prev);
      expect(hash).toBe(createHash('sha256').update(canonicalJson(entry)).digest('hex'));
      prev = hash;
    }
    expect(await service.verifyAudit({ staffToken }, DESK)).toEqual({ ok: true, entries: entries.length, lastHash: prev });
  });

  it('cannot be changed by the station’s own SQL: the table refuses UPDATE and DELETE', async () => {
    const { service } = await dayAtTheStation();
    expect(() => service.db.sqlite.prepare("UPDATE audit_log SET actor = 'someone' WHERE seq = 2").run()).toThrow(/append-only/);
    expect(() => service.db.sqlite.prepare('DELETE FROM audit_log WHERE seq = 2').run()).toThrow(/append-only/);
  });

  it('catches an entry edited by hand with raw SQL, and names it', async () => {
    const { service, staffToken } = await dayAtTheStation();
    const sqlite = service.db.sqlite;
    // Someone with the file drops the guard and softens what happened.
    sqlite.exec('DROP TRIGGER audit_log_append_only_update');
    sqlite.prepare("UPDATE audit_log SET details_json = json_set(details_json, '$.amountMs', 15000) WHERE action = 'timer.extend'").run();
    const seq = (sqlite.prepare("SELECT seq FROM audit_log WHERE action = 'timer.extend'").get() as { seq: number }).seq;
    expect(await service.verifyAudit({ staffToken }, DESK)).toEqual({ ok: false, entries: seq - 1, brokenAt: seq, reason: `entry ${seq} was altered: its content does not give its hash` });
    // Recomputing that entry's hash only moves the break to the next link.
    const row = sqlite.prepare('SELECT * FROM audit_log WHERE seq = ?').get(seq) as { seq: number; at: string; actor: string; action: string; target: string | null; details_json: string; prev_hash: string };
    const forged = createHash('sha256').update(canonicalJson({ seq: row.seq, at: row.at, actor: row.actor, action: row.action, target: row.target, details: JSON.parse(row.details_json), prevHash: row.prev_hash })).digest('hex');
    sqlite.prepare('UPDATE audit_log SET hash = ? WHERE seq = ?').run(forged, seq);
    expect(await service.verifyAudit({ staffToken }, DESK)).toMatchObject({ ok: false, brokenAt: seq + 1, reason: `entry ${seq + 1} does not link to the hash of entry ${seq}` });
  });

  it('catches an entry removed from the middle, and entries removed from the end', async () => {
    const station = await dayAtTheStation();
    const sqlite = station.service.db.sqlite;
    sqlite.exec('DROP TRIGGER audit_log_append_only_delete');
    const last = (sqlite.prepare('SELECT max(seq) AS seq FROM audit_log').get() as { seq: number }).seq;
    sqlite.prepare('DELETE FROM audit_log WHERE seq = ?').run(last);
    expect(await station.service.verifyAudit({ staffToken: station.staffToken }, DESK)).toMatchObject({ ok: false, brokenAt: last, reason: expect.stringMatching(/head says .* entries were removed from the end/) });
    sqlite.prepare('DELETE FROM audit_log WHERE seq = 3').run();
    expect(await station.service.verifyAudit({ staffToken: station.staffToken }, DESK)).toMatchObject({ ok: false, brokenAt: 3, reason: 'entry 3 is missing (the next one is 4)' });
  });

  it('is checked from the database file by npm run station:verify-audit, which exits 1 at a broken link', async () => {
    const { service, dbPath } = await dayAtTheStation();
    service.close();
    const intact = cli(dbPath);
    expect(intact.status).toBe(0);
    expect(JSON.parse(intact.stdout.split('\n')[0]!)).toMatchObject({ ok: true, entries: 11 });
    expect(intact.stdout).toMatch(/audit chain intact: 11 entries/);
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(dbPath);
    db.exec('DROP TRIGGER audit_log_append_only_update');
    db.prepare("UPDATE audit_log SET actor = 'nobody' WHERE seq = 5").run();
    db.close();
    const broken = cli(dbPath);
    expect(broken.status).toBe(1);
    expect(JSON.parse(broken.stdout.split('\n')[0]!)).toMatchObject({ ok: false, brokenAt: 5 });
    expect(broken.stdout).toMatch(/audit chain BROKEN at entry 5/);
    expect(cli(join(dbPath, '..', 'none.db')).status).toBe(2);
  });
});
