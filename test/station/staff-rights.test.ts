// Roles and rights (issue 10.4 and what 10.5 needs): the permission table in src-shared, and the
// station refusing every protected staff method to each role without its right (STAFF_ROLE_MISSING,
// naming the roles that may), table-driven over the table itself, so a method added to the table is
// tried here too.
import { describe, expect, it } from 'vitest';
import { METHOD_RIGHTS, STAFF_METHODS, mayCall, rightNeeded, type StaffMethod } from '../../src-shared/contracts/staff-rights.ts';
import { STATION_METHODS, stationApi, type Caller, type StationInput } from '../../src-shared/contracts/station-api.ts';
import { CodedError } from '../../src-shared/errors.ts';
import { STAFF_RIGHTS, STAFF_ROLE_NAMES, STAFF_ROLES, holdsRight, rightsOf, type StaffRole } from '../../src-shared/rules/staff.ts';
import { DEMO_SESSION, openTestStation } from '../support/fixtures.ts';

describe('the permission table', () => {
  it('names a right for every staff method of the contract, and for no other', () => {
    expect([...STAFF_METHODS].sort()).toEqual(STATION_METHODS.filter((m) => stationApi[m].surface === 'staff').sort());
  });

  it('gives each role what the exam day asks of it', () => {
    expect(STAFF_RIGHTS['attempt.reopen']).toEqual(['chief-invigilator']);
    expect(STAFF_RIGHTS['attempt.void']).toEqual(['chief-invigilator']);
    expect(STAFF_RIGHTS['staff.admin']).toEqual(['chief-invigilator']);
    expect([...STAFF_RIGHTS['package.import']].sort()).toEqual(['centre-staff', 'chief-invigilator']);
    expect([...STAFF_RIGHTS['package.unlock']].sort()).toEqual(['centre-staff', 'chief-invigilator']);
    expect([...STAFF_RIGHTS['seats.pair']].sort()).toEqual(['chief-invigilator', 'it']);
    // Invigilators end the session for the room; sealing it, accounting for a seat and its protocol are the chief's.
    expect([...STAFF_RIGHTS['room.end']].sort()).toEqual(['chief-invigilator', 'invigilator']);
    expect(STAFF_RIGHTS['room.seal']).toEqual(['chief-invigilator']);
    expect(STAFF_RIGHTS['room.protocol']).toEqual(['chief-invigilator']);
    // Moving a candidate to a spare seat is the invigilators' (IT sets the seats up, it does not seat candidates).
    expect([...STAFF_RIGHTS['room.move']].sort()).toEqual(['chief-invigilator', 'invigilator']);
    // Extra time: an invigilator applies a registered accommodation; extra time for an incident is the chief's.
    const extend = (grounds: 'accommodation' | 'incident'): StationInput<'staffTimerEvent'> => ({ staffToken: 'x'.repeat(16), attemptId: '', partId: 'p', kind: 'extend', amountMs: 1, grounds });
    expect(mayCall(['invigilator'], 'staffTimerEvent', extend('accommodation'))).toBe(true);
    expect(mayCall(['invigilator'], 'staffTimerEvent', extend('incident'))).toBe(false);
    expect(mayCall(['chief-invigilator'], 'staffTimerEvent', extend('incident'))).toBe(true);
    // IT pairs seats, sees the room's seats, reads the audit log, enrols the hub with the centre and sees its link, and applies a signed trust-list update; it does not see answers.
    expect(rightsOf(['it'])).toEqual(['audit.read', 'seats.pair', 'room.view', 'central.sync', 'central.enrol', 'trust.update']);
    expect(new Set(rightsOf(['invigilator', 'it']))).toEqual(new Set([...rightsOf(['invigilator']), 'audit.read', 'seats.pair', 'room.view', 'central.sync', 'central.enrol', 'trust.update']));
    // The link to the centre: centre staff and IT enrol the hub; an invigilator neither enrols nor syncs.
    expect([...STAFF_RIGHTS['central.enrol']].sort()).toEqual(['centre-staff', 'it']);
    expect(rightsOf(['invigilator'])).not.toContain('central.sync');
    // Deleting a session's data at the venue: the chief or centre staff, never an invigilator or IT.
    expect([...STAFF_RIGHTS['data.purge']].sort()).toEqual(['centre-staff', 'chief-invigilator']);
    // A package comes in only with centre staff or the chief; the trust list changes only with IT or the chief.
    expect([...STAFF_RIGHTS['trust.update']].sort()).toEqual(['chief-invigilator', 'it']);
  });
});

