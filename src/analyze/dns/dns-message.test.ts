import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createDnsMessage, parseDnsMessage, readDnsAnswers } from './dns-message.js';
import { dnsMessage, dnsName } from './testing/dns-builder.js';

describe('DNS message reader', () => {
  it('reads the header, the question and A/AAAA/CNAME/TXT/PTR answers through pointers', () => {
    const bytes = dnsMessage({
      id: 0x1234,
      response: true,
      rcode: 3,
      qname: 'www.example.com',
      qtype: 1,
      answers: [
        { type: 5, rdata: Uint8Array.from([3, 0x63, 0x64, 0x6e, 0xc0, 16]) },
        { type: 1, rdata: Uint8Array.from([192, 0, 2, 1]) },
        { type: 28, rdata: Uint8Array.from([0x20, 0x01, 0x0d, 0xb8, ...new Array(11).fill(0), 1]) },
        { type: 16, rdata: Uint8Array.from([2, 0x68, 0x69, 1, 0x21]) },
        { type: 12, rdata: Uint8Array.from(dnsName('host.example')) },
      ],
    });
    const m = createDnsMessage();
    expect(parseDnsMessage(bytes, 0, bytes.length, m)).toBeNull();
    expect(m).toMatchObject({
      id: 0x1234,
      response: true,
      rcode: 3,
      qname: 'www.example.com',
      qtype: 1,
      ancount: 5,
    });
    const answers: string[] = [];
    expect(readDnsAnswers(bytes, 0, bytes.length, m, 16, answers)).toBeNull();
    expect(answers).toEqual(['cdn.example.com', '192.0.2.1', '2001:db8::1', 'hi!', 'host.example']);
  });

  it('stops at a compression loop with a typed error', () => {
    // Question name: a pointer to itself; then one pointing forward.
    const header = [0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0];
    const self = Uint8Array.from([...header, 0xc0, 12, 0, 1, 0, 1]);
    const m = createDnsMessage();
    expect(parseDnsMessage(self, 0, self.length, m)).toBe('dns-name-loop');
    const twoStep = Uint8Array.from([...header, 1, 0x61, 0xc0, 12, 0, 1, 0, 1]);
    expect(parseDnsMessage(twoStep, 0, twoStep.length, m)).toBe('dns-name-loop');
    expect(m.id).toBe(1);
  });

  it('reports truncation and bad labels', () => {
    const m = createDnsMessage();
    expect(parseDnsMessage(new Uint8Array(11), 0, 11, m)).toBe('dns-truncated-header');
    const full = dnsMessage({ id: 7, qname: 'example.org' });
    expect(parseDnsMessage(full, 0, full.length - 2, m)).toBe('dns-truncated-question');
    const bad = Uint8Array.from([0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0x41, 0, 0, 1, 0, 1]);
    expect(parseDnsMessage(bad, 0, bad.length, m)).toBe('dns-bad-label');
  });

  it('escapes dots and unprintable bytes, and names the root "."', () => {
    const bytes = Uint8Array.from([
      0, 1, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 3, 0x61, 0x2e, 0x01, 0, 0, 1, 0, 1, 0, 0, 2, 0, 1,
    ]);
    const m = createDnsMessage();
    expect(parseDnsMessage(bytes, 0, bytes.length, m)).toBeNull();
    expect(m.qname).toBe('a\\.\\001');
    const root = Uint8Array.from([0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 1]);
    expect(parseDnsMessage(root, 0, root.length, m)).toBeNull();
    expect(m.qname).toBe('.');
  });

  it('never throws: any bytes give a message or a typed error', () => {
    const errors = new Set([
      null,
      'dns-truncated-header',
      'dns-truncated-question',
      'dns-truncated-record',
      'dns-bad-label',
      'dns-name-loop',
      'dns-name-too-long',
    ]);
    const m = createDnsMessage();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), fc.nat(20), (bytes, skip) => {
        const start = Math.min(skip, bytes.length);
        const error = parseDnsMessage(bytes, start, bytes.length - start, m);
        expect(errors.has(error)).toBe(true);
        if (error === null) {
          const answers: string[] = [];
          expect(errors.has(readDnsAnswers(bytes, start, bytes.length - start, m, 8, answers))).toBe(true);
          expect(answers.length).toBeLessThanOrEqual(8);
        }
      }),
      { numRuns: 3000 },
    );
  });
});
