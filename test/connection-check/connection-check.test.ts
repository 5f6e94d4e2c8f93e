import { SECRET_SENTINEL } from '../helpers/sentinel';
import { CASES, carries, check, create, h, server, useConnectionCheckApp, validSecret, wrongSecret, type CheckResult } from './harness';

/**
 * checkAccountIntegrationConnection through GraphQL over HTTP, for each partner with a stand-in server:
 * accepted and refused credentials, partner errors, timeouts and refused connections, and how the
 * outcome is recorded (status, error count, quarantine, history). Each test that sends credentials
 * asserts the partner received them; the run's transcript scan proves they reached no response or log.
 */

useConnectionCheckApp();

describe.each(CASES)('$key', (partner) => {
  it('accepted credentials: ok, recorded as CONNECTED', async () => {
    const id = await create(partner.key, partner.credentials(validSecret(partner.key)));
    const before = server(partner.key).received.length;
    const result = await check(id);
    expect(result).toMatchObject({
      ok: true,
      reason: null,
      partnerHttpStatus: 200,
      recorded: true,
      accountIntegration: { id, connectionStatus: 'CONNECTED', consecutiveErrorCount: 0 },
    });
    const received = server(partner.key).received.slice(before);
    expect(received).toEqual([{ method: partner.spec('').method, path: partner.spec('').path, auth: partner.spec(validSecret(partner.key)).expectedAuth }]);
    expect(carries(received[0]?.auth, validSecret(partner.key))).toBe(true);
  });

  it('refused credentials: UNAUTHORIZED, recorded as a sync error', async () => {
    const id = await create(partner.key, partner.credentials(wrongSecret(partner.key)));
    const result = await check(id);
    expect(result).toMatchObject({
      ok: false,
      reason: 'UNAUTHORIZED',
      partnerHttpStatus: partner.refusedStatus,
      recorded: true,
      accountIntegration: { connectionStatus: 'ERROR', consecutiveErrorCount: 1, isQuarantined: false },
    });
    expect(result.accountIntegration?.lastErrorMessage).toMatch(/^Connection check failed \(UNAUTHORIZED\)/);
    expect(carries(server(partner.key).received.at(-1)?.auth, wrongSecret(partner.key))).toBe(true);
  });

  it('a partner error (HTTP 500): PARTNER_ERROR; a later success reconnects and resets the count', async () => {
    const id = await create(partner.key, partner.credentials(validSecret(partner.key)));
    server(partner.key).mode = 'server-error';
    expect(await check(id)).toMatchObject({
      ok: false,
      reason: 'PARTNER_ERROR',
      partnerHttpStatus: 500,
      recorded: true,
      accountIntegration: { connectionStatus: 'ERROR', consecutiveErrorCount: 1 },
    });
    server(partner.key).mode = 'normal';
    expect(await check(id)).toMatchObject({ ok: true, accountIntegration: { connectionStatus: 'CONNECTED', consecutiveErrorCount: 0 } });
  });

  it('a partner that does not answer in time: TIMEOUT', async () => {
    const id = await create(partner.key, partner.credentials(validSecret(partner.key)));
    server(partner.key).mode = 'hang';
    expect(await check(id)).toMatchObject({
      ok: false,
      reason: 'TIMEOUT',
      partnerHttpStatus: null,
      recorded: true,
      accountIntegration: { connectionStatus: 'ERROR', consecutiveErrorCount: 1 },
    });
  });

  it('a partner that refuses connections: UNREACHABLE', async () => {
    const id = await create(partner.key, partner.credentials(validSecret(partner.key)));
    await server(partner.key).stopListening();
    try {
      expect(await check(id)).toMatchObject({ ok: false, reason: 'UNREACHABLE', partnerHttpStatus: null, recorded: true });
    } finally {
      await server(partner.key).start();
    }
  });
});

describe('recording and history', () => {
  it('a failed check is a CONNECTION_CHECK_FAILED history entry by the caller; credentials never appear', async () => {
    const id = await create('stripe', CASES[1]!.credentials(wrongSecret('stripe')));
    await check(id);
    const response = await h.app.request<{
      accountIntegration: { history: { edges: Array<{ node: { action: string; actor: string; changes: Array<{ field: string }> } }> } };
    }>('query($id: ID!) { accountIntegration(id: $id) { history(first: 1) { edges { node { action actor changes { field oldValue newValue redacted } } } } } }', { id }, { key: h.tenant.key });
    const [entry] = response.data!.accountIntegration.history.edges;
    expect(entry?.node.action).toBe('CONNECTION_CHECK_FAILED');
    expect(entry?.node.actor).toBe(`api-key:${h.tenant.apiKeyId}`);
    expect(entry?.node.changes.map((change) => change.field).sort()).toEqual(['connectionStatus', 'consecutiveErrorCount', 'lastErrorMessage', 'lastErrorUtc']);
    expect(JSON.stringify(response)).not.toContain(SECRET_SENTINEL);
  });

  it("repeated failures quarantine at the partner's threshold; a quarantined integration is refused without a call", async () => {
    const threshold = (
      await h.app.request<{ integrationPartner: { quarantineThreshold: number } }>('{ integrationPartner(by: { key: "activecampaign" }) { quarantineThreshold } }', {}, { key: h.tenant.key })
    ).data!.integrationPartner.quarantineThreshold;
    const id = await create('activecampaign', CASES[0]!.credentials(validSecret('activecampaign')));
    server('activecampaign').mode = 'server-error';
    let last: CheckResult | undefined;
    for (let i = 0; i < threshold; i++) last = await check(id);
    expect(last).toMatchObject({ reason: 'PARTNER_ERROR', accountIntegration: { connectionStatus: 'QUARANTINED', isQuarantined: true, consecutiveErrorCount: threshold } });
    const calls = server('activecampaign').received.length;
    expect(await check(id)).toMatchObject({ ok: false, reason: 'QUARANTINED', recorded: false, accountIntegration: { connectionStatus: 'QUARANTINED' } });
    expect(server('activecampaign').received).toHaveLength(calls);
  });

  it('a success on an already connected, healthy integration writes nothing', async () => {
    const id = await create('stripe', CASES[1]!.credentials(validSecret('stripe')));
    const first = await check(id);
    const again = await check(id);
    expect(again).toMatchObject({ ok: true, recorded: true });
    expect(again.accountIntegration?.version).toBe(first.accountIntegration?.version);
  });
});
