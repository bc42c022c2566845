import { describe, expect, it } from 'vitest';
import { FlowlensError } from '../../shared/index.js';
import { type FilterExpr, FilterSyntaxError, filterFields, parseFilter, printFilter } from './index.js';

const v4 = (text: string) => Uint8Array.from(text.split('.').map(Number));

function syntaxError(text: string): FilterSyntaxError {
  try {
    parseFilter(text);
  } catch (error) {
    if (error instanceof FilterSyntaxError) return error;
    throw error;
  }
  throw new Error(`parsed without error: ${text}`);
}

describe('parseFilter', () => {
  it('builds a typed tree', () => {
    expect(parseFilter('src host 10.0.0.1 and dst port 443')).toEqual({
      kind: 'and',
      args: [
        {
          kind: 'predicate',
          field: 'host',
          dir: 'src',
          op: '=',
          value: { type: 'ip', bytes: v4('10.0.0.1') },
        },
        { kind: 'predicate', field: 'port', dir: 'dst', op: '=', value: { type: 'number', value: 443 } },
      ],
    } satisfies FilterExpr);
  });

  it('gives not > and > or precedence', () => {
    expect(printFilter(parseFilter('not tcp and port 1 or port 2 and port 3'))).toBe(
      'not proto tcp and port 1 or port 2 and port 3',
    );
    const tree = parseFilter('not tcp and port 1 or port 2');
    expect(tree.kind).toBe('or');
    if (tree.kind === 'or') {
      expect(tree.args[0].kind).toBe('and');
      if (tree.args[0].kind === 'and') expect(tree.args[0].args[0].kind).toBe('not');
    }
  });

  it('accepts the symbolic operators and any keyword case', () => {
    expect(parseFilter('tcp && !(port 80 || port 443)')).toEqual(
      parseFilter('TCP AND NOT (PORT 80 Or port 443)'),
    );
  });

  it.each([
    ['net 192.168.0.0/16', 'net 192.168.0.0/16'],
    ['src net 2001:DB8::/32', 'src net 2001:db8::/32'],
    ['dst net 10.0.0.1', 'dst net 10.0.0.1/32'],
    ['src 10.0.0.1', 'src host 10.0.0.1'],
    ['dst 10.0.0.0/8', 'dst net 10.0.0.0/8'],
    ['host ::ffff:10.0.0.1', 'host ::ffff:10.0.0.1'],
    ['proto udp and not port 53', 'proto udp and not port 53'],
    ['proto 17', 'proto udp'],
    ['protocol 200', 'proto 200'],
    ['icmp6', 'proto icmpv6'],
    ['ip6', 'ipver 6'],
    ['bytes > 1M', 'bytes > 1M'],
    ['bytes > 1000000', 'bytes > 1M'],
    ['bytes >= 1.5K', 'bytes >= 1500'],
    ['octets < 2G', 'bytes < 2G'],
    ['packets >= 10', 'packets >= 10'],
    ['pkts == 10', 'packets 10'],
    ['duration > 5s', 'duration > 5s'],
    ['dur < 1500ms', 'duration < 1500ms'],
    ['duration >= 0.5', 'duration >= 500ms'],
    ['sni ~ "example"', 'sni ~ example'],
    ["sni = 'a b'", 'sni "a b"'],
    ['app tls', 'app tls'],
    ['application "and"', 'app "and"'],
    ['host 10.0.0.1', 'host 10.0.0.1'],
    ['port 80', 'port 80'],
    ['src port 1024-65535', 'src port 1024-65535'],
    ['port != 80', 'port != 80'],
    ['vlan 10', 'vlan 10'],
    ['state sf', 'state SF'],
    ['end_reason IDLE-TIMEOUT', 'end_reason idle-timeout'],
    ['country ru', 'country RU'],
    ['dst country != cn', 'dst country != CN'],
    ['asn 15169', 'asn 15169'],
    ['src as 64512-65534', 'src asn 64512-65534'],
    ['threat', 'threat'],
    ['tag botnet', 'tag botnet'],
    ['http_host "www.example.com"', 'http_host www.example.com'],
    ['dns ~ "x"', 'dns ~ x'],
    ['exporter 10.1.1.1', 'exporter 10.1.1.1'],
    ['source NetFlow', 'source netflow'],
    ['flags as', 'flags SA'],
    ['tunnel vxlan and vni 42', 'tunnel vxlan and tunnel_id 42'],
    ['(port 1 or port 2) and (port 3 or port 4)', '(port 1 or port 2) and (port 3 or port 4)'],
    ['port 1 or (port 2 or port 3)', 'port 1 or (port 2 or port 3)'],
    ['((port 1))', 'port 1'],
    ['not not port 1', 'not not port 1'],
    ['sni "say \\"hi\\"\\\\"', 'sni "say \\"hi\\"\\\\"'],
  ])('%s prints as %s', (text, canonical) => {
    const tree = parseFilter(text);
    expect(printFilter(tree)).toBe(canonical);
    expect(parseFilter(canonical)).toEqual(tree);
  });

  it('reads escapes in strings', () => {
    const tree = parseFilter(String.raw`sni "a\"b\\c\'d\ne\tf"`);
    expect(tree).toMatchObject({ value: { type: 'string', value: 'a"b\\c\'d\ne\tf' } });
  });
});

