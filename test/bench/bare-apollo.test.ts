import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import type { Capture } from '../../bench/capture/types';
import { startServer, type RunningServer } from '../../bench/servers/servers';

/**
 * Bare Apollo, the benchmark's peer that runs the service's schema on Apollo Server and graphql-jit with
 * nothing of the service: it must replay each captured request's statements on Postgres and answer with
 * the captured data, fresh values substituted into a write's answer as the loop does. It talks to
 * Postgres through `pg`, so this runs on the Postgres project only.
 */
const describeOnPostgres = process.env.TEST_DATABASE_TARGET === 'postgres' ? describe : describe.skip;

const SINGLE = 'query Single($id: ID!) { accountIntegration(id: $id) { id integrationName integrationPartner { key name } } }';
const UPDATE = `mutation Update($input: UpdateAccountIntegrationInput!) {
  updateAccountIntegration(input: $input) { ok errors { __typename } accountIntegration { id version integrationName } }
}`;
const CAPTURED_ID = '00000000-0000-4000-8000-000000000001';

const capture: Capture = {
  caseName: 'test',
  requests: [
    {
      variant: 'single:0',
      status: 200,
      response: { data: { accountIntegration: { id: CAPTURED_ID, integrationName: 'Bare', integrationPartner: { key: 'stripe', name: 'Stripe' } } } },
      statements: [{ text: 'select $1::text as id', values: [CAPTURED_ID], connection: 0, after: [] }],
      replacements: [],
    },
    {
      variant: 'update:0',
      status: 200,
      response: {
        data: { updateAccountIntegration: { ok: true, errors: [], accountIntegration: { id: CAPTURED_ID, version: 2, integrationName: 'Renamed' } } },
      },
      statements: [
        { text: 'begin', values: [], connection: 1, after: [] },
        { text: 'select $1::uuid as id', values: [CAPTURED_ID], connection: 1, after: [0] },
        { text: 'commit', values: [], connection: 1, after: [1] },
      ],
      replacements: [{ captured: CAPTURED_ID, with: { variable: ['input', 'id'] } }],
    },
  ],
};

async function post(server: RunningServer, variant: string, query: string, variables: Record<string, unknown>) {
  const response = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-bench-variant': variant },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, body: (await response.json()) as { data?: Record<string, unknown>; errors?: unknown[] } };
}

describeOnPostgres('bench: bare Apollo', () => {
  let server: RunningServer;
  let logDir: string;

  beforeAll(async () => {
    logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bare-apollo-'));
    server = await startServer('bare', { databaseUrl: process.env.TEST_DATABASE_URL!, logFile: path.join(logDir, 'bare.log'), capture });
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    fs.rmSync(logDir, { recursive: true, force: true });
  });

  it('replays the captured statements and answers with the captured data, walked by the executor', async () => {
    const before = (await server.peerStats())!;
    const answer = await post(server, 'single:0', SINGLE, { id: CAPTURED_ID });
    expect(answer).toEqual({ status: 200, body: capture.requests[0]!.response });
    const after = (await server.peerStats())!;
    expect(after.statements - before.statements).toBe(1);
    expect(after.requests - before.requests).toBe(1);
  });

  it('answers only what the operation selects, as an executor does', async () => {
    const answer = await post(server, 'single:0', 'query($id: ID!) { accountIntegration(id: $id) { integrationName } }', { id: CAPTURED_ID });
    expect(answer.body).toEqual({ data: { accountIntegration: { integrationName: 'Bare' } } });
  });

  it('substitutes a write’s fresh values into its statements and its answer, in one transaction', async () => {
    const id = '00000000-0000-4000-8000-0000000000ff';
    const before = (await server.peerStats())!;
    const answer = await post(server, 'update:0', UPDATE, { input: { id, expectedVersion: 1, integrationName: 'Renamed' } });
    expect(answer.body).toEqual({
      data: { updateAccountIntegration: { ok: true, errors: [], accountIntegration: { id, version: 2, integrationName: 'Renamed' } } },
    });
    const after = (await server.peerStats())!;
    expect(after.statements - before.statements).toBe(3);
    expect(after.errors).toBe(0);
  });

  it('fails a request it has no capture for, and counts it', async () => {
    const before = (await server.peerStats())!;
    const answer = await post(server, 'single:99', SINGLE, { id: CAPTURED_ID });
    expect(answer.status).not.toBe(200);
    expect(answer.body.data).toBeUndefined();
    expect(answer.body.errors).toEqual([expect.objectContaining({ message: expect.stringContaining('no captured request') })]);
    const after = (await server.peerStats())!;
    expect(after.statements).toBe(before.statements);
    expect(after.errors! - before.errors!).toBe(1);
  });
});