/** A station with one account per role (password changed), an open attempt, and a spare account to administer. */
async function stationWithEveryRole() {
  const opened = await openTestStation({ staffLockMs: 3600_000 });
  const { service, staffToken: chiefInProcess, built } = opened;
  // Not screens (screen: false): opening an attempt from them does not make them a candidate's screen.
  const callerOf = (role: StaffRole): Caller => ({ clientId: `desk-${role}`, surfaces: ['public', 'staff'], screen: false });
  const tokens = {} as Record<StaffRole, string>;
  for (const role of STAFF_ROLES) {
    const username = `role.${role}`;
    await service.createStaffAccount({ staffToken: chiefInProcess, username, displayName: STAFF_ROLE_NAMES[role].lv, roles: [role], password: 'Sakuma-Parole-1' });
    const { staffToken } = await service.staffSignIn({ username, password: 'Sakuma-Parole-1' }, callerOf(role));
    await service.changeOwnPassword({ staffToken, currentPassword: 'Sakuma-Parole-1', newPassword: 'Manas-Parole-22' }, callerOf(role));
    tokens[role] = staffToken;
  }
  const target = await service.createStaffAccount({ staffToken: chiefInProcess, username: 'target.person', displayName: 'Mērķa Persona', roles: ['invigilator'], password: 'Sakuma-Parole-1' });
  const attempt = await service.openAttempt({ staffToken: chiefInProcess, candidateId: 'C-0001', packageId: built.manifest.packageId });
  return { ...opened, callerOf, tokens, targetId: target.accountId, attemptId: attempt.attemptId };
}

const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

type Ctx = Awaited<ReturnType<typeof stationWithEveryRole>>;

