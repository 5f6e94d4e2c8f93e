import type { AccountViewer } from '../../context';
import type { HistoryChange } from '../../db/database';
import type { CreateAccountIntegrationInput } from '../../generated/graphql';
import type { EncryptedValue } from '../../lib/crypto';
import type { IntegrationPartnerModel } from '../integration-partner/models';
import type { NewIntegration } from './create-repository';
import type { CreateFields } from './create-validation';
import * as lifecycle from './lifecycle';
import type { AccountIntegrationColumns, AccountIntegrationModel } from './models';
import { UNTRACKED } from './mutation-results';
import { COLUMN_OF } from './repository';

/**
 * The row a create writes and its CREATED history entry, built before the statement runs, by both ways
 * of creating (create-service.ts).
 */

/** What a new integration gets for settings the input leaves out (the table's column defaults too). */
const SETTING_DEFAULTS = { activitySyncMode: 'INCREMENTAL', activityTarget: 'CONTACT', engagementFieldLevel: 'NONE' } as const;
const JSON_FIELDS = new Set<string>(['capabilityConfig', 'syncFilters', 'conditions']);
/** Fields the CREATED entry leaves out besides UNTRACKED ones: who and when are the entry's own columns. */
const NOT_IN_CREATED = new Set(['createdUtc', 'createdBy', 'id', 'accountId']);

/** What a create needs besides its partner: decided once, before either way of creating. */
export interface CreatePlan {
  viewer: AccountViewer;
  input: CreateAccountIntegrationInput;
  /** The identifier the input gives, or null: one is derived from the name. */
  givenIdentifier: string | null;
  identifierBase: string;
  /** The identifiers a create probes: the given one (when well-formed), else suffixCandidates(base). */
  identifiersToProbe: string[];
  idempotencyKey: string | undefined;
  /** The new integration's id (its credentials are encrypted for it). */
  id: string;
  /** What the create returns of the row (returnedFields of the payload's selection). */
  returned: readonly (keyof AccountIntegrationColumns)[];
}

/** The integration a create writes, with `identifier`, `isPrimary` and `now` as decided (or placeholders). */
export function newIntegration(
  plan: CreatePlan,
  partner: IntegrationPartnerModel,
  fields: CreateFields,
  decided: { identifier: string; isPrimary: boolean; now: Date; checked: boolean },
): AccountIntegrationModel {
  const { input, viewer } = plan;
  const { now } = decided;
  const active = input.active !== false;
  return {
    id: plan.id,
    accountId: viewer.accountId,
    audienceId: input.audienceId,
    integrationPartnerId: partner.id,
    integrationName: fields.integrationName,
    activitySyncMode: input.activitySyncMode ?? SETTING_DEFAULTS.activitySyncMode,
    activityTarget: input.activityTarget ?? SETTING_DEFAULTS.activityTarget,
    engagementFieldLevel: input.engagementFieldLevel ?? SETTING_DEFAULTS.engagementFieldLevel,
    capabilityConfig: null,
    syncFilters: fields.syncFilters,
    captureWebhookPayloads: input.captureWebhookPayloads ?? false,
    cooldownMinutes: fields.cooldownMinutes,
    debounceWindowSeconds: fields.debounceWindowSeconds,
    engagementFieldsCreatedUtc: null,
    isDeleted: false,
    lastEngagementSyncContactCount: null,
    lastEngagementSyncUtc: null,
    lastErrorMessage: null,
    lastErrorUtc: null,
    lastTokenRefreshUtc: null,
    tokenScope: null,
    tokenType: null,
    notificationEmail: fields.notificationEmail,
    ownerEmail: fields.ownerEmail,
    webhookLastHealthCheckUtc: null,
    lastSyncUtc: null,
    webhookVerificationSecretEncrypted: null,
    dataLastReceivedAt: null,
    deletedUtc: null,
    deletedBy: null,
    identifier: decided.identifier,
    channel: fields.channel,
    isPrimary: decided.isPrimary,
    conditions: fields.conditions,
    ...lifecycle.onCreate(partner, now),
    ...(active ? {} : { isActive: false, connectionStatus: 'INACTIVE' as const }),
    ...(active && decided.checked ? { connectionStatus: 'CONNECTED' as const } : {}),
    version: 1,
    createdBy: viewer.actor,
    createdUtc: now,
    modifiedBy: viewer.actor,
    modifiedUtc: now,
  };
}

/**
 * The row's columns. Every column is written, none left to the table's defaults, so the row is known
 * before the statement runs and its CREATED history entry can be written by the same statement.
 * Fields holding `now` are stamped with `clock`, the database clock at its full (microsecond)
 * precision; without a clock (the statement reads it), their names are listed in `clockColumns`.
 */
export function columnsOf(
  integration: AccountIntegrationModel,
  encrypted: EncryptedValue | null,
  now: Date,
  clock: string | undefined,
): { columns: NewIntegration['columns']; clockColumns: string[] } {
  const columns: Record<string, unknown> = {};
  const clockColumns: string[] = [];
  for (const [field, column] of Object.entries(COLUMN_OF)) {
    const value = integration[field as keyof AccountIntegrationModel];
    if (value === now) clockColumns.push(column);
    columns[column] = value === now ? (clock ?? null) : JSON_FIELDS.has(field) && value !== null ? JSON.stringify(value) : value;
  }
  columns.credentials_encrypted = encrypted?.ciphertext ?? null;
  columns.credentials_key_id = encrypted?.keyId ?? null;
  columns.webhook_secret_key_id = null;
  return {
    columns: { ...columns, id: integration.id, account_id: integration.accountId, integration_partner_id: integration.integrationPartnerId },
    clockColumns,
  };
}

/** Every set field of the new row, old null, in column order; then capabilities and credentials (redacted). */
export function createdHistory(integration: AccountIntegrationModel, capabilities: string[], encrypted: boolean): HistoryChange[] {
  const history: HistoryChange[] = [];
  for (const field of Object.keys(COLUMN_OF) as Array<keyof AccountIntegrationModel>) {
    const value = integration[field];
    if (value !== null && !UNTRACKED.has(field) && !NOT_IN_CREATED.has(field)) history.push({ field, old: null, new: value });
  }
  if (capabilities.length > 0) history.push({ field: 'capabilities', old: [], new: capabilities });
  if (encrypted) history.push({ field: 'credentials', redacted: true });
  return history;
}
