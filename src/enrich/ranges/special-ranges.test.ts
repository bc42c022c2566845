import { describe, expect, it } from 'vitest';
import { parseIpv4Number, parseIpv6 } from '../../model/index.js';
import { classifyIpv4, classifyIpv6 } from './special-ranges.js';

const v4 = (text: string) => classifyIpv4(parseIpv4Number(text))?.label;
const v6 = (text: string) => classifyIpv6(parseIpv6(text) as Uint8Array)?.label;

describe('special-purpose ranges', () => {
  it.each([
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.255.1', 'private'],
    ['100.64.0.1', 'cgnat'],
    ['100.127.255.255', 'cgnat'],
    ['127.0.0.1', 'loopback'],
    ['169.254.10.1', 'link-local'],
    ['224.0.0.251', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['192.0.2.1', 'documentation'],
    ['198.51.100.7', 'documentation'],
    ['203.0.113.200', 'documentation'],
    ['198.18.0.1', 'benchmarking'],
    ['198.19.255.255', 'benchmarking'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'reserved'],
    ['240.0.0.1', 'reserved'],
    ['255.255.255.255', 'broadcast'],
    ['192.0.0.8', 'reserved'],
  ])('IPv4 %s is %s', (ip, label) => expect(v4(ip)).toBe(label));

  it.each([
    '8.8.8.8',
    '172.15.255.255',
    '172.32.0.0',
    '100.63.255.255',
    '100.128.0.0',
    '11.0.0.0',
    '223.255.255.255',
    '198.20.0.0',
  ])('IPv4 %s is global', (ip) => expect(v4(ip)).toBeUndefined());

  it.each([
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['fe80::1', 'link-local'],
    ['febf:ffff::1', 'link-local'],
    ['fd12:3456::1', 'private'],
    ['fc00::1', 'private'],
    ['ff02::fb', 'multicast'],
    ['2001:db8::1', 'documentation'],
    ['3fff:fff::1', 'documentation'],
    ['2001:2::1', 'benchmarking'],
    ['100::1', 'reserved'],
    ['4000::1', 'reserved'],
    ['fec0::1', 'reserved'],
    ['::ffff:10.0.0.1', 'private'],
    ['::ffff:127.0.0.1', 'loopback'],
  ])('IPv6 %s is %s', (ip, label) => expect(v6(ip)).toBe(label));

  it.each(['2001:4860:4860::8888', '2606:4700::1111', '3fff:1000::1', '2001:db9::1', '::ffff:8.8.8.8'])(
    'IPv6 %s is global',
    (ip) => expect(v6(ip)).toBeUndefined(),
  );

  it('gives the registry block and a description', () => {
    expect(classifyIpv4(parseIpv4Number('10.9.8.7'))).toEqual({
      label: 'private',
      cidr: '10.0.0.0/8',
      description: 'private network (RFC 1918)',
    });
  });

  it('parses IPv4 text as model/parseIpv4 does', () => {
    for (const text of [
      '1.2.3.4',
      '255.255.255.255',
      '0.0.0.0',
      '01.2.3.4',
      '1.2.3',
      '1.2.3.4.5',
      '256.1.1.1',
      '1..2.3',
      'a.b.c.d',
      '1.2.3.4 ',
      '',
    ]) {
      const bytes =
        text.split('.').length === 4 && /^(0|[1-9]\d{0,2})(\.(0|[1-9]\d{0,2})){3}$/.test(text)
          ? text.split('.').map(Number)
          : undefined;
      const expected = bytes?.every((b) => b <= 255)
        ? ((bytes[0] << 24) | (bytes[1] << 16) | (bytes[2] << 8) | bytes[3]) >>> 0
        : -1;
      expect(parseIpv4Number(text), text).toBe(expected);
    }
  });
});
