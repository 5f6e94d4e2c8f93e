import { leaksSentinel, SECRET_SENTINEL, transcriptResponseLine } from '../helpers/sentinel';

/**
 * The run-wide scan for the secret sentinel (test/global-teardown.ts) allows it in exactly one place:
 * the credentials of a work lease. Everything else, in the same response or elsewhere, is a leak.
 */

const CLAIM = `mutation($input: ClaimAccountIntegrationWorkInput!) {
  claimAccountIntegrationWork(input: $input) { ok leases { id credentials } errors { __typename } }
}`;

function response(data: unknown, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ data, ...extra });
}

const lease = (credentials: unknown, extra: Record<string, unknown> = {}) => ({ id: 'lease-1', credentials, ...extra });

describe('the sentinel scan', () => {
  it('allows the sentinel in lease credentials', () => {
    const body = response({ claimAccountIntegrationWork: { ok: true, leases: [lease({ apiKey: SECRET_SENTINEL })], errors: [] } });
    expect(leaksSentinel(transcriptResponseLine(CLAIM, body))).toBe(false);
  });

  it('follows aliases and fragments to the credentials', () => {
    const query = `mutation { work: claimAccountIntegrationWork(input: { kind: SYNC }) { ...Leases } }
      fragment Leases on ClaimAccountIntegrationWorkPayload { taken: leases { secret: credentials } }`;
    const body = response({ work: { taken: [{ secret: { apiKey: SECRET_SENTINEL } }] } });
    expect(leaksSentinel(transcriptResponseLine(query, body))).toBe(false);
  });

  it.each([
    ['another field of a lease', response({ claimAccountIntegrationWork: { leases: [lease(null, { id: SECRET_SENTINEL })] } })],
    ['the errors of a lease response', response({ claimAccountIntegrationWork: { leases: [lease({ apiKey: SECRET_SENTINEL })] } }, { errors: [{ message: SECRET_SENTINEL }] })],
    ['a field aliased as credentials', response({ claimAccountIntegrationWork: { ok: true, leases: [], credentials: SECRET_SENTINEL } })],
  ])('flags the sentinel in %s', (_where, body) => {
    expect(leaksSentinel(transcriptResponseLine(CLAIM, body))).toBe(true);
  });

  it('flags it in any other operation’s response, even under a field called credentials', () => {
    const query = 'query { accountIntegration(id: "x") { credentials: integrationName } }';
    expect(leaksSentinel(transcriptResponseLine(query, response({ accountIntegration: { credentials: SECRET_SENTINEL } })))).toBe(true);
  });

  it('flags it in log lines and in lines it cannot read', () => {
    expect(leaksSentinel(JSON.stringify({ level: 30, msg: 'claimed', apiKey: SECRET_SENTINEL }))).toBe(true);
    expect(leaksSentinel(`graphql-response {not json ${SECRET_SENTINEL}`)).toBe(true);
    expect(leaksSentinel(transcriptResponseLine('mutation {', response({ x: SECRET_SENTINEL })))).toBe(true);
  });

  it('passes lines without the sentinel, and requests that carried it when the response did not', () => {
    expect(leaksSentinel('{"level":30,"msg":"work leased"}')).toBe(false);
    const inline = `mutation { replaceAccountIntegrationCredentials(input: { credentials: { apiKey: "${SECRET_SENTINEL}" } }) { ok } }`;
    expect(leaksSentinel(transcriptResponseLine(inline, response({ replaceAccountIntegrationCredentials: { ok: true } })))).toBe(false);
    expect(leaksSentinel(transcriptResponseLine('{ broken', response(null, { errors: [{ message: 'Syntax Error' }] })))).toBe(false);
  });
});
