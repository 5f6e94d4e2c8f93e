import type { NewAccountIntegration, WorkKind } from '../../src/db/database';
import { startTestApp, type TestApp } from '../helpers/app';
import { createTenant, insertIntegration, type Tenant } from '../helpers/tenants';
import { claim, insertDue, minutesAgo, minutesAhead } from './work';

/**
 * The due rules, one test per rule: an integration that meets every condition is leased; each variant
 * that breaks exactly one condition is never returned, by any number of claims.
 */

let app: TestApp;
let tenant: Tenant;
/** A webhook health check is due after this long without one (the setting, not its default). */
const WEBHOOK_INTERVAL_MINUTES = 30;

beforeAll(async () => {
  app = await startTestApp({ webhookHealthCheckIntervalMinutes: WEBHOOK_INTERVAL_MINUTES });
  tenant = await createTenant(app);
});
afterAll(() => app.close());

type Variant = Partial<NewAccountIntegration> & { partnerKey?: string };

const DELETED: Variant = { is_deleted: true, deleted_utc: minutesAgo(1), deleted_by: 'test', connection_status: 'DISCONNECTED' };
const INACTIVE: Variant = { is_active: false, connection_status: 'INACTIVE' };
const QUARANTINED: Variant = { is_quarantined: true, connection_status: 'QUARANTINED' };

/** Claims `kind` until nothing is left, and checks who was leased. */
async function expectDue(kind: WorkKind, due: Record<string, Variant>, notDue: Record<string, Variant>): Promise<void> {
  const ids = async (variants: Record<string, Variant>) =>
    Object.fromEntries(await Promise.all(Object.entries(variants).map(async ([name, variant]) => [await insertDue(app, tenant, kind, variant), name])));
  const dueIds = await ids(due);
  const notDueIds = await ids(notDue);
  const leased: string[] = [];
  for (let round = 0; round < 10; round++) {
    const result = await claim(app, { kind, limit: 3 });
    if (result.leases.length === 0) break;
    leased.push(...result.leases.map((lease) => lease.integration.id));
  }
  expect(leased.filter((id) => id in notDueIds).map((id) => notDueIds[id])).toEqual([]);
  expect(Object.keys(dueIds).filter((id) => !leased.includes(id)).map((id) => dueIds[id])).toEqual([]);
  expect(new Set(leased).size).toBe(leased.length);
}

describe('due rules', () => {
  it('TOKEN_REFRESH: next check passed, OAuth 2 partner, active, not quarantined, not awaiting re-authorisation, holds credentials', async () => {
    await expectDue(
      'TOKEN_REFRESH',
      {
        'due now': {},
        'connected, token already expired': { access_token_expires_at: minutesAgo(1) },
        'token expired status': { connection_status: 'TOKEN_EXPIRED', access_token_expires_at: minutesAgo(10) },
        'never connected': { connection_status: 'NOT_CONNECTED' },
        'another OAuth 2 partner (Jira)': { partnerKey: 'jira' },
      },
      {
        'next check in the future': { next_refresh_check_utc: minutesAhead(5) },
        'API-key partner with a past check': { partnerKey: 'activecampaign' },
        'JWT partner (not OAuth 2)': { partnerKey: 'app_store_connect' },
        'service-account partner (not OAuth 2)': { partnerKey: 'google_play_console' },
        inactive: INACTIVE,
        quarantined: QUARANTINED,
        'awaiting re-authorisation': { connection_status: 'NEEDS_REAUTHORIZATION', token_refresh_attempts: 5 },
        deleted: DELETED,
      },
    );
  });

  it('TOKEN_REFRESH: an integration without stored credentials has nothing to refresh with', async () => {
    const id = await insertIntegration(app, tenant, { partnerKey: 'slack', connection_status: 'NOT_CONNECTED', next_refresh_check_utc: minutesAgo(5) });
    const result = await claim(app, { kind: 'TOKEN_REFRESH', limit: 100 });
    expect(result.leases.map((lease) => lease.integration.id)).not.toContain(id);
  });

  it('SYNC: active, not quarantined, connected or in error, effective cooldown (own, else the partner’s) passed since the last sync', async () => {
    // ActiveCampaign's default cooldown is 15 minutes.
    await expectDue(
      'SYNC',
      {
        'connected, never synced': {},
        'in error, never synced': { connection_status: 'ERROR' },
        'partner cooldown passed': { last_sync_utc: minutesAgo(16) },
        'own cooldown passed (shorter than the partner’s)': { last_sync_utc: minutesAgo(6), cooldown_minutes: 5 },
        'own cooldown of zero': { last_sync_utc: minutesAgo(1), cooldown_minutes: 0 },
      },
      {
        'partner cooldown not passed': { last_sync_utc: minutesAgo(10) },
        'own cooldown not passed (longer than the partner’s)': { last_sync_utc: minutesAgo(30), cooldown_minutes: 60 },
        'not connected yet': { connection_status: 'NOT_CONNECTED' },
        'token expired': { connection_status: 'TOKEN_EXPIRED' },
        'awaiting re-authorisation': { connection_status: 'NEEDS_REAUTHORIZATION' },
        quarantined: QUARANTINED,
        inactive: INACTIVE,
        deleted: DELETED,
      },
    );
  });

  it('WEBHOOK_HEALTH_CHECK: registered, active, not checked for WEBHOOK_HEALTH_CHECK_INTERVAL_MINUTES', async () => {
    await expectDue(
      'WEBHOOK_HEALTH_CHECK',
      {
        'never checked': {},
        'checked longer ago than the interval': { webhook_last_health_check_utc: minutesAgo(WEBHOOK_INTERVAL_MINUTES + 1) },
        'checked long ago, while quarantined': { webhook_last_health_check_utc: minutesAgo(600), ...QUARANTINED },
      },
      {
        'checked within the interval': { webhook_last_health_check_utc: minutesAgo(WEBHOOK_INTERVAL_MINUTES - 5) },
        'not registered': { webhook_registered: false },
        inactive: INACTIVE,
        deleted: { ...DELETED, webhook_registered: true },
      },
    );
  });
});
