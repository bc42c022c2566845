/**
 * `GET /api/v1/status`: the server, the store's size, the ingest rate and the traffic sources of
 * this process, in one answer for the dashboard's Status page (see status/status-view.ts).
 */
import type { FastifyInstance } from 'fastify';
import { answer, ERROR_ANSWERS, STATUS_QUERY } from '../schemas.js';
import type { StatusView } from '../status/status-view.js';

export interface StatusRouteOptions {
  view: StatusView;
  rateLimit(weight: 'light' | 'heavy'): Record<string, unknown>;
}

export async function statusRoutes(app: FastifyInstance, options: StatusRouteOptions): Promise<void> {
  app.get(
    '/status',
    {
      config: options.rateLimit('light'),
      schema: {
        tags: ['operations'],
        summary: 'Server, store size, ingest rate, collector listeners and exporters, live capture',
        querystring: STATUS_QUERY,
        response: {
          200: answer(
            'StatusAnswer: { server, store, ingest, collector (listeners[], exporters[] with records/s, template misses, sequence gaps) | null, capture | null } (docs/api.md)',
          ),
          ...ERROR_ANSWERS,
        },
      },
    },
    async () => options.view.answer(),
  );
}
