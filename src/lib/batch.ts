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
