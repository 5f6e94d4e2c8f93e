import type { RequestContext } from '../../context';
import type { QueryIntegrationPartnerArgs, QueryIntegrationPartnersArgs } from '../../generated/graphql';
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
  { id, key }: QueryIntegrationPartnerArgs,
): Promise<IntegrationPartnerModel | null> {
  requireAuthenticated(ctx.viewer);
  if ((id == null) === (key == null)) {
    throw badUserInput('Pass exactly one of `id` and `key`.');
  }
  if (id != null) return isUuid(id) ? ctx.loaders.partnerById.load(id) : null;
  return (await repository.findPartnerByKey(ctx.db, key as string)) ?? null;
}