/** A call of each protected method (several where the right depends on the input), valid as far as the contract goes. */
const PROTECTED_CALLS: { [M in StaffMethod]?: ((c: Ctx, staffToken: string) => StationInput<M>)[] } = {
  listStaffAccounts: [(_c, staffToken) => ({ staffToken })],
  createStaffAccount: [(_c, staffToken) => ({ staffToken, username: `new.${staffToken.slice(0, 6).replace(/[^A-Za-z0-9]/g, 'x')}`, displayName: 'Jauns', roles: ['invigilator'], password: 'Sakuma-Parole-1' })],
  disableStaffAccount: [(c, staffToken) => ({ staffToken, accountId: c.targetId })],
  enableStaffAccount: [(c, staffToken) => ({ staffToken, accountId: c.targetId })],
  grantStaffRole: [(c, staffToken) => ({ staffToken, accountId: c.targetId, role: 'it' })],
  withdrawStaffRole: [(c, staffToken) => ({ staffToken, accountId: c.targetId, role: 'it' })],
  resetStaffPassword: [(c, staffToken) => ({ staffToken, accountId: c.targetId, password: 'Atjaunota-Parole-5' })],
  listAudit: [(_c, staffToken) => ({ staffToken, afterSeq: 0, limit: 10 })],
  verifyAudit: [(_c, staffToken) => ({ staffToken })],
  beginPackageUpload: [(_c, staffToken) => ({ staffToken, fileName: 'a2.exampkg', size: 10 })],
  appendPackageChunk: [(_c, staffToken) => ({ staffToken, uploadId: UNKNOWN_ID, index: 0, data: new Uint8Array([1]), sha256: '0'.repeat(64) })],
  finishPackageUpload: [(_c, staffToken) => ({ staffToken, uploadId: UNKNOWN_ID })],
  cancelPackageUpload: [(_c, staffToken) => ({ staffToken, uploadId: UNKNOWN_ID })],
  listPackageSources: [(_c, staffToken) => ({ staffToken })],
  importPackageSource: [(_c, staffToken) => ({ staffToken, sourceId: '0'.repeat(32) })],
  getPackageImport: [(_c, staffToken) => ({ staffToken, jobId: UNKNOWN_ID })],
  cancelPackageImport: [(_c, staffToken) => ({ staffToken, jobId: UNKNOWN_ID })],
  getTrustList: [(_c, staffToken) => ({ staffToken })],
  applyTrustUpdate: [(_c, staffToken) => ({ staffToken, data: new Uint8Array([123, 125]) })],
  listPackages: [(_c, staffToken) => ({ staffToken })],
  unlockPackage: [(c, staffToken) => ({ staffToken, packageId: c.built.manifest.packageId, key: c.built.contentKey })],
  listCandidates: [(_c, staffToken) => ({ staffToken })],
  openAttempt: [(c, staffToken) => ({ staffToken, candidateId: 'C-0001', packageId: c.built.manifest.packageId })],
  staffTimerEvent: [
    (c, staffToken) => ({ staffToken, attemptId: c.attemptId, partId: 'listening', kind: 'pause' }),
    (c, staffToken) => ({ staffToken, attemptId: c.attemptId, partId: 'listening', kind: 'credit', amountMs: 1000, reason: 'seat froze' }),
    (c, staffToken) => ({ staffToken, attemptId: c.attemptId, partId: 'listening', kind: 'extend', amountMs: 60_000, grounds: 'accommodation', reason: 'extra-time-25' }),
    (c, staffToken) => ({ staffToken, attemptId: c.attemptId, partId: 'listening', kind: 'extend', amountMs: 60_000, grounds: 'incident', reason: 'fire alarm' }),
  ],
  markAttendance: [(_c, staffToken) => ({ staffToken, candidateId: 'C-0001', status: 'present' })],
  recordIncident: [(_c, staffToken) => ({ staffToken, sessionId: DEMO_SESSION.sessionId, kind: 'other', note: 'test' })],
  readOutbox: [(_c, staffToken) => ({ staffToken, afterSeq: 0, limit: 10 })],
  getRoom: [(_c, staffToken) => ({ staffToken })],
  openPairing: [(_c, staffToken) => ({ staffToken })],
  closePairing: [(_c, staffToken) => ({ staffToken })],
  revokeSeat: [(_c, staffToken) => ({ staffToken, deviceId: 'NO-SUCH-SEAT' })],
  decideSeatRequest: [(_c, staffToken) => ({ staffToken, deviceId: 'NO-SUCH-SEAT', decision: 'accept' })],
  pairWithHub: [(_c, staffToken) => ({ staffToken, host: '127.0.0.1', port: 9, code: '12345678', label: '1A' })],
  getRoster: [(_c, staffToken) => ({ staffToken })],
  recordCheckInStep: [(_c, staffToken) => ({ staffToken, candidateId: 'C-0001', step: 'id-document' })],
  checkInCandidate: [(_c, staffToken) => ({ staffToken, candidateId: 'C-0001', status: 'absent' })],
  assignSeat: [(c, staffToken) => ({ staffToken, candidateId: 'C-0001', deviceId: 'NO-SUCH-SEAT', packageId: c.built.manifest.packageId })],
  unassignSeat: [(_c, staffToken) => ({ staffToken, candidateId: 'C-0001' })],
  authoriseCandidate: [(_c, staffToken) => ({ staffToken, candidateId: 'C-0001' })],
  getSealStatus: [(_c, staffToken) => ({ staffToken, sessionId: DEMO_SESSION.sessionId })],
  endSession: [(_c, staffToken) => ({ staffToken, sessionId: DEMO_SESSION.sessionId })],
  sealSession: [(_c, staffToken) => ({ staffToken, sessionId: DEMO_SESSION.sessionId })],
  accountForSeat: [(_c, staffToken) => ({ staffToken, sessionId: DEMO_SESSION.sessionId, deviceId: 'NO-SUCH-SEAT', reason: 'the seat is dead' })],
  getRoomProtocol: [(_c, staffToken) => ({ staffToken, sessionId: DEMO_SESSION.sessionId })],
  getRoomControls: [(_c, staffToken) => ({ staffToken })],
  getCentralSync: [(_c, staffToken) => ({ staffToken })],
  enrolAtCentre: [(_c, staffToken) => ({ staffToken, centralUrl: 'http://127.0.0.1:9', code: 'ABCD-EFGH-IJKL-MNOP' })],
  syncWithCentre: [(_c, staffToken) => ({ staffToken })],
  listCentralReceipts: [(_c, staffToken) => ({ staffToken, sessionId: DEMO_SESSION.sessionId })],
  purgeSession: [(_c, staffToken) => ({ staffToken, sessionId: DEMO_SESSION.sessionId })],
  listUsbDrives: [(_c, staffToken) => ({ staffToken })],
  exportForCentre: [(_c, staffToken) => ({ staffToken, driveId: '0'.repeat(32) })],
  importFromCentre: [(_c, staffToken) => ({ staffToken, driveId: '0'.repeat(32) })],
  releaseKey: [(c, staffToken) => ({ staffToken, packageId: c.built.manifest.packageId, sessionId: DEMO_SESSION.sessionId })],
  setTwoPersonRelease: [(_c, staffToken) => ({ staffToken, sessionId: DEMO_SESSION.sessionId, required: true })],
  roomCommand: [
    (_c, staffToken) => ({ staffToken, action: 'start', target: { kind: 'room' } }),
    (_c, staffToken) => ({ staffToken, action: 'extend', candidateId: 'C-0001', amountMs: 60_000, grounds: 'accommodation', reason: 'extra-time-25' }),
    (_c, staffToken) => ({ staffToken, action: 'extend', candidateId: 'C-0001', amountMs: 60_000, grounds: 'incident', reason: 'fire alarm' }),
    (_c, staffToken) => ({ staffToken, action: 'extend', candidateId: 'C-0001', amountMs: 60_000, grounds: 'lost-time', reason: 'seat froze' }),
    (_c, staffToken) => ({ staffToken, action: 'lock', deviceId: 'NO-SUCH-SEAT' }),
  ],
  settleLostTime: [(_c, staffToken) => ({ staffToken, proposalId: '7d1c2a34-5b6d-4e7f-8a9b-0c1d2e3f4a5c', confirm: true })],
  acknowledgeHand: [(_c, staffToken) => ({ staffToken, deviceId: 'NO-SUCH-SEAT' })],
  recordRoomIncident: [(_c, staffToken) => ({ staffToken, kind: 'other', note: 'test', target: { kind: 'room', sessionId: DEMO_SESSION.sessionId } })],
  removeCandidate: [(_c, staffToken) => ({ staffToken, candidateId: 'C-0001', note: 'test' })],
  listDiscoveredHubs: [(_c, staffToken) => ({ staffToken })],
  moveCandidate: [(_c, staffToken) => ({ staffToken, candidateId: 'C-0001', toDeviceId: 'NO-SUCH-SEAT', reason: 'the seat froze' })],
};

