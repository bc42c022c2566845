/**
 * A real server for the server tests: DuckDB in a temp dir, `createServer` on 127.0.0.1 port 0,
 * plus small clients for multipart upload, server-sent events and the job lifecycle. Nothing is
 * mocked; `close()` stops the server, the store and removes the directory.
 *
 * Needs `npm run build`: analysis workers run the built `dist/server/jobs/analysis-worker.js`.
 */
import { existsSync, mkdtempSync, openAsBlob, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  createServer,
  type FlowlensServer,
  type ServerConfig,
  type ServerDeps,
} from '../../src/server/index.js';
import { createDuckDbStore, type FlowStore } from '../../src/store/index.js';
import { PROJECT_ROOT } from './corpus.js';

export const WORKER_BUILT = path.join(PROJECT_ROOT, 'dist', 'server', 'jobs', 'analysis-worker.js');

export function requireBuiltWorker(): void {
  if (!existsSync(WORKER_BUILT)) throw new Error(`${WORKER_BUILT} is missing: run npm run build first`);
}

export interface TestServer {
  server: FlowlensServer;
  store: FlowStore;
  url: string;
  dataDir: string;
  /** Stops the server and the store; `keepData` leaves the directory for a restart. */
  close(keepData?: boolean): Promise<void>;
}

export async function startTestServer(
  config: Partial<ServerConfig> = {},
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'flowlens-server-')),
  deps: Pick<ServerDeps, 'renderer' | 'enricher' | 'threat' | 'threatIntel'> = {},
): Promise<TestServer> {
  const store = createDuckDbStore({ dataDir });
  await store.start();
  const server = createServer(
    { port: 0, dataDir, logLevel: false, rateLimit: false, ...config },
    { store, version: 'test', ...deps },
  );
  const { url } = await server.start();
  return {
    server,
    store,
    url,
    dataDir,
    async close(keepData = false) {
      await server.stop();
      await store.stop();
      if (!keepData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** POSTs `file` as multipart field "file" to /api/v1/captures. */
export async function upload(
  url: string,
  file: string,
  options: { query?: string; fileName?: string; headers?: Record<string, string> } = {},
): Promise<Response> {
  const form = new FormData();
  form.append('file', await openAsBlob(file), options.fileName ?? path.basename(file));
  return fetch(`${url}/api/v1/captures${options.query ? `?${options.query}` : ''}`, {
    method: 'POST',
    body: form,
    headers: options.headers,
  });
}

export interface SseEvent {
  id: number;
  event: string;
  data: unknown;
}

/** Reads an SSE stream to its end (the server ends it when the job finishes). */
export async function readEvents(url: string, headers: Record<string, string> = {}): Promise<SseEvent[]> {
  const response = await fetch(url, { headers });
  if (response.status !== 200) throw new Error(`events: HTTP ${response.status}: ${await response.text()}`);
  const text = await response.text();
  const events: SseEvent[] = [];
  for (const block of text.split('\n\n')) {
    const fields = new Map<string, string>();
    for (const line of block.split('\n')) {
      const colon = line.indexOf(':');
      if (colon <= 0) continue;
      fields.set(line.slice(0, colon), line.slice(colon + 1).trimStart());
    }
    if (fields.has('data')) {
      events.push({
        id: Number(fields.get('id')),
        event: fields.get('event') ?? 'message',
        data: JSON.parse(fields.get('data') as string),
      });
    }
  }
  return events;
}

/** Polls a job until `done(job)` holds. */
export async function waitForJob(
  url: string,
  id: string,
  done: (job: { status: string; progress: { packets: number } }) => boolean,
  timeoutMs = 60_000,
): Promise<Record<string, unknown>> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const job = (await (await fetch(`${url}/api/v1/jobs/${id}`)).json()) as {
      status: string;
      progress: { packets: number };
    };
    if (done(job)) return job as unknown as Record<string, unknown>;
    if (Date.now() > until) throw new Error(`job ${id} still ${JSON.stringify(job)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
