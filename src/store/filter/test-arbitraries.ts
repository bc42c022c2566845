/**
 * fast-check generators of well-formed filter trees (the shapes the parser produces), shared by
 * the filter and SQL property tests. Test support only; nothing in the product imports it.
 */
import fc from 'fast-check';
import { cidrRange } from '../../model/index.js';
import type { CompareOp, Direction, FilterExpr, FilterValue, Predicate } from './ast.js';
import { FIELDS, type FieldName, type FieldSpec, OPERATORS } from './fields.js';

/** Strings that must survive as data: quotes, escapes, SQL, keywords, unicode, controls. */
export const NASTY_STRINGS = [
  "'; DROP TABLE flows; --",
  '" OR 1=1 --',
  'a\\b\\\\c',
  'and',
  'NOT',
  '',
  ' ',
  '?',
  '$1',
  'line\nbreak\ttab\r',
  'ünïcødé 日本語 🚀',
  '\u0000\u001f\u007f',
  '\uD800',
  '%_',
];

export const stringValue: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...NASTY_STRINGS),
  fc.string({ unit: 'grapheme', maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.string({ maxLength: 12 }),
);

const bytesOf = (length: number) => fc.uint8Array({ minLength: length, maxLength: length });

function bigintToBytes(value: bigint, length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = length - 1; i >= 0; i--) {
    bytes[i] = Number(value & 0xffn);
    value >>= 8n;
  }
  return bytes;
}

const network: fc.Arbitrary<FilterValue> = fc.oneof(bytesOf(4), bytesOf(16)).chain((bytes) =>
  fc.integer({ min: 0, max: bytes.length * 8 }).map((prefix) => {
    const { lo } = cidrRange({ bytes, prefix });
    // cidrRange maps IPv4 into IPv6; the low 32 bits are the IPv4 network.
    const masked = bigintToBytes(bytes.length === 4 ? lo & 0xffffffffn : lo, bytes.length);
    return { type: 'cidr' as const, bytes: masked, prefix };
  }),
);

function numeric(min: number, max: number, op: CompareOp): fc.Arbitrary<FilterValue> {
  const single = fc.integer({ min, max }).map((value) => ({ type: 'number' as const, value }));
  if (op !== '=' && op !== '!=') return single;
  const range = fc
    .tuple(fc.integer({ min, max }), fc.integer({ min, max }))
    .map(([a, b]) => ({ type: 'range' as const, lo: Math.min(a, b), hi: Math.max(a, b) }));
  return fc.oneof(single, range);
}

function valueFor(spec: FieldSpec, op: CompareOp): fc.Arbitrary<FilterValue> {
  switch (spec.kind) {
    case 'address':
      return fc.oneof(bytesOf(4), bytesOf(16)).map((bytes) => ({ type: 'ip' as const, bytes }));
    case 'network':
      return network;
    case 'integer':
      return numeric(spec.min ?? 0, spec.max ?? Number.MAX_SAFE_INTEGER, op);
    case 'count':
    case 'duration':
      return numeric(0, Number.MAX_SAFE_INTEGER, op);
    case 'protocol':
      return fc.integer({ min: 0, max: 255 }).map((value) => ({ type: 'number' as const, value }));
    case 'string':
    case 'tag':
      return stringValue.map((value) => ({ type: 'string' as const, value }));
    case 'enum':
      return fc.constantFrom(...(spec.values ?? [])).map((value) => ({ type: 'enum' as const, value }));
    case 'country':
      return fc
        .tuple(fc.integer({ min: 65, max: 90 }), fc.integer({ min: 65, max: 90 }))
        .map(([a, b]) => ({ type: 'enum' as const, value: String.fromCharCode(a, b) }));
    case 'flags':
      return fc.integer({ min: 1, max: 255 }).map((mask) => ({ type: 'flags' as const, mask }));
    case 'presence':
      throw new Error('presence fields take no value');
  }
}

export function predicateFor(spec: FieldSpec): fc.Arbitrary<Predicate> {
  const field = spec.name as FieldName;
  const dirs: Direction[] = spec.sided ? ['any', 'src', 'dst'] : ['any'];
  if (spec.kind === 'presence') {
    return fc.constant({
      kind: 'predicate' as const,
      field,
      dir: 'any' as const,
      op: '=' as const,
      value: null,
    });
  }
  return fc
    .tuple(fc.constantFrom(...dirs), fc.constantFrom(...OPERATORS[spec.kind]))
    .chain(([dir, op]) =>
      valueFor(spec, op).map((value) => ({ kind: 'predicate' as const, field, dir, op, value })),
    );
}

export const predicate: fc.Arbitrary<Predicate> = fc.oneof(
  ...(FIELDS as readonly FieldSpec[]).map(predicateFor),
);

export const filterExpr: fc.Arbitrary<FilterExpr> = fc.letrec<{ expr: FilterExpr }>((tie) => ({
  expr: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    predicate,
    fc.record({ kind: fc.constant('not' as const), arg: tie('expr') }),
    fc.record({
      kind: fc.constant('and' as const),
      args: fc.array(tie('expr'), { minLength: 2, maxLength: 4 }),
    }),
    fc.record({
      kind: fc.constant('or' as const),
      args: fc.array(tie('expr'), { minLength: 2, maxLength: 4 }),
    }),
  ),
})).expr;