describe('the station enforces the table', () => {
  it('has a call to try for every protected method', () => {
    const protectedMethods = STAFF_METHODS.filter((m) => METHOD_RIGHTS[m] !== 'own');
    expect(Object.keys(PROTECTED_CALLS).sort()).toEqual([...protectedMethods].sort());
  });

  it('refuses each protected method to every role without its right, naming the roles that may, and lets every role with it through', async () => {
    const c = await stationWithEveryRole();
    let refusals = 0;
    for (const [method, calls] of Object.entries(PROTECTED_CALLS) as [StaffMethod, ((c: Ctx, t: string) => StationInput<StaffMethod>)[]][]) {
      for (const makeInput of calls) {
        for (const role of STAFF_ROLES) {
          const input = makeInput(c, c.tokens[role]);
          const right = rightNeeded(method, input);
          if (right === 'own') throw new Error(`${method} is protected`);
          let outcome: CodedError | undefined;
          try {
            await (c.service[method] as (input: unknown, caller: Caller) => Promise<unknown>).call(c.service, input, c.callerOf(role));
          } catch (error) {
            if (!(error instanceof CodedError)) throw error;
            outcome = error;
          }
          const label = `${method} (${right}) by ${role}`;
          if (holdsRight([role], right)) {
            expect(outcome?.code, label).not.toBe('STAFF_ROLE_MISSING');
          } else {
            refusals += 1;
            expect(outcome?.code, label).toBe('STAFF_ROLE_MISSING');
            for (const may of STAFF_RIGHTS[right]) {
              expect(outcome!.text.lv, label).toContain(STAFF_ROLE_NAMES[may].lv);
              expect(outcome!.text.en, label).toContain(STAFF_ROLE_NAMES[may].en);
            }
          }
        }
      }
    }
    expect(refusals).toBeGreaterThan(40);
  }, 60_000);

  it('carries the roles named in the refusal across the transport, in both languages', async () => {
    const c = await stationWithEveryRole();
    const { createStationHandler } = await import('../../src-main/station/dispatch.ts');
    const reply = await createStationHandler(c.service)('unlockPackage', { staffToken: c.tokens.invigilator, packageId: c.built.manifest.packageId, key: c.built.contentKey }, c.callerOf('invigilator'));
    expect(reply).toMatchObject({
      ok: false,
      error: {
        code: 'STAFF_ROLE_MISSING',
        message: { lv: 'Jums nav tiesību to darīt. To drīkst darīt: galvenais pārbaudījuma vadītājs vai eksāmenu centra darbinieks.', en: 'You do not have the right to do this. It may be done by: chief invigilator or centre staff.' },
        params: { roles: { lv: 'galvenais pārbaudījuma vadītājs vai eksāmenu centra darbinieks', en: 'chief invigilator or centre staff' } },
      },
    });
  });
});
