import type { RoutingConditionInput, RoutingContextInput } from '../../generated/graphql';
import { inputError } from '../../lib/errors';
import { isUuid } from '../../lib/ids';
import type { AccountIntegrationModel, RoutingConditionModel } from './models';
import type { Errors } from './validation';

/**
 * Routing conditions: validated on write (errors by path), stored as a JSON array, and evaluated
 * against a message's context to choose the integration that serves it. Pure functions.
 */

export const CONDITIONS_MAX = 20;
const VALUES_MAX = 100;
const VALUE_MAX = 500;
const FIELD = /^[A-Za-z_][A-Za-z0-9_.-]{0,99}$/;
const SINGLE = new Set(['EQUALS', 'NOT_EQUALS', 'CONTAINS', 'STARTS_WITH']);
const LIST = new Set(['IN', 'NOT_IN']);
const AUDIENCE_OPERATORS = new Set(['EQUALS', 'NOT_EQUALS', 'IN', 'NOT_IN']);

function validateValue(value: string, audience: boolean, path: string[], errors: Errors): void {
  if (value.length < 1 || value.length > VALUE_MAX) errors.push(inputError(path, `Must be 1 to ${VALUE_MAX} characters.`));
  else if (audience && !isUuid(value)) errors.push(inputError(path, 'Must be an audience ID.'));
}

/** Checks conditions and returns them as stored: absent parts left out, so equal conditions store equally. */
export function validateConditions(input: readonly RoutingConditionInput[], path: string[], errors: Errors): RoutingConditionModel[] {
  if (input.length > CONDITIONS_MAX) errors.push(inputError(path, `At most ${CONDITIONS_MAX} conditions.`));
  return input.map((condition, index) => {
    const at = [...path, String(index)];
    const audience = condition.on === 'AUDIENCE';
    const stored: RoutingConditionModel = { on: condition.on, operator: condition.operator };
    if (audience) {
      if (condition.field != null) errors.push(inputError([...at, 'field'], 'An AUDIENCE condition takes no field.'));
      if (!AUDIENCE_OPERATORS.has(condition.operator)) {
        errors.push(inputError([...at, 'operator'], 'An AUDIENCE condition takes EQUALS, NOT_EQUALS, IN or NOT_IN.'));
      }
    } else if (condition.field == null || !FIELD.test(condition.field)) {
      errors.push(inputError([...at, 'field'], 'Required: 1 to 100 characters, letters, digits, _, . and -, starting with a letter or _.'));
    } else {
      stored.field = condition.field;
    }
    if (SINGLE.has(condition.operator)) {
      if (condition.value == null) errors.push(inputError([...at, 'value'], `${condition.operator} needs a value.`));
      else validateValue(condition.value, audience, [...at, 'value'], errors);
      if (condition.values != null) errors.push(inputError([...at, 'values'], `${condition.operator} takes one value, not values.`));
      stored.value = condition.value ?? undefined;
    } else if (LIST.has(condition.operator)) {
      const values = condition.values;
      if (values == null || values.length < 1 || values.length > VALUES_MAX) {
        errors.push(inputError([...at, 'values'], `${condition.operator} needs 1 to ${VALUES_MAX} values.`));
      } else {
        values.forEach((value, i) => validateValue(value, audience, [...at, 'values', String(i)], errors));
      }
      if (condition.value != null) errors.push(inputError([...at, 'value'], `${condition.operator} takes values, not one value.`));
      stored.values = values ?? undefined;
    } else if (condition.value != null || condition.values != null) {
      errors.push(inputError([...at, condition.value != null ? 'value' : 'values'], 'EXISTS takes neither value nor values.'));
    }
    return inJsonbKeyOrder(stored);
  });
}

/**
 * The condition with its keys in the order jsonb keeps them (shorter first, then bytewise), so a
 * condition read back compares equal to the same one written again: setting equal conditions is no change.
 */
function inJsonbKeyOrder(condition: RoutingConditionModel): RoutingConditionModel {
  const { on, field, value, values, operator } = condition;
  return {
    on,
    ...(field !== undefined ? { field } : {}),
    ...(value !== undefined ? { value } : {}),
    ...(values !== undefined ? { values } : {}),
    operator,
  };
}

/** A message's context, ready for matching. */
export interface RoutingContext {
  audienceId: string | null;
  tenant: ReadonlyMap<string, string>;
  subscriber: ReadonlyMap<string, string>;
}

/** The context as given; a name given twice keeps its last value. */
export function routingContextOf(input: RoutingContextInput): RoutingContext {
  const attributes = (list: RoutingContextInput['tenant']) => new Map((list ?? []).map((attribute) => [attribute.name, attribute.value]));
  return { audienceId: input.audienceId ?? null, tenant: attributes(input.tenant), subscriber: attributes(input.subscriber) };
}

function valueIn(condition: RoutingConditionModel, context: RoutingContext): string | undefined {
  if (condition.on === 'AUDIENCE') return context.audienceId ?? undefined;
  const attributes = condition.on === 'TENANT' ? context.tenant : context.subscriber;
  return condition.field === undefined ? undefined : attributes.get(condition.field);
}

export function conditionMatches(condition: RoutingConditionModel, context: RoutingContext): boolean {
  const actual = valueIn(condition, context);
  const expected = condition.value ?? '';
  const values = condition.values ?? [];
  switch (condition.operator) {
    case 'EXISTS':
      return actual !== undefined;
    case 'EQUALS':
      return actual === expected;
    case 'NOT_EQUALS':
      return actual !== expected;
    case 'IN':
      return actual !== undefined && values.includes(actual);
    case 'NOT_IN':
      return actual === undefined || !values.includes(actual);
    case 'CONTAINS':
      return actual !== undefined && actual.includes(expected);
    case 'STARTS_WITH':
      return actual !== undefined && actual.startsWith(expected);
  }
}

export type RouteCandidate = Pick<AccountIntegrationModel, 'id' | 'conditions' | 'isPrimary' | 'createdUtc'>;

export interface Route<T extends RouteCandidate> {
  integration: T;
  matchedBy: 'CONDITIONS' | 'PRIMARY';
  matchingCount: number;
}

function createdMs(value: Date | string): number {
  return value instanceof Date ? value.getTime() : Date.parse(value);
}

/**
 * The integration that serves the context among one channel's active integrations: those with at
 * least one condition, all matching, ordered by more conditions (the more specific), then primary
 * first, then older, then smaller id; the first wins. None: the primary. Neither: undefined.
 */
export function chooseRoute<T extends RouteCandidate>(candidates: readonly T[], context: RoutingContext): Route<T> | undefined {
  const matching = candidates.filter(
    (candidate) => candidate.conditions.length > 0 && candidate.conditions.every((condition) => conditionMatches(condition, context)),
  );
  matching.sort(
    (a, b) =>
      b.conditions.length - a.conditions.length ||
      Number(b.isPrimary) - Number(a.isPrimary) ||
      createdMs(a.createdUtc) - createdMs(b.createdUtc) ||
      (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
  const [best] = matching;
  if (best) return { integration: best, matchedBy: 'CONDITIONS', matchingCount: matching.length };
  const primary = candidates.find((candidate) => candidate.isPrimary);
  return primary ? { integration: primary, matchedBy: 'PRIMARY', matchingCount: 0 } : undefined;
}
