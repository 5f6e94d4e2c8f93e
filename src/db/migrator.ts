import { type Kysely, Migrator, type MigrationResultSet } from 'kysely';

import { migrations } from '../../migrations';

export function createMigrator<DB>(db: Kysely<DB>): Migrator {
  return new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
  });
}

/** Brings the schema to the latest migration; throws (after logging each result) when one fails. */
export async function migrateToLatest<DB>(db: Kysely<DB>, log: (line: string) => void = () => {}): Promise<void> {
  const { error, results }: MigrationResultSet = await createMigrator(db).migrateToLatest();
  for (const result of results ?? []) {
    log(`migration ${result.migrationName}: ${result.status}`);
  }
  if (error) {
    throw error instanceof Error ? error : new Error(String(error));
  }
}

/** Names of migrations this build knows that the database has not applied (empty when current). */
export async function pendingMigrations<DB>(db: Kysely<DB>): Promise<string[]> {
  const known = await createMigrator(db).getMigrations();
  return known.filter((migration) => migration.executedAt === undefined).map((migration) => migration.name);
}
