import { sql, type RawBuilder } from 'kysely';

import type { WorkKind } from '../../db/database';

/**
 * When an integration is due for each kind of work (documented in the README), as SQL over
 * `account_integrations ai` joined to its partner `p`, on the database clock. Constant conditions are
 * written as literals, not parameters: the planner can then match them to the kind's partial index (see
 * the work-leases migration) under a prepared statement's generic plan too.
 */
export interface DueRule {
  /** Whether the integration is due. */
  condition: RawBuilder<boolean>;
  /** Most overdue first; `ai.id` breaks ties so the order is total. */
  order: RawBuilder<unknown>;
}

/** Settings the rules depend on. */
export interface DueSettings {
  webhookHealthCheckIntervalMinutes: number;
}

/** Never for a deleted or inactive integration, whatever the kind. */
const LIVE = sql`ai.is_active and not ai.is_deleted`;

export function dueRule(kind: WorkKind, settings: DueSettings): DueRule {
  switch (kind) {
    case 'TOKEN_REFRESH':
      return {
        // Without stored credentials there is no refresh token to use: the integration waits for them
        // (replacing credentials makes the token due at once).
        condition: sql<boolean>`${LIVE} and not ai.is_quarantined
          and ai.connection_status <> 'NEEDS_REAUTHORIZATION' and ai.credentials_encrypted is not null
          and ai.next_refresh_check_utc <= now() and p.auth_type = 'OAUTH2'`,
        order: sql`ai.next_refresh_check_utc, ai.id`,
      };
    case 'SYNC':
      return {
        condition: sql<boolean>`${LIVE} and not ai.is_quarantined and ai.connection_status in ('CONNECTED', 'ERROR')
          and (ai.last_sync_utc is null
            or ai.last_sync_utc + make_interval(mins => coalesce(ai.cooldown_minutes, p.default_cooldown_minutes)) <= now())`,
        order: sql`ai.last_sync_utc nulls first, ai.id`,
      };
    case 'WEBHOOK_HEALTH_CHECK':
      return {
        condition: sql<boolean>`ai.webhook_registered and ${LIVE}
          and (ai.webhook_last_health_check_utc is null
            or ai.webhook_last_health_check_utc <= now() - make_interval(mins => ${sql.lit(settings.webhookHealthCheckIntervalMinutes)}))`,
        order: sql`ai.webhook_last_health_check_utc nulls first, ai.id`,
      };
  }
}
