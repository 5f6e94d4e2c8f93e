import type { Kysely } from 'kysely';
import { LRUCache } from 'lru-cache';

import type { Database } from '../../db/database';
import type { IntegrationPartnerModel, PartnerCapabilityModel } from './models';
import { findPartnersByIds } from './repository';

/** Far more than the catalog holds: a partner read is never evicted for room. */
const MAX_CACHED_PARTNERS = 10_000;

/**
 * Catalog partners by id, shared by every request of one replica. The catalog changes only when it is
 * loaded (at start or by `npm run load-catalog`), yet every read of an integration's partner was a round
 * trip of its own: half of a single read's statements. A partner read is reused for `ttlMs`, so a catalog
 * change reaches every replica's reads within that time. Writes never use it: creates and updates read
 * their partner in their own statement, so the rules (enabled, credential fields) always see the catalog
 * as committed. Unknown ids are not remembered, so a caller's guesses cannot fill it.
 *
 * Creates remember, for the same time, the partner and capabilities their lookup read (by the reference
 * the input gave), so that the next create of that partner can be validated and written in one
 * statement. That statement writes only if the partner's digest is still the one remembered: a
 * catalog change sends the create back to a fresh lookup, and the rules never pass on a stale partner.
 */
export interface PartnerCache {
  /** The partners with these ids that exist: from memory when read within the TTL, the rest in one statement. */
  findByIds(db: Kysely<Database>, ids: readonly string[]): Promise<IntegrationPartnerModel[]>;
  /** What a create's lookup last read for this partner reference (`id:…` or `key:…`), within the TTL. */
  rememberedForCreates(reference: string): PartnerForCreates | undefined;
  rememberForCreates(reference: string, partner: PartnerForCreates): void;
}

/** An enabled partner as a create's lookup read it. */
export interface PartnerForCreates {
  partner: IntegrationPartnerModel;
  partnerCapabilities: readonly PartnerCapabilityModel[];
  /** Digest of both (PARTNER_DIGEST, create-decisions.ts), which the create statement checks. */
  digest: string;
}

export function createPartnerCache(ttlMs: number): PartnerCache | undefined {
  if (ttlMs <= 0) return undefined;
  const cache = new LRUCache<string, IntegrationPartnerModel>({ max: MAX_CACHED_PARTNERS, ttl: ttlMs, updateAgeOnGet: false });
  const forCreates = new LRUCache<string, PartnerForCreates>({ max: MAX_CACHED_PARTNERS, ttl: ttlMs, updateAgeOnGet: false });
  // Reads under way, by partner id: when entries expire, the fifty requests that miss at once share one
  // statement instead of sending fifty.
  const reading = new Map<string, Promise<Map<string, IntegrationPartnerModel>>>();
  const read = (db: Kysely<Database>, ids: string[]) => {
    const batch = findPartnersByIds(db, ids)
      .then((partners) => {
        const byId = new Map<string, IntegrationPartnerModel>();
        for (const partner of partners) {
          // Shared between concurrent requests: nobody may change it in place.
          Object.freeze(partner);
          cache.set(partner.id, partner);
          byId.set(partner.id, partner);
        }
        return byId;
      })
      .finally(() => {
        for (const id of ids) reading.delete(id);
      });
    for (const id of ids) reading.set(id, batch);
    return batch;
  };
  return {
    rememberedForCreates: (reference) => forCreates.get(reference),
    rememberForCreates(reference, remembered) {
      // Shared between concurrent requests: nobody may change it in place.
      Object.freeze(remembered.partner);
      remembered.partnerCapabilities.forEach((capability) => Object.freeze(capability));
      forCreates.set(reference, Object.freeze({ ...remembered, partnerCapabilities: Object.freeze([...remembered.partnerCapabilities]) }));
    },
    async findByIds(db, ids) {
      const found: IntegrationPartnerModel[] = [];
      const missing: string[] = [];
      const pending = new Set<Promise<Map<string, IntegrationPartnerModel>>>();
      const awaited: string[] = [];
      for (const id of ids) {
        const partner = cache.get(id);
        if (partner) {
          found.push(partner);
          continue;
        }
        const underway = reading.get(id);
        if (underway) {
          pending.add(underway);
          awaited.push(id);
        } else missing.push(id);
      }
      if (missing.length > 0) pending.add(read(db, missing));
      if (pending.size === 0) return found;
      const batches = await Promise.all(pending);
      for (const id of [...awaited, ...missing]) {
        for (const batch of batches) {
          const partner = batch.get(id);
          if (partner) {
            found.push(partner);
            break;
          }
        }
      }
      return found;
    },
  };
}
