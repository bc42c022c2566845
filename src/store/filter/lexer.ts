/**
 * Splits filter text into tokens. A word is any run of characters other than white space and
 * `( ) " ' = ! < > ~ & |`, so addresses (`2001:db8::/32`), sizes (`1M`), ranges (`1024-65535`)
 * and field names are all single words; the parser decides what a word means where it stands.
 * Quoted strings take `"` or `'` and the escapes `\\ \" \' \n \r \t`.
 */
import { FilterSyntaxError } from './syntax-error.js';

export type TokenKind = 'word' | 'string' | 'lparen' | 'rparen' | 'and' | 'or' | 'not' | 'op' | 'eof';

export interface Token {
  kind: TokenKind;
  /** The source text of the token (quotes and escapes included for strings). */
  text: string;
  /** Decoded string contents for `string`, the operator for `op` (`==` reads as `=`), else `text`. */
  value: string;
  /** 1-based column of the first character. */
  column: number;
}

const SPECIAL = new Set(['(', ')', '"', "'", '=', '!', '<', '>', '~', '&', '|']);
const ESCAPES = new Map([
  ['\\', '\\'],
  ['"', '"'],
  ["'", "'"],
  ['n', '\n'],
  ['r', '\r'],
  ['t', '\t'],
]);
const KEYWORDS = new Map<string, TokenKind>([
  ['and', 'and'],
  ['or', 'or'],
  ['not', 'not'],
]);

function isSpace(ch: string): boolean {
  return /\s/.test(ch);
}

/** Tokens of `text`, ending with one `eof`. Throws FilterSyntaxError on a lexical error. */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const push = (kind: TokenKind, start: number, end: number, value?: string) => {
    const raw = text.slice(start, end);
    tokens.push({ kind, text: raw, value: value ?? raw, column: start + 1 });
  };
  while (i < text.length) {
    const ch = text[i];
    const next = text[i + 1];
    if (isSpace(ch)) {
      i++;
    } else if (ch === '(' || ch === ')') {
      push(ch === '(' ? 'lparen' : 'rparen', i, i + 1);
      i++;
    } else if (ch === '"' || ch === "'") {
      i = readString(text, i, push);
    } else if ((ch === '&' || ch === '|') && next === ch) {
      push(ch === '&' ? 'and' : 'or', i, i + 2);
      i += 2;
    } else if (ch === '&' || ch === '|') {
      throw new FilterSyntaxError(i + 1, `"${ch}${ch}"`, ch);
    } else if (ch === '!' && next !== '=') {
      push('not', i, i + 1);
      i++;
    } else if (ch === '~') {
      push('op', i, i + 1);
      i++;
    } else if (ch === '=' || ch === '!' || ch === '<' || ch === '>') {
      const two = next === '=';
      const op = ch === '=' ? '=' : two ? `${ch}=` : ch;
      push('op', i, i + (two ? 2 : 1), op);
      i += two ? 2 : 1;
    } else {
      const start = i;
      while (i < text.length && !SPECIAL.has(text[i]) && !isSpace(text[i])) i++;
      const word = text.slice(start, i);
      push(KEYWORDS.get(word.toLowerCase()) ?? 'word', start, i);
    }
  }
  tokens.push({ kind: 'eof', text: '', value: '', column: text.length + 1 });
  return tokens;
}

function readString(
  text: string,
  start: number,
  push: (kind: TokenKind, start: number, end: number, value: string) => void,
): number {
  const quote = text[start];
  let value = '';
  let i = start + 1;
  while (i < text.length && text[i] !== quote) {
    if (text[i] === '\\') {
      const escaped = ESCAPES.get(text[i + 1]);
      if (escaped === undefined) {
        const found = i + 1 < text.length ? text[i + 1] : undefined;
        throw new FilterSyntaxError(i + 2, 'one of \\\\ \\" \\\' \\n \\r \\t', found, '\\');
      }
      value += escaped;
      i += 2;
    } else {
      value += text[i];
      i++;
    }
  }
  if (i >= text.length) {
    throw new FilterSyntaxError(
      text.length + 1,
      `a closing ${quote} for the string at column ${start + 1}`,
      undefined,
    );
  }
  push('string', start, i + 1, value);
  return i + 1;
}
