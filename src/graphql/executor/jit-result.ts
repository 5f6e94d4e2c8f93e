import { GraphQLError, type DocumentNode, type ExecutionResult, type GraphQLSchema, type OperationDefinitionNode, type SourceLocation } from 'graphql';
import { toError } from 'graphql/jsutils/toError';

import { isDeadlineError } from '../execution-deadline';
import { OperationPaths, type Position, type ResponsePath } from './operation-paths';

/** What graphql-jit puts in `errors`: GraphQLError's prototype, but built without `extensions` or nodes. */
interface JitError {
  message: string;
  locations?: readonly SourceLocation[];
  path?: ReadonlyArray<string | number>;
  originalError?: unknown;
}

/** graphql-jit names merged fields `T.(a,a)` where graphql-js says `T.a`. */
const MERGED_FIELD_NULL = /^(Cannot return null for non-nullable field \w+\.)\((\w+)(?:,\w+)*\)\.$/;

/**
 * The error graphql-js would have built for the same failure (its `locatedError`): message, path, the
 * field's locations, and the thrown error as `originalError`, whose `extensions` (the code) it inherits.
 */
export function rebuildError(error: JitError): GraphQLError {
  const original = error.originalError;
  // graphql-js wraps a thrown non-Error (or an Error from another realm) as NonErrorThrown, keeping the value as
  // `thrownValue` (the error policy looks there for driver errors). graphql-jit records a falsy one as "".
  const thrownNothing = original === undefined && error.message === '';
  const cause: (Error & Partial<Pick<GraphQLError, 'nodes' | 'source' | 'positions' | 'path'>>) | undefined =
    original === undefined && !thrownNothing ? undefined : toError(original);
  // graphql-js passes on an error that already has a path as it is.
  if (cause && Array.isArray(cause.path)) return cause as GraphQLError;
  const message = cause && cause !== original ? cause.message : error.message.replace(MERGED_FIELD_NULL, '$1$2.');
  const rebuilt = new GraphQLError(message, {
    nodes: cause?.nodes,
    source: cause?.source,
    positions: cause?.positions,
    path: error.path,
    originalError: cause,
  });
  if (rebuilt.locations === undefined && error.locations && error.locations.length > 0) {
    // Only the locations of the field's nodes are known here; graphql-js computes the same ones from the nodes.
    (rebuilt as { locations?: readonly SourceLocation[] }).locations = error.locations;
  }
  return rebuilt;
}

interface OperationContext {
  schema: GraphQLSchema;
  document: DocumentNode;
  operation: OperationDefinitionNode;
}

interface Located {
  error: GraphQLError;
  path?: ResponsePath;
  positions?: Position[];
  /** For an error at a non-null position: the length of the path prefix where it stops (the nearest nullable ancestor). */
  landing?: number;
}

function locate(error: GraphQLError, paths: OperationPaths): Located {
  const path = error.path;
  if (!path || path.length === 0) return { error };
  const positions = paths.along(path);
  if (!positions || positions[path.length - 1]!.nullable) return { error, path, positions };
  let landing = path.length - 1;
  while (landing > 0 && !positions[landing - 1]!.nullable) landing -= 1;
  return { error, path, positions, landing };
}

/**
 * Whether graphql-js would never have started `later`'s field once the deadline error `stop` went up: the
 * deadline check throws synchronously, and graphql-js then abandons the fields and list items it had yet to
 * start in the same synchronous run (from `stop`'s nearest resolved ancestor) below where the error stops.
 */
function abandonedAfter(stop: Located, later: Located, paths: OperationPaths): boolean {
  const a = stop.path!;
  const b = later.path;
  if (!b || stop.landing === undefined) return false;
  let common = 0;
  while (common < a.length && common < b.length && a[common] === b[common]) common += 1;
  if (common === a.length || common === b.length) return false;
  let run = a.length - 1;
  while (run > 0 && !stop.positions![run - 1]!.resolved) run -= 1;
  return common >= Math.max(stop.landing, run) && paths.compare(b, a) > 0;
}

/**
 * The errors graphql-js would report for the same failures, in graphql-jit's order (which is graphql-js's
 * for failing async resolvers: errors of nullable fields first, then the one that nulled a parent), or in
 * the order fields start when a deadline error stopped a synchronous run.
 * - An error that nulls a non-null position is reported once where it stops (the nearest nullable
 *   ancestor), by the first to get there; graphql-jit reports one per failed field.
 * - After a deadline error goes up, graphql-js starts nothing further in that synchronous run below where
 *   it stops; graphql-jit runs all of it (each failing with TIMEOUT). Those errors are left out.
 */
function asGraphqlJsErrors(errors: GraphQLError[], context: OperationContext): GraphQLError[] {
  if (errors.length < 2) return errors;
  const paths = new OperationPaths(context.schema, context.document, context.operation);
  const located = errors.map((error) => locate(error, paths));
  let ordered = located;
  const abandoned = new Set<Located>();
  if (located.some((entry) => entry.landing !== undefined && isDeadlineError(entry.error.originalError))) {
    // A synchronous run: graphql-js reports in the order it starts fields.
    ordered = [...located].sort((a, b) => (a.path && b.path ? paths.compare(a.path, b.path) : Number(Boolean(a.path)) - Number(Boolean(b.path))));
    const stops: Located[] = [];
    for (const entry of ordered) {
      if (stops.some((stop) => abandonedAfter(stop, entry, paths))) abandoned.add(entry);
      else if (entry.landing !== undefined && isDeadlineError(entry.error.originalError)) stops.push(entry);
    }
  }
  const landed = new Set<string>();
  return ordered
    .filter((entry) => {
      if (abandoned.has(entry)) return false;
      if (entry.landing === undefined) return true;
      const key = JSON.stringify(entry.path!.slice(0, entry.landing));
      if (landed.has(key)) return false;
      landed.add(key);
      return true;
    })
    .map((entry) => entry.error);
}

/**
 * graphql-jit's result as graphql-js builds it: `{ errors, data }` in that order (the response bytes follow
 * it), every error a standard GraphQLError with its `extensions`, reported as graphql-js reports them.
 */
export function asGraphqlJsResult(result: ExecutionResult, context: OperationContext): ExecutionResult {
  if (!result.errors || result.errors.length === 0) return { data: result.data };
  const errors = asGraphqlJsErrors(result.errors.map((error) => rebuildError(error as JitError)), context);
  return { errors, data: result.data };
}
