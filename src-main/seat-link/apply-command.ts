// What a seat does with each command from its hub: the station service carries it out, in the seat's
// own database, for the attempts the command is meant for. A command the seat cannot carry out is
// refused with the station's error code, and the hub shows that to the invigilator.
import type { RoomCommand } from '../../src-shared/contracts/room-protocol.ts';
import { StationError } from '../../src-shared/errors.ts';
import type { StationService } from '../station/service.ts';
import type { CommandApplier } from './seat-link.ts';

const text = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? v : null);

export function applyOnStation(service: StationService): CommandApplier {
  return (command: RoomCommand) => {
    const params = command.params;
    const attempts = service.roomAttempts().filter((a) => command.target.kind !== 'candidate' || a.candidateId === command.target.candidateId);
    switch (command.type) {
      case 'end':
        // The end of the session for the room (the console's "End"): every part of it ends on this seat.
        if (params.final === true) {
          const sessionId = text(params.sessionId);
          if (!sessionId) throw new StationError('VALIDATION_FAILED', 'the end of a session names it');
          service.roomEndSession({ sessionId, reason: [command.reason, `by ${command.issuedBy}`].filter(Boolean).join('; ') });
          return;
        }
      // falls through: the end of one part
      case 'pause':
      case 'resume':
      case 'extend': {
        const amountMs = typeof params.amountMs === 'number' ? params.amountMs : undefined;
        if (command.type === 'extend' && !amountMs) throw new StationError('VALIDATION_FAILED', 'extra time needs amountMs');
        const reason = [command.reason, `by ${command.issuedBy}`].filter(Boolean).join('; ');
        // Time lost to a fault is a credit on the seat, not extra time: the protocol tells the two apart.
        const kind = command.type === 'extend' && params.grounds === 'lost-time' ? 'credit' : command.type;
        for (const attempt of attempts) {
          service.roomTimer({ attemptId: attempt.attemptId, partId: text(params.partId), kind, ...(amountMs ? { amountMs } : {}), reason });
        }
        return;
      }
      case 'start':
        service.roomStart({ candidateId: command.target.kind === 'candidate' ? command.target.candidateId : null, at: command.effectiveAt });
        return;
      case 'hand-ack':
        if (typeof params.at !== 'number') throw new StationError('VALIDATION_FAILED', 'an acknowledged hand names when it was raised');
        service.roomHandAck(params.at);
        return;
      case 'key-release': {
        const packageId = text(params.packageId);
        const key = text(params.key);
        if (!packageId || !key) throw new StationError('VALIDATION_FAILED', 'a key release names the package and carries its key');
        service.roomUnlock(packageId, key);
        return;
      }
      case 'message': {
        const said = text(params.text);
        if (!said || said.length > 500) throw new StationError('VALIDATION_FAILED', 'a message carries its text, at most 500 characters');
        service.roomMessage({ id: command.cmdId, text: said, at: command.effectiveAt });
        return;
      }
      case 'lock':
        service.roomLock({ reason: command.reason, at: command.effectiveAt });
        return;
      case 'unlock':
        service.roomLock(null);
        return;
      case 'assign':
        service.roomAssign(command);
        return;
      case 'unassign':
        service.roomUnassign(command);
        return;
      case 'authorise':
        service.roomAuthorise(command);
        return;
      case 'seal': {
        const sessionId = text(params.sessionId);
        if (!sessionId) throw new StationError('VALIDATION_FAILED', 'a seal names its session');
        return service.roomSeal({ sessionId, cmdId: command.cmdId });
      }
      case 'purge': {
        const sessionId = text(params.sessionId);
        if (!sessionId) throw new StationError('VALIDATION_FAILED', 'a purge names its session');
        return service.roomPurge({ sessionId });
      }
      case 'move-out': {
        // The candidate was moved to another seat: their attempt stops here (the hub names them, or the seat's one).
        if (command.target.kind === 'room') throw new StationError('VALIDATION_FAILED', 'a move-out is for one seat or one candidate, never the room');
        const candidateId = command.target.kind === 'candidate' ? command.target.candidateId : text(params.candidateId);
        service.roomMoveOut({ candidateId, cmdId: command.cmdId, at: command.effectiveAt });
        return;
      }
      default:
        throw new StationError('COMMAND_UNSUPPORTED', `this seat does not carry out ${command.type} yet`);
    }
  };
}
