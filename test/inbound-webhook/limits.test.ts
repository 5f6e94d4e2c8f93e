import { randomUUID } from 'node:crypto';

import { ConfigError, loadConfig } from '../../src/config';
import { startTestApp, testConfig, type TestApp } from '../helpers/app';
import { countRows } from '../helpers/database';
import { SECRET_SENTINEL } from '../helpers/sentinel';
import { createTenant, type Tenant } from '../helpers/tenants';
import { createWebhookIntegration, deliver, partnerSecret, standardWebhooksHeaders } from './helpers';

let app: TestApp;
let tenant: Tenant;

const BURST = 3;

beforeAll(async () => {
  // A bucket of 3 that refills one delivery per 1,000 s: the fourth delivery in a row is refused on any machine.
  app = await startTestApp({ webhooks: { ...testConfig().webhooks, maxBodyBytes: 1024, ratePerSecond: 0.001, rateBurst: BURST } });
  tenant = await createTenant(app);
});
afterAll(() => app.close());

describe('body limit', () => {
  it('refuses a body over the limit with 413, storing nothing and never echoing it', async () => {
    const integration = await createWebhookIntegration(app, tenant, 'whop', { secret: partnerSecret('whsec'), captureWebhookPayloads: true });
    const body = JSON.stringify({ secret: SECRET_SENTINEL, padding: 'x'.repeat(1100) });
    const before = await countRows(app.db, 'webhook_deliveries', 'webhook_replay_keys');
    const response = await deliver(app, integration.id, body, standardWebhooksHeaders(integration.secret, body));
    expect({ status: response.status, body: response.json }).toEqual({
      status: 413,
      body: { error: { code: 'PAYLOAD_TOO_LARGE', message: 'The body is larger than the limit of 1024 bytes.' } },
    });
    expect(await countRows(app.db, 'webhook_deliveries', 'webhook_replay_keys')).toEqual(before);
    expect(app.logs.join('\n')).not.toContain(SECRET_SENTINEL);
    const small = JSON.stringify({ ok: true });
    expect((await deliver(app, integration.id, small, standardWebhooksHeaders(integration.secret, small))).status).toBe(200);
  });

  it('refuses a compressed body rather than verify bytes it did not receive', async () => {
    const integration = await createWebhookIntegration(app, tenant, 'whop', { secret: partnerSecret('whsec') });
    const body = '{"a":1}';
    const response = await deliver(app, integration.id, body, { ...standardWebhooksHeaders(integration.secret, body), 'content-encoding': 'gzip' });
    expect(response.status).toBe(415);
  });
});

describe('per-integration rate limit', () => {
  it('answers 429 with Retry-After once an integration’s bucket is empty, before reading or storing anything', async () => {
    const busy = await createWebhookIntegration(app, tenant, 'whop', { secret: partnerSecret('whsec'), captureWebhookPayloads: true });
    const statuses: number[] = [];
    let limited: Awaited<ReturnType<typeof deliver>> | undefined;
    for (let n = 0; n < BURST + 2; n++) {
      const body = JSON.stringify({ n });
      const response = await deliver(app, busy.id, body, standardWebhooksHeaders(busy.secret, body));
      statuses.push(response.status);
      if (response.status === 429) limited = response;
    }
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    expect(limited!.json).toEqual({ error: { code: 'RATE_LIMITED', message: expect.stringMatching(/^Too many deliveries for this integration; retry in \d+ s\.$/) } });
    expect(Number(limited!.headers.get('retry-after'))).toBeGreaterThan(900);
    const kept = await app.db.selectFrom('webhook_deliveries').select('id').where('account_integration_id', '=', busy.id).execute();
    expect(kept).toHaveLength(BURST);

    // Another integration has its own bucket.
    const quiet = await createWebhookIntegration(app, tenant, 'whop', { secret: partnerSecret('whsec') });
    const body = '{"quiet":true}';
    expect((await deliver(app, quiet.id, body, standardWebhooksHeaders(quiet.secret, body))).status).toBe(200);
  });

  it('limits unknown integrations the same way, so the limit tells nothing about existence', async () => {
    const unknown = randomUUID();
    const statuses: number[] = [];
    for (let n = 0; n < BURST + 2; n++) {
      const body = JSON.stringify({ n });
      statuses.push((await deliver(app, unknown, body, standardWebhooksHeaders(partnerSecret('whsec'), body))).status);
    }
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
  });
});

describe('settings', () => {
  it('have defaults: 5-minute tolerance, 24-hour grace, 1 MiB bodies, 20/s with bursts of 100, 64 KiB captures, 14 days', () => {
    expect(loadConfig({}).webhooks).toEqual({
      toleranceSeconds: 300,
      rotationGraceSeconds: 86_400,
      maxBodyBytes: 1_048_576,
      ratePerSecond: 20,
      rateBurst: 100,
      captureMaxBytes: 65_536,
      retentionDays: 14,
    });
    expect(
      loadConfig({
        WEBHOOK_TIMESTAMP_TOLERANCE_SECONDS: '120',
        WEBHOOK_SECRET_ROTATION_GRACE_SECONDS: '0',
        WEBHOOK_MAX_BODY_BYTES: '2048',
        WEBHOOK_RATE_LIMIT_PER_SECOND: '0',
        WEBHOOK_RATE_LIMIT_BURST: '5',
        WEBHOOK_CAPTURE_MAX_BYTES: '0',
        WEBHOOK_RETENTION_DAYS: '1',
      }).webhooks,
    ).toEqual({ toleranceSeconds: 120, rotationGraceSeconds: 0, maxBodyBytes: 2048, ratePerSecond: 0, rateBurst: 5, captureMaxBytes: 0, retentionDays: 1 });
  });

  it.each([
    ['WEBHOOK_TIMESTAMP_TOLERANCE_SECONDS', '301'],
    ['WEBHOOK_TIMESTAMP_TOLERANCE_SECONDS', '0'],
    ['WEBHOOK_SECRET_ROTATION_GRACE_SECONDS', '-1'],
    ['WEBHOOK_MAX_BODY_BYTES', '100'],
    ['WEBHOOK_RATE_LIMIT_PER_SECOND', 'fast'],
    ['WEBHOOK_RATE_LIMIT_BURST', '0'],
    ['WEBHOOK_CAPTURE_MAX_BYTES', '1.5'],
    ['WEBHOOK_RETENTION_DAYS', '366'],
  ])('refuse %s=%s, naming the setting', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`^${name} must be`));
  });
});
