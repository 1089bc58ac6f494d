// The check-in desk's record (schema 50): for each candidate, who saw their ID document and who checked
// their personal code, and when, and whether they were checked in after the session's start. Each check
// is recorded once, by the first person who made it; attendance itself stays in `candidates` with its
// event (room-log.ts), so the centre gets it as before.
import type { CheckInStep } from '../../../src-shared/contracts/station-api.ts';
import type { StationDatabase, Tx } from '../database.ts';

export interface CheckIn {
  idDocument: { by: string; at: string } | null;
  personalCode: { by: string; at: string } | null;
  late: boolean;
}

const NONE: CheckIn = { idDocument: null, personalCode: null, late: false };

export class CheckIns {
  private readonly db: StationDatabase;

  constructor(db: StationDatabase) {
    this.db = db;
  }

  all(): Map<string, CheckIn> {
    return new Map(
      this.db.all(this.db.q.selectFrom('check_ins').selectAll()).map((r) => [
        r.candidate_id,
        {
          idDocument: r.id_document_by && r.id_document_at ? { by: r.id_document_by, at: r.id_document_at } : null,
          personalCode: r.personal_code_by && r.personal_code_at ? { by: r.personal_code_by, at: r.personal_code_at } : null,
          late: r.late === 1,
        },
      ]),
    );
  }

  of(candidateId: string): CheckIn {
    return this.all().get(candidateId) ?? NONE;
  }

  /** The check made now by `by`; a check made before keeps its first person and time. */
  record(_tx: Tx, candidateId: string, step: CheckInStep, by: string, now: Date): void {
    const at = now.toISOString();
    const set = step === 'id-document' ? { id_document_by: by, id_document_at: at } : { personal_code_by: by, personal_code_at: at };
    this.db.run(this.db.q.insertInto('check_ins').values({ candidate_id: candidateId, ...set }).onConflict((oc) => oc.column('candidate_id').doNothing()));
    const column = step === 'id-document' ? 'id_document_at' : 'personal_code_at';
    this.db.run(this.db.q.updateTable('check_ins').set(set).where('candidate_id', '=', candidateId).where(column, 'is', null));
  }

  setLate(_tx: Tx, candidateId: string, late: boolean): void {
    this.db.run(this.db.q.insertInto('check_ins').values({ candidate_id: candidateId, late: late ? 1 : 0 }).onConflict((oc) => oc.column('candidate_id').doUpdateSet({ late: late ? 1 : 0 })));
  }
}
