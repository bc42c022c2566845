#!/usr/bin/env node
/**
 * Part of `npm run build`: writes the bundled MAC vendor registry (oui-data's 5.6 MB JSON) as a
 * sorted prefix/name file beside dist/enrich/oui/oui-registry.js, so the first vendor lookup of
 * a run reads it in milliseconds (src/enrich/oui/oui-registry.ts, openOuiCache). Without the data
 * package it warns and leaves the build alone: lookups then say what to install.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { writeBundledOuiCache } = await import(path.join(root, 'dist', 'enrich', 'oui', 'index.js'));
try {
  const started = performance.now();
  const written = writeBundledOuiCache();
  const ms = Math.round(performance.now() - started);
  console.log(`MAC vendor registry prepared at build time in ${ms} ms: ${path.relative(root, written)}`);
} catch (error) {
  console.warn(
    `warning: MAC vendor registry not prebuilt (${error.message}); its JSON will be parsed at each start`,
  );
}
