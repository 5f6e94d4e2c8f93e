/** Pages and counts of an account's integrations; concurrent requests' pages of one shape coalesced. */
import { sql, type ExpressionBuilder, type Kysely, type SelectQueryBuilder } from 'kysely';

import { coalescedRead } from '../../db/coalesced-reads';
import type { Database } from '../../db/database';
import { param, QueryTemplates } from '../../db/query-templates';
import type { AccountIntegrationOrderField, ConnectionStatus, IntegrationChannel, OrderDirection } from '../../generated/graphql';
import type { CursorPosition } from '../../lib/pagination';
import { escapeLike } from '../../lib/sql';
import { fullProjection, type IntegrationProjection } from './projection';
import { projectionKey, selectProjected, withCapabilityList, type AiDatabase, type ProjectedIntegration } from './projected-rows';

type Db = Kysely<Database>;
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
type IntegrationQuery = SelectQueryBuilder<AiDatabase, 'ai', {}>;

/** SQL of the list reads, built once per shape. */
const templates = new QueryTemplates();

export interface IntegrationListFilter {
  integrationPartnerId?: string;
  integrationPartnerKey?: string;
  connectionStatus?: ConnectionStatus[];
  isActive?: boolean;
  isQuarantined?: boolean;
  audienceId?: string;
  search?: string;
  channel?: IntegrationChannel;
  isPrimary?: boolean;
  includeDeleted: boolean;
}

export interface IntegrationOrder {
  field: AccountIntegrationOrderField;
  direction: OrderDirection;
}

/** The sort key of each ordering, and how it is rendered exactly (microseconds, UTC) into a cursor. */
const orderColumns = {
  CREATED_UTC: { column: 'ai.created_utc', cursorValue: sql<string>`to_char(ai.created_utc at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`, cast: 'timestamptz' },
  MODIFIED_UTC: { column: 'ai.modified_utc', cursorValue: sql<string>`to_char(ai.modified_utc at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`, cast: 'timestamptz' },
  INTEGRATION_NAME: { column: 'ai.integration_name', cursorValue: sql<string>`ai.integration_name`, cast: 'text' },
} as const;

/**
 * How a template refers to the value `name`: a parameter for one request's statement, or a column of
 * the batch's keys (`k.<name>`, already of the value's Postgres type) for many requests' statement.
 */
type Bind = <T>(name: string) => T;
const asParameter: Bind = (name) => param(name);
const asKeyColumn: Bind = <T>(name: string) => sql.ref(`k.${name}`) as unknown as T;

/**
 * The filter's conditions: `shape` names which are present, `values` holds what they compare with,
 * `types` each value's Postgres type (for a batch's arrays), and `apply` adds them to a query with each
 * value bound by `bind`. Only `apply` touches Kysely, and it runs only when a shape's template is built,
 * not on every request.
 */
function filterOf(filter: IntegrationListFilter) {
  const shape: string[] = [];
  const values: Record<string, unknown> = {};
  const types: Record<string, string> = {};
  const conditions: Array<(query: IntegrationQuery, bind: Bind) => IntegrationQuery> = [
    (query, bind) => query.where('ai.account_id', '=', bind<string>('accountId')),
  ];
  const add = (name: string, value: unknown, type: string, condition: (query: IntegrationQuery, bind: Bind) => IntegrationQuery) => {
    shape.push(name);
    values[name] = value;
    types[name] = type;
    conditions.push(condition);
  };
  if (!filter.includeDeleted) conditions.push((query) => query.where('ai.is_deleted', '=', sql.lit(false)));
  else shape.push('deleted');
  if (filter.integrationPartnerId !== undefined) {
    add('partnerId', filter.integrationPartnerId, 'uuid', (query, bind) => query.where('ai.integration_partner_id', '=', bind<string>('partnerId')));
  }
  if (filter.integrationPartnerKey !== undefined) {
    add('partnerKey', filter.integrationPartnerKey, 'text', (query, bind) =>
      query.where('ai.integration_partner_id', '=', (eb: ExpressionBuilder<AiDatabase, 'ai'>) =>
        eb.selectFrom('integration_partners').select('id').where('key', '=', bind<string>('partnerKey')),
      ),
    );
  }
  if (filter.connectionStatus !== undefined) {
    const statuses = filter.connectionStatus;
    shape.push(`status${statuses.length}`);
    statuses.forEach((status, index) => {
      values[`status${index}`] = status;
      types[`status${index}`] = 'text';
    });
    conditions.push((query, bind) =>
      statuses.length === 0
        ? query.where(sql<boolean>`false`)
        : query.where('ai.connection_status', 'in', statuses.map((_status, index) => bind<ConnectionStatus>(`status${index}`))),
    );
  }
  if (filter.channel !== undefined) add('channel', filter.channel, 'text', (query, bind) => query.where('ai.channel', '=', bind<string>('channel')));
  for (const [field, column] of [['isActive', 'ai.is_active'], ['isQuarantined', 'ai.is_quarantined'], ['isPrimary', 'ai.is_primary']] as const) {
    if (filter[field] !== undefined) add(field, filter[field], 'boolean', (query, bind) => query.where(column, '=', bind<boolean>(field)));
  }
  if (filter.audienceId !== undefined) {
    add('audienceId', filter.audienceId, 'uuid', (query, bind) => query.where('ai.audience_id', '=', bind<string>('audienceId')));
  }
  if (filter.search !== undefined && filter.search !== '') {
    add('search', `%${escapeLike(filter.search)}%`, 'text', (query, bind) => query.where('ai.integration_name', 'ilike', bind<string>('search')));
  }
  return {
    shape: shape.join(','),
    values,
    types,
    apply: (query: IntegrationQuery, bind: Bind) => conditions.reduce((scoped, condition) => condition(scoped, bind), query),
  };
}

