/**
 * The command line's output contract when the reader goes away: `flowlens … | head` ends with
 * exit 0 and no stack trace, for commander's own output (help) and for streamed results; and the
 * top level: version, the help listing every command, typo suggestions, each command's help.
 *
 * Needs `npm run build`.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from './support/corpus.js';
import { CLI, runCli } from './support/run.js';

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

/** Resolves when the child has exited (listening from its start, so no exit is missed). */
function exited(child: ReturnType<typeof spawn>): Promise<void> {
  return new Promise((resolve) => child.on('close', () => resolve()));
}

describe('a named pipe as the capture', () => {
  it('is analysed as the file would be, and a non-capture through it is refused in one line', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'flowlens-fifo-'));
    try {
      const fixture = path.join(PROJECT_ROOT, 'test', 'fixtures', 'tcp-handshake-and-close.pcap');
      const fifo = path.join(dir, 'capture.pipe');
      execFileSync('mkfifo', [fifo]);
      const written = exited(spawn('sh', ['-c', 'cat "$1" > "$2"', 'sh', fixture, fifo]));
      const piped = await runCli(['analyze', fifo, '--format', 'json', '--no-enrich']);
      await written;
      const direct = await runCli(['analyze', fixture, '--format', 'json', '--no-enrich']);
      expect(piped.stderr).toBe('');
      expect(piped.code).toBe(0);
      const flows = (r: { stdout: string }) => (JSON.parse(r.stdout) as { flows: unknown[] }).flows;
      expect(flows(piped).length).toBeGreaterThan(0);
      expect(flows(piped)).toEqual(flows(direct));

      const text = exited(spawn('sh', ['-c', 'printf "not a capture at all" > "$1"', 'sh', fifo]));
      const refused = await runCli(['analyze', fifo, '--format', 'json']);
      await text;
      expect(refused.code).toBe(2);
      expect(refused.stderr.trim().split('\n')).toHaveLength(1);
      expect(refused.stderr).toMatch(/not a pcap or pcapng capture/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the top level (each command module is loaded only when needed)', () => {
  const COMMANDS = [
    'analyze',
    'ingest',
    'capture',
    'collect',
    'alerts',
    'devices',
    'query',
    'serve',
    'lookup',
    'feeds',
  ];

  it('prints the version, and lists every command in the help', async () => {
    const version = await runCli(['--version']);
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    const listed = [...help.stdout.matchAll(/^ {2}(\w+) /gm)].map((m) => m[1]);
    expect(listed).toEqual([...COMMANDS, 'help']);
    const helpCommand = await runCli(['help', 'query']);
    expect(helpCommand.stdout).toMatch(/Usage: flowlens query/);
  });

  it('suggests the command a typo meant, and runs a named one with its own help', async () => {
    const typo = await runCli(['analyz']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/unknown command 'analyz'[\s\S]*Did you mean analyze\?/);
    for (const command of COMMANDS) {
      const help = await runCli([command, '--help']);
      expect(help.code, command).toBe(0);
      expect(help.stdout, command).toMatch(new RegExp(`Usage: flowlens ${command}`));
    }
  });
});
