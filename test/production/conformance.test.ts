import { serverAudits, type AuditResult } from 'graphql-http';

import { loadConfig, type Config } from '../../src/config';
import { startTestApp } from '../helpers/app';

/**
 * The GraphQL-over-HTTP audits of `graphql-http` (61 audits, 13 of them MUST) against the real HTTP
 * server. Every audit that does not pass is pinned here by id, status and name: a new warning or
 * notice, or a changed one, fails the test. The README explains each.
 */
type Finding = [id: string, status: 'notice' | 'warn' | 'error', name: string];

/** What a client meets by default, in development and in production alike (introspection on). */
const DEFAULT_FINDINGS: Finding[] = [
  // Apollo's CSRF prevention: a GET without a JSON content type or a preflight-forcing header is refused.
  ['5A70', 'notice', 'MAY accept application/x-www-form-urlencoded formatted GET requests'],
  ['6A70', 'notice', 'MAY allow URL-encoded JSON string {variables} parameter in GETs when accepting application/json'],
  ['D6D5', 'notice', 'MAY allow URL-encoded JSON string {variables} parameter in GETs when accepting application/graphql-response+json'],
  // Apollo answers request errors with 400 even for the legacy application/json response type.
  ['572B', 'warn', 'SHOULD use 200 status code on document parsing failure when accepting application/json'],
  ['7B9B', 'warn', 'SHOULD use a status code of 200 on variable coercion failure when accepting application/json'],
  ['FDE2', 'warn', 'SHOULD use 200 status code on document validation failure when accepting application/json'],
];

/** With GRAPHQL_INTROSPECTION=false, the audits whose query is `{ __type(…) }` are refused as introspection. */
const WITHOUT_INTROSPECTION_FINDINGS: Finding[] = [
  ...DEFAULT_FINDINGS,
  ['28B9', 'error', 'MUST allow map {variables} parameter when accepting application/json'],
  ['2EA1', 'warn', 'SHOULD allow map {variables} parameter when accepting application/graphql-response+json'],
  ['BF61', 'error', 'MUST accept utf-8 encoded request'],
];

/** 61 requests plus a fresh database; generous for a busy machine. */
const AUDIT_TIMEOUT_MS = 120_000;

interface Audited {
  total: number;
  ok: number;
  failed: Array<{ finding: Finding; httpStatus: number; contentType: string | null; body: string }>;
}

/** The service's settings for one NODE_ENV, on the test database and a random port. */
function settingsFor(env: Record<string, string>): Partial<Config> {
  const config = loadConfig(env);
  const { introspection, landingPage, corsOrigins, corsAllowLocalhost, limits } = config;
  return { env: config.env, introspection, landingPage, corsOrigins, corsAllowLocalhost, limits };
}

async function audit(overrides: Partial<Config>): Promise<Audited> {
  const app = await startTestApp(overrides);
  try {
    const results: AuditResult[] = [];
    // One at a time: the audits are cheap, and their order makes failures easy to read.
    for (const { fn } of serverAudits({ url: `${app.url}/graphql`, fetchFn: fetch })) results.push(await fn());
    const failed = [];
    for (const result of results) {
      if (result.status === 'ok') continue;
      failed.push({
        finding: [result.id, result.status, result.name] as Finding,
        httpStatus: result.response.status,
        contentType: result.response.headers.get('content-type'),
        body: await result.response.text(),
      });
    }
    return { total: results.length, ok: results.length - failed.length, failed };
  } finally {
    await app.close();
  }
}

const byId = (findings: Finding[]) => [...findings].sort((a, b) => a[0].localeCompare(b[0]));

/** Whatever an audit's verdict, the server answered it with GraphQL JSON and a 4xx, never HTML or a 5xx. */
function expectJsonRefusals(audited: Audited): void {
  for (const { httpStatus, contentType, body } of audited.failed) {
    expect(httpStatus).toBeGreaterThanOrEqual(400);
    expect(httpStatus).toBeLessThan(500);
    expect(contentType).toMatch(/^application\/(graphql-response\+)?json/);
    expect((JSON.parse(body) as { errors: unknown[] }).errors.length).toBeGreaterThan(0);
  }
}

describe('GraphQL over HTTP conformance (graphql-http serverAudits)', () => {
  it('development defaults (what `npm start` serves): every MUST passes, warnings and notices as pinned', async () => {
    const audited = await audit(settingsFor({ NODE_ENV: 'development' }));
    expect(audited.total).toBe(61);
    expect(audited.failed.filter(({ finding }) => finding[1] === 'error' || finding[2].startsWith('MUST'))).toEqual([]);
    expect(byId(audited.failed.map((f) => f.finding))).toEqual(byId(DEFAULT_FINDINGS));
    expect(audited.ok).toBe(55);
    expectJsonRefusals(audited);
  }, AUDIT_TIMEOUT_MS);

  it('production defaults (introspection on): the same result', async () => {
    const audited = await audit(settingsFor({ NODE_ENV: 'production' }));
    expect(audited.failed.filter(({ finding }) => finding[1] === 'error' || finding[2].startsWith('MUST'))).toEqual([]);
    expect(byId(audited.failed.map((f) => f.finding))).toEqual(byId(DEFAULT_FINDINGS));
    expectJsonRefusals(audited);
  }, AUDIT_TIMEOUT_MS);

  it('production with introspection off: only the audits that query __type change, refused as introspection', async () => {
    const audited = await audit(settingsFor({ NODE_ENV: 'production', GRAPHQL_INTROSPECTION: 'false' }));
    expect(byId(audited.failed.map((f) => f.finding))).toEqual(byId(WITHOUT_INTROSPECTION_FINDINGS));
    const introspectionIds = new Set(['28B9', '2EA1', 'BF61']);
    for (const { finding, body } of audited.failed.filter((f) => introspectionIds.has(f.finding[0]))) {
      expect([finding[0], body]).toEqual([finding[0], expect.stringContaining('introspection is not allowed')]);
    }
    expectJsonRefusals(audited);
  }, AUDIT_TIMEOUT_MS);
});
