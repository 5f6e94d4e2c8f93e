import { sql, type Kysely } from 'kysely';

// Frozen in time: never import application code here.

/**
 * `account_integrations_account_partner_idx` (account_id, integration_partner_id) is a prefix of the
 * unique constraint's index on (account_id, integration_partner_id, id), which answers every lookup it
 * served as well. Every insert, and every update that cannot be HOT, paid for maintaining both.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists account_integrations_account_partner_idx`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`create index if not exists account_integrations_account_partner_idx on account_integrations (account_id, integration_partner_id)`.execute(db);
}
