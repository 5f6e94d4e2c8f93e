import { parse, type OperationDefinitionNode } from 'graphql';

import { operationCost } from '../../src/graphql/cost';
import { buildSchema } from '../../src/schema';
import { startTestApp, type TestApp } from '../helpers/app';
import { operationStatements } from '../helpers/database';
import { createTenant, insertIntegration, type Tenant } from '../helpers/tenants';

let app: TestApp;
let tenant: Tenant;

interface PageInfo {
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: string | null;
  endCursor: string | null;
}
interface Page {
  edges: Array<{ cursor: string; node: { id: string; integrationName: string } }>;
  pageInfo: PageInfo;
}
type PageArgs = { first?: number; after?: string | null; last?: number; before?: string | null; orderBy?: Order };
type Order = { field: 'CREATED_UTC' | 'MODIFIED_UTC' | 'INTEGRATION_NAME'; direction: 'ASC' | 'DESC' };

const LIST = `query($first: Int, $after: String, $last: Int, $before: String, $orderBy: AccountIntegrationOrder) {
  accountIntegrations(first: $first, after: $after, last: $last, before: $before, orderBy: $orderBy) {
    edges { cursor node { id integrationName } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}`;

const ORDERINGS: Order[] = (['CREATED_UTC', 'MODIFIED_UTC', 'INTEGRATION_NAME'] as const).flatMap((field) =>
  (['ASC', 'DESC'] as const).map((direction) => ({ field, direction })),
);

async function list(args: PageArgs, key = tenant.key): Promise<Page> {
  const response = await app.request<{ accountIntegrations: Page }>(LIST, args, { key });
  if (response.errors) throw new Error(JSON.stringify(response.errors));
  return response.data!.accountIntegrations;
}

const ids = (page: Page) => page.edges.map((edge) => edge.node.id);

/** Every page from the start, following `endCursor`; each page's ids in display order. */
async function walkForward(size: number, orderBy: Order, key = tenant.key, between?: (pages: number) => Promise<void>) {
  const pages: Page[] = [];
  let after: string | null = null;
  do {
    const page: Page = await list({ first: size, after, orderBy }, key);
    pages.push(page);
    after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    await between?.(pages.length);
  } while (after);
  return pages;
}

/** Every page from the end, following `startCursor`; pages in the order they were read (last page first). */
async function walkBackward(size: number, orderBy: Order, key = tenant.key, between?: (pages: number) => Promise<void>) {
  const pages: Page[] = [];
  let before: string | null = null;
  do {
    const page: Page = await list({ last: size, before, orderBy }, key);
    pages.push(page);
    before = page.pageInfo.hasPreviousPage ? page.pageInfo.startCursor : null;
    await between?.(pages.length);
  } while (before);
  return pages;
}

const day = (n: number, micros = 0) => new Date(Date.UTC(2026, 0, n)).toISOString().replace('.000Z', `.${String(micros).padStart(6, '0')}Z`);

beforeAll(async () => {
  app = await startTestApp();
  tenant = await createTenant(app);
  // 11 rows with ties in every ordering: shared timestamps (to the microsecond) and shared names.
  for (let i = 0; i < 11; i++) {
    await insertIntegration(app, tenant, {
      integration_name: `Integration ${String.fromCharCode(65 + (i % 4))}`,
      created_utc: day(1 + (i % 5), i % 2),
      modified_utc: day(20 - (i % 3)),
    });
  }
});
afterAll(() => app.close());

