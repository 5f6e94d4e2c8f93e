import { CompiledQuery, type Compilable, type Kysely } from 'kysely';
import { LRUCache } from 'lru-cache';

import type { Database } from './database';

/** Stands for a value in a query built once per shape; each run supplies the value by name. */
class Parameter {
  constructor(readonly name: string) {}
}

interface Template {
  sql: string;
  /** Each parameter's name, split at its first dot: `[name]`, or `[group, key]` for `values[group][key]`. */
  parameterNames: Array<[string] | [string, string]>;
}

/**
 * A placeholder for the value `name` in a template, typed as the value it stands for. A dotted name,
 * `group.key`, stands for `values[group][key]`: a row's many columns are passed as the row itself,
 * rather than copied under names of their own for every run.
 */
export function param<T>(name: string): T {
  return new Parameter(name) as unknown as T;
}

/** Distinct query shapes kept; a shape past it is built again when next used. */
const MAX_TEMPLATES = 1000;

/**
 * Hot reads build the same SQL for every request of the same shape (the same projection, the same
 * filters present), and Kysely's building and compiling showed in profiles. A template is built once
 * per shape, with `param(name)` wherever a value goes, and each run binds the values by name. Every
 * value must be a parameter (constants may be `sql.lit`): a value bound by Kysely itself would be frozen
 * into the template for every later request of the shape, so compiling one is refused. The shape key
 * must name everything that changes the SQL text.
 */
export class QueryTemplates {
  private readonly templates = new LRUCache<string, Template>({ max: MAX_TEMPLATES });

  async execute<R>(db: Kysely<Database>, shape: string, build: () => Compilable<R>, values: Record<string, unknown>): Promise<R[]> {
    let template = this.templates.get(shape);
    if (!template) {
      const compiled = build().compile();
      const parameterNames = compiled.parameters.map((parameter, index): Template['parameterNames'][number] => {
        if (!(parameter instanceof Parameter)) {
          throw new Error(`Query template "${shape}": parameter ${index + 1} is a literal; use param().`);
        }
        const dot = parameter.name.indexOf('.');
        return dot < 0 ? [parameter.name] : [parameter.name.slice(0, dot), parameter.name.slice(dot + 1)];
      });
      template = { sql: compiled.sql, parameterNames };
      this.templates.set(shape, template);
    }
    const parameters = template.parameterNames.map(([name, key]) => {
      const value = values[name];
      if (key === undefined ? !(name in values) : typeof value !== 'object' || value === null || !(key in value)) {
        throw new Error(`Query template "${shape}": no value for "${key === undefined ? name : `${name}.${key}`}".`);
      }
      return key === undefined ? value : (value as Record<string, unknown>)[key];
    });
    const result = await db.executeQuery(CompiledQuery.raw(template.sql, parameters));
    return result.rows as R[];
  }
}
