import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

describe('flow-core-binary.ts', () => {
  it('is what scripts/build-flow-core.mjs compiles from wasm/ now', async () => {
    const run = promisify(execFile);
    const script = new URL('../../scripts/build-flow-core.mjs', import.meta.url).pathname;
    // --check exits 1 with a message naming the command to run when the committed binary is stale.
    await expect(run(process.execPath, [script, '--check'])).resolves.toBeDefined();
  }, 60_000);
});
