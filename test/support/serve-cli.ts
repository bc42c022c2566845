/**
 * `flowlens serve` as a user starts it: the built CLI as a child process on port 0 of
 * 127.0.0.1. `startServe` resolves with its URL once it listens (rejects when it exits first or
 * does not listen within a minute); `stopServe` sends SIGTERM and resolves with the exit code.
 * Also `until`, which polls for a value, and `json`. Needs `npm run build`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { CLI } from './run.js';

export interface RunningServe {
  child: ChildProcess;
  url: string;
  /** Everything it wrote to stderr so far. */
  stderr: () => string;
}

/** Starts `flowlens serve ARGS --port 0 --log-level error`. */
export function startServe(args: string[]): Promise<RunningServe> {
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--log-level', 'error', ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let text = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${text}`)), 60_000);
    child.stderr?.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const match = /on (http:\/\/127\.0\.0\.1:\d+)/.exec(text);
      if (match) {
        clearTimeout(timer);
        resolve({ child, url: match[1], stderr: () => text });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code}: ${text}`));
    });
  });
}

export function stopServe(running: RunningServe): Promise<number | null> {
  return new Promise((resolve) => {
    running.child.removeAllListeners('exit');
    if (running.child.exitCode !== null) {
      resolve(running.child.exitCode);
      return;
    }
    running.child.on('exit', (code) => resolve(code));
    running.child.kill('SIGTERM');
  });
}

/** Calls `read` every 200 ms until it gives a value; throws after `timeoutMs`. */
export async function until<T>(
  what: string,
  read: () => Promise<T | undefined>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** GET `url` and its JSON body. */
export async function json(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** Arguments for `serve` with its collector on NetFlow port `port` only (IPFIX and sFlow off). */
export function collectNetflowOn(port: number): string[] {
  return ['--collect', '--netflow', String(port), '--ipfix', '0', '--sflow', '0'];
}
