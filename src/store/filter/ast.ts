/**
 * The typed syntax tree of a flow filter. Values are already parsed and normalised (addresses as
 * bytes, sizes and durations as integers, enum members in their canonical spelling), so two
 * filters that mean the same predicate on the same field produce deep-equal trees, and a tree
 * printed by `printFilter` parses back to itself.
 */
import type { FieldName } from './fields.js';

/** `src` / `dst` pick one side of a two-sided field; `any` matches either side. */
export type Direction = 'src' | 'dst' | 'any';

/** `~` is a case-insensitive substring match; `!=` always means `not (… = …)`. */
export type CompareOp = '=' | '!=' | '<' | '<=' | '>' | '>=' | '~';

export type FilterValue =
  /** 4 bytes (IPv4) or 16 bytes (IPv6). */
  | { type: 'ip'; bytes: Uint8Array }
  /** A network address with no host bits set; `prefix` counts within the family. */
  | { type: 'cidr'; bytes: Uint8Array; prefix: number }
  /** A non-negative safe integer: a count, a port, a protocol number, microseconds of duration. */
  | { type: 'number'; value: number }
  /** Inclusive, `lo <= hi`; only with `=` and `!=`. */
  | { type: 'range'; lo: number; hi: number }
  | { type: 'string'; value: string }
  /** A member of the field's enumeration, canonical spelling. */
  | { type: 'enum'; value: string }
  /** TCP flag bits (FIN = 0x01 … CWR = 0x80), non-zero. */
  | { type: 'flags'; mask: number };

export interface Predicate {
  kind: 'predicate';
  /** Canonical field name from the catalogue (never an alias). */
  field: FieldName;
  /** Always `any` for one-sided fields. */
  dir: Direction;
  op: CompareOp;
  /** Null only for fields that take no value (`threat`). */
  value: FilterValue | null;
}

export type FilterExpr =
  | Predicate
  /** Two or more operands. Written `a and b and c`; nesting is kept as written. */
  | { kind: 'and'; args: FilterExpr[] }
  | { kind: 'or'; args: FilterExpr[] }
  | { kind: 'not'; arg: FilterExpr };
