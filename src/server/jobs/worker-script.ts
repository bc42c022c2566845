/**
 * Where the analysis worker's compiled script is. Worker threads run plain JavaScript, so the
 * worker always comes from `dist/` (built by `npm run build`), also when the server itself runs
 * from the TypeScript sources (tests).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ERR, FlowlensError } from '../../shared/index.js';

export function defaultWorkerScript(): string {
  const here = fileURLToPath(import.meta.url);
  const dir = path.dirname(here);
  if (here.endsWith('.js')) return path.join(dir, 'analysis-worker.js');
  const root = path.resolve(dir, '..', '..', '..');
  return path.join(root, 'dist', 'server', 'jobs', 'analysis-worker.js');
}

export function checkWorkerScript(script: string): void {
  if (!existsSync(script)) {
    throw new FlowlensError(ERR.USAGE, `the analysis worker ${script} is missing: run npm run build`, 2);
  }
}
