// Links node_modules/.bin/flowlens to this package's own bin, so that `npx flowlens` run in the
// project root finds the local build instead of asking the registry. Run by `npm ci` (prepare).
import { chmodSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const binDir = path.join(root, 'node_modules', '.bin');
const link = path.join(binDir, 'flowlens');
mkdirSync(binDir, { recursive: true });
rmSync(link, { force: true });
symlinkSync(path.relative(binDir, path.join(root, 'bin', 'flowlens.cjs')), link);
chmodSync(path.join(root, 'bin', 'flowlens.cjs'), 0o755);