describe('accountIntegrations backward (last/before)', () => {
  it.each(ORDERINGS)('walking backward from the end reads exactly the forward walk, for $field $direction', async (orderBy) => {
    const forward = (await walkForward(3, orderBy)).flatMap(ids);
    expect(forward).toHaveLength(11);
    expect(new Set(forward).size).toBe(11);

    const backwardPages = await walkBackward(3, orderBy);
    // Read back to front: the pages, put back in order, are the forward walk; each page is in display order.
    expect(backwardPages.slice().reverse().flatMap(ids)).toEqual(forward);
    expect(backwardPages.map((page) => page.edges.length)).toEqual([3, 3, 3, 2]);
    expect(backwardPages[0]!.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
    expect(backwardPages.at(-1)!.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    for (const page of backwardPages) {
      expect(page.pageInfo.startCursor).toBe(page.edges[0]!.cursor);
      expect(page.pageInfo.endCursor).toBe(page.edges.at(-1)!.cursor);
    }
  });

  it('turns around: `before` a forward page\'s start gives the page before it, `after` a backward page\'s end the one after', async () => {
    const orderBy: Order = { field: 'CREATED_UTC', direction: 'DESC' };
    const pages = await walkForward(4, orderBy);
    const back = await list({ last: 4, before: pages[1]!.pageInfo.startCursor, orderBy });
    expect(ids(back)).toEqual(ids(pages[0]!));
    expect(back.pageInfo).toMatchObject({ hasPreviousPage: false, hasNextPage: true });
    const ahead = await list({ first: 4, after: back.pageInfo.endCursor, orderBy });
    expect(ids(ahead)).toEqual(ids(pages[1]!));
    // A short last page when fewer items precede the cursor than asked for.
    const short = await list({ last: 10, before: pages[0]!.edges[2]!.cursor, orderBy });
    expect(ids(short)).toEqual(ids(pages[0]!).slice(0, 2));
    expect(short.pageInfo.hasPreviousPage).toBe(false);
  });

  it('keeps pages stable under inserts in both directions: no page shifts, no row repeats', async () => {
    for (const direction of ['forward', 'backward'] as const) {
      const other = await createTenant(app);
      const original: string[] = [];
      for (let i = 1; i <= 9; i++) original.push(await insertIntegration(app, other, { created_utc: day(i) }));
      const orderBy: Order = { field: 'CREATED_UTC', direction: 'DESC' };
      // Display order is newest first: day 9 … day 1.
      const expected = original.slice().reverse();
      const inserted: { walked?: string; ahead?: string; outside?: string } = {};

      // After the first page, add a row inside the part already read, one in the part still to read, and
      // one beyond the end the walk started from: only the one still ahead may appear, once.
      const insertWhilePaging = async (pages: number) => {
        if (pages !== 1) return;
        const walkedDay = direction === 'forward' ? day(8, 5) : day(1, 5); // between the first page's two rows
        const aheadDay = direction === 'forward' ? day(2, 5) : day(8, 5);
        const outsideDay = direction === 'forward' ? day(10) : day(0);
        inserted.walked = await insertIntegration(app, other, { created_utc: walkedDay });
        inserted.ahead = await insertIntegration(app, other, { created_utc: aheadDay });
        inserted.outside = await insertIntegration(app, other, { created_utc: outsideDay });
      };
      const seen =
        direction === 'forward'
          ? (await walkForward(2, orderBy, other.key, insertWhilePaging)).flatMap(ids)
          : (await walkBackward(2, orderBy, other.key, insertWhilePaging)).reverse().flatMap(ids);

      expect(new Set(seen).size).toBe(seen.length);
      expect(seen).not.toContain(inserted.walked);
      expect(seen).not.toContain(inserted.outside);
      const aheadAt = direction === 'forward' ? expected.indexOf(original[1]!) : expected.indexOf(original[7]!);
      // day(2, 5) sorts just before day 2; day(8, 5) just before day 8 (newest first).
      expect(seen).toEqual([...expected.slice(0, aheadAt), inserted.ahead, ...expected.slice(aheadAt)]);
    }
  });

  it('bounds `last` to 1..100 like `first`, and pages 20 backward with `before` alone', async () => {
    const other = await createTenant(app);
    for (let i = 0; i < 22; i++) await insertIntegration(app, other, { created_utc: day(1 + i) });
    for (const last of [0, -1, 101]) {
      const response = await app.request(LIST, { last }, { key: other.key });
      expect(response.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentPath: ['last'] });
      expect(response.errors?.[0]?.message).toBe('`last` must be between 1 and 100.');
      expect(response.data).toBeNull();
    }
    expect((await list({ last: 100 }, other.key)).edges).toHaveLength(22);
    const tail = await list({ last: 1 }, other.key);
    const page = await list({ before: tail.pageInfo.startCursor }, other.key);
    expect(page.edges).toHaveLength(20);
    expect(page.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: true });
  });

  it('refuses mixed directions with a message that says how to page', async () => {
    const page = await list({ first: 2 });
    const cursor = page.pageInfo.endCursor;
    const cases: Array<[PageArgs, string, string[]]> = [
      [{ first: 2, last: 2 }, 'Pass `first` to page forward or `last` to page backward, not both.', ['last']],
      [{ first: 2, before: cursor }, '`before` pages backward: pair it with `last`, not `first`.', ['before']],
      [{ last: 2, after: cursor }, '`after` pages forward: pair it with `first`, not `last`.', ['after']],
      [{ after: cursor, before: cursor }, 'Pass `after` to page forward or `before` to page backward, not both.', ['before']],
      [{ last: 2, before: 'garbage' }, '`before` is not a cursor returned by this API.', ['before']],
      [
        { last: 2, before: cursor, orderBy: { field: 'INTEGRATION_NAME', direction: 'ASC' } },
        '`before` belongs to a different `orderBy`; a cursor only continues the ordering it came from.',
        ['before'],
      ],
    ];
    for (const [args, message, argumentPath] of cases) {
      const response = await app.request(LIST, args, { key: tenant.key });
      expect(response.status).toBeLessThan(500);
      expect(response.errors).toHaveLength(1);
      expect(response.errors![0]).toMatchObject({ message, extensions: { code: 'BAD_USER_INPUT', argumentPath } });
    }
  });

  it('prices `last` like `first` in the operation cost', () => {
    const schema = buildSchema();
    const cost = (query: string, variables?: Record<string, unknown>) => {
      const document = parse(query);
      return operationCost(schema, document, document.definitions[0] as OperationDefinitionNode, variables);
    };
    expect(cost('{ accountIntegrations(last: 100) { edges { node { id } } } }')).toBe(201);
    const withHistory = (list: string, history: string) =>
      cost(`{ accountIntegrations(${list}) { edges { node { id history(${history}) { edges { node { id } } } } } } }`);
    expect(withHistory('last: 30', 'last: 5')).toBe(withHistory('first: 30', 'first: 5'));
    expect(withHistory('last: 30', 'last: 5')).toBeGreaterThan(withHistory('last: 30', 'last: 4'));
    const both = `query($first: Int, $last: Int) { accountIntegrations(first: $first, last: $last) { edges { node { id } } } }`;
    expect(cost(both, { last: 50 })).toBe(101);
    expect(cost(both, {})).toBe(41);
  });
});

