import type { IncomingMessage } from 'node:http';

import {
  isIntrospectionText,
  persistedQueryNotAllowed,
  SHA256_HEX,
  sha256Hex,
  type PersistedOperations,
} from '../graphql/persisted-operations';
import { splitTarget } from './request-target';

export interface PersistedRequestOptions {
  operations: PersistedOperations;
  introspection: boolean;
  maxTokens: number;
}

/** A request refused before Apollo sees it: its status, code and message. */
export interface PersistedOperationRefusal {
  status: number;
  code: string;
  message: string;
}

interface GraphQLRequestFields {
  query: unknown;
  operationName: unknown;
  extensions: unknown;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !Buffer.isBuffer(value);
}

/**
 * The fields Apollo will read, taken the way Apollo takes them (a POST's JSON body; a GET's search
 * parameters, each given once). Undefined when Apollo would refuse the request itself.
 */
function requestFields(req: IncomingMessage, body: unknown): GraphQLRequestFields | undefined {
  if (req.method === 'POST') {
    return isRecord(body) ? { query: body.query, operationName: body.operationName, extensions: body.extensions } : undefined;
  }
  if (req.method !== 'GET') return undefined;
  const params = new URLSearchParams(splitTarget(req.url).search);
  const once = (name: string) => {
    const values = params.getAll(name);
    return values.length === 1 ? values[0] : values.length === 0 ? undefined : null;
  };
  const query = once('query');
  const operationName = once('operationName');
  const extensionsText = once('extensions');
  if (query === null || operationName === null || extensionsText === null) return undefined;
  let extensions: unknown;
  try {
    extensions = extensionsText === undefined ? undefined : JSON.parse(extensionsText);
  } catch {
    return undefined;
  }
  return { query, operationName, extensions };
}

function refusal(status: number, code: string, message: string): PersistedOperationRefusal {
  return { status, code, message };
}

/**
 * Decides before Apollo parses anything. Apollo itself answers a malformed persisted-query extension
 * or a hash that does not match the text with a code-less error, which our error policy would mask as
 * an internal error; here the client gets a clear code instead.
 */
function check(fields: GraphQLRequestFields, options: PersistedRequestOptions): PersistedOperationRefusal | undefined {
  const { operations } = options;
  const query = typeof fields.query === 'string' ? fields.query : undefined;
  const persisted = isRecord(fields.extensions) ? fields.extensions.persistedQuery : undefined;
  let hash: string | undefined;
  // Apollo ignores a falsy extension (absent, null), so this does too.
  if (persisted) {
    if (!isRecord(persisted) || persisted.version !== 1 || typeof persisted.sha256Hash !== 'string' || !SHA256_HEX.test(persisted.sha256Hash)) {
      return refusal(
        400,
        'BAD_REQUEST',
        'The persistedQuery extension must be { "version": 1, "sha256Hash": "<64 lowercase hex characters, without a sha256: prefix>" }.',
      );
    }
    hash = persisted.sha256Hash;
    if (query !== undefined && sha256Hex(query) !== hash) {
      return refusal(400, 'PERSISTED_QUERY_HASH_MISMATCH', 'The persistedQuery sha256Hash is not the SHA-256 of the query text.');
    }
  }
  if (!operations.only) return undefined;
  hash ??= query === undefined ? undefined : sha256Hex(query);
  // Neither text nor hash: Apollo's own 400 says what is missing.
  if (hash === undefined) return undefined;
  if (operations.manifest.has(hash)) return undefined;
  const operationName = typeof fields.operationName === 'string' ? fields.operationName : undefined;
  if (query !== undefined && options.introspection && isIntrospectionText(query, operationName, options.maxTokens)) return undefined;
  const notAllowed = persistedQueryNotAllowed();
  return refusal(400, String(notAllowed.extensions.code), notAllowed.message);
}

/**
 * Runs on /graphql between the body parser and Apollo: checks the persisted-query extension and, in
 * safelist mode, refuses unlisted documents before they are parsed or validated (so a refused document
 * learns nothing about the schema from validation errors). `body` is the parsed JSON body.
 */
export function persistedOperationRefusal(req: IncomingMessage, body: unknown, options: PersistedRequestOptions): PersistedOperationRefusal | undefined {
  const fields = requestFields(req, body);
  return fields ? check(fields, options) : undefined;
}
