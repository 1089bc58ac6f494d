// Which right each staff method of the station API needs (the rights and the roles that hold them are
// in src-shared/rules/staff.ts). The station checks it on every staff call and refuses a person
// without it (STAFF_ROLE_MISSING, naming the roles that would do); a console uses the same table to
// hide what the signed-in person may not do. A staff method missing here is a type error.
import { STAFF_RIGHTS, holdsRight, type StaffRight, type StaffRole } from '../rules/staff.ts';
import { stationApi, type RoomExtraGrounds, type StationInput, type StationMethod } from './station-api.ts';

/** The station methods of the staff surface. */
export type StaffMethod = { [M in StationMethod]: (typeof stationApi)[M]['surface'] extends 'staff' ? M : never }[StationMethod];

/**
 * `own`: about one's own account and session, open to everyone signed in (and, for sign-in and
 * set-up, to nobody yet). A function: the right depends on what the call does.
 */
type MethodRight<M extends StaffMethod> = StaffRight | 'own' | ((input: StationInput<M>) => StaffRight);

const TIMER_RIGHTS = {
  pause: 'time.control',
  resume: 'time.control',
  end: 'time.control',
  credit: 'time.credit',
} as const satisfies Record<Exclude<StationInput<'staffTimerEvent'>['kind'], 'extend'>, StaffRight>;

/** The right of each room command from the console; extra time by its grounds, as staffTimerEvent. */
const ROOM_COMMAND_RIGHTS = {
  start: 'time.control',
  pause: 'time.control',
  resume: 'time.control',
  accommodation: 'time.extend.accommodation',
  incident: 'time.extend.incident',
  'lost-time': 'time.credit',
  message: 'seats.control',
  lock: 'seats.control',
  unlock: 'seats.control',
} as const satisfies Record<Exclude<StationInput<'roomCommand'>['action'], 'extend'> | RoomExtraGrounds, StaffRight>;

export const METHOD_RIGHTS: { [M in StaffMethod]: MethodRight<M> } = {
  setUpFirstChief: 'own',
  staffSignIn: 'own',
  staffSignOut: 'own',
  staffLock: 'own',
  staffUnlock: 'own',
  getStaffSession: 'own',
  changeOwnPassword: 'own',
  setOwnPin: 'own',
  listStaffAccounts: 'staff.admin',
  createStaffAccount: 'staff.admin',
  disableStaffAccount: 'staff.admin',
  enableStaffAccount: 'staff.admin',
  grantStaffRole: 'staff.admin',
  withdrawStaffRole: 'staff.admin',
  resetStaffPassword: 'staff.admin',
  listAudit: 'audit.read',
  getCentralSync: 'central.sync',
  enrolAtCentre: 'central.enrol',
  syncWithCentre: 'central.sync',
  listCentralReceipts: 'central.sync',
  purgeSession: 'data.purge',
  listUsbDrives: 'central.sync',
  exportForCentre: 'central.sync',
  importFromCentre: 'central.sync',
  verifyAudit: 'audit.read',
  beginPackageUpload: 'package.import',
  appendPackageChunk: 'package.import',
  finishPackageUpload: 'package.import',
  cancelPackageUpload: 'package.import',
  listPackageSources: 'package.import',
  importPackageSource: 'package.import',
  getPackageImport: 'package.import',
  cancelPackageImport: 'package.import',
  getTrustList: 'package.list',
  applyTrustUpdate: 'trust.update',
  listPackages: 'package.list',
  unlockPackage: 'package.unlock',
  listCandidates: 'roster.read',
  openAttempt: 'attempt.open',
  staffTimerEvent: (input) => (input.kind === 'extend' ? (input.grounds === 'incident' ? 'time.extend.incident' : 'time.extend.accommodation') : TIMER_RIGHTS[input.kind]),
  markAttendance: 'attendance.mark',
  recordIncident: 'incident.record',
  readOutbox: 'outbox.read',
  getRoom: 'room.view',
  openPairing: 'seats.pair',
  closePairing: 'seats.pair',
  revokeSeat: 'seats.pair',
  decideSeatRequest: 'seats.pair',
  pairWithHub: 'seats.pair',
  getRoster: 'roster.read',
  recordCheckInStep: 'attendance.mark',
  checkInCandidate: 'attendance.mark',
  assignSeat: 'attempt.open',
  unassignSeat: 'attempt.open',
  authoriseCandidate: 'attempt.open',
  getSealStatus: 'room.view',
  endSession: 'room.end',
  sealSession: 'room.seal',
  accountForSeat: 'room.seal',
  getRoomProtocol: 'room.protocol',
  getRoomControls: 'room.view',
  releaseKey: 'key.release',
  setTwoPersonRelease: 'room.settings',
  roomCommand: (input) => ROOM_COMMAND_RIGHTS[input.action === 'extend' ? input.grounds : input.action],
  settleLostTime: 'time.credit',
  acknowledgeHand: 'seats.control',
  recordRoomIncident: 'incident.record',
  removeCandidate: 'candidate.remove',
  listDiscoveredHubs: 'seats.pair',
  moveCandidate: 'room.move',
};

export const STAFF_METHODS = Object.keys(METHOD_RIGHTS) as StaffMethod[];

export const isStaffMethod = (method: StationMethod): method is StaffMethod => Object.hasOwn(METHOD_RIGHTS, method);

/** The right a call of `method` with `input` needs, or `own` when being signed in is enough. */
export function rightNeeded<M extends StaffMethod>(method: M, input: StationInput<M>): StaffRight | 'own' {
  const right = METHOD_RIGHTS[method] as MethodRight<M>;
  return typeof right === 'function' ? right(input) : right;
}

/** Whether a person holding `roles` may make this call. */
export function mayCall<M extends StaffMethod>(roles: readonly StaffRole[], method: M, input: StationInput<M>): boolean {
  const right = rightNeeded(method, input);
  return right === 'own' || holdsRight(roles, right);
}

/** The roles that hold `right`, for an error that says whom to ask. */
export const rolesWith = (right: StaffRight): readonly StaffRole[] => STAFF_RIGHTS[right];
