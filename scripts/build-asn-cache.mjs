#!/usr/bin/env node
/**
 * Part of `npm run build`: parses the bundled ASN CSVs once and writes the tables beside
 * dist/enrich/asn/bundled-asn.js, so every run loads them in milliseconds instead of parsing
 * ≈30 MB of CSV (src/enrich/asn/bundled-asn.ts). Without the data package it warns and leaves
 * the build alone: the enricher then says what to install.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { writeBundledAsnCache } = await import(path.join(root, 'dist', 'enrich', 'asn', 'index.js'));
try {
  const started = performance.now();
  const written = await writeBundledAsnCache();
  const ms = Math.round(performance.now() - started);
  console.log(
    `ASN tables parsed at build time in ${ms} ms: ${written.map((f) => path.relative(root, f)).join(', ')}`,
  );
} catch (error) {
  console.warn(`warning: ASN tables not prebuilt (${error.message}); the CSVs will be parsed at each start`);
}