interface HistoryPage {
  edges: Array<{ cursor: string; node: { id: string; version: number } }>;
  pageInfo: PageInfo;
}

const HISTORY = `query($id: ID!, $first: Int, $after: String, $last: Int, $before: String) {
  accountIntegration(id: $id) {
    history(first: $first, after: $after, last: $last, before: $before) {
      edges { cursor node { id version } }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
  }
}`;

describe('history backward (last/before)', () => {
  let integrationId: string;

  async function historyPage(args: PageArgs): Promise<HistoryPage> {
    const response = await app.request<{ accountIntegration: { history: HistoryPage } }>(HISTORY, { id: integrationId, ...args }, { key: tenant.key });
    if (response.errors) throw new Error(JSON.stringify(response.errors));
    return response.data!.accountIntegration.history;
  }

  async function addEntries(count: number, firstVersion: number): Promise<void> {
    for (let i = 0; i < count; i++) {
      await app.db
        .insertInto('account_integration_history')
        .values({ account_id: tenant.accountId, account_integration_id: integrationId, version: firstVersion + i, action: 'UPDATED', actor: 'test', changes: '[]' })
        .execute();
    }
  }

  beforeAll(async () => {
    integrationId = await insertIntegration(app, tenant, { integration_name: 'With history' });
    await addEntries(7, 1);
  });

  it('walks newest first forward and back, the backward walk being the forward walk', async () => {
    const forward: HistoryPage[] = [];
    let after: string | null = null;
    do {
      const page: HistoryPage = await historyPage({ first: 3, after });
      forward.push(page);
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    } while (after);
    const versions = forward.flatMap((page) => page.edges.map((edge) => edge.node.version));
    expect(versions).toEqual([7, 6, 5, 4, 3, 2, 1]);

    const backward: HistoryPage[] = [];
    let before: string | null = null;
    do {
      const page: HistoryPage = await historyPage({ last: 3, before });
      backward.push(page);
      before = page.pageInfo.hasPreviousPage ? page.pageInfo.startCursor : null;
    } while (before);
    expect(backward.map((page) => page.edges.map((edge) => edge.node.version))).toEqual([[3, 2, 1], [6, 5, 4], [7]]);
    expect(backward[0]!.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
    expect(backward.at(-1)!.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
  });

  it('reads entries added while paging backward once, in order, and no earlier page moves', async () => {
    const oldest = await historyPage({ last: 3 });
    expect(oldest.edges.map((edge) => edge.node.version)).toEqual([3, 2, 1]);
    await addEntries(2, 8); // newer than everything: ahead of a backward walk
    const seen = [oldest];
    let before = oldest.pageInfo.startCursor;
    while (before) {
      const page = await historyPage({ last: 3, before });
      seen.push(page);
      before = page.pageInfo.hasPreviousPage ? page.pageInfo.startCursor : null;
    }
    expect(seen.reverse().flatMap((page) => page.edges.map((edge) => edge.node.version))).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1]);
    // The first backward page, read again, is the same page.
    expect((await historyPage({ last: 3 })).edges).toEqual(oldest.edges);
  });

  it('applies the same bounds and pairings as the list', async () => {
    for (const [args, code, argumentPath] of [
      [{ last: 0 }, 'BAD_USER_INPUT', ['last']],
      [{ last: 101 }, 'BAD_USER_INPUT', ['last']],
      [{ first: 1, last: 1 }, 'BAD_USER_INPUT', ['last']],
      [{ last: 1, after: 'aDox' }, 'BAD_USER_INPUT', ['after']],
      [{ last: 1, before: 'garbage' }, 'BAD_USER_INPUT', ['before']],
    ] as const) {
      const response = await app.request(HISTORY, { id: integrationId, ...args }, { key: tenant.key });
      expect(response.errors?.[0]?.extensions).toMatchObject({ code, argumentPath });
    }
  });

  it('batches backward history pages of a whole list into one statement, like forward ones', async () => {
    const statementsFor = async (history: string) => {
      app.database.statements.length = 0;
      const response = await app.request(`{ accountIntegrations(first: 20) { edges { node { id ${history} { edges { node { id } } } } } } }`, undefined, { key: tenant.key });
      expect(response.errors).toBeUndefined();
      return operationStatements(app.database.statements).length;
    };
    const forward = await statementsFor('history(first: 2)');
    expect(await statementsFor('history(last: 2)')).toBe(forward);
    // page, one history statement for all 12 integrations
    expect(forward).toBe(2);
  });
});
