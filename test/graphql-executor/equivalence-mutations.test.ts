import { createTenant, insertIntegration, type Tenant } from '../helpers/tenants';
import { graphqlJsReasons, post, startTwinApps, withoutErrorIds, type RawResponse, type TwinApps } from './twin-apps';

/**
 * Mutations change data, so each server gets its own fresh integration (same state, different id). Responses
 * are compared after replacing, deliberately, what cannot be equal: the ids of those integrations, instants
 * taken from the clock, and the generated webhook secret. Everything else must be the same bytes.
 */
let twins: TwinApps;
let tenant: Tenant;

type Server = 'jit' | 'graphqlJs';
const SERVERS: Server[] = ['jit', 'graphqlJs'];
const url = (server: Server) => (server === 'jit' ? twins.jit.url : twins.graphqlJs.url);

interface MutationBody {
  data: Record<string, { ok?: boolean; accountIntegration?: Record<string, unknown> | null }> | null;
  errors?: Array<{ extensions: { code: string } }>;
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

/**
 * Ids that appear in one server's answer and not in the other's (its own integration, a created account) are
 * numbered in order of appearance; shared ids (partners, audiences, the key) stay as they are.
 */
function normalised(response: RawResponse, other: RawResponse): RawResponse {
  let body = withoutErrorIds(response).body;
  const own = [...new Set(body.match(UUID) ?? [])].filter((id) => !other.body.includes(id));
  own.forEach((id, index) => (body = body.replaceAll(id, `<id${index}>`)));
  body = body
    .replace(/"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z"/g, '"<instant>"')
    .replace(/"webhookVerificationSecret":"[^"]+"/g, '"webhookVerificationSecret":"<secret>"')
    .replace(/"webhookVerificationSecretEncrypted":\[[\d,]+\]/g, '"webhookVerificationSecretEncrypted":"<bytes>"')
    .replace(/"plaintextKey":"[^"]+"/g, '"plaintextKey":"<key>"')
    // Derived identifiers: the second server's create of the same name gets the next free suffix.
    .replace(/("field":"identifier","oldValue":null,"newValue":)"[a-z0-9-]+"/g, '$1"<identifier>"')
    .replace(/"identifier":"[a-z0-9-]+"/g, '"identifier":"<identifier>"');
  return { status: response.status, body };
}

/**
 * Runs `query` on each server against its own data (made by `prepare`), and expects the same normalised
 * response; returns the two parsed bodies.
 */
async function sameMutation(
  query: string,
  prepare: () => Promise<{ variables: Record<string, unknown> }>,
  key: () => string = () => tenant.key,
): Promise<MutationBody[]> {
  const responses: RawResponse[] = [];
  for (const server of SERVERS) {
    const { variables } = await prepare();
    responses.push(await post(url(server), { query, variables }, key()));
  }
  const [jit, graphqlJs] = responses as [RawResponse, RawResponse];
  expect(normalised(jit, graphqlJs)).toEqual(normalised(graphqlJs, jit));
  return [jit, graphqlJs].map((response) => JSON.parse(response.body) as MutationBody);
}

const FIELDS = `id version integrationName connectionStatus isActive isDeleted deletedBy capabilities capabilityConfig cooldownMinutes
  notificationEmail ownerEmail syncFilters createdBy modifiedBy modifiedUtc webhookVerificationSecretEncrypted
  hasCapability(capability: WEBHOOKS) integrationPartner { key } audience { name }
  history(first: 5) { edges { node { action actor version changes { field oldValue newValue redacted } } } }`;
const ERRORS = `errors { __typename ... on UserError { code message } ... on InputError { path } ... on ConflictError { currentVersion }
  ... on InvalidStateError { connectionStatus } }`;
const VERSION_INPUT = `mutation($id: ID!, $version: Int!) { %s(input: { id: $id, expectedVersion: $version }) { ok accountIntegration { ${FIELDS} } ${ERRORS} } }`;

const fresh = async (overrides: Parameters<typeof insertIntegration>[2] = {}) => {
  const id = await insertIntegration(twins.jit, tenant, { integration_name: 'Fresh', owner_email: 'owner@example.com', notification_email: 'ops@example.com', ...overrides });
  return { variables: { id, version: 1 }, id };
};

beforeAll(async () => {
  twins = await startTwinApps();
  tenant = await createTenant(twins.jit);
});
afterAll(() => twins.close());

describe('graphql-jit and graphql-js make the same changes and answer the same', () => {
  it('create, with an idempotency key, and refused input', async () => {
    let round = 0;
    const query = `mutation($input: CreateAccountIntegrationInput!, $key: String) {
      createAccountIntegration(input: $input, idempotencyKey: $key) { ok replayed accountIntegration { ${FIELDS} } ${ERRORS} } }`;
    const input = {
      integrationName: 'Created', audienceId: tenant.audienceIds[0], integrationPartner: { key: 'activecampaign' },
      credentials: { apiUrl: 'https://acme.api-us1.com', apiKey: 'k'.repeat(40) }, capabilities: ['CONTACT_SYNC', 'WEBHOOKS'],
      syncFilters: { objects: [{ key: 'contacts', replicationMode: 'FULL' }] },
    };
    const [created] = await sameMutation(query, async () => ({ variables: { input, key: `create-${(round += 1)}` } }));
    expect(created!.data!.createAccountIntegration!.ok).toBe(true);
    await sameMutation(query, async () => ({ variables: { input: { ...input, integrationName: '', cooldownMinutes: -1 } }}));
    await sameMutation(query, async () => ({ variables: { input: { ...input, integrationPartner: { key: 'no-such-partner' } } }}));
  });

  it('a JSON literal with variables inside (graphql-js runs it)', async () => {
    const query = `mutation($url: String, $apiKey: String, $name: String!) { createAccountIntegration(input: {
      integrationName: $name, audienceId: "${tenant.audienceIds[1]}", integrationPartner: { key: "activecampaign" },
      credentials: { apiUrl: $url, apiKey: $apiKey } }) { ok accountIntegration { id integrationName } ${ERRORS} } }`;
    await sameMutation(query, async () => ({ variables: { url: 'https://acme.api-us1.com', apiKey: 'k'.repeat(40), name: 'From literal' } }));
    await sameMutation(query, async () => ({ variables: { name: 'Missing credentials' } }));
  });

  it('update through a literal input: a missing variable leaves a field alone, a null one clears it', async () => {
    const query = `mutation($id: ID!, $version: Int!, $owner: String, $notify: String, $name: String) {
      updateAccountIntegration(input: { id: $id, expectedVersion: $version, ownerEmail: $owner, notificationEmail: $notify, integrationName: $name }) {
        ok accountIntegration { ${FIELDS} } ${ERRORS} } }`;
    const [updated] = await sameMutation(query, async () => {
      const prepared = await fresh();
      return { ...prepared, variables: { ...prepared.variables, notify: null, name: 'Renamed' } };
    });
    expect(updated!.data!.updateAccountIntegration!.accountIntegration).toMatchObject({ ownerEmail: 'owner@example.com', notificationEmail: null, integrationName: 'Renamed' });
    await sameMutation(query, async () => {
      const prepared = await fresh();
      return { ...prepared, variables: { ...prepared.variables, version: 7, owner: 'new@example.com' } };
    });
    await sameMutation(query, async () => {
      const prepared = await fresh();
      return { ...prepared, variables: { ...prepared.variables, owner: 'not an email' } };
    });
  });

  it('lifecycle, capabilities and the webhook secret', async () => {
    for (const field of ['deactivateAccountIntegration', 'deleteAccountIntegration', 'activateAccountIntegration', 'rotateAccountIntegrationWebhookSecret']) {
      const query = VERSION_INPUT.replace('%s', field).replace('ok accountIntegration', field.startsWith('rotate') ? 'ok webhookVerificationSecret accountIntegration' : 'ok accountIntegration');
      await sameMutation(query, () => fresh());
    }
    await sameMutation(VERSION_INPUT.replace('%s', 'restoreAccountIntegration'), () =>
      fresh({ is_deleted: true, deleted_by: 'test', deleted_utc: '2026-06-01T00:00:00.000Z', connection_status: 'DISCONNECTED' }),
    );
    const capability = (field: string, extra = '') => `mutation($id: ID!, $version: Int!) { ${field}(input: { id: $id, expectedVersion: $version, capability: CONTACT_SYNC ${extra} }) {
      ok accountIntegration { ${FIELDS} } ${ERRORS} } }`;
    await sameMutation(capability('enableAccountIntegrationCapability'), () => fresh());
    await sameMutation(capability('disableAccountIntegrationCapability'), () => fresh({ capabilities: ['CONTACT_SYNC'] }));
    await sameMutation(capability('setAccountIntegrationCapabilityConfig', 'config: { batchSize: 50 }'), () => fresh({ capabilities: ['CONTACT_SYNC'] }));
    await sameMutation(capability('setAccountIntegrationCapabilityConfig', 'config: { nope: true }'), () => fresh({ capabilities: ['CONTACT_SYNC'] }));
  });

  it('an activity check', async () => {
    const query = `mutation($input: CheckAccountIntegrationActivityInput!) { checkAccountIntegrationActivity(input: $input) {
      ok code message remainingInWindow retryAfterSeconds validationErrors { path message } activity { uniqueIdentifier version } } }`;
    for (const payload of [{ channel: 'C1', text: 'hello' }, { channel: 'C1' }]) {
      await sameMutation(query, async () => {
        const id = await insertIntegration(twins.jit, tenant, { integration_name: 'Slack', partnerKey: 'slack', capabilities: ['MESSAGING'] });
        return { variables: { input: { id, activity: 'slack:post-message', payload } } };
      });
    }
  });

  it('worker events, and a DateTime variable default (graphql-js runs it)', async () => {
    const state = `id version connectionStatus consecutiveErrorCount effectiveCooldownMinutes effectiveDebounceWindowSeconds integrationPartnerId
      isActive isQuarantined lastErrorMessage lastErrorUtc accessTokenExpiresAt nextRefreshCheckUtc tokenRefreshAttempts tokenScope tokenType
      modifiedUtc webhookRegistered webhookLastHealthCheckUtc engagementFieldsCreatedUtc lastEngagementSyncContactCount lastEngagementSyncUtc lastTokenRefreshUtc`;
    const syncError = `mutation($id: ID!) { recordAccountIntegrationSyncError(input: { id: $id, message: "partner said no" }) { ok integration { ${state} } ${ERRORS} } }`;
    await sameMutation(syncError, () => fresh({ connection_status: 'CONNECTED' }), () => twins.jit.workerKey);
    await sameMutation(syncError, () => fresh({ connection_status: 'CONNECTED' }));
    const refreshed = `mutation($id: ID!, $expires: DateTime = "2030-01-01T00:00:00Z") {
      recordAccountIntegrationTokenRefreshSuccess(input: { id: $id, accessTokenExpiresAt: $expires, tokenType: "Bearer" }) { ok integration { ${state} } ${ERRORS} } }`;
    await sameMutation(refreshed, () => fresh({ connection_status: 'TOKEN_EXPIRED' }), () => twins.jit.workerKey);
  });

  it('two mutation fields: the second does not run once the first failed (graphql-js runs them)', async () => {
    const query = `mutation($id: ID!, $version: Int!) {
      createAccount(input: { name: "Not for you" }) { account { id } }
      deactivateAccountIntegration(input: { id: $id, expectedVersion: $version }) { ok }
    }`;
    const ids: string[] = [];
    const [result] = await sameMutation(query, async () => {
      const prepared = await fresh();
      ids.push(prepared.id);
      return prepared;
    });
    expect(result!.errors!.map((error) => error.extensions.code)).toEqual(['FORBIDDEN']);
    const rows = await twins.jit.db.selectFrom('account_integrations').select(['is_active', 'version']).where('id', 'in', ids).execute();
    expect(rows).toEqual([{ is_active: true, version: 1 }, { is_active: true, version: 1 }]);
  });

  it('the administrator’s mutations, and what other keys may not do', async () => {
    const createAccount = `mutation($name: String!) { createAccount(input: { name: $name }) { account { id name createdUtc } errors { __typename ... on UserError { code message } } } }`;
    await sameMutation(createAccount, async () => ({ variables: { name: 'Twin account' }}), () => twins.jit.adminKey);
    await sameMutation(createAccount, async () => ({ variables: { name: '' }}), () => twins.jit.adminKey);
    await sameMutation(createAccount, async () => ({ variables: { name: 'Nope' }}));
    const issue = `mutation($accountId: ID!) { issueApiKey(input: { accountId: $accountId, name: "k" }) { plaintextKey errors { __typename ... on UserError { code } } } }`;
    await sameMutation(issue, async () => ({ variables: { accountId: '00000000-0000-4000-8000-000000000000' }}), () => twins.jit.adminKey);
  });

  it('compiled everything else', () => {
    expect(graphqlJsReasons(twins.jit.logs)).toEqual({
      reasons: new Set(['variable-in-scalar-literal', 'default-value-not-json', 'several-mutation-fields']),
      notCompiled: 0,
    });
  });
});
