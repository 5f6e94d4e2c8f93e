import { createHash } from 'node:crypto';
import fs from 'node:fs';

import type { ApolloServerOptions } from '@apollo/server';
import { getOperationAST, GraphQLError, parse } from 'graphql';

import { ConfigError, type Config } from '../config';
import type { RequestContext } from '../context';
import type { OperationCheck } from './plugins/operation-gate';
import { isIntrospectionOnly } from './plugins/require-key';

/**
 * Persisted operations. Automatic persisted queries (Apollo's APQ) are always on: a client sends a
 * SHA-256 hash, the server answers PERSISTED_QUERY_NOT_FOUND until the client has sent the text once.
 * The cache holds document text only, never anything about the caller, so a hash one caller registered
 * runs with the next caller's own key and context.
 *
 * A manifest (PERSISTED_OPERATIONS_FILE) is graphql-codegen's client-preset `persisted-documents.json`:
 * `{ "sha256:<hex of the text>": "<document text>" }` (older presets omit the `sha256:` prefix). Its
 * operations are served by their hash (bare hex, as APQ clients send it) from the start. With PERSISTED_OPERATIONS_ONLY, they are the only ones that run (plus introspection when it is
 * on): any other document, and APQ registration of new ones, is PERSISTED_QUERY_NOT_ALLOWED.
 */
export interface PersistedOperations {
  /** hash → document text, from the manifest (empty without one). */
  manifest: ReadonlyMap<string, string>;
  /** Serve only the manifest's operations. */
  only: boolean;
  /** Where the manifest came from, for log lines. */
  file: string | undefined;
}

export const SHA256_HEX = /^[0-9a-f]{64}$/;

/** A manifest key: the GraphQL-over-HTTP prefixed identifier the client preset writes, or bare hex. */
const MANIFEST_KEY = /^(?:sha256:)?([0-9a-f]{64})$/;

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function manifestError(file: string, problem: string): ConfigError {
  return new ConfigError(`PERSISTED_OPERATIONS_FILE ${file}: ${problem}`);
}

/** Parses and checks a manifest; every problem names the file and, where there is one, the entry. */
export function parseManifest(text: string, file: string): Map<string, string> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw manifestError(file, `is not valid JSON (${error instanceof Error ? error.message : String(error)}).`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw manifestError(file, 'must be a JSON object of "<sha256 hash>": "<document>" entries (graphql-codegen persisted-documents.json).');
  }
  const manifest = new Map<string, string>();
  for (const [key, document] of Object.entries(json)) {
    const hash = MANIFEST_KEY.exec(key)?.[1];
    if (hash === undefined) {
      throw manifestError(file, `key "${key.slice(0, 80)}" is not a SHA-256 hash ("sha256:" and 64 lowercase hex characters); generate it with hashAlgorithm: 'sha256'.`);
    }
    if (typeof document !== 'string' || document.trim() === '') {
      throw manifestError(file, `the entry ${hash} is not a document text.`);
    }
    if (sha256Hex(document) !== hash) {
      throw manifestError(file, `the entry ${hash} does not match the SHA-256 of its document text.`);
    }
    try {
      parse(document, { noLocation: true });
    } catch (error) {
      throw manifestError(file, `the entry ${hash} is not a GraphQL document (${error instanceof Error ? error.message : String(error)}).`);
    }
    manifest.set(hash, document);
  }
  return manifest;
}

/** Reads the configured manifest once, at start. A missing or malformed file stops the start. */
export function loadPersistedOperations(config: Pick<Config, 'persistedOperationsFile' | 'persistedOperationsOnly'>): PersistedOperations {
  const file = config.persistedOperationsFile;
  if (!file) return { manifest: new Map(), only: false, file: undefined };
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw manifestError(file, `cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}).`);
  }
  return { manifest: parseManifest(text, file), only: config.persistedOperationsOnly, file };
}

