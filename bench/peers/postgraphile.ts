/**
 * PostGraphile 5 (amber preset, production mode, no authentication) over the benchmark database's
 * `public` schema, where the service's migrations put every table. Started by the benchmark as a child
 * process with the Promise.withResolvers polyfill loaded first:
 *   node -r bench/peers/with-resolvers.js -r ts-node/register/transpile-only bench/peers/postgraphile.ts <port>
 * With `--print-schema` it prints the generated SDL and exits (how the cases' equivalents were found).
 */
import http from 'node:http';

import pg from 'pg';
import { postgraphile } from 'postgraphile';
import { makePgService } from 'postgraphile/adaptors/pg';
import { printSchema } from 'postgraphile/graphql';
import { grafserv } from 'postgraphile/grafserv/node';
import { PostGraphileAmberPreset } from 'postgraphile/presets/amber';

import { countRequests, countStatements, serveStats } from './statement-counter';

async function main(): Promise<void> {
  const connectionString = process.env.DATABASE_URL;
  if (!connectionString) throw new Error('DATABASE_URL is required');
  const printOnly = process.argv.includes('--print-schema');
  const port = Number(process.argv[2] ?? 0);

  // The same pool size as the service's default (DATABASE_POOL_SIZE 10).
  const pool = new pg.Pool({ connectionString, max: 10, application_name: 'bench-postgraphile' });
  const statements = countStatements(pool);
  const pgl = postgraphile({
    extends: [PostGraphileAmberPreset],
    // Amber hides relations and conditions that no index leads with; the capabilities of an integration
    // (a composite foreign key led by account_id) and the isDeleted condition are among them, and the
    // cases need both. Postgres still serves them from the primary keys' indexes.
    disablePlugins: ['PgIndexBehaviorsPlugin'],
    pgServices: [makePgService({ pool, schemas: ['public'] })],
    grafserv: { graphiql: false, watch: false },
    grafast: { explain: false },
  });
  if (printOnly) {
    process.stdout.write(printSchema(await pgl.getSchema()) + '\n');
    await pgl.release();
    await pool.end();
    return;
  }

  const server = http.createServer();
  const serv = pgl.createServ(grafserv);
  await serv.addTo(server);
  // Plan the schema before the benchmark's warm-up starts, as the service migrates before listening.
  await pgl.getSchema();
  const requests = countRequests(server);
  const ipc = serveStats(() => ({ statements: statements(), requests: requests() }));
  server.listen(port, '127.0.0.1', () => ipc.ready((server.address() as { port: number }).port));
  process.on('SIGTERM', () => {
    server.close();
    void Promise.resolve(pgl.release()).finally(() => pool.end().finally(() => process.exit(0)));
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
