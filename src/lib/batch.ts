import DataLoader from 'dataloader';

/**
 * DataLoader batch results in key order, as DataLoader requires: one entry per key, empty or null for
 * keys the database had no rows for, whatever order the rows came back in.
 */
export function groupByKey<Row, Value = Row>(
  keys: readonly string[],
  rows: readonly Row[],
  keyOf: (row: Row) => string | null,
  valueOf: (row: Row) => Value = (row) => row as unknown as Value,
): Value[][] {
  const grouped = new Map<string, Value[]>(keys.map((key) => [key, []]));
  for (const row of rows) {
    const key = keyOf(row);
    if (key !== null) grouped.get(key)?.push(valueOf(row));
  }
  return keys.map((key) => grouped.get(key) ?? []);
}

export function indexByKey<Row>(keys: readonly string[], rows: readonly Row[], keyOf: (row: Row) => string): Array<Row | null> {
  const byKey = new Map(rows.map((row) => [keyOf(row), row]));
  return keys.map((key) => byKey.get(key) ?? null);
}

type BatchLoadFunction = (keys: readonly unknown[]) => unknown;
const OBSERVED = Symbol('observed');

/** Records each batch's size, labelled `name`. DataLoader has no batch hook, so its batch function is wrapped. */
function observeLoader<T>(loader: T, name: string, record: (loader: string, size: number) => void): T {
  if (!(loader instanceof DataLoader)) return loader;
  const internal = loader as unknown as { _batchLoadFn?: BatchLoadFunction; [OBSERVED]?: true };
  if (internal[OBSERVED]) return loader;
  internal[OBSERVED] = true;
  const batch = internal._batchLoadFn;
  // A DataLoader release that renamed its batch function leaves loaders unmeasured, not broken (the metrics test notices).
  if (typeof batch !== 'function') return loader;
  internal._batchLoadFn = (keys) => {
    record(name, keys.length);
    return batch(keys);
  };
  return loader;
}

/**
 * A request's loaders with their batch sizes recorded, labelled by their names in the context (a
 * fixed set). Loader factories such as `historyPage(limit, before)` have their loaders measured too.
 */
export function observeBatchSizes<T extends object>(loaders: T, record: (loader: string, size: number) => void): T {
  const entries = Object.entries(loaders).map(([name, value]: [string, unknown]) => {
    if (typeof value !== 'function') return [name, observeLoader(value, name, record)];
    const factory = value as (...args: unknown[]) => unknown;
    return [name, (...args: unknown[]) => observeLoader(factory.apply(loaders, args), name, record)];
  });
  return Object.fromEntries(entries) as T;
}