/** Which rows one keyset read takes: `limit + 1` of them from `position` (exclusive) in `direction`. */
export interface KeysetRead {
  direction: 'forward' | 'backward';
  position: CursorPosition | undefined;
  limit: number;
}

type PageRow = ProjectedIntegration & { cursorValue: string };

/**
 * One page by keyset: rows strictly past `position` in the direction of travel, `limit + 1` of them so
 * the caller knows whether more lie that way. Backward reads scan the ordering in reverse (the caller
 * puts the page back in order). Each row carries its exact sort value for the cursor.
 *
 * Concurrent requests' pages of the same shape (projection, filters present, order, first page or
 * not) go out as one statement (`coalescedRead`): the keys' values as typed arrays, `unnest`ed, each
 * key's page read by the same query in a `lateral` join. Every page is scoped by its own key's account.
 */
export async function listAccountIntegrations(
  db: Db,
  accountId: string,
  filter: IntegrationListFilter,
  order: IntegrationOrder,
  read: KeysetRead,
  projection: IntegrationProjection = fullProjection(),
): Promise<PageRow[]> {
  const { column, cursorValue, cast } = orderColumns[order.field];
  const ascending = (order.direction === 'ASC') === (read.direction === 'forward');
  const scan = ascending ? 'asc' : 'desc';
  const filtered = filterOf(filter);
  const shape = ['list', projectionKey(projection), filtered.shape, order.field, scan, read.position ? 'after' : 'start'].join(':');
  const values: Record<string, unknown> = { ...filtered.values, accountId, limit: read.limit + 1 };
  const types: Record<string, string> = { ...filtered.types, accountId: 'uuid', limit: 'int' };
  if (read.position) {
    Object.assign(values, { positionValue: read.position.value, positionId: read.position.id });
    Object.assign(types, { positionValue: 'text', positionId: 'uuid' });
  }
  const page = (bind: Bind) => {
    let query = filtered.apply(db.selectFrom('account_integrations as ai'), bind);
    if (read.position) {
      const comparison = sql.raw(ascending ? '>' : '<');
      query = query.where(
        sql<boolean>`(${sql.ref(column)}, ai.id) ${comparison} (cast(${bind('positionValue')} as ${sql.raw(cast)}), cast(${bind('positionId')} as uuid))`,
      );
    }
    return selectProjected(query, projection)
      .select(cursorValue.as('cursorValue'))
      .orderBy(column, scan)
      .orderBy('ai.id', scan)
      .limit(bind<number>('limit'));
  };
  return coalescedRead(db, shape, values, async (batchDb, keys: ReadonlyArray<Record<string, unknown>>) => {
    if (keys.length === 1) {
      return [withCapabilityList(await templates.execute(batchDb, shape, () => page(asParameter), keys[0]!), projection)];
    }
    const names = Object.keys(types).sort();
    const rows = await templates.execute(
      batchDb,
      `${shape}:batch`,
      () => {
        // Numbered within each page by the page's own order, so the batch's rows come back in a
        // defined order: by key, then by that number.
        const each = page(asKeyColumn).select(
          sql<string>`row_number() over (order by ${sql.ref(column)} ${sql.raw(scan)}, ai.id ${sql.raw(scan)})`.as('rowNumber'),
        );
        const arrays = sql.join(names.map((name) => sql`cast(${param(name)} as ${sql.raw(types[name]!)}[])`));
        const columns = sql.join(names.map((name) => sql.ref(name)));
        return db
          .selectFrom(
            sql<PageRow & { keyPosition: string }>`(select x.*, k."keyPosition" from unnest(${arrays}) with ordinality as k(${columns}, "keyPosition")
              cross join lateral (${each}) as x order by k."keyPosition", x."rowNumber")`.as('pages'),
          )
          .selectAll();
      },
      Object.fromEntries(names.map((name) => [name, keys.map((key) => key[name])])),
    );
    const pages: PageRow[][] = keys.map(() => []);
    for (const { keyPosition, rowNumber: _rowNumber, ...row } of withCapabilityList(rows as Array<PageRow & { keyPosition: string; rowNumber: string }>, projection)) {
      pages[Number(keyPosition) - 1]!.push(row as PageRow);
    }
    return pages;
  });
}

export async function countAccountIntegrations(db: Db, accountId: string, filter: IntegrationListFilter): Promise<number> {
  const filtered = filterOf(filter);
  const [row] = await templates.execute(
    db,
    `count:${filtered.shape}`,
    () => filtered.apply(db.selectFrom('account_integrations as ai'), asParameter).select((eb) => eb.fn.countAll<string>().as('count')),
    { ...filtered.values, accountId },
  );
  return Number(row!.count);
}
