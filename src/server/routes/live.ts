/** WebSocket `/api/v1/live`: hands each connection to the live hub (see live/live-hub.ts). */
import type { FastifyInstance } from 'fastify';
import type { LiveHub, Topic } from '../live/live-hub.js';
import { LIVE_QUERY } from '../schemas.js';

export async function liveRoutes(app: FastifyInstance, options: { hub: LiveHub }): Promise<void> {
  app.get<{ Querystring: { topics?: string; since?: number } }>(
    '/live',
    {
      websocket: true,
      schema: {
        tags: ['live'],
        summary: 'WebSocket live feed: topics stats, alerts, jobs (see docs/api.md for the protocol)',
        querystring: LIVE_QUERY,
      },
    },
    (socket, request) => {
      const topics = (request.query.topics?.split(',') ?? []) as Topic[];
      options.hub.attach(socket, topics, request.query.since);
    },
  );
}
