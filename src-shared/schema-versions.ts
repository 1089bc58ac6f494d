// Schema versions of the two migration runners (the station's SQLite, src-main/station/migrations/, and
// the central PostgreSQL, src-server/db/migrations/). A migration's version is the number it declares,
// never its place in the list: the list may have gaps (a point fix on a release branch takes a number
// in one, see each runner's index.ts), and the latest version is the highest declared. Each runner
// checks its list with this when it is loaded, so a list out of order or with a number twice never runs.

export interface VersionedMigration {
  readonly version: number;
  readonly name: string;
}

/** The highest declared version (0 for no migrations); throws if versions are not positive integers, strictly increasing. */
export function latestSchemaVersion(migrations: readonly VersionedMigration[]): number {
  let latest = 0;
  for (const migration of migrations) {
    if (!Number.isSafeInteger(migration.version) || migration.version < 1) {
      throw new Error(`migration "${migration.name}" declares version ${migration.version}: a version is a whole number from 1`);
    }
    if (migration.version <= latest) {
      const problem = migration.version === latest ? 'is declared twice' : `comes after version ${latest}`;
      throw new Error(`migration "${migration.name}": version ${migration.version} ${problem}; versions must be unique and listed in increasing order`);
    }
    latest = migration.version;
  }
  return latest;
}
