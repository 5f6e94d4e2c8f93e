import { createHmac, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

import Stripe from 'stripe';

import type { TestApp } from '../helpers/app';
import type { Tenant } from '../helpers/tenants';

/*
 * Senders built as each partner documents its signature, independent of the service's verifiers:
 * Standard Webhooks per its spec with node:crypto, Stripe with the stripe package's own test signer,
 * Shopify and Slack per their docs with node:crypto. signers.test.ts checks them on documented vectors.
 */

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/** Standard Webhooks: `v1,` + base64 HMAC-SHA256 of `id.timestamp.body`, keyed with the base64 part of `whsec_…`. */
export function standardWebhooksSignature(secret: string, id: string, timestamp: number, body: string | Buffer): string {
  const key = Buffer.from(secret.replace(/^whsec_/, '').replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  const mac = createHmac('sha256', key).update(`${id}.${timestamp}.`).update(body).digest('base64');
  return `v1,${mac}`;
}

export function standardWebhooksHeaders(secret: string, body: string, options: { id?: string; timestamp?: number } = {}): Record<string, string> {
  const id = options.id ?? `msg_${randomBytes(12).toString('hex')}`;
  const timestamp = options.timestamp ?? nowSeconds();
  return {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': standardWebhooksSignature(secret, id, timestamp, body),
  };
}

const stripeClient = new Stripe('sk_test_unused');

/** Stripe's own test signer: `t=…,v1=…`. */
export function stripeHeaders(secret: string, body: string, timestamp = nowSeconds()): Record<string, string> {
  return {
    'content-type': 'application/json; charset=utf-8',
    'stripe-signature': stripeClient.webhooks.generateTestHeaderString({ payload: body, secret, timestamp }),
  };
}

/** Shopify: base64 HMAC-SHA256 of the raw body with the client secret. */
export function shopifySignature(secret: string, body: string | Buffer): string {
  return createHmac('sha256', secret).update(body).digest('base64');
}

export function shopifyHeaders(secret: string, body: string, options: { webhookId?: string; triggeredAt?: Date } = {}): Record<string, string> {
  return {
    'content-type': 'application/json',
    'x-shopify-hmac-sha256': shopifySignature(secret, body),
    'x-shopify-webhook-id': options.webhookId ?? `b54557e4-${randomBytes(4).toString('hex')}`,
    'x-shopify-triggered-at': (options.triggeredAt ?? new Date()).toISOString(),
    'x-shopify-topic': 'orders/create',
  };
}

/** Slack: `v0=` + hex HMAC-SHA256 of `v0:timestamp:body` with the signing secret. */
export function slackSignature(secret: string, timestamp: number | string, body: string | Buffer): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:`).update(body).digest('hex')}`;
}

export function slackHeaders(secret: string, body: string, options: { timestamp?: number; contentType?: string } = {}): Record<string, string> {
  const timestamp = options.timestamp ?? nowSeconds();
  return {
    'content-type': options.contentType ?? 'application/json',
    'x-slack-request-timestamp': String(timestamp),
    'x-slack-signature': slackSignature(secret, timestamp, body),
  };
}

export interface DeliveryResponse {
  status: number;
  headers: Headers;
  text: string;
  json: Record<string, unknown> | undefined;
}

/** Appends to this run's transcript, which the global teardown scans for the secret sentinel. */
export function recordTranscript(text: string): void {
  const dir = process.env.TEST_TRANSCRIPT_DIR;
  if (dir) fs.appendFileSync(path.join(dir, `${process.pid}-webhooks.log`), text + '\n');
}

/** POSTs a delivery to the service's webhook endpoint, as a partner would. */
export async function deliver(app: TestApp, integrationId: string, body: string | Buffer, headers: Record<string, string>): Promise<DeliveryResponse> {
  const response = await fetch(`${app.url}/webhooks/${integrationId}`, { method: 'POST', headers, body });
  const text = await response.text();
  recordTranscript(text);
  let json: Record<string, unknown> | undefined;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

const ERRORS = `errors { __typename ... on UserError { code message } ... on InputError { path } ... on InvalidStateError { connectionStatus } }`;

interface MutationPayload {
  ok: boolean;
  accountIntegration: { id: string; version: number } | null;
  webhookVerificationSecret?: string | null;
  errors: Array<{ __typename: string; code: string; message: string; path?: string[] }>;
}

/** Runs one account mutation and returns its payload; throws on GraphQL errors. */
export async function accountMutation<T = MutationPayload>(
  app: TestApp,
  tenant: Tenant,
  field: string,
  input: Record<string, unknown>,
  selection = `ok accountIntegration { id version } ${ERRORS}`,
): Promise<T> {
  const type = `${field[0]!.toUpperCase()}${field.slice(1)}Input`;
  const inputType = field.startsWith('rotate') || /^(activate|deactivate|delete|restore|release)/.test(field) ? 'AccountIntegrationVersionInput' : type;
  const response = await app.request<Record<string, T>>(`mutation($input: ${inputType}!) { ${field}(input: $input) { ${selection} } }`, { input }, { key: tenant.key });
  if (response.errors) throw new Error(`${field}: ${JSON.stringify(response.errors)}`);
  return response.data![field]!;
}

export interface WebhookIntegration {
  id: string;
  version: number;
  secret: string;
}

/**
 * An integration of `partnerKey` made through the API, with its webhook secret: the partner's own
 * (`secret`, stored with setAccountIntegrationWebhookSecret), or one the service generates.
 */
export async function createWebhookIntegration(
  app: TestApp,
  tenant: Tenant,
  partnerKey: string,
  options: { secret?: string; captureWebhookPayloads?: boolean } = {},
): Promise<WebhookIntegration> {
  const created = await accountMutation(app, tenant, 'createAccountIntegration', {
    integrationName: `${partnerKey} ${randomBytes(3).toString('hex')}`,
    audienceId: tenant.audienceIds[0],
    integrationPartner: { key: partnerKey },
    captureWebhookPayloads: options.captureWebhookPayloads ?? false,
  });
  if (!created.ok) throw new Error(JSON.stringify(created.errors));
  const { id } = created.accountIntegration!;
  if (options.secret !== undefined) {
    const set = await accountMutation(app, tenant, 'setAccountIntegrationWebhookSecret', { id, expectedVersion: 1, secret: options.secret });
    if (!set.ok) throw new Error(JSON.stringify(set.errors));
    return { id, version: set.accountIntegration!.version, secret: options.secret };
  }
  const rotated = await accountMutation(app, tenant, 'rotateAccountIntegrationWebhookSecret', { id, expectedVersion: 1 }, `ok webhookVerificationSecret accountIntegration { id version } ${ERRORS}`);
  if (!rotated.ok) throw new Error(JSON.stringify(rotated.errors));
  return { id, version: rotated.accountIntegration!.version, secret: rotated.webhookVerificationSecret! };
}

/** A fresh partner-style secret of the given shape. */
export function partnerSecret(kind: 'whsec' | 'hex'): string {
  return kind === 'whsec' ? `whsec_${randomBytes(24).toString('base64')}` : randomBytes(16).toString('hex');
}
