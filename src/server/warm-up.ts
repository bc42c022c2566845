/**
 * Start-up warm-up: the analytics requests the dashboard's landing page (the overview at its
 * default range) makes, asked once through the server's own routes when it starts, so that their
 * answers are in the query cache, and the store's columns in DuckDB's buffers, before the first
 * visitor's page asks. A visitor arriving while they run joins them (the cache coalesces equal
 * requests).
 *
 * Contract: DASHBOARD_LANDING lists exactly the analytics requests web/src/pages/overview.tsx
 * makes on `/` (test/web-warm-up.test.ts loads the page after a start and expects every one of
 * them answered from the cache). Warming never fails the server: a request that fails is logged at debug level.
 */
import type { FastifyInstance } from 'fastify';

/**
 * API paths (under /api/v1) of the analytics requests (the cached routes) of the overview's first
 * render at the default range. Its alerts request reads the store directly and is not cached.
 */
export const DASHBOARD_LANDING: readonly string[] = [
  '/overview?range=24h&topHosts=20',
  '/series?range=24h&splitBy=protocol&topK=6',
  '/top?range=24h&by=dst_port&limit=8',
  '/top?range=24h&by=application&limit=8',
  '/top?range=24h&by=protocol&limit=6',
  '/top?range=24h&by=country&limit=300',
  '/top?range=24h&by=asn&limit=8',
];

/**
 * Asks each of `paths` (under `prefix`) once, concurrently, with the server's own token; resolves
 * when every answer has arrived or failed.
 */
export async function warmUp(
  app: FastifyInstance,
  prefix: string,
  paths: readonly string[],
  apiToken: string | undefined,
): Promise<void> {
  const headers = apiToken === undefined ? {} : { authorization: `Bearer ${apiToken}` };
  await Promise.all(
    paths.map(async (path) => {
      try {
        const response = await app.inject({ method: 'GET', url: `${prefix}${path}`, headers });
        if (response.statusCode !== 200) {
          app.log.debug({ path, status: response.statusCode }, 'warm-up request not answered');
        }
      } catch (error) {
        app.log.debug({ path, err: error }, 'warm-up request failed');
      }
    }),
  );
}
