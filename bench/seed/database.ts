/** Creating, and on request re-creating, the benchmark's own database on its server. */
import pg from 'pg';

/** The database name in a connection URL, and the same server's `postgres` maintenance database. */
export function parseDatabaseUrl(url: string): { name: string; maintenanceUrl: string } {
  const parsed = new URL(url);
  const name = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (!/^[A-Za-z0-9_]+$/.test(name)) throw new Error(`BENCH_DATABASE_URL must name a database of letters, digits and "_" (got "${name}").`);
  parsed.pathname = '/postgres';
  return { name, maintenanceUrl: parsed.toString() };
}

async function onServer<T>(maintenanceUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: maintenanceUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export async function databaseExists(url: string): Promise<boolean> {
  const { name, maintenanceUrl } = parseDatabaseUrl(url);
  return onServer(maintenanceUrl, async (client) => (await client.query('select 1 from pg_database where datname = $1', [name])).rowCount === 1);
}

export async function createDatabase(url: string): Promise<void> {
  const { name, maintenanceUrl } = parseDatabaseUrl(url);
  await onServer(maintenanceUrl, (client) => client.query(`create database "${name}"`));
}

/** Drops the database (ending its sessions). Callers make sure it is the benchmark's own. */
export async function dropDatabase(url: string): Promise<void> {
  const { name, maintenanceUrl } = parseDatabaseUrl(url);
  await onServer(maintenanceUrl, (client) => client.query(`drop database if exists "${name}" with (force)`));
}

/** Runs `work` on one connection to the benchmark database. */
export async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, application_name: 'bench' });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
