/**
 * The flow filter language used by the CLI, the HTTP API and the dashboard: parse text into a
 * typed tree, print a tree canonically, compile it to parameterised SQL, and list the fields.
 * `compileFilter` lives with the query layer (`../query/filter-sql.ts`) and is re-exported here
 * so callers have one entry point; that module reads `ast.ts` and `fields.ts` directly.
 */
import type { FilterExpr } from './ast.js';
import { FIELDS, type FieldSpec } from './fields.js';
import { parse } from './parser.js';
import { print } from './print.js';

export { type CompiledFilter, compileFilter } from '../query/filter-sql.js';
export type { CompareOp, Direction, FilterExpr, FilterValue, Predicate } from './ast.js';
export type { FieldName, FieldSpec, ValueKind } from './fields.js';
export { FilterSyntaxError } from './syntax-error.js';

/** Parses filter text. Throws FilterSyntaxError, and nothing else, for any input. */
export function parseFilter(text: string): FilterExpr {
  return parse(text);
}

/** Canonical text of a filter; `parseFilter(printFilter(e))` deep-equals `e`. */
export function printFilter(expr: FilterExpr): string {
  return print(expr);
}

/** The field catalogue in documentation order, for help text and autocomplete. */
export function filterFields(): readonly FieldSpec[] {
  return FIELDS;
}
