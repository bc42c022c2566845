/**
 * Builds the dashboard into dist/web, which `flowlens serve` serves at `/` (src/server/routes/web.ts).
 * `npm run dev:web` proxies /api, /health, /ready and /metrics to a `flowlens serve` on :8080.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
const api = process.env.FLOWLENS_API ?? 'http://127.0.0.1:8080';

export default defineConfig({
  root,
  base: '/',
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    assetsDir: 'assets',
    sourcemap: false,
    reportCompressedSize: false,
  },
  server: {
    proxy: {
      '/api': { target: api, ws: true },
      '/health': api,
      '/ready': api,
      '/metrics': api,
    },
  },
});
