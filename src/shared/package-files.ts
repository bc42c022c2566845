/**
 * Paths of the package's own files, from code that may run in three places: the TypeScript
 * sources (tests), the compiled modules in `dist/`, or the bundle in `dist/bundle/` that the
 * `flowlens` command loads (scripts/bundle-cli.mjs). A module's own `import.meta.url` stops
 * meaning "beside me" once it is bundled, so files that the build writes beside a module are
 * found through here instead.
 *
 * Contract: this module sits two directories below the package root (`src/shared/`,
 * `dist/shared/`), and so does every bundle chunk (`dist/bundle/`). `builtFile(p)` is `src/p` when
 * the sources run, `dist/p` otherwise.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const PACKAGE_ROOT = new URL('../../', import.meta.url);
const TREE = import.meta.url.endsWith('.ts') ? 'src/' : 'dist/';

/** A file of the package, by its path from the package root (e.g. 'package.json'). */
export function packageFile(relative: string): string {
  return fileURLToPath(new URL(relative, PACKAGE_ROOT));
}

/** A file of the tree this code runs from, by its path inside `src/` or `dist/`. */
export function builtFile(relative: string): string {
  return fileURLToPath(new URL(TREE + relative, PACKAGE_ROOT));
}

let version: string | undefined;

/** The `version` of the package's package.json (read once). */
export function packageVersion(): string {
  version ??= (JSON.parse(readFileSync(packageFile('package.json'), 'utf8')) as { version: string }).version;
  return version;
}
