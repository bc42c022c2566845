/**
 * Recursive-descent parser from tokens to a FilterExpr. Grammar (docs/filter-language.md):
 *
 *   filter    = or EOF
 *   or        = and { ("or" | "||") and }
 *   and       = unary { ("and" | "&&") unary }
 *   unary     = ("not" | "!") unary | primary
 *   primary   = "(" or ")" | predicate
 *   predicate = [ "src" | "dst" ] field [ op ] value | shorthand | ("src" | "dst") address-or-cidr
 *
 * Adjacent predicates without an operator are an error, never an implicit `and`.
 * Every failure is a FilterSyntaxError naming the column and what was expected.
 */
import { isNetworkAddress } from '../../model/index.js';
import type { CompareOp, Direction, FilterExpr, FilterValue, Predicate } from './ast.js';
import {
  describeValue,
  type FieldName,
  type FieldSpec,
  lookupField,
  OPERATORS,
  predicateWords,
  SHORTHANDS,
} from './fields.js';
import { type Token, tokenize } from './lexer.js';
import { FilterSyntaxError } from './syntax-error.js';
import { readAddress, readCount, readDuration, readFlags, readInteger, readProtocol } from './values.js';

/** Nesting beyond this is refused rather than risking the call stack. */
const MAX_DEPTH = 200;

export function parse(text: string): FilterExpr {
  return new Parser(tokenize(text)).parseFilter();
}

class Parser {
  private pos = 0;
  private depth = 0;

  constructor(private readonly tokens: Token[]) {}

  parseFilter(): FilterExpr {
    if (this.peek().kind === 'eof') throw this.fail('a filter expression');
    const expr = this.parseOr();
    if (this.peek().kind !== 'eof') throw this.fail('"and", "or" or end of input', this.previous());
    return expr;
  }

  private parseOr(): FilterExpr {
    const args = [this.parseAnd()];
    while (this.peek().kind === 'or') {
      this.pos++;
      args.push(this.parseAnd());
    }
    return args.length === 1 ? args[0] : { kind: 'or', args };
  }

  private parseAnd(): FilterExpr {
    const args = [this.parseUnary()];
    while (this.peek().kind === 'and') {
      this.pos++;
      args.push(this.parseUnary());
    }
    return args.length === 1 ? args[0] : { kind: 'and', args };
  }

  private parseUnary(): FilterExpr {
    if (this.peek().kind !== 'not') return this.parsePrimary();
    this.pos++;
    return { kind: 'not', arg: this.nested(() => this.parseUnary()) };
  }

  private parsePrimary(): FilterExpr {
    const token = this.peek();
    if (token.kind === 'lparen') {
      this.pos++;
      const expr = this.nested(() => this.parseOr());
      if (this.peek().kind !== 'rparen') throw this.fail(`")" to close the "(" at column ${token.column}`);
      this.pos++;
      return expr;
    }
    if (token.kind !== 'word') {
      throw this.fail('a condition such as "host 10.0.0.1", "not" or "("', this.previous());
    }
    return this.parsePredicate();
  }

  private nested<T>(parse: () => T): T {
    if (++this.depth > MAX_DEPTH) throw this.fail(`at most ${MAX_DEPTH} levels of nesting`);
    try {
      return parse();
    } finally {
      this.depth--;
    }
  }

  private parsePredicate(): Predicate {
    const first = this.next();
    const word = first.text.toLowerCase();
    const shorthand = SHORTHANDS.get(word);
    if (shorthand) {
      return { kind: 'predicate', field: shorthand.field, dir: 'any', op: '=', value: num(shorthand.value) };
    }
    let dir: Direction = 'any';
    let fieldToken = first;
    if (word === 'src' || word === 'dst') {
      dir = word;
      const next = this.peek();
      const implied = next.kind === 'word' && !lookupField(next.text) ? impliedAddress(next.text) : undefined;
      if (implied) {
        this.pos++;
        return { kind: 'predicate', field: implied.field, dir, op: '=', value: implied.value };
      }
      if (next.kind !== 'word') throw this.fail('a field such as host, net or port', first);
      fieldToken = this.next();
    }
    const spec = lookupField(fieldToken.text);
    if (!spec) {
      const suggestion = suggest(fieldToken.text.toLowerCase());
      throw new FilterSyntaxError(fieldToken.column, 'a field name', fieldToken.text, undefined, suggestion);
    }
    const field = spec.name as FieldName;
    if (dir !== 'any' && !spec.sided) {
      throw new FilterSyntaxError(
        fieldToken.column,
        'a field with a source and destination side',
        fieldToken.text,
        first.text,
      );
    }
    if (spec.kind === 'presence') return { kind: 'predicate', field, dir, op: '=', value: null };
    let op: CompareOp = '=';
    let before = fieldToken;
    const opToken = this.peek();
    if (opToken.kind === 'op') {
      const allowed = OPERATORS[spec.kind];
      if (!allowed.includes(opToken.value as CompareOp)) {
        throw new FilterSyntaxError(
          opToken.column,
          `one of ${allowed.join(' ')}`,
          opToken.text,
          fieldToken.text,
        );
      }
      op = opToken.value as CompareOp;
      before = this.next();
    }
    const valueToken = this.peek();
    if (valueToken.kind !== 'word' && valueToken.kind !== 'string')
      throw this.failValue(spec, valueToken, before);
    this.pos++;
    const value = readValue(spec, valueToken.value);
    if (value === undefined) throw this.failValue(spec, valueToken, before);
    if (value.type === 'range' && op !== '=' && op !== '!=') {
      throw new FilterSyntaxError(
        valueToken.column,
        'a single value (a range needs = or !=)',
        valueToken.text,
        before.text,
      );
    }
    return { kind: 'predicate', field, dir, op, value };
  }

