import type { RequestContext } from '../../context';
import { requireAccount } from '../../lib/access';
import { isUuid } from '../../lib/ids';
import type { IntegrationEventModel } from './models';
import { findEvent } from './repository';

/** An event of the caller's account; another account's event, or none, is null alike. */
export async function accountIntegrationEvent(ctx: RequestContext, id: string): Promise<IntegrationEventModel | null> {
  const viewer = requireAccount(ctx.viewer);
  if (!isUuid(id)) return null;
  return (await findEvent(ctx.db, viewer.accountId, id)) ?? null;
}
