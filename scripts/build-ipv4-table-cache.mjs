#!/usr/bin/env node
/**
 * Part of `npm run build` (after the ASN tables): merges the bundled country and ASN databases
 * with the special-purpose ranges into the IPv4 table that enrichment uses on big inputs, and
 * writes it beside dist/enrich/bundled-ipv4-table.js, so a run reads it in milliseconds instead
 * of merging for ≈0.2 s (src/enrich/bundled-ipv4-table.ts). Without the data packages it warns
 * and leaves the build alone: the table is then merged at run time.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { writeBundledIpv4Table } = await import(path.join(root, 'dist', 'enrich', 'bundled-ipv4-table.js'));
try {
  const started = performance.now();
  const written = await writeBundledIpv4Table();
  const ms = Math.round(performance.now() - started);
  console.log(`IPv4 enrichment table merged at build time in ${ms} ms: ${path.relative(root, written)}`);
} catch (error) {
  console.warn(
    `warning: IPv4 enrichment table not prebuilt (${error.message}); it will be merged at run time`,
  );
}