describe('FilterSyntaxError', () => {
  it.each([
    // [input, column, expected (substring), message (substring)]
    ['', 1, 'a filter expression', 'column 1: expected a filter expression, got end of input'],
    ['   ', 4, 'a filter expression', 'got end of input'],
    [
      'src host 10.0.0.1 and dst port abc',
      32,
      'a port number',
      'column 32: expected a port number after "port", got "abc"',
    ],
    ['port', 5, 'a port number', 'after "port", got end of input'],
    ['port 70000', 6, 'a port number (0-65535)', 'got "70000"'],
    ['port 90-80', 6, 'a port number', 'got "90-80"'],
    ['hots 10.0.0.1', 1, 'a field name', 'got "hots" (did you mean "host"?)'],
    ['sourc netflow', 1, 'a field name', '(did you mean "source"?)'],
    ['port 80 and qwertyuiop 1', 13, 'a field name', 'got "qwertyuiop"'],
    ['(port 80', 9, '")" to close the "(" at column 1', 'got end of input'],
    ['port 80)', 8, '"and", "or" or end of input', 'after "80", got ")"'],
    ['()', 2, 'a condition', 'after "(", got ")"'],
    ['host 10.0.0.256', 6, 'an IP address', 'got "10.0.0.256"'],
    ['host 10.0.0.0/8', 6, 'use "net"', 'got "10.0.0.0/8"'],
    ['net 10.1.0.0/8', 5, 'no host bits set', 'got "10.1.0.0/8"'],
    ['net 10.0.0.0/33', 5, 'a network', 'got "10.0.0.0/33"'],
    ['net 2001:db8:::/32', 5, 'a network', 'got "2001:db8:::/32"'],
    ['port 80 port 81', 9, '"and", "or" or end of input', 'after "80", got "port"'],
    ['tcp udp', 5, '"and", "or" or end of input', 'got "udp"'],
    ['port 80 and', 12, 'a condition', 'after "and", got end of input'],
    ['not', 4, 'a condition', 'after "not"'],
    ['src bytes 5', 5, 'a field with a source and destination side', 'after "src", got "bytes"'],
    ['src', 4, 'a field', 'after "src", got end of input'],
    ['bytes ~ 5', 7, 'one of = != < <= > >=', 'after "bytes", got "~"'],
    ['bytes > 1X', 9, 'a number (suffixes k, M, G, T)', 'after ">", got "1X"'],
    ['bytes > 1.0001k', 9, 'a number', 'got "1.0001k"'],
    ['port < 1-5', 8, 'a range needs = or !=', 'got "1-5"'],
    ['app', 4, 'a word or a quoted string', 'after "app", got end of input'],
    ['app or port 1', 5, 'a word or a quoted string', 'got "or"'],
    ['state XX', 7, 'one of S0, S1, SF', 'got "XX"'],
    ['country RUS', 9, 'a two-letter country code', 'got "RUS"'],
    ['flags SZ', 7, 'TCP flag letters', 'got "SZ"'],
    ['sni "abc', 9, 'a closing " for the string at column 5', 'got end of input'],
    [String.raw`sni "a\qb"`, 8, 'one of', 'got "q"'],
    ['port 80 & port 81', 9, '"&&"', 'got "&"'],
    ['threat botnet', 8, '"and", "or" or end of input', 'got "botnet"'],
  ])('%j fails at column %i', (text, column, expected, message) => {
    const error = syntaxError(text);
    expect(error.column).toBe(column);
    expect(error.expected).toContain(expected);
    expect(error.message).toContain(message);
    expect(error.message.startsWith(`column ${column}: expected `)).toBe(true);
  });

  it('is a FlowlensError with the usage code', () => {
    const error = syntaxError('');
    expect(error).toBeInstanceOf(FlowlensError);
    expect(error.code).toBe('FLOWLENS_ERR_USAGE');
    expect(error.name).toBe('FilterSyntaxError');
  });

  it('refuses absurd nesting instead of overflowing the stack', () => {
    const error = syntaxError(`${'('.repeat(10_000)}port 1${')'.repeat(10_000)}`);
    expect(error.expected).toContain('levels of nesting');
    expect(syntaxError(`${'not '.repeat(10_000)}port 1`).expected).toContain('levels of nesting');
  });
});

describe('filterFields', () => {
  it('lists unique names and aliases, each with a parseable example', () => {
    const words = new Set<string>();
    for (const field of filterFields()) {
      for (const word of [field.name, ...field.aliases]) {
        expect(words.has(word), word).toBe(false);
        words.add(word);
      }
      expect(() => parseFilter(field.example), field.example).not.toThrow();
    }
  });
});
