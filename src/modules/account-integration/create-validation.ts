import type { RequestContext } from '../../context';
import type { CreateAccountIntegrationInput, IntegrationCapability, IntegrationChannel } from '../../generated/graphql';
import { inputError } from '../../lib/errors';
import type { IntegrationPartnerModel, PartnerCapabilityModel } from '../integration-partner/models';
import { validateSyncFilters } from '../partner-catalog/sync-filters';
import { channelOf } from './create-rules';
import { validateIdentifier } from './identifier';
import type { AccountIntegrationModel } from './models';
import type { MutationError } from './mutation-results';
import { validateConditions } from './routing';
import {
  COOLDOWN_MINUTES_MAX,
  DEBOUNCE_SECONDS_MAX,
  validateCredentials,
  validateEmail,
  validateName,
  validateRange,
  type Errors,
} from './validation';

/** A create's input as it will be written, once every rule has passed. */
export interface CreateFields {
  integrationName: string;
  notificationEmail: string | null;
  ownerEmail: string | null;
  cooldownMinutes: number | null;
  debounceWindowSeconds: number | null;
  syncFilters: Record<string, unknown> | null;
  credentials: Record<string, unknown> | null;
  conditions: AccountIntegrationModel['conditions'];
  channel: IntegrationChannel | null;
  /** Distinct and sorted. */
  capabilities: IntegrationCapability[];
}

/**
 * Every rule of a create that its input and partner decide, errors in the order of the input's fields.
 * `audienceFound` is what a lookup found (undefined: not looked up, the create's statement checks it).
 * Refusals (typed errors other than input errors) come after the input errors.
 */
export async function validateCreate(
  ctx: RequestContext,
  input: CreateAccountIntegrationInput,
  partner: IntegrationPartnerModel,
  partnerCapabilities: readonly PartnerCapabilityModel[],
  audienceFound: boolean | undefined,
): Promise<{ fields: CreateFields; errors: MutationError[] }> {
  const errors: Errors = [];
  const integrationName = validateName(input.integrationName, ['input', 'integrationName'], errors);
  const notificationEmail = validateEmail(input.notificationEmail ?? null, ['input', 'notificationEmail'], errors);
  const ownerEmail = validateEmail(input.ownerEmail ?? null, ['input', 'ownerEmail'], errors);
  const cooldownMinutes = validateRange(input.cooldownMinutes ?? null, 0, COOLDOWN_MINUTES_MAX, ['input', 'cooldownMinutes'], errors);
  const debounceWindowSeconds = validateRange(
    input.debounceWindowSeconds ?? null,
    0,
    DEBOUNCE_SECONDS_MAX,
    ['input', 'debounceWindowSeconds'],
    errors,
  );
  errors.push(...(await validateSyncFilters(ctx, partner.id, input.syncFilters, ['input', 'syncFilters'])));
  const syncFilters = (input.syncFilters ?? null) as Record<string, unknown> | null;
  const credentials =
    input.credentials == null ? null : validateCredentials(input.credentials, partner.credentialFields, ['input', 'credentials'], errors);
  if (audienceFound === false) errors.push(inputError(['input', 'audienceId'], 'No such audience in this account.'));
  if (input.identifier != null) validateIdentifier(input.identifier, ['input', 'identifier'], errors);
  const conditions = validateConditions(input.conditions ?? [], ['input', 'conditions'], errors);
  const refusals: MutationError[] = [];
  const channel = channelOf(partner, input.channel ?? null, errors, refusals);
  for (const flag of ['active', 'check', 'identifier', 'conditions'] as const) {
    if (input[flag] === null) errors.push(inputError(['input', flag], 'Cannot be null; leave it out for the default.'));
  }
  if (input.active === true && input.credentials == null) {
    // Active on request: the seed's "if the integration is active, the validation on the credentials field will run".
    validateCredentials({}, partner.credentialFields, ['input', 'credentials'], errors);
  }
  if (input.check === true && input.credentials == null) {
    errors.push(inputError(['input', 'credentials'], 'A connection check needs credentials.'));
  }
  const supported = new Set(partnerCapabilities.map((c) => c.capability));
  const capabilities = [...new Set(input.capabilities ?? [])].sort();
  capabilities.forEach((capability, index) => {
    if (!supported.has(capability)) {
      errors.push(inputError(['input', 'capabilities', String(index)], `${partner.name} does not support ${capability}.`));
    }
  });
  const fields = {
    integrationName,
    notificationEmail,
    ownerEmail,
    cooldownMinutes,
    debounceWindowSeconds,
    syncFilters,
    credentials,
    conditions,
    channel,
    capabilities,
  };
  return { fields, errors: [...errors, ...refusals] };
}
