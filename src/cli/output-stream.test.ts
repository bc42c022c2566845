/**
 * The buffered stdout writer hands over exactly the UTF-8 of what was written, in order, whatever
 * the mix of text sizes and characters (1- to 4-byte UTF-8, lone surrogates) and however the
 * pieces fall across its 256 KiB chunks.
 */
import { Writable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createOutputStream } from './output-stream.js';

function collector() {
  const chunks: Buffer[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(Buffer.from(chunk));
      done();
    },
  });
  return { destination, bytes: () => Buffer.concat(chunks) };
}

const piece = fc.oneof(
  fc.string({ unit: fc.constantFrom('a', 'é', '中', '😀', '\ud800', '"'), maxLength: 40 }),
  fc.integer({ min: 1, max: 300_000 }).map((n) => 'x'.repeat(n)),
  fc.integer({ min: 1, max: 100_000 }).map((n) => '中'.repeat(n)),
);

describe('createOutputStream', () => {
  it('writes the UTF-8 of every piece, in order, across chunk boundaries', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(piece, { maxLength: 30 }), async (pieces) => {
        const { destination, bytes } = collector();
        const out = createOutputStream(destination);
        for (const text of pieces) out.write(text);
        await out.end();
        expect(bytes().equals(Buffer.from(pieces.join(''), 'utf8'))).toBe(true);
      }),
      { numRuns: 60 },
    );
  });
});
