/**
 * `flowlens serve` as a user starts it, for the tests of the server with its own traffic sources:
 * the built CLI in a child process on a free port, stopped with SIGTERM. Needs `npm run build`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { CLI } from './run.js';

export interface RunningServe {
  child: ChildProcess;
  url: string;
  stderr: () => string;
}

/** Starts `flowlens serve ARGS --port 0` and resolves with its URL once it listens. */
export function serve(args: string[]): Promise<RunningServe> {
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

/** SIGTERM, then the exit code. */
export function stop(running: RunningServe): Promise<number | null> {
  return new Promise((resolve) => {
    running.child.removeAllListeners('exit');
    running.child.on('exit', (code) => resolve(code));
    running.child.kill('SIGTERM');
  });
}

export async function json(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** Polls `read` every 200 ms until it gives a value. */
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
