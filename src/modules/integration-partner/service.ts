import type { RequestContext } from '../../context';
import type { IntegrationPartnerRef, QueryIntegrationPartnerArgs, QueryIntegrationPartnersArgs } from '../../generated/graphql';
import { requireAuthenticated } from '../../lib/access';
import { badUserInput } from '../../lib/errors';
import { isUuid } from '../../lib/ids';
import type { IntegrationPartnerModel } from './models';
import * as repository from './repository';

export async function listIntegrationPartners(
  ctx: RequestContext,
  { filter }: QueryIntegrationPartnersArgs,
): Promise<IntegrationPartnerModel[]> {
  requireAuthenticated(ctx.viewer);
  if (filter?.search != null && filter.search.length > 200) {
    throw badUserInput('`filter.search` must be at most 200 characters.', ['filter', 'search']);
  }
  const partners = await repository.listPartners(ctx.db, {
    ...filter,
    includeDisabled: filter?.includeDisabled ?? false,
  });
  for (const partner of partners) ctx.loaders.partnerById.prime(partner.id, partner);
  return partners;
}

export async function getIntegrationPartner(
  ctx: RequestContext,
  { by }: QueryIntegrationPartnerArgs,
): Promise<IntegrationPartnerModel | null> {
  requireAuthenticated(ctx.viewer);
  return findIntegrationPartner(ctx, by);
}

/**
 * The partner a reference names, or null when there is none. `@oneOf` on `IntegrationPartnerRef`
 * makes graphql-js refuse a reference with both or neither of `id` and `key` before any resolver runs.
 */
export async function findIntegrationPartner(ctx: RequestContext, ref: IntegrationPartnerRef): Promise<IntegrationPartnerModel | null> {
  if (ref.id != null) return isUuid(ref.id) ? ctx.loaders.partnerById.load(ref.id) : null;
  return (await repository.findPartnerByKey(ctx.db, ref.key)) ?? null;
}
