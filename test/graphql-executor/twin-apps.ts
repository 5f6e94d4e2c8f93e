import { randomBytes } from 'node:crypto';

import { getNamedType, isInterfaceType, isObjectType, isUnionType, parse, TypeInfo, visit, visitWithTypeInfo, type GraphQLSchema } from 'graphql';

import type { Config } from '../../src/config';
import { createLogger } from '../../src/lib/logger';
import { createAppServer, type AppServer } from '../../src/server';
import { startTestApp, testConfig, type TestApp } from '../helpers/app';

/** One HTTP answer as a client gets it: status and the exact body text. */
export interface RawResponse {
  status: number;
  body: string;
}

export interface ExtraServer {
  url: string;
  server: AppServer;
  logs: string[];
}

export interface TwinApps {
  /** The service with GRAPHQL_EXECUTOR=jit (the test app: its database, keys and helpers). */
  jit: TestApp;
  /** The same service with GRAPHQL_EXECUTOR=graphql-js, on the same database, keys and keyring. */
  graphqlJs: ExtraServer;
  /** Two more servers (jit, graphql-js) on the same database and keys, with other settings; closed with the rest. */
  withSettings(overrides: Partial<Config>): Promise<{ jit: ExtraServer; graphqlJs: ExtraServer }>;
  close(): Promise<void>;
}

/** Two servers on one database that differ only in the executor. */
export async function startTwinApps(overrides: Partial<Config> = {}): Promise<TwinApps> {
  const keys = {
    adminApiKey: 'admin_' + randomBytes(24).toString('hex'),
    workerApiKey: 'worker_' + randomBytes(24).toString('hex'),
  };
  const jit = await startTestApp({ ...overrides, ...keys, graphqlExecutor: 'jit' });
  const extra: ExtraServer[] = [];
  const serve = async (settings: Partial<Config>): Promise<ExtraServer> => {
    const logs: string[] = [];
    const logger = createLogger('debug', (line) => logs.push(line));
    const config = testConfig({ ...settings, ...keys });
    const server = await createAppServer({ db: jit.db, logger, config, keyring: jit.keyring });
    const served = { url: await server.listen(0, '127.0.0.1'), server, logs };
    extra.push(served);
    return served;
  };
  return {
    jit,
    graphqlJs: await serve({ ...overrides, graphqlExecutor: 'graphql-js' }),
    async withSettings(settings) {
      return { jit: await serve({ ...settings, graphqlExecutor: 'jit' }), graphqlJs: await serve({ ...settings, graphqlExecutor: 'graphql-js' }) };
    },
    async close() {
      for (const served of extra) await served.server.stop();
      await jit.close();
    },
  };
}

/** Why the jit server ran operations on graphql-js (from its debug log), and whether any failed to compile. */
export function graphqlJsReasons(logs: readonly string[]): { reasons: Set<string>; notCompiled: number } {
  const entries = logs.map((line) => JSON.parse(line) as { msg?: string; reason?: string });
  return {
    reasons: new Set(entries.filter((entry) => entry.msg === 'graphql-js runs this operation').map((entry) => entry.reason!)),
    notCompiled: entries.filter((entry) => entry.msg?.startsWith('graphql-jit could not compile')).length,
  };
}

/** POSTs one GraphQL request and returns the body exactly as sent. */
export async function post(
  url: string,
  body: { query: string; variables?: Record<string, unknown>; operationName?: string },
  key?: string,
): Promise<RawResponse> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (key !== undefined) headers.authorization = `Bearer ${key}`;
  const response = await fetch(`${url}/graphql`, { method: 'POST', headers, body: JSON.stringify(body) });
  return { status: response.status, body: await response.text() };
}

/**
 * What may differ between two servers answering the same request: each masked error's random `errorId`,
 * and the rate limit's remaining points and reset time (each server has its own bucket, refilled by the clock).
 */
export function withoutErrorIds(response: RawResponse): RawResponse {
  const body = response.body
    .replace(/"errorId":"[0-9a-f-]{36}"/g, '"errorId":"<errorId>"')
    .replace(/"remaining":\d+,/g, '"remaining":"<points>",')
    .replace(/"resetInSeconds":\d+,/g, '"resetInSeconds":"<seconds>",');
  return { ...response, body };
}

/** `Type.field` for every field the documents select, by the schema's types (interfaces as written). */
export function selectedFields(schema: GraphQLSchema, documents: readonly string[]): Set<string> {
  const selected = new Set<string>();
  const typeInfo = new TypeInfo(schema);
  for (const text of documents) {
    visit(
      parse(text),
      visitWithTypeInfo(typeInfo, {
        Field() {
          const parent = typeInfo.getParentType();
          const field = typeInfo.getFieldDef();
          if (parent && field && !field.name.startsWith('__')) selected.add(`${parent.name}.${field.name}`);
        },
      }),
    );
  }
  return selected;
}

/** `Type.field` for every field of every object type reachable from `root` (introspection types aside). */
export function reachableFields(schema: GraphQLSchema, root: string): string[] {
  const fields: string[] = [];
  const seen = new Set<string>();
  const queue = [root];
  while (queue.length > 0) {
    const name = queue.shift()!;
    if (seen.has(name) || name.startsWith('__')) continue;
    seen.add(name);
    const type = schema.getType(name);
    if (isUnionType(type)) queue.push(...type.getTypes().map((member) => member.name));
    if (isInterfaceType(type)) queue.push(...schema.getPossibleTypes(type).map((member) => member.name));
    if (!isObjectType(type)) continue;
    for (const field of Object.values(type.getFields())) {
      fields.push(`${type.name}.${field.name}`);
      queue.push(getNamedType(field.type).name);
    }
  }
  return fields.sort();
}
