import {
  isInputType,
  Kind,
  valueFromAST,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLResolveInfo,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';

import { argumentsKey, type PreloadedFields } from '../../graphql/executor';
import type { IntegrationCapability } from '../../generated/graphql';
import { INTEGRATION_FIELDS } from './columns';
import type { AccountIntegrationColumns } from './models';

type ModelField = keyof AccountIntegrationColumns;

/**
 * Which integration columns one read takes, and whether it brings the enabled capabilities along. Only
 * what the operation selects is read: a page of 50 names does not parse 41 columns per row.
 */
export interface IntegrationProjection {
  /** Model fields to select (always including `id`), in a stable order so equal projections share SQL. */
  fields: readonly ModelField[];
  /** Read each row's enabled capabilities in the same statement (for `capabilities` / `hasCapability`). */
  capabilities: boolean;
  /** A field answered from the partner is selected: the read loads the page's partners before it returns its rows. */
  partner: boolean;
  /**
   * The `capability` that every `hasCapability` selected here asks about, as written (a literal or a
   * variable), when they all ask the same: the read then answers it on each row (PROJECTED_READS).
   */
  capabilityArgument?: ValueNode;
  /** capabilityArgument's value in this request (projectionForRequest): never cached with the projection. */
  askedCapability?: IntegrationCapability;
}

/** Model fields a computed GraphQL field reads; scalar fields read themselves. */
const NEEDS: Partial<Record<string, readonly ModelField[]>> = {
  integrationPartner: ['integrationPartnerId'],
  audience: ['audienceId'],
  effectiveCooldownMinutes: ['cooldownMinutes', 'integrationPartnerId'],
  effectiveDebounceWindowSeconds: ['debounceWindowSeconds', 'integrationPartnerId'],
  status: ['connectionStatus'],
  capabilities: [],
  hasCapability: [],
  history: [],
  webhookDeliveries: [],
  __typename: [],
};

const WITH_CAPABILITIES = new Set(['capabilities', 'hasCapability']);

/** Where, below each projected read's root field, its integrations are: the path its projection is taken at. */
export const INTEGRATIONS_BELOW = {
  accountIntegration: [],
  accountIntegrations: ['edges', 'node'],
  accountIntegrationRoute: ['accountIntegration'],
} as const satisfies Record<string, readonly string[]>;

/**
 * Where a mutation payload's integration is, below the mutation's field. The writes that return only
 * what it selects (create, and settings updates: see returnedFields) take their projection there.
 */
export const INTEGRATION_IN_PAYLOAD = ['accountIntegration'] as const;

/**
 * Where the projected reads return integrations (`accountIntegration`, a page of `accountIntegrations`,
 * `accountIntegrationRoute`'s match), and the fields whose answers they then put on each row under the
 * field's name whenever the operation selects them (the capabilities read with the row; the partner and
 * the one capability `hasCapability` asks, by `withPreloaded`). Compiled queries that select these fields
 * only there read the properties: on a page of 50 that is 150 resolver calls fewer, each of which built
 * its own resolve info, path and closures.
 */
export const PROJECTED_READS: PreloadedFields = {
  typeName: 'AccountIntegration',
  fields: ['capabilities', 'integrationPartner', 'hasCapability'],
  paths: Object.entries(INTEGRATIONS_BELOW).map(([root, below]) => [root, ...below]),
  withArguments: ['hasCapability'],
};
/** Fields answered from the partner: the read puts it on each row, so they resolve without a promise. */
const WITH_PARTNER = new Set(['integrationPartner', 'effectiveCooldownMinutes', 'effectiveDebounceWindowSeconds']);

/** Every field, for callers with no GraphQL selection to go by (and for fields this file does not know). */
export function fullProjection(): IntegrationProjection {
  return { fields: INTEGRATION_FIELDS, capabilities: false, partner: false };
}

/**
 * The projection of the integrations an operation selects at `path` below the current field (`[]`:
 * the field itself returns integrations; `['edges', 'node']`: a connection's nodes). Fragments are
 * followed; `@skip`/`@include` are ignored, which can only read a column more. A field this file does
 * not know reads every column, so a new resolver is never handed a row without what it needs.
 */
export function projectionFromInfo(info: GraphQLResolveInfo, path: readonly string[]): IntegrationProjection {
  // A projection depends only on the document (variables never change it), and Apollo reuses a parsed
  // document's nodes across requests: it is worked out once per field node and path.
  const node = info.fieldNodes[0];
  const key = path.join('.');
  const cached = node && projections.get(node)?.get(key);
  if (cached) return cached;
  const projection = collectProjection(info, path);
  if (node) {
    let byPath = projections.get(node);
    if (!byPath) projections.set(node, (byPath = new Map()));
    byPath.set(key, projection);
  }
  return projection;
}

const projections = new WeakMap<FieldNode, Map<string, IntegrationProjection>>();

/**
 * projectionFromInfo, with the capability `hasCapability` asks about resolved in this request's
 * variables when the projection has one (a copy then: the cached projection serves every request).
 */
export function projectionForRequest(info: GraphQLResolveInfo, path: readonly string[]): IntegrationProjection {
  const projection = projectionFromInfo(info, path);
  const argument = projection.capabilityArgument;
  if (!argument) return projection;
  const type = info.schema.getType('IntegrationCapability');
  const asked = type && isInputType(type) ? valueFromAST(argument, type, info.variableValues) : undefined;
  return typeof asked === 'string' ? { ...projection, askedCapability: asked as IntegrationCapability } : projection;
}

function collectProjection(info: GraphQLResolveInfo, path: readonly string[]): IntegrationProjection {
  let sets = info.fieldNodes.map((node) => node.selectionSet).filter((set) => set !== undefined);
  for (const name of path) {
    sets = sets.flatMap((set) => collectFields(set, info.fragments).filter((field) => field.name.value === name))
      .map((field) => field.selectionSet)
      .filter((set) => set !== undefined);
  }
  const known = new Set<string>(INTEGRATION_FIELDS);
  const wanted = new Set<ModelField>(['id']);
  let unknown = false;
  let capabilities = false;
  let partner = false;
  const capabilityAsks = new Map<string, ValueNode | undefined>();
  for (const field of sets.flatMap((set) => collectFields(set, info.fragments))) {
    const name = field.name.value;
    if (name === 'hasCapability') capabilityAsks.set(argumentsKey(field), field.arguments?.find((argument) => argument.name.value === 'capability')?.value);
    const needs = NEEDS[name];
    if (needs) needs.forEach((needed) => wanted.add(needed));
    else if (known.has(name)) wanted.add(name as ModelField);
    else unknown = true;
    if (WITH_CAPABILITIES.has(name)) capabilities = true;
    if (WITH_PARTNER.has(name)) partner = true;
  }
  // Every column for an unknown field, but still what the selected fields need on the row: the compiled
  // queries of PROJECTED_READS count on it.
  const fields = unknown ? INTEGRATION_FIELDS : INTEGRATION_FIELDS.filter((field) => wanted.has(field));
  const [capabilityArgument] = capabilityAsks.size === 1 ? capabilityAsks.values() : [];
  return { fields, capabilities, partner, ...(capabilityArgument ? { capabilityArgument } : {}) };
}

/** The fields of a selection set, with fragment spreads and inline fragments flattened. */
function collectFields(set: SelectionSetNode, fragments: Record<string, FragmentDefinitionNode>, seen = new Set<string>()): FieldNode[] {
  const fields: FieldNode[] = [];
  for (const selection of set.selections) {
    if (selection.kind === Kind.FIELD) fields.push(selection);
    else if (selection.kind === Kind.INLINE_FRAGMENT) fields.push(...collectFields(selection.selectionSet, fragments, seen));
    else if (!seen.has(selection.name.value)) {
      seen.add(selection.name.value);
      const fragment = fragments[selection.name.value];
      if (fragment) fields.push(...collectFields(fragment.selectionSet, fragments, seen));
    }
  }
  return fields;
}
