import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sha1Short } from './sha1.js';

describe('sha1Short', () => {
  it('agree with node:crypto for any message', () => {
    const digest = new Uint8Array(20);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (message) => {
        sha1Short(message, message.length, digest);
        const expected = createHash('sha1').update(message).digest();
        expect(Buffer.from(digest).toString('hex')).toBe(expected.toString('hex'));
      }),
      { numRuns: 500 },
    );
  });
});