  private failValue(spec: FieldSpec, token: Token, before: Token): FilterSyntaxError {
    let expected = describeValue(spec);
    if (spec.kind === 'integer' && /^[0-9]+(-[0-9]+)?$/.test(token.value)) {
      expected += ` (${spec.min}-${spec.max}${token.value.includes('-') ? ', low-high' : ''})`;
    }
    if (spec.kind === 'network') {
      const cidr = readNetwork(token.value, false);
      if (cidr && !isNetworkAddress(cidr)) expected = 'a network address with no host bits set';
    }
    if (spec.kind === 'address' && readNetwork(token.value, false)) expected += ' (use "net" for a network)';
    return new FilterSyntaxError(token.column, expected, found(token), before.text);
  }

  private peek(): Token {
    return this.tokens[this.pos];
  }

  private next(): Token {
    return this.tokens[this.pos++];
  }

  private previous(): Token | undefined {
    return this.pos > 0 ? this.tokens[this.pos - 1] : undefined;
  }

  private fail(expected: string, after?: Token): FilterSyntaxError {
    const token = this.peek();
    return new FilterSyntaxError(token.column, expected, found(token), after?.text);
  }
}

function found(token: Token): string | undefined {
  return token.kind === 'eof' ? undefined : token.text;
}

function num(value: number): FilterValue {
  return { type: 'number', value };
}

/** `src 10.0.0.1` is `src host 10.0.0.1`; `src 10.0.0.0/8` is `src net 10.0.0.0/8`. */
function impliedAddress(text: string): { field: FieldName; value: FilterValue } | undefined {
  const bytes = readAddress(text);
  if (bytes) return { field: 'host', value: { type: 'ip', bytes } };
  const cidr = readNetwork(text, true);
  return cidr ? { field: 'net', value: cidr } : undefined;
}

/** `a.b.c.d/n` or `x::/n` (and, if `bareAddress`, a plain address as a full-length prefix). */
function readNetwork(text: string, bareAddress: boolean): (FilterValue & { type: 'cidr' }) | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) {
    const bytes = bareAddress ? readAddress(text) : undefined;
    return bytes ? { type: 'cidr', bytes, prefix: bytes.length * 8 } : undefined;
  }
  const bytes = readAddress(text.slice(0, slash));
  if (!bytes) return undefined;
  const prefix = readInteger(text.slice(slash + 1), 0, bytes.length * 8);
  return prefix === undefined ? undefined : { type: 'cidr', bytes, prefix };
}

/** Reads either `n` or a range `lo-hi` with `read`; undefined if malformed or `lo > hi`. */
function readNumberOrRange(
  text: string,
  read: (part: string) => number | undefined,
): FilterValue | undefined {
  const dash = text.indexOf('-');
  if (dash < 0) {
    const value = read(text);
    return value === undefined ? undefined : num(value);
  }
  const lo = read(text.slice(0, dash));
  const hi = read(text.slice(dash + 1));
  if (lo === undefined || hi === undefined || lo > hi) return undefined;
  return { type: 'range', lo, hi };
}

function readValue(spec: FieldSpec, text: string): FilterValue | undefined {
  switch (spec.kind) {
    case 'address': {
      const bytes = readAddress(text);
      return bytes ? { type: 'ip', bytes } : undefined;
    }
    case 'network': {
      const cidr = readNetwork(text, true);
      return cidr && isNetworkAddress(cidr) ? cidr : undefined;
    }
    case 'integer':
      return readNumberOrRange(text, (part) =>
        readInteger(part, spec.min ?? 0, spec.max ?? Number.MAX_SAFE_INTEGER),
      );
    case 'count':
      return readNumberOrRange(text, readCount);
    case 'duration':
      return readNumberOrRange(text, readDuration);
    case 'protocol': {
      const value = readProtocol(text);
      return value === undefined ? undefined : num(value);
    }
    case 'string':
    case 'tag':
      return { type: 'string', value: text };
    case 'enum': {
      const member = spec.values?.find((v) => v.toLowerCase() === text.toLowerCase());
      return member === undefined ? undefined : { type: 'enum', value: member };
    }
    case 'country':
      return /^[A-Za-z]{2}$/.test(text) ? { type: 'enum', value: text.toUpperCase() } : undefined;
    case 'flags': {
      const mask = readFlags(text);
      return mask === undefined ? undefined : { type: 'flags', mask };
    }
    case 'presence':
      return undefined;
  }
}

/** The known word closest to `word` by optimal string alignment distance, if close enough. */
function suggest(word: string): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.min(2, Math.floor(word.length / 2));
  for (const candidate of predicateWords()) {
    const d = distance(word, candidate);
    if (d <= bestDistance && (d < bestDistance || best === undefined)) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

function distance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  const d: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    d.push([i]);
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) {
        d[i].push(j);
        continue;
      }
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        v = Math.min(v, d[i - 2][j - 2] + 1);
      d[i].push(v);
    }
  }
  return d[a.length][b.length];
}
