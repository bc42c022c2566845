// Bundles the compiled `flowlens` command (dist/cli/main.js) and the worker threads it starts
// into dist/bundle/, which bin/flowlens.cjs loads. Node resolves, reads and links each ES module
// of its own: the ~300 modules that `flowlens analyze` loads cost ≈70 ms at every start, the few
// chunks of the bundle ≈15 ms. Run by `npm run build`, after tsc.
//
// - npm packages and node: built-ins stay imports (resolved from node_modules as before).
// - The subcommands stay lazily loaded: each dynamic import becomes a chunk.
// - Workers keep their file names (`[name].js`) beside the chunks, so that a chunk's
//   `new URL('./detection-worker.js', import.meta.url)` finds its worker as it did in dist/.
// - Files the build writes beside modules are found through src/shared/package-files.ts, which
//   works from dist/bundle/ because it is as deep below the package root as dist/shared/.
import { rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { rolldown } from 'rolldown';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const out = path.join(dist, 'bundle');

const entries = {
  main: 'cli/main.js',
  'detection-worker': 'pipeline/detection-worker.js',
  'receive-worker': 'sources/flow-export/receive-worker.js',
  'analysis-worker': 'server/jobs/analysis-worker.js',
};

const bundle = await rolldown({
  input: Object.fromEntries(Object.entries(entries).map(([name, file]) => [name, path.join(dist, file)])),
  platform: 'node',
  // Bare specifiers (packages, node: built-ins) are not ours: leave them to Node.
  external: (id) => !id.startsWith('.') && !path.isAbsolute(id),
  logLevel: 'warn',
});
rmSync(out, { recursive: true, force: true });
await bundle.write({
  dir: out,
  format: 'esm',
  entryFileNames: '[name].js',
  chunkFileNames: '[name]-[hash].js',
});
await bundle.close();
