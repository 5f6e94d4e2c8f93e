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