/** APQ registrations kept in memory, least recently used first out, bounded by the bytes of text. */
const REGISTERED_TEXT_LIMIT_BYTES = 30 * 1024 * 1024;

type ApqCache = NonNullable<NonNullable<Exclude<ApolloServerOptions<RequestContext>['persistedQueries'], false>>['cache']>;

/**
 * Apollo's APQ cache: the manifest first (never evicted), then what clients registered (not kept in
 * safelist mode, which refuses registration before it is reached). Apollo prefixes keys with "apq:".
 */
class PersistedOperationStore implements ApqCache {
  private readonly registered = new Map<string, string>();
  private registeredBytes = 0;

  constructor(
    private readonly manifest: ReadonlyMap<string, string>,
    private readonly acceptsRegistrations: boolean,
  ) {}

  private static hashOf(key: string): string {
    return key.startsWith('apq:') ? key.slice('apq:'.length) : key;
  }

  async get(key: string): Promise<string | undefined> {
    const hash = PersistedOperationStore.hashOf(key);
    const listed = this.manifest.get(hash);
    if (listed !== undefined) return listed;
    const text = this.registered.get(hash);
    if (text !== undefined) {
      // Refresh its place in the eviction order.
      this.registered.delete(hash);
      this.registered.set(hash, text);
    }
    return text;
  }

  async set(key: string, text: string): Promise<void> {
    const hash = PersistedOperationStore.hashOf(key);
    if (!this.acceptsRegistrations || this.manifest.has(hash) || this.registered.has(hash)) return;
    const bytes = Buffer.byteLength(text);
    if (bytes > REGISTERED_TEXT_LIMIT_BYTES) return;
    this.registered.set(hash, text);
    this.registeredBytes += bytes;
    for (const [oldest, oldText] of this.registered) {
      if (this.registeredBytes <= REGISTERED_TEXT_LIMIT_BYTES) break;
      this.registered.delete(oldest);
      this.registeredBytes -= Buffer.byteLength(oldText);
    }
  }

  async delete(key: string): Promise<boolean> {
    const hash = PersistedOperationStore.hashOf(key);
    const text = this.registered.get(hash);
    if (text === undefined) return false;
    this.registered.delete(hash);
    this.registeredBytes -= Buffer.byteLength(text);
    return true;
  }
}

/** Apollo's `persistedQueries` option. */
export function persistedQueriesOption(operations: PersistedOperations): ApolloServerOptions<RequestContext>['persistedQueries'] {
  return { cache: new PersistedOperationStore(operations.manifest, !operations.only) };
}

export function persistedQueryNotAllowed(): GraphQLError {
  return new GraphQLError(
    'This server runs only registered operations, and this one is not in its persisted-operations manifest.',
    { extensions: { code: 'PERSISTED_QUERY_NOT_ALLOWED', http: { status: 400 } } },
  );
}

/** Whether `query` (text) is an introspection-only operation; false for anything that does not parse. */
export function isIntrospectionText(query: string, operationName: string | undefined, maxTokens: number): boolean {
  try {
    const document = parse(query, { maxTokens, noLocation: true });
    const operation = getOperationAST(document, operationName);
    return operation != null && isIntrospectionOnly(document, operation);
  } catch {
    return false;
  }
}

/**
 * Safelist mode, the last line: whatever reached execution must be a listed document (Apollo's own
 * hash of the text it parsed) or, when introspection is on, introspection. The HTTP check in
 * `src/http/persisted-operations.ts` refuses earlier, before parsing; this one cannot be bypassed by a
 * request shape that check does not read. Refusing here also keeps Apollo from registering the text.
 */
export function safelistCheck(operations: PersistedOperations, introspection: boolean): OperationCheck[] {
  if (!operations.only) return [];
  return [
    ({ queryHash, document, operation }) => {
      if (queryHash !== undefined && operations.manifest.has(queryHash)) return;
      if (introspection && isIntrospectionOnly(document, operation)) return;
      throw persistedQueryNotAllowed();
    },
  ];
}
