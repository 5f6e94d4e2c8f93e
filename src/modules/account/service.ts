import type { RequestContext } from '../../context';
import type {
  CreateAccountInput,
  CreateAudienceInput,
  IssueApiKeyInput,
  ResolversTypes,
  RevokeApiKeyInput,
} from '../../generated/graphql';
import { displayPrefix, generateApiKey, hashApiKey } from '../../lib/api-keys';
import { alreadyExistsError, inputError, notFoundError } from '../../lib/errors';
import { isUuid } from '../../lib/ids';
import { requireAccount, requireAdmin } from '../../lib/access';
import type { AudienceModel } from './models';
import * as repository from './repository';


function validName(name: string): string | undefined {
  const trimmed = name.trim();
  return trimmed.length >= 1 && trimmed.length <= 200 ? trimmed : undefined;
}

export async function createAccount(
  ctx: RequestContext,
  input: CreateAccountInput,
): Promise<ResolversTypes['CreateAccountPayload']> {
  requireAdmin(ctx.viewer);
  const name = validName(input.name);
  if (!name) return { account: null, errors: [inputError(['input', 'name'], 'Name must be 1 to 200 characters.')] };
  const account = await repository.insertAccount(ctx.db, name);
  ctx.logger.info({ accountId: account.id }, 'account created');
  return { account, errors: [] };
}

export async function createAudience(
  ctx: RequestContext,
  input: CreateAudienceInput,
): Promise<ResolversTypes['CreateAudiencePayload']> {
  requireAdmin(ctx.viewer);
  const name = validName(input.name);
  if (!name) return { audience: null, errors: [inputError(['input', 'name'], 'Name must be 1 to 200 characters.')] };
  if (!isUuid(input.accountId) || !(await repository.accountExists(ctx.db, input.accountId))) {
    return { audience: null, errors: [notFoundError(`No account ${input.accountId}.`)] };
  }
  const audience = await repository.insertAudience(ctx.db, input.accountId, name);
  if (!audience) {
    return { audience: null, errors: [alreadyExistsError(`The account already has an audience named "${name}".`)] };
  }
  ctx.logger.info({ accountId: audience.accountId, audienceId: audience.id }, 'audience created');
  return { audience, errors: [] };
}

export async function issueApiKey(
  ctx: RequestContext,
  input: IssueApiKeyInput,
): Promise<ResolversTypes['IssueApiKeyPayload']> {
  requireAdmin(ctx.viewer);
  const name = validName(input.name);
  if (!name) {
    return { apiKey: null, plaintextKey: null, errors: [inputError(['input', 'name'], 'Name must be 1 to 200 characters.')] };
  }
  if (!isUuid(input.accountId) || !(await repository.accountExists(ctx.db, input.accountId))) {
    return { apiKey: null, plaintextKey: null, errors: [notFoundError(`No account ${input.accountId}.`)] };
  }
  const plaintextKey = generateApiKey();
  const apiKey = await repository.insertApiKey(ctx.db, {
    accountId: input.accountId,
    name,
    prefix: displayPrefix(plaintextKey),
    keyHash: hashApiKey(plaintextKey),
  });
  ctx.logger.info({ accountId: apiKey.accountId, apiKeyId: apiKey.id }, 'api key issued');
  return { apiKey, plaintextKey, errors: [] };
}

export async function revokeApiKey(
  ctx: RequestContext,
  input: RevokeApiKeyInput,
): Promise<ResolversTypes['RevokeApiKeyPayload']> {
  requireAdmin(ctx.viewer);
  const apiKey = isUuid(input.apiKeyId) ? await repository.revokeApiKey(ctx.db, input.apiKeyId) : undefined;
  if (!apiKey) return { apiKey: null, errors: [notFoundError(`No API key ${input.apiKeyId}.`)] };
  // Other replicas notice within their cache's TTL (at most a second); this one, now.
  ctx.apiKeys.forget(apiKey.id);
  ctx.logger.info({ accountId: apiKey.accountId, apiKeyId: apiKey.id }, 'api key revoked');
  return { apiKey, errors: [] };
}

export async function listAudiences(ctx: RequestContext): Promise<AudienceModel[]> {
  const { accountId } = requireAccount(ctx.viewer);
  return repository.listAudiences(ctx.db, accountId);
}
