/**
 * A tagged template for building parameterised SQL: every interpolated value becomes a `?`
 * placeholder and its parameter, in textual order, so a statement assembled from fragments keeps
 * its placeholders and parameters aligned. Identifiers and other SQL text enter only through
 * `ident`, which takes members of this folder's fixed whitelists, never user text.
 */
import type { StoreParam } from '../store.js';

/** A SQL fragment with `?` placeholders and their parameters, in order. */
export interface Sql {
  readonly text: string;
  readonly params: readonly StoreParam[];
}

const SQL = Symbol('sql');
interface Fragment extends Sql {
  readonly [SQL]: true;
}

function fragment(text: string, params: readonly StoreParam[]): Fragment {
  return { [SQL]: true, text, params };
}

function isFragment(value: unknown): value is Fragment {
  return typeof value === 'object' && value !== null && SQL in value;
}

/** `sql\`a = ${value} AND ${otherFragment}\``: values bind as parameters, fragments inline. */
export function sql(strings: TemplateStringsArray, ...values: (StoreParam | Sql)[]): Fragment {
  let text = strings[0];
  const params: StoreParam[] = [];
  values.forEach((value, i) => {
    if (isFragment(value)) {
      text += value.text;
      params.push(...value.params);
    } else {
      text += '?';
      params.push(value as StoreParam);
    }
    text += strings[i + 1];
  });
  return fragment(text, params);
}

/**
 * Trusted SQL text: column names and expressions from this folder's whitelists, and fragments
 * already compiled with their own parameters (`compileFilter`). Never pass user text.
 */
export function ident(text: string, params: readonly StoreParam[] = []): Fragment {
  return fragment(text, params);
}

/** Joins fragments with a separator (`, `, ` AND `…). */
export function join(parts: readonly Sql[], separator: string): Fragment {
  return fragment(
    parts.map((p) => p.text).join(separator),
    parts.flatMap((p) => p.params),
  );
}

/** A TIMESTAMP literal from seconds since the epoch, bound as whole microseconds. */
export function timestamp(seconds: number): Fragment {
  return sql`make_timestamp(CAST(${Math.round(seconds * 1e6)} AS BIGINT))`;
}
