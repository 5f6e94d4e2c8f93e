/** Which Postgres the benchmark measures: its postmaster on this machine (for CPU), its database and version. */
import fs from 'node:fs';

import { parseDatabaseUrl, withClient } from '../seed/database';
import { parentOf } from './proc';
import type { PostgresTarget } from './window';

export async function postgresTarget(databaseUrl: string): Promise<PostgresTarget & { version: string }> {
  const { name } = parseDatabaseUrl(databaseUrl);
  return withClient(databaseUrl, async (client) => {
    const { rows } = await client.query<{ pid: number; version: string }>(`select pg_backend_pid() as pid, 'PostgreSQL ' || current_setting('server_version') as version`);
    const backend = rows[0]!;
    // Our own backend's parent is the postmaster, when Postgres runs on this machine.
    const postmaster = parentOf(backend.pid);
    const local = postmaster !== undefined && fs.existsSync(`/proc/${postmaster}/cmdline`) && fs.readFileSync(`/proc/${postmaster}/cmdline`, 'utf8').includes('postgres');
    return { postmaster: local ? postmaster : undefined, database: name, version: backend.version };
  });
}
