import type { Kysely } from 'kysely';

import type { Database } from '../db/database';

/** Builds one module's loaders for a request. */
export type LoaderGroupFactory<Scope> = (db: Kysely<Database>, scope: Scope) => object;

interface LoaderSetState<Scope> {
  db: Kysely<Database>;
  scope: Scope;
  observe: (<T extends object>(group: T) => T) | undefined;
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
export function lazyLoaderSet<Scope, Loaders extends object>(
  factories: ReadonlyArray<LoaderGroupFactory<Scope>>,
  probeScope: Scope,
): (db: Kysely<Database>, scope: Scope, observe?: <T extends object>(group: T) => T) => Loaders {
  const prototype: object = {};
  factories.forEach((factory, index) => {
    for (const name of Object.keys(factory(undefined as unknown as Kysely<Database>, probeScope))) {
      Object.defineProperty(prototype, name, {
        enumerable: true,
        get(this: LoaderSetState<Scope>) {
          let group = this.groups[index];
          if (!group) {
            group = factory(this.db, this.scope);
            if (this.observe) group = this.observe(group);
            this.groups[index] = group;
          }
          return (group as Record<string, unknown>)[name];
        },
      });
    }
  });
  return (db, scope, observe) => {
    const state: LoaderSetState<Scope> = Object.create(prototype);
    state.db = db;
    state.scope = scope;
    state.observe = observe;
    state.groups = [];
    return state as unknown as Loaders;
  };
}
