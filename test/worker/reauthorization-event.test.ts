import { startTestApp, type TestApp } from '../helpers/app';
import { createTenant, type Tenant } from '../helpers/tenants';
import { claim, insertDue, leaseOf, leaseRows, minutesAhead, workerEvent } from '../work-lease/work';

/**
 * `recordAccountIntegrationTokenRefreshFailure(input: { reauthorizationRequired: true })`, through
 * GraphQL with the worker key: what the token refresher reports for `invalid_grant`. The integration
 * needs re-authorisation at once, its attempts count as exhausted (so the state outlives a
 * deactivation), and it is no longer due; without the flag, the ordinary backoff applies.
 */

let app: TestApp;
let tenant: Tenant;

beforeAll(async () => {
  app = await startTestApp();
  tenant = await createTenant(app);
});
afterAll(() => app.close());

const NEVER = '9999-12-31T23:59:59.999Z';

async function state(id: string) {
  const response = await app.request<{ accountIntegration: Record<string, unknown> }>(
    `query($id: ID!) { accountIntegration(id: $id) { version connectionStatus tokenRefreshAttempts nextRefreshCheckUtc lastErrorMessage isActive } }`,
    { id },
    { key: tenant.key },
  );
  if (response.errors || !response.data) throw new Error(JSON.stringify(response.errors));
  return response.data.accountIntegration;
}

async function accountMutation(field: 'activateAccountIntegration' | 'deactivateAccountIntegration', id: string, expectedVersion: number) {
  const response = await app.request<Record<string, { ok: boolean; accountIntegration: { version: number; connectionStatus: string } | null }>>(
    `mutation($input: AccountIntegrationVersionInput!) { ${field}(input: $input) { ok accountIntegration { version connectionStatus } } }`,
    { input: { id, expectedVersion } },
    { key: tenant.key },
  );
  const payload = response.data?.[field];
  if (!payload?.ok || !payload.accountIntegration) throw new Error(`${field} failed: ${JSON.stringify(response)}`);
  return payload.accountIntegration;
}

it('needs re-authorisation at once, ends the lease, and is no longer due', async () => {
  const id = await insertDue(app, tenant, 'TOKEN_REFRESH');
  const lease = leaseOf(await claim(app, { kind: 'TOKEN_REFRESH', limit: 100 }), id);
  const result = await workerEvent(app, 'recordAccountIntegrationTokenRefreshFailure', {
    id,
    leaseId: lease.id,
    message: 'auth.example refused the refresh token (HTTP 400, invalid_grant)',
    reauthorizationRequired: true,
  });
  expect(result).toMatchObject({ ok: true, errors: [], integration: { id, connectionStatus: 'NEEDS_REAUTHORIZATION' } });
  expect(await state(id)).toMatchObject({
    connectionStatus: 'NEEDS_REAUTHORIZATION',
    // Slack's maximum: exhausted by this one failure.
    tokenRefreshAttempts: 5,
    nextRefreshCheckUtc: NEVER,
    lastErrorMessage: 'auth.example refused the refresh token (HTTP 400, invalid_grant)',
  });
  expect(await leaseRows(app, id)).toEqual([]);
  expect((await claim(app, { kind: 'TOKEN_REFRESH', limit: 100 })).leases.map((l) => l.integration.id)).not.toContain(id);

  // A later failure report is refused: the state machine accepts no refresh event while re-authorisation is pending.
  const again = await workerEvent(app, 'recordAccountIntegrationTokenRefreshFailure', { id, message: 'again', reauthorizationRequired: true });
  expect(again).toMatchObject({ ok: false, errors: [{ __typename: 'InvalidStateError', code: 'INVALID_STATE' }] });
});

it('outlives a deactivation: activating again comes back to NEEDS_REAUTHORIZATION', async () => {
  const id = await insertDue(app, tenant, 'TOKEN_REFRESH');
  await workerEvent(app, 'recordAccountIntegrationTokenRefreshFailure', { id, message: 'invalid_grant', reauthorizationRequired: true });
  const { version } = (await state(id)) as { version: number };
  const deactivated = await accountMutation('deactivateAccountIntegration', id, version);
  expect(deactivated.connectionStatus).toBe('INACTIVE');
  const activated = await accountMutation('activateAccountIntegration', id, deactivated.version);
  expect(activated.connectionStatus).toBe('NEEDS_REAUTHORIZATION');
});

it.each([
  ['false', { reauthorizationRequired: false }],
  ['omitted', {}],
  ['null', { reauthorizationRequired: null }],
])('%s: an ordinary failure with backoff', async (_label, flag) => {
  const id = await insertDue(app, tenant, 'TOKEN_REFRESH', { access_token_expires_at: minutesAhead(30) });
  const before = Date.now();
  const result = await workerEvent(app, 'recordAccountIntegrationTokenRefreshFailure', { id, message: 'HTTP 503', ...flag });
  expect(result).toMatchObject({ ok: true, integration: { connectionStatus: 'CONNECTED' } });
  const after = (await state(id)) as { tokenRefreshAttempts: number; nextRefreshCheckUtc: string };
  expect(after.tokenRefreshAttempts).toBe(1);
  // One minute of backoff after the first failure.
  expect(Date.parse(after.nextRefreshCheckUtc)).toBeGreaterThanOrEqual(before + 60_000 - 1000);
  expect(Date.parse(after.nextRefreshCheckUtc)).toBeLessThan(before + 2 * 60_000);
});
