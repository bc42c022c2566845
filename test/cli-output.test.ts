/**
 * The command line's output contract when the reader goes away: `flowlens … | head` ends with
 * exit 0 and no stack trace, for commander's own output (help) and for streamed results.
 *
 * Needs `npm run build`.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from './support/corpus.js';
import { CLI } from './support/run.js';

/** Runs the CLI, closes its stdout after the first chunk, and resolves with its exit and stderr. */
function readFirstChunkOnly(args: string[]): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  child.stdout.once('data', () => child.stdout.destroy());
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stderr })));
}

describe('a reader that stops early', () => {
  it('ends help output quietly', async () => {
    const result = await readFirstChunkOnly(['analyze', '--help']);
    expect(result.stderr).not.toMatch(/EPIPE|\n\s+at /);
    expect(result.code).toBe(0);
  });

  it('ends streamed flows quietly', async () => {
    const capture = path.join(PROJECT_ROOT, 'test', 'fixtures', 'port-reuse.pcap');
    const result = await readFirstChunkOnly(['analyze', capture, '--format', 'ndjson', '--no-detect']);
    expect(result.stderr).not.toMatch(/EPIPE|\n\s+at /);
    expect(result.code).toBe(0);
  });
});
