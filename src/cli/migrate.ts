import { type MigrationInfo, type MigrationResultSet, NO_MIGRATIONS } from 'kysely';

import { migrations } from '../../migrations';
import { withoutStatementTimeout } from '../bootstrap';
import { createMigrator } from '../db/migrator';
import { type CommandIo, runCommand, UsageError } from './command';

/** `--to none` reverts every migration. */
const NONE = 'none';
const KNOWN = Object.keys(migrations);

runCommand(
  {
    name: 'migrate',
    synopsis: '[--down | --to <migration> | --list] [--yes]',
    description: [
      'Moves the database schema with Kysely\'s migrator and exits; the server migrates to the latest by itself',
      'on start. With no option, applies every pending migration. Each step is logged (stderr).',
      'Reverting drops what the reverted migrations created, data included: with NODE_ENV=production it needs --yes.',
      '',
      `Migrations: ${KNOWN.join(', ')}`,
    ].join('\n'),
    options: {
      down: { type: 'boolean', description: 'revert the latest applied migration' },
      to: {
        type: 'string',
        valueName: 'migration',
        description: `migrate up or down to this migration (it stays applied); "${NONE}" reverts all`,
      },
      list: { type: 'boolean', description: 'print each migration and whether it is applied (stdout), change nothing' },
      yes: { type: 'boolean', description: 'confirm reverting migrations in production' },
    },
  },
  async ({ values }, io) => {
    const chosen = [values.down, values.to !== undefined, values.list].filter(Boolean).length;
    if (chosen > 1) throw new UsageError('Choose one of --down, --to and --list.');
    const target = values.to;
    if (target !== undefined && target !== NONE && !KNOWN.includes(target)) {
      throw new UsageError(`--to: there is no migration "${target}". Known: ${KNOWN.join(', ')}, or "${NONE}".`);
    }
    await io.withDatabase(
      (database) =>
        withoutStatementTimeout(database, async (db) => {
          const migrator = createMigrator(db);
          const before = await migrator.getMigrations();
          if (values.list) return printList(io, before);
          const reverting = values.down === true || (target !== undefined && revertsAny(before, target));
          if (reverting && io.config.env === 'production' && !values.yes) {
            throw new UsageError('Reverting drops the reverted migrations\' tables and their data; pass --yes to confirm.');
          }
          const resultSet = values.down
            ? await migrator.migrateDown()
            : target !== undefined
              ? await migrator.migrateTo(target === NONE ? NO_MIGRATIONS : target)
              : await migrator.migrateToLatest();
          report(io, resultSet);
          const applied = (await migrator.getMigrations()).filter((migration) => migration.executedAt !== undefined);
          io.logger.info(
            { applied: applied.length, pending: KNOWN.length - applied.length },
            applied.length === 0 ? 'schema has no migration applied' : `schema at ${applied[applied.length - 1]?.name}`,
          );
        }),
      // Opened as it is: the default bootstrap would migrate to the latest first.
      { migrate: false },
    );
  },
);

/** Whether migrating to `target` reverts at least one applied migration. */
function revertsAny(migrationsNow: readonly MigrationInfo[], target: string): boolean {
  const applied = migrationsNow.filter((migration) => migration.executedAt !== undefined).map((migration) => migration.name);
  return target === NONE ? applied.length > 0 : applied.includes(target) && applied[applied.length - 1] !== target;
}

function report(io: CommandIo, { error, results = [] }: MigrationResultSet): void {
  if (results.length === 0 && !error) io.logger.info('nothing to migrate');
  for (const { migrationName, direction, status } of results) {
    const line = `migration ${migrationName} ${direction === 'Up' ? 'applied' : 'reverted'}`;
    if (status === 'Success') io.logger.info({ migration: migrationName, direction, status }, line);
    else io.logger.error({ migration: migrationName, direction, status }, `${line}: ${status === 'Error' ? 'failed' : 'not run'}`);
  }
  if (error) throw error instanceof Error ? error : new Error(String(error));
}

function printList(io: CommandIo, list: readonly MigrationInfo[]): void {
  for (const migration of list) {
    io.print(
      migration.executedAt === undefined
        ? `pending  ${migration.name}`
        : `applied  ${migration.name}  ${migration.executedAt.toISOString()}`,
    );
  }
}
