/**
 * The canonical printer: one spelling per tree, using canonical field names, lower-case keywords,
 * `=` left implicit, and parentheses only where the tree's shape needs them. For every tree the
 * parser can produce, `parse(print(tree))` deep-equals `tree`.
 */
import type { FilterExpr, FilterValue, Predicate } from './ast.js';
import { fieldSpec } from './fields.js';
import { formatAddress, formatCount, formatDuration, formatFlags, formatProtocol } from './values.js';

const BARE_WORD = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
const KEYWORDS = new Set(['and', 'or', 'not']);

export function print(expr: FilterExpr): string {
  switch (expr.kind) {
    case 'predicate':
      return printPredicate(expr);
    case 'not':
      return `not ${operand(expr.arg, expr.arg.kind === 'and' || expr.arg.kind === 'or')}`;
    case 'and':
      return expr.args.map((a) => operand(a, a.kind === 'and' || a.kind === 'or')).join(' and ');
    case 'or':
      return expr.args.map((a) => operand(a, a.kind === 'or')).join(' or ');
  }
}

function operand(expr: FilterExpr, parenthesize: boolean): string {
  return parenthesize ? `(${print(expr)})` : print(expr);
}

function printPredicate(p: Predicate): string {
  const dir = p.dir === 'any' ? '' : `${p.dir} `;
  if (p.value === null) return `${dir}${p.field}`;
  const op = p.op === '=' ? '' : `${p.op} `;
  return `${dir}${p.field} ${op}${printValue(p, p.value)}`;
}

function printValue(p: Predicate, value: FilterValue): string {
  const kind = fieldSpec(p.field).kind;
  const number = (n: number) =>
    kind === 'count' ? formatCount(n) : kind === 'duration' ? formatDuration(n) : String(n);
  switch (value.type) {
    case 'ip':
      return formatAddress(value.bytes);
    case 'cidr':
      return `${formatAddress(value.bytes)}/${value.prefix}`;
    case 'number':
      return kind === 'protocol' ? formatProtocol(value.value) : number(value.value);
    case 'range':
      return `${number(value.lo)}-${number(value.hi)}`;
    case 'string':
      return printString(value.value);
    case 'enum':
      return printString(value.value);
    case 'flags':
      return formatFlags(value.mask);
  }
}

/** Bare when it lexes back as one non-keyword word; otherwise double-quoted with escapes. */
export function printString(text: string): string {
  if (BARE_WORD.test(text) && !KEYWORDS.has(text.toLowerCase())) return text;
  const escaped = text.replace(/[\\"\n\r\t]/g, (ch) =>
    ch === '\n' ? '\\n' : ch === '\r' ? '\\r' : ch === '\t' ? '\\t' : `\\${ch}`,
  );
  return `"${escaped}"`;
}
