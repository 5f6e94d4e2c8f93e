import type { Kysely } from 'kysely';

import type { Database } from '../../db/database';

/** A value re-encrypted outside the transaction: written only if its row still holds the old ciphertext. */
export interface GuardedRewrite {
  id: string;
  oldKeyId: string;
  oldCiphertext: Buffer;
  keyId: string;
  ciphertext: Buffer;
}

/** Where a table (keyed by `id`) keeps one encrypted value and the id of its key. */
export interface EncryptedColumn {
  table: 'webhook_endpoints' | 'webhook_deliveries';
  ciphertext: string;
  keyId: string;
}

/**
 * Writes a batch of re-encrypted values in one transaction, each compare-and-set against the ciphertext
 * it was decrypted from (a value changed meanwhile is left for the next run). Returns how many were written.
 */
export async function applyGuardedRewrites(db: Kysely<Database>, column: EncryptedColumn, rewrites: readonly GuardedRewrite[]): Promise<number> {
  if (rewrites.length === 0) return 0;
  // Only `trx` inside: on PGlite a query on `db` would wait forever for the single backend.
  return db.transaction().execute(async (trx) => {
    // The column names vary by table; each is one of EncryptedColumn's literal pairs.
    const untyped = trx as unknown as Kysely<Record<string, Record<string, unknown>>>;
    let count = 0;
    for (const rewrite of rewrites) {
      const { numUpdatedRows } = await untyped
        .updateTable(column.table)
        .set({ [column.ciphertext]: rewrite.ciphertext, [column.keyId]: rewrite.keyId })
        .where('id', '=', rewrite.id)
        .where(column.keyId, '=', rewrite.oldKeyId)
        .where(column.ciphertext, '=', rewrite.oldCiphertext)
        .executeTakeFirst();
      if (numUpdatedRows === 1n) count += 1;
    }
    return count;
  });
}
