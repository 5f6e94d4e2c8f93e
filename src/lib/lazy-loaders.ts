import type { Kysely } from 'kysely';

import type { Database } from '../db/database';

/** Builds one module's loaders for a request; `shared` holds what outlives requests (the replica's caches). */
export type LoaderGroupFactory<Scope, Shared> = (db: Kysely<Database>, scope: Scope, shared: Shared | undefined) => object;

export interface LoaderSetOptions<Shared> {
  /** Wraps each group once it is built (metrics of batch sizes). */
  observe?: <T extends object>(group: T) => T;
  shared?: Shared;
}

interface LoaderSetState<Scope, Shared> extends LoaderSetOptions<Shared> {
  db: Kysely<Database>;
  scope: Scope;
  groups: Array<object | undefined>;
}

/**
 * A request's loaders, each module's group built on first use. A request reading one integration
 * touches two of some fifteen loaders; building them all (and wrapping them for metrics) was a tenth of
 * such a request's allocations. Property access stays a plain prototype getter, so resolvers see an
 * ordinary object.
 *
 * The getters are defined once per factory list, by names read off one throwaway build (DataLoader
 * construction touches no database).
 */
export function lazyLoaderSet<Scope, Shared, Loaders extends object>(
  factories: ReadonlyArray<LoaderGroupFactory<Scope, Shared>>,
  probeScope: Scope,
): (db: Kysely<Database>, scope: Scope, options?: LoaderSetOptions<Shared>) => Loaders {
  const prototype: object = {};
  factories.forEach((factory, index) => {
    for (const name of Object.keys(factory(undefined as unknown as Kysely<Database>, probeScope, undefined))) {
      Object.defineProperty(prototype, name, {
        enumerable: true,
        get(this: LoaderSetState<Scope, Shared>) {
          let group = this.groups[index];
          if (!group) {
            group = factory(this.db, this.scope, this.shared);
            if (this.observe) group = this.observe(group);
            this.groups[index] = group;
          }
          return (group as Record<string, unknown>)[name];
        },
      });
    }
  });
  return (db, scope, options) => {
    const state: LoaderSetState<Scope, Shared> = Object.create(prototype);
    state.db = db;
    state.scope = scope;
    state.observe = options?.observe;
    state.shared = options?.shared;
    state.groups = [];
    return state as unknown as Loaders;
  };
}
