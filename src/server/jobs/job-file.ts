/**
 * Job state on disk: `DATA/jobs/jobs.json`, rewritten whole on every state change through a
 * temporary file and a rename, so a crash leaves either the old or the new file, never half.
 * Writes are queued, never concurrent. Progress is not persisted: only states are.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { JobRecord } from './job.js';

export interface JobFile {
  load(): Promise<JobRecord[]>;
  /** Queues a write of `records` (the caller's current view); resolves once it is on disk. */
  save(records: readonly JobRecord[]): Promise<void>;
}

export function createJobFile(dir: string): JobFile {
  const file = path.join(dir, 'jobs.json');
  let chain: Promise<void> = Promise.resolve();
  return {
    async load() {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw error;
      }
      const parsed = JSON.parse(text) as { version: number; jobs: JobRecord[] };
      return Array.isArray(parsed.jobs) ? parsed.jobs : [];
    },
    save(records) {
      const text = JSON.stringify({ version: 1, jobs: records });
      const write = async () => {
        const temp = `${file}.${process.pid}.tmp`;
        await writeFile(temp, text, { mode: 0o600 });
        await rename(temp, file);
      };
      chain = chain.then(write, write);
      return chain;
    },
  };
}
